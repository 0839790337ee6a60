"""What makes two nodes "the same" for a training job: the node fingerprint.

A fleet report groups nodes by it (issue 13): a node whose driver was upgraded without a reboot,
or whose torch differs from the other 63, falls out of the majority's group. It holds what decides
whether the same job runs the same way there: the NVIDIA driver and the highest CUDA it supports,
the GPU models with their compute capabilities and counts, the torch build (version with its local
label, compute platform, cuDNN), the interpreter's Python and the profiles/ release the build
matches. Nothing that differs between identical nodes (host name, GPU UUIDs, bus ids, free memory)
is in it. `key` is the first 12 hex digits of the SHA-256 of the canonical JSON (sorted keys, no
spaces) of the other fields: equal facts give equal keys on any machine and Python.

cuDNN reports its version as one number, CUDNN_VERSION (torch.backends.cudnn.version()):
major*10000 + minor*100 + patch from cuDNN 9 on (cudnn_version.h: `#define CUDNN_VERSION
(CUDNN_MAJOR * 10000 + CUDNN_MINOR * 100 + CUDNN_PATCHLEVEL)`; a copy of the header:
https://github.com/KarelPeeters/Kyanite/blob/master/kn-cuda-sys/doc_headers/cudnn_include/cudnn_version.h),
major*1000 + minor*100 + patch before (torch.backends.cudnn.version() 7605 is cuDNN 7.6.5:
https://github.com/zanghu/gitbook_notebook/blob/master/pytorch/pytorch008.md); the same rule
parsers/signals/torch.py reads torch's messages with.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Optional

from envsetup.facts import Facts
from envsetup.model.compute_platform import ComputePlatform, TorchFlavor

KEY_HEX_DIGITS = 12
CUDNN_9_ENCODING_FROM = 10000  # a CUDNN_VERSION this large is cuDNN 9's encoding


@dataclass(frozen=True)
class FingerprintGpu:
    """GPUs of one model: its name, its compute capability ("9.0"; an AMD GPU's gfx target,
    "gfx90a"), and how many the node has."""

    name: str
    compute_capability: Optional[str]
    count: int


@dataclass(frozen=True)
class Fingerprint:
    """data.fingerprint in doctor's and verify's --json (docs/output.md)."""

    driver: Optional[str] = None  # "550.90.07"
    driver_cuda: Optional[str] = None  # "12.4": the highest CUDA the driver supports
    gpus: list[FingerprintGpu] = field(default_factory=list)
    torch: Optional[str] = None  # "2.5.1+cu124"
    compute_platform: Optional[str] = None  # "cu124", "cpu", "rocm6.2"
    cudnn: Optional[str] = None  # "9.1.0"
    python: Optional[str] = None  # "3.11.7"
    profile: Optional[str] = None  # "2.5": the profiles/ release the torch build matches
    key: str = ""

    @classmethod
    def empty(cls) -> Fingerprint:
        """Nothing known (every field null): the fingerprint of an inspection that read nothing."""
        fields: dict[str, Any] = {name: None for name in FIELDS}
        fields["gpus"] = []
        return cls(**fields, key=fingerprint_key(fields))

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["gpus"] = [asdict(g) for g in self.gpus]
        return out


FIELDS = (
    "driver",
    "driver_cuda",
    "gpus",
    "torch",
    "compute_platform",
    "cudnn",
    "python",
    "profile",
)

# (torch version, system, machine) -> the matching profile's release, or None: the caller's
# look-up (profiles.lookup.lookup_build), handed in so that this module stays pure.
ProfileLookup = Callable[[str, str, str], Optional[str]]


def fingerprint_of(facts: Facts, profile_of: Optional[ProfileLookup] = None) -> Fingerprint:
    """The fingerprint of what `facts` describe. `profile_of` names the profile release of the
    torch build (None: no look-up, `profile` stays null)."""
    torch = facts.torch.version or None
    profile = None
    if torch and profile_of is not None:
        profile = profile_of(torch, facts.os.system, facts.os.arch)
    fields: dict[str, Any] = {
        "driver": facts.nvidia.driver_version or None,
        "driver_cuda": facts.nvidia.driver_cuda_version or None,
        "gpus": _gpus(facts),
        "torch": torch,
        "compute_platform": _compute_platform(facts),
        "cudnn": _cudnn(facts),
        "python": facts.python.version or None,
        "profile": profile,
    }
    return Fingerprint(**fields, key=fingerprint_key(fields))


def fingerprint_key(fields: dict[str, Any]) -> str:
    """The first 12 hex digits of the SHA-256 of the fields' canonical JSON. `gpus` may hold
    FingerprintGpu or their dicts (a report read back by `fleet report`): the same key."""
    plain = {
        k: ([g if isinstance(g, dict) else asdict(g) for g in v] if k == "gpus" else v)
        for k, v in fields.items()
    }
    canonical = json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()[:KEY_HEX_DIGITS]


def _gpus(facts: Facts) -> list[FingerprintGpu]:
    """The node's GPUs grouped by (name, compute capability), sorted: NVIDIA's, then AMD's
    (named by their gfx target). Stated capabilities (a variable's, no GPU behind them) are
    not GPUs of the node."""
    models: Counter[tuple[str, Optional[str]]] = Counter()
    for gpu in facts.nvidia.gpus:
        if gpu.stated_by:
            continue
        capability = str(gpu.compute_capability) if gpu.compute_capability else None
        models[(gpu.name, capability)] += 1
    for amd in facts.rocm.gpus:
        models[(amd.name, amd.gfx or None)] += 1
    return [
        FingerprintGpu(name=name, compute_capability=capability, count=count)
        for (name, capability), count in sorted(
            models.items(), key=lambda i: (i[0][0], i[0][1] or "")
        )
    ]


def _compute_platform(facts: Facts) -> Optional[str]:
    """The torch build's compute platform (platform_tag)."""
    version = facts.torch.version
    if not version:
        return None
    return platform_tag(
        version, facts.torch.flavor, facts.torch.cuda_version, facts.torch.hip_version
    )


def platform_tag(
    version: str, flavor: TorchFlavor, cuda_version: Optional[str], hip_version: Optional[str]
) -> Optional[str]:
    """A torch build's compute platform tag: its wheel's local label ("+cu124"), else what its
    files say it was built for (a PyPI wheel has no label)."""
    platform = ComputePlatform.from_local_version(version) or ComputePlatform.from_flavor(
        flavor, cuda_version, hip_version
    )
    return platform.tag if platform else None


def _cudnn(facts: Facts) -> Optional[str]:
    """cuDNN as major.minor.patch: what the --deep import reported, else what the build pins or
    bundles."""
    if facts.torch.deep.cudnn_version:
        return cudnn_from_number(facts.torch.deep.cudnn_version)
    return cudnn_text(facts.torch.cudnn_version)


def cudnn_text(value: Optional[str]) -> Optional[str]:
    """A cuDNN version as major.minor.patch: "9.1.0.70" -> "9.1.0", CUDNN_VERSION "90100" ->
    "9.1.0"; None for nothing."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return cudnn_from_number(int(text))
    return ".".join(text.split(".")[:3])


def cudnn_from_number(number: int) -> str:
    """CUDNN_VERSION as major.minor.patch: 90100 -> 9.1.0, 8902 -> 8.9.2 (see the module's
    docstring for the two encodings)."""
    if number >= CUDNN_9_ENCODING_FROM:
        return f"{number // 10000}.{number % 10000 // 100}.{number % 100}"
    return f"{number // 1000}.{number % 1000 // 100}.{number % 100}"


def profile_release(lookup: Callable[[str, str, str], Any]) -> ProfileLookup:
    """A ProfileLookup from a build look-up (profiles.lookup.lookup_build): the release of the
    build it finds ("2.5"), or None."""

    def profile_of(torch: str, system: str, machine: str) -> Optional[str]:
        release = getattr(lookup(torch, system, machine), "release", None)
        return str(release) if release else None

    return profile_of
