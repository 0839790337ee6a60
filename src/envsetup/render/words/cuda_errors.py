"""Findings from CUDA runtime errors a program prints in words: no kernel image for the
GPU, a driver too old for the build, error 222/803/804/999, fabric manager not ready, out of
memory, no GPU seen (ROCm's runtime errors: render/words/rocm.py). Judged in diagnose/signal_rules.py; used by explain (pasted text), doctor
--deep and verify (the stderr of their torch subprocesses).
Sources of the advice: NVIDIA Fabric Manager User Guide (the fabric manager's version must equal
the driver's), NVIDIA CUDA Compatibility (forward compatibility needs a data-center GPU), the CUDA
Runtime API error enum.
"""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words
from envsetup.render.words.auto_build import torch_not_compiled_with_cuda
from envsetup.render.words.fabric import install_fabric_manager
from envsetup.render.words.params import known as _known
from envsetup.render.words.params import or_unknown as _or
from envsetup.render.words.params import static as _static


def _no_kernel_image(p: Mapping[str, Any]) -> Words:
    gpu = f"{_or(p, 'gpu', 'this GPU')}{_known(p.get('sm'))}"
    title = f"torch has no kernels for {gpu}: 'no kernel image is available for execution on the device'"
    if p.get("jetson"):
        board = f"Jetson {p['jetson_module']}" if p.get("jetson_module") else "This Jetson"
        series = f"JetPack {p['jetson_jetpack']}" if p.get("jetson_jetpack") else "its JetPack"
        fix = (
            f"{board} ({_or(p, 'sm', 'its integrated GPU')}): PyTorch's own aarch64 CUDA wheels "
            "(PyPI, download.pytorch.org, nightly included) are built for server ARM GPUs and "
            f"carry no kernels for it; install NVIDIA's torch build for {series}"
        )
        if p.get("jetson_command"):
            fix += f": `{p['jetson_command']}`."
        elif p.get("jetson_page"):
            fix += f" (listed at {p['jetson_page']})."
        else:
            fix += "."
        return Words(title, fix)
    if p.get("release") and p.get("upgrade_driver"):
        fix = (
            f"No torch build with kernels for {_or(p, 'sm', 'this GPU')} runs on driver "
            f"{_or(p, 'driver')}: "
            f"upgrade the NVIDIA driver to >= {_or(p, 'need')}, then install torch "
            f"{p['release']} {p['variant']}, whose arch list covers {_or(p, 'sm', 'it')}: "
            f"`{p['install']}`."
        )
    elif p.get("release") and p.get("same_release"):
        floor = (
            f" (it needs driver >= {p['need']})" if p.get("need") and not p.get("driver") else ""
        )
        fix = (
            f"Keep torch {p['release']} and reinstall it as its {p['variant']} build, whose "
            f"arch list covers {_or(p, 'sm', 'this GPU')}{floor}: `{p['install']}`."
        )
    elif p.get("release"):
        floor = (
            f" (it needs driver >= {p['need']})" if p.get("need") and not p.get("driver") else ""
        )
        fix = (
            f"Install torch {p['release']} {p['variant']}, whose arch list covers "
            f"{_or(p, 'sm', 'this GPU')}"
            f"{floor}: `{p['install']}`."
        )
    elif p.get("capability_unknown"):
        fix = (
            "This GPU's compute capability is not known (nothing states it, and no name "
            "envsetup's GPU table lists), so no build can be named: run `nvidia-smi "
            "--query-gpu=name,compute_cap --format=csv` and explain its output together with "
            "this error."
        )
    elif p.get("too_old_for_torch"):
        fix = (
            f"{_or(p, 'gpu', 'This GPU')} ({_or(p, 'sm', 'its compute capability')}) is older "
            "than any PyTorch runs on (compute capability 3.0 at least), and no CUDA toolkit "
            "since 9.0 compiles for it, so a build from source does not help either: run torch "
            f"on the CPU (`{_or(p, 'install')}`), or use a newer GPU."
        )
    elif p.get("last_branch"):
        fix = (
            f"No torch release envsetup knows has kernels for {_or(p, 'sm', 'this GPU')} and runs "
            f"on driver {_or(p, 'driver')}, and R{p['last_branch']} is the last driver branch "
            "for this GPU: build torch from source with TORCH_CUDA_ARCH_LIST naming it."
        )
    else:
        fix = (
            f"No torch release envsetup knows has kernels for {_or(p, 'sm', 'this GPU')}: build "
            "torch from source with TORCH_CUDA_ARCH_LIST naming it."
        )
    return Words(title, fix)


