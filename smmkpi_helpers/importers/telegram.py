"""Telegram: channel statistics (MTProto ``stats.broadcastStats``) and Telegram Desktop's export.

``telegram-export`` reads ``result.json`` of *Export chat history* (JSON format) in Telegram
Desktop: each ``message`` (service messages are left out) becomes a post with its
``date_unixtime``, ``text`` (plain string or a list of text entities) and format (photo,
video, round video message -> short_video, poll, text; other files -> other); the sum of its
``reactions[].count`` becomes ``likes``. The export has no view or forward counts, and an
album is exported as one message per photo, so it counts as several posts.

``telegram-stats`` reads ``stats.broadcastStats`` saved as JSON (Telethon's ``to_json()``,
MadelineProto or Pyrogram dumps: dates as unix seconds or ISO text, ``"_"`` tags ignored):

* ``recent_posts_interactions`` (``msg_id``, ``views``, ``forwards``, ``reactions``; older
  layers: ``recent_message_interactions`` without reactions) update posts already imported:
  views stay views (Telegram counts views, not unique reach, so ``reach`` stays empty),
  forwards -> shares, reactions -> likes;
* the follower totals go to ``account_daily``: the daily ``growth_graph`` ("Total followers")
  and ``followers_graph`` ("Joined", "Left") when their JSON is in the file; otherwise
  ``followers.previous`` on the first day of ``period`` and ``followers.current`` on its last
  day. Telegram's graph days are UTC days, taken as the account's days.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ImportFailedError, UsageError
from .common import (
    Converted,
    ImportContext,
    SourceFile,
    TableUpdate,
    local_iso,
    make_id,
    unix_to_iso,
)
from .detect import wrong_kind
from .followers import Anchor, rebuild_followers

__all__ = ["convert_export", "convert_stats", "telegram_format"]

_EXPECTED_EXPORT = "a Telegram Desktop channel export (result.json)"
_EXPECTED_STATS = "Telegram channel statistics (stats.broadcastStats as JSON)"


# --------------------------------------------------------------------------- result.json


def _channel(file: SourceFile, chat: str | None) -> dict:
    root = file.data
    if not isinstance(root, dict):
        raise wrong_kind(file, _EXPECTED_EXPORT)
    if "messages" in root:
        if chat is not None and str(root.get("id")) != chat and root.get("name") != chat:
            raise UsageError(f"{file.name}: the export is of '{root.get('name')}', not of {chat}")
        if not str(root.get("type", "")).endswith("channel"):
            raise ImportFailedError(
                f"{file.name}: this is an export of a {root.get('type', 'chat')} "
                f"('{root.get('name')}'), not of a channel; export the channel's history"
            )
        return root
    chats = (root.get("chats") or {}).get("list") if isinstance(root.get("chats"), dict) else None
    if not isinstance(chats, list):
        raise wrong_kind(file, _EXPECTED_EXPORT)
    channels = [c for c in chats if str(c.get("type", "")).endswith("channel")]
    if chat is not None:
        channels = [c for c in channels if str(c.get("id")) == chat or c.get("name") == chat]
    if len(channels) != 1:
        names = ", ".join(f"{c.get('name')} (id {c.get('id')})" for c in channels) or "none"
        raise UsageError(
            f"{file.name} is a full account export; name the channel with --chat ID or NAME "
            f"(channels in it: {names})"
        )
    return channels[0]


def _plain_text(text: Any) -> str:
    if isinstance(text, str):
        return text
    if isinstance(text, list):
        return "".join(p if isinstance(p, str) else str(p.get("text", "")) for p in text)
    return ""


def telegram_format(message: dict) -> str:
    """Return the post format of a Telegram Desktop export message.

    Examples
    --------
    >>> telegram_format({"photo": "photos/1.jpg"}), telegram_format({"poll": {}})
    ('photo', 'poll')
    >>> telegram_format({"media_type": "video_message"}), telegram_format({"text": "hi"})
    ('short_video', 'text')
    """
    if "poll" in message:
        return "poll"
    if "photo" in message:
        return "photo"
    media = message.get("media_type")
    if media == "video_file":
        return "video"
    if media == "video_message":
        return "short_video"
    mime = str(message.get("mime_type") or "")
    if media is None and mime.startswith("image/"):
        return "photo"
    if media is None and mime.startswith("video/"):
        return "video"
    if media is not None or "file" in message:
        return "other"
    return "text"


def convert_export(files: list[SourceFile], ctx: ImportContext) -> Converted:
    """Convert Telegram Desktop channel exports into ``posts`` rows (upsert)."""
    out = Converted()
    records = []
    for file in files:
        channel = _channel(file, ctx.option("chat"))
        messages = [m for m in channel.get("messages") or [] if isinstance(m, dict)]
        with_reactions = any("reactions" in m for m in messages)
        for number, message in enumerate(messages, start=1):
            if message.get("type") != "message":
                continue
            reactions = message.get("reactions")
            likes = (
                float(sum(int(r.get("count", 0)) for r in reactions if isinstance(r, dict)))
                if isinstance(reactions, list)
                else (0.0 if with_reactions else None)
            )
            records.append(
                {
                    "post_id": make_id(message.get("id")),
                    "unix": message.get("date_unixtime"),
                    "wall": message.get("date"),
                    "format": telegram_format(message),
                    "likes": likes,
                    "views": message.get("views"),
                    "text": _plain_text(message.get("text")) or None,
                    "_file": file.name,
                    "_line": None,
                    "_where": f"message {number} (id {message.get('id')})",
                }
            )
    if not records:
        out.notes.append("the export holds no channel messages; nothing to import")
        return out
    frame = pd.DataFrame.from_records(records)
    published = unix_to_iso(frame["unix"], ctx.timezone)
    if published.isna().any():
        wall = pd.to_datetime(frame["wall"], format="ISO8601", errors="coerce")
        published = published.where(published.notna(), local_iso(wall, ctx.timezone))
        out.notes.append(
            "messages without date_unixtime were read in the account's time zone (the export's "
            "'date' is the exporting computer's wall clock)"
        )
    rows = frame.drop(columns=["unix", "wall"]).assign(
        account_id=ctx.account_id, published_at=published
    )
    if rows["views"].isna().all():
        rows = rows.drop(columns=["views"])
    out.updates.append(
        TableUpdate(
            "posts",
            rows,
            sources={"post_id": "id", "published_at": "date_unixtime", "likes": "reactions"},
        )
    )
    return out


# --------------------------------------------------------------------------- broadcastStats


def _instant(value: Any) -> pd.Timestamp | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return pd.Timestamp(int(value), unit="s", tz="UTC")
    try:
        stamp = pd.Timestamp(str(value))
    except ValueError:
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _graph(stats: dict, name: str) -> dict | None:
    """Return a statistics graph's chart data, or None when the file lacks it."""
    graph = stats.get(name)
    if not isinstance(graph, dict):
        return None
    data = graph.get("json", graph)
    if isinstance(data, dict) and "data" in data:
        data = data["data"]
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError:
            return None
    if not isinstance(data, dict) or not isinstance(data.get("columns"), list):
        return None
    return data


