"""Validate tables against the data model with pandera, and word every breach for a marketer.

Two pandera schemas per table are built from :mod:`smmkpi_helpers.schema`:

* the *cell* schema runs on the table as read: required columns are present, required cells are
  filled, and every filled cell parses as its kind (count, date, timestamp, id, enum, ...);
* the *table* schema runs on the typed table: unique keys, references to other tables,
  ``end_date >= start_date``.

Both run lazily, so every breach of a file is reported at once, each as an :class:`Issue`
naming the table, file, line, column, value and what was expected.
"""

from __future__ import annotations

import warnings

import pandas as pd

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import pandera.pandas as pa
    from pandera.errors import SchemaErrors

from .errors import Issue
from .readers import RawTable
from .schema import Table

__all__ = ["cell_issues", "table_issues"]

_MAX_PER_CHECK = 50


def _parse_check(column, bad: pd.Series) -> pa.Check:
    def check(series: pd.Series) -> pd.Series:
        return ~bad.reindex(series.index, fill_value=False)

    return pa.Check(check, name=f"kind:{column.name}", error=column.expected)


def cell_schema(table: Table, parsed: dict[str, tuple[pd.Series, pd.Series]]):
    """Return the pandera schema that checks a table's cells as read.

    ``parsed`` holds, per column present, the typed values and the mask of invalid cells that
    :func:`smmkpi_helpers.coerce.parse_column` found (each column is parsed once).
    """
    columns = {}
    for col in table.columns:
        checks = [_parse_check(col, parsed[col.name][1])] if col.name in parsed else []
        columns[col.name] = pa.Column(
            None,
            checks=checks,
            nullable=not col.required,
            required=col.required,
        )
    return pa.DataFrameSchema(columns, strict=False, coerce=False, name=table.name)


def _run(schema: pa.DataFrameSchema, frame: pd.DataFrame) -> pd.DataFrame | None:
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        return errors.failure_cases
    return None


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return str(value)


def cell_issues(
    table: Table, raw: RawTable, parsed: dict[str, tuple[pd.Series, pd.Series]]
) -> list[Issue]:
    """Check the cells of one table file; return one issue per bad cell (capped per check)."""
    frame = raw.frame
    cases = _run(cell_schema(table, parsed), frame)
    if cases is None:
        return []
    issues: list[Issue] = []
    counts: dict[tuple, int] = {}
    for case in cases.itertuples(index=False):
        column = case.column
        check = str(case.check)
        if check == "column_in_dataframe":
            continue  # reported by the loader, which can say which table the file looks like
        key = (column, check)
        counts[key] = counts.get(key, 0) + 1
        if counts[key] > _MAX_PER_CHECK:
            continue
        line = raw.line_of(int(case.index)) if case.index is not None else None
        col_def = table.column(column) if column in table.column_names else None
        if check == "not_nullable":
            issues.append(
                Issue(
                    table.name,
                    "a required cell is empty",
                    file=raw.file,
                    line=line,
                    column=column,
                    expected=col_def.expected if col_def else None,
                    code="required_empty",
                )
            )
        else:
            issues.append(
                Issue(
                    table.name,
                    "the value is not valid",
                    file=raw.file,
                    line=line,
                    column=column,
                    value=_text(case.failure_case),
                    expected=col_def.expected if col_def else check,
                    code=f"bad_{col_def.kind if col_def else 'value'}",
                )
            )
    for (column, _check), count in counts.items():
        if count > _MAX_PER_CHECK:
            issues.append(
                Issue(
                    table.name,
                    f"{count - _MAX_PER_CHECK} more cells like these",
                    file=raw.file,
                    column=column,
                    code="more",
                )
            )
    return issues


