"""Score ``find_spikes`` on four labelled NAB series with NAB's standard profile.

Usage::

    python benchmarks/nab_spikes.py                    # NAB table (about a second)
    python benchmarks/nab_spikes.py --synthetic 1000   # + synthetic follower accounts (~35 s)
    python benchmarks/nab_spikes.py --synthetic 1000 --factor 2 --threshold 5

Each detector turns a file into a list of detection rows; a detection is the first row of
every interval it reports. The rows are scored as NAB does (numenta/NAB, ``nab/sweeper.py``,
``Sweeper.calcSweepScore`` and ``calcScoreByThreshold``; ``config/profiles.json``, profile
``standard``; normalisation in ``nab/runner.py``, ``Runner.normalize``):

* the first ``min(floor(0.15 * rows), 750)`` rows are probationary and not scored;
* a detection at row ``i`` inside a window spanning rows ``[L, R]`` is worth
  ``A_TP * S(-(R - i + 1) / (R - L + 1)) / S(-1)``, with ``S(x) = 2 / (1 + exp(5 x)) - 1``
  (and ``S(x) = -1`` for ``x > 3``); only the best (earliest) detection of a window counts;
* a window without a detection costs ``A_FN``;
* a detection outside every window costs ``A_FP * S(|i - R_prev| / (W_prev - 1))``, where
  ``R_prev`` and ``W_prev`` are the last row and width of the last window that ended before it,
  or ``A_FP * (-1)`` when no window came before;
* normalised score = ``100 * (raw - null) / (perfect - null)``, ``null`` = every window missed,
  ``perfect`` = ``A_TP`` per window.

A_TP = 1.0, A_FN = 1.0 (counted as -1 per missed window), A_FP = 0.11.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing the package

from smmkpi_helpers.integrity.spikes import find_spikes  # noqa: E402

DEFAULT_NAB_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "nab-known-cause"

A_TP, A_FP, A_FN = 1.0, 0.11, 1.0  # NAB "standard" profile (fpWeight is applied as a cost)
PROBATION_PERCENT = 0.15

#: file -> (season in points, values are counts?)
FILES = {
    "nyc_taxi.csv": (48, True),  # 30-minute passenger counts, daily cycle
    "ambient_temperature_system_failure.csv": (24, False),  # hourly temperature
    "ec2_request_latency_system_failure.csv": (288, False),  # 5-minute latency
    "rogue_agent_key_hold.csv": (288, False),  # 5-minute share of time a key is held
}


def scaled_sigmoid(x: float) -> float:
    """NAB's ``scaledSigmoid``: 0.987 at the left edge of a window, 0 at its right edge."""
    if x > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * x)) - 1.0


@dataclass
class FileScore:
    windows: int
    detections: int  # scored (non-probationary) detections
    tp: int  # windows with at least one detection
    fp: int  # detections outside every window
    fn: int  # windows without a detection
    raw: float
    null: float
    perfect: float

    @property
    def normalised(self) -> float:
        return 100.0 * (self.raw - self.null) / (self.perfect - self.null)

    def __add__(self, other: FileScore) -> FileScore:
        return FileScore(
            *(a + b for a, b in zip(vars(self).values(), vars(other).values(), strict=True))
        )


def nab_score(timestamps: pd.DatetimeIndex, detected: np.ndarray, windows) -> FileScore:
    """Score boolean detections per row the way NAB's Sweeper does (standard profile)."""
    n = len(timestamps)
    probation = min(math.floor(PROBATION_PERCENT * n), PROBATION_PERCENT * 5000)
    stamps = list(timestamps)
    spans = [(stamps.index(pd.Timestamp(a)), stamps.index(pd.Timestamp(b))) for a, b in windows]
    max_tp = scaled_sigmoid(-1.0)
    best = {w: -A_FN for w, (left, right) in enumerate(spans) if right >= probation}
    fp_score, fp, hits = 0.0, 0, set()
    for i in np.flatnonzero(detected):
        if i < probation:
            continue
        inside = [w for w, (left, right) in enumerate(spans) if left <= i <= right]
        if inside:
            w = inside[0]
            left, right = spans[w]
            weighted = scaled_sigmoid(-(right - i + 1) / (right - left + 1)) * A_TP / max_tp
            best[w] = max(best[w], weighted)
            hits.add(w)
            continue
        before = [(right, right - left + 1) for left, right in spans if right < i]
        if before:
            right, width = before[-1]
            fp_score += scaled_sigmoid(abs(right - i) / (width - 1)) * A_FP
        else:
            fp_score += -1.0 * A_FP
        fp += 1
    scored = len(best)
    n_det = int(np.count_nonzero(detected[int(probation) :]))
    raw = sum(best.values()) + fp_score
    return FileScore(
        scored, n_det, len(hits), fp, scored - len(hits), raw, -A_FN * scored, A_TP * scored
    )