def _graph_series(data: dict) -> tuple[pd.DatetimeIndex, dict[str, pd.Series]]:
    columns = {c[0]: c[1:] for c in data["columns"] if isinstance(c, list) and c}
    days = pd.to_datetime(pd.Series(columns.get("x", []), dtype="float64"), unit="ms")
    index = pd.DatetimeIndex(days.dt.normalize())
    names = data.get("names") or {}
    lines = {
        str(names.get(key, key)).lower(): pd.Series(values, index=index, dtype="float64")
        for key, values in columns.items()
        if key != "x"
    }
    return index, lines


def _pick(lines: dict[str, pd.Series], *words: str, position: int) -> pd.Series | None:
    for name, series in lines.items():
        if any(word in name for word in words):
            return series
    values = list(lines.values())
    return values[position] if len(values) > position else None


def _daily_followers(stats: dict, file: SourceFile, ctx: ImportContext) -> tuple[pd.DataFrame, str]:
    period = stats.get("period") or {}
    start, end = _instant(period.get("min_date")), _instant(period.get("max_date"))
    followers = stats.get("followers") or {}
    current, previous = followers.get("current"), followers.get("previous")
    growth = _graph(stats, "growth_graph")
    joined_left = _graph(stats, "followers_graph")
    daily = pd.DataFrame(
        {
            "date": pd.Series(dtype="datetime64[ns]"),
            "follows": pd.Series(dtype="float64"),
            "unfollows": pd.Series(dtype="float64"),
        }
    )
    how = ""
    if joined_left is not None:
        _, lines = _graph_series(joined_left)
        joined = _pick(lines, "join", position=0)
        left = _pick(lines, "left", "leave", position=1)
        if joined is not None:
            daily = pd.DataFrame(
                {
                    "date": joined.index,
                    "follows": joined.to_numpy(),
                    "unfollows": left.to_numpy() if left is not None else np.nan,
                }
            )
    if growth is not None:
        _, lines = _graph_series(growth)
        total = _pick(lines, "total", "followers", position=0)
        if total is not None:
            frame = pd.DataFrame({"date": total.index, "followers": total.to_numpy()})
            daily = frame.merge(daily, how="outer", on="date")
            how = "the daily growth graph"
    elif len(daily) and current is not None and end is not None:
        daily = daily.drop_duplicates("date", keep="last").sort_values("date")
        last_day = pd.Timestamp(end.tz_convert(ctx.timezone).date())
        anchor_day = min(last_day, daily["date"].max())
        anchor = Anchor(anchor_day, float(current), "followers.current")
        daily = daily.reset_index(drop=True)
        daily["followers"] = rebuild_followers(daily, anchor)
        how = "the joined/left graph and followers.current"
    if not how and current is not None and start is not None and end is not None:
        rows = [(start, previous), (end, current)]
        daily = pd.DataFrame(
            {
                "date": [pd.Timestamp(t.tz_convert(ctx.timezone).date()) for t, _ in rows],
                "followers": [np.nan if v is None else float(v) for _, v in rows],
            }
        ).dropna(subset=["followers"])
        how = "followers.previous (first day of the period) and followers.current (last day)"
    daily = daily.drop_duplicates("date", keep="last").sort_values("date").reset_index(drop=True)
    daily["_file"] = file.name
    daily["_line"] = None
    daily["_where"] = "followers on " + daily["date"].dt.strftime("%Y-%m-%d")
    return daily, how


