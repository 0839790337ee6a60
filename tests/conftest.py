"""Shared test helpers: the CLI run in-process, fixture paths, recorded hosts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from scripts import alive, read_pids

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_torch: the test runs real torch")


@pytest.fixture(autouse=True)
def _no_user_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own ENVSETUP_* settings must not change what the tests see.
    for name in list(os.environ):
        if name.startswith("ENVSETUP_"):
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def pid_file(tmp_path: Path) -> Iterator[Path]:
    """Scripts write the pids of what they start here; whatever a failing test left is ended."""
    path = tmp_path / "pids"
    yield path
    for pid in read_pids(path):
        if alive(pid):
            os.kill(pid, 9)
