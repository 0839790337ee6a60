"""What the resolver decided (or why it refused). Shared by the resolver, the backends and render."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class ResolutionRefused(Exception):
    """An impossible request: the reason, and the nearest requests that would work."""

    def __init__(self, reason: str, alternatives: Optional[list[str]] = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.alternatives = alternatives or []
