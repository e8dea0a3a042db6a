"""``smmkpi validate``, ``smmkpi sample`` and ``smmkpi init``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import OutputExistsError, UsageError
from .common import add_data_option, load, print_json

__all__ = ["register"]


def register(subparsers) -> None:
    """Register the data commands."""
    p = subparsers.add_parser(
        "validate",
        help="check a dataset against the data model and print its summary",
        description="Load a dataset folder, check every rule of the data model and print a "
        "summary (tables, rows, date range, accounts, specialists, warnings) or every problem "
        "found, each with its file, line, column, value and what was expected.",
    )
    add_data_option(p)
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    p.add_argument("--quiet", action="store_true", help="print nothing when the data is valid")
    p.set_defaults(handler=_validate)

    p = subparsers.add_parser(
        "sample",
        help="generate the seeded sample dataset",
        description="Write a realistic sample dataset (with planted incidents of gamed metrics "
        "unless --no-incidents) and its ground truth file OUT-ground-truth.json beside it. "
        "The default seed regenerates data/sample byte for byte.",
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="folder to write (must not exist unless --force)",
    )
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the sample's)")
    p.add_argument(
        "--specialists",
        type=int,
        default=4,
        metavar="N",
        help="number of specialists (2-26, default 4)",
    )
    p.add_argument(
        "--months",
        type=int,
        default=15,
        metavar="N",
        help="months of data ending 2026-10-31 (1-15, default 15)",
    )
    p.add_argument(
        "--no-incidents",
        action="store_true",
        help="generate clean data without planted gamed metrics",
    )
    p.add_argument("--force", action="store_true", help="replace an existing folder")
    p.set_defaults(handler=_sample)

    p = subparsers.add_parser(
        "init",
        help="write an empty dataset (every table with its header)",
        description="Create a dataset folder with every table of the data model as a CSV file "
        "holding only its header row, for a user starting from their own data. Existing table "
        "files are never overwritten.",
    )
    p.add_argument("dir", metavar="DIR", help="folder to create")
    p.set_defaults(handler=_init)


def _validate(args: argparse.Namespace) -> int:
    dataset = load(args)
    summary = dataset.summary()
    if args.format == "json":
        summary["warning_list"] = [w.as_dict() for w in dataset.warnings]
        print_json(summary)
        return 0
    if args.quiet:
        return 0
    out = sys.stdout
    out.write(f"Dataset '{dataset.name}' is valid.\n")
    out.write(f"  date range:  {summary['date_range'][0]} .. {summary['date_range'][1]}\n")
    out.write(
        f"  specialists: {len(summary['specialists'])} ({', '.join(summary['specialists'])})\n"
    )
    out.write(f"  accounts:    {len(summary['accounts'])} ({', '.join(summary['accounts'])})\n")
    out.write("  tables:\n")
    for name, rows in summary["tables"].items():
        out.write(f"    {name:<14} {rows:>8} rows  ({dataset.files[name]})\n")
    out.write(f"  fingerprint: {dataset.fingerprint[:16]}\n")
    if dataset.warnings:
        out.write(
            f"  warnings:    {len(dataset.warnings)} suspicious row(s), legal but worth a "
            "look (the integrity checks weigh them):\n"
        )
        for warning in dataset.warnings[:50]:
            out.write(f"    - {warning}\n")
        if len(dataset.warnings) > 50:
            out.write(f"    ... and {len(dataset.warnings) - 50} more\n")
    else:
        out.write("  warnings:    none\n")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from ..sample import DEFAULT_SEED, write_sample

    if not 2 <= args.specialists <= 26:
        raise UsageError(f"--specialists must be between 2 and 26, got {args.specialists}")
    if not 1 <= args.months <= 15:
        raise UsageError(f"--months must be between 1 and 15, got {args.months}")
    out = Path(args.out)
    if out.exists() and any(out.iterdir()) and not args.force:
        raise OutputExistsError(f"'{out}' exists and is not empty; use --force to replace it")
    summary = write_sample(
        out,
        seed=DEFAULT_SEED if args.seed is None else args.seed,
        specialists=args.specialists,
        months=args.months,
        incidents=not args.no_incidents,
    )
    sys.stdout.write(f"Wrote the sample dataset to {out} ({summary})\n")
    return 0


def _init(args: argparse.Namespace) -> int:
    from ..storage import init_dataset

    try:
        written = init_dataset(args.dir)
    except FileExistsError as exc:
        raise OutputExistsError(
            f"'{args.dir}' already holds table files ({exc}); nothing was written"
        ) from None
    sys.stdout.write(
        f"Created an empty dataset in {args.dir} ({len(written)} tables with their headers).\n"
        "Fill specialists.csv, accounts.csv and assignments.csv first, then import platform "
        "exports with 'smmkpi import', and check with 'smmkpi validate --data "
        f"{args.dir}'.\n"
    )
    return 0
