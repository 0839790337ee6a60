"""Docker's 'could not select device driver "" with capabilities: [[gpu]]': the fix depends on the
host's OS. Linux: the NVIDIA Container Toolkit; Windows: Docker Desktop's WSL 2 backend (no toolkit
there, https://docs.docker.com/desktop/features/gpu/); a paste that does not say: both (real paste
NVIDIA/nvidia-docker #1352, Docker Desktop on Windows 10 said in prose only)."""

from __future__ import annotations

import pytest

from envsetup.diagnose.signal_rules import judge_signals
from envsetup.facts import Facts, OsFacts, PythonFacts
from envsetup.parsers.signals import classify, lines_of
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from explain.corpus import FIXTURES, text

PASTE = (
    FIXTURES / "explain" / "container" / "docker-desktop-windows-could-not-select-driver-titanv.txt"
)


@pytest.mark.parametrize(
    ("system", "toolkit", "desktop"),
    [("Linux", True, False), ("Windows", False, True), ("", True, True)],
)
def test_the_fix_follows_the_hosts_os(system: str, toolkit: bool, desktop: bool) -> None:
    facts = Facts(os=OsFacts(system=system, arch=""), python=PythonFacts(executable=""))
    signals = classify(lines_of(text(PASTE)))
    (finding,) = [
        f
        for f in judge_signals(signals, facts, lookup_build)
        if f.id == "container-toolkit-missing"
    ]
    fix = words_for(finding).fix
    assert ("nvidia-container-toolkit" in fix) is toolkit, fix
    assert ("WSL 2 backend" in fix) is desktop, fix
