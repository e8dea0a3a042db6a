"""``smmkpi kpis``: every catalog KPI of one or more specialists in a period.

``--format table`` (default) prints, per specialist, the KPIs with the comparison period, the
change and whether it is better or worse, and with ``--all`` also a side-by-side matrix;
``json`` prints ``{"anna": {"kpis": {...}, "table": [...]}, ...}`` (values unrounded, null
where not available); ``csv`` the long table with a ``specialist`` first column.
``integrity_score`` and ``clean_net_follower_growth`` come from the integrity checks, plugged
into the KPI entry point through its ``extra`` hook.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys

from ..integrity.score import integrity_values
from ..kpis import TABLE_COLUMNS, KpiReport, kpi_report, report_json
from ..kpis.table import matrix_text, report_text
from .common import (
    add_data_option,
    add_period_option,
    add_selection_options,
    load,
    period_of,
    selected_specialists,
    warn,
)

__all__ = ["register"]


def register(subparsers) -> None:
    """Register ``smmkpi kpis``."""
    p = subparsers.add_parser(
        "kpis",
        help="compute every KPI of the catalog for specialists and a period",
        description="Compute every KPI of the catalog for each specialist in a period, with "
        "the comparison period (the previous month, quarter, week, year or range), the change "
        "and whether it is better. Null means 'not available' (missing data is never 0).",
    )
    add_data_option(p)
    add_selection_options(p)
    add_period_option(p)
    p.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="table (readable, rounded; default), json (unrounded) or csv (the long table)",
    )
    p.set_defaults(handler=_kpis)


def _warn_scope(specialist: str, report: KpiReport) -> None:
    scope = report.scope
    if scope.is_empty:
        warn(
            f"'{specialist}' has no assigned account-day in {scope.period.label}: every KPI is null"
        )
    elif scope.uncovered_days:
        warn(
            f"'{specialist}': {scope.uncovered_days} scoped account-day(s) in "
            f"{scope.period.label} have no account_daily row (the period reaches past the "
            "data?); KPIs that need them are null or partial"
        )


def _title(ds, specialist: str, report: KpiReport) -> str:
    names = ds["specialists"].set_index("specialist_id")["name"]
    scope, before = report.scope, report.comparison_scope
    what = (
        f"{len(scope.accounts)} account(s), {scope.n_dates} day(s): "
        + (", ".join(scope.accounts) or "none")
        if not scope.is_empty
        else "no scoped day"
    )
    return (
        f"{specialist} ({names.get(specialist, specialist)}) | {scope.period.label} vs "
        f"{before.period.label} | {what}"
    )


def _csv_text(reports: dict[str, KpiReport]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["specialist", *TABLE_COLUMNS])
    for specialist, report in reports.items():
        for record in report.table.to_dict(orient="records"):
            writer.writerow([specialist, *(_csv_cell(record[c]) for c in TABLE_COLUMNS)])
    return buffer.getvalue()


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else str(value)


def _kpis(args: argparse.Namespace) -> int:
    period = period_of(args)
    ds = load(args)
    specialists = selected_specialists(ds, args)
    reports = {s: kpi_report(ds, s, period, extra=integrity_values) for s in specialists}
    for specialist, report in reports.items():
        _warn_scope(specialist, report)
    out = sys.stdout
    if args.format == "json":
        payload = {s: report_json(r) for s, r in reports.items()}
        out.write(json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False) + "\n")
        return 0
    if args.format == "csv":
        out.write(_csv_text(reports))
        return 0
    blocks = [
        report_text(
            r.table,
            title=_title(ds, s, r),
            comparison_label=r.comparison_scope.period.label,
        )
        for s, r in reports.items()
    ]
    if args.all and len(reports) > 1:
        blocks.append(
            f"All specialists, {period.label} (* = best of the row given whether higher or "
            "lower is better)\n" + matrix_text({s: r.table for s, r in reports.items()})
        )
    blocks.append(
        "[g] = easy to buy or fake: read with the integrity checks (smmkpi integrity). "
        "n/a = not available (missing data is never counted as 0)."
    )
    out.write("\n\n".join(blocks) + "\n")
    return 0
