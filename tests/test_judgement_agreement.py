"""One judgement: doctor, the resolver and the verify worker agree, on every recorded host and
every profile build.

For each recorded host (hostbuilder.recorded_host_dirs: tests/fixtures/hosts, and the real users'
cases in tests/fixtures/cases, each with its PROVENANCE.md) and each build the profiles publish
for its platform:
- doctor, shown that build installed, finds a driver, GPU-architecture, CPU-on-GPU or Python
  problem exactly when the resolver, asked for that build, reports the same verdict code;
- check-command, given the pinned pip command that installs that build, reports the same verdict
  codes as the resolver asked for it (with pip, for the host's Python);
- the verify worker's architecture check (the shipped envsetup/model/capability.py, given torch's
  get_arch_list() form of the profile's list) misses a GPU exactly when assess does.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Optional

import pytest

from envsetup.command_check.check import check_command
from envsetup.compat.verdicts import Verdict, VerdictCode
from envsetup.diagnose import diagnose
from envsetup.diagnose.judge import installed_info, judge_installed
from envsetup.facts import Facts, TorchFacts
from envsetup.host.recorded import RecordedHost
from envsetup.model.compute_platform import TorchFlavor
from envsetup.probe import probe_all
from envsetup.profiles.loader import Release, Variant, load_releases
from envsetup.profiles.lookup import lookup_build
from envsetup.resolve.request import InstallRequest
from envsetup.resolve.resolution import ResolutionRefused
from envsetup.resolve.resolver import machine_from_facts, resolve
from envsetup.verify.worker_root.envsetup_verify_worker.basic import arch_verdict
from hostbuilder import host_name, recorded_host_dirs

TESTS = Path(__file__).parent
HOSTS = recorded_host_dirs()
# The codes doctor and the resolver both judge a build by once it is picked (glibc and platform
# decide earlier, in the resolver only: an installed build evidently had wheels there).
AGREED = {
    VerdictCode.DRIVER_BELOW_FLOOR,
    VerdictCode.DRIVER_CUDA_TOO_LOW,
    VerdictCode.DRIVER_OK,
    VerdictCode.DRIVER_CUDA_OK,
    VerdictCode.NO_NVIDIA_DRIVER,
    VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA,
    VerdictCode.ARCH_NOT_COVERED,
    VerdictCode.ARCH_COVERED,
    VerdictCode.ARCH_UNKNOWN,
    VerdictCode.CPU_BUILD_ON_NVIDIA_GPU,
    VerdictCode.ROCM_BUILD_WITHOUT_ROCM,
}
# Doctor's finding for each blocking (or wrong-kind) verdict code.
FINDING_OF = {
    VerdictCode.DRIVER_BELOW_FLOOR: "driver-too-old-for-torch",
    VerdictCode.DRIVER_CUDA_TOO_LOW: "driver-too-old-for-torch",
    VerdictCode.ARCH_NOT_COVERED: "gpu-arch-not-in-torch-build",
    VerdictCode.CPU_BUILD_ON_NVIDIA_GPU: "torch-cpu-only-on-gpu-host",
    VerdictCode.PYTHON_OUTSIDE_RANGE: "python-unsupported-by-torch",
}


def _name(host: Path) -> str:
    return host_name(host)


@pytest.fixture(scope="module")
def releases() -> list[Release]:
    return load_releases()


@pytest.fixture(scope="module")
def recorded() -> dict[str, Facts]:
    return {str(h): probe_all(RecordedHost(str(h)), deep=False) for h in HOSTS}


def _key(verdict: Verdict) -> tuple[Any, ...]:
    """A verdict without who names the GPU (doctor names detected GPUs, the resolver may name
    ENVSETUP_GPU_ARCH's list): code and parameters."""
    params = {
        k: tuple(v) if isinstance(v, list) else v
        for k, v in verdict.params.items()
        if k not in ("gpu", "index")
    }
    return (verdict.code, tuple(sorted(params.items())))


def _installed(facts: Facts, release: Release, variant: Variant, key: str) -> Facts:
    """The host's facts with `variant` of `release` installed, as doctor would read it."""
    patch = release.newest_patch()
    label = variant.local_label_for(key)
    flavor = TorchFlavor.MACOS if key.startswith("macos") else TorchFlavor(variant.kind.value)
    shown = copy.deepcopy(facts)
    shown.torch = TorchFacts(
        version=f"{patch.torch}+{label}" if label else patch.torch,
        location="/site-packages/torch",
        flavor=flavor,
        cuda_version=variant.cuda,
        hip_version=variant.rocm,
        source="test: the profile's build",
    )
    return shown


def _resolver_verdicts(
    facts: Facts, release: Release, variant: Variant, **request: Optional[str]
) -> tuple[list[Verdict], tuple[str, ...]]:
    macos = machine_from_facts(facts).platform_key.startswith("macos")
    compute = "cpu" if macos else variant.name
    asked = InstallRequest(torch=release.release, compute=compute, env_path=".venv", **request)  # type: ignore[arg-type]
    try:
        plan = resolve(asked, facts, [release])
    except ResolutionRefused as refusal:
        return list(refusal.verdicts), refusal.codes
    return list(plan.verdicts), ()


def _builds(facts: Facts, releases: list[Release]) -> list[tuple[Release, Variant, str]]:
    key = machine_from_facts(facts).platform_key
    return [(r, v, key) for r in releases for v in r.variants_on(key)]


def test_there_are_recorded_hosts_to_judge() -> None:
    assert (TESTS / "fixtures" / "hosts" / "ci-debian12-cuda13-no-driver" / "host.json").is_file()
    assert HOSTS


@pytest.mark.parametrize("host", HOSTS, ids=_name)
def test_doctor_and_the_resolver_judge_each_build_alike(
    host: Path, recorded: dict[str, Facts], releases: list[Release]
) -> None:
    facts = recorded[str(host)]
    compared = libc_refused = 0
    for release, variant, key in _builds(facts, releases):
        resolved, refusal_codes = _resolver_verdicts(
            facts, release, variant, manager="uv", python=release.platforms[key].python_max
        )
        if {VerdictCode.GLIBC_BELOW_FLOOR, VerdictCode.MUSL_LIBC} & set(refusal_codes):
            libc_refused += 1
            continue  # refused before a build is judged; doctor never sees such a build installed
        shown = _installed(facts, release, variant, key)
        info = installed_info(shown, lookup_build)
        assert info is not None and info.variant == variant.name, (release.release, variant.name)
        judged = [v for v in judge_installed(shown, info) if v.code in AGREED]
        theirs = [v for v in resolved if v.code in AGREED]
        if refusal_codes:  # a refusal carries the blocking verdicts only
            judged = [v for v in judged if v.blocking]
        where = (_name(host), release.release, variant.name)
        assert {_key(v) for v in judged} == {_key(v) for v in theirs}, where

        # doctor's findings, as users see them, follow the same codes
        found = {f.id for f in diagnose(shown, lookup_build)}
        pip_verdicts, _ = _resolver_verdicts(facts, release, variant, manager="pip")
        expected = {FINDING_OF[v.code] for v in theirs + pip_verdicts if v.code in FINDING_OF}
        if shown.torch.flavor != "cpu":
            expected.discard("torch-cpu-only-on-gpu-host")  # doctor's rule is for "cpu" wheels
        assert found & set(FINDING_OF.values()) == expected, where
        compared += 1
    # Nothing to compare on musl (Alpine: no manylinux wheel at all) or below every glibc floor.
    assert compared > 0 or libc_refused == len(_builds(facts, releases))


def _pinned_pip_command(release: Release, variant: Variant, key: str) -> str:
    """What a user pastes to install that build: its exact version from its own index."""
    patch = release.newest_patch()
    label = variant.local_label_for(key)
    url = variant.index_url_for(key)
    pinned = f"torch=={patch.torch}+{label}" if label else f"torch=={patch.torch}"
    return f"pip install {pinned}" + (f" --index-url {url}" if url else "")


@pytest.mark.parametrize("host", HOSTS, ids=_name)
def test_check_command_judges_each_build_as_the_resolver_does(
    host: Path, recorded: dict[str, Facts], releases: list[Release]
) -> None:
    facts = recorded[str(host)]
    compared = platform_refused = 0
    for release, variant, key in _builds(facts, releases):
        if key.startswith("macos"):
            continue  # one PyPI build there: no index names another
        resolved, refusal_codes = _resolver_verdicts(facts, release, variant, manager="pip")
        if any(c not in AGREED for c in refusal_codes if isinstance(c, VerdictCode)) or any(
            not isinstance(c, VerdictCode) for c in refusal_codes
        ):
            platform_refused += 1
            continue  # refused for the request or the platform (Python, glibc), not the build
        command = _pinned_pip_command(release, variant, key)
        report = check_command(command, facts, [release])
        where = (_name(host), command)
        assert report.pick["build"] == variant.name, where
        theirs = {_key(v) for v in resolved if v.code in AGREED}
        ours = [v for v in report.verdicts if v.code in AGREED]
        if refusal_codes:  # a refusal carries the blocking verdicts only
            ours = [v for v in ours if v.blocking]
        assert {_key(v) for v in ours} == theirs, where
        compared += 1
    # Nothing to compare where every build is refused for the platform (hosts/docker-without-
    # gpus-torch1.4: Python 3.6, glibc 2.27, below every profiled release) or on macOS.
    others = [key for *_, key in _builds(facts, releases) if not key.startswith("macos")]
    assert compared > 0 or platform_refused == len(others)


def _torch_arch_list(profile_list: tuple[str, ...]) -> list[str]:
    """The profile's '8.6' / '9.0+PTX' / '9.0a' as torch.cuda.get_arch_list() prints them."""
    out = []
    for entry in profile_list:
        base = entry.removesuffix("+PTX")
        suffix = base[-1] if base[-1] in "af" else ""
        major, minor = base.rstrip("af").split(".")
        out.append(f"sm_{major}{minor}{suffix}")
        if entry.endswith("+PTX"):
            out.append(f"compute_{major}{minor}{suffix}")
    return out


@pytest.mark.parametrize("host", HOSTS, ids=_name)
def test_the_verify_worker_misses_a_gpu_exactly_when_assess_does(
    host: Path, recorded: dict[str, Facts], releases: list[Release]
) -> None:
    facts = recorded[str(host)]
    machine = machine_from_facts(facts)
    for release, variant, key in _builds(facts, releases):
        if not variant.has_arch_list(key):
            continue
        arch_list = _torch_arch_list(tuple(variant.arch_list(key)))
        verdicts, _ = _resolver_verdicts(facts, release, variant, manager="uv", python=release.platforms[key].python_max)  # fmt: skip
        missed = {v["sm"] for v in verdicts if v.code is VerdictCode.ARCH_NOT_COVERED}
        covered = {v["sm"] for v in verdicts if v.code is VerdictCode.ARCH_COVERED}
        for gpu in machine.gpus:
            cc = gpu.compute_capability
            assert cc is not None
            worker = arch_verdict(cc.major, cc.minor, arch_list)
            if gpu.sm in missed:
                assert worker == "", (release.release, variant.name, gpu.sm)
            elif gpu.sm in covered:
                assert worker in ("exact", "compatible"), (release.release, variant.name, gpu.sm)


@pytest.mark.parametrize("capability", ["3.5", "3.7", "5.0", "6.1", "7.0", "7.5", "8.0", "8.6", "8.7", "8.9", "9.0", "10.0", "10.3", "11.0", "12.0", "12.1"])  # fmt: skip
def test_the_verify_worker_and_assess_agree_on_every_profile_arch_list(
    capability: str, releases: list[Release]
) -> None:
    from envsetup.model.capability import ComputeCapability, coverage

    cc = ComputeCapability.parse(capability)
    for release in releases:
        for variant in release.variants.values():
            for key, per in variant.on.items():
                if per.arch_list is None:
                    continue
                ours = coverage(per.arch_list, cc)
                worker = arch_verdict(cc.major, cc.minor, _torch_arch_list(per.arch_list))
                expected = (
                    "" if ours is None else ("exact" if ours.how.value == "exact" else "compatible")
                )
                assert worker == expected, (release.release, variant.name, key, capability)
