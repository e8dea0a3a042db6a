"""Awareness KPIs: mentions, share of voice, net sentiment (kpi-catalog.md, rules 2 and 12)."""

from __future__ import annotations

import pandas as pd
import pytest

from smmkpi_helpers.kpis import awareness
from smmkpi_helpers.kpis.catalog import CATALOG
from smmkpi_helpers.scope import build_scope

SPECIALISTS = [{"specialist_id": s, "name": s.title()} for s in ("anna", "boris")]


def account(account_id, brand, timezone):
    return {
        "account_id": account_id,
        "platform": "vk",
        "name": account_id,
        "brand": brand,
        "business_goal": "awareness",
        "timezone": timezone,
    }


def assign(account_id, start="2026-10-01", end=None, specialist="anna"):
    return {
        "specialist_id": specialist,
        "account_id": account_id,
        "start_date": start,
        "end_date": end,
    }


def mention(mid, at, brand, sentiment=None, own=None):
    return {
        "mention_id": mid,
        "published_at": at,
        "brand": brand,
        "sentiment": sentiment,
        "own": own,
    }


#: One Moscow (UTC+3) account of brand Acme, run by anna from 2026-10-01.
MOSCOW = [account("vk_a", "Acme", "Europe/Moscow")]

MENTIONS = [
    mention("m1", "2026-10-05T10:00:00Z", "Acme", "positive"),
    mention("m2", "2026-10-06T10:00:00Z", "Acme", "negative"),
    mention("m3", "2026-10-07T10:00:00Z", "Acme", "neutral"),
    mention("m4", "2026-10-08T10:00:00Z", "Acme"),  # empty own and sentiment: counts
    mention("m5", "2026-10-08T11:00:00Z", "Acme", "positive", own="true"),  # own post: out
    mention("m6", "2026-10-09T10:00:00Z", "Acme", "positive", own="false"),
    mention("m7", "2026-10-10T10:00:00Z", "Rival", "positive"),  # competitor
    mention("m8", "2026-10-11T10:00:00Z", "Rival", "negative"),  # competitor
    mention("m9", "2026-10-12T10:00:00Z", "acme", "negative"),  # brands match exactly
    # 2026-09-30 21:30 UTC is 2026-10-01 00:30 in Moscow: an October mention
    mention("m10", "2026-09-30T21:30:00Z", "Acme", "positive"),
    # 2026-10-31 21:30 UTC is 2026-11-01 00:30 in Moscow: not October
    mention("m11", "2026-10-31T21:30:00Z", "Acme", "positive"),
    # no offset: wall-clock 2026-09-30 23:30 everywhere, so September (it would be October
    # 02:30 if it were read as UTC and converted to Moscow time)
    mention("m12", "2026-09-30 23:30", "Acme", "positive"),
    mention("m13", "2026-10-13T10:00:00Z", "Rival", "positive", own="yes"),  # rival's own post
]


@pytest.fixture
def make(build):
    def _make(mentions, accounts=MOSCOW, assignments=None, period="2026-10", who="anna"):
        ds = build(
            specialists=SPECIALISTS,
            accounts=accounts,
            assignments=assignments or [assign(a["account_id"]) for a in accounts],
            mentions=mentions,
        )
        return ds, build_scope(ds, who, period)

    return _make


def test_module_covers_the_catalog_family():
    family = [k.id for k in CATALOG if k.family == "awareness"]
    assert awareness.FAMILY == "awareness"
    assert list(awareness.KPI_IDS) == family


def test_hand_computed_month(make):
    ds, scope = make(MENTIONS)
    values = awareness.compute(ds, scope)
    # counted for Acme: m1, m2, m3, m4, m6, m10 = 6 (m5 own, m9 another brand, m11 November,
    # m12 September)
    assert values["mentions"] == 6
    assert type(values["mentions"]) is int
    # denominator: the 6 + Rival m7, m8 (m13 is own) + "acme" m9 = 9 -> 6 / 9 x 100
    assert values["share_of_voice"] == pytest.approx(600 / 9)
    # positive m1, m6, m10 = 3; negative m2 = 1; neutral m3 and empty m4 left out:
    # (3 - 1) / (3 + 1) x 100 = 50
    assert values["net_sentiment"] == 50.0
    assert values["mentions_growth"] is None  # the entry point computes it
    assert values["_mentions_per_date"] == pytest.approx(6 / 31)  # October has D = 31 dates


