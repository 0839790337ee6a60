"""Python tracebacks: the exception a failing `import torch` or first CUDA call ended with."""

from __future__ import annotations

import re
from typing import Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals._scan import bounded, indices, signal

KIND = "python-traceback"

_HEADER = "Traceback (most recent call last):"
# "RuntimeError: ...", "torch.cuda.OutOfMemoryError: ...", "AssertionError:" (message below).
_EXCEPTION = lazy(
    r"^([A-Za-z_][\w]{0,60}(?:\.[A-Za-z_]\w{0,60}){0,6}(?:Error|Exception|Exit|Interrupt|Warning))(?::[ \t]?(.*))?$"
)
_FRAME = lazy(r'^File "([^"]{1,1000})", line (\d{1,7})')
# A frame of a package's build that pip runs in its own temporary (isolated) environment.
_PIP_BUILD = ("<pip-setuptools-caller>", "/pip-install-", "/pip-build-env-", "/pip-req-build-")
_MAX_FRAMES = 200  # a traceback longer than this is cut at its end, as pasted
# What follows an exception's message and belongs to it: torch's advice under a CUDA error, the
# C++ frames of a c10::Error ("Exception raised from ... (most recent call first):", "frame #3:").
_AFTER_MESSAGE = (
    "CUDA kernel errors might be asynchronously reported",
    "For debugging consider passing CUDA_LAUNCH_BLOCKING=1",
    "Compile with `TORCH_USE_CUDA_DSA`",
    "Exception raised from ",
    "frame #",
)
_MAX_AFTER = 80


def _exception_at(text: str) -> Optional[re.Match[str]]:
    stripped = text.strip()
    if ":" not in stripped and not stripped.endswith(("Error", "Exception")):
        return None
    return _EXCEPTION.match(stripped)


def _message(lines: Sequence[Line], index: int, first: str) -> tuple[str, list[int]]:
    """The exception's message: its own line, or (torch's old AssertionError) the lines below
    it up to a blank line."""
    if first.strip():
        return bounded(first), [lines[index].number]
    parts, numbers = [], [lines[index].number]
    for line in lines[index + 1 : index + 8]:
        if not line.text.strip():
            break
        parts.append(line.text.strip())
        numbers.append(line.number)
    return bounded(" ".join(parts)), numbers


# Between the tracebacks of a chain: the line that links an exception to the next traceback.
_CHAINS = (
    "During handling of the above exception, another exception occurred:",
    "The above exception was the direct cause of the following exception:",
)


def _after_message(lines: Sequence[Line], index: int) -> list[int]:
    """The lines after an exception's message (from lines[index]) that belong to it, and the
    line that chains it to the next traceback (after a blank line)."""
    owned: list[int] = []
    at = index
    while at < min(len(lines), index + _MAX_AFTER):
        if not lines[at].text.strip().startswith(_AFTER_MESSAGE):
            break
        owned.append(lines[at].number)
        at += 1
    blank = at < len(lines) and not lines[at].text.strip()
    chain = at + 1 if blank else at
    if chain < len(lines) and lines[chain].text.strip() in _CHAINS:
        owned.append(lines[chain].number)
    return owned


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    found: list[Signal] = []
    count = len(lines)
    resume = 0  # lines before this one belong to a traceback already read
    for start in indices(lines, hits):
        if start < resume:
            continue
        text = lines[start].text
        if _HEADER not in text and not text.lstrip().startswith('File "'):
            continue
        frames: list[str] = []
        last_frame = None  # "file:line" of the innermost frame: where it was raised
        first = _FRAME.match(text.strip())  # a paste that starts at a frame, header cut
        if first:
            frames.append(first.group(1))
            last_frame = f"{first.group(1)}:{first.group(2)}"
        index = start + 1
        # Frames ("File ...", their source line) until the exception line.
        while index < count and index - start < 2 * _MAX_FRAMES:
            body = lines[index].text.strip()
            if not body:  # tracebacks have no blank lines: this was no traceback
                break
            frame = _FRAME.match(body)
            if frame:
                frames.append(frame.group(1))
                last_frame = f"{frame.group(1)}:{frame.group(2)}"
            elif _exception_at(body):
                break
            index += 1
        exception = _exception_at(lines[index].text) if index < count else None
        if exception is None:
            if frames:  # cut (or broken by a blank line) before its exception: its frames stay
                cut = signal("python-traceback-cut", KIND, [lines[start].number])
                cut.owned = [line.number for line in lines[start + 1 : index]]
                found.append(cut)
                resume = index
            if index >= count:
                break
            continue
        message, numbers = _message(lines, index, exception.group(2) or "")
        in_pip_build = any(marker in f for f in frames for marker in _PIP_BUILD)
        in_torch_init = any(f.replace("\\", "/").endswith("torch/__init__.py") for f in frames)
        raised = signal(
            "python-exception",
            KIND,
            [lines[start].number, *numbers],
            exception=exception.group(1),
            message=message or None,
            during="import torch" if in_torch_init else None,
            at=bounded(last_frame, 300) if last_frame else None,
            in_pip_build=True if in_pip_build else None,
        )
        # The frames and their source lines between the header and the exception.
        after = index + len(numbers)
        raised.owned = [line.number for line in lines[start + 1 : index]]
        raised.owned += _after_message(lines, after)
        found.append(raised)
        resume = after
    return found
