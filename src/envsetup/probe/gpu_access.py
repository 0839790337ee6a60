"""Whether CUDA can reach the GPUs: the NVSwitch fabric (state, fabric manager) and, inside a
container, what the runtime passed through. Reads through `Host` only; never raises on odd output.

Sources: model/gpu_access.py (which boards carry NVSwitches, the fabric states) and
parsers/fabric.py (the tools' output formats).
"""

from __future__ import annotations

import re

from envsetup.facts import NvidiaFacts, OsFacts, ReadProblem
from envsetup.host.base import Host
from envsetup.model.gpu_access import (
    UNSUPPORTED_STATES,
    ContainerGpuFacts,
    FabricFacts,
    GpuAccessFacts,
    fabric_module,
    nvswitch_board,
    rack_module,
)
from envsetup.parsers import ParseError
from envsetup.probe.common import output_cut, probe_timeout, problem

# Device nodes the NVSwitch driver creates (one per switch) and its /proc listing.
NVSWITCH_NODES = "/dev/nvidia-nvswitch[0-9]*"
NVSWITCH_PROC = "/proc/driver/nvidia-nvswitch/devices/*"
# The NVIDIA driver's device nodes a container needs (NVIDIA Container Toolkit mounts them).
NVIDIA_NODES = ("/dev/nvidiactl", "/dev/nvidia[0-9]*", "/dev/nvidia-uvm")
FM_SERVICE = "nvidia-fabricmanager"
# `systemctl status`: "     Active: failed (Result: exit-code) since ..." (NVIDIA/NVSentinel #883).
_ACTIVE_LINE = re.compile(r"^\s*Active:\s+([a-z-]+)", re.M)
# Package names: Ubuntu's nvidia-fabricmanager-BRANCH (CUDA repos: also cuda-drivers-fabricmanager-
# BRANCH and, from R580, nvidia-fabricmanager); RHEL's nvidia-fabric-manager (Fabric Manager User
# Guide, "Installing Fabric Manager").
DPKG_PATTERN = "*fabricmanager*"
RPM_PACKAGE = "nvidia-fabric-manager"


def probe_gpu_access(
    host: Host, os_facts: OsFacts, nvidia: NvidiaFacts, problems: list[ReadProblem]
) -> GpuAccessFacts:
    facts = GpuAccessFacts()
    # "": a recording of a paste that states no OS (explain --record); a live host always knows.
    if os_facts.system not in ("Linux", "") or os_facts.wsl:
        return facts
    if os_facts.container:
        facts.container = _container(host, problems)
    facts.fabric = _fabric(host, os_facts, nvidia, problems)
    return facts


def _container(host: Host, problems: list[ReadProblem]) -> ContainerGpuFacts:
    facts = ContainerGpuFacts(
        device_nodes=sorted({p for pattern in NVIDIA_NODES for p in host.glob(pattern)}),
        amd_kfd=host.exists("/dev/kfd"),
    )
    cli = host.which("nvidia-container-cli")
    if cli is None:
        return facts
    from envsetup.parsers.fabric import parse_container_cli_info

    result = host.run([cli, "info"], timeout=probe_timeout(host.environ()))
    if result.truncated:
        problems.append(output_cut(f"{cli} info output"))
    elif result.ok:
        facts.cli_driver, facts.cli_gpus = parse_container_cli_info(result.stdout)
    elif not result.not_found:
        facts.cli_error = (result.output.strip().splitlines() or ["exit status ?"])[-1][:300]
    return facts


def _fabric(
    host: Host, os_facts: OsFacts, nvidia: NvidiaFacts, problems: list[ReadProblem]
) -> FabricFacts:
    facts = FabricFacts()
    names = [g.name for g in nvidia.gpus if g.name]
    nodes = host.glob(NVSWITCH_NODES) or host.glob(NVSWITCH_PROC)
    if nodes:
        facts.evidence.append(f"NVSwitch devices: {', '.join(nodes[:4])}")
    if nvswitch_board(names):
        module = next(n for n in names if fabric_module(n))
        facts.evidence.append(f"{len(names)} GPUs on an HGX/DGX board ({module})")
    # NVML answered but named no GPU (a recording of a paste that shows only nvidia-smi -q's
    # Fabric block): a board cannot be ruled out, so nvidia-smi -q is asked.
    unnamed = nvidia.driver_source == "nvml" and not nvidia.gpus
    if not nodes and not unnamed and not any(fabric_module(n) for n in names):
        return facts  # no NVSwitch and no GPU that could sit on one: nothing more to ask
    facts.manager_on_host = not any(rack_module(n) for n in names)
    _fabric_states(host, nvidia, facts, problems)
    attached = [g for g in facts.gpus if g.state not in UNSUPPORTED_STATES]
    if attached and not facts.evidence:
        facts.evidence.append(
            f"nvidia-smi -q: GPU {attached[0].index} fabric state {attached[0].state}"
        )
    facts.nvswitch = bool(facts.evidence)
    if not facts.nvswitch or not facts.manager_on_host:
        return facts
    if os_facts.container:
        facts.manager_unchecked = (
            f"inside a {os_facts.container} container; the fabric manager runs on the host"
        )
        return facts
    _fabric_manager(host, facts)
    return facts


