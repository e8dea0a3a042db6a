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
from ..schema import POST_FORMATS
from ..scope import Scope
from ._posts import null_values, scope_positions, scoped_posts

__all__ = ["FAMILY", "compute", "plan_by_day"]

FAMILY = "content"

_KEYS = ["account_id", "date"]


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
    days = scope.days[_KEYS].reset_index(drop=True)
    n = len(days)
    post_day = scope_positions(scope, posts["account_id"], posts["date"])
    published = np.bincount(post_day[post_day >= 0], minlength=n)
    out = days.assign(planned=np.nan, published=published.astype("int64"), fulfilled=np.nan)
    plan = ds.get("content_plan")
    if plan is None:
        return out[[*_KEYS, "planned", "published", "fulfilled"]]
    slot_day = scope_positions(scope, plan["account_id"], plan["planned_date"])
    in_scope_ = slot_day >= 0
    slot_day = slot_day[in_scope_]
    slot_format = _format_codes(plan["format"])[in_scope_]
    planned = np.bincount(slot_day, minlength=n)
    # formatted slots take posts of their format: per (day, format) min(slots, posts)
    width = len(POST_FORMATS)
    formatted = slot_format >= 0
    slots_f = np.bincount(slot_day[formatted] * width + slot_format[formatted], minlength=n * width)
    post_format = _format_codes(posts["format"])
    ok = (post_day >= 0) & (post_format >= 0)
    posts_f = np.bincount(post_day[ok] * width + post_format[ok], minlength=n * width)
    filled_f = np.minimum(slots_f, posts_f).reshape(n, width).sum(axis=1)
    # then slots without a format take any post left
    free = np.bincount(slot_day[~formatted], minlength=n)
    fulfilled = filled_f + np.minimum(free, published - filled_f)
    return out.assign(planned=planned.astype("int64"), fulfilled=fulfilled.astype("int64"))[
        [*_KEYS, "planned", "published", "fulfilled"]
    ]


def _format_codes(formats: pd.Series) -> np.ndarray:
    """Return each format's position in the data model's list (-1 when empty)."""
    return pd.Index(POST_FORMATS, dtype=object).get_indexer(formats.to_numpy(dtype=object))


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
