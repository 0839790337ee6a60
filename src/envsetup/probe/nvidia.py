"""NVIDIA driver and GPUs: NVML first, then /proc and /sys, then nvidia-smi under a hard timeout."""

from __future__ import annotations

from dataclasses import fields
from typing import TYPE_CHECKING, Optional

from envsetup.compat import decode_cuda_int, max_cuda_for_driver
from envsetup.facts import NvidiaFacts, OsFacts, ReadProblem
from envsetup.host.base import Host, NvmlUnavailable
from envsetup.model.gpu import Gpu
from envsetup.parsers import ParseError
from envsetup.parsers.driver import parse_proc_driver_version, parse_sys_module_version
from envsetup.parsers.nouveau import nouveau_evidence
from envsetup.probe.common import excerpt, output_cut, probe_timeout, problem

if TYPE_CHECKING:
    from envsetup.parsers.nvidia_smi import SmiReport

QUERY_FIELDS = [
    "index",
    "name",
    "uuid",
    "pci.bus_id",
    "driver_version",
    "memory.total",
    "compute_cap",
    "mig.mode.current",
    "pcie.link.gen.current",
    "pcie.link.gen.max",
    "pcie.link.width.current",
    "pcie.link.width.max",
]
# Every per-GPU fact but the index (NVML, nvidia-smi and the facts share model.gpu.Gpu); whether
# the name was shortened travels with the name.
GPU_FIELDS = [f.name for f in fields(Gpu) if f.name not in ("index", "name_truncated", "stated_by")]
# The NVIDIA driver creates /dev/nvidiactl; WSL2 exposes the GPU through /dev/dxg instead.
DEVICE_NODES = ("/dev/nvidiactl", "/dev/dxg")
# WSL ships nvidia-smi with the Windows driver, outside PATH on some distros.
SMI_FALLBACK_PATHS = ("/usr/lib/wsl/lib/nvidia-smi",)
# Where a Linux driver's user-space libraries land when someone installs one inside WSL.
LINUX_DRIVER_LIBS_IN_WSL = (
    "/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.*",
    "/usr/lib/x86_64-linux-gnu/libcuda.so.*",
    "/usr/lib64/libcuda.so.*",
)


def probe_nvidia(host: Host, os_facts: OsFacts, problems: list[ReadProblem]) -> NvidiaFacts:
    facts = NvidiaFacts()
    if os_facts.system == "Darwin":
        return facts
    _from_nvml(host, facts, os_facts)
    if os_facts.system == "Linux":
        _from_kernel_files(host, facts, problems)
        _detect_nouveau(host, facts)
        if os_facts.wsl:
            facts.linux_driver_in_wsl = [p for g in LINUX_DRIVER_LIBS_IN_WSL for p in host.glob(g)]
    if _needs_smi(facts):
        _from_nvidia_smi(host, facts, problems)
    answered = facts.smi_state == "ok"  # nvidia-smi worked, even if it showed no version
    # lspci where no driver answers, and where the driver answers "No devices were found": what
    # is on the bus then names the GPU the driver would not take.
    if (
        os_facts.system == "Linux"
        and (not facts.driver_version or facts.smi_failure == "no-devices")
        and not os_facts.wsl
        and not answered
    ):
        _from_lspci(host, facts, problems)
    _capability_from_names(facts)
    if facts.driver_version and not facts.driver_cuda_version:
        derived = max_cuda_for_driver(facts.driver_version, os_facts.system)
        if derived:
            facts.driver_cuda_version = derived
            facts.driver_cuda_source = (
                f"derived from driver {facts.driver_version} (NVIDIA driver table)"
            )
    return facts


def _capability_from_names(facts: NvidiaFacts) -> None:
    """NVML before R510-era drivers and the nvidia-smi table give no compute capability; the
    GPU's name does, for the GPUs envsetup's sourced table lists (compat.gpu_names)."""
    if all(g.compute_capability for g in facts.gpus):
        return
    from envsetup.compat.gpu_names import SOURCE, capabilities_from_names

    found = capabilities_from_names(facts.gpus)
    for position, capability in found.items():
        facts.gpus[position].compute_capability = capability
    if found:
        facts.gpus_source = f"{facts.gpus_source}; compute capability from the name ({SOURCE})"


