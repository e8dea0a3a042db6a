"""Reach: average daily reach (rule 4), reach growth, average post reach, reach rate.

``reach_growth`` compares two scopes, so :func:`compute` leaves it None; the entry point
(:func:`smmkpi_helpers.kpis.compute_kpis`) computes it from ``avg_daily_reach`` of the period
and of the comparison period (rule 13).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..scope import Scope
from ._posts import match_account_days, null_values, ratio_of_sums, scoped_posts, take_or_nan

__all__ = ["FAMILY", "compute", "daily_reach", "growth"]

FAMILY = "reach"


def daily_reach(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the reach of every scoped date, summed over the accounts scoped that date.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        One row per scoped date, sorted: ``date``, ``accounts`` (accounts scoped that date),
        ``reported`` (of those, the ones whose ``account_daily`` row reports reach) and
        ``reach`` (the sum; NaN when some scoped account has no reach that date, rule 4).
    """
    days = scope.days
    daily = ds["account_daily"]
    at = match_account_days(days["account_id"], days["date"], daily["account_id"], daily["date"])
    reach = take_or_nan(daily["reach"], at)
    dates, date_of_row = np.unique(days["date"].to_numpy(), return_inverse=True)
    reported = ~np.isnan(reach)
    accounts = np.bincount(date_of_row, minlength=len(dates))
    n_reported = np.bincount(date_of_row, weights=reported, minlength=len(dates))
    total = np.bincount(date_of_row, weights=np.where(reported, reach, 0.0), minlength=len(dates))
    return pd.DataFrame(
        {
            "date": pd.to_datetime(dates),
            "accounts": accounts.astype("int64"),
            "reported": n_reported.astype("int64"),
            "reach": np.where(n_reported == accounts, total, np.nan),
        }
    )


def growth(current: float | None, previous: float | None) -> float | None:
    """Return ``(current - previous) / previous x 100``; None when either is None or previous is 0.

    Rule 13: a growth KPI is null when the comparison value is null or 0.
    """
    if current is None or previous is None or previous == 0:
        return None
    return (current - previous) / previous * 100


def compute(
    ds: Dataset, scope: Scope, *, posts: pd.DataFrame | None = None
) -> dict[str, float | int | None]:
    """Compute the reach KPIs of one scope.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.
    posts : DataFrame, optional
        ``scoped_posts(ds, scope)`` when the caller already has it; computed when omitted
        (extends the ``compute(ds, scope)`` contract, as in every K1 family).

    Returns
    -------
    dict
        ``avg_daily_reach`` (the mean over complete dates, rule 4), ``avg_post_reach`` (the mean
        reach of the posts that report it), ``reach_rate`` (sum post reach / sum ``F_i`` x 100,
        pairwise) and ``reach_growth`` = None (the entry point fills it from two scopes).
    """
    values: dict[str, float | int | None] = null_values(FAMILY)
    if scope.is_empty:
        return values
    per_date = daily_reach(ds, scope)["reach"].dropna()
    if len(per_date):
        values["avg_daily_reach"] = float(per_date.mean())
    if posts is None:
        posts = scoped_posts(ds, scope)
    reach = posts["reach"].dropna()
    if len(reach):
        values["avg_post_reach"] = float(reach.mean())
    values["reach_rate"] = ratio_of_sums(posts["reach"], posts["followers_on_day"], scale=100)
    return values
