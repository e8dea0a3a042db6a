"""Options and helpers shared by the subcommands."""

from __future__ import annotations

import argparse
import json
import sys

from ..dataset import Dataset, load_dataset
from ..periods import Period, parse_period
from ..scope import check_specialist

__all__ = [
    "add_data_option",
    "add_period_option",
    "add_selection_options",
    "load",
    "period_of",
    "print_json",
    "selected_specialists",
    "warn",
]


def add_data_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--data DIR`` (default: the bundled sample dataset)."""
    parser.add_argument(
        "--data",
        metavar="DIR",
        default=None,
        help="dataset folder (default: the bundled sample in data/sample)",
    )


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--specialist ID [ID ...]`` and ``--all`` (exactly one is required)."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--specialist", nargs="+", metavar="ID", help="specialist id(s)")
    group.add_argument("--all", action="store_true", help="every specialist of the dataset")


def add_period_option(parser: argparse.ArgumentParser, *, required: bool = True) -> None:
    """Add ``--period LABEL``."""
    parser.add_argument(
        "--period",
        required=required,
        metavar="LABEL",
        help="2026-10 (month), 2026-Q3, 2026-W40, 2026 or 2026-09-01..2026-09-30",
    )


def load(args: argparse.Namespace) -> Dataset:
    """Load the dataset named by ``--data`` and print its warnings count to stderr."""
    return load_dataset(args.data)


def period_of(args: argparse.Namespace) -> Period:
    """Parse ``--period`` (a bad label exits with code 2 and valid examples)."""
    return parse_period(args.period)


def selected_specialists(dataset: Dataset, args: argparse.Namespace) -> list[str]:
    """Return the specialists named by ``--specialist`` or ``--all``, each checked."""
    if getattr(args, "all", False):
        return dataset.specialist_ids
    seen: list[str] = []
    for specialist in args.specialist:
        check_specialist(dataset, specialist)
        if specialist not in seen:
            seen.append(specialist)
    return seen


def warn(message: str) -> None:
    """Print a warning to stderr."""
    print(f"smmkpi: warning: {message}", file=sys.stderr)


def print_json(value: object) -> None:
    """Print ``value`` as JSON with sorted keys (null for NaN)."""
    sys.stdout.write(
        json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"
    )
