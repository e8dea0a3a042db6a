"""Loading and validation: every rule of the data model, and files as users really have them."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from factory import write_tables

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.errors import DatasetNotFoundError, ValidationError

ACCOUNT = {
    "account_id": "vk_a",
    "platform": "vk",
    "name": "A",
    "brand": "Acme",
    "business_goal": "sales",
    "timezone": "Europe/Moscow",
}
DAILY = [
    {"account_id": "vk_a", "date": "2026-10-01", "followers": 100, "follows": 5, "unfollows": 1},
    {"account_id": "vk_a", "date": "2026-10-02", "followers": 104, "follows": 5, "unfollows": 1},
]
POST = {
    "post_id": "p1",
    "account_id": "vk_a",
    "published_at": "2026-10-01T10:00:00+03:00",
    "format": "photo",
    "reach": 50,
    "views": 80,
    "likes": 5,
}


def issues_of(folder) -> list:
    with pytest.raises(ValidationError) as info:
        load_dataset(folder)
    return info.value.issues


def one_issue(folder, **expect):
    found = issues_of(folder)
    matching = [i for i in found if all(getattr(i, k) == v for k, v in expect.items())]
    assert matching, f"no issue with {expect} among:\n" + "\n".join(map(str, found))
    return matching[0]


def test_valid_dataset_loads_with_types(tmp_path):
    ds = load_dataset(write_tables(tmp_path, accounts=[ACCOUNT], account_daily=DAILY, posts=[POST]))
    posts = ds["posts"]
    assert posts["reach"].dtype == "float64"
    assert str(posts["published_at"].dtype) == "datetime64[ns, UTC]"
    # 10:00 at +03:00 is 07:00 UTC; the local wall clock stays 10:00
    assert posts["published_at"].iloc[0] == pd.Timestamp("2026-10-01 07:00", tz="UTC")
    assert posts["published_at_local"].iloc[0] == pd.Timestamp("2026-10-01 10:00")
    acc = ds["accounts"].iloc[0]
    # defaults of the data model fill empty optional cells
    assert (acc["currency"], acc["work_hours"], acc["work_days"]) == (
        "RUB",
        "09:00-18:00",
        "mon-fri",
    )
    assert ds.specialist_ids == ["anna"] and ds.account_ids == ["vk_a"]
    assert len(ds.fingerprint) == 64
    assert not ds.has("messages") and ds.get("messages") is None


def test_naive_timestamp_is_read_in_the_account_timezone(tmp_path):
    post = {**POST, "published_at": "2026-10-01 23:30"}  # Moscow wall clock = 20:30 UTC
    ds = load_dataset(write_tables(tmp_path, accounts=[ACCOUNT], posts=[post]))
    assert ds["posts"]["published_at"].iloc[0] == pd.Timestamp("2026-10-01 20:30", tz="UTC")
    assert ds["posts"]["published_at_local"].iloc[0] == pd.Timestamp("2026-10-01 23:30")


def test_ids_that_look_like_numbers_stay_text(tmp_path):
    specialists = [{"specialist_id": "007", "name": "Bond"}]
    assignments = [{"specialist_id": "007", "account_id": "vk_a", "start_date": "2026-01-01"}]
    ds = load_dataset(write_tables(tmp_path, specialists=specialists, assignments=assignments))
    assert ds.specialist_ids == ["007"]


def test_inputs_are_never_modified(tmp_path):
    folder = write_tables(tmp_path, accounts=[ACCOUNT], account_daily=DAILY, posts=[POST])
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    load_dataset(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


# --- one tiny bad file per rule -------------------------------------------------------------


def test_duplicate_key(tmp_path):
    folder = write_tables(tmp_path, accounts=[ACCOUNT], account_daily=[DAILY[0], DAILY[0]])
    issue = one_issue(folder, code="duplicate_key")
    assert (issue.file, issue.line) == ("account_daily.csv", 3)
    assert "first seen on line 2" in issue.message


def test_unknown_account_reference(tmp_path):
    folder = write_tables(tmp_path, accounts=[ACCOUNT], posts=[{**POST, "account_id": "vk_b"}])
    issue = one_issue(folder, code="unknown_reference", column="account_id")
    assert (issue.file, issue.line, issue.value) == ("posts.csv", 2, "vk_b")


def test_unknown_specialist_reference(tmp_path):
    bad = [{"specialist_id": "zed", "account_id": "vk_a", "start_date": "2026-01-01"}]
    folder = write_tables(tmp_path, accounts=[ACCOUNT], assignments=bad)
    one_issue(folder, code="unknown_reference", column="specialist_id", value="zed")


@pytest.mark.parametrize("value", ["-3", "1.5", "many"])
def test_counts_are_whole_numbers_not_below_zero(tmp_path, value):
    folder = write_tables(tmp_path, accounts=[ACCOUNT], posts=[{**POST, "reach": value}])
    issue = one_issue(folder, column="reach", value=value)
    assert "whole number >= 0" in issue.expected


def test_end_date_before_start_date(tmp_path):
    bad = [
        {
            "specialist_id": "anna",
            "account_id": "vk_a",
            "start_date": "2026-10-10",
            "end_date": "2026-10-01",
        }
    ]
    folder = write_tables(tmp_path, accounts=[ACCOUNT], assignments=bad)
    issue = one_issue(folder, code="end_before_start")
    assert issue.line == 2 and issue.value == "2026-10-01"


def test_timestamp_must_parse(tmp_path):
    folder = write_tables(
        tmp_path, accounts=[ACCOUNT], posts=[{**POST, "published_at": "yesterday"}]
    )
    one_issue(folder, column="published_at", value="yesterday", code="bad_timestamp")


def test_date_must_parse(tmp_path):
    folder = write_tables(
        tmp_path, accounts=[ACCOUNT], account_daily=[{**DAILY[0], "date": "01.10.2026"}]
    )
    issue = one_issue(folder, column="date", value="01.10.2026")
    assert "YYYY-MM-DD" in issue.expected


def test_enumerated_column(tmp_path):
    folder = write_tables(tmp_path, accounts=[{**ACCOUNT, "platform": "myspace"}])
    issue = one_issue(folder, column="platform", value="myspace")
    assert "telegram" in issue.expected


def test_enum_is_case_insensitive(tmp_path):
    ds = load_dataset(write_tables(tmp_path, accounts=[{**ACCOUNT, "platform": "VK"}]))
    assert ds["accounts"]["platform"].iloc[0] == "vk"


def test_required_cell_empty(tmp_path):
    folder = write_tables(tmp_path, accounts=[{**ACCOUNT, "brand": ""}])
    one_issue(folder, column="brand", code="required_empty", line=2)


def test_required_column_missing(tmp_path):
    folder = write_tables(tmp_path, accounts=[ACCOUNT])
    (folder / "specialists.csv").write_text("specialist_id\nanna\n", encoding="utf-8")
    issue = one_issue(folder, code="missing_columns", table="specialists")
    assert "name" in issue.message


def test_required_table_missing(tmp_path):
    folder = write_tables(tmp_path, accounts=[ACCOUNT])
    (folder / "posts.csv").unlink()
    one_issue(folder, code="missing_table", table="posts")


def test_two_files_for_one_table(tmp_path):
    folder = write_tables(tmp_path, accounts=[ACCOUNT])
    shutil.copy(folder / "posts.csv", folder / "posts.txt")
    issue = one_issue(folder, code="two_files", table="posts")
    assert "posts.csv" in issue.message and "posts.txt" in issue.message


def test_invalid_id(tmp_path):
    folder = write_tables(tmp_path, accounts=[{**ACCOUNT, "account_id": "../etc"}])
    issue = one_issue(folder, column="account_id", value="../etc", table="accounts")
    assert "'..'" in issue.expected


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("timezone", "Mars/Olympus"),
        ("work_hours", "9-18"),
        ("work_hours", "18:00-09:00"),
        ("work_days", "weekdays"),
    ],
)
def test_account_settings(tmp_path, column, value):
    folder = write_tables(tmp_path, accounts=[{**ACCOUNT, column: value}])
    one_issue(folder, column=column, value=value)


def test_bool_values(tmp_path):
    posts = [{**POST, "is_promoted": "Yes"}, {**POST, "post_id": "p2", "is_promoted": "maybe"}]
    folder = write_tables(tmp_path, accounts=[ACCOUNT], posts=posts)
    issue = one_issue(folder, column="is_promoted")
    assert (issue.line, issue.value) == (3, "maybe")


def test_targets_period_and_kpi(tmp_path):
    targets = [
        {"specialist_id": "anna", "period": "2026-10", "kpi": "er_reach", "target": "3,5"},
        {"specialist_id": "anna", "period": "Oct 2026", "kpi": "er_reach", "target": 1},
        {"specialist_id": "anna", "period": "2026-09", "kpi": "likes_total", "target": 1},
    ]
    folder = write_tables(tmp_path, accounts=[ACCOUNT], targets=targets)
    found = issues_of(folder)
    assert {(i.line, i.column) for i in found} == {(3, "period"), (4, "kpi")}


def test_all_breaches_are_reported_together(tmp_path):
    posts = [{**POST, "reach": -1}, {**POST, "post_id": "p2", "format": "gif"}]
    folder = write_tables(tmp_path, accounts=[{**ACCOUNT, "timezone": "Nowhere"}], posts=posts)
    found = issues_of(folder)
    assert {(i.file, i.line, i.column) for i in found} >= {
        ("accounts.csv", 2, "timezone"),
        ("posts.csv", 2, "reach"),
        ("posts.csv", 3, "format"),
    }


def test_missing_folder():
    with pytest.raises(DatasetNotFoundError, match="smmkpi init"):
        load_dataset("/nonexistent/smmkpi-data")


# --- warnings: legal but suspicious rows ---------------------------------------------------------


def test_suspicious_rows_become_warnings(tmp_path):
    posts = [{**POST, "likes": 60, "reach": 50, "views": 40}]
    daily = [DAILY[0], {**DAILY[1], "followers": 10, "follows": 0, "unfollows": 500}]
    ds = load_dataset(write_tables(tmp_path, accounts=[ACCOUNT], posts=posts, account_daily=daily))
    codes = sorted((w.code, w.column) for w in ds.warnings)
    # likes 60 > reach 50; reach 50 > views 40; unfollows 500 > 100 followers + 0 follows
    assert codes == [
        ("impossible_unfollows", "unfollows"),
        ("suspicious_post", "likes"),
        ("suspicious_post", "reach"),
    ]
    assert all(w.severity == "warning" for w in ds.warnings)


# --- files as users really have them ----------------------------------------------------------


def _with_posts_text(tmp_path, text: str, encoding: str = "utf-8", name: str = "posts.csv"):
    folder = write_tables(tmp_path, accounts=[ACCOUNT])
    (folder / "posts.csv").unlink()
    (folder / name).write_bytes(text.encode(encoding))
    return folder


def test_utf8_with_bom(tmp_path):
    text = "\ufeffpost_id,account_id,published_at,format,topic\np1,vk_a,2026-10-01,photo,Кофе\n"
    ds = load_dataset(_with_posts_text(tmp_path, text))
    assert list(ds["posts"].columns[:2]) == ["post_id", "account_id"]
    assert ds["posts"]["topic"].iloc[0] == "Кофе"


def test_cp1251_semicolons_and_decimal_comma(tmp_path):
    text = (
        "post_id;account_id;published_at;format;reach;topic\n"
        "p1;vk_a;2026-10-01 10:00;photo;1 200;Скидки на кофе\n"
    )
    folder = _with_posts_text(tmp_path, text, encoding="cp1251")
    spend = "account_id;date;spend\nvk_a;2026-10-01;1234,50\n"
    (folder / "ad_spend.csv").write_bytes(spend.encode("cp1251"))
    ds = load_dataset(folder)
    assert ds["posts"]["topic"].iloc[0] == "Скидки на кофе"
    assert ds["posts"]["reach"].iloc[0] == 1200  # a space as thousands separator
    assert ds["ad_spend"]["spend"].iloc[0] == pytest.approx(1234.5)


def test_tab_separated(tmp_path):
    text = "post_id\taccount_id\tpublished_at\tformat\np1\tvk_a\t2026-10-01\tphoto\n"
    ds = load_dataset(_with_posts_text(tmp_path, text, name="posts.tsv"))
    assert ds["posts"]["post_id"].tolist() == ["p1"]


def test_multiline_text_keeps_line_numbers(tmp_path):
    text = (
        "post_id,account_id,published_at,format,text,reach\n"
        'p1,vk_a,2026-10-01,photo,"line one\nline two\nline three",5\n'
        "p2,vk_a,2026-10-01,photo,short,-1\n"
    )
    issue = one_issue(_with_posts_text(tmp_path, text), column="reach")
    assert issue.line == 5  # p1 starts on line 2 and spans 3 lines, so p2 starts on line 5


def test_wrong_field_count(tmp_path):
    text = "post_id,account_id,published_at,format\np1,vk_a,2026-10-01,photo,extra\n"
    issue = one_issue(_with_posts_text(tmp_path, text), code="field_count")
    assert issue.line == 2


def test_empty_file(tmp_path):
    issue = one_issue(_with_posts_text(tmp_path, ""), code="empty_file")
    assert issue.file == "posts.csv" and "post_id" in issue.expected


def test_header_only_file_is_an_empty_table(tmp_path):
    ds = load_dataset(_with_posts_text(tmp_path, "post_id,account_id,published_at,format\n"))
    assert len(ds["posts"]) == 0


def test_file_of_the_wrong_table(tmp_path):
    folder = write_tables(tmp_path, accounts=[ACCOUNT], account_daily=DAILY)
    (folder / "posts.csv").unlink()
    shutil.copy(folder / "account_daily.csv", folder / "posts.csv")
    issue = one_issue(folder, code="missing_columns", table="posts")
    assert "looks like the 'account_daily' table" in issue.message


def test_xlsx_reports_sheet_rows(tmp_path):
    folder = write_tables(tmp_path, accounts=[ACCOUNT])
    (folder / "posts.csv").unlink()
    frame = pd.DataFrame(
        {
            "post_id": ["p1", "p2"],
            "account_id": ["vk_a", "vk_a"],
            "published_at": [pd.Timestamp("2026-10-01 10:00")] * 2,
            "format": ["photo", "gif"],
            "reach": [10, 20],
        }
    )
    frame.to_excel(folder / "posts.xlsx", index=False)
    issue = one_issue(folder, column="format")
    assert (issue.file, issue.line, issue.value) == ("posts.xlsx", 3, "gif")
    good = frame.assign(format="photo")
    good.to_excel(folder / "posts.xlsx", index=False)
    ds = load_dataset(folder)
    assert ds["posts"]["reach"].tolist() == [10.0, 20.0]
    assert ds["posts"]["published_at_local"].iloc[0] == pd.Timestamp("2026-10-01 10:00")


def test_parquet_tables(tmp_path):
    folder = write_tables(tmp_path, accounts=[ACCOUNT])
    (folder / "posts.csv").unlink()
    frame = pd.DataFrame(
        {
            "post_id": ["p1", "p2"],
            "account_id": ["vk_a", "vk_a"],
            "published_at": ["2026-10-01T10:00:00+03:00", "2026-10-02 09:00"],
            "format": ["photo", "video"],
            "reach": [10, None],
        }
    )
    frame.to_parquet(folder / "posts.parquet")
    ds = load_dataset(folder)
    assert ds["posts"]["reach"].isna().tolist() == [False, True]
    assert ds.files["posts"] == "posts.parquet"
    frame.assign(reach=[10, -4]).to_parquet(folder / "posts.parquet")
    issue = one_issue(folder, column="reach")
    assert issue.line == 2 and "row 2" in str(issue)


def test_files_that_name_no_table_are_ignored(tmp_path):
    folder = write_tables(tmp_path, accounts=[ACCOUNT])
    (folder / "notes.csv").write_text("whatever\n1\n", encoding="utf-8")
    assert "notes" not in load_dataset(folder).files


def test_header_only_web_sessions_leaves_web_daily_in_charge(tmp_path):
    web_daily = [{"account_id": "vk_a", "date": "2026-10-01", "sessions": 10}]
    folder = write_tables(tmp_path, accounts=[ACCOUNT], web_daily=web_daily, web_sessions=[])
    ds = load_dataset(folder)
    assert not ds.has("web_sessions") and len(ds["web_daily"]) == 1


def test_naive_time_in_the_repeated_autumn_hour_is_kept(tmp_path):
    # Europe/Berlin goes back from 03:00 to 02:00 on 2026-10-25: 02:30 happens twice; the
    # loader takes the first (summer time, UTC+2), so 02:30 local = 00:30 UTC
    account = {**ACCOUNT, "timezone": "Europe/Berlin"}
    post = {**POST, "published_at": "2026-10-25 02:30"}
    ds = load_dataset(write_tables(tmp_path, accounts=[account], posts=[post]))
    assert ds["posts"]["published_at"].iloc[0] == pd.Timestamp("2026-10-25 00:30", tz="UTC")
