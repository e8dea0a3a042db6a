"""Shared KPI helpers: scoped posts (rule 5), pairwise ratio of sums (rule 6), sums (rule 14)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from smmkpi_helpers.kpis._posts import (
    count_or_none,
    family_ids,
    isin_text,
    match_account_days,
    null_values,
    ratio_of_sums,
    rows_in_scope,
    scoped_posts,
    sum_or_none,
    take_or_nan,
    to_python,
)
from smmkpi_helpers.scope import build_scope, in_scope

FAR_EAST = [
    {
        "account_id": "tg_v",
        "platform": "telegram",
        "name": "V",
        "brand": "Acme",
        "business_goal": "community",
        "timezone": "Asia/Vladivostok",  # UTC+10 all year
    }
]


def test_ratio_of_sums_is_pairwise():
    # Rows 2 and 3 lack one side each and are left out: (10 + 30) / (100 + 300) = 0.1.
    num = pd.Series([10.0, 20.0, np.nan, 30.0])
    den = pd.Series([100.0, np.nan, 50.0, 300.0])
    assert ratio_of_sums(num, den) == pytest.approx(0.1)
    assert ratio_of_sums(num, den, scale=100) == pytest.approx(10.0)


def test_ratio_of_sums_null_without_pair_or_with_zero_denominator():
    assert ratio_of_sums(pd.Series([1.0]), pd.Series([np.nan])) is None
    assert ratio_of_sums(pd.Series([], dtype=float), pd.Series([], dtype=float)) is None
    # A denominator summing to 0 is null (rule 14), not infinity.
    assert ratio_of_sums(pd.Series([5.0, 1.0]), pd.Series([0.0, 0.0])) is None


def test_ratio_of_sums_returns_a_python_float():
    value = ratio_of_sums(pd.Series([1, 2]), pd.Series([4, 4]))
    # (1 + 2) / (4 + 4) = 0.375
    assert type(value) is float
    assert value == 0.375


def test_sum_or_none_keeps_missing_apart_from_zero():
    assert sum_or_none(pd.Series([2.0, np.nan, 3.0])) == 5.0  # 2 + 3, the empty cell adds nothing
    assert sum_or_none(pd.Series([np.nan, np.nan])) is None  # nothing reported: null, not 0
    assert sum_or_none(pd.Series([], dtype=float)) == 0  # no rows in scope: 0 (rule 14)
    assert sum_or_none(pd.Series([], dtype=float), empty=None) is None


def test_python_scalars():
    assert to_python(np.int64(3)) == 3 and type(to_python(np.int64(3))) is int
    assert type(to_python(np.float64(2.5))) is float
    assert to_python(np.nan) is None
    assert to_python(pd.NA) is None
    assert to_python(None) is None
    assert count_or_none(12.0) == 12 and type(count_or_none(12.0)) is int
    assert count_or_none(None) is None
    assert not math.isnan(to_python(0.0))


def test_family_ids_follow_the_catalog():
    assert family_ids("content") == ["posts_published", "plan_completion", "interactions_per_post"]
    assert null_values("context") == {"attributed_revenue": None}


def test_post_belongs_to_its_local_day_in_a_far_east_timezone(build):
    # Vladivostok is UTC+10. p_late is published 2026-10-01 15:30 UTC = 2026-10-02 01:30 local:
    # it belongs to 2026-10-02. p_next is 2026-10-02 14:30 UTC = 2026-10-03 00:30 local: not
    # in a scope of 2026-10-02 only. p_naive has no offset: its wall clock is local already.
    ds = build(
        accounts=FAR_EAST,
        assignments=[{"specialist_id": "anna", "account_id": "tg_v", "start_date": "2026-01-01"}],
        account_daily=[
            {"account_id": "tg_v", "date": "2026-10-01", "followers": 100},
            {"account_id": "tg_v", "date": "2026-10-02", "followers": 200},
            {"account_id": "tg_v", "date": "2026-10-03", "followers": 300},
        ],
        posts=[
            {
                "post_id": "p_late",
                "account_id": "tg_v",
                "published_at": "2026-10-01T15:30:00Z",
                "format": "text",
                "likes": 4,
            },
            {
                "post_id": "p_next",
                "account_id": "tg_v",
                "published_at": "2026-10-02T14:30:00Z",
                "format": "text",
            },
            {
                "post_id": "p_naive",
                "account_id": "tg_v",
                "published_at": "2026-10-02 23:50",
                "format": "text",
            },
        ],
    )
    scope = build_scope(ds, "anna", "2026-10-02..2026-10-02")
    posts = scoped_posts(ds, scope)
    assert posts["post_id"].tolist() == ["p_late", "p_naive"]
    assert (posts["date"] == pd.Timestamp("2026-10-02")).all()
    # F_i comes from the local day's row (200), not from the UTC day's (100).
    assert posts["followers_on_day"].tolist() == [200.0, 200.0]
    # p_late reports likes only: I = 4; p_naive reports none of the four: NaN, not 0.
    assert posts["interactions"].iloc[0] == 4.0
    assert math.isnan(posts["interactions"].iloc[1])


def test_scoped_posts_leaves_the_input_untouched(build):
    ds = build(
        posts=[
            {
                "post_id": "p1",
                "account_id": "vk_a",
                "published_at": "2026-10-05T10:00:00Z",
                "format": "photo",
            }
        ]
    )
    before = ds["posts"].copy()
    scoped_posts(ds, build_scope(ds, "anna", "2026-10"))
    pd.testing.assert_frame_equal(ds["posts"], before)


def test_rows_in_scope_equals_scope_in_scope(build):
    # Two accounts in different time zones, a handover gap, a row without account, NaT-free.
    accounts = [
        *FAR_EAST,
        {
            "account_id": "vk_a",
            "platform": "vk",
            "name": "A",
            "brand": "Acme",
            "business_goal": "sales",
            "timezone": "Europe/Moscow",
        },
    ]
    assignments = [
        {
            "specialist_id": "anna",
            "account_id": "tg_v",
            "start_date": "2026-10-02",
            "end_date": "2026-10-03",
        },
        {
            "specialist_id": "anna",
            "account_id": "vk_a",
            "start_date": "2026-10-01",
            "end_date": "2026-10-01",
        },
        {"specialist_id": "anna", "account_id": "vk_a", "start_date": "2026-10-03"},
    ]
    sessions = [
        {
            "session_id": f"s{i}",
            "started_at": f"2026-10-0{1 + i % 4}T{(5 * i) % 24:02d}:30:00Z",
            "account_id": ("tg_v", "vk_a", "")[i % 3],
            "duration_s": 1,
            "pageviews": 1,
        }
        for i in range(24)
    ]
    ds = build(accounts=accounts, assignments=assignments, web_sessions=sessions)
    scope = build_scope(ds, "anna", "2026-10-01..2026-10-04")
    frame = ds["web_sessions"].assign(day=ds["web_sessions"]["started_at_local"].dt.normalize())
    mine = rows_in_scope(frame, scope, day_column="day")
    theirs = in_scope(frame, scope, day_column="day")
    pd.testing.assert_frame_equal(mine, theirs)
    assert 0 < len(mine) < len(frame)  # the check is not vacuous
    # a naive local time column gives the same rows as its day
    pd.testing.assert_frame_equal(
        rows_in_scope(frame, scope, day_column="started_at_local"), theirs
    )


def test_match_account_days_positions():
    # right side: (a, 10-01) at 0, (b, 10-01) at 1, (a, 10-02) at 2
    right_acc = pd.Series(["a", "b", "a"], dtype="str")
    right_day = pd.to_datetime(pd.Series(["2026-10-01", "2026-10-01", "2026-10-02"]))
    left_acc = pd.Series(["a", "a", "c", None, "b"], dtype="str")
    left_day = pd.to_datetime(
        pd.Series(
            ["2026-10-02 23:59", "2026-10-03 00:00", "2026-10-01 00:00", "2026-10-01 00:00", None]
        )
    )
    got = match_account_days(left_acc, left_day, right_acc, right_day)
    # (a, 10-02 23:59) -> its day 10-02 -> 2; (a, 10-03) none; unknown account c; missing
    # account; missing day
    assert got.tolist() == [2, -1, -1, -1, -1]


def test_isin_text_and_take_or_nan():
    values = pd.Series(["s1", None, "s3", "s4"], dtype="str")
    among = pd.Series(["s3", None, "s1"], dtype="str")
    # s1 and s3 are named; a missing value never matches, even when `among` has one
    assert isin_text(values, among).tolist() == [True, False, True, False]
    got = take_or_nan(pd.Series([10.0, 20.0]), np.array([1, -1, 0]))
    assert got[0] == 20.0 and math.isnan(got[1]) and got[2] == 10.0
    assert len(take_or_nan(pd.Series([], dtype=float), np.array([-1, -1]))) == 2
