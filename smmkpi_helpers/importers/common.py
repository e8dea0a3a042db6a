"""What every importer shares: input files, the import context, rows with their provenance.

A converter is a pure function ``convert(files, ctx) -> Converted``: it takes the files already
read (:class:`SourceFile`: parsed JSON, or a :class:`~smmkpi_helpers.readers.RawTable` of
text cells with their line numbers) and returns rows for canonical tables, each row carrying
the file and line (or JSON item) it came from. Reading files (:func:`read_source_file`) and
merging rows into a dataset (:mod:`.merge`) happen outside the converters.

Cells of the rows a converter returns are text in the data model's form (``None`` = the export
does not provide the cell): counts as whole numbers, timestamps ISO 8601 with the account's
offset, dates ``YYYY-MM-DD``. :func:`finalize` checks every cell with the schema's parsers and
rejects the rows whose cells break the data model, each with its file and line.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..coerce import parse_column
from ..errors import ImportFailedError, Issue, UsageError
from ..readers import RawTable, decode_text, read_table_file, sniff_separator, unique_names
from ..schema import TABLES, Column, is_valid_id

__all__ = [
    "PROVENANCE",
    "Converted",
    "ImportContext",
    "SourceFile",
    "TableUpdate",
    "as_number",
    "find_column",
    "finalize",
    "local_iso",
    "make_id",
    "norm_header",
    "read_source_file",
    "row_issues",
    "stable_hash",
    "text_cells",
    "unix_to_iso",
]

#: Columns that carry where a row came from; they never reach a table file.
PROVENANCE = ("_file", "_line", "_where")

_JSON_SUFFIXES = (".json", ".js", ".txt")
_TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx")


@dataclass(frozen=True)
class SourceFile:
    """One export file, read but not interpreted.

    Attributes
    ----------
    name : str
        The file name as the user has it (no folder), used in every message.
    kind : str
        ``"json"`` or ``"table"``.
    data : object
        The parsed JSON value, or a :class:`~smmkpi_helpers.readers.RawTable` of text cells.
    """

    name: str
    kind: str
    data: Any

    @property
    def table(self) -> RawTable:
        """Return the table of a ``"table"`` file."""
        return self.data


@dataclass(frozen=True)
class ImportContext:
    """What a converter may know besides its files.

    Attributes
    ----------
    account : dict or None
        The ``accounts`` row of ``--account`` (typed values), or None when the source does not
        need one (web analytics with a mapping, mentions with ``--brand``).
    existing : Mapping[str, DataFrame]
        The dataset's typed tables (for known follower totals and posts already imported).
    options : Mapping[str, object]
        The source's options (``followers``, ``on``, ``year``, ...), by name.
    """

    account: dict | None
    existing: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def account_id(self) -> str:
        """Return the account id (raises UsageError when the source got no ``--account``)."""
        if self.account is None:
            raise UsageError("this source needs --account ID")
        return str(self.account["account_id"])

    @property
    def timezone(self) -> str:
        """Return the account's IANA time zone (``UTC`` without an account)."""
        if self.account is None:
            return "UTC"
        return str(self.account.get("timezone") or "UTC")

    def option(self, name: str, default: Any = None) -> Any:
        """Return the option ``name`` (None or absent gives ``default``)."""
        value = self.options.get(name)
        return default if value is None else value


@dataclass
class TableUpdate:
    """Rows for one canonical table and how they merge.

    Attributes
    ----------
    table : str
        The canonical table.
    rows : DataFrame
        Canonical column names; text cells (None = not provided); plus the provenance columns
        ``_file``, ``_line`` (int or None) and ``_where`` (e.g. ``item 3 (post 120)``).
    mode : str
        ``"upsert"`` (add new rows, update the cells of matched ones), ``"update"`` (only
        rows already in the dataset; a new key is rejected with ``hint``) or ``"insert"``
        (only new rows; rows already in the dataset are left alone).
    sources : dict
        Canonical column -> the export's field name, for messages.
    hint : str
        What to import first when an ``"update"`` row names a key the dataset lacks.
    covers : tuple of str
        Columns the source answers for as a whole: in a matched row, such a cell the export
        leaves empty is emptied too, instead of kept. Aggregate reports cover every measure
        of ``web_daily``: keeping ``robot_sessions`` of one report beside the ``sessions`` of
        another would give wrong rates.
    """

    table: str
    rows: pd.DataFrame
    mode: str = "upsert"
    sources: dict[str, str] = field(default_factory=dict)
    hint: str = ""
    covers: tuple[str, ...] = ()


@dataclass
class Converted:
    """What a converter returns: table updates, rejected rows and notes for the user."""

    updates: list[TableUpdate] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- reading files


def _json_error(name: str, exc: json.JSONDecodeError) -> ImportFailedError:
    return ImportFailedError(
        f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); save the "
        "API response exactly as it came, without editing it"
    )


