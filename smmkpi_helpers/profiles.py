"""Business-goal profiles: which KPIs count for each goal, their weights, and why.

One place, as data. The scorecard reads it, the reports print the reasons, and
``docs/scorecard.md`` explains it. Weights within a profile add up to 100. Subscriber numbers
never weigh much: they are the easiest to buy, so follower growth counts through
``clean_net_follower_growth`` (bought followers removed) and lightly. Sales
(``attributed_revenue``) are shown for context and never scored: SMM cannot guarantee them.
"""

from __future__ import annotations

from dataclasses import dataclass

from .kpis.catalog import KPI_IDS
from .schema import BUSINESS_GOALS

__all__ = ["PROFILES", "Profile", "profile"]


@dataclass(frozen=True)
class Profile:
    """The KPIs a business goal is judged on.

    Attributes
    ----------
    goal : str
        One of the data model's business goals.
    title : str
        A short name for reports.
    reason : str
        Why these KPIs, in plain words (the specialist must be able to defend them).
    weights : dict
        ``{kpi id: weight}``; the weights add up to 100.
    """

    goal: str
    title: str
    reason: str
    weights: dict[str, float]


PROFILES: dict[str, Profile] = {
    p.goal: p
    for p in (
        Profile(
            "sales",
            "Direct sales",
            "The community exists to bring buyers to the site. What SMM controls on that path "
            "is how many of the right people see the posts (reach), how many of them come to "
            "the site and stay (traffic quality), and how many reach a goal such as a contact "
            "form or a call. Sales themselves are shown but not scored: price, stock and the "
            "sales team decide them, not SMM.",
            {
                "avg_daily_reach": 12,
                "reach_growth": 6,
                "post_ctr": 10,
                "social_sessions": 12,
                "bounce_rate": 6,
                "avg_session_duration_s": 4,
                "conversion_rate": 14,
                "leads": 14,
                "cost_per_lead": 10,
                "er_reach": 5,
                "response_rate": 4,
                "clean_net_follower_growth": 3,
            },
        ),
        Profile(
            "leads",
            "Lead generation",
            "The community should turn interest into warm contacts: people who write, call or "
            "leave a form. That depends on goals reached from the community and on how the "
            "specialist talks to people: answering fast and in substance instead of sending "
            "them to 'call our manager'.",
            {
                "leads": 20,
                "conversion_rate": 10,
                "cost_per_lead": 10,
                "response_rate": 14,
                "median_first_response_work_min": 10,
                "redirect_rate": 10,
                "social_sessions": 6,
                "post_ctr": 6,
                "er_reach": 6,
                "avg_daily_reach": 5,
                "clean_net_follower_growth": 3,
            },
        ),
        Profile(
            "awareness",
            "Brand awareness",
            "The goal is that more people know and talk about the brand. Reach measures how "
            "many people saw it; mentions, share of voice against competitors and their "
            "sentiment measure whether people talk about it, and how.",
            {
                "avg_daily_reach": 18,
                "reach_growth": 10,
                "reach_rate": 8,
                "mentions": 14,
                "mentions_growth": 6,
                "share_of_voice": 14,
                "net_sentiment": 12,
                "amplification_rate": 8,
                "er_reach": 5,
                "clean_net_follower_growth": 5,
            },
        ),
        Profile(
            "community",
            "Community",
            "A community lives on conversation: people react, comment and share, and get "
            "answers when they ask. Engagement by reach shows whether content is worth "
            "reacting to, communications show whether the specialist talks with members, and "
            "the content plan shows steady, planned publishing.",
            {
                "er_reach": 16,
                "talk_rate": 10,
                "amplification_rate": 6,
                "interactions_per_post": 8,
                "response_rate": 14,
                "median_first_response_work_min": 10,
                "redirect_rate": 6,
                "plan_completion": 12,
                "posts_published": 6,
                "unfollow_rate": 6,
                "clean_net_follower_growth": 6,
            },
        ),
        Profile(
            "education",
            "Education and expertise",
            "Educational, blog and professional communities win when people find the content "
            "useful: they engage with it, share it with colleagues and ask questions that get "
            "answered. Regular publishing by plan matters because learning is a habit.",
            {
                "er_reach": 14,
                "amplification_rate": 12,
                "talk_rate": 8,
                "interactions_per_post": 8,
                "avg_post_reach": 6,
                "response_rate": 14,
                "median_first_response_work_min": 10,
                "plan_completion": 12,
                "posts_published": 6,
                "unfollow_rate": 5,
                "clean_net_follower_growth": 5,
            },
        ),
        Profile(
            "entertainment",
            "Entertainment",
            "Entertainment content is judged by whether people enjoy and pass it on: "
            "engagement and shares, the reach of each post, and a steady flow of publications. "
            "Replies to the audience still matter, a little less than in a community.",
            {
                "er_reach": 18,
                "amplification_rate": 14,
                "interactions_per_post": 10,
                "avg_post_reach": 10,
                "reach_growth": 6,
                "plan_completion": 10,
                "posts_published": 8,
                "response_rate": 10,
                "unfollow_rate": 7,
                "clean_net_follower_growth": 7,
            },
        ),
    )
}


def profile(goal: str) -> Profile:
    """Return the profile of a business goal.

    Raises
    ------
    KeyError
        For a goal the data model does not list.
    """
    return PROFILES[goal]


def _check() -> None:
    assert set(PROFILES) == set(BUSINESS_GOALS), "one profile per business goal"
    for p in PROFILES.values():
        unknown = set(p.weights) - KPI_IDS
        assert not unknown, f"{p.goal}: unknown KPI ids {unknown}"
        assert abs(sum(p.weights.values()) - 100) < 1e-9, f"{p.goal}: weights add up to 100"
        assert "attributed_revenue" not in p.weights, "sales are never scored"


_check()
