"""The canonical tables of the data model, as data.

This module is ``../shared/spec/data-model.md`` written as code, and the only place that spells
out a table's columns. The loader, the validator's messages, ``smmkpi init``, the importers
and the docs all read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = [
    "BUSINESS_GOALS",
    "CHANNELS",
    "GOALS",
    "ID_PATTERN",
    "KIND_EXPECTED",
    "LEAD_GOALS",
    "PLATFORMS",
    "POST_FORMATS",
    "REQUIRED_TABLES",
    "SENDERS",
    "SENTIMENTS",
    "TABLES",
    "TABLE_ORDER",
    "Column",
    "Table",
    "is_valid_id",
    "table",
]

PLATFORMS = (
    "vk",
    "telegram",
    "instagram",
    "facebook",
    "ok",
    "youtube",
    "tiktok",
    "x",
    "dzen",
    "other",
)
BUSINESS_GOALS = ("sales", "leads", "awareness", "community", "education", "entertainment")
POST_FORMATS = (
    "text",
    "photo",
    "video",
    "short_video",
    "carousel",
    "story",
    "live",
    "poll",
    "other",
)
SENDERS = ("user", "staff", "bot")
CHANNELS = ("comment", "direct")
GOALS = (
    "contact_form",
    "call",
    "direct_message",
    "consultation",
    "file_download",
    "sample_order",
    "page_view",
    "purchase",
    "other",
)
#: Goals that count as a lead (kpi-catalog.md, ``leads``).
LEAD_GOALS = ("contact_form", "call", "direct_message", "consultation", "sample_order")
SENTIMENTS = ("positive", "neutral", "negative")

#: The id rule: 1-64 characters of A-Z a-z 0-9 _ . -, starting with a letter or digit, no "..".
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")

#: What each column kind expects, in the words the validator prints.
KIND_EXPECTED = {
    "id": "an id: 1-64 characters of letters, digits, '_', '.', '-', starting with a letter "
    "or digit, without '..'",
    "text": "text",
    "enum": "one of the listed values",
    "date": "a date YYYY-MM-DD",
    "timestamp": "an ISO 8601 timestamp such as 2026-10-01T14:30:00+03:00 or 2026-10-01 14:30",
    "count": "a count (a whole number >= 0)",
    "money": "an amount >= 0 (decimal point or comma)",
    "number": "a number",
    "nonneg_number": "a number >= 0",
    "bool": "true/false, 1/0 or yes/no",
    "timezone": "an IANA time zone such as Europe/Moscow or UTC",
    "work_hours": "local working hours HH:MM-HH:MM, such as 09:00-18:00",
    "work_days": "working days such as mon-fri or mon,wed,fri",
    "period": "a period label such as 2026-10, 2026-Q3, 2026-W40, 2026 or 2026-09-01..2026-09-30",
    "kpi": "a KPI id from the KPI catalog",
}


def is_valid_id(value: object) -> bool:
    """Return whether ``value`` is a valid id under the data model's id rule.

    Examples
    --------
    >>> is_valid_id("vk_acme"), is_valid_id("007"), is_valid_id("a..b"), is_valid_id("-x")
    (True, True, False, False)
    """
    return isinstance(value, str) and bool(ID_PATTERN.match(value)) and ".." not in value


@dataclass(frozen=True)
class Column:
    """One column of a canonical table.

    Attributes
    ----------
    name : str
        Column name.
    kind : str
        One of the keys of :data:`KIND_EXPECTED`.
    required : bool
        The column must be present and every cell filled (``*`` in the data model).
    choices : tuple of str
        Allowed values for ``kind="enum"``.
    refs : str or None
        ``"table.column"`` this column's values must resolve to.
    default : str or None
        Value used for an empty cell (e.g. ``UTC`` for ``accounts.timezone``).
    personal : bool
        The column may hold personal data: never shown in shared reports.
    doc : str
        One line for the docs and ``smmkpi init``.
    """

    name: str
    kind: str
    required: bool = False
    choices: tuple[str, ...] = ()
    refs: str | None = None
    default: str | None = None
    personal: bool = False
    doc: str = ""

    @property
    def expected(self) -> str:
        """Return what a value of this column must look like, in plain words."""
        if self.kind == "enum":
            return "one of " + ", ".join(self.choices)
        return KIND_EXPECTED[self.kind]


@dataclass(frozen=True)
class Table:
    """One canonical table: its columns, key and grain."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    required: bool = False
    grain: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        """Return the declared column names in order."""
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        """Return the names of the required columns."""
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def timestamp_columns(self) -> list[str]:
        """Return the names of the timestamp columns."""
        return [c.name for c in self.columns if c.kind == "timestamp"]


def _c(name: str, kind: str, required: bool = False, **kw) -> Column:
    return Column(name, kind, required, **kw)


