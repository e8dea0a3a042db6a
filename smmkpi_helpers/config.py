"""Paths and project-wide constants.

Every path a notebook, the CLI or a test needs comes from here; nothing else spells out
``../data``.
"""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "DATA_DIR",
    "DEFAULT_PERIOD",
    "NOTEBOOKS_DIR",
    "PACKAGE_DIR",
    "PROJ_ROOT",
    "REPORTS_DIR",
    "SAMPLE_DATA_DIR",
    "SAMPLE_END",
    "SAMPLE_GROUND_TRUTH",
    "SAMPLE_START",
    "resolve_data_dir",
]

PACKAGE_DIR = Path(__file__).resolve().parent
PROJ_ROOT = PACKAGE_DIR.parent
DATA_DIR = PROJ_ROOT / "data"
SAMPLE_DATA_DIR = DATA_DIR / "sample"
SAMPLE_GROUND_TRUTH = DATA_DIR / "sample-ground-truth.json"
NOTEBOOKS_DIR = PROJ_ROOT / "notebooks"
REPORTS_DIR = PROJ_ROOT / "reports"

#: The fixed window of the bundled sample dataset (inclusive).
SAMPLE_START = "2025-08-01"
SAMPLE_END = "2026-10-31"
#: The last full month of the sample: the default period of every notebook and command.
DEFAULT_PERIOD = "2026-10"


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """Return the dataset folder to use: ``data_dir`` or the bundled sample.

    Parameters
    ----------
    data_dir : str, Path or None
        A folder given by the user; ``None`` or ``""`` means the bundled sample data.

    Returns
    -------
    Path
        An absolute path (it is not checked for existence here).
    """
    if data_dir is None or str(data_dir) == "":
        return SAMPLE_DATA_DIR
    return Path(data_dir).expanduser().resolve()
