"""Importers: Yandex Metrica Logs API visits and Reporting API reports."""

from __future__ import annotations

import pandas as pd
import pytest
from test_import_common import fixture, make_target, snapshot

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.errors import UsageError
from smmkpi_helpers.importers import run_import
from smmkpi_helpers.importers.metrica import parse_duration

MAPPED = {
    "map": fixture("metrica", "map.csv"),
    "goals_file": fixture("metrica", "goals.csv"),
    "timezone": "Europe/Moscow",
}


def _logs(folder, account=None, **options):
    return run_import(
        "metrica-logs",
        [fixture("metrica", "visits.tsv")],
        into=folder,
        account=account,
        options=options,
    )


def test_logs_with_a_mapping_and_goal_kinds(tmp_path):
    folder = make_target(tmp_path / "ds")
    _logs(folder, **MAPPED)
    ds = load_dataset(folder)
    sessions = ds["web_sessions"].set_index("session_id")
    # map: utm_source=vk -> vk_acme (1001), social_network=vkontakte -> vk_acme (1002),
    # utm_source=telegram -> tg_acme (1004); 1003 (google) matches nothing and is left out
    assert sessions["account_id"].to_dict() == {
        "1001": "vk_acme",
        "1002": "vk_acme",
        "1004": "tg_acme",
    }
    first = sessions.loc["1001"]
    assert first["started_at_local"] == pd.Timestamp("2026-10-01 10:00")
    assert first[["duration_s", "pageviews"]].tolist() == [120.0, 3.0]
    assert (first["source"], first["medium"], first["campaign"]) == ("vk", "social", "october")
    assert not first["bounce"] and sessions.loc["1002", "bounce"]
    assert sessions.loc["1002", "source"] == "vkontakte"  # no UTM: the social network
    assert sessions["robot"].isna().all()
    conversions = ds["conversions"].set_index("conversion_id")
    assert conversions["goal"].to_dict() == {
        "1001-55-1": "contact_form",
        "1001-77-1": "purchase",
        "1004-55-1": "contact_form",
    }
    assert conversions.loc["1001-77-1", "value"] == 1500.0
    assert conversions.loc["1004-55-1", "account_id"] == "tg_acme"
    assert conversions.loc["1004-55-1", "occurred_at_local"] == pd.Timestamp("2026-10-02 23:35")


def test_logs_reimport_changes_nothing(tmp_path):
    folder = make_target(tmp_path / "ds")
    _logs(folder, **MAPPED)
    before = snapshot(folder)
    assert not _logs(folder, **MAPPED).changed
    assert snapshot(folder) == before


def test_logs_with_the_account_default_rule(tmp_path):
    folder = make_target(tmp_path / "ds")
    report = _logs(folder, account="vk_acme", goal=["55=contact_form"])
    ds = load_dataset(folder)
    # vk: utm_source vk (1001) and social network vkontakte (1002); not telegram (1004)
    assert sorted(ds["web_sessions"]["session_id"]) == ["1001", "1002"]
    assert ds["conversions"]["conversion_id"].tolist() == ["1001-55-1"]
    assert any("77 (1)" in note for note in report.notes)  # goal 77 has no kind: left out


def test_logs_all_visits_and_post_ids(tmp_path):
    folder = make_target(tmp_path / "ds")
    _logs(folder, account="vk_acme", all_visits=True, post_from_utm_content=True)
    sessions = load_dataset(folder)["web_sessions"].set_index("session_id")
    assert sessions.index.tolist() == ["1001", "1002", "1003", "1004"]
    assert pd.isna(sessions.loc["1003", "account_id"])
    assert sessions.loc["1001", "post_id"] == "101"


def test_logs_without_account_need_a_timezone(tmp_path):
    with pytest.raises(UsageError, match="--timezone"):
        _logs(make_target(tmp_path / "ds"), map=fixture("metrica", "map.csv"))


