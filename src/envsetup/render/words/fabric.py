"""Words for diagnose/gpu_access_rules.py: the NVSwitch fabric and a container's GPU.

Sources of the advice: NVIDIA Fabric Manager User Guide
(https://docs.nvidia.com/datacenter/tesla/fabric-manager-user-guide/index.html: install the
fabric manager package of exactly the driver's version, `systemctl enable --now
nvidia-fabricmanager`; a GPU that fails to register loses its NVLink peers); NVIDIA Container
Toolkit user guide (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/
sample-workload.html: `docker run --runtime=nvidia --gpus all`, Podman through CDI
`--device nvidia.com/gpu=all`); NVIDIA device plugin for Kubernetes
(https://github.com/NVIDIA/k8s-device-plugin: `resources.limits: nvidia.com/gpu: 1`).
(`cuda-fabric-manager-not-ready` is worded in render/words/cuda_errors.py, one finding for a paste
and a host.)
"""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words

P = Mapping[str, Any]

# How to give a container the GPU, per runtime (OsFacts.container's values).
PASS_GPU = {
    "docker": "start it with `docker run --gpus all ...` (the NVIDIA Container Toolkit installed "
    "on the host and `sudo nvidia-ctk runtime configure --runtime=docker`)",
    "podman": "start it with `podman run --device nvidia.com/gpu=all ...` (CDI: "
    "`sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml` on the host)",
    "kubernetes": "request the GPU in the pod spec, `resources: limits: nvidia.com/gpu: 1`, on a "
    "node running the NVIDIA device plugin (or the GPU Operator)",
    "containerd": "run it with the NVIDIA runtime (`nerdctl run --gpus all`, or `ctr run "
    "--gpus 0`), the NVIDIA Container Toolkit configured for containerd on the host",
}
PASS_GPU_OTHER = (
    "pass the GPU into it with the NVIDIA Container Toolkit (`--gpus all` for Docker, "
    "`--device nvidia.com/gpu=all` for Podman, `nvidia.com/gpu` limits for Kubernetes)"
)


def pass_gpu(runtime: str) -> str:
    """How to start a container of this runtime with the GPU."""
    return PASS_GPU.get(runtime, PASS_GPU_OTHER)


def _branch_package(p: P) -> str:
    branch = p.get("branch") or "BRANCH"
    return f"nvidia-fabricmanager-{branch}"


def install_fabric_manager(p: P) -> str:
    """The command that installs the fabric manager of exactly the driver's version, in the
    distribution's own package tool (p["packager"], diagnose/gpu_access_rules.package_tool).
    Package names: NVIDIA/apt-packaging-fabric-manager (Debian, Ubuntu) and
    NVIDIA/yum-packaging-fabric-manager (its spec: package nvidia-fabricmanager-BRANCH of version
    VERSION-1; cuda-drivers-fabricmanager-BRANCH pulls it with cuda-drivers of the same version;
    RHEL 7 `yum`, RHEL 8 and Fedora `dnf module install nvidia-driver:BRANCH/fm`, SLES `zypper`)."""
    version = p.get("driver") or "VERSION"
    branch = p.get("branch") or "BRANCH"
    apt = f"`sudo apt-get install {_branch_package(p)}={version}-1`"
    rpm = f"nvidia-fabricmanager-{branch}-{version}-1"
    tool = p.get("packager")
    if tool == "apt":
        return f"{apt} (`apt-cache policy {_branch_package(p)}` lists the versions)"
    if tool in ("yum", "dnf", "zypper"):
        line = f"`sudo {tool} install {rpm}` (or `cuda-drivers-fabricmanager-{branch}`, which keeps the driver at the same version)"
        if tool == "dnf":
            line += f"; the module form: `sudo dnf module install nvidia-driver:{branch}/fm`"
        return line
    return f"Ubuntu/Debian: {apt}; RHEL/CentOS 7: `sudo yum install {rpm}`; RHEL 8+: `sudo dnf install {rpm}`"


def _not_installed(p: P) -> Words:
    version = p.get("driver") or "the driver's version (`nvidia-smi` shows it)"
    return Words(
        "This NVSwitch system has no NVIDIA fabric manager installed: CUDA cannot start "
        "(error 802 'system not yet initialized')",
        f"Install the fabric manager of exactly the driver's version, {version}: "
        f"{install_fabric_manager(p)}; then `sudo systemctl enable --now nvidia-fabricmanager`.",
    )


