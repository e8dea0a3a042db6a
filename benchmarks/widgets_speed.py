"""How fast the notebooks' picker re-renders when a control changes (target: under 300 ms).

    python benchmarks/widgets_speed.py [--data DIR] [--period 2026-10] [--views scorecard,reach]

Runs in-process, without a kernel: it builds each notebook's picker
(``smmkpi_helpers.widgets.explore(..., show=False)``) on the sample data and times the
callback, which is everything a change costs in the kernel (compute or fetch from the cache,
render, and set the ``Output``); sending the new output to the browser is left out.

For each view the picker first visits every selection once (4 specialists x 2 months, computed
and rendered: the *first pass* column), then 20 changes are timed among those selections (the
*warm* column: the median), then 20 more with the rendered output forgotten before each change
(the *redraw* column: data and scores cached, tables and charts drawn again). As a baseline, the
same run times drawing one empty matplotlib figure to PNG through the same path
(``notebook.figure_bundle``), median of 20, and prints the ratios to it.
"""

from __future__ import annotations

import argparse
import statistics
import time

from smmkpi_helpers import notebook, widgets
from smmkpi_helpers.config import DEFAULT_PERIOD
from smmkpi_helpers.periods import parse_period

TARGET_MS = 300.0
CHANGES = 20


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def empty_figure_ms(repeat: int = CHANGES) -> float:
    """Return the median time to draw one empty figure to a PNG bundle, in ms."""
    notebook.figure_bundle(lambda ax: None)  # warm up matplotlib's font cache
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        notebook.figure_bundle(lambda ax: None)
        times.append(time.perf_counter() - started)
    return _ms(statistics.median(times))


def _change(
    explorer: widgets.Explorer, control, value, times: list[float], *, redraw: bool = False
) -> None:
    """Set a control (a change re-renders the output at once) and keep the callback's time."""
    if control.value != value:
        if redraw:
            notebook.clear_caches(views_only=True)  # keep the data, draw the charts again
        control.value = value
        times.append(explorer.last_seconds)


def _changes(explorer, selections, *, redraw: bool = False) -> float:
    """Return the median of ``CHANGES`` picker changes cycling through ``selections``, in ms."""
    times: list[float] = []
    step = 0
    while len(times) < CHANGES:
        specialist, month = selections[step % len(selections)]
        step += 1
        _change(explorer, explorer.month, month, times, redraw=redraw)
        _change(explorer, explorer.specialist, specialist, times, redraw=redraw)
    return _ms(statistics.median(times[:CHANGES]))


def measure(ctx: notebook.Context, view: str, months: list[str]) -> tuple[float, float, float]:
    """Return the median callback time of one view's picker, in ms: first pass, warm, redraw."""
    explorer = widgets.explore(ctx, view, show=False)
    selections = [(s, m) for m in months for s in explorer.specialist.options]
    first_pass: list[float] = []
    for specialist, month in selections:
        _change(explorer, explorer.month, month, first_pass)
        _change(explorer, explorer.specialist, specialist, first_pass)
    warm = _changes(explorer, selections)
    redraw = _changes(explorer, selections, redraw=True)
    return _ms(statistics.median(first_pass)), warm, redraw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="", help="dataset folder (default: the sample)")
    parser.add_argument("--period", default=DEFAULT_PERIOD, help="the month to start from")
    parser.add_argument("--views", default=",".join(notebook.VIEWS), help="views to time")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    ds = notebook.load_cached(args.data)
    first = ds.specialist_ids[0]
    ctx = notebook.setup(
        data_dir=args.data, specialist=first, period=args.period, record_parameters=False
    )
    months = [parse_period(args.period).label, parse_period(args.period).comparison().label]
    baseline = empty_figure_ms()
    print(f"dataset loaded and checked in {time.perf_counter() - started:.1f} s")
    print(f"baseline: one empty figure drawn to PNG, median of {CHANGES}: {baseline:.1f} ms")
    print()
    print(
        f"{'view':<16}{'first pass':>12}{'warm':>10}{'redraw':>10}"
        f"{'warm / empty fig':>18}{'redraw / empty fig':>20}   (ms)"
    )
    worst = 0.0
    for view in args.views.split(","):
        cold, warm, redraw = measure(ctx, view, months)
        worst = max(worst, warm)
        print(
            f"{view:<16}{cold:>12.0f}{warm:>10.2f}{redraw:>10.0f}"
            f"{warm / baseline:>18.3f}{redraw / baseline:>20.1f}"
        )
    print()
    verdict = "met" if worst < TARGET_MS else "MISSED"
    print(
        f"slowest warm median: {worst:.2f} ms against the {TARGET_MS:.0f} ms target: {verdict} "
        f"(in-process, no kernel; first pass = a selection computed and rendered)"
    )
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
