"""The resolver on machines described by doctor's Facts: plans that explain, refusals that help."""

from __future__ import annotations

import pytest

from envsetup.compat.verdicts import Verdict, VerdictCode
from envsetup.facts import Overrides
from envsetup.model.capability import ComputeCapability
from envsetup.profiles.loader import Release
from envsetup.resolve.reasons import FactSubject, PythonOrigin, Reason, ReasonCode
from envsetup.resolve.request import parse_request
from envsetup.resolve.resolution import (
    Alternative,
    AlternativeKind,
    RefusalCode,
    Resolution,
    ResolutionRefused,
)
from envsetup.resolve.resolver import resolve

from .machines import make_facts

RTX_3090 = ("NVIDIA GeForce RTX 3090", "8.6")
GTX_1080_TI = ("NVIDIA GeForce GTX 1080 Ti", "6.1")
RTX_5090 = ("NVIDIA GeForce RTX 5090", "12.0")
V100 = ("Tesla V100-SXM2-16GB", "7.0")


def _refusal(releases: list[Release], facts_kwargs: dict, **request: str) -> ResolutionRefused:
    with pytest.raises(ResolutionRefused) as caught:
        resolve(parse_request(**request), make_facts(**facts_kwargs), releases)
    return caught.value


def _plan(releases: list[Release], facts_kwargs: dict, **request: str) -> Resolution:
    return resolve(parse_request(**request), make_facts(**facts_kwargs), releases)


def _verdict(
    verdicts: list[Verdict] | tuple[Verdict, ...], code: VerdictCode, **params: object
) -> Verdict:
    """The one verdict with `code` whose parameters include `params`."""
    found = [
        v
        for v in verdicts
        if v.code is code and all(v.params.get(k) == w for k, w in params.items())
    ]
    assert len(found) == 1, (code, params, verdicts)
    return found[0]


def _reason(plan: Resolution, code: ReasonCode) -> Reason:
    """The one reason with `code` in the plan's explanation."""
    found = [r for r in plan.reasons if r.code is code]
    assert len(found) == 1, (code, plan.reasons)
    return found[0]


def _flags(refusal: ResolutionRefused) -> list[tuple[str, ...]]:
    """The install flags each alternative of the refusal names."""
    return [a.flags for a in refusal.alternatives if a.kind is AlternativeKind.FLAGS]


# ----------------------------------------------------------------------------- plans


def test_plan_explains_driver_gpu_and_python(releases: list[Release]) -> None:
    machine = {"driver": "535.104.05", "driver_cuda": "12.2", "gpus": [RTX_3090]}
    plan = _plan(releases, machine, torch="2.0")
    assert (plan.torch_release, plan.variant, plan.cuda_version) == ("2.0", "cu118", "11.8")
    assert [p.requirement() for p in plan.pins] == [
        "torch==2.0.1+cu118",
        "torchvision==0.15.2+cu118",
        "torchaudio==2.0.2+cu118",
    ]
    assert plan.index_url == "https://download.pytorch.org/whl/cu118"
    assert plan.cudnn_version == "8.7.0.84"
    _verdict(plan.verdicts, VerdictCode.DRIVER_OK, have="535.104.05", driver_cuda="12.2", native=True, need="450.80.02")  # fmt: skip
    _verdict(plan.verdicts, VerdictCode.ARCH_COVERED, sm="sm_86", build="cu118", how="exact")
    python = _reason(plan, ReasonCode.PYTHON_CHOSEN)
    assert (python["python"], python["origin"]) == ("3.11", PythonOrigin.RUNNING.value)
    assert (python["low"], python["high"]) == ("3.8", "3.11")
    assert plan.env_path == ".venv" and plan.manager == "pip" and plan.python_version == "3.11"
    assert any(s.startswith("BLD: ") for s in plan.sources)
    assert any("Binary Compatibility" in s for s in plan.sources)


def test_auto_gives_a_pascal_gpu_the_build_with_its_kernels(releases: list[Release]) -> None:
    # The newest release's PyPI default (cu130) starts at sm_75; cu126 still has sm_60 SASS,
    # which a 6.1 GPU runs (same major, higher minor).
    plan = _plan(releases, {"driver": "580.65.06", "driver_cuda": "13.0", "gpus": [GTX_1080_TI]})
    assert (plan.torch_release, plan.variant) == ("2.14", "cu126")
    covered = _verdict(plan.verdicts, VerdictCode.ARCH_COVERED, sm="sm_61")
    assert (covered["how"], covered["target"]) == ("compatible-cubin", "sm_60")


