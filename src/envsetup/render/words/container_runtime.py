"""Words for diagnose/container_signals.py: the container runtime's pasted GPU errors.

Sources of the advice: NVIDIA Container Toolkit install guide
(https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html:
install the `nvidia-container-toolkit` package, `sudo nvidia-ctk runtime configure
--runtime=docker`, `sudo systemctl restart docker`; a snap-installed docker is not supported by
that guide, NVIDIA/nvidia-docker issue #1642); the hook needs the host's driver loaded and its
libraries installed (NVIDIA/nvidia-container-toolkit issue #1269).
"""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words

P = Mapping[str, Any]

_TOOLKIT_FIX = (
    "On the host, install the NVIDIA Container Toolkit (`sudo apt-get install "
    "nvidia-container-toolkit` from NVIDIA's repository, or `sudo dnf install "
    "nvidia-container-toolkit`), then `sudo nvidia-ctk runtime configure --runtime=docker` and "
    "`sudo systemctl restart docker`; check with `docker run --rm --gpus all ubuntu nvidia-smi`."
)


# Docker Desktop gives containers NVIDIA GPUs only on Windows with its WSL 2 backend, with an
# NVIDIA driver supporting WSL 2 GPU paravirtualization and an up-to-date WSL kernel
# (https://docs.docker.com/desktop/features/gpu/); no toolkit is installed there.
_DESKTOP_FIX = (
    "Docker Desktop on Windows gives containers the GPU only with its WSL 2 backend (Settings > "
    "General > Use the WSL 2 based engine), NVIDIA's Windows driver with WSL 2 support and an "
    "up-to-date WSL kernel (`wsl --update`); nothing is installed for the GPU inside WSL or "
    "the image."
)


def _toolkit_missing(p: P) -> Words:
    driver = f' (it asked for the "{p["driver"]}" driver)' if p.get("driver") else ""
    if p.get("runtime_name"):
        driver = f' ("unknown or invalid runtime name: {p["runtime_name"]}")'
    title = (
        "Docker cannot give the container a GPU: no NVIDIA runtime is registered with it"
        f"{driver}; the NVIDIA Container Toolkit is missing or docker is not configured for it"
    )
    if p.get("jetson"):
        # JetPack's nvidia-container package pulls in the toolkit; the same configure step
        # registers the runtime (NVIDIA-AI-IOT/live-vlm-webui issue #28; dusty-nv/
        # jetson-containers issue #1460, L4T 36.4.7).
        return Words(
            title,
            f"On this {p['jetson']}: `sudo apt-get install nvidia-container` (JetPack's package "
            "of the NVIDIA Container Toolkit), then `sudo nvidia-ctk runtime configure "
            "--runtime=docker` and `sudo systemctl restart docker`; `docker info | grep -i "
            "runtime` must list nvidia.",
        )
    if p.get("system") == "Windows":
        return Words(title, _DESKTOP_FIX)
    if p.get("system"):
        return Words(title, _TOOLKIT_FIX)
    return Words(title, f"{_TOOLKIT_FIX} On Windows instead: {_DESKTOP_FIX}")


_CAUSES = {
    "module-not-loaded": (
        "the host's NVIDIA kernel module is not loaded",
        "On the host, check `nvidia-smi`: load the driver (`sudo modprobe nvidia`, or reboot "
        "after a driver install or kernel update; reinstall the driver if the module is missing "
        "for the running kernel), then start the container again.",
    ),
    "libraries-missing": (
        "the host has no NVIDIA driver libraries (libnvidia-ml.so.1)",
        "Install the NVIDIA driver on the host (not in the image) and check `nvidia-smi` there; "
        "under WSL 2 install the Windows NVIDIA driver and update WSL (`wsl --update`).",
    ),
    "version-mismatch": (
        "the host's driver libraries and kernel module differ (a driver update without a reboot)",
        "Reboot the host (or reload the nvidia modules) so that the kernel module matches the "
        "driver's libraries; `nvidia-smi` on the host must work first.",
    ),
}


def _runtime_no_driver(p: P) -> Words:
    cause, fix = _CAUSES.get(
        str(p.get("cause")),
        (
            "the NVIDIA Container Toolkit's hook cannot initialise the host's driver",
            "On the host, make `nvidia-smi` work first (driver installed and loaded), then "
            "`nvidia-container-cli info` must list the GPUs; start the container again.",
        ),
    )
    reason = f" ({p['reason']})" if p.get("reason") else ""
    return Words(f"The container could not get the GPU: {cause}{reason}", fix)


def _k8s_unschedulable(p: P) -> Words:
    resource = p.get("resource") or "nvidia.com/gpu"
    of = f" ({p['insufficient']} of {p['nodes']} nodes lack it)" if p.get("nodes") else ""
    vendor = (
        "AMD GPU device plugin"
        if resource.startswith("amd")
        else "NVIDIA device plugin (or the GPU Operator)"
    )
    return Words(
        f"Kubernetes cannot schedule the pod: no node has a free {resource}{of}",
        f"Check the GPU nodes advertise it (`kubectl describe node NODE`: {resource} under "
        f"Capacity and Allocatable; 0 or missing means the {vendor} is not running there: "
        "`kubectl get pods -A | grep -i device-plugin`), that other pods do not hold every GPU, "
        "and that the pod asks for no more GPUs than one node has and matches its node selector "
        "and tolerations.",
    )


