"""Recognise why torch cannot use the GPU, from the error or warning it printed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Pattern, Tuple


@dataclass
class TorchError:
    id: str  # driver-too-old, no-driver, not-compiled-with-cuda, no-kernel-image,
    # missing-library, undefined-symbol, no-hip-gpus
    summary: str
    evidence: str  # the lines that show it, stripped
    found_driver_cuda: Optional[str] = None  # "11.4": the CUDA version the driver supports
    gpu_name: Optional[str] = None
    gpu_arch: Optional[str] = None  # "sm_86"
    arch_list: List[str] = field(default_factory=list)  # what the torch build has kernels for
    missing_library: Optional[str] = None  # "libcudnn_ops_infer.so.8"
    needed_by: Optional[str] = None  # the library whose loading needed it
    symbol: Optional[str] = None  # "cudaLaunchKernelExC"
    symbol_library: Optional[str] = None  # "libcudart.so.11.0": where the symbol should be

    @property
    def details(self) -> Dict[str, str]:
        """The details that were found, as text: for rendering and for findings' evidence."""
        named = {
            "found_driver_cuda": self.found_driver_cuda,
            "gpu_name": self.gpu_name,
            "gpu_arch": self.gpu_arch,
            "arch_list": " ".join(self.arch_list),
            "missing_library": self.missing_library,
            "needed_by": self.needed_by,
            "symbol": self.symbol,
            "symbol_library": self.symbol_library,
        }
        return {key: value for key, value in named.items() if value}


# Every captured value must be followed by its delimiter, so a cut report never yields a shortened
# number or name.
_FOUND_VERSION = re.compile(r"too old \(found version (\d{1,9})\)")
_INSUFFICIENT = re.compile(r"CUDA driver version is insufficient for CUDA runtime version")
_NO_DRIVER = re.compile(r"Found no NVIDIA driver on your system")
_NOT_COMPILED = re.compile(r"Torch not compiled with CUDA enabled")
_NO_KERNEL = re.compile(r"no kernel image is available for execution on the device")
_ARCH = re.compile(r"^[ \t]*(\S.*?) with CUDA capability (sm_\d+) is not compatible", re.MULTILINE)
_ARCH_LIST = re.compile(r"supports CUDA capabilities((?:\s+(?:sm|compute)_\d+[a-z]?)+)\s*\.")
_COULD_NOT_LOAD = re.compile(
    r"Could not load library (\S+?)\. Error: (\S+?): cannot open shared object"
)
# The lookbehind starts a match only at the start of a name, which keeps the search linear.
_CANNOT_OPEN = re.compile(r"(?<![\w.+-])([\w.+-]+\.so(?:\.\d+)*): cannot open shared object file")
_UNDEFINED = re.compile(r"undefined symbol: (\w+)(?=[,\s])(?:, version ([\w.]+)(?=\s))?")
_NO_HIP = re.compile(r"No HIP GPUs are available")

Reader = Callable[[str], Optional[TorchError]]


def _lines_matching(text: str, *patterns: Pattern[str]) -> str:
    lines = [line.strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if any(p.search(line) for p in patterns))


def _driver_cuda(found: str) -> str:
    # The driver reports its CUDA API as 1000 * major + 10 * minor: 11040 -> 11.4, 9000 -> 9.0.
    number = int(found)
    return f"{number // 1000}.{number % 1000 // 10}"


def _driver_too_old(text: str) -> Optional[TorchError]:
    found = _FOUND_VERSION.search(text)
    if (
        not found
        and not _INSUFFICIENT.search(text)
        and "driver on your system is too old" not in text
    ):
        return None
    return TorchError(
        id="driver-too-old",
        summary="The NVIDIA driver is older than the CUDA version this torch build needs.",
        evidence=_lines_matching(text, re.compile("too old"), _INSUFFICIENT),
        found_driver_cuda=_driver_cuda(found.group(1)) if found else None,
    )


def _simple(error_id: str, summary: str, pattern: Pattern[str]) -> Reader:
    def read(text: str) -> Optional[TorchError]:
        if not pattern.search(text):
            return None
        return TorchError(id=error_id, summary=summary, evidence=_lines_matching(text, pattern))

    return read


def _no_kernel_image(text: str) -> Optional[TorchError]:
    arch = _ARCH.search(text)
    if not arch and not _NO_KERNEL.search(text):
        return None
    arch_list = _ARCH_LIST.search(text)
    return TorchError(
        id="no-kernel-image",
        summary="This torch build has no kernels for the GPU's architecture.",
        evidence=_lines_matching(text, _NO_KERNEL, _ARCH, re.compile("supports CUDA capabilities")),
        gpu_name=(arch.group(1) or None) if arch else None,
        gpu_arch=arch.group(2) if arch else None,
        arch_list=arch_list.group(1).split() if arch_list else [],
    )


def _undefined_symbol(text: str) -> Optional[TorchError]:
    match = _UNDEFINED.search(text)
    if not match:
        return None
    return TorchError(
        id="undefined-symbol",
        summary="A CUDA library loaded at run time is older than the one torch was built against.",
        evidence=_lines_matching(text, re.compile("undefined symbol")),
        needed_by=_library_before(text, match.start()),
        symbol=match.group(1),
        symbol_library=match.group(2),
    )


def _library_before(text: str, at: int) -> Optional[str]:
    """The library named just before "undefined symbol" ("/path/libtorch_cuda.so: undefined ...")."""
    line_start = text.rfind("\n", 0, at) + 1
    before = text[line_start:at].rstrip()
    if not before.endswith(":"):
        return None
    words = before[:-1].split()
    name = words[-1] if words else ""
    return name if ".so" in name else None


def _missing_library(text: str) -> Optional[TorchError]:
    loading = _COULD_NOT_LOAD.search(text)
    missing = _CANNOT_OPEN.search(text)
    if not loading and not missing:
        return None
    return TorchError(
        id="missing-library",
        summary="A shared library torch needs could not be found by the dynamic loader.",
        evidence=_lines_matching(text, _COULD_NOT_LOAD, _CANNOT_OPEN),
        missing_library=loading.group(2) if loading else (missing.group(1) if missing else None),
        # "Could not load library X. Error: X: ..." names X twice when X itself is missing.
        needed_by=loading.group(1) if loading and loading.group(1) != loading.group(2) else None,
    )


# Most specific first; a report usually shows one of these.
_READERS: Tuple[Reader, ...] = (
    _driver_too_old,
    _simple("no-driver", "torch found no NVIDIA driver on this system.", _NO_DRIVER),
    _simple(
        "not-compiled-with-cuda",
        "The installed torch is a CPU-only build.",
        _NOT_COMPILED,
    ),
    _no_kernel_image,
    _undefined_symbol,
    _missing_library,
    _simple("no-hip-gpus", "The ROCm torch build found no usable AMD GPU.", _NO_HIP),
)


def classify_torch_error(text: str) -> Optional[TorchError]:
    """The known reason torch's output shows for not using the GPU, or None."""
    for read in _READERS:
        error = read(text)
        if error is not None:
            return error
    return None


__all__ = ["TorchError", "classify_torch_error"]
