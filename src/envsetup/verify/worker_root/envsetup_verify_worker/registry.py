"""Every check the worker can run, in the order a run takes them."""

from __future__ import annotations

from typing import Any, Callable, Dict, List

from . import basic, bench, testonly, workloads
from .outcome import Context


class Check:
    def __init__(
        self,
        check_id: str,
        title: str,
        run: Callable[[Context], Dict[str, Any]],
        needs_gpu: bool = False,
        opt_in: bool = False,
        hidden: bool = False,
    ) -> None:
        self.id = check_id
        self.title = title
        self.run = run
        self.needs_gpu = needs_gpu  # skipped without a GPU, failed under --require-gpu
        self.opt_in = opt_in  # --bench only
        self.hidden = hidden  # test-only: selected by naming it in --only, never by default


CHECKS: List[Check] = [
    Check(
        "torch.import", "torch imports; version and build match its files", basic.check_torch_import
    ),
    Check(
        "cuda.available",
        "CUDA available; devices, names, capabilities",
        basic.check_cuda_available,
        needs_gpu=True,
    ),
    Check(
        "cuda.arch",
        "every GPU's architecture is in the build's arch list",
        basic.check_cuda_arch,
        needs_gpu=True,
    ),
    Check("tensor.roundtrip", "allocate, elementwise op, copy back", basic.check_tensor),
    Check("matmul", "matmul against a float64 CPU reference (fp32, fp16/bf16)", basic.check_matmul),
    Check(
        "autograd.gradcheck",
        "gradcheck of a float64 function, CPU and device",
        basic.check_autograd,
    ),
    Check(
        "cudnn",
        "cuDNN enabled; conv2d forward/backward against the CPU",
        basic.check_cudnn,
        needs_gpu=True,
    ),
    Check("amp.autocast", "autocast yields the reduced-precision dtype", basic.check_amp),
    Check("compile", "torch.compile (inductor) equals eager", workloads.check_compile),
    Check(
        "distributed.all_reduce",
        "2-process all_reduce (NCCL with 2+ GPUs, else gloo)",
        workloads.check_distributed,
    ),
    Check("hello.train", "a tiny model's loss falls by 90% in 300 steps", workloads.check_hello),
    Check(
        "memory.device",
        "allocate and free 75% of free GPU memory",
        workloads.check_memory,
        needs_gpu=True,
    ),
    Check(
        "bench.matmul_bf16",
        "bf16 matmul TFLOP/s",
        bench.check_bench_matmul,
        needs_gpu=True,
        opt_in=True,
    ),
    Check(
        "bench.bandwidth",
        "device-to-device copy bandwidth",
        bench.check_bench_bandwidth,
        needs_gpu=True,
        opt_in=True,
    ),
    Check(
        "bench.nvml",
        "PCIe link and throttle reasons under load",
        bench.check_bench_nvml,
        needs_gpu=True,
        opt_in=True,
    ),
    Check("_test.crash", "test only: the worker aborts", testonly.check_test_crash, hidden=True),
    Check("_test.hang", "test only: the worker hangs", testonly.check_test_hang, hidden=True),
    Check(
        "_test.flood",
        "test only: 300 MB of output on one line, huge texts",
        testonly.check_test_flood,
        hidden=True,
    ),
    Check(
        "_test.detach",
        "test only: the check leaves a daemon in its own session",
        testonly.check_test_detach,
        hidden=True,
    ),
    Check(
        "_test.noisy",
        "test only: the check prints to stdout",
        testonly.check_test_noisy,
        hidden=True,
    ),
]
BY_ID: Dict[str, Check] = {check.id: check for check in CHECKS}
