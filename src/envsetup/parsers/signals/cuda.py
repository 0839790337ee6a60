"""CUDA runtime errors as torch, THC, deviceQuery and the CUDA samples print them.

The error is recognised by its message (which every format prints), not by its number (which
changed: CUDA 9's 35/38/48 are CUDA 10+'s 35/100/209); the number printed, when there is one,
is kept as `reported`. Codes and names: CUDA Runtime API, enum cudaError
(https://docs.nvidia.com/cuda/cuda-runtime-api/group__CUDART__TYPES.html).
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals._scan import indices, int_or_none, signal

KIND = "cuda-error"


class CudaError(NamedTuple):
    code: int  # cudaError value since CUDA 10
    name: str  # cudaError enum name
    message: str  # the runtime's message, as cudaGetErrorString prints it (lower-case match)


ERRORS: tuple[CudaError, ...] = (
    CudaError(3, "cudaErrorInitializationError", "cuda driver initialization failed"),
    CudaError(
        35,
        "cudaErrorInsufficientDriver",
        "cuda driver version is insufficient for cuda runtime version",
    ),
    # "all CUDA-capable devices are busy or unavailable" before CUDA 11, "CUDA-capable device(s)
    # is/are busy or unavailable" since (pytorch/pytorch #2704, #100691).
    CudaError(46, "cudaErrorDevicesUnavailable", "are busy or unavailable"),
    CudaError(100, "cudaErrorNoDevice", "no cuda-capable device is detected"),
    CudaError(
        209,
        "cudaErrorNoKernelImageForDevice",
        "no kernel image is available for execution on the device",
    ),
    CudaError(
        222,
        "cudaErrorUnsupportedPtxVersion",
        "the provided ptx was compiled with an unsupported toolchain",
    ),
    CudaError(802, "cudaErrorSystemNotReady", "system not yet initialized"),
    CudaError(
        803,
        "cudaErrorSystemDriverMismatch",
        "system has unsupported display driver / cuda driver combination",
    ),
    CudaError(
        804,
        "cudaErrorCompatNotSupportedOnDevice",
        "forward compatibility was attempted on non supported hw",
    ),
    CudaError(999, "cudaErrorUnknown", "cuda unknown error"),
)
BY_CODE = {e.code: e for e in ERRORS}
BY_NAME = {e.name.lower(): e for e in ERRORS}
# cudaGetErrorString(cudaErrorInitializationError) since CUDA 10 (torch's own "CUDA driver
# initialization failed" is the message above). The words alone are too common to trust: the line
# must also say CUDA, print the number 3, or be a CUDA check macro's "Error (file.cpp:N): <string>".
_INIT_STRING = "initialization error"
_CHECK_MACRO = lazy(r"error \([^()\s]{1,200}:\d{1,6}\)\s*:\s*initialization error", re.IGNORECASE)

# Gates: one of these (lower-cased line) must be present before any expression runs.
_GATES = (*(e.message for e in ERRORS), _INIT_STRING, "cudaerror", "error 999", "cuda failure")
# "Error 802: ...", "error=35 : ...", "runtime error (35) :", "returned 100", "code=100(",
# "CUDA error 222 ...", "Cuda failure: 222": the number the line printed.
_NUMBER = lazy(
    r"(?:error[ =]|error \(|returned |code=|cuda error |failure: |failed with error )(\d{1,4})\b",
    re.IGNORECASE,
)
_NAMED = lazy(r"\b(cudaError[A-Za-z]{2,60})\b")


def _identify(low: str, text: str) -> Optional[tuple[CudaError, Optional[int]]]:
    found = _NUMBER.search(text)
    reported = int_or_none(found.group(1)) if found else None
    for error in ERRORS:
        if error.message in low:
            return error, reported
    named = _NAMED.search(text)
    if named and named.group(1).lower() in BY_NAME:
        return BY_NAME[named.group(1).lower()], reported
    # "CUDA unknown error" is sometimes printed as "Error 999: unknown error".
    if reported == 999 and "unknown error" in low:
        return BY_CODE[999], reported
    # "CUDA error: initialization error", "cuda runtime error (3) : initialization error",
    # "THCudaCheck FAIL ... error=3 : initialization error".
    if _INIT_STRING in low and ("cuda" in low or reported == 3 or _CHECK_MACRO.search(text)):
        return BY_CODE[3], reported
    return None


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    """One signal per CUDA error the lines show (a warning and the RuntimeError after it are
    one error): id "cuda-error-<code>", params code, name, reported (the number printed
    when it differs from `code`: CUDA 9 numbering)."""
    by_code: dict[int, Signal] = {}
    for index in indices(lines, hits):
        line = lines[index]
        low = line.text.lower()
        # Every message below holds one of these four; most lines of a log hold none.
        if not ("cuda" in low or "rror" in low or "ptx" in low or "device" in low):
            continue
        if not any(gate in low for gate in _GATES):
            continue
        identified = _identify(low, line.text)
        if identified is None:
            continue
        error, reported = identified
        numbers = [line.number]
        via = None
        # deviceQuery prints the number and the message on two lines:
        # "cudaGetDeviceCount returned 100" / "-> no CUDA-capable device is detected".
        if reported is None and index > 0 and "returned" in lines[index - 1].text:
            earlier = _NUMBER.search(lines[index - 1].text)
            if earlier:
                reported = int_or_none(earlier.group(1))
                numbers.insert(0, lines[index - 1].number)
                if "cudaGetDeviceCount" in lines[index - 1].text:
                    via = "cudaGetDeviceCount"  # a CUDA program of its own: deviceQuery, a sample
        kept = by_code.get(error.code)
        if kept is None:
            kept = by_code[error.code] = signal(
                f"cuda-error-{error.code}", KIND, [], code=error.code, name=error.name
            )
        kept.lines.extend(numbers)  # classify's merge sorts and dedupes
        if reported is not None and reported != error.code:
            kept.params.setdefault("reported", reported)
        if via:
            kept.params.setdefault("via", via)
    if 3 in by_code and _in_forked_worker(lines):
        by_code[3].params["in_worker"] = True
    return list(by_code.values())


# A process forked from one that had initialised CUDA cannot initialise it again (error 3 in the
# child): torch's DataLoader workers and multiprocessing pools fork by default on Linux.
_WORKER_MARKS = ("_worker_loop", "DataLoader worker", "multiprocessing", "forked subprocess")


def _in_forked_worker(lines: Sequence[Line]) -> bool:
    """Whether the paste shows a worker process (a DataLoader worker, a multiprocessing pool)."""
    return any(mark in line.text for line in lines for mark in _WORKER_MARKS)
