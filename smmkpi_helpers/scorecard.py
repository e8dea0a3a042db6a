"""The scorecard: KPIs chosen by business goal, judged against targets, into explained scores.

How a specialist is judged (``docs/scorecard.md`` says the same for managers):

1. **Profile.** Each account has a ``business_goal``; its profile (:mod:`.profiles`) says which
   KPIs count and how much. A specialist whose accounts have different goals is judged on a
   blend: each profile's weights are multiplied by the share of the specialist's scoped
   account-days that belong to accounts with that goal, and summed. ``business_goal`` (the
   ``--business-goal`` option) overrides this with one profile.
2. **Targets.** A row of ``targets.csv`` for the specialist, the period's label and a KPI sets
   the target; its ``weight``, when given, replaces the profile's (0 removes the KPI; a KPI
   outside the profile joins with that weight, or with :data:`DEFAULT_EXTRA_WEIGHT`).
   **A KPI without a target is judged against its comparison period**: holding last period's
   level is 100 %. A comparison value of 0 gives no scale to measure a change against (any
   spend would look infinitely worse than none), so such a KPI drops out like a missing one.
3. **Attainment** = ``100 + 100 x (value - target) / |target|`` when higher is better, and
   ``100 - 100 x (value - target) / |target|`` when lower is better (reply time, bounce,
   unfollows, cost per lead), so meeting the target is 100 % either way; ``|target|`` is
   floored at 1 (one unit of the KPI) so a zero target does not divide by zero. Attainment is
   kept between 0 and :data:`ATTAINMENT_CAP` (150 %).
4. **Points** = ``min(attainment, 100)``: beating one target cannot hide missing another.
5. **Not available.** A KPI whose value is null, or that has neither a target nor a comparison
   value, drops out and its weight is shared among the rest in proportion (the report lists
   it under ``dropped``).
6. **Gamed metrics.** A gameable KPI that a warning or critical integrity flag puts in doubt
   (``integrity.AFFECTED_KPIS``) earns 0 points (its weight stays, so gaming costs points), and
   the report names the flags. Follower growth is judged on ``clean_net_follower_growth``,
   which removes the excess follows of flagged spikes.
7. **Scores.** ``overall_score = sum(weight x points) / sum(weight)`` over the judged KPIs,
   0-100; each family's score is the same sum within the family. ``contribution`` =
   ``weight x points / sum(weight)`` so that the contributions add up to the overall score.
   Every number needed to recompute them is in ``results.json``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import json
from dataclasses import dataclass, field

import pandas as pd

from .dataset import Dataset
from .errors import UsageError
from .integrity import counting, flag_kinds_by_kpi, flags_for_scope, integrity_values
from .kpis import KpiReport, kpi_report
from .kpis.catalog import FAMILIES, kpi
from .periods import Period, parse_period
from .profiles import PROFILES
from .schema import BUSINESS_GOALS

__all__ = [
    "ATTAINMENT_CAP",
    "DEFAULT_EXTRA_WEIGHT",
    "SCHEMA_VERSION",
    "Scorecard",
    "attainment",
    "blend_profiles",
    "recompute_scores",
    "results_bytes",
    "results_json",
    "score_specialist",
]

ATTAINMENT_CAP = 150.0
DEFAULT_EXTRA_WEIGHT = 5.0
SCHEMA_VERSION = 1
_VERSIONED = ("smmkpi", "pandas", "numpy", "pandera", "matplotlib", "seaborn", "papermill")


def attainment(value: float, target: float, better: str) -> float:
    """Return the attainment in percent (0-150) of ``value`` against ``target``.

    Examples
    --------
    >>> attainment(12.0, 10.0, "higher")   # 100 + 100 x 2 / 10
    120.0
    >>> attainment(30.0, 20.0, "lower")    # 100 - 100 x 10 / 20
    50.0
    >>> attainment(-5.0, 0.0, "higher")    # |target| floored at 1: 100 - 500, kept at 0
    0.0
    """
    scale = max(abs(float(target)), 1.0)
    delta = 100.0 * (float(value) - float(target)) / scale
    raw = 100.0 + delta if better == "higher" else 100.0 - delta
    return float(min(max(raw, 0.0), ATTAINMENT_CAP))


def blend_profiles(ds: Dataset, scope, business_goal: str | None = None) -> list[dict]:
    """Return the profiles a scope is judged on with their shares (sum 1).

    Parameters
    ----------
    ds : Dataset
    scope : Scope
    business_goal : str, optional
        Overrides the accounts' goals with one profile.

    Returns
    -------
    list of dict
        ``[{"goal", "title", "share", "reason"}]`` sorted by goal.
    """
    if business_goal is not None:
        if business_goal not in PROFILES:
            raise UsageError(
                f"unknown business goal '{business_goal}'; expected one of "
                + ", ".join(BUSINESS_GOALS)
            )
        shares = {business_goal: 1.0}
    elif scope.is_empty:
        shares = {}
    else:
        goals = ds["accounts"].set_index("account_id")["business_goal"]
        per_day = scope.days["account_id"].map(goals)
        counts = per_day.value_counts()
        shares = {g: float(n) / float(counts.sum()) for g, n in counts.items()}
    return [
        {"goal": g, "title": PROFILES[g].title, "share": shares[g], "reason": PROFILES[g].reason}
        for g in sorted(shares)
    ]


def _weights(profiles: list[dict]) -> dict[str, float]:
    weights: dict[str, float] = {}
    for p in profiles:
        for kpi_id, w in PROFILES[p["goal"]].weights.items():
            weights[kpi_id] = weights.get(kpi_id, 0.0) + w * p["share"]
    return weights


def _targets(ds: Dataset, specialist: str, period: Period) -> pd.DataFrame:
    targets = ds.get("targets")
    if targets is None or targets.empty:
        return pd.DataFrame(columns=["kpi", "target", "weight"])
    mine = targets[(targets["specialist_id"] == specialist) & (targets["period"] == period.label)]
    return mine[["kpi", "target", "weight"]]


@dataclass(frozen=True)
class Scorecard:
    """A specialist's evaluation for a period.

    Attributes
    ----------
    report : KpiReport
        The KPI table and the scopes.
    rows : DataFrame
        One row per catalog KPI: ``kpi, family, label, unit, value, comparison, change,
        change_pct, better, gameable, target, target_source, attainment, points, weight,
        contribution, flags, status`` (``status``: ``judged``, ``discounted``, ``dropped``,
        ``not in profile`` or ``context``).
    profiles : list of dict
        The profiles used and their shares.
    flags : DataFrame
        The integrity flags of the scope.
    family_scores : dict
        ``{family: {"score", "weight"}}`` for families with judged KPIs.
    overall_score : float or None
        0-100; None when nothing could be judged.
    notes : list of str
        Plain sentences: what dropped out and why, what was discounted and why.
    """

    report: KpiReport
    rows: pd.DataFrame
    profiles: list[dict]
    flags: pd.DataFrame
    family_scores: dict[str, dict]
    overall_score: float | None
    business_goal: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def specialist(self) -> str:
        """Return the specialist id."""
        return self.report.scope.specialist_id

    @property
    def period(self) -> Period:
        """Return the period."""
        return self.report.scope.period

    @property
    def integrity_score(self) -> float | None:
        """Return the integrity score of the scope (None without scoped days)."""
        return self.report.values.get("integrity_score")

    def judged(self) -> pd.DataFrame:
        """Return the rows that carry weight (judged or discounted), heaviest first."""
        rows = self.rows[self.rows["status"].isin(("judged", "discounted"))]
        return rows.sort_values(["weight", "kpi"], ascending=[False, True], ignore_index=True)


def score_specialist(
    ds: Dataset,
    specialist: str,
    period: str | Period,
    *,
    business_goal: str | None = None,
) -> Scorecard:
    """Evaluate one specialist in one period (see the module docstring for every rule).

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    specialist : str
        A specialist id of the dataset.
    period : str or Period
        A period label.
    business_goal : str, optional
        Judge every account on this goal's profile instead of the accounts' own goals.

    Returns
    -------
    Scorecard
    """
    period = parse_period(period)
    report = kpi_report(ds, specialist, period, extra=integrity_values)
    scope = report.scope
    profiles = blend_profiles(ds, scope, business_goal)
    weights = _weights(profiles)
    flags = flags_for_scope(ds, scope)
    doubt = flag_kinds_by_kpi(counting(flags))
    targets = _targets(ds, specialist, period).set_index("kpi")
    notes: list[str] = []
    records = []
    for row in report.table.itertuples(index=False):
        entry = kpi(row.kpi)
        weight = weights.get(row.kpi)
        target, source = None, None
        if row.kpi in targets.index:
            target_row = targets.loc[row.kpi]
            target, source = float(target_row["target"]), "target"
            if pd.notna(target_row["weight"]):
                weight = float(target_row["weight"])
            elif weight is None:
                weight = DEFAULT_EXTRA_WEIGHT
        elif row.comparison is not None and row.comparison != 0:
            target, source = float(row.comparison), "comparison"
        flags_here = doubt.get(row.kpi, []) if entry.gameable else []
        record = {
            "kpi": row.kpi,
            "family": row.family,
            "label": row.label,
            "unit": row.unit,
            "value": row.value,
            "comparison": row.comparison,
            "change": row.change,
            "change_pct": row.change_pct,
            "better": row.better,
            "gameable": bool(row.gameable),
            "target": target,
            "target_source": source,
            "attainment": None,
            "points": None,
            "weight": None,
            "contribution": None,
            "flags": flags_here,
            "status": "not in profile",
        }
        if entry.better is None:
            record["status"] = "context"
        elif weight is not None and weight > 0:
            if row.value is None or target is None:
                record["status"] = "dropped"
                why = (
                    "it is not available"
                    if row.value is None
                    else (
                        "it has no target, and no comparison value other than 0 to measure a "
                        "change against"
                    )
                )
                notes.append(
                    f"{entry.label} ({row.kpi}) dropped out: {why}; its weight was "
                    "shared among the other KPIs."
                )
            else:
                record["weight"] = float(weight)
                record["attainment"] = attainment(row.value, target, entry.better)
                if flags_here:
                    record["points"] = 0.0
                    record["status"] = "discounted"
                    notes.append(
                        f"{entry.label} ({row.kpi}) earns no points: the integrity "
                        f"checks flagged {', '.join(flags_here)} in this period."
                    )
                else:
                    record["points"] = min(record["attainment"], 100.0)
                    record["status"] = "judged"
        records.append(record)
    rows = pd.DataFrame(records)
    carrying = rows["weight"].notna()
    total = float(rows.loc[carrying, "weight"].sum())
    family_scores: dict[str, dict] = {}
    overall = None
    if total > 0:
        rows.loc[carrying, "contribution"] = (
            rows.loc[carrying, "weight"] * rows.loc[carrying, "points"] / total
        )
        overall = float(rows.loc[carrying, "contribution"].sum())
        for family in FAMILIES:
            part = rows[carrying & (rows["family"] == family)]
            if len(part):
                w = float(part["weight"].sum())
                family_scores[family] = {
                    "score": float((part["weight"] * part["points"]).sum() / w),
                    "weight": w / total * 100.0,
                }
    elif not scope.is_empty:
        notes.append("No KPI of the profile could be judged in this period.")
    rows = rows.astype(
        {
            "contribution": object,
            "weight": object,
            "points": object,
            "attainment": object,
            "target": object,
        }
    )
    rows = rows.where(rows.notna(), None)
    return Scorecard(report, rows, profiles, flags, family_scores, overall, business_goal, notes)


def _versions() -> dict[str, str]:
    out = {}
    for name in _VERSIONED:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def _jsonable(value):
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def results_json(card: Scorecard, *, dataset: Dataset) -> dict:
    """Return the ``results.json`` document of a scorecard (schema version 1).

    The document names the data folder, never where it lies, and holds no wall-clock time, so
    the same inputs give the same bytes (:func:`results_bytes`). ``docs/results-schema.md``
    describes every field.
    """
    from .cli.integrity_cmd import flags_to_records

    scope = card.report.scope
    comparison = scope.period.comparison()
    rows = []
    for r in card.rows.to_dict(orient="records"):
        rows.append(
            {
                k: _jsonable(r[k])
                for k in (
                    "kpi",
                    "family",
                    "label",
                    "unit",
                    "value",
                    "comparison",
                    "change",
                    "change_pct",
                    "better",
                    "gameable",
                    "target",
                    "target_source",
                    "attainment",
                    "points",
                    "weight",
                    "contribution",
                    "flags",
                    "status",
                )
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "specialist": card.specialist,
        "period": {
            "label": scope.period.label,
            "start": scope.period.start.isoformat(),
            "end": scope.period.end.isoformat(),
        },
        "comparison_period": {
            "label": comparison.label,
            "start": comparison.start.isoformat(),
            "end": comparison.end.isoformat(),
        },
        "profiles": card.profiles,
        "data": {
            "name": dataset.name,
            "fingerprint": dataset.fingerprint,
            "tables": sorted(dataset.files.values()),
        },
        "parameters": {
            "data": dataset.name,
            "specialist": card.specialist,
            "period": scope.period.label,
            "business_goal": card.business_goal,
        },
        "versions": _versions(),
        "scope": {
            "accounts": scope.accounts,
            "account_days": len(scope.days),
            "uncovered_account_days": int(scope.uncovered_days),
        },
        "kpis": rows,
        "flags": flags_to_records(card.flags),
        "family_scores": card.family_scores,
        "overall_score": card.overall_score,
        "integrity_score": card.integrity_score,
        "notes": card.notes,
        "rules": {
            "attainment_cap": ATTAINMENT_CAP,
            "points_cap": 100.0,
            "default_extra_weight": DEFAULT_EXTRA_WEIGHT,
        },
    }


def results_bytes(document: dict) -> bytes:
    """Serialise a results document deterministically (sorted keys, fixed separators)."""
    text = json.dumps(document, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def results_digest(document: dict) -> str:
    """Return the sha256 of a results document's bytes."""
    return hashlib.sha256(results_bytes(document)).hexdigest()


def recompute_scores(document: dict) -> dict:
    """Recompute the overall and family scores from a results document alone.

    Used by tests and by anyone who wants to check a report by hand: weights and points are in
    every KPI row.
    """
    judged = [r for r in document["kpis"] if r["weight"] is not None]
    total = sum(r["weight"] for r in judged)
    if not total:
        return {"overall_score": None, "family_scores": {}}
    overall = sum(r["weight"] * r["points"] for r in judged) / total
    families = {}
    for family in dict.fromkeys(r["family"] for r in judged):
        part = [r for r in judged if r["family"] == family]
        w = sum(r["weight"] for r in part)
        families[family] = {
            "score": sum(r["weight"] * r["points"] for r in part) / w,
            "weight": w / total * 100.0,
        }
    return {"overall_score": overall, "family_scores": families}
