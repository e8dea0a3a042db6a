"""Instagram Graph API responses: media with their insights, and account insights.

Each file holds one Graph API response as JSON (or a list of responses). What is recognised:

* **media** (``GET /{ig-user-id}/media?fields=id,timestamp,media_type,media_product_type,
  like_count,comments_count,permalink,caption,insights.metric(reach,views,saved,shares)``) ->
  ``posts``: reach, views, likes (``like_count``), comments (``comments_count``), shares,
  saves (``saved``), the caption as text, the permalink as url. Format: reels -> short_video,
  stories -> story, ``CAROUSEL_ALBUM`` -> carousel, ``VIDEO`` -> video, ``IMAGE`` -> photo.
  ``impressions`` (removed in April 2025) and ``plays``/``video_views`` stand in for views in
  older exports that lack ``views``.
* **media insights** alone (``GET /{ig-media-id}/insights``, ``period: lifetime``) update posts
  already imported (they carry no publication time).
* **account insights** (``GET /{ig-user-id}/insights``) -> ``account_daily``: ``reach``,
  ``views`` (``impressions`` in older exports), ``profile_views`` -> profile_visits,
  ``profile_links_taps`` (``website_clicks`` before) -> link_clicks, ``follows_and_unfollows``
  with the ``follow_type`` breakdown (``FOLLOWER`` = follows, ``NON_FOLLOWER`` = unfollows),
  ``follower_count`` (new followers per day) as follows when the breakdown is missing. A daily
  value with ``end_time`` belongs to the day before it (Meta's days end at midnight Pacific
  time; they are taken as the account's days). A ``total_value`` covers the query's window,
  which must be one day: it is read from the response's ``paging`` links, or from ``since``/
  ``until`` (or ``date``) keys added to the file. The follower total is rebuilt as for VK.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import pandas as pd

from ..errors import ImportFailedError
from .common import Converted, ImportContext, SourceFile, TableUpdate, local_iso, make_id
from .detect import wrong_kind
from .followers import TOTAL_HINT, totals_for

__all__ = ["convert", "instagram_format"]

_EXPECTED = "an Instagram Graph API response (media or insights)"
_ACCOUNT_METRICS = {
    "reach": "reach",
    "views": "views",
    "impressions": "impressions",
    "follower_count": "new_followers",
    "profile_views": "profile_visits",
    "profile_links_taps": "link_clicks",
    "website_clicks": "website_clicks",
}
_MEDIA_METRICS = {
    "reach": "reach",
    "views": "views",
    "impressions": "impressions",
    "plays": "plays",
    "video_views": "video_views",
    "likes": "insight_likes",
    "comments": "insight_comments",
    "shares": "shares",
    "saved": "saves",
}
_FOLLOW = {"FOLLOWER", "FOLLOWS", "FOLLOW"}
_UNFOLLOW = {"NON_FOLLOWER", "UNFOLLOWS", "UNFOLLOW"}


def instagram_format(media: dict) -> str:
    """Return the post format of an Instagram media object.

    Examples
    --------
    >>> instagram_format({"media_type": "VIDEO", "media_product_type": "REELS"})
    'short_video'
    >>> instagram_format({"media_type": "CAROUSEL_ALBUM"})
    'carousel'
    >>> instagram_format({"media_type": "IMAGE"})
    'photo'
    """
    product = str(media.get("media_product_type") or "").upper()
    kind = str(media.get("media_type") or "").upper()
    if product == "REELS":
        return "short_video"
    if product == "STORY":
        return "story"
    return {"CAROUSEL_ALBUM": "carousel", "VIDEO": "video", "IMAGE": "photo"}.get(kind, "other")


def _responses(file: SourceFile) -> list[dict]:
    value = file.data
    responses = value if isinstance(value, list) else [value]
    out = []
    for response in responses:
        if not isinstance(response, dict):
            raise wrong_kind(file, _EXPECTED)
        if isinstance(response.get("error"), dict):
            raise ImportFailedError(
                f"{file.name}: the file holds a Graph API error "
                f"({response['error'].get('message', '')}), not data"
            )
        out.append(response)
    return out


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _lifetime(item: dict) -> float | None:
    if isinstance(item.get("total_value"), dict):
        return _number(item["total_value"].get("value"))
    values = item.get("values")
    if isinstance(values, list) and values and isinstance(values[0], dict):
        return _number(values[0].get("value"))
    return None


def _instant(value: Any) -> pd.Timestamp | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or str(value).isdigit():
        return pd.Timestamp(int(value), unit="s", tz="UTC")
    try:
        stamp = pd.Timestamp(str(value))
    except ValueError:
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _window(response: dict) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Return the (since, until) of a ``total_value`` query, when the response tells it."""
    if response.get("date") is not None:
        day = _instant(response["date"])
        return (day, day + pd.Timedelta(days=1)) if day is not None else None
    since, until = _instant(response.get("since")), _instant(response.get("until"))
    if since is not None and until is not None:
        return since, until
    paging = response.get("paging") or {}
    for key, sign in (("previous", 1), ("next", -1)):
        url = paging.get(key)
        if not isinstance(url, str):
            continue
        query = parse_qs(urlparse(url).query)
        a = _instant((query.get("since") or [None])[0])
        b = _instant((query.get("until") or [None])[0])
        if a is None or b is None:
            continue
        length = b - a
        return (b, b + length) if sign == 1 else (a - length, a)
    return None


