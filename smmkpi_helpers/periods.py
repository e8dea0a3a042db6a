"""Period labels and comparison periods.

A period is named by a label (data-model.md): ``2026-10`` (month), ``2026-Q3`` (quarter),
``2026-W40`` (ISO week), ``2026`` (year) or ``2026-09-01..2026-09-30`` (an inclusive range).
Its comparison period is the previous calendar unit; a range compares with the same number of
days just before it (kpi-catalog.md, rule 13).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

import pandas as pd

from .errors import PeriodError

__all__ = ["EXAMPLES", "Period", "months_back", "parse_period"]

#: Valid labels, shown in every error about a bad one.
EXAMPLES = ("2026-10", "2026-Q3", "2026-W40", "2026", "2026-09-01..2026-09-30")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True, order=True)
class Period:
    """A period: its label, kind and inclusive first and last calendar day.

    Attributes
    ----------
    start, end : datetime.date
        First and last day (inclusive).
    label : str
        The canonical label (``2026-q3`` is written ``2026-Q3``).
    kind : str
        ``month``, ``quarter``, ``week``, ``year`` or ``range``.
    """

    start: dt.date
    end: dt.date
    label: str
    kind: str

    @property
    def n_days(self) -> int:
        """Return the number of calendar days in the period."""
        return (self.end - self.start).days + 1

    @property
    def days(self) -> pd.DatetimeIndex:
        """Return the period's days as a DatetimeIndex of midnights."""
        return pd.date_range(self.start, self.end, freq="D")

    def comparison(self) -> Period:
        """Return the comparison period: the previous calendar unit, or the range before."""
        if self.kind == "month":
            year, month = (
                (self.start.year, self.start.month - 1)
                if self.start.month > 1
                else (
                    self.start.year - 1,
                    12,
                )
            )
            return _month(year, month)
        if self.kind == "quarter":
            quarter = (self.start.month - 1) // 3 + 1
            year, quarter = (
                (self.start.year, quarter - 1)
                if quarter > 1
                else (
                    self.start.year - 1,
                    4,
                )
            )
            return _quarter(year, quarter)
        if self.kind == "week":
            monday = self.start - dt.timedelta(days=7)
            iso = monday.isocalendar()
            return _week(iso.year, iso.week)
        if self.kind == "year":
            return _year(self.start.year - 1)
        end = self.start - dt.timedelta(days=1)
        start = end - dt.timedelta(days=self.n_days - 1)
        return _range(start, end)

    def contains(self, day: dt.date) -> bool:
        """Return whether ``day`` falls inside the period."""
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return self.label


def _month(year: int, month: int) -> Period:
    last = calendar.monthrange(year, month)[1]
    return Period(
        dt.date(year, month, 1), dt.date(year, month, last), f"{year:04d}-{month:02d}", "month"
    )


def _quarter(year: int, quarter: int) -> Period:
    first_month = 3 * (quarter - 1) + 1
    last = calendar.monthrange(year, first_month + 2)[1]
    return Period(
        dt.date(year, first_month, 1),
        dt.date(year, first_month + 2, last),
        f"{year:04d}-Q{quarter}",
        "quarter",
    )


def _week(year: int, week: int) -> Period:
    monday = dt.date.fromisocalendar(year, week, 1)
    return Period(monday, monday + dt.timedelta(days=6), f"{year:04d}-W{week:02d}", "week")


def _year(year: int) -> Period:
    return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), f"{year:04d}", "year")


def _range(start: dt.date, end: dt.date) -> Period:
    return Period(start, end, f"{start.isoformat()}..{end.isoformat()}", "range")


def _bad(label: object, why: str) -> PeriodError:
    return PeriodError(
        f"'{label}' is not a valid period label: {why}. Valid labels look like "
        + ", ".join(EXAMPLES)
        + " (month, quarter, ISO week, year, inclusive range)."
    )


def parse_period(label: str | Period) -> Period:
    """Parse a period label.

    Parameters
    ----------
    label : str or Period
        ``2026-10``, ``2026-Q3``, ``2026-W40``, ``2026`` or ``2026-09-01..2026-09-30``.

    Returns
    -------
    Period

    Raises
    ------
    PeriodError
        For anything else; the message shows valid examples.

    Examples
    --------
    >>> p = parse_period("2026-10")
    >>> p.start, p.end, p.comparison().label
    (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31), '2026-09')
    """
    if isinstance(label, Period):
        return label
    if not isinstance(label, str):
        raise _bad(
            label,
            f"expected text, got a {type(label).__name__} (pass ids and labels "
            "that look like numbers as text; with papermill use -r, not -p)",
        )
    text = label.strip()
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise _bad(label, f"there is no month {month:02d}")
        return _month(year, month)
    if m := _QUARTER.match(text):
        return _quarter(int(m[1]), int(m[2]))
    if m := _WEEK.match(text):
        year, week = int(m[1]), int(m[2])
        try:
            return _week(year, week)
        except ValueError:
            raise _bad(label, f"{year} has no ISO week {week:02d}") from None
    if m := _YEAR.match(text):
        return _year(int(m[1]))
    if m := _RANGE.match(text):
        try:
            start, end = dt.date.fromisoformat(m[1]), dt.date.fromisoformat(m[2])
        except ValueError as exc:
            raise _bad(label, f"a date in it does not exist ({exc})") from None
        if end < start:
            raise _bad(label, "the range ends before it starts")
        return _range(start, end)
    raise _bad(label, "it matches none of the forms")


def months_back(period: str | Period, count: int) -> list[Period]:
    """Return ``count`` consecutive periods of the same kind ending with ``period`` (oldest first).

    Used for trends over recent periods (the team notebook).
    """
    current = parse_period(period)
    out = [current]
    for _ in range(count - 1):
        current = current.comparison()
        out.append(current)
    return out[::-1]