def test_mentions_daily_and_share_of_voice_table_agree_with_the_kpis(make):
    ds, scope = make(MENTIONS)
    daily = awareness.mentions_daily(ds, scope)
    assert list(daily.columns) == [
        "date",
        "brand",
        "own_brand",
        "mentions",
        "positive",
        "neutral",
        "negative",
    ]
    own = daily[daily["own_brand"]]
    assert own["mentions"].sum() == 6
    assert daily["mentions"].sum() == 9
    assert (own["positive"].sum(), own["neutral"].sum(), own["negative"].sum()) == (3, 1, 1)
    # m10 is placed on its Moscow day
    first = daily.iloc[0]
    assert (first["date"], first["brand"], first["mentions"]) == (
        pd.Timestamp("2026-10-01"),
        "Acme",
        1,
    )
    sov = awareness.share_of_voice_table(ds, scope)
    assert sov[["brand", "own_brand", "mentions"]].to_dict("records") == [
        {"brand": "Acme", "own_brand": True, "mentions": 6},
        {"brand": "Rival", "own_brand": False, "mentions": 2},
        {"brand": "acme", "own_brand": False, "mentions": 1},
    ]
    # 6 / 9, 2 / 9, 1 / 9 of 100
    assert sov["share_pct"].tolist() == pytest.approx([600 / 9, 200 / 9, 100 / 9])
    assert sov.loc[sov["own_brand"], "share_pct"].sum() == pytest.approx(
        awareness.compute(ds, scope)["share_of_voice"]
    )


def test_a_mention_near_midnight_counts_by_each_accounts_timezone(make):
    # 2026-10-31 22:30 UTC: 2026-11-01 01:30 in Moscow, still 2026-10-31 18:30 in New York
    late = [mention("x1", "2026-10-31T22:30:00Z", "Acme", "positive")]
    ds, scope = make(late)
    assert awareness.compute(ds, scope)["mentions"] == 0
    ds, scope = make(late, accounts=[account("fb_a", "Acme", "America/New_York")])
    assert awareness.compute(ds, scope)["mentions"] == 1


def test_each_mention_counts_once_across_accounts_of_a_brand(make):
    accounts = [account("vk_a", "Acme", "Europe/Moscow"), account("tg_a", "Acme", "UTC")]
    ds, scope = make([mention("x1", "2026-10-05T10:00:00Z", "Acme")], accounts=accounts)
    values = awareness.compute(ds, scope)
    assert values["mentions"] == 1  # in scope for both accounts, counted once
    assert values["share_of_voice"] == 100.0  # 1 / 1
    assert values["net_sentiment"] is None  # no positive or negative mention


def test_a_brand_counts_only_on_its_own_accounts_days(make):
    accounts = [account("vk_a", "Acme", "Europe/Moscow"), account("vk_b", "Beta", "UTC")]
    assignments = [assign("vk_a"), assign("vk_b", start="2026-10-16")]
    ds, scope = make(
        [
            mention("x1", "2026-10-10T10:00:00Z", "Beta", "positive"),  # before vk_b is anna's
            mention("x2", "2026-10-20T10:00:00Z", "Beta", "negative"),
            mention("x3", "2026-10-20T10:00:00Z", "Acme", "positive"),
            mention("x4", "2026-10-21T10:00:00Z", "Rival"),
        ],
        accounts=accounts,
        assignments=assignments,
    )
    values = awareness.compute(ds, scope)
    # Beta x2 and Acme x3 count; Beta x1 falls on a day of vk_a only
    assert values["mentions"] == 2
    # all four are on the scope's days (x1 through vk_a): 2 / 4 x 100
    assert values["share_of_voice"] == 50.0
    assert values["net_sentiment"] == 0.0  # (1 - 1) / (1 + 1) x 100
    sov = awareness.share_of_voice_table(ds, scope)
    beta = sov[sov["brand"] == "Beta"].set_index("own_brand")["mentions"]
    assert beta.to_dict() == {True: 1, False: 1}
    assert sov.loc[sov["own_brand"], "share_pct"].sum() == 50.0  # (1 + 1) / 4 x 100


