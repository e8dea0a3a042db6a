"""Reach KPIs: average daily reach (rule 4), average post reach, reach rate, growth helper."""

from __future__ import annotations

import math

import pytest

from smmkpi_helpers.kpis import reach
from smmkpi_helpers.scope import build_scope

PERIOD = "2026-10-01..2026-10-04"
ACCOUNTS = [
    {"account_id": a, "platform": "vk", "name": a, "brand": "Acme", "business_goal": "awareness"}
    for a in ("vk_a", "vk_b")
]
BOTH = [
    {"specialist_id": "anna", "account_id": a, "start_date": "2026-01-01"} for a in ("vk_a", "vk_b")
]


def row(account: str, date: str, reach_: int | None, followers: int = 1000) -> dict:
    return {"account_id": account, "date": date, "followers": followers, "reach": reach_}


def post(post_id: str, date: str, reach_: int | None, account: str = "vk_a") -> dict:
    return {
        "post_id": post_id,
        "account_id": account,
        "published_at": f"{date}T12:00:00Z",
        "format": "photo",
        "reach": reach_,
    }


def compute(ds, specialist="anna", period=PERIOD):
    return reach.compute(ds, build_scope(ds, specialist, period))


def test_avg_daily_reach_leaves_out_dates_with_a_missing_reach(build):
    daily = [
        row("vk_a", "2026-10-01", 100),
        row("vk_b", "2026-10-01", 50),
        row("vk_a", "2026-10-02", 200),
        row("vk_b", "2026-10-02", None),  # reach not reported: 10-02 is left out
        row("vk_a", "2026-10-03", 300),  # vk_b has no row at all on 10-03: left out too
        row("vk_a", "2026-10-04", 400),
        row("vk_b", "2026-10-04", 100),
    ]
    ds = build(accounts=ACCOUNTS, assignments=BOTH, account_daily=daily)
    out = compute(ds)
    # complete dates: 10-01 (100 + 50 = 150) and 10-04 (400 + 100 = 500): (150 + 500) / 2 = 325
    assert out["avg_daily_reach"] == pytest.approx(325.0)
    table = reach.daily_reach(ds, build_scope(ds, "anna", PERIOD))
    assert table["accounts"].tolist() == [2, 2, 2, 2]
    assert table["reported"].tolist() == [2, 1, 1, 2]
    assert table["reach"].tolist()[0] == 150.0
    assert math.isnan(table["reach"].tolist()[1])


def test_avg_daily_reach_counts_only_the_accounts_scoped_that_date(build):
    # anna runs vk_b only from 10-03: on 10-01 and 10-02 only vk_a counts.
    assignments = [
        BOTH[0],
        {"specialist_id": "anna", "account_id": "vk_b", "start_date": "2026-10-03"},
    ]
    daily = [row("vk_a", f"2026-10-0{d}", 100 * d) for d in range(1, 5)] + [
        row("vk_b", f"2026-10-0{d}", 10) for d in range(1, 5)
    ]
    ds = build(accounts=ACCOUNTS, assignments=assignments, account_daily=daily)
    # 10-01: 100; 10-02: 200; 10-03: 300 + 10; 10-04: 400 + 10 -> (100 + 200 + 310 + 410) / 4
    assert compute(ds)["avg_daily_reach"] == pytest.approx(1020 / 4)


def test_shared_account_is_judged_on_own_days(build):
    specialists = [{"specialist_id": s, "name": s} for s in ("anna", "boris")]
    assignments = [
        {
            "specialist_id": "anna",
            "account_id": "vk_a",
            "start_date": "2026-10-01",
            "end_date": "2026-10-02",
        },
        {"specialist_id": "boris", "account_id": "vk_a", "start_date": "2026-10-03"},
    ]
    daily = [row("vk_a", f"2026-10-0{d}", 100 * d) for d in range(1, 5)]
    posts = [post("p1", "2026-10-01", 100), post("p2", "2026-10-04", 900)]
    ds = build(specialists=specialists, assignments=assignments, account_daily=daily, posts=posts)
    anna, boris = compute(ds, "anna"), compute(ds, "boris")
    assert anna["avg_daily_reach"] == pytest.approx(150.0)  # (100 + 200) / 2
    assert boris["avg_daily_reach"] == pytest.approx(350.0)  # (300 + 400) / 2
    assert anna["avg_post_reach"] == 100.0  # p1 only
    assert boris["avg_post_reach"] == 900.0  # p2 only


def test_avg_post_reach_and_reach_rate(build):
    daily = [
        row("vk_a", "2026-10-01", 500, followers=1000),
        row("vk_a", "2026-10-02", 500, followers=2000),
        # no row on 10-03: a post that day has no F_i
    ]
    posts = [
        post("p1", "2026-10-01", 100),
        post("p2", "2026-10-02", 300),
        post("p3", "2026-10-02", None),  # no reach: out of the mean and of reach_rate
        post("p4", "2026-10-03", 500),  # reach but no F_i: in the mean, out of reach_rate
    ]
    out = compute(build(account_daily=daily, posts=posts))
    # mean over the posts with reach: (100 + 300 + 500) / 3 = 300
    assert out["avg_post_reach"] == pytest.approx(300.0)
    # pairwise: (100 + 300) / (1000 + 2000) x 100 = 13.333...
    assert out["reach_rate"] == pytest.approx(400 / 3000 * 100)
    # the growth KPI is filled by the entry point
    assert out["reach_growth"] is None


def test_reach_nulls(build):
    # no post, no reach column filled: counts of posts are 0 but means and ratios are null
    ds = build(account_daily=[row("vk_a", "2026-10-01", None)])
    out = compute(ds, period="2026-10-01..2026-10-01")
    assert out == {
        "avg_daily_reach": None,
        "reach_growth": None,
        "avg_post_reach": None,
        "reach_rate": None,
    }


def test_growth_rule_13():
    # (300 - 200) / 200 x 100 = 50; a falling value is negative and never clipped
    assert reach.growth(300.0, 200.0) == pytest.approx(50.0)
    assert reach.growth(100.0, 200.0) == pytest.approx(-50.0)
    assert reach.growth(100.0, 0.0) is None
    assert reach.growth(100.0, None) is None
    assert reach.growth(None, 100.0) is None
