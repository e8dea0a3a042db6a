"""Merge imported rows into a dataset folder: idempotent, validated, all or nothing.

Rules
-----
* Rows match on the table's key (``schema.TABLES[name].key``). Tables the data model gives no
  key use a natural key (:data:`NATURAL_KEYS`); two identical rows of such a table match the
  first one.
* A matched row takes the cells the import provides (non-empty) and keeps the others, except
  the columns an aggregate source covers as a whole (``TableUpdate.covers``: the measures of
  ``web_daily``), which it replaces even when empty; a cell counts as changed only when its
  *value* differs (``12`` and ``12.0`` are the same count, two
  ISO texts of the same instant are the same timestamp), so an unchanged cell keeps its text.
* A new row is appended (after the existing rows, in the order of the export) when it has
  every required column; otherwise it is rejected with its file and line.
* ``update`` rows (per-post statistics without a publication time) never create rows; ``insert``
  rows (follower totals taken from a post export) never change existing ones.
* Only tables with a change are rewritten, in their own format (CSV stays CSV with the same
  file name, Parquet stays Parquet); untouched rows keep their text, and a rewritten CSV is
  UTF-8 with commas (tabs for ``.tsv``). Importing the same export twice therefore leaves every
  file byte for byte as it was.
* Before anything is written the merged dataset is loaded with
  :func:`~smmkpi_helpers.dataset.load_dataset` from a temporary copy; if it is not valid,
  nothing is written. Files are then staged under temporary names in the dataset folder and
  renamed into place; any failure restores the previous files.
* ``web_daily`` is read only when ``web_sessions`` is absent (data-model.md): importing
  aggregates into a dataset whose ``web_sessions`` table is an empty header (as ``smmkpi
  init`` writes it) removes that empty file, in the same transaction, and says so.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..coerce import parse_column, timestamp_is_naive
from ..dataset import Dataset, find_table_files, load_dataset
from ..errors import ImportFailedError, Issue, ValidationError
from ..readers import read_table_file
from ..schema import TABLES, Column, Table
from .common import PROVENANCE, TableUpdate, row_issues, text_cells

__all__ = [
    "NATURAL_KEYS",
    "MergePlan",
    "TableChange",
    "apply_merge",
    "plan_merge",
    "table_key",
]

#: Keys for the tables the data model gives none (documented in docs/importers.md).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "assignments": ("specialist_id", "account_id", "start_date"),
    "content_plan": ("account_id", "planned_date", "format", "topic"),
    "ad_spend": ("account_id", "date", "campaign"),
}

_SEP = "\x1f"


def table_key(name: str) -> tuple[str, ...]:
    """Return the columns rows of table ``name`` are matched on."""
    table = TABLES[name]
    return table.key or NATURAL_KEYS[name]


@dataclass
class TableChange:
    """What a merge does to one table (for the summary and ``--dry-run``)."""

    table: str
    file: str
    added: int = 0
    changed_rows: int = 0
    changed_cells: int = 0
    unchanged: int = 0
    created: bool = False
    removed: bool = False

    @property
    def any(self) -> bool:
        """Return whether the table's file changes."""
        return bool(self.added or self.changed_rows or self.created or self.removed)

    def describe(self) -> str:
        """Return one line such as ``posts.csv: 3 added, 1 changed (2 cells), 10 unchanged``."""
        if self.removed:
            return f"{self.file}: removed (it held only a header)"
        text = (
            f"{self.file}: {self.added} added, {self.changed_rows} changed "
            f"({self.changed_cells} cells), {self.unchanged} unchanged"
        )
        return text + (" (new file)" if self.created else "")


@dataclass
class MergePlan:
    """The files a merge would write, and what it would change."""

    changes: list[TableChange] = field(default_factory=list)
    writes: dict[str, pd.DataFrame] = field(default_factory=dict)
    removals: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Return whether any file would change."""
        return bool(self.writes or self.removals)


# --------------------------------------------------------------------------- existing tables


def _textify(series: pd.Series, column: Column | None) -> pd.Series:
    """Return a typed (Parquet) column as text cells, naive timestamps kept naive."""
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        out = series.map(lambda t: None if pd.isna(t) else t.isoformat())
        return out.astype(object)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        fmt = "%Y-%m-%d" if column is not None and column.kind == "date" else "%Y-%m-%dT%H:%M:%S"
        return series.dt.strftime(fmt).astype(object).where(series.notna(), None)
    return text_cells(series)


def _read_existing(folder: Path, dataset: Dataset, table: Table) -> tuple[pd.DataFrame, str]:
    """Return the table's rows as text cells with canonical column names, and its file name."""
    file = dataset.files.get(table.name)
    if file is None:
        return pd.DataFrame(columns=[]), ""
    raw = read_table_file(folder / file, table.name, table.column_names)
    frame = raw.frame.reset_index(drop=True)
    declared = {name.lower(): name for name in table.column_names}
    frame = frame.rename(
        columns={
            c: declared[str(c).strip().lower()]
            for c in frame.columns
            if str(c).strip().lower() in declared
        }
    )
    if raw.fmt == "parquet":
        frame = pd.DataFrame(
            {
                c: _textify(frame[c], table.column(c) if c in table.column_names else None)
                for c in frame.columns
            },
            index=frame.index,
        )
    return frame.astype(object).where(frame.notna(), None), file


