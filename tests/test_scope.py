"""Scope: which account-days count for a specialist in a period (kpi-catalog.md, rules 1-2)."""

from __future__ import annotations

import pandas as pd
import pytest

from smmkpi_helpers.errors import InvalidIdError, UnknownSpecialistError
from smmkpi_helpers.scope import build_scope, in_scope

SPECIALISTS = [{"specialist_id": s, "name": s.title()} for s in ("anna", "boris", "vera")]
ACCOUNTS = [
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
        "brand": "Acme",
        "business_goal": "leads",
        "timezone": "Asia/Vladivostok",
    },
]
ASSIGNMENTS = [
    # handover: anna runs vk_a until 2026-10-15, boris from 2026-10-16 (no end = still running)
    {
        "specialist_id": "anna",
        "account_id": "vk_a",
        "start_date": "2026-09-01",
        "end_date": "2026-10-15",
    },
    {"specialist_id": "boris", "account_id": "vk_a", "start_date": "2026-10-16"},
    # shared: anna and vera both run tg_b, with overlapping days
    {
        "specialist_id": "anna",
        "account_id": "tg_b",
        "start_date": "2026-10-01",
        "end_date": "2026-10-20",
    },
    {"specialist_id": "vera", "account_id": "tg_b", "start_date": "2026-10-10"},
    # a second, overlapping row for anna on tg_b: the union counts each day once
    {
        "specialist_id": "anna",
        "account_id": "tg_b",
        "start_date": "2026-10-18",
        "end_date": "2026-10-25",
    },
]


@pytest.fixture
def ds(build):
    daily = [
        {"account_id": a, "date": d.date().isoformat(), "followers": 10}
        for a in ("vk_a", "tg_b")
        for d in pd.date_range("2026-09-01", "2026-10-31")
    ]
    posts = [
        # 00:30 on 2026-10-21 in Vladivostok (UTC+10) is 14:30 UTC on 2026-10-20
        {
            "post_id": "late",
            "account_id": "tg_b",
            "published_at": "2026-10-20T14:30:00Z",
            "format": "text",
        },
        {
            "post_id": "early",
            "account_id": "tg_b",
            "published_at": "2026-10-20T13:30:00Z",
            "format": "text",
        },
    ]
    return build(
        specialists=SPECIALISTS,
        accounts=ACCOUNTS,
        assignments=ASSIGNMENTS,
        account_daily=daily,
        posts=posts,
    )


def days_per_account(scope) -> dict:
    return scope.days.groupby("account_id").size().to_dict()


def test_handover_mid_month(ds):
    # anna: 1..15 October on vk_a (15 days); boris: 16..31 October (16 days)
    assert days_per_account(build_scope(ds, "anna", "2026-10"))["vk_a"] == 15
    assert days_per_account(build_scope(ds, "boris", "2026-10")) == {"vk_a": 16}


def test_shared_account_each_judged_on_own_days(ds):
    # anna: union of 1..20 and 18..25 October = 25 days; vera: 10..31 October = 22 days
    assert days_per_account(build_scope(ds, "anna", "2026-10"))["tg_b"] == 25
    assert days_per_account(build_scope(ds, "vera", "2026-10")) == {"tg_b": 22}


def test_open_assignment_runs_to_the_end_of_the_period(ds):
    scope = build_scope(ds, "boris", "2026-Q4")
    # boris from 2026-10-16 to the end of Q4 (2026-12-31): 16 + 30 + 31 = 77 days
    assert len(scope.days) == 77
    # the data ends on 2026-10-31, so November and December (61 days) are uncovered
    assert scope.uncovered_days == 61


def test_no_scoped_day(ds):
    scope = build_scope(ds, "boris", "2026-09")
    assert scope.is_empty and scope.accounts == [] and scope.n_dates == 0


def test_dates_and_bounds(ds):
    scope = build_scope(ds, "anna", "2026-10")
    # vk_a 1..15 and tg_b 1..25 overlap: 25 distinct dates
    assert scope.n_dates == 25
    bounds = scope.bounds().set_index("account_id")
    assert bounds.loc["vk_a", "last"] == pd.Timestamp("2026-10-15")
    assert bounds.loc["tg_b", "last"] == pd.Timestamp("2026-10-25")


def test_comparison_scope_is_own_assignments(ds):
    scope = build_scope(ds, "vera", "2026-10")
    previous = scope.comparison(ds)
    assert previous.period.label == "2026-09" and previous.is_empty  # vera started in October


def test_post_near_midnight_in_far_east_timezone(ds):
    posts = ds["posts"]
    # 'late' is on 21 October in Vladivostok, 'early' (23:30 local) on 20 October
    assert posts.set_index("post_id")["published_at_local"].dt.day.to_dict() == {
        "late": 21,
        "early": 20,
    }
    scope = build_scope(ds, "anna", "2026-10-01..2026-10-20")
    kept = in_scope(posts, scope, day_column="published_at_local")
    assert kept["post_id"].tolist() == ["early"]


def test_unknown_specialist_lists_the_known_ids(ds):
    with pytest.raises(UnknownSpecialistError, match="anna, boris, vera") as info:
        build_scope(ds, "zoe", "2026-10")
    assert info.value.exit_code == 2


def test_number_instead_of_id_explains_papermill(ds):
    with pytest.raises(InvalidIdError, match="-r"):
        build_scope(ds, 7, "2026-10")