_TABLE_LIST = [
    Table(
        "specialists",
        (
            _c("specialist_id", "id", True, doc="specialist id, e.g. anna"),
            _c("name", "text", True, doc="display name"),
            _c("email", "text", personal=True, doc="personal data: never printed in reports"),
        ),
        key=("specialist_id",),
        required=True,
        grain="one specialist",
    ),
    Table(
        "accounts",
        (
            _c("account_id", "id", True, doc="social account id, e.g. vk_acme"),
            _c("platform", "enum", True, choices=PLATFORMS),
            _c("name", "text", True),
            _c("brand", "text", True, doc="the brand it speaks for; mentions match it exactly"),
            _c("business_goal", "enum", True, choices=BUSINESS_GOALS),
            _c("timezone", "timezone", default="UTC"),
            _c("currency", "text", default="RUB", doc="ISO 4217"),
            _c("work_hours", "work_hours", default="09:00-18:00"),
            _c("work_days", "work_days", default="mon-fri"),
        ),
        key=("account_id",),
        required=True,
        grain="one social account (community, channel, page)",
    ),
    Table(
        "assignments",
        (
            _c("specialist_id", "id", True, refs="specialists.specialist_id"),
            _c("account_id", "id", True, refs="accounts.account_id"),
            _c("start_date", "date", True),
            _c("end_date", "date", doc="inclusive; empty = still running"),
        ),
        required=True,
        grain="who ran which account when",
    ),
    Table(
        "account_daily",
        (
            _c("account_id", "id", True, refs="accounts.account_id"),
            _c("date", "date", True),
            _c("followers", "count", True, doc="count at the end of the day"),
            _c("follows", "count"),
            _c("unfollows", "count"),
            _c("reach", "count", doc="unique people reached that day"),
            _c("views", "count", doc="impressions/views that day"),
            _c("profile_visits", "count"),
            _c("link_clicks", "count"),
        ),
        key=("account_id", "date"),
        required=True,
        grain="account x day",
    ),
    Table(
        "posts",
        (
            _c("post_id", "id", True),
            _c("account_id", "id", True, refs="accounts.account_id"),
            _c("published_at", "timestamp", True),
            _c("format", "enum", True, choices=POST_FORMATS),
            _c("reach", "count"),
            _c("views", "count"),
            _c("likes", "count"),
            _c("comments", "count"),
            _c("shares", "count"),
            _c("saves", "count"),
            _c("link_clicks", "count"),
            _c("is_promoted", "bool"),
            _c("topic", "text"),
            _c("text", "text", personal=True),
            _c("url", "text"),
        ),
        key=("account_id", "post_id"),
        required=True,
        grain="one publication (lifetime counts)",
    ),
    Table(
        "content_plan",
        (
            _c("account_id", "id", True, refs="accounts.account_id"),
            _c("planned_date", "date", True),
            _c("format", "enum", choices=POST_FORMATS),
            _c("topic", "text"),
        ),
        grain="one planned publication",
    ),
    Table(
        "messages",
        (
            _c("message_id", "id", True),
            _c("account_id", "id", True, refs="accounts.account_id"),
            _c("thread_id", "id", True),
            _c("sent_at", "timestamp", True),
            _c("sender", "enum", True, choices=SENDERS),
            _c("channel", "enum", choices=CHANNELS),
            _c("text", "text", personal=True),
            _c("redirect", "bool", doc="staff answer sent the person elsewhere"),
        ),
        key=("account_id", "message_id"),
        grain="one message in a conversation with the audience",
    ),
    Table(
        "web_sessions",
        (
            _c("session_id", "id", True),
            _c("started_at", "timestamp", True),
            _c("account_id", "id", refs="accounts.account_id"),
            _c("post_id", "id"),
            _c("source", "text"),
            _c("medium", "text"),
            _c("campaign", "text"),
            _c("duration_s", "nonneg_number", True),
            _c("pageviews", "count", True),
            _c("bounce", "bool"),
            _c("robot", "bool"),
        ),
        key=("session_id",),
        grain="one visit to the brand's site",
    ),
    Table(
        "web_daily",
        (
            _c("account_id", "id", True, refs="accounts.account_id"),
            _c("date", "date", True),
            _c("sessions", "count", True),
            _c("robot_sessions", "count"),
            _c("bounces", "count"),
            _c("duration_s", "nonneg_number", doc="total seconds"),
            _c("pageviews", "count"),
        ),
        key=("account_id", "date"),
        grain="account x day aggregates; read only when web_sessions is absent",
    ),
    Table(
        "conversions",
        (
            _c("conversion_id", "id", True),
            _c("occurred_at", "timestamp", True),
            _c("goal", "enum", True, choices=GOALS),
            _c("account_id", "id", refs="accounts.account_id"),
            _c("session_id", "id"),
            _c("value", "money"),
        ),
        key=("conversion_id",),
        grain="one goal reached",
    ),
    Table(
        "mentions",
        (
            _c("mention_id", "id", True),
            _c("published_at", "timestamp", True),
            _c("brand", "text", True),
            _c("source", "text"),
            _c("author", "text", personal=True),
            _c("author_audience", "count"),
            _c("sentiment", "enum", choices=SENTIMENTS),
            _c("own", "bool", doc="published by the brand's own account"),
            _c("text", "text", personal=True),
            _c("url", "text"),
        ),
        key=("mention_id",),
        grain="one mention of a brand anywhere",
    ),
    Table(
        "ad_spend",
        (
            _c("account_id", "id", True, refs="accounts.account_id"),
            _c("date", "date", True),
            _c("spend", "money", True),
            _c("campaign", "text"),
            _c("impressions", "count"),
            _c("clicks", "count"),
        ),
        grain="account x day x campaign",
    ),
    Table(
        "targets",
        (
            _c("specialist_id", "id", True, refs="specialists.specialist_id"),
            _c("period", "period", True),
            _c("kpi", "kpi", True),
            _c("target", "number", True),
            _c("weight", "nonneg_number", doc="overrides the profile's weight"),
        ),
        key=("specialist_id", "period", "kpi"),
        grain="the plan a specialist is judged against",
    ),
]

#: Canonical tables by name.
TABLES: dict[str, Table] = {t.name: t for t in _TABLE_LIST}
#: Table names in load order (referenced tables first).
TABLE_ORDER: tuple[str, ...] = tuple(t.name for t in _TABLE_LIST)
REQUIRED_TABLES: tuple[str, ...] = tuple(t.name for t in _TABLE_LIST if t.required)


def table(name: str) -> Table:
    """Return the canonical table called ``name``.

    Raises
    ------
    KeyError
        When no table has that name.
    """
    return TABLES[name]
