"""NVML (nvidia-ml-py) on the live machine, asked in a child process under a time limit.

nvmlInit() on a wedged driver (the device node there, the GPU fallen off the bus, a driver
upgrade half done) can block forever inside the kernel, where no timeout of NVML's own reaches.
So the query runs in a child (timebox.call_with_time_limit); past the limit the child is ended
and NVML counts as unavailable, with that reason, and doctor goes on with the files and
nvidia-smi. The child is started only when NVML could answer: nvidia-ml-py installed and the
driver's NVML library present; otherwise the answer is the one NVML itself would give.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from typing import Callable, Optional

from envsetup.host.base import MIB, NvmlSnapshot, NvmlUnavailable
from envsetup.model.capability import ComputeCapability
from envsetup.model.gpu import Gpu

NVML_TIMEOUT_S = 8.0  # as a probe command's default (probe.common.DEFAULT_TIMEOUT_S)
PROBE_TIMEOUT_VARIABLE = "ENVSETUP_PROBE_TIMEOUT"  # bounds NVML's query as it bounds a command
# pynvml's own words when it cannot load the library (nvidia-ml-py, pynvml.py _LoadNvmlLibrary).
LIBRARY_NOT_FOUND = "NVML Shared Library Not Found"
# Where nvidia-ml-py looks for the library on Windows (pynvml.py _LoadNvmlLibrary).
WINDOWS_LIBRARIES = (
    r"%WINDIR%\System32\nvml.dll",
    r"%ProgramFiles%\NVIDIA Corporation\NVSMI\nvml.dll",
)


def nvml_unavailable_here() -> Optional[str]:
    """Why NVML cannot answer on this machine, without asking it; None: it could."""
    if importlib.util.find_spec("pynvml") is None:
        return "nvidia-ml-py is not installed (No module named 'pynvml')"
    if sys.platform == "win32":
        found = any(os.path.exists(os.path.expandvars(p)) for p in WINDOWS_LIBRARIES)
        return None if found else LIBRARY_NOT_FOUND
    try:
        import ctypes

        # Loading the library does not touch the driver; nvmlInit() does, and may hang.
        ctypes.CDLL("libnvidia-ml.dylib" if sys.platform == "darwin" else "libnvidia-ml.so.1")
    except OSError:
        return LIBRARY_NOT_FOUND
    return None


def nvml_within(timeout_s: float) -> NvmlSnapshot:
    """query_nvml() in a child process, given `timeout_s` seconds. Raises NvmlUnavailable with
    the reason: NVML's own, or that it did not answer in time."""
    reason = nvml_unavailable_here()
    if reason is not None:
        raise NvmlUnavailable(reason)
    return call_in_child(query_nvml, timeout_s)


def call_in_child(query: Callable[[], NvmlSnapshot], timeout_s: float) -> NvmlSnapshot:
    """`query` (an importable function returning an NvmlSnapshot) in a child under `timeout_s`;
    its failure to answer is an NvmlUnavailable naming the time limit or the loss."""
    from envsetup.host.timebox import ChildLost, TimeLimitExceeded, call_with_time_limit

    try:
        return call_with_time_limit(query, timeout_s)
    except TimeLimitExceeded:
        raise NvmlUnavailable(
            f"NVML did not answer within {timeout_s:g} s (the driver may be hung); "
            "the query was stopped"
        ) from None
    except ChildLost as exc:
        raise NvmlUnavailable(f"the NVML query failed: {exc}") from None


def query_nvml() -> NvmlSnapshot:
    """Read driver, CUDA driver version and every GPU through NVML (nvidia-ml-py)."""
    try:
        import pynvml
    except ImportError as exc:
        raise NvmlUnavailable(f"nvidia-ml-py is not installed ({exc})") from exc
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError as exc:
        raise NvmlUnavailable(str(exc)) from exc
    try:
        driver = _text(pynvml.nvmlSystemGetDriverVersion())
        try:
            cuda: Optional[int] = int(pynvml.nvmlSystemGetCudaDriverVersion())
        except pynvml.NVMLError:
            cuda = None
        devices = [_nvml_device(pynvml, i) for i in range(pynvml.nvmlDeviceGetCount())]
        return NvmlSnapshot(driver_version=driver, cuda_driver_version=cuda, devices=devices)
    except pynvml.NVMLError as exc:
        raise NvmlUnavailable(str(exc)) from exc
    finally:
        with contextlib.suppress(pynvml.NVMLError):
            pynvml.nvmlShutdown()


def _nvml_device(pynvml, index: int) -> Gpu:  # type: ignore[no-untyped-def]
    handle = pynvml.nvmlDeviceGetHandleByIndex(index)
    device = Gpu(index=index)

    def attempt(fn):  # type: ignore[no-untyped-def]
        # One unsupported query (vGPU, MIG, old boards) must not hide the rest.
        try:
            return fn()
        except pynvml.NVMLError:
            return None

    device.name = _text(attempt(lambda: pynvml.nvmlDeviceGetName(handle)) or "")
    device.uuid = _text(attempt(lambda: pynvml.nvmlDeviceGetUUID(handle)) or "")
    memory = attempt(lambda: pynvml.nvmlDeviceGetMemoryInfo(handle))
    total = int(memory.total) if memory is not None else 0
    device.memory_total_mib = total // MIB if total else None
    cc = attempt(lambda: pynvml.nvmlDeviceGetCudaComputeCapability(handle))
    device.compute_capability = ComputeCapability(int(cc[0]), int(cc[1])) if cc else None
    mig = attempt(lambda: pynvml.nvmlDeviceGetMigMode(handle))
    if mig is not None:
        device.mig_mode = "Enabled" if mig[0] else "Disabled"
    device.pcie_gen = attempt(lambda: pynvml.nvmlDeviceGetCurrPcieLinkGeneration(handle))
    device.pcie_gen_max = attempt(lambda: pynvml.nvmlDeviceGetMaxPcieLinkGeneration(handle))
    device.pcie_width = attempt(lambda: pynvml.nvmlDeviceGetCurrPcieLinkWidth(handle))
    device.pcie_width_max = attempt(lambda: pynvml.nvmlDeviceGetMaxPcieLinkWidth(handle))
    return device


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