_ARCH_SOURCES = {
    "torch": "read from torch.cuda.get_arch_list()",
    "range": "the top of the range the warning prints",
    "profile": "read from envsetup's profile of this build",
}


def _arch_warning_harmless(p: Mapping[str, Any]) -> Words:
    gpu = f"{_or(p, 'gpu', 'this GPU')}{_known(p.get('sm'))}"
    read = _ARCH_SOURCES.get(str(p.get("arch_source")), "read from its arch list")
    torch = f"torch {p['torch']}" if p.get("torch") else "this torch"
    if p.get("runs_as") == "ptx-jit":
        how = (
            f"its {_or(p, 'target')} PTX ({read}) is compiled for the GPU by the driver at first "
            "use (a slower first start)"
        )
    else:
        how = (
            f"its {_or(p, 'target')} code ({read}) runs there: a cubin built for X.y runs on "
            "every X.z with z >= y (NVIDIA's binary compatibility rule)"
        )
    return Words(
        f"torch's warning that {torch} has no kernels for {gpu} is a false alarm",
        f"Nothing to fix: {how}. torch 2.8 to 2.12 compare the capability with their arch "
        "list's highest entry as a number, and 2.13's new warning still fires on a GB10 "
        "(pytorch/pytorch #164596, #172629); the GPU runs this build. If a later 'no kernel "
        "image' error appears, it comes from an extension, not from torch.",
    )


def _ptxas_arch(p: Mapping[str, Any]) -> Words:
    program, arch = _or(p, "program", "ptxas"), _or(p, "arch", "this target")
    cap = f" (compute capability {p['capability']})" if p.get("capability") else ""
    if p.get("reason") == "removed":
        return Words(
            f"{program} no longer builds for {arch}{cap}: CUDA {p['removed']} dropped it",
            f"This ptxas is from CUDA {p['removed']} or later: build with an older CUDA toolkit "
            f"(before {p['removed']}) for this GPU, or drop {arch} from the build's arch list "
            "(TORCH_CUDA_ARCH_LIST, CMAKE_CUDA_ARCHITECTURES, -gencode).",
        )
    first = f"CUDA {p['first']}" if p.get("first") else "the CUDA release that knows it"
    title = f"{program} does not know {arch}{cap}: it predates {first}, the first to build for it"
    ptxas = p.get("ptxas") or "/usr/local/cuda/bin/ptxas"
    where = (
        "this machine has one" if p.get("ptxas") else f"where /usr/local/cuda is {first} or later"
    )
    triton = (
        f"Triton's bundled {program} is older than this GPU: point Triton at the ptxas of a "
        f"{first}+ toolkit ({where}): `export TRITON_PTXAS_PATH={ptxas} "
        f"TRITON_PTXAS_BLACKWELL_PATH={ptxas}` (Triton 3.5+ uses the second for sm_100 and "
        "up); or upgrade Triton (torch's pytorch-triton comes with torch) to a release that "
        "bundles one"
    )
    need = first
    build = f"an nvcc build: use {need} or later (its nvcc and ptxas)"
    fix = (
        f"{triton}."
        if p.get("triton")
        else f"If Triton printed it (torch.compile, vLLM): {triton}; for {build}."
    )
    return Words(title, fix)


