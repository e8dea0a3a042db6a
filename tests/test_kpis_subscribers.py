"""Subscriber KPIs: followers at the end, net growth, growth rate, unfollow rate (rule 3)."""

from __future__ import annotations

import math

import pytest

from smmkpi_helpers.kpis import subscribers
from smmkpi_helpers.scope import build_scope

PERIOD = "2026-10-01..2026-10-03"


def day(date: str, followers: int, **counts) -> dict:
    return {
        "account_id": counts.pop("account_id", "vk_a"),
        "date": date,
        "followers": followers,
    } | (counts)


BASE_DAYS = [
    day("2026-09-30", 1000),
    day("2026-10-01", 1010, follows=15, unfollows=5),
    day("2026-10-02", 1005, follows=3, unfollows=8),
    day("2026-10-03", 1030, follows=27, unfollows=2),
]


def values(ds, specialist="anna", period=PERIOD):
    return subscribers.compute(ds, build_scope(ds, specialist, period))


def test_subscriber_kpis_hand_computed(build):
    out = values(build(account_daily=BASE_DAYS))
    # followers_start = 1000 (the day before the first scoped day), followers_end = 1030.
    assert out["followers_end"] == 1030
    assert type(out["followers_end"]) is int
    # net = 1030 - 1000 = 30
    assert out["net_follower_growth"] == 30
    assert type(out["net_follower_growth"]) is int
    # rate = 30 / 1000 x 100 = 3.0
    assert out["follower_growth_rate"] == pytest.approx(3.0)
    # unfollows 5 + 8 + 2 = 15; 15 / 1000 x 100 = 1.5
    assert out["unfollow_rate"] == pytest.approx(1.5)
    # filled by the integrity issue later
    assert out["clean_net_follower_growth"] is None
    assert set(out) == {
        "followers_end",
        "net_follower_growth",
        "follower_growth_rate",
        "unfollow_rate",
        "clean_net_follower_growth",
    }


def test_start_falls_back_to_the_first_scoped_day(build):
    # No 2026-09-30 row: followers_start = 1010 (first scoped day); net = 1030 - 1010 = 20.
    out = values(build(account_daily=BASE_DAYS[1:]))
    assert out["net_follower_growth"] == 20
    # 20 / 1010 x 100 = 1.98019...
    assert out["follower_growth_rate"] == pytest.approx(20 / 1010 * 100)
    # (5 + 8 + 2) / 1010 x 100
    assert out["unfollow_rate"] == pytest.approx(15 / 1010 * 100)


def test_missing_last_day_row_makes_follower_kpis_null(build):
    out = values(build(account_daily=BASE_DAYS[:3]))  # no 2026-10-03 row
    assert out["followers_end"] is None
    assert out["net_follower_growth"] is None
    assert out["follower_growth_rate"] is None
    # unfollow_rate needs only followers_start and the reported unfollows: (5 + 8) / 1000 x 100
    assert out["unfollow_rate"] == pytest.approx(1.3)


def test_missing_unfollows_are_not_zeros(build):
    rows = [day("2026-09-30", 1000), day("2026-10-01", 1010), day("2026-10-02", 1020)]
    out = values(build(account_daily=rows), period="2026-10-01..2026-10-02")
    # no day reports unfollows: the rate is unknown, not 0 %
    assert out["unfollow_rate"] is None
    assert out["net_follower_growth"] == 20  # 1020 - 1000
    rows[2] = day("2026-10-02", 1020, unfollows=4)
    out = values(build(account_daily=rows), period="2026-10-01..2026-10-02")
    # one day reports 4, the other nothing: 4 / 1000 x 100 = 0.4
    assert out["unfollow_rate"] == pytest.approx(0.4)


