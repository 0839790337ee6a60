"""Compute capability, arch-list entries and the rule "does arch list L run on capability C".

STDLIB ONLY, Python 3.8: this module is shipped to the verify worker, which runs in the target's
Python (see envsetup.verify.runner, which hands the worker this file's path).

The rule (NVIDIA CUDA C++ Programming Guide, "Binary Compatibility" and "PTX Compatibility",
https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#binary-compatibility, and
"Feature Availability" for the 'a' and 'f' targets; nvcc documentation, "GPU Code Generation"):

- a cubin (SASS) built for X.y runs on a device of capability X.z with z >= y (same major only);
- PTX built for X.y is JIT-compiled by the driver for any capability >= X.y;
- an arch-specific target (sm_90a, compute_90a; CUDA 12.0+) runs on exactly capability X.y;
- a family-specific target (sm_100f, compute_100f; CUDA 12.9+) runs on the devices of the same
  major with an equal or higher minor (10.0f runs on 10.0 and 10.3, not on 11.x or 12.x).

What the CUDA runtime loads, in order: a cubin for exactly the device, else a binary-compatible
cubin of the same major (the highest minor below), else PTX it can JIT-compile.

Spellings accepted: "8.6", "sm_86", "86", "compute_90a", "9.0+PTX", "sm_100a", "sm_120", "10.0f".
Majors have two digits from Blackwell on ("sm_120" is 12.0, "sm_100" is 10.0): the last digit
of a run of digits is always the minor.
"""

from __future__ import annotations

from enum import Enum
from typing import Iterable, NamedTuple, Optional, Tuple

SOURCE = (
    "NVIDIA CUDA C++ Programming Guide, Binary Compatibility and PTX Compatibility, "
    "https://docs.nvidia.com/cuda/cuda-c-programming-guide/index.html#binary-compatibility"
)


def _small_int(text: str, digits: int) -> Optional[int]:
    """1 to `digits` ASCII digits as an int, else None ("²" and "١" are isdigit() too)."""
    if 0 < len(text) <= digits and text.isascii() and text.isdigit():
        return int(text)
    return None


class ComputeCapability(NamedTuple):
    """A GPU's compute capability (major, minor); compares and orders as a tuple: (8, 6) == 8.6."""

    major: int
    minor: int

    @classmethod
    def parse(cls, text: str) -> ComputeCapability:
        """'8.6' / 'sm_86' / '86' / 'compute_86' / 'sm_120' -> ComputeCapability; ValueError else.

        A suffix ('a', 'f', '+PTX') is accepted and dropped: it says how code was built, not
        what the device is. Use `ArchTarget.parse_entry` to keep it.
        """
        found = _split(text)
        if found is None:
            raise ValueError(f"not a compute capability: {text!r}")
        return found[0]

    @classmethod
    def try_parse(cls, text: Optional[str]) -> Optional[ComputeCapability]:
        """As `parse`, but None for None or anything that is no compute capability."""
        if not text:
            return None
        found = _split(text)
        return found[0] if found else None

    @property
    def sm(self) -> str:
        """'sm_86', the name torch.cuda.get_arch_list() and nvcc use."""
        return f"sm_{self.major}{self.minor}"

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}"


class CodeKind(str, Enum):
    """What an arch-list entry holds: a cubin for one capability, or PTX to JIT-compile."""

    SASS = "sass"
    PTX = "ptx"


class Specificity(str, Enum):
    """The target's suffix: none (portable), 'a' (arch-specific), 'f' (family-specific)."""

    PORTABLE = ""
    ARCH = "a"
    FAMILY = "f"