def _starts_to_rows(index: pd.DatetimeIndex, starts) -> np.ndarray:
    detected = np.zeros(len(index), dtype=bool)
    if len(starts):
        detected[index.searchsorted(pd.DatetimeIndex(starts), side="left")] = True
    return detected


def detect_find_spikes(series: pd.Series, season: int, counts: bool) -> np.ndarray:
    return _starts_to_rows(series.index, find_spikes(series, season=season, counts=counts)["start"])


def detect_find_spikes_trailing(series: pd.Series, season: int, counts: bool) -> np.ndarray:
    found = find_spikes(series, season=season, counts=counts, trailing=True)
    return _starts_to_rows(series.index, found["start"])


def detect_naive(series: pd.Series, season: int, counts: bool) -> np.ndarray:
    """Value above the mean + 3 std of the previous ``4 * season + 1`` points; run starts only."""
    past = series.shift(1).rolling(4 * season + 1, min_periods=season)
    hot = (series > past.mean() + 3.0 * past.std()).to_numpy()
    return hot & ~np.concatenate(([False], hot[:-1]))


def detect_null(series: pd.Series, season: int, counts: bool) -> np.ndarray:
    return np.zeros(len(series), dtype=bool)


DETECTORS = {
    "find_spikes": detect_find_spikes,
    "find_spikes trailing": detect_find_spikes_trailing,
    "naive 3-sigma": detect_naive,
    "null": detect_null,
}


def run_nab(nab_dir: Path) -> None:
    labels = json.loads((nab_dir / "labels.json").read_text())
    totals: dict[str, FileScore] = {}
    header = f"{'file':40} {'detector':20} {'win':>4} {'det':>5} {'TP':>3} {'FP':>5} {'FN':>3}"
    print(header + f" {'raw':>8} {'NAB std':>8}")
    for name, (season, counts) in FILES.items():
        frame = pd.read_csv(nab_dir / name, parse_dates=["timestamp"])
        series = frame.set_index("timestamp")["value"].astype(float)
        for det_name, detector in DETECTORS.items():
            s = nab_score(series.index, detector(series, season, counts), labels["windows"][name])
            totals[det_name] = totals[det_name] + s if det_name in totals else s
            print(
                f"{name:40} {det_name:20} {s.windows:4d} {s.detections:5d} {s.tp:3d} {s.fp:5d}"
                f" {s.fn:3d} {s.raw:8.2f} {s.normalised:8.1f}"
            )
    for det_name, s in totals.items():
        print(
            f"{'ALL (4 files)':40} {det_name:20} {s.windows:4d} {s.detections:5d} {s.tp:3d}"
            f" {s.fp:5d} {s.fn:3d} {s.raw:8.2f} {s.normalised:8.1f}"
        )
    # Not in the totals: the taxi series also has a weekly cycle (336 half-hours), which
    # season=48 cannot see; this row shows what the right season changes.
    name = "nyc_taxi.csv"
    frame = pd.read_csv(nab_dir / name, parse_dates=["timestamp"])
    series = frame.set_index("timestamp")["value"].astype(float)
    s = nab_score(series.index, detect_find_spikes(series, 336, True), labels["windows"][name])
    print(
        f"\n{name + ' (season=336, weekly)':40} {'find_spikes':20} {s.windows:4d} {s.detections:5d}"
        f" {s.tp:3d} {s.fp:5d} {s.fn:3d} {s.raw:8.2f} {s.normalised:8.1f}"
    )


