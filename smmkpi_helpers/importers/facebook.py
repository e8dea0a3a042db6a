"""Facebook page post exports: the Insights "post data" columns, as in the UCI Facebook metrics set.

Columns (matched case-insensitively): ``Lifetime Post Total Reach`` -> reach, ``Lifetime Post
Total Impressions`` -> views, ``like`` -> likes, ``comment`` -> comments, ``share`` -> shares,
``Paid`` -> is_promoted, ``Type`` -> format (Photo -> photo, Video -> video, Status and Link ->
text), ``Category`` -> topic (``category 1``..``3``); ``Lifetime Engaged Users`` and the
consumption columns have no column in the data model. Saves and link clicks are not exported.

When the export has ``Post ID`` and ``Posted`` (the publication time), they are used. The UCI
file has neither: only ``Post Month``, ``Post Weekday`` (1-7) and ``Post Hour``. Then

* the year comes from ``--year`` (it cannot be inferred);
* ``--first-weekday`` says whether weekday 1 is Sunday (the default) or Monday;
* the day is reconstructed: posts are taken in publication order (the file's order, newest
  first as Facebook writes it, or oldest first; checked against the months) and each gets the
  earliest day of its month on its weekday that is not before the previous post's day (a later
  hour on the same day stays on that day). Month, weekday and hour are exact; the day can be
  early by whole weeks after a week without posts. When the rows are not in order, each post
  gets the first day of its month on its weekday;
* the post id is derived from what never changes for a post: ``fb-<year><month>-d<weekday>-
  h<hour>-<type>-c<category>-<n>``, ``n`` counting the posts with the same values oldest first,
  so a later export with newer posts on top keeps the ids;
* ``Page total likes`` (the page's likes when the post was published) becomes the followers
  of the post's day in ``account_daily``, for days that have no row yet (``--no-page-likes``
  turns this off).
"""

from __future__ import annotations

import pandas as pd

from ..errors import UsageError
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
)
from .detect import wrong_kind

__all__ = ["convert", "reconstruct_days"]

_EXPECTED = "a Facebook page post export (columns such as 'Lifetime Post Total Reach')"
_FORMATS = {"photo": "photo", "video": "video", "status": "text", "link": "text"}
_COLUMNS = {
    "reach": ("Lifetime Post Total Reach",),
    "views": ("Lifetime Post Total Impressions",),
    "likes": ("like", "likes"),
    "comments": ("comment", "comments"),
    "shares": ("share", "shares"),
}


