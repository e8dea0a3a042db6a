"""Subscribers: followers at the end, net growth, growth rate, unfollow rate (catalog rule 3).

``clean_net_follower_growth`` belongs to the integrity issue: :func:`compute` reports it as
null, and the integrity module fills it through the entry point's ``extra`` hook.
"""

from __future__ import annotations

import pandas as pd

from ..dataset import Dataset
from ..scope import Scope, in_scope
from ._posts import count_or_none, null_values

__all__ = ["FAMILY", "compute", "followers_by_account"]

FAMILY = "subscribers"

_ONE_DAY = pd.Timedelta(days=1)


def followers_by_account(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return, per scoped account, the follower counts the subscriber KPIs are built on.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        One row per scoped account, sorted by ``account_id``:

        - ``first``, ``last``: the account's first and last scoped day;
        - ``followers_start``: followers on the day before ``first``, or on ``first`` when that
          row is missing (rule 3); NaN when both rows are missing;
        - ``followers_end``: followers on ``last``; NaN when that row is missing;
        - ``unfollows``: the sum of the unfollows of the account's scoped days that report
          them; NaN when none does;
        - ``days_with_rows``: how many scoped days have an ``account_daily`` row.
    """
    bounds = scope.bounds()
    daily = ds["account_daily"][["account_id", "date", "followers"]]

    def followers_on(days: pd.Series) -> pd.Series:
        probe = pd.DataFrame({"account_id": bounds["account_id"], "date": days})
        found = probe.merge(daily, on=["account_id", "date"], how="left", validate="one_to_one")
        return found["followers"].set_axis(bounds.index)

    before = followers_on(bounds["first"] - _ONE_DAY)
    on_first = followers_on(bounds["first"])
    rows = in_scope(ds["account_daily"], scope, day_column="date")
    grouped = rows.groupby("account_id", sort=True)
    per_account = pd.DataFrame(
        {
            "unfollows": grouped["unfollows"].sum(min_count=1),
            "days_with_rows": grouped.size(),
        }
    )
    out = bounds.assign(
        followers_start=before.where(before.notna(), on_first),
        followers_end=followers_on(bounds["last"]),
    ).merge(per_account, left_on="account_id", right_index=True, how="left")
    return out.assign(days_with_rows=out["days_with_rows"].fillna(0).astype("int64"))


def compute(ds: Dataset, scope: Scope) -> dict[str, float | int | None]:
    """Compute the subscriber KPIs of one scope.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    dict
        ``followers_end`` and ``net_follower_growth`` (int), ``follower_growth_rate`` and
        ``unfollow_rate`` (percent), ``clean_net_follower_growth`` (always None here: the
        integrity issue fills it). Rule 3: when an account has no row on its last scoped day,
        ``followers_end``, ``net_follower_growth`` and ``follower_growth_rate`` are None; when
        an account has neither the row before its first scoped day nor the first day's row,
        ``followers_start`` is unknown and the KPIs built on it are None. ``unfollow_rate``
        needs ``followers_start`` and at least one scoped day that reports unfollows.
    """
    values: dict[str, float | int | None] = null_values(FAMILY)
    if scope.is_empty:
        return values
    table = followers_by_account(ds, scope)
    start = None if table["followers_start"].isna().any() else float(table["followers_start"].sum())
    end = None if table["followers_end"].isna().any() else float(table["followers_end"].sum())
    unfollows = float(table["unfollows"].sum()) if table["unfollows"].notna().any() else None
    values["followers_end"] = count_or_none(end)
    if start is not None and end is not None:
        values["net_follower_growth"] = count_or_none(end - start)
        if start:
            values["follower_growth_rate"] = (end - start) / start * 100
    if start and unfollows is not None:
        values["unfollow_rate"] = unfollows / start * 100
    return values
