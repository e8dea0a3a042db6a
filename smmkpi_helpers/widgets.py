"""The specialist and period picker every notebook offers in JupyterLab.

One cell per notebook, tagged ``interactive`` and guarded by the ``interactive`` parameter
(batch runs set it to False, so papermill never waits on a widget)::

    if interactive:
        widgets.explore(ctx, view="engagement")

:func:`explore` shows a specialist dropdown, a period selector (a month or a quarter the data
covers, or a custom range of two dates), a comparison toggle and an ``Output`` that re-renders
the notebook's main table and chart (:data:`smmkpi_helpers.notebook.VIEWS`) for the picked
values, without re-running the notebook. The views are rendered by the package and cached per
(specialist, period, comparison): the first visit of a selection computes it, later visits
only swap the output. The callback sets ``Output.outputs`` directly (no ``with output:``), so
it behaves the same in a kernel and in a test, and the output never flickers.

For a report meant for one specialist (the team notebook with ``audience="specialist"``) the
dropdown offers that specialist only.
"""

from __future__ import annotations

import datetime as dt
import html
import time

import pandas as pd

from . import notebook
from .dataset import Dataset
from .errors import SmmKpiError, UsageError

__all__ = ["KINDS", "Explorer", "explore", "period_choices"]

#: The period kinds the selector offers: (label, value).
KINDS = (("Month", "month"), ("Quarter", "quarter"), ("Custom range", "range"))


def period_choices(ds: Dataset) -> tuple[list[str], list[str], dt.date | None, dt.date | None]:
    """Return the months and quarters the data covers (newest first) and its first and last day.

    Parameters
    ----------
    ds : Dataset
        A loaded dataset; its ``account_daily`` dates set the range.

    Returns
    -------
    tuple
        ``(months, quarters, first_day, last_day)``: labels such as ``2026-10`` and
        ``2026-Q4``; empty lists and None when the table has no dates.
    """
    dates = ds["account_daily"]["date"].dropna()
    if dates.empty:
        return [], [], None, None
    first, last = dates.min(), dates.max()
    months = [str(p) for p in pd.period_range(first, last, freq="M")][::-1]
    quarters = [f"{p.year}-Q{p.quarter}" for p in pd.period_range(first, last, freq="Q")][::-1]
    return months, quarters, first.date(), last.date()


def _with(options: list[str], value: str) -> list[str]:
    return options if value in options else [value, *options]


