"""The checked profile of one PyTorch release, as typed data: its patches, platforms and builds
(the keys are documented in profiles/README.md; the schema check is envsetup.profiles.schema_check)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from envsetup.model.compute_platform import ComputePlatform, PlatformKind
from envsetup.model.versions import parse_version

if TYPE_CHECKING:
    from envsetup.compat.build import Build
    from envsetup.profiles.pypi import PypiWheel

STATUSES = ("C", "D", "U")
STATUS_WORDS = {"C": "confirmed", "D": "derived", "U": "unconfirmed"}


@dataclass(frozen=True)
class Patch:
    torch: str
    torchvision: str
    torchaudio: str
    conda_torchvision: Optional[str] = None
    conda_torchaudio: Optional[str] = None
    source: tuple[str, ...] = ()
    status: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VariantOnPlatform:
    """What differs for one variant on one platform (arch list, PyPI instead of an index...)."""

    arch_list: Optional[tuple[str, ...]] = None  # None: compat.md gives no list
    index_url: Optional[str] = None  # None: as the variant; "" : plain PyPI
    local_version: Optional[str] = None  # None: as the variant; "": no "+label"
    # This build's own glibc floor (the manylinux tag of its wheel) where it is below the
    # platform's (2.6's cu124 on manylinux2014 beside cu126 on manylinux_2_28); None: the
    # platform's floor.
    glibc_min: Optional[str] = None
    source: tuple[str, ...] = ()
    status: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Variant:
    name: str  # cpu, cu118, rocm6.2
    kind: PlatformKind  # CPU, CUDA or ROCM
    platforms: tuple[str, ...]
    index_url: str
    local_version: str
    cuda: Optional[str] = None
    cudnn: Optional[str] = None
    rocm: Optional[str] = None
    conda_channels: tuple[str, ...] = ()
    conda_selector: Optional[str] = None  # "pytorch-cuda=11.8", "cpuonly"
    source: tuple[str, ...] = ()
    status: dict[str, str] = field(default_factory=dict)
    on: dict[str, VariantOnPlatform] = field(default_factory=dict)

    def arch_list(self, platform_key: str) -> list[str]:
        """Compute capabilities compiled in on that platform, e.g. ["5.0", ..., "9.0+PTX"]."""
        per = self.on.get(platform_key)
        return list(per.arch_list) if per and per.arch_list is not None else []

    def has_arch_list(self, platform_key: str) -> bool:
        per = self.on.get(platform_key)
        return per is not None and per.arch_list is not None

    def index_url_for(self, platform_key: str) -> Optional[str]:
        """The wheel index on that platform; None means plain PyPI."""
        per = self.on.get(platform_key)
        url = per.index_url if per and per.index_url is not None else self.index_url
        return url or None

    def local_label_for(self, platform_key: str) -> str:
        per = self.on.get(platform_key)
        return per.local_version if per and per.local_version is not None else self.local_version

    def min_driver(self, system: str) -> Optional[str]:
        """The lowest driver that runs this CUDA build on `system` (None for CPU and ROCm).

        From envsetup's CUDA driver table (minor version compatibility), the one source of
        driver floors: profiles hold none of their own.
        """
        from envsetup import compat

        need = compat.min_driver_for_torch_cuda(self.cuda, system) if self.cuda else None
        return need.driver if need else None

    def status_on(self, platform_key: str) -> dict[str, str]:
        per = self.on.get(platform_key)
        return {**self.status, **(per.status if per else {})}

    @property
    def platform(self) -> ComputePlatform:
        """The compute platform this variant targets (its name is the tag: cu118, rocm6.2)."""
        return ComputePlatform.parse(self.name)


@dataclass(frozen=True)
class Platform:
    key: str
    python_min: str
    python_max: str
    variants: tuple[str, ...]
    pypi_default: str
    glibc_min: Optional[str] = None
    source: tuple[str, ...] = ()
    status: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Release:
    release: str  # "2.0"
    release_date: str
    torch: str  # the newest patch
    patches: tuple[Patch, ...]
    platforms: dict[str, Platform]
    variants: dict[str, Variant]
    conda: bool  # published on the pytorch conda channel
    conda_reason: str
    conda_platforms: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)  # tag -> where the fact was read
    source: tuple[str, ...] = ()
    status: dict[str, str] = field(default_factory=dict)
    path: str = ""

    def python_range(self, platform_key: str) -> tuple[str, str]:
        platform = self.platforms[platform_key]
        return platform.python_min, platform.python_max

    def variants_on(self, platform_key: str) -> list[Variant]:
        platform = self.platforms.get(platform_key)
        return [self.variants[name] for name in platform.variants] if platform else []

    def patch(self, torch_version: str) -> Optional[Patch]:
        """The patch `torch_version` names, compared as pip compares versions (PEP 440: `2.4`
        and `2.4.0` are the same version, so `torch==2.4` installs 2.4.0); None when none is."""
        wanted = parse_version(torch_version)
        if wanted is None:
            return None
        return next((p for p in self.patches if parse_version(p.torch) == wanted), None)

    def newest_patch(self) -> Patch:
        return self.patch(self.torch) or self.patches[-1]

    def pypi_wheel(self, platform_key: str, python: Optional[str] = None) -> PypiWheel:
        """What a plain `pip install torch` of this release takes from PyPI on `platform_key`
        (envsetup.profiles.pypi.pypi_wheel, the one answer doctor and check-command use too)."""
        from envsetup.profiles.pypi import pypi_wheel

        platform = self.platforms.get(platform_key)
        table = (
            {
                "pypi_default": platform.pypi_default,
                "python": [platform.python_min, platform.python_max],
                "status": platform.status,
            }
            if platform
            else None
        )
        return pypi_wheel(self.release, platform_key, table, python)

    def build(self, variant: str, platform_key: str) -> Build:
        """What envsetup.compat.assess judges for this release's `variant` on `platform_key`.

        A platform the release does not publish `variant` for gives a Build the judgement
        refuses with NO_BUILD_FOR_PLATFORM.
        """
        from envsetup.compat.build import Build

        chosen = self.variants.get(variant)
        platform = self.platforms.get(platform_key)
        available = chosen is not None and platform is not None and variant in platform.variants
        arch = chosen.on.get(platform_key) if chosen else None
        return Build(
            platform=chosen.platform if chosen else ComputePlatform.parse(variant),
            platform_key=platform_key,
            arch_list=arch.arch_list if arch is not None and arch.arch_list is not None else None,
            python_min=platform.python_min if platform else None,
            python_max=platform.python_max if platform else None,
            glibc_min=(arch.glibc_min if arch is not None else None)
            or (platform.glibc_min if platform else None),
            available_on_platform=available,
        )