def _no_kernel_image_in_extension(p: Mapping[str, Any]) -> Words:
    gpu = f"{_or(p, 'gpu', 'this GPU')}{_known(p.get('sm'))}"
    read = "its arch list" if p.get("arch_source") == "torch" else "its build's arch list"
    title = (
        f"an extension has no kernels for {gpu}: 'no kernel image is available for execution "
        f"on the device', though torch {_or(p, 'torch')} has them ({read})"
    )
    fix = (
        "The missing kernel is in a package compiled against torch (vLLM's `_C`, flash-attn, "
        "xformers, a custom op), not in torch: the traceback's last frames name it. Install a "
        f"release of it built for {_or(p, 'sm', 'this GPU')}, or rebuild it from source with "
        f"TORCH_CUDA_ARCH_LIST naming {_or(p, 'sm', 'it')} against this torch."
    )
    return Words(title, fix)


def _no_device(p: Mapping[str, Any]) -> Words:
    title = "CUDA sees no GPU: 'no CUDA-capable device is detected' (error 100)"
    if p.get("wsl"):
        # Under WSL 2 the GPU is the Windows driver's, reached through /usr/lib/wsl/lib (NVIDIA's
        # CUDA on WSL User Guide); a Linux driver installed inside WSL replaces those libraries.
        return Words(
            title,
            "Under WSL 2 the GPU comes from NVIDIA's Windows driver: check "
            "`/usr/lib/wsl/lib/nvidia-smi`, update WSL (`wsl --update`, then `wsl --shutdown`), and "
            "install no Linux NVIDIA driver inside WSL (`lspci` shows no NVIDIA device there: that "
            "is expected); WSL 1 has no GPU at all (`wsl --set-version DISTRO 2`).",
        )
    return Words(
        title,
        "Check `nvidia-smi` sees the GPU; an empty or wrong CUDA_VISIBLE_DEVICES hides every GPU; "
        "in a container, start it with `--gpus all`.",
    )


def _driver_too_old(p: Mapping[str, Any]) -> Words:
    driver = f"driver {p['have']}" if p.get("have") else "the NVIDIA driver"
    if p.get("driver_cuda"):
        driver += f" (CUDA {p['driver_cuda']})"
    if p.get("program") == "cuda-runtime":
        return Words(
            f"{driver} is too old for the CUDA runtime this program was built with",
            "A program built with a CUDA toolkit (deviceQuery, the CUDA samples) needs a driver "
            "that supports that toolkit's CUDA: upgrade the driver (under WSL 2: NVIDIA's Windows "
            "driver), or build the program with a toolkit no newer than the CUDA the driver "
            "supports (`nvidia-smi` prints it).",
        )
    title = f"{driver} is too old for this torch build"
    if p.get("cuda"):
        title += f" (CUDA {p['cuda']})"
    this = f"driver {p['have']}" if p.get("have") else f"a driver with CUDA {_or(p, 'driver_cuda')}"
    own = f" (CUDA {p['cuda']})" if p.get("cuda") else ""
    if p.get("failing_major") and not p.get("cuda"):
        own = (
            f" (a CUDA {p['failing_major']}.x build: a driver with CUDA "
            f"{_or(p, 'driver_cuda')} runs every older build envsetup knows)"
        )
    upgrade = (
        f"upgrade the driver to >= {p['need']} for the build you have{own}"
        if p.get("need")
        else "upgrade the driver"
    )
    if p.get("release") and p.get("build_need"):
        fix = (
            f"If the driver is >= {p['build_need']} (`nvidia-smi` shows its version), torch "
            f"{p['release']} {p['variant']} runs on it: `{p['install']}`; otherwise {upgrade}."
        )
    elif p.get("release"):
        fix = (
            f"Install torch {p['release']} {p['variant']}, the newest build that runs on {this}: "
            f"`{p['install']}`; or {upgrade}."
        )
    elif p.get("no_build"):
        fix = f"No torch build envsetup knows runs on {this}: "
        if p.get("need"):
            fix += upgrade
            if p.get("lowest") and p["lowest"] != p["need"]:
                fix += f"; >= {p['lowest']} runs the oldest builds envsetup knows"
        elif p.get("lowest"):
            fix += (
                f"upgrade the driver to >= {p['lowest']} (the oldest builds envsetup knows need it)"
            )
        else:
            fix += "upgrade the driver"
        # envsetup's profiles start at torch 2.0; PyTorch still serves older 1.x builds for older
        # CUDA (https://pytorch.org/get-started/previous-versions/), the way out where the driver
        # cannot be changed (a shared cluster).
        fix += (
            ". Where the driver cannot be upgraded (a shared cluster), an older torch 1.x build "
            "for the CUDA the driver supports may run (PyTorch's previous versions page: "
            "https://pytorch.org/get-started/previous-versions/); envsetup's profiles start at "
            "torch 2.0."
        )
    else:
        need = f" to >= {p['need']}" if p.get("need") else ""
        fix = (
            f"Upgrade the driver{need}, or install a torch build for the CUDA the driver supports: "
            f"`{_or(p, 'install')}`."
        )
    return Words(title, fix)