def _needs_smi(facts: NvidiaFacts) -> bool:
    if facts.nvml_error is None and facts.driver_version and facts.driver_cuda_version:
        return not all(g.compute_capability for g in facts.gpus)
    return True


def _from_nvml(host: Host, facts: NvidiaFacts, os_facts: OsFacts) -> None:
    if os_facts.system == "Linux" and not any(host.exists(p) for p in DEVICE_NODES):
        # No device node, no driver: NVML would only fail, slowly.
        facts.nvml_error = f"no NVIDIA device node ({', '.join(DEVICE_NODES)})"
        return
    try:
        snapshot = host.nvml()
    except NvmlUnavailable as exc:
        facts.nvml_error = str(exc)
        return
    # "" from a recording of a paste that proves a driver but not its version: unknown, not absent
    facts.driver_version, facts.driver_source = snapshot.driver_version or None, "nvml"
    if snapshot.cuda_driver_version:
        facts.driver_cuda_version = decode_cuda_int(snapshot.cuda_driver_version)
        facts.driver_cuda_source = "nvml (nvmlSystemGetCudaDriverVersion)"
    facts.gpus = list(snapshot.devices)
    facts.gpus_source = "nvml"


def _from_kernel_files(host: Host, facts: NvidiaFacts, problems: list[ReadProblem]) -> None:
    text = host.read_text("/proc/driver/nvidia/version")
    if text is not None:
        try:
            parsed = parse_proc_driver_version(text)
        except ParseError as exc:
            problems.append(problem("/proc/driver/nvidia/version", str(exc), text))
        else:
            facts.kernel_module = parsed.kernel_module
            facts.kernel_module_version = parsed.version
            if not facts.driver_version and not parsed.tegra:
                facts.driver_version = parsed.version
                facts.driver_source = "file:/proc/driver/nvidia/version"
            return
    text = host.read_text("/sys/module/nvidia/version")
    if text is not None:
        try:
            version = parse_sys_module_version(text)
        except ParseError as exc:
            problems.append(problem("/sys/module/nvidia/version", str(exc), text))
            return
        facts.kernel_module_version = version
        if not facts.driver_version:
            facts.driver_version, facts.driver_source = version, "file:/sys/module/nvidia/version"


def _detect_nouveau(host: Host, facts: NvidiaFacts) -> None:
    modules = host.read_text("/proc/modules") or ""
    facts.nouveau_loaded = bool(nouveau_evidence(modules)) or host.exists("/sys/module/nouveau")


def _from_lspci(host: Host, facts: NvidiaFacts, problems: list[ReadProblem]) -> None:
    """With no driver answering, is there an NVIDIA GPU on the bus at all, and who holds it?"""
    lspci = host.which("lspci")
    if lspci is None:
        return
    from envsetup.parsers.lspci import nvidia_display_devices

    result = host.run([lspci, "-vv", "-d", "10de:"], timeout=probe_timeout(host.environ()))
    if result.truncated:
        problems.append(output_cut(f"{lspci} output"))
    if not result.ok:
        return
    devices = nvidia_display_devices(result.stdout)
    for device in devices:
        held = f" [driver in use: {device.driver}]" if device.driver else " [no driver bound]"
        facts.pci_devices.append(f"{device.slot} {device.description}{held}")
        if device.driver == "nouveau":
            facts.nouveau_loaded = True
    if not facts.gpus:
        _gpus_from_pci_ids(facts, [(d.device_id, d.product) for d in devices])


def _gpus_from_pci_ids(
    facts: NvidiaFacts, devices: list[tuple[Optional[str], Optional[str]]]
) -> None:
    """No driver named the GPUs: their PCI device ids do, through pci.ids (compat.gpu_names),
    else the product name lspci printed from the host's own pci.ids ("GA107M [GeForce RTX 3050
    Ti Mobile]"); the name then gives the compute capability (_capability_from_names), so the
    arch judgement holds before a driver is in. All or nothing: one unknown would shift the
    indices."""
    from envsetup.compat.gpu_names import PCI_SOURCE, name_by_pci_id

    names = [name_by_pci_id(device_id) or product for device_id, product in devices]
    if not names or not all(names):
        return
    facts.gpus = [Gpu(index=i, name=name or "") for i, name in enumerate(names)]
    by_id = all(name_by_pci_id(device_id) for device_id, _ in devices)
    facts.gpus_source = (
        f"lspci ({f'PCI device id, {PCI_SOURCE}' if by_id else 'the names lspci printed'})"
    )


