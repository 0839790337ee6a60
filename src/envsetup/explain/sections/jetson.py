"""A Jetson's own signs as people paste them: `cat /etc/nv_tegra_release` and jetson-stats'
`jetson_release` (also what jtop's info page prints).

- /etc/nv_tegra_release: "# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI:
  aarch64, DATE: ..." (boxcutter/kvm's Jetson setup guide), on L4T 36 followed by "# KERNEL_VARIANT:
  oot" and "TARGET_USERSPACE_LIB_DIR..." lines. Read with model/jetson.py l4t_from_tegra_release,
  as doctor's probe/jetson.py reads the file.
- jetson_release (rbonghi/jetson_stats issue #603): "Software part of jetson-stats 4.3.0", then
  " - Model: NVIDIA Jetson Orin NX ...", " - L4T: 36.4.3", "Hardware:", " - Module: ...",
  "Platform:", " - Release: 5.15.148-tegra", "Libraries:", " - CUDA: 12.6.68"; older releases put
  "[L4T 35.3.1]" on the model line.

Facts: jetson.l4t, jetson.model, jetson.evidence, os.kernel. The board, JetPack series and the
GPU's compute capability follow from them after the merge (explain/jetson_facts.py), by the same
model/jetson.py rules doctor uses, as do the signs other sections read (a `-tegra` kernel in
`uname -a` or collect_env, "Orin (nvgpu)" in nvidia-smi's table).
"""

from __future__ import annotations

from typing import Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped
from envsetup.lazy_pattern import lazy
from envsetup.model.jetson import l4t_from_tegra_release
from envsetup.model.paste import Line, Reading

TEGRA_RELEASE = "nv-tegra-release"
JETSON_RELEASE = "jetson-release"

_RELEASE_LINE = lazy(r"#?\s*R\d{2}\s*\(release\),\s*REVISION:\s*[0-9][0-9.]*.*")
_RELEASE_TAIL = lazy(r"#\s*KERNEL_VARIANT:.*|TARGET_USERSPACE_LIB_DIR(?:_PATH)?=\S*")
_RELEASE_COMMAND = lazy(r"(?:sudo\s+)?(?:cat|head(?:\s+-n\s*\d+|\s+-\d+)?)\s+/etc/nv_tegra_release")


def _release_scan(lines: Sequence[Line], start: int) -> int:
    at = start
    if _RELEASE_COMMAND.fullmatch(stripped(lines, at)):
        at += 1
        if at < len(lines) and not stripped(lines, at):
            at += 1
    if not _RELEASE_LINE.fullmatch(stripped(lines, at)):
        return 0
    at += 1
    while at < len(lines) and _RELEASE_TAIL.fullmatch(stripped(lines, at)):
        at += 1
    return at - start


def _release_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(TEGRA_RELEASE, lines)
    for line in lines:
        text = line.text.strip()
        if _RELEASE_LINE.fullmatch(text):
            # A paste may lose the leading "#" (a markdown heading); the parser wants it.
            l4t = l4t_from_tegra_release(text if text.startswith("#") else "# " + text)
            builder.put("jetson.l4t", l4t, line.number)
            builder.put("jetson.evidence", [f"/etc/nv_tegra_release: {text}"], line.number)
        builder.place(line.number)
    return builder.finish(lines)


def _release_quick(text: str) -> bool:
    return text.startswith(("#", "R", "cat /etc/nv_tegra", "head ", "sudo "))


# --- jetson_release (jetson-stats)
_STATS_BANNER = lazy(r"Software part of jetson-stats\s+\S+.*")
_STATS_LINE = lazy(
    r"(?:-\s+)?[A-Za-z][\w ./()-]{0,30}(?:\[\d+\])?:(?:\s*\S.*)?|Jetpack(?: missing!|\s.*)|jetson_release(?:\s.*)?"
)
_L4T = lazy(r"\bL4T:?\s*(\d{2}\.\d{1,2}(?:\.\d{1,2})?)\b")
_MODEL = lazy(r"^(?:-\s+)?Model:\s*(?P<model>.+?)(?:\s+-\s+Jetpack\b.*)?$")
_KERNEL = lazy(r"^(?:-\s+)?Release:\s*(?P<kernel>\d\S*)$")


