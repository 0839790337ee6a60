"""The check-command invariant (issue 9), on every recorded host × every real pasted command:
the *Instead* command, checked again on the same host, has no error or warning, and names the
build `envsetup install --torch R --cuda auto --manager M` picks on that host, where R is the
release the pasted command installs (or names, when its manager has none) and M its manager (conda, uv; pip when R has no conda
package). When R has no build that runs there, or is not in the profiles, it is the newest release
that does (`install --cuda auto --manager M`, then with pip). The expected build comes from the
resolver, called here as `install` calls it."""

from __future__ import annotations

import dataclasses
from typing import Optional

import pytest

from command_check.conftest import HOSTS, corpus
from envsetup.command_check.check import CommandReport, check_command
from envsetup.facts import Facts
from envsetup.profiles.loader import Release
from envsetup.render.command_line import instead_command
from envsetup.render.finding_words import words_for
from envsetup.resolve.request import parse_request
from envsetup.resolve.resolution import Resolution, ResolutionRefused
from envsetup.resolve.resolver import machine_from_facts, resolve_for_machine

CORPUS = corpus()


def test_the_corpus_holds_the_real_commands() -> None:
    names = [name for name, _ in CORPUS]
    assert len(CORPUS) >= 60
    assert any(name.startswith("pv-page-2.0.0-2.3.1.txt:") for name in names)
    assert "case-04-windows-pypi-cpu-wheel-rtx4080.txt" in names
    assert all(text for _, text in CORPUS)


def install_auto(
    torch: Optional[str], manager: str, python: Optional[str], facts: Facts, releases: list[Release]
) -> Optional[Resolution]:
    """What `envsetup install [--torch R] --cuda auto --manager M [--python P] --dry-run`
    resolves on this host; None when it refuses. pip installs with the environment's Python;
    uv and conda are told it (`uv pip install` / `conda install` use the active environment's)."""
    machine = machine_from_facts(facts)
    if python:
        machine = dataclasses.replace(machine, python=python)
    request = parse_request(
        torch=torch, cuda="auto", manager=manager, python=python if manager != "pip" else None
    )
    try:
        return resolve_for_machine(request, machine, releases)
    except ResolutionRefused:
        return None


def expected_build(
    report: CommandReport,
    facts: Facts,
    releases: list[Release],
    seen: dict[tuple[Optional[str], str, Optional[str]], Optional[Resolution]],
) -> Optional[Resolution]:
    """install's pick for the release the command names, with its manager, then pip; then the
    newest release that fits. `seen` keeps the answers for this host (many commands share one)."""
    python = report.pick["python"]
    managers = list(dict.fromkeys([report.tool, "pip"]))
    if str(report.pick["decided_by"]).startswith("conda-forge"):
        managers = ["pip"]  # a conda-forge command: PyTorch's own builds come from pip
    for torch in dict.fromkeys([report.pick["requested_release"], None]):
        for manager in managers:
            key = (torch, manager, python)
            if key not in seen:
                seen[key] = install_auto(torch, manager, python, facts, releases)
            if seen[key] is not None:
                return seen[key]
    return None


def _problems(report: CommandReport) -> list[str]:
    return [
        f"{f.id}: {words_for(f).title}"
        for f in report.findings
        if f.severity in ("error", "warning")
    ]


@pytest.mark.parametrize("host", HOSTS)
def test_instead_is_clean_and_is_what_install_auto_picks(
    host: str, host_facts: dict[str, Facts], releases: list[Release]
) -> None:
    facts = host_facts[host]
    rechecked: dict[str, CommandReport] = {}
    resolved: dict[tuple[Optional[str], str, Optional[str]], Optional[Resolution]] = {}
    failures = []
    for name, text in CORPUS:
        report = check_command(text, facts, releases)
        expected = expected_build(report, facts, releases, resolved)
        instead = instead_command(report)
        if instead is None:
            if expected is not None:
                failures.append(f"{name}: no Instead, but install --cuda auto picks {expected.variant}")  # fmt: skip
            elif not report.suggestion_note and report.suggestion.refusal is None:
                failures.append(f"{name}: no Instead and no reason given")
            continue
        assert expected is not None, f"{name}: Instead {instead!r} where install refuses"
        again = rechecked.get(instead) or check_command(instead, facts, releases)
        rechecked[instead] = again
        picked = (again.pick["release"], again.pick["build"])
        if _problems(again):
            failures.append(f"{name}: Instead {instead!r} has {_problems(again)}")
        if picked != (expected.torch_release, expected.variant):
            failures.append(
                f"{name}: Instead {instead!r} installs {picked}; install --cuda auto picks "
                f"{(expected.torch_release, expected.variant)}"
            )
        if report.suggested_build != {"torch_release": expected.torch_release, "variant": expected.variant}:  # fmt: skip
            failures.append(f"{name}: suggested {report.suggested_build}, expected {expected.variant}")  # fmt: skip
    assert failures == []
