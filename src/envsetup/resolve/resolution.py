"""What the resolver decided (or why it refused). Shared by the resolver, the backends and render."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from envsetup.compat.verdicts import Verdict


@dataclass(frozen=True)
class Pin:
    name: str  # torch, torchvision, torchaudio
    version: str  # exactly as the index names it, e.g. "2.0.1+cu118" or "2.0.1"

    def requirement(self) -> str:
        return f"{self.name}=={self.version}"


@dataclass
class Resolution:
    """A request resolved against the profiles for one machine: what to install, from where, why."""

    torch_release: str  # "2.0"
    variant: str  # "cu118", "cpu", "rocm5.4.2"
    python_version: str  # "3.10"
    manager: str  # pip, uv, conda
    pins: list[Pin] = field(default_factory=list)
    index_url: Optional[str] = None  # None: the default index (PyPI)
    conda_channels: list[str] = field(default_factory=list)
    conda_specs: list[str] = field(
        default_factory=list
    )  # e.g. ["pytorch==2.0.1", "pytorch-cuda=11.8"]
    env_path: Optional[str] = None  # venv directory (pip, uv) or conda prefix
    env_name: Optional[str] = None  # conda --name
    cuda_version: Optional[str] = None
    cudnn_version: Optional[str] = None
    explanation: list[str] = field(default_factory=list)  # one line per reason, for people
    sources: list[str] = field(default_factory=list)  # where the facts behind the choice come from
    # Profile facts the choice rests on that the profile marks unconfirmed (status U).
    unconfirmed: list[str] = field(default_factory=list)
    # envsetup.compat.assess on the chosen build: codes and parameters behind `explanation`.
    verdicts: list[Verdict] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        # Each verdict as every --json writes one: {code, severity, **parameters}.
        data["verdicts"] = [verdict.to_dict() for verdict in self.verdicts]
        return data


class RefusalCode(str, Enum):
    """Why the resolver refused, when it is about the request rather than the machine
    (the machine's reasons are envsetup.compat.verdicts.VerdictCode)."""

    NO_PROFILES = "no-profiles"
    NO_PLATFORM = "no-platform"  # PyTorch publishes no wheels for this OS / CPU
    UNKNOWN_RELEASE = "unknown-release"
    UNKNOWN_PATCH = "unknown-patch"
    NO_SUCH_BUILD = "no-such-build"  # the release has no build of the asked compute platform
    NO_CUDA_BUILD_RUNS = "no-cuda-build-runs"  # --cuda auto: every CUDA build is blocked
    NO_RELEASE_FITS = "no-release-fits"
    PIP_PYTHON_MISMATCH = "pip-python-mismatch"
    NO_GPU_BUILDS_ON_MACOS = "no-gpu-builds-on-macos"
    NO_CONDA_PACKAGE = "no-conda-package"
    NO_CONDA_RECIPE = "no-conda-recipe"


class ResolutionRefused(Exception):
    """An impossible request: the reason, the nearest requests that would work, and the codes.

    `codes` holds RefusalCode and VerdictCode members (both str enums): what callers and tests
    test, never `reason`'s words. `verdicts` are the blocking verdicts behind the refusal, with
    their parameters (the driver floor, the GPUs an arch list misses...).
    """

    def __init__(
        self,
        reason: str,
        alternatives: Optional[list[str]] = None,
        codes: tuple[str, ...] = (),
        verdicts: tuple[Verdict, ...] = (),
        params: Optional[dict[str, Any]] = None,
    ) -> None:
        super().__init__(reason)
        # The values `reason` is made of (the release, the build asked for, the builds there are).
        self.params = dict(params or {})
        self.reason = reason
        self.alternatives = alternatives or []
        self.verdicts = tuple(verdicts)
        self.codes = tuple(dict.fromkeys([*codes, *(v.code for v in verdicts)]))
