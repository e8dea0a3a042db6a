"""The notebooks: hygiene, the parameter contract, the helpers behind their cells, and real runs.

The runs (marked ``slow``) execute every notebook with papermill on the sample data for every
sample specialist and the last full month, two at a time (one kernel per run), and check that
the numbers each notebook records are exactly what the package computes directly. The dataset
and scorecards are shared between kernels through ``SMMKPI_CACHE_DIR`` (a temporary folder),
the same switch a user can turn on; the expected numbers are computed here without any cache.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest

from smmkpi_helpers import notebook
from smmkpi_helpers.config import DEFAULT_PERIOD, NOTEBOOKS_DIR, PROJ_ROOT, SAMPLE_DATA_DIR
from smmkpi_helpers.errors import (
    InvalidIdError,
    PeriodError,
    UnknownSpecialistError,
    UsageError,
)
from smmkpi_helpers.record import read_records

NAMES = list(notebook.NOTEBOOKS)
PATHS = {name: NOTEBOOKS_DIR / f"{name}.ipynb" for name in NAMES}
FORBIDDEN = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.ClassDef,
    ast.Lambda,
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)
DEFAULTS = {
    "data_dir": '""',
    "specialist": '"anna"',
    "period": f'"{DEFAULT_PERIOD}"',
    "business_goal": '""',
    "interactive": "True",
    "audience": '"manager"',
}


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(PATHS[name], as_version=4)


def _builder():
    spec = importlib.util.spec_from_file_location(
        "build_notebooks", PROJ_ROOT / "scripts" / "build_notebooks.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --------------------------------------------------------------------------------------------
# hygiene and the parameter contract


def test_every_notebook_is_there_and_nothing_else():
    assert sorted(p.stem for p in NOTEBOOKS_DIR.glob("*.ipynb")) == NAMES
    assert len(NAMES) == 11


def test_the_notebooks_are_what_the_builder_writes():
    builder = _builder()
    assert list(builder.SOURCES) == NAMES
    for name in NAMES:
        assert PATHS[name].read_text(encoding="utf-8") == builder.render(name), (
            f"{name}.ipynb differs from scripts/build_notebooks.py: run "
            "python scripts/build_notebooks.py"
        )


@pytest.mark.parametrize("name", NAMES)
def test_notebook_is_clean_valid_and_calls_only(name):
    nb = _read(name)
    nbformat.validate(nb)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert nb.metadata.kernelspec.name == "python3"
    assert "widgets" not in nb.metadata and "papermill" not in nb.metadata
    assert 15 <= len(nb.cells) <= 30
    ids = [cell.id for cell in nb.cells]
    assert len(set(ids)) == len(ids)
    for cell in nb.cells:
        assert "../" not in cell.source
        assert "data/sample" not in cell.source
        if cell.cell_type != "code":
            continue
        assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs committed"
        tree = ast.parse(cell.source)
        banned = [type(node).__name__ for node in ast.walk(tree) if isinstance(node, FORBIDDEN)]
        assert not banned, f"{name}: {banned} in a code cell:\n{cell.source}"


@pytest.mark.parametrize("name", NAMES)
def test_parameters_cell_holds_only_the_declared_literals(name):
    nb = _read(name)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [1], "one parameters cell, right after the title"
    cell = nb.cells[1]
    tree = ast.parse(cell.source)
    declared = notebook.notebook_parameters(name)
    assert [node.target.id for node in tree.body] == list(declared)
    for node in tree.body:
        assert isinstance(node, ast.AnnAssign) and isinstance(node.value, ast.Constant)
    lines = cell.source.splitlines()
    assert len(lines) == len(declared)
    assert all("  # " in line for line in lines), "each parameter has a trailing comment"
    # the next code cell checks them with the package
    following = next(c for c in nb.cells[2:] if c.cell_type == "code")
    assert "notebook.setup(" in following.source


@pytest.mark.parametrize("name", NAMES)
def test_papermill_sees_exactly_the_declared_parameters(name):
    found = pm.inspect_notebook(str(PATHS[name]))
    declared = notebook.notebook_parameters(name)
    assert list(found) == list(declared)
    for parameter in declared:
        assert found[parameter]["default"] == DEFAULTS[parameter]
        assert found[parameter]["help"], f"{parameter} has no help text"
    assert found["interactive"]["inferred_type_name"] == "bool"


@pytest.mark.parametrize("name", NAMES)
def test_the_widget_cell_is_tagged_and_guarded(name):
    nb = _read(name)
    cells = [c for c in nb.cells if "interactive" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    view = notebook.NOTEBOOKS[name]
    assert cells[0].source == f'if interactive:\n    widgets.explore(ctx, view="{view}")'


def test_the_notebooks_pass_ruff():
    ruff = Path(sys.executable).with_name("ruff")
    for command in (["check"], ["format", "--check"]):
        result = subprocess.run(
            [str(ruff), *command, *map(str, PATHS.values())],
            capture_output=True,
            text=True,
            cwd=PROJ_ROOT,
        )
        assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------------------------
# the helpers behind the cells, on a tiny dataset


@pytest.fixture
def tiny(build):
    ds = build(
        specialists=[
            {"specialist_id": "anna", "name": "Anna", "email": "anna@example.com"},
            {"specialist_id": "007", "name": "Bond"},
        ],
        assignments=[
            {"specialist_id": "anna", "account_id": "vk_a", "start_date": "2026-01-01"},
            {"specialist_id": "007", "account_id": "vk_a", "start_date": "2026-01-01"},
        ],
    )
    notebook.clear_caches()
    yield ds
    notebook.clear_caches()


def test_setup_returns_the_context(tiny):
    ctx = notebook.setup(data_dir=str(tiny.root), specialist="007", period=" 2026-Q3 ")
    assert (ctx.specialist, ctx.period.label, ctx.business_goal) == ("007", "2026-Q3", None)
    assert ctx.dataset is notebook.load_cached(str(tiny.root))
    goal = notebook.setup(
        data_dir=str(tiny.root), specialist="anna", period="2026-10", business_goal="leads"
    )
    assert goal.business_goal == "leads"


@pytest.mark.parametrize(
    ("arguments", "error", "fragments"),
    [
        # papermill's -p specialist 007 reaches the kernel as the number 7
        (
            {"specialist": 7},
            InvalidIdError,
            ["got the int 7", "-r", "Known specialists: 007, anna"],
        ),
        ({"specialist": "zed"}, UnknownSpecialistError, ["unknown specialist 'zed'", "007, anna"]),
        ({"specialist": "../x"}, InvalidIdError, ["not a valid specialist id", "007, anna"]),
        ({"period": 2026}, PeriodError, ["expected text, got a int", "-r"]),
        ({"period": "2026-13"}, PeriodError, ["there is no month 13", "2026-Q3"]),
        ({"business_goal": "fame"}, UsageError, ["unknown business_goal 'fame'", "sales, leads"]),
        ({"audience": "press"}, UsageError, ["unknown audience 'press'", "'specialist'"]),
    ],
)
def test_setup_fails_with_a_clear_message(tiny, arguments, error, fragments):
    parameters = {"data_dir": str(tiny.root), "specialist": "anna", "period": "2026-10"}
    with pytest.raises(error) as caught:
        notebook.setup(**(parameters | arguments))
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_setup_names_a_missing_dataset_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="no dataset folder"):
        notebook.setup(data_dir=str(tmp_path / "nowhere"), specialist="anna", period="2026-10")


def test_datasets_are_cached_on_the_files_state(tiny):
    first = notebook.load_cached(str(tiny.root))
    assert notebook.load_cached(str(tiny.root)) is first
    posts = tiny.root / "posts.csv"
    stat = posts.stat()
    os.utime(posts, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # touched: one second on
    second = notebook.load_cached(str(tiny.root))
    assert second is not first
    assert second.fingerprint == first.fingerprint  # same bytes, reloaded all the same


def test_the_disk_cache_serves_other_processes(tiny, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv(notebook.CACHE_ENV, str(cache))
    loaded = notebook.load_cached(str(tiny.root))
    card = notebook.scorecard(loaded, "anna", "2026-10")
    assert sorted(p.name.split("-")[0] for p in cache.iterdir()) == ["dataset", "scorecard"]
    notebook.clear_caches()  # as in a new kernel

    def refuse(*args, **kwargs):
        raise AssertionError("should come from the disk cache")

    monkeypatch.setattr(notebook, "load_dataset", refuse)
    monkeypatch.setattr(notebook, "score_specialist", refuse)
    again = notebook.load_cached(str(tiny.root))
    assert again is not loaded and again.fingerprint == loaded.fingerprint
    assert notebook.scorecard(again, "anna", "2026-10").overall_score == card.overall_score


def test_tables_mask_personal_data_and_escape_everything():
    frame = pd.DataFrame(
        {
            "text": ["<script>alert(1)</script> call +7 (912) 345-67-89 or ivan@example.ru"],
            "email": ["ivan@example.ru"],
            "note": ['<img src=x onerror=alert(1)> 8 912 345 67 89 "quoted"'],
        }
    )
    bundle = notebook.table_bundle(frame, "Posts <b>bold</b>", note="a & b")
    markup = bundle["text/html"]
    assert "<script>" not in markup and "<img" not in markup and "<b>bold" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt; call [phone] or [email]" in markup
    assert '&lt;img src=x onerror=alert(1)&gt; [phone] "quoted"' in markup
    assert "Posts &lt;b&gt;bold&lt;/b&gt;" in markup and "a &amp; b" in markup
    assert "<th>email</th>" not in markup and "ivan@" not in markup  # the column is dropped
    assert "ivan@" not in bundle["text/plain"] and "[phone]" in bundle["text/plain"]


def test_figures_are_deterministic_and_leave_pyplot_alone():
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    before = (plt.get_fignums(), dict(mpl.rcParams))

    def draw(ax):
        ax.plot([1, 2, 3], [3, 1, 2])
        ax.set_title("A line")

    first = notebook.figure_bundle(draw)
    assert first == notebook.figure_bundle(draw)  # same bytes: no date or version inside
    assert first["text/plain"] == "<chart: A line>"
    assert (plt.get_fignums(), dict(mpl.rcParams)) == before


def test_display_calls_are_silent_outside_a_kernel(tiny, capsys):
    ctx = notebook.setup(
        data_dir=str(tiny.root), specialist="anna", period="2026-10", record_parameters=False
    )
    ctx.show_kpis("engagement")
    ctx.plot("er_by_format")
    ctx.show_points()
    assert capsys.readouterr().out == ""
    with pytest.raises(UsageError, match="unknown chart 'pie'; charts: attainment"):
        ctx.plot("pie")
    with pytest.raises(UsageError, match="unknown table 'x'; tables: profile"):
        ctx.show_table("x")
    with pytest.raises(UsageError, match="unknown KPI family 'x'"):
        ctx.show_kpis("x")


def test_a_specialist_sees_only_their_row_and_the_team_median(tiny):
    manager = notebook.setup(data_dir=str(tiny.root), specialist="anna", period="2026-10")
    everyone = notebook.team_frame(manager)
    assert everyone["who"].tolist() == ["007", "anna"]
    own = notebook.setup(
        data_dir=str(tiny.root), specialist="anna", period="2026-10", audience="specialist"
    )
    frame = notebook.team_frame(own)
    assert frame["who"].tolist() == ["anna", "team median"]
    assert frame["name"].tolist() == ["Anna", ""]
    # the median of two values is their mean
    pd.testing.assert_series_equal(
        frame.iloc[1][["overall_score", "integrity_score", "flags"]].astype(float),
        everyone[["overall_score", "integrity_score", "flags"]].mean(),
        check_names=False,
    )
    text = own.table("team")["text/plain"] + own.headline_text("team")
    assert "007" not in text and "Bond" not in text
    assert "name" not in own.table("team")["text/html"]


def test_a_specialist_without_accounts_gets_no_data_not_an_error(build):
    ds = build(
        specialists=[
            {"specialist_id": "anna", "name": "Anna"},
            {"specialist_id": "newbie", "name": "New"},
        ]
    )
    ctx = notebook.setup(data_dir=str(ds.root), specialist="newbie", period="2026-10")
    assert ctx.headline_text("reach").endswith("ran no account in this period")
    assert notebook.points_to_discuss(ctx.card) == [
        "newbie ran no account in 2026-10: nothing to judge."
    ]
    for view in notebook.VIEWS:
        assert len(ctx.bundles(view)) == 3
    notebook.clear_caches()


# --------------------------------------------------------------------------------------------
# real runs on the sample (slow)

SPECIALISTS = ("anna", "boris", "gleb", "vera")
FAMILY_RECORDS = {
    "01-subscribers": ("subscribers",),
    "02-reach": ("reach",),
    "03-engagement": ("engagement",),
    "04-content": ("content",),
    "05-communications": ("communications",),
    "06-site-traffic": ("traffic",),
    "07-goals": ("goals", "context"),
    "08-brand-awareness": ("awareness",),
}


def _worker_init(cache: str) -> None:
    os.environ[notebook.CACHE_ENV] = cache
    os.environ.pop("MPLBACKEND", None)  # the kernel chooses, as for a user


def _execute(job: tuple) -> dict:
    """Run one notebook (in a pool process); return where it went and how."""
    key, source, output, parameters = job
    started = time.perf_counter()
    for attempt in range(3):
        try:
            pm.execute_notebook(
                str(source),
                str(output),
                parameters=parameters,
                kernel_name="python3",
                progress_bar=False,
                execution_timeout=600,
            )
            return {"key": key, "output": str(output), "error": None, "seconds": _since(started)}
        except pm.PapermillExecutionError as exc:
            error = {"ename": exc.ename, "evalue": exc.evalue}
            return {"key": key, "output": str(output), "error": error, "seconds": _since(started)}
        except RuntimeError as exc:  # a kernel start race (ZMQ "address already in use")
            if attempt == 2 or "Kernel" not in str(exc):
                raise
    raise AssertionError("unreachable")


def _cli(job: tuple) -> dict:
    """Run papermill's command line exactly as a user types it (interactive stays True)."""
    key, source, output, parameters = job
    started = time.perf_counter()
    command = [str(Path(sys.executable).with_name("papermill")), str(source), str(output)]
    for name, value in parameters.items():
        command += ["-p", name, str(value)]
    result = subprocess.run(command, capture_output=True, text=True, cwd=PROJ_ROOT)
    error = None if result.returncode == 0 else {"ename": "exit", "evalue": result.stderr}
    return {"key": key, "output": str(output), "error": error, "seconds": _since(started)}


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 1)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Execute every run, two at a time; return ``{key: result}`` and the expected numbers."""
    out = tmp_path_factory.mktemp("runs")
    cache = str(tmp_path_factory.mktemp("cache"))
    base = {"data_dir": str(SAMPLE_DATA_DIR), "period": DEFAULT_PERIOD, "interactive": False}
    jobs = []
    for specialist in SPECIALISTS:
        for name in NAMES:
            parameters = base | {"specialist": specialist}
            if name == "10-team":
                parameters |= {"audience": "specialist"}
            jobs.append(
                ((name, specialist), PATHS[name], out / f"{name}-{specialist}.ipynb", parameters)
            )
    jobs.append(
        (
            ("10-team", "manager"),
            PATHS["10-team"],
            out / "team-manager.ipynb",
            base | {"specialist": "anna"},
        )
    )
    for bad in (7, "zed"):
        jobs.append(
            (
                (f"bad-{bad}", bad),
                PATHS["01-subscribers"],
                out / f"bad-{bad}.ipynb",
                base | {"specialist": bad},
            )
        )
    cli = (
        ("cli", "anna"),
        Path("notebooks/03-engagement.ipynb"),
        out / "cli.ipynb",
        {"specialist": "anna", "period": DEFAULT_PERIOD},
    )
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=2, initializer=_worker_init, initargs=(cache,)) as pool:
        futures = [pool.submit(_execute, job) for job in jobs] + [pool.submit(_cli, cli)]
        expected = _expected()  # computed here, meanwhile, without any cache
        results = {f.result()["key"]: f.result() for f in futures}
    wall = time.perf_counter() - started
    timing = {" / ".join(map(str, k)): r["seconds"] for k, r in results.items()}
    (out / "timing.json").write_text(json.dumps({"wall_s": round(wall, 1), "runs": timing}))
    print(f"\n{len(results)} notebook runs in {wall:.0f} s (timings: {out / 'timing.json'})")
    return results, expected


def _expected() -> dict:
    from smmkpi_helpers.dataset import load_dataset
    from smmkpi_helpers.integrity import counting, integrity_values
    from smmkpi_helpers.kpis import compute_kpis
    from smmkpi_helpers.scorecard import score_specialist

    ds = load_dataset(SAMPLE_DATA_DIR)
    people = ds["specialists"]
    out = {"names": dict(zip(people["specialist_id"], people["name"], strict=True))}
    for specialist in SPECIALISTS:
        table = compute_kpis(ds, specialist, DEFAULT_PERIOD, extra=integrity_values)
        card = score_specialist(ds, specialist, DEFAULT_PERIOD)
        out[specialist] = {
            "kpis": dict(zip(table["kpi"], table["value"], strict=True)),
            "families": dict(zip(table["kpi"], table["family"], strict=True)),
            "card": card,
            "flags_by_kind": counting(card.flags)["kind"].value_counts().to_dict(),
        }
    return out


def _outputs_text(path: str) -> str:
    """Return every text/plain and text/html output of an executed notebook, joined."""
    nb = nbformat.read(path, as_version=4)
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts += [str(data.get("text/plain", "")), str(data.get("text/html", ""))]
            parts.append(str(output.get("text", "")))
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("specialist", SPECIALISTS)
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_and_records_the_package_numbers(runs, name, specialist):
    results, expected = runs
    result = results[(name, specialist)]
    assert result["error"] is None, f"{name} for {specialist} failed: {result['error']}"
    records = read_records(result["output"])
    mine = expected[specialist]
    assert records["specialist"] == specialist and records["period"] == DEFAULT_PERIOD
    assert records["business_goal"] is None
    if name in FAMILY_RECORDS:
        ids = [k for k, f in mine["families"].items() if f in FAMILY_RECORDS[name]]
        assert ids and {k: records[k] for k in ids} == {k: mine["kpis"][k] for k in ids}
    elif name == "00-scorecard":
        card = mine["card"]
        assert records["overall_score"] == card.overall_score
        assert records["family_scores"] == {f: v["score"] for f, v in card.family_scores.items()}
        assert records["integrity_score"] == mine["kpis"]["integrity_score"]
        assert records["flags"] == sum(mine["flags_by_kind"].values())
        assert records["profiles"] == {p["goal"]: p["share"] for p in card.profiles}
    elif name == "09-integrity":
        for kpi_id in ("integrity_score", "net_follower_growth", "clean_net_follower_growth"):
            assert records[kpi_id] == mine["kpis"][kpi_id]
        assert records["flags_by_kind"] == mine["flags_by_kind"]
    else:  # 10-team for one specialist: their score and the anonymous median, nobody else
        scores = [expected[s]["card"].overall_score for s in SPECIALISTS]
        assert records["overall_score"] == mine["card"].overall_score
        assert records["team_median_overall_score"] == pytest.approx(pd.Series(scores).median())
        text = _outputs_text(result["output"])
        assert specialist in text and expected["names"][specialist] in text
        for other, other_name in expected["names"].items():
            if other != specialist:
                assert not re.search(rf"\b{other}\b", text), f"{other} shown to {specialist}"
                assert other_name not in text, f"{other_name} shown to {specialist}"


@pytest.mark.slow
def test_the_manager_team_report_shows_everyone(runs):
    results, expected = runs
    result = results[("10-team", "manager")]
    assert result["error"] is None, result["error"]
    team = read_records(result["output"])["team"]
    assert sorted(team) == sorted(SPECIALISTS)
    for specialist in SPECIALISTS:
        card = expected[specialist]["card"]
        assert team[specialist] == {
            "overall_score": card.overall_score,
            "integrity_score": card.integrity_score,
        }


@pytest.mark.slow
@pytest.mark.parametrize(
    ("key", "ename"), [("bad-7", "InvalidIdError"), ("bad-zed", "UnknownSpecialistError")]
)
def test_a_wrong_specialist_stops_the_notebook_with_the_known_ids(runs, key, ename):
    results, _ = runs
    result = next(r for k, r in results.items() if k[0] == key)
    assert result["error"] is not None, "the notebook should have failed"
    assert result["error"]["ename"] == ename
    assert "Known specialists: anna, boris, gleb, vera" in result["error"]["evalue"]
    if key == "bad-7":
        assert "-r" in result["error"]["evalue"]
    nb = nbformat.read(result["output"], as_version=4)
    setup_cell = next(c for c in nb.cells if "notebook.setup(" in c.source)
    assert setup_cell.outputs[-1]["output_type"] == "error"


@pytest.mark.slow
def test_plain_papermill_runs_with_the_widget_built_headless(runs):
    results, expected = runs
    result = results[("cli", "anna")]
    assert result["error"] is None, result["error"]
    nb = nbformat.read(result["output"], as_version=4)
    widget_cell = next(c for c in nb.cells if "interactive" in c.metadata.get("tags", []))
    kinds = [o["output_type"] for o in widget_cell.outputs]
    assert kinds == ["display_data"], widget_cell.outputs
    assert "application/vnd.jupyter.widget-view+json" in widget_cell.outputs[0]["data"]
    assert nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    records = read_records(nb)
    assert records["er_reach"] == expected["anna"]["kpis"]["er_reach"]
