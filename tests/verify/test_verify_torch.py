"""verify against the real torch CPU wheel: every CPU check passes, GPU checks skip, reports parse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from envsetup.verify import run_verify
from envsetup.verify.catalogue import select_checks

pytestmark = pytest.mark.needs_torch

SCHEMA = Path(__file__).parents[2] / "docs" / "schema" / "verify.schema.json"
GPU_CHECKS = {c.id for c in select_checks(bench=True) if c.needs_gpu}


def verify_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "envsetup", "verify", "--python", sys.executable, *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def validate(report: dict[str, Any]) -> None:
    import jsonschema

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(report)


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], ET.Element]:
    """The whole default suite once, through the CLI, with both machine-readable reports."""
    pytest.importorskip("torch")
    junit = tmp_path_factory.mktemp("junit") / "verify.xml"
    out = verify_cli("--json", "--junit", str(junit), "--timeout", "400")
    return out.returncode, json.loads(out.stdout), ET.parse(junit).getroot()


@pytest.fixture(scope="module")
def broken_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], ET.Element]:
    """A crash and a hang among real checks: both are reported and the rest still run."""
    pytest.importorskip("torch")
    junit = tmp_path_factory.mktemp("junit") / "broken.xml"
    only = "torch.import,tensor.roundtrip,_test.crash,_test.hang,_test.noisy,hello.train"
    out = verify_cli("--json", "--junit", str(junit), "--only", only, "--timeout", "15")
    return out.returncode, json.loads(out.stdout), ET.parse(junit).getroot()


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in report["data"]["checks"]}


def test_every_cpu_check_passes_and_every_gpu_check_skips(default_run: Any) -> None:
    code, report, _ = default_run
    checks = by_id(report)
    assert code == 0, [c for c in report["data"]["checks"] if c["status"] == "fail"]
    assert set(checks) == {c.id for c in select_checks()}
    for check_id, check in checks.items():
        expected = "skip" if check_id in GPU_CHECKS else "pass"
        if check_id == "compile" and sys.platform == "win32" and check["status"] == "skip":
            # CI's Windows runners have MSVC installed but not on PATH.
            assert "needs a C++ compiler" in check["reason"]
            continue
        assert check["status"] == expected, check
    assert "CPU-only build" in checks["cuda.available"]["reason"]


def test_the_cpu_checks_report_what_they_saw(default_run: Any) -> None:
    _, report, _ = default_run
    checks = by_id(report)
    import torch

    assert report["data"]["target"]["torch_version"] == torch.__version__
    assert report["data"]["target"]["torch_build"] == "cpu"
    assert checks["torch.import"]["evidence"]["files"]["dist_version"] == torch.__version__
    assert checks["hello.train"]["evidence"]["drop"] >= 0.9
    assert checks["distributed.all_reduce"]["evidence"]["backend"] == "gloo"
    assert {r["dtype"] for r in checks["matmul"]["evidence"]["results"]} == {"float32", "bfloat16"}
    assert checks["compile"]["evidence"]["relative_error"] <= 1e-5


def test_the_json_report_validates_against_the_schema(default_run: Any, broken_run: Any) -> None:
    validate(default_run[1])
    validate(broken_run[1])


def test_junit_has_one_testcase_per_check_with_skips_and_failures(
    default_run: Any, broken_run: Any
) -> None:
    for _, report, root in (default_run, broken_run):
        suite = root.find("testsuite")
        assert suite is not None
        cases = suite.findall("testcase")
        assert [c.get("name") for c in cases] == [c["id"] for c in report["data"]["checks"]]
        skipped = [c.get("name") for c in cases if c.find("skipped") is not None]
        failed = [c.get("name") for c in cases if c.find("failure") is not None]
        assert skipped == [c["id"] for c in report["data"]["checks"] if c["status"] == "skip"]
        assert failed == [c["id"] for c in report["data"]["checks"] if c["status"] == "fail"]
        assert suite.get("skipped") == str(len(skipped))
        assert suite.get("failures") == str(len(failed))


def test_a_crash_and_a_hang_are_failures_and_the_other_checks_still_run(broken_run: Any) -> None:
    code, report, _ = broken_run
    checks = by_id(report)
    assert code == 1
    assert [c["status"] for c in report["data"]["checks"]] == [
        "pass",
        "pass",
        "pass",
        "fail",
        "fail",
        "pass",
    ]
    crash = checks["_test.crash"]
    assert crash["reason"].startswith("the worker crashed")
    if sys.platform != "win32":
        assert "SIGABRT" in crash["reason"]
    assert "about to abort" in crash["output"]
    hang = checks["_test.hang"]
    assert hang["reason"] == "timed out after 15 s; the worker was stopped"
    assert 14 <= hang["duration_s"] < 30


def test_output_printed_by_a_check_does_not_corrupt_the_protocol(broken_run: Any) -> None:
    noisy = by_id(broken_run[1])["_test.noisy"]
    assert noisy["status"] == "pass" and noisy["evidence"] == {"printed": True}


def test_require_gpu_fails_the_gpu_checks_with_the_reason_and_the_fix() -> None:
    pytest.importorskip("torch")
    out = verify_cli("--require-gpu", "--only", "cuda,memory.device,tensor.roundtrip")
    assert out.returncode == 1
    text = " ".join(out.stdout.split())
    assert "--require-gpu: torch" in text and "is a CPU-only build" in text
    # The checks failing for the same reason with the same fix and no output of their own are
    # told once, named together (cuda.available printed torch's numpy warning: told apart).
    assert "cuda.arch, memory.device: --require-gpu" in text
    assert "fix: check the driver with `envsetup doctor`" in text
    assert "1 passed, 3 failed, 0 skipped" in text  # cuda.available, cuda.arch, memory.device
    import torch

    assert f"torch {torch.__version__}, CPU build (no CUDA)" in text  # the build, from the files


def test_a_missing_cpu_compiler_skips_compile_and_says_so(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    env = dict(os.environ, CXX=str(tmp_path / "no-such-c++"))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "envsetup",
            "verify",
            "--python",
            sys.executable,
            "--only",
            "compile",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=False,
    )
    check = json.loads(out.stdout)["data"]["checks"][0]
    assert out.returncode == 0
    assert check["status"] == "skip"
    assert check["reason"].startswith(
        "torch.compile on the CPU needs a C++ compiler and none was found"
    )
    assert check["evidence"]["cxx"] is None


def test_run_verify_is_the_api_install_calls() -> None:
    pytest.importorskip("torch")
    report = run_verify(
        sys.executable, only=["tensor.roundtrip", "memory.device"], require_gpu=True
    )
    statuses = {c.id: c.status for c in report.checks}
    assert statuses == {"tensor.roundtrip": "pass", "memory.device": "fail"}
    assert int(report.exit_code) == 1
    assert report.to_dict()["summary"] == {"pass": 1, "fail": 1, "skip": 0}
