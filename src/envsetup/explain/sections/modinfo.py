"""`modinfo nvidia` and `modinfo -F version nvidia`: the NVIDIA kernel module installed for the
running kernel (the file `modprobe nvidia` would load).

`modinfo` prints the module file's fields as "key:  value" lines (kmod's tools/modinfo.c):
filename, version, license, vermagic, srcversion, depends, signer, parm...; `-F version` (or
`--field=version`) prints the version alone. Facts: nvidia.kernel_module_version (the `version:`
field), nvidia.kernel_module ("open" when the license is "Dual MIT/GPL", the open GPU kernel
modules' license; "proprietary" for "NVIDIA"). The installed module is the loaded one unless the
driver was updated without a reboot; vermagic (the kernel release it was built for) is read but
states no fact.
"""

from __future__ import annotations

from typing import Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, after_command, stripped
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading

KIND = "modinfo"
_COMMANDS = ("modinfo ", "/sbin/modinfo ", "/usr/sbin/modinfo ")
# modinfo [-F version|--field=version|--field version] nvidia[-current|_drm...] [| grep ...]
_COMMAND = lazy(
    r"(?:sudo\s+)?(?:/usr)?(?:/sbin/)?modinfo\s+(?P<field>(?:-F\s*|--field[=\s])version\s+)?"
    r"(?:-k\s+\S+\s+)?nvidia[\w-]*(?:\.ko)?(?:\s*\|\s*grep\b.*)?"
)
_FIELD = lazy(r"(?P<key>[a-z][a-z_]{1,20}):\s+(?P<value>\S.*)?")
_VERSION = lazy(r"\d{3}\.\d{1,3}(?:\.\d{1,3})?")  # a driver branch's version: 580.105.08
_SIGNATURE = lazy(r"(?:[0-9A-F]{2}:)+[0-9A-F]{0,2}")  # sig_key/signature's hex lines
_NVIDIA_FILE = lazy(r"/nvidia(?:[-_]current)?\.ko(?:\.[gx]z|\.zst)?$")


def _fields(lines: Sequence[Line], start: int) -> int:
    """The `key: value` block from lines[start] (its signature's hex lines included)."""
    at = start
    while at < len(lines):
        text = stripped(lines, at)
        if not (_FIELD.fullmatch(text) or (at > start and _SIGNATURE.fullmatch(text))):
            break
        at += 1
    return at - start


def _body(lines: Sequence[Line], start: int, field_only: bool) -> int:
    text = stripped(lines, start)
    if field_only:
        return 1 if _VERSION.fullmatch(text) else 0
    found = _fields(lines, start)
    block = [stripped(lines, i) for i in range(start, start + found)]
    return found if any(line.startswith("version:") for line in block) else 0


def _scan(lines: Sequence[Line], start: int) -> int:
    command = _COMMAND.fullmatch(stripped(lines, start))
    if command:
        field_only = command.group("field") is not None
        return after_command(lines, start, _COMMANDS, lambda ls, at: _body(ls, at, field_only))
    # No command above it: the whole output, known by its first field naming nvidia.ko.
    match = _FIELD.fullmatch(stripped(lines, start))
    if match and match.group("key") == "filename" and _NVIDIA_FILE.search(match.group("value")):
        return _body(lines, start, False)
    return 0


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    for line in lines:
        text = line.text.strip()
        if _COMMAND.fullmatch(text):
            builder.place(line.number)
        elif _VERSION.fullmatch(text):  # -F version's output
            builder.put("nvidia.kernel_module_version", text, line.number)
        elif _SIGNATURE.fullmatch(text):
            builder.place(line.number)
        elif match := _FIELD.fullmatch(text):
            key, value = match.group("key"), (match.group("value") or "").strip()
            if key == "version" and _VERSION.fullmatch(value):
                builder.put("nvidia.kernel_module_version", value, line.number)
            elif key == "license" and value in ("Dual MIT/GPL", "NVIDIA"):
                flavour = "open" if value == "Dual MIT/GPL" else "proprietary"
                builder.put("nvidia.kernel_module", flavour, line.number)
            builder.place(line.number)
    return builder.finish(lines)


def _quick(text: str) -> bool:
    return text.startswith(("modinfo", "sudo ", "/sbin/modinfo", "/usr/sbin/modinfo", "filename:"))


READER = Reader(KIND, _scan, _read, _quick)
# Where _quick can be true (every string it starts with), for the detector's one test
# of each line against all readers (explain/sections/__init__.py).
READER.start = lazy(r"(?:modinfo|sudo |/sbin/modinfo|/usr/sbin/modinfo|filename:)")
READERS = [READER]
