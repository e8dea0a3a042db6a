"""On the bundled sample: every planted incident is found, clean accounts get no warning."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from smmkpi_helpers.cli import main
from smmkpi_helpers.config import SAMPLE_GROUND_TRUTH
from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.integrity import find_flags

COUNTING = ("warning", "critical")


@pytest.fixture(scope="module")
def flags():
    return find_flags(load_dataset())


@pytest.fixture(scope="module")
def truth():
    return json.loads(SAMPLE_GROUND_TRUTH.read_text(encoding="utf-8"))


def test_every_planted_incident_is_found_with_evidence(flags, truth):
    counting = flags[flags["severity"].isin(COUNTING)]
    assert truth, "the sample plants incidents"
    for incident in truth:
        mine = counting[
            (counting["kind"] == incident["kind"])
            & (counting["account_id"] == incident["account_id"])
        ]
        if incident["post_ids"]:
            hits = mine[mine["post_id"].isin(incident["post_ids"])]
            assert set(hits["post_id"]) == set(incident["post_ids"]), incident
        else:
            start = pd.Timestamp(incident["start"]) - pd.Timedelta(days=2)
            end = pd.Timestamp(incident["end"]) + pd.Timedelta(days=2)
            hits = mine[(mine["end"] >= start) & (mine["start"] <= end)]
            assert len(hits) >= 1, incident
        for _, flag in hits.iterrows():
            assert flag["evidence"] and flag["message"]


def test_clean_accounts_get_no_warning(flags, truth):
    gamed = {i["account_id"] for i in truth}
    clean = flags[~flags["account_id"].isin(gamed)]
    assert not clean["severity"].isin(COUNTING).any(), clean[["kind", "account_id", "start"]]


def test_integrity_command_json(capsys, truth):
    assert main(["integrity", "--all", "--period", "2026-10", "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    gamed = {i["account_id"] for i in truth}
    for specialist, data in result.items():
        assert set(data) == {"flags", "integrity_score"}
        touched = {f["account_id"] for f in data["flags"] if f["severity"] in COUNTING}
        if touched:
            assert touched <= gamed and data["integrity_score"] < 100, specialist
        else:
            assert data["integrity_score"] == 100.0, specialist


def test_integrity_command_table_and_errors(capsys):
    assert main(["integrity", "--specialist", "anna", "--period", "2026-10"]) == 0
    assert "anna: integrity" in capsys.readouterr().out
    assert main(["integrity", "--specialist", "zed", "--period", "2026-10"]) == 2
    assert "Known specialists" in capsys.readouterr().err
    assert main(["integrity", "--all", "--period", "October"]) == 2