def _fabric_failed(p: P) -> Words:
    gpus = ", ".join(str(g) for g in p.get("gpus") or []) or "?"
    return Words(
        f"GPU {gpus} did not join the NVSwitch fabric (status: {p.get('status') or '?'}): "
        "no NVLink peer-to-peer between GPUs",
        "Check `journalctl -u nvidia-fabricmanager` and `nvidia-smi -q | grep -A6 Fabric`; "
        "restart the fabric manager (`sudo systemctl restart nvidia-fabricmanager`), else reset "
        "the GPUs (`sudo nvidia-smi -r`) or reboot; if it stays, the board needs service.",
    )


def _fabric_unchecked(p: P) -> Words:
    gpus = f"{p['gpus']} GPUs, " if p.get("gpus") else ""
    where = f" ({p['reason']})" if p.get("reason") else ""
    version = p.get("driver") or "the driver's version"
    if p.get("on_host") is False:
        # GB200/GB300 NVL: leptonai/gpud pull request #1106 (https://github.com/leptonai/gpud/
        # pull/1106) skips fabric-manager activeness there in favour of the fabric state.
        fix = (
            "On this rack-scale system the fabric is managed from the NVLink switch trays; "
            "`nvidia-smi -q | grep -A6 Fabric` must say State: Completed, Status: Success."
        )
    else:
        fix = (
            f"CUDA starts only once nvidia-fabricmanager {version} runs on the host: check "
            "`systemctl status nvidia-fabricmanager` and `nv-fabricmanager --version` there, and "
            "that `nvidia-smi -q | grep -A6 Fabric` says State: Completed."
        )
    return Words(
        f"An NVSwitch system ({gpus}HGX/DGX board): its fabric could not be checked here{where}",
        fix,
    )


def _container_gpu_not_passed(p: P) -> Words:
    runtime = str(p.get("runtime") or "container")
    how = pass_gpu(runtime)
    host = (
        f"; the host's driver ({p['host_driver']}) is loaded, do not install one inside"
        if p.get("host_driver")
        else "; install the driver on the host, never inside the container"
    )
    title = (
        f"Inside a {runtime} container without a GPU passed through: no NVIDIA device node and "
        "no nvidia-smi"
    )
    if p.get("pasted"):
        # explain: the paste shows the container (its prompt, its run command) and nvidia-smi
        # missing in it, which the NVIDIA Container Toolkit mounts from the host's driver.
        title = (
            f"The {runtime} container was started without the GPU: nvidia-smi is not in it "
            "(the NVIDIA Container Toolkit mounts it from the host's driver)"
            if p.get("runtime")
            else "A container started without the GPU: nvidia-smi is not in it (the NVIDIA "
            "Container Toolkit mounts it from the host's driver)"
        )
    if p.get("visible_env_only"):
        # NVIDIA Container Toolkit docs ("Specialized Configurations with Docker"): the
        # NVIDIA_VISIBLE_DEVICES variable is read by the NVIDIA runtime only (alphafold #374).
        host += (
            "; `-e NVIDIA_VISIBLE_DEVICES=all` alone does nothing under the default runc "
            "runtime: it is read only by the NVIDIA runtime (`--gpus all` or `--runtime=nvidia`)"
        )
    if p.get("cpu_only"):
        return Words(
            title + "; the CPU build of torch here needs none",
            f"Nothing to do for CPU work. To use a GPU: {how}, and install a CUDA build of torch.",
        )
    return Words(title, f"Restart the container with the GPU: {how}{host}.")


def _container_driver_libs_missing(p: P) -> Words:
    runtime = str(p.get("runtime") or "container")
    return Words(
        f"The {runtime} container has the NVIDIA device nodes but not the driver's libraries "
        "(nvidia-smi, libnvidia-ml, libcuda): they were not mounted",
        "Start it through the NVIDIA Container Toolkit rather than with bare `--device "
        "/dev/nvidia0`: `--gpus all` (Docker), CDI `--device nvidia.com/gpu=all` (Podman), the "
        "device plugin (Kubernetes); with NVIDIA_DRIVER_CAPABILITIES=compute,utility. Do not "
        "install a driver inside the image.",
    )


WORDS: dict[str, WordFn] = {
    "fabric-manager-not-installed": _not_installed,
    "nvswitch-fabric-failed": _fabric_failed,
    "nvswitch-fabric-unchecked": _fabric_unchecked,
    "container-gpu-not-passed": _container_gpu_not_passed,
    "container-driver-libs-missing": _container_driver_libs_missing,
}
