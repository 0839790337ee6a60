"""The schema check of one parsed profile: plain Python, so that a malformed profile is reported as
one line naming the file, the key and the reason (profiles/README.md describes every key)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, Optional

from envsetup.model.compute_platform import PlatformKind
from envsetup.model.versions import version_key
from envsetup.profiles.files import PLATFORM_KEYS, ProfileError
from envsetup.profiles.release import (
    STATUSES,
    Patch,
    Platform,
    Release,
    Variant,
    VariantOnPlatform,
)

SCHEMA_VERSION = 1

RELEASE = re.compile(r"^\d+\.\d+$")
_VERSION = re.compile(r"^\d+(\.\d+){1,3}$")
_DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
_ARCH = re.compile(r"^\d+\.\d+[af]?(\+PTX)?$")  # "a": arch-specific, "f": family-specific
_VARIANT = re.compile(r"^(cpu|cu\d{3,4}|rocm\d+(\.\d+){1,2})$")
# A variant's `kind` (PlatformKind values) and how the names of its variants begin.
_KINDS = (PlatformKind.CPU.value, PlatformKind.CUDA.value, PlatformKind.ROCM.value)
_NAME_PREFIX = {PlatformKind.CPU: "cpu", PlatformKind.CUDA: "cu", PlatformKind.ROCM: "rocm"}
_URL = re.compile(r"^(https?|file)://\S+$")


def check_profile(path: str, data: dict[str, Any]) -> Release:
    """The Release that parsed profile `data` (read from `path`) describes; ProfileError naming
    the file, the key and the reason at the first key that is wrong."""
    return _Checker(path, data).release()


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
_ON_KEYS = {"arch_list", "index_url", "local_version", "glibc_min", "source", "status"}


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
        name = self.get(data, "", "release", _matches(RELEASE), 'a release like "2.0"')
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
            for key, per in variant.on.items():
                self.check_build_glibc(variant.name, key, per, platforms.get(key))
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

    def check_build_glibc(
        self, name: str, key: str, per: VariantOnPlatform, platform: Optional[Platform]
    ) -> None:
        """A build's own glibc floor is below or at its platform's: the platform's is the
        strictest floor of all its builds (the one install judges a release by)."""
        if per.glibc_min is None:
            return
        where = f"variants.{name}.on.{key}.glibc_min"
        if platform is None or platform.glibc_min is None:
            raise self.fail(where, f"platforms.{key} has no glibc_min to lower")
        if version_key(per.glibc_min) > version_key(platform.glibc_min):
            raise self.fail(
                where,
                f"{per.glibc_min} is above platforms.{key}.glibc_min ({platform.glibc_min}), "
                "which is the strictest floor of the platform's builds",
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
        kind = PlatformKind(
            self.get(table, prefix, "kind", lambda v: v in _KINDS, '"cpu", "cuda" or "rocm"')
        )
        if not name.startswith(_NAME_PREFIX[kind]):
            raise self.fail(
                f"{prefix}kind", f"{kind.value!r} does not match the variant name {name!r}"
            )
        cuda = self.get(
            table,
            prefix,
            "cuda",
            _matches(RELEASE),
            'a CUDA version like "11.8"',
            kind is PlatformKind.CUDA,
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
                table,
                prefix,
                "rocm",
                _matches(_VERSION),
                "a ROCm version",
                kind is PlatformKind.ROCM,
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
        glibc_min = self.get(
            table, prefix, "glibc_min", _matches(_VERSION), "a glibc version", False
        )
        return VariantOnPlatform(
            arch_list=tuple(arch) if arch is not None else None,
            index_url=index_url,
            local_version=self.get(table, prefix, "local_version", _is_str, 'a label or ""', False),
            glibc_min=glibc_min,
            source=self.sources_of(
                table, prefix, required=arch is not None or glibc_min is not None
            ),
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
        isinstance(value, list) and len(value) == 2 and all(_matches(RELEASE)(v) for v in value)
    ):
        return False
    return version_key(value[0]) <= version_key(value[1])
