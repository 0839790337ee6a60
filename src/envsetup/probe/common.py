"""Small helpers the probes share."""

from __future__ import annotations

from typing import Mapping, Optional

from envsetup.facts import ReadProblem

# A probe command that takes longer than this is treated as hung (a wedged driver can hang
# nvidia-smi forever). ENVSETUP_PROBE_TIMEOUT overrides it.
DEFAULT_TIMEOUT_S = 8.0


def probe_timeout(environ: Mapping[str, str]) -> float:
    value = environ.get("ENVSETUP_PROBE_TIMEOUT")
    try:
        return max(0.1, float(value)) if value else DEFAULT_TIMEOUT_S
    except ValueError:
        return DEFAULT_TIMEOUT_S


def excerpt(text: str, lines: int = 6) -> str:
    """The first few non-blank lines of an output, for evidence."""
    kept = [line.rstrip() for line in text.splitlines() if line.strip()][:lines]
    return "\n".join(kept)


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
