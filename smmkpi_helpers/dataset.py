"""Load a dataset folder, validate it against the data model, and hold its tables.

>>> from smmkpi_helpers.dataset import load_dataset
>>> ds = load_dataset()            # the bundled sample              # doctest: +SKIP
>>> ds["posts"].head()                                              # doctest: +SKIP

Beyond the data model's columns, a loaded table has, for every timestamp column ``c`` of a
table linked to an account (posts, messages, web_sessions, conversions), a column ``c_local``:
the naive wall-clock time in the account's time zone (days are counted on it); ``mentions``
gets ``published_at_naive`` (True where the file gave no offset). ``docs/data-model.md``
lists these extensions.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .coerce import parse_column, timestamp_is_naive
from .config import resolve_data_dir
from .errors import DatasetNotFoundError, Issue, ValidationError
from .readers import SUFFIXES, RawTable, read_table_file
from .schema import REQUIRED_TABLES, TABLE_ORDER, TABLES, Table
from .validation import cell_issues, table_issues

__all__ = ["Dataset", "find_table_files", "fingerprint_files", "load_dataset"]

_ACCOUNT_TIME_TABLES = ("posts", "messages", "web_sessions", "conversions")


@dataclass(frozen=True)
class Dataset:
    """A validated dataset: its typed tables and where they came from.

    Attributes
    ----------
    tables : Mapping[str, DataFrame]
        Typed tables by canonical name; absent optional tables are missing from it.
    name : str
        The dataset folder's name (never its absolute path: that stays out of reports).
    root : Path or None
        The folder it was loaded from.
    files : Mapping[str, str]
        File name of each table.
    warnings : tuple of Issue
        Suspicious but legal rows (data-model.md).
    fingerprint : str
        sha256 over the table files' names and bytes.
    """

    tables: Mapping[str, pd.DataFrame]
    name: str = "dataset"
    root: Path | None = None
    files: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[Issue, ...] = ()
    fingerprint: str = ""

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in TABLES:
            raise KeyError(
                f"'{name}' is not a table of the data model; tables: " + ", ".join(TABLE_ORDER)
            )
        if name not in self.tables:
            raise KeyError(f"the dataset '{self.name}' has no '{name}' table")
        return self.tables[name]

    def __contains__(self, name: object) -> bool:
        return name in self.tables

    def __iter__(self) -> Iterator[str]:
        return iter(t for t in TABLE_ORDER if t in self.tables)

    def has(self, name: str) -> bool:
        """Return whether the dataset has the table ``name``."""
        return name in self.tables

    def get(self, name: str) -> pd.DataFrame | None:
        """Return the table ``name`` or None when the dataset does not have it."""
        return self.tables.get(name)

    @property
    def specialist_ids(self) -> list[str]:
        """Return the specialist ids, sorted."""
        return sorted(self.tables["specialists"]["specialist_id"].tolist())

    @property
    def account_ids(self) -> list[str]:
        """Return the account ids, sorted."""
        return sorted(self.tables["accounts"]["account_id"].tolist())

    def account_timezones(self) -> dict[str, str]:
        """Return ``{account_id: IANA time zone}``."""
        acc = self.tables["accounts"]
        return dict(zip(acc["account_id"], acc["timezone"], strict=True))

    def summary(self) -> dict:
        """Return counts and ranges for a quick look (what ``smmkpi validate`` prints)."""
        daily = self.tables["account_daily"]
        dates = daily["date"].dropna()
        return {
            "dataset": self.name,
            "tables": {name: len(self.tables[name]) for name in self},
            "date_range": [
                dates.min().date().isoformat() if len(dates) else None,
                dates.max().date().isoformat() if len(dates) else None,
            ],
            "accounts": self.account_ids,
            "specialists": self.specialist_ids,
            "warnings": len(self.warnings),
            "fingerprint": self.fingerprint,
        }


def find_table_files(folder: Path) -> tuple[dict[str, Path], list[Issue]]:
    """Return the file of each table found in ``folder`` and issues (two files for one table).

    Files that name no table are ignored. Names match case-insensitively.
    """
    found: dict[str, list[Path]] = {}
    for path in sorted(folder.iterdir()):
        if not path.is_file() or path.name.startswith((".", "~$")):
            continue
        stem, suffix = path.stem.lower(), path.suffix.lower()
        if stem in TABLES and suffix in SUFFIXES:
            found.setdefault(stem, []).append(path)
    files: dict[str, Path] = {}
    issues: list[Issue] = []
    for name, paths in found.items():
        if len(paths) > 1:
            issues.append(
                Issue(
                    name,
                    "more than one file holds this table: " + ", ".join(p.name for p in paths),
                    expected="exactly one file per table; remove or rename the others",
                    code="two_files",
                )
            )
        files[name] = paths[0]
    return files, issues


def fingerprint_files(files: Mapping[str, Path]) -> str:
    """Return the sha256 over the sorted table names and the bytes of their files."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(hashlib.sha256(Path(files[name]).read_bytes()).digest())
    return digest.hexdigest()


