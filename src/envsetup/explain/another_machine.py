"""Whether a paste is another machine's (or another environment's) than the host explain runs on.

The host is the paste's machine only where the paste says nothing against it: a paste stating
another OS, distribution, kernel, glibc, driver or GPU (another_machine) is judged over no host;
one naming another interpreter, prefix or Python version (another_environment) over the host
without its Python and torch facts. explain/merge.py applies both; docs/explain.md "Merge".
"""

from __future__ import annotations

from typing import Any, Sequence

from envsetup.explain.document import _copy, _get_path, _overlay, _put_path
from envsetup.explain.python_paths import python_of
from envsetup.explain.signal_facts import facts_of
from envsetup.model.paste import Reading, Signal

_DRIVER = "nvidia.driver_version"
_DRIVER_CUDA = "nvidia.driver_cuda_version"


def _pasted_document(
    readings: Sequence[Reading], signals: Sequence[Signal], texts: dict[int, str]
) -> dict[str, Any]:
    """What the paste alone states, as a partial Facts document (the sections, then what its
    errors and paths prove)."""
    document: dict[str, Any] = {}
    for reading in readings:
        if reading.facts:
            _overlay(document, _copy(reading.facts), "")
    stated, gpus = facts_of(signals, texts)
    for fact in [*stated, *python_of(texts)]:
        if _get_path(document, fact.path) is None:
            _put_path(document, fact.path, fact.value)
    if gpus and not _get_path(document, "nvidia.gpus"):
        _put_path(document, "nvidia.gpus", [{"name": gpu.name} for gpu in gpus])
    return document


# Facts of the machine that a paste and its host state differently only when they are two
# machines (or one reinstalled since): the OS, its distribution, kernel and C library.
_MACHINE_FACTS = (
    ("os.system", "OS"),
    ("os.distro_id", "distribution"),
    ("os.distro_name", "distribution"),
    ("os.kernel", "kernel"),
    ("os.glibc", "glibc"),
)


def another_machine(
    host: dict[str, Any], pasted: dict[str, Any], signals: Sequence[Signal] = ()
) -> str:
    """Why the paste is another machine's than `host`'s (both Facts documents, the paste's
    partial), "" when nothing it states says so: another OS, distribution, kernel or glibc,
    another driver version (or one where the host has none; a driver's CUDA, stated from another
    interpreter, where the host has no driver), GPUs none of which the host has, AMD GPUs where
    the host has none, or NVIDIA kernel-log lines (`signals`) where the host shows no trace of an
    NVIDIA driver or GPU. Their facts belong to another machine: no finding about the paste's
    machine may rest on the host's."""
    for path, what in _MACHINE_FACTS:
        stated, hosts = _get_path(pasted, path), _get_path(host, path)
        if stated and hosts and isinstance(stated, str) and stated != hosts:
            return f"its {what} is {stated}, this host's {hosts}"
    driver, hosts_driver = _get_path(pasted, _DRIVER), _get_path(host, _DRIVER)
    if not isinstance(driver, str):  # the kernel module's version is the driver's (_put_stated)
        driver = _get_path(pasted, "nvidia.kernel_module_version")
    if isinstance(driver, str) and not _same_version(driver, hosts_driver):
        return f"its driver is {driver}, this host's {hosts_driver or 'none'}"
    # torch's "driver on your system is too old (found version 10010)" states the driver's CUDA
    # without its version: a driver this host lacks, run from an interpreter this host does not
    # have (a traceback's path), is another machine's. (With the host's own interpreter, or none
    # named, the host may be the paste's machine probed without its driver: a container.)
    driver_cuda = _get_path(pasted, _DRIVER_CUDA)
    if (
        isinstance(driver_cuda, str)
        and driver_cuda
        and not hosts_driver
        and not _get_path(host, _DRIVER_CUDA)
        and _get_path(pasted, "python.prefix")
        and another_environment(host, pasted)
    ):
        return (
            f"its driver supports CUDA {driver_cuda} and its Python is "
            f"{_get_path(pasted, 'python.prefix')}, this host has no driver"
        )
    gpus = _get_path(pasted, "nvidia.gpus")
    names = [g.get("name") for g in gpus or () if isinstance(g, dict) and g.get("name")]
    hosts = [h for h in _get_path(host, "nvidia.gpus") or () if isinstance(h, dict)]
    if names and not any(
        _same_gpu(h, name) or _same_gpu({"name": name}, str(h.get("name")))
        for h in hosts
        for name in names
    ):
        return f"its GPU is {names[0]}, not one of this host's"
    amd, hosts_amd = _amd_targets(pasted), _amd_targets(host)
    if amd and hosts_amd and not set(amd) & set(hosts_amd):
        return f"its AMD GPU is {amd[0]}, this host's {hosts_amd[0]}"
    if amd and not hosts_amd and not _get_path(host, "rocm.kfd_error"):
        return f"its AMD GPU is {amd[0]}, this host has none"
    windows = _windows_path(pasted)
    if windows and _get_path(host, "os.system") in ("Linux", "Darwin"):
        return (
            f"its Python is at {windows} (Windows), this host runs {_get_path(host, 'os.system')}"
        )
    if _nvidia_trace(host):
        return ""
    logged = next((s for s in signals if s.id.startswith(_NVIDIA_MODULE_LOG)), None)
    if logged is not None:
        line = f" (line {logged.lines[0]})" if logged.lines else ""
        return (
            f"its kernel log shows the NVIDIA kernel module{line}, "
            "this host has no NVIDIA driver or GPU"
        )
    answered = next((s for s in signals if s.id in _DRIVER_ANSWERED), None)
    if answered is not None:
        return (
            f"its CUDA error ({answered.id}) comes from an NVIDIA driver, "
            "this host has no NVIDIA driver or GPU"
        )
    if _nvidia_trace(pasted):  # nvidia-smi that ran and failed, lsmod, lspci's NVIDIA devices
        return "it shows an NVIDIA driver or GPU, this host has none"
    return ""


