"""``smmkpi score``: evaluate specialists on their profile's KPIs and write results.json."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..kpis.catalog import FAMILIES
from ..schema import BUSINESS_GOALS
from ..scorecard import results_bytes, results_json, score_specialist
from ..storage import atomic_write_bytes
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

_SHORT = {
    "subscribers": "subs",
    "reach": "reach",
    "engagement": "engage",
    "content": "content",
    "communications": "comms",
    "traffic": "traffic",
    "goals": "goals",
    "awareness": "aware",
}


def register(subparsers) -> None:
    """Register ``smmkpi score``."""
    p = subparsers.add_parser(
        "score",
        help="score specialists on the KPIs of their accounts' business goals",
        description="Judge each specialist on the KPIs that fit the business goal of their "
        "accounts (targets from targets.csv, else the comparison period), discount gamed "
        "metrics, and print the family and overall scores (0-100). With --out, write "
        "OUT/<period>/<specialist>/results.json.",
    )
    add_data_option(p)
    add_selection_options(p)
    add_period_option(p)
    p.add_argument(
        "--business-goal",
        choices=BUSINESS_GOALS,
        default=None,
        help="judge every account on this goal instead of its own",
    )
    p.add_argument(
        "--out", metavar="DIR", default=None, help="write OUT/<period>/<specialist>/results.json"
    )
    p.set_defaults(handler=_run)


def _fmt(value, width: int = 7) -> str:
    return f"{'-':>{width}}" if value is None else f"{value:>{width}.1f}"


def _run(args: argparse.Namespace) -> int:
    period = period_of(args)
    dataset = load(args)
    specialists = selected_specialists(dataset, args)
    cards = []
    for specialist in specialists:
        card = score_specialist(dataset, specialist, period, business_goal=args.business_goal)
        if card.report.scope.is_empty:
            warn(f"{specialist} ran no account in {period.label}: nothing to score")
        elif card.report.scope.uncovered_days:
            warn(
                f"{specialist}: {card.report.scope.uncovered_days} scoped account-day(s) in "
                f"{period.label} have no data (the period reaches past the data)"
            )
        cards.append(card)
        if args.out:
            target = Path(args.out) / period.label / specialist / "results.json"
            atomic_write_bytes(target, results_bytes(results_json(card, dataset=dataset)))
    out = sys.stdout
    families = [f for f in FAMILIES if f in _SHORT]
    header = (
        f"{'specialist':<12} {'overall':>7} "
        + " ".join(f"{_SHORT[f]:>7}" for f in families)
        + f" {'integrity':>9} {'flags':>5}  profile"
    )
    out.write(f"Scores for {period.label} (0-100; families show '-' when not judged)\n")
    out.write(header + "\n" + "-" * len(header) + "\n")
    ranked = sorted(cards, key=lambda c: (-(c.overall_score or -1), c.specialist))
    for card in ranked:
        fam = " ".join(_fmt(card.family_scores.get(f, {}).get("score")) for f in families)
        counting_flags = card.flags[card.flags["severity"].isin(("warning", "critical"))]
        profile = ", ".join(f"{p['goal']} {p['share'] * 100:.0f}%" for p in card.profiles)
        out.write(
            f"{card.specialist:<12} {_fmt(card.overall_score)} {fam} "
            f"{_fmt(card.integrity_score, 9)} {len(counting_flags):>5}  {profile}\n"
        )
    for card in ranked:
        for note in card.notes:
            if "earns no points" in note:
                out.write(f"  {card.specialist}: {note}\n")
    if args.out:
        out.write(
            f"Wrote results.json for {len(cards)} specialist(s) under "
            f"{Path(args.out) / period.label}\n"
        )
    return 0
