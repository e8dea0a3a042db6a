"""Tests of the seeded sample generator and of the committed sample (``data/sample``).

The committed sample is checked for what the product's issue asks of it: it loads and validates,
every table is there, it regenerates byte for byte, the planted incidents are in the data as the
ground truth says (and nowhere else), and the scope and time zone edge cases exist.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from smmkpi_helpers.cli import main
from smmkpi_helpers.coerce import parse_work_days, parse_work_hours
from smmkpi_helpers.config import SAMPLE_DATA_DIR, SAMPLE_GROUND_TRUTH
from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.errors import UsageError
from smmkpi_helpers.sample import (
    DEFAULT_SEED,
    INCIDENT_KINDS,
    PARQUET_TABLES,
    SAMPLE_TABLES,
    generate_sample,
    ground_truth_path,
    write_sample,
)
from smmkpi_helpers.schema import TABLES, is_valid_id
from smmkpi_helpers.scope import build_scope, in_scope

CHEATER = "gleb"


def _bytes(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def _rolling_median(frame: pd.DataFrame, column: str) -> pd.Series:
    """29-day centred rolling median of a column, per account (frame sorted by account, date)."""
    return frame.groupby("account_id")[column].transform(
        lambda s: s.rolling(29, center=True, min_periods=8).median()
    )


def _truth_days(truth: list[dict], kind: str) -> set[tuple[str, pd.Timestamp]]:
    return {
        (item["account_id"], day)
        for item in truth
        if item["kind"] == kind
        for day in pd.date_range(item["start"], item["end"])
    }


@pytest.fixture(scope="module")
def sample():
    return load_dataset(SAMPLE_DATA_DIR)


@pytest.fixture(scope="module")
def truth() -> list[dict]:
    return json.loads(SAMPLE_GROUND_TRUTH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """The default sample regenerated into a temporary folder."""
    out = tmp_path_factory.mktemp("fresh") / "sample"
    summary = write_sample(out)
    assert summary.startswith("4 specialists, 7 accounts, ")
    return out


@pytest.fixture(scope="module")
def clean_sample(tmp_path_factory) -> Path:
    """The default sample without incidents, written with the CLI."""
    out = tmp_path_factory.mktemp("clean") / "sample"
    assert main(["sample", "--out", str(out), "--no-incidents"]) == 0
    return out


@pytest.fixture(scope="module")
def cheater_accounts(sample) -> set[str]:
    """Accounts run by the cheater only (the incidents may be planted there)."""
    assignments = sample["assignments"]
    runners = assignments.groupby("account_id")["specialist_id"].agg(set)
    return {account for account, who in runners.items() if who == {CHEATER}}


# --- the committed sample loads, validates and regenerates -----------------------------------


def test_default_sample_loads_and_validates(sample, truth):
    assert sample.summary()["date_range"] == ["2025-08-01", "2026-10-31"]
    assert sample.specialist_ids == ["anna", "boris", "gleb", "vera"]
    assert len(sample.account_ids) == 7
    bought = {post for item in truth for post in item["post_ids"]}
    assert sample.warnings, "the posts with bought likes above reach must be warned about"
    for warning in sample.warnings:  # warnings come only from the planted incidents
        assert warning.code == "suspicious_post"
        assert any(post in warning.message for post in bought), str(warning)


def test_every_table_is_present_and_filled(sample):
    assert set(SAMPLE_TABLES) == set(TABLES) - {"web_daily"}
    for name in SAMPLE_TABLES:
        assert sample.has(name) and len(sample[name]) > 0, name
        suffix = ".parquet" if name in PARQUET_TABLES else ".csv"
        assert sample.files[name] == name + suffix
    assert not sample.has("web_daily")  # read only when web_sessions is absent


def test_committed_sample_equals_a_fresh_regeneration(fresh):
    assert _bytes(fresh) == _bytes(SAMPLE_DATA_DIR)
    assert ground_truth_path(fresh).read_bytes() == SAMPLE_GROUND_TRUTH.read_bytes()


def test_same_seed_gives_the_same_bytes(fresh, tmp_path):
    again = tmp_path / "again"
    write_sample(again, seed=DEFAULT_SEED)
    assert _bytes(again) == _bytes(fresh)
    assert ground_truth_path(again).read_bytes() == ground_truth_path(fresh).read_bytes()


def test_a_different_seed_gives_different_data(tmp_path):
    write_sample(tmp_path / "one", seed=1, months=1)
    write_sample(tmp_path / "two", seed=2, months=1)
    one, two = _bytes(tmp_path / "one"), _bytes(tmp_path / "two")
    assert one.keys() == two.keys()
    for name in ("posts.csv", "account_daily.csv", "messages.parquet", "web_sessions.parquet"):
        assert one[name] != two[name], name
    assert one["specialists.csv"] == two["specialists.csv"]  # the cast does not depend on it


def test_ground_truth_file_is_sorted_json_next_to_the_folder(truth):
    assert ground_truth_path(SAMPLE_DATA_DIR) == SAMPLE_GROUND_TRUTH
    text = SAMPLE_GROUND_TRUTH.read_text(encoding="utf-8")
    assert text == json.dumps(truth, sort_keys=True, indent=2) + "\n"
    for item in truth:
        assert set(item) == {"kind", "account_id", "start", "end", "post_ids", "size"}
        assert item["kind"] in INCIDENT_KINDS
        assert item["start"] <= item["end"] and item["size"] > 0
        assert isinstance(item["post_ids"], list)
        assert bool(item["post_ids"]) == (item["kind"] == "bought_likes")


def test_committed_sample_stays_under_10_mb():
    size = sum(p.stat().st_size for p in SAMPLE_DATA_DIR.iterdir())
    size += SAMPLE_GROUND_TRUTH.stat().st_size
    assert size < 10 * 1024 * 1024


# --- incidents: where the ground truth says, and nowhere else --------------------------------


def test_incidents_are_the_cheaters_and_each_kind_is_in_the_last_full_month(
    truth, cheater_accounts
):
    assert {item["account_id"] for item in truth} <= cheater_accounts
    october = {item["kind"] for item in truth if item["start"].startswith("2026-10")}
    assert october == set(INCIDENT_KINDS)


def test_follower_spikes_and_unfollow_waves_are_in_account_daily(sample, truth):
    daily = sample["account_daily"].sort_values(["account_id", "date"], ignore_index=True)
    for column in ("reach", "views", "profile_visits"):
        daily[f"{column}_median"] = _rolling_median(daily, column)
    daily = daily.set_index(["account_id", "date"])
    spikes = [i for i in truth if i["kind"] == "follower_spike"]
    waves = [i for i in truth if i["kind"] == "unfollow_wave"]
    assert len(spikes) == len(waves) >= 1
    for item in spikes:
        mine = daily.loc[item["account_id"]]
        days = mine.loc[item["start"] : item["end"]]
        median_follows = mine["follows"].median()
        assert (days["follows"] > 3 * median_follows).all(), item
        assert days["follows"].sum() >= item["size"]  # the fake follows are on these days
        # no matching rise of reach, views or profile visits: under 1.5x their 29-day median
        for column in ("reach", "views", "profile_visits"):
            assert (days[column] < 1.5 * days[f"{column}_median"]).all(), (item, column)
    for item in waves:
        mine = daily.loc[item["account_id"]]
        days = mine.loc[item["start"] : item["end"]]
        assert (days["unfollows"] > 3 * mine["unfollows"].median()).all(), item
        assert days["unfollows"].sum() >= item["size"]
        spike = next(s for s in spikes if s["account_id"] == item["account_id"])
        assert item["start"] > spike["end"]


def test_bought_likes_are_in_posts(sample, truth):
    posts = sample["posts"].set_index("post_id")
    for item in (i for i in truth if i["kind"] == "bought_likes"):
        mine = posts[posts["account_id"] == item["account_id"]]
        honest = mine.drop(index=item["post_ids"])
        usual_likes = (honest["likes"] / honest["reach"]).median()
        usual_talk = ((honest["comments"] + honest["shares"]) / honest["reach"]).median()
        bought = mine.loc[item["post_ids"]]
        assert (bought["likes"] / bought["reach"] > 5 * usual_likes).all(), item
        talk = (bought["comments"] + bought["shares"]) / bought["reach"]
        assert (talk < 3 * usual_talk).all(), item  # comments and shares stay flat
        assert bought["likes"].sum() >= item["size"]
        days = bought["published_at_local"].dt.strftime("%Y-%m-%d")
        assert days.min() == item["start"] and days.max() == item["end"]
    above = posts[posts["likes"] > posts["reach"]]
    assert len(above) >= 1
    assert set(above.index) <= {p for i in truth for p in i["post_ids"]}


def test_robot_traffic_is_in_web_sessions(sample, truth):
    sessions = sample["web_sessions"]
    day = sessions["started_at_local"].dt.strftime("%Y-%m-%d")
    for item in (i for i in truth if i["kind"] == "robot_traffic"):
        burst = sessions[
            (sessions["account_id"] == item["account_id"])
            & day.between(item["start"], item["end"])
            & (sessions["pageviews"] == 1)
            & (sessions["duration_s"] < 5)
        ]
        assert len(burst) >= item["size"]
        assert burst["campaign"].value_counts().iloc[0] >= item["size"]  # one campaign
        marked = int((burst["robot"] == True).sum())  # noqa: E712 (nullable boolean)
        assert 0 < marked < len(burst) / 2  # some marked robot=true, many not


def test_only_the_ground_truth_stands_out(sample, truth):
    """Simple detectors find the planted days and nothing else, on every account.

    Follow-through (follows per person reached) above 3x its 29-day median with at least 10
    extra follows; unfollows above 3x their median with at least 10 extra; one-page visits
    under 5 s above 5x their median (at least 2) and at least 30 of them on a day. Viral posts
    raise reach and follows together, so they keep the follow-through.
    """
    daily = sample["account_daily"].sort_values(["account_id", "date"]).reset_index(drop=True)
    follow_through = daily["follows"] / daily["reach"]
    daily = daily.assign(
        ft=follow_through,
        ft_median=_rolling_median(daily.assign(ft=follow_through), "ft"),
        follows_median=_rolling_median(daily, "follows"),
        unfollows_median=_rolling_median(daily, "unfollows"),
    )
    spike = (daily["ft"] > 3 * daily["ft_median"]) & (
        daily["follows"] - daily["follows_median"] >= 10
    )
    wave = (daily["unfollows"] > 3 * daily["unfollows_median"]) & (
        daily["unfollows"] - daily["unfollows_median"] >= 10
    )
    found = set(zip(daily["account_id"][spike], daily["date"][spike], strict=True))
    assert found == _truth_days(truth, "follower_spike")
    found = set(zip(daily["account_id"][wave], daily["date"][wave], strict=True))
    assert found == _truth_days(truth, "unfollow_wave")

    sessions = sample["web_sessions"].dropna(subset=["account_id"])
    junk = sessions.assign(
        date=sessions["started_at_local"].dt.normalize(),
        junk=(sessions["pageviews"] == 1) & (sessions["duration_s"] < 5),
    )
    per_day = junk.groupby(["account_id", "date"])["junk"].sum().reset_index()
    per_day["median"] = _rolling_median(per_day, "junk")
    burst = (per_day["junk"] > 5 * per_day["median"].clip(lower=2)) & (per_day["junk"] >= 30)
    found = set(zip(per_day["account_id"][burst], per_day["date"][burst], strict=True))
    assert found == _truth_days(truth, "robot_traffic")

    posts = sample["posts"]
    rate = posts["likes"] / posts["reach"]
    usual = rate.groupby(posts["account_id"]).transform("median")
    odd = posts.loc[rate > 5 * usual, "post_id"]
    assert set(odd) == {p for i in truth for p in i["post_ids"]}


def test_without_incidents_no_bought_likes_and_an_empty_ground_truth(clean_sample):
    clean = load_dataset(clean_sample)
    assert not any("likes" in w.message for w in clean.warnings)
    assert clean.warnings == ()
    assert ground_truth_path(clean_sample).read_text(encoding="utf-8") == "[]\n"


def test_the_honest_data_does_not_depend_on_the_incidents():
    tables, truth = generate_sample(months=3)
    clean, none = generate_sample(months=3, incidents=False)
    assert none == [] and truth
    for name in ("messages", "conversions", "mentions", "content_plan", "ad_spend", "targets"):
        pd.testing.assert_frame_equal(tables[name], clean[name], obj=name)
    bought = [p for item in truth for p in item["post_ids"]]
    posts, honest_posts = tables["posts"], clean["posts"]
    pd.testing.assert_frame_equal(posts.drop(columns="likes"), honest_posts.drop(columns="likes"))
    same = ~posts["post_id"].isin(bought)
    pd.testing.assert_series_equal(posts["likes"][same], honest_posts["likes"][same])
    extra_likes = (posts["likes"] - honest_posts["likes"]).sum()
    assert extra_likes == sum(i["size"] for i in truth if i["kind"] == "bought_likes")
    daily, honest_daily = tables["account_daily"], clean["account_daily"]
    for column in ("reach", "views", "profile_visits", "link_clicks"):
        pd.testing.assert_series_equal(daily[column], honest_daily[column])
    extra_follows = (daily["follows"] - honest_daily["follows"]).sum()
    assert extra_follows == sum(i["size"] for i in truth if i["kind"] == "follower_spike")
    extra_unfollows = (daily["unfollows"] - honest_daily["unfollows"]).sum()
    assert extra_unfollows == sum(i["size"] for i in truth if i["kind"] == "unfollow_wave")
    sessions, honest_sessions = tables["web_sessions"], clean["web_sessions"]
    kept = sessions[sessions["session_id"].isin(set(honest_sessions["session_id"]))]
    pd.testing.assert_frame_equal(kept.reset_index(drop=True), honest_sessions)
    robots = len(sessions) - len(honest_sessions)
    assert robots == sum(i["size"] for i in truth if i["kind"] == "robot_traffic")


# --- realistic patterns -----------------------------------------------------------------------


def test_followers_add_up_exactly(sample):
    daily = sample["account_daily"].sort_values(["account_id", "date"])
    previous = daily.groupby("account_id")["followers"].shift(1)
    step = daily["followers"] - previous - daily["follows"] + daily["unfollows"]
    assert (step[previous.notna()] == 0).all()
    assert (daily.groupby("account_id")["date"].diff().dropna() == pd.Timedelta(days=1)).all()


def test_posting_cadence_formats_and_honest_counts(sample, truth):
    posts = sample["posts"]
    weeks = (pd.Timestamp("2026-10-31") - pd.Timestamp("2025-08-01")).days / 7  # 456 / 7
    per_week = posts.groupby("account_id").size() / weeks
    assert per_week.between(2, 8).all(), per_week
    assert posts.groupby("account_id")["format"].nunique().min() >= 4
    assert (posts["reach"] <= posts["views"]).all()
    honest = posts[~posts["post_id"].isin({p for i in truth for p in i["post_ids"]})]
    assert (honest["likes"].dropna() < honest.loc[honest["likes"].notna(), "reach"]).all()
    telegram = posts["account_id"].str.startswith("tg_")
    assert posts.loc[telegram, "saves"].isna().all()  # not reported: empty, never 0


def test_staff_answer_mostly_in_working_hours_with_bots_redirects_and_silence(sample):
    messages = sample["messages"]
    accounts = sample["accounts"].set_index("account_id")
    staff = messages[messages["sender"] == "staff"]
    hours = staff["account_id"].map(accounts["work_hours"].map(parse_work_hours))
    days = staff["account_id"].map(accounts["work_days"].map(parse_work_days))
    local = staff["sent_at_local"]
    minute = local.dt.hour * 60 + local.dt.minute
    inside = [
        start <= m < end and weekday in workdays
        for (start, end), workdays, m, weekday in zip(
            hours, days, minute, local.dt.day_of_week, strict=True
        )
    ]
    share = pd.Series(inside, index=staff.index).groupby(staff["account_id"]).mean()
    assert (share > 0.9).all(), share
    assert (messages["sender"] == "bot").any()
    assert staff["redirect"].notna().all() and staff["redirect"].any()
    assert messages.loc[messages["sender"] != "staff", "redirect"].isna().all()
    threads = messages.groupby(["account_id", "thread_id"])["sender"].agg(set)
    assert (threads.map(lambda s: "staff" not in s)).sum() > 0  # unanswered requests


def test_specialists_differ_as_planned(sample):
    """October 2026 in each specialist's scope: the planted strengths and weaknesses show."""
    figures = {}
    for specialist in sample.specialist_ids:
        scope = build_scope(sample, specialist, "2026-10")
        staff = in_scope(sample["messages"], scope, day_column="sent_at_local")
        staff = staff[staff["sender"] == "staff"]
        visits = in_scope(
            sample["web_sessions"].dropna(subset=["account_id"]),
            scope,
            day_column="started_at_local",
        )
        visits = visits[visits["robot"] != True]  # noqa: E712 (nullable boolean)
        posts = in_scope(sample["posts"], scope, day_column="published_at_local")
        rated = posts.dropna(subset=["likes"])
        figures[specialist] = {
            "redirects": staff["redirect"].astype(float).mean(),
            "sessions": len(visits),
            "likes_per_reach": rated["likes"].sum() / rated["reach"].sum(),
        }
    assert figures["boris"]["redirects"] > 3 * figures["anna"]["redirects"]  # slow, redirecting
    assert figures["anna"]["sessions"] > 5 * figures["vera"]["sessions"]  # vera: weak traffic
    best = max(figures, key=lambda s: figures[s]["likes_per_reach"])
    assert best == CHEATER  # bought likes


