"""The data commands: exit codes and messages (0 ok, 1 data failed, 2 command line wrong)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from factory import write_tables

from smmkpi_helpers.cli import main


def test_validate_valid_dataset(tmp_path, capsys):
    folder = write_tables(tmp_path / "ds")
    assert main(["validate", "--data", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Dataset 'ds' is valid" in out and "specialists: 1 (anna)" in out


def test_validate_json(tmp_path, capsys):
    import json

    folder = write_tables(tmp_path / "ds")
    assert main(["validate", "--data", str(folder), "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["specialists"] == ["anna"] and summary["tables"]["posts"] == 0


def test_validate_invalid_dataset_lists_every_problem(tmp_path, capsys):
    folder = write_tables(tmp_path / "ds")
    (folder / "accounts.csv").write_text(
        "account_id,platform,name,brand,business_goal\nvk_a,myspace,A,Acme,fame\n",
        encoding="utf-8",
    )
    assert main(["validate", "--data", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "accounts.csv, line 2, column 'platform'" in err
    assert "accounts.csv, line 2, column 'business_goal'" in err
    assert "Traceback" not in err


def test_validate_missing_folder(tmp_path, capsys):
    assert main(["validate", "--data", str(tmp_path / "nope")]) == 1
    assert "smmkpi init" in capsys.readouterr().err


def test_unknown_option_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["validate", "--colour"])
    assert info.value.code == 2
    assert "unrecognized arguments" in capsys.readouterr().err


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "validate" in capsys.readouterr().err


def test_init_writes_headers_and_never_overwrites(tmp_path, capsys):
    target = tmp_path / "mine"
    assert main(["init", str(target)]) == 0
    header = (target / "posts.csv").read_text(encoding="utf-8")
    assert header.startswith("post_id,account_id,published_at,format,")
    assert main(["validate", "--data", str(target)]) == 0
    (target / "posts.csv").write_text("changed", encoding="utf-8")
    assert main(["init", str(target)]) == 1
    assert (target / "posts.csv").read_text(encoding="utf-8") == "changed"
    assert "nothing was written" in capsys.readouterr().err


def test_help_on_every_command():
    for command in ("validate", "init", "sample"):
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0


def test_console_script_runs_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "smmkpi_helpers", "validate", "--data", str(tmp_path / "nope")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("smmkpi: error:") and "Traceback" not in result.stderr
