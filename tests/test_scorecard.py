"""The scorecard: profiles, judging rules, discounting of gamed KPIs, results.json."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from smmkpi_helpers.profiles import PROFILES
from smmkpi_helpers.schema import BUSINESS_GOALS
from smmkpi_helpers.scope import build_scope
from smmkpi_helpers.scorecard import (
    ATTAINMENT_CAP,
    attainment,
    blend_profiles,
    recompute_scores,
    results_bytes,
    results_json,
    score_specialist,
)

DAYS = pd.date_range("2026-08-01", "2026-10-31", freq="D")


# --- attainment ----------------------------------------------------------------------------------


def test_attainment_higher_is_better():
    assert attainment(12, 10, "higher") == 120.0  # 100 + 100 x (12 - 10) / 10
    assert attainment(5, 10, "higher") == 50.0  # 100 + 100 x (5 - 10) / 10


def test_attainment_lower_is_better():
    # a reply time of 30 minutes against a target of 20: 100 - 100 x 10 / 20 = 50 %
    assert attainment(30, 20, "lower") == 50.0
    # 15 minutes against 20: 100 - 100 x (-5) / 20 = 125 %
    assert attainment(15, 20, "lower") == 125.0


def test_attainment_is_capped_and_never_negative():
    assert attainment(100, 10, "higher") == ATTAINMENT_CAP == 150.0  # 1000 % capped
    assert attainment(-50, 10, "higher") == 0.0  # -500 % floored
    # a zero target: |target| is floored at 1, so 3 against 0 is 100 + 300 -> capped
    assert attainment(3, 0, "higher") == 150.0


# --- profiles ------------------------------------------------------------------------------------


def test_one_profile_per_goal_with_reasons_and_no_sales():
    assert set(PROFILES) == set(BUSINESS_GOALS)
    for profile in PROFILES.values():
        assert sum(profile.weights.values()) == pytest.approx(100)
        assert len(profile.reason) > 100
        assert "attributed_revenue" not in profile.weights
        # subscriber counts never weigh much, and only their clean version counts
        assert profile.weights.get("clean_net_follower_growth", 0) <= 7
        assert "net_follower_growth" not in profile.weights
        assert "followers_end" not in profile.weights


@pytest.mark.parametrize(
    ("goal", "leading"),
    [
        ("sales", {"avg_daily_reach", "social_sessions", "leads", "conversion_rate"}),
        ("leads", {"leads", "response_rate", "redirect_rate"}),
        ("awareness", {"avg_daily_reach", "mentions", "share_of_voice"}),
        ("community", {"er_reach", "response_rate", "plan_completion"}),
        ("education", {"er_reach", "amplification_rate", "response_rate"}),
        ("entertainment", {"er_reach", "amplification_rate"}),
    ],
)
def test_each_profile_selects_its_families(goal, leading):
    weights = PROFILES[goal].weights
    top = {k for k, _ in sorted(weights.items(), key=lambda kv: -kv[1])[:6]}
    assert leading <= set(weights) and len(leading & top) >= min(2, len(leading))


ACCOUNTS = [
    {
        "account_id": "vk_shop",
        "platform": "vk",
        "name": "Shop",
        "brand": "Acme",
        "business_goal": "sales",
        "timezone": "UTC",
    },
    {
        "account_id": "tg_club",
        "platform": "telegram",
        "name": "Club",
        "brand": "Acme",
        "business_goal": "community",
        "timezone": "UTC",
    },
]


def daily(account, followers=1000, reach=500):
    return [
        {
            "account_id": account,
            "date": d.date().isoformat(),
            "followers": followers,
            "follows": 0,
            "unfollows": 0,
            "reach": reach,
        }
        for d in DAYS
    ]


def test_mixed_goals_blend_by_scoped_days(build):
    # anna runs the shop all October (31 days) and the club from 2026-10-17 (15 days)
    assignments = [
        {"specialist_id": "anna", "account_id": "vk_shop", "start_date": "2026-01-01"},
        {"specialist_id": "anna", "account_id": "tg_club", "start_date": "2026-10-17"},
    ]
    ds = build(
        accounts=ACCOUNTS,
        assignments=assignments,
        account_daily=daily("vk_shop") + daily("tg_club"),
    )
    shares = {p["goal"]: p["share"] for p in blend_profiles(ds, build_scope(ds, "anna", "2026-10"))}
    # 31 of 46 account-days are sales, 15 are community
    assert shares == pytest.approx({"sales": 31 / 46, "community": 15 / 46})
    override = blend_profiles(ds, build_scope(ds, "anna", "2026-10"), "awareness")
    assert [(p["goal"], p["share"]) for p in override] == [("awareness", 1.0)]


# --- judging on a tiny dataset -------------------------------------------------------------------


def _reach_only(build, reach_sep, reach_oct, targets=None):
    rows = []
    for d in DAYS:
        reach = reach_sep if d.month == 9 else reach_oct
        rows.append(
            {
                "account_id": "vk_shop",
                "date": d.date().isoformat(),
                "followers": 1000,
                "follows": 0,
                "unfollows": 0,
                "reach": reach,
            }
        )
    assignments = [{"specialist_id": "anna", "account_id": "vk_shop", "start_date": "2026-01-01"}]
    return build(
        accounts=ACCOUNTS[:1], assignments=assignments, account_daily=rows, targets=targets or []
    )


def test_judged_against_comparison_without_target_and_missing_kpis_drop_out(build):
    ds = _reach_only(build, reach_sep=500, reach_oct=600)
    card = score_specialist(ds, "anna", "2026-10")
    rows = card.rows.set_index("kpi")
    # avg_daily_reach 600 against September's 500: 100 + 100 x 100 / 500 = 120 %
    assert rows.loc["avg_daily_reach", "target_source"] == "comparison"
    assert rows.loc["avg_daily_reach", "attainment"] == pytest.approx(120.0)
    assert rows.loc["avg_daily_reach", "points"] == 100.0  # points are capped at 100
    # there are no posts, sessions or conversions: those KPIs dropped out ...
    assert rows.loc["leads", "status"] == "dropped"
    assert any("dropped out" in note for note in card.notes)
    # ... so the judged weights are only the available ones and still give a 0-100 score
    judged = card.rows[card.rows["weight"].notna()]
    assert set(judged["kpi"]) >= {"avg_daily_reach"}
    assert 0 <= card.overall_score <= 100
    assert card.overall_score == pytest.approx(
        recompute_scores(results_json(card, dataset=ds))["overall_score"]
    )


def test_target_and_its_weight_override_the_profile(build):
    targets = [
        {
            "specialist_id": "anna",
            "period": "2026-10",
            "kpi": "avg_daily_reach",
            "target": 800,
            "weight": 50,
        }
    ]
    ds = _reach_only(build, reach_sep=500, reach_oct=600, targets=targets)
    row = score_specialist(ds, "anna", "2026-10").rows.set_index("kpi").loc["avg_daily_reach"]
    # 600 against a target of 800: 100 + 100 x (-200) / 800 = 75 %
    assert (row["target"], row["target_source"], row["weight"]) == (800.0, "target", 50.0)
    assert row["attainment"] == pytest.approx(75.0) and row["points"] == pytest.approx(75.0)


def test_lower_is_better_kpi_in_the_score(build):
    targets = [
        {
            "specialist_id": "anna",
            "period": "2026-10",
            "kpi": "unfollow_rate",
            "target": 1.0,
            "weight": 10,
        }
    ]
    rows = []
    for d in DAYS:
        # 1000 followers; 3 unfollows a day in October
        unfollows = 3 if d.month == 10 else 0
        rows.append(
            {
                "account_id": "vk_shop",
                "date": d.date().isoformat(),
                "followers": 1000,
                "follows": unfollows,
                "unfollows": unfollows,
                "reach": 500,
            }
        )
    assignments = [{"specialist_id": "anna", "account_id": "vk_shop", "start_date": "2026-01-01"}]
    ds = build(accounts=ACCOUNTS[:1], assignments=assignments, account_daily=rows, targets=targets)
    row = score_specialist(ds, "anna", "2026-10").rows.set_index("kpi").loc["unfollow_rate"]
    # unfollow_rate = 31 x 3 / 1000 x 100 = 9.3 %; against a target of 1 %, lower is better:
    # 100 - 100 x (9.3 - 1) / 1 = -730 -> 0
    assert row["value"] == pytest.approx(9.3)
    assert row["attainment"] == 0.0


# --- the sample ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample():
    from smmkpi_helpers.dataset import load_dataset

    return load_dataset()


@pytest.fixture(scope="module")
def sample_cards(sample):
    return {s: score_specialist(sample, s, "2026-10") for s in sample.specialist_ids}


def test_every_sample_specialist_gets_a_score(sample_cards):
    for card in sample_cards.values():
        assert 0 <= card.overall_score <= 100
        assert card.family_scores


def test_results_json_recomputes_and_is_byte_identical(sample, sample_cards):
    for specialist, card in sample_cards.items():
        document = results_json(card, dataset=sample)
        assert document["schema_version"] == 1
        again = recompute_scores(json.loads(results_bytes(document)))
        assert again["overall_score"] == pytest.approx(document["overall_score"])
        for family, part in document["family_scores"].items():
            assert again["family_scores"][family]["score"] == pytest.approx(part["score"])
        contributions = sum(r["contribution"] or 0 for r in document["kpis"])
        assert contributions == pytest.approx(document["overall_score"])
        rerun = results_json(score_specialist(sample, specialist, "2026-10"), dataset=sample)
        assert results_bytes(rerun) == results_bytes(document)
        text = results_bytes(document).decode()
        assert "/" + "work" not in text and str(sample.root) not in text  # no absolute path


def test_the_cheater_does_not_gain_from_the_incidents(tmp_path, sample):
    from smmkpi_helpers.config import SAMPLE_GROUND_TRUTH
    from smmkpi_helpers.dataset import load_dataset
    from smmkpi_helpers.sample import write_sample

    truth = json.loads(SAMPLE_GROUND_TRUTH.read_text(encoding="utf-8"))
    cheats = {i["account_id"] for i in truth}
    assignments = sample["assignments"]
    cheater = sorted(set(assignments[assignments["account_id"].isin(cheats)]["specialist_id"]))
    write_sample(tmp_path / "clean", incidents=False)
    clean = load_dataset(tmp_path / "clean")
    for specialist in cheater:
        with_incidents = score_specialist(sample, specialist, "2026-10").overall_score
        without = score_specialist(clean, specialist, "2026-10").overall_score
        assert with_incidents <= without + 1e-9, (specialist, with_incidents, without)


def test_gamed_kpis_are_discounted_with_a_reason(sample, sample_cards):
    discounted = {s: c.rows[c.rows["status"] == "discounted"] for s, c in sample_cards.items()}
    cheaters = [s for s, rows in discounted.items() if len(rows)]
    assert cheaters, "the sample's planted incidents must discount some KPI"
    for specialist in cheaters:
        rows = discounted[specialist]
        assert (rows["points"] == 0).all() and rows["gameable"].all()
        assert all(r for r in rows["flags"])
        assert any("earns no points" in n for n in sample_cards[specialist].notes)


def test_the_integrity_score_is_lower_for_the_cheater(sample_cards):
    scores = {s: c.integrity_score for s, c in sample_cards.items()}
    assert sorted(scores.values())[0] < 100
    assert sum(1 for v in scores.values() if v == 100) >= len(scores) - 1


def test_results_are_finite_numbers(sample, sample_cards):
    for card in sample_cards.values():
        document = json.loads(results_bytes(results_json(card, dataset=sample)))
        for row in document["kpis"]:
            for key in ("value", "attainment", "points", "weight", "contribution"):
                value = row[key]
                assert value is None or (isinstance(value, (int, float)) and np.isfinite(value))


def test_a_zero_comparison_is_no_yardstick(build):
    # September's reach was 0 on every day: October's 600 cannot be judged as a change against
    # it (any value would be infinitely better), so the KPI drops out with a note
    ds = _reach_only(build, reach_sep=0, reach_oct=600)
    card = score_specialist(ds, "anna", "2026-10")
    row = card.rows.set_index("kpi").loc["avg_daily_reach"]
    assert row["comparison"] == 0 and row["status"] == "dropped" and row["weight"] is None
    assert any("other than 0" in note for note in card.notes)
