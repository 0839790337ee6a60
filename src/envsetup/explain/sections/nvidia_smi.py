"""nvidia-smi in every form people paste: the default table (R390 to R610, Windows WDDM/TCC, WSL,
the KMD/UMD header, the MIG devices sub-table), `-q` / `-a`, `-q -x` XML, `-L`, `--query-gpu` CSV
(with or without header and units), `--version`, `mig -lgip/-lgi/-lcip/-lci`, `topo -m`, and its
failure messages ("couldn't communicate with the NVIDIA driver", "Driver/library version
mismatch", "No devices were found"...).

One reader (kind "nvidia-smi"); each Reading's kind names the form: nvidia-smi-table,
nvidia-smi-query (-q), nvidia-smi-xml, nvidia-smi-list (-L), nvidia-smi-csv, nvidia-smi-version,
nvidia-smi-mig, nvidia-smi-topo, nvidia-smi-failure.
Facts: nvidia.driver_version, driver_cuda_version (the highest CUDA the driver supports),
smi_cuda_version_raw, gpus (index, name, uuid, memory, compute capability, MIG mode, PCIe),
smi_state / smi_failure / smi_evidence for failures.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import accumulate
from typing import Any, Callable, Dict, List, Optional, Sequence

from envsetup.explain.sections._reading import (
    Reader,
    ReadingBuilder,
    after_command,
    stripped,
    text_of,
    without_trailing_blanks,
)
from envsetup.explain.sections.fabric import put_smi_fabric
from envsetup.model.gpu import Gpu
from envsetup.model.paste import Line, Reading
from envsetup.parsers import ParseError
from envsetup.parsers._text import version_or_none
from envsetup.parsers.smi_failure import classify_smi_failure
from envsetup.parsers.smi_log import parse_smi_log
from envsetup.parsers.smi_model import SmiReport
from envsetup.parsers.smi_query import parse_smi_list, parse_smi_query_csv, parse_smi_version
from envsetup.parsers.smi_table import parse_smi_table
from envsetup.parsers.smi_xml import parse_smi_xml

KIND = "nvidia-smi"

# Messages nvidia-smi prints instead of its output; a substring test is enough (and cheap).
_FAILURES = (
    "couldn't communicate with the NVIDIA driver",
    "Failed to initialize NVML",
    "No devices were found",
    "Unable to determine the device handle",
    "nvidia-smi not found",
    "nvidia-smi: command not found",
    "nvidia-smi: not found",
    "couldn't find libnvidia-ml.so",
    "NVML: Driver Not Loaded",
    "No MIG-enabled devices found",
)
# Pastes through word processors and some forums turn "couldn't" into "couldn‘t" / "couldn’t" /
# "couldnʼt" (U+2018, U+2019, U+02BC): read them as the ASCII apostrophe nvidia-smi prints.
_APOSTROPHES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'"})
_NOT_FOUND = ("nvidia-smi not found", "nvidia-smi: command not found", "nvidia-smi: not found")
_MIG_TITLES = ("GPU instance profiles:", "GPU instances:", "Compute instance profiles:",
               "Compute instances:")  # fmt: skip
# "GPU 0: NVIDIA H200 (UUID: GPU-...)"; a post may cut or redact the UUID ("(UUID: ", "(UUID").
_LIST_LINE = re.compile(r"GPU \d{1,4}: .{1,200}\(UUID(?::|$)")
_LIST_NAME = re.compile(r"GPU (\d{1,4}): (.{1,200}?) \(UUID")
_MIG_LIST_LINE = re.compile(r"MIG \S{1,40}\s+Device\s+\d{1,4}: ")
_CSV_FIELD = re.compile(r"[a-z][a-z0-9_.]{1,60}(?: \[[^\]]{1,20}\])?")
_VERSION_KEYS = ("nvidia-smi version", "nvml version", "driver version", "kmd version",
                 "cuda version", "cuda umd version", "vbios version")  # fmt: skip
_WEEKDAYS = ("Mon ", "Tue ", "Wed ", "Thu ", "Fri ", "Sat ", "Sun ")


# -- where each form starts and how far it goes -------------------------------------------


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
_GPU_ROW = re.compile(
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


def _xml_starts(lines: Sequence[Line], start: int) -> bool:
    """Whether _xml claims lines here (it then claims at least its first line)."""
    if not stripped(lines, start).startswith("<"):
        return False
    return "nvidia_smi_log" in " ".join(stripped(lines, start + k) for k in range(3))


def _xml(lines: Sequence[Line], start: int) -> int:
    if not _xml_starts(lines, start):
        return 0
    total = len(lines)
    end = start
    while end < total:
        current = lines[end].text.strip()
        end += 1
        if current.startswith("<"):
            if current.startswith("</nvidia_smi_log>"):
                break
            continue
        # A blank line before the closing tag, a value between tags ("None" under
        # <mig_devices>): both are followed by a tag. Anything else ends a cut log.
        if end >= total or not lines[end].text.strip().startswith("<"):
            end -= 1
            break
    return end - start


def _log(lines: Sequence[Line], start: int) -> int:
    if "NVSMI LOG" not in stripped(lines, start):
        return 0
    end = start + 1
    i = start + 1
    while i < len(lines):
        text = stripped(lines, i)
        if not text:
            i += 1
            continue
        if " : " in text or text.startswith("GPU ") or _is_heading(text):
            i += 1
            end = i
        else:
            break
    return end - start


def _is_heading(text: str) -> bool:
    """An -q sub-heading: a few words ("FB Memory Usage", "Clocks Event Reasons")."""
    return len(text) < 60 and all(ch.isalnum() or ch in " -/()." for ch in text)


def _list(lines: Sequence[Line], start: int) -> int:
    if not stripped(lines, start).startswith("GPU ") or not _LIST_LINE.match(
        stripped(lines, start)
    ):
        return 0
    end = start + 1
    while end < len(lines):
        text = stripped(lines, end)
        if not (_LIST_LINE.match(text) or _MIG_LIST_LINE.match(text)):
            break
        end += 1
    return end - start


def _csv_fields(text: str) -> Optional[List[str]]:
    """The query fields of a CSV header row, or None when the row is no header."""
    if "," not in text and "." not in text:
        return None
    fields = [field.strip() for field in text.split(",")]
    known = ("name", "index", "uuid", "driver_version", "memory.", "pci.", "compute_cap",
             "mig.", "pcie.", "persistence_mode", "gpu_name", "gpu_uuid", "gpu_bus_id",
             "temperature.", "utilization.", "power.", "clocks.", "serial", "vbios_version",
             "count", "fan.", "pstate", "driver_model", "timestamp")  # fmt: skip
    if len(fields) > 60 or not all(_CSV_FIELD.fullmatch(field) for field in fields):
        return None
    if not any(field.startswith(known) for field in fields):
        return None
    return [field.split(" [")[0] for field in fields]


def _csv_rows(lines: Sequence[Line], start: int, width: int) -> int:
    end = start
    while end < len(lines):
        text = stripped(lines, end)
        if not text or text.count(",") != width - 1:
            break
        end += 1
    return end - start


def _csv(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    if text.startswith(("nvidia-smi", "sudo nvidia-smi")) and "--query-gpu=" in text:
        fields = _command_fields(text)
        if not fields:
            return 0
        body = start + 1
        header = _csv_fields(stripped(lines, body))
        if header is not None:
            body += 1
        rows = _csv_rows(lines, body, len(fields))
        return body - start + rows if rows or header else 0
    fields = _csv_fields(text)
    if fields is None:
        return 0
    rows = _csv_rows(lines, start + 1, len(fields))
    return 1 + rows if rows else 0


def _command_fields(command: str) -> Optional[List[str]]:
    at = command.find("--query-gpu=")
    value = command[at + len("--query-gpu=") :].split()[0].strip("'\"") if at >= 0 else ""
    fields = [field for field in value.split(",") if field]
    return fields or None


def _version(lines: Sequence[Line], start: int) -> int:
    if not stripped(lines, start).lower().startswith("nvidia-smi version"):
        return 0
    end = start
    while end < len(lines) and stripped(lines, end).lower().startswith(_VERSION_KEYS):
        end += 1
    return end - start


def _topo(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    if text.startswith("NVIDIA Topology"):  # SGLang's check_env heading
        following = _topo(lines, start + 1)
        return following + 1 if following else 0
    if not (text.startswith("GPU0") and "CPU Affinity" in text):
        return 0
    end = start + 1
    while end < len(lines):
        current = stripped(lines, end)
        if current.startswith(("GPU", "NIC", "mlx", "Legend")) or " = " in current:
            end += 1
        elif not current:
            following = stripped(lines, end + 1)
            if following.startswith(("Legend", "NIC")) or " = " in following:
                end += 1
            else:
                break
        else:
            break
    return without_trailing_blanks(lines, start, end)


def _failure(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start).translate(_APOSTROPHES)
    if not text or len(text) > 400 or not any(message in text for message in _FAILURES):
        return 0
    if text.startswith(("[", "NVRM")):  # a kernel log line: not nvidia-smi's
        return 0
    end = start + 1
    # The NVML library version nvidia-smi adds to a mismatch; the shutdown message under WSL.
    while end < len(lines):
        following = stripped(lines, end)
        if (
            following.startswith("NVML library version")
            or "Failed to properly shut down" in (following)
            or (
                not following
                and end + 1 < len(lines)
                and "shut down NVML" in stripped(lines, end + 1)
            )
        ):
            end += 1
        else:
            break
    return end - start


_FORMS: Dict[str, Callable[[Sequence[Line], int], int]] = {
    "nvidia-smi-table": _table,
    "nvidia-smi-xml": _xml,
    "nvidia-smi-query": _log,
    "nvidia-smi-list": _list,
    "nvidia-smi-csv": _csv,
    "nvidia-smi-version": _version,
    "nvidia-smi-topo": _topo,
    "nvidia-smi-failure": _failure,
}
_COMMANDS = ("nvidia-smi", "nvidia-smi.exe", "/usr/bin/nvidia-smi", "watch nvidia-smi")


def _candidates(text: str) -> tuple[str, ...]:
    """The forms that can start with this line (each form's own scan then decides)."""
    if (
        text.startswith(("+", "|"))
        or (text.startswith(_WEEKDAYS) and len(text) < 40)
        or (text.startswith("NVIDIA-SMI ") and "Driver Version" in text)
    ):
        # "+ VAR='No devices were found'": a shell trace of nvidia-smi's message
        return ("nvidia-smi-table", "nvidia-smi-failure")
    if text.startswith("<"):
        return ("nvidia-smi-xml",)
    if "NVSMI LOG" in text:
        return ("nvidia-smi-query",)
    if text.startswith(("GPU0", "NVIDIA Topology")):
        return ("nvidia-smi-topo",)
    if text.startswith("GPU "):
        return ("nvidia-smi-list",)
    if text[:18].lower() == "nvidia-smi version":
        return ("nvidia-smi-version",)
    if _CSV_HEADER.match(text):
        return ("nvidia-smi-csv",)
    return ("nvidia-smi-failure",)


def _form_and_extent(lines: Sequence[Line], start: int) -> tuple[Optional[str], int]:
    text = stripped(lines, start)
    if not text:
        return None, 0
    for form in _candidates(text):
        count = _FORMS[form](lines, start)
        if count:
            return form, count
    return None, 0


def _form_at(lines: Sequence[Line], start: int) -> Optional[str]:
    # The XML log's length is a loop over its hundreds of lines; the form needs only its start.
    text = stripped(lines, start)
    if text and _candidates(text) == ("nvidia-smi-xml",):
        return "nvidia-smi-xml" if _xml_starts(lines, start) else None
    return _form_and_extent(lines, start)[0]


def _body(lines: Sequence[Line], start: int) -> int:
    return _form_and_extent(lines, start)[1]


def _scan(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    if not text:
        return 0
    # A --query-gpu command names its fields: the CSV form reads them from it.
    if "--query-gpu=" in text:
        return _csv(lines, start)
    return after_command(lines, start, _COMMANDS, _body) or _body(lines, start)


# -- reading ---------------------------------------------------------------------------------


def _gpu_dict(gpu: Gpu) -> Dict[str, Any]:
    found: Dict[str, Any] = {"index": gpu.index}
    for key in ("name", "uuid", "memory_total_mib", "compute_capability", "mig_mode", "pcie_gen",
                "pcie_gen_max", "pcie_width", "pcie_width_max"):  # fmt: skip
        value = getattr(gpu, key)
        if value not in (None, ""):
            found[key] = str(value) if key == "compute_capability" else value
    if gpu.mig_devices and "mig_mode" not in found:
        found["mig_mode"] = "Enabled"  # -L lists MIG devices only under a GPU in MIG mode
    return found


class _Lines:
    """The first line holding a text, by str.find over the section joined once: the XML log is
    hundreds of lines, and a Python loop over them per text was most of its reading."""

    def __init__(self, lines: Sequence[Line]) -> None:
        self._lines = lines
        self._text = "\n".join(line.text for line in lines)
        self._ends = list(accumulate(len(line.text) + 1 for line in lines))  # after each line

    def first(self, needle: str) -> Optional[int]:
        at = self._text.find(needle)
        return None if at < 0 else self._lines[bisect_right(self._ends, at)].number


def _put_report(builder: ReadingBuilder, lines: Sequence[Line], report: SmiReport) -> None:
    found = _Lines(lines)
    driver_line = found.first("Driver Version") or found.first("KMD Version")
    driver_line = driver_line or found.first("driver_version") or lines[0].number
    builder.put("nvidia.driver_version", report.driver_version, driver_line)
    cuda_line = found.first("CUDA") or driver_line
    builder.put("nvidia.driver_cuda_version", report.cuda_version, cuda_line)
    if report.cuda_version_raw and report.cuda_version is None:
        builder.put("nvidia.smi_cuda_version_raw", report.cuda_version_raw, cuda_line)
    if report.gpus:
        gpus_line = found.first(report.gpus[0].name or "\x00") or lines[0].number
        builder.put("nvidia.gpus", [_gpu_dict(gpu) for gpu in report.gpus], gpus_line)
    builder.put("nvidia.smi_state", "ok", lines[0].number)


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


def _read_list(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    """`nvidia-smi -L`; when its UUIDs are cut or redacted, each GPU's index and name."""
    try:
        gpus = parse_smi_list(text_of(lines))
    except ParseError:
        gpus = []
        for line in lines:
            match = _LIST_NAME.match(line.text.strip())
            if match:
                gpus.append(Gpu(index=int(match.group(1)), name=match.group(2)))
        if not gpus:
            raise
    _put_report(builder, lines, SmiReport(None, None, None, gpus=gpus))


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


_MIG_DEVICE = re.compile(r"(\d{1,2})\s+(?:\d{1,3}|N/A)\s+(?:\d{1,3}|N/A)\s+\d{1,3}")
_MEMORY_USE = re.compile(r"\d+\s*MiB\s*/\s*(\d{1,7})\s*MiB")


_XML_VALUE = re.compile(r"<(driver_version|cuda_version|product_name|uuid)>([^<]{1,200})</")


def _xml_report(lines: Sequence[Line]) -> SmiReport:
    """`-q -x` read whole; a log cut short is not well-formed XML, so its whole elements are
    read line by line instead (the driver, CUDA version and each GPU's name and UUID)."""
    try:
        return parse_smi_xml(text_of(lines))
    except ParseError:
        pass
    report = SmiReport(driver_version=None, cuda_version=None, cuda_version_raw=None, partial=True)
    for line in lines:
        text = line.text.strip()
        if text.startswith("<gpu ") or text == "<gpu>":
            report.gpus.append(Gpu(index=len(report.gpus)))
            continue
        match = _XML_VALUE.match(text)
        if match is None:
            continue
        tag, value = match.group(1), match.group(2).strip()
        if tag == "driver_version" and not report.gpus:
            report.driver_version = version_or_none(value)
        elif tag == "cuda_version" and not report.gpus:
            report.cuda_version_raw, report.cuda_version = value, version_or_none(value)
        elif tag == "product_name" and report.gpus:
            report.gpus[-1].name = value
        elif tag == "uuid" and report.gpus:
            report.gpus[-1].uuid = value
    if report.driver_version is None and not report.gpus:
        raise ParseError("no <driver_version> or <gpu> in the nvidia-smi XML")
    return report


def _read_csv(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    first = lines[0].text.strip()
    fields = _command_fields(first) if "--query-gpu=" in first else None
    body = list(lines[1:]) if fields else list(lines)
    if fields is None:
        fields = _csv_fields(first)
    if not fields:
        return
    _put_report(builder, body or lines, parse_smi_query_csv(text_of(body), fields))


def _read_failure(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    text = text_of(lines)
    # A section's lines are whole lines: the last one ends where the next begins.
    failure = classify_smi_failure(text + "\n")
    line = lines[0].number
    if any(message in text for message in _NOT_FOUND):
        builder.put("nvidia.smi_state", "not-found", line)
    elif failure is not None:
        builder.put("nvidia.smi_state", "failed", line)
        builder.put("nvidia.smi_failure", failure.id, line)
        builder.put("nvidia.smi_evidence", failure.evidence, line)
        if failure.library_version:
            # "NVML library version: 570.124": the user-space driver's version (NVML ships with
            # libcuda), the side of a mismatch the kernel module is not.
            at = next((x.number for x in lines if "NVML library version" in x.text), line)
            builder.put("nvidia.driver_version", failure.library_version, at)
    elif "No MIG-enabled devices found" in text:
        builder.reading.kind = "nvidia-smi-mig"
        builder.place(line)


def _read_query(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    _put_report(builder, lines, parse_smi_log(text_of(lines)))
    put_smi_fabric(builder, lines)  # each GPU's NVSwitch fabric state (explain11)


_READERS: Dict[str, Callable[[ReadingBuilder, Sequence[Line]], None]] = {
    "nvidia-smi-table": _read_table,
    "nvidia-smi-xml": lambda b, ls: _put_report(b, ls, _xml_report(ls)),
    "nvidia-smi-query": lambda b, ls: _read_query(b, ls),
    "nvidia-smi-list": lambda b, ls: _read_list(b, ls),
    "nvidia-smi-csv": _read_csv,
    "nvidia-smi-version": lambda b, ls: _put_report(b, ls, parse_smi_version(text_of(ls))),
    "nvidia-smi-topo": lambda b, ls: None,
    "nvidia-smi-failure": _read_failure,
}


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    body = list(lines)
    # The command line above the output, when the section starts with it.
    command = body[0].text.strip() if body else ""
    if (
        command.startswith((*_COMMANDS, "sudo "))
        and len(body) > 1
        and "--query-gpu=" not in command
    ):
        builder.place(body[0].number)
        body = body[1:]
    while body and not body[0].text.strip():
        body = body[1:]
    form = _form_at(body, 0) if body else None
    if form is None and body and "--query-gpu=" in body[0].text:
        form = "nvidia-smi-csv"
    if form is None:
        return builder.finish(lines)
    builder.reading.kind = form
    try:
        _READERS[form](builder, body)
    except ParseError:
        return builder.finish(lines)  # cut or garbled: every line unread
    # A form read whole: every line of it was understood (borders, units, headings included).
    if builder.reading.facts or builder.reading.kind in ("nvidia-smi-topo", "nvidia-smi-mig"):
        builder.place(*(line.number for line in lines))
    return builder.finish(lines)


_QUICK_STARTS = ("|", "+", "<", "GPU", "NVIDIA", "nvidia-smi", "sudo ", "watch ",
                 "/usr/bin/nvidia-smi", *_WEEKDAYS)  # fmt: skip
_CSV_HEADER = re.compile(r"[a-z][a-z0-9_.]{0,60}(?: \[[^\]]{0,20}\])? ?,")


def _quick(text: str) -> bool:
    return (
        text.startswith(_QUICK_STARTS)
        or "NVSMI LOG" in text
        or _CSV_HEADER.match(text) is not None
        # Every message in _FAILURES names NVIDIA/NVML, nvidia-smi, "No devices", "No MIG" or
        # the device handle; _failure checks the message itself.
        or "NV" in text
        or "nvidia-smi" in text
        or "No " in text
        or "device handle" in text
    )


READER = Reader(KIND, _scan, _read, _quick, forms=(KIND, *_FORMS, "nvidia-smi-mig"))
READERS = [READER]
