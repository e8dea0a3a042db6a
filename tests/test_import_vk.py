"""Importers: VK stats.get, wall.get and stats.getPostReach."""

from __future__ import annotations

import pandas as pd
import pytest
from test_import_common import fixture, make_target, snapshot

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.errors import ImportFailedError, UsageError
from smmkpi_helpers.importers import run_import
from smmkpi_helpers.importers.vk import vk_format


def _stats(folder, name="stats_get.json", **options):
    return run_import(
        "vk-stats", [fixture("vk", name)], into=folder, account="vk_acme", options=options
    )


def test_stats_get_rebuilds_followers_from_one_known_total(tmp_path):
    folder = make_target(tmp_path / "ds")
    _stats(folder, followers=5000, on="2026-10-03")
    daily = load_dataset(folder)["account_daily"].set_index("date")
    # periods start at 21:00Z = midnight in Moscow: the days are 10-01, 10-02, 10-03
    # follows/unfollows: 10-01 10/2, 10-02 4/0 (unsubscribed left out = 0), 10-03 no activity = 0/0
    # followers: 10-03 = 5000; 10-02 = 5000 - (0 - 0) = 5000; 10-01 = 5000 - (4 - 0) = 4996
    assert daily["followers"].tolist() == [4996.0, 5000.0, 5000.0]
    assert daily["follows"].tolist() == [10.0, 4.0, 0.0]
    assert daily["unfollows"].tolist() == [2.0, 0.0, 0.0]
    assert daily["reach"].tolist() == [1000.0, 800.0, 1200.0]
    assert daily["profile_visits"].tolist() == [120.0, 90.0, 100.0]  # visitors.views
    assert daily["views"].isna().all()  # VK gives no daily impressions


def test_stats_get_reimport_changes_nothing_and_continues_from_the_dataset(tmp_path):
    folder = make_target(tmp_path / "ds")
    _stats(folder, followers=5000, on="2026-10-03")
    before = snapshot(folder)
    # without --followers the dataset's own total (10-01: 4996) anchors the same series
    report = _stats(folder)
    assert not report.changed
    assert snapshot(folder) == before


def test_stats_get_flat_response_of_old_api_versions(tmp_path):
    folder = make_target(tmp_path / "ds")
    _stats(folder, "stats_get_flat.json", followers=100, on="2026-09-30")
    daily = load_dataset(folder)["account_daily"]
    # 10-01: 100 + (10 - 2) = 108; 10-02: 108 + (4 - 0) = 112
    assert daily["followers"].tolist() == [108.0, 112.0]
    assert daily["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-10-01", "2026-10-02"]


def test_stats_get_without_a_total_says_how_to_give_one(tmp_path):
    folder = make_target(tmp_path / "ds")
    with pytest.raises(ImportFailedError, match="--followers N --on YYYY-MM-DD"):
        _stats(folder)


def test_stats_get_needs_daily_periods(tmp_path):
    with pytest.raises(ImportFailedError, match="interval=day"):
        _stats(make_target(tmp_path / "ds"), "stats_get_week.json", followers=1, on="2026-10-01")


def test_stats_get_anchor_day_must_touch_the_export(tmp_path):
    with pytest.raises(ImportFailedError, match="2026-09-30, the day before the first"):
        _stats(make_target(tmp_path / "ds"), followers=5000, on="2026-11-01")
    with pytest.raises(UsageError, match="not a day"):
        _stats(make_target(tmp_path / "ds2"), followers=5000, on="yesterday")


def test_wall_get_posts(tmp_path):
    folder = make_target(tmp_path / "ds")
    report = run_import("vk-wall", [fixture("vk", "wall_get.json")], into=folder, account="vk_acme")
    assert any("1 postponed" in note for note in report.notes)
    posts = load_dataset(folder)["posts"].set_index("post_id")
    assert posts.index.tolist() == ["101", "102", "103"]  # appended in publication order
    row = posts.loc["101"]
    # date 1790836200 = 2026-10-01T06:30Z = 09:30 in Moscow
    assert row["published_at_local"] == pd.Timestamp("2026-10-01 09:30")
    assert (row["likes"], row["comments"], row["shares"], row["views"]) == (40, 3, 2, 900)
    assert row["format"] == "photo" and not row["is_promoted"]
    assert row["url"] == "https://vk.com/wall-123456_101"
    assert posts.loc["102", "format"] == "carousel" and posts.loc["102", "is_promoted"]
    assert posts.loc["103", "format"] == "short_video" and pd.isna(posts.loc["103", "is_promoted"])
    assert posts["reach"].isna().all() and posts["saves"].isna().all()


def test_post_reach_updates_known_posts_only(tmp_path):
    folder = make_target(tmp_path / "ds")
    run_import("vk-wall", [fixture("vk", "wall_get.json")], into=folder, account="vk_acme")
    report = run_import(
        "vk-post-reach", [fixture("vk", "post_reach.json")], into=folder, account="vk_acme"
    )
    change = report.changes[0]
    # 101: reach 850 and link_clicks 12 set; 102: reach 640 and link_clicks 0 set -> 4 cells
    assert (change.changed_rows, change.changed_cells, change.added) == (2, 4, 0)
    posts = load_dataset(folder)["posts"].set_index("post_id")
    assert posts.loc["101", ["reach", "link_clicks"]].tolist() == [850.0, 12.0]
    assert posts.loc["101", "likes"] == 40.0  # kept from the wall


def test_post_reach_for_an_unknown_post(tmp_path):
    folder = make_target(tmp_path / "ds")
    before = snapshot(folder)
    with pytest.raises(ImportFailedError, match=r"post 101.*import the wall first"):
        run_import(
            "vk-post-reach", [fixture("vk", "post_reach.json")], into=folder, account="vk_acme"
        )
    assert snapshot(folder) == before
    report = run_import(
        "vk-post-reach",
        [fixture("vk", "post_reach.json")],
        into=folder,
        account="vk_acme",
        skip_invalid=True,
    )
    assert len(report.skipped) == 2 and not report.changed


def test_vk_formats():
    assert vk_format([{"type": "poll"}, {"type": "photo"}]) == "poll"
    assert vk_format([{"type": "video", "video": {"live": 1}}]) == "live"
    assert vk_format([{"type": "video", "video": {}}]) == "video"
    assert vk_format([{"type": "photo"}, {"type": "video", "video": {}}]) == "carousel"
    assert vk_format([{"type": "link"}]) == "text"
    assert vk_format([{"type": "doc"}]) == "other"


def test_a_wall_of_another_community_in_the_same_import_is_refused(tmp_path):
    import json

    other = json.loads(fixture("vk", "wall_get.json").read_text(encoding="utf-8"))
    for item in other["response"]["items"]:
        item["owner_id"] = -999
    path = tmp_path / "other.json"
    path.write_text(json.dumps(other), encoding="utf-8")
    with pytest.raises(ImportFailedError, match="owner_id -123456, -999"):
        run_import(
            "vk-wall",
            [fixture("vk", "wall_get.json"), path],
            into=make_target(tmp_path / "ds"),
            account="vk_acme",
        )
