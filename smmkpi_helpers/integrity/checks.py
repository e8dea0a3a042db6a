"""Checks for gamed metrics: bought followers, bought likes, robot traffic, impossible numbers.

Every check looks at an account's whole history (a baseline needs the weeks around a day) and
returns *flags*, one row each, with the columns of :data:`FLAG_COLUMNS`:

``kind``
    ``follower_spike``, ``unfollow_wave``, ``ghost_growth``, ``bought_likes``,
    ``robot_traffic`` or ``contradiction``.
``account_id``, ``start``, ``end``, ``post_id``
    Where and when (dates are the account's local days; ``post_id`` is None unless the flag is
    about one post).
``severity``
    ``info`` (worth a look, counts against nobody), ``warning`` or ``critical``.
``evidence``
    A dict of the numbers behind the flag.
``message``
    One sentence a manager understands.

A scope is judged only on the flags that overlap its account-days
(:func:`flags_for_scope`). The thresholds below are module constants, documented in
``docs/integrity.md`` with the figures measured on generated data.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from ..dataset import Dataset
from ..scope import Scope
from .spikes import find_spikes, spike_baseline

__all__ = [
    "FLAG_COLUMNS",
    "KINDS",
    "SEVERITIES",
    "bought_likes",
    "contradictions",
    "find_flags",
    "flags_for_scope",
    "follower_spikes",
    "ghost_growth",
    "robot_traffic",
]

FLAG_COLUMNS = ("kind", "account_id", "start", "end", "post_id", "severity", "evidence", "message")
KINDS = (
    "follower_spike",
    "unfollow_wave",
    "ghost_growth",
    "bought_likes",
    "robot_traffic",
    "contradiction",
)
SEVERITIES = ("info", "warning", "critical")

#: Robust z-score a day's follows must pass (see spikes.find_spikes).
SPIKE_THRESHOLD = 4.5
#: Smallest excess of follows over the baseline, over the whole spike, worth flagging.
SPIKE_MIN_EXCESS = 20.0
#: A spike is explained by reach, views or profile visits that rose at least this share of the
#: follows' rise (ratio of observed to expected, both minus 1).
EXPLAINED_SHARE = 0.4
#: A spike is also explained when the follows per reached person (or per view, per profile
#: visit) on its days are at most this many times the account's usual conversion: more people
#: saw the account and the usual share of them followed it (a post that spread).
EXPLAINED_CONVERSION = 2.0
#: Follows this many times the usual make a spike critical.
CRITICAL_RATIO = 4.0
#: Days after a spike in which an unfollow wave is looked for.
WAVE_HORIZON_DAYS = 45
#: z-score of the summed extra unfollows of the most significant run of 1 to
#: WAVE_LONGEST_DAYS days inside the horizon (the sum of excesses over the root of the summed
#: noise variances), above which the run is an unfollow wave.
WAVE_THRESHOLD = 3.5
WAVE_LONGEST_DAYS = 14
#: Ghost growth: monthly follower growth (share) at least this, while reach and interactions
#: per post did not grow.
GHOST_MIN_GROWTH = 0.08
GHOST_MAX_ACTIVITY_GROWTH = 0.0
GHOST_MIN_POSTS = 4
#: Bought likes: robust z-score of log(likes / reach) against the account's own posts, with
#: comments and shares per reach staying below CALM_Z.
LIKES_Z = 4.0
LIKES_CRITICAL_Z = 6.0
CALM_Z = 2.0
LIKES_MIN_POSTS = 10
#: Robot traffic: share of sessions marked robot in a month of an account.
ROBOT_SHARE_WARNING = 0.20
ROBOT_SHARE_INFO = 0.05
#: A burst: one-page sessions shorter than this (seconds), far above their daily baseline.
BURST_MAX_DURATION_S = 5.0
BURST_MIN_EXCESS = 30.0


def _flag(kind, account_id, start, end, severity, evidence, message, post_id=None) -> dict:
    return {
        "kind": kind,
        "account_id": account_id,
        "start": pd.Timestamp(start).normalize(),
        "end": pd.Timestamp(end).normalize(),
        "post_id": post_id,
        "severity": severity,
        "evidence": evidence,
        "message": message,
    }


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(FLAG_COLUMNS))
    frame["start"] = pd.to_datetime(frame["start"]).astype("datetime64[ns]")
    frame["end"] = pd.to_datetime(frame["end"]).astype("datetime64[ns]")
    return frame.astype({"post_id": object, "evidence": object})


def _r(value: float, digits: int = 2) -> float | None:
    return None if value is None or not np.isfinite(value) else round(float(value), digits)


def _daily_series(daily: pd.DataFrame, column: str) -> pd.Series:
    """Return a column of one account's daily rows as a series on a complete daily grid."""
    series = daily.set_index("date")[column].astype("float64")
    grid = pd.date_range(series.index.min(), series.index.max(), freq="D")
    return series.reindex(grid)


