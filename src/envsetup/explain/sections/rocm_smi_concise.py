"""Plain `rocm-smi` as people paste it: the "Concise Info" table, in the three layouts its
releases print, and `rocm-smi --json` (any of its --show* options) read for the GPUs it names.

Layouts (each from a real paste, tests/fixtures/explain/SOURCES.tsv):
- ROCm 1.x-5.x: one header row "GPU  Temp  AvgPwr  SCLK  MCLK  Fan  Perf  PwrCap  VRAM%  GPU%"
  and one row per GPU that starts with its index; no name, no id (ROCm/ROC-smi #86, ROCm 3.3).
- ROCm 6.0-6.3: "Device  [Model : Revision]  Temp ..." over "Name (20 chars)  (Edge) ...", each
  GPU a row "0  [0x7901 : 0xc8]  30.0°C ..." (the model is the subsystem id, not the chip's) and
  an indented row under it with the first 20 characters of its name, or its PCI device id where
  the library has no name ("0x744c": ROCm/amdsmi #17, an RX 7900 XTX).
- ROCm 6.4+/7: "Device  Node  IDs  Temp ..." over "(DID,  GUID)  (Junction) ...", each row
  "0  2  0x75a0,  24959  60.0°C ..." with the PCI device id (DID) (ROCm/rocm-systems #1508).

A gfx target comes from the chip name or device id through the sourced table
(compat/amd_gpu_ids.py); a marketing name ("Instinct MI210") or an unlisted id gives none, and
then the GPU is kept with its name and no target (never a guess).

`rocm-smi --showhw` prints a "Concise Hardware Info" table, in the layouts of
ROCm/rocm_smi_lib's python_smi_tools/rocm_smi.py showAllConciseHw (rocm-4.0.0 ... rocm-6.2.0 tags):
- ROCm up to 6.1.0: "GPU  DID  [DREV]  GFX RAS  SDMA RAS  UMC RAS  VBIOS  BUS", the PCI device id
  written without its "0x" ("0    164e  N/A ...": ROCm/ROC-smi #100, a Raphael iGPU and an RX
  7900 XTX); the target comes from the id through the chip table, as above.
- ROCm 6.1.1+: "GPU  NODE  DID  GUID  GFX VER  GFX RAS ... BUS  PARTITION ID", each row
  "0  1  0x7480  3799  gfx11002 ...": GFX VER is the target, in rocm-smi's writing of ROCm
  6.1-6.3 ("gfx11002" is gfx1102, parsers/rocm.rocm_smi_gfx), else the DID gives it. The GPUs
  are kept in NODE order: the ROCm runtime numbers its GPU agents (the indices
  ROCR_VISIBLE_DEVICES and HIP_VISIBLE_DEVICES count) in KFD node order, as rocminfo lists them,
  where rocm-smi's GPU column is the DRM card's.

`rocm-smi --json` prints one object: "card0": {...} per GPU, "system": {...}. Its keys name what
was asked: "Card series"/"Card Series"/"Device Name" (the chip and series), "GFX Version" (the
target; "gfx9010" is rocm-smi's writing of gfx90a, parsers/rocm.py), "Device ID", "VRAM Total
Memory (B)" (--showmeminfo vram: the GPU's memory in bytes, kept in MiB as AmdGpu.vram_mib) ("0x1900"). Keys as printed in sebhildebrandt/systeminformation #960 and
wandb/wandb #5449; a "system" object (driver version) states no GPU.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional, Sequence

from envsetup.compat.amd_gpu_ids import gfx_by_device_id, gfx_by_series
from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped, text_of
from envsetup.explain.sections.rocm import put_amd_gpus
from envsetup.model.paste import Line, Reading
from envsetup.parsers.rocm import rocm_smi_gfx

CONCISE = "rocm-smi-concise"
JSON = "rocm-smi-json"

_BANNER = re.compile(r"=+\s*(?:ROCm System Management Interface|Concise Info)\s*=+")
_BORDER = re.compile(r"=+(?:\s*End of ROCm SMI Log\s*=+)?")
_COMMAND = re.compile(r"(?:\$\s*|#\s*)?(?:sudo\s+)?(?:\S*/)?rocm-smi")
# The header rows of each layout.
_HEAD_OLD = re.compile(r"GPU\s+Temp\b.*\bSCLK\b.*")
_HEAD_MODEL = re.compile(r"Device\s+\[Model\s*:\s*Revision\].*")
_HEAD_NODE = re.compile(r"Device\s+Node\s+IDs\b.*")
_SUBHEAD = re.compile(r"(?:Name \(20 chars\)|\(DID,\s*GUID\)).*")
# The device rows of each layout.
_ROW_OLD = re.compile(r"(\d{1,3})\s+\S.*")
_ROW_MODEL = re.compile(r"(\d{1,3})\s+\[(0x[0-9a-fA-F]+)\s*:\s*(0x[0-9a-fA-F]+)\].*")
_ROW_NODE = re.compile(r"(\d{1,3})\s+(\d{1,4})\s+(0x[0-9a-fA-F]{1,4}|N/A),?\s+\S.*")


def _is_head(text: str) -> bool:
    return bool(
        _HEAD_OLD.fullmatch(text) or _HEAD_MODEL.fullmatch(text) or _HEAD_NODE.fullmatch(text)
    )


def _concise_scan(lines: Sequence[Line], start: int) -> int:
    at = start
    if _COMMAND.fullmatch(stripped(lines, at)):
        at += 1
        while at < len(lines) and not stripped(lines, at):
            at += 1  # rocm-smi prints blank lines before its banner
    while _BANNER.fullmatch(stripped(lines, at)) or _BORDER.fullmatch(stripped(lines, at)):
        at += 1
    if not _is_head(stripped(lines, at)):
        return 0
    head = stripped(lines, at)
    at += 1
    rows = 0
    row = (
        _ROW_MODEL
        if _HEAD_MODEL.fullmatch(head)
        else _ROW_NODE
        if _HEAD_NODE.fullmatch(head)
        else _ROW_OLD
    )
    while at < len(lines):
        text = stripped(lines, at)
        if _SUBHEAD.fullmatch(text) or (_BORDER.fullmatch(text) and text):
            at += 1
        elif row.fullmatch(text):
            rows += 1
            at += 1
            if row is _ROW_MODEL and at < len(lines) and _name_row(lines[at].text):
                at += 1
        else:
            break
    return at - start if rows else 0


def _name_row(text: str) -> bool:
    # The indented name under a ROCm 6.0-6.3 device row: never a row of its own.
    return text[:1] in (" ", "\t") and bool(text.strip()) and not _ROW_MODEL.fullmatch(text.strip())


def _gpu(gfx: Optional[str], name: str, source: str) -> dict[str, Any]:
    return {"gfx": gfx or "", "name": name, "source": source}


def _concise_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(CONCISE, lines)
    gpus: list[dict[str, Any]] = []
    first: Optional[int] = None
    for index, line in enumerate(lines):
        text = line.text.strip()
        node = _ROW_NODE.fullmatch(text)
        model = _ROW_MODEL.fullmatch(text)
        if model:
            below = lines[index + 1].text if index + 1 < len(lines) else ""
            name = below.strip() if _name_row(below) else ""
            gpus.append(_gpu(gfx_by_series(name) if name else None, name, "paste:rocm-smi"))
        elif node and node.group(3) != "N/A":
            did = node.group(3).lower()
            gpus.append(_gpu(gfx_by_device_id(did), did, "paste:rocm-smi DID"))
        else:
            continue
        first = line.number if first is None else first
    # A GPU without name or target says nothing a reader can use: only those with either count.
    gpus = [g for g in gpus if g["gfx"] or g["name"]]
    if gpus:
        put_amd_gpus(builder, gpus, first)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def _concise_quick(text: str) -> bool:
    return text.startswith(("=", "GPU ", "Device ")) or "rocm-smi" in text[:60]


# --- rocm-smi --showhw: "Concise Hardware Info"
SHOWHW = "rocm-smi-showhw"
_HW_BANNER = re.compile(r"=+\s*(?:ROCm System Management Interface|Concise Hardware Info)\s*=+")
# ROCm 7's rocm-smi warns before its banner when a GPU sleeps (ROCm/legacy-rocm-build #6031).
_HW_WARNING = re.compile(r"WARNING: .{1,200}")
_HW_HEAD_OLD = re.compile(r"GPU\s+DID\s+(?:DREV\s+)?GFX RAS\s+SDMA RAS\s+UMC RAS\s+VBIOS\s+BUS")
_HW_HEAD_NEW = re.compile(
    r"GPU\s+NODE\s+DID\s+GUID\s+GFX VER\s+GFX RAS\s+SDMA RAS\s+UMC RAS\s+VBIOS\s+BUS"
    r"(?:\s+PARTITION ID)?"
)
_HW_ROW_OLD = re.compile(r"(\d{1,3})\s+(?:0x)?([0-9a-fA-F]{4}|N/A)\s+\S.*")
_HW_ROW_NEW = re.compile(
    r"(\d{1,3})\s+(\d{1,4}|N/A)\s+(0x[0-9a-fA-F]{1,4}|N/A)\s+\S+\s+(\S+)\s+\S.*"
)


def _showhw_scan(lines: Sequence[Line], start: int) -> int:
    at = start
    if _COMMAND.match(stripped(lines, at)) and "--showhw" in stripped(lines, at):
        at += 1
    while at < len(lines) and (
        not stripped(lines, at) or _HW_WARNING.fullmatch(stripped(lines, at))
    ):
        at += 1
    while _HW_BANNER.fullmatch(stripped(lines, at)) or _BORDER.fullmatch(stripped(lines, at)):
        at += 1
    head = stripped(lines, at)
    row = (
        _HW_ROW_NEW
        if _HW_HEAD_NEW.fullmatch(head)
        else _HW_ROW_OLD
        if _HW_HEAD_OLD.fullmatch(head)
        else None
    )
    if row is None:
        return 0
    at += 1
    rows = 0
    while at < len(lines) and row.fullmatch(stripped(lines, at)):
        rows += 1
        at += 1
    if not rows:
        return 0
    # The closing border and "End of ROCm SMI Log" banner belong to the table.
    while at < len(lines) and stripped(lines, at) and _BORDER.fullmatch(stripped(lines, at)):
        at += 1
    return at - start


def showhw_gpus(lines: Sequence[Line]) -> tuple[list[dict[str, Any]], Optional[int]]:
    """Each row's GPU ({"gfx", "name" (its PCI device id), "source"}), in KFD node order where
    the table has a NODE column; and the first row's line number."""
    rows: list[tuple[int, dict[str, Any]]] = []
    first: Optional[int] = None
    new_layout = any(_HW_HEAD_NEW.fullmatch(line.text.strip()) for line in lines)
    for line in lines:
        text = line.text.strip()
        if new_layout:
            found = _HW_ROW_NEW.fullmatch(text)
            if not found:
                continue
            index, node, did, gfx_ver = found.groups()
            gfx = rocm_smi_gfx(gfx_ver) or (did != "N/A" and gfx_by_device_id(did)) or None
            order = int(node) if node.isdigit() else int(index)
        else:
            found = _HW_ROW_OLD.fullmatch(text)
            if not found:
                continue
            index, did = found.groups()
            did = "" if did == "N/A" else f"0x{did.lower()}"
            gfx = gfx_by_device_id(did) if did else None
            order = int(index)
        did = "" if did == "N/A" else did.lower()
        rows.append((order, _gpu(gfx, did, "paste:rocm-smi --showhw")))
        first = line.number if first is None else first
    rows.sort(key=lambda pair: pair[0])  # stable: rows without a node keep their order
    return [gpu for _, gpu in rows if gpu["gfx"] or gpu["name"]], first


