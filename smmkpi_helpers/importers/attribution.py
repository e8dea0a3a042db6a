"""Which social account a site visit came from, and which goal kind a web-analytics goal is.

A **mapping file** (``--map FILE``, CSV) lists rules, one per row: the column ``account_id`` and
one or more conditions among ``utm_source``, ``utm_medium``, ``utm_campaign``, ``utm_content``,
``utm_term``, ``social_network`` (Metrica's id, e.g. ``vkontakte``), ``social_profile`` (the
community or page Metrica names, e.g. ``https://vk.com/acme``) and ``messenger`` (Metrica's
``telegram``, ...). A visit matches a rule when every non-empty condition of the row matches
(case-insensitive; ``*`` matches any text); the first matching row wins. For GA4 the UTM
conditions read ``sessionSource``, ``sessionMedium``, ``sessionCampaignName`` and
``sessionManualAdContent``.

Without a mapping, ``--account`` gives a default rule from the account's platform: Metrica's
social network id (``vkontakte``, ``instagram``, ``facebook``, ``odnoklassniki``, ...;
Telegram as a messenger) or a UTM source / GA4 session source naming the platform (``vk``,
``vk.com``, ``t.me``, ``instagram.com``, ...). With two accounts on one platform, use a mapping.

A **goal mapping** (``--goal ID=KIND``, repeated, or ``--goals FILE`` with columns ``goal_id``
and ``goal``) gives each Metrica goal id or GA4 key event name one of the data model's goal
kinds (contact_form, call, direct_message, consultation, file_download, sample_order,
page_view, purchase, other). Goals without a kind are left out, and the summary names them.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import UsageError
from ..readers import read_table_file
from ..schema import GOALS
from .common import ImportContext, local_iso, make_id, norm_header, text_cells

__all__ = [
    "RULE_FIELDS",
    "Rule",
    "attribute",
    "default_rules",
    "expand_goal_counts",
    "load_goals",
    "load_rules",
    "parse_goal_pairs",
    "rules_for",
    "unmatched_note",
]

#: The conditions a mapping rule may hold.
RULE_FIELDS = (
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "social_network",
    "social_profile",
    "messenger",
)

_SOCIAL_IDS = {
    "vk": ("vkontakte",),
    "ok": ("odnoklassniki",),
    "facebook": ("facebook",),
    "instagram": ("instagram",),
    "x": ("twitter",),
    "youtube": ("youtube",),
    "tiktok": ("tiktok",),
    "telegram": ("telegram",),
    "dzen": ("dzen", "zen"),
}
_SOURCE_NAMES = {
    "vk": ("vk", "vk.com", "m.vk.com", "away.vk.com", "vkontakte"),
    "ok": ("ok", "ok.ru", "odnoklassniki"),
    "facebook": ("facebook", "fb", "facebook.com", "m.facebook.com", "l.facebook.com"),
    "instagram": ("instagram", "ig", "instagram.com", "l.instagram.com"),
    "telegram": ("telegram", "tg", "t.me", "web.telegram.org", "org.telegram.messenger"),
    "youtube": ("youtube", "youtube.com", "m.youtube.com"),
    "tiktok": ("tiktok", "tiktok.com"),
    "x": ("twitter", "x.com", "t.co", "twitter.com"),
    "dzen": ("dzen", "dzen.ru", "zen.yandex.ru"),
}


@dataclass(frozen=True)
class Rule:
    """One attribution rule: visits matching every condition come from ``account_id``."""

    account_id: str
    conditions: tuple[tuple[str, str], ...]
    line: int | None = None

    def describe(self) -> str:
        """Return the rule in words, e.g. ``utm_source=vk -> vk_acme``."""
        parts = " & ".join(f"{field}={pattern}" for field, pattern in self.conditions)
        return f"{parts} -> {self.account_id}"


def load_rules(path: str | Path, accounts: set[str]) -> list[Rule]:
    """Read a mapping file (see the module docstring) and check its account ids.

    Raises
    ------
    UsageError
        When the file is missing, has no ``account_id`` column or no condition column, names
        an account the dataset lacks, or has a row without any condition.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--map: no file '{path}'")
    raw = read_table_file(path, "mapping", ["account_id", *RULE_FIELDS])
    columns = {norm_header(c).replace(" ", "_"): c for c in raw.frame.columns}
    if "account_id" not in columns:
        raise UsageError(
            f"{path.name}: a mapping needs the column account_id and one or more of "
            + ", ".join(RULE_FIELDS)
        )
    fields = [f for f in RULE_FIELDS if f in columns]
    unknown = [c for c in columns if c not in RULE_FIELDS and c != "account_id"]
    if not fields or unknown:
        raise UsageError(
            f"{path.name}: mapping columns must be account_id and some of "
            + ", ".join(RULE_FIELDS)
            + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )
    rules = []
    for position, (_, row) in enumerate(raw.frame.iterrows()):  # a mapping has a few rows
        line = raw.line_of(position)
        account = row[columns["account_id"]]
        if pd.isna(account):
            raise UsageError(f"{path.name}, line {line}: account_id is empty")
        if str(account) not in accounts:
            raise UsageError(
                f"{path.name}, line {line}: account '{account}' is not in the dataset's "
                "accounts table"
            )
        conditions = tuple((f, str(row[columns[f]])) for f in fields if pd.notna(row[columns[f]]))
        if not conditions:
            raise UsageError(f"{path.name}, line {line}: the rule has no condition")
        rules.append(Rule(str(account), conditions, line))
    return rules


