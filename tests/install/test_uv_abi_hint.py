"""uv's "no wheels with a matching Python ABI tag" failure: the fix names the nearest Python the
index has wheels for (`--python 3.13`), read from uv's real hint lines (tests/fixtures/uv-abi,
each from a public report in its SOURCES.tsv). tests/install_exec/test_abi_mismatch.py runs real
uv against an index that holds only another Python's wheels."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from envsetup.install.failure import StepError, failure_summary, logical_lines
from envsetup.install.plan import CHECK_RESOLVES, CREATE_ENV, INSTALL
from envsetup.parsers.uv_abi_hint import AbiMismatch, abi_mismatch

UV_ABI = Path(__file__).resolve().parents[1] / "fixtures" / "uv-abi"

# fixture -> (project, its version, the target's Python, the wheels' Pythons, the nearest)
EXPECTED = {
    "uv-pip-install-torchcodec-cp314-wrapped.txt": (
        "torchcodec", "0.8.1", "3.14", ("3.10", "3.11", "3.12", "3.13"), "3.13",
    ),
    "uv-sync-torch-2.8-cp314.txt": ("torch", "2.8.0", "3.14", ("3.12", "3.13"), "3.13"),
    # Only a free-threaded build (cp314t): no regular Python to suggest.
    "uv-sync-torchvision-only-cp314t.txt": ("torchvision", "0.25.0", "3.14", (), None),
}  # fmt: skip


def _tail(name: str) -> list[str]:
    return (UV_ABI / name).read_text(encoding="utf-8").splitlines()


def test_every_fixture_is_sourced_and_expected() -> None:
    with (UV_ABI / "SOURCES.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert all(row["source"].startswith("https://github.com/") for row in rows)
    assert {row["path"].split("/", 1)[1] for row in rows} == set(EXPECTED)
    assert {p.name for p in UV_ABI.glob("*.txt")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_real_hints_are_read(name: str) -> None:
    project, version, python, pythons, nearest = EXPECTED[name]
    found = abi_mismatch(logical_lines(_tail(name)))
    assert found == AbiMismatch(project, version, python, pythons)
    assert found.nearest() == nearest


def test_the_nearest_python_is_nearest_in_value_the_older_on_a_tie() -> None:
    assert AbiMismatch("torch", "", "3.12", ("3.8", "3.11", "3.13")).nearest() == "3.11"
    assert AbiMismatch("torch", "", "3.9", ("3.10", "3.11")).nearest() == "3.10"
    assert AbiMismatch("torch", "", "3.12", ("3.10", "3.11")).nearest() == "3.11"


@pytest.mark.parametrize("step", [CHECK_RESOLVES, INSTALL])
def test_the_fix_names_the_nearest_python(step: str) -> None:
    failure = StepError(step, "exit status 1", _tail("uv-sync-torch-2.8-cp314.txt"))
    said, fix = failure_summary(failure, manager="uv", python_version="3.14")
    assert "only has wheels with the following Python ABI tags" in said or "Distribution" in said
    assert fix == (
        "torch 2.8.0 on that index has wheels for Python 3.12, 3.13, none for Python 3.14: "
        "pass --python 3.13"
    )


def test_without_a_python_to_suggest_the_fix_is_as_before() -> None:
    failure = StepError(
        CHECK_RESOLVES, "exit status 1", _tail("uv-sync-torchvision-only-cp314t.txt")
    )
    assert "--python 3." not in failure_summary(failure, manager="uv")[1]
    create = StepError(CREATE_ENV, "exit status 1", _tail("uv-sync-torch-2.8-cp314.txt"))
    assert "pass --python 3.13" not in failure_summary(create, manager="uv")[1]