def _day_of_window(window: tuple[pd.Timestamp, pd.Timestamp] | None) -> pd.Timestamp | None:
    if window is None:
        return None
    since, until = window
    if not pd.Timedelta(hours=23) <= until - since <= pd.Timedelta(hours=25):
        return None
    return (since + (until - since) / 2).tz_convert("UTC").normalize().tz_localize(None)


def _is_media(item: dict) -> bool:
    return any(k in item for k in ("timestamp", "media_type", "media_product_type", "permalink"))


def _media_record(item: dict, file: str, where: str) -> dict:
    record = {
        "post_id": make_id(item.get("id")),
        "timestamp": item.get("timestamp"),
        "format": instagram_format(item),
        "likes": _number(item.get("like_count")),
        "comments": _number(item.get("comments_count")),
        "text": item.get("caption"),
        "url": item.get("permalink"),
        "_file": file,
        "_line": None,
        "_where": where,
    }
    insights = item.get("insights")
    if isinstance(insights, dict):
        for metric in insights.get("data") or []:
            if isinstance(metric, dict) and metric.get("name") in _MEDIA_METRICS:
                record[_MEDIA_METRICS[metric["name"]]] = _lifetime(metric)
    return record


def _account_values(item: dict, day: pd.Timestamp | None) -> list[tuple[pd.Timestamp, str, Any]]:
    """Return (day, metric, value) triples of an account insight."""
    name = item.get("name")
    out = []
    if isinstance(item.get("values"), list):
        for value in item["values"]:
            if not isinstance(value, dict) or value.get("end_time") is None:
                continue
            end = _instant(value.get("end_time"))
            if end is None:
                continue
            when = (end - pd.Timedelta(days=1)).normalize().tz_localize(None)
            out.append((when, name, value.get("value")))
    elif isinstance(item.get("total_value"), dict) and day is not None:
        out.append((day, name, item["total_value"]))
    return out


def _follow_counts(total: Any) -> tuple[float | None, float | None]:
    follows = unfollows = None
    if not isinstance(total, dict):
        return None, None
    for breakdown in total.get("breakdowns") or []:
        for result in breakdown.get("results") or []:
            kind = str((result.get("dimension_values") or [""])[0]).upper()
            if kind in _FOLLOW:
                follows = (follows or 0.0) + (_number(result.get("value")) or 0.0)
            elif kind in _UNFOLLOW:
                unfollows = (unfollows or 0.0) + (_number(result.get("value")) or 0.0)
    return follows, unfollows


def _scalar(value: Any) -> float | None:
    if isinstance(value, dict):
        return _number(value.get("value"))
    return _number(value)


