"""Say what an export file looks like, so a file given to the wrong importer gets a useful message.

>>> describe_json({"response": {"count": 1, "items": [{"id": 1, "date": 0, "likes": {}}]}})
'a VK wall.get response (import it with: smmkpi import vk-wall)'
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..errors import ImportFailedError
from .common import SourceFile, norm_header

__all__ = ["describe_file", "describe_json", "describe_table", "wrong_kind"]


def _unwrap(value: Any) -> Any:
    if isinstance(value, dict) and "response" in value:
        value = value["response"]
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        value = value["items"]
    return value


def _first_dict(value: Any) -> dict:
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                return item
        return {}
    return value if isinstance(value, dict) else {}


def _hint(what: str, source: str) -> str:
    return f"{what} (import it with: smmkpi import {source})"


def describe_json(value: Any) -> str | None:
    """Return what a parsed JSON export looks like, naming the importer that takes it."""
    if isinstance(value, dict) and "error" in value and isinstance(value["error"], dict):
        message = value["error"].get("error_msg") or value["error"].get("message") or ""
        return f"an API error response ({message})" if message else "an API error response"
    if isinstance(value, dict):
        if "messages" in value and value.get("type", "").endswith("channel"):
            return _hint("a Telegram Desktop channel export (result.json)", "telegram-export")
        if "messages" in value:
            return "a Telegram Desktop export of a chat or group, not of a channel"
        if "chats" in value and "personal_information" in value:
            return _hint("a full Telegram Desktop account export", "telegram-export --chat ID")
        if "followers" in value and ("views_per_post" in value or "period" in value):
            return _hint("Telegram channel statistics (stats.broadcastStats)", "telegram-stats")
        if "members" in value and "period" in value:
            return "Telegram group statistics (stats.megagroupStats), not a channel's"
        if "dimensionHeaders" in value or "metricHeaders" in value or "reports" in value:
            return _hint("a Google Analytics 4 runReport response", "ga4")
        if "query" in value and "data" in value and "totals" in value:
            return _hint("a Yandex Metrica Reporting API response", "metrica-report")
    items = _unwrap(value)
    first = _first_dict(items)
    if "period_from" in first or ("day" in first and "reach_subscribers" in first):
        return _hint("a VK stats.get response", "vk-stats")
    if "reach_total" in first:
        return _hint("a VK stats.getPostReach response", "vk-post-reach")
    if "likes" in first and "date" in first and ("owner_id" in first or "id" in first):
        return _hint("a VK wall.get response", "vk-wall")
    data = value.get("data") if isinstance(value, dict) else None
    element = _first_dict(data) if data is not None else {}
    if (
        "timestamp" in element
        or "media_type" in element
        or ("name" in element and ("values" in element or "total_value" in element))
    ):
        return _hint("an Instagram Graph API response", "instagram")
    return None


_TABLE_SIGNS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("ym:s:visitid",), "a Yandex Metrica Logs API visits file", "metrica-logs"),
    (("ym:s:visits",), "a Yandex Metrica Reporting API table", "metrica-report"),
    (("визиты",), "a Yandex Metrica report", "metrica-report"),
    (("lifetime post total reach",), "a Facebook page post export", "facebook-posts"),
    (("sessions",), "a Google Analytics 4 export", "ga4"),
    (("sessionsource",), "a Google Analytics 4 export", "ga4"),
)


def describe_table(columns: Iterable[object]) -> str | None:
    """Return what a table export looks like from its header, naming the importer."""
    names = {norm_header(c).replace(" ", "") for c in columns}
    spaced = {norm_header(c) for c in columns}
    for signs, what, source in _TABLE_SIGNS:
        if all(s in names or s in spaced for s in signs):
            return _hint(what, source)
    for table_name in ("posts", "account_daily", "mentions", "web_sessions", "web_daily"):
        from ..schema import TABLES

        required = {c.lower() for c in TABLES[table_name].required_columns}
        if required <= {norm_header(c).replace(" ", "_") for c in columns}:
            return (
                f"a table already in the data model's '{table_name}' form: copy it into the "
                f"dataset as {table_name}.csv instead of importing it"
            )
    return None


def describe_file(file: SourceFile) -> str | None:
    """Return what an export file looks like (JSON or table)."""
    if file.kind == "json":
        return describe_json(file.data)
    return describe_table(file.table.frame.columns)


def wrong_kind(file: SourceFile, expected: str) -> ImportFailedError:
    """Return the error for a file that is not ``expected``, saying what it looks like."""
    what = describe_file(file)
    if what is None and file.kind == "table":
        header = ", ".join(str(c) for c in list(file.table.frame.columns)[:8]) or "(no header)"
        what = f"a table with the columns {header}"
    elif what is None:
        keys = list(file.data)[:8] if isinstance(file.data, dict) else []
        what = (
            f"a JSON object with the keys {', '.join(map(str, keys))}"
            if keys
            else "JSON of another shape"
        )
    return ImportFailedError(f"{file.name}: this is not {expected}; it looks like {what}")
