"""Every recorded host the tests hold names where it comes from, and each name finds one host.

The project's own machines are rows of tests/fixtures/hosts/SOURCES.tsv; the real users' cases
(tests/fixtures/cases/NN-name/host) carry a PROVENANCE.md that links the public report.
"""

from __future__ import annotations

import csv
import re

import pytest

from hostbuilder import FIXTURES, case_host, host_name, recorded_host_dirs

# A public bug report or its fix: an issue, pull request or discussion on GitHub.
REPORT = re.compile(r"https://github\.com/[\w.-]+/[\w.-]+/(?:issues|pull|discussions)/\d+")


def _machine_rows() -> dict[str, dict[str, str]]:
    with (FIXTURES / "hosts" / "SOURCES.tsv").open(encoding="utf-8", newline="") as table:
        return {row["path"]: row for row in csv.DictReader(table, delimiter="\t")}


def test_each_machine_has_exactly_its_source_row() -> None:
    rows = _machine_rows()
    machines = [d for d in recorded_host_dirs() if d.parent.name == "hosts"]
    assert machines
    assert sorted(rows) == sorted(f"hosts/{d.name}" for d in machines)
    assert all(row["category"] == "hosts" and row["source"].strip() for row in rows.values())


@pytest.mark.parametrize(
    "case", sorted(d.name for d in (FIXTURES / "cases").iterdir() if d.is_dir())
)
def test_each_case_has_a_recorded_host_and_links_its_public_report(case: str) -> None:
    folder = FIXTURES / "cases" / case
    assert (folder / "host" / "host.json").is_file()
    assert REPORT.search((folder / "PROVENANCE.md").read_text(encoding="utf-8")), case


def test_each_name_finds_its_one_recorded_host() -> None:
    hosts = recorded_host_dirs()
    names = [host_name(d) for d in hosts]
    assert len(set(names)) == len(
        names
    )  # a case and a machine sharing a name: case_host is ambiguous
    assert [case_host(name) for name in names] == hosts


def test_an_unknown_name_is_refused_by_name() -> None:
    with pytest.raises(FileNotFoundError, match="no recorded host named 99-absent"):
        case_host("99-absent")
