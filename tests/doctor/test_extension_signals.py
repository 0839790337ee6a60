"""Pasted CUDA build failures judged on a machine's facts (diagnose/extension_signals.py): the real
pastes of tests/fixtures/paste/errors on hosts built from real outputs (an RTX 3090 host's
nvidia-smi, nvcc 12.5.82's and torch's files: tests/doctor/test_real_hosts.py, tests/fixtures)."""

from __future__ import annotations

from pathlib import Path

from doctor.test_real_hosts import VENV_SITE, rtx3090_host
from doctor.test_signal_rules import built, judge, only
from envsetup.facts import Facts
from envsetup.render.finding_words import words_for
from hostbuilder import HostSpec, fixture_text

CUDA125 = "/usr/local/cuda-12.5"


def with_toolkit(spec: HostSpec, root: str = CUDA125) -> HostSpec:
    """`spec` with a CUDA toolkit at `root`, its nvcc on PATH (nvcc 12.5.82's real output)."""
    nvcc = f"{root}/bin/nvcc"
    spec.which["nvcc"] = nvcc
    spec.markers.append(nvcc)
    spec.command([nvcc, "--version"], fixture_text("nvcc/nvcc-12.5.82-after-path-fix.txt"))
    return spec


def rtx3090(tmp_path: Path, torch: str = "torch/version.py-2.2.1+cu121.txt") -> Facts:
    return built(with_toolkit(rtx3090_host()).torch_wheel(VENV_SITE, torch), tmp_path)


def test_an_arch_the_gpu_does_not_have_is_taken_out_of_the_list(tmp_path: Path) -> None:
    found = only(
        judge("nvcc-unsupported-gpu-arch-compute_35-cuda12.2-gencode-list.txt", rtx3090(tmp_path)),
        "nvcc-gpu-arch-unsupported",
    )
    assert (found.params["gpu_has"], found.params["gpus"]) == (False, ["sm_86"])
    words = words_for(found)
    assert "does not need sm_35" in words.fix and "older than 12.0" not in words.fix


def test_an_arch_too_new_for_the_pasted_nvcc_points_at_an_installed_toolkit(
    tmp_path: Path,
) -> None:
    facts = rtx3090(tmp_path)
    assert any(t.path == CUDA125 and t.version for t in facts.cuda.toolkits)
    found = only(
        judge("nvcc-unsupported-gpu-arch-compute_86-cmake-openpose-cuda11.0.txt", facts),
        "nvcc-gpu-arch-unsupported",
    )
    assert found.params["gpu_has"] is True
    # the host's nvcc 12.5 knows sm_86: the nvcc that failed is another, of unknown version
    assert "nvcc" not in found.params and found.params["reason"] == "too-new"
    assert found.params["installed"] == CUDA125
    assert f"export CUDA_HOME={CUDA125} " in words_for(found).fix


def test_a_same_major_raise_with_torch_2_1_or_newer_is_a_copied_check(tmp_path: Path) -> None:
    found = only(
        judge("torch-extension-cuda-mismatch-11.8-vs-11.7-minor-openpcdet.txt", rtx3090(tmp_path)),
        "extension-cuda-minor-check-raised",
    )
    assert found.severity == "error" and found.params["copied_check"] is True
    assert "setup.py" in words_for(found).fix


def test_a_pasted_major_mismatch_stopped_the_build_and_offers_both_ways(tmp_path: Path) -> None:
    found = only(
        judge("torch-extension-cuda-mismatch-12.1-vs-11.8-rational-kat.txt", rtx3090(tmp_path)),
        "extension-nvcc-major-mismatch",
    )
    assert found.severity == "error"
    fix = words_for(found).fix
    assert "CUDA 11.8 toolkit" in fix and "a torch built for CUDA 12.1" in fix


def test_a_missing_nvcc_names_the_installed_toolkit(tmp_path: Path) -> None:
    found = only(
        judge("nvcc-missing-errno2-cuda-10.0-s2cnet.txt", rtx3090(tmp_path)), "nvcc-not-found"
    )
    assert found.params["installed"] == CUDA125
    assert f"export CUDA_HOME={CUDA125} " in words_for(found).fix
