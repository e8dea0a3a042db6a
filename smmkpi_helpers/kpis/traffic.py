"""Traffic: site sessions from the scoped accounts, bounce rate, duration, depth, post CTR.

Sessions come from ``web_sessions`` (one row per visit). Only ``robot=true`` is excluded; an
empty ``robot`` is kept. An explicit ``bounce`` wins; an empty one is computed with Yandex
Metrica's rule: exactly one pageview and under 15 seconds (rule 10). A session counts for the
scope when its ``account_id`` is scoped on the local day it started.

When ``web_sessions`` is absent and ``web_daily`` is present, the aggregates stand in:
``social_sessions`` = sessions minus robot_sessions (an empty robot_sessions subtracts nothing,
as an empty ``robot`` excludes nothing), and the other KPIs divide the reported totals by the
social sessions of the same rows (pairwise: a day that does not report ``bounces`` is left out
of the bounce rate). ``post_ctr`` is built on posts and needs neither table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..scope import Scope
from ._posts import (
    day_numbers,
    isin_text,
    null_values,
    ratio_of_sums,
    rows_in_scope,
    scope_positions,
    scoped_posts,
)

__all__ = ["BOUNCE_MAX_SECONDS", "FAMILY", "compute", "social_sessions_table"]

FAMILY = "traffic"

#: Yandex Metrica's bounce: one pageview and a visit shorter than this many seconds.
BOUNCE_MAX_SECONDS = 15


def social_sessions_table(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the scoped, non-robot web sessions with their bounce and conversion flags.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset with a ``web_sessions`` table.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        The ``web_sessions`` rows started (local day) on a scoped account-day, robots left
        out, plus ``date`` (the local day), ``bounced`` (bool: the explicit ``bounce``, or the
        Metrica rule when it is empty) and ``converted`` (bool: some row of ``conversions``
        names the session; False without a ``conversions`` table). Index reset.

    Raises
    ------
    KeyError
        When the dataset has no ``web_sessions`` table.
    """
    sessions = ds["web_sessions"]
    days = day_numbers(sessions["started_at_local"]).astype("datetime64[D]")
    robot = sessions["robot"].to_numpy(dtype=bool, na_value=False)
    keep = (scope_positions(scope, sessions["account_id"], days) >= 0) & ~robot
    frame = sessions[keep].reset_index(drop=True)
    pageviews = frame["pageviews"].to_numpy(dtype="float64")
    duration = frame["duration_s"].to_numpy(dtype="float64")
    metrica = (pageviews == 1) & (duration < BOUNCE_MAX_SECONDS)
    explicit = frame["bounce"]
    bounced = np.where(
        explicit.isna().to_numpy(), metrica, explicit.to_numpy(dtype=bool, na_value=False)
    )
    conversions = ds.get("conversions")
    if conversions is None:
        converted = np.zeros(len(frame), dtype=bool)
    else:
        converted = isin_text(frame["session_id"], conversions["session_id"]).to_numpy()
    return frame.assign(
        date=days[keep].astype("datetime64[ns]"), bounced=bounced, converted=converted
    )


def compute(
    ds: Dataset,
    scope: Scope,
    *,
    posts: pd.DataFrame | None = None,
    sessions: pd.DataFrame | None = None,
) -> dict[str, float | int | None]:
    """Compute the traffic KPIs of one scope.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.
    posts : DataFrame, optional
        ``scoped_posts(ds, scope)`` when the caller already has it (extends the contract).
    sessions : DataFrame, optional
        :func:`social_sessions_table` when the caller already has it (extends the contract).

    Returns
    -------
    dict
        ``social_sessions`` (int; 0 when the table has no row in scope), ``bounce_rate``
        (percent), ``avg_session_duration_s`` (seconds), ``pages_per_session``, and
        ``post_ctr`` (sum post link clicks / sum post reach x 100, pairwise). The session KPIs
        are None when neither ``web_sessions`` nor ``web_daily`` exists.
    """
    values: dict[str, float | int | None] = null_values(FAMILY)
    if scope.is_empty:
        return values
    if posts is None:
        posts = scoped_posts(ds, scope)
    values["post_ctr"] = ratio_of_sums(posts["link_clicks"], posts["reach"], scale=100)
    if ds.has("web_sessions"):
        table = social_sessions_table(ds, scope) if sessions is None else sessions
        n = len(table)
        values["social_sessions"] = n
        if n:
            values["bounce_rate"] = float(table["bounced"].sum()) / n * 100
            values["avg_session_duration_s"] = float(table["duration_s"].mean())
            values["pages_per_session"] = float(table["pageviews"].sum()) / n
    elif ds.has("web_daily"):
        rows = rows_in_scope(ds["web_daily"], scope, day_column="date")
        social = rows["sessions"] - rows["robot_sessions"].fillna(0)
        values["social_sessions"] = int(social.sum()) if len(rows) else 0
        values["bounce_rate"] = ratio_of_sums(rows["bounces"], social, scale=100)
        values["avg_session_duration_s"] = ratio_of_sums(rows["duration_s"], social)
        values["pages_per_session"] = ratio_of_sums(rows["pageviews"], social)
    return values
