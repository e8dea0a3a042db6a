"""The seeded sample dataset: realistic SMM data with planted incidents of gamed metrics.

:func:`generate_sample` builds the tables of the data model from one seed and returns them with
the ground truth of the planted incidents; :func:`write_sample` writes them into a dataset folder
atomically, with the ground truth beside it as ``<folder>-ground-truth.json``. The default
arguments regenerate the bundled ``data/sample`` byte for byte. ``docs/sample-data.md``
describes what the sample holds.

How the data is made
--------------------
* **Layout.** Specialists (``anna``, ``boris``, ``vera``, ``gleb``, then ``spec_e`` ...), about
  two accounts each, one account handed over on 2026-10-16 and one shared by two specialists.
  Every specialist has a *role* (:data:`_ROLES`): multipliers for content quality, posting
  cadence, plan discipline, reply speed, redirects, traffic and conversion. An account-day takes
  the role of whoever runs it that day (the mean of the roles when two share it).
* **Honest data.** Plan slots and posts follow the role's cadence and a weekday pattern; a post's
  reach is a share of the followers; daily reach is the base reach of the followers plus the day's
  posts and ads (weekday and seasonal cycles); follows follow reach, unfollows follow followers,
  and ``followers[t] = followers[t-1] + follows[t] - unfollows[t]`` exactly. Link clicks become
  web sessions, sessions become conversions, reach drives messages and mentions.
* **Incidents** (``incidents=True``) are added on top of the honest data by the one specialist
  who games metrics, on accounts only they run: bought followers (a spike of follows without
  reach, then a wave of unfollows), bought likes on a few posts, and robot traffic. They draw
  from their own random stream, so the honest data is the same with and without them.

Randomness comes from ``numpy.random.SeedSequence(seed).spawn``: one independent stream per
part (layout, ads, posts, daily, messages, web, mentions, incidents). No wall-clock time is
read: the same arguments give the same bytes.

Timestamps are written as ISO 8601 text with the offset of the account's time zone (mentions:
Moscow time, as Brand Analytics exports them); a few are naive (wall-clock time, which the data
model reads in the account's time zone). ``web_daily`` is left out: the data model reads it only
when ``web_sessions`` is absent.
"""

from __future__ import annotations

import dataclasses
import json
import string
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .coerce import parse_work_days, parse_work_hours
from .config import SAMPLE_END, SAMPLE_START
from .errors import UsageError
from .schema import POST_FORMATS, TABLE_ORDER, TABLES
from .storage import atomic_directory, atomic_write_text, write_table

__all__ = [
    "DEFAULT_SEED",
    "INCIDENT_KINDS",
    "PARQUET_TABLES",
    "SAMPLE_TABLES",
    "generate_sample",
    "ground_truth_path",
    "write_sample",
]

#: The seed of the bundled sample (``data/sample``).
DEFAULT_SEED = 20261031
#: Kinds of planted incidents, as the ground truth names them.
INCIDENT_KINDS = ("follower_spike", "unfollow_wave", "bought_likes", "robot_traffic")
#: The tables the sample holds (every table of the data model but ``web_daily``).
SAMPLE_TABLES = tuple(name for name in TABLE_ORDER if name != "web_daily")
#: Tables written as Parquet (the large ones); the others are CSV.
PARQUET_TABLES = ("messages", "web_sessions")

_DAY_S = 86_400
_STREAMS = ("layout", "ads", "posts", "daily", "messages", "web", "mentions", "incidents")
_HANDOVER_DAY = "2026-10-16"
_SHARED_FROM = "2026-02-01"
_CHEATER = "gleb"
_MENTION_ZONE = "Europe/Moscow"


# --------------------------------------------------------------------------------------------
# The cast: roles, specialists, accounts, platforms
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Role:
    """How a specialist works; multipliers are relative to an average specialist."""

    content: float  # reach and engagement of posts, follows per reach
    cadence: float  # planned posts per week
    plan: float  # share of planned slots fulfilled
    adhoc: float  # unplanned posts, as a share of the cadence
    response: float  # share of requests a staff member answers
    delay_min: float  # median first response, in working minutes
    off_hours: float  # share of answers sent at once, whatever the hour
    redirect: float  # share of answers that send the person elsewhere
    traffic: float  # link clicks and depth of the visits
    convert: float  # conversion probability of a visit


_ROLES = {
    # strong all-round: fast replies, good content, the best traffic and conversions
    "strong": _Role(1.15, 5.5, 0.95, 0.12, 0.97, 15.0, 0.10, 0.03, 1.30, 1.25),
    # the best content, but slow replies and many "call our manager" answers
    "slow_comms": _Role(1.30, 6.0, 0.92, 0.15, 0.80, 240.0, 0.03, 0.38, 1.00, 0.95),
    # decent content and replies, weak on traffic and goals
    "weak_traffic": _Role(0.95, 4.0, 0.76, 0.06, 0.92, 40.0, 0.08, 0.06, 0.45, 0.50),
    # mediocre honest work; buys followers, likes and traffic (the incidents)
    "gamer": _Role(0.85, 3.5, 0.70, 0.05, 0.85, 95.0, 0.05, 0.12, 0.85, 0.80),
}
_ROLE_FIELDS = tuple(f.name for f in dataclasses.fields(_Role))
_NEUTRAL = _Role(
    *(float(np.mean([getattr(r, name) for r in _ROLES.values()])) for name in _ROLE_FIELDS)
)
_EXTRA_ROLES = ("strong", "slow_comms", "weak_traffic")


@dataclass(frozen=True)
class _Specialist:
    specialist_id: str
    name: str
    role: str


_NAMED_SPECIALISTS = (
    _Specialist("anna", "Anna Smirnova", "strong"),
    _Specialist("boris", "Boris Volkov", "slow_comms"),
    _Specialist("vera", "Vera Sokolova", "weak_traffic"),
    _Specialist("gleb", "Gleb Morozov", "gamer"),
)
#: Which named specialists a small sample keeps (the one who games metrics always stays).
_SMALL_CASTS = {2: ("anna", "gleb"), 3: ("anna", "vera", "gleb")}


@dataclass(frozen=True)
class _Account:
    account_id: str
    platform: str
    name: str
    brand: str
    goal: str
    timezone: str
    work_hours: str
    work_days: str
    followers: int  # followers the day before the sample starts
    bot: bool  # a chat bot answers direct messages at once
    threads: float  # conversations started on an average day
    bumps: tuple[tuple[int, int, float, float], ...] = ()  # (month, day, height, width days)
    campaigns: tuple[tuple[str, str, str, float], ...] = ()  # (name, first, last, budget/day)
    topics: tuple[str, ...] = ("news", "product", "tips", "reviews", "behind the scenes")
    home: str = ""  # the specialist who runs it from the start
    follow: float = 1.0  # follows per person reached, relative to the platform's


_ACME_BUMPS = ((8, 28, 0.15, 10.0), (11, 27, 0.35, 5.0), (12, 20, 0.30, 7.0))
_BLOOM_BUMPS = ((2, 14, 0.80, 3.0), (3, 8, 0.90, 3.0), (9, 1, 0.50, 2.0), (12, 30, 0.30, 4.0))
_KODIK_BUMPS = ((9, 5, 0.40, 12.0), (1, 20, 0.25, 10.0), (7, 15, -0.25, 25.0))
_FITLAB_BUMPS = ((1, 12, 0.40, 12.0), (4, 25, 0.25, 20.0), (9, 10, 0.15, 10.0))

_NAMED_ACCOUNTS = (
    _Account(
        "vk_acme", "vk", "Acme Home Goods", "Acme", "sales", "Europe/Moscow", "09:00-18:00",
        "mon-fri", 18_500, True, 6.0, _ACME_BUMPS,
        (
            ("acme_back_to_school", "2025-08-15", "2025-09-10", 2500.0),
            ("acme_black_friday", "2025-11-17", "2025-11-30", 6000.0),
            ("acme_new_year", "2025-12-08", "2025-12-28", 4500.0),
            ("acme_retargeting", "2026-01-12", "2026-10-31", 600.0),
            ("acme_spring", "2026-03-02", "2026-04-12", 3000.0),
            ("acme_back_to_school", "2026-08-17", "2026-09-06", 2800.0),
            ("acme_autumn_sale", "2026-09-21", "2026-10-31", 3500.0),
        ),
        ("kitchen", "home decor", "sale", "tips", "reviews", "new arrivals"),
        "anna",
    ),
    _Account(
        "tg_acme", "telegram", "Acme News", "Acme", "awareness", "UTC", "10:00-19:00",
        "mon-fri", 9_200, False, 1.5, ((11, 27, 0.20, 5.0),), (),
        ("news", "sale", "behind the scenes", "tips"), "anna",
    ),
    _Account(
        "ig_bloom", "instagram", "Bloom Flowers", "Bloom", "leads", "Asia/Vladivostok",
        "09:00-21:00", "mon-sat", 6_400, True, 5.0, _BLOOM_BUMPS,
        (
            ("bloom_sept_first", "2025-08-25", "2025-09-01", 1200.0),
            ("bloom_valentine", "2026-02-05", "2026-02-14", 2500.0),
            ("bloom_march_8", "2026-02-27", "2026-03-08", 3000.0),
            ("bloom_sept_first", "2026-08-24", "2026-09-01", 1300.0),
            ("bloom_autumn", "2026-10-01", "2026-10-31", 900.0),
        ),
        ("bouquets", "care tips", "weddings", "delivery", "reviews"), "boris",
    ),
    _Account(
        "vk_bloom", "vk", "Bloom Flowers Club", "Bloom", "community", "Asia/Vladivostok",
        "10:00-20:00", "tue-sun", 5_200, False, 2.5, ((2, 14, 0.5, 3.0), (3, 8, 0.6, 3.0)), (),
        ("club news", "contest", "care tips", "photo of the week"), "boris",
    ),
    _Account(
        "tg_school", "telegram", "Kodik Coding School", "Kodik", "education", "Europe/Moscow",
        "09:00-18:00", "mon-fri", 12_400, False, 3.0, _KODIK_BUMPS,
        (
            ("kodik_enrollment", "2025-08-18", "2025-09-14", 1800.0),
            ("kodik_winter", "2026-01-12", "2026-01-31", 1500.0),
            ("kodik_enrollment", "2026-08-17", "2026-09-20", 2000.0),
            ("kodik_intensive", "2026-10-05", "2026-10-25", 1400.0),
        ),
        ("python", "lessons", "student projects", "open day", "career"), "vera",
    ),
    _Account(
        "ig_fitlab", "instagram", "FitLab Studio", "FitLab", "leads", "Europe/Moscow",
        "08:00-20:00", "mon-sat", 14_500, True, 4.0, _FITLAB_BUMPS,
        (
            ("fitlab_new_year", "2026-01-05", "2026-01-31", 1600.0),
            ("fitlab_summer_body", "2026-04-06", "2026-05-31", 1400.0),
            ("fitlab_october", "2026-10-01", "2026-10-31", 1500.0),
        ),
        ("workouts", "nutrition", "trainers", "schedule", "transformations"), "gleb", 1.2,
    ),
    _Account(
        "vk_fitlab", "vk", "FitLab Club", "FitLab", "sales", "Asia/Yekaterinburg",
        "10:00-19:00", "mon,tue,wed,thu,fri", 8_600, False, 2.5, _FITLAB_BUMPS,
        (
            ("fitlab_vk_autumn", "2025-09-01", "2025-09-30", 900.0),
            ("fitlab_vk_spring", "2026-03-16", "2026-04-19", 900.0),
            ("fitlab_october_promo", "2026-10-01", "2026-10-31", 1100.0),
        ),
        ("memberships", "workouts", "events", "sale"), "gleb", 1.5,
    ),
)  # fmt: skip

