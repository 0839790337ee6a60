"""The Host interface and the plain data it hands back."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping, Optional, Protocol, Sequence

from envsetup.host.recording_schema import NVML_DEVICE_TYPES
from envsetup.model.capability import ComputeCapability
from envsetup.model.gpu import Gpu


@dataclass(frozen=True)
class CommandResult:
    """What one subprocess did. `returncode` is None when it never ran or was killed."""

    argv: tuple[str, ...]
    returncode: Optional[int]
    stdout: str = ""
    stderr: str = ""
    timed_out: bool = False
    not_found: bool = False
    duration_s: float = 0.0
    # It printed more than the host reads of a command (LiveHost: 8 MiB a stream): the output
    # is cut there, and the command was ended.
    truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.truncated

    @property
    def output(self) -> str:
        """stdout and stderr together: nvidia-smi prints its failures on stdout."""
        if self.stdout and self.stderr:
            return self.stdout.rstrip("\n") + "\n" + self.stderr
        return self.stdout or self.stderr


@dataclass(frozen=True)
class PlatformInfo:
    """What Python's `platform` and `sys` say about the machine running the tool."""

    system: str  # Linux, Darwin, Windows
    release: str  # kernel release on Linux
    version: str
    machine: str  # x86_64, aarch64, arm64, AMD64
    libc: str = ""  # e.g. "glibc 2.36"
    mac_version: str = ""
    windows_version: str = ""
    python_executable: str = ""
    # Where envsetup was started: doctor looks for a .venv from here upwards
    # (host/interpreter_discovery.py). "" in a recording made before it was recorded.
    working_directory: str = ""
    # The interpreter running envsetup, described as envsetup.probe.python_env's introspection
    # script would describe it, so that probing that interpreter costs no subprocess.
    python: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PlatformInfo:
        known = {f for f in cls.__dataclass_fields__} - {"python"}
        python = data.get("python")
        return cls(
            **{k: str(v) for k, v in data.items() if k in known},
            python=dict(python) if isinstance(python, dict) else {},
        )


class NvmlUnavailable(Exception):
    """NVML could not be used: library missing, driver not loaded, version mismatch..."""


# NVML counts memory in bytes; the model (and doctor's facts) in MiB.
MIB = 1 << 20


@dataclass
class NvmlSnapshot:
    """What the NVML query returned: the driver, its CUDA version and each GPU (model.gpu.Gpu).

    Its JSON form is a recorded host's `nvml` entry (docs/recorded-host.md), whose device keys
    are NVML's: `memory_total_bytes` (the model keeps whole MiB; a recording holds them as
    bytes, a multiple of 2**20) and `compute_capability` as "8.6".
    """

    driver_version: str
    cuda_driver_version: Optional[int]  # cuDriverGetVersion encoding: 12040 == 12.4
    devices: list[Gpu] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "driver_version": self.driver_version,
            "cuda_driver_version": self.cuda_driver_version,
            "devices": [_device_dict(d) for d in self.devices],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> NvmlSnapshot:
        """From the recorded form (checked beforehand by host.recording_schema.check_nvml)."""
        return cls(
            driver_version=str(data["driver_version"]),
            cuda_driver_version=data.get("cuda_driver_version"),
            devices=[_device_from_dict(d) for d in data.get("devices", [])],
        )


# A recorded NVML device's keys (host.json's schema) that are Gpu fields as they stand; the
# other two, memory_total_bytes and compute_capability, are converted.
NVML_DEVICE_KEYS = tuple(
    k for k in NVML_DEVICE_TYPES if k not in ("memory_total_bytes", "compute_capability")
)


def _device_dict(gpu: Gpu) -> dict[str, Any]:
    out: dict[str, Any] = {k: getattr(gpu, k) for k in NVML_DEVICE_KEYS}
    out["memory_total_bytes"] = gpu.memory_total_mib * MIB if gpu.memory_total_mib else None
    capability = gpu.compute_capability
    out["compute_capability"] = str(capability) if capability is not None else None
    return out


def _device_from_dict(data: Mapping[str, Any]) -> Gpu:
    memory = data.get("memory_total_bytes")
    return Gpu(
        **{k: data[k] for k in NVML_DEVICE_KEYS if k in data},
        memory_total_mib=memory // MIB if memory else None,
        compute_capability=ComputeCapability.try_parse(data.get("compute_capability")),
    )


class Host(Protocol):
    """Everything a probe may ask of a machine. Nothing else touches the host."""

    def run(self, argv: Sequence[str], timeout: float) -> CommandResult:
        """Run argv (never through a shell) and give up after `timeout` seconds (wall clock, for
        the whole call); output past the host's cap is cut (`truncated`)."""

    def read_text(self, path: str, max_bytes: int = 1 << 20) -> Optional[str]:
        """A regular file's first `max_bytes` as text (undecodable bytes replaced); None when it
        cannot be read, is not a regular file (FIFO, device, directory) or is binary (holds NUL
        bytes; a device-tree string's one terminating NUL is dropped first). Never blocks."""

    def exists(self, path: str) -> bool: ...

    def glob(self, pattern: str) -> list[str]:
        """Sorted paths matching an absolute glob pattern."""

    def environ(self) -> Mapping[str, str]: ...

    def which(self, name: str) -> Optional[str]: ...

    def realpath(self, path: str) -> str:
        """The path with symlinks resolved (/usr/local/cuda -> /usr/local/cuda-12.4)."""

    def platform(self) -> PlatformInfo: ...

    def nvml(self) -> NvmlSnapshot:
        """Query NVML once; raises NvmlUnavailable with the reason."""
