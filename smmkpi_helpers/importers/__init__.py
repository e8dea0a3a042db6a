"""Import platform exports into a dataset: convert, validate, merge (``smmkpi import``).

>>> from smmkpi_helpers.importers import run_import
>>> report = run_import("vk-wall", ["wall.json"], into="data/acme",
...                     account="vk_acme")                              # doctest: +SKIP
>>> print(report.describe())                                           # doctest: +SKIP

One module per source converts files into canonical rows (pure functions); :mod:`.merge`
merges them into the dataset idempotently and all-or-nothing. ``docs/importers.md`` tells a user
how to get each export and which KPIs it feeds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..dataset import Dataset, load_dataset
from ..errors import (
    DatasetNotFoundError,
    ImportFailedError,
    Issue,
    UsageError,
    ValidationError,
)
from ..schema import TABLES, is_valid_id
from . import facebook, ga4, instagram, mentions, metrica, telegram, vk
from .attribution import load_goals, load_rules, parse_goal_pairs
from .common import Converted, ImportContext, SourceFile, finalize, read_source_file
from .merge import MergePlan, TableChange, apply_merge, plan_merge

__all__ = ["SOURCES", "ImportReport", "Source", "convert_files", "run_import"]


@dataclass(frozen=True)
class Source:
    """One importable export.

    Attributes
    ----------
    name : str
        The name ``smmkpi import`` takes (``vk-wall``).
    title : str
        What the export is, in a few words.
    file_kind : str
        ``json``, ``table`` or ``auto`` (by the file's content).
    platforms : tuple of str
        Account platforms it fits; empty = any (web analytics, mentions).
    account : str
        ``required`` or ``optional`` (web analytics with ``--map``, mentions with ``--brand``).
    convert : callable
        ``convert(files, ctx) -> Converted``.
    tables : tuple of str
        The tables it writes.
    """

    name: str
    title: str
    file_kind: str
    platforms: tuple[str, ...]
    account: str
    convert: Callable[[list[SourceFile], ImportContext], Converted]
    tables: tuple[str, ...]


#: Every source ``smmkpi import`` knows, by name.
SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        Source(
            "vk-stats",
            "VK community statistics (stats.get JSON, interval=day)",
            "json",
            ("vk",),
            "required",
            vk.convert_stats,
            ("account_daily",),
        ),
        Source(
            "vk-wall",
            "VK wall posts (wall.get JSON)",
            "json",
            ("vk",),
            "required",
            vk.convert_wall,
            ("posts",),
        ),
        Source(
            "vk-post-reach",
            "VK post reach (stats.getPostReach JSON)",
            "json",
            ("vk",),
            "required",
            vk.convert_post_reach,
            ("posts",),
        ),
        Source(
            "telegram-stats",
            "Telegram channel statistics (stats.broadcastStats JSON)",
            "json",
            ("telegram",),
            "required",
            telegram.convert_stats,
            ("account_daily", "posts"),
        ),
        Source(
            "telegram-export",
            "Telegram Desktop channel export (result.json)",
            "json",
            ("telegram",),
            "required",
            telegram.convert_export,
            ("posts",),
        ),
        Source(
            "instagram",
            "Instagram Graph API media and insights (JSON)",
            "json",
            ("instagram",),
            "required",
            instagram.convert,
            ("posts", "account_daily"),
        ),
        Source(
            "facebook-posts",
            "Facebook page post export (CSV/XLSX)",
            "table",
            ("facebook",),
            "required",
            facebook.convert,
            ("posts", "account_daily"),
        ),
        Source(
            "metrica-logs",
            "Yandex Metrica Logs API visits (TSV)",
            "table",
            (),
            "optional",
            metrica.convert_logs,
            ("web_sessions", "conversions"),
        ),
        Source(
            "metrica-report",
            "Yandex Metrica report by day (Reporting API JSON, CSV or XLSX)",
            "auto",
            (),
            "optional",
            metrica.convert_report,
            ("web_daily", "conversions"),
        ),
        Source(
            "ga4",
            "Google Analytics 4 report (runReport JSON or CSV)",
            "auto",
            (),
            "optional",
            ga4.convert,
            ("web_daily", "conversions"),
        ),
        Source(
            "mentions",
            "brand mentions from a monitoring service (CSV/XLSX)",
            "table",
            (),
            "optional",
            mentions.convert,
            ("mentions",),
        ),
    )
}


@dataclass
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    source: str
    files: list[str]
    dataset: str
    account: str | None
    changes: list[TableChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        """Return whether any table file changed (or would change)."""
        return any(change.any for change in self.changes)

    def describe(self) -> str:
        """Return the summary ``smmkpi import`` prints."""
        who = f" for account {self.account}" if self.account else ""
        head = (
            f"{'Dry run: ' if self.dry_run else ''}{self.source}: {len(self.files)} file(s) "
            f"into '{self.dataset}'{who}"
        )
        lines = [head]
        lines += [f"  {change.describe()}" for change in self.changes]
        if not self.changes:
            lines.append("  no rows to import")
        if self.dry_run:
            lines.append("Nothing was written (dry run); the merged dataset would be valid.")
        elif not self.changed:
            lines.append("Nothing changed: the dataset already holds these rows.")
        return "\n".join(lines)


def _load_target(into: str | Path) -> Dataset:
    folder = Path(into)
    if not folder.is_dir():
        raise DatasetNotFoundError(
            f"no dataset folder at '{into}'. Create one with 'smmkpi init {into}', add the "
            "account to its accounts.csv, then import"
        )
    try:
        return load_dataset(folder)
    except ValidationError as exc:
        lines = "\n".join(f"  - {issue}" for issue in exc.issues[:100])
        raise ImportFailedError(
            f"the dataset '{folder.name}' is not valid, so nothing was imported; fix it first "
            f"(smmkpi validate --data {into}):\n{lines}"
        ) from None


def _account(dataset: Dataset, account: str | None, source: Source) -> dict | None:
    if account is None:
        if source.account == "required":
            raise UsageError(f"{source.name} needs --account ID (the account it belongs to)")
        return None
    if not is_valid_id(account):
        raise UsageError(f"--account {account!r} is not a valid id")
    accounts = dataset["accounts"]
    rows = accounts[accounts["account_id"] == account]
    if not len(rows):
        known = ", ".join(dataset.account_ids) or "none yet"
        columns = ",".join(TABLES["accounts"].column_names)
        platform = source.platforms[0] if source.platforms else "vk"
        raise UsageError(
            f"account '{account}' is not in the dataset's accounts table "
            f"({dataset.files.get('accounts', 'accounts.csv')}; accounts: {known}). Add a row "
            f"with the columns {columns}, for example\n  {account},{platform},Acme in "
            f"{platform},Acme,sales,Europe/Moscow,RUB,09:00-18:00,mon-fri\nthen import again"
        )
    row = rows.iloc[0].to_dict()
    if source.platforms and row["platform"] not in source.platforms:
        raise UsageError(
            f"{source.name} imports {', '.join(source.platforms)} data, but account "
            f"'{account}' is a {row['platform']} account"
        )
    return row


def _options(options: Mapping[str, Any] | None, dataset: Dataset) -> dict[str, Any]:
    """Resolve file options (``map``, ``goals_file``, ``columns_file``) into data."""
    resolved = dict(options or {})
    if resolved.get("timezone"):
        try:
            ZoneInfo(str(resolved["timezone"]))
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(
                f"--timezone {resolved['timezone']!r} is not an IANA time zone such as "
                "Europe/Moscow or UTC"
            ) from None
    if resolved.get("map"):
        resolved["rules"] = load_rules(resolved.pop("map"), set(dataset.account_ids))
    goals = parse_goal_pairs(resolved.pop("goal", None))
    if resolved.get("goals_file"):
        goals = {**load_goals(resolved.pop("goals_file")), **goals}
    if goals:
        resolved["goals"] = {**dict(resolved.get("goals") or {}), **goals}
    columns = dict(resolved.get("columns") or {})
    if resolved.get("columns_file"):
        table = read_source_file(resolved.pop("columns_file"), "table").table.frame
        lowered = {str(c).strip().lower(): c for c in table.columns}
        if "field" not in lowered or "column" not in lowered:
            raise UsageError("--columns FILE needs the columns field and column")
        for field_name, column in zip(
            table[lowered["field"]], table[lowered["column"]], strict=True
        ):
            if field_name is not None and column is not None:
                columns.setdefault(str(field_name).strip(), str(column))
    for pair in resolved.pop("col", None) or []:
        if "=" not in pair:
            raise UsageError(f"--col {pair!r}: expected FIELD=COLUMN, e.g. published_at=Дата")
        field_name, column = pair.split("=", 1)
        columns[field_name.strip()] = column.strip()
    if columns:
        resolved["columns"] = columns
    return resolved


def convert_files(
    source: str,
    files: Sequence[SourceFile],
    *,
    dataset: Dataset,
    account: str | None = None,
    options: Mapping[str, Any] | None = None,
) -> Converted:
    """Convert already-read files with the source's converter and check every cell.

    Returns
    -------
    Converted
        Finalized updates (canonical text cells), rejected rows and notes.
    """
    spec = _spec(source)
    row = _account(dataset, account, spec)
    ctx = ImportContext(row, dataset.tables, _options(options, dataset))
    converted = spec.convert(list(files), ctx)
    result = Converted(notes=list(converted.notes), issues=list(converted.issues))
    for update in converted.updates:
        checked, issues = finalize(update)
        result.updates.append(checked)
        result.issues += issues
    return result


def _spec(source: str) -> Source:
    if source not in SOURCES:
        raise UsageError(f"unknown source '{source}'; sources: {', '.join(SOURCES)}")
    return SOURCES[source]


def _read(path: str | Path, kind: str) -> SourceFile:
    if kind == "auto":
        head = Path(path).read_bytes()[:64].lstrip(b"\xef\xbb\xbf").lstrip()
        kind = "json" if head[:1] in (b"{", b"[") else "table"
    return read_source_file(path, kind)


def run_import(
    source: str,
    paths: Sequence[str | Path],
    *,
    into: str | Path,
    account: str | None = None,
    options: Mapping[str, Any] | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportReport:
    """Import export files into a dataset folder.

    Parameters
    ----------
    source : str
        A name of :data:`SOURCES` (``vk-wall``, ``metrica-logs``, ...).
    paths : sequence of str or Path
        The export files (read only, never changed).
    into : str or Path
        The dataset folder; it must be valid, and ``account`` must be in its accounts table.
    account : str or None
        The account the export belongs to.
    options : mapping
        Source options: ``followers``/``on``, ``year``, ``first_weekday``, ``no_page_likes``,
        ``map`` (file), ``goal`` (``ID=KIND`` list), ``goals_file``, ``timezone``,
        ``all_visits``, ``post_from_utm_content``, ``ga4_bounce``, ``brand``, ``own_authors``,
        ``col`` (``FIELD=COLUMN`` list), ``columns_file``, ``chat``.
    dry_run : bool
        Check everything and report what would change; write nothing.
    skip_invalid : bool
        Import the rows that are valid and report the rejected ones, instead of failing.

    Returns
    -------
    ImportReport

    Raises
    ------
    UsageError
        A wrong source, account or option (exit code 2).
    ImportFailedError
        A file of the wrong kind, rejected rows (without ``skip_invalid``), or a merged dataset
        that would not be valid; the dataset is left as it was (exit code 1).
    """
    spec = _spec(source)
    dataset = _load_target(into)
    _account(dataset, account, spec)
    files = [_read(path, spec.file_kind) for path in paths]
    converted = convert_files(source, files, dataset=dataset, account=account, options=options)
    plan: MergePlan = plan_merge(dataset, converted.updates)
    issues = converted.issues + plan.issues
    errors = [i for i in issues if i.severity == "error"]
    if errors and not skip_invalid:
        shown = "\n".join(f"  - {issue}" for issue in errors[:200])
        more = f"\n  ... and {len(errors) - 200} more" if len(errors) > 200 else ""
        raise ImportFailedError(
            f"nothing was imported: {len(errors)} row(s) of the export cannot be used:\n"
            f"{shown}{more}\nFix the export or the options, or add --skip-invalid to import "
            "the other rows"
        )
    apply_merge(dataset.root, plan, dry_run=dry_run)
    return ImportReport(
        source=source,
        files=[Path(p).name for p in paths],
        dataset=Path(into).resolve().name,
        account=account,
        changes=plan.changes,
        notes=converted.notes + plan.notes,
        skipped=errors,
        warnings=[i for i in issues if i.severity != "error"],
        dry_run=dry_run,
    )