def _ratio(series: pd.Series, days: pd.DatetimeIndex) -> float | None:
    """Return observed / expected over ``days`` for a daily series (None without data)."""
    if series.notna().sum() < 8:
        return None
    model = spike_baseline(series, season=7)
    observed = series.reindex(days)
    expected = model["baseline"].reindex(days)
    ok = observed.notna() & expected.notna()
    if not ok.any() or expected[ok].sum() <= 0:
        return None
    return float(observed[ok].sum() / expected[ok].sum())


def _conversion_ratio(
    follows: pd.Series, support: pd.Series, days: pd.DatetimeIndex
) -> float | None:
    """Return (follows / support) on ``days`` over its median in the 8 weeks around them."""
    if support.notna().sum() < 8:
        return None
    around = pd.date_range(days.min() - pd.Timedelta(days=28), days.max() + pd.Timedelta(days=28))
    both = pd.DataFrame({"f": follows.reindex(around), "s": support.reindex(around)}).dropna()
    both = both[both["s"] > 0]
    usual = both.drop(index=[d for d in days if d in both.index])
    if len(usual) < 8:
        return None
    typical = float((usual["f"] / usual["s"]).median())
    inside = both.reindex(days).dropna()
    if inside.empty or inside["s"].sum() <= 0 or typical <= 0:
        return None
    return float(inside["f"].sum() / inside["s"].sum()) / typical


def _follows(daily: pd.DataFrame) -> pd.Series:
    follows = _daily_series(daily, "follows")
    if follows.notna().sum() >= 8:
        return follows
    # no follows reported: the positive part of the day-to-day change of followers
    followers = _daily_series(daily, "followers")
    return followers.diff().clip(lower=0)


def _reach_driven(daily: pd.DataFrame, follows: pd.Series) -> pd.Series:
    """Return the follows each day's reach (or views) would bring at the usual conversion.

    The usual conversion is the centred 57-day rolling median of follows per reached person;
    NaN where the account reports neither reach nor views.
    """
    for column in ("reach", "views"):
        support = _daily_series(daily, column).reindex(follows.index)
        if support.notna().sum() >= 14:
            conversion = (follows / support).where(support > 0)
            usual = conversion.rolling(57, center=True, min_periods=14).median()
            return usual * support
    return pd.Series(np.nan, index=follows.index)


def _candidates(follows: pd.Series, unexplained: pd.Series) -> list[tuple]:
    """Return merged (start, end, score) intervals of spikes in follows, or in the follows that
    reach does not account for (a bought spike hidden among post-driven swings)."""
    parts = [find_spikes(follows, season=7, threshold=SPIKE_THRESHOLD)]
    if unexplained.notna().sum() >= 14:
        parts.append(find_spikes(unexplained, season=7, threshold=SPIKE_THRESHOLD))
    spans = sorted(
        (row.start, row.end, row.score) for part in parts for row in part.itertuples(index=False)
    )
    merged: list[list] = []
    for first, last, score in spans:
        if merged and first <= merged[-1][1] + pd.Timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], last)
            merged[-1][2] = max(merged[-1][2], score)
        else:
            merged.append([first, last, score])
    return [tuple(m) for m in merged]


