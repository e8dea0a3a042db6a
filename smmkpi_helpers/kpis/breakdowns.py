"""Breakdowns of a scope for notebooks and charts: by day, week, post, format, account, platform.

Every function takes ``(ds, scope)`` and returns a new tidy frame with documented columns; none
reads files, prints or plots. Numbers agree with the KPI table: :func:`by_account` and
:func:`by_platform` call the family functions on a sub-scope of the accounts concerned, and the
sums keep NaN ("not available") apart from 0 (rule 14).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..schema import GOALS, LEAD_GOALS, POST_FORMATS
from ..scope import Scope
from . import content, engagement, goals, reach, subscribers, traffic
from ._posts import restricted_view, rows_in_scope, scoped_posts, to_python
from .goals import scoped_conversions

__all__ = [
    "DAILY_COLUMNS",
    "MAIN_KPIS",
    "POST_COLUMNS",
    "by_account",
    "by_format",
    "by_platform",
    "daily_by_account",
    "daily_totals",
    "goals_by_type",
    "plan_calendar",
    "posts_table",
    "traffic_funnel",
    "weekly_totals",
]

#: The ``account_daily`` counts the daily and weekly breakdowns carry.
DAILY_COLUMNS = (
    "followers",
    "follows",
    "unfollows",
    "reach",
    "views",
    "profile_visits",
    "link_clicks",
)

#: Columns of :func:`posts_table`, in order.
POST_COLUMNS = (
    "account_id",
    "platform",
    "post_id",
    "published_at_local",
    "date",
    "week",
    "format",
    "is_promoted",
    "topic",
    "reach",
    "views",
    "likes",
    "comments",
    "shares",
    "saves",
    "link_clicks",
    "interactions",
    "followers_on_day",
    "er_reach_pct",
)

#: The KPIs :func:`by_account` and :func:`by_platform` report per entity.
MAIN_KPIS = (
    "posts_published",
    "avg_daily_reach",
    "er_reach",
    "net_follower_growth",
    "social_sessions",
    "leads",
)

#: Stages of :func:`traffic_funnel`, in order.
FUNNEL_STAGES = ("reach", "link_clicks", "sessions", "conversions")


def _week(dates: pd.Series) -> pd.Series:
    """Return the Monday that starts each date's ISO week."""
    return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")


def _platforms(ds: Dataset) -> pd.Series:
    accounts = ds["accounts"]
    return pd.Series(accounts["platform"].to_numpy(), index=accounts["account_id"].to_numpy())