def test_report_csv_from_the_interface(tmp_path):
    # cp1251, semicolons, decimal commas, percent signs and a totals row
    folder = make_target(tmp_path / "ds")
    run_import(
        "metrica-report", [fixture("metrica", "report_ru.csv")], into=folder, account="vk_acme"
    )
    daily = load_dataset(folder)["web_daily"]
    # 10-01: 100 visits, bounces 100 x 20 % = 20, pageviews 100 x 2.5 = 250,
    #        duration 100 x 90 s = 9000, robots 100 x 4 % = 4
    # 10-02: 200 visits, bounces 200 x 10.5 % = 21, pageviews 200 x 3 = 600,
    #        duration 200 x 120 s = 24000, robots 200 x 6 % = 12
    assert daily["sessions"].tolist() == [100.0, 200.0]
    assert daily["bounces"].tolist() == [20.0, 21.0]
    assert daily["pageviews"].tolist() == [250.0, 600.0]
    assert daily["duration_s"].tolist() == [9000.0, 24000.0]
    assert daily["robot_sessions"].tolist() == [4.0, 12.0]


def test_report_json_with_goal_reaches(tmp_path):
    folder = make_target(tmp_path / "ds")
    options = {"goal": ["55=contact_form"]}
    run_import(
        "metrica-report",
        [fixture("metrica", "report.json")],
        into=folder,
        account="vk_acme",
        options=options,
    )
    ds = load_dataset(folder)
    daily = ds["web_daily"]
    # only VKontakte rows (the facebook row is not the account's):
    # 10-01: 10 visits, bounces 10 x 20 % = 2, pageviews 10 x 2 = 20, duration 10 x 60 = 600
    # 10-02: 8 visits, bounces 8 x 25 % = 2, pageviews 8 x 1.5 = 12, duration 8 x 45 = 360
    assert daily[["sessions", "bounces", "pageviews", "duration_s"]].to_numpy().tolist() == [
        [10.0, 2.0, 20.0, 600.0],
        [8.0, 2.0, 12.0, 360.0],
    ]
    # goal 55 reached twice on 10-01 and once on 10-02: one conversion row per reach
    conversions = ds["conversions"]
    assert conversions["conversion_id"].tolist() == [
        "ymr-vk_acme-20261001-55-1",
        "ymr-vk_acme-20261001-55-2",
        "ymr-vk_acme-20261002-55-1",
    ]
    assert (conversions["goal"] == "contact_form").all()
    assert conversions["session_id"].isna().all()
    before = snapshot(folder)
    run_import(
        "metrica-report",
        [fixture("metrica", "report.json")],
        into=folder,
        account="vk_acme",
        options=options,
    )
    assert snapshot(folder) == before


def test_parse_duration_forms():
    seconds, bad = parse_duration(pd.Series(["90", "0:01:30", "1:30", "x"]))
    assert seconds.tolist()[:3] == [90.0, 90.0, 90.0] and bad.tolist() == [False] * 3 + [True]


def test_a_later_report_replaces_every_measure_of_its_rows(tmp_path):
    # The interface report gives robot shares, the API report does not: keeping the first
    # report's robots (4) beside the second's sessions (10) would give wrong rates.
    folder = make_target(tmp_path / "ds")
    for name in ("report_ru.csv", "report.json"):
        run_import("metrica-report", [fixture("metrica", name)], into=folder, account="vk_acme")
    daily = load_dataset(folder)["web_daily"]
    assert daily["sessions"].tolist() == [10.0, 8.0]
    assert daily["robot_sessions"].isna().all()


def test_goal_lists_of_different_lengths_are_reported(tmp_path):
    header = "ym:s:visitID\tym:s:dateTime\tym:s:pageViews\tym:s:visitDuration\tym:s:lastUTMSource"
    header += "\tym:s:goalsID\tym:s:goalsDateTime\n"
    path = tmp_path / "visits.tsv"
    path.write_text(
        header
        + "7\t2026-10-01 10:00:00\t2\t30\tvk\t[55,55]\t['2026-10-01 10:01:00']\n"
        + "8\t2026-10-01 11:00:00\t1\t9\tvk\t[55]\t['2026-10-01 11:05:00']\n",
        encoding="utf-8",
    )
    folder = make_target(tmp_path / "ds")
    report = run_import(
        "metrica-logs",
        [path],
        into=folder,
        account="vk_acme",
        options={"goal": ["55=contact_form"]},
        skip_invalid=True,
    )
    # visit 7 lists two goals but one time (line 2); visit 8 is fine
    assert "visits.tsv, line 2" in str(report.skipped[0])
    assert load_dataset(folder)["conversions"]["conversion_id"].tolist() == ["8-55-1"]
    assert sorted(load_dataset(folder)["web_sessions"]["session_id"]) == ["7", "8"]