def follower_spikes(ds: Dataset) -> pd.DataFrame:
    """Flag follower spikes that reach, views and profile visits do not explain, and the
    unfollow waves that follow them.

    Spikes are searched both in the daily follows and in the follows that the day's reach does
    not account for at the account's usual conversion (so that a bought spike on a small,
    post-driven account is not lost among honest swings). A day's expected follows is the larger
    of the follows baseline and the reach-driven follows; its excess is what lies above.

    Returns
    -------
    DataFrame
        Flags (:data:`FLAG_COLUMNS`). A spike's evidence holds ``excess_by_day``
        (``{"YYYY-MM-DD": excess follows}``), an unfollow wave's the excess unfollows by day:
        ``clean_net_follower_growth`` removes and adds back exactly these.
    """
    rows: list[dict] = []
    daily_all = ds["account_daily"]
    for account_id, daily in daily_all.groupby("account_id", sort=True):
        if len(daily) < 14:
            continue
        follows = _follows(daily)
        driven = _reach_driven(daily, follows)
        unexplained = (follows - driven).clip(lower=0)
        candidates = _candidates(follows, unexplained)
        if not candidates:
            continue
        model = spike_baseline(follows, season=7)
        unfollows = _daily_series(daily, "unfollows")
        for first, last, score in candidates:
            days = pd.date_range(first, last, freq="D")
            observed = follows.reindex(days)
            usual = model["baseline"].reindex(days).clip(lower=1.0)
            expected = np.maximum(usual, driven.reindex(days).fillna(0.0))
            excess = (observed - expected).clip(lower=0.0).fillna(0.0)
            if excess.sum() < SPIKE_MIN_EXCESS:
                continue
            ratio = float(observed.sum() / usual.sum())
            support = {
                col: _ratio(_daily_series(daily, col), days)
                for col in ("reach", "views", "profile_visits")
            }
            conversion = {
                col: _conversion_ratio(follows, _daily_series(daily, col), days)
                for col in ("reach", "views", "profile_visits")
            }
            explained = [
                col
                for col in support
                if (support[col] is not None and support[col] - 1 >= EXPLAINED_SHARE * (ratio - 1))
                or (conversion[col] is not None and conversion[col] <= EXPLAINED_CONVERSION)
            ]
            evidence = {
                "follows": _r(observed.sum(), 0),
                "usual_follows": _r(usual.sum(), 1),
                "expected_follows": _r(expected.sum(), 1),
                "excess_follows": _r(excess.sum(), 1),
                "ratio": _r(ratio),
                "reach_ratio": _r(support["reach"]) if support["reach"] else None,
                "views_ratio": _r(support["views"]) if support["views"] else None,
                "profile_visits_ratio": _r(support["profile_visits"])
                if support["profile_visits"]
                else None,
                "follows_per_reach_vs_usual": _r(conversion["reach"])
                if conversion["reach"]
                else None,
                "score": _r(score),
                "excess_by_day": {d.date().isoformat(): _r(v) for d, v in excess.items() if v > 0},
            }
            span = _span(first, last)
            if explained:
                rows.append(
                    _flag(
                        "follower_spike",
                        account_id,
                        first,
                        last,
                        "info",
                        evidence,
                        f"{account_id} gained {ratio:.1f}x its usual follows {span}, matched by a "
                        f"rise in {' and '.join(c.replace('_', ' ') for c in explained)}: "
                        "most likely a post that spread, not bought followers.",
                    )
                )
                continue
            severity = "critical" if ratio >= CRITICAL_RATIO else "warning"
            reach_text = (
                f"while reach stayed at {support['reach']:.1f}x its usual level"
                if support["reach"]
                else "with no matching rise in reach or views"
            )
            rows.append(
                _flag(
                    "follower_spike",
                    account_id,
                    first,
                    last,
                    severity,
                    evidence,
                    f"{account_id} gained {int(observed.sum())} follows {span}, {ratio:.1f}x the "
                    f"usual {usual.mean():.0f} a day, {reach_text}: the pattern of bought "
                    "followers.",
                )
            )
            spike = SimpleNamespace(start=first, end=last, excess=float(excess.sum()))
            wave = _unfollow_wave(account_id, unfollows, spike, severity)
            if wave:
                rows.append(wave)
    return _frame(rows)


def _span(start, end) -> str:
    start, end = pd.Timestamp(start).date(), pd.Timestamp(end).date()
    return f"on {start}" if start == end else f"from {start} to {end}"


