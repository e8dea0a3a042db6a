"""A real JupyterLab in headless Chromium: run the scorecard, change the specialist in the picker.

The test starts ``jupyter lab`` on 127.0.0.1 (a free port, no token) with a temporary copy of
``00-scorecard.ipynb`` as its root (the notebook's ``data_dir = ""`` reads the bundled sample),
opens the notebook in Debian's Chromium driven by Python Playwright, runs every cell, picks
another specialist in the widget and checks that the picker's output shows that specialist's
numbers, computed here from the package. It never downloads a browser. Locally without
``/usr/bin/chromium`` it skips; in CI (``CI`` set) it fails instead.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from smmkpi_helpers.config import DEFAULT_PERIOD, NOTEBOOKS_DIR, SAMPLE_DATA_DIR

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CONFIG = Path(__file__).with_name("jupyter_server_test_config.py")

pytestmark = pytest.mark.e2e


def _require_browser():
    """Return Playwright's sync API, or skip (locally) / fail (in CI) without a browser."""
    problem = None
    if not os.access(CHROMIUM, os.X_OK):
        problem = f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        problem = "the playwright Python package is not installed"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test must run in CI: {problem}")
        pytest.skip(problem)
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"jupyter lab exited early:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"jupyter lab did not answer in {timeout} s:\n{log.read_text()}")


def _stop(server: subprocess.Popen) -> None:
    """Stop the server we started and its kernels (its own process group)."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)


def _expected(specialist: str) -> tuple[str, str]:
    """Return the headline pieces the picker must show for ``specialist`` (from the package)."""
    from smmkpi_helpers.dataset import load_dataset
    from smmkpi_helpers.scorecard import score_specialist

    ds = load_dataset(SAMPLE_DATA_DIR)
    names = ds["specialists"].set_index("specialist_id")["name"]
    card = score_specialist(ds, specialist, DEFAULT_PERIOD)
    return f"{names[specialist]} ({specialist})", f"overall score {card.overall_score:.1f} / 100"


def test_the_picker_shows_the_chosen_specialists_numbers(tmp_path):
    sync_playwright = _require_browser()
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOKS_DIR / "00-scorecard.ipynb", root / "00-scorecard.ipynb")
    anna, boris = _expected("anna"), _expected("boris")
    assert anna != boris
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)  # no "get notified about Jupyter news?" toast over the page
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port = _free_port()
    log = tmp_path / "jupyter.log"
    env = os.environ | {"JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    env.pop("MPLBACKEND", None)
    command = [
        str(Path(sys.executable).with_name("jupyter")),
        "lab",
        f"--config={CONFIG}",
        f"--ServerApp.port={port}",
        f"--ServerApp.root_dir={root}",
        f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
        f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
    ]
    with open(log, "wb") as sink:
        server = subprocess.Popen(
            command, stdout=sink, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/api/status", server, log)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
            )
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                try:
                    _run_and_pick(page, base, anna, boris)
                finally:  # what the browser showed, for a failing run (in pytest's tmp_path)
                    page.screenshot(path=str(tmp_path / "jupyterlab.png"))
            finally:
                browser.close()
    finally:
        _stop(server)


def _run_and_pick(page, base: str, anna: tuple[str, str], boris: tuple[str, str]) -> None:
    from playwright.sync_api import expect

    page.goto(f"{base}/lab/tree/00-scorecard.ipynb")
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=90_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()

    output = page.locator(".smmkpi-output")
    expect(output).to_contain_text(anna[0], timeout=180_000)
    expect(output).to_contain_text(anna[1])

    page.locator(".smmkpi-specialist select").select_option("boris")
    expect(output).to_contain_text(boris[0], timeout=180_000)
    expect(output).to_contain_text(boris[1])
    expect(output).not_to_contain_text(anna[0])
    # the picker re-rendered its output only: the notebook's own headline still shows anna
    headline = page.locator(".jp-OutputArea-output .smmkpi-headline").first
    expect(headline).to_contain_text(anna[1])
    output.scroll_into_view_if_needed()