def default_rules(account_id: str, platform: str) -> list[Rule]:
    """Return the rules that attribute a platform's traffic to ``account_id``.

    Raises
    ------
    UsageError
        When the platform has no known traffic signature (``other``): a mapping is needed.
    """
    ids = _SOCIAL_IDS.get(platform, ())
    names = _SOURCE_NAMES.get(platform, ())
    if not ids and not names:
        raise UsageError(
            f"the account's platform '{platform}' has no known traffic source names; give "
            "a mapping with --map FILE (see docs/importers.md)"
        )
    rules = [Rule(account_id, (("social_network", i),)) for i in ids]
    if platform == "telegram":
        rules.append(Rule(account_id, (("messenger", "telegram"),)))
    rules += [Rule(account_id, (("utm_source", n),)) for n in names]
    return rules


def rules_for(ctx: ImportContext) -> list[Rule]:
    """Return the mapping's rules (``--map``), or the account's platform rules without one.

    Raises
    ------
    UsageError
        When there is neither a mapping nor an account.
    """
    rules = ctx.option("rules")
    if rules:
        return list(rules)
    if ctx.account is None:
        raise UsageError("give --account ID or a mapping with --map FILE")
    return default_rules(ctx.account_id, str(ctx.account["platform"]))


def unmatched_note(matched: pd.Series, rules: list[Rule], what: str) -> str | None:
    """Return a note when no row was attributed to an account (None when some were)."""
    if len(matched) == 0 or matched.notna().any():
        return None
    shown = "; ".join(rule.describe() for rule in rules[:4]) + ("; ..." if len(rules) > 4 else "")
    return f"no {what} matched the attribution rules ({shown}); check the mapping (--map)"


def _matches(text: pd.Series, pattern: str) -> pd.Series:
    """Return where lower-cased ``text`` matches ``pattern`` (``*`` and ``?`` as wildcards)."""
    pattern = pattern.strip().lower()
    if "*" in pattern or "?" in pattern:
        return text.str.match(fnmatch.translate(pattern))
    return text == pattern


def attribute(fields: pd.DataFrame, rules: list[Rule]) -> pd.Series:
    """Return the account of each visit (None when no rule matches).

    Parameters
    ----------
    fields : DataFrame
        One row per visit (or report row), columns named as :data:`RULE_FIELDS` (missing
        columns never match).
    rules : list of Rule
        Tried in order; the first match wins.

    Examples
    --------
    >>> visits = pd.DataFrame({"utm_source": ["vk", "google", "VK"]})
    >>> attribute(visits, [Rule("vk_a", (("utm_source", "vk"),))]).tolist()
    ['vk_a', None, 'vk_a']
    """
    out = pd.Series([None] * len(fields), index=fields.index, dtype=object)
    open_rows = pd.Series(True, index=fields.index)
    lowered = {
        name: text_cells(fields[name]).fillna("").astype("str").str.lower()
        for name in fields.columns
    }
    for rule in rules:
        hit = open_rows.copy()
        for field, pattern in rule.conditions:
            if field not in fields:
                hit &= False
                break
            hit &= _matches(lowered[field], pattern).to_numpy(dtype=bool)
        if hit.any():
            out[hit] = rule.account_id
            open_rows &= ~hit
    return out


