"""``smmkpi evaluate`` end to end: exit codes, messages, and the real notebooks on the sample.

The command-line checks use the tiny dataset and the fixture notebooks. The tests marked
``slow`` run the real notebooks (``notebooks/``) twice on a copy of the sample whose post
topics, a specialist's name, messages and mentions hold markup, e-mails and phone numbers:
once for the manager (anna and gleb, who games metrics) and once as packs for specialists
(anna and boris).
"""

from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path

import pytest

from smmkpi_helpers.cli import main
from smmkpi_helpers.config import NOTEBOOKS_DIR, SAMPLE_DATA_DIR

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fixtures.notebooks.datasets import EMAIL, PHONES, hostile_sample, tiny_dataset

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "notebooks"
PERIOD = "2026-10"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return tiny_dataset(tmp_path_factory.mktemp("tiny") / "ds")


def _evaluate(*args: str) -> int:
    return main(["evaluate", *args])


def _fixture_args(tiny: Path, out: Path, notebooks: str = "basic") -> list[str]:
    return ["--data", str(tiny), "--out", str(out), "--notebooks", str(FIXTURES / notebooks)]


# ------------------------------------------------------------------------------------------
# the command line (no kernel starts: everything is refused before)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--specialist", "anna", "--period", "2026-13"], "not a valid period label"),
        (["--specialist", "zoe", "--period", PERIOD], "Known specialists: anna, boris"),
        (["--specialist", "../etc", "--period", PERIOD], "not a valid specialist id"),
        (["--specialist=-x", "--period", PERIOD], "not a valid specialist id"),
    ],
)
def test_bad_values_exit_2_and_write_nothing(tiny, tmp_path, capsys, args, message):
    assert _evaluate(*_fixture_args(tiny, tmp_path / "out"), *args) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--all"],  # no --period
        ["--all", "--specialist", "anna", "--period", PERIOD],
        ["--all", "--period", PERIOD, "--jobs", "0"],
        ["--all", "--period", PERIOD, "--audience", "everyone"],
        ["--all", "--period", PERIOD, "--business-goal", "fame"],
    ],
)
def test_malformed_command_lines_exit_2(tiny, tmp_path, args):
    with pytest.raises(SystemExit) as stop:
        _evaluate(*_fixture_args(tiny, tmp_path / "out"), *args)
    assert stop.value.code == 2
    assert not (tmp_path / "out").exists()


def test_missing_data_folder_exits_1(tmp_path, capsys):
    code = _evaluate("--data", str(tmp_path / "nope"), "--all", "--period", PERIOD)
    assert code == 1
    assert "no dataset folder" in capsys.readouterr().err


def test_existing_evaluation_exits_1_without_force(tiny, tmp_path, capsys):
    existing = tmp_path / "out" / PERIOD / "boris"
    existing.mkdir(parents=True)
    (existing / "note.txt").write_text("keep me")
    assert _evaluate(*_fixture_args(tiny, tmp_path / "out"), "--all", "--period", PERIOD) == 1
    assert "pass --force" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "out" / PERIOD).iterdir()) == ["boris"]
    assert (existing / "note.txt").read_text() == "keep me"


def test_help_lists_the_options(capsys):
    with pytest.raises(SystemExit):
        _evaluate("--help")
    text = capsys.readouterr().out
    for option in ("--specialist", "--all", "--period", "--out", "--jobs", "--business-goal"):
        assert option in text
    for option in ("--audience", "--show-code", "--force", "--quiet", "--cell-timeout"):
        assert option in text


@pytest.fixture(scope="module")
def failing(tiny, tmp_path_factory):
    """One quiet run of the failing fixture notebooks: (exit code, stdout, stderr, folder)."""
    out = tmp_path_factory.mktemp("failing")
    args = _fixture_args(tiny, out, "failing")
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = _evaluate(*args, "--all", "--period", PERIOD, "--quiet", "--cell-timeout", "15")
    return code, stdout.getvalue(), stderr.getvalue(), out / PERIOD


@pytest.mark.slow
def test_quiet_failing_run_prints_the_index_and_the_failures(failing):
    code, out, err, folder = failing
    assert code == 1
    assert out == f"{folder.resolve() / 'index.html'}\n"
    assert "anna: 05-fails failed: ValueError" in err
    assert "anna: 07-slow timeout: CellTimeoutError" in err
    assert "boris: 05-fails failed" in err
    assert "2 job(s) failed" in err
    assert "%|" not in err  # no progress bar with --quiet


def _records(path) -> dict:
    from smmkpi_helpers.record import read_records

    return read_records(path)


