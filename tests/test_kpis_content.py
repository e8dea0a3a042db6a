"""Content KPIs: posts published, content-plan completion (rule 8), interactions per post."""

from __future__ import annotations

import math

import pytest

from smmkpi_helpers.kpis import content
from smmkpi_helpers.scope import build_scope

PERIOD = "2026-10-01..2026-10-04"


def post(post_id: str, date: str, fmt: str, **counts) -> dict:
    return {
        "post_id": post_id,
        "account_id": "vk_a",
        "published_at": f"{date}T12:00:00Z",
        "format": fmt,
    } | counts


def slot(date: str, fmt: str | None = None) -> dict:
    return {"account_id": "vk_a", "planned_date": date, "format": fmt}


POSTS = [
    post("d1_photo", "2026-10-01", "photo", likes=10),
    post("d1_video1", "2026-10-01", "video", likes=20, comments=5),
    post("d1_video2", "2026-10-01", "video"),
    post("d2_photo", "2026-10-02", "photo", likes=3),
    post("d4_car1", "2026-10-04", "carousel"),
    post("d4_car2", "2026-10-04", "carousel"),
    post("d5_out", "2026-10-05", "photo", likes=100),  # after the period
]
PLAN = [
    # 10-01: two photo slots take the one photo post (1); the free slot takes a video (1): 2/3
    slot("2026-10-01", "photo"),
    slot("2026-10-01", "photo"),
    slot("2026-10-01"),
    # 10-02: a video slot is not filled by a photo post: 0/1
    slot("2026-10-02", "video"),
    # 10-03: a free slot and no post: 0/1
    slot("2026-10-03"),
    # 10-04: "Carousel" matches "carousel" (case-insensitive); the free slot takes the other: 2/2
    slot("2026-10-04", "Carousel"),
    slot("2026-10-04"),
    # after the period: not counted
    slot("2026-10-05", "photo"),
]


def compute(ds, period=PERIOD):
    return content.compute(ds, build_scope(ds, "anna", period))


def test_content_kpis_hand_computed(build):
    out = compute(build(posts=POSTS, content_plan=PLAN))
    # posts on 10-01..10-04: 3 + 1 + 0 + 2 = 6
    assert out["posts_published"] == 6
    assert type(out["posts_published"]) is int
    # slots 3 + 1 + 1 + 2 = 7, fulfilled 2 + 0 + 0 + 2 = 4: 4 / 7 x 100 = 57.142857...
    assert out["plan_completion"] == pytest.approx(4 / 7 * 100)
    # I reported by d1_photo 10, d1_video1 25, d2_photo 3: (10 + 25 + 3) / 3 posts = 12.666...
    assert out["interactions_per_post"] == pytest.approx(38 / 3)


def test_plan_by_day_shows_each_day(build):
    ds = build(posts=POSTS, content_plan=PLAN)
    table = content.plan_by_day(ds, build_scope(ds, "anna", PERIOD))
    assert list(table.columns) == ["account_id", "date", "planned", "published", "fulfilled"]
    assert table["planned"].tolist() == [3, 1, 1, 2]
    assert table["published"].tolist() == [3, 1, 0, 2]
    assert table["fulfilled"].tolist() == [2, 0, 0, 2]


def test_formatted_slots_are_filled_before_free_ones(build):
    # one photo post, a photo slot and a free slot: the photo slot takes it (1 of 2 filled);
    # a free slot taking it first would leave the photo slot empty (also 1 of 2): rule 8 fixes
    # which slot is filled, and a second free slot then has no post left.
    posts = [post("p1", "2026-10-01", "photo")]
    plan = [slot("2026-10-01"), slot("2026-10-01", "photo"), slot("2026-10-01")]
    ds = build(posts=posts, content_plan=plan)
    table = content.plan_by_day(ds, build_scope(ds, "anna", "2026-10-01..2026-10-01"))
    assert table["fulfilled"].tolist() == [1]
    # 1 / 3 x 100
    assert compute(ds, "2026-10-01..2026-10-01")["plan_completion"] == pytest.approx(100 / 3)


def test_one_post_fills_one_slot(build):
    posts = [post("p1", "2026-10-01", "photo")]
    plan = [slot("2026-10-01", "photo"), slot("2026-10-01", "photo")]
    out = compute(build(posts=posts, content_plan=plan), "2026-10-01..2026-10-01")
    assert out["plan_completion"] == pytest.approx(50.0)  # 1 / 2 x 100


def test_plan_nulls(build):
    # no content_plan table: completion is not available
    ds = build(posts=POSTS)
    assert compute(ds)["plan_completion"] is None
    table = content.plan_by_day(ds, build_scope(ds, "anna", PERIOD))
    assert math.isnan(table["planned"].iloc[0])
    # a plan with no slot in scope: 0 planned slots, the ratio is null (rule 14)
    ds = build(posts=POSTS, content_plan=[slot("2026-11-02")])
    out = compute(ds)
    assert out["plan_completion"] is None
    assert out["posts_published"] == 6


def test_no_post_gives_zero_posts_and_null_per_post(build):
    out = compute(build(posts=[], content_plan=[slot("2026-10-01")]))
    assert out["posts_published"] == 0
    assert out["plan_completion"] == 0.0  # 0 / 1 x 100: planned, not published
    assert out["interactions_per_post"] is None