# --- scope and time zone edge cases -------------------------------------------------------------


def test_handover_and_shared_account_exist(sample):
    rows = sample["assignments"]
    bloom = rows[rows["account_id"] == "vk_bloom"].set_index("specialist_id")
    assert bloom.loc["boris", "end_date"] == pd.Timestamp("2026-10-15")
    assert bloom.loc["vera", "start_date"] == pd.Timestamp("2026-10-16")
    acme = rows[rows["account_id"] == "tg_acme"]
    assert set(acme["specialist_id"]) == {"anna", "vera"}
    overlap_start = acme["start_date"].max()
    assert acme["end_date"].isna().all() and overlap_start == pd.Timestamp("2026-02-01")
    boris = build_scope(sample, "boris", "2026-10").days
    vera = build_scope(sample, "vera", "2026-10").days
    # October has 31 days: boris runs vk_bloom on 1-15 (15 days), vera on 16-31 (16 days)
    assert (boris["account_id"] == "vk_bloom").sum() == 15
    assert (vera["account_id"] == "vk_bloom").sum() == 16


def test_vladivostok_posts_near_local_midnight(sample):
    posts = sample["posts"].set_index("post_id")
    zones = sample.account_timezones()
    # 2026-10-01 00:30 in Vladivostok (UTC+10) is 2026-09-30 14:30 UTC: 00:30 - 10 h
    first = posts[
        (posts["account_id"] == "ig_bloom")
        & (posts["published_at_local"] == pd.Timestamp("2026-10-01 00:30"))
    ]
    assert zones["ig_bloom"] == "Asia/Vladivostok" and len(first) == 1
    assert first["published_at"].iloc[0] == pd.Timestamp("2026-09-30 14:30", tz="UTC")
    october = in_scope(
        sample["posts"], build_scope(sample, "boris", "2026-10"), day_column="published_at_local"
    )
    assert first.index[0] in set(october["post_id"])
    # on the handover day 00:20 local is 2026-10-15 14:20 UTC, still boris's day in UTC
    handover = posts[
        (posts["account_id"] == "vk_bloom")
        & (posts["published_at_local"] == pd.Timestamp("2026-10-16 00:20"))
    ]
    assert len(handover) == 1
    assert handover["published_at"].iloc[0] == pd.Timestamp("2026-10-15 14:20", tz="UTC")
    vera = in_scope(
        sample["posts"], build_scope(sample, "vera", "2026-10"), day_column="published_at_local"
    )
    assert handover.index[0] in set(vera["post_id"])
    assert handover.index[0] not in set(october["post_id"])
    vladivostok = sample["posts"][sample["posts"]["account_id"].map(zones) == "Asia/Vladivostok"]
    near = vladivostok[vladivostok["published_at_local"].dt.hour == 0]
    assert len(near) >= 10
    assert (near["published_at"].dt.date != near["published_at_local"].dt.date).all()


