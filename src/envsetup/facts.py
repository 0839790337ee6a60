"""Everything doctor learned about a machine: plain, typed, JSON-serialisable data.

Each fact carries `source`, naming where it was read ("nvml", "file:/proc/driver/nvidia/version",
"command:nvidia-smi", "override:ENVSETUP_CUDA_DRIVER_VERSION", ...). The JSON form is published as
docs/schema/doctor.schema.json; bump SCHEMA_VERSION on any incompatible change.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Optional

from envsetup.model.capability import ComputeCapability
from envsetup.model.compute_platform import TorchFlavor
from envsetup.model.cuda_layout import CudaLayoutFacts
from envsetup.model.extension_build import ExtensionBuildFacts
from envsetup.model.gpu import Gpu as Gpu  # facts.nvidia.gpus: the model's one GPU type
from envsetup.model.gpu import is_published
from envsetup.model.gpu_access import GpuAccessFacts
from envsetup.model.interpreter_choice import InterpreterChoice
from envsetup.model.jetson import JetsonFacts
from envsetup.model.system_info import SystemInfo

SCHEMA_VERSION = 1


@dataclass
class ReadProblem:
    """Something a probe found but could not make sense of: becomes a 'could not read' finding."""

    what: str  # e.g. "nvidia-smi output", "/etc/os-release"
    reason: str
    evidence: str = ""  # the first lines of the offending text


@dataclass
class OsFacts:
    system: str  # Linux, Darwin, Windows
    arch: str
    kernel: str = ""
    distro_id: str = ""
    distro_name: str = ""
    distro_version: str = ""
    distro_like: list[str] = field(default_factory=list)
    glibc: Optional[str] = None
    # musl libc (Alpine): its version ("1.2"), "" when only its loader was seen; None: not musl
    musl: Optional[str] = None
    wsl: Optional[int] = None  # 1 or 2 when running under WSL
    wsl_evidence: list[str] = field(default_factory=list)
    container: Optional[str] = None  # docker, podman, kubernetes, containerd, lxc...
    container_evidence: list[str] = field(default_factory=list)
    macos_version: str = ""
    windows_version: str = ""
    source: str = ""


@dataclass
class PythonFacts:
    executable: str
    version: str = ""
    implementation: str = ""
    prefix: str = ""
    environment: str = "system"  # venv, conda, uv, pyenv, system
    externally_managed: bool = False  # PEP 668 marker present
    externally_managed_path: str = ""
    pip_version: Optional[str] = None
    site_packages: list[str] = field(default_factory=list)
    bits: Optional[int] = None
    # envsetup's own install record in the environment: complete, incomplete (killed mid-way), unreadable
    envsetup_install: Optional[str] = None
    source: str = ""
    # Which rule chose this interpreter (--python, VIRTUAL_ENV, a .venv found from the working
    # directory...; model/interpreter_choice.py); None in facts read from elsewhere (a paste).
    chosen_by: Optional[InterpreterChoice] = None


@dataclass
class NvidiaFacts:
    driver_version: Optional[str] = None
    driver_source: str = ""
    # The highest CUDA version the driver supports (what nvidia-smi prints as "CUDA Version").
    driver_cuda_version: Optional[str] = None
    driver_cuda_source: str = ""
    kernel_module: Optional[str] = None  # "open" or "proprietary"
    kernel_module_version: Optional[str] = None  # from /proc or /sys: what is loaded
    gpus: list[Gpu] = field(default_factory=list)
    gpus_source: str = ""
    nvml_error: Optional[str] = None
    smi_path: Optional[str] = None
    smi_state: str = "not-run"  # ok, not-found, timed-out, failed, not-run
    smi_failure: Optional[str] = (
        None  # a failure id: couldnt-communicate, version-mismatch, no-devices...
    )
    smi_evidence: str = ""
    smi_cuda_version_raw: Optional[str] = None  # "N/A" or "ERR!" when libcuda is unusable
    nouveau_loaded: bool = False
    # NVIDIA kernel modules lsmod (or /proc/modules) lists as loaded: "nvidia", "nvidia_uvm"...
    modules_loaded: list[str] = field(default_factory=list)
    # NVIDIA display devices lspci shows, as "slot description [driver: X]" (read when no driver answers)
    pci_devices: list[str] = field(default_factory=list)
    linux_driver_in_wsl: list[str] = field(
        default_factory=list
    )  # libs of a Linux driver found inside WSL


@dataclass
class CudaToolkit:
    path: str  # the toolkit root (or the wheel directory)
    version: Optional[str] = None  # "12.8.93" when nvcc says so, else "12.8"
    source: str = ""  # how it was found and how its version was read
    nvcc: Optional[str] = None
    # An envsetup.model.toolkit.ToolkitKind value: "system" or "pip-wheel". None in facts
    # written before the field existed (ToolkitKind.of reads it from `source` then).
    kind: Optional[str] = None


@dataclass
class CudaFacts:
    toolkits: list[CudaToolkit] = field(default_factory=list)
    nvcc_on_path: Optional[str] = None  # the nvcc PATH selects
    nvcc_on_path_version: Optional[str] = None
    cuda_home: Optional[str] = None  # CUDA_HOME / CUDA_PATH
    ld_library_path: list[str] = field(default_factory=list)
    # Directories on LD_LIBRARY_PATH holding a CUDA runtime or cuDNN, with what they hold.
    ld_library_path_cuda_libs: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class CudnnInstall:
    version: Optional[str]
    path: str
    source: str  # header, library, pip-wheel, torch-bundled


@dataclass
class TorchDeep:
    """What importing torch in a subprocess said (only with --deep)."""

    ran: bool = False
    error: Optional[str] = None
    cuda_available: Optional[bool] = None
    device_count: Optional[int] = None
    arch_list: list[str] = field(default_factory=list)
    cudnn_version: Optional[int] = None
    duration_s: Optional[float] = None
    # The last lines torch printed on stderr (its warnings, the traceback of a failed import),
    # at most STDERR_TAIL_LINES lines of STDERR_LINE_CHARS: what diagnose.signal_rules classifies.
    stderr_tail: list[str] = field(default_factory=list)


STDERR_TAIL_LINES = 40
STDERR_LINE_CHARS = 1000


@dataclass
class TorchFacts:
    version: Optional[str] = None  # "2.4.0+cu121"
    location: str = ""
    flavor: TorchFlavor = TorchFlavor.NONE
    cuda_version: Optional[str] = None  # the CUDA it was built with
    hip_version: Optional[str] = None
    cudnn_version: Optional[str] = None  # cuDNN the build pins or bundles
    torchvision: Optional[str] = None
    torchaudio: Optional[str] = None
    requires_nvidia: dict[str, str] = field(default_factory=dict)  # nvidia-* wheels it requires
    source: str = ""
    deep: TorchDeep = field(default_factory=TorchDeep)


@dataclass
class AmdGpu:
    """One AMD GPU agent: its gfx target ("gfx1031"), its name where rocminfo gave one."""

    gfx: str
    name: str = ""  # rocminfo's Marketing Name, "AMD Radeon RX 6700 XT"
    source: str = ""  # "command:rocminfo" or "file:/sys/class/kfd/kfd/topology/nodes/1/properties"
    vram_mib: Optional[int] = None  # rocm-smi --showmeminfo vram's "VRAM Total Memory (B)" / 2**20


@dataclass
class RocmFacts:
    version: Optional[str] = None
    source: str = ""
    smi_path: Optional[str] = None
    # The GPUs' gfx targets, once each: rocminfo's GPU agents, else the KFD topology's GPU nodes.
    gfx_targets: list[str] = field(default_factory=list)
    gpus: list[AmdGpu] = field(default_factory=list)  # each AMD GPU, in agent/node order
    # HSA_OVERRIDE_GFX_VERSION as set (the ROCm runtime then reports that target, "10.3.0").
    hsa_override_gfx_version: Optional[str] = None
    # rocminfo's "Unable to open /dev/kfd read-write: REASON" (the REASON: "Permission denied",
    # "No such file or directory"): the runtime cannot reach the GPUs at all.
    kfd_error: Optional[str] = None


@dataclass
class AppleFacts:
    apple_silicon: bool = False
    chip: str = ""
    mps_capable: bool = False  # macOS >= 12.3 on arm64


@dataclass
class Overrides:
    """Values set by ENVSETUP_* variables that replace detection (CI, image builds)."""

    cuda_driver_version: Optional[str] = None
    driver_version: Optional[str] = None
    gpu_arch: Optional[str] = None


@dataclass
class Facts:
    os: OsFacts
    python: PythonFacts
    nvidia: NvidiaFacts = field(default_factory=NvidiaFacts)
    cuda: CudaFacts = field(default_factory=CudaFacts)
    cudnn: list[CudnnInstall] = field(default_factory=list)
    torch: TorchFacts = field(default_factory=TorchFacts)
    rocm: RocmFacts = field(default_factory=RocmFacts)
    apple: AppleFacts = field(default_factory=AppleFacts)
    jetson: JetsonFacts = field(default_factory=JetsonFacts)  # model/jetson.py
    overrides: Overrides = field(default_factory=Overrides)
    # torch's wheel libraries, the copies that could shadow them, broken toolkit links/versions
    cuda_layout: CudaLayoutFacts = field(default_factory=CudaLayoutFacts)
    # The NVSwitch fabric and a container's GPU pass-through (model/gpu_access.py).
    gpu_access: GpuAccessFacts = field(default_factory=GpuAccessFacts)
    # what building a CUDA extension would use (model/extension_build.py)
    extension_build: ExtensionBuildFacts = field(default_factory=ExtensionBuildFacts)
    # CPU, memory, compilers, relevant package versions: collect_env's (model/system_info.py)
    system_info: SystemInfo = field(default_factory=SystemInfo)
    problems: list[ReadProblem] = field(default_factory=list)
    schema_version: int = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: published fields only (model.gpu.DETAIL ones are not), a compute
        capability as "8.6", an enum as its value."""
        return _plain(self)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: Any) -> Facts:
        """Rebuild Facts from its to_dict() form (what `envsetup doctor --json` writes under
        "facts"): unknown keys ignored, missing ones defaulted. Every value is checked against its
        dataclass field's type: the document is input, and a string where a number belongs must be
        refused here, not crash the resolver. Raises ValueError naming the key and the reason
        (e.g. `nvidia.gpus[0].memory_total_mib: expected int, got a string`)."""
        if not isinstance(data, dict) or "os" not in data or "python" not in data:
            raise ValueError("it needs at least the 'os' and 'python' tables")
        version = data.get("schema_version", SCHEMA_VERSION)
        if not isinstance(version, int) or isinstance(version, bool) or version > SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {version!r}: this envsetup reads Facts up to schema "
                f"{SCHEMA_VERSION} (written by a newer envsetup? upgrade envsetup)"
            )
        return _build(cls, data, "")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if is_published(f)
        }
    if isinstance(value, ComputeCapability):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _build(cls: Any, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ValueError(f"{where or 'the document'}: expected an object, got {_json_type(data)}")
    hints = typing.get_type_hints(cls)
    values = {}
    for item in dataclasses.fields(cls):
        if not is_published(item):
            continue  # not part of the document
        key = f"{where}.{item.name}" if where else item.name
        if item.name in data:
            values[item.name] = _convert(hints[item.name], data[item.name], key)
        elif item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING:
            raise ValueError(f"{key}: missing")
    return cls(**values)


def _convert(hint: Any, value: Any, where: str) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        inner = [a for a in args if a is not type(None)]
        return None if value is None else _convert(inner[0], value, where)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, where)
    if hint is ComputeCapability:
        found = ComputeCapability.try_parse(value) if isinstance(value, str) else None
        if found is None:
            raise ValueError(
                f'{where}: expected a compute capability like "8.6", got {value!r:.40}'
            )
        return found
    if isinstance(hint, type) and issubclass(hint, Enum):
        if not isinstance(value, str) or value not in {m.value for m in hint}:
            known = ", ".join(m.value for m in hint)
            raise ValueError(f"{where}: expected one of {known}, got {value!r:.40}")
        return hint(value)
    if origin is list:
        if not isinstance(value, list):
            raise ValueError(f"{where}: expected an array, got {_json_type(value)}")
        return [_convert(args[0], v, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"{where}: expected an object, got {_json_type(value)}")
        return {str(k): _convert(args[1], v, f"{where}.{k}") for k, v in value.items()}
    expected = {str: (str,), int: (int,), float: (int, float), bool: (bool,)}.get(hint)
    if expected is None:
        return value
    if not isinstance(value, expected) or (hint is not bool and isinstance(value, bool)):
        raise ValueError(f"{where}: expected {hint.__name__}, got {_json_type(value)}")
    return float(value) if hint is float else value


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number")
