"""explain for people: what was recognised in the paste, the facts it states, and the findings
(worded by render/finding_words.py), in the look of doctor's report (render/style.py)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Optional, Sequence

from envsetup.explain.run import ExplainResult
from envsetup.model.paste import Reading, Signal
from envsetup.render import style
from envsetup.render.doctor_text import render_diagnosis

if TYPE_CHECKING:
    from rich.console import Console

_SHOWN_UNPLACED = 12
_SHOWN_SPANS = 6


def render_explain(console: Console, result: ExplainResult, host: str, verbose: bool) -> None:
    """`host` says whose facts the paste was merged over ("this machine", "recorded host DIR",
    "no host"). Every pasted value is escaped by style (control sequences, markup)."""
    detection = result.detection
    document = result.facts.to_dict()
    # What the paste states as unknown (collect_env's "N/A", "Could not collect") is left out.
    facts = [
        (fact_label(path), shown, source)
        for path, source in sorted(result.fact_sources.items(), key=_by_line)
        if (shown := _value(document, path)) is not None
    ]
    labels = [
        *(r.kind for r in detection.readings),
        *(s.kind or "error" for s in detection.signals),
        *(label for label, _, _ in facts),
    ]
    width = label_width(console.width, labels)
    style.section(console, "Paste")
    if not detection.readings and not detection.signals:
        style.item(console, "none", "Nothing in it is a kind of output explain reads.")
    for kind, readings in _grouped(detection.readings, verbose):
        unread = sum(len(reading.unread) for reading in readings)
        style.row(
            console,
            "warning" if unread else "ok",
            kind,
            _spans(readings) + (f"; {unread} line(s) unread" if unread else ""),
            label_width=width,
        )
    for (kind, signal_id), numbers, count in _signal_rows(detection.signals, verbose):
        lines = ", ".join(str(n) for n in numbers[:6]) + (", …" if len(numbers) > 6 else "")
        times = f"; {count} times" if count > 1 else ""
        style.row(console, "info", kind, f"{signal_id} (line {lines}{times})", label_width=width)
    if detection.unplaced:
        shown = ", ".join(_ranges(detection.unplaced))
        unplaced = f"{len(detection.unplaced)} line(s): {shown}"
        style.row(console, "none", "not placed", unplaced, label_width=width)

    style.section(console, "Facts")
    if result.host_set_aside:  # the paste is another machine's (explain/merge.py)
        host = (
            f"no host ({host} set aside: the paste is another machine's, {result.host_set_aside})"
        )
    style.text(console, f"The paste's facts over those of {host}.", style="dim")
    if not facts:
        style.item(console, "none", "The paste states no fact explain reads.")
    for label, shown, source in facts:
        style.row(console, "ok", label, shown, source, label_width=width)

    if not result.findings and not (detection.readings or detection.signals):
        # Nothing read is nothing judged: never "No problems found" (the CLI stops before this,
        # exit 2; see explain_run.recognised).
        style.section(console, "Diagnosis")
        style.item(
            console, "none", "Nothing judged: docs/explain.md lists the kinds explain reads."
        )
        return
    render_diagnosis(console, result.findings, verbose)


def label_width(columns: int, labels: list[str]) -> int:
    """The label column of the report: as wide as its longest label (a kind's name such as
    "nvidia-smi-table" or "python-traceback" is never cut), at least style's LABEL_WIDTH, at most
    a third of the line; a longer label gets a line of its own (style.row)."""
    widest = max((len(label) for label in labels), default=0)
    return max(style.LABEL_WIDTH, min(widest, columns // 3))


# A pasted fact's name for people, by its path in the facts document.
_LABELS = {
    "os.system": "OS",
    "os.distro_name": "distribution",
    "os.distro_id": "distro id",
    "os.distro_version": "distro version",
    "os.kernel": "kernel",
    "os.arch": "machine",
    "os.glibc": "glibc",
    "os.musl": "musl libc",
    "apple.apple_silicon": "Apple silicon",
    "os.wsl": "WSL",
    "os.macos_version": "macOS",
    "os.windows_version": "Windows",
    "python.version": "Python",
    "python.bits": "Python bits",
    "python.executable": "Python path",
    "python.prefix": "Python prefix",
    "python.site_packages": "site-packages",
    "nvidia.driver_version": "driver",
    "nvidia.driver_cuda_version": "driver CUDA",
    "nvidia.gpus": "GPUs",
    "nvidia.kernel_module": "kernel module",
    "nvidia.kernel_module_version": "loaded module",
    "nvidia.smi_state": "nvidia-smi",
    "nvidia.smi_failure": "smi failure",
    "cuda.nvcc_on_path_version": "nvcc",
    "cuda.nvcc_on_path": "nvcc path",
    "cuda.toolkits": "CUDA toolkits",
    "cuda.ld_library_path": "library path",
    "cuda.cuda_home": "CUDA_HOME",
    "extension_build.cuda_home": "ext CUDA_HOME",
    "extension_build.cuda_home_from": "CUDA_HOME from",
    "extension_build.nvcc": "ext nvcc path",
    "extension_build.nvcc_version": "ext nvcc",
    "extension_build.source": "ext nvcc from",
    "cudnn": "cuDNN",
    "torch.version": "torch",
    "torch.location": "torch path",
    "torch.flavor": "torch build",
    "torch.cuda_version": "torch CUDA",
    "torch.hip_version": "torch HIP",
    "torch.cudnn_version": "torch cuDNN",
    "torch.torchvision": "torchvision",
    "torch.torchaudio": "torchaudio",
    "torch.requires_nvidia": "nvidia wheels",
    "torch.deep.cuda_available": "CUDA usable",
    "torch.deep.ran": "torch ran",
    "torch.deep.arch_list": "torch archs",
    "rocm.version": "ROCm",
    "rocm.gfx_targets": "gfx targets",
    "system_info.cpu_model": "CPU",
    "system_info.cpu_count": "CPU count",
    "system_info.compilers": "compilers",
    "system_info.packages": "libraries",
}


def fact_label(path: str) -> str:
    """'nvidia.driver_version' -> 'driver'; an unnamed path -> its last two keys in words."""
    if path in _LABELS:
        return _LABELS[path]
    gpu = re.fullmatch(r"nvidia\.gpus\[(\d+)\]\.compute_capability", path)
    if gpu:
        return f"GPU {gpu.group(1)} CC"
    return " ".join(path.split(".")[-2:]).replace("_", " ")


def _span(reading: Reading) -> str:
    first, last = reading.first, reading.last
    return f"line {first}" if first == last else f"lines {first}-{last}"


def _grouped(readings: Sequence[Reading], verbose: bool) -> list[tuple[str, list[Reading]]]:
    """One row per kind of section, in order of first appearance: a long log holds hundreds of
    sections, and a row each buries the findings (-v keeps a row per section)."""
    if verbose:
        return [(reading.kind, [reading]) for reading in readings]
    groups: dict[str, list[Reading]] = {}
    for reading in readings:
        groups.setdefault(reading.kind, []).append(reading)
    return list(groups.items())


def _signal_rows(
    signals: Sequence[Signal], verbose: bool
) -> list[tuple[tuple[str, str], list[int], int]]:
    """(kind, id), the lines it was seen on and how many times: one row per kind of message
    (a log repeats the same error for every worker and retry); -v keeps a row per message."""
    if verbose:
        return [((s.kind or "error", s.id), list(s.lines), 1) for s in signals]
    rows: dict[tuple[str, str], tuple[list[int], int]] = {}
    for s in signals:
        numbers, count = rows.get((s.kind or "error", s.id), ([], 0))
        rows[(s.kind or "error", s.id)] = ([*numbers, *s.lines], count + 1)
    return [(key, numbers, count) for key, (numbers, count) in rows.items()]


def _spans(readings: list[Reading]) -> str:
    """'lines 2-32' for one section; 'lines 2-32, 34-63, … (13 sections)' for several."""
    if len(readings) == 1:
        return _span(readings[0])
    shown = ", ".join(
        str(r.first) if r.first == r.last else f"{r.first}-{r.last}"
        for r in readings[:_SHOWN_SPANS]
    )
    more = ", …" if len(readings) > _SHOWN_SPANS else ""
    return f"lines {shown}{more} ({len(readings)} sections)"


def _by_line(item: tuple[str, str]) -> tuple[int, str]:
    number = item[1].rpartition(":")[2]
    return (int(number) if number.isdigit() else 0, item[0])


def _value(document: object, path: str) -> Optional[str]:
    """A fact for people: a list's items once each, a run of equal ones counted ("8 × NVIDIA
    A100 80GB PCIe (8.0)"); a mapping as "name version, ..." (the nvidia wheels). None when the
    fact is unknown (None, empty), so that no row shows a bare "?"."""
    for key in path.split("."):
        key, _, index = key.partition("[")  # "gpus[0]": the list's item 0
        document = document.get(key) if isinstance(document, dict) else None
        if index and isinstance(document, list):
            at = int(index.rstrip("]")) if index.rstrip("]").isdigit() else len(document)
            document = document[at] if at < len(document) else None
    if isinstance(document, list):
        counts: dict[str, int] = {}
        for item in document:
            shown = _item(item)
            if shown:
                counts[shown] = counts.get(shown, 0) + 1
        listed = "; ".join(f"{n} × {shown}" if n > 1 else shown for shown, n in counts.items())
        return listed or None
    if isinstance(document, dict):
        mapped = ", ".join(
            f"{k} {v}" if v not in (None, "") else str(k) for k, v in document.items()
        )
        return mapped or None
    return None if document is None or document == "" else str(document)


def _item(item: object) -> str:
    """One listed fact: a GPU as its name and compute capability, a toolkit or library as its
    name, version and path; "" when nothing of it is known."""
    if not isinstance(item, dict):
        return str(item)
    shown = " ".join(str(v) for k, v in item.items() if k in ("name", "version", "path") and v)
    if item.get("compute_capability"):
        shown += f" ({item['compute_capability']})"
    return shown


def _ranges(numbers: list[int]) -> list[str]:
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    shown = [f"{a}-{b}" if a != b else str(a) for a, b in spans[:_SHOWN_UNPLACED]]
    return shown + (["…"] if len(spans) > _SHOWN_UNPLACED else [])