def _showhw_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(SHOWHW, lines)
    gpus, first = showhw_gpus(lines)
    if gpus:
        put_amd_gpus(builder, gpus, first)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def _showhw_quick(text: str) -> bool:
    return text.startswith(("=", "GPU ", "WARNING")) or "--showhw" in text


# --- rocm-smi --json
_JSON_START = re.compile(r"\{\s*(?:\"card\d{1,3}\"\s*:.*)?")


def _json_scan(lines: Sequence[Line], start: int) -> int:
    at = (
        start + 1
        if _COMMAND.match(stripped(lines, start)) and "--json" in stripped(lines, start)
        else start
    )
    text = stripped(lines, at)
    if not _JSON_START.fullmatch(text):
        return 0
    # The object ends at the first line where the braces balance; parse it then.
    depth, end = 0, at
    while end < len(lines) and end - at < 5000:
        depth += lines[end].text.count("{") - lines[end].text.count("}")
        end += 1
        if depth <= 0:
            break
    data = _object(lines[at:end])
    return end - start if data is not None and any(k.startswith("card") for k in data) else 0


def _object(lines: Sequence[Line]) -> Optional[dict[str, Any]]:
    try:
        data = json.loads(text_of(lines))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


_SERIES_KEYS = ("Card series", "Card Series", "Device Name", "Card SKU")


