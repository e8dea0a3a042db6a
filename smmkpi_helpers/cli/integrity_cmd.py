"""``smmkpi integrity``: list the signs of gamed metrics for specialists in a period."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from ..integrity import counting, flags_for_scope, integrity_score
from ..scope import build_scope
from .common import (
    add_data_option,
    add_period_option,
    add_selection_options,
    load,
    period_of,
    print_json,
    selected_specialists,
    warn,
)

__all__ = ["flags_to_records", "register"]


def register(subparsers) -> None:
    """Register ``smmkpi integrity``."""
    p = subparsers.add_parser(
        "integrity",
        help="list signs of gamed metrics (bought followers, likes, robot traffic)",
        description="Run the integrity checks and list, per specialist, the flags that touch "
        "the days they ran each account in the period, with the integrity score (100 = no sign "
        "of gamed metrics). Only warning and critical flags count against anyone.",
    )
    add_data_option(p)
    add_selection_options(p)
    add_period_option(p)
    p.add_argument("--format", choices=("table", "json"), default="table", help="output format")
    p.set_defaults(handler=_run)


def flags_to_records(flags: pd.DataFrame) -> list[dict]:
    """Return flags as JSON-ready dicts (dates as ``YYYY-MM-DD``), in a stable order."""
    records = []
    for flag in flags.itertuples(index=False):
        records.append(
            {
                "kind": flag.kind,
                "account_id": flag.account_id,
                "start": flag.start.date().isoformat(),
                "end": flag.end.date().isoformat(),
                "post_id": flag.post_id if isinstance(flag.post_id, str) else None,
                "severity": flag.severity,
                "evidence": flag.evidence,
                "message": flag.message,
            }
        )
    return records


def _run(args: argparse.Namespace) -> int:
    period = period_of(args)
    dataset = load(args)
    result = {}
    for specialist in selected_specialists(dataset, args):
        scope = build_scope(dataset, specialist, period)
        if scope.is_empty:
            warn(f"{specialist} ran no account in {period.label}")
        flags = flags_for_scope(dataset, scope)
        score = None if scope.is_empty else integrity_score(counting(flags))
        result[specialist] = {"flags": flags_to_records(flags), "integrity_score": score}
    if args.format == "json":
        print_json(result)
        return 0
    out = sys.stdout
    for specialist, data in result.items():
        score = data["integrity_score"]
        shown = "n/a" if score is None else f"{score:.0f}/100"
        out.write(
            f"{specialist}: integrity {shown}, {len(data['flags'])} flag(s) in {period.label}\n"
        )
        for flag in data["flags"]:
            span = (
                flag["start"]
                if flag["start"] == flag["end"]
                else (f"{flag['start']}..{flag['end']}")
            )
            out.write(
                f"  [{flag['severity']:<8}] {flag['kind']:<15} {span:<22} {flag['message']}\n"
            )
        out.write("\n")
    return 0
