"""Yandex Metrica: Logs API visits (``metrica-logs``) and Reporting API daily reports.

``metrica-logs`` reads the visits TSV of the Logs API (``source=visits``; field names such as
``ym:s:visitID``, matched case-insensitively) into ``web_sessions`` and ``conversions``:

* ``ym:s:visitID`` -> session_id; ``ym:s:dateTime`` (wall clock in the counter's time zone:
  ``--timezone``, default the account's) -> started_at; ``ym:s:visitDuration`` -> duration_s;
  ``ym:s:pageViews`` -> pageviews; ``ym:s:bounce`` -> bounce; the UTM tags
  (``ym:s:lastUTMSource`` ...) -> source, medium, campaign; ``ym:s:lastSocialNetwork`` stands in
  for an empty UTM source; ``robot`` stays empty (the visits log has no robot flag);
* the visit's account comes from the attribution rules (:mod:`.attribution`); visits of no
  account are left out unless ``--all-visits`` keeps them with an empty account_id;
* each reached goal (``ym:s:goalsID`` with ``ym:s:goalsDateTime`` and ``ym:s:goalsPrice``, the
  same position in the three lists) becomes a conversion ``<visitID>-<goalID>-<n>`` of the
  goal kind the goal mapping gives; goals without a kind are left out.

``metrica-report`` reads a Reporting API answer (JSON of ``/stat/v1/data``) or a report
exported as CSV/XLSX (API names such as ``ym:s:visits`` or the interface's Russian or English
column titles) with one row per day (and source), into ``web_daily``: sessions = visits,
pageviews (or visits x page depth), bounces = visits x bounce rate, duration_s = visits x
average duration, robot_sessions from ``ym:s:robotVisits`` or visits x robot share; the
products are rounded to whole sessions per account-day. Goal reaches (``ym:s:goal<ID>reaches``)
become conversions when the goal mapping names the goal (see
:func:`.attribution.expand_goal_counts`).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ..errors import UsageError
from .attribution import RULE_FIELDS, attribute, expand_goal_counts, rules_for, unmatched_note
from .common import (
    Converted,
    ImportContext,
    SourceFile,
    TableUpdate,
    as_number,
    find_column,
    local_iso,
    make_id,
    row_issues,
    text_cells,
)
from .detect import wrong_kind

__all__ = [
    "WEB_DAILY_MEASURES",
    "convert_logs",
    "convert_report",
    "parse_day",
    "parse_duration",
]

_LOG_EXPECTED = "a Yandex Metrica Logs API visits file (columns such as ym:s:visitID)"
_REPORT_EXPECTED = "a Yandex Metrica report by day (columns such as ym:s:date and ym:s:visits)"

_LOG_FIELDS = {
    "utm_source": ("ym:s:lastUTMSource", "ym:s:lastsignUTMSource", "ym:s:UTMSource"),
    "utm_medium": ("ym:s:lastUTMMedium", "ym:s:lastsignUTMMedium", "ym:s:UTMMedium"),
    "utm_campaign": ("ym:s:lastUTMCampaign", "ym:s:lastsignUTMCampaign", "ym:s:UTMCampaign"),
    "utm_content": ("ym:s:lastUTMContent", "ym:s:lastsignUTMContent", "ym:s:UTMContent"),
    "utm_term": ("ym:s:lastUTMTerm", "ym:s:lastsignUTMTerm", "ym:s:UTMTerm"),
    "social_network": ("ym:s:lastSocialNetwork", "ym:s:lastsignSocialNetwork"),
    "social_profile": ("ym:s:lastSocialNetworkProfile", "ym:s:lastsignSocialNetworkProfile"),
    "messenger": ("ym:s:lastMessenger", "ym:s:lastsignMessenger"),
}
_REPORT_FIELDS = {
    "utm_source": (*_LOG_FIELDS["utm_source"], "UTM Source", "Метка utm_source"),
    "utm_medium": (*_LOG_FIELDS["utm_medium"], "UTM Medium", "Метка utm_medium"),
    "utm_campaign": (*_LOG_FIELDS["utm_campaign"], "UTM Campaign", "Метка utm_campaign"),
    "utm_content": (*_LOG_FIELDS["utm_content"], "UTM Content", "Метка utm_content"),
    "utm_term": (*_LOG_FIELDS["utm_term"], "UTM Term", "Метка utm_term"),
    "social_network": (*_LOG_FIELDS["social_network"], "Социальная сеть", "Social network"),
    "social_profile": (
        *_LOG_FIELDS["social_profile"],
        "Группа социальной сети",
        "Social network profile",
    ),
    "messenger": (*_LOG_FIELDS["messenger"], "Мессенджер", "Messenger"),
}
_REPORT_METRICS = {
    "date": ("ym:s:date", "Дата визита", "Дата", "Date of visit", "Date"),
    "visits": ("ym:s:visits", "Визиты", "Visits", "Sessions"),
    "pageviews": ("ym:s:pageviews", "Просмотры", "Pageviews", "Page views"),
    "page_depth": ("ym:s:pageDepth", "Глубина просмотра", "Page depth"),
    "bounce_rate": ("ym:s:bounceRate", "Отказы", "Bounce rate", "Bounces"),
    "duration": (
        "ym:s:avgVisitDurationSeconds",
        "Время на сайте",
        "Time on site",
        "Visit duration",
        "Avg. visit duration",
    ),
    "robot_visits": ("ym:s:robotVisits",),
    "robot_share": ("ym:s:robotPercentage", "Роботность", "Robots"),
}
#: The measures of web_daily: an aggregate report answers for all of them at once.
WEB_DAILY_MEASURES = ("sessions", "robot_sessions", "bounces", "duration_s", "pageviews")
_GOAL_COLUMN = re.compile(r"^ym:s:goal(\d+)reaches$", re.IGNORECASE)
_TOTALS = re.compile(r"^(итого|total)", re.IGNORECASE)


def parse_day(text: pd.Series) -> pd.Series:
    """Parse days written ``YYYY-MM-DD``, ``DD.MM.YYYY`` or ``YYYYMMDD`` (NaT otherwise).

    Examples
    --------
    >>> parse_day(pd.Series(["2026-10-01", "02.10.2026", "20261003", "x"])).dt.day.tolist()
    [1.0, 2.0, 3.0, nan]
    """
    text = text_cells(text).astype(object)
    out = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce")
    for fmt in ("%d.%m.%Y", "%Y%m%d"):
        missing = out.isna() & text.notna()
        if not missing.any():
            break
        out = out.where(~missing, pd.to_datetime(text.where(missing), format=fmt, errors="coerce"))
    return out.astype("datetime64[ns]")


def parse_duration(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Parse durations in seconds or ``H:MM:SS`` / ``MM:SS`` into seconds.

    Examples
    --------
    >>> parse_duration(pd.Series(["83", "0:01:23", "01:23", "1,5"]))[0].tolist()
    [83.0, 83.0, 83.0, 1.5]
    """
    text = text_cells(values)
    clock = text.str.fullmatch(r"\d+(:\d{1,2}){1,2}").fillna(False)
    seconds, bad = as_number(text.where(~clock, None))
    if clock.any():
        parts = text[clock].str.split(":")
        factors = parts.map(lambda p: sum(int(x) * 60**i for i, x in enumerate(reversed(p))))
        seconds[clock] = factors.astype("float64")
        bad[clock] = False
    return seconds, bad


