"""Communications KPIs: the request model of rule 9 and working-hours reply times.

Calendar used below: 2026-10-01 is a Thursday, 10-02 Friday, 10-05 Monday, 10-06 Tuesday,
10-07 Wednesday, 10-15 Thursday, 10-16 Friday, 10-31 Saturday, 11-02 Monday. Unless a test says
otherwise, the account works mon-fri 09:00-18:00 (540 minutes a day).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smmkpi_helpers.kpis import communications
from smmkpi_helpers.kpis.catalog import CATALOG
from smmkpi_helpers.scope import build_scope

SPECIALISTS = [{"specialist_id": s, "name": s.title()} for s in ("anna", "boris")]


def account(account_id="vk_a", timezone="UTC", **extra):
    return {
        "account_id": account_id,
        "platform": "vk",
        "name": account_id,
        "brand": "Acme",
        "business_goal": "leads",
        "timezone": timezone,
        **extra,
    }


def assign(account_id="vk_a", start="2026-10-01", end=None, specialist="anna"):
    return {
        "specialist_id": specialist,
        "account_id": account_id,
        "start_date": start,
        "end_date": end,
    }


def msg(mid, thread, at, sender, account_id="vk_a", **extra):
    return {
        "message_id": mid,
        "account_id": account_id,
        "thread_id": thread,
        "sent_at": at,
        "sender": sender,
        **extra,
    }


@pytest.fixture
def make(build):
    """Return ``make(messages, accounts=..., assignments=...) -> (dataset, October scope)``."""

    def _make(messages, accounts=None, assignments=None, period="2026-10", who="anna"):
        ds = build(
            specialists=SPECIALISTS,
            accounts=accounts or [account()],
            assignments=assignments or [assign()],
            messages=messages,
        )
        return ds, build_scope(ds, who, period)

    return _make


def test_module_covers_the_catalog_family():
    family = [k.id for k in CATALOG if k.family == "communications"]
    assert communications.FAMILY == "communications"
    assert list(communications.KPI_IDS) == family


def test_run_of_user_messages_with_a_bot_reply_is_one_request(make):
    ds, scope = make(
        [
            msg("m1", "t1", "2026-10-01T10:00:00Z", "user"),
            msg("m2", "t1", "2026-10-01T10:05:00Z", "user"),
            msg("m3", "t1", "2026-10-01T10:06:00Z", "bot"),  # auto-reply: no answer, no split
            msg("m4", "t1", "2026-10-01T10:20:00Z", "user"),
            msg("m5", "t1", "2026-10-01T10:45:00Z", "staff"),
        ]
    )
    table = communications.requests_table(ds, scope)
    assert len(table) == 1
    row = table.iloc[0]
    assert row["user_messages"] == 3  # m1, m2, m4
    assert bool(row["answered"])
    assert row["started_at_local"] == pd.Timestamp("2026-10-01 10:00")
    assert row["answered_at_local"] == pd.Timestamp("2026-10-01 10:45")
    # 10:00 -> 10:45 = 45 minutes, all inside 09:00-18:00 on a Thursday
    assert row["first_response_min"] == 45.0
    assert row["first_response_work_min"] == 45.0
    values = communications.compute(ds, scope)
    assert values == {
        "requests": 1,
        "response_rate": 100.0,  # 1 / 1 x 100
        "median_first_response_min": 45.0,
        "p90_first_response_min": 45.0,
        "median_first_response_work_min": 45.0,
        "p90_first_response_work_min": 45.0,
        "redirect_rate": 0.0,  # 0 redirects / 1 answer
    }
    assert type(values["requests"]) is int
    assert all(type(values[k]) is float for k in values if k != "requests")


def test_staff_message_without_a_user_before_it_and_unanswered_requests(make):
    ds, scope = make(
        [
            msg("a1", "t1", "2026-10-01T11:00:00Z", "staff"),  # a greeting: answers nothing
            msg("a2", "t1", "2026-10-01T11:30:00Z", "user"),
            msg("a3", "t1", "2026-10-01T12:00:00Z", "staff"),  # answers a2 after 30 min
            msg("a4", "t1", "2026-10-01T12:01:00Z", "staff"),  # a second staff message: nothing
            msg("b1", "t2", "2026-10-01T13:00:00Z", "user"),
            msg("b2", "t2", "2026-10-01T13:01:00Z", "bot"),  # only a bot replied: unanswered
        ]
    )
    table = communications.requests_table(ds, scope)
    assert table["thread_id"].tolist() == ["t1", "t2"]
    assert table["answered"].tolist() == [True, False]
    assert table["first_response_min"].iloc[0] == 30.0
    assert np.isnan(table["first_response_min"].iloc[1])
    assert np.isnan(table["first_response_work_min"].iloc[1])
    assert table["redirect"].isna().tolist() == [False, True]  # NA when unanswered
    values = communications.compute(ds, scope)
    assert values["requests"] == 2
    assert values["response_rate"] == 50.0  # 1 answered / 2 requests x 100
    # medians use answered requests only: the single value 30
    assert values["median_first_response_min"] == 30.0
    assert values["p90_first_response_min"] == 30.0


def test_user_staff_user_staff_gives_two_requests(make):
    ds, scope = make(
        [
            msg("m1", "t1", "2026-10-01T10:00:00Z", "user"),
            msg("m2", "t1", "2026-10-01T10:10:00Z", "staff"),
            msg("m3", "t1", "2026-10-01T11:00:00Z", "user"),
            msg("m4", "t1", "2026-10-01T11:20:00Z", "staff"),
        ]
    )
    table = communications.requests_table(ds, scope)
    assert table["first_response_min"].tolist() == [10.0, 20.0]
    values = communications.compute(ds, scope)
    assert values["requests"] == 2
    assert values["median_first_response_min"] == 15.0  # (10 + 20) / 2


def test_answer_after_the_period_end_still_answers(make):
    ds, scope = make(
        [
            # Saturday 2026-10-31 23:00, answered Monday 2026-11-02 09:30 (November)
            msg("m1", "t1", "2026-10-31T23:00:00Z", "user"),
            msg("m2", "t1", "2026-11-02T09:30:00Z", "staff", redirect="true"),
        ]
    )
    values = communications.compute(ds, scope)
    assert values["requests"] == 1
    assert values["response_rate"] == 100.0
    # 31 Oct 23:00 -> 2 Nov 09:30 = 1 h + 24 h + 9.5 h = 34.5 h = 2070 minutes
    assert values["median_first_response_min"] == 2070.0
    # Saturday and Sunday are not working days; Monday 09:00 -> 09:30 = 30 minutes
    assert values["median_first_response_work_min"] == 30.0
    assert values["redirect_rate"] == 100.0  # 1 redirect / 1 answer
    # in November the request is not in scope (it started in October)
    assert communications.compute(ds, build_scope(ds, "anna", "2026-11"))["requests"] == 0


def test_friday_evening_to_monday_morning_counts_30_working_minutes(make):
    ds, scope = make(
        [
            msg("m1", "t1", "2026-10-02T19:00:00Z", "user"),  # Friday 19:00, after hours
            msg("m2", "t1", "2026-10-05T09:30:00Z", "staff"),  # Monday 09:30
        ]
    )
    row = communications.requests_table(ds, scope).iloc[0]
    # Fri 19:00 -> Mon 09:30 = 5 h + 48 h + 9.5 h = 62.5 h = 3750 minutes of clock time
    assert row["first_response_min"] == 3750.0
    # working time: nothing on Friday after 18:00, nothing on the weekend, Monday 09:00-09:30
    assert row["first_response_work_min"] == 30.0


def test_night_request_answered_at_9_10_counts_10_minutes_in_the_account_timezone(make):
    ds, scope = make(
        [
            # 2026-09-30 22:30 UTC = 2026-10-01 01:30 in Moscow (UTC+3): an October request
            msg("m1", "t1", "2026-09-30T22:30:00Z", "user"),
            msg("m2", "t1", "2026-10-01T06:10:00Z", "staff"),  # 09:10 Moscow, Thursday
            # a naive timestamp is wall-clock time in the account's zone: 08:30 Moscow Friday
            msg("m3", "t2", "2026-10-02 08:30", "user"),
            msg("m4", "t2", "2026-10-02T09:30:00+03:00", "staff"),
        ],
        accounts=[account(timezone="Europe/Moscow")],
    )
    table = communications.requests_table(ds, scope)
    assert table["started_at_local"].tolist() == [
        pd.Timestamp("2026-10-01 01:30"),
        pd.Timestamp("2026-10-02 08:30"),
    ]
    # t1: 22:30 -> 06:10 UTC = 7 h 40 min = 460 minutes; working: 09:00 -> 09:10 = 10
    # t2: 08:30 -> 09:30 Moscow = 60 minutes; working: 09:00 -> 09:30 = 30
    assert table["first_response_min"].tolist() == [460.0, 60.0]
    assert table["first_response_work_min"].tolist() == [10.0, 30.0]
    # in UTC the first request is on 2026-09-30, but days count in the account's zone
    september = build_scope(ds, "anna", "2026-09")
    assert september.is_empty  # anna starts on 2026-10-01
    values = communications.compute(ds, scope)
    assert values["requests"] == 2
    assert values["median_first_response_work_min"] == 20.0  # (10 + 30) / 2


def test_work_days_mon_wed_fri_and_custom_hours(make):
    accounts = [
        account("vk_a", work_days="mon,wed,fri"),
        account("vk_b", work_days="mon,wed,fri", work_hours="10:00-14:00"),
    ]
    ds, scope = make(
        [
            # vk_a: Tuesday 10:00 -> Wednesday 10:00. Tuesday is off; Wed 09:00-10:00 = 60
            msg("a1", "t1", "2026-10-06T10:00:00Z", "user"),
            msg("a2", "t1", "2026-10-07T10:00:00Z", "staff"),
            # vk_a: Monday 17:00 -> Wednesday 09:30: Mon 17-18 = 60, Tue 0, Wed 30 -> 90
            msg("a3", "t2", "2026-10-05T17:00:00Z", "user"),
            msg("a4", "t2", "2026-10-07T09:30:00Z", "staff"),
            # vk_b, 10:00-14:00: Monday 13:00 -> Wednesday 11:00: Mon 13-14 = 60, Wed 10-11 =
            # 60 -> 120
            msg("b1", "t1", "2026-10-05T13:00:00Z", "user", account_id="vk_b"),
            msg("b2", "t1", "2026-10-07T11:00:00Z", "staff", account_id="vk_b"),
        ],
        accounts=accounts,
        assignments=[assign("vk_a"), assign("vk_b")],
    )
    table = communications.requests_table(ds, scope).set_index(["account_id", "thread_id"])
    assert table.loc[("vk_a", "t1"), "first_response_work_min"] == 60.0
    assert table.loc[("vk_a", "t2"), "first_response_work_min"] == 90.0
    assert table.loc[("vk_b", "t1"), "first_response_work_min"] == 120.0
    # clock time: 24 h = 1440; 40.5 h = 2430; 46 h = 2760
    assert table["first_response_min"].sort_values().tolist() == [1440.0, 2430.0, 2760.0]
    values = communications.compute(ds, scope)
    assert values["median_first_response_work_min"] == 90.0  # middle of 60, 90, 120


def test_threads_are_keyed_by_account_and_thread_id(make):
    ds, scope = make(
        [
            msg("m1", "t1", "2026-10-01T10:00:00Z", "user", account_id="vk_a"),
            # the same thread id on another account is another conversation: no answer to m1
            msg("m2", "t1", "2026-10-01T10:05:00Z", "staff", account_id="vk_b"),
        ],
        accounts=[account("vk_a"), account("vk_b")],
        assignments=[assign("vk_a"), assign("vk_b")],
    )
    values = communications.compute(ds, scope)
    assert values["requests"] == 1
    assert values["response_rate"] == 0.0  # 0 answered / 1 request
    assert values["median_first_response_min"] is None  # no answered request
    assert values["redirect_rate"] is None  # no first staff answer


def test_ties_are_ordered_as_in_the_file(make):
    ds, scope = make(
        [
            # same instant, staff first in the file: the staff message comes before the user
            msg("a1", "t1", "2026-10-01T10:00:00Z", "staff"),
            msg("a2", "t1", "2026-10-01T10:00:00Z", "user"),
            # same instant, user first: the staff message answers it after 0 minutes
            msg("b1", "t2", "2026-10-01T10:00:00Z", "user"),
            msg("b2", "t2", "2026-10-01T10:00:00Z", "staff"),
        ]
    )
    table = communications.requests_table(ds, scope).set_index("thread_id")
    assert not table.loc["t1", "answered"]
    assert table.loc["t2", "answered"]
    assert table.loc["t2", "first_response_min"] == 0.0


def test_messages_are_ordered_by_time_not_by_file_row(make):
    ds, scope = make(
        [
            msg("m2", "t1", "2026-10-01T10:30:00Z", "staff"),
            msg("m1", "t1", "2026-10-01T10:00:00Z", "user"),
        ]
    )
    assert communications.requests_table(ds, scope)["first_response_min"].tolist() == [30.0]


def test_median_of_even_count_and_p90_interpolate(make):
    messages = []
    for i, wait in enumerate([10, 20, 40, 100]):
        messages += [
            msg(f"u{i}", f"t{i}", "2026-10-01T10:00:00Z", "user"),
            msg(f"s{i}", f"t{i}", f"2026-10-01T{10 + wait // 60:02d}:{wait % 60:02d}:00Z", "staff"),
        ]
    ds, scope = make(messages)
    values = communications.compute(ds, scope)
    # sorted 10, 20, 40, 100: median = (20 + 40) / 2 = 30
    assert values["median_first_response_min"] == 30.0
    # p90: rank (4 - 1) x 0.9 = 2.7 -> 40 + 0.7 x (100 - 40) = 82
    assert values["p90_first_response_min"] == pytest.approx(82.0)
    assert values["p90_first_response_work_min"] == pytest.approx(82.0)  # all in hours


def test_redirect_rate_counts_first_staff_answers_only(make):
    ds, scope = make(
        [
            msg("a1", "t1", "2026-10-01T10:00:00Z", "user"),
            msg("a2", "t1", "2026-10-01T10:10:00Z", "staff", redirect="yes"),
            msg("b1", "t2", "2026-10-01T10:00:00Z", "user"),
            msg("b2", "t2", "2026-10-01T10:10:00Z", "staff"),  # empty redirect: not a redirect
            msg("b3", "t2", "2026-10-01T10:11:00Z", "staff", redirect="true"),  # not the first
            msg("c1", "t3", "2026-10-01T10:00:00Z", "user"),
            msg("c2", "t3", "2026-10-01T10:10:00Z", "staff", redirect="false"),
            msg("d1", "t4", "2026-10-01T10:00:00Z", "user"),  # unanswered: not in the base
        ]
    )
    table = communications.requests_table(ds, scope)
    assert table["redirect"].tolist() == [True, False, False, pd.NA]
    values = communications.compute(ds, scope)
    assert values["redirect_rate"] == pytest.approx(100 / 3)  # 1 redirect / 3 first answers
    assert values["response_rate"] == 75.0  # 3 answered / 4 requests


def test_handover_mid_month_and_runs_started_before_the_scope(make):
    assignments = [
        assign(end="2026-10-15", specialist="anna"),
        assign(start="2026-10-16", specialist="boris"),
    ]
    messages = [
        # Thursday 15th 17:00 (anna's last day), answered Friday 16th 09:30 by boris's team
        msg("m1", "t1", "2026-10-15T17:00:00Z", "user"),
        msg("m2", "t1", "2026-10-16T08:00:00Z", "user"),  # continues the run: not a request
        msg("m3", "t1", "2026-10-16T09:30:00Z", "staff"),
        msg("m4", "t2", "2026-10-16T10:00:00Z", "user"),  # boris's day
    ]
    ds, anna = make(messages, assignments=assignments)
    boris = build_scope(ds, "boris", "2026-10")
    a, b = communications.compute(ds, anna), communications.compute(ds, boris)
    assert a["requests"] == 1 and b["requests"] == 1
    # anna's request: 15th 17:00 -> 16th 09:30 = 16.5 h = 990 min; working 17-18 + 9-9:30 = 90
    assert a["median_first_response_min"] == 990.0
    assert a["median_first_response_work_min"] == 90.0
    assert b["response_rate"] == 0.0 and b["median_first_response_min"] is None


def test_empty_messages_table_gives_zero_requests_and_null_ratios(make):
    ds, scope = make([])
    values = communications.compute(ds, scope)
    assert values == {
        "requests": 0,
        "response_rate": None,
        "median_first_response_min": None,
        "p90_first_response_min": None,
        "median_first_response_work_min": None,
        "p90_first_response_work_min": None,
        "redirect_rate": None,
    }
    table = communications.requests_table(ds, scope)
    assert table.empty and list(table.columns) == list(communications.REQUEST_COLUMNS)


def test_messages_outside_the_scope_give_zero_requests(make):
    ds, scope = make([msg("m1", "t1", "2026-09-20T10:00:00Z", "user")], period="2026-10")
    assert communications.compute(ds, scope)["requests"] == 0


def test_absent_messages_table_gives_null_everywhere(build):
    ds = build()
    scope = build_scope(ds, "anna", "2026-10")
    values = communications.compute(ds, scope)
    assert set(values) == set(communications.KPI_IDS)
    assert all(v is None for v in values.values())
    assert communications.requests_table(ds, scope).empty


def test_specialist_without_scoped_days_gets_null_everywhere(make):
    ds, _ = make([msg("m1", "t1", "2026-10-01T10:00:00Z", "user")])
    before = build_scope(ds, "anna", "2026-08")  # anna starts on 2026-10-01
    assert all(v is None for v in communications.compute(ds, before).values())


def test_requests_table_columns_and_types(make):
    ds, scope = make(
        [
            msg("m1", "t1", "2026-10-01T10:00:00Z", "user", channel="direct"),
            msg("m2", "t1", "2026-10-01T10:10:00Z", "staff", channel="direct"),
        ]
    )
    table = communications.requests_table(ds, scope)
    assert list(table.columns) == list(communications.REQUEST_COLUMNS)
    assert table["channel"].tolist() == ["direct"]
    assert table["answered"].dtype == bool
    assert table["redirect"].dtype == "boolean"
    assert table["date"].tolist() == [pd.Timestamp("2026-10-01")]


@pytest.mark.parametrize(
    ("start", "end", "expected", "arithmetic"),
    [
        ("2026-10-01 17:00", "2026-10-02 10:00", 120.0, "Thu 17-18 = 60 + Fri 9-10 = 60"),
        ("2026-10-01 19:00", "2026-10-01 23:00", 0.0, "both after hours on one evening"),
        ("2026-10-05 09:00", "2026-10-12 09:00", 2700.0, "one whole week: 5 days x 540"),
        ("2026-10-03 08:00", "2026-10-04 20:00", 0.0, "a weekend"),
        ("2026-10-01 12:00:30", "2026-10-01 12:01:00", 0.5, "thirty seconds"),
    ],
)
def test_working_minutes_arithmetic(make, start, end, expected, arithmetic):
    ds, _ = make([])
    got = communications.working_minutes(
        ds,
        pd.Series(["vk_a"]),
        pd.Series([pd.Timestamp(start)]),
        pd.Series([pd.Timestamp(end)]),
    )
    assert got.tolist() == [expected], arithmetic


def test_working_minutes_of_a_missing_end_is_nan(make):
    ds, _ = make([])
    got = communications.working_minutes(
        ds,
        pd.Series(["vk_a", "vk_a"]),
        pd.Series([pd.Timestamp("2026-10-01 10:00")] * 2),
        pd.Series([pd.NaT, pd.Timestamp("2026-10-01 10:05")], dtype="datetime64[ns]"),
    )
    assert np.isnan(got.iloc[0]) and got.iloc[1] == 5.0


def test_inputs_are_not_modified(make):
    ds, scope = make(
        [
            msg("m2", "t1", "2026-10-01T10:30:00Z", "staff"),
            msg("m1", "t1", "2026-10-01T10:00:00Z", "user"),
        ]
    )
    before = ds["messages"].copy()
    communications.compute(ds, scope)
    pd.testing.assert_frame_equal(ds["messages"], before)


def _reference_working_minutes(start, end, work_start, work_end, work_days):
    """Day-by-day overlap with the working window: slow and obvious, for comparison."""
    total = 0.0
    day = start.normalize()
    while day <= end:
        if day.day_of_week in work_days:
            opens = day + pd.Timedelta(minutes=work_start)
            closes = day + pd.Timedelta(minutes=work_end)
            overlap = (min(end, closes) - max(start, opens)).total_seconds() / 60
            total += max(overlap, 0.0)
        day += pd.Timedelta(days=1)
    return total


def test_working_minutes_match_a_day_by_day_reference(make):
    accounts = [account("vk_a"), account("vk_b", work_days="sat-mon", work_hours="07:30-20:15")]
    ds, _ = make([], accounts=accounts, assignments=[assign("vk_a"), assign("vk_b")])
    rng = np.random.default_rng(7)
    n = 60
    base = pd.Timestamp("2026-10-01")
    start = base + pd.to_timedelta(rng.integers(0, 30 * 24 * 3600, n), unit="s")
    wait = pd.to_timedelta(rng.integers(0, 20 * 24 * 3600, n), unit="s")
    which = np.where(np.arange(n) % 2 == 0, "vk_a", "vk_b")
    got = communications.working_minutes(
        ds, pd.Series(which), pd.Series(start), pd.Series(start + wait)
    )
    calendars = {"vk_a": (540, 1080, {0, 1, 2, 3, 4}), "vk_b": (450, 1215, {5, 6, 0})}
    expected = [
        _reference_working_minutes(s, s + w, *calendars[a])
        for s, w, a in zip(start, wait, which, strict=True)
    ]
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=0, atol=1e-9)


def test_clock_minutes_are_real_time_across_a_daylight_saving_change(make):
    ds, scope = make(
        [
            # Berlin: Saturday 2026-10-24 23:00 CEST (UTC+2) -> Monday 10-26 09:10 CET (UTC+1);
            # clocks went back on Sunday 10-25 at 03:00
            msg("m1", "t1", "2026-10-24 23:00", "user"),
            msg("m2", "t1", "2026-10-26 09:10", "staff"),
        ],
        accounts=[account(timezone="Europe/Berlin")],
    )
    row = communications.requests_table(ds, scope).iloc[0]
    # instants 21:00 UTC Sat -> 08:10 UTC Mon = 24 h + 11 h 10 min = 35 h 10 min = 2110 min
    # (the wall clocks differ by one hour less); working time: Monday 09:00-09:10 = 10
    assert row["first_response_min"] == 2110.0
    assert row["first_response_work_min"] == 10.0
