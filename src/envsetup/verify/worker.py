"""The checks, run by the TARGET interpreter: `python worker.py`, then JSON lines on stdin/stdout.

This file must work with nothing but the standard library and torch: the target environment may not
have envsetup installed. Never import envsetup here. torch is imported inside the checks (once per
worker process), so reading `CHECKS` from the tool's own process costs nothing.

Protocol (one JSON object per line):
  worker -> runner, on start:  {"event": "hello", "protocol": 1, "python": ..., "torch_found": ...}
  runner -> worker:            {"op": "run", "id": "matmul", "options": {"require_gpu": false}}
  worker -> runner:            {"event": "result", "id": ..., "status": "pass"|"fail"|"skip",
                                "reason": ..., "evidence": {...}, "fix": ..., "duration_s": ...}
  runner -> worker:            {"op": "exit"}
Anything the checks (or torch's C++ code) print goes to stderr: fd 1 is pointed at stderr at start,
and the protocol uses a private copy of the original stdout.
"""

from __future__ import annotations

import json
import math
import os
import pathlib
import re
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from typing import Any, Callable, Dict, List, Optional

PROTOCOL_VERSION = 1
INSTALL_FIX = "envsetup install --env {prefix} --cuda auto"


class CheckSkipped(Exception):
    """The check does not apply here (e.g. a GPU check on a machine without a GPU)."""

    def __init__(self, reason: str, evidence: Optional[Dict[str, Any]] = None) -> None:
        super().__init__(reason)
        self.evidence = evidence or {}


class CheckFailed(Exception):
    def __init__(
        self, reason: str, evidence: Optional[Dict[str, Any]] = None, fix: Optional[str] = None
    ) -> None:
        super().__init__(reason)
        self.evidence = evidence or {}
        self.fix = fix


class Context:
    """What a check may know about the run: options from the runner and the target's prefix."""

    def __init__(self, options: Dict[str, Any]) -> None:
        self.require_gpu = bool(options.get("require_gpu", False))

    @property
    def install_fix(self) -> str:
        return INSTALL_FIX.format(prefix=sys.prefix)


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


# --- helpers -------------------------------------------------------------------------------------


def _torch() -> Any:
    import torch

    return torch


def _build_of(torch: Any) -> str:
    if getattr(torch.version, "hip", None):
        return "rocm"
    if getattr(torch.version, "cuda", None):
        return "cuda"
    return "cpu"


def _build_from_files(version_py: Dict[str, Optional[str]]) -> Optional[str]:
    if not version_py:
        return None
    if version_py.get("hip"):
        return "rocm"
    return "cuda" if version_py.get("cuda") else "cpu"


def _why_no_gpu(torch: Any) -> str:
    build = _build_of(torch)
    if build == "cpu":
        return f"torch {torch.__version__} is a CPU-only build (no CUDA or ROCm)"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        available = torch.cuda.is_available()
    if available and torch.cuda.device_count() > 0:
        return ""
    said = "; ".join(str(w.message).strip().splitlines()[0] for w in caught if str(w.message))
    reason = f"torch {torch.__version__} ({build}) sees no GPU: torch.cuda.is_available() is False"
    return f"{reason} ({said})" if said else reason


def _gpu_devices(ctx: Context) -> List[int]:
    """The CUDA/ROCm device indices, or skip (fail under --require-gpu) with the reason."""
    torch = _torch()
    reason = _why_no_gpu(torch)
    if reason:
        if ctx.require_gpu:
            raise CheckFailed(
                f"--require-gpu: {reason}",
                fix=f"check the driver with `envsetup doctor`; install a GPU build: {ctx.install_fix}",
            )
        raise CheckSkipped(f"no GPU: {reason}")
    return list(range(torch.cuda.device_count()))


def _compute_devices() -> List[str]:
    """Where the device checks run: every GPU when there is one, else the CPU."""
    torch = _torch()
    if not _why_no_gpu(torch):
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    return ["cpu"]


def _relative_error(result: Any, reference: Any) -> float:
    diff = (result.double().cpu() - reference.double().cpu()).abs().max().item()
    scale = reference.double().abs().max().item() or 1.0
    return diff / scale


