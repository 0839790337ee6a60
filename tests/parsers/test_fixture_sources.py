"""Every real output the parser tests use names its public source in its category's SOURCES.tsv."""

from __future__ import annotations

import csv

import pytest
from _cutting import FIXTURES

# The categories the parser tests copied in (other tests may own other categories).
CATEGORIES = [
    "collect_env", "toolchain", "cudnn", "driver", "libs", "nvcc", "nvidia-smi", "nvidia-smi-failures",
    "nvidia-smi-query", "os", "torch", "torch-errors",
]  # fmt: skip


@pytest.mark.parametrize("category", CATEGORIES)
def test_every_file_has_exactly_one_source_row(category: str) -> None:
    folder = FIXTURES / category
    with (folder / "SOURCES.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    listed = [row["path"] for row in rows]
    files = sorted(
        f"{category}/{path.name}" for path in folder.iterdir() if path.name != "SOURCES.tsv"
    )
    assert sorted(listed) == files
    assert all(row["category"] == category and row["source"].strip() for row in rows)