def _best_window(excess: np.ndarray, variance: np.ndarray, longest: int) -> tuple[int, int, float]:
    """Return (start, length, z) of the run of days whose summed excess is most significant."""
    best = (0, 0, -np.inf)
    c_excess = np.concatenate(([0.0], np.cumsum(excess)))
    c_var = np.concatenate(([0.0], np.cumsum(variance)))
    for length in range(1, min(longest, excess.size) + 1):
        sums = c_excess[length:] - c_excess[:-length]
        spread = np.sqrt(np.maximum(c_var[length:] - c_var[:-length], 1e-9))
        z = sums / spread
        i = int(np.argmax(z))
        if z[i] > best[2]:
            best = (i, length, float(z[i]))
    return best


def _unfollow_wave(account_id, unfollows: pd.Series, spike, severity) -> dict | None:
    """Find the most significant run of extra unfollows (1-14 days) after a spike."""
    if unfollows.notna().sum() < 14:
        return None
    model = spike_baseline(unfollows, season=7)
    horizon = (unfollows.index > spike.start) & (
        unfollows.index <= spike.end + pd.Timedelta(days=WAVE_HORIZON_DAYS)
    )
    positions = np.flatnonzero(horizon & model["baseline"].notna().to_numpy())
    if positions.size == 0:
        return None
    observed = unfollows.to_numpy()[positions]
    expected = model["baseline"].to_numpy()[positions]
    scale = model["scale"].to_numpy()[positions]
    excess = np.where(np.isfinite(observed), observed - expected, 0.0)
    first, length, z = _best_window(excess, scale**2, WAVE_LONGEST_DAYS)
    if z < WAVE_THRESHOLD:
        return None
    window = slice(first, first + length)
    positive = np.clip(excess[window], 0.0, None)
    total = float(positive.sum())
    if total < max(10.0, 0.05 * spike.excess):
        return None
    inside = np.flatnonzero(positive > 0)
    days = unfollows.index[positions[window]][inside[0] : inside[-1] + 1]
    by_day = {
        d.date().isoformat(): _r(v)
        for d, v in zip(unfollows.index[positions[window]], positive, strict=True)
        if v > 0
    }
    evidence = {
        "unfollows": _r(np.nansum(observed[window]), 0),
        "expected_unfollows": _r(expected[window].sum(), 1),
        "excess_unfollows": _r(total, 1),
        "days": len(days),
        "score": _r(z),
        "after_spike_start": pd.Timestamp(spike.start).date().isoformat(),
        "excess_by_day": by_day,
    }
    return _flag(
        "unfollow_wave",
        account_id,
        days.min(),
        days.max(),
        severity,
        evidence,
        f"{account_id} lost {int(total)} more followers than usual "
        f"{_span(days.min(), days.max())}, "
        f"after the follower spike of {pd.Timestamp(spike.start).date()}: bought followers "
        "leaving (or being removed by the platform).",
    )