class _StrictFloat:
    """Turn TF32 off while comparing against a CPU reference (restored afterwards)."""

    def __enter__(self) -> None:
        torch = _torch()
        self.matmul = torch.backends.cuda.matmul.allow_tf32
        self.cudnn = torch.backends.cudnn.allow_tf32
        torch.backends.cuda.matmul.allow_tf32 = False
        torch.backends.cudnn.allow_tf32 = False

    def __exit__(self, *exc: object) -> None:
        torch = _torch()
        torch.backends.cuda.matmul.allow_tf32 = self.matmul
        torch.backends.cudnn.allow_tf32 = self.cudnn


# --- the checks ----------------------------------------------------------------------------------


_VERSION_PY_FIELD = re.compile(r"^(\w+)\s*(?::[^=]*)?=\s*(?:'([^']*)'|\"([^\"]*)\"|None)\s*$")


def _read_version_py(path: str) -> Dict[str, Optional[str]]:
    """torch/version.py as text (what doctor reads), without importing it."""
    fields: Dict[str, Optional[str]] = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read().splitlines()
    except OSError:
        return fields
    for line in lines:
        match = _VERSION_PY_FIELD.match(line.strip())
        if match:
            value = match.group(2) if match.group(2) is not None else match.group(3)
            fields[match.group(1)] = value
    return fields


def _files_view() -> Dict[str, Any]:
    """What torch's installed files say, read the way doctor reads them (no import)."""
    import importlib.util

    view: Dict[str, Any] = {}
    try:
        from importlib import metadata

        view["dist_version"] = metadata.version("torch")
    except Exception:  # no dist-info: a source tree or a path hack; nothing to compare
        view["dist_version"] = None
    spec = importlib.util.find_spec("torch")
    origin = spec.origin if spec else None
    if origin:
        view["location"] = os.path.dirname(origin)
        view["version_py"] = _read_version_py(os.path.join(view["location"], "version.py"))
    return view


def check_torch_import(ctx: Context) -> Dict[str, Any]:
    started = time.perf_counter()
    already = "torch" in sys.modules
    try:
        torch = _torch()
    except BaseException as exc:  # ImportError, OSError from a missing .so, SystemExit...
        raise CheckFailed(
            f"import torch raised {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}",
            evidence={"traceback": traceback.format_exc(limit=-6)},
            fix=f"reinstall torch into this environment: {ctx.install_fix}",
        ) from None
    evidence: Dict[str, Any] = {
        "version": torch.__version__,
        "build": _build_of(torch),
        "cuda": getattr(torch.version, "cuda", None),
        "hip": getattr(torch.version, "hip", None),
        "location": os.path.dirname(torch.__file__),
        "import_s": None if already else round(time.perf_counter() - started, 3),
    }
    files = _files_view()
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
    torch = _torch()
    indices = _gpu_devices(ctx)
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
        "build": _build_of(torch),
        "cuda": getattr(torch.version, "cuda", None),
        "hip": getattr(torch.version, "hip", None),
    }


def _arch_verdict(major: int, minor: int, arch_list: List[str]) -> str:
    """'exact', 'compatible' (same-major cubin or older PTX), or '' (no kernel image)."""
    if f"sm_{major}{minor}" in arch_list:
        return "exact"
    for arch in arch_list:
        match = re.fullmatch(r"(sm|compute)_(\d+?)(\d)([a-z]?)", arch)
        if not match or match.group(4):  # sm_90a-style builds run on that exact chip only
            continue
        arch_major, arch_minor = int(match.group(2)), int(match.group(3))
        if match.group(1) == "sm" and arch_major == major and arch_minor <= minor:
            return "compatible"
        if match.group(1) == "compute" and (arch_major, arch_minor) <= (major, minor):
            return "compatible"  # PTX, compiled by the driver at first use
    return ""


def check_cuda_arch(ctx: Context) -> Dict[str, Any]:
    torch = _torch()
    indices = _gpu_devices(ctx)
    arch_list = list(torch.cuda.get_arch_list())
    devices, missing = [], []
    for index in indices:
        name = torch.cuda.get_device_name(index)
        if _build_of(torch) == "rocm":
            gfx = str(getattr(torch.cuda.get_device_properties(index), "gcnArchName", "")).split(
                ":"
            )[0]
            verdict = "exact" if gfx in arch_list else ""
            arch = gfx
        else:
            major, minor = torch.cuda.get_device_capability(index)
            verdict = _arch_verdict(major, minor, arch_list)
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
    torch = _torch()
    tested = []
    for device in _compute_devices():
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


