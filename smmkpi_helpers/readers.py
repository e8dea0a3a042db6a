"""Read table files as users really have them.

CSV in UTF-8 (with or without BOM), UTF-16 or cp1251 (Russian Excel exports), separated by
comma, semicolon or tab; ``.xlsx`` (first sheet); Parquet. Every record keeps the line where it
starts in the file (the sheet row for ``.xlsx``, the 1-based row for Parquet), so that every
message can point at it. Files are only read, never changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import Issue

__all__ = ["SUFFIXES", "RawTable", "decode_text", "read_table_file", "sniff_separator"]

#: File endings a table may have, in order of preference.
SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".xlsx")

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


@dataclass
class RawTable:
    """A table file as read, before validation.

    Attributes
    ----------
    frame : DataFrame
        The records; CSV and ``.xlsx`` cells are text with empty cells as missing values,
        Parquet columns keep their types.
    file : str
        File name without the folder.
    fmt : str
        ``csv``, ``xlsx`` or ``parquet``.
    encoding, separator : str or None
        What was detected for CSV files.
    issues : list of Issue
        Problems found while reading (bad field counts, an empty file).
    """

    frame: pd.DataFrame
    lines: np.ndarray | None
    file: str
    fmt: str
    encoding: str | None = None
    separator: str | None = None
    issues: list[Issue] | None = None
    text: str | None = None

    def line_of(self, position: int) -> int:
        """Return the file line (or sheet row) of the record at ``position``.

        For CSV files read by the fast parser the lines are found on first use, by reading the
        text again with the ``csv`` module (which knows where quoted multi-line cells end).
        """
        if self.lines is None:
            self.lines = _record_lines(self.text or "", self.separator or ",")
        return int(self.lines[position])


def _record_lines(text: str, separator: str) -> np.ndarray:
    """Return the line on which each record after the header starts."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    lines: list[int] = []
    previous_end = 0
    header_seen = False
    for record in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue
        if not header_seen:
            header_seen = True
            continue
        lines.append(start)
    return np.asarray(lines, dtype=int)


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode bytes of a text file: BOM first, then UTF-8, then cp1251.

    Returns
    -------
    (str, str)
        The text and the encoding used.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data.decode(encoding), encoding
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "cp1251"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_separator(header_line: str) -> str:
    """Return the separator of a delimited file from its header line (``,``, ``;`` or tab)."""
    counts = {sep: 0 for sep in (",", ";", "\t")}
    quoted = False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _empty_issue(table: str, file: str, columns: list[str]) -> Issue:
    return Issue(
        table,
        "the file is empty",
        file=file,
        expected="a header row with the columns " + ", ".join(columns),
        code="empty_file",
    )


def _read_csv(path: Path, table: str, columns: list[str]) -> RawTable:
    data = path.read_bytes()
    text, encoding = decode_text(data)
    text = text.lstrip("\ufeff")
    if not text.strip():
        return RawTable(
            pd.DataFrame(),
            np.array([], dtype=int),
            path.name,
            "csv",
            encoding,
            None,
            [_empty_issue(table, path.name, columns)],
        )
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    separator = "\t" if path.suffix.lower() == ".tsv" else sniff_separator(first_line)
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            skip_blank_lines=True,
            engine="c",
            on_bad_lines="error",
        )
    except (pd.errors.ParserError, ValueError):
        return _read_csv_slow(path, table, columns, text, encoding, separator)
    frame.columns = unique_names([str(c).strip() for c in frame.columns])
    if not isinstance(frame.index, pd.RangeIndex) or (
        frame.columns.size and str(frame.columns[0]).startswith("Unnamed")
    ):
        return _read_csv_slow(path, table, columns, text, encoding, separator)
    return RawTable(_blank_to_na(frame), None, path.name, "csv", encoding, separator, [], text)