def test_auto_prefers_the_highest_build_the_driver_runs_natively(releases: list[Release]) -> None:
    plan = _plan(releases, {"driver": "535.104.05", "gpus": [RTX_3090]}, torch="2.4")
    # cu124 would need minor version compatibility on a 12.2 driver; cu121 runs natively.
    assert plan.variant == "cu121"


def test_auto_uses_minor_version_compat_when_no_build_is_native(releases: list[Release]) -> None:
    plan = _plan(releases, {"driver": "535.104.05", "gpus": [RTX_3090]}, torch="2.13")
    assert plan.variant == "cu126"
    _verdict(plan.verdicts, VerdictCode.DRIVER_OK, build="cu126", native=False)


def test_every_gpu_must_be_covered_on_a_mixed_machine(releases: list[Release]) -> None:
    machine = {"driver": "580.65.06", "gpus": [RTX_5090, V100]}
    # 2.8's cu128/cu129 hold both sm_70 and sm_120; the 13.0 driver runs cu129 natively.
    assert _plan(releases, machine, torch="2.8").variant == "cu129"
    # 2.11 dropped Volta from cu128 and CUDA 13 never had it; cu126 has no Blackwell.
    refusal = _refusal(releases, machine, torch="2.11")
    assert RefusalCode.NO_CUDA_BUILD_RUNS in refusal.codes
    _verdict(refusal.verdicts, VerdictCode.ARCH_NOT_COVERED, build="cu126", sm="sm_120")
    _verdict(refusal.verdicts, VerdictCode.ARCH_NOT_COVERED, build="cu128", sm="sm_70")
    assert Alternative.of("--torch", "2.10", build="cu128") in refusal.alternatives


def test_no_gpu_gets_the_cpu_build(releases: list[Release]) -> None:
    plan = _plan(releases, {})
    assert (plan.torch_release, plan.variant) == ("2.14", "cpu")
    assert plan.pins[0].version == "2.14.1+cpu"
    assert plan.index_url == "https://download.pytorch.org/whl/cpu"


def test_macos_gets_the_pypi_wheel(releases: list[Release]) -> None:
    plan = _plan(releases, {"system": "Darwin", "arch": "arm64"}, torch="2.3")
    assert plan.variant == "cpu" and plan.index_url is None
    assert [p.version for p in plan.pins] == ["2.3.1", "0.18.1", "2.3.1"]
    assert _reason(plan, ReasonCode.MACOS_BUILD)["platform_key"] == "macos-arm64"


def test_overrides_replace_detection(releases: list[Release]) -> None:
    overrides = Overrides(driver_version="570.86.10", gpu_arch="sm_120")
    plan = _plan(releases, {"overrides": overrides}, torch="2.7")
    assert plan.variant == "cu128"
    assert (
        _verdict(plan.verdicts, VerdictCode.ARCH_COVERED, sm="sm_120")["gpu"] == "ENVSETUP_GPU_ARCH"
    )
    # The override wins over what NVML said.
    machine = {"driver": "470.57.02", "gpus": [GTX_1080_TI], "overrides": overrides}
    assert _plan(releases, machine, torch="2.7").variant == "cu128"


def test_cuda_driver_override_alone_bounds_the_choice(releases: list[Release]) -> None:
    overrides = Overrides(cuda_driver_version="12.4")
    plan = _plan(releases, {"overrides": overrides}, torch="2.11")
    assert plan.variant in ("cu126", "cu128")  # a 12.x driver cannot run cu130


def test_default_release_is_the_newest_that_fits_the_python(releases: list[Release]) -> None:
    plan = _plan(releases, {"python": "3.8.18"})
    assert plan.torch_release == "2.4"
    assert plan.reasons[0].code is ReasonCode.RELEASE_CHOSEN and not plan.reasons[0]["asked"]


def test_uv_provisions_the_newest_python_of_the_release(releases: list[Release]) -> None:
    plan = _plan(releases, {"python": "3.12.1"}, torch="2.0", manager="uv")
    assert plan.python_version == "3.11" and plan.manager == "uv"


