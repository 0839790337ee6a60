"""nvidia-smi's report (driver, CUDA version, GPUs) put as facts: every form of it ends here."""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import Any, Dict, Optional, Sequence

from envsetup.explain.sections._reading import ReadingBuilder
from envsetup.model.gpu import Gpu
from envsetup.model.paste import Line
from envsetup.parsers.smi_model import SmiReport


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