def test_timestamps_carry_the_accounts_offset_and_a_few_are_naive():
    posts = pd.read_csv(SAMPLE_DATA_DIR / "posts.csv", dtype=str)
    offsets = posts["published_at"].str.extract(r"([+-]\d\d:\d\d)$")[0]
    expected = {"vk_acme": "+03:00", "tg_acme": "+00:00", "ig_bloom": "+10:00"}
    for account, offset in expected.items():
        mine = offsets[posts["account_id"] == account].dropna()
        assert (mine == offset).all(), account
    naive = offsets.isna()
    assert 0 < naive.sum() < 0.05 * len(posts)  # a few wall-clock times without offset
    mentions = pd.read_csv(SAMPLE_DATA_DIR / "mentions.csv", dtype=str)
    assert mentions["published_at"].str.contains(r"[+-]\d\d:\d\d$").mean() > 0.95


def test_mentions_cover_brands_a_competitor_sentiment_and_own_posts(sample):
    mentions = sample["mentions"]
    brands = set(sample["accounts"]["brand"])
    assert brands <= set(mentions["brand"])
    assert set(mentions["brand"]) - brands  # at least one competitor
    assert set(mentions["sentiment"].dropna()) == {"positive", "neutral", "negative"}
    own = mentions[mentions["own"] == True]  # noqa: E712 (nullable boolean)
    assert len(own) > 0 and set(own["brand"]) <= brands


