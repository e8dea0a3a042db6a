"""Importers end to end: imported exports give the KPI values computed here by hand."""

from __future__ import annotations

import pytest
from test_import_common import fixture, make_target

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.importers import run_import
from smmkpi_helpers.kpis import compute_kpis

PERIOD = "2026-10-01..2026-10-03"


def _values(folder) -> dict:
    table = compute_kpis(load_dataset(folder), "anna", PERIOD)
    return dict(zip(table["kpi"], table["value"], strict=True))


def _vk_only(tmp_path):
    assignment = [{"specialist_id": "anna", "account_id": "vk_acme", "start_date": "2026-10-01"}]
    return make_target(tmp_path / "ds", assignments=assignment)


def test_vk_exports_feed_subscriber_reach_and_engagement_kpis(tmp_path):
    folder = _vk_only(tmp_path)
    run_import(
        "vk-stats",
        [fixture("vk", "stats_get.json")],
        into=folder,
        account="vk_acme",
        options={"followers": 5000, "on": "2026-10-03"},
    )
    run_import("vk-wall", [fixture("vk", "wall_get.json")], into=folder, account="vk_acme")
    run_import("vk-post-reach", [fixture("vk", "post_reach.json")], into=folder, account="vk_acme")
    kpis = _values(folder)
    # followers: 10-01 4996, 10-03 5000 (09-30 has no row: the first scoped day starts)
    assert kpis["followers_end"] == 5000 and kpis["net_follower_growth"] == 4
    assert kpis["unfollow_rate"] == pytest.approx(2 / 4996 * 100)
    assert kpis["avg_daily_reach"] == pytest.approx((1000 + 800 + 1200) / 3)
    # posts 101 (reach 850, 40+3+2 = 45 interactions, 12 clicks), 102 (640, 25+0+1 = 26, 0),
    # 103 (no reach, 60+8+5 = 73)
    assert kpis["posts_published"] == 3 and kpis["interactions"] == 45 + 26 + 73
    assert kpis["avg_post_reach"] == pytest.approx((850 + 640) / 2)
    assert kpis["er_reach"] == pytest.approx((45 + 26) / (850 + 640) * 100)
    assert kpis["post_ctr"] == pytest.approx(12 / (850 + 640) * 100)
    # F_i: 4996 on 10-01 (post 101), 5000 on 10-02 (post 102)
    assert kpis["reach_rate"] == pytest.approx((850 + 640) / (4996 + 5000) * 100)


def test_metrica_visits_feed_traffic_and_goal_kpis(tmp_path):
    folder = _vk_only(tmp_path)
    run_import(
        "metrica-logs",
        [fixture("metrica", "visits.tsv")],
        into=folder,
        account="vk_acme",
        options={"goal": ["55=contact_form", "77=purchase"]},
    )
    kpis = _values(folder)
    # vk_acme's visits: 1001 (3 pages, 120 s, no bounce) and 1002 (1 page, 5 s, bounce)
    assert kpis["social_sessions"] == 2
    assert kpis["bounce_rate"] == pytest.approx(50.0)
    assert kpis["avg_session_duration_s"] == pytest.approx((120 + 5) / 2)
    assert kpis["pages_per_session"] == pytest.approx((3 + 1) / 2)
    # visit 1001 reached goal 55 (contact_form, a lead) and 77 (purchase, 1500)
    assert (kpis["conversions"], kpis["leads"]) == (2, 1)
    assert kpis["conversion_rate"] == pytest.approx(1 / 2 * 100)
    assert kpis["attributed_revenue"] == pytest.approx(1500.0)


def test_mentions_feed_awareness_kpis(tmp_path):
    folder = _vk_only(tmp_path)
    run_import(
        "mentions",
        [fixture("mentions", "monitoring_ru.csv")],
        into=folder,
        account="vk_acme",
        options={"own_authors": ["Acme"]},
    )
    kpis = _values(folder)
    # Acme: 3 mentions, one by Acme itself (own); Rival: 1. Not own: Acme 2 of 3 in all
    assert kpis["mentions"] == 2
    assert kpis["share_of_voice"] == pytest.approx(2 / 3 * 100)
    # Acme's non-own: one positive, one negative -> (1 - 1) / (1 + 1) = 0
    assert kpis["net_sentiment"] == pytest.approx(0.0)
