"""The default `nvidia-smi` table, every layout from R390 to R610.

The table is read by its own column headers rather than by fixed positions: each GPU is a block of
rows between `+---+` borders, one row per header row, and a cell's meaning is the header cell above
it. That covers the 80- and 90-column layouts, "TCC/WDDM" and "Driver-Model" in place of
"Persistence-M", the "MIG M." row, and the R610 "KMD Version:" / "CUDA UMD Version:" header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, List, Optional

from envsetup.digits import is_small_int, small_int
from envsetup.model.gpu import Gpu, MigDevice
from envsetup.parsers import ParseError
from envsetup.parsers._text import version_or_none
from envsetup.parsers.smi_model import SmiReport

_SMI_HEADER = re.compile(r"NVIDIA-SMI\s+(\d[\w.\-]*)(?=\s)")
_DRIVER = re.compile(r"(?:Driver|KMD) Version:\s*([^\s|]+)(?=[\s|])")
_CUDA = re.compile(r"CUDA(?: UMD)? Version:\s*([^\s|]+)(?=[\s|])")
_BUS_ID = re.compile(r"\b([0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f])\b")
_MEMORY = re.compile(r"(?<!\d)(\d+)\s*MiB\s*/\s*(\d+)\s*MiB")
_INDEX_AND_REST = re.compile(r"(\d+)\s+(\S.*)")  # matched on the stripped cell
_MIG_ROW = re.compile(r"(\d+)\s+(\d+|N/A)\s+(\d+|N/A)\s+(\d+)")  # on the stripped cell
_MODE_HEADERS = ("Persistence-M", "TCC/WDDM", "Driver-Model")


@dataclass
class _Line:
    text: str  # without the line ending, leading/trailing blanks removed
    complete: bool  # newline-terminated: its last cell was not cut


def _split_lines(text: str) -> list[_Line]:
    raw = text.splitlines(keepends=True)
    return [_Line(line.strip(), line.endswith(("\n", "\r"))) for line in raw]


def _cells(line: _Line) -> list[str]:
    """The cells of a `| a | b |` row; a last cell that runs into the end of the text is dropped."""
    parts = line.text.split("|")[1:]
    if line.text.endswith("|"):
        return parts[:-1]
    # Some posted outputs lost the closing "|"; a newline still proves the cell is whole.
    return parts if line.complete else parts[:-1]


def _is_row(line: _Line) -> bool:
    return line.text.startswith("|")


def _is_border(line: _Line) -> bool:
    return line.text.startswith("+") and set(line.text) <= set("+-=")


def _is_header_rule(line: _Line) -> bool:
    return line.text.startswith("|=")


def _find(lines: list[_Line], start: int, predicate: Callable[[_Line], bool]) -> Optional[int]:
    for i in range(start, len(lines)):
        if predicate(lines[i]):
            return i
    return None


def _header_value(pattern: re.Pattern[str], line: _Line) -> Optional[str]:
    # A value at the very end of a complete line is whole; one at the end of the text may be cut.
    probe = line.text + (" " if line.complete else "")
    match = pattern.search(probe)
    return match.group(1) if match else None


def _blocks(lines: list[_Line], start: int) -> tuple[list[list[list[str]]], bool, int]:
    """GPU blocks (rows of cells) from `start`; whether the table visibly ended; where it stopped."""
    blocks: list[list[list[str]]] = []
    current: list[list[str]] = []
    after_border = False
    i = start
    while i < len(lines):
        line = lines[i]
        if _is_border(line):
            if current:
                blocks.append(current)
            current = []
            after_border = True
        elif _is_row(line):
            current.append(_cells(line))
            after_border = False
        else:
            # Anything else ends the table; a blank line only counts once it is known to be whole.
            if current:
                blocks.append(current)
            ended = after_border and (line.complete or bool(line.text))
            return blocks, ended, i
        i += 1
    if current:
        blocks.append(current)
    return blocks, False, i


def _gpu_from_block(block: list[list[str]], header: list[list[str]]) -> Optional[Gpu]:
    gpu: Optional[Gpu] = None
    for row_number, row in enumerate(block):
        if row_number >= len(header):
            break
        for column, cell in enumerate(row):
            title = header[row_number][column] if column < len(header[row_number]) else ""
            if "Name" in title:
                gpu = _gpu_from_name_cell(cell, title)
                if gpu is None:
                    return None
            elif gpu is None:
                return None
            else:
                _read_cell(gpu, title, cell)
    return gpu


def _gpu_from_name_cell(cell: str, title: str) -> Optional[Gpu]:
    match = _INDEX_AND_REST.fullmatch(cell.strip())
    if not match or not is_small_int(match.group(1)):
        return None
    gpu = Gpu(index=int(match.group(1)))
    rest = match.group(2)
    mode: Optional[str] = None
    if any(label in title for label in _MODE_HEADERS):
        words = rest.rsplit(None, 1)
        if len(words) == 2:
            rest, mode = words[0].rstrip(), words[1]
    gpu.name = rest
    gpu.name_truncated = rest.endswith("...")
    if mode in ("On", "Off"):
        gpu.persistence_mode = mode
    elif mode in ("WDDM", "TCC", "MCDM"):
        gpu.driver_model = mode
    return gpu


def _read_cell(gpu: Gpu, title: str, cell: str) -> None:
    if "Bus-Id" in title:
        bus = _BUS_ID.search(cell)
        gpu.bus_id = bus.group(1) if bus else None
    elif "Memory-Usage" in title:
        memory = _MEMORY.search(cell)
        gpu.memory_total_mib = small_int(memory.group(2)) if memory else None
    elif "MIG M." in title:
        value = cell.strip()
        gpu.mig_mode = value if value in ("Enabled", "Disabled") else None


def _header_rows(lines: list[_Line], start: int) -> tuple[list[list[str]], Optional[int]]:
    """Column-header rows from `start` (the row naming "Bus-Id") to the `|===|` rule."""
    rows: list[list[str]] = []
    for i in range(start, len(lines)):
        if _is_header_rule(lines[i]):
            return rows, i
        if not _is_row(lines[i]):
            return rows, None
        rows.append(_cells(lines[i]))
    return rows, None


def _mig_devices(lines: list[_Line], start: int) -> list[tuple[int, MigDevice]]:
    """(gpu index, device) pairs from the "MIG devices:" sub-table, when the text has one."""
    title = _find(lines, start, lambda line: "MIG devices:" in line.text)
    if title is None:
        return []
    rule = _find(lines, title + 1, _is_header_rule)
    if rule is None:
        return []
    blocks, _, _ = _blocks(lines, rule + 1)
    found: list[tuple[int, MigDevice]] = []
    for block in blocks:
        first = block[0]
        match = _MIG_ROW.fullmatch(first[0].strip()) if first else None
        if not match or not (is_small_int(match.group(1)) and is_small_int(match.group(4))):
            continue
        gi, ci = match.group(2), match.group(3)
        device = MigDevice(
            index=int(match.group(4)),
            gpu_instance_id=small_int(gi),
            compute_instance_id=small_int(ci),
        )
        memory = _MEMORY.search(first[1]) if len(first) > 1 else None
        device.memory_total_mib = small_int(memory.group(2)) if memory else None
        found.append((int(match.group(1)), device))
    return found


def parse_smi_table(text: str) -> SmiReport:
    """Read the default `nvidia-smi` table. ParseError when there is no "NVIDIA-SMI" header."""
    lines = _split_lines(text)
    header_at = _find(lines, 0, lambda line: _SMI_HEADER.search(line.text) is not None)
    if header_at is None:
        raise ParseError("no 'NVIDIA-SMI <version>' header line: not nvidia-smi's table output")
    header = lines[header_at]
    smi_match = _SMI_HEADER.search(header.text)
    cuda_raw = _header_value(_CUDA, header)
    driver_raw = _header_value(_DRIVER, header)
    report = SmiReport(
        driver_version=version_or_none(driver_raw),
        cuda_version=version_or_none(cuda_raw),
        cuda_version_raw=cuda_raw,
        smi_version=smi_match.group(1) if smi_match else None,
        # Drivers before R410 print no "CUDA Version:"; only a cut header line loses values.
        partial=not (header.complete or header.text.endswith("|")),
    )
    columns_at = _find(lines, header_at + 1, lambda line: "Bus-Id" in line.text)
    if columns_at is None:
        return _without_column_titles(lines, header_at, report)
    columns, rule_at = _header_rows(lines, columns_at)
    if rule_at is None:
        report.partial = True
        return report
    blocks, ended, stop = _blocks(lines, rule_at + 1)
    for block in blocks:
        gpu = _gpu_from_block(block, columns)
        if gpu is not None:
            report.gpus.append(gpu)
    report.partial = report.partial or not ended
    by_index = {gpu.index: gpu for gpu in report.gpus}
    for gpu_index, device in _mig_devices(lines, stop):
        if gpu_index in by_index:
            by_index[gpu_index].mig_devices.append(device)
    return report


# The column titles every driver from R390 to R580 prints in its first two rows (the 80- and
# 90-column layouts alike): the cells a GPU block's rows line up with.
_DEFAULT_COLUMNS = [
    ["GPU  Name        Persistence-M", "Bus-Id        Disp.A", "Volatile Uncorr. ECC"],
    ["Fan  Temp  Perf  Pwr:Usage/Cap", "Memory-Usage", "GPU-Util  Compute M."],
]
_MODE_WORDS = ("On", "Off", "WDDM", "TCC", "MCDM")


def _is_box_rule(line: _Line) -> bool:
    # "|-----+-----+-----|": the header box's closing rule where a paste dropped the titles.
    return line.text.startswith("|-") and set(line.text) <= set("|+-")


def _without_column_titles(lines: list[_Line], header_at: int, report: SmiReport) -> SmiReport:
    """A table whose column-title rows were cut out of the paste (the header box closes, GPU
    blocks follow: anibali/docker-pytorch #27, driver 435.21). The GPU rows are read against
    the titles every driver prints, and only where each block's first row is a GPU row: an index
    and a name, then a cell holding a PCI bus id."""
    report.partial = True
    rule_at = _find(lines, header_at + 1, lambda line: _is_box_rule(line) or _is_border(line))
    if rule_at is None or rule_at > header_at + 2:
        return report
    blocks, ended, _ = _blocks(lines, rule_at + 1)
    firsts = [block[0] for block in blocks if block]
    if not blocks or not all(
        len(first) >= 2 and _INDEX_AND_REST.fullmatch(first[0].strip()) and _BUS_ID.search(first[1])
        for first in firsts
    ):
        return report
    columns = [list(row) for row in _DEFAULT_COLUMNS]
    if not all(first[0].split()[-1] in _MODE_WORDS for first in firsts):
        columns[0][0] = "GPU  Name"  # no mode word to split off the name
    for block in blocks:
        gpu = _gpu_from_block(block, columns)
        if gpu is not None:
            report.gpus.append(gpu)
    report.partial = not ended
    return report


# The processes box's title row, as every driver since R390 prints it ("|  Processes: ... |").
_PROCESSES_TITLE = re.compile(r"^\s*\|\s*Processes:", re.MULTILINE)


def shows_processes_only(text: str) -> bool:
    """True for nvidia-smi's processes box without the GPU table above it: a paste or a
    recording cut at its top. nvidia-smi lists processes only after NVML answered, so it proves
    a working driver (not "cannot talk to the driver"), though it names no version and no GPU."""
    return _SMI_HEADER.search(text) is None and _PROCESSES_TITLE.search(text) is not None


__all__: List[str] = ["parse_smi_table", "shows_processes_only"]
