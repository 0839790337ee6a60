"""nvidia-smi's processes box without the GPU table above it (a paste cut at the top): nvidia-smi
answered, so it is not a failure to talk to the driver (issue 11, "nvidia-smi edge cases")."""

from __future__ import annotations

import pytest
from _cutting import FIXTURES

from envsetup.parsers import ParseError
from envsetup.parsers.nvidia_smi import classify_smi_failure, parse_smi_table, shows_processes_only

FULL = FIXTURES / "nvidia-smi" / "535.129.03-2x-rtx3090.txt"


def processes_box(text: str) -> str:
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "Processes:" in line) - 1  # its top border
    return "".join(lines[at:])


def test_the_box_alone_is_recognised_and_is_no_failure() -> None:
    box = processes_box(FULL.read_text(encoding="utf-8"))
    assert shows_processes_only(box)
    assert classify_smi_failure(box) is None
    with pytest.raises(ParseError):  # no header: the table parser still says it is not a table
        parse_smi_table(box)


def test_a_whole_table_or_a_failure_is_not_processes_only() -> None:
    assert not shows_processes_only(FULL.read_text(encoding="utf-8"))
    failure = FIXTURES / "nvidia-smi-failures" / "couldnt-communicate-after-unattended-upgrade.txt"
    assert not shows_processes_only(failure.read_text(encoding="utf-8"))
