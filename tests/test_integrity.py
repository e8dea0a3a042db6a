"""Integrity checks on small hand-made series (issue: metric integrity)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smmkpi_helpers.integrity import (
    find_flags,
    flag_kinds_by_kpi,
    flags_for_scope,
    integrity_score,
    integrity_values,
)
from smmkpi_helpers.scope import build_scope

DAYS = pd.date_range("2026-08-01", "2026-10-31", freq="D")  # 92 days


def daily_rows(follows, unfollows=None, reach=None, start_followers=10_000, account="vk_a"):
    """Account-daily rows whose followers add up exactly: f[t] = f[t-1] + follows - unfollows."""
    unfollows = np.zeros(len(follows)) if unfollows is None else np.asarray(unfollows)
    reach = np.full(len(follows), 3000.0) if reach is None else np.asarray(reach)
    followers = start_followers + np.cumsum(np.asarray(follows) - unfollows)
    return [
        {
            "account_id": account,
            "date": d.date().isoformat(),
            "followers": int(f),
            "follows": int(a),
            "unfollows": int(u),
            "reach": int(r),
            "views": int(r * 1.6),
            "profile_visits": int(r / 20),
        }
        for d, f, a, u, r in zip(DAYS, followers, follows, unfollows, reach, strict=True)
    ]


def weekly(base: float, weekend: float) -> np.ndarray:
    """A weekly cycle: `base` on weekdays, `weekend` on Saturdays and Sundays."""
    return np.where(DAYS.day_of_week >= 5, weekend, base).astype(float)


def kinds(flags: pd.DataFrame, severity=("warning", "critical")) -> list[str]:
    return sorted(flags[flags["severity"].isin(severity)]["kind"].tolist())


def test_bought_follower_spike_and_unfollow_wave_are_found(build):
    follows = weekly(60, 30)
    follows[70:73] = [600, 800, 500]  # 2026-10-10..12: about 10x, reach unchanged
    unfollows = np.full(len(DAYS), 10.0)
    unfollows[78:84] = 120  # 2026-10-18..23: the bots leave
    ds = build(account_daily=daily_rows(follows, unfollows))
    flags = find_flags(ds)
    spike = flags[flags["kind"] == "follower_spike"].iloc[0]
    assert (spike["start"], spike["end"]) == (
        pd.Timestamp("2026-10-10"),
        pd.Timestamp("2026-10-12"),
    )
    assert spike["severity"] == "critical"
    # excess follows: 1900 observed - about 3 x 60 expected (10 Oct is a Saturday: 30)
    assert 1700 <= spike["evidence"]["excess_follows"] <= 1800
    wave = flags[flags["kind"] == "unfollow_wave"].iloc[0]
    assert wave["start"] == pd.Timestamp("2026-10-18") and wave["end"] == pd.Timestamp("2026-10-23")
    # 6 days x (120 - 10) = 660 excess unfollows
    assert wave["evidence"]["excess_unfollows"] == pytest.approx(660, abs=1)
    assert "bought followers" in spike["message"]


def test_clean_growth_removes_the_spike_and_adds_back_the_wave(build):
    follows = weekly(60, 30)
    follows[70:73] = [600, 800, 500]
    unfollows = np.full(len(DAYS), 10.0)
    unfollows[78:84] = 120
    ds = build(account_daily=daily_rows(follows, unfollows))
    scope = build_scope(ds, "anna", "2026-10")
    values = integrity_values(ds, scope)
    from smmkpi_helpers.kpis import subscribers

    net = subscribers.compute(ds, scope)["net_follower_growth"]
    flags = flags_for_scope(ds, scope)
    spike = flags[flags["kind"] == "follower_spike"].iloc[0]["evidence"]["excess_follows"]
    wave = flags[flags["kind"] == "unfollow_wave"].iloc[0]["evidence"]["excess_unfollows"]
    assert values["clean_net_follower_growth"] == round(net - spike + wave)
    # one critical spike and its critical wave: 100 - 30 - 30
    assert values["integrity_score"] == 40.0


def test_weekly_cycle_is_not_flagged(build):
    ds = build(account_daily=daily_rows(weekly(80, 20)))
    assert kinds(find_flags(ds), severity=("info", "warning", "critical")) == []


def test_steady_trend_is_not_flagged(build):
    rng = np.random.default_rng(1)
    trend = np.linspace(40, 160, len(DAYS))  # follows quadruple over three months
    follows = rng.poisson(trend)
    reach = np.linspace(2000, 6000, len(DAYS))
    ds = build(account_daily=daily_rows(follows, reach=reach))
    assert kinds(find_flags(ds)) == []


def test_spike_explained_by_reach_is_info_only(build):
    follows = weekly(60, 30)
    reach = np.full(len(DAYS), 3000.0)
    follows[70:72] = [500, 400]  # a viral post: follows about 7x ...
    reach[70:72] = [24000, 18000]  # ... and reach about 7x on the same days
    ds = build(account_daily=daily_rows(follows, reach=reach))
    flags = find_flags(ds)
    spike = flags[flags["kind"] == "follower_spike"]
    assert spike["severity"].tolist() == ["info"]
    assert "spread" in spike.iloc[0]["message"]
    scope = build_scope(ds, "anna", "2026-10")
    assert integrity_values(ds, scope)["integrity_score"] == 100.0


def _posts(n=20, likes=50, reach=1000, extra=()):
    rows = [
        {
            "post_id": f"p{i}",
            "account_id": "vk_a",
            "published_at": f"{DAYS[40 + i].date()}T12:00:00+00:00",
            "format": "photo",
            "reach": reach + 10 * i,
            "views": 2 * reach,
            "likes": likes + (i % 5),
            "comments": 5,
            "shares": 2,
        }
        for i in range(n)
    ]
    return rows + list(extra)


def test_post_with_likes_above_reach_is_flagged(build):
    bought = {
        "post_id": "bought",
        "account_id": "vk_a",
        "published_at": "2026-10-20T12:00:00+00:00",
        "format": "photo",
        "reach": 900,
        "views": 1800,
        "likes": 1500,
        "comments": 4,
        "shares": 1,
    }
    ds = build(account_daily=daily_rows(weekly(60, 30)), posts=_posts(extra=[bought]))
    flags = find_flags(ds)
    likes = flags[flags["kind"] == "bought_likes"]
    assert likes["post_id"].tolist() == ["bought"]
    assert likes.iloc[0]["severity"] == "critical"
    assert likes.iloc[0]["evidence"]["likes"] == 1500


def test_unusual_likes_with_flat_comments_flagged_but_a_loved_post_is_not(build):
    # usual posts: about 5 % of reach like; 'suspect': 40 % like, comments and shares as usual;
    # 'loved': 40 % like and comments and shares rise with it (a post people really liked)
    suspect = {
        "post_id": "suspect",
        "account_id": "vk_a",
        "published_at": "2026-10-21T12:00:00+00:00",
        "format": "photo",
        "reach": 1000,
        "views": 2000,
        "likes": 400,
        "comments": 5,
        "shares": 2,
    }
    loved = {
        "post_id": "loved",
        "account_id": "vk_a",
        "published_at": "2026-10-22T12:00:00+00:00",
        "format": "photo",
        "reach": 1000,
        "views": 2000,
        "likes": 400,
        "comments": 80,
        "shares": 40,
    }
    ds = build(account_daily=daily_rows(weekly(60, 30)), posts=_posts(extra=[suspect, loved]))
    flags = find_flags(ds)
    assert flags[flags["kind"] == "bought_likes"]["post_id"].tolist() == ["suspect"]


def test_robot_burst_and_robot_share(build):
    rows = []
    n = 0
    for day in DAYS:
        for k in range(20):  # 20 ordinary visits a day: 3 pages, 2 minutes
            n += 1
            rows.append(
                {
                    "session_id": f"s{n}",
                    "started_at": f"{day.date()}T10:{k:02d}:00Z",
                    "account_id": "vk_a",
                    "duration_s": 120,
                    "pageviews": 3,
                }
            )
    for _ in range(300):  # 300 one-page, 1-second visits on 2026-10-15 from one campaign
        n += 1
        rows.append(
            {
                "session_id": f"s{n}",
                "started_at": "2026-10-15T03:00:00Z",
                "account_id": "vk_a",
                "campaign": "promo",
                "duration_s": 1,
                "pageviews": 1,
                "robot": "false",
            }
        )
    ds = build(account_daily=daily_rows(weekly(60, 30)), web_sessions=rows)
    flags = find_flags(ds)
    burst = flags[flags["kind"] == "robot_traffic"].iloc[0]
    assert burst["start"] == burst["end"] == pd.Timestamp("2026-10-15")
    assert burst["evidence"]["one_page_short_sessions"] == 300
    assert burst["evidence"]["top_campaign"] == "promo"
    assert flag_kinds_by_kpi(flags) == {"social_sessions": ["robot_traffic"]}


def test_contradictions(build):
    daily = daily_rows(weekly(60, 30))
    daily[50]["unfollows"] = 999_999  # more than the previous day's followers plus follows
    post = {
        "post_id": "odd",
        "account_id": "vk_a",
        "published_at": "2026-10-05T12:00:00Z",
        "format": "text",
        "reach": 500,
        "views": 100,
    }
    ds = build(account_daily=daily, posts=[post])
    flags = find_flags(ds)
    found = flags[flags["kind"] == "contradiction"]
    assert sorted(found["post_id"].fillna("-").tolist()) == ["-", "odd"]


def test_flags_count_only_on_the_specialists_own_days(build):
    follows = weekly(60, 30)
    follows[70:73] = [600, 800, 500]  # 2026-10-10..12
    specialists = [
        {"specialist_id": "anna", "name": "Anna"},
        {"specialist_id": "boris", "name": "Boris"},
    ]
    assignments = [
        {
            "specialist_id": "anna",
            "account_id": "vk_a",
            "start_date": "2026-01-01",
            "end_date": "2026-10-15",
        },
        {"specialist_id": "boris", "account_id": "vk_a", "start_date": "2026-10-16"},
    ]
    ds = build(specialists=specialists, assignments=assignments, account_daily=daily_rows(follows))
    assert kinds(flags_for_scope(ds, build_scope(ds, "anna", "2026-10"))) == ["follower_spike"]
    assert kinds(flags_for_scope(ds, build_scope(ds, "boris", "2026-10"))) == []


def test_integrity_score_caps_per_kind():
    # five critical bought-likes flags: 5 x 30 = 150, capped at 50 for the kind; one warning
    flags = pd.DataFrame(
        {
            "kind": ["bought_likes"] * 5 + ["robot_traffic"],
            "severity": ["critical"] * 5 + ["warning"],
        }
    )
    assert integrity_score(flags) == 100 - 50 - 10


def test_annotate_kpi_table_marks_only_gameable_kpis_in_doubt():
    from smmkpi_helpers.integrity import annotate_kpi_table

    table = pd.DataFrame(
        {
            "kpi": ["er_reach", "talk_rate", "social_sessions", "leads"],
            "gameable": [True, False, True, False],
        }
    )
    flags = pd.DataFrame(
        {"kind": ["bought_likes", "robot_traffic"], "severity": ["critical", "info"]}
    )
    marked = annotate_kpi_table(table, flags)
    # bought likes (critical) put er_reach in doubt; talk_rate is not gameable; the robot flag
    # is info only, so social_sessions stays clean
    assert marked["flags"].tolist() == [["bought_likes"], [], [], []]
    assert "flags" not in table.columns  # the input is not modified