def _fabric_manager(p: Mapping[str, Any]) -> Words:
    title = (
        "CUDA error 802 'system not yet initialized': the NVSwitch fabric manager is not running"
    )
    if p.get("seen_error") is False:  # judged from the host (doctor), before any CUDA error
        title = (
            "The NVSwitch fabric manager is not ready: CUDA will fail with error 802 'system "
            "not yet initialized'"
        )
        if p.get("manager_state"):
            title += f" (nvidia-fabricmanager is {p['manager_state']})"
        if p.get("fabric_state"):
            gpus = ", ".join(str(g) for g in p.get("not_ready_gpus") or [])
            title += f" (fabric state {p['fabric_state']} on GPU {gpus})"
    if p.get("fabricmanager"):
        title += (
            f" (fabric manager {p['fabricmanager']} != driver {_or(p, 'driver', 'the driver')})"
        )
    version = p["driver"] if p.get("driver") else "`nvidia-smi` shows it"
    if p.get("on_host") is False:
        # GB200/GB300 NVL: the fabric is set up by the fabric manager on the NVLink switch
        # trays; an inactive nvidia-fabricmanager on the compute tray is normal there
        # (leptonai/gpud pull request #1106, https://github.com/leptonai/gpud/pull/1106).
        return Words(
            title,
            "On this rack-scale (GB200/GB300 NVL) system the fabric manager runs on the NVLink "
            "switch trays, not on this compute tray: ask the rack's administrator to check it and "
            "the NVLink domain (and `nvidia-imex` for multi-node), then wait until `nvidia-smi -q "
            "| grep -A6 Fabric` says State: Completed, Status: Success.",
        )
    where = (
        f"On the host, not inside this {p['container']} container (the fabric manager is a host "
        "service): install"
        if p.get("container")
        else "Install"
    )
    return Words(
        title,
        f"{where} nvidia-fabricmanager of exactly the driver's version ({version}): "
        f"{install_fabric_manager(p)}; then "
        "`sudo systemctl enable --now nvidia-fabricmanager`; check `systemctl status nvidia-fabricmanager`.",
    )


def _ptx(p: Mapping[str, Any]) -> Words:
    nvcc = f" (nvcc {p['nvcc']})" if p.get("nvcc") else ""
    need = f" >= {p['need']}" if p.get("need") else ""
    driver = f"driver {p['driver']}" if p.get("driver") else "the driver"
    if p.get("driver_cuda"):
        driver += f" (CUDA {p['driver_cuda']})"
    return Words(
        f"CUDA error 222: code compiled by a newer CUDA toolkit{nvcc} than {driver} supports",
        f"Upgrade the driver{need}, or rebuild the extension with a toolkit no newer than CUDA "
        f"{_or(p, 'driver_cuda', 'the driver supports')}.",
    )