# --- synthetic daily follower counts (the detector's main use) ---------------------------------


def synthetic_account(rng: np.random.Generator, days: int = 365):
    """Expected daily follows (weekly cycle, slow trend) and a negative-binomial shape k."""
    t = np.arange(days)
    amp = rng.uniform(0.0, 0.35)
    weekly = 1 + amp * np.array([0.1, 0.15, 0.2, 0.1, 0.0, -0.6, -0.7])
    mu = rng.uniform(20, 500) * (1 + rng.uniform(-0.3, 1.0) * t / days)
    mu = mu * weekly[(t + rng.integers(7)) % 7]
    return mu, rng.choice([np.inf, 100.0, 30.0, 10.0])


def synthetic_draw(rng: np.random.Generator, mu: np.ndarray, k: float) -> np.ndarray:
    if np.isinf(k):
        return rng.poisson(mu).astype(float)
    return rng.negative_binomial(k, k / (k + mu)).astype(float)


def run_synthetic(accounts: int, factor: float, threshold: float, seed: int = 2026) -> None:
    """False alarms per clean account-year and recall of 4 planted spikes per account-year."""
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2025-01-01", periods=365, freq="D")
    modes = {"centred": False, "trailing": True}
    false_alarms = dict.fromkeys(modes, 0)
    hits = {(mode, k): 0 for mode in modes for k in (np.inf, 100.0, 30.0, 10.0)}
    planted = dict.fromkeys((np.inf, 100.0, 30.0, 10.0), 0)
    for _ in range(accounts):
        mu, k = synthetic_account(rng)
        clean = pd.Series(synthetic_draw(rng, mu, k), index=idx)
        extra, spans = np.zeros(len(idx)), []
        for j in range(4):  # organic noise + (factor - 1) x baseline extra follows, 1-4 days
            start, dur = 20 + 85 * j + int(rng.integers(0, 50)), int(rng.integers(1, 5))
            extra[start : start + dur] = np.round((factor - 1) * mu[start : start + dur])
            spans.append((start, start + dur - 1))
        spiky = pd.Series(synthetic_draw(rng, mu, k) + extra, index=idx)
        planted[k] += len(spans)
        for mode, trailing in modes.items():
            options = {"season": 7, "threshold": threshold, "trailing": trailing}
            false_alarms[mode] += len(find_spikes(clean, **options))
            flagged = np.zeros(len(idx), dtype=bool)
            found = find_spikes(spiky, **options)
            for a, b in found[["start", "end"]].itertuples(index=False):
                flagged[idx.get_loc(a) : idx.get_loc(b) + 1] = True
            hits[mode, k] += sum(bool(flagged[a : b + 1].any()) for a, b in spans)
    print(
        f"\nsynthetic daily follows: {accounts} account-years, spikes at {factor:g}x baseline,"
        f" threshold {threshold:g}"
    )
    for mode in modes:
        total = sum(hits[mode, k] for k in planted)
        print(
            f"  {mode:9} false alarms per clean account-year {false_alarms[mode] / accounts:.3f},"
            f" recall {total / sum(planted.values()):.3f} ({total}/{sum(planted.values())})"
        )
        for k, n in sorted(planted.items()):
            print(f"      negative-binomial k={k:g}: recall {hits[mode, k] / max(n, 1):.3f} of {n}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nab-dir", type=Path, default=DEFAULT_NAB_DIR)
    parser.add_argument("--synthetic", type=int, default=0, metavar="ACCOUNTS")
    parser.add_argument("--factor", type=float, default=3.0, help="synthetic spike size (x)")
    parser.add_argument("--threshold", type=float, default=4.5, help="synthetic: z threshold")
    args = parser.parse_args(argv)
    if not (args.nab_dir / "labels.json").is_file():
        print(f"no NAB data (labels.json) in {args.nab_dir}; pass --nab-dir", file=sys.stderr)
        return 2
    began = time.perf_counter()
    run_nab(args.nab_dir)
    if args.synthetic:
        run_synthetic(args.synthetic, args.factor, args.threshold)
    print(f"\n({time.perf_counter() - began:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
