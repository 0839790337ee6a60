"""`conda info`: its virtual packages say what conda detected on the machine: `__cuda` (the
highest CUDA the driver supports), `__glibc`, `__linux` (the kernel), `__osx`, `__win`, and the
platform.

Facts: nvidia.driver_cuda_version (__cuda), os.glibc, os.kernel (__linux), os.system from the
platform ("linux-64" -> Linux), python.version of the base environment's Python is NOT taken
(it is conda's own interpreter, not the environment's).
"""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, after_command, stripped
from envsetup.model.paste import Line, Reading

KIND = "conda-info"
_COMMANDS = ("conda info", "mamba info", "micromamba info")
_FIRST_KEYS = ("active environment", "active env location", "conda version", "virtual packages",
               "platform", "user config file", "shell level")  # fmt: skip
_SYSTEMS = {"linux": "Linux", "osx": "Darwin", "win": "Windows"}


def _key(text: str) -> str:
    key, colon, _ = text.partition(" : ")
    return key.strip() if colon else ""


def _body(lines: Sequence[Line], start: int) -> int:
    if _key(stripped(lines, start)) not in _FIRST_KEYS:
        return 0
    end = start
    keys = 0
    while end < len(lines):
        text = stripped(lines, end)
        if not text:
            break
        if _key(text):
            keys += 1
        elif " : " in text or len(text.split()) != 1:
            break  # a continuation line holds one value: a path, a URL, __cuda=11.2=0
        end += 1
    return end - start if keys >= 2 else 0


def _scan(lines: Sequence[Line], start: int) -> int:
    return after_command(lines, start, _COMMANDS, _body) or _body(lines, start)


def _virtual(text: str) -> Optional[tuple[str, str]]:
    """("__cuda", "11.2") from "__cuda=11.2=0"."""
    if not text.startswith("__"):
        return None
    parts = text.split("=")
    return (parts[0], parts[1]) if len(parts) >= 2 and parts[1] else None


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    current = ""
    for line in lines:
        text = line.text.strip()
        key = _key(text)
        value = text.partition(" : ")[2].strip() if key else text
        if key:
            current = key
        builder.place(line.number)
        if key == "platform":
            builder.put("os.system", _SYSTEMS.get(value.split("-")[0]), line.number)
            arch = value.split("-")[-1]
            builder.put("os.arch", {"64": "x86_64", "aarch64": "aarch64", "arm64": "arm64",
                                    "ppc64le": "ppc64le"}.get(arch), line.number)  # fmt: skip
        if current != "virtual packages":
            continue
        found = _virtual(value)
        if found is None:
            continue
        name, version = found
        if name == "__cuda":
            builder.put("nvidia.driver_cuda_version", version, line.number)
        elif name == "__glibc":
            builder.put("os.glibc", version, line.number)
        elif name == "__linux":
            builder.put("os.kernel", version, line.number)
        elif name == "__osx":
            builder.put("os.macos_version", version, line.number)
    return builder.finish(lines)


_QUICK_STARTS = ("sudo ", *_COMMANDS)  # built once: _quick runs at every line no section claims


def _quick(text: str) -> bool:
    return " : " in text or text.startswith(_QUICK_STARTS)


READER = Reader(KIND, _scan, _read, _quick)
READERS = [READER]
