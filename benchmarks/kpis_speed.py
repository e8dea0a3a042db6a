"""Time the KPI entry point on a dataset (default: the bundled sample), after loading it.

Usage::

    python benchmarks/kpis_speed.py                      # sample, 2026-10, first specialist
    python benchmarks/kpis_speed.py --period 2026-09 --specialist anna --repeat 10

Prints three timings, each as the median and the best wall-clock time and the best CPU time
(``time.process_time``: on a busy machine the wall clock also counts the time other processes
held the CPU), and their ratios to the load:

* ``load``: ``load_dataset`` once (the baseline of the same run, on the same machine);
* ``one``: every KPI of one specialist-month (``compute_kpis``: the period, the comparison
  period and the growth bases of the period before; the budget is well under 0.5 s);
* ``all``: every KPI of every specialist;
* ``one + integrity``: ``one`` with the integrity checks plugged in through ``extra`` (what
  ``smmkpi kpis`` and the scorecard compute; the checks' own cost, not the KPI package's);
* ``one / load`` and ``all / load``.

Each KPI timing is taken over ``--repeat`` runs after one warm-up run; the load over
``--load-repeat`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from smmkpi_helpers.config import DEFAULT_PERIOD  # noqa: E402
from smmkpi_helpers.dataset import load_dataset  # noqa: E402
from smmkpi_helpers.integrity.score import integrity_values  # noqa: E402
from smmkpi_helpers.kpis import compute_kpis, kpi_report  # noqa: E402


def _timings(fn, repeat: int) -> dict[str, float]:
    """Return the median and best wall-clock seconds and the best CPU seconds of ``fn``."""
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {"median": statistics.median(wall), "best": min(wall), "cpu": min(cpu)}


def _line(label: str, t: dict[str, float], load: dict[str, float] | None) -> str:
    text = f"{label:<26}" + "".join(f"{t[k] * 1000:10.1f}" for k in ("median", "best", "cpu"))
    if load is not None:
        text += "   " + "  ".join(f"{t[k] / load[k]:6.3f}" for k in ("median", "best", "cpu"))
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=None, help="dataset folder (default: the sample)")
    parser.add_argument("--period", default=DEFAULT_PERIOD, help="period label")
    parser.add_argument("--specialist", default=None, help="specialist id (default: the first)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per KPI timing")
    parser.add_argument("--load-repeat", type=int, default=3, help="runs of the load timing")
    args = parser.parse_args(argv)

    load = _timings(lambda: load_dataset(args.data), args.load_repeat)
    ds = load_dataset(args.data)
    specialists = ds.specialist_ids
    one = args.specialist or specialists[0]

    def run_one():
        compute_kpis(ds, one, args.period)

    def run_all():
        for specialist in specialists:
            kpi_report(ds, specialist, args.period)

    def run_one_integrity():
        compute_kpis(ds, one, args.period, extra=integrity_values)

    run_one()  # warm-up: imports, first-call caches of pandas
    run_one_integrity()
    one_t = _timings(run_one, args.repeat)
    all_t = _timings(run_all, args.repeat)
    integrity_t = _timings(run_one_integrity, args.repeat)
    rows = sum(len(ds[name]) for name in ds)
    print(f"dataset: {ds.name} ({rows:,} rows in {len(list(ds))} tables)")
    print(f"period:  {args.period}; specialists: {len(specialists)} ({', '.join(specialists)})")
    print(f"{'':<26}{'median ms':>10}{'best ms':>10}{'cpu ms':>10}   ratio to load (same columns)")
    print(_line("load (baseline)", load, None))
    print(_line(f"one specialist ({one})", one_t, load))
    print(_line(f"all {len(specialists)} specialists", all_t, load))
    print(_line(f"one ({one}) + integrity", integrity_t, load))
    verdict = "ok" if one_t["median"] < 0.5 else "OVER (a busy machine inflates wall time: see cpu)"
    print(f"budget: one specialist-month well under 500 ms (median wall) -> {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