def read_source_file(path: str | Path, kind: str) -> SourceFile:
    """Read one export file (the only I/O of an import besides the merge).

    Parameters
    ----------
    path : str or Path
        The file; it is opened read-only and never changed.
    kind : str
        ``"json"`` or ``"table"`` (CSV/TSV in UTF-8 with or without BOM, UTF-16 or cp1251,
        separated by comma, semicolon or tab; ``.xlsx``, first sheet).

    Raises
    ------
    ImportFailedError
        When the file does not exist, cannot be read, or is not of the expected kind.
    """
    path = Path(path)
    if not path.is_file():
        raise ImportFailedError(f"no file '{path}'")
    data = path.read_bytes()
    if kind == "json":
        text, _ = decode_text(data)
        stripped = text.lstrip("\ufeff").strip()
        if not stripped:
            raise ImportFailedError(f"{path.name}: the file is empty")
        if stripped[0] not in "[{":
            raise ImportFailedError(
                f"{path.name}: expected a JSON API response, but the file "
                f"{_looks_like_table(stripped, path.name)}"
            )
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise _json_error(path.name, exc) from None
        return SourceFile(path.name, "json", value)
    if path.suffix.lower() == ".xlsx":
        try:
            raw = read_table_file(path, "import", [])
        except Exception as exc:  # a broken workbook
            raise ImportFailedError(
                f"{path.name}: the workbook cannot be read ({exc.__class__.__name__}: {exc})"
            ) from None
        return SourceFile(path.name, "table", raw)
    text, encoding = decode_text(data)
    if text.lstrip("\ufeff").lstrip()[:1] in ("{", "["):
        raise ImportFailedError(
            f"{path.name}: expected a table (CSV/TSV/XLSX), but the file holds JSON"
            + _json_hint(text)
        )
    return SourceFile(path.name, "table", parse_delimited(text, path.name, encoding))


def _looks_like_table(text: str, name: str) -> str:
    from .detect import describe_table

    what = describe_table(parse_delimited(text, name).frame.columns)
    if what:
        return f"is a table: it looks like {what}"
    first = text.splitlines()[0] if text else ""
    return f"looks like a table whose header is: {first[:120]!r}"


def _json_hint(text: str) -> str:
    try:
        value = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError:
        return ""
    from .detect import describe_json

    what = describe_json(value)
    return f"; it looks like {what}" if what else ""


def parse_delimited(text: str, name: str, encoding: str | None = None) -> RawTable:
    """Parse delimited text into a :class:`RawTable` of text cells with their line numbers.

    Like :func:`smmkpi_helpers.readers.read_table_file` (same decoding and separator rules,
    same line numbering), but lines starting with ``#`` before the header are skipped, as in
    the CSV files Google Analytics 4 writes (a comment preamble), and a second table after a
    blank line and another ``#`` block is left out.
    """
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    skip = 0
    while skip < len(lines) and (not lines[skip].strip() or lines[skip].startswith("#")):
        skip += 1
    body_lines = lines[skip:]
    if not body_lines:
        return RawTable(pd.DataFrame(), np.array([], dtype=int), name, "csv", encoding, None, [])
    separator = "\t" if name.lower().endswith(".tsv") else sniff_separator(body_lines[0])
    body = "\n".join(body_lines)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=separator)
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    issues: list[Issue] = []
    previous_end = 0
    for record in reader:
        start = previous_end + 1 + skip
        previous_end = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            if header is not None and rows and _next_is_comment(body_lines, previous_end):
                break
            continue
        if header is None:
            header = [cell.strip() for cell in record]
            continue
        if record[0].startswith("#"):
            break
        if len(record) != len(header):
            issues.append(
                Issue(
                    "import",
                    f"the record has {len(record)} fields but the header has {len(header)}",
                    file=name,
                    line=start,
                    code="field_count",
                )
            )
            continue
        rows.append(record)
        numbers.append(start)
    if header is None:
        return RawTable(pd.DataFrame(), np.array([], dtype=int), name, "csv", encoding, None, [])
    names = unique_names(header)
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    cells = {}
    for column in frame.columns:
        stripped = frame[column].astype(object).str.strip()
        cells[column] = stripped.where(stripped != "", None).astype(object)
    frame = pd.DataFrame(cells, index=frame.index, columns=frame.columns, dtype=object)
    return RawTable(frame, np.asarray(numbers, dtype=int), name, "csv", encoding, separator, issues)


def _next_is_comment(lines: list[str], index: int) -> bool:
    for line in lines[index:]:
        if line.strip():
            return line.startswith("#")
    return False


# --------------------------------------------------------------------------- cells