def ghost_growth(ds: Dataset) -> pd.DataFrame:
    """Flag months in which followers grew while reach and interactions per post did not.

    Honest growth brings people who see and react to posts, so reach and interactions grow
    with it (more slowly, which lowers ER); a ghost audience adds followers and nothing else.
    A month is flagged when followers grew by at least :data:`GHOST_MIN_GROWTH` while both
    ``er_followers`` and ``reach_rate`` fell and reach and interactions per post did not grow
    against the previous month (each month needs :data:`GHOST_MIN_POSTS` posts).
    """
    posts = ds["posts"]
    daily = ds["account_daily"]
    if posts.empty or daily.empty:
        return _frame([])
    followers = daily[["account_id", "date", "followers"]]
    p = posts.assign(date=posts["published_at_local"].dt.normalize())
    p = p.merge(followers, on=["account_id", "date"], how="left")
    parts = p[["likes", "comments", "shares", "saves"]]
    p = p.assign(
        interactions=parts.sum(axis=1, min_count=1),
        month=p["date"].dt.to_period("M"),
    )
    p = p[p["interactions"].notna() & p["reach"].notna() & p["followers"].notna()]
    monthly = p.groupby(["account_id", "month"]).agg(
        posts=("post_id", "size"),
        interactions=("interactions", "sum"),
        reach=("reach", "sum"),
        followers=("followers", "sum"),
    )
    d = daily.assign(month=daily["date"].dt.to_period("M"))
    ends = d.sort_values("date").groupby(["account_id", "month"])["followers"].last()
    monthly = monthly.join(ends.rename("followers_end"), how="inner").reset_index()
    rows = []
    for account_id, frame in monthly.groupby("account_id", sort=True):
        frame = frame.sort_values("month").reset_index(drop=True)
        previous = frame.shift(1)
        consecutive = (frame["month"] - previous["month"]).map(
            lambda off: (
                getattr(off, "n", None) == 1 if off is not None and off is not pd.NaT else False
            )
        )
        growth = frame["followers_end"] / previous["followers_end"] - 1
        er_ratio = (frame["interactions"] / frame["followers"]) / (
            previous["interactions"] / previous["followers"]
        )
        rr_ratio = (frame["reach"] / frame["followers"]) / (
            previous["reach"] / previous["followers"]
        )
        reach_pp = (frame["reach"] / frame["posts"]) / (previous["reach"] / previous["posts"]) - 1
        inter_pp = (frame["interactions"] / frame["posts"]) / (
            previous["interactions"] / previous["posts"]
        ) - 1
        enough = (frame["posts"] >= GHOST_MIN_POSTS) & (previous["posts"] >= GHOST_MIN_POSTS)
        hit = (
            consecutive
            & enough
            & (growth >= GHOST_MIN_GROWTH)
            & (er_ratio < 1)
            & (rr_ratio < 1)
            & (reach_pp <= GHOST_MAX_ACTIVITY_GROWTH)
            & (inter_pp <= GHOST_MAX_ACTIVITY_GROWTH)
        )
        for i in np.flatnonzero(hit.fillna(False).to_numpy()):
            month = frame.loc[i, "month"]
            evidence = {
                "follower_growth_pct": _r(growth[i] * 100),
                "er_followers_change_pct": _r((er_ratio[i] - 1) * 100),
                "reach_rate_change_pct": _r((rr_ratio[i] - 1) * 100),
                "reach_per_post_change_pct": _r(reach_pp[i] * 100),
                "interactions_per_post_change_pct": _r(inter_pp[i] * 100),
            }
            rows.append(
                _flag(
                    "ghost_growth",
                    account_id,
                    month.start_time,
                    month.end_time,
                    "warning",
                    evidence,
                    f"{account_id} grew by {growth[i] * 100:.0f}% of followers in {month}, yet "
                    f"reach per post changed by {reach_pp[i] * 100:+.0f}% and interactions per "
                    f"post by {inter_pp[i] * 100:+.0f}%: the new followers do not read or react.",
                )
            )
    return _frame(rows)


def _robust_z(values: pd.Series) -> pd.Series:
    median = values.median()
    mad = (values - median).abs().median() * 1.4826
    scale = max(mad, 0.05)
    return (values - median) / scale


def bought_likes(ds: Dataset) -> pd.DataFrame:
    """Flag posts with more likes than reach, or likes far above the account's own rate.

    For each account, ``log(likes / reach)`` of every post is compared with the account's
    median by a robust z-score (MAD); a post is flagged when that score passes
    :data:`LIKES_Z` while its comments and shares per reach stay within :data:`CALM_Z` (people
    who really like a post also comment and share it). More likes than reach is impossible
    for real likes and always flagged.
    """
    posts = ds["posts"]
    if posts.empty:
        return _frame([])
    p = posts[posts["likes"].notna() & posts["reach"].notna() & (posts["reach"] > 0)]
    rows = []
    for account_id, frame in p.groupby("account_id", sort=True):
        likes_rate = np.log((frame["likes"] + 1) / frame["reach"])
        z_likes = (
            _robust_z(likes_rate)
            if len(frame) >= LIKES_MIN_POSTS
            else pd.Series(np.nan, index=frame.index)
        )
        calm = pd.Series(True, index=frame.index)
        for column in ("comments", "shares"):
            rate = np.log((frame[column] + 1) / frame["reach"])
            z = _robust_z(rate) if len(frame) >= LIKES_MIN_POSTS else rate * np.nan
            calm &= ~(z > CALM_Z).fillna(False)
        over_reach = frame["likes"] > frame["reach"]
        unusual = (z_likes > LIKES_Z).fillna(False) & calm
        median_rate = float(np.exp(likes_rate.median()))
        for index in frame.index[(over_reach | unusual).to_numpy()]:
            row = frame.loc[index]
            day = row["published_at_local"].normalize()
            z = z_likes.get(index)
            severity = (
                "critical"
                if over_reach[index] or (z is not None and z > LIKES_CRITICAL_Z)
                else "warning"
            )
            evidence = {
                "likes": _r(row["likes"], 0),
                "reach": _r(row["reach"], 0),
                "comments": _r(row["comments"], 0) if pd.notna(row["comments"]) else None,
                "shares": _r(row["shares"], 0) if pd.notna(row["shares"]) else None,
                "likes_per_reach_pct": _r(row["likes"] / row["reach"] * 100),
                "account_median_likes_per_reach_pct": _r(median_rate * 100),
                "score": _r(z) if z is not None and np.isfinite(z) else None,
            }
            why = (
                f"got {int(row['likes'])} likes from {int(row['reach'])} people reached"
                if over_reach[index]
                else f"was liked by {row['likes'] / row['reach'] * 100:.0f}% of the people it "
                f"reached, against {median_rate * 100:.1f}% usually"
            )
            rows.append(
                _flag(
                    "bought_likes",
                    account_id,
                    day,
                    day,
                    severity,
                    evidence,
                    f"Post {row['post_id']} of {account_id} {why}, while comments and shares "
                    "stayed ordinary: the pattern of bought likes.",
                    post_id=row["post_id"],
                )
            )
    return _frame(rows)


