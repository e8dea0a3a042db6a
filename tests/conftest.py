"""Shared pytest setup: headless matplotlib and closed figures after each test."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    if "matplotlib.pyplot" in sys.modules:
        import matplotlib.pyplot as plt

        plt.close("all")


@pytest.fixture
def build(tmp_path):
    """Return ``make_dataset`` bound to a fresh folder: ``build(posts=[...])``."""
    from factory import make_dataset

    counter = {"n": 0}

    def _build(**tables):
        counter["n"] += 1
        return make_dataset(tmp_path / f"ds{counter['n']}", **tables)

    return _build