def norm_header(name: object) -> str:
    """Return a header in a comparable form: lower case, single spaces, ``ё`` as ``е``."""
    text = str(name).strip().strip('"').lower().replace("ё", "е").replace("_", " ")
    return re.sub(r"\s+", " ", text)


def find_column(columns: Iterable[object], *aliases: str) -> str | None:
    """Return the first column whose normalised name equals one of ``aliases``."""
    by_norm: dict[str, str] = {}
    for column in columns:
        by_norm.setdefault(norm_header(column), column)
    for alias in aliases:
        hit = by_norm.get(norm_header(alias))
        if hit is not None:
            return hit
    return None


_NUMBER = Column("value", "number")


def as_number(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse cells as numbers (decimal comma, spaces as thousands separators, ``%`` dropped).

    Returns
    -------
    (Series, Series)
        float64 values (NaN = empty or invalid) and a mask of filled but invalid cells.
    """
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        values = pd.to_numeric(series, errors="coerce").astype("float64")
        return values, pd.Series(False, index=series.index)
    text = series.astype(object).where(series.notna(), None)
    text = text.map(lambda v: v if v is None else str(v).replace("%", "").strip() or None)
    return parse_column(text, _NUMBER)


def text_cells(series: pd.Series) -> pd.Series:
    """Return cells as stripped text (object dtype, None for empty): the canonical cell form.

    Whole floats lose their ``.0``; other floats keep their shortest repr; bools become
    ``true``/``false``; Windows line ends become ``\\n``.
    """
    present = series.notna()
    full = np.full(len(series), None, dtype=object)
    if not present.any():
        return pd.Series(full, index=series.index, dtype=object)
    values = series[present]
    if pd.api.types.is_bool_dtype(values.dtype):
        text = values.astype(bool).map({True: "true", False: "false"}).astype("str")
    elif pd.api.types.is_integer_dtype(values.dtype):
        text = values.astype("int64").astype("str")
    elif pd.api.types.is_float_dtype(values.dtype):
        floats = values.astype("float64")
        whole = (floats == np.floor(floats)).to_numpy()
        text = floats.map(repr).astype("str")
        if whole.any():
            text[whole] = floats[whole].astype("int64").astype("str")
    elif pd.api.types.infer_dtype(values, skipna=True) == "string":
        text = values.astype("str")  # the common case: text cells, handled by pyarrow
    else:
        text = values.map(_one_text).astype("str")
    text = text.str.replace("\r\n", "\n", regex=False).str.strip()
    cells = text.to_numpy(dtype=object, na_value=None)
    cells[cells == ""] = None
    full[present.to_numpy(dtype=bool)] = cells
    return pd.Series(full, index=series.index, dtype=object)


def _one_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def unix_to_iso(seconds: pd.Series, timezone: str) -> pd.Series:
    """Return unix times as ISO 8601 text with the offset of ``timezone`` (vectorised).

    Examples
    --------
    >>> unix_to_iso(pd.Series([1767261600]), "Europe/Moscow").tolist()
    ['2026-01-01T13:00:00+03:00']
    """
    values, _ = as_number(seconds)
    instants = pd.to_datetime(values, unit="s", utc=True, errors="coerce")
    return _iso(instants.dt.tz_convert(timezone))


def local_iso(wall: pd.Series, timezone: str) -> pd.Series:
    """Return naive wall-clock times read in ``timezone`` as ISO 8601 text with its offset.

    A wall time that does not exist (the hour skipped when clocks go forward) moves forward;
    one that happens twice (clocks go back) is read as the later, standard-time one.
    """
    wall = pd.to_datetime(wall, errors="coerce")
    if isinstance(wall.dtype, pd.DatetimeTZDtype):
        return _iso(wall.dt.tz_convert(timezone))
    aware = wall.dt.tz_localize(
        timezone, ambiguous=np.zeros(len(wall), dtype=bool), nonexistent="shift_forward"
    )
    return _iso(aware)


def _offset_text(minutes: float) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(int(minutes)), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def _iso(aware: pd.Series) -> pd.Series:
    """Return tz-aware times as ``YYYY-MM-DDTHH:MM:SS+HH:MM`` text (vectorised; None for NaT)."""
    wall = aware.dt.tz_localize(None)
    utc = aware.dt.tz_convert("UTC").dt.tz_localize(None)
    minutes = (wall - utc) / pd.Timedelta(minutes=1)
    text = np.datetime_as_string(wall.to_numpy(dtype="datetime64[s]"), unit="s")
    offsets = minutes.map({m: _offset_text(m) for m in pd.unique(minutes.dropna())})
    out = pd.Series(text, index=aware.index).astype(object) + offsets.astype(object)
    return out.where(aware.notna(), None).astype(object)


def stable_hash(*parts: object, length: int = 12) -> str:
    """Return a short hex digest of ``parts`` (stable across runs and machines)."""
    digest = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode())
    return digest.hexdigest()[:length]


_BAD_ID_CHARS = re.compile(r"[^A-Za-z0-9_.\-]+")


def make_id(value: object, *, prefix: str = "") -> str | None:
    """Return ``value`` as a valid id (data-model.md), changed as little as possible.

    Characters an id may not hold become ``_``, a leading character that is not a letter or
    digit is dropped, ``..`` becomes ``.``, and an id too long keeps its start plus a hash of
    the whole value, so two different values never share an id by truncation.

    Examples
    --------
    >>> make_id("12345"), make_id("ba:post/77"), make_id("", prefix="m")
    ('12345', 'ba_post_77', None)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = _one_text(value).strip()
    if not text:
        return None
    candidate = prefix + text
    if is_valid_id(candidate):
        return candidate
    cleaned = _BAD_ID_CHARS.sub("_", candidate)
    while ".." in cleaned:
        cleaned = cleaned.replace("..", ".")
    cleaned = cleaned.lstrip("_.-")
    if not cleaned:
        cleaned = "id"
    if len(cleaned) > 64:
        cleaned = cleaned[:51].rstrip("_.-") + "-" + stable_hash(candidate)
    return cleaned if is_valid_id(cleaned) else "id-" + stable_hash(candidate)


# --------------------------------------------------------------------------- checking rows


def row_issues(
    rows: pd.DataFrame,
    mask: pd.Series,
    table: str,
    message: str,
    *,
    column: str | None = None,
    values: pd.Series | None = None,
    expected: str | None = None,
    code: str = "rejected_row",
    severity: str = "error",
) -> list[Issue]:
    """Return one :class:`Issue` per row under ``mask``, located by its provenance columns."""
    issues = []
    for index in rows.index[mask.fillna(False).to_numpy(dtype=bool)]:
        where = rows.at[index, "_where"] if "_where" in rows else None
        line = rows.at[index, "_line"] if "_line" in rows else None
        value = None
        if values is not None:
            raw = values.at[index]
            value = None if raw is None or (isinstance(raw, float) and np.isnan(raw)) else raw
        issues.append(
            Issue(
                table,
                f"{where}: {message}" if where else message,
                file=rows.at[index, "_file"] if "_file" in rows else None,
                line=None if line is None or pd.isna(line) else int(line),
                column=column,
                value=None if value is None else str(value),
                expected=expected,
                severity=severity,
                code=code,
            )
        )
    return issues


def _canonical(typed: pd.Series, text: pd.Series, column: Column) -> pd.Series:
    """Return the canonical text of typed values (None for missing)."""
    present = typed.notna()
    out = pd.Series([None] * len(typed), index=typed.index, dtype=object)
    if not present.any():
        return out
    values = typed[present]
    kind = column.kind
    if kind == "count":
        formatted = values.astype("float64").astype("int64").astype(str)
    elif kind in ("money", "number", "nonneg_number"):
        formatted = values.astype("float64").map(
            lambda v: str(int(v)) if float(v).is_integer() else repr(float(v))
        )
    elif kind == "bool":
        formatted = values.astype(bool).map({True: "true", False: "false"})
    elif kind == "date":
        formatted = values.dt.strftime("%Y-%m-%d")
    elif kind == "timestamp":
        formatted = text[present]
    else:
        formatted = values.astype(str)
    out[present] = formatted.to_numpy(dtype=object)
    return out


def finalize(update: TableUpdate) -> tuple[TableUpdate, list[Issue]]:
    """Check every cell of an update against the data model; reject the rows that break it.

    Returns
    -------
    (TableUpdate, list of Issue)
        The update with canonical text cells and without the rejected rows, and one issue
        per bad cell (file, line or JSON item, the export's field, the value, what was
        expected).
    """
    table = TABLES[update.table]
    rows = update.rows.reset_index(drop=True)
    for name in PROVENANCE:
        if name not in rows:
            rows[name] = None
    bad_rows = pd.Series(False, index=rows.index)
    issues: list[Issue] = []
    out: dict[str, pd.Series] = {}
    for column in table.columns:
        if column.name not in rows:
            continue
        text = text_cells(rows[column.name])
        typed, bad = parse_column(text, column)
        if bad.any():
            source = update.sources.get(column.name, column.name)
            issues += row_issues(
                rows,
                bad,
                update.table,
                f"the row is left out: its {source} does not fit {update.table}.{column.name}",
                column=source,
                values=text,
                expected=column.expected,
            )
            bad_rows |= bad
        out[column.name] = _canonical(typed, text, column)
    frame = pd.DataFrame(out, index=rows.index)
    for name in PROVENANCE:
        frame[name] = rows[name]
    frame = frame[~bad_rows].reset_index(drop=True)
    checked = TableUpdate(
        update.table, frame, update.mode, update.sources, update.hint, update.covers
    )
    return checked, issues