@pytest.mark.slow
def test_a_failing_notebook_does_not_stop_the_others(failing):
    import nbformat

    d = failing[3]
    for who in ("anna", "boris"):
        manifest = json.loads((d / who / "manifest.json").read_text())
        status = {n["notebook"]: n["status"] for n in manifest["notebooks"]}
        assert status["05-fails"] == "failed"
        assert status["09-after"] == "ok" and _records(d / who / "09-after.ipynb") == {"ran": True}
        assert manifest["status"] == "failed" and "05-fails" in manifest["failed"]
        error = next(n for n in manifest["notebooks"] if n["notebook"] == "05-fails")["error"]
        assert error["ename"] == "ValueError" and "broken on purpose" in error["evalue"]
        nb = nbformat.read(str(d / who / "05-fails.ipynb"), as_version=4)
        markers = [c for c in nb.cells if "papermill-error-cell-tag" in c.metadata.get("tags", [])]
        assert len(markers) == 2
        errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
        assert [e.ename for e in errors] == ["ValueError"]
        assert _records(nb) == {"before": 1}  # the cell after the error did not run
        page = (d / who / "05-fails.html").read_text()
        assert "This report is incomplete" in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; broken on purpose" in page
        assert "<script" not in page
        assert (d / who / "results.json").is_file()  # the evaluation was still put in place
    overall = json.loads((d / "manifest.json").read_text())
    assert overall["status"] == "failed"
    assert "broken on purpose" in (d / "index.html").read_text()


@pytest.mark.slow
def test_a_cell_that_runs_too_long_is_interrupted(failing):
    d = failing[3]
    manifest = json.loads((d / "anna" / "manifest.json").read_text())
    slow = next(n for n in manifest["notebooks"] if n["notebook"] == "07-slow")
    assert slow["status"] == "timeout"
    assert slow["error"]["ename"] == "CellTimeoutError"
    assert "slept" not in slow["records"]
    page = (d / "anna" / "07-slow.html").read_text()
    assert "CellTimeoutError" in page and "This report is incomplete" in page
    boris = json.loads((d / "boris" / "manifest.json").read_text())
    assert next(n for n in boris["notebooks"] if n["notebook"] == "07-slow")["status"] == "ok"


@pytest.mark.slow
def test_show_code_run_prints_a_summary(tiny, tmp_path, capsys):
    args = _fixture_args(tiny, tmp_path)
    assert _evaluate(*args, "--specialist", "boris", "--period", PERIOD, "--show-code") == 0
    captured = capsys.readouterr()
    assert re.search(r"^boris\s+ok\s+2/2\s", captured.out, re.MULTILINE)
    assert re.search(r"^team\s+ok\s+1/1\s", captured.out, re.MULTILINE)
    assert f"Index: {tmp_path.resolve() / PERIOD / 'index.html'}" in captured.out
    page = (tmp_path / PERIOD / "boris" / "00-scorecard.html").read_text()
    assert "load_dataset" in page  # the code is shown
    assert 'specialist = "boris"' not in page  # but not papermill's injected cell


# ------------------------------------------------------------------------------------------
# the real notebooks on a hostile copy of the sample


def _strip_images(text: str) -> str:
    return re.sub(r"[A-Za-z0-9+/=\n\\]{200,}", "", text)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    if not (SAMPLE_DATA_DIR / "accounts.csv").exists():
        pytest.fail("the bundled sample data/sample is missing: run 'make sample'")
    return hostile_sample(SAMPLE_DATA_DIR, tmp_path_factory.mktemp("hostile") / "sample")


@pytest.fixture(scope="module")
def manager_run(hostile, tmp_path_factory):
    out = tmp_path_factory.mktemp("manager")
    args = ["--data", str(hostile), "--out", str(out), "--period", PERIOD, "--jobs", "2"]
    code = main(["evaluate", "--specialist", "anna", "gleb", "--quiet", *args])
    return code, out / PERIOD


@pytest.fixture(scope="module")
def packs_run(hostile, tmp_path_factory):
    out = tmp_path_factory.mktemp("packs")
    args = ["--data", str(hostile), "--out", str(out), "--period", PERIOD, "--jobs", "2"]
    code = main(
        ["evaluate", "--specialist", "anna", "boris", "--quiet", "--audience", "specialist", *args]
    )
    return code, out / PERIOD / "specialists"


NOTEBOOK_NAMES = sorted(p.stem for p in NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))


@pytest.mark.slow
def test_real_notebooks_layout_and_index(manager_run):
    code, d = manager_run
    assert code == 0
    per_specialist = [n for n in NOTEBOOK_NAMES if n != "10-team"]
    assert len(per_specialist) == 10
    for who in ("anna", "gleb"):
        names = {p.name for p in (d / who).iterdir()}
        expected = {f"{n}.{ext}" for n in per_specialist for ext in ("ipynb", "html")}
        assert names == expected | {"results.json", "manifest.json"}
    assert {"10-team.ipynb", "10-team.html", "index.html", "manifest.json"} <= {
        p.name for p in d.iterdir()
    }
    page = (d / "index.html").read_text()
    links = re.findall(r'href="([^"]+)"', page)
    assert len(links) == 1 + 2 * 11  # the team report; per specialist 10 reports + results
    for link in links:
        assert (d / link).is_file(), link
    manifest = json.loads((d / "manifest.json").read_text())
    assert manifest["status"] == "ok"
    gleb = json.loads((d / "gleb" / "results.json").read_text())
    assert any(f["severity"] in ("warning", "critical") for f in gleb["flags"])
    assert manifest["specialists"]["gleb"]["notebooks"][0]["records"]  # numbers collected


