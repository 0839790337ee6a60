"""doctor's findings in words (diagnose/*_rules.py say what; this says it to people).

One WordFn per finding id, made from the finding's params only (docs/findings.md lists them).
Every path or value put into a command is quoted for a POSIX shell: a fix must paste safely.
"""

from __future__ import annotations

import shlex
from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words
from envsetup.render.words.fabric import pass_gpu

P = Mapping[str, Any]

RELOAD_MODULES = "sudo rmmod nvidia_uvm nvidia_drm nvidia_modeset nvidia && sudo modprobe nvidia"
BLACKLIST_NOUVEAU = (
    "printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' | sudo tee "
    "/etc/modprobe.d/blacklist-nouveau.conf && sudo update-initramfs -u && sudo reboot"
)
INSTALL_AUTO = "envsetup install --cuda auto"


# ----------------------------------------------------------------------------- the driver


def _driver_library_mismatch(p: P) -> Words:
    return Words(
        "The loaded NVIDIA kernel module and the driver libraries are different versions",
        "A driver update replaced the libraries but the old module is still loaded: reboot, "
        f"or reload the module with `{RELOAD_MODULES}` (stop processes using the GPU first).",
    )


def _nvidia_smi_hung(p: P) -> Words:
    return Words(
        "nvidia-smi did not answer: the driver is probably wedged",
        "Look for Xid errors with `sudo dmesg | grep -i -E 'nvrm|xid'`; enable persistence "
        "mode (`sudo nvidia-smi -pm 1`) if it is slow rather than hung; otherwise reboot.",
    )


def _no_gpu_devices(p: P) -> Words:
    if p.get("open_module"):
        # diagnose/driver_rules.py OPEN_MODULE_ALL_GPUS cites the sources.
        return Words(
            f"The NVIDIA driver is loaded but sees no GPU: its open kernel module "
            f"{p['open_module']} takes Data Center GPUs only, not the {p.get('gpu') or 'GPU'}",
            "Use the proprietary kernel module of the same driver (Arch `nvidia` for "
            "`nvidia-open`, Ubuntu `nvidia-driver-BRANCH` for `nvidia-driver-BRANCH-open`), or a "
            "driver >= 545.23.06, whose open module takes GeForce and workstation GPUs; or add "
            "`options nvidia NVreg_OpenRmEnableUnsupportedGpus=1` to "
            "/etc/modprobe.d/nvidia.conf and reboot.",
        )
    fix = (
        "Check that the GPU is visible on the bus (`lspci | grep -i nvidia`) and supported by "
        "this driver branch; `sudo dmesg | grep NVRM` says why the driver gave up on it"
    )
    if p.get("container"):
        fix += (
            f"; inside this {p['container']} container the GPU may simply not be passed in: "
            + pass_gpu(str(p["container"]))
        )
    return Words("The NVIDIA driver is loaded but sees no GPU", fix + ".")


def _gpu_lost(p: P) -> Words:
    return Words(
        "A GPU stopped responding (fallen off the bus or unknown error)",
        "Check `sudo dmesg | grep -i xid` (Xid 79: fell off the bus), power and cooling, then reboot.",
    )


# NVIDIA/nvidia-container-toolkit #48 (NVIDIA's notice): a container loses its GPUs when systemd
# reloads its cgroups; only a new container gets them back; the host-side workarounds, in NVIDIA's
# order: /dev/char symlinks (nvidia-ctk, at every boot), or Docker's cgroupfs cgroup driver.
_NVML_LOST_HOST_FIX = (
    "to keep it from recurring, on the host run "
    "`sudo nvidia-ctk system create-dev-char-symlinks --create-all` at every boot (NVIDIA's "
    'udev rule) or set `"exec-opts": ["native.cgroupdriver=cgroupfs"]` in '
    "/etc/docker/daemon.json (NVIDIA/nvidia-container-toolkit #48)"
)


def _nvml_unknown_error(p: P) -> Words:
    if p.get("container"):
        return Words(
            f"Inside a {p['container']} container nvidia-smi fails with 'Failed to initialize "
            "NVML: Unknown Error': the container has lost access to the GPU devices it was "
            "started with (the host's systemd reloaded its cgroups, e.g. `systemctl "
            "daemon-reload`)",
            "Delete and re-create the container (a new container gets the GPUs back; restarting "
            f"the program inside it does not); {_NVML_LOST_HOST_FIX}.",
        )
    return Words(
        "nvidia-smi fails with 'Failed to initialize NVML: Unknown Error'",
        "Inside a container this is the container losing access to its GPU devices: delete and "
        f"re-create it; {_NVML_LOST_HOST_FIX}. On the host itself, check "
        "`sudo dmesg | grep -i -E 'NVRM|Xid'` and reboot.",
    )


