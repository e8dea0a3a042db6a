"""Awareness KPIs: mentions, share of voice, net sentiment (kpi-catalog.md, rules 2 and 12).

A mention has no account, so its day depends on whose clock reads it. The catalog settles it:

- a mention counts for a scoped brand (the ``mentions`` KPI) when its day, in the time zone of
  some scoped account of that brand, is one of that account's scoped days; each mention counts
  once;
- the share-of-voice denominator holds every brand's mentions (competitors' included) whose
  day, in the time zone of some scoped account of *any* brand, is one of that account's
  scoped days;
- a timestamp without an offset (``published_at_naive``) is a wall-clock time: its day is the
  same in every time zone;
- only ``own=true`` rows are left out (the brand's own posts are not awareness); an empty
  ``own`` counts. Brands match exactly (case and spaces included).

``mentions_growth`` needs the previous period: :func:`compute` returns it as None together with
its base ``_mentions_per_date`` (mentions / D, D = dates with at least one scoped account), and
the KPI entry point computes the growth from three consecutive scopes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..schema import SENTIMENTS
from ..scope import Scope

__all__ = [
    "FAMILY",
    "KPI_IDS",
    "compute",
    "mentions_daily",
    "scoped_mentions",
    "share_of_voice_table",
]

FAMILY = "awareness"

#: The catalog ids of this family, in catalog order (``mentions_growth`` is left to the entry
#: point, which needs the comparison periods).
KPI_IDS = ("mentions", "mentions_growth", "share_of_voice", "net_sentiment")


def _empty_scoped() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "mention_id": pd.Series(dtype="str"),
            "brand": pd.Series(dtype="str"),
            "sentiment": pd.Series(dtype="str"),
            "date": pd.Series(dtype="datetime64[ns]"),
            "own_brand": pd.Series(dtype=bool),
        }
    )


def scoped_mentions(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the non-own mentions on the scope's days: the share-of-voice denominator.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset; without a ``mentions`` table the result has no rows.
    scope : Scope
        The specialist's account-days.

    Returns
    -------
    DataFrame
        One row per mention, in the table's order: ``mention_id``, ``brand``, ``sentiment`` (NaN
        when empty), ``date`` (the day that placed it in scope) and ``own_brand`` (bool: it
        counts for a scoped brand, i.e. it is in the ``mentions`` KPI). Rows with
        ``own_brand=False`` are competitors' mentions, and the rare mention of a scoped brand
        that falls only on days of the specialist's *other* accounts (it is market voice on the
        scope's days but not on a day of that brand's own accounts).

    Notes
    -----
    When time zones disagree on the day, ``date`` is read in the zone of the first qualifying
    account (scoped accounts sorted by id): for a scoped brand's mention, the first account of
    that brand whose scoped days hold it; for the others, the first scoped account of any
    brand.
    """
    mentions = ds.get("mentions")
    if mentions is None or mentions.empty or scope.is_empty:
        return _empty_scoped()
    utc = mentions["published_at"].dt.tz_convert("UTC")
    wall = utc.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")  # naive: its wall clock
    dates = scope.days["date"].to_numpy(dtype="datetime64[ns]")
    # any time zone is within a day of UTC: a cheap window first, then the exact test
    low, high = dates.min() - np.timedelta64(1, "D"), dates.max() + np.timedelta64(2, "D")
    own = mentions["own"].fillna(False).astype(bool).to_numpy()
    rows = np.flatnonzero(~own & (wall >= low) & (wall < high))
    if not len(rows):
        return _empty_scoped()
    frame, utc, wall = mentions.iloc[rows], utc.iloc[rows], wall[rows]
    naive = (
        frame["published_at_naive"].fillna(False).astype(bool).to_numpy()
        if "published_at_naive" in frame
        else np.zeros(len(frame), dtype=bool)
    )

    accounts = ds["accounts"].drop_duplicates("account_id").set_index("account_id")
    days = scope.days.assign(
        brand=scope.days["account_id"].map(accounts["brand"]).astype(object),
        timezone=scope.days["account_id"].map(accounts["timezone"]).astype(object),
        day=scope.days["date"].to_numpy(dtype="datetime64[D]").astype(np.int64),
    )
    brands = pd.Index(pd.unique(days["brand"]))
    days = days.assign(code=brands.get_indexer(days["brand"]))
    brand_code = brands.get_indexer(frame["brand"].astype(object))  # -1: not a scoped brand
    unset = np.iinfo(np.int64).min
    own_day = np.full(len(frame), unset)  # day number that counts it for a scoped brand
    any_day = own_day.copy()  # day number that puts it in the share-of-voice denominator
    zones = list(dict.fromkeys(days.sort_values("account_id", kind="stable")["timezone"]))
    for zone in zones:  # one pass per time zone of the scope (a handful), not per mention
        local = utc.dt.tz_convert(zone).dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
        day = np.where(naive, wall, local).astype("datetime64[D]").astype(np.int64)
        here = days[days["timezone"] == zone]
        hit_any = np.isin(day, here["day"].to_numpy())
        # (brand, day) pairs as one integer: brand code x 2^32 + day number
        pairs = here["code"].to_numpy(dtype=np.int64) * 2**32 + here["day"].to_numpy()
        hit_own = (brand_code >= 0) & np.isin(brand_code.astype(np.int64) * 2**32 + day, pairs)
        any_day = np.where((any_day == unset) & hit_any, day, any_day)
        own_day = np.where((own_day == unset) & hit_own, day, own_day)
    counted, keep = own_day != unset, any_day != unset
    chosen = np.where(counted, own_day, any_day)[keep].astype("datetime64[D]")
    kept = frame.iloc[np.flatnonzero(keep)]
    return pd.DataFrame(
        {
            "mention_id": kept["mention_id"].astype("str").to_numpy(),
            "brand": kept["brand"].astype("str").to_numpy(),
            "sentiment": kept["sentiment"].astype("str").to_numpy(),
            "date": chosen.astype("datetime64[ns]"),
            "own_brand": counted[keep],
        }
    )


