"""Text rendering of the long KPI table for terminals (``smmkpi kpis --format table``).

Pure functions: a KPI table (or several) in, text out. Values are rounded for reading only;
the JSON and CSV outputs keep them unrounded.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .catalog import CATALOG, kpi

__all__ = [
    "format_change",
    "format_value",
    "matrix_text",
    "report_text",
    "verdict",
]

NOT_AVAILABLE = "n/a"

_FAMILY_TITLES = {
    "subscribers": "Subscribers",
    "reach": "Reach",
    "engagement": "Engagement",
    "content": "Content",
    "communications": "Communications",
    "traffic": "Traffic",
    "goals": "Goals",
    "awareness": "Awareness",
    "integrity": "Integrity",
    "context": "Context (never scored)",
}


def _number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def format_value(value: int | float | None, unit: str) -> str:
    """Return a KPI value rounded for reading, with its unit.

    Examples
    --------
    >>> format_value(12345, "count"), format_value(3.2149, "%"), format_value(None, "%")
    ('12,345', '3.21 %', 'n/a')
    >>> format_value(754.5, "min"), format_value(1.456, "pages"), format_value(99.5, "money")
    ('754.5 min', '1.46', '99.50')
    """
    if value is None:
        return NOT_AVAILABLE
    if unit in ("count", "posts"):
        return _number(value, 0 if float(value).is_integer() or abs(value) >= 100 else 1)
    if unit == "%":
        return f"{_number(value, 2)} %"
    if unit == "min":
        return f"{_number(value, 1)} min"
    if unit == "s":
        return f"{_number(value, 1)} s"
    if unit == "money":
        return _number(value, 2)
    if unit == "score":
        return _number(value, 0)
    return _number(value, 2)


def format_change(change: int | float | None, change_pct: float | None, unit: str) -> str:
    """Return the change against the comparison period, signed: ``+31 (+3.1 %)``.

    A change of a percentage is in percentage points (``pp``).

    Examples
    --------
    >>> format_change(31, 3.1, "count"), format_change(-0.25, -7.5, "%")
    ('+31 (+3.1 %)', '-0.25 pp (-7.5 %)')
    >>> format_change(None, None, "count"), format_change(4, None, "count")
    ('', '+4')
    """
    if change is None:
        return ""
    text = format_value(abs(change), unit)
    if unit == "%":
        text = text.replace(" %", " pp")
    sign = "+" if change > 0 else "-" if change < 0 else ""
    text = f"{sign}{text}"
    if change_pct is not None:
        text += f" ({change_pct:+.1f} %)"
    return text


def verdict(change: int | float | None, better: str | None) -> str:
    """Return ``better``, ``worse`` or ``same`` for a change, given which direction is better.

    Empty when the KPI is not judged (``better`` is None) or the change is unknown.
    """
    if change is None or better is None:
        return ""
    if change == 0:
        return "same"
    improved = change > 0 if better == "higher" else change < 0
    return "better" if improved else "worse"


def _label(kpi_id: str) -> str:
    entry = kpi(kpi_id)
    return entry.label + (" [g]" if entry.gameable else "")


def report_text(
    table: pd.DataFrame,
    *,
    title: str,
    comparison_label: str,
) -> str:
    """Return one specialist's KPI table as aligned text, grouped by family.

    Parameters
    ----------
    table : DataFrame
        A table of :func:`smmkpi_helpers.kpis.compute_kpis`.
    title : str
        The first line (who, which period).
    comparison_label : str
        The comparison period's label (the column header).

    Returns
    -------
    str
        Lines: the title, a header, then per family its KPIs with value, comparison, change
        and verdict. ``[g]`` marks KPIs that are easy to buy or fake.
    """
    rows = []
    for family, part in table.groupby("family", sort=False):
        rows.append((_FAMILY_TITLES.get(family, family), "", "", "", ""))
        for record in part.itertuples(index=False):  # 41 catalog rows, not data rows
            rows.append(
                (
                    "  " + _label(record.kpi),
                    format_value(record.value, record.unit),
                    format_value(record.comparison, record.unit),
                    format_change(record.change, record.change_pct, record.unit),
                    verdict(record.change, record.better),
                )
            )
    header = ("KPI", "value", comparison_label, "change", "")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(5)]

    def line(cells) -> str:
        return (
            f"{cells[0]:<{widths[0]}}  {cells[1]:>{widths[1]}}  {cells[2]:>{widths[2]}}  "
            f"{cells[3]:<{widths[3]}}  {cells[4]}"
        ).rstrip()

    body = [line(header), "-" * len(line(header))] + [line(r) for r in rows]
    return "\n".join([title, *body])


def _best(values: list[int | float | None], better: str | None) -> set[int]:
    present = [(v, i) for i, v in enumerate(values) if v is not None]
    if better is None or len(present) < 2 or len({v for v, _ in present}) < 2:
        return set()
    target = max(v for v, _ in present) if better == "higher" else min(v for v, _ in present)
    return {i for v, i in present if v == target}


def matrix_text(tables: Mapping[str, pd.DataFrame]) -> str:
    """Return a side-by-side matrix of KPI values (KPIs down, specialists across).

    Parameters
    ----------
    tables : mapping
        ``{specialist id: KPI table}``.

    Returns
    -------
    str
        One line per catalog KPI; ``*`` marks the best value of a row given the KPI's
        ``better`` direction (ties all marked; no mark when fewer than two values or all
        equal). ``[g]`` marks KPIs that are easy to buy or fake.
    """
    names = list(tables)
    values = {name: dict(zip(t["kpi"], t["value"], strict=True)) for name, t in tables.items()}
    rows = []
    for entry in CATALOG:
        row_values = [values[name].get(entry.id) for name in names]
        best = _best(row_values, entry.better)
        cells = [
            format_value(v, entry.unit) + ("*" if i in best else " ")
            for i, v in enumerate(row_values)
        ]
        rows.append((_FAMILY_TITLES.get(entry.family, entry.family), _label(entry.id), cells))
    label_width = max(len(r[1]) for r in rows) + 2
    widths = [max(len(names[i]) + 1, *(len(r[2][i]) for r in rows)) for i in range(len(names))]
    header = f"{'KPI':<{label_width}}" + "".join(
        f"  {name + ' ':>{w}}" for name, w in zip(names, widths, strict=True)
    )
    lines = [header.rstrip(), "-" * len(header)]
    family = None
    for title, label, cells in rows:
        if title != family:
            lines.append(title)
            family = title
        lines.append(
            (
                f"  {label:<{label_width - 2}}"
                + "".join(f"  {c:>{w}}" for c, w in zip(cells, widths, strict=True))
            ).rstrip()
        )
    return "\n".join(lines)
