"""Traffic KPIs: social sessions, bounce (rule 10), duration, depth, post CTR, web_daily."""

from __future__ import annotations

import pytest

from smmkpi_helpers.kpis import traffic
from smmkpi_helpers.scope import build_scope

PERIOD = "2026-10"
ACCOUNTS = [
    {
        "account_id": "vk_a",
        "platform": "vk",
        "name": "A",
        "brand": "Acme",
        "business_goal": "sales",
        "timezone": "Europe/Moscow",  # UTC+3
    },
    {
        "account_id": "vk_b",
        "platform": "vk",
        "name": "B",
        "brand": "Acme",
        "business_goal": "sales",
    },
]
ASSIGN = [{"specialist_id": "anna", "account_id": "vk_a", "start_date": "2026-01-01"}]


def session(sid: str, pageviews: int, duration: float, **extra) -> dict:
    return {
        "session_id": sid,
        "started_at": extra.pop("started_at", "2026-10-10T10:00:00Z"),
        "account_id": extra.pop("account_id", "vk_a"),
        "duration_s": duration,
        "pageviews": pageviews,
    } | extra


SESSIONS = [
    session("s1", 1, 10),  # bounce empty: Metrica rule, 1 page and 10 s < 15 s -> bounced
    session("s2", 1, 20),  # Metrica rule: 20 s -> not bounced
    session("s3", 3, 5, bounce="true"),  # explicit bounce wins over the rule
    session("s4", 1, 1, robot="true"),  # robot: left out
    session("s5", 2, 100, bounce="false"),  # robot empty: kept
    session("s6", 1, 5, account_id=""),  # not from a social account: not counted
    session("s7", 1, 5, account_id="vk_b"),  # another account: not counted
    session("s8", 1, 5, bounce="false"),  # explicit false wins over the rule
    # 2026-10-31 22:00 UTC is 2026-11-01 01:00 in Moscow: November, not October
    session("s9", 4, 50, started_at="2026-10-31T22:00:00Z"),
]


def compute(ds, period=PERIOD):
    return traffic.compute(ds, build_scope(ds, "anna", period))


def make(build, **tables):
    return build(accounts=ACCOUNTS, assignments=ASSIGN, **tables)


def test_session_kpis_hand_computed(build):
    out = compute(make(build, web_sessions=SESSIONS))
    # counted: s1, s2, s3, s5, s8 = 5 sessions
    assert out["social_sessions"] == 5
    assert type(out["social_sessions"]) is int
    # bounced: s1 (rule), s3 (explicit) = 2; 2 / 5 x 100 = 40
    assert out["bounce_rate"] == pytest.approx(40.0)
    # (10 + 20 + 5 + 100 + 5) / 5 = 28 s
    assert out["avg_session_duration_s"] == pytest.approx(28.0)
    # (1 + 1 + 3 + 2 + 1) / 5 = 1.6 pages
    assert out["pages_per_session"] == pytest.approx(1.6)


def test_session_table_flags(build):
    ds = make(
        build,
        web_sessions=SESSIONS,
        conversions=[
            {
                "conversion_id": "c1",
                "occurred_at": "2026-10-10T10:05:00Z",
                "goal": "call",
                "session_id": "s2",
            }
        ],
    )
    table = traffic.social_sessions_table(ds, build_scope(ds, "anna", PERIOD))
    assert table["session_id"].tolist() == ["s1", "s2", "s3", "s5", "s8"]
    assert table["bounced"].tolist() == [True, False, True, False, False]
    assert table["converted"].tolist() == [False, True, False, False, False]


def test_session_in_the_local_november_counts_for_november(build):
    out = compute(make(build, web_sessions=SESSIONS), period="2026-11")
    assert out["social_sessions"] == 1  # s9 only
    assert out["bounce_rate"] == 0.0  # 4 pages, 50 s, bounce empty -> not a bounce: 0 / 1


def test_post_ctr_is_pairwise(build):
    posts = [
        {
            "post_id": "p1",
            "account_id": "vk_a",
            "published_at": "2026-10-02T10:00:00Z",
            "format": "photo",
            "reach": 500,
            "link_clicks": 10,
        },
        # clicks not reported: left out
        {
            "post_id": "p2",
            "account_id": "vk_a",
            "published_at": "2026-10-03T10:00:00Z",
            "format": "photo",
            "reach": 500,
        },
        # reach not reported: left out
        {
            "post_id": "p3",
            "account_id": "vk_a",
            "published_at": "2026-10-04T10:00:00Z",
            "format": "photo",
            "link_clicks": 5,
        },
    ]
    out = compute(make(build, posts=posts))
    # 10 / 500 x 100 = 2.0
    assert out["post_ctr"] == pytest.approx(2.0)
    # no web_sessions and no web_daily table: the session KPIs are not available
    assert out["social_sessions"] is None
    assert out["bounce_rate"] is None
    assert out["avg_session_duration_s"] is None
    assert out["pages_per_session"] is None


def test_web_daily_stands_in_without_web_sessions(build):
    web_daily = [
        {
            "account_id": "vk_a",
            "date": "2026-10-01",
            "sessions": 100,
            "robot_sessions": 10,
            "bounces": 30,
            "duration_s": 9000,
            "pageviews": 200,
        },
        # robot_sessions empty subtracts nothing; bounces empty: out of the bounce rate
        {
            "account_id": "vk_a",
            "date": "2026-10-02",
            "sessions": 50,
            "duration_s": 2500,
            "pageviews": 100,
        },
        {"account_id": "vk_b", "date": "2026-10-01", "sessions": 999},  # not scoped
    ]
    out = compute(make(build, web_daily=web_daily))
    # (100 - 10) + 50 = 140
    assert out["social_sessions"] == 140
    # only 10-01 reports bounces: 30 / 90 x 100 = 33.33...
    assert out["bounce_rate"] == pytest.approx(30 / 90 * 100)
    # (9000 + 2500) / 140 = 82.142...
    assert out["avg_session_duration_s"] == pytest.approx(11500 / 140)
    # (200 + 100) / 140
    assert out["pages_per_session"] == pytest.approx(300 / 140)


def test_web_sessions_win_over_web_daily(build):
    web_daily = [{"account_id": "vk_a", "date": "2026-10-01", "sessions": 100}]
    out = compute(make(build, web_sessions=SESSIONS, web_daily=web_daily))
    assert out["social_sessions"] == 5  # from web_sessions, as above


def test_table_without_rows_in_scope_gives_zero_and_null_ratios(build):
    out = compute(make(build, web_sessions=[session("x", 1, 5, account_id="vk_b")]))
    assert out["social_sessions"] == 0
    assert out["bounce_rate"] is None
    assert out["avg_session_duration_s"] is None
    assert out["pages_per_session"] is None
    out = compute(
        make(build, web_daily=[{"account_id": "vk_b", "date": "2026-10-01", "sessions": 5}])
    )
    assert out["social_sessions"] == 0
    assert out["bounce_rate"] is None
