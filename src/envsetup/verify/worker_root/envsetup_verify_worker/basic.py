"""The core checks: import, CUDA devices and architectures, tensors, matmul, autograd, cuDNN, AMP."""

from __future__ import annotations

import os
import sys
import time
import traceback
from typing import Any, Dict, List

from .outcome import CheckFailed, CheckSkipped, Context
from .shipped import capability
from .torchenv import (
    StrictFloat,
    build_of,
    compute_devices,
    files_view,
    gpu_devices,
    relative_error,
    torch_module,
)


def check_torch_import(ctx: Context) -> Dict[str, Any]:
    started = time.perf_counter()
    already = "torch" in sys.modules
    try:
        torch = torch_module()
    except BaseException as exc:  # ImportError, OSError from a missing .so, SystemExit...
        raise CheckFailed(
            f"import torch raised {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
            evidence={"traceback": traceback.format_exc(limit=-6)},
            fix=f"reinstall torch into this environment: {ctx.install_fix}",
        ) from None
    evidence: Dict[str, Any] = {
        "version": torch.__version__,
        "build": build_of(torch),
        "cuda": getattr(torch.version, "cuda", None),
        "hip": getattr(torch.version, "hip", None),
        "location": os.path.dirname(torch.__file__),
        "import_s": None if already else round(time.perf_counter() - started, 3),
    }
    files = files_view()
    evidence["files"] = files
    mismatches = []
    if files.get("dist_version") and files["dist_version"] != torch.__version__:
        mismatches.append(
            f"dist-info says {files['dist_version']}, the module says {torch.__version__}"
        )
    version_py = files.get("version_py") or {}
    for key in ("cuda", "hip"):
        if key in version_py and version_py[key] != evidence[key]:
            mismatches.append(
                f"version.py says {key}={version_py[key]}, the module says {evidence[key]}"
            )
    if files.get("location") and os.path.realpath(files["location"]) != os.path.realpath(
        evidence["location"]
    ):
        mismatches.append(
            f"files at {files['location']}, module imported from {evidence['location']}"
        )
    if mismatches:
        raise CheckFailed(
            "the imported torch disagrees with the installed files: " + "; ".join(mismatches),
            evidence=evidence,
            fix="another torch shadows the installed one (check PYTHONPATH and the working "
            f"directory), or the install is half-upgraded: {ctx.install_fix}",
        )
    return evidence


def check_cuda_available(ctx: Context) -> Dict[str, Any]:
    torch = torch_module()
    indices = gpu_devices(ctx)
    devices = []
    for index in indices:
        props = torch.cuda.get_device_properties(index)
        major, minor = torch.cuda.get_device_capability(index)
        devices.append(
            {
                "index": index,
                "name": props.name,
                "capability": f"{major}.{minor}",
                "memory_total_mib": props.total_memory // (1024 * 1024),
                "multiprocessors": props.multi_processor_count,
            }
        )
    return {
        "device_count": len(indices),
        "devices": devices,
        "build": build_of(torch),
        "cuda": getattr(torch.version, "cuda", None),
        "hip": getattr(torch.version, "hip", None),
    }


def arch_verdict(major: int, minor: int, arch_list: List[str]) -> str:
    """'exact', 'compatible' (same-major cubin or PTX to JIT-compile), or '' (no kernel image).

    The rule is envsetup's (envsetup/model/capability.py, shipped to the worker): NVIDIA's
    Binary Compatibility and PTX Compatibility, with the 'a' and 'f' targets.
    """
    rule = capability()
    found = rule.coverage(arch_list, rule.ComputeCapability(major, minor))
    if found is None:
        return ""
    return "exact" if found.how is rule.Coverage.EXACT else "compatible"


def check_cuda_arch(ctx: Context) -> Dict[str, Any]:
    torch = torch_module()
    indices = gpu_devices(ctx)
    arch_list = list(torch.cuda.get_arch_list())
    devices, missing = [], []
    for index in indices:
        name = torch.cuda.get_device_name(index)
        if build_of(torch) == "rocm":
            gfx = str(getattr(torch.cuda.get_device_properties(index), "gcnArchName", "")).split(
                ":"
            )[0]
            verdict = "exact" if gfx in arch_list else ""
            arch = gfx
        else:
            major, minor = torch.cuda.get_device_capability(index)
            verdict = arch_verdict(major, minor, arch_list)
            arch = f"sm_{major}{minor}"
        devices.append(
            {"index": index, "name": name, "arch": arch, "verdict": verdict or "missing"}
        )
        if not verdict:
            missing.append(f"cuda:{index} {name} ({arch})")
    evidence = {"arch_list": arch_list, "devices": devices}
    if missing:
        raise CheckFailed(
            "no kernel image for " + ", ".join(missing) + f" in this build's arch list {arch_list}",
            evidence=evidence,
            fix=f"install a torch build compiled for this GPU: {ctx.install_fix}",
        )
    for index in indices:  # the arch list can be right and the kernels still fail to load
        value = (torch.ones(8, device=f"cuda:{index}") + 1).sum().item()
        if value != 16.0:
            raise CheckFailed(f"cuda:{index}: ones(8)+1 summed to {value}, not 16", evidence)
    return evidence


def check_tensor(ctx: Context) -> Dict[str, Any]:
    torch = torch_module()
    tested = []
    for device in compute_devices():
        host = torch.arange(1 << 20, dtype=torch.float32)
        on_device = host.to(device)
        back = (on_device * 2 + 1).cpu()
        expected = host * 2 + 1
        if not torch.equal(back, expected):
            bad = int((back != expected).sum().item())
            raise CheckFailed(
                f"{device}: x*2+1 copied back wrong in {bad} of {host.numel()} elements"
            )
        tested.append(device)
    return {"devices": tested, "elements": 1 << 20}