def _columns(frame: pd.DataFrame, aliases: dict[str, tuple[str, ...]]) -> dict[str, str]:
    found = {}
    for name, names in aliases.items():
        hit = find_column(frame.columns, *names)
        if hit is not None:
            found[name] = hit
    return found


def _timezone(ctx: ImportContext) -> str:
    zone = ctx.option("timezone")
    if zone:
        return str(zone)
    if ctx.account is None:
        raise UsageError(
            "give --timezone (the Metrica counter's time zone, e.g. Europe/Moscow): "
            "ym:s:dateTime is wall-clock time in it"
        )
    return ctx.timezone


def _elements(series: pd.Series, name: str) -> pd.DataFrame:
    """Return the elements of Logs API list cells (``[1,2]``, ``['a','b']``), one per row.

    Columns: ``row`` (the cell's index), ``pos`` (0-based position) and ``name``.
    """
    text = text_cells(series).fillna("").astype("str").str.strip().str.strip("[]")
    parts = text.str.split(",").explode()
    values = parts.astype("str").str.strip().str.strip("'\"")
    frame = pd.DataFrame({"row": parts.index, name: values.to_numpy(dtype=object)})
    frame = frame[frame[name].astype(str) != ""]
    frame["pos"] = frame.groupby("row").cumcount()
    return frame.reset_index(drop=True)