def convert_stats(files: list[SourceFile], ctx: ImportContext) -> Converted:
    """Convert ``stats.broadcastStats`` JSON into follower totals and per-post counters.

    Returns
    -------
    Converted
        An ``account_daily`` upsert (followers, and follows/unfollows from the graph when
        present) and a ``posts`` update of the recent posts' views, forwards and reactions.
    """
    out = Converted()
    for file in files:
        stats = file.data
        if not isinstance(stats, dict) or "followers" not in stats:
            if isinstance(stats, dict) and "members" in stats:
                raise ImportFailedError(
                    f"{file.name}: these are the statistics of a group (stats.megagroupStats), "
                    "not of a channel"
                )
            raise wrong_kind(file, _EXPECTED_STATS)
        daily, how = _daily_followers(stats, file, ctx)
        if len(daily):
            out.notes.append(f"{file.name}: follower totals from {how}")
            daily["date"] = daily["date"].dt.strftime("%Y-%m-%d")
            out.updates.append(
                TableUpdate(
                    "account_daily",
                    daily.assign(account_id=ctx.account_id),
                    sources={"followers": "followers", "follows": "Joined", "unfollows": "Left"},
                )
            )
        counters = stats.get("recent_posts_interactions")
        if counters is None:
            counters = stats.get("recent_message_interactions") or []
        records = []
        for number, item in enumerate(counters, start=1):
            if not isinstance(item, dict) or "msg_id" not in item:
                continue  # stories have story_id: not posts of the channel's feed
            records.append(
                {
                    "post_id": make_id(item.get("msg_id")),
                    "views": item.get("views"),
                    "shares": item.get("forwards"),
                    "likes": item.get("reactions"),
                    "_file": file.name,
                    "_line": None,
                    "_where": f"recent post {number} (msg_id {item.get('msg_id')})",
                }
            )
        if records:
            rows = pd.DataFrame.from_records(records).assign(account_id=ctx.account_id)
            out.updates.append(
                TableUpdate(
                    "posts",
                    rows,
                    mode="update",
                    sources={"views": "views", "shares": "forwards", "likes": "reactions"},
                    hint="import the channel's messages first (smmkpi import telegram-export), "
                    "which gives each post's publication time",
                )
            )
    return out
