"""Google Analytics 4: Data API ``runReport`` JSON and the interface's CSV download.

A GA4 report holds aggregates, not visits, so it goes into ``web_daily`` (one row per account
and day), never into invented sessions:

* ``sessions`` -> sessions; ``screenPageViews`` ("Views") -> pageviews; ``averageSessionDuration``
  x sessions -> duration_s (the total); by ``date`` and, for attribution, ``sessionSource``,
  ``sessionMedium``, ``sessionCampaignName``, ``sessionManualAdContent`` (or
  ``sessionSourceMedium``, split at " / ");
* ``bounces`` stays empty: GA4's bounce (a session that is not *engaged*: under 10 s, one page
  view and no key event) is not Metrica's (one page view under 15 s), which the data model and
  ``bounce_rate`` use. ``--ga4-bounce`` fills it with sessions - engagedSessions anyway, for a
  user who accepts the other definition;
* ``robot_sessions`` stays empty: GA4 drops known bots before reporting and says nothing of them;
* key events become conversions when the goal mapping names them: ``keyEvents:<event>``
  metrics, an ``eventName`` dimension with ``keyEvents``, or the total ``keyEvents`` mapped as
  ``--goal keyEvents=KIND`` (see :func:`.attribution.expand_goal_counts`). A report by
  ``eventName`` gives conversions only (its sessions would count a session once per event).

What stays null with GA4 data: ``bounce_rate`` (unless ``--ga4-bounce``), ``conversion_rate``
(it needs visits), and every ``web_sessions`` detail (post_id of a visit).
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from ..errors import ImportFailedError, UsageError
from .attribution import attribute, expand_goal_counts, rules_for, unmatched_note
from .common import (
    Converted,
    ImportContext,
    SourceFile,
    TableUpdate,
    as_number,
    find_column,
    row_issues,
    text_cells,
)
from .detect import wrong_kind
from .metrica import WEB_DAILY_MEASURES, parse_day, report_numbers

__all__ = ["convert"]

_EXPECTED = "a Google Analytics 4 report (runReport JSON or CSV) by date with sessions"
_NAMES = {
    "date": ("date", "Date"),
    "sessionSource": ("sessionSource", "Session source"),
    "sessionMedium": ("sessionMedium", "Session medium"),
    "sessionSourceMedium": ("sessionSourceMedium", "Session source / medium"),
    "sessionCampaignName": ("sessionCampaignName", "Session campaign", "Session campaign name"),
    "sessionManualAdContent": ("sessionManualAdContent", "Session manual ad content"),
    "sessionManualTerm": ("sessionManualTerm", "Session manual term"),
    "eventName": ("eventName", "Event name"),
    "sessions": ("sessions", "Sessions"),
    "engagedSessions": ("engagedSessions", "Engaged sessions"),
    "averageSessionDuration": ("averageSessionDuration", "Average session duration"),
    "screenPageViews": ("screenPageViews", "Views", "Screen page views"),
    "keyEvents": ("keyEvents", "Key events", "conversions", "Conversions"),
    "bounceRate": ("bounceRate", "Bounce rate"),
}
_FIELDS = {
    "utm_source": "sessionSource",
    "utm_medium": "sessionMedium",
    "utm_campaign": "sessionCampaignName",
    "utm_content": "sessionManualAdContent",
    "utm_term": "sessionManualTerm",
}
_EVENT_METRIC = re.compile(r"^(?:keyEvents|conversions):(.+)$|^Key events \((.+)\)$", re.I)


def _reports(value: Any) -> list[dict]:
    if isinstance(value, list):
        return [r for v in value for r in _reports(v)]
    if isinstance(value, dict) and isinstance(value.get("reports"), list):
        return [r for r in value["reports"] if isinstance(r, dict)]
    return [value] if isinstance(value, dict) else []


def _json_frame(file: SourceFile) -> list[pd.DataFrame]:
    frames = []
    for number, report in enumerate(_reports(file.data), start=1):
        if "dimensionHeaders" not in report and "metricHeaders" not in report:
            raise wrong_kind(file, _EXPECTED)
        dims = [h.get("name") for h in report.get("dimensionHeaders") or []]
        metrics = [h.get("name") for h in report.get("metricHeaders") or []]
        records = []
        for row in report.get("rows") or []:
            values = [v.get("value") for v in row.get("dimensionValues") or []]
            values += [v.get("value") for v in row.get("metricValues") or []]
            records.append(values)
        frame = pd.DataFrame(records, columns=dims + metrics, dtype=object)
        frame["_file"] = file.name
        frame["_line"] = None
        frame["_where"] = [f"report {number}, row {i}" for i in range(1, len(frame) + 1)]
        frames.append(frame)
    return frames


def _table_frame(file: SourceFile) -> pd.DataFrame:
    raw = file.table
    frame = raw.frame.copy()
    frame["_file"] = file.name
    frame["_line"] = raw.lines
    frame["_where"] = None
    return frame


def _canonical(frame: pd.DataFrame) -> pd.DataFrame:
    names = {}
    for name, aliases in _NAMES.items():
        hit = find_column([c for c in frame.columns if c not in names], *aliases)
        if hit is not None:
            names[hit] = name
    frame = frame.rename(columns=names)
    if "sessionSourceMedium" in frame and "sessionSource" not in frame:
        parts = text_cells(frame["sessionSourceMedium"]).str.split(" / ", n=1)
        frame["sessionSource"] = parts.str[0]
        frame["sessionMedium"] = parts.str[1]
    return frame


def convert(files: list[SourceFile], ctx: ImportContext) -> Converted:
    """Convert GA4 reports into ``web_daily`` rows (and key events into conversions)."""
    out = Converted()
    parts: dict[tuple[str, ...], list[pd.DataFrame]] = {}
    for file in files:
        frames = _json_frame(file) if file.kind == "json" else [_table_frame(file)]
        if file.kind == "table":
            out.issues += file.table.issues or []
        for frame in frames:
            frame = _canonical(frame)
            if "date" not in frame:
                raise wrong_kind(file, _EXPECTED)
            dims = tuple(sorted(c for c in frame.columns if c in _NAMES and c != "date"))
            parts.setdefault(
                tuple(c for c in dims if c in _FIELDS.values() or c == "eventName"), []
            ).append(frame)
    zone = ctx.option("timezone") or ctx.timezone
    daily_done = False
    for signature, frames in parts.items():
        frame = pd.concat(frames, ignore_index=True)
        frame = _dated(frame, out)
        frame = _attributed(frame, ctx, out)
        if "eventName" in signature:
            _event_conversions(frame, ctx, zone, out)
            continue
        if daily_done:
            raise ImportFailedError(
                "the files hold reports broken down by different dimensions; adding them "
                "up would count sessions twice: import one report at a time"
            )
        if "sessions" not in frame:
            raise ImportFailedError(f"{frame['_file'].iloc[0]}: the report has no sessions")
        out.updates.append(_web_daily(frame, ctx, out))
        _metric_conversions(frame, ctx, zone, out)
        daily_done = True
    return out


def _dated(frame: pd.DataFrame, out: Converted) -> pd.DataFrame:
    days = parse_day(frame["date"])
    out.issues += row_issues(
        frame,
        days.isna(),
        "web_daily",
        "the row is left out: its date cannot be read",
        column="date",
        values=frame["date"],
        expected="a day such as 20261001 or 2026-10-01",
    )
    return frame[days.notna()].assign(date=days[days.notna()])


def _attributed(frame: pd.DataFrame, ctx: ImportContext, out: Converted) -> pd.DataFrame:
    fields = pd.DataFrame(
        {rule: frame[column] for rule, column in _FIELDS.items() if column in frame},
        index=frame.index,
    )
    rules = ctx.option("rules")
    if fields.shape[1]:
        used = rules_for(ctx)
        account = attribute(fields, used)
        note = unmatched_note(account, used, "row of the report")
        if note:
            out.notes.append(note)
    elif rules:
        raise UsageError(
            "the report has no session source dimension to apply --map to; add sessionSource "
            "(or sessionCampaignName) to the report, or import it with --account alone"
        )
    else:
        account = pd.Series(ctx.account_id, index=frame.index, dtype=object)
        out.notes.append(
            "the report has no session source, so all of it is taken as the account's traffic "
            "(build it with a filter on the account's traffic)"
        )
    return frame.assign(account_id=account)[account.notna()]


def _web_daily(frame: pd.DataFrame, ctx: ImportContext, out: Converted) -> TableUpdate:
    sessions = report_numbers(frame, "sessions", out)
    work = pd.DataFrame(
        {
            "account_id": frame["account_id"],
            "date": frame["date"],
            "sessions": sessions,
            "pageviews": report_numbers(frame, "screenPageViews", out),
            "duration_s": sessions
            * report_numbers(
                frame, "averageSessionDuration", out, duration_column="averageSessionDuration"
            ),
            "_file": frame["_file"],
            "_line": frame["_line"],
        }
    )
    if ctx.option("ga4_bounce"):
        engaged = report_numbers(frame, "engagedSessions", out)
        rate = report_numbers(frame, "bounceRate", out)
        rate = rate.where(rate <= 1, rate / 100)
        work["bounces"] = (sessions - engaged).where(engaged.notna(), sessions * rate)
        out.notes.append(
            "bounces filled with GA4's definition (sessions that were not engaged), which is "
            "not Metrica's; bounce_rate is then not comparable with Metrica data"
        )
    sums = (
        work.groupby(["account_id", "date"], sort=True)
        .agg(
            {
                **{
                    c: lambda s: s.sum(min_count=1)
                    for c in work.columns
                    if c not in ("account_id", "date", "_file", "_line")
                },
                "_file": "last",
                "_line": "last",
            }
        )
        .reset_index()
    )
    rows = pd.DataFrame(
        {
            "account_id": sums["account_id"],
            "date": sums["date"].dt.strftime("%Y-%m-%d"),
            "sessions": sums["sessions"].round(),
            "pageviews": sums["pageviews"].round(),
            "duration_s": sums["duration_s"],
            "_file": sums["_file"],
            "_line": sums["_line"],
            "_where": sums["account_id"] + " on " + sums["date"].dt.strftime("%Y-%m-%d"),
        }
    )
    if "bounces" in sums:
        rows["bounces"] = sums["bounces"].round()
    else:
        out.notes.append(
            "bounces left empty: GA4's bounce is not Metrica's, so bounce_rate stays null "
            "(--ga4-bounce fills it with GA4's definition)"
        )
    return TableUpdate(
        "web_daily",
        rows,
        sources={
            "sessions": "sessions",
            "pageviews": "screenPageViews",
            "duration_s": "averageSessionDuration x sessions",
        },
        covers=WEB_DAILY_MEASURES,
    )


def _metric_conversions(frame: pd.DataFrame, ctx: ImportContext, zone: str, out: Converted) -> None:
    goals = dict(ctx.option("goals", {}) or {})
    counts = []
    unmapped: dict[str, int] = {}
    for column in frame.columns:
        match = _EVENT_METRIC.match(str(column))
        if match:
            key = match.group(1) or match.group(2)
        elif column == "keyEvents":
            key = "keyEvents"
        else:
            continue
        values, _ = as_number(frame[column])
        if key not in goals:
            unmapped[key] = int(values.fillna(0).sum())
            continue
        counts.append(_counts(frame, key, goals[key], values))
    _emit(counts, unmapped, zone, out)


def _event_conversions(frame: pd.DataFrame, ctx: ImportContext, zone: str, out: Converted) -> None:
    goals = dict(ctx.option("goals", {}) or {})
    metric = "keyEvents" if "keyEvents" in frame else find_column(frame.columns, "eventCount")
    if metric is None:
        raise ImportFailedError("the report by eventName has neither keyEvents nor eventCount")
    values, _ = as_number(frame[metric])
    names = text_cells(frame["eventName"]).fillna("")
    counts = []
    unmapped: dict[str, int] = {}
    for name in pd.unique(names):
        mask = names == name
        if name not in goals:
            unmapped[name] = int(values[mask].fillna(0).sum())
            continue
        counts.append(_counts(frame[mask], name, goals[name], values[mask]))
    out.notes.append("a report by eventName gives conversions only (its sessions are not added)")
    _emit(counts, unmapped, zone, out)


def _counts(frame: pd.DataFrame, key: str, kind: str, values: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "account_id": frame["account_id"],
            "date": frame["date"],
            "goal_key": key,
            "goal": kind,
            "count": values,
            "_file": frame["_file"],
            "_line": frame["_line"],
        }
    )


def _emit(counts: list[pd.DataFrame], unmapped: dict[str, int], zone: str, out: Converted) -> None:
    unmapped = {k: v for k, v in unmapped.items() if v}
    if unmapped:
        listed = ", ".join(f"{k} ({v})" for k, v in sorted(unmapped.items())[:10])
        out.notes.append(
            f"key events without a goal kind left out: {listed}; map them with --goal EVENT=KIND"
        )
    if not counts:
        return
    long = pd.concat(counts, ignore_index=True)
    long = long.groupby(["account_id", "date", "goal_key", "goal"], as_index=False).agg(
        count=("count", "sum"), _file=("_file", "last"), _line=("_line", "last")
    )
    rows = expand_goal_counts(long, "ga4", zone)
    out.notes.append(
        f"{len(rows)} conversion(s) expanded from daily key event counts (one row per event, "
        "at the start of its day); conversion_rate needs visits and stays null"
    )
    out.updates.append(TableUpdate("conversions", rows))