def _out_of_memory(p: Mapping[str, Any]) -> Words:
    gpu = f" on GPU {p['gpu']}" if p.get("gpu") is not None else ""
    if p.get("gpu_name"):
        gpu += f" ({p['gpu_name']})"
    parts = [f"tried to allocate {p['tried']}"] if p.get("tried") else []
    if p.get("free") and p.get("capacity"):
        parts.append(f"{p['free']} free of {p['capacity']}")
    elif p.get("capacity"):
        parts.append(f"{p['capacity']} in all")
    title = f"CUDA out of memory{gpu}" + (f": {', '.join(parts)}" if parts else "")
    smaller = (
        "make the work smaller (batch size, image size or sequence length), use fp16/bf16 "
        "or 8-bit/4-bit weights, gradient checkpointing or CPU offload"
    )
    reason = p.get("reason")
    if reason == "larger-than-gpu":
        fix = (
            f"One allocation ({p['tried']}) is larger than the whole GPU ({p['capacity']}): "
            f"{smaller}, or use a GPU with more memory."
        )
    elif reason == "other-processes":
        fix = (
            f"Other processes hold about {p['others']} of this GPU: `nvidia-smi` lists them; "
            "stop them, or run on a free GPU (CUDA_VISIBLE_DEVICES=N)."
        )
    elif reason == "free-but-refused":
        fix = (
            f"The GPU shows {p['free']} free, more than the {p['tried']} asked for, yet no block "
            "that large was free: memory fragmented by earlier allocations (or, on Windows, "
            "held back by the WDDM driver). Start the program with "
            f"`PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True`; if it still fails, {smaller}."
        )
    elif reason == "fragmentation":
        fix = (
            f"PyTorch holds {p['unallocated']} reserved but unallocated (fragmentation): start "
            "the program with `PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True`; if it still "
            f"fails, {smaller}."
        )
    else:
        fix = (
            f"The program needs more memory than this GPU has: {smaller}; keep no references "
            "to tensors you no longer need (e.g. sum `loss.item()`, not `loss`)."
        )
    return Words(title, fix)


def _init_failed(p: Mapping[str, Any]) -> Words:
    """CUDA error 3, cudaErrorInitializationError: "the CUDA driver and runtime could not be
    initialized" (CUDA Runtime API, enum cudaError:
    https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html). A child process
    cannot use a CUDA context its parent made before fork() (CUDA C++ Programming Guide; torch:
    "Cannot re-initialize CUDA in forked subprocess")."""
    title = "CUDA error 3 (cudaErrorInitializationError): the CUDA driver and runtime could not be initialised"
    spawn = (
        "use the 'spawn' start method (`torch.multiprocessing.set_start_method(\"spawn\")`, or "
        '`DataLoader(..., multiprocessing_context="spawn")`), or keep CUDA out of the parent '
        "until the workers have started (no .cuda() in a Dataset or collate_fn)"
    )
    if p.get("in_worker"):
        return Words(
            title + " in a worker process",
            "CUDA was initialised in the parent before it forked its workers, and a forked child "
            f"cannot use it: {spawn}.",
        )
    driver = f" ({p['driver']})" if p.get("driver") else ""
    return Words(
        title,
        f"Run `nvidia-smi`: if it fails ('Driver/library version mismatch') or the driver{driver} "
        "was updated since boot, reboot so the loaded kernel module matches the libraries; "
        "`dmesg | grep NVRM` shows a module that did not start. If the program forks after "
        f"using CUDA (multiprocessing, DataLoader workers), {spawn}.",
    )