#: Brands (and word slugs) for the accounts of specialists beyond the named four.
_EXTRA_BRANDS = (
    "Aurora", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Granit", "Harbor", "Iris", "Jasper",
    "Kedr", "Lumen", "Meridian", "Nord", "Orbit", "Pulse", "Quartz", "Rowan", "Sokol", "Taiga",
    "Ural", "Volna",
)  # fmt: skip
_EXTRA_PLATFORMS = (("vk", "telegram"), ("instagram", "vk"), ("telegram", "instagram"))
_EXTRA_GOALS = (("sales", "awareness"), ("leads", "community"), ("education", "entertainment"))
_EXTRA_ZONES = (
    "Europe/Moscow", "Asia/Novosibirsk", "UTC", "Europe/Samara", "Asia/Vladivostok",
    "Europe/Kaliningrad", "Asia/Omsk",
)  # fmt: skip
_PREFIX = {"vk": "vk", "telegram": "tg", "instagram": "ig"}

#: Competitors: mentioned in the market but run by no account of the sample.
_COMPETITORS = (("Globex", "Acme", 5.0), ("Petalia", "Bloom", 2.0))
_MENTION_RATE = {"Acme": 6.0, "Bloom": 3.0, "Kodik": 3.5, "FitLab": 2.5}
_SENTIMENT_MIX = {
    "Acme": (0.45, 0.40, 0.15),
    "Bloom": (0.55, 0.35, 0.10),
    "Kodik": (0.40, 0.45, 0.15),
    "FitLab": (0.35, 0.45, 0.20),
    "Globex": (0.30, 0.45, 0.25),
    "Petalia": (0.40, 0.40, 0.20),
}


@dataclass(frozen=True)
class _Platform:
    base: float  # daily reach beyond the day's posts, as a share of followers
    post: float  # a post's reach, as a share of followers
    follow: float  # follows per person reached
    churn: float  # daily unfollows per follower
    like: float  # likes per person reached
    comment: float
    share: float
    save: float  # NaN: not reported
    click: float  # link clicks per person reached (a post with a link)
    visits: float  # profile visits per person reached; NaN: not reported
    direct: float  # share of conversations in direct messages (the rest: comments)
    formats: dict[str, float]


_PLATFORMS = {
    "vk": _Platform(
        0.05, 0.10, 0.0050, 0.0008, 0.030, 0.0040, 0.0030, 0.0020, 0.012, 0.020, 0.5,
        {"text": 0.10, "photo": 0.38, "video": 0.10, "short_video": 0.17, "carousel": 0.15,
         "poll": 0.05, "story": 0.05},
    ),
    "telegram": _Platform(
        0.11, 0.30, 0.0038, 0.0008, 0.018, 0.0015, 0.0040, np.nan, 0.008, np.nan, 0.2,
        {"text": 0.45, "photo": 0.28, "video": 0.10, "poll": 0.10, "other": 0.07},
    ),
    "instagram": _Platform(
        0.07, 0.18, 0.0042, 0.0008, 0.050, 0.0035, 0.0040, 0.0060, 0.012, 0.030, 0.6,
        {"photo": 0.22, "carousel": 0.28, "short_video": 0.30, "story": 0.15, "live": 0.05},
    ),
}  # fmt: skip
_FORMAT_REACH = {
    "text": 0.8, "photo": 1.0, "video": 1.2, "short_video": 1.6, "carousel": 1.15,
    "story": 0.45, "live": 0.6, "poll": 0.9, "other": 0.8,
}  # fmt: skip
_FORMAT_LIKES = {
    "text": 0.7, "photo": 1.0, "video": 1.1, "short_video": 1.2, "carousel": 1.2,
    "story": 1.0, "live": 0.8, "poll": 0.8, "other": 0.8,
}  # fmt: skip

#: Conversion goals by business goal: (rate per visit, ((goal, share), ...)).
_GOALS_BY_BUSINESS = {
    "sales": (0.030, (("purchase", 0.55), ("contact_form", 0.15), ("file_download", 0.10),
                      ("page_view", 0.20))),
    "leads": (0.045, (("contact_form", 0.40), ("consultation", 0.25), ("call", 0.20),
                      ("direct_message", 0.15))),
    "awareness": (0.050, (("page_view", 0.70), ("file_download", 0.30))),
    "community": (0.015, (("direct_message", 0.40), ("other", 0.40), ("contact_form", 0.20))),
    "education": (0.040, (("sample_order", 0.45), ("file_download", 0.35),
                          ("consultation", 0.20))),
    "entertainment": (0.020, (("page_view", 0.60), ("other", 0.40))),
}  # fmt: skip
#: Calls and direct messages per day that reach the business without a web visit (a CRM
#: logs them; a few of its rows are naive wall-clock times).
_OFFLINE_LEADS = {"sales": 0.2, "leads": 0.6, "education": 0.3}

_WEEK_BUSINESS = np.array([1.08, 1.10, 1.08, 1.05, 1.00, 0.85, 0.84])
_WEEK_LEISURE = np.array([0.95, 0.95, 0.97, 1.00, 1.05, 1.10, 1.03])
_WEEK_POSTING = np.array([1.15, 1.15, 1.10, 1.10, 1.05, 0.75, 0.70])