# --------------------------------------------------------------------------- comparing cells


def _key_text(frame: pd.DataFrame, table: Table, key: tuple[str, ...]) -> pd.Series:
    parts = []
    for name in key:
        if name not in frame:
            parts.append(pd.Series("", index=frame.index))
            continue
        column = table.column(name)
        text = text_cells(frame[name])
        if column.kind == "date":
            typed, _ = parse_column(text, column)
            text = typed.dt.strftime("%Y-%m-%d").astype(object).where(typed.notna(), text)
        elif column.kind == "enum":
            text = text.str.lower()
        parts.append(text.fillna("").astype(str))
    out = parts[0]
    for part in parts[1:]:
        out = out + _SEP + part
    return out


def _instants(
    text: pd.Series, column: Column, zones: pd.Series | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return the instants of timestamp cells (int64 ns) and which ones stay wall-clock times.

    Naive cells of a table linked to accounts are read in the row's account time zone, as the
    loader reads them; in ``mentions`` (no account) a naive cell is a wall-clock time, which
    differs from every exact instant.
    """
    typed, _ = parse_column(text, column)
    naive = timestamp_is_naive(text) & text.notna()
    instants = typed.copy()
    if zones is not None and naive.any():
        for zone in pd.unique(zones[naive].dropna()):
            rows = naive & (zones == zone)
            wall = typed[rows].dt.tz_localize(None)
            instants[rows] = wall.dt.tz_localize(
                zone,
                ambiguous=np.zeros(int(rows.sum()), dtype=bool),
                nonexistent="shift_forward",
            ).dt.tz_convert("UTC")
    values = instants.to_numpy(dtype="datetime64[ns]").astype("int64")
    wall_clock = naive.to_numpy(dtype=bool) if zones is None else np.zeros(len(text), bool)
    return values, wall_clock


def _same(old: pd.Series, new: pd.Series, column: Column, zones: pd.Series | None) -> pd.Series:
    """Return, per row, whether two text cells hold the same value of ``column``'s kind."""
    old, new = text_cells(old), text_cells(new)
    both_empty = old.isna() & new.isna()
    if column.kind == "timestamp":
        (a, a_wall), (b, b_wall) = _instants(old, column, zones), _instants(new, column, zones)
        equal = pd.Series((a == b) & (a_wall == b_wall), index=old.index)
        return (equal & old.notna() & new.notna()) | both_empty
    typed_old, bad_old = parse_column(old, column)
    typed_new, bad_new = parse_column(new, column)
    if column.kind in ("count", "money", "number", "nonneg_number", "date"):
        equal = typed_old == typed_new
    elif column.kind == "bool":
        equal = (typed_old == typed_new).fillna(False).astype(bool)
    else:
        equal = typed_old.astype(object) == typed_new.astype(object)
    equal = equal.fillna(False).astype(bool) | both_empty
    raw = bad_old | bad_new  # unparsable text: compare the text itself
    return equal.where(~raw, old.fillna("") == new.fillna(""))


# --------------------------------------------------------------------------- planning


def _zones(timezones: dict[str, str], frame: pd.DataFrame) -> pd.Series | None:
    if "account_id" not in frame:
        return None
    return text_cells(frame["account_id"]).map(timezones).astype(object)


def _default_format(dataset: Dataset) -> str:
    accounts = dataset.files.get("accounts", "")
    return ".parquet" if accounts.lower().endswith(".parquet") else ".csv"


def _merge_rows(
    current: pd.DataFrame,
    update: TableUpdate,
    change: TableChange,
    plan: MergePlan,
    timezones: dict[str, str],
) -> pd.DataFrame:
    """Merge one update into a table's text rows; return the new rows, count the changes."""
    table = TABLES[update.table]
    key = table_key(update.table)
    new = update.rows.reset_index(drop=True)
    for name in update.covers:
        if name not in new:
            new[name] = None
    data_columns = [c for c in new.columns if c in table.column_names]
    new["_key"] = _key_text(new, table, key)
    grouped = new.groupby("_key", sort=False)
    latest = grouped[data_columns].last()
    latest = latest.astype(object).where(latest.notna(), None)
    where = grouped[list(PROVENANCE)].last().reset_index(drop=True)
    current = current.copy()
    for name in data_columns:
        if name not in current:
            current[name] = pd.Series([None] * len(current), index=current.index, dtype=object)
    position = pd.Series(np.arange(len(current)), index=_key_text(current, table, key))
    position = position[~position.index.duplicated()]
    matched = latest.index.isin(position.index)
    if matched.any() and update.mode == "insert":
        change.unchanged += int(matched.sum())
    elif matched.any():
        rows = latest[matched]
        at = position.loc[rows.index].to_numpy()
        changed = np.zeros(len(rows), dtype=int)
        old_rows = current.iloc[at].reset_index(drop=True)
        zones = _zones(timezones, old_rows)
        for name in data_columns:
            incoming = rows[name].reset_index(drop=True)
            provided = incoming.notna() | (name in update.covers)
            if not provided.any():
                continue
            column = table.column(name)
            differs = provided & ~_same(old_rows[name], incoming, column, zones)
            if differs.any():
                mask = differs.to_numpy()
                values = incoming[mask].astype(object).where(incoming[mask].notna(), None)
                current.loc[current.index[at[mask]], name] = values.to_numpy(dtype=object)
                changed += mask.astype(int)
        change.changed_rows += int((changed > 0).sum())
        change.changed_cells += int(changed.sum())
        change.unchanged += int(len(rows) - (changed > 0).sum())
    fresh = latest[~matched].reset_index(drop=True)
    fresh_where = where[~matched].reset_index(drop=True)
    if not len(fresh):
        return current
    if update.mode == "update":
        plan.issues += row_issues(
            fresh_where,
            pd.Series(True, index=fresh.index),
            update.table,
            f"{_key_words(key)} is not in the dataset's {update.table} table"
            + (f"; {update.hint}" if update.hint else ""),
            code="unknown_row",
        )
        return current
    missing = pd.Series(False, index=fresh.index)
    for name in table.required_columns:
        lacking = fresh[name].isna() if name in fresh else pd.Series(True, index=fresh.index)
        if lacking.any():
            plan.issues += row_issues(
                fresh_where,
                lacking,
                update.table,
                f"the row is left out: it has no {name}, which {update.table} requires"
                + (f"; {update.hint}" if update.hint else ""),
                column=update.sources.get(name, name),
                code="required_empty",
            )
        missing |= lacking
    fresh = _chronological(fresh[~missing], table)
    if len(fresh):
        current = pd.concat([current, fresh[data_columns]], ignore_index=True)
        change.added += len(fresh)
    return current


def _chronological(rows: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Return new rows ordered by the table's first day or time column (stable)."""
    for column in table.columns:
        if column.kind in ("date", "timestamp") and column.name in rows:
            typed, _ = parse_column(text_cells(rows[column.name]), column)
            order = np.argsort(typed.to_numpy(dtype="datetime64[ns]"), kind="stable")
            return rows.iloc[order]
    return rows


def _key_words(key: tuple[str, ...]) -> str:
    shown = [k for k in key if k != "account_id"] or list(key)
    return "its " + ", ".join(shown)


def plan_merge(dataset: Dataset, updates: list[TableUpdate]) -> MergePlan:
    """Work out what merging ``updates`` into ``dataset`` changes, without writing anything.

    Parameters
    ----------
    dataset : Dataset
        The loaded (valid) dataset; its folder is read for the tables' text as stored.
    updates : list of TableUpdate
        Finalized rows (see :func:`smmkpi_helpers.importers.common.finalize`), merged in
        order: a later update of the same table sees the earlier ones.

    Returns
    -------
    MergePlan
        Per-table changes, the merged text of every table that changes, rejected rows.
    """
    if dataset.root is None:
        raise ImportFailedError("the dataset has no folder to import into")
    folder = Path(dataset.root)
    plan = MergePlan()
    timezones = dataset.account_timezones()
    frames: dict[str, pd.DataFrame] = {}
    changes: dict[str, TableChange] = {}
    for update in updates:
        if not len(update.rows):
            continue
        name = update.table
        if name not in frames:
            frames[name], file = _read_existing(folder, dataset, TABLES[name])
            created = not file
            changes[name] = TableChange(
                name, file or name + _default_format(dataset), created=created
            )
        frames[name] = _merge_rows(frames[name], update, changes[name], plan, timezones)
    for name, change in changes.items():
        plan.changes.append(change)
        if not change.any:
            continue
        if change.file.lower().endswith(".xlsx"):
            raise ImportFailedError(
                f"{change.file}: the import would change this table, but it is an Excel file "
                f"and imports write CSV or Parquet; save it as {Path(change.file).stem}.csv "
                "(and remove the .xlsx) first"
            )
        table = TABLES[name]
        current = frames[name]
        declared = [c for c in table.column_names if c in current.columns]
        extra = [c for c in current.columns if c not in table.column_names]
        out = current[declared + extra]
        plan.writes[change.file] = out.astype(object).where(out.notna(), None)
    by_table = {u.table: True for u in updates if len(u.rows)}
    _web_tables(dataset, by_table, plan)
    return plan


def _web_tables(dataset: Dataset, by_table: dict[str, bool], plan: MergePlan) -> None:
    adds_daily = by_table.get("web_daily", False)
    adds_sessions = by_table.get("web_sessions", False)
    if adds_daily and dataset.has("web_sessions"):
        if len(dataset["web_sessions"]) == 0:
            file = dataset.files["web_sessions"]
            plan.removals.append(file)
            plan.changes.append(TableChange("web_sessions", file, removed=True))
            plan.notes.append(
                f"{file} held only a header; it is removed, because web_daily is read only "
                "when web_sessions is absent"
            )
        else:
            plan.notes.append(
                "the dataset has web_sessions rows, so the KPIs read web_sessions and leave "
                "web_daily aside (data-model.md)"
            )
    if adds_sessions and dataset.has("web_daily") and len(dataset["web_daily"]):
        plan.notes.append(
            "the dataset also has web_daily rows; with web_sessions present the KPIs read "
            "web_sessions only"
        )


# --------------------------------------------------------------------------- writing


def _encode(frame: pd.DataFrame, file: str) -> bytes:
    suffix = Path(file).suffix.lower()
    if suffix == ".parquet":
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False, compression="zstd")
        return buffer.getvalue()
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", sep="\t" if suffix == ".tsv" else ",")
    return buffer.getvalue().encode("utf-8")


def _validate(folder: Path, payloads: dict[str, bytes], removals: list[str]) -> None:
    files, _ = find_table_files(folder)
    with tempfile.TemporaryDirectory(prefix="smmkpi-import-") as tmp:
        staging = Path(tmp) / folder.name
        staging.mkdir()
        for path in files.values():
            if path.name not in removals and path.name not in payloads:
                shutil.copy2(path, staging / path.name)
        for file, data in payloads.items():
            (staging / file).write_bytes(data)
        try:
            load_dataset(staging)
        except ValidationError as exc:
            lines = "\n".join(f"  - {issue}" for issue in exc.issues[:100])
            raise ImportFailedError(
                "the merged dataset would not be valid, so nothing was written:\n" + lines
            ) from None


def apply_merge(folder: str | Path, plan: MergePlan, *, dry_run: bool = False) -> None:
    """Validate the merged dataset and write it (all files or none).

    Parameters
    ----------
    folder : str or Path
        The dataset folder.
    plan : MergePlan
        From :func:`plan_merge`.
    dry_run : bool
        Validate only; write nothing.

    Raises
    ------
    ImportFailedError
        When the merged dataset would break the data model, or a file cannot be written (the
        previous files are then restored).
    """
    if not plan.changed:
        return
    folder = Path(folder)
    payloads = {file: _encode(frame, file) for file, frame in plan.writes.items()}
    _validate(folder, payloads, plan.removals)
    if dry_run:
        return
    _commit(folder, payloads, plan.removals)


def _commit(folder: Path, payloads: dict[str, bytes], removals: list[str]) -> None:
    staged: dict[str, Path] = {}
    backups: dict[str, Path] = {}
    done: list[str] = []
    tag = f"import-{os.getpid()}"
    try:
        for file, data in payloads.items():
            handle, name = tempfile.mkstemp(prefix=f".{file}.", suffix=".tmp", dir=folder)
            staged[file] = Path(name)
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
        for file, path in staged.items():
            target = folder / file
            if target.exists():
                backups[file] = folder / f".{file}.{tag}.bak"
                os.replace(target, backups[file])
            os.replace(path, target)
            done.append(file)
        for file in removals:
            backups[file] = folder / f".{file}.{tag}.bak"
            os.replace(folder / file, backups[file])
    except BaseException as exc:
        for file in done:
            if file not in backups:
                (folder / file).unlink(missing_ok=True)
        for file, backup in backups.items():
            if backup.exists():
                os.replace(backup, folder / file)
        for path in staged.values():
            path.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise ImportFailedError(
                f"the dataset could not be written ({exc}); the previous files were restored"
            ) from None
        raise
    for backup in backups.values():
        backup.unlink(missing_ok=True)
