"""nvidia-smi's default table (R390 to R610, Windows WDDM/TCC, WSL, the KMD/UMD header), the MIG
devices and processes boxes pasted alone, `nvidia-smi mig -lgip/-lgi/-lcip/-lci` tables, and what
is left of a table whose top the paste cut: where each starts, how far it goes, and what it says.
The reader is explain/sections/nvidia_smi.py; its forms nvidia-smi-table and nvidia-smi-mig.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from envsetup.explain.sections._reading import ReadingBuilder, stripped, text_of
from envsetup.explain.sections._smi_report import _put_report
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line
from envsetup.parsers import ParseError
from envsetup.parsers.smi_table import parse_smi_table

_WEEKDAYS = ("Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun ")


def _table_rows(lines: Sequence[Line], start: int) -> int:
    """Lines of `+---+` / `| ... |` frames from `start`, across the blank lines that separate the
    GPU table, the MIG devices table and the processes table."""
    end = start
    i = start
    while i < len(lines):
        text = stripped(lines, i)
        if text.startswith(("|", "+")):
            i += 1
            end = i
        elif not text:  # a blank between the GPU, MIG and processes tables
            following = i + 1
            while following < len(lines) and not stripped(lines, following):
                following += 1
            if following < len(lines) and stripped(lines, following).startswith(("+", "|")):
                i = following
            else:
                break
        else:
            break
    return end - start


def _is_border(text: str) -> bool:
    return text.startswith("+-") and text.endswith(("+", "-")) and "|" not in text


# A GPU's first row in the default table (R390 to R610, Linux and Windows), and its column-header
# row: what is left of a table whose top a paste cut off.
_GPU_ROW = lazy(
    r"\|\s{0,4}\d{1,2}\s+\S.{0,60}?\s(?:On|Off|WDDM|TCC|MCDM)\s*\|\s*"
    r"[0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f]"
)
_COLUMN_WORDS = ("Bus-Id", "Memory-Usage", "Pwr:Usage/Cap", "MIG M.", "Uncorr. ECC", "Compute M.")
_TITLES = ("| GPU instance", "| Compute instance", "| MIG devices:", "| Processes:")


def _cut_top(lines: Sequence[Line], start: int) -> bool:
    """What remains of a default table whose top border and header the paste cut: the header
    line without its "| " ("NVIDIA-SMI 575.57.08   Driver Version: ..."), the column headers,
    the `|===|` rule or a border above a GPU's row, or that row itself."""
    text = stripped(lines, start)
    if text.startswith("NVIDIA-SMI ") and "Driver Version" in text:
        return True
    if _is_columns_row(text) or _GPU_ROW.match(text):
        return True
    if text.startswith(("|=", "|-", "+-")):
        following = stripped(lines, start + 1)
        return bool(_GPU_ROW.match(following)) or _is_columns_row(following)
    return False


def _is_columns_row(text: str) -> bool:
    """A row of the default table's column headers ("| GPU  Name ... | Bus-Id ...", "| Fan  Temp
    ... Memory-Usage ...", "|  |  |  MIG M. |")."""
    return text.startswith("|") and any(word in text for word in _COLUMN_WORDS)