def test_handover_splits_mentions_between_specialists(make):
    assignments = [
        assign("vk_a", end="2026-10-15", specialist="anna"),
        assign("vk_a", start="2026-10-16", specialist="boris"),
    ]
    ds, anna = make(
        [
            mention("x1", "2026-10-15T20:30:00Z", "Acme"),  # 23:30 Moscow on the 15th: anna
            mention("x2", "2026-10-15T21:30:00Z", "Acme"),  # 00:30 Moscow on the 16th: boris
            mention("x3", "2026-10-20T10:00:00Z", "Acme"),
        ],
        assignments=assignments,
    )
    boris = build_scope(ds, "boris", "2026-10")
    a, b = awareness.compute(ds, anna), awareness.compute(ds, boris)
    assert (a["mentions"], b["mentions"]) == (1, 2)
    assert a["_mentions_per_date"] == pytest.approx(1 / 15)  # anna: 1-15 Oct, D = 15
    assert b["_mentions_per_date"] == pytest.approx(2 / 16)  # boris: 16-31 Oct, D = 16


def test_empty_mentions_table_gives_zero_and_null_ratios(make):
    ds, scope = make([])
    values = awareness.compute(ds, scope)
    assert values == {
        "mentions": 0,
        "mentions_growth": None,
        "share_of_voice": None,  # 0 / 0
        "net_sentiment": None,
        "_mentions_per_date": 0.0,
    }
    assert awareness.mentions_daily(ds, scope).empty
    sov = awareness.share_of_voice_table(ds, scope)
    assert sov["brand"].tolist() == ["Acme"] and sov["mentions"].tolist() == [0]
    assert sov["share_pct"].isna().all()


def test_only_competitor_mentions_give_zero_share(make):
    ds, scope = make([mention("x1", "2026-10-05T10:00:00Z", "Rival", "positive")])
    values = awareness.compute(ds, scope)
    assert values["mentions"] == 0
    assert values["share_of_voice"] == 0.0  # 0 / 1 x 100
    assert values["net_sentiment"] is None


def test_absent_mentions_table_gives_null_everywhere(build):
    ds = build()
    scope = build_scope(ds, "anna", "2026-10")
    values = awareness.compute(ds, scope)
    assert set(values) == {*awareness.KPI_IDS, "_mentions_per_date"}
    assert all(v is None for v in values.values())
    assert awareness.mentions_daily(ds, scope).empty
    assert awareness.share_of_voice_table(ds, scope).empty


def test_specialist_without_scoped_days_gets_null_everywhere(make):
    ds, _ = make(MENTIONS)
    scope = build_scope(ds, "anna", "2026-08")
    assert all(v is None for v in awareness.compute(ds, scope).values())


def test_comparison_period_base(make):
    ds, _ = make(MENTIONS, assignments=[assign("vk_a", start="2026-09-01")])
    september = build_scope(ds, "anna", "2026-09")
    values = awareness.compute(ds, september)
    # September (Moscow days): only m12 (naive 2026-09-30 23:30); m10 is October in Moscow
    assert values["mentions"] == 1
    assert values["_mentions_per_date"] == pytest.approx(1 / 30)


def test_inputs_are_not_modified(make):
    ds, scope = make(MENTIONS)
    before = ds["mentions"].copy()
    awareness.compute(ds, scope)
    awareness.share_of_voice_table(ds, scope)
    pd.testing.assert_frame_equal(ds["mentions"], before)