def table_issues(
    table: Table,
    typed: pd.DataFrame,
    raw: RawTable,
    known_ids: dict[str, set[str]],
) -> list[Issue]:
    """Check keys, references and cross-column rules of one typed table.

    Parameters
    ----------
    table : Table
        Its definition.
    typed : DataFrame
        The coerced table (same row order as ``raw``).
    raw : RawTable
        The file as read (for line numbers and file name).
    known_ids : dict
        ``{"accounts.account_id": {...}, "specialists.specialist_id": {...}}``.
    """
    checks = []
    columns = {}
    for col in table.columns:
        if col.refs and col.name in typed.columns:
            valid = known_ids.get(col.refs, set())
            columns[col.name] = pa.Column(
                None,
                checks=pa.Check(_isin(valid), name=f"ref:{col.refs}"),
                nullable=True,
                required=False,
            )
    if table.name == "assignments":
        checks.append(
            pa.Check(
                lambda df: df["end_date"].isna() | (df["end_date"] >= df["start_date"]),
                name="end_before_start",
            )
        )
    key = [k for k in table.key if k in typed.columns]
    schema = pa.DataFrameSchema(
        columns,
        checks=checks,
        unique=key or None,
        report_duplicates="exclude_first",
        strict=False,
        name=table.name,
    )
    cases = _run(schema, typed)
    if cases is None:
        return []
    issues: list[Issue] = []
    seen: set[tuple] = set()
    counts: dict[str, int] = {}
    for case in cases.itertuples(index=False):
        check = str(case.check)
        index = int(case.index) if case.index is not None and not pd.isna(case.index) else None
        line = raw.line_of(index) if index is not None else None
        unique_check = check == "multiple_fields_uniqueness" or check.startswith("field_uniq")
        dedupe = (
            (check, index)
            if unique_check or check == "end_before_start"
            else (check, index, case.column)
        )
        if dedupe in seen:
            continue
        seen.add(dedupe)
        counts[check] = counts.get(check, 0) + 1
        if counts[check] > _MAX_PER_CHECK:
            continue
        if unique_check:
            row = typed.iloc[index]
            values = ", ".join(f"{k}={_key_text(row[k])}" for k in key)
            first = _first_line(typed, key, index, raw)
            issues.append(
                Issue(
                    table.name,
                    f"duplicate key ({values}); first seen on line {first}"
                    if first
                    else f"duplicate key ({values})",
                    file=raw.file,
                    line=line,
                    column=", ".join(key),
                    expected="each key once",
                    code="duplicate_key",
                )
            )
        elif check.startswith("ref:"):
            target = check[4:]
            ref_table, ref_col = target.split(".")
            issues.append(
                Issue(
                    table.name,
                    f"unknown {ref_col}: it is not in the {ref_table} table",
                    file=raw.file,
                    line=line,
                    column=case.column,
                    value=_text(case.failure_case),
                    expected=f"a {ref_col} listed in {ref_table}",
                    code="unknown_reference",
                )
            )
        elif check == "end_before_start":
            row = typed.iloc[index]
            issues.append(
                Issue(
                    table.name,
                    "end_date is before start_date",
                    file=raw.file,
                    line=line,
                    column="end_date",
                    value=_key_text(row["end_date"]),
                    expected=f"a date on or after {_key_text(row['start_date'])}",
                    code="end_before_start",
                )
            )
        else:
            issues.append(
                Issue(
                    table.name,
                    f"check {check} failed",
                    file=raw.file,
                    line=line,
                    column=case.column,
                    value=_text(case.failure_case),
                )
            )
    for check, count in counts.items():
        if count > _MAX_PER_CHECK:
            issues.append(
                Issue(
                    table.name,
                    f"{count - _MAX_PER_CHECK} more rows like these ({check})",
                    file=raw.file,
                    code="more",
                )
            )
    return issues


def _isin(valid: set[str]):
    def check(series: pd.Series) -> pd.Series:
        return series.isin(valid)

    return check


def _key_text(value) -> str:
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    return str(value)


def _first_line(typed: pd.DataFrame, key: list[str], index: int, raw: RawTable) -> int | None:
    row = typed.iloc[index]
    mask = pd.Series(True, index=typed.index)
    for k in key:
        mask &= typed[k] == row[k]
    positions = mask.to_numpy().nonzero()[0]
    return raw.line_of(int(positions[0])) if len(positions) else None
