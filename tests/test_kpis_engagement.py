"""Engagement KPIs: interactions and the pairwise ratio-of-sums rates (rules 5-7)."""

from __future__ import annotations

import pytest

from smmkpi_helpers.kpis import engagement
from smmkpi_helpers.scope import build_scope

PERIOD = "2026-10-01..2026-10-03"
DAILY = [
    {"account_id": "vk_a", "date": "2026-10-01", "followers": 1000},
    {"account_id": "vk_a", "date": "2026-10-02", "followers": 1000},
    # no row on 10-03: a post that day has no F_i
]


def post(post_id: str, date: str, **counts) -> dict:
    return {
        "post_id": post_id,
        "account_id": "vk_a",
        "published_at": f"{date}T12:00:00Z",
        "format": "photo",
    } | counts


POSTS = [
    # I = 10 + 2 + 3 + 5 = 20
    post("p1", "2026-10-01", likes=10, comments=2, shares=3, saves=5, reach=400, views=800),
    # only likes reported: I = 30 (the other counts add nothing)
    post("p2", "2026-10-02", likes=30, reach=600),
    # none of the four: left out of every KPI built on I
    post("p3", "2026-10-02", reach=1000, views=2000),
    # no reach, no F_i (10-03 has no account_daily row): I = 5 + 1 = 6
    post("p4", "2026-10-03", likes=5, comments=1, views=100),
]


def compute(ds, period=PERIOD):
    return engagement.compute(ds, build_scope(ds, "anna", period))


def test_engagement_kpis_hand_computed(build):
    out = compute(build(account_daily=DAILY, posts=POSTS))
    # interactions = 20 + 30 + 6 = 56 (p3 reports none)
    assert out["interactions"] == 56
    assert type(out["interactions"]) is int
    # er_reach: posts with I and reach are p1, p2: (20 + 30) / (400 + 600) x 100 = 5.0
    assert out["er_reach"] == pytest.approx(5.0)
    # er_followers: posts with I and F are p1, p2: (20 + 30) / (1000 + 1000) x 100 = 2.5
    assert out["er_followers"] == pytest.approx(2.5)
    # er_views: posts with I and views are p1, p4: (20 + 6) / (800 + 100) x 100 = 2.888...
    assert out["er_views"] == pytest.approx(26 / 900 * 100)
    # love_rate: likes with F: p1 10, p2 30 (p3 no likes, p4 no F): 40 / 2000 x 100 = 2.0
    assert out["love_rate"] == pytest.approx(2.0)
    # talk_rate: comments with F: p1 only: 2 / 1000 x 100 = 0.2
    assert out["talk_rate"] == pytest.approx(0.2)
    # amplification_rate: shares with F: p1 only: 3 / 1000 x 100 = 0.3
    assert out["amplification_rate"] == pytest.approx(0.3)


def test_suspicious_posts_stay_in(build):
    # rule 7: a post with more likes than reach (bought likes) still counts; rates may pass 100
    posts = [post("p1", "2026-10-01", likes=500, reach=100)]
    ds = build(account_daily=DAILY, posts=posts)
    assert any(w.code == "suspicious_post" for w in ds.warnings)
    # 500 / 100 x 100 = 500 %: never clipped (rule 15)
    assert compute(ds)["er_reach"] == pytest.approx(500.0)


def test_no_posts_gives_zero_interactions_and_null_rates(build):
    out = compute(build(account_daily=DAILY, posts=[]))
    assert out["interactions"] == 0  # a count over no rows is 0 (rule 14)
    for name in ("er_reach", "er_followers", "er_views", "love_rate", "talk_rate"):
        assert out[name] is None
    assert out["amplification_rate"] is None


def test_posts_without_any_interaction_count_give_null_not_zero(build):
    posts = [post("p1", "2026-10-01", reach=100), post("p2", "2026-10-02", reach=50)]
    out = compute(build(account_daily=DAILY, posts=posts))
    # the platform reported no interaction count at all: not available, never 0
    assert out["interactions"] is None
    assert out["er_reach"] is None


def test_zero_interactions_reported_are_zero(build):
    posts = [post("p1", "2026-10-01", likes=0, comments=0, reach=100)]
    out = compute(build(account_daily=DAILY, posts=posts))
    assert out["interactions"] == 0
    assert out["er_reach"] == 0.0  # 0 / 100 x 100
