"""verify judges what torch printed: the skipped/failed checks' output, traceback and reason.

The texts are real (tests/fixtures/paste/errors, SOURCES.tsv): the 802 warning as torch printed
it on the dstack H100 (case 07), the undefined-symbol ImportError of PMDM #5. The run against the
real CPU torch checks that a healthy torch gives no such finding.
"""

from __future__ import annotations

import json
import sys
from io import StringIO
from pathlib import Path

import pytest
from rich.console import Console

from envsetup.profiles.lookup import lookup_build
from envsetup.render.verify_json import verify_document
from envsetup.render.verify_text import render_report
from envsetup.verify.results import FAIL, SKIP, CheckResult, Target, VerifyReport
from envsetup.verify.signals import target_facts, verify_findings

ERRORS = Path(__file__).resolve().parents[1] / "fixtures" / "paste" / "errors"
HELLO = {"system": "Linux", "machine": "x86_64", "torch_cuda": "12.4"}


def _warning_802() -> str:
    """The message of torch's 802 UserWarning (what warnings.catch_warnings records)."""
    line = (
        (ERRORS / "case-07-fabricmanager-802-h100.txt").read_text(encoding="utf-8").splitlines()[2]
    )
    return line.split("UserWarning: ", 1)[1]


def _report(*checks: CheckResult) -> VerifyReport:
    target = Target(
        python="/opt/conda/envs/workflow/bin/python",
        python_version="3.9.21",
        prefix="/opt/conda/envs/workflow",
        torch_version="2.6.0",
        torch_build="cuda",
    )
    return VerifyReport(target=target, checks=list(checks))


def test_802_skip_says_fabric_manager() -> None:
    # How the worker words the skip (torchenv.why_no_gpu + gpu_devices), with the real warning.
    reason = (
        "no GPU: torch 2.6.0 (cuda) sees no GPU: torch.cuda.is_available() is False "
        f"({_warning_802()})"
    )
    report = _report(CheckResult("cuda.available", "CUDA devices", SKIP, reason=reason))
    report.findings = verify_findings(report, target_facts(report.target, HELLO), lookup_build)
    assert [f.id for f in report.findings] == ["cuda-fabric-manager-not-ready"]
    assert report.findings[0].evidence[0].startswith("stderr:1: no GPU")

    document = verify_document(report)
    ids = [f["id"] for f in document["findings"]]
    assert ids == ["cuda-fabric-manager-not-ready"]
    assert "fabric manager" in document["findings"][0]["title"]
    assert "systemctl" in document["findings"][0]["fix"]

    out = StringIO()
    render_report(report, Console(file=out, width=200, color_system=None))
    printed = out.getvalue()
    assert "cuda-fabric-manager-not-ready" in printed and "nvidia-fabricmanager" in printed
    assert "CUDA_VISIBLE_DEVICES" not in printed


def test_import_failure_traceback_names_the_library() -> None:
    traceback = (ERRORS / "torch-undefined-symbol-cudaLaunchKernelExC-libcudart.txt").read_text()
    check = CheckResult(
        "torch.import",
        "torch imports",
        FAIL,
        reason="import torch raised ImportError: ...",
        evidence={"traceback": traceback},
    )
    report = _report(check)
    found = verify_findings(report, target_facts(report.target, HELLO), lookup_build)
    assert [f.id for f in found] == ["cuda-library-symbol-missing"]
    assert found[0].params["symbol"] == "cudaLaunchKernelExC"
    assert found[0].params["symbol_library"] == "libcudart.so.11.0"
    # The library's own CUDA major (11), not the torch build's (12), names the wheel.
    assert found[0].params["wheel"] == "nvidia-cuda-runtime-cu11"


def test_passing_checks_are_not_read() -> None:
    check = CheckResult("cuda.available", "CUDA devices", "pass", reason="", output=_warning_802())
    report = _report(check)
    assert verify_findings(report, target_facts(report.target, HELLO), lookup_build) == []


@pytest.mark.needs_torch
def test_a_healthy_cpu_torch_gives_no_signal_findings() -> None:
    from envsetup.verify import run_verify

    report = run_verify(sys.executable, only=["torch.import", "cuda.available"], timeout=300)
    assert report.unusable is None
    assert report.findings == []
    assert all(
        f["id"] in {"torch.import", "cuda.available"} for f in verify_document(report)["findings"]
    )
    json.dumps(verify_document(report))


# The line torch raises with on the first kernel launch, as ComfyUI printed it
# (detect-nokernel-1080ti-torch28-comfy.txt, the reviewer's ext set).
NO_KERNEL_LINE = (
    (ERRORS / "detect-nokernel-1080ti-torch28-comfy.txt")
    .read_text(encoding="utf-8")
    .splitlines()[3]
)


def _device_checks(capability: str, arch_list: list[str]) -> list[CheckResult]:
    """What the worker's device checks record (basic.check_cuda_available, check_cuda_arch)."""
    name = "NVIDIA GeForce GTX 1080 Ti"
    available = CheckResult(
        "cuda.available",
        "CUDA devices",
        "pass",
        evidence={"devices": [{"index": 0, "name": name, "capability": capability}]},
    )
    arch = CheckResult("cuda.arch", "arch list", "pass", evidence={"arch_list": arch_list})
    failed = CheckResult(
        "cuda.matmul", "a matmul", FAIL, reason="RuntimeError", output=NO_KERNEL_LINE
    )
    return [available, arch, failed]


def test_no_kernel_image_in_verify_names_a_build_for_the_recorded_gpu() -> None:
    # torch 2.6.0+cu124 here; the device check recorded a 6.1 GPU and an arch list without sm_6x.
    report = _report(*_device_checks("6.1", ["sm_75", "sm_80", "sm_86", "sm_90"]))
    facts = target_facts(report.target, HELLO, report.checks)
    assert [str(g.compute_capability) for g in facts.nvidia.gpus] == ["6.1"]
    finding = next(f for f in verify_findings(report, facts, lookup_build))
    assert finding.id == "cuda-no-kernel-image" and finding.params["sm"] == "sm_61"
    info = lookup_build(
        f"{finding.params['release']}.0+{finding.params['variant']}", "Linux", "x86_64"
    )
    assert info is not None and "6.0" in info.arch_list  # sm_60 kernels run on 6.1


def test_no_kernel_image_in_verify_where_torch_covers_the_gpu_is_an_extension() -> None:
    report = _report(*_device_checks("6.1", ["sm_50", "sm_60", "sm_70"]))
    facts = target_facts(report.target, HELLO, report.checks)
    found = verify_findings(report, facts, lookup_build)
    assert [f.id for f in found] == ["cuda-no-kernel-image-in-extension"]
    assert found[0].params["arch_source"] == "torch"


def test_without_device_checks_the_capability_is_unknown_not_no_release() -> None:
    failed = CheckResult(
        "cuda.matmul", "a matmul", FAIL, reason="RuntimeError", output=NO_KERNEL_LINE
    )
    report = _report(failed)
    found = verify_findings(report, target_facts(report.target, HELLO, report.checks), lookup_build)
    assert [f.id for f in found] == ["cuda-no-kernel-image"]
    assert found[0].params.get("capability_unknown") is True and "release" not in found[0].params