# --------------------------------------------------------------------------- Logs API


def convert_logs(files: list[SourceFile], ctx: ImportContext) -> Converted:
    """Convert Logs API visits into ``web_sessions`` and ``conversions`` rows (upsert)."""
    out = Converted()
    zone = _timezone(ctx)
    goals = dict(ctx.option("goals", {}) or {})
    sessions, conversions = [], []
    unmapped: dict[str, int] = {}
    for file in files:
        if file.kind != "table":
            raise wrong_kind(file, _LOG_EXPECTED)
        raw = file.table
        frame = raw.frame
        visit = find_column(frame.columns, "ym:s:visitID")
        when = find_column(frame.columns, "ym:s:dateTime")
        if visit is None or when is None:
            raise wrong_kind(file, _LOG_EXPECTED)
        out.issues += raw.issues or []
        fields = pd.DataFrame(index=frame.index)
        for name, column in _columns(frame, _LOG_FIELDS).items():
            fields[name] = frame[column]
        account = attribute(fields, rules_for(ctx))
        keep = account.notna() | bool(ctx.option("all_visits", False))
        wall = pd.to_datetime(text_cells(frame[when]), format="ISO8601", errors="coerce")
        base = pd.DataFrame(
            {"_file": file.name, "_line": raw.lines, "_where": None}, index=frame.index
        )
        bad_time = wall.isna()
        out.issues += row_issues(
            base,
            bad_time & keep,
            "web_sessions",
            "the visit is left out: its time cannot be read",
            column=when,
            values=frame[when],
            expected="a time such as 2026-10-01 14:30:00",
        )
        keep &= ~bad_time
        source = fields.get("utm_source", pd.Series(None, index=frame.index, dtype=object))
        for fallback in ("social_network", "messenger"):
            if fallback in fields:
                source = source.where(text_cells(source).notna(), fields[fallback])
        duration = find_column(frame.columns, "ym:s:visitDuration")
        pageviews = find_column(frame.columns, "ym:s:pageViews")
        bounce = find_column(frame.columns, "ym:s:bounce")
        rows = pd.DataFrame(
            {
                "session_id": frame[visit],
                "started_at": local_iso(wall, zone),
                "account_id": account,
                "source": source,
                "medium": fields.get("utm_medium"),
                "campaign": fields.get("utm_campaign"),
                "duration_s": frame[duration] if duration else None,
                "pageviews": frame[pageviews] if pageviews else None,
                "bounce": frame[bounce] if bounce else None,
            },
            index=frame.index,
        )
        if ctx.option("post_from_utm_content") and "utm_content" in fields:
            rows["post_id"] = text_cells(fields["utm_content"]).map(
                lambda v: v if v is not None and make_id(v) == v else None
            )
        sessions.append(pd.concat([rows, base], axis=1)[keep])
        goal_ids = find_column(frame.columns, "ym:s:goalsID")
        if goal_ids is None:
            continue
        converted, missing = _goals(frame[keep], base[keep], rows[keep], goal_ids, goals, zone, out)
        for key, count in missing.items():
            unmapped[key] = unmapped.get(key, 0) + count
        conversions.append(converted)
    out.updates.append(
        TableUpdate(
            "web_sessions",
            pd.concat(sessions, ignore_index=True) if sessions else pd.DataFrame(),
            sources={
                "session_id": "ym:s:visitID",
                "started_at": "ym:s:dateTime",
                "duration_s": "ym:s:visitDuration",
                "pageviews": "ym:s:pageViews",
                "bounce": "ym:s:bounce",
            },
        )
    )
    if conversions:
        frame = pd.concat(conversions, ignore_index=True)
        out.updates.append(
            TableUpdate(
                "conversions",
                frame,
                sources={"occurred_at": "ym:s:goalsDateTime", "value": "ym:s:goalsPrice"},
            )
        )
    if unmapped:
        out.notes.append(_unmapped_note(unmapped, "--goal ID=KIND"))
    kept = sum(len(s) for s in sessions)
    rules = rules_for(ctx)
    how = "; ".join(rule.describe() for rule in rules[:4]) + ("; ..." if len(rules) > 4 else "")
    out.notes.append(
        f"{kept} visit(s) kept" + ("" if ctx.option("all_visits") else f" (visits matching: {how})")
    )
    return out


