"""Importers: Telegram Desktop channel export and stats.broadcastStats."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from test_import_common import fixture, make_target, snapshot

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.errors import ImportFailedError, UsageError
from smmkpi_helpers.importers import run_import


def _export(folder, *paths, **options):
    files = list(paths) or [fixture("telegram", "result.json")]
    return run_import("telegram-export", files, into=folder, account="tg_acme", options=options)


def _stats(folder, name="broadcast_stats.json"):
    return run_import("telegram-stats", [fixture("telegram", name)], into=folder, account="tg_acme")


def test_channel_export_posts(tmp_path):
    folder = make_target(tmp_path / "ds")
    _export(folder)
    posts = load_dataset(folder)["posts"].set_index("post_id")
    assert posts.index.tolist() == ["2", "3", "4", "5"]  # the service message 1 is left out
    assert posts["format"].tolist() == ["photo", "text", "video", "poll"]
    # reactions of message 2: 5 + 2 = 7; message 3 has none while others do: 0; message 4: 1
    assert posts["likes"].tolist() == [7.0, 0.0, 1.0, 0.0]
    # date_unixtime 1790838000 = 2026-10-01T07:00Z = 10:00 in Moscow
    assert posts.loc["2", "published_at_local"] == pd.Timestamp("2026-10-01 10:00")
    assert posts.loc["3", "text"] == "Read https://acme.example/blog"
    assert posts["views"].isna().all() and posts["reach"].isna().all()


def test_channel_export_reimport_changes_nothing(tmp_path):
    folder = make_target(tmp_path / "ds")
    _export(folder)
    before = snapshot(folder)
    assert not _export(folder).changed
    assert snapshot(folder) == before


def test_broadcast_stats_with_graphs(tmp_path):
    folder = make_target(tmp_path / "ds")
    _export(folder)
    report = _stats(folder)
    assert any("daily growth graph" in note for note in report.notes)
    ds = load_dataset(folder)
    daily = ds["account_daily"]
    # growth graph: totals 1000, 1004, 1010; followers graph: joined 5, 6, 7, left 1, 2, 1
    assert daily["followers"].tolist() == [1000.0, 1004.0, 1010.0]
    assert daily["follows"].tolist() == [5.0, 6.0, 7.0]
    assert daily["unfollows"].tolist() == [1.0, 2.0, 1.0]
    posts = ds["posts"].set_index("post_id")
    # msg 2: views 450, forwards 6, reactions 9; msg 4: views 310, forwards 4, reactions 3;
    # views stay views: Telegram gives no unique reach
    assert posts.loc["2", ["views", "shares", "likes"]].tolist() == [450.0, 6.0, 9.0]
    assert posts.loc["4", ["views", "shares", "likes"]].tolist() == [310.0, 4.0, 3.0]
    assert posts["reach"].isna().all()
    assert posts.loc["3", "likes"] == 0.0  # not in the statistics: kept from the export


def test_broadcast_stats_reimport_changes_nothing(tmp_path):
    folder = make_target(tmp_path / "ds")
    _export(folder)
    _stats(folder)
    before = snapshot(folder)
    assert not _stats(folder).changed
    assert snapshot(folder) == before


def test_broadcast_stats_without_graphs_uses_current_and_previous(tmp_path):
    folder = make_target(tmp_path / "ds")
    _export(folder)
    _stats(folder, "broadcast_stats_layer_old.json")
    ds = load_dataset(folder)
    daily = ds["account_daily"]
    # min_date 1790380800 = 2026-09-26T00:00Z (03:00 in Moscow) -> previous 990 on 09-26;
    # max_date 1791018000 = 2026-10-03T09:00Z (12:00 in Moscow) -> current 1010 on 10-03
    assert daily["date"].dt.strftime("%Y-%m-%d").tolist() == ["2026-09-26", "2026-10-03"]
    assert daily["followers"].tolist() == [990.0, 1010.0]
    post = ds["posts"].set_index("post_id").loc["3"]
    assert (post["views"], post["shares"]) == (120.0, 1.0)


def test_stats_for_posts_not_imported_yet(tmp_path):
    folder = make_target(tmp_path / "ds")
    with pytest.raises(ImportFailedError, match=r"msg_id 4.*telegram-export"):
        _stats(folder)


def test_group_statistics_and_chat_exports_are_refused(tmp_path):
    folder = make_target(tmp_path / "ds")
    group = tmp_path / "group.json"
    group.write_text(json.dumps({"members": {"current": 5}, "period": {}}), encoding="utf-8")
    with pytest.raises(ImportFailedError, match="group"):
        run_import("telegram-stats", [group], into=folder, account="tg_acme")
    chat = json.loads(fixture("telegram", "result.json").read_text(encoding="utf-8"))
    chat["type"] = "personal_chat"
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(chat), encoding="utf-8")
    with pytest.raises(ImportFailedError, match="not of a channel"):
        _export(folder, path)


def test_full_account_export_needs_the_channel_named(tmp_path):
    channel = json.loads(fixture("telegram", "result.json").read_text(encoding="utf-8"))
    other = dict(channel, id=42, name="Other channel", messages=[])
    full = {
        "about": "export",
        "personal_information": {"first_name": "A"},
        "chats": {"about": "chats", "list": [channel, other]},
    }
    path = tmp_path / "result.json"
    path.write_text(json.dumps(full), encoding="utf-8")
    folder = make_target(tmp_path / "ds")
    with pytest.raises(UsageError, match="--chat"):
        _export(folder, path)
    _export(folder, path, chat="1234567890")
    assert len(load_dataset(folder)["posts"]) == 4
