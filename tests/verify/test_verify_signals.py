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