def _host_compiler_rejected(p: Mapping[str, Any]) -> Words:
    highest = p["highest"]
    nvcc = f"nvcc {p['nvcc']}" if p.get("nvcc") else "nvcc"
    where = f" (the CUDA toolkit at {p['toolkit']})" if p.get("toolkit") else ""
    return Words(
        f"{nvcc}{where} accepts gcc {highest} at most and stopped with 'unsupported GNU "
        "version!': the host compiler is newer, so CUDA code (extensions) will not build",
        f"Install gcc {highest} (e.g. `sudo apt install gcc-{highest} g++-{highest}`) and build "
        f"with `CC=gcc-{highest} CXX=g++-{highest}` (torch passes CC to nvcc as -ccbin; CMake: "
        f"`CUDAHOSTCXX=g++-{highest}`), or use a newer CUDA toolkit whose nvcc accepts your gcc "
        "(point CUDA_HOME and PATH at it). `-allow-unsupported-compiler` only skips the check.",
    )


WORDS: dict[str, WordFn] = {
    "nvcc-host-compiler-unsupported": _host_compiler_rejected,
    "cuda-no-kernel-image": _no_kernel_image,
    "cuda-no-kernel-image-in-extension": _no_kernel_image_in_extension,
    "torch-arch-warning-harmless": _arch_warning_harmless,
    "ptxas-gpu-arch-unknown": _ptxas_arch,
    "cuda-driver-too-old": _driver_too_old,
    "cuda-fabric-manager-not-ready": _fabric_manager,
    "cuda-ptx-newer-than-driver": _ptx,
    "cuda-driver-init-failed": _init_failed,
    "cuda-no-device": _no_device,
    "cuda-driver-library-mismatch": _static(
        "CUDA error 803: the driver's user-space library (libcuda) and its kernel module differ",
        "Reboot after a driver update (or reinstall one driver version); inside a container, do "
        "not ship a libcuda of another version.",
    ),
    "cuda-forward-compat-unsupported": lambda p: Words(
        "CUDA error 804: forward-compatibility libraries (cuda-compat) were loaded on a GPU that "
        "does not support them"
        + _known(
            f"driver {p.get('driver')}" if p.get("driver") else None,
            f"CUDA {p.get('driver_cuda')}" if p.get("driver_cuda") else None,
        ),
        "Forward compatibility works on data-center GPUs only: remove the compat directory "
        "(e.g. /usr/local/cuda/compat) from LD_LIBRARY_PATH, use a container whose CUDA is no "
        "newer than the driver's, or upgrade the driver.",
    ),
    # cudaErrorDevicesUnavailable (46), CUDA Runtime API: "all CUDA devices are busy or unavailable
    # at the current time ... due to use of cudaComputeModeProhibited, cudaComputeModeExclusiveProcess,
    # or when long running CUDA kernels have filled up the GPU".
    "cuda-devices-unavailable": _static(
        "CUDA error 46: every GPU this process may use is busy or unavailable",
        "A GPU in Exclusive_Process or Prohibited compute mode held by another process, or one "
        "filled by another job, refuses a new one: `nvidia-smi --query-gpu=index,compute_mode "
        "--format=csv` and `nvidia-smi` (its processes) tell which; stop that process, pick a free "
        "GPU with CUDA_VISIBLE_DEVICES, or set the default mode (`sudo nvidia-smi -i N -c "
        "DEFAULT`, an admin's choice on shared servers).",
    ),
    "cuda-unknown-error": _static(
        "CUDA initialization failed with 'CUDA unknown error' (999)",
        "Usually after suspend/resume or a driver update: `sudo modprobe -r nvidia_uvm && sudo "
        "modprobe nvidia_uvm`, else reboot; check `dmesg | grep -i xid`.",
    ),
    # Worded in render/words/auto_build.py: why `--cuda auto` gives no CUDA build on some hosts.
    "torch-not-compiled-with-cuda": torch_not_compiled_with_cuda,
    "torch-no-nvidia-driver": _static(
        "torch found no NVIDIA driver on this system",
        "Install the NVIDIA driver for the GPU (check `lspci | grep -i nvidia`), then reboot.",
    ),
    "cuda-out-of-memory": _out_of_memory,
}
