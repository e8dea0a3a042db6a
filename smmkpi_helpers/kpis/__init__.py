"""Every KPI of the catalog for a specialist and a period: the long KPI table.

>>> from smmkpi_helpers import load_dataset
>>> from smmkpi_helpers.kpis import compute_kpis
>>> ds = load_dataset()                                               # doctest: +SKIP
>>> table = compute_kpis(ds, "anna", "2026-10")                       # doctest: +SKIP
>>> table.set_index("kpi").loc["er_reach", ["value", "comparison"]]   # doctest: +SKIP

One module per family (:mod:`.subscribers`, :mod:`.reach`, :mod:`.engagement`, :mod:`.content`,
:mod:`.communications`, :mod:`.traffic`, :mod:`.goals`, :mod:`.awareness`, :mod:`.context`)
exposes ``FAMILY`` and ``compute(ds, scope) -> dict`` with a value for every catalog id of its
family. This module calls them for the period ``P`` and its comparison period ``P'``, and the
growth KPIs for ``P`` against ``P'`` and for ``P'`` against ``P''`` (the period before it):

- ``reach_growth`` = ``(avg_daily_reach(P) - avg_daily_reach(P')) / avg_daily_reach(P') x 100``;
- ``mentions_growth``, the same from the per-date mentions (awareness returns them under the
  private key ``_mentions_per_date``);

both null when the comparison value is null or 0 (rule 13). ``integrity_score`` and
``clean_net_follower_growth`` are null unless the integrity checks plug in through ``extra``, a
callable ``(ds, scope) -> dict`` whose values override the family values
(:func:`smmkpi_helpers.integrity.score.integrity_values`; ``smmkpi kpis`` and the scorecard pass
it). Keys that start with ``_`` never reach the output. A scope without a scoped day gives null
for every KPI (rule 1), and ``extra`` is not called for it.

Extensions of the shared contract (nothing renamed): the table's ``label`` column (last);
:func:`kpi_report` (the table with its scopes), :func:`kpi_table`, :func:`report_json`; the
families' optional keyword arguments (``posts=``, ``sessions=``, ``conversions=``) through
which the entry point shares what several families need.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from ..dataset import Dataset
from ..periods import Period, parse_period
from ..scope import Scope, build_scope
from . import (
    awareness,
    communications,
    content,
    context,
    engagement,
    goals,
    reach,
    subscribers,
    traffic,
)
from ._posts import restricted_view, scoped_posts, to_python
from .catalog import CATALOG, FAMILIES, KPI_IDS, Kpi, kpi

__all__ = [
    "CATALOG",
    "FAMILIES",
    "FAMILY_MODULES",
    "KPI_IDS",
    "TABLE_COLUMNS",
    "Extra",
    "KpiReport",
    "compute_kpis",
    "compute_values",
    "kpi",
    "kpi_report",
    "kpi_table",
    "kpis_json",
    "report_json",
    "restricted_view",
]

#: A hook that returns extra values for a scope (the integrity module's ``(ds, scope) -> dict``).
Extra = Callable[[Dataset, Scope], Mapping[str, object]]

#: The family modules, in the catalog's family order.
FAMILY_MODULES = (
    subscribers,
    reach,
    engagement,
    content,
    communications,
    traffic,
    goals,
    awareness,
    context,
)

#: Columns of the long KPI table, in order (``label`` extends the issue's list).
TABLE_COLUMNS = (
    "kpi",
    "family",
    "value",
    "comparison",
    "change",
    "change_pct",
    "unit",
    "better",
    "gameable",
    "label",
)

#: Growth KPIs: id -> the base value (one per scope) the growth is computed from.
_GROWTH_BASE = {"reach_growth": "avg_daily_reach", "mentions_growth": "_mentions_per_date"}


@dataclass(frozen=True)
class KpiReport:
    """The KPI table of one specialist and period, with the scopes it was computed on.

    Attributes
    ----------
    scope : Scope
        The scope of the period ``P``.
    comparison_scope : Scope
        The same specialist's scope in the comparison period ``P'``.
    table : DataFrame
        The long KPI table (:data:`TABLE_COLUMNS`).
    values : dict
        ``{kpi id: value}`` for ``P`` (what the JSON output's ``kpis`` holds).
    """

    scope: Scope
    comparison_scope: Scope
    table: pd.DataFrame
    values: dict[str, int | float | None] = field(default_factory=dict)


def _normalise(entry: Kpi, value: object) -> int | float | None:
    """Return ``value`` as the catalog wants it: int for counts, float otherwise, None for NaN."""
    number = to_python(value)
    if number is None:
        return None
    return round(number) if entry.integer else float(number)


def _family_values(ds: Dataset, scope: Scope) -> dict[str, object]:
    """Return the raw values of every family for one scope (private ``_`` keys included)."""
    values: dict[str, object] = {k.id: None for k in CATALOG}
    if scope.is_empty:
        return values
    posts = scoped_posts(ds, scope)
    sessions = traffic.social_sessions_table(ds, scope) if ds.has("web_sessions") else None
    conversions = goals.scoped_conversions(ds, scope) if ds.has("conversions") else None
    values.update(subscribers.compute(ds, scope))
    values.update(reach.compute(ds, scope, posts=posts))
    values.update(engagement.compute(ds, scope, posts=posts))
    values.update(content.compute(ds, scope, posts=posts))
    values.update(communications.compute(ds, scope))
    values.update(traffic.compute(ds, scope, posts=posts, sessions=sessions))
    values.update(goals.compute(ds, scope, sessions=sessions, conversions=conversions))
    values.update(awareness.compute(ds, scope))
    values.update(context.compute(ds, scope, conversions=conversions))
    values["integrity_score"] = None
    return values


def _growth_bases(ds: Dataset, scope: Scope) -> dict[str, object]:
    """Return only the base values of the growth KPIs for one scope (the ``P''`` scope)."""
    if scope.is_empty:
        return dict.fromkeys(_GROWTH_BASE.values())
    per_date = reach.daily_reach(ds, scope)["reach"].dropna()
    return {
        "avg_daily_reach": float(per_date.mean()) if len(per_date) else None,
        "_mentions_per_date": awareness.compute(ds, scope).get("_mentions_per_date"),
    }


def _finish(
    ds: Dataset,
    scope: Scope,
    raw: Mapping[str, object],
    previous: Mapping[str, object],
    extra: Extra | None,
) -> dict[str, int | float | None]:
    """Return the public values of a scope: growth KPIs added, ``extra`` applied, normalised."""
    values = dict(raw)
    for growth_id, base in _GROWTH_BASE.items():
        values[growth_id] = reach.growth(to_python(raw.get(base)), to_python(previous.get(base)))
    if extra is not None and not scope.is_empty:
        values.update(extra(ds, scope))
    return {k.id: _normalise(k, values.get(k.id)) for k in CATALOG}


def compute_values(
    ds: Dataset, scope: Scope, *, extra: Extra | None = None
) -> dict[str, int | float | None]:
    """Return every catalog KPI of one scope.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    scope : Scope
        The scope (:func:`smmkpi_helpers.scope.build_scope`).
    extra : callable, optional
        ``extra(ds, scope) -> dict`` whose values override the family values (the integrity
        module fills ``integrity_score`` and ``clean_net_follower_growth`` this way).

    Returns
    -------
    dict
        ``{kpi id: value}`` in catalog order: counts as ``int``, everything else ``float``
        (unrounded, percentages as percent), ``None`` where not available. The growth KPIs
        compare with the specialist's own scope in the comparison period.
    """
    if scope.is_empty:
        return _finish(ds, scope, _family_values(ds, scope), {}, extra)
    before = scope.comparison(ds)
    view = restricted_view(ds, (scope, before))
    return _finish(ds, scope, _family_values(view, scope), _growth_bases(view, before), extra)


def _change(entry: Kpi, value, comparison) -> tuple[int | float | None, float | None]:
    if value is None or comparison is None:
        return None, None
    change = value - comparison
    change = int(change) if entry.integer else float(change)
    pct = None if comparison == 0 else change / abs(comparison) * 100
    return change, pct


def kpi_table(
    values: Mapping[str, int | float | None], comparison: Mapping[str, int | float | None]
) -> pd.DataFrame:
    """Return the long KPI table from the values of a period and of its comparison period.

    Parameters
    ----------
    values, comparison : mapping
        ``{kpi id: value}`` for ``P`` and ``P'`` (missing ids count as None).

    Returns
    -------
    DataFrame
        One row per catalog id in catalog order, columns :data:`TABLE_COLUMNS`: ``value``,
        ``comparison``, ``change`` (``value - comparison``) and ``change_pct``
        (``change / |comparison| x 100``; None when the comparison is None or 0) are object
        columns holding Python ``int``/``float``/``None``; ``better`` is ``higher``, ``lower``
        or None; ``gameable`` is bool.
    """
    rows: dict[str, list] = {column: [] for column in TABLE_COLUMNS}
    for entry in CATALOG:
        value, before = values.get(entry.id), comparison.get(entry.id)
        change, pct = _change(entry, value, before)
        for column, item in (
            ("kpi", entry.id),
            ("family", entry.family),
            ("value", value),
            ("comparison", before),
            ("change", change),
            ("change_pct", pct),
            ("unit", entry.unit),
            ("better", entry.better),
            ("gameable", entry.gameable),
            ("label", entry.label),
        ):
            rows[column].append(item)
    frame = pd.DataFrame(
        {
            column: pd.Series(items, dtype=bool if column == "gameable" else object)
            for column, items in rows.items()
        }
    )
    return frame


def kpi_report(
    ds: Dataset, specialist_id: str, period: str | Period, *, extra: Extra | None = None
) -> KpiReport:
    """Return the KPI table of a specialist and period together with its scopes.

    :func:`compute_kpis` returns only the table; the command line also needs the scopes (to
    warn about uncovered or empty ones). Three scopes are built: ``P``, ``P'`` and ``P''``;
    every family runs on ``P`` and ``P'``, and only the growth bases on ``P''``.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    specialist_id : str
        A specialist of the dataset.
    period : str or Period
        A period label or a parsed period.
    extra : callable, optional
        See :func:`compute_values`.

    Returns
    -------
    KpiReport

    Notes
    -----
    The families run on :func:`restricted_view` of the dataset (the specialist's accounts and
    the days the three scopes can reach), which gives the same values faster; ``extra`` gets
    the whole dataset (integrity checks need the history before the period).

    Raises
    ------
    PeriodError
        For a bad period label (exit code 2).
    UnknownSpecialistError, InvalidIdError
        For a specialist the dataset does not have (exit code 2).
    """
    period = parse_period(period)
    scope = build_scope(ds, specialist_id, period)
    before = build_scope(ds, specialist_id, period.comparison())
    before2 = build_scope(ds, specialist_id, period.comparison().comparison())
    view = restricted_view(ds, (scope, before, before2))
    raw, raw_before = _family_values(view, scope), _family_values(view, before)
    bases_before2 = _growth_bases(view, before2)
    values = _finish(ds, scope, raw, raw_before, extra)
    comparison = _finish(ds, before, raw_before, bases_before2, extra)
    return KpiReport(scope, before, kpi_table(values, comparison), values)


def compute_kpis(
    ds: Dataset, specialist_id: str, period: str | Period, *, extra: Extra | None = None
) -> pd.DataFrame:
    """Compute every catalog KPI of a specialist in a period, with the comparison period.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    specialist_id : str
        A specialist of the dataset.
    period : str or Period
        A period label (``2026-10``) or a parsed period; the comparison period is the previous
        calendar unit (rule 13).
    extra : callable, optional
        ``extra(ds, scope) -> dict`` whose values override the family values, for ``P`` and
        for ``P'`` (the integrity module's hook).

    Returns
    -------
    DataFrame
        One row per catalog id, in catalog order, with the columns ``kpi``, ``family``,
        ``value``, ``comparison`` (the same KPI over the comparison period), ``change``
        (absolute), ``change_pct``, ``unit``, ``better`` (``higher``/``lower``/None),
        ``gameable`` and ``label``. ``value``, ``comparison``, ``change`` and ``change_pct``
        hold Python ``int`` (counts), ``float`` or ``None`` (not available).

    Examples
    --------
    >>> table = compute_kpis(ds, "anna", "2026-10")                    # doctest: +SKIP
    >>> table.loc[table["kpi"] == "er_reach", ["value", "comparison", "change_pct"]]
    ...                                                                # doctest: +SKIP
    """
    return kpi_report(ds, specialist_id, period, extra=extra).table


def kpis_json(
    ds: Dataset,
    specialists: Iterable[str],
    period: str | Period,
    *,
    extra: Extra | None = None,
) -> dict[str, dict]:
    """Return the KPIs of several specialists in the JSON shape of ``smmkpi kpis``.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset.
    specialists : iterable of str
        Specialist ids.
    period : str or Period
        A period label or a parsed period.
    extra : callable, optional
        See :func:`compute_values`.

    Returns
    -------
    dict
        ``{specialist: {"kpis": {id: value}, "table": [row, ...]}}``: values unrounded,
        ``None`` where not available; each row of ``table`` is a dict with the columns of
        :func:`compute_kpis`.
    """
    return {
        specialist: report_json(kpi_report(ds, specialist, period, extra=extra))
        for specialist in specialists
    }


def report_json(report: KpiReport) -> dict:
    """Return one specialist's part of the JSON output: ``{"kpis": ..., "table": [...]}``."""
    return {"kpis": dict(report.values), "table": report.table.to_dict(orient="records")}