def parse_goal_pairs(pairs: list[str] | None) -> dict[str, str]:
    """Parse ``ID=KIND`` pairs into ``{id: kind}`` (kinds as in the data model).

    Raises
    ------
    UsageError
        When a pair has no ``=`` or its kind is not a goal of the data model.
    """
    goals: dict[str, str] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise UsageError(f"--goal {pair!r}: expected ID=KIND, e.g. 123456=contact_form")
        key, kind = (part.strip() for part in pair.rsplit("=", 1))
        _check_kind(kind, f"--goal {pair}")
        goals[key] = kind.lower()
    return goals


def _check_kind(kind: str, where: str) -> None:
    if kind.lower() not in GOALS:
        raise UsageError(
            f"{where}: '{kind}' is not a goal kind; expected one of {', '.join(GOALS)}"
        )


def load_goals(path: str | Path) -> dict[str, str]:
    """Read a goal mapping file with the columns ``goal_id`` and ``goal``."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"--goals: no file '{path}'")
    raw = read_table_file(path, "goals", ["goal_id", "goal"])
    columns = {norm_header(c).replace(" ", "_"): c for c in raw.frame.columns}
    if "goal_id" not in columns or "goal" not in columns:
        raise UsageError(f"{path.name}: a goal mapping needs the columns goal_id and goal")
    goals = {}
    for position, (_, row) in enumerate(raw.frame.iterrows()):  # a few rows
        key, kind = row[columns["goal_id"]], row[columns["goal"]]
        if pd.isna(key) or pd.isna(kind):
            continue
        _check_kind(str(kind), f"{path.name}, line {raw.line_of(position)}")
        goals[str(key)] = str(kind).lower()
    return goals


def expand_goal_counts(counts: pd.DataFrame, prefix: str, timezone: str) -> pd.DataFrame:
    """Return one ``conversions`` row per goal reach counted in an aggregate report.

    Aggregate exports (Metrica reports, GA4) give how many times a goal was reached on a day,
    not each reach. The data model's ``conversions`` holds one row per reach, so a count ``n``
    becomes ``n`` rows at the start of that local day (the time of day is not known; every KPI
    places a conversion by its day only), with ids ``<prefix>-<account>-<yyyymmdd>-<goal>-<k>``
    that stay the same when the same report is imported again.

    Parameters
    ----------
    counts : DataFrame
        ``account_id``, ``date`` (datetime64), ``goal_key`` (the goal id or event name),
        ``goal`` (the kind), ``count`` (float), plus provenance columns.
    prefix : str
        ``ymr`` or ``ga4``.
    timezone : str
        The time zone the report's days are in.
    """
    counts = counts[counts["count"].fillna(0) > 0]
    if not len(counts):
        return pd.DataFrame(columns=["conversion_id", "occurred_at", "goal", "account_id"])
    repeats = counts["count"].round().astype(int).to_numpy()
    rows = counts.loc[counts.index.repeat(repeats)].reset_index(drop=True)
    number = rows.groupby(["account_id", "date", "goal_key"]).cumcount() + 1
    stem = (
        prefix
        + "-"
        + rows["account_id"].astype(str)
        + "-"
        + rows["date"].dt.strftime("%Y%m%d")
        + "-"
        + rows["goal_key"].astype(str)
        + "-"
        + number.astype(str)
    )
    return pd.DataFrame(
        {
            "conversion_id": stem.map(make_id),
            "occurred_at": local_iso(rows["date"], timezone),
            "goal": rows["goal"],
            "account_id": rows["account_id"],
            **{c: rows[c] for c in rows.columns if c.startswith("_")},
        }
    )
