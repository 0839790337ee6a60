"""host.json's schema (docs/recorded-host.md), checked by hand over the parsed JSON.

A recording is untrusted input: it may come from a bug report or a stranger. Every value the
replay uses is checked here for its type, so that a bad recording is one line naming the key
(`commands[3].returncode`) instead of an error deep inside a probe.
"""

from __future__ import annotations

import json
from typing import Any, Mapping

# JSON integers are unbounded; every integer a recording holds (exit statuses, byte counts, PCIe
# link widths) fits in 64 bits.
INT_LIMIT = 1 << 63

PLATFORM_REQUIRED = ("system", "release", "version", "machine")
PLATFORM_OPTIONAL = (
    "libc",
    "mac_version",
    "windows_version",
    "python_executable",
    "working_directory",
)
# The running interpreter's self-description (envsetup.host.interpreter.DESCRIBE_SOURCE).
PYTHON_STRINGS = ("executable", "version", "implementation", "prefix", "base_prefix", "stdlib")
PYTHON_KEYS = (*PYTHON_STRINGS, "purelib", "site_packages", "bits")
NVML_DEVICE_TYPES = {
    "index": ("integer",),
    "name": ("string",),
    "uuid": ("string",),
    "memory_total_bytes": ("integer", "null"),
    "compute_capability": ("string", "null"),
    "mig_mode": ("string", "null"),
    "pcie_gen": ("integer", "null"),
    "pcie_gen_max": ("integer", "null"),
    "pcie_width": ("integer", "null"),
    "pcie_width_max": ("integer", "null"),
}
COMMAND_TYPES = {
    "argv": ("array",),
    "returncode": ("integer", "null"),
    "timed_out": ("boolean",),
    "not_found": ("boolean",),
    "truncated": ("boolean",),
    "stdout": ("string",),
    "stderr": ("string",),
    "stdout_file": ("string",),
    "stderr_file": ("string",),
}
_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "boolean": "true or false",
    "null": "null",
    "object": "an object",
    "array": "an array",
}


class RecordingError(ValueError):
    """A value in host.json that the schema does not allow: `key` names it, `problem` says why."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"{key}: {problem}")
        self.key = key
        self.problem = problem


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _shown(value: Any) -> str:
    """The value as JSON writes it (ASCII only, so a message stays one plain line), cut short."""
    if isinstance(value, (dict, list)):
        return _NAMES[json_type(value)]
    text = json.dumps(value, ensure_ascii=True) if isinstance(value, str) else _scalar(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _scalar(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return "a huge number"
    return json.dumps(value)


def expect(value: Any, key: str, *kinds: str) -> Any:
    """`value` if its JSON type is one of `kinds` (and a string is valid Unicode, an integer fits
    64 bits); else RecordingError naming `key`."""
    found = json_type(value)
    if found not in kinds:
        wanted = " or ".join(_NAMES[k] for k in kinds)
        raise RecordingError(key, f"is {_shown(value)}, expected {wanted}")
    if found == "string":
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RecordingError(
                key, f"holds {value[exc.start]!a}, an unpaired surrogate: not valid Unicode"
            ) from exc
    if found == "integer" and not -INT_LIMIT <= value < INT_LIMIT:
        raise RecordingError(key, f"is {_shown(value)}, out of range for a 64-bit integer")
    return value


def key_name(parent: str, name: Any) -> str:
    """`parent.name`, quoting a name that is not plain ASCII letters, digits and `_-./:+@`."""
    text = str(name)
    plain = text and text.isascii() and all(c.isalnum() or c in "_-./:+@" for c in text)
    shown = text if plain else ascii(text)
    return f"{parent}.{shown}" if parent else shown


def _string_map(value: Any, key: str, *kinds: str) -> None:
    if expect(value, key, "object", "null") is None:
        return
    for name, item in value.items():
        expect(name, f"{key} key {name!a}", "string")
        expect(item, key_name(key, name), *kinds)


def _check_object(value: Mapping[str, Any], key: str, types: Mapping[str, tuple[str, ...]]) -> None:
    for name, item in value.items():
        if name not in types:
            raise RecordingError(
                key_name(key, name), f"unknown key (known: {', '.join(sorted(types))})"
            )
        expect(item, key_name(key, name), *types[name])


def check_platform(value: Any) -> None:
    expect(value, "platform", "object")
    for name in PLATFORM_REQUIRED:
        if name not in value:
            raise RecordingError(f"platform.{name}", "missing (a required entry)")
        expect(value[name], f"platform.{name}", "string")
    for name in PLATFORM_OPTIONAL:
        if name in value:
            expect(value[name], f"platform.{name}", "string")
    python = value.get("python")
    if python is None:
        return
    expect(python, "platform.python", "object")
    for name in PYTHON_STRINGS:
        if name in python:
            expect(python[name], f"platform.python.{name}", "string")
    if "purelib" in python:
        expect(python["purelib"], "platform.python.purelib", "string", "null")
    if "bits" in python:
        expect(python["bits"], "platform.python.bits", "integer", "null")
    if "site_packages" in python:
        expect(python["site_packages"], "platform.python.site_packages", "array")
        for number, item in enumerate(python["site_packages"]):
            expect(item, f"platform.python.site_packages[{number}]", "string")


def check_nvml(value: Any) -> None:
    if expect(value, "nvml", "object", "null") is None:
        return
    if "error" in value:
        expect(value["error"], "nvml.error", "string")
        return
    if "driver_version" not in value:
        raise RecordingError("nvml.driver_version", 'missing (or give {"error": "..."})')
    expect(value["driver_version"], "nvml.driver_version", "string")
    if "cuda_driver_version" in value:
        expect(value["cuda_driver_version"], "nvml.cuda_driver_version", "integer", "null")
    devices = expect(value.get("devices", []), "nvml.devices", "array")
    for number, device in enumerate(devices):
        key = f"nvml.devices[{number}]"
        expect(device, key, "object")
        if "index" not in device:
            raise RecordingError(f"{key}.index", "missing (a required entry)")
        _check_object(device, key, NVML_DEVICE_TYPES)


def check_command(entry: Any, key: str) -> None:
    expect(entry, key, "object")
    if "argv" not in entry:
        raise RecordingError(f"{key}.argv", "missing (a required entry)")
    _check_object(entry, key, COMMAND_TYPES)
    if not entry["argv"]:
        raise RecordingError(f"{key}.argv", "is empty: it needs at least the program")
    for number, arg in enumerate(entry["argv"]):
        expect(arg, f"{key}.argv[{number}]", "string")
    for stream in ("stdout_file", "stderr_file"):
        name = entry.get(stream)
        if name is not None and (not name or "\0" in name):
            raise RecordingError(f"{key}.{stream}", f"is {_shown(name)}, not a file name")


def check_manifest(manifest: Mapping[str, Any]) -> None:
    """Raise RecordingError for the first value the schema does not allow (format and version are
    checked before this)."""
    if "platform" not in manifest:
        raise RecordingError("platform", "missing (a required entry)")
    check_platform(manifest.get("platform"))
    _string_map(manifest.get("environ"), "environ", "string")
    _string_map(manifest.get("which"), "which", "string", "null")
    _string_map(manifest.get("realpath"), "realpath", "string")
    check_nvml(manifest.get("nvml"))
    commands = expect(manifest.get("commands"), "commands", "array", "null") or []
    for number, entry in enumerate(commands):
        check_command(entry, f"commands[{number}]")