def _table(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    if text.startswith(_WEEKDAYS) and len(text) < 40:  # the timestamp nvidia-smi prints first
        following = _table(lines, start + 1)
        return following + 1 if following else 0
    if text.startswith("NVIDIA-SMI ") and _cut_top(lines, start):
        return 1 + _table_rows(lines, start + 1)
    head = text if text.startswith("|") else stripped(lines, start + 1)
    if not (_is_border(text) or text.startswith("|")):
        return 0
    if "NVIDIA-SMI" not in head and not head.startswith(_TITLES) and not _cut_top(lines, start):
        return 0
    return _table_rows(lines, start)


def _read_table(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    if any("NVIDIA-SMI" in line.text for line in lines):
        _put_report(builder, lines, parse_smi_table(text_of(lines)))
        return
    first = lines[0].text.strip() if lines else ""
    head = first if first.startswith("|") else (lines[1].text.strip() if len(lines) > 1 else "")
    if head.startswith(("| GPU instance", "| Compute instance")):
        _read_mig(builder, lines)
    elif head.startswith("| MIG devices:"):
        _read_mig_devices(builder, lines)
    elif head.startswith("| Processes:"):
        # Which processes ran where is no fact envsetup keeps; that nvidia-smi listed them is:
        # it answered, so the driver works (a paste cut above the box is not a failure).
        builder.place(*(line.number for line in lines))
        builder.put("nvidia.smi_state", "ok", lines[0].number)
    else:
        _read_rows(builder, lines)


def _read_mig_devices(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    """The "MIG devices:" sub-table pasted alone: the GPUs it lists devices of are in MIG mode."""
    gpus: List[Dict[str, Any]] = []
    first: Optional[int] = None
    for line in lines:
        cells = line.text.strip().strip("|").split("|")
        match = _MIG_DEVICE.fullmatch(cells[0].strip()) if len(cells) > 1 else None
        if match is None:
            continue
        index = int(match.group(1))
        first = first or line.number
        if all(gpu["index"] != index for gpu in gpus):
            gpus.append({"index": index, "mig_mode": "Enabled"})
    builder.put("nvidia.gpus", gpus, first)
    builder.place(*(line.number for line in lines))


def _read_rows(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    """A default table whose header the paste cut: each GPU's rows (index, name, bus id, memory,
    MIG mode) as the default layout has them; no driver or CUDA version (they were above)."""
    gpus: List[Dict[str, Any]] = []
    first: Optional[int] = None
    row = 0  # the row of the current GPU's block (0: its first)
    for line in lines:
        text = line.text.strip()
        if _GPU_ROW.match(text):
            cells = text.strip("|").split("|")
            index, _, rest = cells[0].strip().partition(" ")
            name = rest.strip().rsplit(None, 1)[0] if len(rest.split()) > 1 else rest.strip()
            gpus.append({"index": int(index), "name": name})
            first, row = first or line.number, 1
        elif gpus and row and text.startswith("|") and "MiB" in text:
            memory = _MEMORY_USE.search(text)
            if memory and row == 1:
                gpus[-1]["memory_total_mib"] = int(memory.group(1))
            row += 1
        elif gpus and row == 2 and text.startswith("|"):
            mode = text.strip("|").split("|")[-1].strip()
            if mode in ("Enabled", "Disabled"):
                gpus[-1]["mig_mode"] = mode
            row = 0
        elif text.startswith("+") or not text:
            row = 0
    if not gpus:
        raise ParseError("no GPU row in what is left of the nvidia-smi table")
    builder.put("nvidia.gpus", gpus, first)
    builder.put("nvidia.smi_state", "ok", first)


def _read_mig(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    """`nvidia-smi mig -lgip/-lgi`: the GPUs it lists have MIG enabled (it lists none else)."""
    builder.reading.kind = "nvidia-smi-mig"
    indexes: List[int] = []
    first: Optional[int] = None
    for line in lines:
        cells = line.text.strip().strip("|").split()
        if len(cells) >= 3 and cells[0].isdigit() and cells[1] == "MIG" and len(cells[0]) < 4:
            index = int(cells[0])
            first = first or line.number
            if index not in indexes:
                indexes.append(index)
    gpus = [{"index": index, "mig_mode": "Enabled"} for index in indexes]
    builder.put("nvidia.gpus", gpus, first)


_MIG_DEVICE = lazy(r"(\d{1,2})\s+(?:\d{1,3}|N/A)\s+(?:\d{1,3}|N/A)\s+\d{1,3}")
_MEMORY_USE = lazy(r"\d+\s*MiB\s*/\s*(\d{1,7})\s*MiB")
