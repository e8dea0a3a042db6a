"""Project hygiene: pins agree across pyproject, the lock file and environment.yml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from smmkpi_helpers.config import PROJ_ROOT

ROOT = Path(PROJ_ROOT)


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements-lock.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[_norm(name)] = version
    return pins


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(spec: str) -> str:
    return _norm(re.split(r"[<>=!~\[; ]", spec, maxsplit=1)[0])


def test_every_dependency_is_pinned_in_the_lock():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"]) + list(project["optional-dependencies"]["test"])
    lock = _lock()
    missing = [spec for spec in wanted if _requirement_name(spec) not in lock]
    assert not missing, f"not pinned in requirements-lock.txt: {missing}"


def test_lock_satisfies_pyproject_ranges():
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lock = _lock()
    for spec in project["dependencies"]:
        requirement = Requirement(spec)
        pinned = lock[_norm(requirement.name)]
        assert requirement.specifier.contains(pinned), f"{spec} does not admit {pinned}"


def test_environment_yml_wraps_the_same_pins():
    text = (ROOT / "environment.yml").read_text(encoding="utf-8")
    assert "-r requirements-lock.txt" in text and "-e ." in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    python_pin = re.search(r"python=(\d+\.\d+)", text).group(1)
    minimum = re.search(r">=(\d+\.\d+)", project["requires-python"]).group(1)
    assert tuple(map(int, python_pin.split("."))) >= tuple(map(int, minimum.split(".")))
    # conda installs nothing by itself that could disagree with the pip pins
    import yaml

    deps = yaml.safe_load(text)["dependencies"]
    conda_deps = sorted(d for d in deps if isinstance(d, str))
    assert conda_deps == ["pip", f"python={python_pin}"]
    assert {"pip": ["-r requirements-lock.txt", "-e ."]} in deps


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make test" in ci
    head = readme[:1500]
    assert "make test" in head and "make demo" in head