@pytest.mark.slow
def test_real_reports_are_safe_offline_and_without_code(manager_run):
    _, d = manager_run
    pages = sorted(d.rglob("*.html"))
    assert len(pages) == 2 * 10 + 2
    for path in pages:
        page = path.read_text()
        assert not re.search(r"<script\b", page, re.IGNORECASE), path
        for tag in re.findall(r"<(?:link|img|iframe|embed|object|source)\b[^>]*>", page):
            assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", tag), (path, tag)
        assert "Content-Security-Policy" in page, path
        assert "onerror=alert(1)>" not in page, path
        if path.name != "index.html":
            assert "notebook.setup(" not in page and "ctx.show_" not in page, path
    figures = (d / "anna" / "02-reach.html").read_text()
    assert "data:image/png;base64," in figures
    # anna's post topics hold markup: shown as text
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert any(escaped in p.read_text() for p in (d / "anna").glob("*.html"))
    assert "Boris Volkov &lt;img src=x onerror=alert(1)&gt;" in (d / "10-team.html").read_text()


@pytest.mark.slow
def test_real_reports_never_show_emails_or_phones(manager_run, packs_run):
    for folder in (manager_run[1], packs_run[1]):
        for path in folder.rglob("*"):
            if path.is_file():
                text = path.read_text(errors="replace")
                assert EMAIL not in text, path
                assert not any(phone in text for phone in PHONES), path


@pytest.mark.slow
def test_real_packs_show_nobody_else(packs_run):
    code, packs = packs_run
    assert code == 0
    people = {
        "anna": ("anna", "Anna", "Smirnova"),
        "boris": ("boris", "Boris", "Volkov"),
        "vera": ("vera", "Vera", "Sokolova"),
        "gleb": ("gleb", "Gleb", "Morozov"),
    }
    for who in ("anna", "boris"):
        files = sorted((packs / who).iterdir())
        assert {f.name for f in files} >= {"10-team.html", "index.html", "results.json"}
        for path in files:
            text = _strip_images(path.read_text(errors="replace"))
            for other, words in people.items():
                if other == who:
                    continue
                for word in words:
                    assert not re.search(rf"\b{word}\b", text), (path.name, word)


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """A disk cache for the notebooks' helpers, shared by this process and fresh kernels."""
    return tmp_path_factory.mktemp("cache")


@pytest.mark.slow
def test_real_results_are_byte_identical_to_the_score_command(
    manager_run, packs_run, hostile, cache, monkeypatch
):
    from smmkpi_helpers.notebook import load_cached
    from smmkpi_helpers.scorecard import results_bytes, results_json, score_specialist

    ours = (manager_run[1] / "anna" / "results.json").read_bytes()
    assert (packs_run[1] / "anna" / "results.json").read_bytes() == ours  # a second run
    assert json.loads(ours)["data"]["name"] == "sample"  # the folder's name, not its path
    monkeypatch.setenv("SMMKPI_CACHE_DIR", str(cache))
    dataset = load_cached(hostile)
    card = score_specialist(dataset, "anna", PERIOD)  # what 'smmkpi score --out' writes
    assert results_bytes(results_json(card, dataset=dataset)) == ours


@pytest.mark.slow
def test_real_numbers_match_one_fresh_kernel_per_notebook(
    manager_run, hostile, cache, tmp_path, monkeypatch
):
    """Papermill's way (a fresh kernel for each notebook) records the same numbers."""
    import papermill as pm

    from smmkpi_helpers.record import read_records

    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    monkeypatch.setenv("SMMKPI_CACHE_DIR", str(cache))  # the kernels load the data once
    parameters = {
        "data_dir": str(hostile),
        "specialist": "anna",
        "period": PERIOD,
        "business_goal": "",
        "interactive": False,
    }
    for name in ("00-scorecard", "03-engagement", "09-integrity"):
        fresh = pm.execute_notebook(
            str(NOTEBOOKS_DIR / f"{name}.ipynb"),
            str(tmp_path / f"{name}.ipynb"),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=False,
        )
        ours = read_records(manager_run[1] / "anna" / f"{name}.ipynb")
        assert ours == read_records(fresh), name
        assert len(ours) >= 3, name
