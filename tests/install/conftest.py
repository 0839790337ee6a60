"""Fixtures for the install tests."""

from __future__ import annotations

import pytest

from envsetup.profiles.loader import Release, load_releases


@pytest.fixture(scope="session")
def releases() -> list[Release]:
    return load_releases()