class Explorer:
    """The picker and its output for one notebook view.

    Parameters
    ----------
    ctx : notebook.Context
        The notebook's context: its dataset, specialist, period, goal and audience are the
        starting selection.
    view : str
        A key of :data:`smmkpi_helpers.notebook.VIEWS`.
    comparison : bool
        Whether the comparison toggle starts on.

    Attributes
    ----------
    specialist, kind, month, quarter, start, end, comparison : ipywidgets widgets
        The controls (``kind`` is ``month``, ``quarter`` or ``range``).
    output : ipywidgets.Output
        Where the view is rendered.
    widget : ipywidgets.VBox
        Everything, laid out (what :func:`explore` displays).
    last_seconds : float
        How long the last re-render took (the callback, in seconds).
    """

    def __init__(self, ctx: notebook.Context, view: str, *, comparison: bool = True) -> None:
        import ipywidgets as w

        if view not in notebook.VIEWS:
            raise UsageError(f"unknown view '{view}'; views: " + ", ".join(notebook.VIEWS))
        self.ctx = ctx
        self.view = view
        self.last_seconds = 0.0
        months, quarters, first, last = period_choices(ctx.dataset)
        period = ctx.period
        kind = period.kind if period.kind in ("month", "quarter") else "range"
        people = ctx.dataset.specialist_ids if ctx.audience == "manager" else [ctx.specialist]
        self.specialist = w.Dropdown(options=people, value=ctx.specialist, description="Specialist")
        self.specialist.add_class("smmkpi-specialist")
        self.kind = w.ToggleButtons(options=list(KINDS), value=kind, description="Period")
        self.kind.add_class("smmkpi-kind")
        month = period.label if kind == "month" else f"{period.start:%Y-%m}"
        quarter = (
            period.label
            if kind == "quarter"
            else f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"
        )
        self.month = w.Dropdown(options=_with(months, month), value=month, description="Month")
        self.month.add_class("smmkpi-month")
        self.quarter = w.Dropdown(
            options=_with(quarters, quarter), value=quarter, description="Quarter"
        )
        self.quarter.add_class("smmkpi-quarter")
        self.start = w.DatePicker(value=period.start, description="From")
        self.end = w.DatePicker(value=period.end, description="To")
        self.comparison = w.Checkbox(
            value=comparison, description="Compare with the previous period", indent=False
        )
        self.comparison.add_class("smmkpi-comparison")
        self.status = w.HTML()
        self.output = w.Output()
        self.output.add_class("smmkpi-output")
        covered = (
            f"data from {first.isoformat()} to {last.isoformat()}" if first else "no daily data"
        )
        self.status.value = f"<small>{html.escape(covered)}</small>"
        self._range = w.HBox([self.start, self.end])
        self.widget = w.VBox(
            [
                w.HBox([self.specialist, self.comparison]),
                self.kind,
                w.HBox([self.month, self.quarter, self._range]),
                self.status,
                self.output,
            ]
        )
        self._show_kind()
        for control in (
            self.specialist,
            self.kind,
            self.month,
            self.quarter,
            self.start,
            self.end,
            self.comparison,
        ):
            control.observe(self._changed, names="value")
        self.refresh()

    def period_label(self) -> str:
        """Return the period label of the current selection (e.g. ``2026-10``)."""
        if self.kind.value == "month":
            return str(self.month.value)
        if self.kind.value == "quarter":
            return str(self.quarter.value)
        if self.start.value is None or self.end.value is None:
            raise UsageError("pick both dates of the custom range")
        return f"{self.start.value.isoformat()}..{self.end.value.isoformat()}"

    def _show_kind(self) -> None:
        kind = self.kind.value
        self.month.layout.display = "" if kind == "month" else "none"
        self.quarter.layout.display = "" if kind == "quarter" else "none"
        self._range.layout.display = "" if kind == "range" else "none"

    def _changed(self, change) -> None:
        if change["owner"] is self.kind:
            self._show_kind()
        self.refresh()

    def refresh(self) -> None:
        """Re-render the view for the current selection into :attr:`output`."""
        started = time.perf_counter()
        try:
            ctx = self.ctx.with_selection(self.specialist.value, self.period_label())
            bundles = notebook.render_view(ctx, self.view, comparison=bool(self.comparison.value))
        except SmmKpiError as exc:
            bundles = [notebook.error_bundle(exc)]
        self.output.outputs = tuple(
            {"output_type": "display_data", "data": bundle, "metadata": {}} for bundle in bundles
        )
        self.last_seconds = time.perf_counter() - started

    def text(self) -> str:
        """Return the plain-text form of what the output shows (for tests and logs)."""
        return "\n".join(o["data"].get("text/plain", "") for o in self.output.outputs)


def explore(
    ctx: notebook.Context, view: str, *, comparison: bool = True, show: bool = True
) -> Explorer:
    """Show the picker for a notebook view and return it.

    Parameters
    ----------
    ctx : notebook.Context
        The notebook's context (:func:`smmkpi_helpers.notebook.setup`).
    view : str
        Which view to re-render: a KPI family (``engagement``), ``scorecard``, ``integrity``
        or ``team``.
    comparison : bool
        Whether the comparison toggle starts on.
    show : bool
        Display the widgets (in a kernel); False only builds them (tests, benchmarks).

    Returns
    -------
    Explorer
        Its controls can be changed from Python (``explorer.specialist.value = "boris"``),
        which re-renders :attr:`Explorer.output` at once.
    """
    explorer = Explorer(ctx, view, comparison=comparison)
    if show and notebook.in_kernel():
        from IPython.display import display

        display(explorer.widget)
    return explorer
