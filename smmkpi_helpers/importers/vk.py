"""VK (VKontakte) API responses: ``stats.get``, ``wall.get`` and ``stats.getPostReach``.

Field names are the VK API's (``vk.com/dev``; objects ``StatsPeriod``, ``StatsReach``,
``StatsActivity``, ``WallWallpostFull``, ``StatsWallpostStat``). A file holds one response as
VK returns it, ``{"response": ...}`` or the bare value; several files (pages) may be given.

* ``vk-stats`` -> ``account_daily``: ``activity.subscribed``/``unsubscribed`` -> follows and
  unfollows, ``reach.reach`` -> reach, ``visitors.views`` (views of the community page) ->
  profile_visits; the follower total is rebuilt from one known total (:mod:`.followers`).
  VK leaves zero counters out of a period object, so a counter missing from a period that the
  response reports for other periods counts as 0; a block (``activity``, ``reach``) missing
  from every period is not available.
* ``vk-wall`` -> ``posts``: likes, comments, reposts -> shares, ``views.count`` -> views,
  ``marked_as_ads`` -> is_promoted, the format from the attachments. VK gives no reach per post
  in ``wall.get`` and no saves.
* ``vk-post-reach`` -> the reach (``reach_total``) and link clicks (``links``) of posts already
  imported from the wall.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..errors import ImportFailedError
from .common import Converted, ImportContext, SourceFile, TableUpdate, make_id, unix_to_iso
from .detect import wrong_kind
from .followers import TOTAL_HINT, totals_for

__all__ = ["convert_post_reach", "convert_stats", "convert_wall", "vk_format"]

_DAY_SECONDS = 86_400


def _payload(file: SourceFile) -> Any:
    value = file.data
    if isinstance(value, dict) and isinstance(value.get("error"), dict):
        message = value["error"].get("error_msg", "")
        raise ImportFailedError(
            f"{file.name}: the file holds a VK API error ({message}), not data; call the "
            "method again and save the successful response"
        )
    if isinstance(value, dict) and "response" in value:
        value = value["response"]
    return value


def _items(file: SourceFile, expected: str) -> list:
    value = _payload(file)
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        value = value["items"]
    if not isinstance(value, list):
        raise wrong_kind(file, expected)
    return value


def _count(obj: Any, *path: str) -> float | None:
    for step in path:
        if not isinstance(obj, dict) or step not in obj:
            return None
        obj = obj[step]
    if isinstance(obj, bool) or obj is None:
        return None
    try:
        return float(obj)
    except (TypeError, ValueError):
        return None


# --------------------------------------------------------------------------- stats.get


def _stats_record(item: dict, groups: set[str]) -> dict:
    if "day" in item:  # the response of API versions before 5.86: flat counters per day
        return {
            "day": item.get("day"),
            "follows": _flat(item, "subscribed", "activity" in groups),
            "unfollows": _flat(item, "unsubscribed", "activity" in groups),
            "reach": _flat(item, "reach", "reach" in groups),
            "profile_visits": _flat(item, "views", "visitors" in groups),
        }
    return {
        "period_from": _count(item, "period_from"),
        "period_to": _count(item, "period_to"),
        "follows": _nested(item, "activity", "subscribed", groups),
        "unfollows": _nested(item, "activity", "unsubscribed", groups),
        "reach": _nested(item, "reach", "reach", groups),
        "profile_visits": _nested(item, "visitors", "views", groups),
    }


def _flat(item: dict, name: str, reported: bool) -> float | None:
    value = _count(item, name)
    return value if value is not None else (0.0 if reported else None)


def _nested(item: dict, block: str, name: str, groups: set[str]) -> float | None:
    if block not in groups:
        return None
    return _count(item, block, name) or 0.0


def _groups(items: list) -> set[str]:
    """Return the blocks the response reports (in any period)."""
    found: set[str] = set()
    for item in items:
        if not isinstance(item, dict):
            continue
        for block in ("activity", "reach", "visitors"):
            if isinstance(item.get(block), dict):
                found.add(block)
        if "subscribed" in item or "unsubscribed" in item:
            found.add("activity")
        if isinstance(item.get("reach"), (int, float)):
            found.add("reach")
        if "views" in item:
            found.add("visitors")
    return found


def _stats_frame(file: SourceFile, ctx: ImportContext) -> pd.DataFrame:
    items = _items(file, "a VK stats.get response")
    if items and not any(isinstance(i, dict) and ("period_from" in i or "day" in i) for i in items):
        raise wrong_kind(file, "a VK stats.get response")
    groups = _groups(items)
    records = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            continue
        record = _stats_record(item, groups)
        record.update(_file=file.name, _line=None, _where=f"period {number}")
        records.append(record)
    frame = pd.DataFrame.from_records(records)
    if not len(frame):
        return frame
    if "period_from" in frame:
        length = frame["period_to"] - frame["period_from"]
        if (length > _DAY_SECONDS + 3600).any():
            raise ImportFailedError(
                f"{file.name}: the periods are longer than a day; call stats.get with "
                "interval=day so that every period is one day"
            )
        middle = frame["period_from"] + length.fillna(0) / 2
        frame["date"] = unix_to_iso(middle, ctx.timezone).str.slice(0, 10)
    else:
        frame["date"] = frame["day"].astype(object)
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    return frame


def convert_stats(files: list[SourceFile], ctx: ImportContext) -> Converted:
    """Convert ``stats.get`` responses (``interval=day``) into ``account_daily`` rows.

    Parameters
    ----------
    files : list of SourceFile
        JSON responses.
    ctx : ImportContext
        The account; options ``followers`` and ``on`` (one known total).

    Returns
    -------
    Converted
        One ``account_daily`` update (upsert).
    """
    frames = [_stats_frame(f, ctx) for f in files]
    frame = (
        pd.concat([f for f in frames if len(f)], ignore_index=True)
        if any(len(f) for f in frames)
        else pd.DataFrame()
    )
    out = Converted()
    if not len(frame):
        out.notes.append("the responses hold no periods; nothing to import")
        return out
    frame = frame.dropna(subset=["date"]).drop_duplicates("date", keep="last")
    frame = frame.sort_values("date").reset_index(drop=True)
    followers, note = totals_for(frame, ctx, "VK stats.get")
    if note:
        out.notes.append(note)
    rows = pd.DataFrame(
        {
            "account_id": ctx.account_id,
            "date": frame["date"].dt.strftime("%Y-%m-%d"),
            "followers": followers,
            "follows": frame["follows"],
            "unfollows": frame["unfollows"],
            "reach": frame["reach"],
            "profile_visits": frame["profile_visits"],
            "_file": frame["_file"],
            "_line": None,
            "_where": frame["_where"] + " (" + frame["date"].dt.strftime("%Y-%m-%d") + ")",
        }
    )
    out.updates.append(
        TableUpdate(
            "account_daily",
            rows,
            sources={
                "follows": "activity.subscribed",
                "unfollows": "activity.unsubscribed",
                "reach": "reach.reach",
                "profile_visits": "visitors.views",
                "followers": "the rebuilt follower total",
            },
            hint=TOTAL_HINT,
        )
    )
    return out


# --------------------------------------------------------------------------- wall.get


def vk_format(attachments: Any, text: str = "") -> str:
    """Return the data model's post format for VK attachments.

    Examples
    --------
    >>> vk_format([{"type": "photo"}]), vk_format([{"type": "photo"}, {"type": "photo"}])
    ('photo', 'carousel')
    >>> vk_format([{"type": "video", "video": {"type": "short_video"}}]), vk_format([], "hi")
    ('short_video', 'text')
    """
    items = [a for a in attachments or [] if isinstance(a, dict)]
    types = [a.get("type") for a in items]
    if "poll" in types:
        return "poll"
    media = [a for a in items if a.get("type") in ("photo", "video", "clip")]
    if "clip" in types:
        return "short_video"
    videos = [a.get("video") or {} for a in items if a.get("type") == "video"]
    for video in videos:
        if video.get("type") == "short_video":
            return "short_video"
        if video.get("type") == "live" or video.get("live"):
            return "live"
    if len(media) > 1:
        return "carousel"
    if videos:
        return "video"
    if "photo" in types or "album" in types:
        return "photo"
    if set(types) <= {"link"}:
        return "text"
    return "other"


_SKIPPED_TYPES = ("postpone", "suggest")


def convert_wall(files: list[SourceFile], ctx: ImportContext) -> Converted:
    """Convert ``wall.get`` responses into ``posts`` rows (upsert).

    Reposts keep the format of the reposted post when they have no attachment of their own;
    postponed and suggested posts (not published) are left out.
    """
    out = Converted()
    records = []
    owners: set[int] = set()
    skipped = 0
    for file in files:
        items = _items(file, "a VK wall.get response")
        if items and not any(isinstance(i, dict) and "likes" in i and "date" in i for i in items):
            raise wrong_kind(file, "a VK wall.get response")
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                continue
            if item.get("post_type") in _SKIPPED_TYPES:
                skipped += 1
                continue
            owner = item.get("owner_id")
            if owner is not None:
                owners.add(owner)
            attachments = item.get("attachments")
            if not attachments and item.get("copy_history"):
                attachments = (item["copy_history"][0] or {}).get("attachments")
            text = item.get("text") or ""
            records.append(
                {
                    "post_id": make_id(item.get("id")),
                    "date": _count(item, "date"),
                    "format": vk_format(attachments, text),
                    "views": _count(item, "views", "count"),
                    "likes": _count(item, "likes", "count"),
                    "comments": _count(item, "comments", "count"),
                    "shares": _count(item, "reposts", "count"),
                    "is_promoted": _flag(item.get("marked_as_ads")),
                    "text": text or None,
                    "url": f"https://vk.com/wall{owner}_{item.get('id')}" if owner else None,
                    "_file": file.name,
                    "_line": None,
                    "_where": f"item {number} (post {item.get('id')})",
                }
            )
    if len(owners) > 1:
        raise ImportFailedError(
            "the files mix the walls of several communities (owner_id "
            + ", ".join(str(o) for o in sorted(owners))
            + "); import each community into its own account"
        )
    if skipped:
        out.notes.append(f"{skipped} postponed or suggested post(s) left out (not published)")
    if not records:
        out.notes.append("the responses hold no posts; nothing to import")
        return out
    frame = pd.DataFrame.from_records(records)
    rows = frame.drop(columns=["date"]).assign(
        account_id=ctx.account_id, published_at=unix_to_iso(frame["date"], ctx.timezone)
    )
    out.updates.append(
        TableUpdate(
            "posts",
            rows,
            sources={
                "post_id": "id",
                "published_at": "date",
                "views": "views.count",
                "likes": "likes.count",
                "comments": "comments.count",
                "shares": "reposts.count",
                "is_promoted": "marked_as_ads",
            },
        )
    )
    return out


def _flag(value: Any) -> bool | None:
    if value is None:
        return None
    return bool(value)


# --------------------------------------------------------------------------- stats.getPostReach


def convert_post_reach(files: list[SourceFile], ctx: ImportContext) -> Converted:
    """Convert ``stats.getPostReach`` responses into reach and link clicks of known posts.

    The rows only update posts already in the dataset (``vk-wall`` gives their publication
    time); ``to_group``, ``join_group`` and ``unsubscribe`` have no column in the data model.
    """
    out = Converted()
    records = []
    for file in files:
        items = _items(file, "a VK stats.getPostReach response")
        if items and not any(isinstance(i, dict) and "reach_total" in i for i in items):
            raise wrong_kind(file, "a VK stats.getPostReach response")
        for number, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                continue
            if "post_id" not in item:
                raise ImportFailedError(
                    f"{file.name}: item {number} has no post_id; call stats.getPostReach "
                    "with a current API version (v=5.131 or later), which names each post"
                )
            records.append(
                {
                    "post_id": make_id(item.get("post_id")),
                    "reach": _count(item, "reach_total"),
                    "link_clicks": _count(item, "links"),
                    "_file": file.name,
                    "_line": None,
                    "_where": f"item {number} (post {item.get('post_id')})",
                }
            )
    if not records:
        out.notes.append("the responses hold no posts; nothing to import")
        return out
    rows = pd.DataFrame.from_records(records).assign(account_id=ctx.account_id)
    out.updates.append(
        TableUpdate(
            "posts",
            rows,
            mode="update",
            sources={"post_id": "post_id", "reach": "reach_total", "link_clicks": "links"},
            hint="import the wall first (smmkpi import vk-wall), which gives its publication time",
        )
    )
    return out