def convert(files: list[SourceFile], ctx: ImportContext) -> Converted:
    """Convert Instagram Graph API responses into ``posts`` and ``account_daily`` rows."""
    out = Converted()
    media: list[dict] = []
    lone: list[dict] = []
    values: list[dict] = []
    ignored: set[str] = set()
    for file in files:
        for number, response in enumerate(_responses(file), start=1):
            where = f"response {number}" if isinstance(file.data, list) else "response"
            data = response.get("data")
            if isinstance(response.get("media"), dict):
                data = response["media"].get("data")
            if data is None and _is_media(response):
                data = [response]
            if not isinstance(data, list):
                raise wrong_kind(file, _EXPECTED)
            if "followers_count" in response:
                out.notes.append(
                    f"{file.name}: followers_count ({response['followers_count']}) has no date; "
                    "give it with --followers N --on DATE (the day you saved the file)"
                )
            day = _day_of_window(_window(response))
            for position, item in enumerate(data, start=1):
                if not isinstance(item, dict):
                    continue
                if _is_media(item):
                    media.append(_media_record(item, file.name, f"{where}, media {position}"))
                    continue
                name = item.get("name")
                if name is None:
                    raise wrong_kind(file, _EXPECTED)
                owner = str(item.get("id", "")).split("/")[0]
                if item.get("period") == "lifetime":
                    if name in _MEDIA_METRICS:
                        lone.append(
                            {
                                "post_id": make_id(owner),
                                _MEDIA_METRICS[name]: _lifetime(item),
                                "_file": file.name,
                                "_line": None,
                                "_where": f"{where}, insight {name} of media {owner}",
                            }
                        )
                    continue
                if name not in _ACCOUNT_METRICS and name != "follows_and_unfollows":
                    ignored.add(name)
                    continue
                triples = _account_values(item, day)
                if not triples and isinstance(item.get("total_value"), dict):
                    out.notes.append(
                        f"{file.name}: {name} is a total over an unknown window and is left "
                        "out; query one day at a time (since = the day, until = the next day) "
                        'and keep the response\'s paging links, or add "since"/"until" keys'
                    )
                for when, metric, value in triples:
                    values.append(
                        {"date": when, "metric": metric, "value": value, "_file": file.name}
                    )
    if ignored:
        out.notes.append("account metrics without a column left out: " + ", ".join(sorted(ignored)))
    _posts(media, lone, ctx, out)
    _daily(values, ctx, out)
    if not out.updates:
        out.notes.append("the responses hold no media and no daily account insights")
    return out


def _views(frame: pd.DataFrame, out: Converted, fallbacks: tuple[str, ...]) -> pd.Series:
    views = frame["views"] if "views" in frame else pd.Series(np.nan, index=frame.index)
    for name in fallbacks:
        if name in frame and (views.isna() & frame[name].notna()).any():
            out.notes.append(f"views taken from '{name}' where 'views' is missing (older export)")
            views = views.where(views.notna(), frame[name])
    return views


def _posts(media: list[dict], lone: list[dict], ctx: ImportContext, out: Converted) -> None:
    sources = {
        "post_id": "id",
        "published_at": "timestamp",
        "likes": "like_count",
        "comments": "comments_count",
        "saves": "saved",
        "url": "permalink",
        "text": "caption",
    }
    if media:
        frame = pd.DataFrame.from_records(media)
        instants = pd.to_datetime(frame["timestamp"], utc=True, format="ISO8601", errors="coerce")
        rows = pd.DataFrame(
            {
                "account_id": ctx.account_id,
                "post_id": frame["post_id"],
                "published_at": local_iso(instants, ctx.timezone),
                "format": frame["format"],
                "reach": frame.get("reach"),
                "views": _views(frame, out, ("impressions", "plays", "video_views")),
                "likes": _either(frame, "likes", "insight_likes"),
                "comments": _either(frame, "comments", "insight_comments"),
                "shares": frame.get("shares"),
                "saves": frame.get("saves"),
                "text": frame["text"],
                "url": frame["url"],
            }
        )
        for name in ("_file", "_line", "_where"):
            rows[name] = frame[name]
        out.updates.append(TableUpdate("posts", rows.dropna(axis=1, how="all"), sources=sources))
    if lone:
        frame = pd.DataFrame.from_records(lone)
        keep = [c for c in frame.columns if c.startswith("_") or c == "post_id"]
        merged = frame.groupby("post_id", sort=False).agg(
            {c: "last" for c in frame.columns if c != "post_id"}
        )
        merged = merged.reset_index()
        rows = pd.DataFrame({"account_id": ctx.account_id, "post_id": merged["post_id"]})
        rows["views"] = _views(merged, out, ("impressions", "plays", "video_views"))
        for column, source in (
            ("reach", "reach"),
            ("likes", "insight_likes"),
            ("comments", "insight_comments"),
            ("shares", "shares"),
            ("saves", "saves"),
        ):
            if source in merged:
                rows[column] = merged[source]
        for name in keep:
            if name.startswith("_"):
                rows[name] = merged[name]
        out.updates.append(
            TableUpdate(
                "posts",
                rows.dropna(axis=1, how="all"),
                mode="update",
                sources=sources,
                hint="import the media list first (GET /{ig-user-id}/media with timestamp), "
                "which gives its publication time",
            )
        )