def _stats_scan(lines: Sequence[Line], start: int) -> int:
    at = start
    if stripped(lines, at).startswith("jetson_release"):
        at += 1
        while at < len(lines) and not stripped(lines, at):
            at += 1
    if not _STATS_BANNER.fullmatch(stripped(lines, at)):
        return 0
    at += 1
    while at < len(lines) and _STATS_LINE.fullmatch(stripped(lines, at)):
        at += 1
    return at - start


def _stats_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(JETSON_RELEASE, lines)
    for line in lines:
        text = line.text.strip()
        model = _MODEL.match(text)
        if model and "jetson" in model.group("model").lower():
            builder.put("jetson.model", model.group("model"), line.number)
            builder.put("jetson.evidence", [f"jetson_release: {text}"], line.number)
        l4t = _L4T.search(text)
        if l4t and builder.get("jetson.l4t") is None:
            builder.put("jetson.l4t", l4t.group(1), line.number)
        kernel = _KERNEL.match(text)
        if kernel:
            builder.put("os.kernel", kernel.group("kernel"), line.number)
        builder.place(line.number)
    return builder.finish(lines)


def _stats_quick(text: str) -> bool:
    return text.startswith(("Software part of jetson-stats", "jetson_release"))


# --- jtop's raw dump (jetson-stats' "RAW Data" for bug reports, rbonghi/jetson_stats #711):
# "-------------------- JETSON RAW OUTPUT -----------------", then per file "------------------",
# "Path: /etc/nv_tegra_release" and its content ("# R38 (release), ..."), "Path:
# /sys/firmware/devicetree/base/model" and "NVIDIA Jetson AGX Thor Developer Kit", or "No such
# file or directory"; a "PLATFORM" block before it ("Machine: aarch64", "Release: 6.8.12-tegra").
JTOP_RAW = "jtop-raw"
_RAW_BANNER = lazy(r"-{3,}\s*(?:JETSON RAW OUTPUT|PLATFORM)\s*-{3,}")
_RAW_RULE = lazy(r"-{6,}")
_RAW_PATH = lazy(r"Path:\s*(?P<path>/\S+)")
_RAW_PLATFORM = lazy(r"(?:Machine|System|Distribution|Release|Python):\s*\S.*")
_MODEL_PATHS = ("/sys/firmware/devicetree/base/model", "/proc/device-tree/model")
_RAW_MAX = 200


def _raw_scan(lines: Sequence[Line], start: int) -> int:
    if not _RAW_BANNER.fullmatch(stripped(lines, start)):
        return 0
    at, paths = start + 1, 0
    while at < len(lines) and at - start < _RAW_MAX:
        text = stripped(lines, at)
        if _RAW_PATH.fullmatch(text):
            paths += 1
        elif not (text and (_RAW_BANNER.fullmatch(text) or _RAW_RULE.fullmatch(text))):
            # A file's content: the line right after its Path, or a platform line.
            after_path = at > 0 and _RAW_PATH.fullmatch(stripped(lines, at - 1))
            if not (after_path or _RAW_PLATFORM.fullmatch(text)):
                break
        at += 1
    return at - start if paths else 0


def _raw_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(JTOP_RAW, lines)
    path, evidence, first = "", [], None
    for line in lines:
        text = line.text.strip()
        found = _RAW_PATH.fullmatch(text)
        if found:
            path = found.group("path")
        elif path == "/etc/nv_tegra_release" and _RELEASE_LINE.fullmatch(text):
            builder.put("jetson.l4t", l4t_from_tegra_release(text), line.number)
            evidence.append(f"/etc/nv_tegra_release: {text}")
            first = first or line.number
        elif path in _MODEL_PATHS and "jetson" in text.lower():
            builder.put("jetson.model", text, line.number)
            evidence.append(f"{path}: {text}")
            first = first or line.number
        elif not path and _KERNEL.match(text):
            builder.put("os.kernel", _KERNEL.match(text).group("kernel"), line.number)
        if _RAW_RULE.fullmatch(text) or _RAW_BANNER.fullmatch(text):
            path = ""
        builder.place(line.number)
    builder.put("jetson.evidence", evidence, first)
    return builder.finish(lines)


def _raw_quick(text: str) -> bool:
    return text.startswith("---")


READERS = [
    Reader(JTOP_RAW, _raw_scan, _raw_read, _raw_quick),
    Reader(TEGRA_RELEASE, _release_scan, _release_read, _release_quick),
    Reader(JETSON_RELEASE, _stats_scan, _stats_read, _stats_quick),
]
