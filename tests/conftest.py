"""Shared test helpers: the CLI run in-process, fixture paths, recorded hosts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_torch: the test runs real torch")


@pytest.fixture(autouse=True)
def _no_user_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    # A developer's own ENVSETUP_* settings must not change what the tests see.
    for name in list(os.environ):
        if name.startswith("ENVSETUP_"):
            monkeypatch.delenv(name, raising=False)