def reconstruct_days(
    months: pd.Series, weekdays: pd.Series, hours: pd.Series, *, year: int, newest_first: bool
) -> pd.Series:
    """Return a day for each post from its month, weekday (Monday=0) and hour.

    Parameters
    ----------
    months, weekdays, hours : Series of int
        One value per post, in the file's order.
    year : int
        The year of every post.
    newest_first : bool
        Whether the file lists the newest post first.

    Returns
    -------
    Series of datetime64
        The reconstructed day of each post (index of the input).

    Examples
    --------
    >>> # 2014-12-01 is a Monday; posts on Mon 10h, Mon 18h, Wed 9h, Mon 9h (oldest first)
    >>> m, w, h = pd.Series([12] * 4), pd.Series([0, 0, 2, 0]), pd.Series([10, 18, 9, 9])
    >>> reconstruct_days(m, w, h, year=2014, newest_first=False).dt.day.tolist()
    [1, 1, 3, 8]
    """
    order = months.index[::-1] if newest_first else months.index
    days = pd.Series(pd.NaT, index=months.index, dtype="datetime64[ns]")
    previous: tuple[pd.Timestamp, int] | None = None
    for index in order:  # one step per post: the walk carries state from post to post
        month, weekday, hour = int(months[index]), int(weekdays[index]), int(hours[index])
        first = pd.Timestamp(year=year, month=month, day=1)
        day = first + pd.Timedelta(days=(weekday - first.weekday()) % 7)
        if previous is not None and previous[0].month == month:
            last_day, last_hour = previous
            while day < last_day or (day == last_day and hour < last_hour):
                day += pd.Timedelta(days=7)
            if day.month != month:
                day -= pd.Timedelta(days=7 * ((day.day - 1) // 7 + 1))
        days[index] = day
        previous = (day, hour)
    return days


def _order(months: pd.Series) -> str:
    steps = months.diff().dropna()
    if (steps <= 0).all():
        return "newest"
    if (steps >= 0).all():
        return "oldest"
    return "none"


def _parse_posted(text: pd.Series) -> pd.Series:
    out = pd.to_datetime(text, format="%m/%d/%Y %I:%M:%S %p", errors="coerce")
    for fmt in ("ISO8601", "%m/%d/%Y %H:%M", "%d.%m.%Y %H:%M"):
        missing = out.isna() & text.notna()
        if not missing.any():
            break
        out = out.where(~missing, pd.to_datetime(text.where(missing), format=fmt, errors="coerce"))
    return out


def convert(files: list[SourceFile], ctx: ImportContext) -> Converted:
    """Convert Facebook post exports into ``posts`` (and ``account_daily`` followers) rows."""
    out = Converted()
    for file in files:
        _convert_file(file, ctx, out)
    return out


def _convert_file(file: SourceFile, ctx: ImportContext, out: Converted) -> None:
    if file.kind != "table":
        raise wrong_kind(file, _EXPECTED)
    raw = file.table
    frame = raw.frame
    columns = list(frame.columns)
    reach_col = find_column(columns, *_COLUMNS["reach"])
    if reach_col is None:
        raise wrong_kind(file, _EXPECTED)
    for issue in raw.issues or []:
        out.issues.append(issue)
    base = pd.DataFrame(
        {
            "_file": file.name,
            "_line": raw.lines if len(raw.lines) else [],
            "_where": None,
        },
        index=frame.index,
    )
    rows = pd.DataFrame(index=frame.index)
    rows["account_id"] = ctx.account_id
    for target, aliases in _COLUMNS.items():
        name = find_column(columns, *aliases)
        rows[target] = frame[name] if name else None
    type_col = find_column(columns, "Type", "Post type")
    kinds = frame[type_col].astype(object).str.strip().str.lower() if type_col else None
    rows["format"] = (
        kinds.map(lambda k: _FORMATS.get(k, "other") if k else None)
        if (kinds is not None)
        else "other"
    )
    paid_col = find_column(columns, "Paid")
    rows["is_promoted"] = frame[paid_col] if paid_col else None
    category_col = find_column(columns, "Category")
    categories, _ = as_number(frame[category_col]) if category_col else (None, None)
    if categories is not None:
        rows["topic"] = categories.map(lambda c: None if pd.isna(c) else f"category {int(c)}")
    message_col = find_column(columns, "Post Message", "Message")
    link_col = find_column(columns, "Permalink")
    rows["text"] = frame[message_col] if message_col else None
    rows["url"] = frame[link_col] if link_col else None
    id_col = find_column(columns, "Post ID")
    posted_col = find_column(columns, "Posted", "Publish time")
    if posted_col is not None:
        wall = _parse_posted(frame[posted_col].astype(object))
        bad = wall.isna()
        out.issues += row_issues(
            pd.concat([base, rows], axis=1),
            bad,
            "posts",
            "the row is left out: its publication time cannot be read",
            column=posted_col,
            values=frame[posted_col],
            expected="a time such as 12/31/2014 11:00:00 PM",
        )
        rows["published_at"] = local_iso(wall, ctx.timezone)
        keep = ~bad
        rank = pd.Series(0, index=frame.index)
    else:
        keep, wall, rank = _reconstruct(frame, rows, base, columns, ctx, out, file.name)
    if id_col is not None:
        rows["post_id"] = frame[id_col].map(make_id)
    rows = pd.concat([rows, base], axis=1)[keep]
    out.updates.append(
        TableUpdate(
            "posts",
            rows,
            sources={
                "reach": reach_col,
                "views": find_column(columns, *_COLUMNS["views"]) or "views",
                "likes": "like",
                "comments": "comment",
                "shares": "share",
                "is_promoted": "Paid",
                "format": type_col or "Type",
                "post_id": id_col or "the derived post id",
            },
        )
    )
    likes_col = find_column(columns, "Page total likes")
    if likes_col is not None and not ctx.option("no_page_likes", False) and wall is not None:
        _page_likes(frame[likes_col][keep], wall[keep], rank[keep], rows, ctx, out)


def _reconstruct(
    frame: pd.DataFrame,
    rows: pd.DataFrame,
    base: pd.DataFrame,
    columns: list,
    ctx: ImportContext,
    out: Converted,
    name: str,
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Fill ``published_at`` and ``post_id`` from month, weekday and hour (see the module doc).

    Returns
    -------
    (Series, Series, Series)
        The rows kept, their wall-clock publication times and their chronological rank.
    """
    month_col = find_column(columns, "Post Month")
    weekday_col = find_column(columns, "Post Weekday")
    hour_col = find_column(columns, "Post Hour")
    if None in (month_col, weekday_col, hour_col):
        raise UsageError(
            f"{name}: the export has neither 'Posted' (the publication time) nor 'Post Month', "
            "'Post Weekday' and 'Post Hour'; export the post data with its publication time"
        )
    year = ctx.option("year")
    if year is None:
        raise UsageError(
            f"{name} has the month, weekday and hour of each post but no year: give the year "
            "the posts were published with --year YYYY"
        )
    months = as_number(frame[month_col])[0]
    weekdays = as_number(frame[weekday_col])[0]
    hours = as_number(frame[hour_col])[0]
    invalid = (
        months.isna()
        | weekdays.isna()
        | hours.isna()
        | ~months.between(1, 12)
        | ~weekdays.between(1, 7)
        | ~hours.between(0, 23)
    )
    joined = pd.concat([base, rows], axis=1)
    out.issues += row_issues(
        joined,
        invalid,
        "posts",
        "the row is left out: its Post Month, Post Weekday or Post Hour is not valid",
        column=f"{month_col}, {weekday_col}, {hour_col}",
        values=frame[month_col].astype(str)
        + "/"
        + frame[weekday_col].astype(str)
        + "/"
        + frame[hour_col].astype(str),
        expected="month 1-12, weekday 1-7, hour 0-23",
    )
    ok = ~invalid
    sunday_first = str(ctx.option("first_weekday", "sunday")).lower() == "sunday"
    monday_based = (weekdays - (2 if sunday_first else 1)) % 7  # Monday = 0
    order = _order(months[ok])
    year = int(year)
    if order == "none":
        out.notes.append(
            f"{name}: the rows are not in publication order, so each post is placed on the "
            "first day of its month with its weekday"
        )
        first = pd.to_datetime({"year": year, "month": months[ok].astype(int), "day": 1})
        days = first + pd.to_timedelta((monday_based[ok] - first.dt.weekday) % 7, unit="D")
    else:
        days = reconstruct_days(
            months[ok].astype(int),
            monday_based[ok].astype(int),
            hours[ok].astype(int),
            year=year,
            newest_first=order == "newest",
        )
        out.notes.append(
            f"{name}: publication days reconstructed from month, weekday and hour in the "
            f"{order}-first order of the file (weekday 1 = {'Sunday' if sunday_first else 'Monday'}"
            f", year {year}); days may be early by whole weeks, months are exact"
        )
    wall = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    wall[ok] = days + pd.to_timedelta(hours[ok], unit="h")
    rows["published_at"] = local_iso(wall, ctx.timezone)
    kinds = rows["format"].astype(str)
    type_col = find_column(columns, "Type", "Post type")
    type_names = (
        frame[type_col].astype(object).fillna("none").str.strip().str.lower() if type_col else kinds
    )
    category_col = find_column(columns, "Category")
    category = (
        as_number(frame[category_col])[0].fillna(0).astype(int).astype(str)
        if category_col
        else pd.Series("0", index=frame.index)
    )
    stem = (
        f"fb-{year}"
        + months.fillna(0).astype(int).map("{:02d}".format)
        + "-d"
        + weekdays.fillna(0).astype(int).astype(str)
        + "-h"
        + hours.fillna(0).astype(int).map("{:02d}".format)
        + "-"
        + type_names.str.replace(r"[^a-z0-9]+", "", regex=True)
        + "-c"
        + category
    )
    oldest_first = stem[::-1] if order == "newest" else stem
    counter = oldest_first.groupby(oldest_first).cumcount() + 1
    rows["post_id"] = stem + "-" + counter.reindex(stem.index).astype(str)
    position = pd.Series(range(len(frame)), index=frame.index)
    rank = (len(frame) - 1 - position) if order == "newest" else position
    return ok, wall, rank


def _page_likes(
    likes: pd.Series, wall: pd.Series, rank: pd.Series, rows: pd.DataFrame, ctx, out
) -> None:
    """Add the page's likes at the day's last post as the day's followers (insert only)."""
    values, _ = as_number(likes)
    frame = pd.DataFrame(
        {
            "wall": wall,
            "rank": rank,
            "followers": values,
            "_file": rows["_file"],
            "_line": rows["_line"],
        }
    ).dropna(subset=["wall", "followers"])
    if not len(frame):
        return
    frame = frame.sort_values(["wall", "rank"], kind="stable")
    frame["date"] = frame["wall"].dt.strftime("%Y-%m-%d")
    last = frame.groupby("date", sort=True).last().reset_index()
    daily = pd.DataFrame(
        {
            "account_id": ctx.account_id,
            "date": last["date"],
            "followers": last["followers"],
            "_file": last["_file"],
            "_line": last["_line"],
            "_where": None,
        }
    )
    out.updates.append(
        TableUpdate(
            "account_daily", daily, mode="insert", sources={"followers": "Page total likes"}
        )
    )
    out.notes.append(
        "the page's total likes at each post's publication become the followers of the post's "
        "day in account_daily, for days without a row yet (--no-page-likes turns this off)"
    )
