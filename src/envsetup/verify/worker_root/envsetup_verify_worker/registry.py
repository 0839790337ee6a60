"""Every check the worker can run, in the order a run takes them."""

from __future__ import annotations

import importlib.util
import os
import sys
from typing import Any, Callable, Dict, List

from . import basic, bench, workloads
from .outcome import Context

# A file of hidden checks that only envsetup's own tests name (a real crash, a hang, a flood of
# output, a daemon left behind): tests/verify/worker_plugin/hidden_checks.py. Set by the tests'
# conftest; in use it is unset, and `envsetup verify` knows none of them.
TEST_CHECKS_ENV = "ENVSETUP_VERIFY_TEST_CHECKS"


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
        self.hidden = (
            hidden  # selected by naming it in --only, never by default (see TEST_CHECKS_ENV)
        )


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
]


def _test_checks(path: str) -> List[Check]:
    """The CHECKS of the file at `path`, each hidden (run only when --only names it)."""
    # Loaded as a module of this package, so that its relative imports (.outcome, .registry)
    # work in the tool's process and in the target interpreter alike.
    name = f"{__package__}._test_checks"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        return []
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    checks: List[Check] = module.CHECKS
    for check in checks:
        check.hidden = True
    return checks


if os.path.isfile(os.environ.get(TEST_CHECKS_ENV, "")):
    CHECKS += _test_checks(os.environ[TEST_CHECKS_ENV])
BY_ID: Dict[str, Check] = {check.id: check for check in CHECKS}
