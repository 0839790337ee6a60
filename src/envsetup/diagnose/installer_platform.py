"""What an installer's log shows it took, or could not take, for this platform, judged on the
machine's facts (parsers/signals/installer_logs.py reads the lines). Called from
signal_rules.judge_signals.

- uv's "no wheels with a matching platform tag" / "no source distribution or wheel for the current
  platform": a glibc older than every manylinux floor uv lists (glibc-below-floor, the verdict's
  id and words, as doctor and check-command say it), musl (libc_rules' musl-libc, from the facts
  the paste states), else uv-no-platform-wheel (another CPU or OS than the wheels');
- pip taking PyPI's torch 0.1.2 placeholder: pip-no-matching-torch, reason pypi-placeholder;
- a conda plan that installs pytorch's CPU build, or a pip log taking a wheel that is the CPU
  build on its platform (profiles' pypi_default: PyPI's Windows torch is the CPU build in every
  release): installs-cpu-build.
"""

from __future__ import annotations

from typing import Any, Optional

from envsetup.compat.verdicts import VerdictCode
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.signal_common import Evidence, finding_of, install_command
from envsetup.facts import Facts
from envsetup.model.machine import platform_key_for
from envsetup.model.manylinux import is_musllinux, tag_glibc
from envsetup.model.paste import Signal
from envsetup.model.versions import version_key
from envsetup.profiles.build_info import BuildLookup

