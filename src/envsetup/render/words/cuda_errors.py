"""Findings from error and log lines (diagnose/signal_rules.py) in words: what the line means, its fix.

Used by explain (pasted text), doctor --deep and verify (the stderr of their torch subprocesses).
Sources of the advice: NVIDIA Fabric Manager User Guide (the fabric manager's version must equal
the driver's), NVIDIA CUDA Compatibility (forward compatibility needs a data-center GPU), NVIDIA
Xid catalogue, PEP 668, the CUDA Runtime API error enum.
"""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words
from envsetup.render.words.auto_build import torch_not_compiled_with_cuda
from envsetup.render.words.installer_signals import INSTALLER_WORDS
from envsetup.render.words.params import known as _known
from envsetup.render.words.params import or_unknown as _or


def _no_kernel_image(p: Mapping[str, Any]) -> Words:
    gpu = f"{_or(p, 'gpu', 'this GPU')}{_known(p.get('sm'))}"
    title = f"torch has no kernels for {gpu}: 'no kernel image is available for execution on the device'"
    if p.get("release") and p.get("upgrade_driver"):
        fix = (
            f"No torch build with kernels for {_or(p, 'sm', 'this GPU')} runs on driver "
            f"{_or(p, 'driver')}: "
            f"upgrade the NVIDIA driver to >= {_or(p, 'need')}, then install torch "
            f"{p['release']} {p['variant']}, whose arch list covers {_or(p, 'sm', 'it')}: "
            f"`{p['install']}`."
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


def _driver_too_old(p: Mapping[str, Any]) -> Words:
    driver = f"driver {p['have']}" if p.get("have") else "the NVIDIA driver"
    if p.get("driver_cuda"):
        driver += f" (CUDA {p['driver_cuda']})"
    title = f"{driver} is too old for this torch build"
    if p.get("cuda"):
        title += f" (CUDA {p['cuda']})"
    this = f"driver {p['have']}" if p.get("have") else f"a driver with CUDA {_or(p, 'driver_cuda')}"
    own = f" (CUDA {p['cuda']})" if p.get("cuda") else ""
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
        fix += "."
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
    branch = _or(p, "branch", "BRANCH")
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
        f"{where} nvidia-fabricmanager of exactly the driver's version ({version}; "
        f"`apt-cache policy nvidia-fabricmanager-{branch}` lists it), then "
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


def _static(title: str, fix: str) -> WordFn:
    return lambda p: Words(title.format_map(_Safe(p)), fix.format_map(_Safe(p)))


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _library_not_found(p: Mapping[str, Any]) -> Words:
    library = _or(p, "library")
    needed = f" (needed by {p['needed_by']})" if p.get("needed_by") else ""
    if p.get("program") and not p.get("needed_by"):
        needed = f" (needed by {p['program']})"
    title = f"The dynamic loader cannot find {library}{needed}"
    if p.get("not_torch") and p.get("provider") != "driver":
        fix = _library_for_program(p, library)
    elif p.get("provider") == "driver":
        fix = (
            "libcuda.so comes with the NVIDIA driver, not with torch: install the driver (in "
            "WSL: put /usr/lib/wsl/lib on LD_LIBRARY_PATH; in a container: run it with `--gpus all`)."
        )
        if p.get("unversioned"):
            fix += " If libcuda.so.1 exists, the unversioned link is missing: run `sudo ldconfig`."
    elif p.get("wanted_cudnn"):
        fix = (
            f"{library} is cuDNN {p['wanted_cudnn']}, but this torch ships cuDNN {_or(p, 'pin')} "
            f"({p['provider']}): the program asking for it was built for cuDNN "
            f"{p['wanted_cudnn']}; install a version of that program built for this cuDNN, or "
            f"give it its own environment with `pip install '{p['provider']}=={p['wanted_cudnn']}.*'`."
        )
    elif p.get("provider"):
        pin = f"=={p['pin']}" if p.get("pin") else ""
        fix = (
            f"This torch build gets {library} from the {p['provider']} wheel: "
            f"`pip install {p['provider']}{pin}` into the same environment, and keep other CUDA "
            "directories off LD_LIBRARY_PATH"
        )
        fix += f"; or reinstall: `{_or(p, 'install')}`."
    else:
        fix = (
            f"Install the package that provides {library} for this torch build, or reinstall torch "
            f"with its CUDA libraries: `{_or(p, 'install')}`."
        )
    return Words(title, fix)


def _rocm_no_binary(p: Mapping[str, Any]) -> Words:
    if p.get("nvidia"):
        return Words(
            "hipErrorNoBinaryForGpu: a ROCm (AMD) torch build runs on a machine with NVIDIA GPUs",
            f"Install a CUDA build: `{_or(p, 'install')}`.",
        )
    gfx = p.get("gfx")
    title = f"hipErrorNoBinaryForGpu: the ROCm build has no code object for {gfx or 'this GPU'}"
    if p.get("override"):
        fix = (
            f"{gfx} is not in ROCm's supported list, but its family's supported target runs on it: "
            f"`export HSA_OVERRIDE_GFX_VERSION={p['override']}` before starting the program; "
            "or install a ROCm torch release that lists it."
        )
    elif gfx:
        fix = (
            f"Install a ROCm torch release whose GPU list includes {gfx} (ROCm's GPU support "
            "matrix); HSA_OVERRIDE_GFX_VERSION helps only when a supported target of the same "
            "family exists."
        )
    else:
        fix = (
            "Find the GPU's gfx target with `rocminfo | grep gfx`; if ROCm's list lacks it, set "
            "HSA_OVERRIDE_GFX_VERSION to its family's supported target (10.3.0 for gfx103x, "
            "11.0.0 for gfx110x), or install a ROCm release that supports it."
        )
    return Words(title, fix)


def _library_for_program(p: Mapping[str, Any], library: str) -> str:
    """The fix when the program that failed is not torch: install the library it asks for."""
    program = p.get("program") or "The program"
    if p.get("family") == "cudnn":
        major = _or(p, "library_major", "")
        fix = (
            f"{program} needs cuDNN {major} ({library}), which this system does not provide: "
            f"install it, either NVIDIA's package (`libcudnn{major}` from NVIDIA's CUDA "
            "repository, or the distribution's)"
        )
    else:
        fix = (
            f"{program} needs {library}, which this system does not provide: install it "
            "(the CUDA toolkit's runtime libraries of that major version)"
        )
    if p.get("wheel"):
        fix += (
            f", or `pip install '{p['wheel']}'` and put the wheel's lib directory (under "
            "site-packages/nvidia/) on LD_LIBRARY_PATH"
        )
    return fix + "; then check with `ldconfig -p | grep " + library.split(".so", 1)[0] + "`."


def _cuda_symlink(p: Mapping[str, Any]) -> Words:
    link = _or(p, "link", "/usr/local/cuda")
    why = (
        "into a temporary directory"
        if p.get("reason") == "temporary-target"
        else "at a directory the listing does not show"
    )
    title = f"{link} points {why}{_known(p.get('target'))}: the link is dangling"
    if p.get("toolkit"):
        fix = f"Point it at the installed toolkit: `sudo ln -sfn {p['toolkit']} {link}`."
    else:
        fix = (
            "Point it at an installed toolkit: `ls -d /usr/local/cuda-*`, then "
            f"`sudo ln -sfn /usr/local/cuda-X.Y {link}` (or reinstall the CUDA toolkit)."
        )
    return Words(title, fix)


def _symbol(p: Mapping[str, Any]) -> Words:
    if p.get("torch_abi"):
        # A compiled extension (or libtorch's user) linked against another torch's C++ API.
        ext = _or(p, "library", "A compiled extension")
        return Words(
            f"{ext} was built against another torch: torch's C++ symbol "
            f"{_or(p, 'symbol', '?')} is not in the torch installed",
            "Rebuild or reinstall that extension against the torch installed (`pip install "
            "--no-build-isolation --force-reinstall <package>`, or its wheel made for this "
            "torch and CUDA version), or install the torch it was built for.",
        )
    lib = _or(p, "symbol_library", "CUDA library")
    title = (
        f"{_or(p, 'library', 'A library')} needs {_or(p, 'symbol', 'a symbol')} from "
        f"{lib if p.get('symbol_library') else 'a ' + lib}, but the {lib} the loader found is older"
    )
    if p.get("shadowing"):
        dirs = ", ".join(p["shadowing"])
        fix = (
            f"LD_LIBRARY_PATH puts {dirs} ahead of torch's own {lib}: remove it when running torch "
            "(`env -u LD_LIBRARY_PATH python ...`, or drop that entry from the export)."
        )
    elif p.get("wheel"):
        pin = f"=={p['pin']}" if p.get("pin") else ""
        fix = (
            f"Another {lib} shadows the {p['wheel']} wheel's (check LD_LIBRARY_PATH and "
            f"/etc/ld.so.conf.d); or reinstall it: `pip install {p['wheel']}{pin}`."
        )
    else:
        fix = (
            f"An older {lib} shadows the one torch was built with: check LD_LIBRARY_PATH and "
            "conda's cudatoolkit; reinstall torch in a fresh environment."
        )
    return Words(title, fix)


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


def _exception_title(prefix: str, p: Mapping[str, Any]) -> str:
    exception = _or(p, "exception", "an exception")
    message = f": {p['message']}" if p.get("message") else ""
    return f"{prefix} {exception}{message}"


def _python_exception(p: Mapping[str, Any]) -> Words:
    where = (
        f"it was raised at {p['at']}: read that line and the message"
        if p.get("at")
        else "read the traceback's last frames and the message"
    )
    fix = (
        f"explain sees no environment cause behind {_or(p, 'exception', 'this exception')}: "
        f"{where}. If it "
        "fails only on this machine, paste the whole traceback together with the output of "
        "`envsetup doctor --deep` (or `python -m torch.utils.collect_env`)."
    )
    return Words(_exception_title("The program failed:", p), fix)


def _torch_not_found(p: Mapping[str, Any]) -> Words:
    if p.get("pip_build"):
        package = p.get("package") or "PACKAGE"
        return Words(
            f"pip's build of {p.get('package') or 'a package'} imports torch, but pip builds it "
            "in an isolated environment without torch",
            "Install torch first (`envsetup install --cuda auto`, or the build you use), then "
            f"build the package against it: `pip install --no-build-isolation {package}`.",
        )
    at = f" ({p['at']})" if p.get("at") else ""
    return Words(
        f"The Python that ran this{at} has no torch: 'No module named torch'",
        "Run it with the interpreter of the environment that has torch (activate it; `sudo "
        "python` runs the system's, not the environment's; `python -c 'import sys; "
        "print(sys.executable)'` shows which one runs), or install torch into this one: "
        "`envsetup install --cuda auto`.",
    )


def _torch_import_error(p: Mapping[str, Any]) -> Words:
    at = f" (raised at {p['at']})" if p.get("at") else ""
    fix = (
        f"torch is broken in this environment{at}: `envsetup doctor --deep` names the cause "
        f"when it is a known one; otherwise reinstall torch in a fresh environment: "
        f"`{_or(p, 'install')}`."
    )
    return Words(_exception_title("import torch failed:", p), fix)


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


def _xid(title_prefix: str, fix: str, bare: str = "") -> WordFn:
    """`bare`: the title when no Xid number was logged (the message alone), else " an Xid"."""

    def words(p: Mapping[str, Any]) -> Words:
        count = f", {p['count']} times" if (p.get("count") or 1) > 1 else ""
        meaning = f": {p['meaning']}" if p.get("meaning") else ""
        if p.get("xid") is None and bare:
            gpu = f" (GPU {p['pci']})" if p.get("pci") else ""
            return Words(f"{bare}{gpu}{count}", fix)
        xid = f" Xid {p['xid']}" if p.get("xid") is not None else " an Xid"
        gpu = f" on GPU {p['pci']}" if p.get("pci") else ""
        # The driver logged a cleanup Xid (45) that names this one as its cause.
        logged = f" (named as the cause of the Xid {p['logged']} logged)" if p.get("logged") else ""
        return Words(f"{title_prefix}{xid}{gpu}{meaning}{logged}{count}", fix)

    return words


def _dll_load(p: Mapping[str, Any]) -> Words:
    """windows-dll-load-failed (diagnose/dll_signals.py has the facts and their sources)."""
    library = p.get("library") or (f"a DLL of {p['module']}" if p.get("module") else "a DLL")
    code = f" (WinError {p['winerror']})" if p.get("winerror") is not None else ""
    whose = "torch's own " if p.get("torch_lib") else ""
    title = f"Windows could not load {whose}{library} or a DLL it depends on{code}"
    vc = (
        "install the latest Microsoft Visual C++ Redistributable (x64): "
        "https://aka.ms/vs/17/release/vc_redist.x64.exe"
    )
    fixes = {
        "fbgemm-libomp": (
            "torch 2.4.0's Windows fbgemm.dll needs libomp140.x86_64.dll, which that wheel does "
            "not ship (pytorch/pytorch#131662): install torch 2.4.1 or newer "
            "(`pip install --upgrade torch`, from the same index), or go back to 2.3.1; "
            f"if it persists, {vc}"
        ),
        "wrong-architecture": (
            f"{library} is built for another architecture (32-bit vs 64-bit): use a 64-bit "
            "Python and reinstall the package in a fresh environment"
        ),
        "procedure-not-found": (
            f"Another version of a DLL {library} needs is found first (on PATH or next to the "
            "program): remove that folder from PATH, then reinstall torch in a fresh environment"
        ),
    }
    fix = fixes.get(
        str(p.get("reason")),
        f"The DLL or one it depends on is missing: {vc}, restart, and if it persists reinstall "
        "torch in a fresh environment",
    )
    return Words(title, fix + ".")


WORDS: dict[str, WordFn] = {
    **INSTALLER_WORDS,
    "cuda-no-kernel-image": _no_kernel_image,
    "cuda-no-kernel-image-in-extension": _no_kernel_image_in_extension,
    "cuda-driver-too-old": _driver_too_old,
    "cuda-fabric-manager-not-ready": _fabric_manager,
    "cuda-ptx-newer-than-driver": _ptx,
    "cuda-driver-init-failed": _init_failed,
    "cuda-no-device": _static(
        "CUDA sees no GPU: 'no CUDA-capable device is detected' (error 100)",
        "Check `nvidia-smi` sees the GPU; an empty or wrong CUDA_VISIBLE_DEVICES hides every GPU; "
        "in a container, start it with `--gpus all`.",
    ),
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
    "rocm-no-gpus": _static(
        "The ROCm torch build found no usable AMD GPU ('No HIP GPUs are available')",
        "Check `rocminfo` lists the GPU and that this user can open /dev/kfd and /dev/dri "
        "(groups render and video).",
    ),
    "rocm-no-binary-for-gpu": _rocm_no_binary,
    "pip-externally-managed-error": _static(
        "pip refused to install into the system Python (PEP 668: externally-managed-environment)",
        "Use a virtual environment: `python3 -m venv .venv && .venv/bin/pip install ...`, or "
        "`envsetup install --cuda auto` (creates ./.venv).",
    ),
    "gpu-init-failed": _static(
        "The NVIDIA kernel module could not initialise the GPU (RmInitAdapter failed)",
        "Read the NVRM lines before it in `dmesg`; check that the driver branch supports this GPU, "
        "power-cycle the machine (not just reboot), and check power and PCIe seating.",
    ),
    "secure-boot-rejects-nvidia-module": _static(
        "Secure Boot rejected the unsigned NVIDIA kernel module ('Key was rejected by service')",
        "Check `mokutil --sb-state`; enroll the DKMS signing key (`sudo mokutil --import "
        "/var/lib/dkms/mok.pub`, reboot, confirm in the MOK manager) or disable Secure Boot.",
    ),
    "nvidia-module-load-failed": _static(
        "The NVIDIA installer could not load its kernel module",
        "Read 'Kernel messages' at the end of /var/log/nvidia-installer.log; the usual causes are "
        "Secure Boot (`mokutil --sb-state`), nouveau holding the GPU, or kernel headers not "
        "matching `uname -r`.",
    ),
    "nvidia-module-unsigned": _static(
        "The NVIDIA kernel module is unsigned (the kernel is tainted; harmless unless Secure Boot enforces signatures)",
        "",
    ),
    "nouveau-owns-gpu": _static(
        "The nouveau driver owns the GPU, so NVIDIA's module cannot bind it",
        "Blacklist nouveau (`blacklist nouveau` and `options nouveau modeset=0` in "
        "/etc/modprobe.d/blacklist-nouveau.conf), rebuild the initramfs, reboot.",
    ),
    "cuda-library-not-found": _library_not_found,
    "cuda-library-symbol-missing": _symbol,
    "windows-dll-load-failed": _dll_load,
    "cuda-symlink-dangling": _cuda_symlink,
    "cudnn-version-mismatch": lambda p: Words(
        "cuDNN mismatch: torch was built with "
        + (f"cuDNN {p['compiled']}" if p.get("compiled") else "another cuDNN")
        + (f" but loaded {p['found']}" if p.get("found") else " than the one it loaded"),
        "Another cuDNN shadows torch's own (LD_LIBRARY_PATH, conda's cudnn): remove it from the "
        f"path, or reinstall torch: `{_or(p, 'install')}`.",
    ),
    "gpu-fell-off-bus": _xid(
        "The GPU fell off the bus:",
        "A hardware or power fault: check power cables and PSU, cooling, PCIe seating and the "
        "system BIOS; reboot to recover; repeated, have the GPU serviced.",
        bare="The GPU fell off the bus",
    ),
    "gpu-memory-error": _xid(
        "GPU memory error:",
        "Reset the GPU (`nvidia-smi -r`) or reboot to retire pages / remap rows; check "
        "`nvidia-smi -q -d ECC,ROW_REMAPPER`; repeated, have the GPU serviced.",
    ),
    "gpu-nvlink-error": _xid(
        "NVLink error:",
        "Check `nvidia-smi nvlink -s` and the fabric; reset the GPUs or reboot; repeated, "
        "contact the system vendor.",
    ),
    "gpu-xid-application-fault": _xid(
        "A program faulted on the GPU:",
        "Usually a bug or out-of-bounds access in the program (run with CUDA_LAUNCH_BLOCKING=1 "
        "or compute-sanitizer); on many GPUs or with known-good code, check the hardware.",
    ),
    "gpu-xid": _xid(
        "The NVIDIA driver logged",
        "Look the Xid up in NVIDIA's Xid catalogue (docs.nvidia.com/deploy/xid-errors); update "
        "the driver; reset the GPU or reboot.",
    ),
    "cuda-out-of-memory": _out_of_memory,
    "torch-import-error": _torch_import_error,
    "torch-not-found-by-python": _torch_not_found,
    "python-exception": _python_exception,
}
