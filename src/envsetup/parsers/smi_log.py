"""`nvidia-smi -q` (also `-a`): the "==============NVSMI LOG==============" text report.

"Key : value" lines under headings; a heading is a line without " : " ("GPU 00000000:01:00.0",
"MIG Mode", "FB Memory Usage"), and the "Current" / "Total" under it belong to it. Indentation is
not trusted (a forum post may have lost it), so the nearest heading above a line is its owner.
"""

from __future__ import annotations

import re
from typing import List, Optional

from envsetup.digits import small_int
from envsetup.model.capability import ComputeCapability
from envsetup.model.gpu import Gpu
from envsetup.parsers import ParseError
from envsetup.parsers._text import version_or_none
from envsetup.parsers.smi_model import SmiReport

_GPU_HEADING = re.compile(r"GPU [0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f]")
_LEADING_INT = re.compile(r"(\d+)")
_COMPUTE_CAP = re.compile(r"\d+\.\d+")
_PERSISTENCE = {"Enabled": "On", "Disabled": "Off"}


def _missing(value: str) -> bool:
    return not value or value in ("N/A", "[N/A]", "Unknown Error", "Not Supported")


def _int(value: str) -> Optional[int]:
    match = _LEADING_INT.match(value)
    return small_int(match.group(1)) if match else None


def _set(gpu: Gpu, heading: str, key: str, value: str) -> None:
    if _missing(value):
        return
    if key == "Product Name":
        gpu.name = value
    elif key == "GPU UUID":
        gpu.uuid = value
    elif key == "Persistence Mode":
        gpu.persistence_mode = _PERSISTENCE.get(value)
    elif key == "Total" and heading == "FB Memory Usage":
        gpu.memory_total_mib = _int(value)
    elif key == "Current" and heading == "MIG Mode":
        gpu.mig_mode = value if value in ("Enabled", "Disabled") else None
    elif key == "Current" and heading == "Driver Model":
        gpu.driver_model = value
    elif key in ("Compute Capability", "CUDA Compute Capability") and _COMPUTE_CAP.fullmatch(value):
        gpu.compute_capability = ComputeCapability.try_parse(value)


def parse_smi_log(text: str) -> SmiReport:
    """Read `nvidia-smi -q`. ParseError when there is no "NVSMI LOG" banner and no driver line.

    A last line without its newline may have been cut and is not read."""
    lines = text.splitlines(keepends=True)
    report = SmiReport(driver_version=None, cuda_version=None, cuda_version_raw=None)
    seen_banner = False
    gpu: Optional[Gpu] = None
    heading = ""
    attached: Optional[int] = None
    for raw in lines:
        if not raw.endswith(("\n", "\r")):
            report.partial = True
            break
        line = raw.strip()
        if "NVSMI LOG" in line:
            seen_banner = True
            continue
        key, colon, value = line.partition(" : ") if " : " in line else line.partition(":")
        key, value = key.strip(), value.strip()
        if _GPU_HEADING.fullmatch(line):
            gpu = Gpu(index=len(report.gpus), bus_id=line[4:])
            report.gpus.append(gpu)
            heading = ""
        elif not colon or (not value and line.endswith(":") and " : " not in raw):
            heading = line.rstrip(":").strip()
        elif gpu is None:
            if key in ("Driver Version", "KMD Version"):
                report.driver_version = report.driver_version or version_or_none(value)
            elif key in ("CUDA Version", "CUDA UMD Version"):
                if version_or_none(value) or report.cuda_version_raw is None:
                    report.cuda_version_raw = value
                    report.cuda_version = version_or_none(value)
            elif key == "Attached GPUs":
                attached = _int(value)
        else:
            _set(gpu, heading, key, value)
    if not seen_banner and report.driver_version is None:
        raise ParseError("no 'NVSMI LOG' banner or 'Driver Version' line: not nvidia-smi -q")
    if attached is not None and attached != len(report.gpus):
        report.partial = True
    return report


__all__: List[str] = ["parse_smi_log"]
