"""The machine a paste states no CPU architecture for, where its other lines leave only one.

A paste may name Linux ("Operating System: Ubuntu 20.04"), a GPU and a CUDA or ROCm torch build
("2.5.0+cu121") and no architecture: without one, no build can be judged against the GPU (which
profile, which arch list?). Where envsetup's profiles (PyTorch's own wheel indexes, sourced in
profiles/) hold that build for Linux x86_64 and not for Linux aarch64, the paste's machine is
x86_64: that is taken, and its source says it is an assumption and why ("assumed: ..."), as
does the evidence of every finding judged on it. No assumption without a stated Linux and a
stated torch build, or where both architectures have the build.
"""

from __future__ import annotations

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.profiles.build_info import BuildLookup

_ASSUMED = "assumed:"


def assume_arch(facts: Facts, sources: dict[str, str], lookup: BuildLookup) -> str:
    """Set facts.os.arch to x86_64 where the paste's Linux and torch build leave only it
    (module doc); returns the note put as its source ("" when nothing was assumed)."""
    os_facts, version = facts.os, facts.torch.version
    if os_facts.arch or os_facts.system != "Linux" or "os.system" not in sources:
        return ""
    if not version or "torch.version" not in sources or "+" not in version:
        return ""  # an unlabelled version is PyPI's build, which differs per architecture
    if lookup(version, "Linux", "x86_64") is None or lookup(version, "Linux", "aarch64"):
        return ""
    note = (
        f"{_ASSUMED} x86_64, the only Linux architecture of torch {version} at "
        f"{sources['torch.version']}"
    )
    os_facts.arch = "x86_64"
    sources["os.arch"] = note
    return note


def with_assumption(findings: list[Finding], note: str) -> list[Finding]:
    """Each finding with the assumption it was judged on as its last evidence line."""
    if not note:
        return findings
    for finding in findings:
        if note not in finding.evidence:
            finding.evidence.append(f"machine {note}")
    return findings