# nvidia-smi-failed: params["cause"] says which fix applies.
_SMI_FAILED_FIX = {
    "wsl": (
        "In WSL the Windows driver provides the GPU: update the NVIDIA driver on Windows, run "
        "`wsl --update` and `wsl --shutdown` from Windows, and do not install a Linux driver inside WSL."
    ),
    "nouveau": f"nouveau holds the GPU: blacklist it and reboot: `{BLACKLIST_NOUVEAU}`.",
    "driver-not-loaded": (
        "Install (or reinstall) the driver for the running kernel and reboot, e.g. "
        "`sudo ubuntu-drivers install` on Ubuntu; check `lsmod | grep nvidia`, and whether "
        "Secure Boot blocks the unsigned module (`mokutil --sb-state`)."
    ),
}


def _nvidia_smi_failed(p: P) -> Words:
    if p["cause"] == "tools-missing":
        return Words(
            "The NVIDIA kernel module is loaded but nvidia-smi is not found: the driver's "
            "user-space tools are missing",
            "Install the utilities of the loaded driver's branch (Ubuntu: `nvidia-utils-BRANCH`; "
            "RHEL/Fedora: `nvidia-driver-cuda` or `xorg-x11-drv-nvidia-cuda`), or put their "
            "directory on PATH; `cat /proc/driver/nvidia/version` names the loaded version.",
        )
    return Words("nvidia-smi cannot talk to the NVIDIA driver", _SMI_FAILED_FIX[p["cause"]])


def _nouveau_loaded(p: P) -> Words:
    return Words(
        "The open-source nouveau driver is loaded: CUDA cannot use the GPU",
        f"Blacklist nouveau, install the NVIDIA driver and reboot: `{BLACKLIST_NOUVEAU}`.",
    )


def _gpu_without_driver(p: P) -> Words:
    return Words(
        "An NVIDIA GPU is on the PCI bus but no NVIDIA driver is loaded",
        "Install the NVIDIA driver for this kernel and reboot (Ubuntu: `sudo ubuntu-drivers "
        "install`; RHEL/Rocky: the `nvidia-driver` module from NVIDIA's repository); if it is "
        "installed, `sudo modprobe nvidia` shows why the module does not load (Secure Boot?).",
    )


def _wsl_linux_driver_installed(p: P) -> Words:
    return Words(
        "A Linux NVIDIA driver is installed inside WSL; it shadows the Windows driver's libraries",
        "Remove it: `sudo apt-get remove --purge '^nvidia-.*' '^libnvidia-.*'` (keep only a "
        "`cuda-toolkit-X-Y` package, never `cuda` or `cuda-drivers`); WSL mounts the Windows "
        "driver at /usr/lib/wsl/lib.",
    )


def _driver_cuda_unusable(p: P) -> Words:
    title = (
        f"nvidia-smi reports 'CUDA Version: {p['reported']}': the driver's CUDA library (libcuda) "
        "is not usable here"
    )
    container = p.get("container")
    if container == "kubernetes":
        # NVIDIA/k8s-device-plugin issue #257 (CUDA Version: N/A in a pod): the NVIDIA runtime
        # mounts libcuda only for the "compute" driver capability (NVIDIA Container Toolkit docs,
        # "Driver Capabilities"); the GPU Operator runs pods under runtimeClassName nvidia.
        return Words(
            title + " (this Kubernetes pod got nvidia-smi but not libcuda)",
            "Give the pod the compute capability: NVIDIA_DRIVER_CAPABILITIES=compute,utility (or "
            "all) in its env or image, and run it with the NVIDIA runtime (`runtimeClassName: "
            "nvidia`, or nvidia as containerd's default runtime on the node), the GPU requested "
            "as `resources: limits: nvidia.com/gpu: 1`; do not install a driver in the image.",
        )
    if container:
        return Words(
            title + f" (this {container} container got nvidia-smi but not libcuda)",
            "Start it with the NVIDIA Container Toolkit (`--gpus all`, or `--device "
            "nvidia.com/gpu=all` for Podman) and NVIDIA_DRIVER_CAPABILITIES including compute "
            "(compute,utility or all) so libcuda is mounted; do not install a driver in the image.",
        )
    return Words(
        title,
        "In a container, run it with the NVIDIA Container Toolkit (`--gpus all` / the nvidia "
        "runtime) so libcuda is mounted; in WSL, update the Windows driver and `wsl --update`.",
    )