# CUDA errors only a machine with an NVIDIA driver gives: the driver answered, too old (35,
# torch's "found version N"), mismatched with its libraries (803), refusing forward compatibility
# (804) or a PTX too new for it (222), its NVSwitch fabric not ready (802).
_DRIVER_ANSWERED = frozenset(
    ("cuda-error-35", "torch-driver-too-old", "cuda-error-803", "cuda-error-804",
     "cuda-error-222", "cuda-error-802")
)  # fmt: skip


def _windows_path(pasted: dict[str, Any]) -> str:
    """The pasted interpreter's path or prefix where it is a Windows one ("C:\\Users\\..."), else ""."""
    for path in ("python.executable", "python.prefix"):
        value = _get_path(pasted, path)
        if isinstance(value, str) and len(value) > 2 and value[1:3] == ":\\":
            return value
    return ""


# Kernel-log signals only a loaded NVIDIA kernel module prints ("NVRM: ..." lines: Xid, fallen off
# the bus, RmInitAdapter, GSP, module loaded, nouveau holding the device).
_NVIDIA_MODULE_LOG = "nvrm-"


def _nvidia_trace(host: dict[str, Any]) -> bool:
    """Whether the host shows an NVIDIA driver or GPU in any form: a driver or kernel module
    version, GPUs, loaded modules, NVIDIA devices on the PCI bus, an nvidia-smi that ran."""
    nvidia = host.get("nvidia") if isinstance(host.get("nvidia"), dict) else {}
    return bool(
        nvidia.get("driver_version")
        or nvidia.get("kernel_module_version")
        or nvidia.get("gpus")
        or nvidia.get("modules_loaded")
        or nvidia.get("pci_devices")
        or nvidia.get("smi_state") in ("ok", "failed", "timed-out")
    )


def _amd_targets(document: dict[str, Any]) -> list[str]:
    """The AMD GPUs' gfx targets a Facts document states (rocm.gfx_targets, else each GPU's)."""
    targets = _get_path(document, "rocm.gfx_targets") or []
    gpus = _get_path(document, "rocm.gpus") or []
    found = [t for t in targets if isinstance(t, str) and t]
    found += [
        g["gfx"] for g in gpus if isinstance(g, dict) and isinstance(g.get("gfx"), str) and g["gfx"]
    ]
    return found or (["an AMD GPU"] if gpus else [])


def _same_version(stated: str, hosts: Any) -> bool:
    """One driver under two spellings: 535.104 is 535.104.05 printed shorter."""
    if not isinstance(hosts, str) or not hosts:
        return False
    short, long = sorted((stated, hosts), key=len)
    return long == short or long.startswith(short + ".")


def another_environment(host: dict[str, Any], pasted: dict[str, Any]) -> bool:
    """Whether the paste names another Python environment than the host's: its interpreter,
    prefix or Python version (3.10 is 3.10.18) differs. The host's Python and torch facts are
    then another environment's."""
    for path in ("python.executable", "python.prefix"):
        stated, hosts = _get_path(pasted, path), _get_path(host, path)
        if stated and hosts and stated != hosts:
            return True
    version = _get_path(pasted, "python.version")
    hosts_version = _get_path(host, "python.version")
    return bool(
        isinstance(version, str) and hosts_version and not _same_version(version, hosts_version)
    )


def _same_gpu(listed: Any, name: str) -> bool:
    """One GPU model under the names tools give it: "NVIDIA " added by drivers >= 495, a name
    nvidia-smi's table cut with "..."."""
    if not isinstance(listed, dict) or not isinstance(listed.get("name"), str):
        return False

    def bare(text: str) -> str:
        text = text.strip().casefold()
        return text[len("nvidia ") :] if text.startswith("nvidia ") else text

    have, want = bare(listed["name"]), bare(name)
    if have.endswith("..."):
        return bool(have[:-3]) and want.startswith(have[:-3].rstrip())
    return have == want