def _fabric_states(
    host: Host, nvidia: NvidiaFacts, facts: FabricFacts, problems: list[ReadProblem]
) -> None:
    smi = nvidia.smi_path or host.which("nvidia-smi")
    if smi is None:
        return
    from envsetup.parsers.fabric import parse_smi_fabric, parse_smi_xml_fabric

    timeout = probe_timeout(host.environ())
    result = host.run([smi, "-q"], timeout=timeout)
    argv, parse = "-q", parse_smi_fabric
    if result.not_found:  # a recording that holds the XML log instead
        result = host.run([smi, "-q", "-x"], timeout=timeout)
        argv, parse = "-q -x", parse_smi_xml_fabric
    if result.truncated:
        problems.append(output_cut(f"{smi} {argv} output"))
        return
    if not result.ok:
        return
    try:
        facts.gpus = parse(result.stdout)
    except ParseError as exc:
        problems.append(problem(f"nvidia-smi {argv} output", str(exc), result.output))
        return
    facts.gpus_source = f"command:nvidia-smi {argv}"


def _fabric_manager(host: Host, facts: FabricFacts) -> None:
    from envsetup.parsers.fabric import parse_fabric_manager_version, parse_package_version

    timeout = probe_timeout(host.environ())
    binary = host.which("nv-fabricmanager")
    if binary is not None:
        result = host.run([binary, "--version"], timeout=timeout)
        version = parse_fabric_manager_version(result.output) if result.ok else None
        if version:
            facts.manager_version, facts.manager_source = version, f"command:{binary} --version"
    systemctl = host.which("systemctl")
    if systemctl is not None:
        result = host.run([systemctl, "is-active", FM_SERVICE], timeout=timeout)
        # is-active exits non-zero for every state but active; its stdout names the state.
        state = result.stdout.strip().splitlines()[0] if result.stdout.strip() else ""
        if result.not_found:  # a recording of `systemctl status` instead: its "Active:" line
            result = host.run([systemctl, "status", FM_SERVICE], timeout=timeout)
            found = _ACTIVE_LINE.search(result.stdout)
            state = found.group(1) if found else ""
        if state and not result.timed_out and not result.not_found:
            facts.manager_state = state
    if facts.manager_version:
        return
    _package(host, facts, timeout, parse_package_version)


def _package(host: Host, facts: FabricFacts, timeout: float, parse) -> None:  # type: ignore[no-untyped-def]
    dpkg = host.which("dpkg-query")
    rpm = host.which("rpm")
    if dpkg is not None:
        # The status column tells an installed package from one removed with its configuration
        # kept (state "rc"), which dpkg-query -W still lists with its old version.
        argv = [dpkg, "-W", "-f=${db:Status-Abbrev} ${Package} ${Version}\\n", DPKG_PATTERN]
    elif rpm is not None:
        argv = [rpm, "-q", "--qf", "%{VERSION}\\n", RPM_PACKAGE]
    else:
        return
    result = host.run(argv, timeout=timeout)
    if result.not_found and dpkg is not None:  # a recording made before the status column
        argv = [dpkg, "-W", "-f=${Package} ${Version}\\n", DPKG_PATTERN]
        result = host.run(argv, timeout=timeout)
    if result.not_found or result.timed_out or result.returncode is None:
        return
    version = parse(result.stdout) if result.ok else None
    if version:
        facts.manager_version, facts.manager_source = version, f"package:{' '.join(argv[1:])}"
    elif result.returncode == 1 and binary_absent(host):
        # dpkg-query: "no packages found matching"; rpm: "package ... is not installed".
        facts.manager_package_absent = True


def binary_absent(host: Host) -> bool:
    return host.which("nv-fabricmanager") is None
