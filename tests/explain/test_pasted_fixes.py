"""explain's fixes for real pastes, judged against a recorded host or none (--no-host): each
test reads a real paste (tests/fixtures/paste, SOURCES.tsv) through `explain` and checks the
finding's id and params, the machine-specific fix."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from envsetup import compat
from envsetup.explain.run import ExplainResult, explain
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.model.capability import ComputeCapability, coverage
from envsetup.model.gpu import Gpu
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from hostbuilder import case_host

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PASTE = FIXTURES / "paste"


def host(name: str) -> Facts:
    return probe_all(RecordedHost(str(case_host(name))))


def explained(path: Path, facts: Optional[Facts]) -> ExplainResult:
    return explain(path.read_text(encoding="utf-8"), facts, lookup_build)


def only(result: ExplainResult, finding_id: str):
    matching = [f for f in result.findings if f.id == finding_id]
    assert len(matching) == 1, [(f.id, f.params) for f in result.findings]
    return matching[0]


SM120 = PASTE / "errors" / "torch-sm120-not-compatible-rtx5090-leggedlab.txt"


def _covers_sm120(release: str, variant: str) -> bool:
    info = lookup_build(f"{release}.0+{variant}", "Linux", "x86_64")
    return info is not None and coverage(info.arch_list, ComputeCapability(12, 0))


def test_no_kernel_image_on_a_driver_below_every_covering_build_says_upgrade_first() -> None:
    # Host 09: driver 460.73.01; every build with sm_120 kernels is CUDA >= 12.8 (floor 525+).
    # Its RTX 3090 swapped for the pasted RTX 5090 (at the host boundary): the paste is then this
    # machine's; with the 3090 it is another machine's and the host's driver is set aside
    # (tests/explain/test_merge_another_machine.py).
    facts = host("09-nvcc101-vs-torch-cu111-rtx3090")
    facts.nvidia.gpus = [Gpu(index=0, name="NVIDIA GeForce RTX 5090")]
    p = only(explained(SM120, facts), "cuda-no-kernel-image")
    p = p.params
    assert p["sm"] == "sm_120" and p["driver"] == "460.73.01" and p["upgrade_driver"] is True
    assert _covers_sm120(p["release"], p["variant"])
    floor = compat.min_driver_for_torch_cuda(f"{p['variant'][2:-1]}.{p['variant'][-1]}", "Linux")
    assert floor is not None and p["need"] == floor.driver
    assert compat.parse_version("460.73.01") < compat.parse_version(p["need"])


def test_no_kernel_image_without_a_host_names_the_floor_of_the_build_it_suggests() -> None:
    p = only(explained(SM120, None), "cuda-no-kernel-image").params
    assert _covers_sm120(p["release"], p["variant"]) and "upgrade_driver" not in p
    floor = compat.min_driver_for_torch_cuda(f"{p['variant'][2:-1]}.{p['variant'][-1]}", "Linux")
    assert floor is not None and p["need"] == floor.driver


TRT = PASTE / "errors" / "libcudnn-so8-missing-tensorrt-program.txt"
WHISPER = PASTE / "errors" / "libcudnn-ops-infer-so8-missing-faster-whisper.txt"


def test_a_native_program_missing_cudnn8_gets_cudnn8_not_a_torch_reinstall() -> None:
    # Host 02 has torch 2.5.1 installed: the failing ./trt_infer is still not torch.
    for facts in (None, host("02-ldpath-nvjitlink-cuda121")):
        p = only(explained(TRT, facts), "cuda-library-not-found").params
        assert p["program"] == "./trt_infer" and p["not_torch"] is True
        assert p["library_major"] == "8" and p["wheel"].endswith("==8.*")
        assert p["wheel"].startswith("nvidia-cudnn-cu") and "install" not in p


def test_faster_whisper_missing_cudnn8_without_a_host_is_not_a_torch_fix() -> None:
    p = only(explained(WHISPER, None), "cuda-library-not-found").params
    assert p["library"] == "libcudnn_ops_infer.so.8" and p["not_torch"] is True
    assert p["wheel"] == "nvidia-cudnn-cu12==8.*" and "install" not in p


DANGLING = PASTE / "ls-cuda" / "ls-l-usr-local-cuda-dangling-tmp-target-cuda-11.8-image.txt"


def test_a_cuda_link_into_a_temporary_directory_is_judged_dangling() -> None:
    finding = only(explained(DANGLING, None), "cuda-symlink-dangling")
    assert finding.severity == "warning"
    assert finding.params == {
        "link": "/usr/local/cuda",
        "target": "/tmp/tmpayalvm_3m/cuda-11",
        "reason": "temporary-target",
    }
    assert finding.evidence[0].startswith("paste:2: lrwxrwxrwx")


def test_the_dangling_link_fix_names_a_toolkit_directory_the_host_shows() -> None:
    finding = only(
        explained(DANGLING, host("02-ldpath-nvjitlink-cuda121")), "cuda-symlink-dangling"
    )
    assert finding.params["toolkit"] == "/usr/local/cuda-12.1"


def test_lsmod_rows_are_not_read_as_a_package_list() -> None:
    # `lsmod | grep nvidia`: "nvidia_drm  57344  0" is a module, its size and use count.
    path = FIXTURES / "nvidia-smi-failures" / "nvidia-smi-not-found-diagnostics-rhel8.txt"
    result = explained(path, None)
    assert "packages" not in [r.kind for r in result.detection.readings]
    assert "torch.requires_nvidia" not in result.fact_sources
    assert result.facts.torch.requires_nvidia == {}


TYPOGRAPHIC = (
    PASTE / "nvidia-smi" / "couldnt-communicate-typographic-apostrophe-then-nvcc-10.0-chinese.txt"
)


@pytest.mark.parametrize("apostrophe", ["\u2018", "\u2019", "\u02bc"])
def test_nvidia_smi_failure_with_a_typographic_apostrophe_is_recognised(apostrophe: str) -> None:
    # The real paste has U+2018 ("couldn‘t"); the same paste with U+2019 and U+02BC.
    text = TYPOGRAPHIC.read_text(encoding="utf-8").replace("\u2018", apostrophe)
    result = explain(text, None, lookup_build)
    assert result.facts.nvidia.smi_failure == "couldnt-communicate"
    assert result.fact_sources["nvidia.smi_failure"] == "paste:3"
    finding = only(result, "nvidia-smi-failed")
    assert finding.params["failure"] == "couldnt-communicate"


def test_collect_env_torch_na_leaves_torch_unknown_so_torch_not_installed_is_held_back() -> None:
    # "PyTorch version: N/A": collect_env could not import torch, installed or broken (pytorch
    # #133397 prints it beside torch's own traceback): unknown, not absent (attack10 defect 3).
    path = FIXTURES / "collect_env" / "jetson-orin-nano-torch-na-cuda11.4-cudnn8.6-aarch64.txt"
    result = explained(path, None)
    assert "torch.version" not in result.fact_sources
    assert result.facts.torch.version is None
    assert "torch-not-installed" not in [f.id for f in result.findings]


def test_collect_env_with_a_torch_version_states_no_absence() -> None:
    # "Could not collect" / a real version never reads as "torch is absent".
    path = FIXTURES / "collect_env" / "jetson-orin-nano-torch-na-cuda11.4-cudnn8.6-aarch64.txt"
    text = path.read_text(encoding="utf-8").replace(
        "PyTorch version: N/A", "PyTorch version: 2.1.0"
    )
    result = explain(text, None, lookup_build)
    assert result.facts.torch.version == "2.1.0"
    assert "torch-not-installed" not in [f.id for f in result.findings]