_MATMUL_TOLERANCE = {"float32": 1e-4, "float16": 1e-2, "bfloat16": 5e-2}


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
    torch = _torch()
    generator = torch.Generator().manual_seed(0)
    a = torch.randn(256, 256, generator=generator, dtype=torch.float64)
    b = torch.randn(256, 256, generator=generator, dtype=torch.float64)
    reference = a @ b
    results = []
    with _StrictFloat():
        for device in _compute_devices():
            for dtype in _matmul_dtypes(torch, device):
                name = str(dtype).replace("torch.", "")
                product = a.to(device=device, dtype=dtype) @ b.to(device=device, dtype=dtype)
                error = _relative_error(product, reference)
                results.append({"device": device, "dtype": name, "relative_error": error})
                if not error <= _MATMUL_TOLERANCE[name]:  # also catches NaN
                    raise CheckFailed(
                        f"{device} {name} matmul is off by {error:.3g} (relative) from the float64 "
                        f"CPU reference; tolerance {_MATMUL_TOLERANCE[name]}",
                        evidence={"results": results},
                    )
    return {"results": results}


def check_autograd(ctx: Context) -> Dict[str, Any]:
    torch = _torch()
    devices = ["cpu"] + [d for d in _compute_devices() if d != "cpu"]

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
    torch = _torch()
    indices = _gpu_devices(ctx)
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
    with _StrictFloat():
        for index in indices:
            got = conv_and_grads(f"cuda:{index}")
            for label, value, ref in zip(("forward", "grad_input", "grad_weight"), got, reference):
                errors[f"cuda:{index} {label}"] = _relative_error(value, ref)
    evidence["relative_errors"] = errors
    worst = max(errors.values())
    # FFT and Winograd algorithms cuDNN may pick are less exact than direct convolution.
    if not worst <= 1e-3:
        raise CheckFailed(
            f"conv2d on the GPU differs from the CPU by {worst:.3g} (relative)", evidence
        )
    return evidence


def check_amp(ctx: Context) -> Dict[str, Any]:
    torch = _torch()
    if not hasattr(torch, "autocast"):
        raise CheckSkipped(f"torch {torch.__version__} has no torch.autocast (it arrived in 1.10)")
    results = []
    for device in _compute_devices():
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
            error = _relative_error(product, reference)
            if not error <= _MATMUL_TOLERANCE[name]:
                raise CheckFailed(
                    f"{device}: autocast({name}) mm is off by {error:.3g}", {"results": results}
                )
    return {"results": results}


_CXX_CANDIDATES = ("g++", "clang++", "c++")


def _cpu_compiler() -> Optional[str]:
    """The C++ compiler inductor would use for CPU code, or None."""
    wanted = os.environ.get("CXX")
    if wanted:
        return shutil.which(wanted)
    for name in ("cl",) if sys.platform == "win32" else _CXX_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


_NO_COMPILER_FIX = {
    "win32": "install Visual Studio Build Tools (C++) and run from a Developer Command Prompt, "
    "so that cl.exe is on PATH",
    "darwin": "install one with `xcode-select --install`",
}


def _compile_in_process(torch: Any) -> None:
    """One small kernel gains nothing from inductor's pool of compile processes, whose start costs
    seconds; compile in this process unless the user chose a thread count."""
    if os.environ.get("TORCHINDUCTOR_COMPILE_THREADS"):
        return
    try:
        import torch._inductor.config as inductor_config

        inductor_config.compile_threads = 1
    except (ImportError, AttributeError):  # older torch: keep its defaults
        pass


