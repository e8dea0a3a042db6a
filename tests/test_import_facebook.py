"""Importers: Facebook page post exports (UCI-style columns and the Insights post export)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_import_common import fixture, make_target, snapshot

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.errors import UsageError
from smmkpi_helpers.importers import run_import
from smmkpi_helpers.importers.facebook import reconstruct_days


def _uci(folder, **options):
    options = {"year": 2014, **options}
    return run_import(
        "facebook-posts",
        [fixture("facebook", "uci_style.csv")],
        into=folder,
        account="fb_acme",
        options=options,
    )


def test_uci_style_export_reconstructs_days_and_ids(tmp_path):
    folder = make_target(tmp_path / "ds")
    _uci(folder)
    posts = load_dataset(folder)["posts"].set_index("post_id")
    # Weekday 1 = Sunday, so 2 = Monday, 4 = Wednesday, 7 = Saturday. Oldest first:
    # Nov Sat 10h -> 2014-11-01 (a Saturday); Dec Mon 3h -> 12-01 (a Monday); Dec Mon 10h ->
    # 12-01 (same day, later hour); Dec Wed 9h -> 12-03; Dec Mon 8h -> 12-08 (the next
    # Monday after 12-03); Dec Mon 8h -> 12-08 (same day, same hour)
    expected = {
        "fb-201411-d7-h10-photo-c2-1": "2014-11-01 10:00",
        "fb-201412-d2-h03-status-c1-1": "2014-12-01 03:00",
        "fb-201412-d2-h10-photo-c2-1": "2014-12-01 10:00",
        "fb-201412-d4-h09-link-c3-1": "2014-12-03 09:00",
        "fb-201412-d2-h08-video-c1-1": "2014-12-08 08:00",
        "fb-201412-d2-h08-photo-c2-1": "2014-12-08 08:00",
    }
    assert sorted(posts.index) == sorted(expected)
    for post_id, when in expected.items():
        assert posts.loc[post_id, "published_at_local"] == pd.Timestamp(when), post_id
    top = posts.loc["fb-201412-d2-h08-photo-c2-1"]  # the file's first row
    assert top[["reach", "views", "comments", "likes", "shares"]].tolist() == [
        3000.0,
        5200.0,
        4.0,
        80.0,
        16.0,
    ]
    assert bool(top["is_promoted"]) and top["topic"] == "category 2" and top["format"] == "photo"
    assert posts.loc["fb-201412-d4-h09-link-c3-1", "format"] == "text"
    assert pd.isna(posts.loc["fb-201411-d7-h10-photo-c2-1", "is_promoted"])  # empty Paid


def test_page_likes_become_followers_of_days_without_a_row(tmp_path):
    folder = make_target(
        tmp_path / "ds",
        account_daily=[{"account_id": "fb_acme", "date": "2014-12-03", "followers": "139299"}],
    )
    _uci(folder)
    daily = load_dataset(folder)["account_daily"].set_index("date")["followers"]
    # one value per post day: the page likes at the day's last post; 12-08 has two posts at
    # 08:00 and the newer (first row, 139441) is last; 12-03 already had a row: kept
    assert daily.to_dict() == {
        pd.Timestamp("2014-11-01"): 139000.0,
        pd.Timestamp("2014-12-01"): 139250.0,
        pd.Timestamp("2014-12-03"): 139299.0,
        pd.Timestamp("2014-12-08"): 139441.0,
    }


def test_no_page_likes_option(tmp_path):
    folder = make_target(tmp_path / "ds")
    _uci(folder, no_page_likes=True)
    assert len(load_dataset(folder)["account_daily"]) == 0


def test_monday_first_weekdays_shift_the_days(tmp_path):
    folder = make_target(tmp_path / "ds")
    _uci(folder, first_weekday="monday")
    posts = load_dataset(folder)["posts"].set_index("post_id")
    # weekday 2 is then Tuesday: the first Tuesday of December 2014 is the 2nd
    assert posts.loc["fb-201412-d2-h03-status-c1-1", "published_at_local"] == pd.Timestamp(
        "2014-12-02 03:00"
    )


def test_reimport_changes_nothing(tmp_path):
    folder = make_target(tmp_path / "ds")
    _uci(folder)
    before = snapshot(folder)
    assert not _uci(folder).changed
    assert snapshot(folder) == before


def test_the_year_is_asked_for(tmp_path):
    with pytest.raises(UsageError, match="--year YYYY"):
        _uci(make_target(tmp_path / "ds"), year=None)


def test_insights_export_with_post_id_and_time(tmp_path):
    folder = make_target(tmp_path / "ds")
    run_import(
        "facebook-posts",
        [fixture("facebook", "insights_post_export.csv")],
        into=folder,
        account="fb_acme",
    )
    posts = load_dataset(folder)["posts"].set_index("post_id")
    assert posts.index.tolist() == ["123456789_1001", "123456789_1002"]
    # Posted 10/02/2026 06:45:00 PM in the account's time zone (UTC)
    assert posts.loc["123456789_1002", "published_at_local"] == pd.Timestamp("2026-10-02 18:45")
    assert posts.loc["123456789_1001", "text"] == "New store opening, come by!"
    assert posts.loc["123456789_1002", ["reach", "likes", "format"]].tolist() == [
        2100.0,
        110.0,
        "video",
    ]


def test_reconstruct_days_oldest_first_moves_a_week_after_a_later_weekday():
    months = pd.Series([12, 12, 12])
    weekdays = pd.Series([2, 0, 0])  # Wednesday, then Monday twice (Monday = 0)
    hours = pd.Series([9, 8, 7])
    days = reconstruct_days(months, weekdays, hours, year=2014, newest_first=False)
    # Wed 12-03; the next Monday is 12-08; 07:00 is before 08:00 on 12-08, so a week later
    assert days.dt.strftime("%m-%d").tolist() == ["12-03", "12-08", "12-15"]
