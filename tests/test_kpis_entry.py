"""The entry point: the long KPI table, comparison period, growth KPIs, extra hook, JSON shape."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from smmkpi_helpers.errors import PeriodError, UnknownSpecialistError
from smmkpi_helpers.kpis import (
    CATALOG,
    FAMILY_MODULES,
    TABLE_COLUMNS,
    compute_kpis,
    compute_values,
    kpi_report,
    kpis_json,
)
from smmkpi_helpers.kpis.catalog import FAMILIES
from smmkpi_helpers.scope import build_scope

SPECIALISTS = [{"specialist_id": s, "name": s.title()} for s in ("anna", "boris")]


def month_rows(start: str, end: str, reach: int, followers: int = 1000) -> list[dict]:
    return [
        {"account_id": "vk_a", "date": d.date().isoformat(), "followers": followers, "reach": reach}
        for d in pd.date_range(start, end, freq="D")
    ]


# Daily reach is constant within a month: 100 in August, 200 in September, 300 in October.
DAILY = (
    month_rows("2026-08-01", "2026-08-31", 100)
    + month_rows("2026-09-01", "2026-09-30", 200)
    + month_rows("2026-10-01", "2026-10-31", 300)
)


def mentions(month: str, count: int) -> list[dict]:
    return [
        {
            "mention_id": f"m{month}-{i}",
            "published_at": f"{month}-05T12:00:00Z",
            "brand": "Acme",
            "sentiment": "neutral",
        }
        for i in range(count)
    ]


def table_of(frame: pd.DataFrame) -> dict:
    return frame.set_index("kpi").to_dict(orient="index")


def test_family_modules_cover_the_catalog():
    assert tuple(m.FAMILY for m in FAMILY_MODULES) == tuple(f for f in FAMILIES if f != "integrity")


def test_table_shape_and_types(build):
    ds = build(account_daily=DAILY)
    table = compute_kpis(ds, "anna", "2026-10")
    assert tuple(table.columns) == TABLE_COLUMNS
    assert table["kpi"].tolist() == [k.id for k in CATALOG]
    assert table["family"].tolist() == [k.family for k in CATALOG]
    for column in ("value", "comparison", "change", "change_pct"):
        assert table[column].dtype == object
        assert all(v is None or type(v) in (int, float) for v in table[column])
    rows = table_of(table)
    # counts are Python ints: followers_end = 1000 (constant followers)
    assert rows["followers_end"]["value"] == 1000 and type(rows["followers_end"]["value"]) is int
    assert rows["posts_published"]["value"] == 0
    assert rows["avg_daily_reach"]["value"] == 300.0
    assert type(rows["avg_daily_reach"]["value"]) is float
    assert rows["er_reach"]["better"] == "higher"
    assert rows["requests"]["better"] is None
    assert table["gameable"].dtype == bool
    assert bool(rows["er_reach"]["gameable"]) and not bool(rows["talk_rate"]["gameable"])
    assert rows["integrity_score"]["value"] is None


def test_comparison_change_and_growth(build):
    ds = build(account_daily=DAILY)
    rows = table_of(compute_kpis(ds, "anna", "2026-10"))
    adr = rows["avg_daily_reach"]
    assert (adr["value"], adr["comparison"]) == (300.0, 200.0)
    # change = 300 - 200 = 100; change_pct = 100 / 200 x 100 = 50
    assert adr["change"] == 100.0
    assert adr["change_pct"] == pytest.approx(50.0)
    growth = rows["reach_growth"]
    # October vs September: (300 - 200) / 200 x 100 = 50
    assert growth["value"] == pytest.approx(50.0)
    # its comparison is September vs August: (200 - 100) / 100 x 100 = 100
    assert growth["comparison"] == pytest.approx(100.0)
    # change = 50 - 100 = -50 points; change_pct = -50 / |100| x 100 = -50
    assert growth["change"] == pytest.approx(-50.0)
    assert growth["change_pct"] == pytest.approx(-50.0)


def test_growth_is_null_when_the_comparison_is_null_or_zero(build):
    # September has no row: avg_daily_reach(P') is null, so reach_growth(P) is null
    ds = build(account_daily=month_rows("2026-10-01", "2026-10-31", 300))
    rows = table_of(compute_kpis(ds, "anna", "2026-10"))
    assert rows["reach_growth"]["value"] is None
    assert rows["reach_growth"]["comparison"] is None
    # September reports reach 0 every day: the growth against 0 is null, not infinite
    ds = build(account_daily=month_rows("2026-09-01", "2026-09-30", 0) + DAILY[-31:])
    rows = table_of(compute_kpis(ds, "anna", "2026-10"))
    assert rows["avg_daily_reach"]["comparison"] == 0.0
    assert rows["reach_growth"]["value"] is None
    assert rows["avg_daily_reach"]["change_pct"] is None  # change / |0| is null too


def test_mentions_growth_per_scope_date(build):
    # m / D: October 31 mentions / 31 dates = 1.0; September 15 / 30 = 0.5; August 31 / 31 = 1.0
    ds = build(
        account_daily=DAILY,
        mentions=mentions("2026-10", 31) + mentions("2026-09", 15) + mentions("2026-08", 31),
    )
    rows = table_of(compute_kpis(ds, "anna", "2026-10"))
    assert rows["mentions"]["value"] == 31
    assert rows["mentions"]["comparison"] == 15
    # (1.0 - 0.5) / 0.5 x 100 = 100; September vs August: (0.5 - 1.0) / 1.0 x 100 = -50
    assert rows["mentions_growth"]["value"] == pytest.approx(100.0)
    assert rows["mentions_growth"]["comparison"] == pytest.approx(-50.0)


def test_private_keys_never_reach_the_output(build):
    ds = build(account_daily=DAILY, mentions=mentions("2026-10", 3))
    table = compute_kpis(ds, "anna", "2026-10")
    assert not any(k.startswith("_") for k in table["kpi"])
    values = compute_values(ds, build_scope(ds, "anna", "2026-10"))
    assert list(values) == [k.id for k in CATALOG]


def test_compute_values_agrees_with_the_table(build):
    ds = build(account_daily=DAILY)
    table = compute_kpis(ds, "anna", "2026-10")
    values = compute_values(ds, build_scope(ds, "anna", "2026-10"))
    assert values == dict(zip(table["kpi"], table["value"], strict=True))
    assert values["reach_growth"] == pytest.approx(50.0)  # (300 - 200) / 200 x 100


def test_extra_hook_overrides_family_values(build):
    ds = build(account_daily=DAILY)
    seen = []

    def extra(dataset, scope):
        seen.append(scope.period.label)
        return {"integrity_score": 87.5, "clean_net_follower_growth": 12.0, "_private": 1}

    rows = table_of(compute_kpis(ds, "anna", "2026-10", extra=extra))
    assert rows["integrity_score"]["value"] == 87.5
    assert rows["integrity_score"]["comparison"] == 87.5
    # a count stays an int even when the hook returns a float
    assert rows["clean_net_follower_growth"]["value"] == 12
    assert type(rows["clean_net_follower_growth"]["value"]) is int
    assert sorted(seen) == ["2026-09", "2026-10"]  # called for P and P'


def test_specialist_without_scoped_day_gets_nulls(build):
    # boris is assigned only in 2025: no scoped day in October 2026 (rule 1)
    assignments = [
        {"specialist_id": "anna", "account_id": "vk_a", "start_date": "2026-01-01"},
        {
            "specialist_id": "boris",
            "account_id": "vk_a",
            "start_date": "2025-01-01",
            "end_date": "2025-12-31",
        },
    ]
    ds = build(specialists=SPECIALISTS, assignments=assignments, account_daily=DAILY)
    table = compute_kpis(ds, "boris", "2026-10", extra=lambda d, s: {"integrity_score": 100.0})
    assert table["value"].isna().all()
    assert table["comparison"].isna().all()
    assert all(v is None for v in table["value"])  # None, not NaN or 0


def test_handover_mid_month_and_new_specialist_without_comparison(build):
    assignments = [
        {
            "specialist_id": "anna",
            "account_id": "vk_a",
            "start_date": "2026-01-01",
            "end_date": "2026-10-15",
        },
        {"specialist_id": "boris", "account_id": "vk_a", "start_date": "2026-10-16"},
    ]
    posts = [
        {
            "post_id": "p1",
            "account_id": "vk_a",
            "published_at": "2026-10-10T10:00:00Z",
            "format": "photo",
            "likes": 10,
            "reach": 100,
        },
        {
            "post_id": "p2",
            "account_id": "vk_a",
            "published_at": "2026-10-20T10:00:00Z",
            "format": "photo",
            "likes": 30,
            "reach": 100,
        },
        {
            "post_id": "p3",
            "account_id": "vk_a",
            "published_at": "2026-10-21T10:00:00Z",
            "format": "photo",
            "likes": 10,
            "reach": 100,
        },
    ]
    ds = build(specialists=SPECIALISTS, assignments=assignments, account_daily=DAILY, posts=posts)
    anna = table_of(compute_kpis(ds, "anna", "2026-10"))
    boris = table_of(compute_kpis(ds, "boris", "2026-10"))
    assert anna["posts_published"]["value"] == 1  # p1 (10-10)
    assert boris["posts_published"]["value"] == 2  # p2, p3
    # er_reach: anna 10 / 100 x 100 = 10; boris (30 + 10) / (100 + 100) x 100 = 20
    assert anna["er_reach"]["value"] == pytest.approx(10.0)
    assert boris["er_reach"]["value"] == pytest.approx(20.0)
    # boris is new to the account: no September scope, so no comparison at all (rule 13)
    assert boris["avg_daily_reach"]["comparison"] is None
    assert boris["posts_published"]["comparison"] is None
    assert anna["posts_published"]["comparison"] == 0  # anna ran it in September, no post


def test_kpis_json_shape(build):
    ds = build(specialists=SPECIALISTS, account_daily=DAILY)
    payload = kpis_json(ds, ["anna", "boris"], "2026-10")
    assert list(payload) == ["anna", "boris"]
    anna = payload["anna"]
    assert set(anna) == {"kpis", "table"}
    assert list(anna["kpis"]) == [k.id for k in CATALOG]
    assert anna["kpis"]["avg_daily_reach"] == 300.0
    assert anna["table"][0]["kpi"] == "followers_end"
    assert set(anna["table"][0]) == set(TABLE_COLUMNS)
    # boris has no assignment: every value null
    assert all(v is None for v in payload["boris"]["kpis"].values())
    text = json.dumps(payload, allow_nan=False)  # no NaN anywhere
    assert '"bounce_rate": null' in text


def test_report_exposes_the_scopes(build):
    ds = build(account_daily=DAILY)
    report = kpi_report(ds, "anna", "2026-11")
    assert report.scope.period.label == "2026-11"
    assert report.comparison_scope.period.label == "2026-10"
    assert report.scope.uncovered_days == 30  # November has no data
    assert report.values["followers_end"] is None  # no row on the last scoped day (rule 3)


def test_errors_carry_exit_code_2(build):
    ds = build(account_daily=DAILY)
    with pytest.raises(UnknownSpecialistError) as err:
        compute_kpis(ds, "nobody", "2026-10")
    assert err.value.exit_code == 2
    with pytest.raises(PeriodError):
        compute_kpis(ds, "anna", "2026-13")


def test_restricted_view_gives_the_same_values(build, monkeypatch):
    # Every table, two accounts in far-apart time zones, rows inside and outside the period.
    accounts = [
        {
            "account_id": "vk_a",
            "platform": "vk",
            "name": "A",
            "brand": "Acme",
            "business_goal": "sales",
            "timezone": "Europe/Moscow",
        },
        {
            "account_id": "tg_b",
            "platform": "telegram",
            "name": "B",
            "brand": "Rival",
            "business_goal": "leads",
            "timezone": "Asia/Vladivostok",
        },
    ]
    assignments = [
        {"specialist_id": "anna", "account_id": "vk_a", "start_date": "2026-09-10"},
        {"specialist_id": "boris", "account_id": "tg_b", "start_date": "2026-01-01"},
    ]
    stamps = [
        "2026-08-31T22:30:00Z",
        "2026-09-15T10:00:00Z",
        "2026-09-30T21:30:00Z",
        "2026-10-01T02:00:00Z",
        "2026-10-31T21:30:00Z",
        "2026-11-01T10:00:00Z",
    ]
    tables = {
        "specialists": SPECIALISTS,
        "accounts": accounts,
        "assignments": assignments,
        "account_daily": [
            {
                "account_id": a,
                "date": d.date().isoformat(),
                "followers": 100 + i,
                "unfollows": i % 3,
                "reach": 10 * i,
            }
            for a in ("vk_a", "tg_b")
            for i, d in enumerate(pd.date_range("2026-08-01", "2026-11-02"))
        ],
        "posts": [
            {
                "post_id": f"p{i}",
                "account_id": a,
                "published_at": t,
                "format": "photo",
                "likes": i,
                "reach": 10 + i,
                "views": 20 + i,
                "link_clicks": 1,
            }
            for i, (a, t) in enumerate((a, t) for a in ("vk_a", "tg_b") for t in stamps)
        ],
        "content_plan": [
            {"account_id": a, "planned_date": d, "format": f}
            for a in ("vk_a", "tg_b")
            for d, f in (("2026-09-30", "photo"), ("2026-10-01", None), ("2026-10-31", None))
        ],
        "messages": [
            {
                "message_id": f"m{i}",
                "account_id": "vk_a",
                "thread_id": "t1",
                "sent_at": t,
                "sender": "user" if i % 2 == 0 else "staff",
            }
            for i, t in enumerate(stamps)
        ],
        "web_sessions": [
            {
                "session_id": f"s{i}",
                "started_at": t,
                "account_id": a,
                "duration_s": 5 * i,
                "pageviews": 1 + i % 2,
            }
            for i, (a, t) in enumerate((a, t) for a in ("vk_a", "tg_b") for t in stamps)
        ],
        "conversions": [
            {
                "conversion_id": "c1",
                "occurred_at": "2027-01-05T10:00:00Z",
                "goal": "call",
                "session_id": "s3",
            },  # names an October session long after the period
            {
                "conversion_id": "c2",
                "occurred_at": stamps[3],
                "goal": "purchase",
                "account_id": "vk_a",
                "value": 50,
            },
        ],
        "mentions": [
            {"mention_id": f"x{i}-{b}", "published_at": t, "brand": b, "sentiment": "positive"}
            for i, t in enumerate(stamps)
            for b in ("Acme", "Rival", "Other")
        ],
        "ad_spend": [{"account_id": "vk_a", "date": "2026-10-05", "spend": 100}],
    }
    ds = build(**tables)
    with_view = {
        (s, p): compute_kpis(ds, s, p)
        for s in ("anna", "boris")
        for p in ("2026-10", "2026-09", "2026-10-01..2026-10-01")
    }
    import smmkpi_helpers.kpis as entry

    monkeypatch.setattr(entry, "restricted_view", lambda dataset, scopes: dataset)
    for (specialist, period), table in with_view.items():
        whole = compute_kpis(ds, specialist, period)
        pd.testing.assert_frame_equal(table, whole)
    # the comparison is not vacuous: the fixture produces values in most families
    october = table_of(with_view[("anna", "2026-10")])
    for name in (
        "posts_published",
        "plan_completion",
        "social_sessions",
        "conversion_rate",
        "mentions",
        "share_of_voice",
        "requests",
        "attributed_revenue",
    ):
        assert october[name]["value"] is not None, name
