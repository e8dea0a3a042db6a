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
from ..scope import Scope, in_scope
from ._posts import null_values
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
    frame = conversions.assign(date=conversions["occurred_at_local"].dt.normalize())
    frame = in_scope(frame, scope, day_column="date")
    return frame.assign(lead=frame["goal"].isin(LEAD_GOALS)).reset_index(drop=True)


def compute(
    ds: Dataset, scope: Scope, *, sessions: pd.DataFrame | None = None
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
        spend = in_scope(ds["ad_spend"], scope, day_column="date")["spend"]
        values["cost_per_lead"] = float(spend.sum()) / leads
    return values
