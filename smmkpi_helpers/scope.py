"""A specialist's scope in a period: which account-days count (kpi-catalog.md, rules 1-2).

A scope holds the accounts assigned to a specialist, each only on the days of the period that
fall inside the assignment. Assignment and period dates are calendar days in the account's
time zone; events (posts, messages, sessions, conversions) are placed on a day through their
``*_local`` wall-clock column, which the loader computed in the account's time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd

from .dataset import Dataset
from .errors import InvalidIdError, UnknownSpecialistError
from .periods import Period, parse_period
from .schema import is_valid_id

__all__ = [
    "Scope",
    "build_scope",
    "check_specialist",
    "comparison_scope",
    "in_scope",
    "local_day",
]


@dataclass(frozen=True)
class Scope:
    """The account-days a specialist is judged on in a period.

    Attributes
    ----------
    specialist_id : str
        The specialist.
    period : Period
        The period.
    days : DataFrame
        One row per scoped account-day: ``account_id`` (str), ``date`` (datetime64 midnight),
        sorted by account and date.
    uncovered_days : int
        Scoped account-days that have no ``account_daily`` row (the period reaches past the
        data); the tools warn about them.
    """

    specialist_id: str
    period: Period
    days: pd.DataFrame
    uncovered_days: int = 0

    @property
    def is_empty(self) -> bool:
        """Return whether no account-day is scoped (every KPI is then null)."""
        return self.days.empty

    @property
    def accounts(self) -> list[str]:
        """Return the scoped account ids, sorted."""
        return sorted(self.days["account_id"].unique().tolist())

    @property
    def dates(self) -> pd.DatetimeIndex:
        """Return the dates on which at least one account is scoped (sorted)."""
        return pd.DatetimeIndex(sorted(self.days["date"].unique()), name="date")

    @property
    def n_dates(self) -> int:
        """Return the number of dates on which at least one account is scoped (``D``)."""
        return int(self.days["date"].nunique())

    def bounds(self) -> pd.DataFrame:
        """Return each account's first and last scoped day (``account_id``, ``first``, ``last``)."""
        grouped = self.days.groupby("account_id", sort=True)["date"]
        return pd.DataFrame({"first": grouped.min(), "last": grouped.max()}).reset_index()

    def comparison(self, dataset: Dataset) -> Scope:
        """Return the same specialist's scope in the comparison period."""
        return comparison_scope(dataset, self)


def check_specialist(dataset: Dataset, specialist_id: object) -> str:
    """Return ``specialist_id`` if the dataset knows it, else raise a clear error.

    Raises
    ------
    InvalidIdError
        When the value breaks the id rule (e.g. a number papermill made out of ``007``).
    UnknownSpecialistError
        When the id is valid but not in the ``specialists`` table; the message lists the known
        ids.
    """
    known = dataset.specialist_ids
    if not isinstance(specialist_id, str):
        raise InvalidIdError(
            f"specialist must be a text id, got the {type(specialist_id).__name__} "
            f"{specialist_id!r}. Ids that look like numbers lose their leading zeros with "
            f"papermill's -p: pass them with -r (raw). Known specialists: {', '.join(known)}."
        )
    if not is_valid_id(specialist_id):
        raise InvalidIdError(
            f"'{specialist_id}' is not a valid specialist id (1-64 letters, digits, '_', '.', "
            f"'-', starting with a letter or digit, no '..'). Known specialists: "
            f"{', '.join(known)}."
        )
    if specialist_id not in known:
        raise UnknownSpecialistError(
            f"unknown specialist '{specialist_id}' in the dataset '{dataset.name}'. Known "
            f"specialists: {', '.join(known)}."
        )
    return specialist_id


def build_scope(dataset: Dataset, specialist_id: str, period: str | Period) -> Scope:
    """Return the scope of ``specialist_id`` in ``period``.

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset.
    specialist_id : str
        A specialist of the dataset.
    period : str or Period
        A period label or a parsed period.

    Returns
    -------
    Scope
        The union, per account, of the specialist's assignment days inside the period; an
        empty ``end_date`` runs to the end of the period.
    """
    period = parse_period(period)
    check_specialist(dataset, specialist_id)
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.end)
    assignments = dataset["assignments"]
    mine = assignments[assignments["specialist_id"] == specialist_id]
    first = mine["start_date"].clip(lower=start)
    last = mine["end_date"].fillna(end).clip(upper=end)
    keep = first <= last
    pieces = [
        pd.DataFrame({"account_id": account, "date": pd.date_range(a, b, freq="D")})
        for account, a, b in zip(mine["account_id"][keep], first[keep], last[keep], strict=True)
    ]
    if pieces:
        days = (
            pd.concat(pieces, ignore_index=True)
            .drop_duplicates()
            .sort_values(["account_id", "date"], ignore_index=True)
        )
    else:
        days = pd.DataFrame(
            {"account_id": pd.Series(dtype=object), "date": pd.Series(dtype="datetime64[ns]")}
        )
    days = days.astype({"date": "datetime64[ns]"})
    daily = dataset["account_daily"][["account_id", "date"]]
    covered = days.merge(daily, on=["account_id", "date"], how="left", indicator=True)
    uncovered = int((covered["_merge"] == "left_only").sum())
    return Scope(specialist_id, period, days, uncovered)


def comparison_scope(dataset: Dataset, scope: Scope) -> Scope:
    """Return the specialist's own scope in the comparison period (rule 13)."""
    return build_scope(dataset, scope.specialist_id, scope.period.comparison())


def local_day(local_times: pd.Series) -> pd.Series:
    """Return the calendar day (midnight) of naive local wall-clock times."""
    return local_times.dt.normalize()


def in_scope(frame: pd.DataFrame, scope: Scope, *, day_column: str) -> pd.DataFrame:
    """Return the rows of ``frame`` whose (``account_id``, day) is a scoped account-day.

    Parameters
    ----------
    frame : DataFrame
        A table with ``account_id`` and ``day_column``.
    scope : Scope
        The scope.
    day_column : str
        A date column (``date``) or a naive local time column (``published_at_local``); times
        are reduced to their day.

    Returns
    -------
    DataFrame
        A new frame with the matching rows, in their original order, index kept.
    """
    if frame.empty or scope.is_empty:
        return frame.iloc[0:0]
    days = frame[day_column]
    if not (days.dropna() == days.dropna().dt.normalize()).all():
        days = days.dt.normalize()
    keys = pd.MultiIndex.from_frame(scope.days[["account_id", "date"]])
    probe = pd.MultiIndex.from_arrays([frame["account_id"].astype(object), days])
    return frame[probe.isin(keys)]


def zone(dataset: Dataset, account_id: str) -> ZoneInfo:
    """Return the time zone of an account."""
    return ZoneInfo(dataset.account_timezones()[account_id])
