"""nvidia-smi's forms other than its table: `-q` / `-a`, `-q -x` XML, `-L`, `--query-gpu` CSV
(with or without header and units), `--version`, `topo -m`, and its failure messages ("couldn't
communicate with the NVIDIA driver", "Driver/library version mismatch", "No devices were
found"...): where each starts, how far it goes, and what it says.
The reader is explain/sections/nvidia_smi.py.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from envsetup.explain.sections._reading import (
    ReadingBuilder,
    stripped,
    text_of,
    without_trailing_blanks,
)
from envsetup.explain.sections._smi_report import _put_report
from envsetup.explain.sections.fabric import put_smi_fabric
from envsetup.lazy_pattern import lazy
from envsetup.model.gpu import Gpu
from envsetup.model.paste import Line
from envsetup.parsers import ParseError
from envsetup.parsers._text import version_or_none
from envsetup.parsers.smi_failure import classify_smi_failure
from envsetup.parsers.smi_log import parse_smi_log
from envsetup.parsers.smi_model import SmiReport
from envsetup.parsers.smi_query import parse_smi_list, parse_smi_query_csv
from envsetup.parsers.smi_xml import parse_smi_xml

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
_LIST_LINE = lazy(r"GPU \d{1,4}: .{1,200}\(UUID(?::|$)")
_LIST_NAME = lazy(r"GPU (\d{1,4}): (.{1,200}?) \(UUID")
_MIG_LIST_LINE = lazy(r"MIG \S{1,40}\s+Device\s+\d{1,4}: ")
_CSV_FIELD = lazy(r"[a-z][a-z0-9_.]{1,60}(?: \[[^\]]{1,20}\])?")
_VERSION_KEYS = ("nvidia-smi version", "nvml version", "driver version", "kmd version",
                 "cuda version", "cuda umd version", "vbios version")  # fmt: skip


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


_XML_VALUE = lazy(r"<(driver_version|cuda_version|product_name|uuid)>([^<]{1,200})</")


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
