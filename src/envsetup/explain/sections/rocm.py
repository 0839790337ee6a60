"""AMD ROCm's tools as people paste them: `rocminfo`, the KFD topology's node properties,
`rocm-smi --showproductname` (and its --csv form; a target from the card series where no "GFX
Version" line is printed: ROCm 4.x/5.x), `amd-smi static` / `amd-smi list` (ROCm 6+), and a shell
line setting HSA_OVERRIDE_GFX_VERSION.

Facts: rocm.gpus and rocm.gfx_targets (each AMD GPU's gfx target, as doctor's probe/rocm.py
builds them, read with the same parsers/rocm.py functions), rocm.hsa_override_gfx_version.
diagnose/rocm_rules.py judges them: gfx1031 under a ROCm wheel without the override gets the
override advice; a pasted hipErrorNoBinaryForGpu names the pasted GPU's target.

rocminfo's layout (ROCm/rocminfo rocminfo.cc; pasted whole in ROCm/legacy-rocm-build issues
#1698 and #1759): a header ("ROCk module is loaded", "HSA System Attributes", "Runtime Version:
1.1"...), then per agent "*******" / "Agent N" / "*******" and indented "Key: value" lines ("Name:
gfx1032", "Marketing Name: AMD Radeon RX 6600 XT", "Device Type: GPU"), with "ISA Info:" / "Pool
Info:" sub-blocks and "x  1024(0x400)" dimension lines; "*** Done ***" ends it.
"""

from __future__ import annotations

import re
from typing import Any, Optional, Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped, text_of
from envsetup.facts import AmdGpu
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers.rocm import (
    amd_smi_static_gpus,
    hsa_override,
    is_rocm_smi_csv_header,
    isa_gfx_targets,
    kfd_open_error,
    kfd_text_gfx_targets,
    rocm_smi_csv_products,
    rocm_smi_products,
    rocminfo_gpus,
)

ROCMINFO = "rocminfo"
KFD = "kfd-properties"
ROCM_SMI = "rocm-smi"
OVERRIDE = "hsa-override"

# Lines rocminfo prints that are not "Key: value".
_STRUCTURE = lazy(
    r"\*{5,}|={5,}|Agent \d{1,3}|ISA \d{1,2}|Pool \d{1,2}|ROCk module is (?:NOT )?loaded"
    r"|Able to open /dev/kfd read-write|Unable to open /dev/kfd read-write:.*|HSA System Attributes"
    r"|HSA Agents|\*\*\* Done \*\*\*|rocminfo|(?:/opt/rocm[\w.-]*/bin/)?rocminfo(?:\s.*)?"
)
# "  Max Clock Freq. (MHz):   4890", "WatchPts on Addr. Ranges:4", "  L1:   32768(0x8000) KB".
_FIELD = lazy(r"[A-Za-z][\w .()/#+-]{0,44}:(?:\s*\S.*)?")
_DIMENSION = lazy(r"[xyz]\s+\d+(?:\(0x[0-9a-f]+\))?")
# Where a rocminfo section may begin (a paste may start inside an agent).
_ROCMINFO_START = lazy(
    r"(?:ROCk module|HSA (?:System|Agents)|={5,}\s*$|\*{5,}\s*$|Agent \d|rocminfo|"
    r"Name:\s+(?:gfx|amdgcn-)|(?:/opt/rocm[\w.-]*/bin/)?rocminfo|Unable to open /dev/kfd)"
)
# What makes a run of such lines rocminfo and not any "Key: value" log.
_ROCMINFO_MARKS = lazy(
    r"Agent \d|HSA Agents|ROCk module|Name:\s+(?:gfx[0-9a-f]+|amdgcn-amd-amdhsa--)|"
    r"Unable to open /dev/kfd|Device Type:\s+(?:GPU|CPU)"
)


def _rocminfo_line(text: str) -> bool:
    return bool(_STRUCTURE.fullmatch(text) or _DIMENSION.fullmatch(text) or _FIELD.fullmatch(text))


def _rocminfo_scan(lines: Sequence[Line], start: int) -> int:
    at, last, marked = start, start - 1, False
    while at < len(lines):
        text = stripped(lines, at)
        if not text:
            # One blank line inside (between the header and "HSA Agents"); two end it.
            if not stripped(lines, at + 1) or not _rocminfo_line(stripped(lines, at + 1)):
                break
            at += 1
            continue
        if not _rocminfo_line(text):
            break
        marked = marked or _ROCMINFO_MARKS.match(text) is not None
        last = at
        at += 1
        if text == "*** Done ***":
            break
    return last - start + 1 if marked and last >= start else 0


