"""Importers: shared pieces (reading, cells, ids, follower rebuild, attribution, detection).

This module also holds the helpers the other ``test_import_*`` modules use: the fixture folder
and a target dataset with one account per platform.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factory import write_tables

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.errors import ImportFailedError, UsageError
from smmkpi_helpers.importers.attribution import (
    Rule,
    attribute,
    default_rules,
    load_rules,
    parse_goal_pairs,
)
from smmkpi_helpers.importers.common import (
    TableUpdate,
    finalize,
    local_iso,
    make_id,
    parse_delimited,
    read_source_file,
    text_cells,
    unix_to_iso,
)
from smmkpi_helpers.importers.detect import describe_json, describe_table
from smmkpi_helpers.importers.followers import Anchor, choose_anchor, rebuild_followers

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "imports"

ACCOUNTS = [
    {
        "account_id": account,
        "platform": platform,
        "name": f"Acme {platform}",
        "brand": "Acme",
        "business_goal": "sales",
        "timezone": zone,
    }
    for account, platform, zone in (
        ("vk_acme", "vk", "Europe/Moscow"),
        ("tg_acme", "telegram", "Europe/Moscow"),
        ("ig_acme", "instagram", "Europe/Moscow"),
        ("fb_acme", "facebook", "UTC"),
    )
]


def fixture(*parts: str) -> Path:
    """Return a fixture file under tests/fixtures/imports."""
    return FIXTURES.joinpath(*parts)


def make_target(folder: Path, **tables: list[dict]) -> Path:
    """Write a valid dataset with the four Acme accounts (plus ``tables``) into ``folder``."""
    tables.setdefault("accounts", ACCOUNTS)
    tables.setdefault(
        "assignments",
        [
            {"specialist_id": "anna", "account_id": a["account_id"], "start_date": "2014-01-01"}
            for a in ACCOUNTS
        ],
    )
    return write_tables(folder, **tables)


def snapshot(folder: Path) -> dict[str, str]:
    """Return the sha256 of every file in ``folder`` (hidden files included)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


# --------------------------------------------------------------------------- cells and ids


def test_make_id_keeps_valid_ids_and_repairs_others():
    assert make_id("12345") == "12345"
    assert make_id(17900000000000001) == "17900000000000001"
    assert make_id("ba:post/77") == "ba_post_77"
    assert make_id("..x") == "x"
    assert make_id("") is None and make_id(None) is None
    long = "a" * 80
    repaired = make_id(long)
    assert len(repaired) <= 64 and repaired != make_id("a" * 81)  # hash keeps them apart


def test_text_cells_is_the_canonical_cell_form():
    cells = text_cells(pd.Series([12.0, 2.5, None, np.nan], dtype=object))
    assert cells.tolist() == ["12", "2.5", None, None]
    assert text_cells(pd.Series([" a\r\nb ", "", True])).tolist() == ["a\nb", None, "true"]


def test_unix_and_wall_times_become_iso_with_the_account_offset():
    # 1790838000 = 2026-10-01T07:00:00Z = 10:00 in Moscow (UTC+3, no DST)
    assert unix_to_iso(pd.Series([1790838000]), "Europe/Moscow").tolist() == [
        "2026-10-01T10:00:00+03:00"
    ]
    wall = pd.Series(pd.to_datetime(["2026-07-01 12:00", None]))
    # Berlin is UTC+2 in summer
    assert local_iso(wall, "Europe/Berlin").tolist() == ["2026-07-01T12:00:00+02:00", None]


def test_parse_delimited_skips_a_comment_preamble_and_counts_lines():
    text = "# GA4 export\n# Start date: 20261001\nDate,Sessions\n20261001,10\n\n20261002,6\n"
    raw = parse_delimited(text, "ga4.csv")
    assert raw.frame.columns.tolist() == ["Date", "Sessions"]
    # header on line 3, records on lines 4 and 6 (line 5 is blank)
    assert raw.lines.tolist() == [4, 6]
    assert raw.frame["Sessions"].tolist() == ["10", "6"]