def daily_by_account(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the ``account_daily`` rows of the scoped account-days.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        One row per scoped account-day that has an ``account_daily`` row, sorted by account
        and date: ``account_id``, ``platform``, ``date`` and the counts of
        :data:`DAILY_COLUMNS` (NaN = not reported).
    """
    rows = rows_in_scope(ds["account_daily"], scope, day_column="date")
    out = rows[["account_id", "date", *DAILY_COLUMNS]].assign(
        platform=rows["account_id"].map(_platforms(ds))
    )
    return (
        out[["account_id", "platform", "date", *DAILY_COLUMNS]]
        .sort_values(["account_id", "date"])
        .reset_index(drop=True)
    )


def daily_totals(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the daily counts summed over the scoped accounts, one row per scoped date.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        ``date`` (every date on which some account is scoped, sorted), the sums of
        :data:`DAILY_COLUMNS` (``min_count=1``: NaN when no scoped account reports the count
        that date), ``accounts`` (accounts scoped that date) and ``reported`` (of those, the
        ones with an ``account_daily`` row). A sum with ``reported < accounts`` is partial.
        Note that ``avg_daily_reach`` leaves out a date where an account lacks reach (rule 4);
        this table shows the partial sum so a chart can show the gap.
    """
    rows = daily_by_account(ds, scope)
    sums = rows.groupby("date", sort=True)[list(DAILY_COLUMNS)].sum(min_count=1)
    accounts = scope.days.groupby("date", sort=True).size().rename("accounts")
    reported = rows.groupby("date", sort=True).size().rename("reported")
    dates = pd.DatetimeIndex(scope.dates, name="date")
    out = sums.reindex(dates).join(accounts).join(reported)
    out = out.assign(reported=out["reported"].fillna(0).astype("int64"))
    return out.reset_index()


def weekly_totals(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return :func:`daily_totals` by ISO week (weeks start on Monday).

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        ``week`` (the Monday), ``days`` (scoped dates in the week) and the weekly sums of the
        daily counts (``min_count=1``). ``followers`` is a level, not a flow: it is the total on
        the week's last date that has one (a sum of seven end-of-day counts would mean
        nothing). ``reach`` is the sum of daily reach, not the unique people of the week.
    """
    daily = daily_totals(ds, scope)
    daily = daily.assign(week=_week(daily["date"]))
    grouped = daily.groupby("week", sort=True)
    flows = [c for c in DAILY_COLUMNS if c != "followers"]
    out = grouped[flows].sum(min_count=1)
    out.insert(0, "followers", grouped["followers"].last())
    out.insert(0, "days", grouped.size())
    return out.reset_index()


def posts_table(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return one row per scoped post, with its day, week, interactions and ``F_i``.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        The columns of :data:`POST_COLUMNS`, sorted by publication time: ``date`` is the
        local publication day (rule 5), ``week`` its Monday, ``interactions`` ``I_i`` (NaN when
        the post reports none of likes, comments, shares, saves), ``followers_on_day`` ``F_i``
        and ``er_reach_pct`` the post's own ``I_i / reach_i x 100`` (for charts only; the KPI
        ``er_reach`` is a ratio of sums). NaN = not available.
    """
    posts = scoped_posts(ds, scope)
    reach_ = posts["reach"].where(posts["reach"] > 0)
    out = posts.assign(
        platform=posts["account_id"].map(_platforms(ds)),
        week=_week(posts["date"]),
        er_reach_pct=posts["interactions"] / reach_ * 100,
    )
    return (
        out[list(POST_COLUMNS)]
        .sort_values(["published_at_local", "account_id", "post_id"])
        .reset_index(drop=True)
    )


def by_format(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return posts, interactions, reach and ER by reach per post format.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        One row per format that has a scoped post, in the data model's format order:
        ``format``, ``posts``, ``interactions`` and ``reach`` (sums, NaN when nothing is
        reported) and ``er_reach`` (percent, ratio of sums over the posts that report both,
        rule 6; NaN without a pair).
    """
    posts = scoped_posts(ds, scope)
    both = posts["interactions"].notna() & posts["reach"].notna()
    frame = posts.assign(_num=posts["interactions"].where(both), _den=posts["reach"].where(both))
    grouped = frame.groupby("format", sort=False)
    out = pd.DataFrame(
        {
            "posts": grouped.size(),
            "interactions": grouped["interactions"].sum(min_count=1),
            "reach": grouped["reach"].sum(min_count=1),
            "_num": grouped["_num"].sum(min_count=1),
            "_den": grouped["_den"].sum(min_count=1),
        }
    )
    out = out.assign(er_reach=out["_num"] / out["_den"].where(out["_den"] > 0) * 100)
    order = [f for f in POST_FORMATS if f in out.index]
    return (
        out.loc[order, ["posts", "interactions", "reach", "er_reach"]]
        .rename_axis("format")
        .reset_index()
    )


def _sub_scope(ds: Dataset, scope: Scope, accounts: list[str]) -> Scope:
    """Return the part of ``scope`` on the given accounts (same specialist and period)."""
    days = scope.days[scope.days["account_id"].isin(accounts)].reset_index(drop=True)
    daily = ds["account_daily"][["account_id", "date"]]
    covered = days.merge(daily, on=["account_id", "date"], how="left", indicator=True)
    uncovered = int((covered["_merge"] == "left_only").sum())
    return dataclasses.replace(scope, days=days, uncovered_days=uncovered)


def _main_kpis(ds: Dataset, scope: Scope) -> dict[str, int | float | None]:
    """Return :data:`MAIN_KPIS` of a scope, from the family functions."""
    posts = scoped_posts(ds, scope)
    sessions = traffic.social_sessions_table(ds, scope) if ds.has("web_sessions") else None
    values: dict[str, object] = {}
    values.update(content.compute(ds, scope, posts=posts))
    values.update(reach.compute(ds, scope, posts=posts))
    values.update(engagement.compute(ds, scope, posts=posts))
    values.update(subscribers.compute(ds, scope))
    values.update(traffic.compute(ds, scope, posts=posts, sessions=sessions))
    values.update(goals.compute(ds, scope, sessions=sessions))
    return {name: to_python(values[name]) for name in MAIN_KPIS}


def _main_frame(records: list[dict], keys: list[str]) -> pd.DataFrame:
    columns = [*keys, *MAIN_KPIS]
    frame = pd.DataFrame.from_records(records, columns=columns)
    return frame.astype({name: "float64" for name in MAIN_KPIS})


def by_account(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the main KPIs of each scoped account, computed on that account's days.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        One row per scoped account (sorted): ``account_id``, ``platform``, ``business_goal``
        and :data:`MAIN_KPIS` (float64, NaN = not available), each computed by the family
        function on the one-account sub-scope, so a value equals the KPI table's for a
        specialist with that account alone.
    """
    accounts = ds["accounts"].set_index("account_id")
    view = restricted_view(ds, [scope])
    records = []
    for account_id in scope.accounts:  # a handful of accounts, not rows of a table
        row = {
            "account_id": account_id,
            "platform": accounts.at[account_id, "platform"],
            "business_goal": accounts.at[account_id, "business_goal"],
        }
        row.update(_main_kpis(view, _sub_scope(view, scope, [account_id])))
        records.append(row)
    return _main_frame(records, ["account_id", "platform", "business_goal"])


def by_platform(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the main KPIs per platform, computed on the scoped accounts of that platform.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        One row per platform with a scoped account (sorted): ``platform``, ``accounts`` (how
        many) and :data:`MAIN_KPIS` (float64, NaN = not available).
    """
    platforms = _platforms(ds)
    by_name: dict[str, list[str]] = {}
    for account_id in scope.accounts:
        by_name.setdefault(platforms[account_id], []).append(account_id)
    view = restricted_view(ds, [scope])
    records = []
    for platform in sorted(by_name):
        row = {"platform": platform, "accounts": len(by_name[platform])}
        row.update(_main_kpis(view, _sub_scope(view, scope, by_name[platform])))
        records.append(row)
    return _main_frame(records, ["platform", "accounts"]).astype({"accounts": "int64"})


def plan_calendar(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the publishing calendar against the content plan, per scoped account-day.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        One row per scoped account-day: ``account_id``, ``date``, ``planned`` (slots),
        ``published`` (posts), ``fulfilled`` (slots filled, rule 8). ``planned`` and
        ``fulfilled`` are NaN without a ``content_plan`` table.
    """
    return content.plan_by_day(ds, scope)


def traffic_funnel(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the traffic funnel: post reach, post link clicks, social sessions, conversions.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        Four rows in funnel order, columns ``stage`` (``reach``, ``link_clicks``,
        ``sessions``, ``conversions``) and ``value`` (float; NaN when not available).
        ``reach`` and ``link_clicks`` are sums over the scoped posts (the inputs of
        ``post_ctr``); ``sessions`` is ``social_sessions`` and ``conversions`` the KPI of the
        same name.
    """
    view = restricted_view(ds, [scope])
    posts = scoped_posts(view, scope)
    sessions = traffic.compute(view, scope, posts=posts)["social_sessions"]
    conversions = goals.compute(view, scope)["conversions"]
    values = [
        posts["reach"].sum(min_count=1) if len(posts) else 0.0,
        posts["link_clicks"].sum(min_count=1) if len(posts) else 0.0,
        sessions,
        conversions,
    ]
    return pd.DataFrame(
        {
            "stage": list(FUNNEL_STAGES),
            "value": pd.Series([to_python(v) for v in values], dtype="float64"),
        }
    )


def goals_by_type(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the scope's conversions per goal.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        One row per goal with at least one scoped conversion, in the data model's goal order:
        ``goal``, ``conversions`` (int), ``leads`` (bool: the goal counts as a lead) and
        ``value_sum`` (sum of ``value``, NaN when none is reported). No rows without a
        ``conversions`` table.
    """
    columns = {"goal": "str", "conversions": "int64", "leads": bool, "value_sum": "float64"}
    if not ds.has("conversions") or scope.is_empty:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
    frame = scoped_conversions(ds, scope)
    grouped = frame.groupby("goal", sort=False)
    out = pd.DataFrame(
        {"conversions": grouped.size(), "value_sum": grouped["value"].sum(min_count=1)}
    )
    order = [g for g in GOALS if g in out.index]
    out = out.loc[order].rename_axis("goal").reset_index()
    out = out.assign(leads=np.isin(out["goal"].to_numpy(dtype=object), LEAD_GOALS))
    return out[list(columns)].astype(columns)