def _canonical_columns(raw: RawTable, table: Table) -> RawTable:
    """Rename columns that match a declared one case-insensitively."""
    declared = {name.lower(): name for name in table.column_names}
    renames = {
        c: declared[str(c).strip().lower()]
        for c in raw.frame.columns
        if str(c).strip().lower() in declared
    }
    if renames:
        raw.frame = raw.frame.rename(columns=renames)
    return raw


def _looks_like(columns: list[str], expected: Table) -> str | None:
    """Return the name of another table whose required columns the header has."""
    have = {str(c).lower() for c in columns}
    best, best_score = None, 0.0
    for other in TABLES.values():
        if other.name == expected.name:
            continue
        need = {c.lower() for c in other.required_columns}
        score = len(need & have) / len(need)
        if score == 1.0 and score > best_score:
            best, best_score = other.name, score
    return best


def _missing_columns(raw: RawTable, table: Table) -> list[Issue]:
    missing = [c for c in table.required_columns if c not in raw.frame.columns]
    if not missing:
        return []
    message = "required column(s) missing: " + ", ".join(missing)
    other = _looks_like(list(raw.frame.columns), table)
    if other:
        message += f"; the file looks like the '{other}' table (name it {other}.csv)"
    header = ", ".join(str(c) for c in raw.frame.columns) or "(none)"
    return [
        Issue(
            table.name,
            message,
            file=raw.file,
            line=1 if raw.fmt != "parquet" else None,
            value=header,
            expected="columns " + ", ".join(table.required_columns),
            code="missing_columns",
        )
    ]


def _parse(table: Table, frame: pd.DataFrame) -> dict[str, tuple[pd.Series, pd.Series]]:
    """Parse every declared column present once: ``{name: (typed, invalid mask)}``."""
    return {
        name: parse_column(frame[name], table.column(name))
        for name in frame.columns
        if name in table.column_names
    }


def _coerce(
    table: Table, frame: pd.DataFrame, parsed: dict[str, tuple[pd.Series, pd.Series]]
) -> pd.DataFrame:
    out = {}
    for name in frame.columns:
        out[name] = parsed[name][0] if name in parsed else frame[name]
    for col in table.columns:
        if col.name not in out:
            empty = pd.Series([None] * len(frame), index=frame.index, dtype=object)
            out[col.name] = parse_column(empty, col)[0]
        if col.default is not None:
            out[col.name] = out[col.name].fillna(col.default)
    ordered = table.column_names + [c for c in frame.columns if c not in table.column_names]
    return pd.DataFrame(out, index=frame.index)[ordered]


def _localise(
    frame: pd.DataFrame, raw: pd.DataFrame, table: Table, timezones: pd.Series
) -> pd.DataFrame:
    """Resolve naive timestamps in each row's account time zone; add ``<col>_local``."""
    if not len(frame):
        for name in table.timestamp_columns:
            frame[f"{name}_local"] = pd.Series(dtype="datetime64[ns]")
        return frame
    zones = frame["account_id"].map(timezones).fillna("UTC")
    for name in table.timestamp_columns:
        naive = (
            timestamp_is_naive(raw[name])
            if name in raw.columns
            else pd.Series(True, index=frame.index)
        )
        instants = frame[name].copy()
        local = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
        for zone in pd.unique(zones):
            rows = zones == zone
            fix = rows & naive & instants.notna()
            if fix.any():
                wall = instants[fix].dt.tz_localize(None)
                # a wall-clock time in the hour that repeats when clocks go back is read as its
                # first occurrence (summer time); one in the skipped hour moves forward
                instants[fix] = wall.dt.tz_localize(
                    zone, ambiguous=np.ones(len(wall), dtype=bool), nonexistent="shift_forward"
                ).dt.tz_convert("UTC")
            local[rows] = instants[rows].dt.tz_convert(zone).dt.tz_localize(None)
        frame[name] = instants
        frame[f"{name}_local"] = local
    return frame


def _suspicious(tables: dict[str, pd.DataFrame], raws: dict[str, RawTable]) -> list[Issue]:
    """Return the warnings the data model lists (legal but suspicious rows)."""
    issues: list[Issue] = []
    posts = tables.get("posts")
    if posts is not None and len(posts):
        raw = raws["posts"]
        for mask, column, what in (
            (
                posts["likes"] > posts["reach"],
                "likes",
                "more likes than reach (a sign of bought likes)",
            ),
            (
                posts["reach"] > posts["views"],
                "reach",
                "reach above views (platforms count views >= reach)",
            ),
        ):
            for pos in mask.fillna(False).to_numpy().nonzero()[0]:
                row = posts.iloc[pos]
                issues.append(
                    Issue(
                        "posts",
                        f"post {row['post_id']} has {what}",
                        file=raw.file,
                        line=raw.line_of(pos),
                        column=column,
                        value=f"likes={_n(row['likes'])}, reach={_n(row['reach'])}, "
                        f"views={_n(row['views'])}",
                        severity="warning",
                        code="suspicious_post",
                    )
                )
    daily = tables.get("account_daily")
    if daily is not None and len(daily):
        raw = raws["account_daily"]
        order = daily.sort_values(["account_id", "date"])
        prev = order.groupby("account_id")["followers"].shift(1)
        prev_date = order.groupby("account_id")["date"].shift(1)
        consecutive = (order["date"] - prev_date) == pd.Timedelta(days=1)
        mask = consecutive & (order["unfollows"] > prev + order["follows"].fillna(0))
        for index in order.index[mask.fillna(False).to_numpy()]:
            row = daily.loc[index]
            pos = daily.index.get_loc(index)
            issues.append(
                Issue(
                    "account_daily",
                    f"{row['account_id']} on {row['date'].date()}: more unfollows "
                    "than the previous day's followers plus the day's follows",
                    file=raw.file,
                    line=raw.line_of(pos),
                    column="unfollows",
                    value=_n(row["unfollows"]),
                    severity="warning",
                    code="impossible_unfollows",
                )
            )
    return issues


