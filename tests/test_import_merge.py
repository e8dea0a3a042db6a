"""Importers: the merge rules (keys, provided cells, modes, formats, transaction, dry run)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_import_common import fixture, make_target, snapshot

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.errors import ImportFailedError, Issue, ValidationError
from smmkpi_helpers.importers import merge as merge_module
from smmkpi_helpers.importers import run_import
from smmkpi_helpers.importers.common import TableUpdate, finalize
from smmkpi_helpers.importers.merge import apply_merge, plan_merge, table_key
from smmkpi_helpers.storage import write_table

POST = {
    "post_id": "1",
    "account_id": "vk_acme",
    "published_at": "2026-10-01 10:00",
    "format": "photo",
    "views": "100",
    "likes": "12.0",
    "topic": "sale",
}


def _merge(folder, table, rows, *, mode="upsert", dry_run=False):
    """Finalize rows, plan and apply the merge; return the plan."""
    update, issues = finalize(TableUpdate(table, pd.DataFrame(rows), mode=mode))
    assert issues == []
    plan = plan_merge(load_dataset(folder), [update])
    apply_merge(folder, plan, dry_run=dry_run)
    return plan


def test_matched_row_takes_provided_cells_and_keeps_the_others(tmp_path):
    folder = make_target(tmp_path / "ds", posts=[POST])
    plan = _merge(
        folder,
        "posts",
        [
            {"post_id": "1", "account_id": "vk_acme", "likes": 15, "views": None},
            {
                "post_id": "2",
                "account_id": "vk_acme",
                "published_at": "2026-10-02T09:00:00+03:00",
                "format": "video",
                "likes": 3,
            },
        ],
    )
    change = plan.changes[0]
    assert (change.added, change.changed_rows, change.changed_cells, change.unchanged) == (
        1,
        1,
        1,
        0,
    )
    posts = load_dataset(folder)["posts"].set_index("post_id")
    assert posts.loc["1", "likes"] == 15.0  # provided: replaced
    assert posts.loc["1", "views"] == 100.0  # not provided: kept
    assert posts.loc["1", "topic"] == "sale"  # not a column of the import: kept
    assert posts.loc["2", "format"] == "video" and pd.isna(posts.loc["2", "views"])


def test_same_values_in_other_words_change_nothing(tmp_path):
    # "2026-10-01 10:00" in Moscow is 07:00Z, the same instant as 10:00+03:00; 12.0 is 12
    folder = make_target(tmp_path / "ds", posts=[POST])
    before = snapshot(folder)
    plan = _merge(
        folder,
        "posts",
        [
            {
                "post_id": "1",
                "account_id": "vk_acme",
                "published_at": "2026-10-01T07:00:00+00:00",
                "likes": 12,
                "format": "PHOTO",
            }
        ],
    )
    assert not plan.changed and plan.changes[0].unchanged == 1
    assert snapshot(folder) == before


def test_update_rows_never_create_rows(tmp_path):
    folder = make_target(tmp_path / "ds", posts=[POST])
    update, _ = finalize(
        TableUpdate(
            "posts",
            pd.DataFrame(
                {"post_id": ["9"], "account_id": ["vk_acme"], "reach": [5], "_file": ["r.json"]}
            ),
            mode="update",
            hint="import the wall first",
        )
    )
    plan = plan_merge(load_dataset(folder), [update])
    assert not plan.changed
    assert len(plan.issues) == 1
    assert "its post_id is not in the dataset's posts table; import the wall first" in str(
        plan.issues[0]
    )


def test_insert_rows_never_change_existing_rows(tmp_path):
    folder = make_target(
        tmp_path / "ds",
        account_daily=[{"account_id": "fb_acme", "date": "2014-12-01", "followers": "100"}],
    )
    plan = _merge(
        folder,
        "account_daily",
        [
            {"account_id": "fb_acme", "date": "2014-12-01", "followers": 139250},
            {"account_id": "fb_acme", "date": "2014-12-03", "followers": 139300},
        ],
        mode="insert",
    )
    assert (plan.changes[0].added, plan.changes[0].unchanged) == (1, 1)
    daily = load_dataset(folder)["account_daily"]
    assert daily["followers"].tolist() == [100.0, 139300.0]


def test_new_row_without_a_required_column_is_rejected(tmp_path):
    folder = make_target(tmp_path / "ds")
    update, _ = finalize(
        TableUpdate(
            "account_daily",
            pd.DataFrame(
                {"account_id": ["vk_acme"], "date": ["2026-10-01"], "reach": [5], "_line": [4]}
            ),
            hint="give --followers",
        )
    )
    plan = plan_merge(load_dataset(folder), [update])
    assert not plan.changed
    assert "it has no followers, which account_daily requires; give --followers" in str(
        plan.issues[0]
    )


def test_new_rows_are_appended_in_time_order(tmp_path):
    folder = make_target(tmp_path / "ds")
    _merge(
        folder,
        "account_daily",
        [
            {"account_id": "vk_acme", "date": "2026-10-03", "followers": 3},
            {"account_id": "vk_acme", "date": "2026-10-01", "followers": 1},
        ],
    )
    text = (folder / "account_daily.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",")[1] for line in text[1:]] == ["2026-10-01", "2026-10-03"]


def test_parquet_table_stays_parquet(tmp_path):
    folder = make_target(tmp_path / "ds")
    (folder / "posts.csv").unlink()
    write_table(
        pd.DataFrame(columns=["post_id", "account_id", "published_at", "format"]),
        "posts",
        folder,
        fmt="parquet",
    )
    run_import("vk-wall", [fixture("vk", "wall_get.json")], into=folder, account="vk_acme")
    assert not (folder / "posts.csv").exists()
    posts = load_dataset(folder)["posts"]
    assert sorted(posts["post_id"]) == ["101", "102", "103"]
    before = snapshot(folder)
    run_import("vk-wall", [fixture("vk", "wall_get.json")], into=folder, account="vk_acme")
    assert snapshot(folder) == before


def test_excel_table_is_not_rewritten(tmp_path):
    folder = make_target(tmp_path / "ds")
    (folder / "posts.csv").unlink()
    pd.DataFrame(columns=["post_id", "account_id", "published_at", "format"]).to_excel(
        folder / "posts.xlsx", index=False
    )
    before = snapshot(folder)
    with pytest.raises(ImportFailedError, match=r"posts.xlsx: .* save it as posts.csv"):
        run_import("vk-wall", [fixture("vk", "wall_get.json")], into=folder, account="vk_acme")
    assert snapshot(folder) == before


def test_an_invalid_merge_writes_nothing(tmp_path, monkeypatch):
    folder = make_target(tmp_path / "ds")
    before = snapshot(folder)

    def refuse(path):
        raise ValidationError([Issue("posts", "made up", file="posts.csv", line=2)])

    monkeypatch.setattr(merge_module, "load_dataset", refuse)
    with pytest.raises(ImportFailedError, match="would not be valid, so nothing was written"):
        run_import("vk-wall", [fixture("vk", "wall_get.json")], into=folder, account="vk_acme")
    assert snapshot(folder) == before


def test_a_failed_write_restores_the_previous_files(tmp_path, monkeypatch):
    # facebook-posts changes two tables; the second rename fails
    folder = make_target(tmp_path / "ds")
    before = snapshot(folder)
    real_replace = merge_module.os.replace
    calls = {"n": 0}

    def flaky(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:  # 1: back up posts, 2: new posts in place, 3: back up account_daily
            raise OSError("disk full")
        return real_replace(src, dst)

    monkeypatch.setattr(merge_module.os, "replace", flaky)
    with pytest.raises(ImportFailedError, match=r"disk full.*previous files were restored"):
        run_import(
            "facebook-posts",
            [fixture("facebook", "uci_style.csv")],
            into=folder,
            account="fb_acme",
            options={"year": 2014},
        )
    assert snapshot(folder) == before  # no temporary or backup file is left either


def test_dry_run_reports_and_writes_nothing(tmp_path):
    folder = make_target(tmp_path / "ds")
    before = snapshot(folder)
    report = run_import(
        "vk-wall", [fixture("vk", "wall_get.json")], into=folder, account="vk_acme", dry_run=True
    )
    assert report.changes[0].added == 3 and report.dry_run
    assert "Nothing was written (dry run)" in report.describe()
    assert snapshot(folder) == before


def test_aggregates_remove_an_empty_web_sessions_file(tmp_path):
    # web_daily is read only when web_sessions is absent (data-model.md)
    folder = make_target(tmp_path / "ds", web_sessions=[])
    report = run_import(
        "metrica-report", [fixture("metrica", "report_ru.csv")], into=folder, account="vk_acme"
    )
    assert not (folder / "web_sessions.csv").exists()
    assert any(c.removed and c.table == "web_sessions" for c in report.changes)
    assert not load_dataset(folder).has("web_sessions")


def test_aggregates_keep_web_sessions_with_rows_and_say_so(tmp_path):
    session = {
        "session_id": "s1",
        "started_at": "2026-10-01T10:00:00+03:00",
        "duration_s": "5",
        "pageviews": "1",
    }
    folder = make_target(tmp_path / "ds", web_sessions=[session])
    report = run_import(
        "metrica-report", [fixture("metrica", "report_ru.csv")], into=folder, account="vk_acme"
    )
    assert (folder / "web_sessions.csv").exists()
    assert any("leave web_daily aside" in note for note in report.notes)


def test_input_files_are_never_modified(tmp_path):
    folder = make_target(tmp_path / "ds")
    inputs = [fixture("facebook", "uci_style.csv")]
    before = {p: p.read_bytes() for p in inputs}
    run_import("facebook-posts", inputs, into=folder, account="fb_acme", options={"year": 2014})
    assert {p: p.read_bytes() for p in inputs} == before


def test_tables_without_a_key_use_a_natural_key():
    assert table_key("posts") == ("account_id", "post_id")
    assert table_key("ad_spend") == ("account_id", "date", "campaign")
    assert table_key("content_plan") == ("account_id", "planned_date", "format", "topic")


def test_same_value_rules_for_timestamps():
    from smmkpi_helpers.importers.merge import _same
    from smmkpi_helpers.schema import TABLES

    mentions = TABLES["mentions"].column("published_at")
    old = pd.Series(["2026-10-01T10:00:00", "2026-10-01T10:00:00", "2026-10-01T10:00:00+00:00"])
    new = pd.Series(["2026-10-01 10:00", "2026-10-01T10:00:00Z", "2026-10-01T13:00:00+03:00"])
    # a mention's wall-clock time is not the instant 10:00Z; two spellings of one instant are
    assert _same(old, new, mentions, None).tolist() == [True, False, True]
    posts = TABLES["posts"].column("published_at")
    zones = pd.Series(["Europe/Moscow", "Europe/Moscow"])
    old = pd.Series(["2026-10-01 10:00", "2026-10-01 10:00"])
    new = pd.Series(["2026-10-01T10:00:00+03:00", "2026-10-01T10:00:00Z"])
    # a post's naive time is read in its account's zone: 10:00 in Moscow is 10:00+03:00
    assert _same(old, new, posts, zones).tolist() == [True, False]
