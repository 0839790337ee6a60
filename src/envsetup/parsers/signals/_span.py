"""The lines a signal owns besides its evidence: the rest of the message its lines belong to.

A reader cites the lines that say what it recognised (the evidence); the lines around them that
belong to the same message say nothing more, but they are not "unplaced" text either:

- a Python warning (`file.py:N: UserWarning:` + its indented message + `  warnings.warn(...)`);
- the fixed advice torch and the CUDA runtime print under their messages ("Please update your GPU
  driver ...", "CUDA kernel errors might be asynchronously reported ...");
- a multi-line NVRM message (the kernel module writes one message over several "NVRM:" lines).

Pure; each walk is bounded, so a megabyte of log costs nothing more than its signals' lines.
"""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Signal

# "/x/torch/cuda/__init__.py:283: UserWarning: ..." (a post may wrap it in inline code).
_WARNING_HEADER = lazy(r"[`'\"]?(?:[A-Za-z]:)?[^\s:]{0,400}\.py:\d{1,6}: [A-Z]\w{0,40}Warning:")
_WARN_CALL = lazy(r"\s*warnings\.warn\(")
_WARNING_REACH = 12  # lines from a warning's header to its `warnings.warn(` line, at most

# The fixed text under torch's and the CUDA runtime's messages (torch/cuda/__init__.py,
# c10/cuda/CUDAException.cpp), each line as torch wraps it.
_ADVICE = (
    "Please update your GPU driver by",
    "version from the URL:",
    "Alternatively, go to: https://pytorch.org",
    "a PyTorch version that has been compiled with your version",
    "of the CUDA driver.",
    "(found version",
    "CUDA kernel errors might be asynchronously reported",
    "For debugging consider passing CUDA_LAUNCH_BLOCKING=1",
    "Compile with `TORCH_USE_CUDA_DSA`",
    "If you want to use the ",
    "Please check that you have an NVIDIA GPU and installed a driver",
    "The current PyTorch install supports CUDA capabilities",
)
_ADVICE_REACH = 12

_NVRM = "NVRM: "
_NVRM_REACH = 8  # an NVRM message spans a few lines; a long kernel log is not one message
# Signals read from one line of a multi-line NVRM message (a Xid is one line).
_NVRM_MESSAGES = frozenset(
    (
        "nvrm-fallen-off-bus",
        "nvrm-rminitadapter-failed",
        "nvrm-gsp-init-failed",
        "nvrm-nouveau-owns-gpu",
    )
)


def _warning_block(lines: Sequence[Line], index: int) -> list[int]:
    """The warning lines[index] is part of (header .. `warnings.warn(`), or []."""
    header = None
    for at in range(index, max(-1, index - _WARNING_REACH), -1):
        text = lines[at].text.lstrip()
        if _WARNING_HEADER.match(text):
            header = at
            break
        if at < index and _WARN_CALL.match(text):
            return []  # the end of an earlier warning: lines[index] is not inside one
    if header is None:
        return []
    for at in range(index, min(len(lines), header + _WARNING_REACH + 1)):
        if at > header and _WARNING_HEADER.match(lines[at].text.lstrip()):
            break  # the next warning began without a `warnings.warn(` line
        if _WARN_CALL.match(lines[at].text):
            return [line.number for line in lines[header : at + 1]]
    # No `warnings.warn(` line: the warning's indented lines (its message, the source line the
    # warnings module prints under it: "  return torch._C._cuda_getDeviceCount() > 0").
    end = index + 1
    while end < len(lines) and end - header <= _WARNING_REACH:
        raw = lines[end].text
        if not raw.strip() or raw[:1] not in " \t" or _WARNING_HEADER.match(raw.lstrip()):
            break
        end += 1
    return [line.number for line in lines[header:end]]


def _advice(lines: Sequence[Line], index: int) -> list[int]:
    owned: list[int] = []
    for line in lines[index + 1 : index + 1 + _ADVICE_REACH]:
        text = line.text.strip()
        if not text.startswith(_ADVICE):
            break
        owned.append(line.number)
    return owned


def _nvrm_message(lines: Sequence[Line], index: int) -> list[int]:
    """The adjacent "NVRM:" lines around lines[index] (the module's load banner excepted: it
    starts another message)."""

    def part(at: int) -> bool:
        text = lines[at].text.strip()
        return text.startswith(_NVRM) and not text.startswith("NVRM: loading NVIDIA")

    if not part(index):
        return []
    first = index
    while first > 0 and index - first < _NVRM_REACH and part(first - 1):
        first -= 1
    last = index
    while last + 1 < len(lines) and last - index < _NVRM_REACH and part(last + 1):
        last += 1
    return [line.number for line in lines[first : last + 1]]


def _index(lines: Sequence[Line], number: int) -> Optional[int]:
    # Lines are numbered 1, 2, 3 ... in order (normalise, lines_of): look there first.
    if 0 < number <= len(lines) and lines[number - 1].number == number:
        return number - 1
    return next((at for at, line in enumerate(lines) if line.number == number), None)


def own(lines: Sequence[Line], signals: Sequence[Signal]) -> None:
    """Add to each signal's `owned` the lines of the message its evidence lines belong to."""
    if not signals:
        return
    for signal in signals:
        owned = set(signal.owned)
        for number in signal.lines:
            at = _index(lines, number)
            if at is None:
                continue
            owned.update(_warning_block(lines, at))
            owned.update(_advice(lines, at))
            if signal.id in _NVRM_MESSAGES:
                owned.update(_nvrm_message(lines, at))
        owned.difference_update(signal.lines)
        signal.owned = sorted(owned)