def _n(value) -> str:
    return (
        "empty" if pd.isna(value) else str(int(value)) if float(value).is_integer() else str(value)
    )


def _issue_order(issue: Issue) -> tuple:
    return (
        TABLE_ORDER.index(issue.table) if issue.table in TABLE_ORDER else 99,
        issue.line or 0,
        issue.column or "",
    )


def load_dataset(data_dir: str | Path | None = None) -> Dataset:
    """Load and validate a dataset folder.

    Parameters
    ----------
    data_dir : str, Path or None
        The folder; None or ``""`` loads the bundled sample (``data/sample``).

    Returns
    -------
    Dataset
        Typed tables, warnings and the data fingerprint.

    Raises
    ------
    DatasetNotFoundError
        When the folder does not exist.
    ValidationError
        When any rule of the data model is broken; ``.issues`` lists every breach.
    """
    folder = resolve_data_dir(data_dir)
    if not folder.is_dir():
        raise DatasetNotFoundError(
            f"no dataset folder at '{data_dir if data_dir else folder}'. Create one with "
            "'smmkpi init DIR' (empty tables with their headers) or 'smmkpi sample --out DIR'."
        )
    files, issues = find_table_files(folder)
    for name in REQUIRED_TABLES:
        if name not in files:
            issues.append(
                Issue(
                    name,
                    f"the required table '{name}' is missing",
                    expected=f"a file {name}.csv (or .parquet, .xlsx) in the folder",
                    code="missing_table",
                )
            )
    raws: dict[str, RawTable] = {}
    typed: dict[str, pd.DataFrame] = {}
    for name in TABLE_ORDER:
        if name not in files:
            continue
        table = TABLES[name]
        try:
            raw = read_table_file(files[name], name, table.column_names)
        except Exception as exc:  # unreadable: a broken .xlsx or Parquet file
            issues.append(
                Issue(
                    name,
                    f"the file cannot be read ({exc.__class__.__name__}: {exc})",
                    file=files[name].name,
                    code="unreadable",
                )
            )
            continue
        issues.extend(raw.issues or [])
        if raw.frame.columns.size == 0:
            continue
        raw = _canonical_columns(raw, table)
        missing = _missing_columns(raw, table)
        if missing:
            issues.extend(missing)
            continue
        parsed = _parse(table, raw.frame)
        issues.extend(cell_issues(table, raw, parsed))
        raws[name] = raw
        typed[name] = _coerce(table, raw.frame, parsed)
    known = {
        "accounts.account_id": set(typed["accounts"]["account_id"].dropna())
        if "accounts" in typed
        else set(),
        "specialists.specialist_id": set(typed["specialists"]["specialist_id"].dropna())
        if "specialists" in typed
        else set(),
    }
    for name, frame in typed.items():
        issues.extend(table_issues(TABLES[name], frame, raws[name], known))
    timezones = (
        typed["accounts"].set_index("account_id")["timezone"]
        if "accounts" in typed
        else pd.Series(dtype=object)
    )
    timezones = timezones[~timezones.index.duplicated()]
    for name in _ACCOUNT_TIME_TABLES:
        if name in typed:
            typed[name] = _localise(typed[name], raws[name].frame, TABLES[name], timezones)
    if "mentions" in typed:
        raw_ts = raws["mentions"].frame["published_at"]
        typed["mentions"]["published_at_naive"] = timestamp_is_naive(raw_ts).to_numpy()
    if (
        "web_sessions" in typed
        and typed["web_sessions"].empty
        and len(typed.get("web_daily", pd.DataFrame()))
    ):
        # a header-only web_sessions file (as 'smmkpi init' writes) holds no visits: the
        # aggregates in web_daily are the data (the data model reads web_daily only when
        # web_sessions is absent)
        del typed["web_sessions"]
        del files["web_sessions"]
    errors = sorted((i for i in issues if i.severity == "error"), key=_issue_order)
    if errors:
        raise ValidationError(errors, source=folder.name)
    warnings = _suspicious(typed, raws)
    return Dataset(
        tables=typed,
        name=folder.name,
        root=folder,
        files={name: path.name for name, path in files.items()},
        warnings=tuple(warnings),
        fingerprint=fingerprint_files(files),
    )