def test_two_accounts_sum_per_account_starts(build):
    accounts = [
        {
            "account_id": a,
            "platform": "vk",
            "name": a,
            "brand": "Acme",
            "business_goal": "sales",
        }
        for a in ("vk_a", "vk_b")
    ]
    assignments = [
        {"specialist_id": "anna", "account_id": "vk_a", "start_date": "2026-01-01"},
        {"specialist_id": "anna", "account_id": "vk_b", "start_date": "2026-10-02"},
    ]
    rows = [
        *BASE_DAYS,
        # vk_b is scoped from 2026-10-02: its start is its 2026-10-01 row (400)
        day("2026-10-01", 400, account_id="vk_b"),
        day("2026-10-02", 390, account_id="vk_b", unfollows=20),
        day("2026-10-03", 380, account_id="vk_b", unfollows=10),
    ]
    out = values(build(accounts=accounts, assignments=assignments, account_daily=rows))
    # start = 1000 (vk_a, 09-30) + 400 (vk_b, 10-01) = 1400; end = 1030 + 380 = 1410
    assert out["followers_end"] == 1410
    assert out["net_follower_growth"] == 10
    assert out["follower_growth_rate"] == pytest.approx(10 / 1400 * 100)
    # unfollows: vk_a 5 + 8 + 2 = 15, vk_b on its scoped days 20 + 10 = 30 (not 10-01): 45
    assert out["unfollow_rate"] == pytest.approx(45 / 1400 * 100)


def test_handover_mid_period_splits_followers_at_the_handover(build):
    specialists = [{"specialist_id": s, "name": s} for s in ("anna", "boris")]
    assignments = [
        {
            "specialist_id": "anna",
            "account_id": "vk_a",
            "start_date": "2026-01-01",
            "end_date": "2026-10-02",
        },
        {"specialist_id": "boris", "account_id": "vk_a", "start_date": "2026-10-03"},
    ]
    ds = build(specialists=specialists, assignments=assignments, account_daily=BASE_DAYS)
    anna, boris = values(ds, "anna"), values(ds, "boris")
    # anna: 1000 (09-30) -> 1005 (10-02, her last day) = +5; unfollows 5 + 8 = 13
    assert anna["followers_end"] == 1005
    assert anna["net_follower_growth"] == 5
    assert anna["unfollow_rate"] == pytest.approx(1.3)
    # boris: starts from 10-02 (1005) -> 1030 = +25; unfollows 2 / 1005 x 100
    assert boris["net_follower_growth"] == 25
    assert boris["unfollow_rate"] == pytest.approx(2 / 1005 * 100)
    # together they account for the whole +30
    assert anna["net_follower_growth"] + boris["net_follower_growth"] == 30


def test_zero_followers_start_gives_null_rates(build):
    rows = [day("2026-09-30", 0), day("2026-10-01", 50, unfollows=1)]
    out = values(build(account_daily=rows), period="2026-10-01..2026-10-01")
    assert out["net_follower_growth"] == 50
    assert out["follower_growth_rate"] is None  # division by 0 is null (rule 14)
    assert out["unfollow_rate"] is None


def test_empty_scope_gives_nulls(build):
    ds = build(account_daily=BASE_DAYS)
    out = values(ds, period="2025-10")  # anna starts on 2026-01-01
    assert out == dict.fromkeys(out)


def test_followers_by_account_table(build):
    ds = build(account_daily=BASE_DAYS[1:3])  # rows of 10-01 and 10-02 only
    table = subscribers.followers_by_account(ds, build_scope(ds, "anna", PERIOD))
    assert list(table.columns) == [
        "account_id",
        "first",
        "last",
        "followers_start",
        "followers_end",
        "unfollows",
        "days_with_rows",
    ]
    row = table.iloc[0]
    # no 09-30 row: start from 10-01 (1010); no 10-03 row: end NaN; 2 of 3 days have rows
    assert row["followers_start"] == 1010
    assert math.isnan(row["followers_end"])
    assert row["unfollows"] == 13  # 5 + 8
    assert row["days_with_rows"] == 2