# ----------------------------------------------------------------------------- CUDA toolkits


def _toolkit_without_driver(p: P) -> Words:
    hint = f" (CUDA {p['cuda']} needs driver >= {p['need']})" if p.get("need") else ""
    if p.get("simulated"):
        return _toolkit_with_simulated_driver(p, hint)
    if p.get("container"):
        # The same judgement as container-gpu-not-passed (render/words/fabric.py): the host's
        # driver and the runtime, never a driver inside the container.
        return Words(
            f"A CUDA toolkit is installed but this {p['container']} container has no GPU passed "
            "through (no NVIDIA driver visible): code compiles but cannot run on a GPU",
            f"Restart the container with the GPU: {pass_gpu(str(p['container']))}; the host "
            f"needs the driver{hint}, never install one inside the container. On a build or CI "
            "container without a GPU this is expected; set ENVSETUP_CUDA_DRIVER_VERSION to "
            "resolve for the target machine.",
        )
    return Words(
        "A CUDA toolkit is installed but no NVIDIA driver is loaded: code compiles but cannot run "
        "on a GPU",
        f"On a machine with an NVIDIA GPU, install the driver{hint} and reboot. In a "
        "container, start it with `--gpus all`. On a build or CI machine without a GPU this is "
        "expected; set ENVSETUP_CUDA_DRIVER_VERSION to resolve for the target machine.",
    )


def _toolkit_with_simulated_driver(p: P, hint: str) -> Words:
    """The driver is simulated (ENVSETUP_CUDA_DRIVER_VERSION): say so and its value, not "no
    driver visible"; what would run GPU code here is the second half of the fix."""
    variable = str(p["simulated"]).split("=", 1)[0]
    here = (
        f"the host needs the driver{hint} and the container the GPU: "
        f"{pass_gpu(str(p['container']))}"
        if p.get("container")
        else f"install the driver{hint} and reboot"
    )
    return Words(
        f"A CUDA toolkit is installed; the driver is simulated ({p['simulated']}: supports CUDA "
        f"<= {p.get('driver_cuda') or '?'}), none is read from this machine: the checks use the "
        "simulated value",
        f"Nothing to do on a build or CI machine. To run GPU code here, {here}; unset {variable} "
        "to see this machine as it is.",
    )


def _toolkit_newer_than_driver(p: P) -> Words:
    consequence = (
        "binaries built with it run through minor-version compatibility, but PTX it generates "
        "cannot be JIT-compiled and newer driver features fail"
        if p["same_major"]
        else "binaries built with it fail with 'CUDA driver version is insufficient'"
    )
    upgrade = (
        f"Upgrade the driver to >= {p['need']} for CUDA {p['cuda']}"
        if p.get("need")
        else "Upgrade the NVIDIA driver"
    )
    simulated = (
        f", simulated by {str(p['simulated']).split('=', 1)[0]}" if p.get("simulated") else ""
    )
    return Words(
        f"CUDA toolkit {p['toolkit']} is newer than the driver supports (CUDA "
        f"{p['driver_cuda']}{simulated}): {consequence}",
        f"{upgrade}, or use a toolkit <= {p['driver_cuda']}.",
    )


def _nvcc_path_shadowed(p: P) -> Words:
    return Words(
        f"PATH selects nvcc {p['selected']} although CUDA {p['newest']} is installed",
        f"Put the toolkit you want first: `export PATH={shlex.quote(p['path'])}:"
        f'"$PATH" CUDA_HOME={shlex.quote(p["cuda_home"])}` (or remove the older toolkit, '
        "e.g. Ubuntu's `nvidia-cuda-toolkit`).",
    )


def _ld_library_path_shadows_torch(p: P) -> Words:
    if p.get("library"):  # one library named, with both versions (library_shadow_rules)
        from envsetup.render.words.shadow import library_path_shadow

        return library_path_shadow(p)
    return Words(
        "LD_LIBRARY_PATH puts other CUDA/cuDNN libraries ahead of the ones torch was built with",
        "Drop those directories from LD_LIBRARY_PATH when running PyTorch (e.g. `env -u "
        "LD_LIBRARY_PATH python ...`): pip-installed torch brings its own CUDA libraries.",
    )


