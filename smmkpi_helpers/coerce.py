"""Turn cells into typed values, one column kind at a time (vectorised).

Each parser takes a column as read (text from CSV/``.xlsx``, or typed from Parquet) and returns
the typed values and a mask of cells that are filled but invalid. Missing cells are never
invalid here: whether a column may be empty is the schema's business.

Types after coercion: ids and text are ``str``; enums are lower-case ``str``; dates are
``datetime64`` midnights; timestamps are ``datetime64[ns, UTC]`` instants; counts and amounts are
``float64`` (NaN = not available; counts are checked to be whole numbers >= 0); bools are
pandas' nullable ``boolean``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pandas as pd

from .schema import ID_PATTERN, Column

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "parse_column",
    "parse_work_days",
    "parse_work_hours",
    "timestamp_is_naive",
]

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t", "да", "1.0"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f", "нет", "0.0"})
_OFFSET = re.compile(r"(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$")
_ISO_TS = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def _as_text(series: pd.Series) -> pd.Series:
    """Return the column as pandas ``str`` text with missing values kept missing.

    Whole floats from Parquet (``7.0``) become ``"7"``.
    """
    if pd.api.types.is_string_dtype(series.dtype) and series.dtype != object:
        return series
    if pd.api.types.is_float_dtype(series.dtype):
        whole = series.notna() & (series == np.floor(series))
        text = series.astype("str")
        return text.where(~whole, series[whole].astype("int64").astype("str"))
    return series.astype("str")


def _numbers(series: pd.Series) -> pd.Series:
    """Return float64 numbers; text may use a decimal comma and space thousands separators."""
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("float64")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return pd.to_numeric(series, errors="coerce").astype("float64")
    text = _as_text(series)
    present = text.notna()
    plain = present & text.str.fullmatch(r"[+-]?\d+(?:\.\d+)?").fillna(False).astype(bool)
    out = pd.Series(np.nan, index=series.index, dtype="float64")
    out[plain] = pd.to_numeric(text[plain], errors="coerce").astype("float64")
    other = present & ~plain
    if other.any():  # decimal comma, spaces as thousands separators, or not a number
        cleaned = text[other].str.replace(r"[\s\u00a0\u202f]", "", regex=True)
        cleaned = cleaned.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True)
        out[other] = pd.to_numeric(cleaned, errors="coerce").astype("float64")
    return out


def _bools(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    present = series.notna()
    if pd.api.types.is_bool_dtype(series.dtype):
        return series.astype("boolean"), pd.Series(False, index=series.index)
    text = _as_text(series).str.lower()
    truthy = text.isin(TRUE_WORDS)
    falsy = text.isin(FALSE_WORDS)
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[truthy] = True
    out[falsy] = False
    return out, present & ~truthy & ~falsy


def timestamp_is_naive(series: pd.Series) -> pd.Series:
    """Return, per cell, whether a timestamp carries no offset (wall-clock time).

    Typed Parquet columns are naive when their dtype has no time zone.
    """
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return pd.Series(False, index=series.index)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return pd.Series(True, index=series.index)
    text = _as_text(series)
    has_offset = text.str.contains(_OFFSET.pattern, regex=True).fillna(False).astype(bool)
    return ~has_offset


def _timestamps(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    present = series.notna()
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        return series.dt.tz_convert("UTC").astype("datetime64[ns, UTC]"), ~present & False
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return series.dt.tz_localize("UTC").astype("datetime64[ns, UTC]"), ~present & False
    text = _as_text(series)
    shaped = text.str.match(_ISO_TS.pattern).fillna(False).astype(bool)
    parsed = pd.to_datetime(text.where(shaped), format="ISO8601", utc=True, errors="coerce")
    parsed = parsed.astype("datetime64[ns, UTC]")
    return parsed, present & parsed.isna()


def _dates(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    present = series.notna()
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        values = (
            series.dt.tz_localize(None)
            if isinstance(series.dtype, pd.DatetimeTZDtype)
            else (series)
        )
        values = values.astype("datetime64[ns]")
        bad = present & (values != values.dt.normalize())
        return values.dt.normalize(), bad
    text = _as_text(series)
    parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    return parsed, present & parsed.isna()


@lru_cache(maxsize=256)
def _zone_ok(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_work_hours(text: str) -> tuple[int, int]:
    """Parse ``HH:MM-HH:MM`` into minutes after midnight (start, end).

    Raises
    ------
    ValueError
        When the text is not a valid range with start before end.
    """
    m = _HOURS.match(str(text).strip())
    if not m:
        raise ValueError(text)
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or end > 24 * 60 or start >= end:
        raise ValueError(text)
    return start, end


_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _weekday(token: str) -> int:
    for number, (short, full) in enumerate(zip(_DAYS, _FULL_DAYS, strict=True)):
        if token in (short, full):
            return number
    raise ValueError(token)


def parse_work_days(text: str) -> tuple[int, ...]:
    """Parse ``mon-fri`` or ``mon,wed,fri`` (or combinations) into weekday numbers (Monday=0).

    A range may wrap around the week (``sat-mon``).

    Raises
    ------
    ValueError
        When a part names no weekday.

    Examples
    --------
    >>> parse_work_days("mon-fri"), parse_work_days("mon,wed,fri"), parse_work_days("sat-mon")
    ((0, 1, 2, 3, 4), (0, 2, 4), (0, 5, 6))
    """
    days: set[int] = set()
    for part in str(text).lower().replace(" ", "").split(","):
        if "-" in part:
            first, last = part.split("-", 1)
            a, b = _weekday(first), _weekday(last)
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        else:
            days.add(_weekday(part))
    return tuple(sorted(days))


def _by_unique(series: pd.Series, ok) -> pd.Series:
    """Return a mask of filled cells whose (text) value fails ``ok``, testing each value once."""
    text = _as_text(series)
    present = text.notna()
    verdict = {value: not ok(value) for value in pd.unique(text[present])}
    failed = pd.Series(text.map(verdict), dtype="boolean").fillna(False).astype(bool)
    return present & failed


def _bad_ids(text: pd.Series) -> pd.Series:
    present = text.notna()
    good = text.str.fullmatch(ID_PATTERN.pattern).fillna(False).astype(bool) & ~text.str.contains(
        "..", regex=False
    ).fillna(False).astype(bool)
    return present & ~good


def _safe(fn):
    def check(value):
        try:
            fn(value)
        except (ValueError, TypeError):
            return False
        return True

    return check


_EMPTY_DTYPES = {
    "count": "float64",
    "money": "float64",
    "number": "float64",
    "nonneg_number": "float64",
    "bool": "boolean",
    "date": "datetime64[ns]",
    "timestamp": "datetime64[ns, UTC]",
}


def _empty_typed(kind: str, index: pd.Index) -> pd.Series:
    dtype = _EMPTY_DTYPES.get(kind, "str")
    return pd.Series(pd.NA if dtype == "boolean" else None, index=index, dtype=dtype)


def parse_column(series: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """Coerce one column to its kind.

    Parameters
    ----------
    series : Series
        The cells as read.
    column : Column
        Its definition in :mod:`smmkpi_helpers.schema`.

    Returns
    -------
    (Series, Series)
        The typed values (invalid cells become missing) and a boolean mask of the cells that
        are filled but invalid.
    """
    kind = column.kind
    present = series.notna()
    if not present.any():  # an empty optional column: skip the parsing, keep the type
        return _empty_typed(kind, series.index), pd.Series(False, index=series.index)
    if kind in ("count", "money", "number", "nonneg_number"):
        values = _numbers(series)
        bad = present & values.isna()
        if kind != "number":
            bad |= values < 0
        if kind == "count":
            bad |= values.notna() & (values != np.floor(values))
        return values.where(~bad), bad
    if kind == "bool":
        return _bools(series)
    if kind == "date":
        return _dates(series)
    if kind == "timestamp":
        return _timestamps(series)
    text = _as_text(series)
    if kind == "enum":
        lowered = text.str.lower()
        bad = present & ~lowered.isin(column.choices)
        return lowered.where(~bad), bad
    if kind == "id":
        bad = _bad_ids(text)
    elif kind == "timezone":
        bad = _by_unique(text, _zone_ok)
    elif kind == "work_hours":
        bad = _by_unique(text, _safe(parse_work_hours))
    elif kind == "work_days":
        bad = _by_unique(text, _safe(parse_work_days))
    elif kind == "period":
        from .periods import parse_period

        bad = _by_unique(text, _safe(parse_period))
    elif kind == "kpi":
        from .kpis.catalog import KPI_IDS

        bad = _by_unique(text, lambda v: v in KPI_IDS)
    else:
        bad = pd.Series(False, index=series.index)
    return text.where(~bad), bad
