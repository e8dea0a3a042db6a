"""Tests of smmkpi_helpers.integrity.spikes (find_spikes, spike_baseline)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smmkpi_helpers.errors import DataError, SmmKpiError, UsageError
from smmkpi_helpers.integrity.spikes import (
    SPIKE_COLUMNS,
    SpikeInputError,
    find_spikes,
    spike_baseline,
)

# 2026-01-05 is a Monday.
MONDAY = "2026-01-05"


def weekly(weeks: int, days: list[float], start: str = MONDAY) -> pd.Series:
    """A daily series repeating ``days`` (Monday first) for ``weeks`` weeks."""
    idx = pd.date_range(start, periods=7 * weeks, freq="D")
    return pd.Series(np.tile(np.asarray(days, dtype=float), weeks), index=idx, name="follows")


def test_spike_found_with_hand_computed_figures():
    # Weekdays 100 follows, weekends 60; Wednesday 2026-02-04 gets 400, Thursday 250.
    s = weekly(12, [100, 100, 100, 100, 100, 60, 60])
    s.loc["2026-02-04"] = 400.0
    s.loc["2026-02-05"] = 250.0
    out = find_spikes(s, season=7)
    assert list(out.columns) == list(SPIKE_COLUMNS)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["start"] == pd.Timestamp("2026-02-04")
    assert row["end"] == pd.Timestamp("2026-02-05")
    assert row["peak"] == 400.0
    # The baseline of a weekday is 100 (median level 100, weekday seasonal offset 0).
    assert row["baseline"] == pytest.approx(100.0)
    # excess = (400 - 100) + (250 - 100) = 450
    assert row["excess"] == pytest.approx(450.0)
    # The residuals are 0 elsewhere, so the scale is the count floor sqrt(100) = 10:
    # score = (400 - 100) / 10 = 30.
    assert row["score"] == pytest.approx(30.0)


def test_weekly_cycle_is_not_a_spike_when_season_is_given():
    # A weekly newsletter: every Monday 3x the other days.
    rng = np.random.default_rng(1)
    base = weekly(26, [300, 100, 100, 100, 100, 80, 80])
    s = pd.Series(rng.poisson(base.to_numpy()).astype(float), index=base.index)
    assert find_spikes(s, season=7).empty
    # Without the season every Monday stands out: the test data really has a cycle.
    assert len(find_spikes(s)) >= 20


def test_steady_growth_trend_is_not_a_spike():
    rng = np.random.default_rng(2)
    idx = pd.date_range("2025-01-01", periods=365, freq="D")
    mu = np.linspace(50, 500, idx.size)  # a 10x growth over the year
    s = pd.Series(rng.poisson(mu).astype(float), index=idx)
    assert find_spikes(s, season=7).empty
    assert find_spikes(s).empty


def test_nan_gaps_are_skipped():
    s = weekly(12, [100, 100, 100, 100, 100, 60, 60])
    s.loc["2026-01-20":"2026-01-24"] = np.nan  # a five-day hole in the export
    s.loc["2026-02-03"] = 400.0  # Tuesday
    s.loc["2026-02-04"] = np.nan  # Wednesday unknown
    s.loc["2026-02-05"] = 300.0  # Thursday
    out = find_spikes(s, season=7)
    # One interval: the NaN day neither breaks it nor counts in it.
    assert len(out) == 1
    assert out.loc[0, "start"] == pd.Timestamp("2026-02-03")
    assert out.loc[0, "end"] == pd.Timestamp("2026-02-05")
    # excess = (400 - 100) + (300 - 100) = 500
    assert out.loc[0, "excess"] == pytest.approx(500.0)
    model = spike_baseline(s, season=7)
    assert np.isnan(model.loc["2026-02-04", "score"])


def test_missing_days_keep_the_weekly_phase():
    # Monday peaks, and 9 days simply absent from the index (not NaN rows): the series is laid
    # back on its daily grid, so "7 points ago" is still last Monday.
    base = weekly(20, [300, 100, 100, 100, 100, 80, 80])
    drop = pd.to_datetime(["2026-01-14", "2026-02-01", "2026-02-10", "2026-02-11", "2026-03-03"])
    drop = drop.append(pd.to_datetime(["2026-03-20", "2026-04-01", "2026-04-02", "2026-04-15"]))
    s = base.drop(drop)
    assert find_spikes(s, season=7).empty
    s.loc["2026-03-12"] = 700.0  # a Thursday
    out = find_spikes(s, season=7)
    assert out["start"].tolist() == [pd.Timestamp("2026-03-12")]
    assert out.loc[0, "baseline"] == pytest.approx(100.0)


def test_irregular_timestamps_work():
    # Readings at uneven times (no regular grid): positions are used as they come.
    rng = np.random.default_rng(3)
    hours = np.cumsum(rng.uniform(3, 9, size=120))
    idx = pd.Timestamp("2026-03-01") + pd.to_timedelta(hours, unit="h")
    values = rng.poisson(40, size=idx.size).astype(float)
    values[70] = 160.0
    s = pd.Series(values, index=idx)
    out = find_spikes(s)
    assert out["start"].tolist() == [idx[70]]
    assert out.loc[0, "peak"] == 160.0


def test_small_counts_do_not_make_spikes_but_a_real_jump_does():
    # 0-2 follows a day; one day of 4 is ordinary Poisson luck at this level.
    days = [0, 1, 2, 1, 0, 1, 1, 0, 2, 1, 0, 1, 4, 1, 0, 2, 1, 1, 0, 1, 2, 0, 1, 1, 0, 1, 2, 1]
    idx = pd.date_range("2026-05-01", periods=len(days), freq="D")
    s = pd.Series(days, index=idx, dtype=float)
    assert find_spikes(s).empty
    assert find_spikes(s, season=7).empty
    # The scale floor is 1 follow (sqrt of a baseline of ~1 is below 1).
    assert (spike_baseline(s)["scale"] >= 1.0).all()
    # 15 follows on a day of such an account is a spike (z = (15 - 1) / 1 = 14).
    s.iloc[12] = 15.0
    out = find_spikes(s)
    assert out["start"].tolist() == [idx[12]]
    # ... unless the caller asks for at least 20 extra follows.
    assert find_spikes(s, min_excess=20).empty


def test_five_minute_data_with_a_daily_season():
    rng = np.random.default_rng(4)
    idx = pd.date_range("2026-06-01", periods=288 * 6, freq="5min")
    phase = np.arange(idx.size) % 288
    mu = 20 + 15 * np.sin(2 * np.pi * phase / 288)  # busy afternoons, quiet nights
    values = rng.poisson(mu).astype(float)
    burst = slice(288 * 3 + 100, 288 * 3 + 106)  # 30 minutes of a bot burst on day 4
    values[burst] += 80.0
    s = pd.Series(values, index=idx)
    out = find_spikes(s, season=288)
    assert len(out) == 1
    assert out.loc[0, "start"] == idx[burst.start]
    assert out.loc[0, "end"] == idx[burst.stop - 1]
    assert out.loc[0, "excess"] == pytest.approx(480.0, rel=0.15)  # 6 x 80, plus noise


def test_long_plateau_is_a_new_level_centred_but_a_spike_trailing():
    # A 20-day "drip feed": +200 follows a day on top of 100 (weekends 60).
    s = weekly(17, [100, 100, 100, 100, 100, 60, 60])
    s.iloc[60:80] += 200.0  # 2026-03-06 .. 2026-03-25
    # Centred: the 29-day median window around any plateau day holds >= 15 plateau days, so the
    # plateau is the level there and nothing stands out.
    assert find_spikes(s, season=7).empty
    # Trailing: the median of the 29 days before stays at 100 until 15 of them are on the
    # plateau, so plateau days 1-15 (2026-03-06 .. 2026-03-20) are flagged:
    # excess = 15 x 200 = 3000.
    out = find_spikes(s, season=7, trailing=True)
    assert len(out) == 1
    assert out.loc[0, "start"] == pd.Timestamp("2026-03-06")
    assert out.loc[0, "end"] == pd.Timestamp("2026-03-20")
    assert out.loc[0, "excess"] == pytest.approx(3000.0)


def test_trailing_mode_uses_only_the_past():
    rng = np.random.default_rng(6)
    base = weekly(30, [300, 100, 100, 100, 100, 80, 80])
    s = pd.Series(rng.poisson(base.to_numpy()).astype(float), index=base.index)
    full = spike_baseline(s, season=7, trailing=True)
    head = spike_baseline(s.iloc[:120], season=7, trailing=True)
    pd.testing.assert_frame_equal(head, full.iloc[:120])
    # The centred model, by design, does look ahead.
    centred = spike_baseline(s, season=7)
    assert not centred.iloc[:120].equals(spike_baseline(s.iloc[:120], season=7))


def test_measurements_that_are_not_counts():
    # A share around 0.5 with noise of 0.01: 0.8 is a spike, but only without the count floor
    # (a scale of at least 1 would hide any excess below 4.5).
    rng = np.random.default_rng(5)
    idx = pd.date_range("2026-01-01", periods=200, freq="h")
    s = pd.Series(0.5 + rng.normal(0, 0.01, idx.size), index=idx)
    s.iloc[120] = 0.8
    out = find_spikes(s, counts=False)
    assert out["start"].tolist() == [idx[120]]
    assert out.loc[0, "excess"] == pytest.approx(0.3, abs=0.02)
    assert find_spikes(s).empty


@pytest.mark.parametrize(
    "series",
    [
        pd.Series([], dtype=float, index=pd.DatetimeIndex([])),
        pd.Series([], dtype=float),
        pd.Series([1.0, 2.0, 50.0, 1.0], index=pd.date_range("2026-01-01", periods=4)),
        pd.Series(np.nan, index=pd.date_range("2026-01-01", periods=30)),
    ],
    ids=["empty", "empty-no-index", "short", "all-nan"],
)
def test_empty_or_short_series_give_an_empty_frame(series):
    out = find_spikes(series, season=7)
    assert out.empty
    assert list(out.columns) == list(SPIKE_COLUMNS)
    assert pd.api.types.is_datetime64_any_dtype(out["start"])
    assert pd.api.types.is_datetime64_any_dtype(out["end"])
    assert all(out[c].dtype == np.float64 for c in ("peak", "baseline", "excess", "score"))


def test_result_dtypes_follow_the_index_and_timezone():
    s = weekly(8, [100] * 7).tz_localize("Europe/Moscow")
    s.iloc[30] = 500.0
    out = find_spikes(s)
    assert out["start"].dtype == s.index.dtype
    assert out.loc[0, "start"] == s.index[30]
    assert out.loc[0, "peak"] == 500.0
    assert find_spikes(s.iloc[:0])["start"].dtype == s.index.dtype


def test_input_is_not_modified():
    s = weekly(8, [100, 100, 100, 100, 100, 60, 60])
    s.iloc[20] = 300.0
    s.iloc[3] = np.nan
    before = s.copy()
    find_spikes(s, season=7)
    spike_baseline(s, season=7)
    pd.testing.assert_series_equal(s, before)


def test_spike_baseline_matches_find_spikes():
    s = weekly(12, [100, 100, 100, 100, 100, 60, 60])
    s.loc["2026-02-04"] = 400.0
    s.loc["2026-02-05"] = 250.0
    model = spike_baseline(s, season=7)
    assert list(model.columns) == ["baseline", "scale", "score"]
    assert model.index.equals(s.index)
    assert model.loc["2026-01-10", "baseline"] == pytest.approx(60.0)  # a Saturday
    excess_per_day = (s - model["baseline"]).clip(lower=0)
    assert excess_per_day.sum() == pytest.approx(find_spikes(s, season=7)["excess"].sum())


@pytest.mark.parametrize(
    ("series", "message"),
    [
        (pd.Series([1.0, 2.0, 3.0]), "DatetimeIndex"),
        (
            pd.Series(
                [1.0, 2.0, 3.0], index=pd.to_datetime(["2026-01-02", "2026-01-01", "2026-01-03"])
            ),
            "sorted",
        ),
        (pd.Series([1.0, -2.0, 3.0], index=pd.date_range("2026-01-01", periods=3)), ">= 0"),
        (pd.Series(["a", "b"], index=pd.date_range("2026-01-01", periods=2)), "numbers"),
        (pd.Series([1.0, np.inf], index=pd.date_range("2026-01-01", periods=2)), "infinite"),
        ([1, 2, 3], "pandas Series"),
    ],
    ids=["no-datetime-index", "unsorted", "negative", "text", "infinite", "not-a-series"],
)
def test_bad_series_raise_a_clear_error(series, message):
    with pytest.raises(SpikeInputError, match=message) as err:
        find_spikes(series)
    assert isinstance(err.value, (SmmKpiError, DataError, ValueError))
    with pytest.raises(SpikeInputError):
        spike_baseline(series)


@pytest.mark.parametrize(
    "kwargs",
    [{"season": 1}, {"season": 7.5}, {"window": 3}, {"threshold": 0}, {"min_excess": -1}],
)
def test_bad_parameters_raise_usage_error(kwargs):
    s = weekly(4, [100] * 7)
    with pytest.raises(UsageError):
        find_spikes(s, **kwargs)


def test_synthetic_follower_accounts_meet_the_targets():
    """A small version of ``benchmarks/nab_spikes.py --synthetic``: 40 account-years.

    Daily follows: negative-binomial noise (k in {inf, 100, 30, 10}) around a baseline of
    20-500 a day with a weekly cycle and a -30%..+100% yearly trend. Targets: at most ~1 false
    alarm per clean account-year, recall >= 0.9 on spikes of 3x the baseline lasting 1-4 days.
    """
    rng = np.random.default_rng(2026)
    idx = pd.date_range("2025-01-01", periods=365, freq="D")
    t = np.arange(idx.size)
    false_alarms = found = planted = 0
    for _ in range(40):
        weekly_shape = 1 + rng.uniform(0, 0.35) * np.array([0.1, 0.15, 0.2, 0.1, 0.0, -0.6, -0.7])
        mu = rng.uniform(20, 500) * (1 + rng.uniform(-0.3, 1.0) * t / 365)
        mu = mu * weekly_shape[(t + rng.integers(7)) % 7]
        k = rng.choice([np.inf, 100.0, 30.0, 10.0])

        def draw(mu=mu, k=k):
            if np.isinf(k):
                return rng.poisson(mu).astype(float)
            return rng.negative_binomial(k, k / (k + mu)).astype(float)

        false_alarms += len(find_spikes(pd.Series(draw(), index=idx), season=7))
        extra, spans = np.zeros(idx.size), []
        for j in range(4):
            start, dur = 20 + 85 * j + int(rng.integers(0, 50)), int(rng.integers(1, 5))
            extra[start : start + dur] = np.round(2.0 * mu[start : start + dur])  # 3x in all
            spans.append((start, start + dur - 1))
        out = find_spikes(pd.Series(draw() + extra, index=idx), season=7)
        flagged = np.zeros(idx.size, dtype=bool)
        for a, b in zip(out["start"], out["end"], strict=True):
            flagged[idx.get_loc(a) : idx.get_loc(b) + 1] = True
        for a, b in spans:
            found += bool(flagged[a : b + 1].any())
            planted += 1
    assert false_alarms / 40 <= 1.0
    assert found / planted >= 0.9
