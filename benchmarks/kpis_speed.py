"""Time the KPI entry point on a dataset (default: the bundled sample), after loading it.

Usage::

    python benchmarks/kpis_speed.py                      # sample, 2026-10, first specialist
    python benchmarks/kpis_speed.py --period 2026-09 --specialist anna --repeat 10

Prints three timings and two ratios:

* ``load``: ``load_dataset`` once (the baseline of the same run, on the same machine);
* ``one``: every KPI of one specialist-month (``compute_kpis``: the period, the comparison
  period and the growth bases of the period before; the budget is well under 0.5 s);
* ``all``: every KPI of every specialist (what ``smmkpi kpis --all`` computes);
* ``one / load`` and ``all / load``.

Each KPI timing is the median of ``--repeat`` runs after one warm-up run; the load is the
median of ``--load-repeat`` runs.
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
from smmkpi_helpers.kpis import compute_kpis, kpi_report  # noqa: E402


def _median_seconds(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=None, help="dataset folder (default: the sample)")
    parser.add_argument("--period", default=DEFAULT_PERIOD, help="period label")
    parser.add_argument("--specialist", default=None, help="specialist id (default: the first)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per KPI timing")
    parser.add_argument("--load-repeat", type=int, default=3, help="runs of the load timing")
    args = parser.parse_args(argv)

    load_s = _median_seconds(lambda: load_dataset(args.data), args.load_repeat)
    ds = load_dataset(args.data)
    specialists = ds.specialist_ids
    one = args.specialist or specialists[0]

    def run_one():
        compute_kpis(ds, one, args.period)

    def run_all():
        for specialist in specialists:
            kpi_report(ds, specialist, args.period)

    run_one()  # warm-up: imports, first-call caches of pandas
    one_s = _median_seconds(run_one, args.repeat)
    all_s = _median_seconds(run_all, args.repeat)
    rows = sum(len(ds[name]) for name in ds)
    print(f"dataset: {ds.name} ({rows:,} rows in {len(list(ds))} tables)")
    print(f"period:  {args.period}; specialists: {len(specialists)} ({', '.join(specialists)})")
    print(f"load (baseline)          {load_s * 1000:9.1f} ms")
    print(f"one specialist ({one:<8}) {one_s * 1000:9.1f} ms   {one_s / load_s:6.3f} x load")
    label = f"all {len(specialists)} specialists"
    print(f"{label:<25}{all_s * 1000:9.1f} ms   {all_s / load_s:6.3f} x load")
    print(f"budget: one specialist-month well under 500 ms -> {'ok' if one_s < 0.5 else 'OVER'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