def json_gpus(data: dict[str, Any]) -> list[dict[str, Any]]:
    """Each "cardN" object's GPU: its name (the card series / device name), its target (the
    "GFX Version", else from the series or "Device ID" through the sourced chip table)."""
    gpus = []
    for key in sorted(
        (k for k in data if re.fullmatch(r"card\d{1,3}", k)), key=lambda k: int(k[4:])
    ):
        card = data[key]
        if not isinstance(card, dict):
            continue
        name = next((str(card[k]).strip() for k in _SERIES_KEYS if card.get(k)), "")
        # "Card Model" is no key: the subsystem id on some cards, the device id on others.
        gfx = (
            rocm_smi_gfx(str(card.get("GFX Version") or ""))
            or (name and gfx_by_series(name))
            or gfx_by_device_id(str(card.get("Device ID", "")))
            or ""
        )
        if gfx or name:
            gpu = _gpu(gfx, name, f"paste:rocm-smi --json {key}")
            vram = _vram_mib(card.get("VRAM Total Memory (B)"))
            if vram:
                gpu["vram_mib"] = vram
            gpus.append(gpu)
    return gpus


def _vram_mib(value: Any) -> Optional[int]:
    """ "68702699520" (bytes, as --showmeminfo vram prints them) -> 65520 (MiB)."""
    text = str(value or "").strip()
    return int(text) >> 20 if text.isdigit() and len(text) <= 16 else None


def _json_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(JSON, lines)
    start = next(i for i, line in enumerate(lines) if line.text.strip().startswith("{"))
    data = _object(lines[start:]) or {}
    gpus = json_gpus(data)
    first = lines[start].number
    if gpus:
        put_amd_gpus(builder, gpus, first)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def _json_quick(text: str) -> bool:
    return text.startswith("{") or ("rocm-smi" in text[:60] and "--json" in text)


READERS = [
    Reader(CONCISE, _concise_scan, _concise_read, _concise_quick),
    Reader(SHOWHW, _showhw_scan, _showhw_read, _showhw_quick),
    Reader(JSON, _json_scan, _json_read, _json_quick),
]
