"""The integrity score, the clean follower growth, and which KPIs a flag puts in doubt.

``integrity_score`` starts at 100 for a scope and loses points for each flag of warning or
critical severity that overlaps the scope: :data:`PENALTY` points per flag, at most
:data:`KIND_CAP` per kind of flag, never below 0. ``info`` flags cost nothing. The score is
deliberately simple so that a manager can recompute it from the flag list: 100 means no sign
of gamed metrics; one bought-follower spike (critical) gives 70; a spike, its unfollow wave and
a handful of posts with bought likes take it towards 0.

``clean_net_follower_growth`` is ``net_follower_growth`` minus the excess follows of flagged
spikes on scoped days, plus the excess unfollows of their unfollow waves on scoped days (the same
bots leaving are not held against the specialist twice).
"""

from __future__ import annotations

import pandas as pd

from ..dataset import Dataset
from ..scope import Scope
from .checks import flags_for_scope

__all__ = [
    "AFFECTED_KPIS",
    "KIND_CAP",
    "PENALTY",
    "counting",
    "flag_kinds_by_kpi",
    "follower_adjustment",
    "integrity_score",
    "integrity_values",
]

PENALTY = {"info": 0.0, "warning": 10.0, "critical": 30.0}
KIND_CAP = 50.0

#: Which gameable KPIs each kind of flag puts in doubt.
AFFECTED_KPIS = {
    "follower_spike": ("followers_end", "net_follower_growth", "follower_growth_rate"),
    "unfollow_wave": ("followers_end", "net_follower_growth", "follower_growth_rate"),
    "ghost_growth": ("followers_end", "net_follower_growth", "follower_growth_rate"),
    "bought_likes": (
        "interactions",
        "er_reach",
        "er_followers",
        "er_views",
        "love_rate",
        "interactions_per_post",
    ),
    "robot_traffic": ("social_sessions",),
    "contradiction": (),
}


def counting(flags: pd.DataFrame) -> pd.DataFrame:
    """Return the flags that count against someone (warning or critical)."""
    return flags[flags["severity"].isin(("warning", "critical"))]


def integrity_score(flags: pd.DataFrame) -> float:
    """Return the 0-100 integrity score of a scope from its flags (see the module docstring).

    Examples
    --------
    >>> flags = pd.DataFrame({"kind": ["follower_spike", "bought_likes", "bought_likes"],
    ...                       "severity": ["critical", "warning", "info"]})
    >>> integrity_score(flags)   # 100 - 30 - 10
    60.0
    """
    if flags.empty:
        return 100.0
    points = flags["severity"].map(PENALTY).fillna(0.0)
    per_kind = points.groupby(flags["kind"]).sum().clip(upper=KIND_CAP)
    return float(max(0.0, 100.0 - per_kind.sum()))


def follower_adjustment(flags: pd.DataFrame, scope: Scope) -> float:
    """Return the correction to add to ``net_follower_growth``: minus the excess follows of
    counting spikes, plus the excess unfollows of counting waves, on scoped days only."""
    flags = counting(flags)
    days = {
        (a, d.date().isoformat())
        for a, d in zip(scope.days["account_id"], scope.days["date"], strict=True)
    }
    total = 0.0
    for flag in flags.itertuples(index=False):
        if flag.kind not in ("follower_spike", "unfollow_wave"):
            continue
        sign = -1.0 if flag.kind == "follower_spike" else 1.0
        for day, excess in (flag.evidence.get("excess_by_day") or {}).items():
            if (flag.account_id, day) in days and excess:
                total += sign * float(excess)
    return total


def integrity_values(ds: Dataset, scope: Scope) -> dict:
    """Return ``integrity_score`` and ``clean_net_follower_growth`` for a scope.

    This is the hook ``kpis.compute_kpis(..., extra=integrity_values)`` plugs in.
    """
    if scope.is_empty:
        return {"integrity_score": None, "clean_net_follower_growth": None}
    from ..kpis import subscribers

    flags = flags_for_scope(ds, scope)
    net = subscribers.compute(ds, scope).get("net_follower_growth")
    clean = None if net is None else round(net + follower_adjustment(flags, scope))
    return {"integrity_score": integrity_score(counting(flags)), "clean_net_follower_growth": clean}


def flag_kinds_by_kpi(flags: pd.DataFrame) -> dict[str, list[str]]:
    """Return, per KPI id, the sorted kinds of counting flags that put it in doubt."""
    out: dict[str, set[str]] = {}
    for kind in counting(flags)["kind"].unique():
        for kpi_id in AFFECTED_KPIS.get(kind, ()):
            out.setdefault(kpi_id, set()).add(kind)
    return {k: sorted(v) for k, v in out.items()}


def annotate_kpi_table(table: pd.DataFrame, flags: pd.DataFrame) -> pd.DataFrame:
    """Return the KPI table with a ``flags`` column: per gameable KPI, the kinds of counting
    flags that put it in doubt (an empty list when none), so that the scorecard and reports
    can discount or mark it.
    """
    doubt = flag_kinds_by_kpi(flags)
    gameable = table["gameable"].astype(bool)
    marks = [doubt.get(k, []) if g else [] for k, g in zip(table["kpi"], gameable, strict=True)]
    return table.assign(flags=marks)
