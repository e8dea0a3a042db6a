"""Measure the integrity checks: precision and recall per kind, false alarms on clean accounts.

For each seed, the sample generator makes an honest dataset (``incidents=False``); this script
then plants incidents of varied size and timing on randomly chosen accounts (bought-follower
spikes of 1.5x to 10x the daily follows with an unfollow wave after them, bought likes on a
few posts, bursts of robot visits), writes the dataset, loads it with the real loader and runs
every check. It prints, per kind, recall (planted incidents found by a warning or critical flag
of that kind), recall on incidents above 3x the daily baseline, precision (flags of the kind on
planted accounts that match an incident), and false alarms per account-year on the accounts
with nothing planted.

    python benchmarks/integrity_quality.py               # 12 seeds, about a minute
    python benchmarks/integrity_quality.py --seeds 40

Bought followers are planted in packages of at least 100 (the smallest a bot farm sells), robot
visits at least 30 a day; an incident's size is reported as the planted total against the
account's usual daily count.

Targets (the integrity issue): recall >= 0.9 on incidents above 3x the daily baseline, at most
1 false alarm per account-year on clean data. The figures go into docs/integrity.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from smmkpi_helpers.dataset import load_dataset
from smmkpi_helpers.integrity import find_flags
from smmkpi_helpers.sample import generate_sample
from smmkpi_helpers.storage import write_table

COUNTING = ("warning", "critical")
FACTORS = (1.5, 2.0, 3.0, 4.0, 6.0, 10.0)
#: The smallest package of bought followers planted (bot farms sell them by the hundred).
MIN_PACKAGE = 100


def plant_spike(daily: pd.DataFrame, account: str, rng, truth: list) -> pd.DataFrame:
    """Add bought follows (no reach) and an unfollow wave; keep followers consistent."""
    mine = daily[daily["account_id"] == account].sort_values("date")
    n = len(mine)
    lo = int(rng.integers(60, n - 60))
    days = int(rng.integers(1, 5))
    factor = float(rng.choice(FACTORS))
    baseline = max(float(np.median(mine["follows"].iloc[lo - 28 : lo])), 1.0)
    # bot farms sell followers by the hundred: at least MIN_PACKAGE per incident
    per_day = max(baseline * (factor - 1.0), MIN_PACKAGE / days)
    fake = np.full(days, per_day).round()
    factor = (baseline + per_day) / baseline  # the size actually planted
    wave_lo = lo + days + int(rng.integers(3, 20))
    wave_days = int(rng.integers(3, 10))
    leaving = rng.multinomial(
        int(fake.sum() * rng.uniform(0.4, 0.7)), np.full(wave_days, 1.0 / wave_days)
    ).astype(float)
    extra_in = np.zeros(n)
    extra_in[lo : lo + days] = fake
    extra_out = np.zeros(n)
    extra_out[wave_lo : wave_lo + wave_days] = leaving
    idx = mine.index
    out = daily.copy()
    out.loc[idx, "follows"] = mine["follows"].to_numpy() + extra_in
    out.loc[idx, "unfollows"] = mine["unfollows"].to_numpy() + extra_out
    out.loc[idx, "followers"] = mine["followers"].to_numpy() + np.cumsum(extra_in - extra_out)
    dates = mine["date"].to_numpy()
    truth.append(
        {
            "kind": "follower_spike",
            "account_id": account,
            "start": dates[lo],
            "end": dates[lo + days - 1],
            "factor": factor,
            "post_ids": [],
        }
    )
    truth.append(
        {
            "kind": "unfollow_wave",
            "account_id": account,
            "start": dates[wave_lo],
            "end": dates[wave_lo + wave_days - 1],
            "factor": factor,
            "post_ids": [],
        }
    )
    return out


def plant_likes(posts: pd.DataFrame, account: str, rng, truth: list) -> pd.DataFrame:
    """Add bought likes to 2-6 posts of a random fortnight (comments and shares unchanged)."""
    mine = posts[
        (posts["account_id"] == account) & posts["likes"].notna() & posts["reach"].notna()
    ].sort_values("published_at")
    if len(mine) < 30:
        return posts
    lo = int(rng.integers(10, len(mine) - 10))
    chosen = mine.iloc[lo : lo + int(rng.integers(2, 7))]
    factor = rng.uniform(0.25, 1.3, len(chosen))
    out = posts.copy()
    out.loc[chosen.index, "likes"] = chosen["likes"] + (chosen["reach"] * factor).round()
    truth.append(
        {
            "kind": "bought_likes",
            "account_id": account,
            "start": chosen["published_at"].min(),
            "end": chosen["published_at"].max(),
            "factor": float(factor.mean()),
            "post_ids": chosen["post_id"].tolist(),
        }
    )
    return out


def plant_robots(sessions: pd.DataFrame, account: str, tz: str, rng, truth: list):
    """Append 1-3 days of one-page, near-zero visits from one campaign."""
    mine = sessions[sessions["account_id"] == account]
    if mine.empty:
        return sessions
    local = pd.to_datetime(mine["started_at"], format="ISO8601", utc=True).dt.tz_convert(tz)
    per_day = local.dt.normalize().value_counts()
    usual = float(per_day.median())
    days = sorted(per_day.index)
    start = days[int(rng.integers(30, len(days) - 30))]
    n_days = int(rng.integers(1, 4))
    factor = float(rng.choice(FACTORS))
    rows = []
    for d in range(n_days):
        day = start + pd.Timedelta(days=d)
        count = round(max(usual * (factor - 1.0), 30.0))
        for k in range(count):
            ts = day + pd.Timedelta(seconds=int(rng.integers(0, 6 * 3600)))
            rows.append(
                {
                    "session_id": f"bot{len(truth)}_{d}_{k}",
                    "started_at": ts.isoformat(),
                    "account_id": account,
                    "campaign": "boost",
                    "duration_s": float(k % 3),
                    "pageviews": 1.0,
                    "robot": True if rng.random() < 0.3 else None,
                }
            )
    truth.append(
        {
            "kind": "robot_traffic",
            "account_id": account,
            "start": start.tz_localize(None),
            "end": (start + pd.Timedelta(days=n_days - 1)).tz_localize(None),
            "factor": factor,
            "post_ids": [],
        }
    )
    return pd.concat([sessions, pd.DataFrame(rows)], ignore_index=True)


def match(flag, incident) -> bool:
    if flag["kind"] != incident["kind"] or flag["account_id"] != incident["account_id"]:
        return False
    if incident["kind"] == "bought_likes":
        return flag["post_id"] in incident["post_ids"]
    start = pd.Timestamp(incident["start"]).normalize() - pd.Timedelta(days=2)
    end = pd.Timestamp(incident["end"]).normalize() + pd.Timedelta(days=2)
    return not (flag["end"] < start or flag["start"] > end)


def run_seed(seed: int, workdir: Path) -> tuple[list, pd.DataFrame, dict]:
    tables, _ = generate_sample(seed=seed, specialists=4, months=15, incidents=False)
    rng = np.random.default_rng(seed + 7919)
    accounts = tables["accounts"]["account_id"].tolist()
    zones = dict(zip(tables["accounts"]["account_id"], tables["accounts"]["timezone"], strict=True))
    planted = rng.choice(accounts, size=4, replace=False)
    truth: list = []
    tables = dict(tables)
    tables["account_daily"] = plant_spike(tables["account_daily"], planted[0], rng, truth)
    tables["account_daily"] = plant_spike(tables["account_daily"], planted[3], rng, truth)
    tables["posts"] = plant_likes(tables["posts"], planted[1], rng, truth)
    tables["web_sessions"] = plant_robots(
        tables["web_sessions"], planted[2], zones[planted[2]], rng, truth
    )
    folder = workdir / f"seed{seed}"
    folder.mkdir()
    for name, frame in tables.items():
        write_table(frame, name, folder)
    ds = load_dataset(folder)
    flags = find_flags(ds)
    daily = ds["account_daily"]
    years = daily.groupby("account_id")["date"].nunique() / 365.0
    return truth, flags, {"planted": set(planted), "years": years.to_dict()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=12, help="number of seeded datasets")
    parser.add_argument("--first-seed", type=int, default=1000)
    args = parser.parse_args(argv)
    found: dict[str, list] = {}
    flagged: dict[str, list] = {}
    false_alarms, clean_years = 0, 0.0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="smmkpi-integrity-") as tmp:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            truth, flags, info = run_seed(seed, Path(tmp))
            counting = flags[flags["severity"].isin(COUNTING)]
            for incident in truth:
                hit = any(match(f, incident) for _, f in counting.iterrows())
                found.setdefault(incident["kind"], []).append((incident["factor"], hit))
                if not hit and (incident["factor"] > 3.0 or incident["kind"] == "bought_likes"):
                    print(
                        f"  seed {seed}: missed {incident['kind']} {incident['account_id']} "
                        f"{pd.Timestamp(incident['start']).date()} x{incident['factor']:.1f}",
                        file=sys.stderr,
                    )
            for _, flag in counting.iterrows():
                if flag["account_id"] in info["planted"]:
                    ok = any(match(flag, i) for i in truth)
                    flagged.setdefault(flag["kind"], []).append(ok)
                else:
                    false_alarms += 1
                    print(
                        f"  seed {seed}: false alarm {flag['kind']} {flag['account_id']} "
                        f"{flag['start'].date()}..{flag['end'].date()} {flag['severity']}",
                        file=sys.stderr,
                    )
            clean_years += sum(y for a, y in info["years"].items() if a not in info["planted"])
    elapsed = time.perf_counter() - started
    print(f"{args.seeds} seeded datasets, {elapsed:.1f} s")
    print(
        f"{'kind':<16} {'incidents':>9} {'recall':>7} {'recall>3x':>9} {'flags':>6} "
        f"{'precision':>9}"
    )
    for kind in ("follower_spike", "unfollow_wave", "bought_likes", "robot_traffic"):
        hits = found.get(kind, [])
        big = [h for f, h in hits if f > 3.0 or kind == "bought_likes"]
        recall = sum(h for _, h in hits) / len(hits) if hits else float("nan")
        recall_big = sum(big) / len(big) if big else float("nan")
        marks = flagged.get(kind, [])
        precision = sum(marks) / len(marks) if marks else float("nan")
        print(
            f"{kind:<16} {len(hits):>9} {recall:>7.2f} {recall_big:>9.2f} {len(marks):>6} "
            f"{precision:>9.2f}"
        )
    rate = false_alarms / clean_years if clean_years else float("nan")
    print(
        f"false alarms on clean accounts: {false_alarms} in {clean_years:.1f} account-years "
        f"= {rate:.2f} per account-year (target <= 1)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