def test_patch_version_is_honoured(releases: list[Release]) -> None:
    plan = _plan(releases, {}, torch="2.0.0", cuda="cpu")
    assert [p.version for p in plan.pins] == ["2.0.0+cpu", "0.15.1+cpu", "2.0.1+cpu"]


def test_conda_plan_uses_the_pytorch_channel_recipe(releases: list[Release]) -> None:
    machine = {"driver": "535.104.05", "gpus": [RTX_3090]}
    plan = _plan(releases, machine, torch="2.0.0", manager="conda", name="torch20")
    assert plan.conda_channels == ["pytorch", "nvidia"]
    # conda pins differ from pip for 2.0.0 (previous-versions page).
    assert plan.conda_specs == [
        "pytorch==2.0.0",
        "torchvision==0.15.0",
        "torchaudio==2.0.0",
        "pytorch-cuda=11.8",
    ]
    assert plan.env_name == "torch20" and plan.env_path is None and plan.pins == []


def test_rocm_build_on_linux(releases: list[Release]) -> None:
    plan = _plan(releases, {"rocm": "6.2.1"}, torch="2.5", cuda="rocm6.2")
    assert plan.index_url == "https://download.pytorch.org/whl/rocm6.2"
    assert plan.pins[0].version == "2.5.1+rocm6.2"


def test_plan_says_when_it_rests_on_unconfirmed_facts(releases: list[Release]) -> None:
    plan = _plan(releases, {}, torch="2.5", cuda="cpu")
    assert any(u.key == "torchvision" and u.subject is FactSubject.PATCH for u in plan.unconfirmed)
    assert plan.reasons[-1].code is ReasonCode.UNCONFIRMED_FACTS
    assert plan.reasons[-1]["facts"] == [u.to_dict() for u in plan.unconfirmed]
    confirmed = _plan(releases, {"glibc": None}, torch="2.11", cuda="cpu")
    assert confirmed.unconfirmed == []


def test_resolution_is_plain_json_data(releases: list[Release]) -> None:
    import json

    plan = _plan(releases, {"driver": "535.104.05", "gpus": [RTX_3090]}, torch="2.1")
    assert json.loads(json.dumps(plan.to_dict()))["pins"][0] == {
        "name": "torch",
        "version": "2.1.2+cu121",
    }


# ----------------------------------------------------------------------------- refusals (issue 4)


def test_refuses_a_cuda_version_the_release_was_not_built_for(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"driver": "535.104.05", "gpus": [RTX_3090]}, torch="2.0", cuda="12.1")  # fmt: skip
    assert refusal.codes == (RefusalCode.NO_SUCH_BUILD,)
    assert refusal.params["builds"] == ["cu117", "cu118"] and refusal.params["build"] == "cu121"
    assert _flags(refusal)[:2] == [("--cuda", "11.8"), ("--cuda", "11.7")]
    assert ("--torch", "2.1") in _flags(refusal)


def test_refuses_a_driver_too_old_for_the_build(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"driver": "470.57.02", "gpus": [RTX_3090]}, torch="2.1", cuda="12.1")  # fmt: skip
    assert refusal.codes == (VerdictCode.DRIVER_BELOW_FLOOR,)
    _verdict(refusal.verdicts, VerdictCode.DRIVER_BELOW_FLOOR, have="470.57.02", need="525.60.13")
    assert refusal.alternatives[0] == Alternative.of("--cuda", "11.8")


def test_refuses_a_python_the_release_has_no_wheels_for(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"python": "3.12.1"}, torch="2.0")
    _verdict(refusal.verdicts, VerdictCode.PYTHON_OUTSIDE_RANGE, python="3.12", low="3.8", high="3.11")  # fmt: skip
    assert any(flags[:2] == ("--torch", "2.2") for flags in _flags(refusal))


def test_refuses_cuda_on_macos(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"system": "Darwin", "arch": "arm64"}, cuda="12.1")
    assert refusal.codes == (RefusalCode.NO_GPU_BUILDS_ON_MACOS,)
    assert _flags(refusal) == [("--cuda", "auto"), ("--cuda", "cpu")]


