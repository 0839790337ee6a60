"""Python tracebacks: the exception a failing `import torch` or first CUDA call ended with."""

from __future__ import annotations

import re
from typing import Optional, Sequence

from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals._scan import bounded, indices, signal

KIND = "python-traceback"

_HEADER = "Traceback (most recent call last):"
# "RuntimeError: ...", "torch.cuda.OutOfMemoryError: ...", "AssertionError:" (message below).
_EXCEPTION = re.compile(
    r"^([A-Za-z_][\w]{0,60}(?:\.[A-Za-z_]\w{0,60}){0,6}(?:Error|Exception|Exit|Interrupt|Warning))(?::[ \t]?(.*))?$"
)
_FRAME = re.compile(r'^File "([^"]{1,1000})", line (\d{1,7})')
# A frame of a package's build that pip runs in its own temporary (isolated) environment.
_PIP_BUILD = ("<pip-setuptools-caller>", "/pip-install-", "/pip-build-env-", "/pip-req-build-")
_MAX_FRAMES = 200  # a traceback longer than this is cut at its end, as pasted


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
        if index >= count:
            break
        exception = _exception_at(lines[index].text)
        if exception is None:
            continue
        message, numbers = _message(lines, index, exception.group(2) or "")
        in_pip_build = any(marker in f for f in frames for marker in _PIP_BUILD)
        in_torch_init = any(f.replace("\\", "/").endswith("torch/__init__.py") for f in frames)
        found.append(
            signal(
                "python-exception",
                KIND,
                [lines[start].number, *numbers],
                exception=exception.group(1),
                message=message or None,
                during="import torch" if in_torch_init else None,
                at=bounded(last_frame, 300) if last_frame else None,
                in_pip_build=True if in_pip_build else None,
            )
        )
        resume = index + 1
    return found
