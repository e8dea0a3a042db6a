"""Shared helpers of the KPI families: scoped posts, ratio of sums, scoped rows.

Every family module builds on these, so the catalog's rules are written once:

- rule 5: a post belongs to the account-day of its *local* publication day, and ``F_i`` is the
  account's followers on that day (from ``account_daily``);
- rule 6: ratios of sums are *pairwise*: a row enters a ratio only when it has both the
  numerator and the denominator;
- rule 14: a ratio whose denominator is 0 (or that has no pair at all) is null.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..scope import Scope, in_scope
from .catalog import CATALOG

__all__ = [
    "INTERACTION_COLUMNS",
    "count_or_none",
    "family_ids",
    "null_values",
    "ratio_of_sums",
    "scoped_posts",
    "scoped_rows",
    "sum_or_none",
    "to_python",
]

#: The counts that make up a post's interactions ``I_i`` (catalog notation).
INTERACTION_COLUMNS = ("likes", "comments", "shares", "saves")


def scoped_posts(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the posts published on the scope's account-days, with their day and ``F_i``.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset (``posts`` and ``account_daily`` are required tables).
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        A new frame: every column of ``posts`` plus

        - ``date``: the local publication day (midnight, the account's time zone; rule 5);
        - ``interactions``: ``I_i = likes + comments + shares + saves``, adding the counts that
          are reported; NaN when the post reports none of the four (rule 6);
        - ``followers_on_day``: ``F_i``, the account's followers on ``date``; NaN when the
          account has no ``account_daily`` row that day.

        Rows keep the order of the ``posts`` table; the index is a fresh ``RangeIndex``.
    """
    posts = ds["posts"]
    frame = posts.assign(date=posts["published_at_local"].dt.normalize())
    frame = in_scope(frame, scope, day_column="date")
    frame = frame.assign(
        interactions=frame[list(INTERACTION_COLUMNS)].sum(axis=1, min_count=1),
    )
    daily = ds["account_daily"][["account_id", "date", "followers"]].rename(
        columns={"followers": "followers_on_day"}
    )
    out = frame.merge(daily, on=["account_id", "date"], how="left", validate="many_to_one")
    return out.reset_index(drop=True)


def scoped_rows(frame: pd.DataFrame, scope: Scope, *, day_column: str) -> pd.DataFrame:
    """Return the rows of an account-linked table that fall on the scope's account-days.

    A thin wrapper of :func:`smmkpi_helpers.scope.in_scope` that also accepts a naive local
    time column (``started_at_local``): it is reduced to its day. Rows without an
    ``account_id`` never match (conversions and sessions count through ``account_id`` only).

    Parameters
    ----------
    frame : DataFrame
        A table with ``account_id`` and ``day_column``.
    scope : Scope
        The scope.
    day_column : str
        A date column or a naive local wall-clock column.

    Returns
    -------
    DataFrame
        The matching rows (a new frame; original index kept).
    """
    return in_scope(frame, scope, day_column=day_column)


def ratio_of_sums(num: pd.Series, den: pd.Series, *, scale: float = 1.0) -> float | None:
    """Return ``sum(num) / sum(den) * scale`` over the rows that have both (rule 6).

    Parameters
    ----------
    num, den : Series
        Aligned numerator and denominator columns (NaN = not available).
    scale : float, default 1.0
        A factor applied to the ratio (``100`` for a percentage). This keyword extends the
        two-argument form the KPI package contract names; the default keeps that form.

    Returns
    -------
    float or None
        None when no row has both values or when the denominator sums to 0 (rule 14).

    Examples
    --------
    >>> ratio_of_sums(pd.Series([10.0, None, 5.0]), pd.Series([100.0, 50.0, None]), scale=100)
    10.0
    """
    n = np.asarray(num, dtype="float64")
    d = np.asarray(den, dtype="float64")
    both = ~(np.isnan(n) | np.isnan(d))
    if not both.any():
        return None
    denominator = float(d[both].sum())
    if denominator == 0:
        return None
    return float(n[both].sum()) / denominator * scale


def sum_or_none(values: pd.Series, *, empty: float | None = 0) -> float | None:
    """Return the sum of the available values (rule 14).

    Parameters
    ----------
    values : Series
        Numbers, NaN = not available.
    empty : float or None, default 0
        What an empty series gives: 0 for a table with no rows in scope (rule 14).

    Returns
    -------
    float or None
        The sum of the non-missing values; None when every value is missing; ``empty`` when
        there is no value at all.
    """
    if len(values) == 0:
        return empty
    present = values.dropna()
    if present.empty:
        return None
    return float(present.sum())


def count_or_none(value: float | None) -> int | None:
    """Return ``value`` as a Python ``int`` (counts), keeping None."""
    return None if value is None else round(float(value))


def to_python(value: object) -> int | float | None:
    """Return a NumPy/pandas scalar as a Python number; NaN, NA and NaT become None."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return int(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    number = float(value)
    return None if math.isnan(number) else number


def family_ids(family: str) -> list[str]:
    """Return the catalog ids of ``family``, in catalog order."""
    return [k.id for k in CATALOG if k.family == family]


def null_values(family: str) -> dict[str, None]:
    """Return ``{id: None}`` for every catalog id of ``family`` (no data, or an empty scope)."""
    return dict.fromkeys(family_ids(family))
