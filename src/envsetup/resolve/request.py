"""What `envsetup install` was asked for, parsed and checked for form (not for feasibility)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Optional

from envsetup.errors import UsageError
from envsetup.model.compute_platform import ComputePlatform, PlatformKind

MANAGERS = ("pip", "uv", "conda")
DEFAULT_ENV = ".venv"

_RELEASE_OR_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")
_PYTHON = re.compile(r"^3\.\d+$")
_OLD_PYTHON = re.compile(r"^[12]\.\d+$")  # a real Python, older than any torch 2.x supports
# A CUDA major alone (--cuda 12): the newest 12.x build this machine and the release allow.
_CUDA_MAJOR = re.compile(r"^(\d{1,3})$")
# The compute value for a CUDA major: "cuda12" (KINDS' "cuda" with the major it is held to).
CUDA_MAJOR_PREFIX = "cuda"


@dataclass(frozen=True)
class InstallRequest:
    torch: Optional[str] = None  # "2.0" (a release) or "2.0.1" (a patch); None: newest that fits
    # auto, cpu, cuXYZ, rocmX.Y, or a backend without a version: rocm (the ROCm build for the
    # AMD GPUs), cuda (the CUDA build for the NVIDIA ones)
    compute: str = "auto"
    python: Optional[str] = (
        None  # "3.10"; None: the running Python (pip), the newest installed in range else the newest (uv), the newest (conda)
    )
    manager: str = "pip"
    env_path: Optional[str] = None  # None with conda --name
    env_name: Optional[str] = None
    # X.Y of the interpreters installed on the target machine besides the inspected one (found
    # by install on this machine): uv takes the newest in range instead of downloading one.
    installed_pythons: tuple[str, ...] = ()
    # --backend as typed (None without it): alternatives that change --cuda then say --backend
    # too, since `--backend rocm --cuda auto` is still the ROCm build.
    backend: Optional[str] = None

    @property
    def torch_release(self) -> Optional[str]:
        return ".".join(self.torch.split(".")[:2]) if self.torch else None

    @property
    def torch_patch(self) -> Optional[str]:
        return self.torch if self.torch and self.torch.count(".") == 2 else None

    def flags(self) -> list[str]:
        """The request as command-line flags (how alternatives are written)."""
        out = []
        if self.torch:
            out += ["--torch", self.torch]
        out += ["--cuda", compute_flag(self.compute)]
        if self.python:
            out += ["--python", self.python]
        if self.manager != "pip":
            out += ["--manager", self.manager]
        return out


def with_flags(request: InstallRequest, flags: tuple[str, ...]) -> InstallRequest:
    """`request` with an alternative's flags laid over it, as a user adds them to the command
    they ran (--torch, --cuda, --python, --manager; each replaces the same flag's value)."""
    values = dict(zip(flags[::2], flags[1::2]))
    changes: dict[str, Any] = {}
    if "--torch" in values:
        changes["torch"] = values["--torch"]
    backend = values.get("--backend", request.backend)
    if "--cuda" in values or "--backend" in values:
        cuda = values.get("--cuda", "auto" if request.backend else compute_flag(request.compute))
        changes["compute"] = parse_backend(backend, cuda)
        changes["backend"] = backend
    if "--python" in values:
        changes["python"] = values["--python"]
    if "--manager" in values:
        changes["manager"] = values["--manager"]
    return dataclasses.replace(request, **changes)


def backend_of(compute: str) -> str:
    """The --backend that goes with --cuda COMPUTE: auto, cpu, rocm or cuda."""
    if compute in BACKENDS:
        return compute
    platform = ComputePlatform.try_parse(compute)
    return platform.kind.value if platform is not None else "cuda"


def compute_flag(compute: str) -> str:
    """'cu118' -> '11.8' (how --cuda spells a CUDA build), 'cuda12' -> '12'; others as they are."""
    major = cuda_major(compute)
    if major is not None:
        return major
    platform = ComputePlatform.try_parse(compute)
    return platform.cuda if platform is not None and platform.cuda else compute


def cuda_major(compute: str) -> Optional[str]:
    """'cuda12' (what --cuda 12 parses to) -> '12'; None for every other compute value."""
    rest = compute[len(CUDA_MAJOR_PREFIX) :] if compute.startswith(CUDA_MAJOR_PREFIX) else ""
    return str(int(rest)) if rest.isdigit() else None


def _cuda_release(value: str) -> Optional[str]:
    """'11.8', '11.8.0' or '11.8.89' (a toolkit's full version) -> '11.8': a CUDA build is named by
    major.minor, so a patch level names the same build. None when it is not a version."""
    from packaging.version import InvalidVersion, Version

    try:
        version = Version(value)
    except InvalidVersion:
        return None
    if len(version.release) < 2 or version.local or version.pre or version.post or version.dev:
        return None
    if version.epoch or value.lstrip("0123456789.") or version.release[1] > 9:
        return None  # cu1110 does not exist: a minor is one digit in a tag (cu118, cu128)
    return f"{version.release[0]}.{version.release[1]}"


def parse_compute(text: str) -> str:
    """--cuda: '11.8' / '11.8.0' / 'cu118' -> 'cu118'; 'auto', 'cpu', 'rocm6.2' as they are (the
    compute platform's tag, envsetup.model.compute_platform); a bare 'rocm' or 'cuda' (a backend,
    the version picked for this machine); '12' -> 'cuda12' (the newest 12.x build that runs
    here). UsageError for anything else."""
    value = text.strip().lower()
    if value in ("auto", *KINDS):
        return value
    if _CUDA_MAJOR.match(value):
        return f"{CUDA_MAJOR_PREFIX}{int(value)}"
    dotted = _cuda_release(value)
    platform = ComputePlatform.for_cuda(dotted) if dotted else None
    platform = platform or ComputePlatform.try_parse(value)
    if platform is not None and platform.kind in (
        PlatformKind.CPU,
        PlatformKind.CUDA,
        PlatformKind.ROCM,
    ):
        return platform.tag
    raise UsageError(
        f"--cuda {text}: not a CUDA version, 'auto', 'cpu' or a ROCm version; "
        "fix: pass e.g. --cuda 11.8, --cuda 12, --cuda auto, --cuda cpu or --cuda rocm6.2 "
        "(or --backend rocm for the ROCm build of the AMD GPUs)"
    )


# The backends --backend names (and --cuda takes bare): which kind of build, version unsaid.
KINDS = ("cpu", "cuda", "rocm")
BACKENDS = ("auto", *KINDS)


def parse_backend(backend: Optional[str], cuda: str) -> str:
    """--backend (auto, cuda, rocm, cpu) with --cuda -> the compute to resolve: --backend names the
    kind, --cuda may name its version (--backend rocm --cuda rocm6.4). UsageError when they
    disagree (--backend rocm --cuda 12.8) or the backend is unknown."""
    compute = parse_compute(cuda)
    if backend is None:
        return compute
    kind = backend.strip().lower()
    if kind not in BACKENDS:
        raise UsageError(
            f"--backend {backend}: unknown backend; fix: pass one of {', '.join(BACKENDS)}"
        )
    if compute == "auto" or kind == "auto":
        return kind if compute == "auto" else compute
    platform = ComputePlatform.try_parse(compute)
    compute_kind = compute if compute in KINDS else (platform.kind.value if platform else "")
    if cuda_major(compute) is not None:
        compute_kind = "cuda"
    if compute_kind != kind:
        raise UsageError(
            f"--backend {backend} --cuda {cuda}: the flags name different builds; fix: drop "
            f"--cuda, or pass a {kind} version with it"
        )
    return compute


def too_old_python(python: str, profiles: Optional[str] = None) -> str:
    """The usage error for a Python 2.x or 1.x: the oldest torch the profiles know and the
    oldest Python it supports (its profile's `python` range, on any platform)."""
    from envsetup.model.versions import version_key
    from envsetup.profiles.loader import load_releases

    releases = load_releases(profiles)
    if not releases:
        return f"--python {python}: too old for torch; fix: pass e.g. --python 3.11"
    oldest = releases[0]
    floor = min((p.python_min for p in oldest.platforms.values()), key=version_key, default="3.8")
    return (
        f"--python {python}: Python {python} is too old for any torch this tool knows (the "
        f"oldest, torch {oldest.release}, needs Python >= {floor}); fix: pass --python {floor} "
        "or newer, e.g. --python 3.11"
    )


def parse_request(
    torch: Optional[str] = None,
    cuda: str = "auto",
    python: Optional[str] = None,
    manager: str = "pip",
    env: Optional[str] = None,
    name: Optional[str] = None,
    backend: Optional[str] = None,
) -> InstallRequest:
    """Flags as typed -> InstallRequest, or UsageError naming the flag, the reason and the fix."""
    if torch is not None and not _RELEASE_OR_VERSION.match(torch.strip()):
        raise UsageError(
            f"--torch {torch}: not a release or version; fix: pass a release like 2.0 or a "
            "version like 2.0.1 (no +cu118 suffix: choose the build with --cuda)"
        )
    if python is not None and _OLD_PYTHON.match(python.strip()):
        raise UsageError(too_old_python(python.strip()))
    if python is not None and not _PYTHON.match(python.strip()):
        raise UsageError(f"--python {python}: not a Python version; fix: pass e.g. --python 3.11")
    manager_name = manager.strip().lower()
    if manager_name not in MANAGERS:
        raise UsageError(
            f"--manager {manager}: unknown manager; fix: pass one of {', '.join(MANAGERS)}"
        )
    if name is not None and manager_name != "conda":
        raise UsageError(
            f"--name {name}: only conda environments have names; fix: use --env PATH with "
            f"{manager_name}, or --manager conda"
        )
    if env is not None and not env.strip():
        raise UsageError(
            "--env '': an empty path; fix: pass the environment's directory, e.g. --env .venv"
        )
    if name is not None and not name.strip():
        raise UsageError("--name '': an empty name; fix: pass the conda environment's name")
    if name is not None and env is not None:
        raise UsageError(
            "--env and --name both given; fix: pass one of them (a conda prefix or a name)"
        )
    return InstallRequest(
        torch=torch.strip() if torch else None,
        compute=parse_backend(backend, cuda),
        python=python.strip() if python else None,
        manager=manager_name,
        env_path=env if env is not None else (None if name else DEFAULT_ENV),
        env_name=name,
        backend=backend.strip().lower() if backend else None,
    )
