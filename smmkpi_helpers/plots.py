"""Axes-level charts for the evaluation notebooks, in seaborn's style.

Every function takes the frame a breakdown returns as ``data`` (first argument), options as
keywords, draws on ``ax`` (the current Axes when None) and returns that Axes. Titles and axis
labels are set on it; nothing here shows, saves, or changes global styles, so the caller's
theme (``sns.set_theme()`` in a notebook) applies. An empty frame (or None) draws an empty Axes
with its labels and a "no data" note: a report never breaks on a family without data.

=========================  ==================================================================
function                   data
=========================  ==================================================================
follower_trend             ``kpis.breakdowns.daily_totals``
reach_vs_comparison        ``daily_totals`` of the period, ``comparison=`` of the one before
er_by_post                 ``kpis.breakdowns.posts_table``
er_by_format               ``kpis.breakdowns.by_format``
publishing_calendar        ``kpis.breakdowns.plan_calendar``
reply_time_distribution    ``kpis.communications.requests_table``
traffic_funnel             ``kpis.breakdowns.traffic_funnel``
goals_by_type              ``kpis.breakdowns.goals_by_type``
mentions_sentiment         ``kpis.awareness.mentions_daily``
share_of_voice             ``kpis.awareness.share_of_voice_table``
kpi_attainment             a frame with ``kpi``, ``attainment`` (percent of target)
=========================  ==================================================================

``docs/plots.md`` explains how to read each chart.
"""

from __future__ import annotations

from collections.abc import Iterable

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.patches import Patch

from .errors import UsageError

__all__ = [
    "er_by_format",
    "er_by_post",
    "follower_trend",
    "goals_by_type",
    "kpi_attainment",
    "mentions_sentiment",
    "publishing_calendar",
    "reach_vs_comparison",
    "reply_time_distribution",
    "share_of_voice",
    "traffic_funnel",
]

#: Sentiment colours (fixed meaning, whatever the palette).
SENTIMENT_COLORS = {
    "positive": "#4c9f70",
    "neutral": "#b8b8b8",
    "negative": "#d1495b",
    "no sentiment": "#e6e6e6",
}
_MUTED = "#b0b0b0"
_MINUTE_TICKS = (
    (0, "0"),
    (1, "1 min"),
    (10, "10 min"),
    (60, "1 h"),
    (240, "4 h"),
    (1440, "1 day"),
    (10080, "1 week"),
    (43200, "30 days"),
)
_STAGE_LABELS = {
    "reach": "Reach",
    "link_clicks": "Link clicks",
    "sessions": "Site sessions",
    "conversions": "Conversions",
}


# --------------------------------------------------------------------------------------------
# shared helpers


def _axes(ax: Axes | None) -> Axes:
    return plt.gca() if ax is None else ax


def _usable(data, columns: Iterable[str], function: str) -> bool:
    """Return False for missing or empty data; raise when a non-empty frame lacks columns."""
    if data is None:
        return False
    if not isinstance(data, pd.DataFrame):
        raise UsageError(
            f"plots.{function}: data must be a pandas DataFrame, got {type(data).__name__}"
        )
    if data.empty:
        return False
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise UsageError(
            f"plots.{function}: column(s) {', '.join(map(repr, missing))} not found in data; "
            f"expected columns {', '.join(columns)} (got {', '.join(map(str, data.columns))})"
        )
    return True


def _label(ax: Axes, title: str, xlabel: str, ylabel: str) -> Axes:
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def _no_data(ax: Axes, title: str, xlabel: str, ylabel: str, note: str = "no data") -> Axes:
    ax.text(
        0.5,
        0.5,
        note,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color="0.45",
        fontsize="large",
    )
    ax.set_xticks([])
    ax.set_yticks([])
    return _label(ax, title, xlabel, ylabel)


def _date_axis(ax: Axes) -> None:
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _number(value: float, decimals: int = 0) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    return f"{value:,.{decimals}f}"


