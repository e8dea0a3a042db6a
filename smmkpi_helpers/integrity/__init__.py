"""Integrity: find gamed metrics (bought followers and likes, robot traffic) and clean KPIs.

Public API: :func:`find_spikes` (the spike detector), :func:`find_flags` and
:func:`flags_for_scope` (every check), :func:`integrity_score`, :func:`integrity_values` (the
KPI hook) and :func:`flag_kinds_by_kpi`. ``docs/integrity.md`` explains the checks, the score
and the measured figures.
"""

from .checks import FLAG_COLUMNS, KINDS, SEVERITIES, find_flags, flags_for_scope
from .score import (
    AFFECTED_KPIS,
    annotate_kpi_table,
    counting,
    flag_kinds_by_kpi,
    follower_adjustment,
    integrity_score,
    integrity_values,
)
from .spikes import SPIKE_COLUMNS, find_spikes, spike_baseline

__all__ = [
    "AFFECTED_KPIS",
    "annotate_kpi_table",
    "FLAG_COLUMNS",
    "KINDS",
    "SEVERITIES",
    "SPIKE_COLUMNS",
    "counting",
    "find_flags",
    "find_spikes",
    "flag_kinds_by_kpi",
    "flags_for_scope",
    "follower_adjustment",
    "integrity_score",
    "integrity_values",
    "spike_baseline",
]