def _either(frame: pd.DataFrame, first: str, second: str) -> pd.Series:
    a = frame[first] if first in frame else pd.Series(np.nan, index=frame.index)
    if second in frame:
        a = a.where(a.notna(), frame[second])
    return a


def _daily(values: list[dict], ctx: ImportContext, out: Converted) -> None:
    if not values:
        return
    long = pd.DataFrame.from_records(values)
    follow = long["metric"] == "follows_and_unfollows"
    counts = long.loc[follow, "value"].map(_follow_counts)
    extra = pd.DataFrame(
        {
            "date": np.repeat(long.loc[follow, "date"].to_numpy(), 2),
            "metric": ["follows", "unfollows"] * int(follow.sum()),
            "value": [v for pair in counts for v in pair],
            "_file": np.repeat(long.loc[follow, "_file"].to_numpy(), 2),
        }
    )
    long = pd.concat([long[~follow].assign(value=long.loc[~follow, "value"].map(_scalar)), extra])
    long["metric"] = long["metric"].map(lambda m: _ACCOUNT_METRICS.get(m, m))
    wide = long.pivot_table(index="date", columns="metric", values="value", aggfunc="last")
    files = long.groupby("date")["_file"].last()
    wide = wide.reindex(columns=sorted(set(wide.columns)))
    frame = pd.DataFrame({"date": wide.index})
    for name in wide.columns:
        frame[name] = wide[name].to_numpy(dtype="float64")
    follows = frame["follows"] if "follows" in frame else pd.Series(np.nan, index=frame.index)
    if "new_followers" in frame:
        follows = follows.where(follows.notna(), frame["new_followers"])
    frame["follows"] = follows
    if "unfollows" not in frame:
        frame["unfollows"] = np.nan
    frame = frame.sort_values("date").reset_index(drop=True)
    try:
        followers, note = totals_for(frame[["date", "follows", "unfollows"]], ctx, "Instagram")
    except ImportFailedError:
        if frame["unfollows"].isna().all():
            raise ImportFailedError(
                "the Instagram insights give no unfollows (follows_and_unfollows with "
                "breakdown=follow_type), so the follower total of each day cannot be rebuilt; "
                "export that metric too, or " + TOTAL_HINT
            ) from None
        raise
    if note:
        out.notes.append(note)
    rows = pd.DataFrame(
        {
            "account_id": ctx.account_id,
            "date": frame["date"].dt.strftime("%Y-%m-%d"),
            "followers": followers,
            "follows": frame["follows"],
            "unfollows": frame["unfollows"],
            "reach": frame.get("reach"),
            "views": _views(frame, out, ("impressions",)),
            "profile_visits": frame.get("profile_visits"),
            "link_clicks": _either(frame, "link_clicks", "website_clicks")
            if "link_clicks" in frame or "website_clicks" in frame
            else None,
            "_file": files.reindex(frame["date"]).to_numpy(),
            "_line": None,
            "_where": "insights of " + frame["date"].dt.strftime("%Y-%m-%d"),
        }
    )
    out.updates.append(
        TableUpdate(
            "account_daily",
            rows.dropna(axis=1, how="all"),
            sources={
                "followers": "the rebuilt follower total",
                "follows": "follows_and_unfollows (FOLLOWER)",
                "unfollows": "follows_and_unfollows (NON_FOLLOWER)",
                "profile_visits": "profile_views",
                "link_clicks": "profile_links_taps",
            },
            hint=TOTAL_HINT,
        )
    )