def test_read_source_file_decodes_cp1251_and_semicolons(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes("Дата;Визиты\n01.10.2026;5\n".encode("cp1251"))
    raw = read_source_file(path, "table").table
    assert raw.frame.columns.tolist() == ["Дата", "Визиты"] and raw.separator == ";"
    assert raw.frame.iloc[0].tolist() == ["01.10.2026", "5"]


def test_read_source_file_says_what_a_wrong_file_looks_like(tmp_path):
    path = tmp_path / "posts.json"
    path.write_text("Lifetime Post Total Reach;like\n10;1\n", encoding="utf-8")
    with pytest.raises(ImportFailedError, match="facebook-posts"):
        read_source_file(path, "json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"response": [1, 2', encoding="utf-8")
    with pytest.raises(ImportFailedError, match=r"broken.json: not valid JSON \(line 1"):
        read_source_file(broken, "json")


def test_finalize_rejects_rows_with_bad_cells_and_names_file_and_line():
    rows = pd.DataFrame(
        {
            "account_id": ["vk_a", "vk_a"],
            "post_id": ["1", "2"],
            "published_at": ["2026-10-01T10:00:00+03:00", "2026-10-01T11:00:00+03:00"],
            "format": ["photo", "photo"],
            "likes": [5, -1],
            "_file": ["x.csv", "x.csv"],
            "_line": [2, 3],
        }
    )
    update, issues = finalize(TableUpdate("posts", rows, sources={"likes": "like"}))
    assert update.rows["post_id"].tolist() == ["1"]
    assert len(issues) == 1
    text = str(issues[0])
    assert "x.csv, line 3, column 'like'" in text and "got '-1'" in text


# --------------------------------------------------------------------------- followers


def _days(follows, unfollows):
    return pd.DataFrame(
        {
            "date": pd.date_range("2026-10-01", periods=len(follows), freq="D"),
            "follows": [float("nan") if v is None else float(v) for v in follows],
            "unfollows": [float("nan") if v is None else float(v) for v in unfollows],
        }
    )


def test_rebuild_followers_walks_both_ways_from_the_anchor():
    days = _days([10, 4, 0, 6], [2, 0, 0, 1])
    totals = rebuild_followers(days, Anchor(pd.Timestamp("2026-10-03"), 5000.0, "given"))
    # 10-03: 5000 (anchor); 10-02: 5000 - (0 - 0) = 5000; 10-01: 5000 - (4 - 0) = 4996;
    # 10-04: 5000 + (6 - 1) = 5005
    assert totals.tolist() == [4996.0, 5000.0, 5000.0, 5005.0]


def test_rebuild_followers_from_the_day_before_the_export():
    days = _days([3, 2], [1, 0])
    totals = rebuild_followers(days, Anchor(pd.Timestamp("2026-09-30"), 100.0, "given"))
    # 10-01: 100 + (3 - 1) = 102; 10-02: 102 + (2 - 0) = 104
    assert totals.tolist() == [102.0, 104.0]


def test_rebuild_followers_stops_at_a_day_without_counts():
    days = _days([1, None, 1], [0, 0, 0])
    totals = rebuild_followers(days, Anchor(pd.Timestamp("2026-10-01"), 50.0, "given"))
    # 10-02 lacks follows: neither it nor 10-03 (reached through it) can be computed
    assert totals.iloc[0] == 50.0 and totals.iloc[1:].isna().all()


def test_rebuild_followers_refuses_an_anchor_outside_the_export():
    with pytest.raises(ValueError, match="2026-09-30, the day before the first"):
        rebuild_followers(_days([1], [0]), Anchor(pd.Timestamp("2026-10-05"), 1.0, "given"))


def test_choose_anchor_prefers_the_given_total_then_the_dataset():
    dates = pd.Series(pd.date_range("2026-10-01", periods=3, freq="D"))
    known = pd.DataFrame(
        {
            "date": pd.to_datetime(["2026-09-29", "2026-09-30", "2026-10-02"]),
            "followers": [9.0, 10.0, 12.0],
        }
    )
    given = choose_anchor(dates, given=(7.0, "2026-10-03"), known=known)
    assert (given.date, given.followers) == (pd.Timestamp("2026-10-03"), 7.0)
    # without a given total: the earliest known day from the day before the first (09-30)
    from_data = choose_anchor(dates, given=None, known=known)
    assert (from_data.date, from_data.followers) == (pd.Timestamp("2026-09-30"), 10.0)
    assert choose_anchor(dates, given=None, known=None) is None


# --------------------------------------------------------------------------- attribution


def test_attribute_first_matching_rule_wins_case_insensitive_with_wildcards():
    visits = pd.DataFrame(
        {
            "utm_source": ["VK", "vk", None, "telegram"],
            "utm_campaign": ["autumn_sale", "spring", None, None],
            "social_network": [None, None, "vkontakte", None],
        }
    )
    rules = [
        Rule("vk_sale", (("utm_source", "vk"), ("utm_campaign", "autumn*"))),
        Rule("vk_a", (("utm_source", "vk"),)),
        Rule("vk_a", (("social_network", "vkontakte"),)),
    ]
    assert attribute(visits, rules).tolist() == ["vk_sale", "vk_a", "vk_a", None]


def test_default_rules_follow_the_platform():
    described = [r.describe() for r in default_rules("tg_a", "telegram")]
    assert "messenger=telegram -> tg_a" in described and "utm_source=t.me -> tg_a" in described
    with pytest.raises(UsageError, match="--map"):
        default_rules("x_a", "other")


def test_load_rules_checks_accounts_and_columns(tmp_path):
    good = tmp_path / "map.csv"
    good.write_text("account_id,utm_source,social_network\nvk_a,vk,\nvk_a,,vkontakte\n")
    rules = load_rules(good, {"vk_a"})
    assert [r.conditions for r in rules] == [
        (("utm_source", "vk"),),
        (("social_network", "vkontakte"),),
    ]
    with pytest.raises(UsageError, match="line 2: account 'vk_a' is not in the dataset"):
        load_rules(good, {"other"})
    bad = tmp_path / "bad.csv"
    bad.write_text("account_id,colour\nvk_a,red\n")
    with pytest.raises(UsageError, match="unknown: colour"):
        load_rules(bad, {"vk_a"})


def test_goal_pairs_need_a_known_kind():
    assert parse_goal_pairs(["55=contact_form", "lead = Call"]) == {
        "55": "contact_form",
        "lead": "call",
    }
    with pytest.raises(UsageError, match="not a goal kind"):
        parse_goal_pairs(["55=lead"])
    with pytest.raises(UsageError, match="expected ID=KIND"):
        parse_goal_pairs(["55"])


# --------------------------------------------------------------------------- detection


def test_detection_names_the_right_importer():
    import json

    def of(*parts):
        return describe_json(json.loads(fixture(*parts).read_text(encoding="utf-8")))

    assert "vk-stats" in of("vk", "stats_get.json")
    assert "vk-wall" in of("vk", "wall_get.json")
    assert "vk-post-reach" in of("vk", "post_reach.json")
    assert "telegram-export" in of("telegram", "result.json")
    assert "telegram-stats" in of("telegram", "broadcast_stats.json")
    assert "instagram" in of("instagram", "media.json")
    assert "ga4" in of("ga4", "run_report.json")
    assert "metrica-report" in of("metrica", "report.json")
    assert "metrica-logs" in describe_table(["ym:s:visitID", "ym:s:dateTime"])
    assert "copy it into the dataset" in describe_table(
        ["post_id", "account_id", "published_at", "format"]
    )


def test_make_target_is_a_valid_dataset(tmp_path):
    ds = load_dataset(make_target(tmp_path / "ds"))
    assert ds.account_ids == ["fb_acme", "ig_acme", "tg_acme", "vk_acme"]
