"""--bench (opt-in): measured here, compared with the datasheet table by the tool (not here)."""

from __future__ import annotations

import sys
import time
from typing import Any, Callable, Dict, Optional

from .outcome import CheckFailed, CheckSkipped, Context
from .torchenv import build_of, gpu_devices, torch_module


def _time_cuda(torch: Any, index: int, work: Callable[[], Any], iterations: int) -> float:
    with torch.cuda.device(index):  # events belong to the current device: make it the measured one
        for _ in range(10):  # let the clocks ramp up before timing
            work()
        torch.cuda.synchronize(index)
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(iterations):
            work()
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1000.0


def check_bench_matmul(ctx: Context) -> Dict[str, Any]:
    torch = torch_module()
    devices = []
    n, iterations = 8192, 100
    for index in gpu_devices(ctx):
        with torch.cuda.device(index):
            if not torch.cuda.is_bf16_supported():
                devices.append(
                    {"index": index, "name": torch.cuda.get_device_name(index), "tflops": None}
                )
                continue
            a = torch.randn(n, n, device=f"cuda:{index}", dtype=torch.bfloat16)
            b = torch.randn(n, n, device=f"cuda:{index}", dtype=torch.bfloat16)
            seconds = _time_cuda(torch, index, lambda a=a, b=b: a @ b, iterations)
            tflops = 2 * n**3 * iterations / seconds / 1e12
            devices.append(
                {
                    "index": index,
                    "name": torch.cuda.get_device_name(index),
                    "tflops": round(tflops, 1),
                }
            )
            del a, b
    return {"devices": devices, "size": n}


def check_bench_bandwidth(ctx: Context) -> Dict[str, Any]:
    torch = torch_module()
    devices = []
    iterations = 50
    for index in gpu_devices(ctx):
        free, _ = torch.cuda.mem_get_info(index)
        size = min(1 << 30, free // 4)
        src = torch.empty(size, dtype=torch.uint8, device=f"cuda:{index}")
        dst = torch.empty_like(src)
        seconds = _time_cuda(torch, index, lambda dst=dst, src=src: dst.copy_(src), iterations)
        # A copy reads and writes every byte.
        gbs = 2 * size * iterations / seconds / 1e9
        devices.append(
            {"index": index, "name": torch.cuda.get_device_name(index), "gb_per_s": round(gbs, 1)}
        )
        del src, dst
    return {"devices": devices}


_THROTTLE_BITS = {
    0x1: "gpu_idle",
    0x2: "applications_clocks_setting",
    0x4: "sw_power_cap",
    0x8: "hw_slowdown",
    0x10: "sync_boost",
    0x20: "sw_thermal_slowdown",
    0x40: "hw_thermal_slowdown",
    0x80: "hw_power_brake_slowdown",
    0x100: "display_clock_setting",
}


class _Nvml:
    """The few NVML calls the bench needs, through ctypes (the target may lack nvidia-ml-py)."""

    def __init__(self) -> None:
        import ctypes

        self.ctypes = ctypes
        name = "nvml.dll" if sys.platform == "win32" else "libnvidia-ml.so.1"
        self.lib = ctypes.CDLL(name)
        self._call("nvmlInit_v2")

    def _call(self, function: str, *args: Any) -> None:
        code = getattr(self.lib, function)(*args)
        if code != 0:
            raise RuntimeError(f"{function} returned NVML error {code}")

    def handle(self, torch: Any, index: int) -> Any:
        ctypes = self.ctypes
        handle = ctypes.c_void_p()
        uuid = getattr(torch.cuda.get_device_properties(index), "uuid", None)
        if uuid is not None:
            text = str(uuid)
            text = text if text.startswith(("GPU-", "MIG-")) else "GPU-" + text
            try:
                self._call("nvmlDeviceGetHandleByUUID", text.encode(), ctypes.byref(handle))
                return handle
            except RuntimeError:
                pass  # fall back to the index (right unless CUDA_VISIBLE_DEVICES reorders)
        self._call("nvmlDeviceGetHandleByIndex_v2", ctypes.c_uint(index), ctypes.byref(handle))
        return handle

    def uint(self, function: str, handle: Any) -> Optional[int]:
        value = self.ctypes.c_uint()
        try:
            self._call(function, handle, self.ctypes.byref(value))
        except (RuntimeError, AttributeError):
            return None
        return value.value

    def throttle_reasons(self, handle: Any) -> Optional[int]:
        value = self.ctypes.c_ulonglong()
        for function in (
            "nvmlDeviceGetCurrentClocksEventReasons",
            "nvmlDeviceGetCurrentClocksThrottleReasons",
        ):
            try:
                self._call(function, handle, self.ctypes.byref(value))
                return value.value
            except (RuntimeError, AttributeError):
                continue
        return None


def _under_load(torch: Any, index: int) -> Any:
    """Queue a few seconds of matmuls so the link and clocks are read at full power, not idle."""
    a = torch.randn(4096, 4096, device=f"cuda:{index}") / 64
    for _ in range(1000):  # a few seconds even on the fastest cards
        a = torch.tanh(a @ a)
    return a


def check_bench_nvml(ctx: Context) -> Dict[str, Any]:
    torch = torch_module()
    indices = gpu_devices(ctx)
    if build_of(torch) != "cuda":
        raise CheckSkipped("NVML readings are for NVIDIA GPUs")
    try:
        nvml = _Nvml()
    except (OSError, RuntimeError, AttributeError) as exc:
        raise CheckFailed(
            f"NVML could not be used: {exc}", fix="check the driver with `envsetup doctor`"
        ) from None
    devices = []
    for index in indices:
        handle = nvml.handle(torch, index)
        pending = _under_load(torch, index)
        time.sleep(1.0)
        reasons = nvml.throttle_reasons(handle)
        reading = {
            "index": index,
            "name": torch.cuda.get_device_name(index),
            "pcie_gen": nvml.uint("nvmlDeviceGetCurrPcieLinkGeneration", handle),
            "pcie_width": nvml.uint("nvmlDeviceGetCurrPcieLinkWidth", handle),
            "pcie_gen_max": nvml.uint("nvmlDeviceGetGpuMaxPcieLinkGeneration", handle)
            or nvml.uint("nvmlDeviceGetMaxPcieLinkGeneration", handle),
            "pcie_width_max": nvml.uint("nvmlDeviceGetMaxPcieLinkWidth", handle),
            "throttle_reasons_mask": reasons,
            "throttle_reasons": []
            if reasons is None
            else [n for bit, n in _THROTTLE_BITS.items() if reasons & bit],
        }
        torch.cuda.synchronize(index)
        del pending
        devices.append(reading)
    return {"devices": devices}
