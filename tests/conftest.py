"""Shared test helpers: the CLI run in-process, fixture paths, recorded hosts."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from scripts import alive, read_pids

FIXTURES = Path(__file__).parent / "fixtures"
# The verify worker's test-only checks (a crash, a hang, a flood...) are not shipped: its registry
# loads them from this file when the variable names it, in this process (set before envsetup.verify
# is imported) and in every envsetup and worker process the tests start (they inherit it).
VERIFY_TEST_CHECKS_ENV = "ENVSETUP_VERIFY_TEST_CHECKS"
VERIFY_TEST_CHECKS = Path(__file__).parent / "verify" / "worker_plugin" / "hidden_checks.py"
os.environ[VERIFY_TEST_CHECKS_ENV] = str(VERIFY_TEST_CHECKS)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_torch: the test runs real torch")


@pytest.fixture(autouse=True)
def _no_user_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own ENVSETUP_* settings must not change what the tests see.
    for name in list(os.environ):
        if name.startswith("ENVSETUP_") and name != VERIFY_TEST_CHECKS_ENV:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture
def pid_file(tmp_path: Path) -> Iterator[Path]:
    """Scripts write the pids of what they start here; whatever a failing test left is ended."""
    path = tmp_path / "pids"
    yield path
    for pid in read_pids(path):
        if alive(pid):
            os.kill(pid, 9)
