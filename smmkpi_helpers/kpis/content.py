"""Content: posts published, content-plan completion (rule 8), interactions per post.

Plan matching (rule 8): within one account's local day, slots that name a format take a post of
that format, then slots without a format take any post left; one post fills one slot. Counting
per (account, day, format) gives the same result as matching one by one: a formatted slot can
only use a post of its format, and each such match removes at most one post an unformatted slot
could have used, so filling formatted slots first is optimal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..scope import Scope, in_scope
from ._posts import null_values, scoped_posts

__all__ = ["FAMILY", "compute", "plan_by_day"]

FAMILY = "content"

_KEYS = ["account_id", "date"]


def _counts(frame: pd.DataFrame, keys: list[str], name: str) -> pd.Series:
    return frame.groupby(keys, sort=False).size().rename(name)


def plan_by_day(ds: Dataset, scope: Scope, *, posts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return, for every scoped account-day, the planned slots, the posts and the slots filled.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.
    posts : DataFrame, optional
        ``scoped_posts(ds, scope)`` when the caller already has it.

    Returns
    -------
    DataFrame
        One row per scoped account-day (sorted by account and date): ``account_id``, ``date``,
        ``planned`` (slots), ``published`` (posts, int), ``fulfilled`` (slots filled by rule 8).
        Without a ``content_plan`` table ``planned`` and ``fulfilled`` are NaN (no data, not 0);
        with one they are int.
    """
    if posts is None:
        posts = scoped_posts(ds, scope)
    days = scope.days[_KEYS]
    published = _counts(posts, _KEYS, "published")
    out = days.merge(published, left_on=_KEYS, right_index=True, how="left")
    out = out.assign(published=out["published"].fillna(0).astype("int64"))
    plan = ds.get("content_plan")
    if plan is None:
        return out.assign(planned=np.nan, fulfilled=np.nan)[
            [*_KEYS, "planned", "published", "fulfilled"]
        ].reset_index(drop=True)
    plan = in_scope(plan.rename(columns={"planned_date": "date"}), scope, day_column="date")
    with_format = plan[plan["format"].notna()]
    slots_f = _counts(with_format, [*_KEYS, "format"], "slots")
    posts_f = _counts(posts, [*_KEYS, "format"], "posts")
    matched = pd.concat([slots_f, posts_f], axis=1, join="inner")
    by_format = (
        matched[["slots", "posts"]].min(axis=1).groupby(level=[0, 1]).sum().rename("filled_f")
    )
    slots_free = _counts(plan[plan["format"].isna()], _KEYS, "slots_free")
    planned = _counts(plan, _KEYS, "planned")
    for extra in (planned, by_format, slots_free):
        out = out.merge(extra, left_on=_KEYS, right_index=True, how="left")
    counts = out[["planned", "filled_f", "slots_free"]].fillna(0).astype("int64")
    left_over = out["published"] - counts["filled_f"]
    fulfilled = counts["filled_f"] + np.minimum(counts["slots_free"], left_over)
    return pd.DataFrame(
        {
            "account_id": out["account_id"],
            "date": out["date"],
            "planned": counts["planned"],
            "published": out["published"],
            "fulfilled": fulfilled.astype("int64"),
        }
    ).reset_index(drop=True)


def compute(
    ds: Dataset, scope: Scope, *, posts: pd.DataFrame | None = None
) -> dict[str, float | int | None]:
    """Compute the content KPIs of one scope.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.
    posts : DataFrame, optional
        ``scoped_posts(ds, scope)`` when the caller already has it (extends the contract).

    Returns
    -------
    dict
        ``posts_published`` (int), ``plan_completion`` (percent; None without a
        ``content_plan`` table or without a slot in scope), ``interactions_per_post`` (sum
        ``I_i`` / posts that report ``I_i``; None when no post does).
    """
    values: dict[str, float | int | None] = null_values(FAMILY)
    if scope.is_empty:
        return values
    if posts is None:
        posts = scoped_posts(ds, scope)
    values["posts_published"] = len(posts)
    if ds.has("content_plan"):
        calendar = plan_by_day(ds, scope, posts=posts)
        planned = int(calendar["planned"].sum())
        if planned:
            values["plan_completion"] = int(calendar["fulfilled"].sum()) / planned * 100
    interactions = posts["interactions"].dropna()
    if len(interactions):
        values["interactions_per_post"] = float(interactions.sum()) / len(interactions)
    return values