def robot_traffic(ds: Dataset) -> pd.DataFrame:
    """Flag months with a high share of robot sessions, and bursts of one-page, near-zero
    sessions from one account (robots the web analytics did not mark).
    """
    sessions = ds.get("web_sessions")
    if sessions is None or sessions.empty:
        return _frame([])
    s = sessions[sessions["account_id"].notna()]
    s = s.assign(
        date=s["started_at_local"].dt.normalize(), robot_flag=s["robot"].fillna(False).astype(bool)
    )
    rows = []
    monthly = (
        s.assign(month=s["date"].dt.to_period("M"))
        .groupby(["account_id", "month"])
        .agg(sessions=("session_id", "size"), robots=("robot_flag", "sum"))
    )
    for (account_id, month), row in monthly.iterrows():
        share = row["robots"] / row["sessions"] if row["sessions"] else 0.0
        if share < ROBOT_SHARE_INFO or row["robots"] < 10:
            continue
        severity = "warning" if share >= ROBOT_SHARE_WARNING else "info"
        rows.append(
            _flag(
                "robot_traffic",
                account_id,
                month.start_time,
                month.end_time,
                severity,
                {
                    "sessions": int(row["sessions"]),
                    "robot_sessions": int(row["robots"]),
                    "robot_share_pct": _r(share * 100),
                },
                f"{share * 100:.0f}% of the site visits from {account_id} in {month} were robots "
                "(the web analytics marked them): someone may be buying traffic.",
            )
        )
    humans = s[~s["robot_flag"]]
    quick = (humans["pageviews"] <= 1) & (humans["duration_s"] < BURST_MAX_DURATION_S)
    humans = humans.assign(quick=quick.astype("float64"))
    for account_id, frame in humans.groupby("account_id", sort=True):
        by_day = frame.groupby("date").agg(quick=("quick", "sum"), sessions=("quick", "size"))
        grid = pd.date_range(by_day.index.min(), by_day.index.max(), freq="D")
        series = by_day["quick"].reindex(grid, fill_value=0.0)
        total = by_day["sessions"].reindex(grid, fill_value=0)
        spikes = find_spikes(series, season=7, threshold=SPIKE_THRESHOLD, min_excess=0.0)
        for spike in spikes.itertuples(index=False):
            if spike.excess < BURST_MIN_EXCESS:
                continue
            days = pd.date_range(spike.start, spike.end, freq="D")
            quick_n = float(series.reindex(days).sum())
            all_n = float(total.reindex(days).sum())
            campaigns = frame[frame["date"].isin(days) & (frame["quick"] > 0)]["campaign"]
            top = campaigns.value_counts().head(1)
            evidence = {
                "one_page_short_sessions": int(quick_n),
                "sessions": int(all_n),
                "excess_sessions": _r(spike.excess, 0),
                "expected_per_day": _r(spike.baseline, 1),
                "top_campaign": str(top.index[0]) if len(top) else None,
                "top_campaign_sessions": int(top.iloc[0]) if len(top) else None,
            }
            severity = (
                "critical"
                if spike.excess >= 0.5 * max(all_n, 1) and spike.excess >= 3 * BURST_MIN_EXCESS
                else "warning"
            )
            rows.append(
                _flag(
                    "robot_traffic",
                    account_id,
                    spike.start,
                    spike.end,
                    severity,
                    evidence,
                    f"{int(quick_n)} visits from {account_id} {_span(spike.start, spike.end)} "
                    f"lasted under {BURST_MAX_DURATION_S:.0f} seconds on a single page, far above "
                    f"the usual {spike.baseline:.0f} a day: robot traffic the analytics did not "
                    "mark.",
                )
            )
    return _frame(rows)