def _several_cudnn_versions(p: P) -> Words:
    return Words(
        f"Several cuDNN major versions are installed system-wide ({', '.join(p['majors'])})",
        "Harmless for pip-installed torch, which loads its own; programs linked against the "
        "system copy load whichever the loader finds first (check `ldconfig -p | grep cudnn`).",
    )


# ----------------------------------------------------------------------------- the Python


def _pep668_externally_managed(p: P) -> Words:
    if "tool" in p:  # check-command: the pasted command's installer would meet the marker
        return Words(
            f"{p['tool']} would install into the system Python, which is marked "
            "externally-managed (PEP 668)",
            "install into a virtual environment (envsetup install creates one)",
        )
    return Words(
        f"{p['python']} is externally managed (PEP 668): pip will refuse to install into it",
        "Use a virtual environment: `python3 -m venv .venv && . .venv/bin/activate` "
        "(or `envsetup install --env .venv`). Do not use --break-system-packages.",
    )


def _python_32bit(p: P) -> Words:
    if "tool" in p:  # check-command
        return Words(
            "this Python is 32-bit: PyTorch publishes no 32-bit wheels", "install a 64-bit Python"
        )
    return Words(
        "This Python is 32-bit: PyTorch publishes 64-bit wheels only ('from versions: none')",
        "Install a 64-bit Python (python.org's x86-64 installer, or uv python install 3.12).",
    )


def _python_unsupported_by_torch(p: P) -> Words:
    return Words(
        f"torch {p['release']} supports Python {p['low']}–{p['high']}; this is Python "
        f"{p['python_version']}",
        f"Use Python {p['high']} for torch {p['release']} (e.g. `uv venv --python "
        f"{p['high']}`), or install a torch release that supports Python {p['python']}: "
        f"`{INSTALL_AUTO}`.",
    )


def _install_incomplete(p: P) -> Words:
    state, prefix = p["state"], p["prefix"]
    what = (
        "an interrupted envsetup upgrade"
        if state == "incomplete-upgrade"
        else "a half-finished envsetup install"
    )
    return Words(f"The environment {prefix} is {what}", _install_incomplete_fix(state, prefix))


def _install_incomplete_fix(state: str, prefix: str) -> str:
    # Never a fix that deletes what the user did not ask to delete: --force says it deletes.
    env = shlex.quote(prefix)
    if state == "incomplete-upgrade":
        return (
            "An `envsetup install --upgrade` into this existing environment was stopped before it "
            f"finished: packages may be mixed. Retry it with `envsetup install --env {env} "
            f"--upgrade`; or `envsetup install --env {env} --force` deletes the environment, "
            "with anything else in it, and builds it again."
        )
    if state == "unreadable":
        return (
            f"Look at {shlex.quote(prefix + '/envsetup-install.json')}: `envsetup install --env "
            f"{env} --upgrade` installs into the environment again; `--force` instead deletes "
            "it, with anything else in it, and builds it again."
        )
    return (
        "An install creating this environment was stopped before it finished; nothing is "
        f"removed without --force: `envsetup install --env {env} --force` deletes it, with "
        "everything in it (your files included), and starts again."
    )


# ----------------------------------------------------------------------------- torch


def _torch_not_installed(p: P) -> Words:
    if p.get("install_refused"):
        return Words(f"torch is not installed for {p['python']}", _refused_remedy(p))
    return Words(f"torch is not installed for {p['python']}", _install_where(p))


