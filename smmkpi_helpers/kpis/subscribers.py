"""Subscribers: followers at the end, net growth, growth rate, unfollow rate (catalog rule 3).

``clean_net_follower_growth`` belongs to the integrity issue: :func:`compute` reports it as
null, and the integrity module fills it through the entry point's ``extra`` hook.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..scope import Scope
from ._posts import AccountDays, count_or_none, null_values, take_or_nan

__all__ = ["FAMILY", "compute", "followers_by_account"]

FAMILY = "subscribers"


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
    days = scope.days  # sorted by account and date
    ids = days["account_id"].to_numpy(dtype=object)
    dates = days["date"].to_numpy(dtype="datetime64[ns]")
    accounts, first_at, n_days = np.unique(ids, return_index=True, return_counts=True)
    first, last = dates[first_at], dates[first_at + n_days - 1]
    daily = ds["account_daily"]
    index = AccountDays(daily["account_id"], daily["date"])
    followers = daily["followers"]
    before = take_or_nan(followers, index.positions(accounts, first - np.timedelta64(1, "D")))
    on_first = take_or_nan(followers, index.positions(accounts, first))
    at = AccountDays(ids, dates).positions(daily["account_id"], daily["date"])
    in_scope_ = at >= 0
    account = np.searchsorted(accounts, ids[at[in_scope_]])
    unfollows = daily["unfollows"].to_numpy(dtype="float64", na_value=np.nan)[in_scope_]
    reported = ~np.isnan(unfollows)
    n = len(accounts)
    total = np.bincount(account[reported], weights=unfollows[reported], minlength=n)
    any_reported = np.bincount(account[reported], minlength=n) > 0
    return pd.DataFrame(
        {
            "account_id": pd.Series(accounts, dtype=days["account_id"].dtype),
            "first": first,
            "last": last,
            "followers_start": np.where(np.isnan(before), on_first, before),
            "followers_end": take_or_nan(followers, index.positions(accounts, last)),
            "unfollows": np.where(any_reported, total, np.nan),
            "days_with_rows": np.bincount(account, minlength=n).astype("int64"),
        }
    )


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
