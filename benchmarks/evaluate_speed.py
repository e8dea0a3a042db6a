"""How fast is ``smmkpi evaluate``? Against the loop a user writes by hand, and against the floor.

Three timings of the same work (every notebook for the chosen specialists and the period, plus
the team notebook once), from one run of this script, on the bundled sample:

1. **evaluate**: ``smmkpi evaluate --period P --quiet`` into a temporary folder (a subprocess:
   its wall time includes starting Python, validating the data, kernels, HTML, index, manifest).
2. **hand loop**: what a user types without smmkpi, one notebook after another:
   ``papermill notebooks/NN.ipynb out/NN.ipynb -r specialist S -r period P -p interactive False``
   then ``jupyter nbconvert --to html --no-input out/NN.ipynb``.
3. **floor**: each notebook's code cells as written, executed serially with ``exec`` in one
   plain Python process (``MPLBACKEND=Agg``): no kernel, no HTML, no files. The notebooks'
   helpers still compute and draw every table and chart (they render PNGs whether or not a
   kernel shows them), and their in-process caches work as they do in a kernel, so this is the
   least any runner can spend.

It prints the three times and the ratios ``hand loop / evaluate`` (target >= 5) and
``evaluate / floor`` (target <= 2). The figures in ``docs/evaluate.md`` come from a full run.

    python benchmarks/evaluate_speed.py                 # every specialist of the sample
    python benchmarks/evaluate_speed.py --quick         # one specialist (a few minutes)
    python benchmarks/evaluate_speed.py --specialists anna boris --jobs 2

This is a measurement, not a test: nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _notebooks() -> tuple[list[Path], Path | None]:
    folder = ROOT / "notebooks"
    paths = sorted(folder.glob("[0-9][0-9]-*.ipynb"))
    team = next((p for p in paths if p.stem == "10-team"), None)
    return [p for p in paths if p.stem != "10-team"], team


def _specialists(chosen: list[str] | None, quick: bool) -> list[str]:
    if chosen:
        return chosen
    sys.path.insert(0, str(ROOT))
    import pandas as pd

    table = pd.read_csv(ROOT / "data" / "sample" / "specialists.csv", dtype=str)
    ids = sorted(table["specialist_id"])
    return ids[:1] if quick else ids


def _run(cmd: list[str], **kwargs) -> float:
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, **kwargs)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-2000:] + done.stderr[-4000:])
        raise SystemExit(f"failed ({done.returncode}): {' '.join(cmd)}")
    return elapsed


def time_evaluate(specialists: list[str], period: str, out: Path, jobs: int | None) -> float:
    cmd = [str(BIN / "smmkpi"), "evaluate", "--period", period, "--out", str(out), "--quiet"]
    cmd += ["--specialist", *specialists]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    return _run(cmd)


def time_hand_loop(specialists: list[str], period: str, out: Path) -> float:
    notebooks, team = _notebooks()
    runs = [(nb, s, []) for s in specialists for nb in notebooks]
    if team is not None:
        runs.append((team, specialists[0], ["-r", "audience", "manager"]))
    started = time.perf_counter()
    for notebook, specialist, extra in runs:
        target = out / specialist / notebook.name
        target.parent.mkdir(parents=True, exist_ok=True)
        cmd = [str(BIN / "papermill"), str(notebook), str(target), "--no-progress-bar"]
        cmd += ["-r", "specialist", specialist, "-r", "period", period]
        cmd += ["-p", "interactive", "False", *extra]
        _run(cmd)
        _run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(target)])
    return time.perf_counter() - started


def time_floor(specialists: list[str], period: str) -> float:
    env = {**os.environ, "MPLBACKEND": "Agg"}
    env.pop("SMMKPI_CACHE_DIR", None)
    cmd = [sys.executable, __file__, "--floor-worker", "--period", period]
    cmd += ["--specialists", *specialists]
    return _run(cmd, env=env)


def floor_worker(specialists: list[str], period: str) -> None:
    """Execute the notebooks' code cells with exec in this process (no kernel, no HTML)."""
    import nbformat

    notebooks, team = _notebooks()
    runs = [(nb, s, {}) for s in specialists for nb in notebooks]
    if team is not None:
        runs.append((team, specialists[0], {"audience": "manager"}))
    for path, specialist, extra in runs:
        nb = nbformat.read(str(path), as_version=4)
        values = {
            "specialist": specialist,
            "period": period,
            "business_goal": "",
            "interactive": False,
            **extra,
        }
        namespace: dict = {"__name__": "__main__"}
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            exec(compile(cell.source, f"{path.name}", "exec"), namespace)
            if "parameters" in cell.metadata.get("tags", []):
                namespace.update(values)  # what papermill's injected cell does
        import matplotlib.pyplot as plt

        plt.close("all")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--specialists", nargs="+", default=None)
    parser.add_argument("--quick", action="store_true", help="one specialist only")
    parser.add_argument("--jobs", type=int, default=None, help="--jobs for smmkpi evaluate")
    parser.add_argument("--skip-hand-loop", action="store_true", help="evaluate and floor only")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--floor-worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_worker:
        floor_worker(args.specialists, args.period)
        return
    specialists = _specialists(args.specialists, args.quick)
    notebooks, team = _notebooks()
    n_runs = len(notebooks) * len(specialists) + (1 if team else 0)
    print(
        f"{len(specialists)} specialist(s) ({', '.join(specialists)}), period {args.period}: "
        f"{n_runs} notebook runs; {os.cpu_count()} CPU(s)"
    )
    work = Path(tempfile.mkdtemp(prefix="smmkpi-bench-"))
    try:
        evaluate = time_evaluate(specialists, args.period, work / "evaluate", args.jobs)
        print(f"evaluate   {evaluate:8.1f} s")
        floor = time_floor(specialists, args.period)
        print(f"floor      {floor:8.1f} s")
        hand = None
        if not args.skip_hand_loop:
            hand = time_hand_loop(specialists, args.period, work / "hand")
            print(f"hand loop  {hand:8.1f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"evaluate / floor      = {evaluate / floor:5.2f}  (target <= 2)")
    if hand is not None:
        print(f"hand loop / evaluate  = {hand / evaluate:5.2f}  (target >= 5)")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "specialists": specialists,
                    "period": args.period,
                    "notebook_runs": n_runs,
                    "cpus": os.cpu_count(),
                    "evaluate_s": round(evaluate, 1),
                    "floor_s": round(floor, 1),
                    "hand_loop_s": None if hand is None else round(hand, 1),
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