def check_compile(ctx: Context) -> Dict[str, Any]:
    torch = _torch()
    if not hasattr(torch, "compile"):
        raise CheckSkipped(f"torch {torch.__version__} has no torch.compile (it arrived in 2.0)")
    device = _compute_devices()[0]
    evidence: Dict[str, Any] = {"device": device, "backend": "inductor"}
    if device == "cpu":
        compiler = _cpu_compiler()
        evidence["cxx"] = compiler
        if compiler is None:
            # Not a broken torch: an absent toolchain. Say so plainly and what installs it.
            looked = (
                "$CXX, cl" if sys.platform == "win32" else f"$CXX, {', '.join(_CXX_CANDIDATES)}"
            )
            fix = _NO_COMPILER_FIX.get(
                sys.platform,
                "install one: `apt-get install g++` (Debian/Ubuntu), `dnf install gcc-c++` (Fedora/RHEL)",
            )
            raise CheckSkipped(
                f"torch.compile on the CPU needs a C++ compiler and none was found (looked for {looked}); {fix}",
                evidence=evidence,
            )

    def function(x: Any) -> Any:
        return torch.sin(x) * 2 + torch.cos(x) ** 2

    _compile_in_process(torch)
    x = torch.linspace(-3, 3, 1000, device=device)
    started = time.perf_counter()
    compiled = torch.compile(function, backend="inductor")
    got = compiled(x)
    evidence["first_call_s"] = round(time.perf_counter() - started, 3)
    error = _relative_error(got, function(x))
    evidence["relative_error"] = error
    if not error <= 1e-5:
        raise CheckFailed(f"the compiled function differs from eager by {error:.3g}", evidence)
    return evidence


def _distributed_rank(rank: int, world: int, backend: str, init_file: str, queue: Any) -> None:
    # Runs in a child process: fork (gloo on Linux) or spawn (NCCL, other systems).
    try:
        import torch
        import torch.distributed as dist

        dist.init_process_group(
            backend, init_method=pathlib.Path(init_file).as_uri(), rank=rank, world_size=world
        )
        device = f"cuda:{rank}" if backend == "nccl" else "cpu"
        if backend == "nccl":
            torch.cuda.set_device(rank)
        tensor = torch.full((4,), float(rank + 1), device=device)
        dist.all_reduce(tensor)
        queue.put((rank, tensor.cpu().tolist(), None))
        dist.destroy_process_group()
    except Exception as exc:
        queue.put((rank, None, f"{type(exc).__name__}: {exc}"))


def check_distributed(ctx: Context) -> Dict[str, Any]:
    import multiprocessing
    import queue as queue_module

    torch = _torch()
    import torch.distributed as dist

    if not dist.is_available():
        raise CheckFailed("torch.distributed is not available in this build", fix=ctx.install_fix)
    gpus = 0 if _why_no_gpu(torch) else torch.cuda.device_count()
    backend = "nccl" if gpus >= 2 and dist.is_nccl_available() else "gloo"
    # fork is fast (torch is already imported) and safe while no CUDA context exists; NCCL needs spawn.
    method = "fork" if backend == "gloo" and sys.platform.startswith("linux") else "spawn"
    mp = multiprocessing.get_context(method)
    world = 2
    evidence: Dict[str, Any] = {"backend": backend, "world_size": world, "start_method": method}
    with tempfile.TemporaryDirectory() as tmp:
        results = mp.Queue()
        procs = [
            mp.Process(
                target=_distributed_rank,
                args=(r, world, backend, os.path.join(tmp, "store"), results),
            )
            for r in range(world)
        ]
        for proc in procs:
            proc.start()
        answers: Dict[int, Any] = {}
        errors = []
        deadline = time.monotonic() + 120
        while len(answers) + len(errors) < world and time.monotonic() < deadline:
            try:
                rank, value, error = results.get(timeout=1.0)
            except queue_module.Empty:
                if all(not p.is_alive() for p in procs) and results.empty():
                    break
                continue
            if error:
                errors.append(f"rank {rank}: {error}")
            else:
                answers[rank] = value
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()
        evidence["exit_codes"] = [p.exitcode for p in procs]
        results.close()
        results.join_thread()
        del results  # its semaphores unregister now; the worker skips exit-time cleanup
    evidence["results"] = answers
    expected = [float(sum(range(1, world + 1)))] * 4
    if errors or len(answers) < world:
        raise CheckFailed(
            f"{backend} all_reduce failed: "
            + ("; ".join(errors) or f"{world - len(answers)} rank(s) gave no answer"),
            evidence,
        )
    wrong = {r: v for r, v in answers.items() if v != expected}
    if wrong:
        raise CheckFailed(
            f"{backend} all_reduce summed wrong: {wrong}, expected {expected}", evidence
        )
    return evidence


