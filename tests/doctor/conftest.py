from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from envsetup.diagnose import diagnose
from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from hostbuilder import HostSpec

Doctor = Callable[..., "tuple[Facts, list[Finding]]"]


@pytest.fixture
def doctor(tmp_path: Path) -> Doctor:
    """Run probe → diagnose on a recorded host assembled from a HostSpec."""
    counter = iter(range(1000))

    def run(spec: HostSpec, deep: bool = False) -> tuple[Facts, list[Finding]]:
        directory = spec.write(tmp_path / f"host{next(counter)}")
        facts = probe_all(RecordedHost(directory), deep=deep)
        return facts, diagnose(facts, lookup_build)

    return run


def ids(findings: list[Finding]) -> set[str]:
    return {f.id for f in findings}
