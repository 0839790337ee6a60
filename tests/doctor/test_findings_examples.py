"""docs/findings.md: every finding's row has a real example and a fix, and the captured outputs
its example names are files in tests/fixtures (each with its source in its folder's SOURCES.tsv).

test_cli.py checks the ids (every emitted id has a row); this checks what the rows point at, so a
renamed or never-copied fixture does not leave a row citing a file nobody can open.
"""

from __future__ import annotations

import re
from pathlib import Path

from hostbuilder import FIXTURES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "findings.md"
ROW = re.compile(r"^\| `([a-z0-9-]+)` \|")
BACKTICKED = re.compile(r"`([^`\s]+)`")
# A backticked name that is a captured output: a fixture file, or a case folder.
OUTPUT = re.compile(r"\.(txt|json|toml|xml|tsv)$|^tests/fixtures/")
ELIDED = re.compile(r"\.\.\.|…")


def finding_rows(text: str) -> dict[str, list[list[str]]]:
    """id -> the cells of its rows in the five-column tables (id, severity, meaning, example,
    fix); the params table's two-column rows are not findings' rows."""
    rows: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        found = ROW.match(line)
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if found and len(cells) == 5:
            rows.setdefault(found.group(1), []).append(cells)
    return rows


def cited_outputs(example: str) -> list[str]:
    return [name for name in BACKTICKED.findall(example) if OUTPUT.search(name)]


def resolves(name: str) -> bool:
    """A name as the docs write it: relative to tests/fixtures (or the repository), with '...'
    standing for an elided middle of a long file name."""
    relative = name.removeprefix("tests/fixtures/")
    pattern = ELIDED.sub("*", relative)
    return any(FIXTURES.glob(pattern)) or any(FIXTURES.glob(f"**/{pattern}"))


def test_every_finding_row_has_an_example_and_a_fix() -> None:
    rows = finding_rows(DOCS.read_text(encoding="utf-8"))
    assert len(rows) > 50  # the tables were read, not skipped
    empty = [
        finding_id
        for finding_id, cells_list in rows.items()
        for cells in cells_list
        if cells[3] in ("", "-", "—") or cells[4] in ("", "-", "—")
    ]
    assert empty == []


def test_every_cited_output_is_a_fixture_file() -> None:
    rows = finding_rows(DOCS.read_text(encoding="utf-8"))
    cited = [
        (finding_id, name)
        for finding_id, cells_list in rows.items()
        for cells in cells_list
        for name in cited_outputs(cells[3])
    ]
    assert len(cited) > 50
    assert [pair for pair in cited if not resolves(pair[1])] == []


def test_a_cited_name_that_is_not_there_is_caught() -> None:
    assert resolves("driver/lspci-unnamed-device-2b85-4x-rtx5090-no-driver.txt")
    assert resolves("nvidia-smi/575.64.03-...-rtx5070.txt")
    assert resolves("tests/fixtures/cases/03-aarch64-gb200-pypi-cpu-wheel")
    assert not resolves("conda-pip/no-matching-torch-from-versions-none.txt")
    assert cited_outputs("x (`driver/a.txt`) `--cuda auto` `nvidia-smi -q`") == ["driver/a.txt"]