def _bucket(dates: pd.Series, freq: str) -> pd.Series:
    """Return each date's day (``freq="D"``) or the Monday of its week (``"W"``)."""
    days = pd.to_datetime(dates).dt.normalize()
    if freq == "D":
        return days
    if freq == "W":
        return days - pd.to_timedelta(days.dt.day_of_week, unit="D")
    raise UsageError(f"freq must be 'D' (day) or 'W' (week), got {freq!r}")


def _colors(n: int) -> list:
    return sns.color_palette(n_colors=max(n, 1))


# --------------------------------------------------------------------------------------------
# subscribers and reach


def follower_trend(
    data: pd.DataFrame | None,
    *,
    x: str = "date",
    followers: str = "followers",
    follows: str = "follows",
    unfollows: str = "unfollows",
    hue: str | None = None,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Plot the follower count as a line, with daily follows and unfollows as bars.

    Parameters
    ----------
    data : DataFrame or None
        One row per day, e.g. ``kpis.breakdowns.daily_totals``: ``x``, ``followers`` and,
        optionally, ``follows`` and ``unfollows`` (rows of one day are summed).
    x, followers, follows, unfollows : str
        Column names.
    hue : str or None
        Draw one follower line per value of this column, e.g. ``account_id`` with
        ``kpis.breakdowns.daily_by_account``. Use it when accounts join or leave the scope
        during the period (a handover): a summed line would jump by a whole account's
        audience on that day. The bars are always summed over the rows of a day.
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :meth:`Axes.plot` for the follower line.

    Returns
    -------
    Axes
        The Axes with the follower line. Follows (up) and unfollows (down) are drawn on a twin
        Axes sharing the x axis, so a spike of follows with no lasting growth stands out.
    """
    ax = _axes(ax)
    title, xlabel, ylabel = "Followers with daily follows and unfollows", "Date", "Followers"
    if not _usable(data, [x, followers], "follower_trend"):
        return _no_data(ax, title, xlabel, ylabel)
    sums = [c for c in (followers, follows, unfollows) if c in data.columns]
    daily = data.groupby(x, sort=True)[sums].sum(min_count=1).reset_index()
    if daily[followers].isna().all():
        return _no_data(ax, title, xlabel, ylabel, "no follower count")
    dates = pd.to_datetime(daily[x])
    has_bars = any(c in daily and daily[c].notna().any() for c in (follows, unfollows))
    if has_bars:
        bars = ax.twinx()
        if follows in daily:
            bars.bar(dates, daily[follows].fillna(0), width=0.8, color="#4c9f70", alpha=0.45)
        if unfollows in daily:
            bars.bar(dates, -daily[unfollows].fillna(0), width=0.8, color="#d1495b", alpha=0.45)
        bars.axhline(0, color="0.6", linewidth=0.8)
        bars.set_ylabel("Follows (up) / unfollows (down) per day")
        bars.grid(False)
        ax.set_zorder(bars.get_zorder() + 1)  # the line above the bars
        ax.patch.set_visible(False)
    kwargs.setdefault("linewidth", 2)
    if hue is not None and hue in data.columns:
        levels = sorted(data[hue].dropna().astype(str).unique())
        for level, color in zip(levels, _colors(len(levels)), strict=True):
            one = data[data[hue].astype(str) == level]
            line = one.groupby(x, sort=True)[followers].sum(min_count=1)
            ax.plot(pd.to_datetime(line.index), line.to_numpy(), label=level, color=color, **kwargs)
    else:
        kwargs.setdefault("color", _colors(1)[0])
        ax.plot(dates, daily[followers], label="followers", **kwargs)
    handles = list(ax.get_lines())
    if has_bars:
        handles += [
            Patch(color="#4c9f70", alpha=0.45, label="follows"),
            Patch(color="#d1495b", alpha=0.45, label="unfollows"),
        ]
    ax.legend(handles=handles, loc="upper left")
    _date_axis(ax)
    return _label(ax, title, xlabel, ylabel)


def reach_vs_comparison(
    data: pd.DataFrame | None,
    *,
    comparison: pd.DataFrame | None = None,
    x: str = "date",
    y: str = "reach",
    labels: tuple[str, str] = ("this period", "comparison period"),
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Plot daily reach against the comparison period, aligned by day number.

    Parameters
    ----------
    data : DataFrame or None
        The period's days, e.g. ``kpis.breakdowns.daily_totals``: ``x`` (dates) and ``y``.
    comparison : DataFrame or None
        The same columns for the comparison period; None or empty draws the period alone.
    x, y : str
        Column names.
    labels : tuple of str
        Legend names of the period and of the comparison period (their dates are added).
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :meth:`Axes.plot` for the period's line.

    Returns
    -------
    Axes
        Day 1 is each frame's first date; days without reach leave gaps, never zeros.
    """
    ax = _axes(ax)
    title, xlabel, ylabel = "Daily reach against the comparison period", "Day of period", "Reach"
    have_data = _usable(data, [x, y], "reach_vs_comparison") and data[y].notna().any()
    have_comparison = (
        _usable(comparison, [x, y], "reach_vs_comparison") and comparison[y].notna().any()
    )
    if not have_data and not have_comparison:
        return _no_data(ax, title, xlabel, ylabel)
    color, other = _colors(2)[:2]
    for frame, name, style in (
        (data if have_data else None, labels[0], {"color": color, "linewidth": 2, **kwargs}),
        (comparison if have_comparison else None, labels[1], {"color": other, "linestyle": "--"}),
    ):
        if frame is None:
            continue
        daily = frame.groupby(x, sort=True)[y].sum(min_count=1)
        dates = pd.DatetimeIndex(pd.to_datetime(daily.index))
        first, last = dates.min(), dates.max()
        full = pd.date_range(first, last, freq="D")
        values = daily.set_axis(dates).reindex(full)
        day_no = np.arange(1, len(full) + 1)
        span = f"{first:%Y-%m-%d}..{last:%Y-%m-%d}"
        ax.plot(day_no, values.to_numpy(dtype=float), label=f"{name} ({span})", **style)
    ax.set_ylim(bottom=0)
    ax.legend(loc="best")
    return _label(ax, title, xlabel, ylabel)


# --------------------------------------------------------------------------------------------
# engagement and content


def er_by_post(
    data: pd.DataFrame | None,
    *,
    x: str = "published_at_local",
    y: str = "er_reach_pct",
    hue: str | None = "format",
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Plot each post's ER by reach over time, coloured by format.

    Parameters
    ----------
    data : DataFrame or None
        One row per post, e.g. ``kpis.breakdowns.posts_table``: ``x``, ``y`` and ``hue``; with
        ``interactions`` and ``reach`` the overall ER (ratio of sums, pairwise) is drawn as a
        horizontal line.
    x, y : str
        Column names (publication time, per-post ER in percent).
    hue : str or None
        Column that colours the points (ignored when absent).
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :func:`seaborn.scatterplot`.

    Returns
    -------
    Axes
        Posts without ER (no reach, no interactions) are not drawn.
    """
    ax = _axes(ax)
    title, xlabel, ylabel = "ER by reach per post", "Published", "ER by reach, %"
    if not _usable(data, [x, y], "er_by_post"):
        return _no_data(ax, title, xlabel, ylabel)
    points = data[data[y].notna() & data[x].notna()]
    if points.empty:
        return _no_data(ax, title, xlabel, ylabel, "no post with ER")
    hue = hue if hue is not None and hue in points.columns else None
    order = sorted(points[hue].dropna().astype(str).unique()) if hue else None
    points = points.assign(**{hue: points[hue].astype(str)}) if hue else points
    sns.scatterplot(data=points, x=x, y=y, hue=hue, hue_order=order, ax=ax, **kwargs)
    if {"interactions", "reach"} <= set(data.columns):
        pair = data["interactions"].notna() & data["reach"].notna()
        reach = data.loc[pair, "reach"].sum()
        if reach > 0:
            overall = data.loc[pair, "interactions"].sum() / reach * 100
            ax.axhline(
                overall,
                color="0.3",
                linestyle="--",
                linewidth=1,
                label=f"all posts: {overall:.2f} % (ratio of sums)",
            )
            ax.legend(loc="best")
    _date_axis(ax)
    return _label(ax, title, xlabel, ylabel)


def er_by_format(
    data: pd.DataFrame | None,
    *,
    x: str = "format",
    y: str = "er_reach",
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Plot ER by reach per post format as bars, with the number of posts on each.

    Parameters
    ----------
    data : DataFrame or None
        One row per format, e.g. ``kpis.breakdowns.by_format``: ``x``, ``y`` (ER as a ratio of
        sums, percent) and optionally ``posts``.
    x, y : str
        Column names.
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :meth:`Axes.bar`.

    Returns
    -------
    Axes
        Formats sorted by ER, best first; a format without ER is shown as "n/a".
    """
    ax = _axes(ax)
    title, xlabel, ylabel = "ER by reach per post format", "Format", "ER by reach, %"
    if not _usable(data, [x, y], "er_by_format"):
        return _no_data(ax, title, xlabel, ylabel)
    rows = data.sort_values(y, ascending=False, na_position="last", kind="stable")
    values = rows[y].to_numpy(dtype=float)
    positions = np.arange(len(rows))
    kwargs.setdefault("color", _colors(1)[0])
    bars = ax.bar(positions, np.nan_to_num(values), **kwargs)
    posts = rows["posts"] if "posts" in rows else pd.Series(np.nan, index=rows.index)
    notes = [
        _number(v, 2) + (f"\n{int(n)} posts" if pd.notna(n) else "")
        for v, n in zip(values, posts, strict=True)
    ]
    ax.bar_label(bars, labels=notes, padding=2, fontsize="small")
    ax.set_xticks(positions, rows[x].astype(str).tolist())
    if len(positions) > 4:
        plt.setp(ax.get_xticklabels(), rotation=30, ha="right", rotation_mode="anchor")
    ax.margins(y=0.15)
    return _label(ax, title, xlabel, ylabel)


def publishing_calendar(
    data: pd.DataFrame | None,
    *,
    freq: str = "W",
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Plot planned against published posts per week (or day), with the fulfilled slots.

    Parameters
    ----------
    data : DataFrame or None
        ``kpis.breakdowns.plan_calendar``: ``date``, ``planned``, ``published`` and optionally
        ``fulfilled`` (counts or booleans per account-day; summed over accounts).
    freq : {"W", "D"}
        Group by week (starting Monday) or by day.
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :meth:`Axes.bar` for every bar group.

    Returns
    -------
    Axes
        Three bars per week: planned slots, posts published, slots fulfilled by a post.
    """
    ax = _axes(ax)
    unit = {"W": "Week starting", "D": "Day"}.get(freq, "Date")
    title, xlabel, ylabel = "Content plan against publications", unit, "Posts / slots"
    if not _usable(data, ["date", "planned", "published"], "publishing_calendar"):
        return _no_data(ax, title, xlabel, ylabel)
    columns = [c for c in ("planned", "published", "fulfilled") if c in data.columns]
    counts = data[columns].astype("float64").assign(bucket=_bucket(data["date"], freq))
    table = counts.groupby("bucket", sort=True)[columns].sum(min_count=1)
    positions = np.arange(len(table))
    width = 0.8 / len(columns)
    colors = {"planned": _MUTED, "published": _colors(1)[0], "fulfilled": "#4c9f70"}
    for i, column in enumerate(columns):
        ax.bar(
            positions + (i - (len(columns) - 1) / 2) * width,
            table[column].fillna(0).to_numpy(),
            width=width,
            color=colors[column],
            label=column,
            **kwargs,
        )
    fmt = "%d %b" if freq == "W" else "%d"
    ax.set_xticks(positions, [f"{d:{fmt}}" for d in table.index])
    if len(positions) > 16:
        ax.tick_params(axis="x", labelrotation=90)
    ax.legend(loc="best")
    return _label(ax, title, xlabel, ylabel)


# --------------------------------------------------------------------------------------------
# communications


def reply_time_distribution(
    data: pd.DataFrame | None,
    *,
    kind: str = "ecdf",
    log: bool = True,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Plot the distribution of first-reply times, raw clock and working hours, with medians.

    Parameters
    ----------
    data : DataFrame or None
        One row per request, e.g. ``kpis.communications.requests_table``:
        ``first_response_min`` and ``first_response_work_min`` (NaN for unanswered requests,
        which are left out, as in the KPIs).
    kind : {"ecdf", "hist"}
        Cumulative share of requests answered within x minutes, or a histogram.
    log : bool
        Use a symmetric-log x axis (linear below 1 minute, ticks at 1 min, 10 min, 1 h, 4 h,
        1 day, 1 week): reply times run from seconds to days, and a linear axis squeezes the
        fast replies into one vertical line. A histogram then uses bins even on that axis.
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :func:`seaborn.ecdfplot` or :func:`seaborn.histplot`.

    Returns
    -------
    Axes
        Two curves: "clock time" and "working hours"; dotted vertical lines mark their medians.
    """
    ax = _axes(ax)
    if kind not in ("ecdf", "hist"):
        raise UsageError(f"kind must be 'ecdf' or 'hist', got {kind!r}")
    title = "Time to first staff reply"
    xlabel = "Minutes from the request to the first staff reply"
    ylabel = "Share of answered requests" if kind == "ecdf" else "Answered requests"
    columns = {"first_response_min": "clock time", "first_response_work_min": "working hours"}
    if not _usable(data, list(columns), "reply_time_distribution"):
        return _no_data(ax, title, xlabel, ylabel)
    long = (
        data[list(columns)]
        .rename(columns=columns)
        .melt(var_name="view", value_name="minutes")
        .dropna(subset=["minutes"])
    )
    if long.empty:
        return _no_data(ax, title, xlabel, ylabel, "no answered request")
    palette = dict(zip(columns.values(), _colors(2)[:2], strict=True))
    order = list(columns.values())
    if kind == "ecdf":
        sns.ecdfplot(
            data=long, x="minutes", hue="view", hue_order=order, palette=palette, ax=ax, **kwargs
        )
    else:
        kwargs.setdefault("element", "step")
        kwargs.setdefault("fill", False)
        if log:
            top = max(float(long["minutes"].max()), 2.0)
            kwargs.setdefault("bins", np.concatenate([[0.0], np.geomspace(1.0, top, 30)]))
        sns.histplot(
            data=long, x="minutes", hue="view", hue_order=order, palette=palette, ax=ax, **kwargs
        )
    for view in order:
        minutes = long.loc[long["view"] == view, "minutes"]
        if len(minutes):
            median = float(np.median(minutes))
            ax.axvline(
                median,
                color=palette[view],
                linestyle=":",
                linewidth=1.5,
                label=f"median, {view}: {median:,.0f} min",
            )
    handles = [Patch(color=palette[v], label=v) for v in order] + [
        line for line in ax.get_lines() if str(line.get_label()).startswith("median")
    ]
    ax.legend(handles=handles, loc="lower right" if kind == "ecdf" else "upper right")
    if log:
        ax.set_xscale("symlog", linthresh=1)
        top = float(long["minutes"].max())
        ticks = [(v, t) for v, t in _MINUTE_TICKS if v <= max(top, 1.0) * 1.5]
        ax.set_xticks([v for v, _ in ticks], [t for _, t in ticks])
        xlabel = "Time from the request to the first staff reply (log scale)"
    ax.set_xlim(left=0)
    return _label(ax, title, xlabel, ylabel)


# --------------------------------------------------------------------------------------------
# traffic and goals


def traffic_funnel(
    data: pd.DataFrame | None,
    *,
    log: bool = True,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Plot the traffic funnel: reach, link clicks, site sessions, conversions.

    Parameters
    ----------
    data : DataFrame or None
        ``kpis.breakdowns.traffic_funnel``: ``stage`` and ``value``, one row per stage in funnel
        order (top first).
    log : bool
        Use a log x axis (the stages differ by orders of magnitude); bars still show the values.
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :meth:`Axes.barh`.

    Returns
    -------
    Axes
        One bar per stage, labelled with its value and its share of the stage above.
    """
    ax = _axes(ax)
    title = "Traffic funnel"
    xlabel = "People / clicks / sessions / conversions" + (" (log scale)" if log else "")
    ylabel = "Stage"
    if not _usable(data, ["stage", "value"], "traffic_funnel"):
        return _no_data(ax, title, xlabel, ylabel)
    values = data["value"].to_numpy(dtype=float)
    if np.isnan(values).all():
        return _no_data(ax, title, xlabel, ylabel)
    names = [_STAGE_LABELS.get(str(s), str(s)) for s in data["stage"]]
    positions = np.arange(len(values))[::-1]  # the top of the funnel at the top
    kwargs.setdefault("color", _colors(1)[0])
    shown = np.where(np.isnan(values) | (values <= 0), 0 if not log else np.nan, values)
    bars = ax.barh(positions, np.nan_to_num(shown), **kwargs)
    notes = []
    for i, value in enumerate(values):
        note = _number(value)
        previous = values[i - 1] if i else np.nan
        if i and not np.isnan(value) and not np.isnan(previous) and previous > 0:
            note += f"  ({value / previous * 100:.1f} % of {names[i - 1].lower()})"
        notes.append(note)
    ax.bar_label(bars, labels=notes, padding=3, fontsize="small")
    ax.set_yticks(positions, names)
    if log and np.nanmax(np.where(values > 0, values, np.nan), initial=0) > 0:
        ax.set_xscale("log")
        top = np.nanmax(values[values > 0])
        ax.set_xlim(right=top * 30)  # room for the labels
    else:
        ax.margins(x=0.3)
    return _label(ax, title, xlabel, ylabel)


def goals_by_type(
    data: pd.DataFrame | None,
    *,
    x: str = "conversions",
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Plot conversions per goal type, lead goals highlighted.

    Parameters
    ----------
    data : DataFrame or None
        ``kpis.breakdowns.goals_by_type``: ``goal``, ``x`` and optionally ``leads`` (bool: the
        goal counts as a lead) and ``value_sum`` (money).
    x : str
        The count column to draw.
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :meth:`Axes.barh`.

    Returns
    -------
    Axes
        Goals sorted by count, most at the top; bars labelled with the count (and the value
        when there is one).
    """
    ax = _axes(ax)
    title, xlabel, ylabel = "Goals reached by type", "Conversions", "Goal"
    if not _usable(data, ["goal", x], "goals_by_type"):
        return _no_data(ax, title, xlabel, ylabel)
    rows = data.sort_values(x, ascending=True, kind="stable")
    lead = (
        rows["leads"].fillna(False).astype(bool).to_numpy()
        if "leads" in rows
        else np.zeros(len(rows), bool)
    )
    lead_color, other_color = _colors(1)[0], _MUTED
    kwargs.setdefault("color", [lead_color if f else other_color for f in lead])
    positions = np.arange(len(rows))
    bars = ax.barh(positions, rows[x].fillna(0).to_numpy(dtype=float), **kwargs)
    values = rows["value_sum"] if "value_sum" in rows else pd.Series(np.nan, index=rows.index)
    notes = [
        _number(n) + (f"  (value {_number(v)})" if pd.notna(v) and v > 0 else "")
        for n, v in zip(rows[x], values, strict=True)
    ]
    ax.bar_label(bars, labels=notes, padding=3, fontsize="small")
    ax.set_yticks(positions, rows["goal"].astype(str).tolist())
    ax.margins(x=0.25)
    if "leads" in rows:
        ax.legend(
            handles=[
                Patch(color=lead_color, label="lead goal"),
                Patch(color=other_color, label="other goal"),
            ],
            loc="lower right",
        )
    return _label(ax, title, xlabel, ylabel)


# --------------------------------------------------------------------------------------------
# awareness


def mentions_sentiment(
    data: pd.DataFrame | None,
    *,
    freq: str = "W",
    own_only: bool = True,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Plot mentions per week (or day) as bars stacked by sentiment.

    Parameters
    ----------
    data : DataFrame or None
        ``kpis.awareness.mentions_daily``: ``date``, ``mentions``, ``positive``, ``neutral``,
        ``negative`` and ``own_brand``.
    freq : {"W", "D"}
        Group by week (starting Monday) or by day.
    own_only : bool
        Draw only the specialist's brands (``own_brand``), the mentions the KPI counts.
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :meth:`Axes.bar`.

    Returns
    -------
    Axes
        Stacks: positive, neutral, negative, and mentions without a sentiment.
    """
    ax = _axes(ax)
    unit = {"W": "Week starting", "D": "Day"}.get(freq, "Date")
    title = "Brand mentions by sentiment" + (" (own brands)" if own_only else " (all brands)")
    xlabel, ylabel = unit, "Mentions"
    columns = ["date", "mentions", "positive", "neutral", "negative"]
    if not _usable(data, columns, "mentions_sentiment"):
        return _no_data(ax, title, xlabel, ylabel)
    rows = data[data["own_brand"].astype(bool)] if own_only and "own_brand" in data else data
    if rows.empty:
        return _no_data(ax, title, xlabel, ylabel, "no mention of the brand")
    counts = rows[columns[1:]].astype("float64").assign(bucket=_bucket(rows["date"], freq))
    table = counts.groupby("bucket", sort=True)[columns[1:]].sum()
    table["no sentiment"] = (
        table["mentions"] - table[["positive", "neutral", "negative"]].sum(axis=1)
    ).clip(lower=0)
    positions = np.arange(len(table))
    bottom = np.zeros(len(table))
    for part in ("positive", "neutral", "negative", "no sentiment"):
        heights = table[part].to_numpy()
        if part == "no sentiment" and not heights.any():
            continue
        ax.bar(
            positions,
            heights,
            bottom=bottom,
            color=SENTIMENT_COLORS[part],
            label=part,
            width=0.8,
            **kwargs,
        )
        bottom = bottom + heights
    fmt = "%d %b" if freq == "W" else "%d"
    ax.set_xticks(positions, [f"{d:{fmt}}" for d in table.index])
    if len(positions) > 16:
        ax.tick_params(axis="x", labelrotation=90)
    ax.legend(loc="best")
    return _label(ax, title, xlabel, ylabel)


def share_of_voice(
    data: pd.DataFrame | None,
    *,
    top: int | None = 10,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Plot each brand's share of voice as horizontal bars, the specialist's brands highlighted.

    Parameters
    ----------
    data : DataFrame or None
        ``kpis.awareness.share_of_voice_table``: ``brand``, ``share_pct`` and optionally
        ``own_brand`` and ``mentions``.
    top : int or None
        Show at most this many other brands (the rest are summed into "other brands"); the
        specialist's brands are always shown. None shows every brand.
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :meth:`Axes.barh`.

    Returns
    -------
    Axes
        Largest share at the top. A brand of the specialist's that also has mentions on days
        that are not its own (see ``kpis.awareness.scoped_mentions``) gets a second, grey bar
        "(other days)".
    """
    ax = _axes(ax)
    title, xlabel, ylabel = "Share of voice", "Share of mentions, %", "Brand"
    if not _usable(data, ["brand", "share_pct"], "share_of_voice"):
        return _no_data(ax, title, xlabel, ylabel)
    own = (
        data["own_brand"].astype(bool)
        if "own_brand" in data
        else pd.Series(False, index=data.index)
    )
    mine_brands = set(data.loc[own, "brand"].astype(str))
    names = [
        f"{b} (other days)" if (not o and b in mine_brands) else str(b)
        for b, o in zip(data["brand"].astype(str), own, strict=True)
    ]
    rows = pd.DataFrame({"name": names, "own": own.to_numpy(), "share": data["share_pct"]})
    rows = rows.sort_values("share", ascending=False, kind="stable", na_position="last")
    others = rows[~rows["own"]]
    if top is not None and len(others) > top:
        rest = others.iloc[top:]
        rows = pd.concat(
            [
                rows[rows["own"]],
                others.iloc[:top],
                pd.DataFrame(
                    {
                        "name": [f"other brands ({len(rest)})"],
                        "own": [False],
                        "share": [rest["share"].sum(min_count=1)],
                    }
                ),
            ],
            ignore_index=True,
        )
        rows = rows.sort_values("share", ascending=False, kind="stable", na_position="last")
    rows = rows.iloc[::-1]  # barh draws bottom-up
    highlight = _colors(1)[0]
    kwargs.setdefault("color", [highlight if o else _MUTED for o in rows["own"]])
    positions = np.arange(len(rows))
    bars = ax.barh(positions, rows["share"].fillna(0).to_numpy(dtype=float), **kwargs)
    ax.bar_label(
        bars,
        labels=[_number(v, 1) + (" %" if pd.notna(v) else "") for v in rows["share"]],
        padding=3,
        fontsize="small",
    )
    ax.set_yticks(positions, rows["name"].tolist())
    ax.margins(x=0.2)
    ax.legend(
        handles=[Patch(color=highlight, label="your brands"), Patch(color=_MUTED, label="others")],
        loc="lower right",
    )
    return _label(ax, title, xlabel, ylabel)


# --------------------------------------------------------------------------------------------
# scorecard


def kpi_attainment(
    data: pd.DataFrame | None,
    *,
    ax: Axes | None = None,
    **kwargs,
) -> Axes:
    """Plot each KPI's attainment of its target as horizontal bars, with a line at 100 %.

    Parameters
    ----------
    data : DataFrame or None
        One row per KPI: ``kpi``, ``attainment`` (percent of target, 100 = met, already
        oriented so that more is better) and optionally ``family`` and ``weight`` (shown in
        the labels).
    ax : matplotlib Axes, optional
        Axes to draw on; the current Axes when None.
    **kwargs
        Passed to :meth:`Axes.barh`.

    Returns
    -------
    Axes
        KPIs in the frame's order, top to bottom; met targets in green, missed ones in orange,
        KPIs without a value marked "n/a".
    """
    ax = _axes(ax)
    title, xlabel, ylabel = "KPI attainment", "Attainment, % of target", "KPI"
    if not _usable(data, ["kpi", "attainment"], "kpi_attainment"):
        return _no_data(ax, title, xlabel, ylabel)
    rows = data.iloc[::-1]
    values = rows["attainment"].to_numpy(dtype=float)
    names = rows["kpi"].astype(str)
    if "family" in rows:
        names = (rows["family"].astype(str) + ": ").where(rows["family"].notna(), "") + names
    if "weight" in rows:
        weight = pd.to_numeric(rows["weight"], errors="coerce")
        names = names + weight.map(lambda w: f" (w {w:g})").where(weight.notna(), "")
    kwargs.setdefault("color", ["#4c9f70" if v >= 100 else "#e69f00" for v in values])
    positions = np.arange(len(rows))
    bars = ax.barh(positions, np.nan_to_num(values), **kwargs)
    ax.bar_label(
        bars,
        labels=[_number(v) + (" %" if pd.notna(v) else "") for v in values],
        padding=3,
        fontsize="small",
    )
    ax.axvline(100, color="0.25", linestyle="--", linewidth=1, label="target")
    ax.set_yticks(positions, names.tolist())
    low = min(0.0, float(np.nanmin(values, initial=0.0)))
    high = max(100.0, float(np.nanmax(values, initial=100.0)))
    ax.set_xlim(low - 0.02 * (high - low), high * 1.2)
    ax.legend(loc="lower right")
    return _label(ax, title, xlabel, ylabel)