def _gpu_not_injected(p: P) -> Words:
    runtime = str(p.get("runtime") or "")
    gpus = f" (its limits: nvidia.com/gpu: {p['gpus']})" if p.get("gpus") else ""
    what = {"kubernetes": "Kubernetes pod", "": "container"}.get(runtime, f"{runtime} container")
    title = (
        f"The {what} asked for the GPU{gpus} but the NVIDIA runtime did not set it up: "
        "nvidia-smi (which the NVIDIA Container Toolkit mounts from the host) is not in it"
    )
    if runtime == "kubernetes":
        # The device plugin allocates; the NVIDIA runtime injects (GPU Operator: runtimeClassName
        # nvidia; NVIDIA/nvkind issue #31, fixed by accept-nvidia-visible-devices-as-volume-mounts).
        return Words(
            title,
            "Run the pod with the NVIDIA runtime: `runtimeClassName: nvidia` in its spec (the GPU "
            "Operator's class), or make nvidia containerd's default runtime on the node (`sudo "
            "nvidia-ctk runtime configure --runtime=containerd --set-as-default`, restart "
            "containerd); if the device plugin passes devices as volume mounts (kind/nvkind), set "
            "`accept-nvidia-visible-devices-as-volume-mounts = true` in "
            "/etc/nvidia-container-runtime/config.toml. Keep NVIDIA_DRIVER_CAPABILITIES at "
            "compute,utility; do not install a driver in the image.",
        )
    return Words(
        title,
        "Check the host: `nvidia-ctk --version`, `docker info | grep -i runtime` (nvidia listed), "
        "and that NVIDIA_DRIVER_CAPABILITIES, if the image sets it, includes utility (nvidia-smi) "
        "and compute (libcuda); `docker run --rm --gpus all ubuntu nvidia-smi` must work.",
    )


def _cuda_requirement(p: P) -> Words:
    have = ""
    if p.get("host_driver"):
        cuda = f", CUDA {p['driver_cuda']}" if p.get("driver_cuda") else ""
        have = f" ({p['host_driver']}{cuda})"
    need = f"CUDA {p['cuda']}"
    linux, windows = p.get("need_linux"), p.get("need_windows")
    if p.get("system") == "Windows":
        floor = f"driver >= {windows}" if windows else "a newer driver"
        where = "the Windows driver (Docker Desktop and WSL 2 use it)"
    elif p.get("system") == "Linux":
        floor = f"driver >= {linux}" if linux else "a newer driver"
        where = "the host's driver"
    else:
        floor = (
            f"driver >= {linux} on Linux, >= {windows} on Windows (Docker Desktop / WSL 2)"
            if linux and windows
            else "a newer driver"
        )
        where = "the host's driver"
    older = f" (<= CUDA {p['driver_cuda']})" if p.get("driver_cuda") else ""
    return Words(
        f"The image requires {need} (its NVIDIA_REQUIRE_CUDA) and the NVIDIA Container Toolkit "
        f"refused to start it: the host's driver{have} is older",
        f"Update {where} to a {need} {floor}, or use a tag of the image built for the driver's "
        f"CUDA{older}. NVIDIA_DISABLE_REQUIRES=true only skips the check: the image's CUDA then "
        "fails at run time.",
    )


def _cdi_spec_missing(p: P) -> Words:
    devices = p.get("devices") or "nvidia.com/gpu=all"
    return Words(
        f"Podman cannot resolve the CDI device {devices}: the host has no NVIDIA CDI "
        "specification (or it is stale)",
        "On the host: `sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml` (the NVIDIA "
        "Container Toolkit), check with `nvidia-ctk cdi list` that nvidia.com/gpu=all is listed, "
        "and regenerate it after every driver update; then `podman run --device "
        "nvidia.com/gpu=all ...` (docker's `--gpus` emulated by podman asks for the same CDI "
        "device).",
    )


def _nvml_permissions(p: P) -> Words:
    where = "the container runtime's hook" if p.get("hook") else "nvidia-smi"
    runtime = p.get("runtime")
    title = (
        f"NVML may not open the GPU's device nodes (Insufficient Permissions, from {where}): the "
        "driver is there, access to /dev/nvidia* is refused"
    )
    container = (
        "on SELinux hosts (Fedora, RHEL) allow containers the devices, `sudo setsebool -P "
        "container_use_devices 1` (or run with `--security-opt=label=disable`); for rootless "
        "podman/docker use CDI (`sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml`, "
        "`--device nvidia.com/gpu=all`) or the legacy hook with `no-cgroups = true` in "
        "/etc/nvidia-container-runtime/config.toml"
    )
    host = (
        "`ls -l /dev/nvidia*` must show them readable by this user (the driver's default is "
        "0666; NVreg_DeviceFileMode / NVreg_DeviceFileGID in /etc/modprobe.d change it: add the "
        "user to that group or restore the default)"
    )
    if runtime or p.get("hook"):
        return Words(
            title,
            f"In the container: {container}; on the host, {host}. Do not reinstall the driver.",
        )
    return Words(
        title, f"On a host: {host}. In a container: {container}. Do not reinstall the driver."
    )


WORDS: dict[str, WordFn] = {
    "container-gpu-not-injected": _gpu_not_injected,
    "container-cuda-requirement-unmet": _cuda_requirement,
    "container-cdi-spec-missing": _cdi_spec_missing,
    "nvml-insufficient-permissions": _nvml_permissions,
    "k8s-gpu-unschedulable": _k8s_unschedulable,
    "container-toolkit-missing": _toolkit_missing,
    "container-runtime-no-driver": _runtime_no_driver,
}
