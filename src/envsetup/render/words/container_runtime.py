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
    title = (
        "Docker cannot give the container a GPU: no NVIDIA runtime is registered with it"
        f"{driver}; the NVIDIA Container Toolkit is missing or docker is not configured for it"
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


WORDS: dict[str, WordFn] = {
    "k8s-gpu-unschedulable": _k8s_unschedulable,
    "container-toolkit-missing": _toolkit_missing,
    "container-runtime-no-driver": _runtime_no_driver,
}
