"""Whether CUDA can reach the GPUs: the NVSwitch fabric and its manager, a container's GPU.

Each finding says what (id, severity, evidence, params); render/words/fabric.py words it.
Facts: facts.gpu_access (model/gpu_access.py, which cites its sources: NVIDIA's Fabric Manager
User Guide, NVML's fabric info). A fabric manager that differs from the driver is the same
judgement as explain's pasted journal line, so it is the same finding,
`cuda-fabric-manager-not-ready` (diagnose/signal_rules.py), with the versions read here.
"""

from __future__ import annotations

import re
from typing import Optional

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts, OsFacts
from envsetup.model.compute_platform import TorchFlavor
from envsetup.model.gpu_access import NOT_READY_STATES, UNSUPPORTED_STATES
from envsetup.model.toolkit import ToolkitKind
from envsetup.profiles.build_info import BuildLookup

# What a container needs for a GPU, per runtime (NVIDIA Container Toolkit user guide,
# "Running a Sample Workload": `docker run --gpus all`, `podman run --device nvidia.com/gpu=all`
# (CDI); the NVIDIA device plugin for Kubernetes: `resources.limits: nvidia.com/gpu`).


def _deep_saw_802(facts: Facts) -> bool:
    """torch's stderr (doctor --deep) holds a CUDA error 802: signal_rules already gives
    cuda-fabric-manager-not-ready, with this host's fabric manager version."""
    return any(
        "802" in line and "not yet initialized" in line for line in facts.torch.deep.stderr_tail
    )


_APT = ("ubuntu", "debian", "linux mint", "pop!_os", "kali")
_RPM = (
    "rhel", "red hat", "centos", "rocky", "almalinux", "fedora", "ol", "oracle linux", "amzn",
    "amazon linux",
)  # fmt: skip
_YUM_ONLY = ("rhel", "red hat", "centos", "ol", "oracle linux")  # at major version 7
_ZYPPER = ("sles", "suse", "opensuse", "opensuse-leap")


def package_tool(os_: OsFacts) -> Optional[str]:
    """The package tool that installs NVIDIA's fabric manager on this distribution: "apt",
    "yum" (RHEL/CentOS/Oracle Linux 7, Amazon Linux 2: no dnf), "dnf" (RHEL 8 and later,
    Fedora, Rocky, Alma), "zypper" (SLES, openSUSE); None where the facts do not say. From
    os-release's ID/ID_LIKE/VERSION_ID or a distribution a paste names ("CentOS 7")."""
    ids = {os_.distro_id.lower(), *(like.lower() for like in os_.distro_like)} - {""}
    name = os_.distro_name.lower()
    version = os_.distro_version or "".join(re.findall(r"(?<![\w.])(\d+)", name)[:1])
    major = version.split(".", 1)[0]

    def named(words: tuple[str, ...]) -> bool:
        return bool(ids & set(words)) or name.startswith(words)

    if named(_APT):
        return "apt"
    if named(_ZYPPER):
        return "zypper"
    if named(_RPM):
        amazon_2 = named(("amzn", "amazon linux")) and major == "2"
        return "yum" if (named(_YUM_ONLY) and major == "7") or amazon_2 else "dnf"
    return None


def host_fabric_manager_mismatch(facts: Facts) -> Optional[str]:
    """The fabric manager's version when it differs from the driver's; None otherwise."""
    fabric, driver = facts.gpu_access.fabric, facts.nvidia.driver_version
    version = fabric.manager_version
    return version if version and driver and version != driver else None


