"""Rebuild the daily follower total from daily follows and unfollows and one known total.

VK ``stats.get`` and Instagram insights give each day's follows and unfollows, but the data
model's ``account_daily.followers`` (required) is the total at the end of each day. With one
known total ``N`` at the end of day ``A``, every other day follows:

* a day ``d`` after ``A``: ``N + sum(follows - unfollows)`` over the days ``A+1 .. d``;
* a day ``d`` before ``A``: ``N - sum(follows - unfollows)`` over the days ``d+1 .. A``.

A day that cannot be reached through days that all have both counts (a gap in the export, a
missing count) gets no total and is reported. The result is exact when the platform counts
every follow and unfollow; platforms also lose followers they do not report as unfollows
(deleted and banned profiles), so the rebuilt totals drift slowly from the count a profile
shows. ``docs/importers.md`` says so to the user.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ImportFailedError, UsageError
from .common import ImportContext

__all__ = ["TOTAL_HINT", "Anchor", "choose_anchor", "rebuild_followers", "totals_for"]


@dataclass(frozen=True)
class Anchor:
    """A known follower total at the end of a day.

    Attributes
    ----------
    date : Timestamp
        The day (midnight).
    followers : float
        The total at the end of that day.
    origin : str
        Where it came from, in words (``--followers`` or ``the dataset's account_daily``).
    """

    date: pd.Timestamp
    followers: float
    origin: str


def choose_anchor(
    dates: pd.Series,
    *,
    given: tuple[float, str] | None,
    known: pd.DataFrame | None,
) -> Anchor | None:
    """Return the known total to rebuild from: ``--followers N --on DATE`` or the dataset's.

    Parameters
    ----------
    dates : Series of datetime64
        The days the export covers.
    given : (float, str) or None
        ``(N, "YYYY-MM-DD")`` from ``--followers N --on DATE``.
    known : DataFrame or None
        The account's existing ``account_daily`` rows (``date``, ``followers``); the earliest
        total on a day from the day before the export's first day to its last day is used,
        so that a new export continues the series already in the dataset.

    Returns
    -------
    Anchor or None
        None when no total is known.
    """
    if given is not None:
        value, day = given
        return Anchor(pd.Timestamp(day).normalize(), float(value), "--followers/--on")
    if known is None or not len(known) or not len(dates):
        return None
    first, last = dates.min() - pd.Timedelta(days=1), dates.max()
    rows = known[(known["date"] >= first) & (known["date"] <= last) & known["followers"].notna()]
    if not len(rows):
        return None
    row = rows.sort_values("date").iloc[0]
    return Anchor(
        pd.Timestamp(row["date"]),
        float(row["followers"]),
        f"the dataset's account_daily ({row['date'].date()}: {int(row['followers'])})",
    )


def rebuild_followers(daily: pd.DataFrame, anchor: Anchor) -> pd.Series:
    """Return the follower total at the end of each day of ``daily``.

    Parameters
    ----------
    daily : DataFrame
        ``date`` (datetime64 midnights, unique), ``follows``, ``unfollows`` (float, NaN =
        not reported).
    anchor : Anchor
        A known total; its day must be one of ``daily``'s days or the day before the first.

    Returns
    -------
    Series
        float64 totals aligned with ``daily``'s index; NaN for a day not reachable from the
        anchor through days that report both counts.

    Raises
    ------
    ValueError
        When the anchor's day is outside the export (the message says which days are allowed).

    Examples
    --------
    >>> days = pd.DataFrame({"date": pd.to_datetime(["2026-10-01", "2026-10-02", "2026-10-03"]),
    ...                      "follows": [5.0, 3.0, 4.0], "unfollows": [1.0, 2.0, 0.0]})
    >>> rebuild_followers(days, Anchor(pd.Timestamp("2026-10-02"), 100.0, "x")).tolist()
    [99.0, 100.0, 104.0]
    """
    if not len(daily):
        return pd.Series(dtype="float64")
    first, last = daily["date"].min(), daily["date"].max()
    if not first - pd.Timedelta(days=1) <= anchor.date <= last:
        raise ValueError(
            f"the known total is for {anchor.date.date()}, but the export covers "
            f"{first.date()} .. {last.date()}; give a total for one of those days or for "
            f"{(first - pd.Timedelta(days=1)).date()}, the day before the first"
        )
    calendar = pd.date_range(min(first, anchor.date), last, freq="D")
    net = (daily.set_index("date")["follows"] - daily.set_index("date")["unfollows"]).reindex(
        calendar
    )
    values = net.to_numpy(dtype=float)
    gaps = np.isnan(values).astype(int)
    filled = np.nan_to_num(values, nan=0.0)
    position = calendar.get_loc(anchor.date)
    totals = np.full(len(calendar), np.nan)
    totals[position] = anchor.followers
    # After the anchor: N + cumulative net over (A, d]; broken once a day lacks a count.
    after = slice(position + 1, None)
    totals[after] = anchor.followers + np.cumsum(filled[after])
    broken_after = np.cumsum(gaps[after]) > 0
    totals[after] = np.where(broken_after, np.nan, totals[after])
    # Before the anchor: N - net over (d, A]; walking back from A, the net of d+1 is removed.
    if position > 0:
        back = filled[1 : position + 1][::-1]
        back_gaps = gaps[1 : position + 1][::-1]
        walked = anchor.followers - np.cumsum(back)
        walked = np.where(np.cumsum(back_gaps) > 0, np.nan, walked)
        totals[:position] = walked[::-1]
    series = pd.Series(totals, index=calendar)
    return pd.Series(series.reindex(daily["date"]).to_numpy(), index=daily.index)


TOTAL_HINT = (
    "give one known follower total with --followers N --on YYYY-MM-DD (for example today's "
    "count shown on the page, with --on the export's last day)"
)


def totals_for(frame: pd.DataFrame, ctx: ImportContext, what: str) -> tuple[pd.Series, str]:
    """Return the follower totals of an export's days (NaN where unknown) and a note.

    Parameters
    ----------
    frame : DataFrame
        ``date`` (unique midnights, sorted), ``follows``, ``unfollows``.
    ctx : ImportContext
        The account, the options ``followers``/``on`` and the dataset's ``account_daily``.
    what : str
        The export, for messages (``VK stats.get``).

    Raises
    ------
    ImportFailedError
        When no total is known and some day of the export is not in the dataset yet, or the
        rebuilt total falls below zero.
    """
    given = None
    if ctx.option("followers") is not None:
        if ctx.option("on") is None:
            raise ImportFailedError("--followers needs --on DATE (the day of that total)")
        try:
            pd.Timestamp(str(ctx.option("on")))
        except ValueError:
            raise UsageError(f"--on {ctx.option('on')!r} is not a day YYYY-MM-DD") from None
        given = (float(ctx.option("followers")), str(ctx.option("on")))
    existing = ctx.existing.get("account_daily")
    known = None
    if existing is not None:
        known = existing.loc[existing["account_id"] == ctx.account_id, ["date", "followers"]]
    anchor = choose_anchor(frame["date"], given=given, known=known)
    if anchor is None:
        have = set(known["date"]) if known is not None else set()
        if all(day in have for day in frame["date"]):
            return pd.Series(float("nan"), index=frame.index), ""
        if frame["follows"].isna().all() or frame["unfollows"].isna().all():
            raise ImportFailedError(
                f"{what} holds no daily follows and unfollows, and account_daily requires the "
                "follower total of every day; export the subscriber activity too"
            )
        raise ImportFailedError(
            f"{what} gives daily follows and unfollows but not the follower total that "
            f"account_daily requires, and the dataset knows no total for these days; "
            f"{TOTAL_HINT}"
        )
    try:
        totals = rebuild_followers(frame[["date", "follows", "unfollows"]], anchor)
    except ValueError as exc:
        raise ImportFailedError(f"--on: {exc}") from None
    if (totals < 0).any():
        first = frame.loc[totals < 0, "date"].iloc[0].date()
        raise ImportFailedError(
            f"the follower total rebuilt from {anchor.origin} falls below 0 on {first}; the "
            "known total or its day is wrong"
        )
    note = f"follower totals rebuilt from daily follows and unfollows and {anchor.origin}"
    unknown = totals.isna()
    if unknown.any():
        days = ", ".join(str(d.date()) for d in frame.loc[unknown, "date"][:5])
        note += (
            f"; {int(unknown.sum())} day(s) cannot be reached through days with both counts "
            f"({days}{', ...' if unknown.sum() > 5 else ''})"
        )
    return totals, note