def test_refuses_blackwell_on_a_release_without_cuda_12_8(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"driver": "570.86.10", "gpus": [RTX_5090]}, torch="2.0")
    assert RefusalCode.NO_CUDA_BUILD_RUNS in refusal.codes
    assert {v["sm"] for v in refusal.verdicts if v.code is VerdictCode.ARCH_NOT_COVERED} == {
        "sm_120"
    }
    assert Alternative.of("--torch", "2.7", build="cu128") in refusal.alternatives


def test_refuses_conda_for_a_release_without_conda_packages(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"driver": "570.86.10", "gpus": [RTX_3090]}, torch="2.6", manager="conda")  # fmt: skip
    assert refusal.codes == (RefusalCode.NO_CONDA_PACKAGE,)
    assert ("--manager", "uv") in _flags(refusal)
    assert any(flags[:2] == ("--torch", "2.5") for flags in _flags(refusal))


def test_refuses_an_explicit_build_without_kernels_for_the_gpu(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"driver": "570.86.10", "gpus": [GTX_1080_TI]}, torch="2.7", cuda="12.8")  # fmt: skip
    _verdict(refusal.verdicts, VerdictCode.ARCH_NOT_COVERED, sm="sm_61", build="cu128")
    assert ("--cuda", "12.6") in _flags(refusal)


def test_refuses_when_the_driver_runs_no_cuda_build(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"driver": "418.87.01", "gpus": [V100]}, torch="2.0")
    _verdict(refusal.verdicts, VerdictCode.DRIVER_BELOW_FLOOR, build="cu118", need="450.80.02")
    assert refusal.alternatives[:2] == [
        Alternative(AlternativeKind.UPGRADE_DRIVER, driver="450.80.02"),
        Alternative.of("--cuda", "cpu"),
    ]


def test_refuses_a_glibc_older_than_the_wheels_need(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"glibc": "2.17"}, torch="2.6", cuda="cpu")
    _verdict(refusal.verdicts, VerdictCode.GLIBC_BELOW_FLOOR, have="2.17", need="2.28")
    assert ("--torch", "2.5") in _flags(refusal)
    # Without --torch the newest release that still fits is chosen.
    assert _plan(releases, {"glibc": "2.17"}, cuda="cpu").torch_release == "2.5"


def test_refuses_intel_mac_after_2_2(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"system": "Darwin", "arch": "x86_64"}, torch="2.3")
    _verdict(refusal.verdicts, VerdictCode.NO_BUILD_FOR_PLATFORM, platform_key="macos-x86_64")
    assert _flags(refusal)[0][:2] == ("--torch", "2.2")


def test_refuses_rocm_on_windows(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"system": "Windows", "arch": "AMD64"}, torch="2.5", cuda="rocm6.2")  # fmt: skip
    assert refusal.codes == (RefusalCode.NO_SUCH_BUILD,)
    assert refusal.params["build"] == "rocm6.2"
    assert refusal.params["platform_key"] == "windows-x86_64" and refusal.params["builds"] == []


def test_refuses_an_unknown_release_and_patch(releases: list[Release]) -> None:
    assert _refusal(releases, {}, torch="3.0").codes == (RefusalCode.UNKNOWN_RELEASE,)
    refusal = _refusal(releases, {}, torch="2.0.7")
    assert refusal.codes == (RefusalCode.UNKNOWN_PATCH,)
    assert _flags(refusal)[:2] == [("--torch", "2.0.1"), ("--torch", "2.0.0")]


def test_refuses_pip_with_a_python_other_than_the_running_one(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"python": "3.11.7"}, torch="2.4", python="3.9")
    assert refusal.codes == (RefusalCode.PIP_PYTHON_MISMATCH,)
    assert refusal.alternatives[0] == Alternative.of("--manager", "uv", "--python", "3.9")


# ----------------------------------------------------------------------------- NVIDIA's rule


@pytest.mark.parametrize(
    ("arches", "cc", "runs"),
    [
        (["8.6"], "8.6", True),  # exact SASS
        (["8.6"], "8.9", True),  # SASS X.y runs on X.z, z >= y
        (["8.6"], "8.0", False),  # ...but not on a lower minor
        (["9.0"], "12.0", False),  # nor across majors
        (["6.0"], "6.1", True),
        (["3.7+PTX", "5.0"], "6.1", True),  # PTX JIT-compiles forward
        (["12.0+PTX"], "8.6", False),  # PTX never runs backwards
        (["9.0a"], "9.0", True),  # arch-specific code runs only on that exact capability
        (["8.0a"], "8.6", False),
        (["9.0a+PTX"], "10.0", False),
        ([], "8.6", False),
    ],
)
def test_arch_runs_follows_nvidia_binary_compatibility(
    arches: list[str], cc: str, runs: bool
) -> None:
    from envsetup.model.capability import coverage

    assert (coverage(arches, ComputeCapability.parse(cc)) is not None) is runs


