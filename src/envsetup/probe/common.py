"""Small helpers the probes share."""

from __future__ import annotations

import json
import math
from typing import Any, Mapping, Optional

from envsetup.errors import UsageError
from envsetup.facts import ReadProblem
from envsetup.host.execution import MAX_TIMEOUT_S, OUTPUT_CAP_BYTES

# A probe command that takes longer than this is treated as hung (a wedged driver can hang
# nvidia-smi forever). ENVSETUP_PROBE_TIMEOUT overrides it.
TIMEOUT_VARIABLE = "ENVSETUP_PROBE_TIMEOUT"
DEFAULT_TIMEOUT_S = 8.0
MIN_TIMEOUT_S = 0.1
EXCERPT_LINE_CHARS = 300


def probe_timeout(environ: Mapping[str, str]) -> float:
    """The seconds a probe command may run; a UsageError for a value that is not one.

    probe_all calls it before anything runs, so a bad value stops doctor before any probe starts.
    """
    value = environ.get(TIMEOUT_VARIABLE)
    if value is None or not value.strip():
        return DEFAULT_TIMEOUT_S
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not MIN_TIMEOUT_S <= seconds <= MAX_TIMEOUT_S:  # NaN and inf fail this too
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise UsageError(
            f"{TIMEOUT_VARIABLE}={shown!r} is not a number of seconds from {MIN_TIMEOUT_S:g} to "
            f"{MAX_TIMEOUT_S:g}; fix: set it to e.g. 30, or unset it for the default "
            f"{DEFAULT_TIMEOUT_S:g}"
        )
    return seconds


def excerpt(text: str, lines: int = 6) -> str:
    """The first few non-blank lines of an output, for evidence, each cut to a readable length."""
    kept = []
    for line in text.splitlines():
        if line.strip():
            line = line.rstrip()
            if len(line) > EXCERPT_LINE_CHARS:
                line = line[:EXCERPT_LINE_CHARS] + "…"
            kept.append(line)
            if len(kept) == lines:
                break
    return "\n".join(kept)


OUTPUT_CUT = f"printed over {OUTPUT_CAP_BYTES >> 20} MiB; envsetup stopped reading and ended it"


def output_cut(what: str) -> ReadProblem:
    """A command printed more than the host reads of one: it was ended, and its output is cut."""
    return ReadProblem(what=what, reason=f"the command {OUTPUT_CUT}")


def problem(what: str, reason: str, text: str = "") -> ReadProblem:
    return ReadProblem(what=what, reason=reason, evidence=excerpt(text))


def join(*parts: str) -> str:
    """Join path parts with '/' (host paths are POSIX-style except on Windows hosts)."""
    return "/".join(p.rstrip("/") for p in parts[:-1]) + "/" + parts[-1].lstrip("/")


def first_line(text: Optional[str]) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def basename(path: str) -> str:
    return path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def dist_version(dist_info_path: str, project_prefix: str) -> str:
    """'/x/torch-2.4.0+cu121.dist-info' with prefix 'torch-' -> '2.4.0+cu121'."""
    name = basename(dist_info_path)
    return name[len(project_prefix) :].rsplit(".", 1)[0]


# What a probe reads (files, command output) is untrusted text: JSON in it may be any type, nest
# deeper than the parser recurses (RecursionError) or hold unpaired surrogates ("\ud800"), which
# no terminal or JSON file can encode. These turn it into the plain values the facts hold.


def json_object(text: Optional[str]) -> Optional[dict[str, Any]]:
    """The JSON object `text` holds; None for invalid JSON, another type or too deep a nesting."""
    try:
        value = json.loads(text or "")
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def clean(text: str) -> str:
    """`text` with unpaired surrogates replaced: it can be printed and written as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def as_text(value: Any) -> str:
    """A string or a number as text; "" for anything else (a list, a dict, null)."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def as_int(value: Any) -> Optional[int]:
    """An integer that fits 64 bits (not true/false); None for anything else."""
    if isinstance(value, int) and not isinstance(value, bool) and -(1 << 63) <= value < 1 << 63:
        return value
    return None


def as_number(value: Any) -> Optional[float]:
    """A finite number as a float; None for anything else (NaN, infinity, a string)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    number = as_int(value)
    return float(number) if number is not None else None


def as_bool(value: Any) -> Optional[bool]:
    return value if isinstance(value, bool) else None