def fabric_manager(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    """On an NVSwitch system: the fabric manager missing, stopped, of another version than the
    driver, or GPUs that have not joined the fabric. Nothing read: say what could not be."""
    fabric = facts.gpu_access.fabric
    if not fabric.nvswitch:
        return []
    driver = facts.nvidia.driver_version
    not_ready = [g for g in fabric.gpus if g.state in NOT_READY_STATES]
    failed = [
        g
        for g in fabric.gpus
        if g.state == "Completed" and g.status not in ("Success", *UNSUPPORTED_STATES)
    ]
    # NVML's fabric state is the ground truth: every GPU Completed/Success means CUDA starts,
    # whatever version a package query reports (a stale dpkg line, leptonai/gpud #1106).
    joined = bool(fabric.gpus) and all(
        g.state == "Completed" and g.status == "Success" for g in fabric.gpus
    )
    mismatch = None if joined else host_fabric_manager_mismatch(facts)
    stopped = fabric.manager_state not in (None, "active", "activating", "reloading")
    evidence = [*fabric.evidence]
    if fabric.manager_version:
        evidence.append(f"fabric manager {fabric.manager_version} ({fabric.manager_source})")
    if fabric.manager_state:
        evidence.append(f"systemctl is-active nvidia-fabricmanager: {fabric.manager_state}")
    evidence += [
        f"GPU {g.index} fabric: {g.state}, {g.status or '-'} (nvidia-smi -q)"
        for g in not_ready + failed
    ]
    if driver:
        evidence.append(f"driver {driver} ({facts.nvidia.driver_source})")
    common = {
        "driver": driver,
        "branch": driver.split(".", 1)[0] if driver else None,
        "gpus": len(facts.nvidia.gpus) or None,
        "packager": package_tool(facts.os),
    }
    found: list[Finding] = []
    if fabric.manager_package_absent and fabric.manager_state != "active":
        found.append(
            Finding(
                id="fabric-manager-not-installed",
                severity="error",
                evidence=evidence,
                params=dict(common),
            )
        )
    elif (mismatch or stopped or not_ready) and not _deep_saw_802(facts):
        found.append(
            Finding(
                id="cuda-fabric-manager-not-ready",
                severity="error",
                evidence=evidence,
                params={
                    **common,
                    "fabricmanager": mismatch,
                    "manager_state": fabric.manager_state if stopped else None,
                    "fabric_state": not_ready[0].state if not_ready else None,
                    "not_ready_gpus": [g.index for g in not_ready] or None,
                    "seen_error": False,
                    "container": facts.os.container or None,
                    "on_host": None if fabric.manager_on_host else False,
                },
            )
        )
    if failed:
        found.append(
            Finding(
                id="nvswitch-fabric-failed",
                severity="error",
                evidence=evidence,
                params={
                    "gpus": [g.index for g in failed],
                    "status": failed[0].status,
                    **{k: v for k, v in common.items() if k != "gpus"},
                },
            )
        )
    read_anything = fabric.gpus or fabric.manager_version or fabric.manager_state
    if not found and not read_anything and not _deep_saw_802(facts):
        found.append(
            Finding(
                id="nvswitch-fabric-unchecked",
                severity="info",
                evidence=evidence,
                params={
                    **common,
                    "reason": fabric.manager_unchecked or None,
                    "on_host": fabric.manager_on_host,
                },
            )
        )
    return found


def gpu_not_passed(facts: Facts) -> bool:
    """Inside a container, no NVIDIA device node and no working nvidia-smi: the runtime did not
    pass a GPU in (whatever the host has). An AMD GPU (/dev/kfd, ROCm agents) is not this."""
    os_facts, nv = facts.os, facts.nvidia
    if not os_facts.container or os_facts.system != "Linux" or os_facts.wsl:
        return False
    box = facts.gpu_access.container
    if box.device_nodes or box.amd_kfd or facts.rocm.gfx_targets or facts.rocm.gpus:
        return False
    if facts.rocm.version and facts.rocm.source.startswith("file:"):
        # A ROCm image: rocm_rules' rocm-container-no-kfd gives AMD's way (rocm21), not --gpus all.
        return False
    if facts.torch.flavor is TorchFlavor.ROCM:  # an AMD container: not NVIDIA's pass-through
        return False
    return not nv.gpus and nv.smi_state != "ok" and nv.driver_source != "nvml"


def _wants_gpu(facts: Facts) -> list[str]:
    """What in the container expects an NVIDIA GPU."""
    wants = []
    if facts.torch.flavor is TorchFlavor.CUDA:
        wants.append(f"torch {facts.torch.version} is a CUDA build")
    if any(ToolkitKind.of(t) is ToolkitKind.SYSTEM for t in facts.cuda.toolkits):
        wants.append("a CUDA toolkit is installed")
    return wants


def _toolkit_without_driver(facts: Facts) -> bool:
    """cuda_rules' toolkit-without-driver fires and, in a container, says the same (its words
    name the runtime's fix): one finding, not two."""
    from envsetup.diagnose.cuda_rules import toolkit_without_driver

    return bool(toolkit_without_driver(facts, lambda *_: None))


def container_gpu(facts: Facts, _lookup: BuildLookup) -> list[Finding]:
    """A container without the GPU passed through, or with the device nodes but without the
    driver's user-space libraries (nvidia-smi, libnvidia-ml, libcuda) mounted."""
    os_facts, nv, box = facts.os, facts.nvidia, facts.gpu_access.container
    if not os_facts.container or os_facts.system != "Linux" or os_facts.wsl:
        return []
    cli = (
        [
            f"nvidia-container-cli info: driver {box.cli_driver}, GPUs: {', '.join(box.cli_gpus) or 'none'}"
        ]
        if box.cli_driver
        else []
    )
    if gpu_not_passed(facts) and not _toolkit_without_driver(facts):
        wants = _wants_gpu(facts)
        host_driver = nv.kernel_module_version or nv.driver_version
        evidence = [
            f"container: {os_facts.container} ({'; '.join(os_facts.container_evidence)})",
            "no NVIDIA device node (/dev/nvidiactl, /dev/nvidia0...)",
            f"nvidia-smi: {nv.smi_state}",
            *cli,
            *wants,
        ]
        if host_driver:
            evidence.append(
                f"the host's kernel runs NVIDIA driver {host_driver} ({nv.driver_source or '/proc'})"
            )
        # A CPU build of torch and nothing else wanting a GPU: a CPU image (CI, CPU serving)
        # that has nothing to restart; say only that no GPU is here.
        cpu_only = not wants and facts.torch.flavor is TorchFlavor.CPU
        if cpu_only:
            evidence.append(f"torch {facts.torch.version} is a CPU build")
        return [
            Finding(
                id="container-gpu-not-passed",
                severity="error" if wants else "info" if cpu_only else "warning",
                evidence=evidence,
                params={
                    "runtime": os_facts.container,
                    "host_driver": host_driver,
                    "wants_gpu": bool(wants),
                    "cpu_only": cpu_only or None,
                },
            )
        ]
    nodes = [n for n in box.device_nodes if n != "/dev/nvidia-uvm"]
    if nodes and not nv.gpus and nv.smi_state == "not-found" and nv.driver_source != "nvml":
        return [
            Finding(
                id="container-driver-libs-missing",
                severity="error",
                evidence=[
                    f"container: {os_facts.container}",
                    f"device nodes: {', '.join(nodes[:4])}",
                    "nvidia-smi: not found",
                    f"NVML: {nv.nvml_error or 'unavailable'}",
                    *cli,
                ],
                params={"runtime": os_facts.container, "nodes": nodes[:4]},
            )
        ]
    return []


RULES = [fabric_manager, container_gpu]