# Which CPU a platform tag's tail names, as platform_key_for spells it.
_TAG_CPU = {"amd64": "x86_64", "x86_64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}
# The index PyTorch's own wheels come from: a wheel from elsewhere (PyPI, a mirror of it) without
# a local label is PyPI's build of that release.
_PYTORCH_INDEX = "download.pytorch.org"


def _release(version: object) -> Optional[str]:
    parts = str(version or "").split("+", 1)[0].split(".")
    return f"{parts[0]}.{parts[1]}" if len(parts) >= 2 and parts[0].isdigit() else None


def _tag_cpu(tag: str) -> str:
    return _TAG_CPU.get(tag.rsplit("_", 1)[-1], tag.rsplit("_", 1)[-1])


def _builds_here(
    package: str, version: str, facts: Facts, lookup: BuildLookup
) -> tuple[Optional[str], list[str]]:
    """This machine's platform key and the torch builds the profiles list for the release on it
    ([] unknown)."""
    key = platform_key_for(facts.os.system, facts.os.arch) if facts.os.arch else None
    if package != "torch" or key is None:
        return key, []
    info = lookup(version.split("+", 1)[0], facts.os.system, facts.os.arch)
    if info is None:
        return key, []
    return key, (["cpu"] if info.pypi_build == "cpu" or not info.cuda_variants else []) + list(
        info.cuda_variants
    )


def judge_uv_platform(
    signals: list[Signal], facts: Facts, lookup: BuildLookup, ev: Evidence, glibc_judged: bool
) -> list[Finding]:
    found: list[Finding] = []
    for s in signals:
        p = s.params
        package, version = str(p.get("package") or ""), str(p.get("version") or "")
        target = str(p.get("target") or "")
        available = [str(t) for t in p.get("available") or []]
        if facts.os.musl is not None or is_musllinux(target):
            continue  # libc_rules' musl-libc says it (the paste states musl)
        have = facts.os.glibc
        cpu = _tag_cpu(target) if target else (facts.os.arch or "")
        floors = [
            floor
            for tag in available
            if (floor := tag_glibc(tag)) and (not cpu or _tag_cpu(tag) == _TAG_CPU.get(cpu, cpu))
        ]
        if have and floors and all(version_key(f) > version_key(have) for f in floors):
            if not glibc_judged:
                found.append(
                    finding_of(
                        VerdictCode.GLIBC_BELOW_FLOOR.value,
                        "error",
                        [s],
                        ev,
                        have=have,
                        need=min(floors, key=version_key),
                        release=_release(version),
                        package=package,
                        version=version,
                    )
                )
            continue
        key, builds = _builds_here(package, version, facts, lookup)
        found.append(
            finding_of(
                "uv-no-platform-wheel",
                "error",
                [s],
                ev,
                package=package,
                version=version,
                target=target or None,
                available=available or None,
                platform_key=key,
                builds_here=builds or None,
                release=_release(version) if package == "torch" else None,
            )
        )
    return found


def judge_placeholder(signals: list[Signal], facts: Facts, ev: Evidence) -> list[Finding]:
    """pip took PyPI's placeholder sdist (torch 0.1.2): no real torch wheel fits this platform
    and Python; the same finding as pip's list holding only 0.1.2."""
    return [
        finding_of(
            "pip-no-matching-torch",
            "error",
            signals,
            ev,
            requirement="torch",
            package="torch",
            reason="pypi-placeholder",
            newest=signals[0].params.get("version"),
            python=facts.python.version or None,
            musl=True if facts.os.musl is not None else None,
            install=install_command(facts),
        )
    ]


def judge_conda_plan(
    signals: list[Signal], facts: Facts, lookup: BuildLookup, ev: Evidence
) -> list[Finding]:
    s = signals[0]
    p = s.params
    if p.get("cpuonly_requested"):
        return []  # the CPU build was asked for
    requested = list(p.get("requested_cuda") or [])
    gpu = bool(facts.nvidia.gpus)
    release = _release(p.get("version"))
    stated = facts.os.system or _subdir_system(p.get("subdir"))
    variants: list[str] = []
    if release and release[0] != "1":
        info = lookup(f"{release}.0", stated or "Linux", facts.os.arch or "x86_64")
        variants = list(info.cuda_variants) if info else []
    return [
        finding_of(
            "installs-cpu-build",
            "error" if requested or gpu or p.get("cpuonly") else "warning",
            signals,
            ev,
            tool="conda",
            version=p.get("version"),
            build=p.get("build"),
            mutex_cpu=p.get("mutex_cpu"),
            cpuonly=p.get("cpuonly"),
            requested=requested or None,
            release=release,
            cuda_variants=variants or None,
            system=stated or None,
            gpu=gpu or None,
            install=install_command(facts),
        )
    ]


def _subdir_system(subdir: object) -> Optional[str]:
    head = str(subdir or "").split("-", 1)[0]
    return {"linux": "Linux", "win": "Windows", "osx": "Darwin"}.get(head)


def judge_pip_wheel(
    signals: list[Signal], facts: Facts, lookup: BuildLookup, ev: Evidence
) -> list[Finding]:
    """pip's "Downloading torch-V-cpXY-cpXY-PLATFORM.whl" (pip_conda's pip-torch-wheel) without a
    local label, from PyPI or a mirror of it, is PyPI's build of that release on its platform: the
    CPU build on Windows (every release), macOS, and Linux aarch64 before 2.11 (profiles'
    pypi_default, envsetup.profiles.pypi). With an NVIDIA GPU known, the wheel's facts (a CPU
    torch) give torch-cpu-only-on-gpu-host instead; without one this warns."""
    if facts.nvidia.gpus:
        return []
    for s in signals:
        p = s.params
        version, platform = str(p.get("version") or ""), str(p.get("platform") or "")
        if "+" in version or not p.get("pypi"):
            continue  # a local label (+cpu, +cu121) names its build; another index was chosen
        system = _platform_system(platform)
        if system is None:
            continue
        arch = _tag_cpu(platform)
        info = lookup(version, system, arch)
        if info is None or info.pypi_build != "cpu":
            continue
        python = str(p.get("python") or "")
        params: dict[str, Any] = {
            "tool": "pip",
            "version": version,
            "build": "cpu",
            "wheel": f"torch-{version}-{python}-{python}-{platform}.whl" if python else None,
            "index_host": p.get("index_host"),
            "platform_key": platform_key_for(system, arch),
            "release": info.release,
            "cuda_variants": list(info.cuda_variants) or None,
            "install": install_command(facts),
        }
        return [finding_of("installs-cpu-build", "warning", [s], ev, **params)]
    return []


def _platform_system(tag: str) -> Optional[str]:
    if tag.startswith("win"):
        return "Windows"
    if tag.startswith("macosx"):
        return "Darwin"
    if tag.startswith(("manylinux", "linux")):
        return "Linux"
    return None