class ArchTarget(NamedTuple):
    """One code target compiled into a build: SASS or PTX for a capability, maybe 'a' or 'f'."""

    capability: ComputeCapability
    code: CodeKind
    specificity: Specificity = Specificity.PORTABLE

    @classmethod
    def parse_entry(cls, entry: str) -> Tuple[ArchTarget, ...]:
        """The targets one arch-list entry names; () when it names none (e.g. ROCm's 'gfx90a').

        torch's get_arch_list(): 'sm_86' (SASS), 'compute_90' (PTX), 'sm_90a' (SASS, 'a').
        TORCH_CUDA_ARCH_LIST and the profiles: '8.6' (SASS), '9.0+PTX' (SASS and PTX), '9.0a'.
        """
        text = entry.strip().lower()
        with_ptx = text.endswith("+ptx")
        if with_ptx:
            text = text[: -len("+ptx")]
        ptx_only = text.startswith("compute_")
        found = _split(text)
        if found is None:
            return ()
        capability, specificity = found
        if ptx_only:
            return (cls(capability, CodeKind.PTX, specificity),)
        sass = cls(capability, CodeKind.SASS, specificity)
        return (sass, cls(capability, CodeKind.PTX, specificity)) if with_ptx else (sass,)

    def runs_on(self, device: ComputeCapability) -> bool:
        """Whether the driver can run this target on a device of capability `device`."""
        own = self.capability
        if self.specificity is Specificity.ARCH:
            return device == own
        if self.specificity is Specificity.FAMILY or self.code is CodeKind.SASS:
            return device.major == own.major and device.minor >= own.minor
        return device >= own  # portable PTX: JIT-compiled for any newer device

    def __str__(self) -> str:
        prefix = "sm" if self.code is CodeKind.SASS else "compute"
        return f"{prefix}_{self.capability.major}{self.capability.minor}{self.specificity.value}"


class Coverage(str, Enum):
    """How a build's code runs on a device (the values are the verify worker's evidence words)."""

    EXACT = "exact"  # a cubin for exactly this capability
    COMPATIBLE_CUBIN = "compatible-cubin"  # a cubin of the same major, lower minor (or family)
    PTX_JIT = "ptx-jit"  # PTX the driver JIT-compiles at first use


class CoverageResult(NamedTuple):
    """The coverage of one device: how, and by which target."""

    how: Coverage
    target: ArchTarget


def parse_arch_list(entries: Iterable[str]) -> Tuple[ArchTarget, ...]:
    """Every target of an arch list, in order; entries that name none are skipped."""
    out = []
    for entry in entries:
        out.extend(ArchTarget.parse_entry(entry))
    return tuple(out)


def coverage(arch_list: Iterable[str], device: ComputeCapability) -> Optional[CoverageResult]:
    """How a build compiled for `arch_list` runs on a device of `device`; None: no kernel image.

    Exact cubin first, then the highest binary-compatible cubin, then the highest PTX that can be
    JIT-compiled: the order in which the CUDA runtime picks (module docstring).
    """
    targets = parse_arch_list(arch_list)
    cubins = [t for t in targets if t.code is CodeKind.SASS and t.runs_on(device)]
    exact = [t for t in cubins if t.capability == device]
    if exact:
        return CoverageResult(Coverage.EXACT, exact[0])
    if cubins:
        return CoverageResult(Coverage.COMPATIBLE_CUBIN, max(cubins, key=lambda t: t.capability))
    ptx = [t for t in targets if t.code is CodeKind.PTX and t.runs_on(device)]
    if ptx:
        return CoverageResult(Coverage.PTX_JIT, max(ptx, key=lambda t: t.capability))
    return None


def _split(text: str) -> Optional[Tuple[ComputeCapability, Specificity]]:
    value = text.strip().lower()
    if value.endswith("+ptx"):
        value = value[: -len("+ptx")]
    for prefix in ("sm_", "compute_"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
            break
    specificity = Specificity.PORTABLE
    if value[-1:] in ("a", "f"):
        specificity = Specificity(value[-1])
        value = value[:-1]
    if "." in value:
        major_text, _, minor_text = value.partition(".")
    else:
        major_text, minor_text = value[:-1], value[-1:]
    # Majors have one or two digits (12.0 is Blackwell), minors one: "12345" is no capability.
    major, minor = _small_int(major_text, 2), _small_int(minor_text, 1)
    if major is None or minor is None:
        return None
    return ComputeCapability(major, minor), specificity
