"""Engagement: interactions, ER by reach, followers and views, love, talk and amplification rates.

Every rate is a ratio of sums over posts, pairwise (rule 6): a post enters a rate only when it
reports both the numerator and the denominator. ``I_i`` (``interactions``) adds the reported
likes, comments, shares and saves; a post reporting none of them is left out of every KPI built
on ``I_i``. ``F_i`` is the account's followers on the post's local day (rule 5).
"""

from __future__ import annotations

import pandas as pd

from ..dataset import Dataset
from ..scope import Scope
from ._posts import count_or_none, null_values, ratio_of_sums, scoped_posts

__all__ = ["FAMILY", "compute"]

FAMILY = "engagement"


def compute(
    ds: Dataset, scope: Scope, *, posts: pd.DataFrame | None = None
) -> dict[str, float | int | None]:
    """Compute the engagement KPIs of one scope.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.
    posts : DataFrame, optional
        ``scoped_posts(ds, scope)`` when the caller already has it (the entry point passes it
        to avoid recomputing it per family); computed when omitted. This keyword extends the
        ``compute(ds, scope)`` contract.

    Returns
    -------
    dict
        ``interactions`` (int: 0 without posts, None when posts exist but none reports an
        interaction count), and the percentages ``er_reach``, ``er_followers``, ``er_views``,
        ``love_rate``, ``talk_rate``, ``amplification_rate`` (None without a pair).
    """
    values: dict[str, float | int | None] = null_values(FAMILY)
    if scope.is_empty:
        return values
    if posts is None:
        posts = scoped_posts(ds, scope)
    interactions = posts["interactions"]
    followers = posts["followers_on_day"]
    if posts.empty:
        values["interactions"] = 0
    elif interactions.notna().any():
        values["interactions"] = count_or_none(float(interactions.sum()))
    values["er_reach"] = ratio_of_sums(interactions, posts["reach"], scale=100)
    values["er_followers"] = ratio_of_sums(interactions, followers, scale=100)
    values["er_views"] = ratio_of_sums(interactions, posts["views"], scale=100)
    values["love_rate"] = ratio_of_sums(posts["likes"], followers, scale=100)
    values["talk_rate"] = ratio_of_sums(posts["comments"], followers, scale=100)
    values["amplification_rate"] = ratio_of_sums(posts["shares"], followers, scale=100)
    return values