def contradictions(ds: Dataset) -> pd.DataFrame:
    """Flag numbers platforms never produce: post reach above its views, and more unfollows
    than the previous day's followers plus the day's follows.
    """
    rows = []
    posts = ds["posts"]
    bad = posts[(posts["reach"] > posts["views"]).fillna(False)]
    for row in bad.itertuples(index=False):
        day = row.published_at_local.normalize()
        rows.append(
            _flag(
                "contradiction",
                row.account_id,
                day,
                day,
                "warning",
                {"reach": _r(row.reach, 0), "views": _r(row.views, 0)},
                f"Post {row.post_id} of {row.account_id} reached {int(row.reach)} people but was "
                f"viewed only {int(row.views)} times, which platforms never report: check how the "
                "numbers were exported or edited.",
                post_id=row.post_id,
            )
        )
    daily = ds["account_daily"].sort_values(["account_id", "date"])
    prev = daily.groupby("account_id")["followers"].shift(1)
    prev_date = daily.groupby("account_id")["date"].shift(1)
    consecutive = (daily["date"] - prev_date) == pd.Timedelta(days=1)
    impossible = consecutive & (daily["unfollows"] > prev + daily["follows"].fillna(0))
    for index in daily.index[impossible.fillna(False).to_numpy()]:
        row = daily.loc[index]
        rows.append(
            _flag(
                "contradiction",
                row["account_id"],
                row["date"],
                row["date"],
                "warning",
                {
                    "unfollows": _r(row["unfollows"], 0),
                    "previous_followers": _r(prev[index], 0),
                    "follows": _r(row["follows"], 0),
                },
                f"{row['account_id']} reports {int(row['unfollows'])} unfollows on "
                f"{row['date'].date()}, more than it had followers the day before plus the day's "
                "follows: the numbers cannot be right.",
            )
        )
    return _frame(rows)


_CHECKS = (follower_spikes, ghost_growth, bought_likes, robot_traffic, contradictions)
_CACHE: dict[str, pd.DataFrame] = {}


def find_flags(ds: Dataset) -> pd.DataFrame:
    """Run every check on the whole dataset; return all flags sorted by account, kind and date.

    Results are remembered per data fingerprint (the same bytes give the same flags), so the
    three scopes of one evaluation share one run.
    """
    key = ds.fingerprint
    if key and key in _CACHE:
        return _CACHE[key].copy()
    parts = [check(ds) for check in _CHECKS]
    parts = [p for p in parts if not p.empty]
    flags = pd.concat(parts, ignore_index=True) if parts else _frame([])
    flags = flags.sort_values(
        ["account_id", "start", "kind", "post_id"],
        na_position="first",
        kind="stable",
        ignore_index=True,
    )
    if key:
        if len(_CACHE) >= 8:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = flags
    return flags.copy()


def flags_for_scope(ds: Dataset, scope: Scope) -> pd.DataFrame:
    """Return the flags that overlap the scope's account-days (a flag on an account counts for a
    specialist only when it touches a day the specialist ran that account)."""
    flags = find_flags(ds)
    if flags.empty or scope.is_empty:
        return flags.iloc[0:0]
    bounds = scope.days.groupby("account_id")["date"].agg(["min", "max"])
    keep = []
    day_sets = {a: set(g["date"]) for a, g in scope.days.groupby("account_id")}
    for index, flag in flags.iterrows():
        days = day_sets.get(flag["account_id"])
        if not days:
            continue
        first, last = bounds.loc[flag["account_id"], "min"], bounds.loc[flag["account_id"], "max"]
        if flag["end"] < first or flag["start"] > last:
            continue
        span = pd.date_range(flag["start"], flag["end"], freq="D")
        if any(d in days for d in span):
            keep.append(index)
    return flags.loc[keep].reset_index(drop=True)