def _refused_remedy(p: P) -> str:
    """`envsetup install --cuda auto` refuses on this machine (resolve/install_refusal.py, added by the doctor and explain runs, the
    resolver's own refusal): the refusal's remedy, never the install that refuses (attack13 H2)."""
    refused = "envsetup's install refuses on this machine"
    if p.get("jetson"):
        from envsetup.render.words.jetson import builds_sentence

        return f"Install {builds_sentence(p['jetson'])} ({refused}: it knows no pip index of NVIDIA's builds for this JetPack release)."  # fmt: skip
    if p.get("musl"):
        return (
            f"{refused}: PyTorch's Linux wheels are built for glibc and this system's C library "
            "is musl (Alpine). Use a glibc-based system or container image (Debian, Ubuntu; "
            "python:3.X-slim rather than python:3.X-alpine), or build PyTorch from source."
        )
    if p.get("no_platform"):
        return (
            f"{refused}: PyTorch publishes no wheels for this OS and CPU. Use a Linux "
            "x86_64/aarch64, Windows x86_64 or macOS machine, or build PyTorch from source."
        )
    parts = []
    if p.get("glibc_need"):
        parts.append(
            f"torch {p.get('glibc_release') or 'the newest release'}'s wheels need glibc ≥ "
            f"{p['glibc_need']} and this system has {p.get('glibc_have')}"
        )
    if p.get("python_low"):
        parts.append(
            f"torch {p.get('python_release')}, the newest release that runs on it, supports "
            f"Python {p['python_low']}–{p['python_high']}, not {p.get('env_python')}"
        )
    why = f"{refused}: {'; '.join(parts)}." if parts else f"{refused}."
    remedies = []
    if p.get("alternative"):
        remedies.append(f"`{p['alternative']}` (a new environment with a Python it supports)")
    elif p.get("python_low"):
        remedies.append(
            f"a Python in {p['python_low']}–{p['python_high']} (`uv venv --python "
            f"{p['python_high']}`, or `conda create -n torch python={p['python_high']}`)"
        )
    if p.get("glibc_need"):
        remedies.append(
            f"a system or container with glibc ≥ {p['glibc_need']} (a newer distribution)"
        )
    if not remedies:
        return f"{why} Its dry run (install --dry-run) says why in full."
    return f"{why} Use {', or '.join(remedies)}."


def _install_where(p: P) -> str:
    """The install fix and where it installs (diagnose/install_target.py's params; a document
    from before them has only `install`)."""
    into = p.get("install_into")
    if not into:
        return f"`{p['install']}` picks the build that fits this machine and installs it."
    if not p.get("install_new_env"):
        return (
            f"`{p['install']}` picks the build that fits this machine and installs it into {into}."
        )
    own = (
        "envsetup itself runs from this environment and never installs into it; "
        if p.get("envsetup_environment")
        else ""
    )
    return (
        f"{own}`{p['install']}` picks the build that fits this machine and installs it into a "
        f"new environment, {into}."
    )


def _torch_cpu_only_on_gpu_host(p: P) -> Words:
    runs = p.get("runs_here")
    if p.get("release") and runs:
        verb = "runs" if len(runs) == 1 else "run"
        variants = f" ({', '.join(runs)} of torch {p['release']} {verb} here)"
    elif p.get("release") and p.get("cuda_variants"):
        variants = f" ({', '.join(p['cuda_variants'])} exist for torch {p['release']})"
    elif p.get("release"):
        # PyTorch published no CUDA build of this release here (torch 2.2 on linux-aarch64).
        where = p.get("platform_key") or "this platform"
        variants = f" (torch {p['release']} has none for {where}: take a later release's)"
    else:
        variants = ""
    why = ""
    if p.get("from_pypi"):
        # The cause of the kind: PyPI's wheel is the CPU build on this platform (profiles/pypi).
        hedge = "" if p.get("pypi_confirmed", True) else " (unconfirmed)"
        why = (
            f"PyPI's torch {p['release']} for {p.get('platform_key') or 'this platform'} is the "
            f"CPU build{hedge}: `pip install torch` without PyTorch's --index-url gives it here. "
        )
    return Words(
        f"torch {p['torch']} is a CPU-only build, but this machine has a working NVIDIA GPU",
        f"{why}Reinstall a CUDA build{variants}: `{p['install']}`.",
    )


def _driver_too_old_for_torch(p: P) -> Words:
    return Words(
        f"The NVIDIA driver is too old for torch {p['torch']} (built with CUDA {p['cuda']})",
        f"Upgrade the driver to >= {p.get('need') or 'a newer branch'}, or install a torch "
        f"build for CUDA <= {p.get('driver_cuda') or 'what the driver supports'}: "
        f"`{p['install']}`.",
    )


def _gpu_arch_not_in_torch_build(p: P) -> Words:
    gpus = ", ".join(f"{name} ({sm})" for name, sm in zip(p["names"], p["sms"]))
    return Words(
        f"torch {p['torch']} has no kernels for {gpus}: 'no kernel image is available for "
        "execution on the device'",
        _arch_fix(p),
    )


def _arch_fix(p: P) -> str:
    if not p.get("needs_python"):
        return f"Install a build whose arch list covers this GPU: `{p['install']}`."
    oldest, newest = p["releases"]
    releases = f"torch {oldest}" if oldest == newest else f"torch {oldest} to {newest}"
    return (
        f"The builds with kernels for it ({releases}) need Python {p['needs_python']} or newer; "
        f"this environment has Python {p['python']}, so install into a new environment with a "
        f"newer Python: `{p['install']}`. Upgrade torch first, then rebuild CUDA extensions "
        "against the new torch's CUDA."
    )