def _smi_path(host: Host) -> Optional[str]:
    found = host.which("nvidia-smi")
    if found:
        return found
    return next((p for p in SMI_FALLBACK_PATHS if host.exists(p)), None)


def _from_nvidia_smi(host: Host, facts: NvidiaFacts, problems: list[ReadProblem]) -> None:
    path = _smi_path(host)
    facts.smi_path = path
    if path is None:
        facts.smi_state = "not-found"
        return
    # Imported here: a machine without nvidia-smi never pays for these parsers.
    from envsetup.parsers.nvidia_smi import (
        classify_smi_failure,
        parse_smi_query_csv,
        parse_smi_table,
        shows_processes_only,
    )

    timeout = probe_timeout(host.environ())
    table = host.run([path], timeout=timeout)
    if table.not_found:
        # No answer at all: a recording that holds none for it (explain --record of a paste
        # that shows only `nvidia-smi -q`), or the file gone since `which`. Not run, not failed.
        facts.smi_evidence = f"{path}: no answer (not recorded, or gone when run)"
        return
    if table.timed_out:
        facts.smi_state = "timed-out"
        facts.smi_evidence = f"{path} did not answer within {timeout:g} s"
        return
    if table.truncated:
        facts.smi_state, facts.smi_failure = "failed", "unreadable"
        cut = output_cut(f"{path} output")
        facts.smi_evidence = cut.reason
        problems.append(cut)
        return
    failure = classify_smi_failure(table.output)
    if failure is not None or not table.ok:
        facts.smi_state = "failed"
        facts.smi_failure = failure.id if failure else "exit-status"
        facts.smi_evidence = excerpt(table.output) or f"exit status {table.returncode}"
        return
    try:
        report = parse_smi_table(table.stdout)
    except ParseError as exc:
        if shows_processes_only(table.stdout):
            # Cut above the processes box: the driver answered, its version is not shown.
            facts.smi_state = "ok"
            facts.driver_source = facts.driver_source or f"command:{path} (processes table only)"
            return
        facts.smi_state = "failed"
        facts.smi_failure = "unreadable"
        problems.append(problem("nvidia-smi output", str(exc), table.output))
        return
    facts.smi_state = "ok"
    _merge_report(facts, report, "command:nvidia-smi")
    if all(g.compute_capability for g in facts.gpus) and facts.gpus:
        return
    query = host.run(
        [path, f"--query-gpu={','.join(QUERY_FIELDS)}", "--format=csv,noheader,nounits"],
        timeout=timeout,
    )
    if query.truncated:
        problems.append(output_cut(f"{path} --query-gpu output"))
    elif query.ok:
        try:
            _merge_report(
                facts,
                parse_smi_query_csv(query.stdout, QUERY_FIELDS),
                "command:nvidia-smi --query-gpu",
            )
        except ParseError as exc:
            # Drivers before R510 do not know compute_cap: the table's facts stand.
            problems.append(problem("nvidia-smi --query-gpu output", str(exc), query.output))


def _unset(value: object) -> bool:
    return value is None or value == "" or value == []


def _merge_report(facts: NvidiaFacts, report: SmiReport, source: str) -> None:
    if report.driver_version and not facts.driver_version:
        facts.driver_version, facts.driver_source = report.driver_version, source
    if report.cuda_version and not facts.driver_cuda_version:
        facts.driver_cuda_version, facts.driver_cuda_source = report.cuda_version, source
    elif not report.cuda_version and report.cuda_version_raw:
        facts.smi_cuda_version_raw = report.cuda_version_raw
    if not report.gpus:
        return
    by_index = {g.index: g for g in facts.gpus}
    for smi in report.gpus:
        gpu = by_index.get(smi.index)
        if gpu is None:
            gpu = Gpu(index=smi.index)
            facts.gpus.append(gpu)
            by_index[smi.index] = gpu
        for name in GPU_FIELDS:
            value = getattr(smi, name)
            if not _unset(value) and _unset(getattr(gpu, name)):
                setattr(gpu, name, value)
                if name == "name":
                    gpu.name_truncated = smi.name_truncated
    facts.gpus.sort(key=lambda g: g.index)
    facts.gpus_source = facts.gpus_source or source
