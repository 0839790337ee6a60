"""Checks that run real workloads: torch.compile, a 2-process all_reduce, training, device memory."""

from __future__ import annotations

import math
import os
import pathlib
import shutil
import sys
import tempfile
import time
from typing import Any, Dict, Optional

from .outcome import CheckFailed, CheckSkipped, Context
from .torchenv import compute_devices, gpu_devices, relative_error, torch_module, why_no_gpu

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
    torch = torch_module()
    if not hasattr(torch, "compile"):
        raise CheckSkipped(f"torch {torch.__version__} has no torch.compile (it arrived in 2.0)")
    device = compute_devices()[0]
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
    error = relative_error(got, function(x))
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

    torch = torch_module()
    import torch.distributed as dist

    if not dist.is_available():
        raise CheckFailed("torch.distributed is not available in this build", fix=ctx.install_fix)
    gpus = 0 if why_no_gpu(torch) else torch.cuda.device_count()
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
    torch = torch_module()
    device = compute_devices()[0]
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
    torch = torch_module()
    devices = []
    gib = 1024**3
    indices = gpu_devices(ctx)
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