def _torch_import_failed(p: P) -> Words:
    if p.get("flavor") == "rocm":
        return Words(
            "Importing torch failed in the target interpreter",
            "Read the error: with a ROCm build, a hang or a failed import usually means an "
            "HSA_OVERRIDE_GFX_VERSION this GPU cannot run (`echo $HSA_OVERRIDE_GFX_VERSION`) or "
            "ROCm libraries of another release (libamdhip64, libhsa-runtime64) found first on "
            f"LD_LIBRARY_PATH; reinstall with `{p['install']}` in a fresh environment.",
        )
    return Words(
        "Importing torch failed in the target interpreter",
        "Read the error: a missing or mismatched library (libcudnn, libcudart) usually means "
        "LD_LIBRARY_PATH or a second CUDA install shadows torch's; reinstall with "
        f"`{p['install']}` in a fresh environment.",
    )


def _torch_cuda_unavailable(p: P) -> Words:
    if p.get("gpu_known") is False:
        return Words(
            f"torch {p.get('torch') or ''} is a CUDA build (CUDA {p.get('cuda') or '?'}), yet "
            "torch.cuda.is_available() is False and neither a GPU nor an NVIDIA driver answered",
            "Run `nvidia-smi`: if it is missing or fails, install the NVIDIA driver for this "
            "kernel and reboot (`sudo ubuntu-drivers install` on Ubuntu); in a container, start "
            "it with `--gpus all`; with no NVIDIA GPU, install a CPU build "
            "(`envsetup install --cuda cpu`).",
        )
    return Words(
        "torch is a CUDA build and a GPU is present, yet torch.cuda.is_available() is False",
        "Check CUDA_VISIBLE_DEVICES (an empty or wrong value hides every GPU) and the findings "
        "above about the driver; in a container, start it with `--gpus all`.",
    )


def _mps_needs_newer_macos(p: P) -> Words:
    return Words(
        "PyTorch's MPS (Apple GPU) backend needs macOS 12.3 or newer; this is "
        f"{p['macos_version']}",
        "Update macOS to use the GPU; until then torch runs on the CPU.",
    )


# ----------------------------------------------------------------------------- reading


def _could_not_read(p: P) -> Words:
    return Words(
        f"Could not read {p['what']}: {p['reason']}",
        "Run the command by hand to see what it prints; if the output looks right, report it "
        "with `envsetup doctor --record DIR` attached so the parser can learn it.",
    )


WORDS: dict[str, WordFn] = {
    "could-not-read": _could_not_read,
    "driver-library-mismatch": _driver_library_mismatch,
    "nvidia-smi-hung": _nvidia_smi_hung,
    "no-gpu-devices": _no_gpu_devices,
    "gpu-lost": _gpu_lost,
    "nvml-unknown-error": _nvml_unknown_error,
    "nvidia-smi-failed": _nvidia_smi_failed,
    "nouveau-loaded": _nouveau_loaded,
    "gpu-without-driver": _gpu_without_driver,
    "wsl-linux-driver-installed": _wsl_linux_driver_installed,
    "driver-cuda-unusable": _driver_cuda_unusable,
    "toolkit-without-driver": _toolkit_without_driver,
    "toolkit-newer-than-driver": _toolkit_newer_than_driver,
    "nvcc-path-shadowed": _nvcc_path_shadowed,
    "ld-library-path-shadows-torch": _ld_library_path_shadows_torch,
    "several-cudnn-versions": _several_cudnn_versions,
    "pep668-externally-managed": _pep668_externally_managed,
    "python-32bit": _python_32bit,
    "python-unsupported-by-torch": _python_unsupported_by_torch,
    "install-incomplete": _install_incomplete,
    "torch-not-installed": _torch_not_installed,
    "torch-cpu-only-on-gpu-host": _torch_cpu_only_on_gpu_host,
    "driver-too-old-for-torch": _driver_too_old_for_torch,
    "gpu-arch-not-in-torch-build": _gpu_arch_not_in_torch_build,
    "torch-import-failed": _torch_import_failed,
    "torch-cuda-unavailable": _torch_cuda_unavailable,
    "mps-needs-newer-macos": _mps_needs_newer_macos,
}