def test_targets_use_catalog_ids_for_the_last_two_months(sample):
    targets = sample["targets"]
    assert set(targets["period"]) == {"2026-09", "2026-10"}
    assert set(targets["specialist_id"]) == set(sample.specialist_ids)
    assert targets["weight"].notna().any() and targets["weight"].isna().any()


def test_web_sessions_bounce_and_robot_are_mostly_empty_or_false(sample):
    sessions = sample["web_sessions"]
    assert sessions["bounce"].isna().mean() > 0.9  # computed with the Metrica rule
    assert sessions["bounce"].notna().any()
    assert (sessions["robot"] != True).mean() > 0.95  # noqa: E712 (nullable boolean)
    assert {"social", "cpc"} <= set(sessions["medium"].dropna())
    assert sessions["account_id"].isna().any()  # visits not from these accounts
    conversions = sample["conversions"]
    assert conversions["goal"].nunique() >= 5
    purchases = conversions[conversions["goal"] == "purchase"]
    assert purchases["value"].notna().all() and (purchases["value"] > 0).all()
    assert conversions["session_id"].dropna().isin(set(sessions["session_id"])).all()


# --- arguments, scaling, the command line -----------------------------------------------------


def test_months_count_back_from_the_end_of_october_2026():
    tables, truth = generate_sample(months=3)
    # 3 months ending with 2026-10: 2026-08, 2026-09, 2026-10 (10 - 3 + 1 = 8)
    assert tables["account_daily"]["date"].min() == pd.Timestamp("2026-08-01")
    assert tables["account_daily"]["date"].max() == pd.Timestamp("2026-10-31")
    assert (tables["assignments"]["start_date"] >= pd.Timestamp("2026-08-01")).all()
    assert all(item["start"] >= "2026-08-01" for item in truth)
    assert {i["kind"] for i in truth if i["start"] >= "2026-10-01"} == set(INCIDENT_KINDS)