MATMUL_TOLERANCE = {"float32": 1e-4, "float16": 1e-2, "bfloat16": 5e-2}


def _matmul_dtypes(torch: Any, device: str) -> List[Any]:
    if device == "cpu":
        return [torch.float32, torch.bfloat16]
    dtypes = [torch.float32, torch.float16]
    index = int(device.split(":")[1])
    with torch.cuda.device(index):
        if torch.cuda.is_bf16_supported():
            dtypes.append(torch.bfloat16)
    return dtypes


def check_matmul(ctx: Context) -> Dict[str, Any]:
    torch = torch_module()
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(256, 256, generator=generator, dtype=torch.float64)
    b = torch.randn(256, 256, generator=generator, dtype=torch.float64)
    reference = a @ b
    results = []
    with StrictFloat():
        for device in compute_devices():
            for dtype in _matmul_dtypes(torch, device):
                name = str(dtype).replace("torch.", "")
                product = a.to(device=device, dtype=dtype) @ b.to(device=device, dtype=dtype)
                error = relative_error(product, reference)
                results.append({"device": device, "dtype": name, "relative_error": error})
                if not error <= MATMUL_TOLERANCE[name]:  # also catches NaN
                    raise CheckFailed(
                        f"{device} {name} matmul is off by {error:.3g} (relative) from the float64 "
                        f"CPU reference; tolerance {MATMUL_TOLERANCE[name]}",
                        evidence={"results": results},
                    )
    return {"results": results}


def check_autograd(ctx: Context) -> Dict[str, Any]:
    torch = torch_module()
    devices = ["cpu"] + [d for d in compute_devices() if d != "cpu"]

    def function(x: Any, y: Any) -> Any:
        return (x * torch.sin(y) + x.pow(2) * y.exp()).sum()

    for device in devices:
        generator = torch.Generator().manual_seed(1)
        x = torch.randn(4, 3, generator=generator, dtype=torch.float64).to(device)
        y = torch.randn(4, 3, generator=generator, dtype=torch.float64).to(device)
        x.requires_grad_(True)
        y.requires_grad_(True)
        try:
            torch.autograd.gradcheck(function, (x, y), eps=1e-6, atol=1e-4)
        except Exception as exc:
            raise CheckFailed(
                f"{device}: gradcheck failed: {str(exc).strip().splitlines()[0]}",
                evidence={"devices": devices, "failed_on": device},
            ) from None
    return {"devices": devices, "function": "sum(x*sin(y) + x^2*exp(y)), float64"}


def check_cudnn(ctx: Context) -> Dict[str, Any]:
    torch = torch_module()
    indices = gpu_devices(ctx)
    cudnn = torch.backends.cudnn
    evidence: Dict[str, Any] = {
        "available": bool(cudnn.is_available()),
        "enabled": bool(cudnn.enabled),
    }
    evidence["version"] = cudnn.version() if evidence["available"] else None
    if not evidence["available"] or not evidence["enabled"]:
        raise CheckFailed(
            "cuDNN is "
            + (
                "disabled (torch.backends.cudnn.enabled is False)"
                if evidence["available"]
                else "not available to torch"
            ),
            evidence=evidence,
            fix=f"reinstall torch with its cuDNN: {ctx.install_fix}",
        )
    generator = torch.Generator().manual_seed(2)
    image = torch.randn(2, 3, 16, 16, generator=generator)
    weight = torch.randn(4, 3, 3, 3, generator=generator)

    def conv_and_grads(device: str) -> List[Any]:
        x = image.to(device).requires_grad_(True)
        w = weight.to(device).requires_grad_(True)
        out = torch.nn.functional.conv2d(x, w, padding=1)
        out.square().sum().backward()
        return [out.detach().cpu(), x.grad.cpu(), w.grad.cpu()]

    reference = conv_and_grads("cpu")
    errors = {}
    with StrictFloat():
        for index in indices:
            got = conv_and_grads(f"cuda:{index}")
            for label, value, ref in zip(("forward", "grad_input", "grad_weight"), got, reference):
                errors[f"cuda:{index} {label}"] = relative_error(value, ref)
    evidence["relative_errors"] = errors
    worst = max(errors.values())
    # FFT and Winograd algorithms cuDNN may pick are less exact than direct convolution.
    if not worst <= 1e-3:
        raise CheckFailed(
            f"conv2d on the GPU differs from the CPU by {worst:.3g} (relative)", evidence
        )
    return evidence


def check_amp(ctx: Context) -> Dict[str, Any]:
    torch = torch_module()
    if not hasattr(torch, "autocast"):
        raise CheckSkipped(f"torch {torch.__version__} has no torch.autocast (it arrived in 1.10)")
    results = []
    for device in compute_devices():
        device_type = device.split(":")[0]
        dtypes = _matmul_dtypes(torch, device)[1:]  # the reduced-precision ones the device has
        a = torch.randn(64, 64, device=device)
        b = torch.randn(64, 64, device=device)
        reference = a @ b
        for dtype in dtypes:
            with torch.autocast(device_type=device_type, dtype=dtype):
                product = torch.mm(a, b)
            name = str(dtype).replace("torch.", "")
            results.append({"device": device, "autocast": name, "got": str(product.dtype)})
            if product.dtype != dtype:
                raise CheckFailed(
                    f"{device}: mm under autocast({name}) gave {product.dtype}, expected {dtype}",
                    evidence={"results": results},
                )
            error = relative_error(product, reference)
            if not error <= MATMUL_TOLERANCE[name]:
                raise CheckFailed(
                    f"{device}: autocast({name}) mm is off by {error:.3g}", {"results": results}
                )
    return {"results": results}
