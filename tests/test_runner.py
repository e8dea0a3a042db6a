"""The runner on small fixture notebooks: checks first, layout, isolation, crashes, equivalence.

The fixture notebooks (``tests/fixtures/notebooks/``) follow the notebooks' parameter contract
and run in a second or two on a tiny dataset with hostile texts, so these tests exercise real
kernels, real papermill parameterisation and real HTML without the cost of the real notebooks
(``test_evaluate_cli.py`` runs those).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

from smmkpi_helpers.errors import (
    InvalidIdError,
    OutputExistsError,
    PeriodError,
    UnknownSpecialistError,
    UsageError,
)
from smmkpi_helpers.runner import (
    KernelSession,
    NotebookContractError,
    discover_notebooks,
    period_folder,
    plan_evaluation,
    run_evaluation,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures.notebooks.datasets import EMAIL, PHONES, tiny_dataset

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return tiny_dataset(tmp_path_factory.mktemp("tiny") / "ds")


def _plan(data: Path, out: Path, notebooks: str = "basic", **kwargs):
    kwargs.setdefault("period", "2026-10")
    return plan_evaluation(data=data, out=out, notebooks_dir=FIXTURES / notebooks, **kwargs)


def _records(path: Path) -> dict:
    from smmkpi_helpers.record import read_records

    return read_records(path)


def _strip_images(text: str) -> str:
    """Drop base64 payloads (random letters that may spell anything)."""
    return re.sub(r"[A-Za-z0-9+/=\n\\]{200,}", "", text)


# ------------------------------------------------------------------------------------------
# checks before anything runs (no kernel)


@pytest.mark.parametrize("bad", ["../etc", "-rf", ".hidden", "a..b", "a/b", "", "x" * 65])
def test_invalid_specialist_ids_are_rejected_before_anything(tiny, tmp_path, bad):
    with pytest.raises(InvalidIdError, match="not a valid specialist id"):
        _plan(tiny, tmp_path / "out", specialists=[bad])
    assert not (tmp_path / "out").exists()


def test_unknown_specialist_names_the_known_ones(tiny, tmp_path):
    with pytest.raises(UnknownSpecialistError, match="Known specialists: anna, boris"):
        _plan(tiny, tmp_path / "out", specialists=["anna", "zoe"])
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("period", ["2026-13", "october", "2026-10-01..2026-09-01", "../2026"])
def test_bad_period_is_rejected(tiny, tmp_path, period):
    with pytest.raises(PeriodError, match="not a valid period label"):
        _plan(tiny, tmp_path / "out", specialists=["anna"], period=period)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"audience": "everyone"}, "unknown audience"),
        ({"business_goal": "fame"}, "unknown business goal"),
        ({"jobs": 0}, "--jobs"),
        ({"cell_timeout": 0}, "--cell-timeout"),
    ],
)
def test_bad_options_are_usage_errors(tiny, tmp_path, option, message):
    with pytest.raises(UsageError, match=message):
        _plan(tiny, tmp_path / "out", specialists=["anna"], **option)


def test_specialists_or_all_but_not_both(tiny, tmp_path):
    with pytest.raises(UsageError, match="not both"):
        _plan(tiny, tmp_path / "out", specialists=["anna"], all_specialists=True)


def test_a_notebook_without_the_contract_parameters_is_refused(tiny, tmp_path):
    folder = tmp_path / "nbs"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell('specialist: str = "anna"\nperiod: str = "2026-10"')
    cell.metadata["tags"] = ["parameters"]
    nb.cells = [cell]
    nbformat.write(nb, str(folder / "00-x.ipynb"))
    with pytest.raises(NotebookContractError, match="data_dir, business_goal, interactive"):
        discover_notebooks(folder)


def test_discovery_reads_the_parameters_cell_with_comments_holding_equals():
    specs = discover_notebooks(FIXTURES / "basic")
    assert [s.name for s in specs] == ["00-scorecard", "01-reach", "10-team"]
    assert specs[0].parameters == (
        "data_dir",
        "specialist",
        "period",
        "business_goal",
        "interactive",
    )
    assert specs[2].parameters[-1] == "audience"


def test_existing_evaluation_is_not_replaced_without_force(tiny, tmp_path):
    (tmp_path / "out" / "2026-10" / "anna").mkdir(parents=True)
    with pytest.raises(OutputExistsError, match="pass --force"):
        _plan(tiny, tmp_path / "out", specialists=["anna", "boris"])
    assert sorted(p.name for p in (tmp_path / "out" / "2026-10").iterdir()) == ["anna"]
    plan = _plan(tiny, tmp_path / "out", specialists=["anna"], force=True)
    assert plan.target("anna") == (tmp_path / "out" / "2026-10" / "anna").resolve()


def test_period_folders_never_hold_two_dots():
    assert period_folder("2026-Q3") == "2026-Q3"
    assert period_folder("2026-09-01..2026-09-30") == "2026-09-01_2026-09-30"


def test_default_jobs_is_one_per_job_at_most(tiny, tmp_path):
    plan = _plan(tiny, tmp_path / "out", specialists=["anna"])
    assert plan.jobs == min(__import__("os").cpu_count() or 1, 2)  # anna + the team job


# ------------------------------------------------------------------------------------------
# real runs on the fixture notebooks


@pytest.fixture(scope="module")
def basic(tiny, tmp_path_factory):
    """Three runs into one folder: anna alone, boris alone, then everyone with --force."""
    out = tmp_path_factory.mktemp("basic")
    first = run_evaluation(_plan(tiny, out, specialists=["anna"], jobs=1))
    period_dir = out / "2026-10"
    anna_results = (period_dir / "anna" / "results.json").read_bytes()
    anna_manifest = json.loads((period_dir / "anna" / "manifest.json").read_text())
    second = run_evaluation(_plan(tiny, out, specialists=["boris"], jobs=1))
    index_after_second = (period_dir / "index.html").read_text()
    third = run_evaluation(_plan(tiny, out, all_specialists=True, force=True, jobs=2))
    return {
        "out": out,
        "dir": period_dir,
        "runs": (first, second, third),
        "anna_results_first": anna_results,
        "anna_manifest_first": anna_manifest,
        "index_after_second": index_after_second,
    }


@pytest.mark.slow
def test_layout(basic):
    d = basic["dir"]
    for who in ("anna", "boris"):
        names = sorted(p.name for p in (d / who).iterdir())
        assert names == [
            "00-scorecard.html",
            "00-scorecard.ipynb",
            "01-reach.html",
            "01-reach.ipynb",
            "manifest.json",
            "results.json",
        ]
    assert sorted(p.name for p in d.iterdir()) == [
        "10-team.html",
        "10-team.ipynb",
        "anna",
        "boris",
        "index.html",
        "manifest.json",
    ]
    assert all(r.ok for r in basic["runs"])


@pytest.mark.slow
def test_index_lists_everyone_present_and_every_link_exists(basic):
    d = basic["dir"]
    # after the second run (boris only) the index was rebuilt from both folders
    assert 'href="anna/00-scorecard.html"' in basic["index_after_second"]
    assert 'href="boris/00-scorecard.html"' in basic["index_after_second"]
    page = (d / "index.html").read_text()
    links = re.findall(r'href="([^"]+)"', page)
    assert "10-team.html" in links and "anna/results.json" in links
    for link in links:
        assert (d / link).is_file(), link
    assert "Anna Smirnova" in page and "Boris Volkov" in page
    assert "<script" not in page


@pytest.mark.slow
def test_manifest_records_status_timing_parameters_and_provenance(basic):
    manifest = json.loads((basic["dir"] / "manifest.json").read_text())
    assert manifest["status"] == "ok" and manifest["period"]["label"] == "2026-10"
    assert sorted(manifest["specialists"]) == ["anna", "boris"]
    anna = manifest["specialists"]["anna"]
    assert [n["notebook"] for n in anna["notebooks"]] == ["00-scorecard", "01-reach"]
    entry = anna["notebooks"][0]
    assert entry["status"] == "ok" and entry["duration_s"] > 0 and entry["html_s"] >= 0
    assert entry["parameters"] == {
        "data_dir": "ds",  # the folder's name: no absolute path in the manifest
        "specialist": "anna",
        "period": "2026-10",
        "business_goal": "",
        "interactive": False,
    }
    assert entry["records"]["posts"] == 2  # p1 and p2 are on vk_a, anna's account
    assert anna["results"]["status"] == "ok" and len(anna["results"]["sha256"]) == 64
    assert anna["data"]["fingerprint"] == manifest["data"]["fingerprint"]
    env = anna["environment"]
    assert env["versions"]["papermill"] and env["versions"]["pandas"]
    assert len(env["notebooks"]["sha256"]) == 64 and "git_revision" in env["notebooks"]
    assert manifest["team"]["notebooks"][0]["records"] == {"rows": 2}
    assert manifest["last_run"]["specialists"] == ["anna", "boris"]
    assert str(basic["out"]) not in json.dumps(manifest)


@pytest.mark.slow
def test_force_replaced_the_evaluation_and_results_are_byte_identical(basic):
    d = basic["dir"]
    again = json.loads((d / "anna" / "manifest.json").read_text())
    assert again["timing"]["started_at"] >= basic["anna_manifest_first"]["timing"]["started_at"]
    assert again["timing"] != basic["anna_manifest_first"]["timing"]
    assert (d / "anna" / "results.json").read_bytes() == basic["anna_results_first"]
    assert not [p for p in d.iterdir() if p.name.startswith(".")]  # no temporary folder left


@pytest.mark.slow
def test_each_notebook_starts_from_a_clean_kernel(basic):
    for who in ("anna", "boris"):
        for name in ("00-scorecard", "01-reach"):
            path = basic["dir"] / who / f"{name}.ipynb"
            records = _records(path)
            # the previous notebook set LEAK_PROBE and lines.linewidth = 7 in the same kernel
            assert records["leak_seen"] is False
            assert records["linewidth"] == 1.5
            nb = nbformat.read(str(path), as_version=4)
            counts = [c.execution_count for c in nb.cells if c.cell_type == "code"]
            assert counts[:3] == [1, 2, 3]


@pytest.mark.slow
def test_executed_notebooks_are_papermills(basic):
    nb = nbformat.read(str(basic["dir"] / "boris" / "01-reach.ipynb"), as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert 'specialist = "boris"' in injected[0].source
    assert "interactive = False" in injected[0].source
    meta = nb.metadata["papermill"]
    assert meta["parameters"]["specialist"] == "boris"
    assert meta["input_path"] == "tests/fixtures/notebooks/basic/01-reach.ipynb"
    assert meta["output_path"] == "2026-10/boris/01-reach.ipynb"
    assert all(c.metadata["papermill"]["status"] == "completed" for c in nb.cells)
    widget = next(c for c in nb.cells if "interactive" in c.metadata.get("tags", []))
    assert widget.outputs == []  # interactive=False: the widget cell did nothing


@pytest.mark.slow
def test_reports_escape_hostile_text_and_mask_personal_data(basic):
    d = basic["dir"]
    page = (d / "anna" / "00-scorecard.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<script" not in page and "onerror=alert(1)>" not in page
    assert "data:image/png;base64," in page  # the figure, embedded
    assert "load_dataset" not in page  # no code
    for path in d.rglob("*"):
        if path.is_file():
            text = path.read_text(errors="replace")
            assert EMAIL not in text, path
            assert not any(phone in text for phone in PHONES), path
    assert "[email]" in page and "[phone]" in page


@pytest.mark.slow
def test_same_numbers_as_one_fresh_kernel_per_notebook(basic, tiny, tmp_path, monkeypatch):
    """The shared kernel changes nothing: papermill's way (a fresh kernel each) agrees."""
    import papermill as pm

    # a kernel started by papermill inherits this process's MPLBACKEND (Agg in the tests);
    # a user's papermill run gets ipykernel's default, inline figures, as the runner's kernels do
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")

    from smmkpi_helpers.dataset import load_dataset
    from smmkpi_helpers.render import mask_outputs
    from smmkpi_helpers.scorecard import results_bytes, results_json, score_specialist

    parameters = {
        "data_dir": str(tiny.resolve()),
        "specialist": "anna",
        "period": "2026-10",
        "business_goal": "",
        "interactive": False,
    }
    for name in ("00-scorecard", "01-reach"):
        fresh = pm.execute_notebook(
            str(FIXTURES / "basic" / f"{name}.ipynb"),
            str(tmp_path / f"{name}.ipynb"),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
        )
        mask_outputs(fresh)
        ours = nbformat.read(str(basic["dir"] / "anna" / f"{name}.ipynb"), as_version=4)
        assert _records(ours) == _records(fresh)
        for mine, theirs in zip(_code_cells(ours), _code_cells(fresh), strict=True):
            assert mine.execution_count == theirs.execution_count
            assert _shape(mine) == _shape(theirs)
    dataset = load_dataset(tiny)
    card = score_specialist(dataset, "anna", "2026-10")
    expected = results_bytes(results_json(card, dataset=dataset))
    assert (basic["dir"] / "anna" / "results.json").read_bytes() == expected


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def _shape(cell) -> list:
    """What a reader sees of a cell's outputs: kinds, MIME types, texts and images."""
    shape = []
    for output in cell.outputs:
        data = output.get("data", {})
        shape.append(
            (
                output.output_type,
                sorted(data),
                data.get("text/plain"),
                data.get("text/html"),
                data.get("image/png"),
                output.get("text"),
            )
        )
    return shape