def test_arch_runs_names_the_code_the_runtime_would_load() -> None:
    from envsetup.model.capability import coverage

    def arch_runs(arch_list: list[str], cc: tuple[int, int]) -> str:
        found = coverage(arch_list, ComputeCapability(*cc))
        return found.how.value if found else ""

    assert arch_runs(["8.0", "8.6"], (8, 9)) == "compatible-cubin"
    assert str(coverage(["8.0", "8.6"], ComputeCapability(8, 9)).target) == "sm_86"
    assert arch_runs(["3.7+PTX", "5.0"], (6, 1)) == "ptx-jit"
    assert str(coverage(["3.7+PTX", "5.0"], ComputeCapability(6, 1)).target) == "compute_37"
    assert arch_runs(["6.0", "8.0+PTX"], (8, 9)) == "compatible-cubin"
    assert str(coverage(["6.0", "8.0+PTX"], ComputeCapability(8, 9)).target) == "sm_80"


def test_parse_cc_forms() -> None:
    forms = ("8.6", "sm_86", "86", "compute_86")
    assert {ComputeCapability.try_parse(f) for f in forms} == {(8, 6)}
    assert ComputeCapability.parse("12.0") == ComputeCapability.parse("sm_120") == (12, 0)
    assert ComputeCapability.try_parse("garbage") is None


def test_amd_machine_gets_cpu_on_auto_and_a_hint(releases: list[Release]) -> None:
    plan = _plan(releases, {"rocm": "6.2.1"}, torch="2.5")
    assert plan.variant == "cpu"
    hint = _reason(plan, ReasonCode.ROCM_AVAILABLE)
    assert (hint["rocm"], hint["build"]) == ("6.2.1", "rocm6.2")


def test_unsupported_platform_is_refused(releases: list[Release]) -> None:
    refusal = _refusal(releases, {"arch": "ppc64le"})
    assert refusal.codes == (RefusalCode.NO_PLATFORM,)


def test_macos_conda_recipe_has_no_cpuonly(releases: list[Release]) -> None:
    plan = _plan(releases, {"system": "Darwin", "arch": "arm64"}, torch="2.3", manager="conda")
    assert plan.conda_channels == ["pytorch"]
    assert plan.conda_specs == ["pytorch==2.3.1", "torchvision==0.18.1", "torchaudio==2.3.1"]


def test_windows_uses_the_windows_arch_list_and_driver_floor(releases: list[Release]) -> None:
    machine = {"system": "Windows", "arch": "AMD64", "driver": "527.41", "gpus": [GTX_1080_TI]}
    plan = _plan(releases, machine, torch="2.0")
    assert plan.variant == "cu118"
    # Windows has 6.1
    _verdict(plan.verdicts, VerdictCode.ARCH_COVERED, sm="sm_61", build="cu118", how="exact")
    refusal = _refusal(releases, {**machine, "driver": "452.06"}, torch="2.1", cuda="12.1")
    # the Windows floor, not Linux's 525.60.13
    _verdict(refusal.verdicts, VerdictCode.DRIVER_BELOW_FLOOR, need="527.41")


def test_rocm_through_conda_is_refused(releases: list[Release]) -> None:
    refusal = _refusal(releases, {}, torch="2.3", cuda="rocm6.0", manager="conda")
    assert refusal.codes == (RefusalCode.NO_CONDA_RECIPE,)


def test_conda_install_says_the_pytorch_channel_ends_at_2_5(releases: list[Release]) -> None:
    # pytorch/pytorch #138506: the newest release conda can install is 2.5; the plan says why.
    plan = _plan(releases, {"driver": "535.104.05", "gpus": [RTX_3090]}, manager="conda")
    assert plan.torch_release == "2.5"
    why = _reason(plan, ReasonCode.CONDA_CHANNELS)["why"]
    assert "last release" in why and "pip or uv" in why
