"""Importers: mentions from monitoring services, with column mappings."""

from __future__ import annotations

import pandas as pd
import pytest
from test_import_common import fixture, make_target, snapshot

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.errors import UsageError
from smmkpi_helpers.importers import run_import
from smmkpi_helpers.importers.common import stable_hash
from smmkpi_helpers.importers.mentions import parse_sentiment


def _mentions(folder, name, account="vk_acme", **options):
    path = fixture("mentions", name) if isinstance(name, str) else name
    return run_import("mentions", [path], into=folder, account=account, options=options)


def test_russian_monitoring_export(tmp_path):
    folder = make_target(tmp_path / "ds")
    _mentions(folder, "monitoring_ru.csv", own_authors=["Acme"])
    mentions = load_dataset(folder)["mentions"]
    assert mentions["mention_id"].tolist()[0] == "m-" + stable_hash("https://vk.com/wall-1_10")
    assert mentions["brand"].tolist() == ["Acme", "Acme", "Acme", "Rival"]
    assert mentions["sentiment"].tolist() == ["positive", "neutral", "negative", "positive"]
    assert mentions["author_audience"].tolist() == [1200.0, 50000.0, 300.0, 800.0]  # "1 200"
    assert mentions["own"].tolist() == [False, True, False, False]  # author "Acme"
    # date and time columns joined; no offset: the wall clock is kept (naive)
    assert mentions["published_at_naive"].all()
    assert (folder / "mentions.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[1] == (
        "2026-10-01T10:15:00"
    )


def test_timezone_option_attaches_an_offset(tmp_path):
    folder = make_target(tmp_path / "ds")
    _mentions(folder, "monitoring_ru.csv", timezone="Europe/Moscow")
    mentions = load_dataset(folder)["mentions"]
    assert not mentions["published_at_naive"].any()
    # 10:15 in Moscow is 07:15Z
    assert mentions["published_at"].iloc[0] == pd.Timestamp("2026-10-01T07:15:00Z")


def test_english_export_with_ids_offsets_and_scores(tmp_path):
    folder = make_target(tmp_path / "ds")
    _mentions(folder, "brand24.csv", account=None, brand="Acme")
    mentions = load_dataset(folder)["mentions"].set_index("mention_id")
    assert mentions.index.tolist() == ["b24-1", "b24-2", "b24-3"]
    # sentiment scores 1, 0, -0.6 by their sign
    assert mentions["sentiment"].tolist() == ["positive", "neutral", "negative"]
    assert mentions.loc["b24-1", "published_at"] == pd.Timestamp("2026-10-01T06:00:00Z")
    assert mentions["own"].isna().all() and (mentions["brand"] == "Acme").all()
    assert mentions.loc["b24-1", "text"] == "Love Acme, really"


def test_reimport_changes_nothing(tmp_path):
    folder = make_target(tmp_path / "ds")
    _mentions(folder, "monitoring_ru.csv")
    before = snapshot(folder)
    assert not _mentions(folder, "monitoring_ru.csv").changed
    assert snapshot(folder) == before


def test_column_mapping_and_xlsx(tmp_path):
    frame = pd.DataFrame(
        {
            "Когда": ["2026-10-05 12:00"],
            "Что": ["Acme в новостях"],
            "Где": ["https://news.example/1"],
        }
    )
    path = tmp_path / "export.xlsx"
    frame.to_excel(path, index=False)
    folder = make_target(tmp_path / "ds")
    _mentions(folder, path, col=["published_at=Когда", "text=Что", "url=Где"])
    row = load_dataset(folder)["mentions"].iloc[0]
    assert (row["text"], row["url"], row["brand"]) == (
        "Acme в новостях",
        "https://news.example/1",
        "Acme",
    )
    with pytest.raises(UsageError, match="no such column"):
        _mentions(folder, path, col=["published_at=Date"])


def test_parse_sentiment_words_and_numbers():
    values, bad = parse_sentiment(pd.Series(["Positive", "негатив", "нейтральная", "0.2", "??"]))
    assert values.tolist() == ["positive", "negative", "neutral", "positive", None]
    assert bad.tolist() == [False, False, False, False, True]