def check_hello(ctx: Context) -> Dict[str, Any]:
    # The tutorial's first exercise: fit sin(x) on [-pi, pi] with a tiny network.
    torch = _torch()
    device = _compute_devices()[0]
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 512, device=device).unsqueeze(1)
    y = torch.sin(x)
    model = torch.nn.Sequential(torch.nn.Linear(1, 32), torch.nn.Tanh(), torch.nn.Linear(32, 1)).to(
        device
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    losses = []
    steps = 300
    threads = torch.get_num_threads()
    if device == "cpu":
        # Tensors this small gain nothing from intra-op threads, and on a busy machine their
        # spin-waits make 300 tiny steps take seconds.
        torch.set_num_threads(1)
    try:
        for _ in range(steps):
            loss = torch.nn.functional.mse_loss(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    finally:
        torch.set_num_threads(threads)
    first, last = losses[0], losses[-1]
    drop = 1.0 - last / first if first > 0 else 0.0
    evidence = {
        "device": device,
        "steps": steps,
        "loss_first": first,
        "loss_last": last,
        "drop": drop,
    }
    if not drop >= 0.9:
        raise CheckFailed(
            f"the loss fell by {drop:.1%} in {steps} steps on {device}; expected at least 90%",
            evidence,
        )
    return evidence


def check_memory(ctx: Context) -> Dict[str, Any]:
    torch = _torch()
    devices = []
    gib = 1024**3
    indices = _gpu_devices(ctx)
    torch.cuda.empty_cache()  # blocks earlier checks left cached would count as used
    for index in indices:
        free, total = torch.cuda.mem_get_info(index)
        share = int(free * 0.75)
        block = torch.empty(share, dtype=torch.uint8, device=f"cuda:{index}")
        block.fill_(1)
        tail = int(block[-1].item())
        del block
        torch.cuda.empty_cache()
        free_after, _ = torch.cuda.mem_get_info(index)
        devices.append(
            {
                "index": index,
                "free_gib": round(free / gib, 2),
                "total_gib": round(total / gib, 2),
                "allocated_gib": round(share / gib, 2),
                "free_after_gib": round(free_after / gib, 2),
            }
        )
        if tail != 1:
            raise CheckFailed(
                f"cuda:{index}: the last byte of {share / gib:.1f} GiB read back as {tail}",
                {"devices": devices},
            )
        if (
            free_after < free * 0.9
        ):  # other processes may allocate meanwhile: only a gross loss counts
            raise CheckFailed(
                f"cuda:{index}: {(free - free_after) / gib:.1f} GiB were not given back after freeing",
                {"devices": devices},
            )
    return {"devices": devices}


# --- bench (opt-in): measured here, compared with the data table by the runner --------------------


def _time_cuda(torch: Any, index: int, work: Callable[[], Any], iterations: int) -> float:
    with torch.cuda.device(index):  # events belong to the current device: make it the measured one
        for _ in range(3):
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
    torch = _torch()
    devices = []
    n, iterations = 8192, 50
    for index in _gpu_devices(ctx):
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
    torch = _torch()
    devices = []
    iterations = 20
    for index in _gpu_devices(ctx):
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
    torch = _torch()
    indices = _gpu_devices(ctx)
    if _build_of(torch) != "cuda":
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


# --- hidden test-only checks: real crashes and hangs, never in the default list -------------------


def check_test_crash(ctx: Context) -> Dict[str, Any]:
    sys.stderr.write("about to abort\n")
    sys.stderr.flush()
    os.abort()
    return {}  # pragma: no cover


def check_test_hang(ctx: Context) -> Dict[str, Any]:
    time.sleep(3600)
    return {}  # pragma: no cover


def check_test_noisy(ctx: Context) -> Dict[str, Any]:
    # Printing to stdout must not corrupt the protocol.
    print('{"event": "result", "id": "forged"}')
    os.write(1, b"raw bytes on fd 1\n")
    return {"printed": True}


CHECKS: List[Check] = [
    Check("torch.import", "torch imports; version and build match its files", check_torch_import),
    Check(
        "cuda.available",
        "CUDA available; devices, names, capabilities",
        check_cuda_available,
        needs_gpu=True,
    ),
    Check(
        "cuda.arch",
        "every GPU's architecture is in the build's arch list",
        check_cuda_arch,
        needs_gpu=True,
    ),
    Check("tensor.roundtrip", "allocate, elementwise op, copy back", check_tensor),
    Check("matmul", "matmul against a float64 CPU reference (fp32, fp16/bf16)", check_matmul),
    Check("autograd.gradcheck", "gradcheck of a float64 function, CPU and device", check_autograd),
    Check(
        "cudnn",
        "cuDNN enabled; conv2d forward/backward against the CPU",
        check_cudnn,
        needs_gpu=True,
    ),
    Check("amp.autocast", "autocast yields the reduced-precision dtype", check_amp),
    Check("compile", "torch.compile (inductor) equals eager", check_compile),
    Check(
        "distributed.all_reduce",
        "2-process all_reduce (NCCL with 2+ GPUs, else gloo)",
        check_distributed,
    ),
    Check("hello.train", "a tiny model's loss falls by 90% in 300 steps", check_hello),
    Check(
        "memory.device", "allocate and free 75% of free GPU memory", check_memory, needs_gpu=True
    ),
    Check(
        "bench.matmul_bf16", "bf16 matmul TFLOP/s", check_bench_matmul, needs_gpu=True, opt_in=True
    ),
    Check(
        "bench.bandwidth",
        "device-to-device copy bandwidth",
        check_bench_bandwidth,
        needs_gpu=True,
        opt_in=True,
    ),
    Check(
        "bench.nvml",
        "PCIe link and throttle reasons under load",
        check_bench_nvml,
        needs_gpu=True,
        opt_in=True,
    ),
    Check("_test.crash", "test only: the worker aborts", check_test_crash, hidden=True),
    Check("_test.hang", "test only: the worker hangs", check_test_hang, hidden=True),
    Check("_test.noisy", "test only: the check prints to stdout", check_test_noisy, hidden=True),
]
BY_ID: Dict[str, Check] = {check.id: check for check in CHECKS}


# --- the loop ------------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    """Plain JSON: unknown objects as text, NaN and infinities as text (strict parsers reject them)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def run_check(check: Check, ctx: Context) -> Dict[str, Any]:
    started = time.perf_counter()
    result: Dict[str, Any] = {"event": "result", "id": check.id, "fix": None, "evidence": {}}
    try:
        result["evidence"] = check.run(ctx) or {}
        result.update(status="pass", reason="")
    except CheckSkipped as exc:
        result.update(status="skip", reason=str(exc), evidence=exc.evidence)
    except CheckFailed as exc:
        result.update(status="fail", reason=str(exc), evidence=exc.evidence, fix=exc.fix)
    except Exception as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        result.update(
            status="fail",
            reason=f"{type(exc).__name__}: {first}",
            evidence={"traceback": traceback.format_exc(limit=-8)},
        )
    result["duration_s"] = round(time.perf_counter() - started, 4)
    result["evidence"] = _jsonable(result["evidence"])
    return result


def _hello() -> Dict[str, Any]:
    import importlib.util
    import platform

    files = _files_view() if importlib.util.find_spec("torch") else {}
    return {
        "event": "hello",
        "protocol": PROTOCOL_VERSION,
        "python": sys.executable,
        "python_version": platform.python_version(),
        "prefix": sys.prefix,
        "torch_found": importlib.util.find_spec("torch") is not None,
        "torch_version": files.get("dist_version"),
        "torch_build": _build_from_files(files.get("version_py") or {}) if files else None,
    }


def main() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]  # no sibling shadowing
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # C++ and Python prints now land on stderr
    sys.stdout = sys.stderr

    def send(message: Dict[str, Any]) -> None:
        protocol.write(json.dumps(message) + "\n")
        protocol.flush()

    send(_hello())
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        if request.get("op") == "exit":
            break
        check = BY_ID.get(request.get("id", ""))
        if check is None:
            send(
                {
                    "event": "result",
                    "id": request.get("id"),
                    "status": "fail",
                    "reason": "unknown check id",
                    "evidence": {},
                    "fix": None,
                    "duration_s": 0.0,
                }
            )
            continue
        send({"event": "start", "id": check.id})
        send(run_check(check, Context(request.get("options", {}))))
    # Skip interpreter teardown: after torch (and inductor) it can take seconds, and nothing is
    # left to clean up (checks remove their own temporary files).
    sys.stderr.flush()
    protocol.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
