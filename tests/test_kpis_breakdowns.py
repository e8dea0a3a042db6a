"""Breakdowns for notebooks and charts: daily, weekly, posts, formats, accounts, plan, funnel."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from smmkpi_helpers.kpis import breakdowns as bd
from smmkpi_helpers.kpis import compute_kpis
from smmkpi_helpers.scope import build_scope

ACCOUNTS = [
    {
        "account_id": "vk_a",
        "platform": "vk",
        "name": "A",
        "brand": "Acme",
        "business_goal": "sales",
    },
    {
        "account_id": "tg_b",
        "platform": "telegram",
        "name": "B",
        "brand": "Acme",
        "business_goal": "community",
    },
]
ASSIGN = [
    {"specialist_id": "anna", "account_id": a, "start_date": "2026-01-01"} for a in ("vk_a", "tg_b")
]
PERIOD = "2026-10-01..2026-10-07"  # Thursday 10-01 .. Wednesday 10-07


def daily(account: str, date: str, followers: int, **counts) -> dict:
    return {"account_id": account, "date": date, "followers": followers} | counts


DAILY = [
    daily("vk_a", "2026-10-01", 1000, follows=10, reach=100),
    daily("vk_a", "2026-10-02", 1010, follows=5, reach=200),
    daily("vk_a", "2026-10-05", 1020, reach=50),
    daily("tg_b", "2026-10-01", 500, follows=1),
    daily("tg_b", "2026-10-05", 510, reach=70),
    daily("tg_b", "2026-10-07", 520, reach=30),
]


def post(post_id: str, account: str, date: str, fmt: str, **counts) -> dict:
    return {
        "post_id": post_id,
        "account_id": account,
        "published_at": f"{date}T10:00:00Z",
        "format": fmt,
    } | counts


POSTS = [
    post("p1", "vk_a", "2026-10-01", "photo", likes=10, reach=100, link_clicks=4),
    post("p2", "vk_a", "2026-10-02", "photo", likes=30, comments=10, reach=300),
    post("p3", "tg_b", "2026-10-05", "video", reach=1000, link_clicks=6),  # no interactions
    post("p4", "tg_b", "2026-10-05", "video", shares=5),  # no reach
]


@pytest.fixture
def ds(build):
    return build(accounts=ACCOUNTS, assignments=ASSIGN, account_daily=DAILY, posts=POSTS)


@pytest.fixture
def scope(ds):
    return build_scope(ds, "anna", PERIOD)


def test_daily_by_account(ds, scope):
    table = bd.daily_by_account(ds, scope)
    assert list(table.columns) == ["account_id", "platform", "date", *bd.DAILY_COLUMNS]
    assert len(table) == 6  # the rows present in account_daily
    assert table["platform"].tolist()[:3] == ["telegram"] * 3  # sorted by account: tg_b first


def test_daily_totals_keep_missing_apart_from_zero(ds, scope):
    table = bd.daily_totals(ds, scope).set_index("date")
    assert len(table) == 7  # every scoped date, with or without rows
    # 10-01: reach 100 (vk_a) + nothing (tg_b does not report it) = 100; follows 10 + 1 = 11
    assert table.loc["2026-10-01", "reach"] == 100.0
    assert table.loc["2026-10-01", "follows"] == 11.0
    # 10-05: reach 50 + 70 = 120; nobody reports follows: NaN, not 0
    assert table.loc["2026-10-05", "reach"] == 120.0
    assert math.isnan(table.loc["2026-10-05", "follows"])
    # 10-03: no row at all
    assert math.isnan(table.loc["2026-10-03", "followers"])
    assert table.loc["2026-10-03", "reported"] == 0
    assert table.loc["2026-10-02", "accounts"] == 2
    assert table.loc["2026-10-02", "reported"] == 1


def test_weekly_totals(ds, scope):
    table = bd.weekly_totals(ds, scope)
    # 10-01..10-04 fall in the week of Monday 09-28, 10-05..10-07 in the week of 10-05
    assert table["week"].tolist() == [pd.Timestamp("2026-09-28"), pd.Timestamp("2026-10-05")]
    assert table["days"].tolist() == [4, 3]
    # reach: week 1 100 + 200 = 300; week 2 120 + 30 = 150
    assert table["reach"].tolist() == [300.0, 150.0]
    # followers is the level on the week's last date with data: 10-02 (1010); 10-07 (520,
    # tg_b only that day: a partial sum, as daily_totals shows)
    assert table["followers"].tolist() == [1010.0, 520.0]


def test_posts_table(ds, scope):
    table = bd.posts_table(ds, scope)
    assert tuple(table.columns) == bd.POST_COLUMNS
    assert table["post_id"].tolist() == ["p1", "p2", "p3", "p4"]
    row = table.set_index("post_id").loc["p2"]
    # I = 30 + 10 = 40; per-post ER = 40 / 300 x 100 = 13.33...
    assert row["interactions"] == 40.0
    assert row["er_reach_pct"] == pytest.approx(40 / 3)
    assert row["followers_on_day"] == 1010.0
    assert row["week"] == pd.Timestamp("2026-09-28")
    assert row["platform"] == "vk"
    assert math.isnan(table.set_index("post_id").loc["p3", "er_reach_pct"])  # no interactions


def test_by_format_is_a_ratio_of_sums(ds, scope):
    table = bd.by_format(ds, scope).set_index("format")
    assert list(table.index) == ["photo", "video"]
    assert table.loc["photo", "posts"] == 2
    # photo: (10 + 40) / (100 + 300) x 100 = 12.5 (the mean of 10 % and 13.3 % would be 11.7)
    assert table.loc["photo", "er_reach"] == pytest.approx(12.5)
    # video: p3 has reach but no I, p4 has I but no reach: no pair, NaN
    assert math.isnan(table.loc["video", "er_reach"])
    assert table.loc["video", "interactions"] == 5.0
    assert table.loc["video", "reach"] == 1000.0


def test_by_account_agrees_with_single_account_kpis(build, ds, scope):
    table = bd.by_account(ds, scope)
    assert list(table.columns) == ["account_id", "platform", "business_goal", *bd.MAIN_KPIS]
    assert table["account_id"].tolist() == ["tg_b", "vk_a"]
    vk = table.set_index("account_id").loc["vk_a"]
    # vk_a: posts p1, p2; reach dates 10-01 100, 10-02 200, 10-05 50 (others have no row):
    # (100 + 200 + 50) / 3
    assert vk["posts_published"] == 2
    assert vk["avg_daily_reach"] == pytest.approx(350 / 3)
    assert vk["er_reach"] == pytest.approx(12.5)
    # the same numbers as a specialist running vk_a alone
    alone = build(
        accounts=ACCOUNTS,
        assignments=[ASSIGN[0]],
        account_daily=DAILY,
        posts=POSTS,
    )
    rows = compute_kpis(alone, "anna", PERIOD).set_index("kpi")["value"]
    for name in bd.MAIN_KPIS:
        expected = rows[name]
        assert (math.isnan(vk[name]) and expected is None) or vk[name] == pytest.approx(expected)


def test_by_platform(ds, scope):
    table = bd.by_platform(ds, scope).set_index("platform")
    assert table.loc["vk", "accounts"] == 1
    assert table.loc["telegram", "posts_published"] == 2
    # telegram: reach on 10-05 (70) and 10-07 (30): (70 + 30) / 2 = 50
    assert table.loc["telegram", "avg_daily_reach"] == pytest.approx(50.0)


def test_plan_calendar(build):
    ds = build(
        account_daily=DAILY[:3],
        posts=POSTS[:2],
        content_plan=[
            {"account_id": "vk_a", "planned_date": "2026-10-01", "format": "photo"},
            {"account_id": "vk_a", "planned_date": "2026-10-03"},
        ],
    )
    table = bd.plan_calendar(ds, build_scope(ds, "anna", "2026-10-01..2026-10-03"))
    assert table["planned"].tolist() == [1, 0, 1]
    assert table["published"].tolist() == [1, 1, 0]
    assert table["fulfilled"].tolist() == [1, 0, 0]


def test_traffic_funnel(build):
    sessions = [
        {
            "session_id": f"s{i}",
            "started_at": "2026-10-02T10:00:00Z",
            "account_id": "vk_a",
            "duration_s": 30,
            "pageviews": 2,
        }
        for i in range(3)
    ]
    conversions = [
        {
            "conversion_id": "c1",
            "occurred_at": "2026-10-02T10:05:00Z",
            "goal": "call",
            "account_id": "vk_a",
        }
    ]
    ds = build(
        account_daily=DAILY[:3], posts=POSTS[:2], web_sessions=sessions, conversions=conversions
    )
    table = bd.traffic_funnel(ds, build_scope(ds, "anna", PERIOD))
    assert table["stage"].tolist() == ["reach", "link_clicks", "sessions", "conversions"]
    # reach 100 + 300 = 400; link clicks 4 (p2 reports none); 3 sessions; 1 conversion
    assert table["value"].tolist() == [400.0, 4.0, 3.0, 1.0]


def test_traffic_funnel_without_web_tables(ds, scope):
    table = bd.traffic_funnel(ds, scope)
    assert math.isnan(table["value"].iloc[2]) and math.isnan(table["value"].iloc[3])


def test_goals_by_type(build):
    conversions = [
        {
            "conversion_id": "c1",
            "occurred_at": "2026-10-02T10:00:00Z",
            "goal": "purchase",
            "account_id": "vk_a",
            "value": 100,
        },
        {
            "conversion_id": "c2",
            "occurred_at": "2026-10-02T11:00:00Z",
            "goal": "purchase",
            "account_id": "vk_a",
            "value": 50,
        },
        {
            "conversion_id": "c3",
            "occurred_at": "2026-10-03T11:00:00Z",
            "goal": "call",
            "account_id": "vk_a",
        },
    ]
    ds = build(conversions=conversions)
    table = bd.goals_by_type(ds, build_scope(ds, "anna", PERIOD))
    # goal order of the data model: call before purchase
    assert table["goal"].tolist() == ["call", "purchase"]
    assert table["conversions"].tolist() == [1, 2]
    assert table["leads"].tolist() == [True, False]
    # purchase: 100 + 50 = 150; call: no value reported -> NaN
    assert table["value_sum"].iloc[1] == 150.0
    assert math.isnan(table["value_sum"].iloc[0])
    # no conversions table: no rows, same columns
    empty = bd.goals_by_type(build(), build_scope(build(), "anna", PERIOD))
    assert list(empty.columns) == ["goal", "conversions", "leads", "value_sum"]
    assert empty.empty


def test_breakdowns_of_an_empty_scope(ds):
    scope = build_scope(ds, "anna", "2025-10")  # before the assignments
    assert bd.daily_totals(ds, scope).empty
    assert bd.posts_table(ds, scope).empty
    assert bd.by_account(ds, scope).empty
    assert bd.plan_calendar(ds, scope).empty
