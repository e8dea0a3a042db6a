"""Goal KPIs: conversions, leads, conversion rate, cost per lead (rules 10-11)."""

from __future__ import annotations

import pytest

from smmkpi_helpers.kpis import goals
from smmkpi_helpers.scope import build_scope

PERIOD = "2026-10"
ACCOUNTS = [
    {"account_id": a, "platform": "vk", "name": a, "brand": "Acme", "business_goal": "leads"}
    for a in ("vk_a", "vk_b")
]
ASSIGN = [{"specialist_id": "anna", "account_id": "vk_a", "start_date": "2026-01-01"}]


def conversion(cid: str, goal: str, **extra) -> dict:
    return {
        "conversion_id": cid,
        "occurred_at": extra.pop("occurred_at", "2026-10-10T12:00:00Z"),
        "goal": goal,
        "account_id": extra.pop("account_id", "vk_a"),
    } | extra


def session(sid: str, **extra) -> dict:
    return {
        "session_id": sid,
        "started_at": "2026-10-10T11:00:00Z",
        "account_id": "vk_a",
        "duration_s": 60,
        "pageviews": 2,
    } | extra


CONVERSIONS = [
    conversion("c1", "contact_form"),  # lead
    conversion("c2", "purchase", value=1000),  # not a lead
    conversion("c3", "call", session_id="s1"),  # lead, names s1
    # no account: not counted (conversions count through account_id only), but it names s2
    conversion("c4", "consultation", account_id="", session_id="s2"),
    conversion("c5", "sample_order", account_id="vk_b"),  # another account: not counted
    conversion("c6", "call", occurred_at="2026-09-30T12:00:00Z"),  # September
]
SESSIONS = [session("s1"), session("s2"), session("s3"), session("s4", robot="true")]
SPEND = [
    {"account_id": "vk_a", "date": "2026-10-01", "spend": 300, "campaign": "x"},
    {"account_id": "vk_a", "date": "2026-10-01", "spend": 150, "campaign": "y"},
    {"account_id": "vk_a", "date": "2026-10-02", "spend": 50},
    {"account_id": "vk_b", "date": "2026-10-01", "spend": 1000},  # not scoped
    {"account_id": "vk_a", "date": "2026-09-30", "spend": 999},  # before the period
]


def compute(ds, period=PERIOD):
    return goals.compute(ds, build_scope(ds, "anna", period))


def make(build, **tables):
    return build(accounts=ACCOUNTS, assignments=ASSIGN, **tables)


def test_goal_kpis_hand_computed(build):
    out = compute(make(build, conversions=CONVERSIONS, web_sessions=SESSIONS, ad_spend=SPEND))
    # c1, c2, c3 (c4 has no account, c5 is vk_b's, c6 is in September)
    assert out["conversions"] == 3
    assert type(out["conversions"]) is int
    # leads: c1 contact_form, c3 call = 2
    assert out["leads"] == 2
    # social sessions s1, s2, s3 (s4 is a robot); converted: s1 (c3) and s2 (c4 names it,
    # whatever its account): 2 / 3 x 100 = 66.66...
    assert out["conversion_rate"] == pytest.approx(200 / 3)
    # spend of the scoped account-days: 300 + 150 + 50 = 500; 500 / 2 leads = 250
    assert out["cost_per_lead"] == pytest.approx(250.0)


def test_cost_per_lead_nulls_and_zero_spend(build):
    # no ad_spend table: null
    out = compute(make(build, conversions=CONVERSIONS))
    assert out["cost_per_lead"] is None
    # an ad_spend table without scoped rows: spend 0 over 2 leads = 0.0
    spend = [{"account_id": "vk_b", "date": "2026-10-01", "spend": 10}]
    out = compute(make(build, conversions=CONVERSIONS, ad_spend=spend))
    assert out["cost_per_lead"] == 0.0
    # no lead: null, not infinity
    only_purchase = [conversion("c2", "purchase", value=10)]
    out = compute(make(build, conversions=only_purchase, ad_spend=SPEND))
    assert out["leads"] == 0
    assert out["cost_per_lead"] is None


def test_conversion_rate_needs_web_sessions(build):
    web_daily = [{"account_id": "vk_a", "date": "2026-10-01", "sessions": 10}]
    out = compute(make(build, conversions=CONVERSIONS, web_daily=web_daily))
    assert out["conversions"] == 3
    assert out["conversion_rate"] is None  # aggregates cannot tell which session converted


def test_absent_conversions_table_makes_goals_null(build):
    out = compute(make(build, web_sessions=SESSIONS, ad_spend=SPEND))
    assert out == {
        "conversions": None,
        "leads": None,
        "conversion_rate": None,
        "cost_per_lead": None,
    }


def test_conversions_without_rows_in_scope(build):
    out = compute(
        make(
            build, conversions=[conversion("c5", "call", account_id="vk_b")], web_sessions=SESSIONS
        )
    )
    assert out["conversions"] == 0
    assert out["leads"] == 0
    assert out["conversion_rate"] == 0.0  # 3 social sessions, none converted: 0 / 3
    assert out["cost_per_lead"] is None


def test_scoped_conversions_table(build):
    ds = make(build, conversions=CONVERSIONS)
    table = goals.scoped_conversions(ds, build_scope(ds, "anna", PERIOD))
    assert table["conversion_id"].tolist() == ["c1", "c2", "c3"]
    assert table["lead"].tolist() == [True, False, True]
