"""pip's and conda's refusals judged on this machine's facts: no matching distribution or
version (why: a Python, platform or pin no torch wheel has), and conda's unsatisfiable specs
(its solver report, a driver too old for __cuda). Called from signal_rules.judge_signals.
"""

from __future__ import annotations

from typing import Any, Optional

from packaging.version import InvalidVersion, Version

from envsetup.diagnose.signal_common import Evidence, finding_of, install_command
from envsetup.facts import Facts
from envsetup.model.paste import Signal
from envsetup.model.versions import version_key
from envsetup.profiles.build_info import BuildLookup

# The last torch release PyPI has macOS x86_64 (Intel) wheels for: PyTorch stopped building them
# after 2.2 (pytorch/pytorch#114602, the 2.2.0 release notes; pip's list on an Intel Mac ends at
# 2.2.2, pytorch/pytorch#127870, #137281). No CPython's list ends there on another platform.
INTEL_MACOS_LAST_TORCH = "2.2.2"


def _version(text: object) -> Optional[Version]:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def _pinned_reason(
    pinned: str, versions: list[str], facts: Facts, lookup: BuildLookup, package: object
) -> tuple[str, dict[str, Any]]:
    """Why a pinned release is not in pip's list of the versions it could install, and what the
    wording needs: newer than every one listed (this Python is too old for it, or the platform
    has no such wheel), older than every one (this Python is too new), or never published."""
    pin = _version(pinned)
    listed = [v for v in (_version(text) for text in versions) if v is not None]
    if pin is None or not listed:
        return "pinned-release-not-for-python", {}
    if pin < min(listed):
        return "pinned-release-not-for-python", {}
    if pin <= max(listed):
        return "pinned-release-not-published", {}
    newest = str(max(listed))
    intel_mac = facts.os.system == "Darwin" and facts.os.arch == "x86_64"
    if package == "torch" and (newest == INTEL_MACOS_LAST_TORCH or intel_mac):
        extra: dict[str, Any] = {"platform": "macOS x86_64"}
        if facts.apple.apple_silicon:
            # An Apple-silicon Mac whose Python takes only macOS x86_64 wheels: an x86_64 Python
            # under Rosetta 2 (an Intel conda or installer; pytorch/pytorch #161614).
            extra["rosetta"] = True
        return "pinned-release-not-for-platform", extra
    system = facts.os.system if facts.os.system in ("Linux", "Windows", "Darwin") else "Linux"
    machine = facts.os.arch or ("arm64" if system == "Darwin" else "x86_64")
    build = lookup(pinned, system, machine) if package == "torch" else None
    if package == "torch" and system == "Linux":
        glibc = _glibc_reason(pinned, newest, facts, lookup, machine)
        if glibc is not None:
            return "pinned-release-needs-newer-glibc", glibc
    return "pinned-release-needs-newer-python", {"python_min": build.python_min if build else None}


def _glibc_reason(
    pinned: str, newest: str, facts: Facts, lookup: BuildLookup, machine: str
) -> Optional[dict[str, Any]]:
    """Why a Linux pip lists releases up to `newest` but not the newer `pinned`, when it is the
    C library: the pinned release's wheels have a higher manylinux floor (profiles' glibc_min,
    e.g. 2.7's manylinux_2_28 against 2.6's cu118 manylinux2014) than this glibc (where known),
    or than the newest listed, whose Python range already covers the pinned release's (so this
    Python is not the cause; pytorch/pytorch #156215: Ubuntu 18.04's glibc 2.27). None: not it."""
    local = newest.partition("+")[2]
    labelled = f"{pinned}+{local}" if local and "+" not in pinned else pinned
    pin_build = lookup(labelled, "Linux", machine) or lookup(pinned, "Linux", machine)
    if pin_build is None or not pin_build.glibc_min:
        return None
    need = pin_build.glibc_min
    glibc = facts.os.glibc
    if glibc:
        if version_key(glibc) >= version_key(need):
            return None
        return {"need": need, "have": glibc}
    listed = lookup(newest, "Linux", machine)
    if listed is None or not listed.glibc_min:
        return None
    if version_key(listed.glibc_min) >= version_key(need):
        return None
    if version_key(pin_build.python_min) > version_key(listed.python_min):
        return None  # the pinned release also needs a newer Python: that may be the cause
    return {"need": need, "listed_need": listed.glibc_min}


def judge_pip_no_match(signals: list[Signal], facts: Facts, ev: Evidence, lookup: BuildLookup):
    versions_signal = next((s for s in signals if s.id == "pip-no-matching-version"), None)
    first = versions_signal or signals[0]
    p = first.params
    versions = list(p.get("versions") or [])
    python = facts.python.version or None
    extra: dict[str, Any] = {}
    if versions and all(v.startswith("0.1.2") for v in versions):
        # Only PyPI's placeholder fits: no real torch wheel there suits this Python and platform
        # (a local +cuXXX pin also needs PyTorch's index, which the words add).
        reason = "pypi-placeholder"
    elif p.get("local"):
        reason = "local-version-needs-index"
    elif facts.os.musl is not None and p.get("package") == "torch":
        # musl (Alpine) stated: no manylinux wheel installs here, so what pip lists (an old
        # release's sdist or a stray wheel) says nothing of this Python; pinning it does not
        # help (Oloren-AI/olorenchemengine #38: python:3.8-alpine3.15 lists only 1.9.0 for
        # torch==1.11.0, which supports 3.8).
        reason = "musl"
    elif versions_signal is not None and not versions:
        reason = "python-32bit" if facts.python.bits == 32 else "no-wheel-for-python"
    elif p.get("pinned") and versions:
        reason, extra = _pinned_reason(p["pinned"], versions, facts, lookup, p.get("package"))
    else:
        reason = "no-match"
    return [
        finding_of(
            "pip-no-matching-torch"
            if p.get("package") == "torch"
            else "pip-no-matching-distribution",
            "error",
            signals,
            ev,
            requirement=p.get("requirement"),
            package=p.get("package"),
            pinned=p.get("pinned"),
            local=p.get("local"),
            reason=reason,
            newest=versions[-1] if versions else None,
            python=python,
            install=install_command(facts),
            **extra,
        )
    ]


def judge_conda_unsatisfiable(signals: list[Signal], facts: Facts, ev: Evidence):
    s = signals[0]
    return [
        finding_of(
            "conda-solver-conflict",
            "error",
            signals,
            ev,
            packages=s.params.get("packages"),
            conda_cuda=s.params.get("cuda_driver"),
            driver_cuda=facts.nvidia.driver_cuda_version,
            install=install_command(facts),
            # mamba / libmamba's report: what nothing provides (a virtual package such as
            # __cuda: the driver's CUDA the solver saw, none), and who needs what
            **_solver_report(signals),
        )
    ]


def _solver_report(signals: list[Signal]) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for key in ("missing", "needed_by", "requested", "not_installable", "wanted", "requires"):
        values = [v for s in signals for v in s.params.get(key) or []]
        if values:
            report[key] = list(dict.fromkeys(values))
    missing = report.get("missing") or []
    if any(m.split()[0] == "__cuda" for m in missing):
        report["no_cuda_driver"] = True  # the solver saw no NVIDIA driver (no __cuda)
    return report