def _amd_gpus(gpus: list[AmdGpu]) -> list[dict[str, Any]]:
    return [{"gfx": g.gfx, "name": g.name, "source": g.source} for g in gpus]


def put_amd_gpus(builder: ReadingBuilder, gpus: list[dict[str, Any]], first: Optional[int]) -> None:
    """The AMD GPUs a reader found (`{"gfx", "name", "source", ...}`), and their gfx targets once
    each in order, as facts stated at line `first`."""
    builder.put("rocm.gpus", gpus, first)
    builder.put("rocm.gfx_targets", list(dict.fromkeys(g["gfx"] for g in gpus if g["gfx"])), first)


def _rocminfo_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(ROCMINFO, lines)
    text = text_of(lines)
    gpus = rocminfo_gpus(text)
    for gpu in gpus:
        gpu.source = "paste:rocminfo"
    first = next((line.number for line in lines if re.match(r"\s*Name:\s+gfx", line.text)), None)
    if not gpus:
        # Cut before the agent's Name: its ISA names the target too.
        targets = isa_gfx_targets(text)
        first = next((line.number for line in lines if "amdgcn-amd-amdhsa--" in line.text), None)
        gpus = [AmdGpu(gfx=t, source="paste:rocminfo ISA") for t in targets]
    if gpus:
        put_amd_gpus(builder, _amd_gpus(gpus), first)
    error = kfd_open_error(text)
    if error:
        line = next(line.number for line in lines if "Unable to open /dev/kfd" in line.text)
        builder.put("rocm.kfd_error", error, line)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def _rocminfo_quick(text: str) -> bool:
    return _ROCMINFO_START.match(text) is not None


# --- the KFD topology: `cat .../nodes/N/properties` or `grep gfx_target_version ...`
_PROPERTY = lazy(
    r"(?:/sys/class/kfd/kfd/topology/nodes/\d{1,4}/properties:)?[a-z][a-z0-9_]{1,40}\s+-?\d{1,20}"
)
_KFD_COMMAND = lazy(r"(?:sudo\s+)?(?:cat|grep|head|tail)\s.*?/sys/class/kfd/\S*.*")


def _kfd_scan(lines: Sequence[Line], start: int) -> int:
    at = start + 1 if _KFD_COMMAND.fullmatch(stripped(lines, start)) else start
    while at < len(lines) and _PROPERTY.fullmatch(stripped(lines, at)):
        at += 1
    block = text_of(lines[start:at])
    return at - start if at > start and kfd_text_gfx_targets(block) else 0


def _kfd_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KFD, lines)
    found = kfd_text_gfx_targets(text_of(lines))
    first = next((line.number for line in lines if "gfx_target_version" in line.text), None)
    gpus = [
        {
            "gfx": gfx,
            "name": "",
            "source": f"paste:kfd node {node}" if node is not None else "paste:kfd",
        }
        for node, gfx in found
    ]
    put_amd_gpus(builder, gpus, first)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def _kfd_quick(text: str) -> bool:
    return text.startswith(("gfx_target_version", "cpu_cores_count", "/sys/class/kfd")) or (
        "/sys/class/kfd/" in text and text.startswith(("cat ", "grep ", "sudo ", "head ", "tail "))
    )


# --- rocm-smi --showproductname
_SMI_LINE = lazy(
    r"=+(?: ?[A-Za-z][\w ]*[A-Za-z] ?=+)?|GPU\[\d{1,3}\]\s*:.*|(?:\S*/)?rocm-smi(?:\s.*)?"
)


def _smi_scan(lines: Sequence[Line], start: int) -> int:
    at, gpu_lines = start, 0
    while at < len(lines):
        text = stripped(lines, at)
        if not _SMI_LINE.fullmatch(text):
            break
        gpu_lines += text.startswith("GPU[")
        at += 1
        if "End of ROCm SMI Log" in text:
            break
    return at - start if gpu_lines else 0


def _smi_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(ROCM_SMI, lines)
    gpus = rocm_smi_products(text_of(lines))
    for gpu in gpus:
        # A target from the card series says so: it is the table's reading, not rocm-smi's.
        by_series = gpu.source.startswith("rocm-smi card series")
        gpu.source = "paste:" + (gpu.source if by_series else "rocm-smi")
    marks = ("GFX Version", "Card series", "Card Series")
    first = next((line.number for line in lines if any(m in line.text for m in marks)), None)
    if gpus:
        put_amd_gpus(builder, _amd_gpus(gpus), first)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def _smi_quick(text: str) -> bool:
    return text.startswith(("=", "GPU[")) or "rocm-smi" in text[:60]


# --- rocm-smi --showproductname --csv
ROCM_SMI_CSV = "rocm-smi-csv"
_SMI_CSV_COMMAND = lazy(r"(?:\S*/)?rocm-smi\s.*--csv.*")
_SMI_CSV_ROW = lazy(r"card\d{1,3},.*", re.IGNORECASE)