@pytest.mark.slow
def test_a_crash_leaves_nothing_half_written(tiny, tmp_path):
    """boris's notebook kills the worker process: anna's evaluation still lands, boris's not."""
    plan = _plan(tiny, tmp_path, "crash", all_specialists=True, jobs=2)
    result = run_evaluation(plan)
    d = tmp_path / "2026-10"
    assert not result.ok
    assert [j["status"] for j in result.jobs if j["specialist"] == "boris"] == ["crashed"]
    assert sorted(p.name for p in d.iterdir()) == ["anna", "index.html", "manifest.json"]
    assert _records(d / "anna" / "01-after.ipynb") == {"ran": True}
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["status"] == "failed"
    assert [c["specialist"] for c in manifest["last_run"]["crashed"]] == ["boris"]
    assert "boris" in (d / "index.html").read_text()


@pytest.mark.slow
def test_specialist_audience_packs_show_nobody_else(tiny, tmp_path):
    plan = _plan(tiny, tmp_path, all_specialists=True, audience="specialist", jobs=2)
    result = run_evaluation(plan)
    assert result.ok and result.index_path is None
    packs = tmp_path / "2026-10" / "specialists"
    assert sorted(p.name for p in packs.iterdir()) == ["anna", "boris", "manifest.json"]
    assert not (tmp_path / "2026-10" / "index.html").exists()
    others = {"anna": ("boris", "Boris", "Volkov"), "boris": ("anna", "Anna", "Smirnova")}
    for who, words in others.items():
        files = sorted(p.name for p in (packs / who).iterdir())
        assert "10-team.html" in files and "index.html" in files
        for path in (packs / who).iterdir():
            text = _strip_images(path.read_text(errors="replace"))
            for word in words:
                assert not re.search(rf"\b{word}\b", text), (path, word)
        assert _records(packs / who / "10-team.ipynb") == {"rows": 1}
    page = (packs / "boris" / "index.html").read_text()
    assert 'href="00-scorecard.html"' in page and 'href="10-team.html"' in page


