"""PyTorch release profiles: find, load and check profiles/torch-*.toml (one file per release).

Adding a release is adding a file: the loader globs the directory. The schema check is plain Python
so that a malformed profile is reported as one line naming the file, the key and the reason.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Optional

from envsetup.model.compute_platform import ComputePlatform
from envsetup.model.versions import parse_version, version_key

# Defined in the cheap-to-import profile_files; re-exported here for the resolver's callers.
from envsetup.profiles.files import PLATFORM_KEYS as PLATFORM_KEYS
from envsetup.profiles.files import PROFILES_ENV as PROFILES_ENV
from envsetup.profiles.files import ProfileError as ProfileError
from envsetup.profiles.files import platform_key_for as platform_key_for
from envsetup.profiles.files import profiles_dir as profiles_dir
from envsetup.profiles.files import read_profile_toml

if TYPE_CHECKING:
    from packaging.version import Version

    from envsetup.compat.build import Build

if sys.version_info >= (3, 11):
    pass
else:  # pragma: no cover - exercised on Python < 3.11 only
    pass

SCHEMA_VERSION = 1
STATUSES = ("C", "D", "U")
STATUS_WORDS = {"C": "confirmed", "D": "derived", "U": "unconfirmed"}

_RELEASE = re.compile(r"^\d+\.\d+$")
_VERSION = re.compile(r"^\d+(\.\d+){1,3}$")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_ARCH = re.compile(r"^\d+\.\d+[af]?(\+PTX)?$")  # "a": arch-specific, "f": family-specific
_VARIANT = re.compile(r"^(cpu|cu\d{3,4}|rocm\d+(\.\d+){1,2})$")
_URL = re.compile(r"^(https?|file)://\S+$")


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
    source: tuple[str, ...] = ()
    status: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Variant:
    name: str  # cpu, cu118, rocm6.2
    kind: str  # cpu, cuda, rocm
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
            glibc_min=platform.glibc_min if platform else None,
            available_on_platform=available,
        )


# ----------------------------------------------------------------------------- locating


def load_releases(directory: Optional[str] = None) -> list[Release]:
    """Every profile in the directory, oldest release first (cached per directory)."""
    where = Path(directory) if directory else profiles_dir()
    return list(_load_all(str(where)))


def release_files(directory: Optional[str] = None) -> list[tuple[str, Path]]:
    """(release, file) for every profile, oldest first, without reading them.

    The release comes from the file name; the schema check insists the two agree.
    """
    where = Path(directory) if directory else profiles_dir()
    return list(_list_files(str(where)))


def load_release(path: Path) -> Release:
    """One profile, parsed and checked once per process."""
    return _load_one(str(path))


@functools.lru_cache(maxsize=8)
def _list_files(directory: str) -> tuple[tuple[str, Path], ...]:
    where = Path(directory)
    if not where.is_dir():
        raise ProfileError(
            f"profiles directory {directory}: no such directory; fix: point {PROFILES_ENV} at a "
            "directory of torch-*.toml files or unset it"
        )
    found = []
    for path in where.glob("torch-*.toml"):
        name = path.name[len("torch-") : -len(".toml")]
        if not _RELEASE.match(name):
            raise ProfileError(
                f"{path}: the file name does not name a release (torch-X.Y.toml); fix: rename it"
            )
        found.append((name, path))
    if not found:
        raise ProfileError(
            f"profiles directory {directory}: it holds no torch-*.toml file; fix: point "
            f"{PROFILES_ENV} at the profiles/ directory of envsetup or unset it"
        )
    return tuple(sorted(found, key=lambda item: _release_key(item[0])))


@functools.lru_cache(maxsize=64)
def _load_one(path: str) -> Release:
    return load_profile(Path(path))


@functools.lru_cache(maxsize=8)
def _load_all(directory: str) -> tuple[Release, ...]:
    return tuple(_load_one(str(path)) for _, path in _list_files(directory))


def _release_key(release: str) -> Version:
    return version_key(release)


def load_profile(path: Path) -> Release:
    try:
        data = read_profile_toml(path)
    except FileNotFoundError:
        raise ProfileError(
            f"{path}: no such file; fix: check the file or unset {PROFILES_ENV}"
        ) from None
    return _Checker(str(path), data).release()


def find_build(
    torch_version: str, platform_key: str, releases: Optional[list[Release]] = None
) -> Optional[tuple[Release, Variant]]:
    """The profile build of an installed torch: '2.4.0+cu121' -> (2.4, cu121).

    No local label means the wheel came from PyPI: that platform's PyPI default variant.
    """
    public, _, local = torch_version.strip().partition("+")
    parts = public.split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    release_name = f"{int(parts[0])}.{int(parts[1])}"
    for release in releases if releases is not None else load_releases():
        if release.release != release_name or platform_key not in release.platforms:
            continue
        platform = release.platforms[platform_key]
        name = local.lower() if local else platform.pypi_default
        if name in platform.variants:
            return release, release.variants[name]
        return None
    return None


# ----------------------------------------------------------------------------- schema check

_TOP_KEYS = {
    "schema",
    "release",
    "release_date",
    "torch",
    "source",
    "status",
    "conda",
    "conda_platforms",
    "conda_reason",
    "sources",
    "patches",
    "platforms",
    "variants",
}
_PATCH_KEYS = {
    "torch",
    "torchvision",
    "torchaudio",
    "conda_torchvision",
    "conda_torchaudio",
    "source",
    "status",
}
_PLATFORM_KEYS = {"python", "variants", "pypi_default", "glibc_min", "source", "status"}
_VARIANT_KEYS = {
    "platforms",
    "kind",
    "index_url",
    "local_version",
    "cuda",
    "cudnn",
    "rocm",
    "min_driver",  # no longer read: rejected with its own reason
    "conda_channels",
    "conda_selector",
    "source",
    "status",
    "on",
}
_ON_KEYS = {"arch_list", "index_url", "local_version", "source", "status"}


class _Checker:
    """Walks one parsed profile, raising ProfileError at the first key that is wrong."""

    def __init__(self, path: str, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.tags: set[str] = set()

    def fail(self, key: str, reason: str) -> ProfileError:
        return ProfileError(
            f"{self.path}: key '{key}': {reason}; fix: correct the profile "
            "(profiles/README.md describes every key) or remove the file"
        )

    def get(
        self,
        table: dict[str, Any],
        prefix: str,
        key: str,
        check: Callable[[Any], bool],
        expected: str,
        required: bool = True,
    ) -> Any:
        full = f"{prefix}{key}"
        if key not in table:
            if required:
                raise self.fail(full, f"missing (expected {expected})")
            return None
        value = table[key]
        if not check(value):
            raise self.fail(full, f"expected {expected}, got {value!r}")
        return value

    def unknown_keys(self, table: dict[str, Any], prefix: str, allowed: set[str]) -> None:
        for key in table:
            if key not in allowed:
                raise self.fail(f"{prefix}{key}", "unknown key (a typo?)")

    def sources_of(
        self, table: dict[str, Any], prefix: str, required: bool = True
    ) -> tuple[str, ...]:
        tags = self.get(table, prefix, "source", _is_str_list, "a list of source tags", required)
        for tag in tags or []:
            if tag not in self.tags:
                raise self.fail(f"{prefix}source", f"tag {tag!r} is not in the [sources] table")
        return tuple(tags or ())

    def status_of(self, table: dict[str, Any], prefix: str) -> dict[str, str]:
        status = self.get(table, prefix, "status", _is_table, "a table of KEY = C|D|U", False)
        for key, value in (status or {}).items():
            if value not in STATUSES:
                raise self.fail(f"{prefix}status.{key}", f"expected C, D or U, got {value!r}")
            if key.split(".")[0] not in table:
                raise self.fail(f"{prefix}status.{key}", "names a key this table does not have")
        return dict(status or {})

    def release(self) -> Release:
        data = self.data
        self.unknown_keys(data, "", _TOP_KEYS)
        schema = self.get(data, "", "schema", lambda v: isinstance(v, int), "an integer")
        if schema != SCHEMA_VERSION:
            raise self.fail("schema", f"this envsetup reads schema {SCHEMA_VERSION}, not {schema}")
        name = self.get(data, "", "release", _matches(_RELEASE), 'a release like "2.0"')
        if Path(self.path).name != f"torch-{name}.toml":
            raise self.fail("release", f"{name!r} does not match the file name (torch-{name}.toml)")
        sources = self.get(data, "", "sources", _is_table, "a [sources] table of TAG = text")
        for tag, text in sources.items():
            if not isinstance(text, str) or not text.strip():
                raise self.fail(f"sources.{tag}", "expected a non-empty description of the source")
        self.tags = set(sources)
        date = self.get(
            data, "", "release_date", _matches(_DATE), "a date like 2023-03 or 2026-03-18"
        )
        conda = self.get(
            data,
            "",
            "conda",
            lambda v: v in ("pytorch-channel", "none"),
            '"pytorch-channel" or "none"',
        )
        conda_reason = self.get(data, "", "conda_reason", _is_text, "a sentence saying why")
        conda_platforms = self.get(
            data,
            "",
            "conda_platforms",
            _is_platform_list,
            "a list of platform keys",
            conda != "none",
        )
        raw_patches = self.get(
            data, "", "patches", _is_table_list, "one or more [[patches]] tables"
        )
        patches = tuple(self.patch(p, f"patches[{i}].", name) for i, p in enumerate(raw_patches))
        torch = self.get(data, "", "torch", _matches(_VERSION), 'a version like "2.0.1"')
        if torch not in {p.torch for p in patches}:
            raise self.fail("torch", f"{torch!r} is not one of the [[patches]]")
        raw_variants = self.get(
            data, "", "variants", _is_table, "a [variants.NAME] table per variant"
        )
        variants = {k: self.variant(k, v) for k, v in raw_variants.items()}
        raw_platforms = self.get(
            data, "", "platforms", _is_table, "a [platforms.KEY] table per platform"
        )
        platforms = {k: self.platform(k, v, variants) for k, v in raw_platforms.items()}
        for variant in variants.values():
            for key in variant.platforms:
                if key not in platforms or variant.name not in platforms[key].variants:
                    raise self.fail(
                        f"variants.{variant.name}.platforms",
                        f"{key!r} does not list {variant.name!r} in platforms.{key}.variants",
                    )
        return Release(
            release=name,
            release_date=date,
            torch=torch,
            patches=patches,
            platforms=platforms,
            variants=variants,
            conda=conda != "none",
            conda_reason=conda_reason,
            conda_platforms=tuple(conda_platforms or ()),
            sources=dict(sources),
            source=self.sources_of(data, ""),
            status=self.status_of(data, ""),
            path=self.path,
        )

    def patch(self, table: Any, prefix: str, release: str) -> Patch:
        if not isinstance(table, dict):
            raise self.fail(prefix.rstrip("."), "expected a table")
        self.unknown_keys(table, prefix, _PATCH_KEYS)
        torch = self.get(table, prefix, "torch", _matches(_VERSION), 'a version like "2.0.1"')
        if not torch.startswith(release + "."):
            raise self.fail(f"{prefix}torch", f"{torch!r} is not a patch of release {release}")
        version = _matches(_VERSION)
        return Patch(
            torch=torch,
            torchvision=self.get(table, prefix, "torchvision", version, "a version"),
            torchaudio=self.get(table, prefix, "torchaudio", version, "a version"),
            conda_torchvision=self.get(
                table, prefix, "conda_torchvision", version, "a version", False
            ),
            conda_torchaudio=self.get(
                table, prefix, "conda_torchaudio", version, "a version", False
            ),
            source=self.sources_of(table, prefix),
            status=self.status_of(table, prefix),
        )

    def platform(self, key: str, table: Any, variants: dict[str, Variant]) -> Platform:
        prefix = f"platforms.{key}."
        if key not in PLATFORM_KEYS:
            raise self.fail(
                f"platforms.{key}", f"unknown platform; expected one of {', '.join(PLATFORM_KEYS)}"
            )
        if not isinstance(table, dict):
            raise self.fail(f"platforms.{key}", "expected a table")
        self.unknown_keys(table, prefix, _PLATFORM_KEYS)
        python = self.get(table, prefix, "python", _is_python_range, 'a range like ["3.8", "3.11"]')
        names = self.get(table, prefix, "variants", _is_str_list, "a list of variant names")
        for name in names:
            if name not in variants:
                raise self.fail(f"{prefix}variants", f"{name!r} has no [variants.{name}] table")
        default = self.get(table, prefix, "pypi_default", _is_text, "a variant name")
        if default not in names:
            raise self.fail(
                f"{prefix}pypi_default", f"{default!r} is not in this platform's variants"
            )
        return Platform(
            key=key,
            python_min=python[0],
            python_max=python[1],
            variants=tuple(names),
            pypi_default=default,
            glibc_min=self.get(
                table, prefix, "glibc_min", _matches(_VERSION), "a glibc version", False
            ),
            source=self.sources_of(table, prefix),
            status=self.status_of(table, prefix),
        )

    def variant(self, name: str, table: Any) -> Variant:
        prefix = f"variants.{name}."
        if not _VARIANT.match(name):
            raise self.fail(f"variants.{name}", "not a variant name (cpu, cuXYZ or rocmX.Y[.Z])")
        if not isinstance(table, dict):
            raise self.fail(f"variants.{name}", "expected a table")
        self.unknown_keys(table, prefix, _VARIANT_KEYS)
        kind = self.get(
            table, prefix, "kind", lambda v: v in ("cpu", "cuda", "rocm"), '"cpu", "cuda" or "rocm"'
        )
        if not name.startswith({"cpu": "cpu", "cuda": "cu", "rocm": "rocm"}[kind]):
            raise self.fail(f"{prefix}kind", f"{kind!r} does not match the variant name {name!r}")
        cuda = self.get(
            table, prefix, "cuda", _matches(_RELEASE), 'a CUDA version like "11.8"', kind == "cuda"
        )
        if cuda is not None and name != "cu" + cuda.replace(".", ""):
            raise self.fail(f"{prefix}cuda", f"{cuda!r} does not match the variant name {name!r}")
        if "min_driver" in table:
            raise self.fail(
                f"{prefix}min_driver",
                "no longer read (driver floors come from envsetup's CUDA driver table, "
                "src/envsetup/data/cuda_drivers.toml): delete the key",
            )
        on = self.get(table, prefix, "on", _is_table, "a table per platform", False) or {}
        return Variant(
            name=name,
            kind=kind,
            platforms=tuple(
                self.get(table, prefix, "platforms", _is_platform_list, "a list of platform keys")
            ),
            index_url=self.get(table, prefix, "index_url", _is_url, "an http(s) or file URL"),
            local_version=self.get(
                table, prefix, "local_version", _is_str, 'a local version label or ""'
            ),
            cuda=cuda,
            cudnn=self.get(table, prefix, "cudnn", _matches(_VERSION), "a cuDNN version", False),
            rocm=self.get(
                table, prefix, "rocm", _matches(_VERSION), "a ROCm version", kind == "rocm"
            ),
            conda_channels=tuple(
                self.get(table, prefix, "conda_channels", _is_str_list, "a list of channels", False)
                or ()
            ),
            conda_selector=self.get(
                table, prefix, "conda_selector", _is_text, "a conda spec", False
            ),
            source=self.sources_of(table, prefix),
            status=self.status_of(table, prefix),
            on={k: self.variant_on(f"{prefix}on.{k}.", k, v) for k, v in on.items()},
        )

    def variant_on(self, prefix: str, key: str, table: Any) -> VariantOnPlatform:
        if key not in PLATFORM_KEYS:
            raise self.fail(
                prefix.rstrip("."), f"unknown platform; expected one of {', '.join(PLATFORM_KEYS)}"
            )
        if not isinstance(table, dict):
            raise self.fail(prefix.rstrip("."), "expected a table")
        self.unknown_keys(table, prefix, _ON_KEYS)
        arch = self.get(
            table, prefix, "arch_list", _is_arch_list, 'a list like ["8.0", "9.0+PTX"]', False
        )
        index_url = self.get(
            table,
            prefix,
            "index_url",
            lambda v: v == "" or _is_url(v),
            'a URL or "" for PyPI',
            False,
        )
        return VariantOnPlatform(
            arch_list=tuple(arch) if arch is not None else None,
            index_url=index_url,
            local_version=self.get(table, prefix, "local_version", _is_str, 'a label or ""', False),
            source=self.sources_of(table, prefix, required=arch is not None),
            status=self.status_of(table, prefix),
        )


def _matches(pattern: re.Pattern[str]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, str) and bool(pattern.match(value))


def _is_str(value: Any) -> bool:
    return isinstance(value, str)


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _is_url(value: Any) -> bool:
    return isinstance(value, str) and bool(_URL.match(value))


def _is_table(value: Any) -> bool:
    return isinstance(value, dict)


def _is_table_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _is_platform_list(value: Any) -> bool:
    return _is_str_list(value) and all(v in PLATFORM_KEYS for v in value)


def _is_arch_list(value: Any) -> bool:
    return _is_str_list(value) and bool(value) and all(_ARCH.match(v) for v in value)


def _is_python_range(value: Any) -> bool:
    if not (
        isinstance(value, list) and len(value) == 2 and all(_matches(_RELEASE)(v) for v in value)
    ):
        return False
    return _release_key(value[0]) <= _release_key(value[1])
