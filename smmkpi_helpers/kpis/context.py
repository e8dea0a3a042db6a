"""Context: attributed revenue, shown beside the KPIs and never scored (SMM cannot promise sales).

Rule 11: ``attributed_revenue`` sums the ``value`` of the scope's purchase conversions; it is 0
without purchases and null only without a ``conversions`` table (or when every purchase leaves
``value`` empty: a sum of nothing reported is not 0, rule 14).
"""

from __future__ import annotations

import pandas as pd

from ..dataset import Dataset
from ..scope import Scope
from ._posts import null_values, sum_or_none
from .goals import scoped_conversions

__all__ = ["FAMILY", "compute"]

FAMILY = "context"


def compute(
    ds: Dataset, scope: Scope, *, conversions: pd.DataFrame | None = None
) -> dict[str, float | int | None]:
    """Compute the context values of one scope.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The specialist's scope.
    conversions : DataFrame, optional
        ``goals.scoped_conversions(ds, scope)`` when the caller already has it (extends the
        ``compute(ds, scope)`` contract).

    Returns
    -------
    dict
        ``attributed_revenue`` (money, in the accounts' currency): 0.0 without purchases,
        None without a ``conversions`` table or when no purchase reports its value.
    """
    values: dict[str, float | int | None] = null_values(FAMILY)
    if scope.is_empty or not ds.has("conversions"):
        return values
    if conversions is None:
        conversions = scoped_conversions(ds, scope)
    purchases = conversions.loc[conversions["goal"] == "purchase", "value"]
    values["attributed_revenue"] = sum_or_none(purchases, empty=0.0)
    return values
