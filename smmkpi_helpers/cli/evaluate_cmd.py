"""``smmkpi evaluate``: run every notebook for specialists and a period, rendered for sharing."""

from __future__ import annotations

import argparse
import sys

from ..runner import AUDIENCES, DEFAULT_CELL_TIMEOUT, plan_evaluation, run_evaluation
from ..schema import BUSINESS_GOALS
from .common import add_data_option, add_period_option, add_selection_options

__all__ = ["register"]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got '{text}'") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def register(subparsers) -> None:
    """Register ``smmkpi evaluate``."""
    p = subparsers.add_parser(
        "evaluate",
        help="run the notebooks for specialists and a period; write HTML, an index and a manifest",
        description="Execute every notebook in notebooks/ for each specialist and the period "
        "(all of a specialist's notebooks in one kernel, specialists in parallel), and write "
        "OUT/<period>/<specialist>/ (executed notebooks, HTML that opens offline, "
        "results.json), the team notebook OUT/<period>/10-team.*, and OUT/<period>/index.html "
        "and manifest.json. Everything is checked before any kernel starts; an existing "
        "evaluation is replaced only with --force.",
        epilog="Exit codes: 0 every notebook ran, 1 the data or a notebook failed (the other "
        "notebooks still ran and the failure is in the manifest), 2 the command line is wrong.",
    )
    add_data_option(p)
    add_selection_options(p)
    add_period_option(p)
    p.add_argument("--out", metavar="DIR", default=None, help="output folder (default: reports/)")
    p.add_argument(
        "--jobs",
        metavar="N",
        type=_positive,
        default=None,
        help="parallel kernels (default: the number of CPUs, at most one per job)",
    )
    p.add_argument(
        "--business-goal",
        choices=BUSINESS_GOALS,
        default=None,
        help="judge every account on this goal instead of its own",
    )
    p.add_argument(
        "--audience",
        choices=AUDIENCES,
        default="manager",
        help="manager (default): everyone, with the team table; specialist: one pack per "
        "specialist in OUT/<period>/specialists/<id>/ with nobody else's rows or names",
    )
    p.add_argument("--show-code", action="store_true", help="show code cells in the HTML")
    p.add_argument("--force", action="store_true", help="replace existing evaluations")
    p.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bars or summary; print only the index (or manifest) path",
    )
    p.add_argument(
        "--cell-timeout",
        metavar="SECONDS",
        type=_positive,
        default=DEFAULT_CELL_TIMEOUT,
        help=f"stop a cell that runs longer (default {DEFAULT_CELL_TIMEOUT})",
    )
    p.add_argument(
        "--notebooks",
        metavar="DIR",
        default=None,
        help="folder of notebooks following the parameter contract (default: notebooks/)",
    )
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    plan = plan_evaluation(
        period=args.period,
        specialists=args.specialist,
        all_specialists=args.all,
        data=args.data,
        out=args.out,
        audience=args.audience,
        business_goal=args.business_goal,
        show_code=args.show_code,
        force=args.force,
        jobs=args.jobs,
        notebooks_dir=args.notebooks,
        cell_timeout=args.cell_timeout,
    )
    err = sys.stderr
    if not args.quiet:
        n_notebooks = len(plan.notebooks) + (1 if plan.team is not None else 0)
        err.write(
            f"Evaluating {len(plan.specialists)} specialist(s) for {plan.period.label}: "
            f"{n_notebooks} notebook(s) each, {plan.jobs} kernel(s) in parallel, "
            f"into {plan.period_dir}\n"
        )
        err.flush()
    result = run_evaluation(plan, progress=not args.quiet)
    out = sys.stdout
    if not args.quiet:
        out.write(f"{'job':<16} {'status':<8} {'notebooks':>9} {'seconds':>8}\n")
        for job in result.jobs:
            name = job.get("specialist") or "team"
            notebooks = job.get("notebooks") or []
            ran = sum(1 for n in notebooks if n.get("status") == "ok")
            seconds = (job.get("timing") or {}).get("duration_s")
            shown = f"{seconds:>8.1f}" if seconds is not None else f"{'-':>8}"
            out.write(
                f"{name:<16} {job.get('status', '?'):<8} {f'{ran}/{len(notebooks)}':>9} {shown}\n"
            )
        out.write(f"Total {result.duration_s:.1f} s\n")
    for job in result.failed:
        name = job.get("specialist") or "team report"
        if job.get("status") == "crashed":
            err.write(
                f"smmkpi: {name}: the job crashed ({job.get('error')}); nothing was put in place\n"
            )
        for entry in job.get("notebooks") or []:
            if entry.get("status") != "ok":
                error = entry.get("error") or {}
                err.write(
                    f"smmkpi: {name}: {entry['notebook']} {entry['status']}: "
                    f"{error.get('ename')}: {error.get('evalue')} (see its executed notebook)\n"
                )
        results = job.get("results") or {}
        if results.get("status") not in (None, "ok"):
            err.write(f"smmkpi: {name}: results.json failed: {results.get('error')}\n")
    if result.index_path is not None:
        out.write(f"{result.index_path}\n" if args.quiet else f"Index: {result.index_path}\n")
    else:
        for specialist, folder in result.packs.items():
            line = f"{folder / 'index.html'}"
            out.write(f"{line}\n" if args.quiet else f"Pack for {specialist}: {line}\n")
        if not args.quiet:
            out.write(f"Manifest: {result.manifest_path}\n")
    if not result.ok:
        err.write(
            f"smmkpi: {len(result.failed)} job(s) failed; the evaluations were put in place "
            f"with the failures in {result.manifest_path}\n"
        )
        return 1
    return 0
