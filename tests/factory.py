"""Build tiny datasets for tests: write CSV tables into a folder and load them for real.

>>> ds = make_dataset(tmp_path, posts=[{...}, ...])            # doctest: +SKIP

Only the tables given are written, plus minimal ``specialists``, ``accounts``,
``assignments``, ``account_daily`` and ``posts`` when they are not given, so a test states just
what its arithmetic needs.
"""

from __future__ import annotations

import csv
from pathlib import Path

from smmkpi_helpers.dataset import Dataset, load_dataset
from smmkpi_helpers.schema import REQUIRED_TABLES, TABLES

DEFAULTS = {
    "specialists": [{"specialist_id": "anna", "name": "Anna"}],
    "accounts": [
        {
            "account_id": "vk_a",
            "platform": "vk",
            "name": "A",
            "brand": "Acme",
            "business_goal": "sales",
            "timezone": "UTC",
        }
    ],
    "assignments": [{"specialist_id": "anna", "account_id": "vk_a", "start_date": "2026-01-01"}],
    "account_daily": [],
    "posts": [],
}


def write_tables(folder: Path, **tables: list[dict]) -> Path:
    """Write each table (a list of row dicts) as ``<name>.csv`` into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in REQUIRED_TABLES:
        tables.setdefault(name, DEFAULTS[name])
    for name, rows in tables.items():
        columns = list(TABLES[name].column_names)
        for row in rows:
            columns += [k for k in row if k not in columns]
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as stream:
            writer = csv.DictWriter(stream, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return folder


def make_dataset(folder: Path, **tables: list[dict]) -> Dataset:
    """Write the tables (see :func:`write_tables`) and load them with the real loader."""
    return load_dataset(write_tables(folder, **tables))
