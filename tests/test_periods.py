"""Period labels and comparison periods (data-model.md, kpi-catalog.md rule 13)."""

import datetime as dt

import pytest

from smmkpi_helpers.errors import PeriodError, UsageError
from smmkpi_helpers.periods import months_back, parse_period

D = dt.date


@pytest.mark.parametrize(
    ("label", "start", "end", "kind", "canonical"),
    [
        ("2026-10", D(2026, 10, 1), D(2026, 10, 31), "month", "2026-10"),
        ("2026-02", D(2026, 2, 1), D(2026, 2, 28), "month", "2026-02"),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "month", "2024-02"),  # leap year
        ("2026-Q3", D(2026, 7, 1), D(2026, 9, 30), "quarter", "2026-Q3"),
        ("2026-q1", D(2026, 1, 1), D(2026, 3, 31), "quarter", "2026-Q1"),
        # ISO week 40 of 2026 starts on Monday 2026-09-28
        ("2026-W40", D(2026, 9, 28), D(2026, 10, 4), "week", "2026-W40"),
        ("2026", D(2026, 1, 1), D(2026, 12, 31), "year", "2026"),
        (
            "2026-09-01..2026-09-30",
            D(2026, 9, 1),
            D(2026, 9, 30),
            "range",
            "2026-09-01..2026-09-30",
        ),
        (" 2026-10 ", D(2026, 10, 1), D(2026, 10, 31), "month", "2026-10"),
    ],
)
def test_labels_parse(label, start, end, kind, canonical):
    period = parse_period(label)
    assert (period.start, period.end, period.kind, period.label) == (start, end, kind, canonical)


@pytest.mark.parametrize(
    ("label", "comparison"),
    [
        ("2026-10", "2026-09"),
        ("2026-01", "2025-12"),  # across a year
        ("2026-Q3", "2026-Q2"),
        ("2026-Q1", "2025-Q4"),
        ("2026-W40", "2026-W39"),
        ("2026-W01", "2025-W52"),  # 2025 has 52 ISO weeks
        ("2021-W01", "2020-W53"),  # 2020 has 53 ISO weeks
        ("2026", "2025"),
        # a 10-day range compares with the 10 days just before it
        ("2026-09-11..2026-09-20", "2026-09-01..2026-09-10"),
    ],
)
def test_comparison_is_previous_unit(label, comparison):
    assert parse_period(label).comparison().label == comparison


def test_range_comparison_has_same_length():
    period = parse_period("2026-03-01..2026-03-31")  # 31 days
    previous = period.comparison()
    assert previous.n_days == 31
    assert previous.end == D(2026, 2, 28)
    assert previous.start == D(2026, 1, 29)  # 2026-02-28 minus 30 days


@pytest.mark.parametrize(
    "label",
    [
        "2026-13",
        "2026-Q5",
        "2026-W54",
        "2025-W53",
        "26-10",
        "October",
        "2026-10-01",
        "2026-09-30..2026-09-01",
        "2026-02-30..2026-03-01",
        "",
    ],
)
def test_bad_labels_show_valid_examples(label):
    with pytest.raises(PeriodError) as info:
        parse_period(label)
    message = str(info.value)
    assert "2026-10" in message and "2026-Q3" in message and "2026-W40" in message
    assert isinstance(info.value, UsageError) and info.value.exit_code == 2


def test_a_number_is_not_a_label_and_the_message_says_why():
    with pytest.raises(PeriodError, match="-r"):
        parse_period(2026)


def test_days_and_contains():
    period = parse_period("2026-W40")
    assert len(period.days) == 7 == period.n_days
    assert period.contains(D(2026, 10, 4)) and not period.contains(D(2026, 10, 5))


def test_months_back_oldest_first():
    assert [p.label for p in months_back("2026-02", 3)] == ["2025-12", "2026-01", "2026-02"]
