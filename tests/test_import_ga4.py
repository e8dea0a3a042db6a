"""Importers: Google Analytics 4 runReport JSON and the interface's CSV."""

from __future__ import annotations

import json

import pytest
from test_import_common import fixture, make_target, snapshot

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.errors import ImportFailedError
from smmkpi_helpers.importers import run_import


def _ga4(folder, *names, **options):
    paths = [fixture("ga4", n) if isinstance(n, str) else n for n in names]
    return run_import("ga4", paths, into=folder, account="vk_acme", options=options)


def test_run_report_into_web_daily_and_conversions(tmp_path):
    folder = make_target(tmp_path / "ds")
    report = _ga4(folder, "run_report.json", goal=["generate_lead=contact_form"])
    ds = load_dataset(folder)
    daily = ds["web_daily"]
    # vk's sources: vk.com and away.vk.com (google is not the account's)
    # 10-01: sessions 10 + 2 = 12, views 25 + 3 = 28, duration 10 x 50.5 + 2 x 30 = 565
    # 10-02: sessions 6, views 12, duration 6 x 60 = 360
    assert daily[["sessions", "pageviews", "duration_s"]].to_numpy().tolist() == [
        [12.0, 28.0, 565.0],
        [6.0, 12.0, 360.0],
    ]
    assert daily["bounces"].isna().all() and daily["robot_sessions"].isna().all()
    # keyEvents:generate_lead: 1 on 10-01 (vk.com) + 0 (away.vk.com), 1 on 10-02
    assert ds["conversions"]["conversion_id"].tolist() == [
        "ga4-vk_acme-20261001-generate_lead-1",
        "ga4-vk_acme-20261002-generate_lead-1",
    ]
    assert any("GA4's bounce is not Metrica's" in note for note in report.notes)
    assert any("keyEvents (2)" in note for note in report.notes)  # the unmapped total


def test_ui_csv_gives_the_same_sessions_and_ga4_bounce_on_request(tmp_path):
    folder = make_target(tmp_path / "ds")
    _ga4(folder, "traffic_acquisition.csv", ga4_bounce=True)
    daily = load_dataset(folder)["web_daily"]
    # "Session source / medium" split at " / "; only vk.com / referral rows are vk's
    assert daily["sessions"].tolist() == [10.0, 6.0]
    assert daily["duration_s"].tolist() == [505.0, 360.0]  # 10 x 50.5, 6 x 60
    # GA4 bounces = sessions - engaged sessions: 10 - 6 = 4, 6 - 4 = 2
    assert daily["bounces"].tolist() == [4.0, 2.0]


def test_reimport_changes_nothing(tmp_path):
    folder = make_target(tmp_path / "ds")
    _ga4(folder, "run_report.json", goal=["generate_lead=contact_form"])
    before = snapshot(folder)
    assert not _ga4(folder, "run_report.json", goal=["generate_lead=contact_form"]).changed
    assert snapshot(folder) == before


def _report(tmp_path, name, dims, metrics, rows):
    body = {
        "dimensionHeaders": [{"name": d} for d in dims],
        "metricHeaders": [{"name": m} for m in metrics],
        "rows": [
            {
                "dimensionValues": [{"value": v} for v in row[: len(dims)]],
                "metricValues": [{"value": v} for v in row[len(dims) :]],
            }
            for row in rows
        ],
    }
    path = tmp_path / name
    path.write_text(json.dumps(body), encoding="utf-8")
    return path


def test_a_report_by_event_name_gives_conversions_only(tmp_path):
    events = _report(
        tmp_path,
        "events.json",
        ["date", "eventName"],
        ["keyEvents"],
        [["20261001", "generate_lead", "3"], ["20261001", "purchase", "1"]],
    )
    folder = make_target(tmp_path / "ds")
    report = _ga4(folder, events, goal=["generate_lead=contact_form"])
    ds = load_dataset(folder)
    assert not ds.has("web_daily")
    assert len(ds["conversions"]) == 3  # 3 generate_lead key events; purchase has no kind
    assert any("purchase (1)" in note for note in report.notes)


def test_reports_with_different_breakdowns_are_not_added_up(tmp_path):
    by_source = _report(tmp_path, "a.json", ["date", "sessionSource"], ["sessions"], [])
    by_campaign = _report(tmp_path, "b.json", ["date", "sessionCampaignName"], ["sessions"], [])
    with pytest.raises(ImportFailedError, match="one report at a time"):
        _ga4(make_target(tmp_path / "ds"), by_source, by_campaign)
