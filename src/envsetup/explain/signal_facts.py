"""The facts a pasted error or log line proves, beyond what it says is wrong: Signals -> facts.

Each fact is what the line itself proves, nothing more:

- torch's "X with CUDA capability sm_120 is not compatible ... The current PyTorch install
  supports CUDA capabilities sm_50 ..." (and torch < 1.8's "Found GPU0 X which is of cuda
  capability 3.0"): GPU X's compute capability, and the installed build's arch list (torch prints
  `torch.cuda.get_arch_list()` there, torch/cuda/__init__.py), i.e. what `--deep` reads;
- torch 2.13+'s "Your installed torch==2.13.0+cu130 does not include kernels for this GPU": the
  installed torch's version, and the CUDA its +cuXYZ label names (fallbacks: a section stating
  them wins);
- "The NVIDIA driver on your system is too old (found version 11000)": the CUDA version the
  driver supports (cudaDriverGetVersion, 11.0), not the driver's own version;
- nv-fabricmanager's "... driver interface version X don't match with driver version Y": the
  driver is Y (X is the fabric manager's, which Facts do not hold);
- conda's "Your installed CUDA driver is: 12.2" and its solver's `__cuda==12.2` (conda's virtual
  package: the CUDA version the driver supports) and `__glibc==2.35` (the C library), with the
  platform of the subdir it solved for (`linux-64` -> Linux);
- conda's "Your python: python=3.5" (the environment's Python, which the packages do not
  support);
- PEP 668's "See /usr/share/doc/python3.12/README.venv": Debian's Python 3.12 refused the
  install (a fallback: a section of the paste stating the Python wins);
- uv's target platform tag ("no wheels with a matching platform tag (e.g., `manylinux_2_27_x86_64`)",
  "You're on Linux (`manylinux_2_28_x86_64`)"): the best tag of the interpreter uv resolved for,
  so Linux, its glibc 2.27 (PEP 600: manylinux_X_Y needs glibc >= X.Y, and uv offers the highest
  the system's glibc allows) and its CPU; `musllinux_1_2_x86_64`: musl 1.2 (PEP 656);
- the torch wheel a pip log takes ("torch-2.3.1-cp310-cp310-win_amd64.whl"): the platform and
  the Python pip resolved for (fallbacks: pip takes only wheels whose tags this Python supports);
- musl's loader lines "Error relocating ...: symbol not found" and "Error loading shared library
  X: ... (needed by Y)": musl libc (its version unknown);
- a conda plan's "pytorch/win-64::pytorch-1.10.0-py3.6_cpu_0": the platform (a fallback) and
  the Python the build is for (a fallback);
- the kernel's "NVRM: loading NVIDIA UNIX ... Kernel Module 535.104.05": the kernel module loaded
  (open or proprietary) and its version; explain/merge.py takes it as the driver version where
  the paste states no other, as doctor does with /proc/driver/nvidia/version.

Pure: explain/merge.py puts these over the facts with each one's `paste:LINE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.capability import ComputeCapability
from envsetup.model.paste import Signal
from envsetup.parsers import ParseError
from envsetup.parsers.torch_build import flavor_from_local_version

# Debian's python3.X package ships this file; PEP 668's message names the one of the Python
# that refused the install.
_README_VENV = lazy(r"/usr/share/doc/python(3\.\d{1,2})/README\.venv\b")
_PEP668_BLOCK = 25
# conda subdirs' platform part -> Facts' os.system.
_CONDA_SYSTEMS = {"linux": "Linux", "win": "Windows", "osx": "Darwin"}


@dataclass(frozen=True)
class StatedFact:
    """A value for a dotted Facts path (as in Facts.to_dict()), stated at paste line `line`.
    `fallback`: taken only where nothing else in the paste states the path."""

    path: str
    value: Any
    line: int
    fallback: bool = False


@dataclass(frozen=True)
class StatedGpu:
    """A GPU a warning names, with the compute capability it states ("12.0")."""

    name: str
    compute_capability: Optional[str]
    line: int


def facts_of(
    signals: Sequence[Signal], texts: Optional[Mapping[int, str]] = None
) -> tuple[list[StatedFact], list[StatedGpu]]:
    """What `signals` prove about the machine, in paste order. `texts` (paste line number ->
    text) finds which of a signal's lines states each fact; without it, its first line. Never
    raises."""
    texts = texts or {}
    facts: list[StatedFact] = []
    gpus: list[StatedGpu] = []
    for s in sorted(signals, key=lambda s: s.lines[0] if s.lines else 0):
        if not s.lines:
            continue
        line, p = s.lines[0], s.params
        if s.id == "torch-gpu-arch-not-supported":
            gpus += _gpu(p, line)
            facts += _installed_torch(s, texts)
            supported = p.get("supported")
            if isinstance(supported, list) and supported:
                at = _line_with(s, texts, "supports CUDA capabilities")
                facts.append(StatedFact("torch.deep.ran", True, at))
                facts.append(StatedFact("torch.deep.arch_list", [str(a) for a in supported], at))
        elif s.id == "torch-driver-too-old" and p.get("driver_cuda"):
            facts.append(StatedFact("nvidia.driver_cuda_version", p["driver_cuda"], line))
        elif s.id == "fabricmanager-version-mismatch" and p.get("driver"):
            facts.append(StatedFact("nvidia.driver_version", p["driver"], line))
        elif s.id == "conda-unsatisfiable":
            facts += _conda(s, texts)
        elif s.id == "conda-python-incompatible" and p.get("python"):
            at = _line_with(s, texts, "Your python")
            facts.append(StatedFact("python.version", str(p["python"]), at))
        elif s.id == "pip-externally-managed":
            facts += _debian_python(s, texts)
        elif s.id == "pip-torch-wheel":
            facts += _torch_wheel(p, line)
        elif s.id == "nvrm-module-loaded" and p.get("version"):
            facts.append(StatedFact("nvidia.kernel_module_version", p["version"], line))
            if p.get("kernel_module"):
                facts.append(StatedFact("nvidia.kernel_module", p["kernel_module"], line))
            if p.get("arch"):
                facts.append(StatedFact("os.arch", p["arch"], line, fallback=True))
        elif s.id == "uv-no-platform-wheel" and p.get("target"):
            facts += tag_facts(str(p["target"]), line)
        elif s.id in ("library-musl-symbol-not-found", "library-musl-not-loaded"):
            facts.append(StatedFact("os.musl", "", line, fallback=True))
            facts.append(StatedFact("os.system", "Linux", line, fallback=True))
        elif s.id == "conda-plan-cpu-pytorch":
            system = _CONDA_SYSTEMS.get(str(p.get("subdir") or "").split("-", 1)[0])
            if system:
                facts.append(StatedFact("os.system", system, line, fallback=True))
            if p.get("python"):
                facts.append(StatedFact("python.version", str(p["python"]), line, fallback=True))
    return facts, gpus


# A wheel's platform tag -> (Facts' os.system, os.arch, the profiles' platform key).
_WHEEL_PLATFORMS = (
    ("manylinux", "_aarch64", "Linux", "aarch64", "linux-aarch64"),
    ("manylinux", "_x86_64", "Linux", "x86_64", "linux-x86_64"),
    ("win", "_amd64", "Windows", "AMD64", "windows-x86_64"),
    ("macosx", "_arm64", "Darwin", "arm64", "macos-arm64"),
    ("macosx", "_x86_64", "Darwin", "x86_64", "macos-x86_64"),
)


def _torch_wheel(p: Mapping[str, Any], line: int) -> list[StatedFact]:
    """pip fetching torch's wheel (pip-torch-wheel): the platform and Python its tags name, and
    the torch build it is: its local version's ("+cu129", "+cpu"), else, for PyPI's file, the
    build PyPI publishes for that release and platform (profiles' pypi_default: torch 2.4's
    manylinux2014_aarch64 wheel is the CPU build). Fallbacks: a section stating them wins."""
    from envsetup.parsers import ParseError
    from envsetup.parsers.torch_build import flavor_from_local_version

    platform, version = str(p.get("platform") or ""), str(p.get("version") or "")
    found = next(
        (
            row
            for row in _WHEEL_PLATFORMS
            if platform.startswith(row[0]) and platform.endswith(row[1])
        ),
        None,
    )
    out: list[StatedFact] = []
    if found:
        out.append(StatedFact("os.system", found[2], line, fallback=True))
        out.append(StatedFact("os.arch", found[3], line, fallback=True))
    python = str(p.get("python") or "")
    if python.startswith("cp3") and python[3:].rstrip("t").isdigit():
        out.append(StatedFact("python.version", f"3.{python[3:].rstrip('t')}", line, fallback=True))
    try:
        flavor, build = flavor_from_local_version(version)
    except ParseError:
        flavor, build = None, None
    if flavor not in ("cpu", "cuda") and p.get("pypi") and found:
        flavor, build = _pypi_build(version, found[4])
    if flavor not in ("cpu", "cuda"):
        return out
    out.append(StatedFact("torch.version", version, line, fallback=True))
    out.append(StatedFact("torch.flavor", flavor, line, fallback=True))
    if flavor == "cuda" and build:
        out.append(StatedFact("torch.cuda_version", build, line, fallback=True))
    return out


def _pypi_build(version: str, platform_key: str) -> tuple[Optional[str], Optional[str]]:
    """(flavor, CUDA version) of PyPI's wheel of `version` on `platform_key`, from the profiles;
    (None, None) when no profile says."""
    from envsetup.profiles.loader import load_releases

    release = ".".join(version.split(".")[:2])
    profile = next((r for r in load_releases() if r.release == release), None)
    build = profile.pypi_wheel(platform_key).build if profile else None
    if build == "cpu":
        return "cpu", None
    if build and build.startswith("cu") and build[2:].isdigit():
        return "cuda", f"{build[2:-1]}.{build[-1]}"
    return None, None


def _installed_torch(s: Signal, texts: Mapping[int, str]) -> list[StatedFact]:
    version = s.params.get("torch")
    if not isinstance(version, str) or not version:
        return []
    at = _line_with(s, texts, "Your installed torch==")
    out = [StatedFact("torch.version", version, at, fallback=True)]
    try:
        flavor, cuda = flavor_from_local_version(version)
    except ParseError:
        return []
    if flavor == "cuda" and cuda:
        out.append(StatedFact("torch.flavor", "cuda", at, fallback=True))
        out.append(StatedFact("torch.cuda_version", cuda, at, fallback=True))
    return out


# A wheel platform tag's CPU -> the os.arch a host of that OS records (platform.machine()).
_TAG_ARCH = {"amd64": "AMD64", "arm64": "ARM64", "win32": "x86"}


def tag_facts(tag: str, line: int, fallback: bool = False) -> list[StatedFact]:
    """What an interpreter's best platform tag states: 'manylinux_2_27_x86_64' -> Linux, glibc
    2.27, x86_64; 'musllinux_1_2_aarch64' -> Linux, musl 1.2, aarch64; 'win_amd64' -> Windows,
    AMD64; 'macosx_14_0_arm64' -> Darwin, arm64. [] for a tag of none of these forms. The glibc
    (or musl) is the tag's only where it is the interpreter's own best tag (uv's target), not a
    wheel's (`fallback`: a wheel's tag is any glibc at or above it, so no libc is stated)."""
    parts = tag.split("_")
    out: list[StatedFact] = []
    if parts[0] in ("manylinux", "musllinux") and len(parts) >= 4 and parts[1].isdigit():
        libc = "os.glibc" if parts[0] == "manylinux" else "os.musl"
        out.append(StatedFact("os.system", "Linux", line, fallback=True))
        if not fallback and parts[2].isdigit():
            out.append(StatedFact(libc, f"{int(parts[1])}.{int(parts[2])}", line))
        out.append(StatedFact("os.arch", "_".join(parts[3:]), line, fallback=True))
    elif parts[0] in ("manylinux1", "manylinux2010", "manylinux2014", "linux") and len(parts) >= 2:
        out.append(StatedFact("os.system", "Linux", line, fallback=True))
        out.append(StatedFact("os.arch", "_".join(parts[1:]), line, fallback=True))
    elif (parts[0] == "win" and len(parts) == 2) or tag == "win32":
        out.append(StatedFact("os.system", "Windows", line, fallback=True))
        arch = _TAG_ARCH.get(parts[-1], parts[-1])
        out.append(StatedFact("os.arch", arch, line, fallback=True))
    elif parts[0] == "macosx" and len(parts) >= 4:
        out.append(StatedFact("os.system", "Darwin", line, fallback=True))
        out.append(StatedFact("os.arch", "_".join(parts[3:]), line, fallback=True))
    return out


def _debian_python(s: Signal, texts: Mapping[int, str]) -> list[StatedFact]:
    # The signal holds the "externally-managed-environment" line; the README line closes the
    # explanation pip prints under it (about 15 lines).
    for number in range(s.lines[0], s.lines[-1] + _PEP668_BLOCK):
        match = _README_VENV.search(texts.get(number, ""))
        if match:
            return [StatedFact("python.version", match.group(1), number, fallback=True)]
    return []


def _gpu(params: dict[str, Any], line: int) -> list[StatedGpu]:
    name = params.get("gpu")
    capability = ComputeCapability.try_parse(params.get("sm"))
    if not isinstance(name, str) or not name or name.endswith("..."):
        return []
    return [StatedGpu(name, str(capability) if capability else None, line)]


def _line_with(s: Signal, texts: Mapping[int, str], needle: str) -> int:
    """The first of the signal's lines whose text holds `needle`; else its first line."""
    return next((n for n in s.lines if needle in texts.get(n, "")), s.lines[0])


def _conda(s: Signal, texts: Mapping[int, str]) -> list[StatedFact]:
    p = s.params
    out = []
    if p.get("cuda_driver"):
        line = _line_with(s, texts, "Your installed CUDA driver is")
        out.append(StatedFact("nvidia.driver_cuda_version", p["cuda_driver"], line))
    elif p.get("virtual_cuda"):
        line = _line_with(s, texts, "::__cuda==")
        out.append(StatedFact("nvidia.driver_cuda_version", p["virtual_cuda"], line))
    if p.get("virtual_glibc"):
        out.append(StatedFact("os.glibc", p["virtual_glibc"], _line_with(s, texts, "::__glibc==")))
    system = _CONDA_SYSTEMS.get(str(p.get("subdir") or "").split("-", 1)[0])
    if system:
        line = _line_with(s, texts, "::__")
        out.append(StatedFact("os.system", system, line, fallback=True))
    return out