def _hours(weights: list[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


_POST_HOURS = _hours(
    [0.2, 0.05, 0, 0, 0, 0, 0.1, 0.5, 1.0, 1.4, 1.3, 1.1, 1.3, 1.2, 1.0, 0.9, 0.9, 1.0, 1.3,
     1.5, 1.4, 1.1, 0.7, 0.4]
)  # fmt: skip
_USER_HOURS = _hours(
    [0.3, 0.15, 0.08, 0.05, 0.05, 0.1, 0.3, 0.6, 0.9, 1.1, 1.2, 1.2, 1.3, 1.2, 1.1, 1.1, 1.1,
     1.2, 1.3, 1.4, 1.5, 1.4, 1.0, 0.6]
)  # fmt: skip

_REQUESTS = (
    "How much does it cost?", "Do you deliver on weekends?", "Is this still available?",
    "What are your opening hours?", "Can I book for Saturday?", "Where is the price list?",
    "Thank you, great post!", "My order has not arrived yet", "Do you have a discount?",
    "How do I sign up?",
)  # fmt: skip
_FOLLOW_UPS = ("Thanks! And the delivery?", "And how do I pay?", "Thank you!", "Any news?")
_ANSWERS = (
    "Hello! The prices are on our site, the link is in the profile.",
    "Yes, we work every day, see the pinned post.",
    "Thank you for your kind words!",
    "We have checked your order: it arrives tomorrow.",
    "Here is the sign-up form: see the pinned post.",
    "Yes, it is available. Shall we reserve it for you?",
)
_REDIRECTS = (
    "Please call our manager, they will help you.",
    "Please write to our support by e-mail.",
    "Please ask the manager in the shop.",
)
_BOT_TEXT = "Thanks for your message! We will answer in working hours."
_PHRASES = (
    "new this week", "how we do it", "your questions answered", "a tip for the weekend",
    "meet the team", "a discount until Sunday", "your reviews", "the story behind it",
    "results of the month", "vote in our poll",
)  # fmt: skip
_MENTION_TEXTS = {
    "positive": ("Love {b}, great service", "{b} did it again, recommend", "Thanks {b}!"),
    "neutral": ("Has anyone tried {b}?", "{b} opened a new point", "Saw an ad of {b} today"),
    "negative": ("{b} was late again", "Not happy with {b} support", "{b} prices went up"),
}
_MENTION_SOURCES = ("vk", "telegram", "instagram", "dzen", "news", "forum", "reviews")
_NEWS_OUTLETS = ("City News", "Retail Daily", "Business Today")


# --------------------------------------------------------------------------------------------
# The world: calendar, layout and the per account-day arrays every part reads
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _World:
    specialists: tuple[_Specialist, ...]
    accounts: tuple[_Account, ...]
    assignments: tuple[tuple[str, str, str, str | None], ...]  # specialist, account, first, last
    days: pd.DatetimeIndex  # the full calendar of the sample
    day0: int  # epoch day number of days[0]
    quality: dict[str, np.ndarray]  # role field -> (A, D)
    season: np.ndarray  # (A, D) seasonal activity
    week: np.ndarray  # (A, D) weekday activity

    @property
    def n_accounts(self) -> int:
        return len(self.accounts)

    @property
    def n_days(self) -> int:
        return len(self.days)

    def column(self, attribute: str) -> np.ndarray:
        """Return an account attribute as an array indexed by account number."""
        return np.array([getattr(a, attribute) for a in self.accounts], dtype=object)

    def platform_value(self, name: str) -> np.ndarray:
        """Return a platform parameter per account (float array)."""
        return np.array([getattr(_PLATFORMS[a.platform], name) for a in self.accounts], float)

    def index(self, account_id: str) -> int | None:
        for i, account in enumerate(self.accounts):
            if account.account_id == account_id:
                return i
        return None


def _day_index(days: pd.DatetimeIndex, date: str | None, default: int) -> int:
    return default if date is None else int(days.get_loc(pd.Timestamp(date)))


def _extra_accounts(position: int, specialist_id: str, rng: np.random.Generator) -> list:
    """Return the two accounts of the specialist at ``position`` (0-based, >= 4)."""
    k = position - 4
    brand = _EXTRA_BRANDS[k]
    slug = brand.lower()
    platforms, goals = _EXTRA_PLATFORMS[k % 3], _EXTRA_GOALS[k % 3]
    followers = rng.lognormal(np.log(6000.0), 0.5, 2)
    threads = rng.uniform(1.5, 5.0, 2)
    month = rng.integers(1, 13, 2)
    out = []
    for j in range(2):
        campaigns = ()
        if goals[j] in ("sales", "leads", "education"):
            campaigns = (
                (f"{slug}_spring", "2026-03-16", "2026-04-26", 1000.0),
                (f"{slug}_autumn", "2026-09-14", "2026-10-31", 1200.0),
            )
        out.append(
            _Account(
                f"{_PREFIX[platforms[j]]}_{slug}",
                platforms[j],
                f"{brand} {('Official', 'Club')[j]}",
                brand,
                goals[j],
                _EXTRA_ZONES[k % len(_EXTRA_ZONES)],
                "09:00-18:00",
                "mon-fri",
                int(round(followers[j], -1)),
                platforms[j] == "instagram",
                round(float(threads[j]), 1),
                ((int(month[j]), 15, 0.25, 10.0),),
                campaigns,
                home=specialist_id,
            )
        )
    return out


def _layout(n_specialists: int, rng: np.random.Generator):
    """Return the specialists, accounts and assignments of a sample with ``n`` specialists."""
    if n_specialists >= 4:
        cast = list(_NAMED_SPECIALISTS)
    else:
        cast = [s for s in _NAMED_SPECIALISTS if s.specialist_id in _SMALL_CASTS[n_specialists]]
    accounts = [a for a in _NAMED_ACCOUNTS if a.home in {s.specialist_id for s in cast}]
    for position in range(4, n_specialists):
        letter = string.ascii_lowercase[position]
        specialist = _Specialist(
            f"spec_{letter}", f"Specialist {letter.upper()}", _EXTRA_ROLES[(position - 4) % 3]
        )
        cast.append(specialist)
        accounts.extend(_extra_accounts(position, specialist.specialist_id, rng))
    ids = {s.specialist_id for s in cast}
    partner = "vera" if "vera" in ids else _CHEATER
    handed = "vk_bloom" if "boris" in ids else "vk_acme"  # boris (or anna) hands it over
    day_before = (pd.Timestamp(_HANDOVER_DAY) - pd.Timedelta(days=1)).date().isoformat()
    assignments = []
    for account in accounts:
        last = day_before if account.account_id == handed else None
        assignments.append((account.home, account.account_id, SAMPLE_START, last))
    assignments.append((partner, "tg_acme", _SHARED_FROM, None))  # shared: overlapping rows
    assignments.append((partner, handed, _HANDOVER_DAY, None))  # handed over mid-month
    order = {s.specialist_id: i for i, s in enumerate(cast)}
    assignments.sort(key=lambda row: (order[row[0]], row[1], row[2]))
    return tuple(cast), tuple(accounts), tuple(assignments)


def _quality(specialists, accounts, assignments, days) -> dict[str, np.ndarray]:
    """Return each role field per account-day: the mean over whoever runs the account."""
    roles = {s.specialist_id: _ROLES[s.role] for s in specialists}
    position = {a.account_id: i for i, a in enumerate(accounts)}
    n_days = len(days)
    count = np.zeros((len(accounts), n_days))
    total = {name: np.zeros((len(accounts), n_days)) for name in _ROLE_FIELDS}
    for specialist_id, account_id, first, last in assignments:
        a = position[account_id]
        lo, hi = _day_index(days, first, 0), _day_index(days, last, n_days - 1)
        count[a, lo : hi + 1] += 1
        for name in _ROLE_FIELDS:
            total[name][a, lo : hi + 1] += getattr(roles[specialist_id], name)
    return {
        name: np.where(count > 0, total[name] / np.maximum(count, 1), getattr(_NEUTRAL, name))
        for name in _ROLE_FIELDS
    }


def _seasonality(accounts, days: pd.DatetimeIndex) -> np.ndarray:
    """Return activity per account-day: a yearly wave plus each brand's peaks."""
    doy = days.day_of_year.to_numpy()
    base = 1.0 + 0.08 * np.cos(2 * np.pi * (doy - 320) / 365.25)
    out = np.tile(base, (len(accounts), 1))
    for i, account in enumerate(accounts):
        for month, day, height, width in account.bumps:
            for year in (2025, 2026):
                distance = (days - pd.Timestamp(year, month, day)).days.to_numpy()
                out[i] += height * np.exp(-0.5 * (distance / width) ** 2)
    return np.clip(out, 0.3, None)


def _build_world(n_specialists: int, rng: np.random.Generator) -> _World:
    specialists, accounts, assignments = _layout(n_specialists, rng)
    days = pd.date_range(SAMPLE_START, SAMPLE_END, freq="D")
    weekday = days.day_of_week.to_numpy()
    week = np.array(
        [
            (_WEEK_BUSINESS if a.goal in ("sales", "leads", "education") else _WEEK_LEISURE)[
                weekday
            ]
            for a in accounts
        ]
    )
    return _World(
        specialists=specialists,
        accounts=accounts,
        assignments=assignments,
        days=days,
        day0=int(np.datetime64(SAMPLE_START, "D").astype(np.int64)),
        quality=_quality(specialists, accounts, assignments, days),
        season=_seasonality(accounts, days),
        week=week,
    )


# --------------------------------------------------------------------------------------------
# Honest data, one part at a time
# --------------------------------------------------------------------------------------------


def _ad_spend(world: _World, rng: np.random.Generator) -> pd.DataFrame:
    """Return ad spend rows (account, day, campaign, spend, impressions, clicks)."""
    acc, day, name, budget = [], [], [], []
    for a, account in enumerate(world.accounts):
        for campaign, first, last, per_day in account.campaigns:
            lo, hi = _day_index(world.days, first, 0), _day_index(world.days, last, 0)
            span = np.arange(lo, hi + 1)
            acc.append(np.full(span.size, a))
            day.append(span)
            name.append(np.full(span.size, campaign, dtype=object))
            budget.append(np.full(span.size, per_day))
    if not acc:
        return pd.DataFrame(
            {k: [] for k in ("acc", "day", "campaign", "spend", "impressions", "clicks")}
        )
    acc, day = np.concatenate(acc), np.concatenate(day)
    budget = np.concatenate(budget)
    n = acc.size
    spend = np.round(budget * world.week[acc, day] * rng.uniform(0.85, 1.15, n), 2)
    impressions = np.rint(spend / rng.uniform(160.0, 320.0, n) * 1000).astype(np.int64)
    ctr = np.clip(0.008 * world.quality["traffic"][acc, day] * rng.lognormal(0, 0.2, n), 0, 0.2)
    clicks = rng.binomial(impressions, ctr)
    frame = pd.DataFrame(
        {
            "acc": acc,
            "day": day,
            "campaign": np.concatenate(name),
            "spend": spend,
            "impressions": impressions,
            "clicks": clicks,
        }
    )
    return frame.sort_values(["acc", "day", "campaign"], ignore_index=True)


def _per_account_day(world: _World, acc, day, weights=None) -> np.ndarray:
    flat = np.asarray(acc) * world.n_days + np.asarray(day)
    size = world.n_accounts * world.n_days
    total = np.bincount(flat, weights=weights, minlength=size)
    return total.reshape(world.n_accounts, world.n_days)


def _draw(rng: np.random.Generator, shares: np.ndarray) -> np.ndarray:
    """Draw one category per row from per-row shares (rows sum to 1)."""
    cumulative = np.cumsum(shares, axis=1)
    u = rng.random(len(shares))
    return np.minimum((u[:, None] >= cumulative).sum(axis=1), shares.shape[1] - 1)


def _format_shares(world: _World) -> np.ndarray:
    shares = np.zeros((world.n_accounts, len(POST_FORMATS)))
    for a, account in enumerate(world.accounts):
        for name, share in _PLATFORMS[account.platform].formats.items():
            shares[a, POST_FORMATS.index(name)] = share
    return shares / shares.sum(axis=1, keepdims=True)


def _topics(world: _World, acc: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    counts = np.array([len(a.topics) for a in world.accounts])
    pick = (rng.random(acc.size) * counts[acc]).astype(int)
    return np.array([world.accounts[a].topics[k] for a, k in zip(acc, pick, strict=True)], object)


def _post_times(world: _World, acc, day, rng: np.random.Generator) -> np.ndarray:
    """Return local wall-clock seconds of posts; Vladivostok posts are sometimes near midnight."""
    n = acc.size
    seconds = rng.choice(24, size=n, p=_POST_HOURS) * 3600 + rng.integers(0, 3600, n)
    late = (world.column("timezone")[acc] == "Asia/Vladivostok") & (rng.random(n) < 0.06)
    shift = rng.integers(-30 * 60, 50 * 60, n)  # 23:30 .. 00:50 local, same local day
    seconds = np.where(late, np.where(shift < 0, _DAY_S + shift, shift), seconds)
    return (world.day0 + day) * _DAY_S + seconds


#: Posts pinned at fixed local times (scope and time zone tests use them).
_PINNED_POSTS = (
    ("ig_bloom", "2026-10-01T00:30:00", "photo"),  # 2026-09-30 14:30 UTC: another UTC day
    ("vk_bloom", "2026-10-16T00:20:00", "photo"),  # the handover day, UTC day before it
)


def _plan_and_posts(world: _World, ads: pd.DataFrame, rng: np.random.Generator):
    """Return the content plan and the posts (without their counts yet)."""
    q, n_days = world.quality, world.n_days
    weekday = world.days.day_of_week.to_numpy()
    lam = q["cadence"] / 7.0 * _WEEK_POSTING[weekday][None, :]
    slots = np.minimum(rng.poisson(lam), 2)
    acc, day = np.divmod(np.repeat(np.arange(slots.size), slots.ravel()), n_days)
    n = acc.size
    shares = _format_shares(world)
    fmt = _draw(rng, shares[acc])
    fmt_given = rng.random(n) >= 0.15
    topic = _topics(world, acc, rng)
    topic_given = rng.random(n) >= 0.08
    done = rng.random(n) < q["plan"][acc, day]
    switched = rng.random(n) < 0.06
    alt = _draw(rng, shares[acc])
    plan = pd.DataFrame(
        {
            "acc": acc,
            "day": day,
            "format": np.where(fmt_given, np.array(POST_FORMATS, object)[fmt], None),
            "topic": np.where(topic_given, topic, None),
        }
    )
    adhoc = rng.random(lam.shape) < q["adhoc"] * q["cadence"] / 7.0
    x_acc, x_day = np.nonzero(adhoc)
    x_fmt = _draw(rng, shares[x_acc])
    x_topic = _topics(world, x_acc, rng)
    p_acc = np.concatenate([acc[done], x_acc])
    p_day = np.concatenate([day[done], x_day])
    p_fmt = np.concatenate([np.where(switched, alt, fmt)[done], x_fmt])
    p_topic = np.concatenate([topic[done], x_topic])
    local = _post_times(world, p_acc, p_day, rng)
    for account_id, when, fmt_name in _PINNED_POSTS:
        a = world.index(account_id)
        if a is None:
            continue
        t = int(np.datetime64(when, "s").astype(np.int64))
        p_acc = np.append(p_acc, a)
        p_day = np.append(p_day, t // _DAY_S - world.day0)
        p_fmt = np.append(p_fmt, POST_FORMATS.index(fmt_name))
        p_topic = np.append(p_topic, world.accounts[a].topics[0])
        local = np.append(local, t)
    posts = pd.DataFrame(
        {
            "acc": p_acc,
            "day": p_day,
            "t": local,
            "format": np.array(POST_FORMATS, object)[p_fmt],
            "topic": p_topic,
        }
    )
    posts = posts.sort_values(["acc", "t"], kind="stable", ignore_index=True)
    n = len(posts)
    acc, day = posts["acc"].to_numpy(), posts["day"].to_numpy()
    ad_on = _per_account_day(world, ads["acc"], ads["day"]) > 0
    factor = (
        world.platform_value("post")[acc]
        * posts["format"].map(_FORMAT_REACH).to_numpy(float)
        * q["content"][acc, day]
        * np.sqrt(world.season[acc, day])
        * rng.lognormal(0.0, 0.3, n)
    )
    viral = rng.random(n) < 0.012
    factor *= np.where(viral, rng.uniform(3.0, 7.0, n), 1.0)
    promoted = ad_on[acc, day] & (rng.random(n) < 0.35)
    factor *= np.where(promoted, 1.8, 1.0)
    has_campaigns = np.array([bool(a.campaigns) for a in world.accounts])[acc]
    telegram = world.column("platform")[acc] == "telegram"
    posts["is_promoted"] = pd.array(
        np.where(has_campaigns, promoted, np.where(telegram, None, False)), dtype="boolean"
    )
    posts["factor"] = factor
    posts["has_link"] = rng.random(n) < 0.6
    posts["phrase"] = np.array(_PHRASES, object)[rng.integers(0, len(_PHRASES), n)]
    numbers = posts.groupby("acc").cumcount().to_numpy() + 1
    posts["post_id"] = [
        f"{world.accounts[a].account_id}_{k:04d}" for a, k in zip(acc, numbers, strict=True)
    ]
    posts["naive"] = rng.random(n) < 0.01
    return plan.sort_values(["acc", "day"], kind="stable", ignore_index=True), posts


def _simulate_daily(world: _World, posts: pd.DataFrame, ads: pd.DataFrame, rng) -> dict:
    """Return the honest account-day arrays (followers, follows, unfollows, reach, ...)."""
    n_acc, n_days = world.n_accounts, world.n_days
    q = world.quality
    post_share = _per_account_day(world, posts["acc"], posts["day"], posts["factor"])
    ad_reach = _per_account_day(world, ads["acc"], ads["day"], ads["impressions"] * 0.3)
    base = world.platform_value("base")[:, None] * np.sqrt(q["content"]) * world.season
    base = base * world.week * rng.lognormal(0.0, 0.10, (n_acc, n_days))
    follow_rate = world.platform_value("follow") * np.array([a.follow for a in world.accounts])
    follow_rate = follow_rate[:, None] * q["content"]
    churn = world.platform_value("churn")[:, None] * rng.lognormal(0.0, 0.2, (n_acc, n_days))
    followers = np.array([a.followers for a in world.accounts], dtype=np.int64)
    shape = (n_acc, n_days)
    f_prev, f_end = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    follows, unfollows = np.zeros(shape, np.int64), np.zeros(shape, np.int64)
    reach = np.zeros(shape, np.int64)
    for t in range(n_days):  # a recursion over days: reach depends on yesterday's followers
        r = np.rint(followers * (base[:, t] + 0.8 * post_share[:, t]) + ad_reach[:, t])
        r = r.astype(np.int64)
        new = rng.poisson(follow_rate[:, t] * r)  # follows come with the day's reach
        gone = np.minimum(rng.poisson(followers * churn[:, t]), followers + new)
        f_prev[:, t] = followers
        followers = followers + new - gone
        f_end[:, t], follows[:, t], unfollows[:, t], reach[:, t] = followers, new, gone, r
    views = np.rint(reach * rng.uniform(1.3, 1.9, shape)).astype(np.int64)
    visit_rate = world.platform_value("visits")
    visits = rng.binomial(reach, np.nan_to_num(visit_rate)[:, None] * np.sqrt(q["content"]))
    profile_clicks = rng.binomial(visits, np.clip(0.06 * q["traffic"], 0, 1))
    latent = rng.poisson(reach * 0.0012 * q["traffic"])  # telegram: clicks nobody reports
    reported = ~np.isnan(visit_rate)[:, None]
    return {
        "f_prev": f_prev,
        "followers": f_end,
        "follows": follows,
        "unfollows": unfollows,
        "reach": reach,
        "views": views,
        "profile_visits": np.where(reported, visits, np.nan),
        "profile_clicks": np.where(reported, profile_clicks, latent),
        "reported_clicks": np.repeat(reported, n_days, axis=1),
    }


def _post_metrics(world: _World, posts: pd.DataFrame, daily: dict, rng) -> pd.DataFrame:
    """Return the posts with their lifetime counts (honest: likes < reach <= views)."""
    posts = posts.copy()
    acc, day = posts["acc"].to_numpy(), posts["day"].to_numpy()
    n = len(posts)
    q = world.quality
    fmt = posts["format"].to_numpy()
    story = fmt == "story"
    reach = np.maximum(np.rint(daily["f_prev"][acc, day] * posts["factor"]), 25).astype(np.int64)
    stretch = np.where(story, rng.uniform(1.02, 1.2, n), rng.uniform(1.1, 1.7, n))
    views = np.rint(reach * stretch)
    content = q["content"][acc, day]

    def rate(name: str, spread: float, cap: float) -> np.ndarray:
        base = np.nan_to_num(world.platform_value(name))[acc]
        return np.clip(base * content * rng.lognormal(0.0, spread, n), 0.0, cap)

    likes = rng.binomial(reach, np.clip(rate("like", 0.25, 0.4) * _vec(_FORMAT_LIKES, fmt), 0, 0.4))
    comments = rng.binomial(reach, rate("comment", 0.4, 0.05))
    shares = rng.binomial(reach, rate("share", 0.4, 0.05))
    saves = rng.binomial(reach, rate("save", 0.4, 0.05))
    click_rate = rate("click", 0.3, 0.1) * q["traffic"][acc, day]
    platform = world.column("platform")[acc]
    instagram = platform == "instagram"  # feed posts carry no links; stories have stickers
    linked = np.where(instagram, story, posts["has_link"].to_numpy() & ~story)
    clicks = np.where(linked, rng.binomial(reach, np.clip(click_rate, 0, 0.1)), 0)
    hidden = story & (platform == "instagram")  # story insights: no likes, comments, ...
    posts["reach"] = reach.astype(float)
    posts["views"] = views
    posts["likes"] = np.where(hidden, np.nan, likes)
    posts["comments"] = np.where(hidden, np.nan, comments)
    posts["shares"] = np.where(hidden, np.nan, shares)
    posts["saves"] = np.where(hidden | (platform == "telegram"), np.nan, saves)
    posts["link_clicks"] = np.where(platform == "vk", clicks, np.nan)
    posts["clicks"] = clicks  # every click, reported or not (sessions come from them)
    return posts


def _vec(mapping: dict[str, float], keys: np.ndarray) -> np.ndarray:
    return np.array([mapping[k] for k in keys], dtype=float)


def _work_calendar(world: _World) -> tuple[np.ndarray, np.ndarray]:
    """Return working hours (A, 2) in seconds after midnight and working weekdays (A, 7)."""
    hours = np.array([parse_work_hours(a.work_hours) for a in world.accounts]) * 60
    weekdays = np.zeros((world.n_accounts, 7), dtype=bool)
    for a, account in enumerate(world.accounts):
        weekdays[a, list(parse_work_days(account.work_days))] = True
    return hours, weekdays


def _add_work_seconds(start, seconds, acc, hours, weekdays) -> np.ndarray:
    """Return the local time reached after ``seconds`` of working time counted from ``start``.

    A message that arrives outside working hours starts the clock at the next opening.
    """
    cur = np.asarray(start, dtype=np.int64).copy()
    left = np.asarray(seconds, dtype=np.int64).copy()
    out = cur.copy()
    todo = np.arange(cur.size)
    for _ in range(60):  # one pass per calendar day still to walk; delays are capped
        if todo.size == 0:
            break
        day, second = np.divmod(cur[todo], _DAY_S)
        a = acc[todo]
        opens, closes = hours[a, 0], hours[a, 1]
        is_open = weekdays[a, (day + 3) % 7] & (second < closes)  # epoch day 0 was a Thursday
        begin = np.maximum(second, opens)
        available = np.where(is_open, closes - begin, 0)
        fits = is_open & (left[todo] <= available)
        out[todo[fits]] = day[fits] * _DAY_S + begin[fits] + left[todo[fits]]
        rest = todo[~fits]
        left[rest] -= available[~fits]
        cur[rest] = (day[~fits] + 1) * _DAY_S
        todo = rest
    return out


def _runs(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return, for rows repeated ``counts`` times, the row number and the position in its run."""
    row = np.repeat(np.arange(counts.size), counts)
    position = np.arange(row.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return row, position


def _messages(world: _World, daily: dict, rng: np.random.Generator) -> pd.DataFrame:
    """Return conversations: requests, bot auto-replies, staff answers, follow-ups."""
    q = world.quality
    n_days = world.n_days
    threads = np.array([a.threads for a in world.accounts])[:, None]
    reach = daily["reach"]
    activity = np.sqrt(reach / np.maximum(reach.mean(axis=1, keepdims=True), 1))
    counts = rng.poisson(threads * world.week * world.season * activity)
    acc, day = np.divmod(np.repeat(np.arange(counts.size), counts.ravel()), n_days)
    n = acc.size
    hours, weekdays = _work_calendar(world)
    start = (world.day0 + day) * _DAY_S + rng.choice(24, n, p=_USER_HOURS) * 3600
    start = start + rng.integers(0, 3600, n)
    direct = rng.random(n) < world.platform_value("direct")[acc]
    n_first = 1 + rng.binomial(2, 0.2, n)
    gaps = rng.exponential(90.0, (n, 3)).astype(np.int64) + 5
    gaps[:, 0] = 0
    offsets = np.cumsum(gaps, axis=1)
    last_first = start + offsets[np.arange(n), n_first - 1]
    has_bot = np.array([a.bot for a in world.accounts])[acc] & direct
    bot_at = last_first + rng.integers(3, 40, n)
    cap = 3 * 9 * 3600  # at most about three working days

    def answer(after: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
        answered = rng.random(n) < q["response"][acc, day]
        quick = rng.random(n) < q["off_hours"][acc, day]
        work = np.minimum(rng.lognormal(np.log(q["delay_min"][acc, day] * 60 * scale), 0.9), cap)
        fast = rng.lognormal(np.log(20 * 60), 0.7, n)
        slow = _add_work_seconds(after, work, acc, hours, weekdays)
        return answered, np.where(quick, after + fast.astype(np.int64), slow)

    answered, staff_at = answer(last_first, 1.0)
    redirect = rng.random(n) < q["redirect"][acc, day]
    again = answered & (rng.random(n) < 0.35)
    second_at = staff_at + rng.lognormal(np.log(25 * 60), 1.0, n).astype(np.int64) + 30
    n_second = 1 + rng.binomial(1, 0.25, n)
    last_second = second_at + (n_second - 1) * (rng.exponential(60.0, n).astype(np.int64) + 5)
    answered2, staff2_at = answer(last_second, 0.6)
    answered2 &= again
    redirect2 = rng.random(n) < 0.5 * q["redirect"][acc, day]
    request = np.array(_REQUESTS, object)[rng.integers(0, len(_REQUESTS), n)]
    follow_up = np.array(_FOLLOW_UPS, object)[rng.integers(0, len(_FOLLOW_UPS), n)]
    reply = np.array(_ANSWERS, object)[rng.integers(0, len(_ANSWERS), n)]
    elsewhere = np.array(_REDIRECTS, object)[rng.integers(0, len(_REDIRECTS), n)]

    parts = []
    row, k = _runs(n_first)
    text = np.where(k == 0, request[row], "Hello? Anyone there?")
    parts.append((row, start[row] + offsets[row, k], "user", text, None))
    row = np.flatnonzero(has_bot)
    parts.append((row, bot_at[row], "bot", np.full(row.size, _BOT_TEXT, object), None))
    row = np.flatnonzero(answered)
    text = np.where(redirect[row], elsewhere[row], reply[row])
    parts.append((row, staff_at[row], "staff", text, redirect[row]))
    row, k = _runs(np.where(again, n_second, 0))
    parts.append((row, second_at[row] + (last_second - second_at)[row] * k, "user",
                  follow_up[row], None))  # fmt: skip
    row = np.flatnonzero(answered2)
    text = np.where(redirect2[row], elsewhere[row], reply[row])
    parts.append((row, staff2_at[row], "staff", text, redirect2[row]))
    frames = [
        pd.DataFrame(
            {
                "thread": rows,
                "t": times,
                "sender": sender,
                "text": texts,
                "redirect": pd.array(
                    [None] * rows.size if flags is None else flags.astype(bool), dtype="boolean"
                ),
            }
        )
        for rows, times, sender, texts, flags in parts
    ]
    out = pd.concat(frames, ignore_index=True)
    thread = out["thread"].to_numpy()
    out["acc"] = acc[thread]
    out["thread_start"] = start[thread]
    out["channel"] = np.where(direct[thread], "direct", "comment")
    rank = np.empty(n, dtype=np.int64)
    rank[np.lexsort((start, acc))] = np.arange(1, n + 1)  # threads numbered in time order
    out["thread_id"] = [f"t{k:06d}" for k in rank[thread]]
    out = out.sort_values(["acc", "t", "thread"], kind="stable", ignore_index=True)
    out["message_id"] = [f"m{k:07d}" for k in range(1, len(out) + 1)]
    return out


def _unique_ids(rng: np.random.Generator, n: int, taken: set[str] | None = None) -> np.ndarray:
    """Return ``n`` distinct opaque session ids (``s`` + 10 hex digits) not in ``taken``."""
    taken = set() if taken is None else taken
    out: list[str] = []
    seen = set(taken)
    while len(out) < n:
        for value in rng.integers(16**9, 16**10, n - len(out)):
            text = f"s{int(value):010x}"
            if text not in seen:
                seen.add(text)
                out.append(text)
    return np.array(out, dtype=object)


def _day_of(world: _World, local_s: np.ndarray) -> np.ndarray:
    """Return the day index (into the calendar, clipped) of local wall-clock seconds."""
    return np.clip(local_s // _DAY_S - world.day0, 0, world.n_days - 1)


def _web(world: _World, posts: pd.DataFrame, daily: dict, ads: pd.DataFrame, rng):
    """Return honest web sessions and conversions (internal frames with local seconds)."""
    q = world.quality
    n_days = world.n_days
    platform = world.column("platform")
    slug = np.array([a.brand.lower() for a in world.accounts], dtype=object)
    utm = {"vk": "vk", "telegram": "telegram", "instagram": "instagram"}
    source_of = np.array([utm[p] for p in platform], dtype=object)

    # visits from post links (a click becomes a visit 4 times out of 5)
    per_post = rng.binomial(posts["clicks"].to_numpy(np.int64), 0.8)
    src = np.repeat(np.arange(len(posts)), per_post)
    delay = np.minimum(rng.lognormal(np.log(7200), 1.2, src.size), 5 * _DAY_S)
    p_acc = posts["acc"].to_numpy()[src]
    post_part = pd.DataFrame(
        {
            "acc": p_acc,
            "t": posts["t"].to_numpy()[src] + delay.astype(np.int64),
            "post_id": posts["post_id"].to_numpy()[src],
            "source": source_of[p_acc],
            "medium": "social",
            "campaign": np.where(rng.random(src.size) < 0.9, slug[p_acc] + "_smm", None),
            "depth": 1.0,
        }
    )
    # visits from the profile link (no UTM campaign)
    per_day = rng.binomial(daily["profile_clicks"].astype(np.int64), 0.8)
    f_acc, f_day = np.divmod(np.repeat(np.arange(per_day.size), per_day.ravel()), n_days)
    profile_part = pd.DataFrame(
        {
            "acc": f_acc,
            "t": (world.day0 + f_day) * _DAY_S
            + rng.choice(24, f_acc.size, p=_USER_HOURS) * 3600
            + rng.integers(0, 3600, f_acc.size),
            "post_id": None,
            "source": source_of[f_acc],
            "medium": "social",
            "campaign": None,
            "depth": 1.0,
        }
    )
    # visits from ads
    per_row = rng.binomial(ads["clicks"].to_numpy(np.int64), 0.8)
    a_row = np.repeat(np.arange(len(ads)), per_row)
    a_acc, a_day = ads["acc"].to_numpy()[a_row], ads["day"].to_numpy()[a_row]
    ad_part = pd.DataFrame(
        {
            "acc": a_acc,
            "t": (world.day0 + a_day) * _DAY_S
            + rng.choice(24, a_row.size, p=_USER_HOURS) * 3600
            + rng.integers(0, 3600, a_row.size),
            "post_id": None,
            "source": source_of[a_acc],
            "medium": "cpc",
            "campaign": ads["campaign"].to_numpy()[a_row],
            "depth": 0.8,
        }
    )
    # visits from elsewhere (search, direct): not from these accounts
    per_site_day = rng.poisson(12.0, n_days)
    o_day = np.repeat(np.arange(n_days), per_site_day)
    kind = rng.integers(0, 3, o_day.size)
    other_part = pd.DataFrame(
        {
            "acc": -1,
            "t": (world.day0 + o_day) * _DAY_S
            + rng.choice(24, o_day.size, p=_USER_HOURS) * 3600
            + rng.integers(0, 3600, o_day.size),
            "post_id": None,
            "source": np.array(["yandex", "google", None], dtype=object)[kind],
            "medium": np.array(["organic", "organic", None], dtype=object)[kind],
            "campaign": None,
            "depth": 1.0,
        }
    )
    sessions = pd.concat([post_part, profile_part, ad_part, other_part], ignore_index=True)
    n = len(sessions)
    acc = sessions["acc"].to_numpy()
    social = acc >= 0
    day = _day_of(world, sessions["t"].to_numpy())
    quality = np.where(social, q["traffic"][np.maximum(acc, 0), day], 1.0)
    quality = quality * sessions["depth"].to_numpy()
    stop = np.clip(0.55 / np.sqrt(quality), 0.2, 0.9)
    pageviews = rng.geometric(stop)
    one_page = rng.lognormal(np.log(25.0 * quality), 1.0, n)
    more_pages = pageviews * rng.lognormal(np.log(40.0 * np.sqrt(quality)), 0.6, n)
    duration = np.rint(np.where(pageviews == 1, one_page, more_pages))
    robot = rng.random(n) < 0.003  # scattered robots that Metrica recognised
    pageviews = np.where(robot, 1, pageviews)
    duration = np.where(robot, rng.integers(0, 3, n), duration)
    marked = rng.random(n) < 0.75
    metrica = (pageviews == 1) & (duration < 15)
    explicit = rng.random(n) < 0.02
    flipped = rng.random(n) < 0.3  # notBounce() calls and the like
    sessions["pageviews"] = pageviews.astype(float)
    sessions["duration_s"] = duration.astype(float)
    sessions["bounce"] = pd.array(np.where(explicit, metrica ^ flipped, None), dtype="boolean")
    sessions["robot"] = pd.array(np.where(robot, True, np.where(marked, False, None)), "boolean")
    sessions["session_id"] = _unique_ids(rng, n)
    sessions["day"] = day
    conversions = _conversions(world, sessions, rng)
    return sessions.drop(columns="depth"), conversions


def _conversions(world: _World, sessions: pd.DataFrame, rng) -> pd.DataFrame:
    """Return goals reached in the sessions, plus calls and messages without a visit."""
    q = world.quality
    acc, day = sessions["acc"].to_numpy(), sessions["day"].to_numpy()
    social = acc >= 0
    n = len(sessions)
    goal = world.column("goal")
    rate = np.array([_GOALS_BY_BUSINESS[g][0] for g in goal])
    depth = 0.4 + 0.2 * np.minimum(sessions["pageviews"].to_numpy(), 5)
    p = np.where(social, rate[np.maximum(acc, 0)] * q["convert"][np.maximum(acc, 0), day], 0.01)
    hit = (rng.random(n) < p * depth) & ~sessions["robot"].fillna(False).to_numpy(bool)
    twice = hit & (rng.random(n) < 0.1)
    row = np.concatenate([np.flatnonzero(hit), np.flatnonzero(twice)])
    row.sort(kind="stable")
    c_acc = acc[row]
    duration = sessions["duration_s"].to_numpy()[row]
    t = sessions["t"].to_numpy()[row] + np.maximum(5, duration * rng.uniform(0.3, 1.0, row.size))
    u = rng.random(row.size)
    goals = np.empty(row.size, dtype=object)
    for a in range(world.n_accounts + 1):  # per account (the last: visits from elsewhere)
        mine = c_acc == (a if a < world.n_accounts else -1)
        mix = (
            _GOALS_BY_BUSINESS[world.accounts[a].goal][1]
            if a < world.n_accounts
            else (("purchase", 0.5), ("contact_form", 0.5))
        )
        names = np.array([g for g, _ in mix], dtype=object)
        cumulative = np.cumsum([s for _, s in mix])
        goals[mine] = names[np.minimum(np.searchsorted(cumulative, u[mine]), names.size - 1)]
    online = pd.DataFrame(
        {
            "acc": c_acc,
            "t": t.astype(np.int64),
            "goal": goals,
            "session_id": sessions["session_id"].to_numpy()[row],
            "naive": False,
        }
    )
    # calls and direct messages from the profile, logged by a CRM in wall-clock time
    offline_rate = np.array([_OFFLINE_LEADS.get(g, 0.0) for g in goal])[:, None]
    counts = rng.poisson(offline_rate * q["convert"] * world.week)
    o_acc, o_day = np.divmod(np.repeat(np.arange(counts.size), counts.ravel()), world.n_days)
    hours, _ = _work_calendar(world)
    opens, closes = hours[o_acc, 0], hours[o_acc, 1]
    when = opens + (rng.random(o_acc.size) * (closes - opens)).astype(np.int64)
    offline = pd.DataFrame(
        {
            "acc": o_acc,
            "t": (world.day0 + o_day) * _DAY_S + when,
            "goal": np.where(rng.random(o_acc.size) < 0.6, "call", "direct_message"),
            "session_id": None,
            "naive": rng.random(o_acc.size) < 0.1,  # some CRM rows carry no offset
        }
    )
    out = pd.concat([online, offline], ignore_index=True)
    purchase = out["goal"].to_numpy() == "purchase"
    value = np.round(rng.lognormal(np.log(4200.0), 0.55, len(out)), -1)
    out["value"] = np.where(purchase, value, np.nan)
    out["day"] = _day_of(world, out["t"].to_numpy())
    return out


def _mentions(world: _World, posts: pd.DataFrame, daily: dict, rng) -> pd.DataFrame:
    """Return mentions of the brands and their competitors, and the brands' own posts."""
    n_days = world.n_days
    brands: list[tuple[str, float, np.ndarray]] = []
    for brand in dict.fromkeys(a.brand for a in world.accounts):
        mine = [i for i, a in enumerate(world.accounts) if a.brand == brand]
        reach = daily["reach"][mine].sum(axis=0)
        activity = (reach / max(reach.mean(), 1.0)) ** 0.4 * np.sqrt(world.season[mine[0]])
        brands.append((brand, _MENTION_RATE.get(brand, 1.5), activity))
    for competitor, rival, rate in _COMPETITORS:
        mine = [i for i, a in enumerate(world.accounts) if a.brand == rival]
        if mine:
            brands.append((competitor, rate, np.sqrt(world.season[mine[0]])))
    names = np.array([b for b, _, _ in brands], dtype=object)
    lam = np.array([rate * activity for _, rate, activity in brands])
    b_idx, day = np.divmod(np.repeat(np.arange(lam.size), rng.poisson(lam).ravel()), n_days)
    n = b_idx.size
    t = (world.day0 + day) * _DAY_S + rng.choice(24, n, p=_USER_HOURS) * 3600
    t = t + rng.integers(0, 3600, n)
    mix = np.array([_SENTIMENT_MIX.get(str(b), (0.4, 0.45, 0.15)) for b in names])
    sentiment = np.array(["positive", "neutral", "negative"], dtype=object)[_draw(rng, mix[b_idx])]
    template = rng.integers(0, 3, n)
    text = [
        _MENTION_TEXTS[s][k].format(b=names[b])
        for s, k, b in zip(sentiment, template, b_idx, strict=True)
    ]
    sentiment = np.where(rng.random(n) < 0.05, None, sentiment)
    source = np.array(_MENTION_SOURCES, dtype=object)[rng.integers(0, len(_MENTION_SOURCES), n)]
    handle = rng.integers(1000, 99999, n)
    outlet = np.array(_NEWS_OUTLETS, dtype=object)[rng.integers(0, len(_NEWS_OUTLETS), n)]
    audience = np.rint(rng.lognormal(6.0, 1.5, n))
    others = pd.DataFrame(
        {
            "t": t,
            "zone": _MENTION_ZONE,
            "brand": names[b_idx],
            "source": source,
            "author": np.where(source == "news", outlet, [f"user_{h}" for h in handle]),
            "author_audience": np.where(rng.random(n) < 0.1, np.nan, audience),
            "sentiment": sentiment,
            "own": pd.array(np.where(rng.random(n) < 0.85, False, None), dtype="boolean"),
            "text": text,
            "naive": rng.random(n) < 0.02,
        }
    )
    # a third of the brands' own posts are picked up as (own) mentions
    own = posts[rng.random(len(posts)) < 0.3]
    o_acc = own["acc"].to_numpy()
    own_part = pd.DataFrame(
        {
            "t": own["t"].to_numpy(),
            "zone": world.column("timezone")[o_acc],
            "brand": world.column("brand")[o_acc],
            "source": world.column("platform")[o_acc],
            "author": world.column("name")[o_acc],
            "author_audience": daily["f_prev"][o_acc, own["day"].to_numpy()].astype(float),
            "sentiment": np.where(rng.random(o_acc.size) < 0.7, "neutral", "positive"),
            "own": pd.array(np.ones(o_acc.size, dtype=bool), dtype="boolean"),
            "text": own["topic"].str.capitalize().to_numpy() + ": " + own["phrase"].to_numpy(),
            "naive": False,
        }
    )
    out = pd.concat([others, own_part], ignore_index=True)
    out["utc"] = out["t"].to_numpy() - _offset_seconds(out["t"].to_numpy(), out["zone"].to_numpy())
    out = out.sort_values(["utc", "brand"], kind="stable", ignore_index=True)
    out["mention_id"] = [f"mn{k:06d}" for k in range(1, len(out) + 1)]
    out["url"] = "https://example.org/mentions/" + out["mention_id"]
    return out


# --------------------------------------------------------------------------------------------
# Targets: the month's honest actuals times a factor per role
# --------------------------------------------------------------------------------------------

#: Per role: (kpi, how the target is set, amount, weight or None). ``actual``: the month's
#: honest actual times the amount (the manager knows the campaign calendar); ``followers``: the
#: amount times the followers before the month; ``fixed``: the amount itself.
_TARGET_PLAN = {
    "strong": (
        ("posts_published", "actual", 1.05, None),
        ("social_sessions", "actual", 1.10, None),
        ("leads", "actual", 1.10, 2.0),
        ("response_rate", "fixed", 95.0, None),
    ),
    "slow_comms": (
        ("posts_published", "actual", 1.00, None),
        ("er_reach", "actual", 0.95, None),
        ("response_rate", "fixed", 90.0, 1.5),
        ("median_first_response_min", "fixed", 60.0, 1.5),
    ),
    "weak_traffic": (
        ("plan_completion", "fixed", 90.0, None),
        ("social_sessions", "actual", 1.30, None),
        ("conversions", "actual", 1.40, 2.0),
        ("er_reach", "actual", 1.00, None),
    ),
    "gamer": (
        ("net_follower_growth", "followers", 0.015, 0.5),
        ("er_reach", "actual", 1.00, None),
        ("posts_published", "actual", 1.20, None),
        ("leads", "actual", 1.10, 1.0),
    ),
}
_TARGET_MONTHS = ("2026-09", "2026-10")
_LEADS = ("contact_form", "call", "direct_message", "consultation", "sample_order")


def _nice(value: float, kpi: str) -> float:
    """Round a target the way a manager writes it down."""
    if kpi == "er_reach":
        return round(value, 1)
    value = max(value, 10.0)
    digits = int(np.floor(np.log10(value))) - 1
    return float(round(value, -digits)) if digits > 0 else float(round(value))


def _scope_mask(world: _World, specialist_id: str, first: int, last: int) -> np.ndarray:
    """Return the (A, D) mask of the account-days a specialist runs between two days."""
    mask = np.zeros((world.n_accounts, world.n_days), dtype=bool)
    for who, account_id, start, end in world.assignments:
        if who == specialist_id:
            lo = _day_index(world.days, start, 0)
            hi = _day_index(world.days, end, world.n_days - 1)
            mask[world.index(account_id), max(lo, first) : min(hi, last) + 1] = True
    return mask


def _actuals(mask: np.ndarray, posts, daily, sessions, conversions) -> dict[str, float]:
    """Return simple totals over the account-days of ``mask`` (to set targets from)."""

    def scoped(frame: pd.DataFrame) -> np.ndarray:
        acc = frame["acc"].to_numpy()
        return (acc >= 0) & mask[np.maximum(acc, 0), frame["day"].to_numpy()]

    mine = posts[scoped(posts)]
    rated = mine[mine["likes"].notna()]
    interactions = rated[["likes", "comments", "shares", "saves"]].sum(axis=1).sum()
    human = ~sessions["robot"].fillna(False).to_numpy(bool)
    goals = conversions[scoped(conversions)]
    rows, days = np.nonzero(mask)
    first = pd.Series(days).groupby(rows).min()
    last = pd.Series(days).groupby(rows).max()
    start = daily["f_prev"][first.index, first.to_numpy()].sum()
    end = daily["followers"][last.index, last.to_numpy()].sum()
    return {
        "posts_published": float(len(mine)),
        "er_reach": float(interactions / max(rated["reach"].sum(), 1.0) * 100),
        "social_sessions": float((scoped(sessions) & human).sum()),
        "conversions": float(len(goals)),
        "leads": float(goals["goal"].isin(_LEADS).sum()),
        "net_follower_growth": float(end - start),
        "followers": float(start),
    }


def _targets(world, posts, daily, sessions, conversions) -> pd.DataFrame:
    """Return each specialist's targets for 2026-09 and 2026-10 (see :data:`_TARGET_PLAN`)."""
    rows = []
    for specialist in world.specialists:
        for period in _TARGET_MONTHS:
            month = pd.Period(period, freq="M")
            first = _day_index(world.days, month.start_time.date().isoformat(), 0)
            last = _day_index(world.days, month.end_time.date().isoformat(), 0)
            mask = _scope_mask(world, specialist.specialist_id, first, last)
            actual = _actuals(mask, posts, daily, sessions, conversions)
            for kpi, how, amount, weight in _TARGET_PLAN[specialist.role]:
                if how == "fixed":
                    target = amount
                else:
                    basis = actual["followers"] if how == "followers" else actual[kpi]
                    target = _nice(basis * amount, kpi)
                rows.append((specialist.specialist_id, period, kpi, target, weight))
    frame = pd.DataFrame(rows, columns=["specialist_id", "period", "kpi", "target", "weight"])
    return frame.astype({"target": float, "weight": float})


# --------------------------------------------------------------------------------------------
# Incidents: gamed metrics, planted on top of the honest data
# --------------------------------------------------------------------------------------------

#: Bought followers: (account, about when, days, days from its start to the unfollow wave,
#: days of the wave). The spike takes the quietest stretch of reach within 4 days of the date.
_SPIKES = (
    ("vk_fitlab", "2026-08-18", 3, 11, 3),
    ("ig_fitlab", "2026-10-05", 4, 12, 3),
)
_SPIKE_SEARCH = 4
#: Bought likes: (account, first day, last day, posts).
_BOUGHT_LIKES = (
    ("ig_fitlab", "2026-09-01", "2026-09-30", 3),
    ("ig_fitlab", "2026-10-08", "2026-10-29", 5),
)
#: Robot traffic: (account, first day, days, source, medium, campaign, sessions per day).
_ROBOTS = (
    ("ig_fitlab", "2026-09-14", 2, "instagram", "social", "fitlab_smm", 260),
    ("vk_fitlab", "2026-10-20", 3, "vk", "cpc", "fitlab_october_promo", 240),
)


def _truth(kind, account_id, first, last, size, post_ids=()) -> dict:
    return {
        "kind": kind,
        "account_id": account_id,
        "start": pd.Timestamp(first).date().isoformat(),
        "end": pd.Timestamp(last).date().isoformat(),
        "post_ids": sorted(post_ids),
        "size": int(size),
    }


def _quiet_start(reach: np.ndarray, nominal: int, n_days: int) -> int:
    """Return the start, within a few days of ``nominal``, of the stretch with the calmest reach.

    Bought followers arrive without reach; picking calm days keeps an honest viral post from
    landing on the spike by chance.
    """
    level = pd.Series(reach).rolling(29, center=True, min_periods=8).median().to_numpy()
    ratio = reach / np.maximum(level, 1.0)
    starts = np.arange(nominal - _SPIKE_SEARCH, nominal + _SPIKE_SEARCH + 1)
    peaks = [ratio[s : s + n_days].max() for s in starts]
    return int(starts[int(np.argmin(peaks))])


def _plant_follower_spikes(world, daily, first_day, rng, truth) -> dict:
    """Add bought follows (no reach) and, some days later, the bots' unfollows."""
    extra_in = np.zeros_like(daily["follows"])
    extra_out = np.zeros_like(daily["unfollows"])
    for account_id, start, n_days, gap, wave_days in _SPIKES:
        a, nominal = world.index(account_id), _day_index(world.days, start, 0)
        if a is None or nominal - _SPIKE_SEARCH < first_day:
            continue
        lo = _quiet_start(daily["reach"][a], nominal, n_days)
        around = daily["follows"][a, max(lo - 14, 0) : lo + n_days + 14]
        baseline = max(float(np.median(around)), 0.002 * daily["f_prev"][a, lo])
        fake = np.rint(baseline * rng.uniform(5.0, 10.0, n_days)).astype(np.int64)
        extra_in[a, lo : lo + n_days] += fake
        w_lo = lo + gap
        leaving = round(float(fake.sum()) * rng.uniform(0.6, 0.8))  # the rest stay as bots
        shares = np.sort(rng.dirichlet(np.full(wave_days, 3.0)))[::-1]  # the purge fades out
        wave = rng.multinomial(leaving, shares)
        extra_out[a, w_lo : w_lo + wave_days] += wave
        truth.append(
            _truth("follower_spike", account_id, world.days[lo], world.days[lo + n_days - 1],
                   fake.sum())
        )  # fmt: skip
        truth.append(
            _truth("unfollow_wave", account_id, world.days[w_lo],
                   world.days[w_lo + wave_days - 1], wave.sum())
        )  # fmt: skip
    shift = np.cumsum(extra_in - extra_out, axis=1)
    out = dict(daily)
    out["follows"] = daily["follows"] + extra_in
    out["unfollows"] = daily["unfollows"] + extra_out
    out["followers"] = daily["followers"] + shift
    out["f_prev"] = daily["f_prev"] + np.concatenate(
        [np.zeros((shift.shape[0], 1), np.int64), shift[:, :-1]], axis=1
    )
    return out


def _plant_bought_likes(world, posts, first_day, rng, truth) -> pd.DataFrame:
    """Add bought likes to a few posts (comments and shares stay as they were)."""
    posts = posts.copy()
    for account_id, start, end, count in _BOUGHT_LIKES:
        a = world.index(account_id)
        lo, hi = _day_index(world.days, start, 0), _day_index(world.days, end, 0)
        if a is None or lo < first_day:
            continue
        pool = np.flatnonzero(
            (posts["acc"].to_numpy() == a)
            & (posts["day"].to_numpy() >= lo)
            & (posts["day"].to_numpy() <= hi)
            & posts["likes"].notna().to_numpy()
        )
        k = min(count, pool.size)
        if k == 0:
            continue
        chosen = np.sort(rng.choice(pool, size=k, replace=False))
        factor = rng.uniform(0.55, 1.0, k)
        above = rng.choice(k, size=min(2, k), replace=False)
        factor[above] = rng.uniform(1.1, 1.5, above.size)  # some get more likes than reach
        fake = np.rint(posts["reach"].to_numpy()[chosen] * factor)
        likes = posts["likes"].to_numpy(copy=True)
        likes[chosen] += fake
        posts["likes"] = likes
        days = posts["day"].to_numpy()[chosen]
        truth.append(
            _truth("bought_likes", account_id, world.days[days.min()], world.days[days.max()],
                   fake.sum(), posts["post_id"].to_numpy()[chosen].tolist())
        )  # fmt: skip
    return posts


def _plant_robots(world, posts, sessions, first_day, rng, truth) -> pd.DataFrame:
    """Return bursts of one-page, zero-second visits from one account and campaign."""
    parts = []
    taken = set(sessions["session_id"])
    for account_id, start, n_days, source, medium, campaign, per_day in _ROBOTS:
        a, lo = world.index(account_id), _day_index(world.days, start, 0)
        if a is None or lo < first_day:
            continue
        counts = np.rint(per_day * rng.uniform(0.8, 1.25, n_days)).astype(np.int64)
        k = np.repeat(np.arange(n_days), counts)
        n = k.size
        burst = rng.uniform(0, 20 * 3600, n_days)
        spread = rng.uniform(1.5 * 3600, 3 * 3600, n_days)
        t = (world.day0 + lo + k) * _DAY_S + (burst[k] + rng.random(n) * spread[k]).astype(int)
        post_id = None
        if medium == "social":  # the visits point at the account's latest post
            mine = posts[(posts["acc"] == a) & (posts["t"] < t.min())]
            post_id = mine["post_id"].iloc[-1] if len(mine) else None
        u = rng.random(n)
        ids = _unique_ids(rng, n, taken)
        taken.update(ids)
        parts.append(
            pd.DataFrame(
                {
                    "acc": a,
                    "t": t,
                    "post_id": post_id,
                    "source": source,
                    "medium": medium,
                    "campaign": campaign,
                    "pageviews": 1.0,
                    "duration_s": rng.choice(4, n, p=[0.45, 0.3, 0.15, 0.1]).astype(float),
                    "bounce": pd.array(np.where(rng.random(n) < 0.12, True, None), "boolean"),
                    "robot": pd.array(
                        np.where(u < 0.3, True, np.where(u < 0.75, None, False)), "boolean"
                    ),
                    "session_id": ids,
                    "day": lo + k,
                }
            )
        )
        truth.append(
            _truth("robot_traffic", account_id, world.days[lo], world.days[lo + n_days - 1], n)
        )
    return pd.concat(parts, ignore_index=True) if parts else sessions.iloc[0:0]


# --------------------------------------------------------------------------------------------
# Tables: cut to the window, timestamps as text
# --------------------------------------------------------------------------------------------


def _offset_seconds(local_s: np.ndarray, zones: np.ndarray) -> np.ndarray:
    """Return the UTC offset, in seconds, of each local wall-clock time in its zone."""
    out = np.zeros(local_s.size, dtype=np.int64)
    zones = np.asarray(zones, dtype=object)
    for zone in sorted(set(zones.tolist())):
        rows = zones == zone
        wall = pd.DatetimeIndex(local_s[rows].astype("datetime64[s]"))
        aware = wall.tz_localize(
            zone, ambiguous=np.zeros(int(rows.sum()), dtype=bool), nonexistent="shift_forward"
        )
        utc = aware.tz_convert("UTC").tz_localize(None)
        out[rows] = ((wall - utc) // pd.Timedelta(seconds=1)).to_numpy()
    return out


def _iso(local_s: np.ndarray, zones: np.ndarray, naive: np.ndarray | None = None) -> np.ndarray:
    """Format local wall-clock seconds as ISO 8601 text with the zone's offset."""
    local_s = np.asarray(local_s, dtype=np.int64)
    text = np.datetime_as_string(local_s.astype("datetime64[s]"), unit="s").astype(object)
    offsets = _offset_seconds(local_s, zones)
    labels = {}
    for value in np.unique(offsets).tolist():
        sign, minutes = ("+" if value >= 0 else "-"), abs(value) // 60
        labels[value] = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    out = text + np.array([labels[v] for v in offsets.tolist()], dtype=object)
    return out if naive is None else np.where(naive, text, out)


@dataclass(frozen=True)
class _Window:
    """The part of the calendar a sample keeps (the last ``months`` months)."""

    first_day: int  # calendar index of its first day
    lo_s: int  # its first second, local wall clock
    hi_s: int  # the second after its last day, local wall clock

    @classmethod
    def of(cls, world: _World, first_day: int) -> _Window:
        return cls(
            first_day,
            (world.day0 + first_day) * _DAY_S,
            (world.day0 + world.n_days) * _DAY_S,
        )

    def holds(self, local_s: pd.Series) -> pd.Series:
        return (local_s >= self.lo_s) & (local_s < self.hi_s)


def _zones_of(world: _World, acc: np.ndarray) -> np.ndarray:
    """Return each row's time zone: its account's, or Moscow for rows without an account."""
    zones = world.column("timezone")
    return np.where(acc >= 0, zones[np.maximum(acc, 0)], _MENTION_ZONE)


def _ids_of(world: _World, acc: np.ndarray) -> np.ndarray:
    """Return each row's account id (None for rows without an account)."""
    ids = world.column("account_id")
    return np.where(acc >= 0, ids[np.maximum(acc, 0)], None)


def _people_tables(world: _World, window: _Window) -> dict[str, pd.DataFrame]:
    """Return the ``specialists``, ``accounts`` and ``assignments`` tables."""
    specialists = pd.DataFrame(
        {
            "specialist_id": [s.specialist_id for s in world.specialists],
            "name": [s.name for s in world.specialists],
            "email": [f"{s.specialist_id}@example.com" for s in world.specialists],
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": world.column("account_id"),
            "platform": world.column("platform"),
            "name": world.column("name"),
            "brand": world.column("brand"),
            "business_goal": world.column("goal"),
            "timezone": world.column("timezone"),
            "currency": "RUB",
            "work_hours": world.column("work_hours"),
            "work_days": world.column("work_days"),
        }
    )
    start = world.days[window.first_day]
    assignments = pd.DataFrame(
        world.assignments, columns=["specialist_id", "account_id", "start_date", "end_date"]
    )
    assignments["start_date"] = pd.to_datetime(assignments["start_date"]).clip(lower=start)
    assignments["end_date"] = pd.to_datetime(assignments["end_date"])
    keep = assignments["end_date"].isna() | (assignments["end_date"] >= start)
    return {
        "specialists": specialists,
        "accounts": accounts,
        "assignments": assignments[keep],
    }


def _daily_table(world: _World, window: _Window, daily: dict, posts: pd.DataFrame):
    """Return ``account_daily``: link clicks are the posts' and the profile's (not Telegram)."""
    post_clicks = _per_account_day(world, posts["acc"], posts["day"], posts["clicks"])
    clicks = np.where(daily["reported_clicks"], daily["profile_clicks"] + post_clicks, np.nan)
    cut = slice(window.first_day, None)
    dates = world.days[cut]

    def flat(values: np.ndarray) -> np.ndarray:
        return values[:, cut].ravel().astype(float)

    return pd.DataFrame(
        {
            "account_id": np.repeat(world.column("account_id"), len(dates)),
            "date": np.tile(dates.to_numpy(), world.n_accounts),
            "followers": flat(daily["followers"]),
            "follows": flat(daily["follows"]),
            "unfollows": flat(daily["unfollows"]),
            "reach": flat(daily["reach"]),
            "views": flat(daily["views"]),
            "profile_visits": flat(daily["profile_visits"]),
            "link_clicks": flat(clicks),
        }
    )


def _post_url(platform: str, account_id: str, number: str) -> str:
    if platform == "vk":
        return f"https://vk.com/{account_id}?w=wall_{number}"
    if platform == "telegram":
        return f"https://t.me/{account_id}/{number}"
    return f"https://www.instagram.com/{account_id}/p/{number}/"


def _posts_table(world: _World, window: _Window, posts: pd.DataFrame) -> pd.DataFrame:
    """Return ``posts`` (about 1 % of the timestamps naive)."""
    kept = posts[window.holds(posts["t"])]
    acc = kept["acc"].to_numpy()
    ids, platform = world.column("account_id"), world.column("platform")
    number = kept["post_id"].str.rsplit("_", n=1).str[1].to_numpy()
    counts = {
        name: kept[name].to_numpy(float)
        for name in ("reach", "views", "likes", "comments", "shares", "saves", "link_clicks")
    }
    return pd.DataFrame(
        {
            "post_id": kept["post_id"].to_numpy(),
            "account_id": ids[acc],
            "published_at": _iso(kept["t"].to_numpy(), _zones_of(world, acc), kept["naive"]),
            "format": kept["format"].to_numpy(),
            **counts,
            "is_promoted": kept["is_promoted"].array,
            "topic": kept["topic"].to_numpy(),
            "text": kept["topic"].str.capitalize().to_numpy() + ": " + kept["phrase"].to_numpy(),
            "url": [_post_url(platform[a], ids[a], k) for a, k in zip(acc, number, strict=True)],
        }
    )


def _plan_table(world: _World, window: _Window, plan: pd.DataFrame) -> pd.DataFrame:
    """Return ``content_plan`` (some slots leave the format or the topic open)."""
    kept = plan[plan["day"] >= window.first_day]
    return pd.DataFrame(
        {
            "account_id": world.column("account_id")[kept["acc"].to_numpy()],
            "planned_date": world.days[kept["day"].to_numpy()],
            "format": kept["format"].to_numpy(),
            "topic": kept["topic"].to_numpy(),
        }
    )


def _messages_table(world: _World, window: _Window, messages: pd.DataFrame) -> pd.DataFrame:
    """Return ``messages``: whole conversations that start in the window, cut at its end."""
    kept = messages[(messages["thread_start"] >= window.lo_s) & (messages["t"] < window.hi_s)]
    acc = kept["acc"].to_numpy()
    return pd.DataFrame(
        {
            "message_id": kept["message_id"].to_numpy(),
            "account_id": world.column("account_id")[acc],
            "thread_id": kept["thread_id"].to_numpy(),
            "sent_at": _iso(kept["t"].to_numpy(), _zones_of(world, acc)),
            "sender": kept["sender"].to_numpy(),
            "channel": kept["channel"].to_numpy(),
            "text": kept["text"].to_numpy(),
            "redirect": kept["redirect"].array,
        }
    )


def _in_time_order(world: _World, frame: pd.DataFrame, tie: str) -> pd.DataFrame:
    """Return the rows sorted by instant (then by ``tie``)."""
    acc, local = frame["acc"].to_numpy(), frame["t"].to_numpy()
    utc = local - _offset_seconds(local, _zones_of(world, acc))
    return frame.iloc[np.lexsort((frame[tie].to_numpy(), utc))]


def _sessions_table(world: _World, window: _Window, sessions: pd.DataFrame) -> pd.DataFrame:
    """Return ``web_sessions`` in time order (visits from elsewhere in Moscow time)."""
    kept = _in_time_order(world, sessions[window.holds(sessions["t"])], "session_id")
    acc = kept["acc"].to_numpy()
    return pd.DataFrame(
        {
            "session_id": kept["session_id"].to_numpy(),
            "started_at": _iso(kept["t"].to_numpy(), _zones_of(world, acc)),
            "account_id": _ids_of(world, acc),
            "post_id": kept["post_id"].to_numpy(),
            "source": kept["source"].to_numpy(),
            "medium": kept["medium"].to_numpy(),
            "campaign": kept["campaign"].to_numpy(),
            "duration_s": kept["duration_s"].to_numpy(float),
            "pageviews": kept["pageviews"].to_numpy(float),
            "bounce": kept["bounce"].array,
            "robot": kept["robot"].array,
        }
    )


def _conversions_table(
    world: _World, window: _Window, conversions: pd.DataFrame, session_ids: set[str]
) -> pd.DataFrame:
    """Return ``conversions`` in time order (only those whose visit, if any, is kept)."""
    kept = conversions[
        window.holds(conversions["t"])
        & (conversions["session_id"].isna() | conversions["session_id"].isin(session_ids))
    ]
    kept = _in_time_order(world, kept.reset_index(drop=True), "t")
    acc = kept["acc"].to_numpy()
    return pd.DataFrame(
        {
            "conversion_id": [f"cv{k:06d}" for k in range(1, len(kept) + 1)],
            "occurred_at": _iso(kept["t"].to_numpy(), _zones_of(world, acc), kept["naive"]),
            "goal": kept["goal"].to_numpy(),
            "account_id": _ids_of(world, acc),
            "session_id": kept["session_id"].to_numpy(),
            "value": kept["value"].to_numpy(float),
        }
    )


def _mentions_table(window: _Window, mentions: pd.DataFrame) -> pd.DataFrame:
    """Return ``mentions`` (own posts in their account's offset, the rest in Moscow time)."""
    kept = mentions[window.holds(mentions["t"])]
    return pd.DataFrame(
        {
            "mention_id": kept["mention_id"].to_numpy(),
            "published_at": _iso(kept["t"].to_numpy(), kept["zone"].to_numpy(), kept["naive"]),
            "brand": kept["brand"].to_numpy(),
            "source": kept["source"].to_numpy(),
            "author": kept["author"].to_numpy(),
            "author_audience": kept["author_audience"].to_numpy(float),
            "sentiment": kept["sentiment"].to_numpy(),
            "own": kept["own"].array,
            "text": kept["text"].to_numpy(),
            "url": kept["url"].to_numpy(),
        }
    )


def _ads_table(world: _World, window: _Window, ads: pd.DataFrame) -> pd.DataFrame:
    """Return ``ad_spend`` (account x day x campaign)."""
    kept = ads[ads["day"] >= window.first_day]
    return pd.DataFrame(
        {
            "account_id": world.column("account_id")[kept["acc"].to_numpy()],
            "date": world.days[kept["day"].to_numpy()],
            "spend": kept["spend"].to_numpy(float),
            "campaign": kept["campaign"].to_numpy(),
            "impressions": kept["impressions"].to_numpy(float),
            "clicks": kept["clicks"].to_numpy(float),
        }
    )


def _assemble(world, window, *, plan, posts, daily, messages, sessions, conversions,
              mentions, ads, targets) -> dict[str, pd.DataFrame]:  # fmt: skip
    """Cut every table to the window and give it the data model's columns, in table order."""
    tables = _people_tables(world, window)
    tables["account_daily"] = _daily_table(world, window, daily, posts)
    tables["posts"] = _posts_table(world, window, posts)
    tables["content_plan"] = _plan_table(world, window, plan)
    tables["messages"] = _messages_table(world, window, messages)
    tables["web_sessions"] = _sessions_table(world, window, sessions)
    kept = set(tables["web_sessions"]["session_id"])
    tables["conversions"] = _conversions_table(world, window, conversions, kept)
    tables["mentions"] = _mentions_table(window, mentions)
    tables["ad_spend"] = _ads_table(world, window, ads)
    tables["targets"] = targets
    return {name: tables[name].reset_index(drop=True) for name in SAMPLE_TABLES}


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


def _check_arguments(seed, specialists, months) -> None:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UsageError(f"seed must be a whole number >= 0, got {seed!r}")
    if isinstance(specialists, bool) or not isinstance(specialists, (int, np.integer)):
        raise UsageError(f"specialists must be a whole number, got {specialists!r}")
    if not 2 <= specialists <= 26:
        raise UsageError(f"specialists must be between 2 and 26, got {specialists}")
    if isinstance(months, bool) or not isinstance(months, (int, np.integer)):
        raise UsageError(f"months must be a whole number, got {months!r}")
    if not 1 <= months <= 15:
        raise UsageError(f"months must be between 1 and 15, got {months}")


def _window_first_day(world: _World, months: int) -> int:
    """Return the calendar index of the first day of the last ``months`` months."""
    first = (pd.Period(SAMPLE_END, freq="M") - (months - 1)).start_time
    return _day_index(world.days, first.date().isoformat(), 0)


def generate_sample(
    *,
    seed: int = DEFAULT_SEED,
    specialists: int = 4,
    months: int = 15,
    incidents: bool = True,
) -> tuple[dict[str, pd.DataFrame], list[dict]]:
    """Generate the sample dataset and the ground truth of its planted incidents.

    Pure: no file is read or written, no clock is read; the same arguments give the same
    tables.

    Parameters
    ----------
    seed : int, default DEFAULT_SEED
        Random seed (>= 0).
    specialists : int, default 4
        Number of specialists, 2-26 (``anna``, ``boris``, ``vera``, ``gleb``, then ``spec_e``
        ...; with 2 or 3, ``boris`` and then ``vera`` are left out), about two accounts each.
    months : int, default 15
        Months of data ending 2026-10-31, 1-15 (15: from 2025-08-01).
    incidents : bool, default True
        Plant the gamed metrics of ``gleb`` (bought followers and likes, robot traffic). The
        honest data is the same either way.

    Returns
    -------
    tables : dict of str to DataFrame
        One frame per table of :data:`SAMPLE_TABLES`, with the data model's columns: counts and
        money as float (NaN = not available), dates as ``datetime64``, bools as nullable
        ``boolean``, and timestamps as ISO 8601 *text* with the offset of the account's time
        zone (a few naive ones), exactly as written to the files.
    ground_truth : list of dict
        One object per planted incident, ordered by start, account and kind: ``kind`` (one of
        :data:`INCIDENT_KINDS`), ``account_id``, ``start`` and ``end`` (``YYYY-MM-DD``, local
        days), ``post_ids`` (the posts with bought likes, else empty) and ``size`` (fake
        follows, unfollows, likes or robot sessions planted). Empty without incidents.

    Raises
    ------
    UsageError
        When an argument is out of range.
    """
    _check_arguments(seed, specialists, months)
    sequences = np.random.SeedSequence(int(seed)).spawn(len(_STREAMS))
    rng = {name: np.random.default_rng(s) for name, s in zip(_STREAMS, sequences, strict=True)}
    world = _build_world(int(specialists), rng["layout"])
    first_day = _window_first_day(world, int(months))
    ads = _ad_spend(world, rng["ads"])
    plan, posts = _plan_and_posts(world, ads, rng["posts"])
    daily = _simulate_daily(world, posts, ads, rng["daily"])
    posts = _post_metrics(world, posts, daily, rng["posts"])
    messages = _messages(world, daily, rng["messages"])
    sessions, conversions = _web(world, posts, daily, ads, rng["web"])
    mentions = _mentions(world, posts, daily, rng["mentions"])
    targets = _targets(world, posts, daily, sessions, conversions)
    truth: list[dict] = []
    if incidents:
        daily = _plant_follower_spikes(world, daily, first_day, rng["incidents"], truth)
        posts = _plant_bought_likes(world, posts, first_day, rng["incidents"], truth)
        robots = _plant_robots(world, posts, sessions, first_day, rng["incidents"], truth)
        sessions = pd.concat([sessions, robots], ignore_index=True)
    tables = _assemble(
        world,
        _Window.of(world, first_day),
        plan=plan,
        posts=posts,
        daily=daily,
        messages=messages,
        sessions=sessions,
        conversions=conversions,
        mentions=mentions,
        ads=ads,
        targets=targets,
    )
    truth.sort(key=lambda item: (item["start"], item["account_id"], item["kind"]))
    return tables, truth


def ground_truth_path(out_dir: str | Path) -> Path:
    """Return where the ground truth of a sample folder goes: ``<folder>-ground-truth.json``.

    Examples
    --------
    >>> ground_truth_path("/data/sample").name
    'sample-ground-truth.json'
    """
    folder = Path(out_dir).resolve()
    return folder.with_name(f"{folder.name}-ground-truth.json")


def write_sample(
    out_dir: str | Path,
    *,
    seed: int = DEFAULT_SEED,
    specialists: int = 4,
    months: int = 15,
    incidents: bool = True,
) -> str:
    """Write the sample dataset into ``out_dir`` and its ground truth beside it.

    The folder is written as a whole through a temporary sibling folder and replaces
    ``out_dir`` (and everything in it) only when complete. Tables go to ``<table>.csv``, the
    large ones (:data:`PARQUET_TABLES`) to ``<table>.parquet``; the ground truth goes to
    ``<out_dir.parent>/<out_dir.name>-ground-truth.json`` (sorted keys, indent 2).

    Parameters
    ----------
    out_dir : str or Path
        The dataset folder to write (replaced if it exists; the CLI asks for ``--force``).
    seed, specialists, months, incidents
        As in :func:`generate_sample`.

    Returns
    -------
    str
        A one-line summary, e.g. ``"4 specialists, 7 accounts, 123 456 rows"``.
    """
    tables, truth = generate_sample(
        seed=seed, specialists=specialists, months=months, incidents=incidents
    )
    out = Path(out_dir)
    with atomic_directory(out, replace=True) as folder:
        for name in SAMPLE_TABLES:
            fmt = "parquet" if name in PARQUET_TABLES else "csv"
            write_table(tables[name], TABLES[name], folder, fmt=fmt)
    atomic_write_text(ground_truth_path(out), json.dumps(truth, sort_keys=True, indent=2) + "\n")
    rows = f"{sum(len(frame) for frame in tables.values()):,}".replace(",", " ")
    return (
        f"{len(tables['specialists'])} specialists, {len(tables['accounts'])} accounts, {rows} rows"
    )
