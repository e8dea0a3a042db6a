"""``smmkpi kpis``: JSON shape, CSV, the readable table, warnings and exit codes."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest
from factory import write_tables

from smmkpi_helpers.cli import main
from smmkpi_helpers.kpis import CATALOG, TABLE_COLUMNS

SPECIALISTS = [{"specialist_id": s, "name": s.title()} for s in ("anna", "boris")]
ACCOUNTS = [
    {"account_id": a, "platform": "vk", "name": a, "brand": "Acme", "business_goal": "sales"}
    for a in ("vk_a", "vk_b")
]
ASSIGNMENTS = [
    {"specialist_id": "anna", "account_id": "vk_a", "start_date": "2026-01-01"},
    {"specialist_id": "boris", "account_id": "vk_b", "start_date": "2026-01-01"},
]


def rows(account: str, reach_sep: int, reach_oct: int) -> list[dict]:
    days = pd.date_range("2026-09-01", "2026-10-31", freq="D")
    return [
        {
            "account_id": account,
            "date": d.date().isoformat(),
            "followers": 1000,
            "reach": reach_sep if d.month == 9 else reach_oct,
        }
        for d in days
    ]


@pytest.fixture
def folder(tmp_path):
    # anna's reach grows from 200 to 300 a day, boris's falls from 400 to 100.
    return str(
        write_tables(
            tmp_path / "ds",
            specialists=SPECIALISTS,
            accounts=ACCOUNTS,
            assignments=ASSIGNMENTS,
            account_daily=rows("vk_a", 200, 300) + rows("vk_b", 400, 100),
            posts=[
                {
                    "post_id": "p1",
                    "account_id": "vk_a",
                    "published_at": "2026-10-03T10:00:00Z",
                    "format": "photo",
                    "likes": 12,
                    "reach": 400,
                }
            ],
        )
    )


def test_json_shape(folder, capsys):
    assert main(["kpis", "--data", folder, "--all", "--period", "2026-10", "--format", "json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert list(payload) == ["anna", "boris"]
    anna = payload["anna"]
    assert set(anna) == {"kpis", "table"}
    assert list(anna["kpis"]) == [k.id for k in CATALOG]
    assert anna["kpis"]["avg_daily_reach"] == 300.0
    # er_reach = 12 / 400 x 100 = 3.0, unrounded; a missing value is null
    assert anna["kpis"]["er_reach"] == 3.0
    assert anna["kpis"]["bounce_rate"] is None
    assert anna["kpis"]["posts_published"] == 1
    row = anna["table"][0]
    assert list(row) == list(TABLE_COLUMNS)
    growth = next(r for r in anna["table"] if r["kpi"] == "avg_daily_reach")
    # 300 vs 200: change 100, change_pct 50
    assert growth["comparison"] == 200.0
    assert growth["change"] == 100.0
    assert growth["change_pct"] == 50.0
    assert payload["boris"]["kpis"]["avg_daily_reach"] == 100.0
    # the integrity checks are plugged in: steady followers (1000 every day) raise no flag,
    # so the score is 100 and the cleaned growth equals the net growth, 1000 - 1000 = 0
    assert anna["kpis"]["integrity_score"] == 100.0
    assert anna["kpis"]["clean_net_follower_growth"] == 0


def test_csv_long_table_with_specialist_column(folder, capsys):
    assert (
        main(
            [
                "kpis",
                "--data",
                folder,
                "--specialist",
                "boris",
                "anna",
                "--period",
                "2026-10",
                "--format",
                "csv",
            ]
        )
        == 0
    )
    records = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(records[0]) == ["specialist", *TABLE_COLUMNS]
    assert len(records) == 2 * len(CATALOG)
    assert records[0]["specialist"] == "boris"  # the order given on the command line
    adr = next(r for r in records if r["specialist"] == "anna" and r["kpi"] == "avg_daily_reach")
    assert float(adr["value"]) == 300.0
    bounce = next(r for r in records if r["kpi"] == "bounce_rate")
    assert bounce["value"] == ""  # not available: an empty cell
    assert bounce["gameable"] == "false"


def test_table_format_is_readable(folder, capsys):
    assert main(["kpis", "--data", folder, "--all", "--period", "2026-10"]) == 0
    out = capsys.readouterr().out
    assert "anna (Anna) | 2026-10 vs 2026-09" in out
    assert "Average daily reach" in out
    # anna: 300 vs 200 -> +100 (+50.0 %), better; boris: 100 vs 400 -> -300 (-75.0 %), worse
    assert "+100 (+50.0 %)  better" in out
    assert "-300 (-75.0 %)  worse" in out
    assert "n/a" in out
    # the side-by-side matrix: anna's 300 is the best daily reach of the row
    assert "All specialists, 2026-10" in out
    matrix_line = next(
        line
        for line in out.split("All specialists")[1].splitlines()
        if "Average daily reach" in line
    )
    assert matrix_line.split()[-2:] == ["300*", "100"]


def test_single_specialist_has_no_matrix(folder, capsys):
    assert main(["kpis", "--data", folder, "--specialist", "anna", "--period", "2026-10"]) == 0
    assert "All specialists" not in capsys.readouterr().out


def test_warns_about_uncovered_and_empty_scopes(folder, capsys):
    assert main(["kpis", "--data", folder, "--all", "--period", "2026-11"]) == 0
    err = capsys.readouterr().err
    # November has no account_daily row: 30 uncovered days each
    assert "'anna': 30 scoped account-day(s) in 2026-11 have no account_daily row" in err
    assert main(["kpis", "--data", folder, "--specialist", "anna", "--period", "2025-10"]) == 0
    err = capsys.readouterr().err
    assert "'anna' has no assigned account-day in 2025-10: every KPI is null" in err


def test_exit_codes(folder, capsys):
    assert main(["kpis", "--data", folder, "--all", "--period", "2026-13"]) == 2
    assert "not a valid period label" in capsys.readouterr().err
    assert main(["kpis", "--data", folder, "--specialist", "nobody", "--period", "2026-10"]) == 2
    assert "unknown specialist 'nobody'" in capsys.readouterr().err
    assert main(["kpis", "--data", folder + "_missing", "--all", "--period", "2026-10"]) == 1
    with pytest.raises(SystemExit) as info:  # neither --specialist nor --all: argparse, code 2
        main(["kpis", "--data", folder, "--period", "2026-10"])
    assert info.value.code == 2