def _read_csv_slow(
    path: Path, table: str, columns: list[str], text: str, encoding: str, separator: str
) -> RawTable:
    """Read record by record with the ``csv`` module, reporting records with a wrong field
    count (the fast parser stops at the first one)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    lines: list[int] = []
    issues: list[Issue] = []
    previous_end = 0
    for record in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if not record or all(not cell.strip() for cell in record):
            continue
        if header is None:
            header = [cell.strip() for cell in record]
            header_line = start
            continue
        if len(record) != len(header):
            issues.append(
                Issue(
                    table,
                    f"the record has {len(record)} fields but the header (line {header_line}) "
                    f"has {len(header)}",
                    file=path.name,
                    line=start,
                    expected=f"{len(header)} fields separated by {_sep_name(separator)}",
                    code="field_count",
                )
            )
            continue
        rows.append(record)
        lines.append(start)
    if header is None:
        return RawTable(
            pd.DataFrame(),
            np.array([], dtype=int),
            path.name,
            "csv",
            encoding,
            separator,
            [_empty_issue(table, path.name, columns)],
        )
    frame = pd.DataFrame(rows, columns=unique_names(header), dtype=object)
    return RawTable(
        _blank_to_na(frame),
        np.asarray(lines, dtype=int),
        path.name,
        "csv",
        encoding,
        separator,
        issues,
        text,
    )


def _sep_name(separator: str) -> str:
    return {",": "commas", ";": "semicolons", "\t": "tabs"}.get(separator, repr(separator))


def unique_names(header: list[str]) -> list[str]:
    """Return header names made unique (``a``, ``a.1``, ...), empty ones named ``unnamed``."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        name = name or "unnamed"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        names.append(name)
    return names


def _blank_to_na(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip text cells and turn empty ones into missing values (vectorised).

    Text columns become pandas' ``str`` dtype; columns of other types are kept as they are.
    """
    out = {}
    for name in frame.columns:
        col = frame[name]
        if col.dtype == object or pd.api.types.is_string_dtype(col.dtype):
            non_text = (
                col.notna() & ~col.map(lambda v: isinstance(v, str), na_action="ignore")
                if col.dtype == object and not _all_text(col)
                else None
            )
            if non_text is not None and non_text.any():
                out[name] = col  # mixed cells (e.g. Parquet objects): leave them to the parser
                continue
            text = col.astype("str").str.strip()
            out[name] = text.mask(text == "")
        else:
            out[name] = col
    return pd.DataFrame(out, index=frame.index)


def _all_text(col: pd.Series) -> bool:
    """Return whether every filled cell of an object column is a str (cheap when true)."""
    sample = col.dropna()
    if sample.empty:
        return True
    return pd.api.types.infer_dtype(sample, skipna=True) in ("string", "empty")


def _cell_text(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(path: Path, table: str, columns: list[str]) -> RawTable:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        rows: list[list[object]] = []
        lines: list[int] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if all(c is None or str(c).strip() == "" for c in cells):
                continue
            if header is None:
                header = [str(c).strip() if c is not None else "" for c in cells]
                while header and header[-1] == "":
                    header.pop()
                continue
            cells = (cells + [None] * len(header))[: len(header)]
            rows.append(cells)
            lines.append(number)
    finally:
        workbook.close()
    if header is None:
        return RawTable(
            pd.DataFrame(),
            np.array([], dtype=int),
            path.name,
            "xlsx",
            issues=[_empty_issue(table, path.name, columns)],
        )
    frame = _blank_to_na(pd.DataFrame(rows, columns=unique_names(header), dtype=object))
    return RawTable(frame, np.asarray(lines, dtype=int), path.name, "xlsx", issues=[])


def _read_parquet(path: Path, table: str, columns: list[str]) -> RawTable:
    frame = pd.read_parquet(path)
    frame = frame.reset_index(drop=True)
    if frame.columns.size == 0:
        return RawTable(
            frame,
            np.array([], dtype=int),
            path.name,
            "parquet",
            issues=[_empty_issue(table, path.name, columns)],
        )
    renamed = {c: str(c).strip() for c in frame.columns}
    frame = frame.rename(columns=renamed)
    frame = _blank_to_na(frame)
    return RawTable(frame, np.arange(1, len(frame) + 1), path.name, "parquet", issues=[])


def read_table_file(path: str | Path, table: str, columns: list[str]) -> RawTable:
    """Read one table file without validating it.

    Parameters
    ----------
    path : str or Path
        A ``.csv``/``.tsv``/``.txt``, ``.xlsx`` or ``.parquet`` file.
    table : str
        The canonical table it should hold (for messages).
    columns : list of str
        The table's declared columns (for the message about an empty file).

    Returns
    -------
    RawTable
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        return _read_parquet(path, table, columns)
    if suffix == ".xlsx":
        return _read_xlsx(path, table, columns)
    return _read_csv(path, table, columns)
