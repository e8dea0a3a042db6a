"""Shared helpers of the KPI families: scoped posts, ratio of sums, scoped rows, the view.

Every family module builds on these, so the catalog's rules are written once:

- rule 5: a post belongs to the account-day of its *local* publication day, and ``F_i`` is the
  account's followers on that day (from ``account_daily``): :func:`scoped_posts`;
- rule 6: ratios of sums are *pairwise*: a row enters a ratio only when it has both the
  numerator and the denominator: :func:`ratio_of_sums`;
- rule 14: a ratio whose denominator is 0 (or that has no pair at all) is null, and a sum over
  cells none of which is reported is null: :func:`ratio_of_sums`, :func:`sum_or_none`.

The rest serves the time budget (every KPI of a specialist-month well under half a second):
:class:`AccountDays` matches (account, day) pairs through integer keys, :func:`rows_in_scope`
is :func:`smmkpi_helpers.scope.in_scope` built on it, :func:`isin_text` avoids the slow
``isin`` of pyarrow-backed strings, and :func:`restricted_view` cuts a dataset to what a few
scopes can touch.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..scope import Scope
from .catalog import CATALOG

__all__ = [
    "INTERACTION_COLUMNS",
    "AccountDays",
    "count_or_none",
    "day_numbers",
    "family_ids",
    "isin_text",
    "match_account_days",
    "null_values",
    "ratio_of_sums",
    "restricted_view",
    "rows_in_scope",
    "scope_positions",
    "scoped_posts",
    "sum_or_none",
    "take_or_nan",
    "to_python",
]

#: The counts that make up a post's interactions ``I_i`` (catalog notation).
INTERACTION_COLUMNS = ("likes", "comments", "shares", "saves")

_ACCOUNT_STRIDE = np.int64(1 << 32)  # key = account code x 2**32 + day number


def day_numbers(values: pd.Series | np.ndarray) -> np.ndarray:
    """Return the calendar day of naive datetimes as int64 days since 1970-01-01.

    A wall-clock time is floored to its day (``published_at_local`` 2026-10-02 01:30 gives the
    day of 2026-10-02). Missing values (NaT) give the smallest int64.
    """
    array = np.asarray(values)
    if not np.issubdtype(array.dtype, np.datetime64):
        array = pd.to_datetime(pd.Series(values)).to_numpy()
    return array.astype("datetime64[D]").astype(np.int64)


def _keys(codes: np.ndarray, days: np.ndarray) -> np.ndarray:
    valid = (codes >= 0) & (days != np.iinfo(np.int64).min)
    return np.where(valid, codes.astype(np.int64) * _ACCOUNT_STRIDE + days, -1)


class AccountDays:
    """An index of (account, day) pairs that answers "at which position is this pair?".

    Built once from a table unique in (account, day) (``account_daily``, a scope's days) and
    probed as often as needed. Pairs become int64 keys (account code x 2**32 + day number)
    looked up in an integer hash index: an exact join, much cheaper than a two-column merge or
    a MultiIndex on pandas' pyarrow-backed ``str`` ids. Days may be dates or naive wall-clock
    times (floored to their day).

    Parameters
    ----------
    accounts : Series or ndarray
        Account ids of the indexed rows.
    days : Series or ndarray
        Their days.
    """

    def __init__(self, accounts: pd.Series | np.ndarray, days: pd.Series | np.ndarray) -> None:
        codes, uniques = pd.factorize(np.asarray(accounts) if _plain(accounts) else accounts)
        self._accounts = pd.Index(np.asarray(uniques, dtype=object), dtype=object)
        self._index = pd.Index(_keys(codes, day_numbers(days)))

    def positions(
        self, accounts: pd.Series | np.ndarray, days: pd.Series | np.ndarray
    ) -> np.ndarray:
        """Return each pair's row position in the indexed table, or -1 when absent."""
        keys = _keys(self._codes(accounts), day_numbers(days))
        return np.where(keys >= 0, self._index.get_indexer(keys), -1)

    def _codes(self, accounts: pd.Series | np.ndarray) -> np.ndarray:
        # factorize first (fast on pyarrow strings), then map the few distinct ids
        codes, uniques = pd.factorize(np.asarray(accounts) if _plain(accounts) else accounts)
        if not len(uniques):
            return np.full(len(codes), -1, dtype=np.int64)
        mapping = self._accounts.get_indexer(np.asarray(uniques, dtype=object))
        return np.where(codes >= 0, mapping[np.maximum(codes, 0)], -1)


def _plain(values: object) -> bool:
    """Return whether ``values`` is neither a Series nor an Index (lists, arrays)."""
    return not isinstance(values, (pd.Series, pd.Index))


def match_account_days(
    left_accounts: pd.Series | np.ndarray,
    left_days: pd.Series | np.ndarray,
    right_accounts: pd.Series | np.ndarray,
    right_days: pd.Series | np.ndarray,
) -> np.ndarray:
    """Return, for each (account, day) on the left, the position of the same pair on the right.

    The right side must be unique in (account, day); see :class:`AccountDays`.

    Returns
    -------
    ndarray of int64
        A position into the right side, or -1 (unknown account, missing id or day, no match).
    """
    return AccountDays(right_accounts, right_days).positions(left_accounts, left_days)


def scope_positions(
    scope: Scope, accounts: pd.Series | np.ndarray, days: pd.Series | np.ndarray
) -> np.ndarray:
    """Return each row's position in ``scope.days`` (-1 when not a scoped account-day)."""
    if scope.is_empty or len(accounts) == 0:
        return np.full(len(accounts), -1, dtype=np.int64)
    return match_account_days(accounts, days, scope.days["account_id"], scope.days["date"])


def take_or_nan(values: pd.Series | np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Return ``values[positions]`` as float64, NaN where a position is -1."""
    source = np.asarray(values, dtype="float64")
    out = np.full(len(positions), np.nan)
    found = positions >= 0
    out[found] = source[positions[found]]
    return out


def rows_in_scope(frame: pd.DataFrame, scope: Scope, *, day_column: str) -> pd.DataFrame:
    """Return the rows of ``frame`` that fall on a scoped account-day.

    The same rows, in the same order and with the same index, as
    :func:`smmkpi_helpers.scope.in_scope` (``tests/test_kpis_posts.py`` checks it), computed
    with :func:`scope_positions`; the KPI families call it many times per evaluation, and the
    integer keys keep the whole KPI table within its time budget.

    Parameters
    ----------
    frame : DataFrame
        A table with ``account_id`` and ``day_column`` (a date or a naive local time).
    scope : Scope
        The scope.
    day_column : str
        The column that places a row on a day.

    Returns
    -------
    DataFrame
        The matching rows (a new frame).
    """
    keep = scope_positions(scope, frame["account_id"], frame[day_column]) >= 0
    return frame[keep]


def scoped_posts(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the posts published on the scope's account-days, with their day and ``F_i``.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset (``posts`` and ``account_daily`` are required tables).
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        A new frame: every column of ``posts`` plus

        - ``date``: the local publication day (midnight, the account's time zone; rule 5);
        - ``interactions``: ``I_i = likes + comments + shares + saves``, adding the counts that
          are reported; NaN when the post reports none of the four (rule 6);
        - ``followers_on_day``: ``F_i``, the account's followers on ``date``; NaN when the
          account has no ``account_daily`` row that day.

        Rows keep the order of the ``posts`` table; the index is a fresh ``RangeIndex``.
    """
    posts = ds["posts"]
    days = day_numbers(posts["published_at_local"])
    keep = scope_positions(scope, posts["account_id"], days.astype("datetime64[D]")) >= 0
    frame = posts[keep].reset_index(drop=True)
    date = days[keep].astype("datetime64[D]").astype("datetime64[ns]")
    counts = frame[list(INTERACTION_COLUMNS)].to_numpy(dtype="float64", na_value=np.nan)
    reported = ~np.isnan(counts)
    interactions = np.where(reported.any(axis=1), np.nansum(counts, axis=1), np.nan)
    daily = ds["account_daily"]
    at = match_account_days(frame["account_id"], date, daily["account_id"], daily["date"])
    return frame.assign(
        date=date,
        interactions=interactions,
        followers_on_day=take_or_nan(daily["followers"], at),
    )


def isin_text(values: pd.Series, among: pd.Series) -> pd.Series:
    """Return whether each text value occurs in ``among`` (missing values never match).

    The same answer as ``values.isin(among)``, computed on Python-object arrays: with pandas
    3.1 and the pyarrow-backed ``str`` dtype, ``Series.isin`` against a few thousand strings
    takes tens of milliseconds (it grows with ``len(among)``), the object hash table well under
    one.

    Parameters
    ----------
    values : Series
        Text values (any string dtype).
    among : Series
        The text values to look for.

    Returns
    -------
    Series
        Bool, aligned with ``values``.
    """
    present = values.notna().to_numpy()
    probe = pd.Series(values.to_numpy(dtype=object), index=values.index, dtype=object)
    found = probe.isin(among.dropna().to_numpy(dtype=object)).to_numpy()
    return pd.Series(found & present, index=values.index)


def ratio_of_sums(num: pd.Series, den: pd.Series, *, scale: float = 1.0) -> float | None:
    """Return ``sum(num) / sum(den) * scale`` over the rows that have both (rule 6).

    Parameters
    ----------
    num, den : Series
        Aligned numerator and denominator columns (NaN = not available).
    scale : float, default 1.0
        A factor applied to the ratio (``100`` for a percentage). This keyword extends the
        two-argument form the KPI package contract names; the default keeps that form.

    Returns
    -------
    float or None
        None when no row has both values or when the denominator sums to 0 (rule 14).

    Examples
    --------
    >>> ratio_of_sums(pd.Series([10.0, None, 5.0]), pd.Series([100.0, 50.0, None]), scale=100)
    10.0
    """
    n = np.asarray(num, dtype="float64")
    d = np.asarray(den, dtype="float64")
    both = ~(np.isnan(n) | np.isnan(d))
    if not both.any():
        return None
    denominator = float(d[both].sum())
    if denominator == 0:
        return None
    return float(n[both].sum()) / denominator * scale


def sum_or_none(values: pd.Series, *, empty: float | None = 0) -> float | None:
    """Return the sum of the available values (rule 14).

    Parameters
    ----------
    values : Series
        Numbers, NaN = not available.
    empty : float or None, default 0
        What an empty series gives: 0 for a table with no rows in scope (rule 14).

    Returns
    -------
    float or None
        The sum of the non-missing values; None when every value is missing; ``empty`` when
        there is no value at all.
    """
    if len(values) == 0:
        return empty
    present = values.dropna()
    if present.empty:
        return None
    return float(present.sum())


def count_or_none(value: float | None) -> int | None:
    """Return ``value`` as a Python ``int`` (counts), keeping None."""
    return None if value is None else round(float(value))


def to_python(value: object) -> int | float | None:
    """Return a NumPy/pandas scalar as a Python number; NaN, NA and NaT become None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    number = float(value)
    return None if math.isnan(number) else number


def family_ids(family: str) -> list[str]:
    """Return the catalog ids of ``family``, in catalog order."""
    return [k.id for k in CATALOG if k.family == family]


def null_values(family: str) -> dict[str, None]:
    """Return ``{id: None}`` for every catalog id of ``family`` (no data, or an empty scope)."""
    return dict.fromkeys(family_ids(family))


#: Account-linked tables and the column that places a row on a day (None: never cut by date).
_VIEW_TABLES = {
    "account_daily": "date",
    "posts": "published_at_local",
    "content_plan": "planned_date",
    "web_sessions": "started_at_local",
    "web_daily": "date",
    "ad_spend": "date",
    # an answer may come after the period, and threads are keyed by account: accounts only
    "messages": None,
}


def restricted_view(ds: Dataset, scopes: Iterable[Scope]) -> Dataset:
    """Return the dataset cut to what the given scopes can touch (a speed-up, same results).

    Account-linked tables keep the rows of the scopes' accounts, and, except ``messages``,
    only the days from the day before the first scoped day (rule 3 reads it) to the day after
    the last one. ``mentions`` keep every brand (share of voice counts competitors) but only
    the instants within two days of the scoped days (no time zone is further from UTC).
    Tables whose rules look outside the scope stay whole: ``conversions`` (a session counts
    as converted when any conversion names it, whatever its day or account), ``messages`` by
    date (an answer may come after the period), and the reference tables.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scopes : iterable of Scope
        The scopes that will be computed on the view.

    Returns
    -------
    Dataset
        A new Dataset sharing the metadata of ``ds``; ``ds`` itself is not changed. When every
        scope is empty, ``ds`` is returned as it is.
    """
    days = [s.days for s in scopes if not s.is_empty]
    if not days:
        return ds
    scoped = pd.concat(days, ignore_index=True)
    accounts = scoped["account_id"].unique()
    first = scoped["date"].min() - pd.Timedelta(days=1)
    last = scoped["date"].max() + pd.Timedelta(days=2)  # exclusive end: last day + 1
    tables = dict(ds.tables)
    for name, day_column in _VIEW_TABLES.items():
        frame = tables.get(name)
        if frame is None:
            continue
        keep = frame["account_id"].isin(accounts)
        if day_column is not None:
            when = frame[day_column]
            keep = keep & (when >= first) & (when < last)
        tables[name] = frame[keep.to_numpy()]
    mentions = tables.get("mentions")
    if mentions is not None and len(mentions):
        # no account: every brand stays; any time zone is within 14 hours of UTC, so a UTC
        # instant more than two days outside the scoped days cannot fall on one of them
        wall = mentions["published_at"].dt.tz_convert("UTC").dt.tz_localize(None)
        near = (wall >= first - pd.Timedelta(days=1)) & (wall < last + pd.Timedelta(days=1))
        tables["mentions"] = mentions[near.to_numpy()]
    return dataclasses.replace(ds, tables=tables)
