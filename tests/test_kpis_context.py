"""Context: attributed revenue (rule 11)."""

from __future__ import annotations

import pytest

from smmkpi_helpers.kpis import context
from smmkpi_helpers.scope import build_scope


def conversion(cid: str, goal: str, value=None, account: str = "vk_a") -> dict:
    return {
        "conversion_id": cid,
        "occurred_at": "2026-10-10T12:00:00Z",
        "goal": goal,
        "account_id": account,
        "value": value,
    }


def revenue(ds):
    return context.compute(ds, build_scope(ds, "anna", "2026-10"))["attributed_revenue"]


def test_attributed_revenue_sums_purchases(build):
    rows = [
        conversion("c1", "purchase", 1000),
        conversion("c2", "purchase", "500.50"),
        conversion("c3", "purchase"),  # value not reported: adds nothing
        conversion("c4", "call", 9999),  # not a purchase
    ]
    # 1000 + 500.50 = 1500.5
    assert revenue(build(conversions=rows)) == pytest.approx(1500.5)


def test_attributed_revenue_nulls(build):
    # no conversions table: null
    assert revenue(build()) is None
    # conversions but no purchase: 0 (rule 11)
    value = revenue(build(conversions=[conversion("c1", "call", 10)]))
    assert value == 0.0 and type(value) is float
    # purchases that never report their value: nothing to add up, null (rule 14)
    assert revenue(build(conversions=[conversion("c1", "purchase")])) is None
