"""Write tables and files atomically, in the canonical text form of the data model.

Everything smmkpi writes goes through here: a file is written to a temporary name in the same
folder and renamed into place, so a crash never leaves a half-written file. Table files use one
canonical form (UTF-8, comma, header row; dates ``YYYY-MM-DD``; timestamps ISO 8601 with their
offset; counts as whole numbers; bools ``true``/``false``; empty = not available), so the same
table always gives the same bytes.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from .schema import TABLE_ORDER, TABLES, Table

__all__ = [
    "atomic_directory",
    "atomic_write_bytes",
    "atomic_write_text",
    "init_dataset",
    "table_to_csv_text",
    "write_table",
]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically (newlines kept as given)."""
    return atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def atomic_directory(target: str | Path, *, replace: bool = False) -> Iterator[Path]:
    """Yield a temporary folder that is renamed to ``target`` when the block succeeds.

    Parameters
    ----------
    target : str or Path
        The final folder.
    replace : bool
        Replace an existing ``target`` (it is removed only after the new one is complete).

    Raises
    ------
    FileExistsError
        When ``target`` exists and ``replace`` is False.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not replace:
        raise FileExistsError(str(target))
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; give the usual folder mode
    try:
        yield tmp
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _format_column(series: pd.Series, kind: str) -> pd.Series:
    present = series.notna()
    out = pd.Series("", index=series.index, dtype=object)
    if not present.any():
        return out
    values = series[present]
    if kind == "date":
        text = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
    elif kind == "timestamp":
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            text = values.map(lambda t: t.isoformat())
        elif pd.api.types.is_datetime64_any_dtype(values.dtype):
            text = values.dt.strftime("%Y-%m-%dT%H:%M:%S")
        else:  # text as given, or Timestamps with different offsets row by row
            text = values.map(lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))
    elif kind == "count":
        text = values.astype("float64").astype(np.int64).astype(str)
    elif kind in ("money", "number", "nonneg_number"):
        text = values.astype("float64").map(
            lambda v: str(int(v)) if float(v).is_integer() else repr(float(v))
        )
    elif kind == "bool":
        text = values.astype(bool).map({True: "true", False: "false"})
    else:
        text = values.astype(str)
    out[present] = text.to_numpy(dtype=object)
    return out


def table_to_csv_text(frame: pd.DataFrame, table: Table | str) -> str:
    """Return the canonical CSV text of a table.

    Declared columns come first in the data model's order, then extra columns as given;
    derived columns the loader adds (``*_local``, ``published_at_naive``) are left out.
    """
    table = TABLES[table] if isinstance(table, str) else table
    derived = {f"{c}_local" for c in table.timestamp_columns} | {"published_at_naive"}
    extra = [c for c in frame.columns if c not in table.column_names and c not in derived]
    columns = [c for c in table.column_names if c in frame.columns] + extra
    out = {}
    for name in columns:
        kind = table.column(name).kind if name in table.column_names else "text"
        out[name] = _format_column(frame[name], kind)
    text_frame = pd.DataFrame(out, columns=columns)
    buffer = io.StringIO()
    text_frame.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue()


def write_table(
    frame: pd.DataFrame, table: Table | str, folder: str | Path, *, fmt: str = "csv"
) -> Path:
    """Write a table into a dataset folder atomically (``<table>.csv`` or ``.parquet``).

    Parquet files keep the canonical text of each cell (all columns as strings), so that the
    bytes depend only on the values and the pinned pyarrow version.
    """
    table = TABLES[table] if isinstance(table, str) else table
    folder = Path(folder)
    if fmt == "csv":
        return atomic_write_text(folder / f"{table.name}.csv", table_to_csv_text(frame, table))
    if fmt == "parquet":
        text = pd.read_csv(
            io.StringIO(table_to_csv_text(frame, table)), dtype=str, keep_default_na=False
        )
        text = text.astype(object).where(text != "", None)
        buffer = io.BytesIO()
        text.to_parquet(buffer, index=False, compression="zstd")
        return atomic_write_bytes(folder / f"{table.name}.parquet", buffer.getvalue())
    raise ValueError(f"unknown table format {fmt!r}; expected 'csv' or 'parquet'")


def init_dataset(folder: str | Path) -> list[Path]:
    """Create an empty dataset: every table of the data model with its header row only.

    Raises
    ------
    FileExistsError
        When a table file already exists in ``folder`` (nothing is overwritten).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    existing = (
        [p.name for p in folder.iterdir() if p.is_file() and p.stem.lower() in TABLES]
        if folder.exists()
        else []
    )
    if existing:
        raise FileExistsError(", ".join(sorted(existing)))
    written = []
    for name in TABLE_ORDER:
        header = ",".join(TABLES[name].column_names) + "\n"
        written.append(atomic_write_text(folder / f"{name}.csv", header))
    return written
