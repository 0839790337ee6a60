"""The target Python: externally managed (PEP 668), 32-bit, or outside the torch release's range."""

from __future__ import annotations

import shlex

from envsetup.compat.verdicts import VerdictCode
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.judge import installed_info, judge_installed
from envsetup.facts import Facts
from envsetup.profiles.build_info import BuildLookup


def externally_managed(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    py = facts.python
    if not py.externally_managed:
        return []
    return [
        Finding(
            id="pep668-externally-managed",
            severity="warning",
            title=f"{py.executable} is externally managed (PEP 668): pip will refuse to install into it",
            evidence=[f"marker file: {py.externally_managed_path}"],
            fix=(
                "Use a virtual environment: `python3 -m venv .venv && . .venv/bin/activate` "
                "(or `envsetup install --env .venv`). Do not use --break-system-packages."
            ),
        )
    ]


def thirty_two_bit(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    if facts.python.bits != 32:
        return []
    return [
        Finding(
            id="python-32bit",
            severity="error",
            title="This Python is 32-bit: PyTorch publishes 64-bit wheels only ('from versions: none')",
            evidence=[f"{facts.python.executable}: {facts.python.version}, 32-bit"],
            fix="Install a 64-bit Python (python.org's x86-64 installer, or uv python install 3.12).",
        )
    ]


def outside_torch_range(facts: Facts, lookup: BuildLookup) -> list[Finding]:
    torch, py = facts.torch, facts.python
    if not torch.version or not py.version:
        return []
    info = installed_info(facts, lookup)
    if info is None:
        return []
    outside = [
        v for v in judge_installed(facts, info) if v.code is VerdictCode.PYTHON_OUTSIDE_RANGE
    ]
    if not outside:
        return []
    mm = outside[0]["python"]
    return [
        Finding(
            id="python-unsupported-by-torch",
            severity="error",
            title=f"torch {info.release} supports Python {info.python_min}–{info.python_max}; this is Python {py.version}",
            evidence=[
                f"torch {torch.version} ({torch.source})",
                f"Python {py.version} at {py.executable}",
            ],
            fix=(
                f"Use Python {info.python_max} for torch {info.release} (e.g. `uv venv --python "
                f"{info.python_max}`), or install a torch release that supports Python {mm}: "
                "`envsetup install --cuda auto`."
            ),
            params={**outside[0].params, "torch": torch.version, "release": info.release},
        )
    ]


def _install_incomplete_fix(state: str, prefix: str) -> str:
    # Never a fix that deletes what the user did not ask to delete: --force says it deletes.
    env = shlex.quote(prefix)
    if state == "incomplete-upgrade":
        return (
            "An `envsetup install --upgrade` into this existing environment was stopped before it "
            f"finished: packages may be mixed. Retry it with `envsetup install --env {env} "
            f"--upgrade`; or `envsetup install --env {env} --force` deletes the environment, "
            "with anything else in it, and builds it again."
        )
    if state == "unreadable":
        return (
            f"Look at {shlex.quote(prefix + '/envsetup-install.json')}: `envsetup install --env "
            f"{env} --upgrade` installs into the environment again; `--force` instead deletes "
            "it, with anything else in it, and builds it again."
        )
    return (
        "An install creating this environment was stopped before it finished; nothing is "
        f"removed without --force: `envsetup install --env {env} --force` deletes it, with "
        "everything in it (your files included), and starts again."
    )


def install_incomplete(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    state = facts.python.envsetup_install
    if state not in ("incomplete", "incomplete-upgrade", "unreadable"):
        return []
    what = (
        "an interrupted envsetup upgrade"
        if state == "incomplete-upgrade"
        else ("a half-finished envsetup install")
    )
    said = "incomplete, mode: upgrade" if state == "incomplete-upgrade" else state
    return [
        Finding(
            id="install-incomplete",
            severity="warning",
            title=f"The environment {facts.python.prefix} is {what}",
            evidence=[f"{facts.python.prefix}/envsetup-install.json says state: {said}"],
            fix=_install_incomplete_fix(state, facts.python.prefix),
            params={"state": state, "prefix": facts.python.prefix},
        )
    ]


RULES = [externally_managed, thirty_two_bit, outside_torch_range, install_incomplete]
