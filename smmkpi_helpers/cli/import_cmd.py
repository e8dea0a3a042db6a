"""``smmkpi import SOURCE FILE... --into DIR --account ID``: platform exports into a dataset."""

from __future__ import annotations

import argparse
import sys

from ..errors import UsageError
from ..schema import GOALS
from .common import warn

__all__ = ["register"]

_EPILOG = (
    "The account must be in the dataset's accounts table (start a dataset with 'smmkpi init "
    "DIR'). Importing the same file twice changes nothing; a failed import leaves the dataset "
    "as it was. docs/importers.md says how to get each export and which KPIs it feeds."
)


def _common(parser: argparse.ArgumentParser, *, account_required: bool) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="export file(s), read only")
    parser.add_argument("--into", required=True, metavar="DIR", help="the dataset folder")
    parser.add_argument(
        "--account",
        required=account_required,
        metavar="ID",
        help="the account the export belongs to (a row of accounts.csv)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="show per table what would be added or changed; write nothing",
    )
    parser.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows and list the rejected ones (default: reject the import)",
    )


def _followers(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--followers",
        type=int,
        metavar="N",
        help="one known follower total, to rebuild the daily totals from follows and unfollows",
    )
    parser.add_argument("--on", metavar="DATE", help="the day (YYYY-MM-DD) of --followers")


def _web(parser: argparse.ArgumentParser, *, goal_help: str) -> None:
    parser.add_argument(
        "--map",
        metavar="FILE",
        help="CSV of attribution rules: account_id plus utm_source, utm_medium, utm_campaign, "
        "utm_content, utm_term, social_network, social_profile or messenger",
    )
    parser.add_argument(
        "--goal", action="append", metavar="ID=KIND", help=goal_help + f"; KIND: {', '.join(GOALS)}"
    )
    parser.add_argument(
        "--goals", dest="goals_file", metavar="FILE", help="CSV with the columns goal_id, goal"
    )
    parser.add_argument(
        "--timezone", metavar="TZ", help="time zone of the report's times (default: the account's)"
    )


def register(subparsers) -> None:
    """Register ``smmkpi import`` and one sub-command per source."""
    from ..importers import SOURCES

    p = subparsers.add_parser(
        "import",
        help="import platform exports (VK, Telegram, Instagram, Facebook, Metrica, GA4, "
        "mentions) into a dataset",
        description="Convert platform exports into the data model's tables, validate them and "
        "merge them into a dataset folder. Sources: "
        + "; ".join(f"{s.name} ({s.title})" for s in SOURCES.values())
        + ".",
        epilog=_EPILOG,
    )
    sources = p.add_subparsers(dest="source", metavar="SOURCE")
    p.set_defaults(handler=_missing_source, parser=p)
    for spec in SOURCES.values():
        sub = sources.add_parser(
            spec.name,
            help=spec.title,
            description=f"Import {spec.title} into {', '.join(spec.tables)}.",
            epilog=_EPILOG,
        )
        _common(sub, account_required=spec.account == "required")
        _OPTIONS.get(spec.name, lambda _p: None)(sub)
        sub.set_defaults(handler=_run)


def _vk_stats(p):
    _followers(p)


def _instagram(p):
    _followers(p)


def _telegram_export(p):
    p.add_argument("--chat", metavar="ID", help="the channel's id or name in a full account export")


def _facebook(p):
    p.add_argument("--year", type=int, help="the year of the posts (the export has none)")
    p.add_argument(
        "--first-weekday",
        choices=("sunday", "monday"),
        default="sunday",
        help="the day 'Post Weekday' 1 means (default: sunday)",
    )
    p.add_argument(
        "--no-page-likes",
        action="store_true",
        help="do not add the page's total likes as followers in account_daily",
    )


def _metrica_logs(p):
    _web(p, goal_help="a Metrica goal id and its goal kind")
    p.add_argument(
        "--all-visits",
        action="store_true",
        help="keep visits of no account too (with an empty account_id)",
    )
    p.add_argument(
        "--post-from-utm-content",
        action="store_true",
        help="take a visit's post_id from its utm_content",
    )


def _metrica_report(p):
    _web(p, goal_help="a Metrica goal id (column ym:s:goal<ID>reaches) and its goal kind")


def _ga4(p):
    _web(p, goal_help="a GA4 key event name (or keyEvents for their total) and its goal kind")
    p.add_argument(
        "--ga4-bounce",
        action="store_true",
        help="fill bounces with GA4's definition (not engaged); it is not Metrica's",
    )


def _mentions(p):
    p.add_argument("--brand", help="the brand of every mention (default: the account's brand)")
    p.add_argument(
        "--col", action="append", metavar="FIELD=COLUMN", help="which column holds a field"
    )
    p.add_argument(
        "--columns", dest="columns_file", metavar="FILE", help="CSV with the columns field, column"
    )
    p.add_argument(
        "--own-author",
        dest="own_authors",
        action="append",
        metavar="NAME",
        help="an author whose mentions are the brand's own",
    )
    p.add_argument(
        "--timezone", metavar="TZ", help="time zone of times without offset (default: keep them)"
    )


_OPTIONS = {
    "vk-stats": _vk_stats,
    "instagram": _instagram,
    "telegram-export": _telegram_export,
    "facebook-posts": _facebook,
    "metrica-logs": _metrica_logs,
    "metrica-report": _metrica_report,
    "ga4": _ga4,
    "mentions": _mentions,
}
_NOT_OPTIONS = {"files", "into", "account", "dry_run", "skip_invalid", "handler", "source"}


def _missing_source(args: argparse.Namespace) -> int:
    args.parser.print_help(sys.stderr)
    return 2


def _run(args: argparse.Namespace) -> int:
    from ..importers import run_import

    options = {k: v for k, v in vars(args).items() if k not in _NOT_OPTIONS and k != "command"}
    if (options.get("followers") is None) != (options.get("on") is None):
        raise UsageError("--followers and --on go together: a total and the day it was counted")
    report = run_import(
        args.source,
        args.files,
        into=args.into,
        account=args.account,
        options=options,
        dry_run=args.dry_run,
        skip_invalid=args.skip_invalid,
    )
    sys.stdout.write(report.describe() + "\n")
    for note in report.notes:
        sys.stderr.write(f"smmkpi: note: {note}\n")
    for issue in report.warnings[:50]:
        warn(str(issue))
    if report.skipped:
        warn(f"{len(report.skipped)} row(s) were rejected and not imported:")
        for issue in report.skipped[:200]:
            sys.stderr.write(f"  - {issue}\n")
    return 0
