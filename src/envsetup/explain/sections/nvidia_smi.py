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

This module finds each form and dispatches: the table forms are read in _smi_table.py, the others
(-q, XML, CSV, -L, --version, topo, failures) in _smi_forms.py, and both put their report as
facts through _smi_report.py.
"""

from __future__ import annotations

from typing import Callable, Dict, Optional, Sequence

from envsetup.explain.sections._reading import (
    Reader,
    ReadingBuilder,
    after_command,
    stripped,
    text_of,
)
from envsetup.explain.sections._smi_forms import (
    _csv,
    _failure,
    _list,
    _log,
    _read_csv,
    _read_failure,
    _read_list,
    _read_query,
    _topo,
    _version,
    _xml,
    _xml_report,
    _xml_starts,
)
from envsetup.explain.sections._smi_report import _put_report
from envsetup.explain.sections._smi_table import _WEEKDAYS, _read_table, _table
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers import ParseError
from envsetup.parsers.smi_query import parse_smi_version

KIND = "nvidia-smi"


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
_CSV_HEADER = lazy(r"[a-z][a-z0-9_.]{0,60}(?: \[[^\]]{0,20}\])? ?,")


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