def _smi_csv_scan(lines: Sequence[Line], start: int) -> int:
    at = start + 1 if _SMI_CSV_COMMAND.fullmatch(stripped(lines, start)) else start
    if at >= len(lines) or not is_rocm_smi_csv_header(stripped(lines, at)):
        return 0
    at += 1
    while at < len(lines) and _SMI_CSV_ROW.fullmatch(stripped(lines, at)):
        at += 1
    return at - start


def _smi_csv_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(ROCM_SMI_CSV, lines)
    gpus = rocm_smi_csv_products(text_of(lines))
    for gpu in gpus:
        by_series = gpu.source.startswith("rocm-smi card series")
        gpu.source = "paste:" + (gpu.source if by_series else "rocm-smi --csv")
    first = next((x.number for x in lines if _SMI_CSV_ROW.fullmatch(x.text.strip())), None)
    if gpus:
        put_amd_gpus(builder, _amd_gpus(gpus), first)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def _smi_csv_quick(text: str) -> bool:
    return text.startswith("device,") or ("rocm-smi" in text[:60] and "--csv" in text)


# --- amd-smi static / amd-smi list: "GPU: N" (or "AI_NIC: N") then indented "KEY: value" lines
AMD_SMI = "amd-smi"
_AMD_SMI_COMMAND = lazy(r"(?:sudo\s+)?(?:\S*/)?amd-smi(?:\s+(?:static|list)\b.*)?")
_AMD_SMI_TOP = lazy(r"(?:GPU|AI_NIC|CPU|CPU_CORE):\s*\d{1,4}")
_AMD_SMI_FIELD = lazy(r"\s+[A-Z][A-Z0-9_]{1,40}:.*")


def _amd_smi_scan(lines: Sequence[Line], start: int) -> int:
    at = start + 1 if _AMD_SMI_COMMAND.fullmatch(stripped(lines, start)) else start
    if not (
        _AMD_SMI_TOP.fullmatch(stripped(lines, at))
        and at + 1 < len(lines)
        and _AMD_SMI_FIELD.fullmatch(lines[at + 1].text)
    ):
        return 0
    end = at
    while end < len(lines):
        text = lines[end].text
        if _AMD_SMI_TOP.fullmatch(text.strip()) or _AMD_SMI_FIELD.fullmatch(text):
            end += 1
        elif not text.strip() and _AMD_SMI_TOP.fullmatch(stripped(lines, end + 1)):
            end += 1  # the blank line between two devices
        elif _AMD_SMI_COMMAND.fullmatch(text.strip()) and _AMD_SMI_TOP.fullmatch(
            stripped(lines, end + 1)
        ):
            end += 1  # the next amd-smi command of the same paste
        else:
            break
    return end - start


def _amd_smi_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(AMD_SMI, lines)
    gpus = amd_smi_static_gpus(text_of(lines))
    for gpu in gpus:
        gpu.source = "paste:" + gpu.source
    first = next(
        (x.number for x in lines if "TARGET_GRAPHICS_VERSION" in x.text or "DEVICE_ID" in x.text),
        None,
    )
    if gpus:
        put_amd_gpus(builder, _amd_gpus(gpus), first)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def _amd_smi_quick(text: str) -> bool:
    return text.startswith(("GPU:", "AI_NIC:", "CPU:", "CPU_CORE:")) or "amd-smi" in text[:60]


# --- HSA_OVERRIDE_GFX_VERSION set on a shell line
def _override_scan(lines: Sequence[Line], start: int) -> int:
    return 1 if hsa_override(stripped(lines, start)) else 0


def _override_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(OVERRIDE, lines)
    for line in lines:
        value = hsa_override(line.text)
        builder.put("rocm.hsa_override_gfx_version", value, line.number)
    return builder.finish(lines)


def _override_quick(text: str) -> bool:
    return text.startswith(("HSA_OVERRIDE_GFX_VERSION", "export HSA_", "set HSA_", "$env:HSA_"))


READERS = [
    Reader(ROCMINFO, _rocminfo_scan, _rocminfo_read, _rocminfo_quick),
    Reader(KFD, _kfd_scan, _kfd_read, _kfd_quick),
    Reader(ROCM_SMI, _smi_scan, _smi_read, _smi_quick),
    Reader(ROCM_SMI_CSV, _smi_csv_scan, _smi_csv_read, _smi_csv_quick),
    Reader(AMD_SMI, _amd_smi_scan, _amd_smi_read, _amd_smi_quick),
    Reader(OVERRIDE, _override_scan, _override_read, _override_quick),
]
