"""What pip, uv or conda would pick for a parsed command on this machine, and what decided it.

Pure: a ParsedCommand, the machine's platform and Python, and the release profiles in; a Pick out.
The rules are the installers' own:
- pip and uv take the newest version the requirement allows that has a wheel for this platform and
  Python, from every index they are given (pip: "Finding the best candidate"; uv: --index-strategy
  first-index for --extra-index-url, which for torch means the same: PyTorch's index is only asked
  when the version is there);
- a local version label (`+cu121`), an --index-url / --find-links of PyTorch's, or uv's
  --torch-backend decide the compute platform; without them the wheel is PyPI's, which is the
  release's `pypi_default` build for the platform (profiles, compat.md §1 [TI-M]);
- conda takes the newest `pytorch` on the pytorch channel that its selector package
  (pytorch-cuda=X.Y, cpuonly) has a build for (compat.md §3); with neither, the channel's solver
  takes the CPU build (pytorch-mutex=cpu: meta-pytorch/data #315, microsoft/torchgeo #529,
  pytorch/pytorch #32369), also beside a cudatoolkit=X, which no 2.x package depends on
  (conda/conda #11001). The channel ends at 2.5 (pytorch/pytorch #138506);
- conda-forge's pytorch-gpu / pytorch-cpu, or pytorch from the conda-forge channel (which has no
  pytorch-mutex: its solver takes the CUDA build where the __cuda virtual package is,
  https://conda-forge.org/docs/user/cuda/), choose conda-forge's own build, which the profiles do
  not describe: the pick names no release.
Nothing here judges the pick: judge.py does.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from typing import Optional

from packaging.specifiers import SpecifierSet

from envsetup.command_check.parse import (
    ParsedCommand,
    conda_forge_build,
    conda_forge_cuda_major,
    conda_forge_package,
    conda_python,
    conda_selector_platform,
    conda_version_range,
    exact_pin,
    index_platform,
    is_prerelease_index,
    local_label,
    public_version,
    version_range,
)
from envsetup.model.package_index import read_index_url
from envsetup.model.versions import major_minor, version_key
from envsetup.profiles.loader import Patch, Release
from envsetup.profiles.pypi import PypiWheel


class DecidedBy(str, enum.Enum):
    """What chose the compute platform of the pick."""

    LOCAL_LABEL = "local-label"  # torch==2.1.0+cu121
    INDEX_URL = "index-url"  # --index-url / --find-links .../whl/cu121
    TORCH_BACKEND = "torch-backend"  # uv --torch-backend cu121
    EXTRA_INDEX_URL = "extra-index-url"  # --extra-index-url .../whl/cu121 holding the version
    PYPI_DEFAULT = "pypi-default"  # the wheel on PyPI: the release's default build
    CONDA_SELECTOR = "conda-selector"  # pytorch-cuda=X.Y / cpuonly
    UV_AUTO = "uv-auto-backend"  # uv --torch-backend auto: decided on the machine by uv
    CONDA_SOLVER = "conda-solver"  # no selector: the pytorch channel's solver takes the CPU build
    CONDA_FORGE = "conda-forge-metapackage"  # pytorch-gpu / pytorch-cpu: conda-forge's own build
    # conda-forge's pytorch with a build string ("pytorch=*=cuda*", "libtorch=*=cuda12*").
    CONDA_FORGE_BUILD = "conda-forge-build-string"
    # conda-forge's pytorch with no selector: its solver takes the CUDA build where the __cuda
    # virtual package is (an NVIDIA driver), else the CPU one (https://conda-forge.org/docs/user/cuda/).
    CONDA_FORGE_SOLVER = "conda-forge-solver"
    # An --index-url / --extra-index-url whose URL names no build (a company proxy, PyTorch's
    # root /whl): which build it serves cannot be told (envsetup.model.package_index).
    UNKNOWN_INDEX = "unknown-index"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class Target:
    """Where the command installs: the platform key and the Python that will run torch."""

    platform_key: str  # "linux-x86_64"
    python: Optional[str]  # "3.11"; None when unknown


@dataclass
class Pick:
    """What the installer would take for torch on this machine."""

    tool: str
    platform_key: str  # the wheel platform it installs for ("linux-x86_64")
    python: Optional[str]  # the Python the environment will have ("3.11")
    spec: Optional[SpecifierSet] = None  # the versions the command allows (None: any)
    pinned: Optional[str] = None  # torch==X as typed ("2.1.0+cu121"), when exact
    release: Optional[Release] = None
    patch: Optional[Patch] = None
    version: Optional[str] = None  # the torch version it would get, when the profiles name it
    build: Optional[str] = None  # the compute platform tag: cpu, cu121, rocm6.0
    decided_by: Optional[DecidedBy] = None
    # Facts about the pick the findings need.
    unknown_version: Optional[str] = None  # a pinned version no profile describes
    unknown_patch: bool = False  # the release is known, the patch is not
    extra_index_build: Optional[str] = None  # --extra-index-url's build when it lacks the release
    no_conda_package: bool = False  # conda: nothing on the pytorch channel fits
    # The release the command names when the installer cannot supply it (conda after 2.5).
    requested_release: Optional[Release] = None
    cudatoolkit_only: bool = False  # conda: cudatoolkit=X (1.x era) without a pytorch version
    from_pypi: bool = False  # an extra index (PyPI) beside --index-url has the newer version
    # conda-forge's package that brings pytorch (pytorch-gpu, pytorch-cpu, or pytorch from the
    # conda-forge channel), and the build the command requires of it (cuda, cpu; None: the solver
    # chooses by __cuda).
    conda_forge: Optional[str] = None
    conda_forge_build: Optional[str] = None
    conda_forge_cuda_major: Optional[int] = None  # cuda-version=12, "libtorch=*=cuda12*": 12
    pypi: Optional[PypiWheel] = None  # PyPI's wheel, when it decided the build
    unknown_indexes: list[str] = dataclasses.field(default_factory=list)  # URLs naming no build
    # Unpinned from a nightly / test index (PyTorch's /whl/nightly/, /whl/test/): the wheel is a
    # pre-release (2.X.devYYYYMMDD, an rc), not a profiled release; `release` is then the newest
    # profiled release with that build, the stand-in the verdicts judge.
    prerelease: bool = False

    @property
    def named_release(self) -> Optional[Release]:
        """The release it installs, else the one it asks for."""
        return self.release or self.requested_release

    @property
    def torch_request(self) -> Optional[str]:
        """What `envsetup install --torch` would be asked for: the pinned patch, else the release."""
        release = self.named_release
        if release is None:
            return None
        patch = release.patch(public_version(self.pinned)) if self.pinned else None
        return patch.torch if patch is not None else release.release


def simulate(command: ParsedCommand, target: Target, releases: list[Release]) -> Pick:
    """What `command` would install on `target`, given the release profiles."""
    if command.is_conda:
        return _conda(command, target, releases)
    return _wheel(command, target, releases)


# ----------------------------------------------------------------------------- pip and uv


def _wheel(command: ParsedCommand, target: Target, releases: list[Release]) -> Pick:
    target = dataclasses.replace(target, python=command.python or target.python)
    torch = command.requirements.get("torch")
    pick = Pick(command.tool, target.platform_key, target.python, spec=version_range(torch))
    pick.pinned = exact_pin(torch)
    if pick.pinned:
        _pinned(pick, releases)
    else:
        only = index_platform(command.strict_urls)
        found = newest_fitting(releases, pick.spec, target, only)
        if found is None:  # versions exist, but none for this Python: judge says so
            found = newest_fitting(releases, pick.spec, dataclasses.replace(target, python=None), only)  # fmt: skip
        if only and _pypi_beside(command):
            # --extra-index-url PyPI beside PyTorch's --index-url: pip takes the highest version
            # from either, and PyPI's newest release is often past the index's last one.
            anywhere = newest_fitting(releases, pick.spec, target)
            if anywhere is not None and (
                found is None or version_key(anywhere[1].torch) > version_key(found[1].torch)
            ):
                found, pick.from_pypi = anywhere, True
        if found is not None:
            pick.release, pick.patch = found
            pick.version = pick.patch.torch
        pick.prerelease = any(is_prerelease_index(url) for url in command.strict_urls)
    _wheel_build(command, pick, target)
    return pick


def _pinned(pick: Pick, releases: list[Release]) -> None:
    version = public_version(pick.pinned or "")
    release = release_named(major_minor(version), releases)
    if release is None:
        pick.unknown_version = pick.pinned
        return
    pick.release, pick.patch = release, release.patch(version)
    pick.version = pick.patch.torch if pick.patch else version  # torch==2.4 installs 2.4.0
    pick.unknown_patch = pick.patch is None


def _wheel_build(command: ParsedCommand, pick: Pick, target: Target) -> None:
    """The compute platform pip / uv would take, and what decides it."""
    label = local_label(pick.pinned)
    strict = index_platform(command.strict_urls)
    backend = (command.torch_backend or "").lower()
    if label:
        pick.build, pick.decided_by = label, DecidedBy.LOCAL_LABEL
    elif strict and not pick.from_pypi:
        pick.build, pick.decided_by = strict, DecidedBy.INDEX_URL
    elif backend == "auto":
        pick.decided_by = DecidedBy.UV_AUTO
    elif backend and index_platform([f"download.pytorch.org/whl/{backend}"]):
        pick.build, pick.decided_by = backend, DecidedBy.TORCH_BACKEND
    if pick.decided_by is not None or pick.release is None:
        return
    pick.unknown_indexes = unknown_indexes(command)
    if pick.unknown_indexes:
        # pip takes the highest version from every index it is given, a local label (+cu118)
        # above the bare version: an index that may serve any build leaves the build open.
        pick.decided_by = DecidedBy.UNKNOWN_INDEX
        return
    platform = pick.release.platforms.get(target.platform_key)
    if platform is None:
        return
    extra = index_platform(command.extra_index_urls)
    if extra and extra in platform.variants:
        pick.build, pick.decided_by = extra, DecidedBy.EXTRA_INDEX_URL
        return
    pick.extra_index_build = extra
    # No wheel for this Python (3.13 and torch 2.5 on Windows): no build, pip finds nothing.
    pick.pypi = pick.release.pypi_wheel(target.platform_key, target.python)
    pick.build, pick.decided_by = pick.pypi.build, DecidedBy.PYPI_DEFAULT


def unknown_indexes(command: ParsedCommand) -> list[str]:
    """The --index-url / --extra-index-url values whose URL tells no build (neither one of
    PyTorch's per-build indexes or a mirror of one, nor PyPI or a public mirror of it)."""
    urls = [
        url for url in [*command.uv_indexes, command.index_url, *command.extra_index_urls] if url
    ]
    return [url for url in urls if read_index_url(url).build_unknown]


def _pypi_beside(command: ParsedCommand) -> bool:
    """An --extra-index-url that is not one of PyTorch's build indexes (PyPI, or a mirror of it)."""
    return any(index_platform([url]) is None for url in command.extra_index_urls)


# ----------------------------------------------------------------------------- conda


def _conda(command: ParsedCommand, target: Target, releases: list[Release]) -> Pick:
    specs = command.conda_specs
    python = conda_python(specs) or command.python or target.python
    target = dataclasses.replace(target, python=python)
    op, version = specs.get("pytorch", ("", ""))
    pick = Pick("conda", target.platform_key, target.python, spec=conda_version_range(op, version))
    pick.conda_forge = conda_forge_package(command)
    if pick.conda_forge is not None:
        # conda-forge's own builds, which the profiles do not describe: no release is named.
        pick.conda_forge_build = conda_forge_build(command)
        pick.conda_forge_cuda_major = conda_forge_cuda_major(command)
        if pick.conda_forge != "pytorch":
            pick.decided_by = DecidedBy.CONDA_FORGE
        elif pick.conda_forge_build is not None:
            pick.decided_by = DecidedBy.CONDA_FORGE_BUILD
        else:
            pick.decided_by = DecidedBy.CONDA_FORGE_SOLVER
        return pick
    if op in ("=", "==") and version.count(".") == 2:
        pick.pinned = version
    if version and release_named(major_minor(version), releases) is None:
        pick.unknown_version = version
        return pick
    # cudatoolkit=X selects no build: no 2.x package depends on it, so the solver takes the newest
    # pytorch it may (a version before a build) and that release's CPU build, cudatoolkit X beside
    # it unused (conda/conda #11001: cudatoolkit=10.1 -> pytorch-1.10.0-py3.6_cpu_0, cpuonly).
    pick.cudatoolkit_only = "cudatoolkit" in specs and not version
    wanted = conda_selector_platform(specs)
    on_channel = [r for r in releases if r.conda]
    found = newest_fitting(on_channel, pick.spec, target, wanted)
    if found is None and target.python:
        found = newest_fitting(on_channel, pick.spec, dataclasses.replace(target, python=None), wanted)  # fmt: skip
    if found is None:
        pick.no_conda_package = True
        pick.requested_release = release_named(major_minor(version), releases)
        return pick
    pick.release, pick.patch = found
    pick.version = pick.patch.torch
    if wanted:
        pick.build, pick.decided_by = wanted, DecidedBy.CONDA_SELECTOR
    else:
        pick.decided_by = DecidedBy.CONDA_SOLVER
        platform = pick.release.platforms.get(target.platform_key)
        if platform is not None and len(platform.variants) == 1:
            # Nothing for the solver to choose (macOS has only the cpu build): no selector needed.
            pick.build = platform.variants[0]
        elif platform is not None and "cpu" in platform.variants:
            pick.build = "cpu"  # nothing asks for CUDA: the channel's pytorch-mutex=cpu build
    return pick


# ----------------------------------------------------------------------------- profiles


def release_named(name: Optional[str], releases: list[Release]) -> Optional[Release]:
    return next((r for r in releases if r.release == name), None) if name else None


def newest_fitting(
    releases: list[Release],
    spec: Optional[SpecifierSet],
    target: Target,
    only_build: Optional[str] = None,
) -> Optional[tuple[Release, Patch]]:
    """The release and patch an installer picks: the newest the spec allows with a wheel for this
    platform and Python (and, when the only index is one build's, that build)."""
    for release in sorted(releases, key=lambda r: version_key(r.release), reverse=True):
        # No wheel for this platform or Python on PyPI: none on PyTorch's indexes either (their
        # Python ranges are the platform's, profiles/README.md).
        if release.pypi_wheel(target.platform_key, target.python).missing is not None:
            continue
        platform = release.platforms[target.platform_key]
        if only_build and only_build not in platform.variants:
            continue
        for patch in reversed(release.patches):
            if spec is None or spec.contains(patch.torch, prereleases=True):
                return release, patch
    return None