def test_more_specialists_get_word_ids_and_two_accounts_each():
    tables, truth = generate_sample(specialists=6, months=1)
    ids = tables["specialists"]["specialist_id"].tolist()
    assert ids == ["anna", "boris", "vera", "gleb", "spec_e", "spec_f"]
    accounts = tables["accounts"]["account_id"]
    assert len(accounts) == 11  # 7 named + 2 for each of the two extra specialists
    for value in [*ids, *accounts]:
        assert is_valid_id(value) and not value.isdigit()
    assert set(tables["assignments"]["account_id"]) == set(accounts)
    runs = tables["assignments"].groupby("specialist_id")["account_id"].nunique()
    assert runs.between(1, 3).all()
    assert all(item["account_id"] in {"ig_fitlab", "vk_fitlab"} for item in truth)


def test_two_specialists_keep_the_cheater_and_the_edge_cases():
    tables, truth = generate_sample(specialists=2, months=1)
    assert tables["specialists"]["specialist_id"].tolist() == ["anna", "gleb"]
    rows = tables["assignments"]
    assert rows["end_date"].notna().any()  # a handover
    assert rows.groupby("account_id")["specialist_id"].nunique().max() == 2  # a shared account
    assert truth


@pytest.mark.parametrize(
    "arguments",
    [{"specialists": 1}, {"specialists": 27}, {"months": 0}, {"months": 16}, {"seed": -1}],
)
def test_arguments_out_of_range_are_usage_errors(arguments):
    with pytest.raises(UsageError):
        generate_sample(**arguments)


def test_cli_writes_a_sample_and_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["sample", "--out", str(out), "--months", "1", "--seed", "7"]) == 0
    assert "4 specialists, 7 accounts" in capsys.readouterr().out
    assert {p.name for p in out.iterdir()} == {
        name + (".parquet" if name in PARQUET_TABLES else ".csv") for name in SAMPLE_TABLES
    }
    assert (tmp_path / "demo-ground-truth.json").is_file()
    before = _bytes(out)
    assert main(["sample", "--out", str(out), "--months", "1"]) == 1
    assert "--force" in capsys.readouterr().err
    assert _bytes(out) == before  # nothing was touched
    (out / "stray.txt").write_text("old", encoding="utf-8")
    assert main(["sample", "--out", str(out), "--months", "1", "--force"]) == 0
    assert not (out / "stray.txt").exists()  # replaced as a whole
    assert main(["sample", "--out", str(out), "--specialists", "1"]) == 2
    load_dataset(out)
    assert np.isfinite(load_dataset(out)["posts"]["reach"]).all()
