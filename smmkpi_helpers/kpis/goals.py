"""Goals: conversions, leads, conversion rate, cost per lead (rules 10-11).

Conversions count through their ``account_id`` only: a conversion belongs to the scope when
its account is scoped on the local day it occurred. ``conversion_rate`` divides the scoped
social sessions that some conversion names (by ``session_id``, whatever that conversion's own
account or day) by the social sessions; it needs ``web_sessions`` (rows, not the ``web_daily``
aggregates, which cannot tell which session converted).
"""

from __future__ import annotations

import pandas as pd

from ..dataset import Dataset
from ..schema import LEAD_GOALS
from ..scope import Scope
from ._posts import day_numbers, null_values, rows_in_scope, scope_positions
from .traffic import social_sessions_table

__all__ = ["FAMILY", "compute", "scoped_conversions"]

FAMILY = "goals"


def scoped_conversions(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the conversions attributed to the scope, with their day and a lead flag.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset with a ``conversions`` table.
    scope : Scope
        The specialist's scope.

    Returns
    -------
    DataFrame
        The ``conversions`` rows whose ``account_id`` is scoped on their local day, plus
        ``date`` (that day) and ``lead`` (bool: the goal is one of
        :data:`smmkpi_helpers.schema.LEAD_GOALS`). Index reset.

    Raises
    ------
    KeyError
        When the dataset has no ``conversions`` table.
    """
    conversions = ds["conversions"]
    days = day_numbers(conversions["occurred_at_local"]).astype("datetime64[D]")
    keep = scope_positions(scope, conversions["account_id"], days) >= 0
    frame = conversions[keep].reset_index(drop=True)
    lead = pd.Index(LEAD_GOALS, dtype=object).get_indexer(frame["goal"].to_numpy(dtype=object))
    return frame.assign(date=days[keep].astype("datetime64[ns]"), lead=lead >= 0)


def compute(
    ds: Dataset,
    scope: Scope,
    *,
    sessions: pd.DataFrame | None = None,
    conversions: pd.DataFrame | None = None,
) -> dict[str, float | int | None]:
    """Compute the goal KPIs of one scope.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.
    sessions : DataFrame, optional
        ``traffic.social_sessions_table(ds, scope)`` when the caller already has it
        (extends the ``compute(ds, scope)`` contract).
    conversions : DataFrame, optional
        :func:`scoped_conversions` when the caller already has it (extends the contract).

    Returns
    -------
    dict
        ``conversions`` and ``leads`` (int; None without a ``conversions`` table),
        ``conversion_rate`` (percent; None without ``web_sessions`` or without a social
        session), ``cost_per_lead`` (the spend of the scoped account-days, 0 when there is
        none, over leads; None without an ``ad_spend`` table or without leads).
    """
    values: dict[str, float | int | None] = null_values(FAMILY)
    if scope.is_empty or not ds.has("conversions"):
        return values
    if conversions is None:
        conversions = scoped_conversions(ds, scope)
    leads = int(conversions["lead"].sum())
    values["conversions"] = len(conversions)
    values["leads"] = leads
    if ds.has("web_sessions"):
        if sessions is None:
            sessions = social_sessions_table(ds, scope)
        if len(sessions):
            values["conversion_rate"] = float(sessions["converted"].sum()) / len(sessions) * 100
    if ds.has("ad_spend") and leads:
        spend = rows_in_scope(ds["ad_spend"], scope, day_column="date")["spend"]
        values["cost_per_lead"] = float(spend.sum()) / leads
    return values