def mentions_daily(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return mention counts per day and brand on the scope's days, with their sentiment.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset; without a ``mentions`` table the result has no rows.
    scope : Scope
        The specialist's account-days.

    Returns
    -------
    DataFrame
        A new tidy frame sorted by ``date``, ``own_brand`` (own first), ``brand``:
        ``date`` (datetime64[ns], see :func:`scoped_mentions`), ``brand`` (str), ``own_brand``
        (bool: these mentions count for a scoped brand, so summing the ``own_brand`` rows gives
        the ``mentions`` KPI, and summing every row gives the share-of-voice denominator),
        ``mentions``, ``positive``, ``neutral``, ``negative`` (int64; a mention without
        sentiment is in ``mentions`` only). ``own=true`` rows are never counted.
    """
    scoped = scoped_mentions(ds, scope)
    counts = scoped.assign(
        mentions=1, **{s: (scoped["sentiment"] == s).astype("int64") for s in SENTIMENTS}
    )
    out = (
        counts.groupby(["date", "brand", "own_brand"], as_index=False, sort=False)[
            ["mentions", *SENTIMENTS]
        ]
        .sum()
        .astype({"mentions": "int64", **dict.fromkeys(SENTIMENTS, "int64")})
    )
    return out.sort_values(
        ["date", "own_brand", "brand"], ascending=[True, False, True], ignore_index=True
    )[["date", "brand", "own_brand", "mentions", *SENTIMENTS]]


def share_of_voice_table(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return each brand's share of the mentions on the scope's days (rule 12).

    Parameters
    ----------
    ds : Dataset
        A loaded dataset; without a ``mentions`` table the result has no rows.
    scope : Scope
        The specialist's account-days.

    Returns
    -------
    DataFrame
        A new frame, one row per (``brand``, ``own_brand``), sorted by ``mentions`` (most
        first) then ``brand``: ``brand`` (str), ``own_brand`` (bool), ``mentions`` (int64),
        ``share_pct`` (float64, mentions / all rows' mentions x 100; NaN when there is none).
        Every scoped brand has an ``own_brand=True`` row, with 0 mentions if need be, and the
        ``share_pct`` of those rows adds up to the ``share_of_voice`` KPI.
    """
    daily = mentions_daily(ds, scope)
    table = daily.groupby(["brand", "own_brand"], as_index=False)["mentions"].sum()
    if ds.has("mentions") and not scope.is_empty:
        brands = ds["accounts"].set_index("account_id")["brand"]
        own = sorted(set(brands.reindex(scope.accounts).astype(str)))
        missing = [b for b in own if not ((table["brand"] == b) & table["own_brand"]).any()]
        extra = pd.DataFrame({"brand": missing, "own_brand": True, "mentions": 0})
        table = pd.concat([table, extra], ignore_index=True) if missing else table
    total = table["mentions"].sum()
    table = table.astype({"brand": "str", "own_brand": bool, "mentions": "int64"}).assign(
        share_pct=table["mentions"] / total * 100.0 if total else np.nan
    )
    table = table.astype({"share_pct": "float64"})
    return table.sort_values(
        ["mentions", "own_brand", "brand"], ascending=[False, False, True], ignore_index=True
    )


def compute(ds: Dataset, scope: Scope) -> dict[str, float | int | None]:
    """Compute the awareness KPIs of the catalog for a scope.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's account-days.

    Returns
    -------
    dict
        ``mentions`` (int), ``share_of_voice`` and ``net_sentiment`` (float, percent),
        ``mentions_growth`` (always None here: the entry point computes it from
        ``_mentions_per_date`` of three consecutive scopes) and the private
        ``_mentions_per_date`` (mentions / D, D = ``scope.n_dates``). Every value is None
        without a ``mentions`` table or without a scoped day; with no mention in scope
        ``mentions`` is 0, ``_mentions_per_date`` 0.0 and the ratios None (rule 14).
        ``net_sentiment`` = (positive - negative) / (positive + negative) x 100 over the
        counted mentions, neutral and empty sentiment left out.
    """
    values: dict[str, float | int | None] = dict.fromkeys(KPI_IDS)
    values["_mentions_per_date"] = None
    if not ds.has("mentions") or scope.is_empty:
        return values
    scoped = scoped_mentions(ds, scope)
    mine = scoped[scoped["own_brand"]]
    count, total = len(mine), len(scoped)
    positive = int((mine["sentiment"] == "positive").sum())
    negative = int((mine["sentiment"] == "negative").sum())
    values.update(
        mentions=int(count),
        share_of_voice=count / total * 100.0 if total else None,
        net_sentiment=(positive - negative) / (positive + negative) * 100.0
        if positive + negative
        else None,
        _mentions_per_date=count / scope.n_dates,
    )
    return values
