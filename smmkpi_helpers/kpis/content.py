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
from ._posts import AccountDays, null_values, scoped_posts

__all__ = ["FAMILY", "compute", "plan_by_day"]

FAMILY = "content"


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
    planned, published, fulfilled = _plan_counts(ds, scope, posts)
    days = scope.days
    return pd.DataFrame(
        {
            "account_id": days["account_id"].to_numpy(),
            "date": days["date"].to_numpy(),
            "planned": np.nan if planned is None else planned,
            "published": published,
            "fulfilled": np.nan if fulfilled is None else fulfilled,
        }
    )


def _plan_counts(
    ds: Dataset, scope: Scope, posts: pd.DataFrame
) -> tuple[np.ndarray | None, np.ndarray, np.ndarray | None]:
    """Return planned, published and fulfilled counts per row of ``scope.days`` (rule 8).

    ``planned`` and ``fulfilled`` are None without a ``content_plan`` table.
    """
    n = len(scope.days)
    if not n:
        empty = np.zeros(0, dtype="int64")
        return (empty if ds.has("content_plan") else None), empty, None
    index = AccountDays(scope.days["account_id"], scope.days["date"])
    post_day = index.positions(posts["account_id"], posts["date"])
    published = np.bincount(post_day[post_day >= 0], minlength=n).astype("int64")
    plan = ds.get("content_plan")
    if plan is None:
        return None, published, None
    slot_day = index.positions(plan["account_id"], plan["planned_date"])
    in_scope_ = slot_day >= 0
    slot_day = slot_day[in_scope_]
    slot_format = _format_codes(plan["format"])[in_scope_]
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
    planned = np.bincount(slot_day, minlength=n).astype("int64")
    return planned, published, fulfilled.astype("int64")


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
    planned, _, fulfilled = _plan_counts(ds, scope, posts)
    if planned is not None and planned.sum():
        values["plan_completion"] = int(fulfilled.sum()) / int(planned.sum()) * 100
    interactions = posts["interactions"].dropna()
    if len(interactions):
        values["interactions_per_post"] = float(interactions.sum()) / len(interactions)
    return values
