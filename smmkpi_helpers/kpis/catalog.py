"""The KPI catalog as data: one row per KPI id (``../shared/spec/kpi-catalog.md``).

The KPI table, the scorecard, ``results.json``, the notebooks' glossaries and the docs all read
this registry. Adding a KPI touches its family module and one row here. Ids are a contract:
none may be renamed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CATALOG", "FAMILIES", "KPI_IDS", "Kpi", "catalog_frame", "kpi"]


@dataclass(frozen=True)
class Kpi:
    """One KPI of the catalog.

    Attributes
    ----------
    id : str
        The contract id (``er_reach``).
    family : str
        Its family (``engagement``).
    label : str
        A short human name.
    unit : str
        ``count``, ``%``, ``min``, ``s``, ``pages``, ``posts``, ``money``, ``score`` or ``ratio``.
    better : str or None
        ``higher``, ``lower`` or None (context, not judged).
    gameable : bool
        Whether the number is easy to buy or fake.
    definition : str
        The formula in plain words.
    integer : bool
        Whether the value is a count (written as an integer).
    """

    id: str
    family: str
    label: str
    unit: str
    better: str | None
    gameable: bool
    definition: str
    integer: bool = False


def _k(id_, family, label, unit, better, gameable, definition, integer=False) -> Kpi:
    return Kpi(id_, family, label, unit, better, gameable, definition, integer)


CATALOG: tuple[Kpi, ...] = (
    # subscribers
    _k(
        "followers_end",
        "subscribers",
        "Followers at period end",
        "count",
        "higher",
        True,
        "sum over scoped accounts of followers on the account's last scoped day",
        True,
    ),
    _k(
        "net_follower_growth",
        "subscribers",
        "Net follower growth",
        "count",
        "higher",
        True,
        "followers_end - followers_start",
        True,
    ),
    _k(
        "follower_growth_rate",
        "subscribers",
        "Follower growth rate",
        "%",
        "higher",
        True,
        "net_follower_growth / followers_start x 100",
    ),
    _k(
        "unfollow_rate",
        "subscribers",
        "Unfollow rate",
        "%",
        "lower",
        False,
        "sum of unfollows / followers_start x 100",
    ),
    _k(
        "clean_net_follower_growth",
        "subscribers",
        "Net follower growth, cleaned",
        "count",
        "higher",
        False,
        "net growth minus the excess follows of flagged spikes, plus the excess unfollows of "
        "the unfollow wave that follows them",
        True,
    ),
    # reach
    _k(
        "avg_daily_reach",
        "reach",
        "Average daily reach",
        "count",
        "higher",
        False,
        "mean over scoped dates of the day's reach summed over accounts",
    ),
    _k(
        "reach_growth",
        "reach",
        "Reach growth",
        "%",
        "higher",
        False,
        "change of avg_daily_reach against the comparison period x 100",
    ),
    _k(
        "avg_post_reach",
        "reach",
        "Average post reach",
        "count",
        "higher",
        False,
        "mean reach per post (posts that report reach)",
    ),
    _k(
        "reach_rate",
        "reach",
        "Reach rate",
        "%",
        "higher",
        False,
        "sum post reach / sum followers on the posts' days x 100",
    ),
    # engagement
    _k(
        "interactions",
        "engagement",
        "Interactions",
        "count",
        "higher",
        True,
        "sum of likes + comments + shares + saves over posts",
        True,
    ),
    _k(
        "er_reach",
        "engagement",
        "ER by reach (ERR)",
        "%",
        "higher",
        True,
        "sum interactions / sum reach x 100",
    ),
    _k(
        "er_followers",
        "engagement",
        "ER by followers",
        "%",
        "higher",
        True,
        "sum interactions / sum followers on the posts' days x 100",
    ),
    _k(
        "er_views",
        "engagement",
        "ER by views",
        "%",
        "higher",
        True,
        "sum interactions / sum views x 100",
    ),
    _k(
        "love_rate",
        "engagement",
        "Love rate",
        "%",
        "higher",
        True,
        "sum likes / sum followers on the posts' days x 100",
    ),
    _k(
        "talk_rate",
        "engagement",
        "Talk rate",
        "%",
        "higher",
        False,
        "sum comments / sum followers on the posts' days x 100",
    ),
    _k(
        "amplification_rate",
        "engagement",
        "Amplification rate",
        "%",
        "higher",
        False,
        "sum shares / sum followers on the posts' days x 100",
    ),
    # content
    _k(
        "posts_published",
        "content",
        "Posts published",
        "posts",
        "higher",
        False,
        "posts in scope",
        True,
    ),
    _k(
        "plan_completion",
        "content",
        "Content plan completion",
        "%",
        "higher",
        False,
        "fulfilled content-plan slots / planned slots x 100",
    ),
    _k(
        "interactions_per_post",
        "content",
        "Interactions per post",
        "count",
        "higher",
        True,
        "sum interactions / posts that report interactions",
    ),
    # communications
    _k(
        "requests",
        "communications",
        "Requests",
        "count",
        None,
        False,
        "runs of consecutive user messages in a thread starting in scope",
        True,
    ),
    _k(
        "response_rate",
        "communications",
        "Response rate",
        "%",
        "higher",
        False,
        "requests answered by a staff message / requests x 100",
    ),
    _k(
        "median_first_response_min",
        "communications",
        "Median first response",
        "min",
        "lower",
        False,
        "median minutes from a request to the first staff message",
    ),
    _k(
        "p90_first_response_min",
        "communications",
        "90th percentile first response",
        "min",
        "lower",
        False,
        "90th percentile of the same",
    ),
    _k(
        "median_first_response_work_min",
        "communications",
        "Median first response, working hours",
        "min",
        "lower",
        False,
        "median of the same, counting only minutes inside the account's working hours",
    ),
    _k(
        "p90_first_response_work_min",
        "communications",
        "90th percentile first response, working hours",
        "min",
        "lower",
        False,
        "90th percentile of the same, working-hours minutes only",
    ),
    _k(
        "redirect_rate",
        "communications",
        "Redirect rate",
        "%",
        "lower",
        False,
        "first staff answers that sent the person elsewhere / first staff answers x 100",
    ),
    # traffic
    _k(
        "social_sessions",
        "traffic",
        "Site sessions from social",
        "count",
        "higher",
        True,
        "web sessions from scoped accounts, robots excluded",
        True,
    ),
    _k(
        "bounce_rate",
        "traffic",
        "Bounce rate",
        "%",
        "lower",
        False,
        "bounced sessions / social sessions x 100",
    ),
    _k(
        "avg_session_duration_s",
        "traffic",
        "Average session duration",
        "s",
        "higher",
        False,
        "mean duration of social sessions",
    ),
    _k(
        "pages_per_session",
        "traffic",
        "Pages per session",
        "pages",
        "higher",
        False,
        "sum pageviews / social sessions",
    ),
    _k(
        "post_ctr",
        "traffic",
        "Post click-through rate",
        "%",
        "higher",
        False,
        "sum post link clicks / sum post reach x 100",
    ),
    # goals
    _k(
        "conversions",
        "goals",
        "Conversions",
        "count",
        "higher",
        False,
        "goals reached, attributed to scoped accounts",
        True,
    ),
    _k(
        "leads",
        "goals",
        "Leads",
        "count",
        "higher",
        False,
        "conversions of goal contact_form, call, direct_message, consultation or sample_order",
        True,
    ),
    _k(
        "conversion_rate",
        "goals",
        "Conversion rate",
        "%",
        "higher",
        False,
        "social sessions with a conversion / social sessions x 100",
    ),
    _k(
        "cost_per_lead",
        "goals",
        "Cost per lead",
        "money",
        "lower",
        False,
        "ad spend of scoped account-days / leads",
    ),
    # awareness
    _k(
        "mentions",
        "awareness",
        "Mentions",
        "count",
        "higher",
        True,
        "mentions of the scoped accounts' brands, not by the brand itself",
        True,
    ),
    _k(
        "mentions_growth",
        "awareness",
        "Mentions growth",
        "%",
        "higher",
        True,
        "change of mentions per scoped date against the comparison period x 100",
    ),
    _k(
        "share_of_voice",
        "awareness",
        "Share of voice",
        "%",
        "higher",
        False,
        "the brands' mentions / all brands' mentions on the scope's days x 100",
    ),
    _k(
        "net_sentiment",
        "awareness",
        "Net sentiment",
        "%",
        "higher",
        False,
        "(positive - negative) / (positive + negative) x 100",
    ),
    # integrity
    _k(
        "integrity_score",
        "integrity",
        "Integrity score",
        "score",
        "higher",
        False,
        "0-100, 100 = no sign of gamed metrics",
    ),
    # context
    _k(
        "attributed_revenue",
        "context",
        "Attributed revenue",
        "money",
        None,
        False,
        "sum value of purchase conversions; shown for context, never scored",
    ),
)

KPI_IDS: frozenset[str] = frozenset(k.id for k in CATALOG)
#: Family names in the order reports show them.
FAMILIES: tuple[str, ...] = tuple(dict.fromkeys(k.family for k in CATALOG))
_BY_ID = {k.id: k for k in CATALOG}


def kpi(kpi_id: str) -> Kpi:
    """Return the catalog row of ``kpi_id``.

    Raises
    ------
    KeyError
        For an id the catalog does not have.
    """
    return _BY_ID[kpi_id]


def catalog_frame():
    """Return the catalog as a DataFrame (one row per KPI), for glossaries and docs."""
    import pandas as pd

    return pd.DataFrame([k.__dict__ for k in CATALOG])
