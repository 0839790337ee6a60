"""On a machine with a CUDA/ROCm GPU (skipped elsewhere): every check, GPU ones included, passes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.needs_torch


@pytest.fixture(scope="module")
def gpu_report() -> dict:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no usable GPU here")
    flags = ["--json", "--require-gpu", "--bench", "--timeout", "300"]
    out = subprocess.run(
        [sys.executable, "-m", "envsetup", "verify", "--python", sys.executable, *flags],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    return json.loads(out.stdout)


def test_every_check_passes_on_the_gpu(gpu_report: dict) -> None:
    failed = [
        c
        for c in gpu_report["data"]["checks"]
        if c["status"] != "pass" and not c["id"].startswith("bench.")
    ]
    assert failed == []
    assert gpu_report["data"]["target"]["torch_build"] in ("cuda", "rocm")


def test_the_device_checks_ran_on_every_gpu(gpu_report: dict) -> None:
    import torch

    checks = {c["id"]: c for c in gpu_report["data"]["checks"]}
    gpus = [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    assert checks["tensor.roundtrip"]["evidence"]["devices"] == gpus
    assert checks["cuda.available"]["evidence"]["device_count"] == len(gpus)
    assert checks["hello.train"]["evidence"]["device"] == "cuda:0"
    expected_backend = "nccl" if len(gpus) >= 2 else "gloo"
    assert checks["distributed.all_reduce"]["evidence"]["backend"] == expected_backend


def test_bench_measures_every_gpu(gpu_report: dict) -> None:
    checks = {c["id"]: c for c in gpu_report["data"]["checks"]}
    for check_id in ("bench.matmul_bf16", "bench.bandwidth", "bench.nvml"):
        assert checks[check_id]["status"] in ("pass", "fail"), checks[check_id]
        if checks[check_id]["status"] == "fail":  # underperforming is a finding, not a crash
            assert checks[check_id]["reason"].startswith("cuda:"), checks[check_id]
    assert all(d["tflops"] > 0 for d in checks["bench.matmul_bf16"]["evidence"]["devices"])