def _unmapped_note(unmapped: dict[str, int], how: str) -> str:
    listed = ", ".join(f"{k} ({v})" for k, v in sorted(unmapped.items())[:10])
    return f"goals without a goal kind left out: {listed}; map them with {how}"


def _goals(
    frame: pd.DataFrame,
    base: pd.DataFrame,
    sessions: pd.DataFrame,
    ids_col: str,
    goals: dict[str, str],
    zone: str,
    out: Converted,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return one conversion per reached goal of the kept visits, and unmapped goal counts."""
    times_col = find_column(frame.columns, "ym:s:goalsDateTime")
    price_col = find_column(frame.columns, "ym:s:goalsPrice")
    long = _elements(frame[ids_col], "goal_id")
    counts = long.groupby("row").size()
    for column, name in ((times_col, "time"), (price_col, "price")):
        if column is None:
            continue
        extra = _elements(frame[column], name)
        other = extra.groupby("row").size().reindex(counts.index, fill_value=0)
        uneven = counts.index[(other != counts) & ((other > 0) | (name == "time"))]
        if len(uneven):
            mask = base.index.isin(uneven)
            out.issues += row_issues(
                base,
                pd.Series(mask, index=base.index),
                "conversions",
                f"the visit's goals are left out: ym:s:goalsID and {column} list different "
                "numbers of goals",
                column=column,
                values=frame[column],
            )
            long = long[~long["row"].isin(uneven)]
        long = long.merge(extra, on=["row", "pos"], how="left")
    if not len(long):
        return pd.DataFrame(), {}
    for name in ("time", "price"):
        if name not in long:
            long[name] = None
    long["kind"] = long["goal_id"].map(goals)
    missing = long.loc[long["kind"].isna(), "goal_id"].value_counts().to_dict()
    long = long[long["kind"].notna()].reset_index(drop=True)
    at = long["row"].to_numpy()
    visit = sessions.loc[at, "session_id"].astype(str).to_numpy()
    number = long.groupby(["row", "goal_id"]).cumcount() + 1
    wall = pd.to_datetime(long["time"], format="ISO8601", errors="coerce")
    rows = pd.DataFrame(
        {
            "conversion_id": visit + "-" + long["goal_id"].astype(str) + "-" + number.astype(str),
            "occurred_at": local_iso(wall, zone),
            "goal": long["kind"],
            "account_id": sessions.loc[at, "account_id"].to_numpy(dtype=object),
            "session_id": visit,
            "value": long["price"],
            "_file": base.loc[at, "_file"].to_numpy(dtype=object),
            "_line": base.loc[at, "_line"].to_numpy(dtype=object),
            "_where": "goal " + long["goal_id"].astype(str),
        }
    )
    return rows, {str(k): int(v) for k, v in missing.items()}


# --------------------------------------------------------------------------- Reporting API


def _report_json(file: SourceFile) -> pd.DataFrame:
    value = file.data
    if not isinstance(value, dict) or "data" not in value or "query" not in value:
        raise wrong_kind(file, _REPORT_EXPECTED)
    query = value["query"]
    dims = list(query.get("dimensions") or [])
    metrics = list(query.get("metrics") or [])
    records = []
    for row in value.get("data") or []:
        record: dict[str, Any] = {}
        for name, dim in zip(dims, row.get("dimensions") or [], strict=False):
            dim = dim if isinstance(dim, dict) else {"name": dim}
            record[name] = dim.get("id") if dim.get("id") is not None else dim.get("name")
        for name, metric in zip(metrics, row.get("metrics") or [], strict=False):
            record[name] = metric
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=dims + metrics)
    frame["_file"] = file.name
    frame["_line"] = None
    frame["_where"] = [f"data row {i}" for i in range(1, len(frame) + 1)]
    return frame


def _report_table(file: SourceFile) -> pd.DataFrame:
    raw = file.table
    frame = raw.frame.copy()
    frame["_file"] = file.name
    frame["_line"] = raw.lines
    frame["_where"] = None
    return frame


def convert_report(files: list[SourceFile], ctx: ImportContext) -> Converted:
    """Convert Metrica reports by day into ``web_daily`` (and goal reaches into conversions)."""
    out = Converted()
    parts = []
    for file in files:
        part = _report_json(file) if file.kind == "json" else _report_table(file)
        if file.kind == "table":
            out.issues += file.table.issues or []
        if find_column(part.columns, *_REPORT_METRICS["date"]) is None or (
            find_column(part.columns, *_REPORT_METRICS["visits"]) is None
        ):
            raise wrong_kind(file, _REPORT_EXPECTED)
        parts.append(part.rename(columns=_canonical_names(part)))
    frame = pd.concat(parts, ignore_index=True)
    zone = _timezone(ctx)
    days = parse_day(frame["date"])
    first = text_cells(frame.iloc[:, 0]).fillna("")
    totals = days.isna() & first.str.match(_TOTALS)
    bad = days.isna() & ~totals
    out.issues += row_issues(
        frame,
        bad,
        "web_daily",
        "the row is left out: its date cannot be read",
        column="date",
        values=frame["date"],
        expected="a day such as 2026-10-01 or 01.10.2026",
    )
    frame = frame[~days.isna()].assign(date=days[~days.isna()])
    fields = frame[[c for c in RULE_FIELDS if c in frame]]
    if fields.shape[1]:
        used = rules_for(ctx)
        account = attribute(fields, used)
        note = unmatched_note(account, used, "row of the report")
        if note:
            out.notes.append(note)
    elif ctx.option("rules"):
        raise UsageError(
            "the report has no source column (UTM tags, social network) to apply --map to; "
            "build it with one of those dimensions, or import it with --account alone"
        )
    else:
        account = pd.Series(ctx.account_id, index=frame.index, dtype=object)
        out.notes.append(
            "the report has no source column, so all of it is taken as the account's traffic "
            "(build it with a filter on the account's visits)"
        )
    frame = frame.assign(account_id=account)[account.notna()]
    out.updates.append(_web_daily(frame, out))
    goal_update = _report_goals(frame, ctx, zone, out)
    if goal_update is not None:
        out.updates.append(goal_update)
    return out


def _canonical_names(frame: pd.DataFrame) -> dict[str, str]:
    names = {}
    for name, aliases in (*_REPORT_METRICS.items(), *_REPORT_FIELDS.items()):
        hit = find_column(frame.columns, *aliases)
        if hit is not None and hit not in names:
            names[hit] = name
    return names


def report_numbers(
    frame: pd.DataFrame, name: str, out: Converted, *, duration_column: str = "duration"
) -> pd.Series:
    """Return a report column as numbers (durations parsed), warning about unreadable cells.

    Shared by the Metrica report and GA4 converters; a missing column gives all NaN.
    """
    if name not in frame:
        return pd.Series(np.nan, index=frame.index)
    if name == duration_column:
        values, bad = parse_duration(frame[name])
    else:
        values, bad = as_number(frame[name])
    out.issues += row_issues(
        frame,
        bad,
        "web_daily",
        f"the row's {name} is not a number and is left empty",
        column=name,
        values=frame[name],
        severity="warning",
    )
    return values


def _web_daily(frame: pd.DataFrame, out: Converted) -> TableUpdate:
    visits = report_numbers(frame, "visits", out)
    work = pd.DataFrame(
        {
            "account_id": frame["account_id"],
            "date": frame["date"],
            "sessions": visits,
            "pageviews": report_numbers(frame, "pageviews", out),
            "depth_views": visits * report_numbers(frame, "page_depth", out),
            "bounces": visits * report_numbers(frame, "bounce_rate", out) / 100,
            "duration_s": visits * report_numbers(frame, "duration", out),
            "robots": report_numbers(frame, "robot_visits", out),
            "robot_share": visits * report_numbers(frame, "robot_share", out) / 100,
            "_file": frame["_file"],
            "_line": frame["_line"],
        }
    )
    sums = work.groupby(["account_id", "date"], sort=True).agg(
        {
            **{
                c: lambda s: s.sum(min_count=1)
                for c in (
                    "sessions",
                    "pageviews",
                    "depth_views",
                    "bounces",
                    "duration_s",
                    "robots",
                    "robot_share",
                )
            },
            "_file": "last",
            "_line": "last",
        }
    )
    sums = sums.reset_index()
    rows = pd.DataFrame(
        {
            "account_id": sums["account_id"],
            "date": sums["date"].dt.strftime("%Y-%m-%d"),
            "sessions": sums["sessions"].round(),
            "pageviews": sums["pageviews"].where(
                sums["pageviews"].notna(), sums["depth_views"].round()
            ),
            "bounces": sums["bounces"].round(),
            "duration_s": sums["duration_s"],
            "robot_sessions": sums["robots"].where(
                sums["robots"].notna(), sums["robot_share"].round()
            ),
            "_file": sums["_file"],
            "_line": sums["_line"],
            "_where": sums["account_id"] + " on " + sums["date"].dt.strftime("%Y-%m-%d"),
        }
    )
    return TableUpdate(
        "web_daily",
        rows,
        sources={"sessions": "visits", "bounces": "visits x bounce rate"},
        covers=WEB_DAILY_MEASURES,
    )


def _report_goals(
    frame: pd.DataFrame, ctx: ImportContext, zone: str, out: Converted
) -> TableUpdate | None:
    goals = dict(ctx.option("goals", {}) or {})
    counts = []
    unmapped: dict[str, int] = {}
    for column in frame.columns:
        match = _GOAL_COLUMN.match(str(column))
        key = match.group(1) if match else None
        kind = goals.get(key) if key else goals.get(str(column))
        if key is None and kind is None:
            continue
        values, _ = as_number(frame[column])
        if kind is None:
            unmapped[key] = int(values.fillna(0).sum())
            continue
        counts.append(
            pd.DataFrame(
                {
                    "account_id": frame["account_id"],
                    "date": frame["date"],
                    "goal_key": key or make_id(column),
                    "goal": kind,
                    "count": values,
                    "_file": frame["_file"],
                    "_line": frame["_line"],
                }
            )
        )
    if unmapped:
        out.notes.append(_unmapped_note(unmapped, "--goal ID=KIND"))
    if not counts:
        return None
    long = pd.concat(counts, ignore_index=True)
    long = long.groupby(["account_id", "date", "goal_key", "goal"], as_index=False).agg(
        count=("count", "sum"), _file=("_file", "last"), _line=("_line", "last")
    )
    rows = expand_goal_counts(long, "ymr", zone)
    out.notes.append(
        f"{len(rows)} conversion(s) expanded from daily goal reaches (one row per reach, at the "
        "start of its day); conversion_rate needs visits and stays null"
    )
    return TableUpdate("conversions", rows)