@pytest.mark.slow
def test_kernel_start_races_are_retried(monkeypatch):
    import errno

    import zmq
    from jupyter_client.manager import AsyncKernelManager

    original = AsyncKernelManager.start_kernel
    calls = {"n": 0}

    async def flaky(self, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise zmq.ZMQError(errno.EADDRINUSE, "Address already in use")
        return await original(self, **kwargs)

    monkeypatch.setattr(AsyncKernelManager, "start_kernel", flaky)
    session = KernelSession(retries=2)
    try:
        session.start()
        assert session.alive and session.starts == 1 and calls["n"] == 2
        assert len(session.failed_starts) == 1
        assert "Address already in use" in session.failed_starts[0]
        assert session.run_code("x = 6 * 7\nassert x == 42") == (True, None)
        assert session.run_code("assert x == 41, 'no'") == (False, "AssertionError: no")
    finally:
        session.shutdown()
    assert not session.alive


@pytest.mark.slow
def test_kernel_start_gives_up_with_every_error(monkeypatch):
    from jupyter_client.manager import AsyncKernelManager

    from smmkpi_helpers.runner import KernelStartError

    async def broken(self, **kwargs):
        raise RuntimeError("Kernel died before replying to kernel_info")

    monkeypatch.setattr(AsyncKernelManager, "start_kernel", broken)
    session = KernelSession(retries=1)
    with pytest.raises(KernelStartError, match=r"after 2 attempts.*Kernel died before replying"):
        session.start()
