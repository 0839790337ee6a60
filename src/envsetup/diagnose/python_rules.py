"""The target Python: externally managed (PEP 668), 32-bit, or outside the torch release's range."""

from __future__ import annotations

from packaging.version import Version

from envsetup.diagnose.builds import BuildLookup
from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts


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
    info = lookup(torch.version, facts.os.system, facts.os.arch)
    if info is None:
        return []
    try:
        mm = Version(".".join(py.version.split(".")[:2]))
        low, high = Version(info.python_min), Version(info.python_max)
    except ValueError:  # InvalidVersion, or a number too long for int()
        return []
    if low <= mm <= high:
        return []
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
        )
    ]


def install_incomplete(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    state = facts.python.envsetup_install
    if state not in ("incomplete", "unreadable"):
        return []
    return [
        Finding(
            id="install-incomplete",
            severity="warning",
            title=f"The environment {facts.python.prefix} is a half-finished envsetup install",
            evidence=[f"{facts.python.prefix}/envsetup-install.json says state: {state}"],
            fix=(
                f"An install was killed before it finished: `envsetup install --env {facts.python.prefix} "
                "--force` recreates it (the next install into it cleans it up)."
            ),
        )
    ]


RULES = [externally_managed, thirty_two_bit, outside_torch_range, install_incomplete]
