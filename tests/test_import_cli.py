"""``smmkpi import``: exit codes (0 ok, 1 data problem, 2 command line) and messages."""

from __future__ import annotations

import pytest
from test_import_common import fixture, make_target, snapshot

from smmkpi_helpers.cli import main


def _run(capsys, *args):
    code = main(["import", *map(str, args)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def test_import_prints_a_summary(tmp_path, capsys):
    folder = make_target(tmp_path / "ds")
    code, out, err = _run(
        capsys, "vk-wall", fixture("vk", "wall_get.json"), "--into", folder, "--account", "vk_acme"
    )
    assert code == 0
    assert "vk-wall: 1 file(s) into 'ds' for account vk_acme" in out
    assert "posts.csv: 3 added, 0 changed (0 cells), 0 unchanged" in out
    assert "note: 1 postponed or suggested post(s) left out" in err
    code, out, _ = _run(
        capsys, "vk-wall", fixture("vk", "wall_get.json"), "--into", folder, "--account", "vk_acme"
    )
    assert code == 0 and "Nothing changed" in out and "3 unchanged" in out


def test_dry_run(tmp_path, capsys):
    folder = make_target(tmp_path / "ds")
    before = snapshot(folder)
    args = ("vk-wall", fixture("vk", "wall_get.json"), "--into", folder, "--account", "vk_acme")
    code, out, _ = _run(capsys, *args, "--dry-run")
    assert code == 0 and out.startswith("Dry run: vk-wall") and "3 added" in out
    assert snapshot(folder) == before


def test_unknown_account_says_how_to_add_it(tmp_path, capsys):
    folder = make_target(tmp_path / "ds")
    code, _, err = _run(
        capsys, "vk-wall", fixture("vk", "wall_get.json"), "--into", folder, "--account", "vk_new"
    )
    assert code == 2
    assert "account 'vk_new' is not in the dataset's accounts table" in err
    assert "account_id,platform,name,brand,business_goal" in err
    assert "vk_new,vk,Acme in vk,Acme,sales" in err


def test_platform_mismatch_is_a_command_line_error(tmp_path, capsys):
    folder = make_target(tmp_path / "ds")
    code, _, err = _run(
        capsys, "vk-wall", fixture("vk", "wall_get.json"), "--into", folder, "--account", "tg_acme"
    )
    assert code == 2 and "'tg_acme' is a telegram account" in err


def test_a_file_of_the_wrong_kind(tmp_path, capsys):
    folder = make_target(tmp_path / "ds")
    code, _, err = _run(
        capsys,
        "telegram-export",
        fixture("telegram", "broadcast_stats.json"),
        "--into",
        folder,
        "--account",
        "tg_acme",
    )
    assert code == 1
    assert "this is not a Telegram Desktop channel export" in err
    assert "smmkpi import telegram-stats" in err


def test_rejected_rows_fail_the_import_unless_skipped(tmp_path, capsys):
    bad = tmp_path / "fb.csv"
    text = fixture("facebook", "uci_style.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace("139300;Link;3;12;4;9", "139300;Link;3;13;4;9"), encoding="utf-8")
    folder = make_target(tmp_path / "ds")
    before = snapshot(folder)
    args = ("facebook-posts", bad, "--into", folder, "--account", "fb_acme", "--year", "2014")
    code, _, err = _run(capsys, *args)
    assert code == 1 and snapshot(folder) == before
    # the header is line 1; the Link post is the third record, line 4
    assert "fb.csv, line 4, column 'Post Month, Post Weekday, Post Hour'" in err
    assert "--skip-invalid" in err
    code, out, err = _run(capsys, *args, "--skip-invalid")
    assert code == 0 and "posts.csv: 5 added" in out
    assert "1 row(s) were rejected and not imported" in err


def test_options_that_go_together(tmp_path, capsys):
    folder = make_target(tmp_path / "ds")
    code, _, err = _run(
        capsys,
        "vk-stats",
        fixture("vk", "stats_get.json"),
        "--into",
        folder,
        "--account",
        "vk_acme",
        "--followers",
        "5000",
    )
    assert code == 2 and "--followers and --on go together" in err


def test_an_invalid_dataset_is_not_imported_into(tmp_path, capsys):
    folder = make_target(tmp_path / "ds")
    (folder / "posts.csv").write_text("post_id,account_id\n1,vk_acme\n", encoding="utf-8")
    code, _, err = _run(
        capsys, "vk-wall", fixture("vk", "wall_get.json"), "--into", folder, "--account", "vk_acme"
    )
    assert code == 1 and "is not valid, so nothing was imported" in err


def test_no_source_prints_the_sources(capsys):
    code, _, err = _run(capsys)
    assert code == 2 and "metrica-logs" in err and "mentions" in err


def test_an_option_of_another_source_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(
            [
                *("import", "vk-wall", "x.json", "--into", str(tmp_path)),
                *("--account", "vk_acme", "--year", "2014"),
            ]
        )
    assert info.value.code == 2
    assert "unrecognized arguments: --year" in capsys.readouterr().err
