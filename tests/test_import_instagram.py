"""Importers: Instagram Graph API media and account insights."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_import_common import fixture, make_target, snapshot

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.errors import ImportFailedError
from smmkpi_helpers.importers import run_import
from smmkpi_helpers.importers.instagram import instagram_format

ACCOUNT_FILES = ("account_daily.json", "follows_2026-10-01.json", "follows_2026-10-02.json")


def _import(folder, *names, **options):
    paths = [fixture("instagram", n) if isinstance(n, str) else n for n in names]
    return run_import("instagram", paths, into=folder, account="ig_acme", options=options)


def test_media_with_insights(tmp_path):
    folder = make_target(tmp_path / "ds")
    report = _import(folder, "media.json")
    assert any("'impressions'" in note for note in report.notes)
    posts = load_dataset(folder)["posts"].set_index("post_id")
    # appended in publication order: the 2025 carousel first
    assert posts.index.tolist() == [
        "17900000000000003",
        "17900000000000001",
        "17900000000000002",
    ]
    first = posts.loc["17900000000000001"]
    assert first[["reach", "views", "likes", "comments", "shares", "saves"]].tolist() == [
        2000.0,
        3100.0,
        120.0,
        10.0,
        7.0,
        15.0,
    ]
    # 2026-10-01T07:00:00+0000 is 10:00 in Moscow
    assert first["published_at_local"] == pd.Timestamp("2026-10-01 10:00")
    assert first["format"] == "photo" and first["text"] == "Autumn collection"
    assert posts.loc["17900000000000002", "format"] == "short_video"
    old = posts.loc["17900000000000003"]
    # an export from before April 2025: impressions stand in for views
    assert (old["format"], old["views"], old["reach"], old["saves"]) == (
        "carousel",
        1500.0,
        1100.0,
        3.0,
    )
    assert pd.isna(old["shares"])


def test_account_insights_rebuild_followers(tmp_path):
    folder = make_target(tmp_path / "ds")
    _import(folder, *ACCOUNT_FILES, followers=800, on="2026-10-02")
    daily = load_dataset(folder)["account_daily"].set_index("date")
    # end_time 2026-10-02T07:00Z closes the day 10-01 (midnight Pacific time)
    assert daily.index.strftime("%Y-%m-%d").tolist() == ["2026-10-01", "2026-10-02"]
    assert daily["reach"].tolist() == [2500.0, 2700.0]
    # follows_and_unfollows: 10-01 (window from the paging links) 12/3, 10-02 (since/until) 9/4
    assert daily["follows"].tolist() == [12.0, 9.0]
    assert daily["unfollows"].tolist() == [3.0, 4.0]
    # followers: 10-02 = 800; 10-01 = 800 - (9 - 4) = 795
    assert daily["followers"].tolist() == [795.0, 800.0]


def test_everything_twice_changes_nothing(tmp_path):
    folder = make_target(tmp_path / "ds")
    names = ("media.json", *ACCOUNT_FILES)
    _import(folder, *names, followers=800, on="2026-10-02")
    before = snapshot(folder)
    assert not _import(folder, *names).changed  # the dataset's total anchors the rebuild
    assert snapshot(folder) == before


def test_follower_count_alone_cannot_rebuild_totals(tmp_path):
    with pytest.raises(ImportFailedError, match="follows_and_unfollows"):
        _import(make_target(tmp_path / "ds"), "account_daily.json")


def test_media_insights_alone_update_imported_media(tmp_path):
    folder = make_target(tmp_path / "ds")
    _import(folder, "media.json")
    lone = tmp_path / "insights.json"
    lone.write_text(
        json.dumps(
            {
                "data": [
                    {
                        "name": "reach",
                        "period": "lifetime",
                        "values": [{"value": 2100}],
                        "id": "17900000000000001/insights/reach/lifetime",
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    report = _import(folder, lone)
    assert (report.changes[0].changed_cells, report.changes[0].added) == (1, 0)
    posts = load_dataset(folder)["posts"].set_index("post_id")
    assert posts.loc["17900000000000001", "reach"] == 2100.0


def test_a_total_without_its_window_is_left_out_with_a_note(tmp_path):
    data = json.loads(fixture("instagram", "follows_2026-10-02.json").read_text(encoding="utf-8"))
    del data["since"], data["until"]
    path = tmp_path / "follows.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    report = _import(make_target(tmp_path / "ds"), path)
    assert any("unknown window" in note for note in report.notes)
    assert not report.changed


def test_instagram_formats():
    assert instagram_format({"media_type": "VIDEO", "media_product_type": "FEED"}) == "video"
    assert instagram_format({"media_type": "IMAGE", "media_product_type": "STORY"}) == "story"
