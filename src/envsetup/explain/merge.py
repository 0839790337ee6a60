"""Facts stated in a paste, merged over the host's: the paste wins, and says which line said it.

A Reading's facts are a partial Facts.to_dict() document. Objects merge key by key; a list replaces
the host's (a pasted nvidia-smi lists every GPU), except the lists of installations found at a
path (CUDA toolkits, cuDNN), where a pasted one replaces the host's at the same path, or at the same
version when the paste cannot say where it is, and is added otherwise. Each merged fact keeps its
source: the Facts fields made for it (`os.source`, `nvidia.driver_source`, `torch.source`...)
say `paste:LINE`, and `sources` maps every pasted fact's dotted path to `paste:LINE`.

Errors and log lines prove facts too (explain/signal_facts.py: a GPU's compute capability and
torch's arch list from torch's warning, the driver's CUDA version from "found version N" or
conda, the driver from the fabric manager's or the kernel's lines), and so does the first path
into a Python environment (explain/python_paths.py: its prefix, version, kind). They merge after the
sections: a fact a section states on a later line wins over one an error states earlier; a GPU a
warning names gets its compute capability where a pasted or host GPU of that name lacks one.

The host is the paste's machine only where the paste says nothing against it: a paste stating
another OS, driver or GPU (another_machine) is judged over no host; one naming another
interpreter (another_environment) over the host without its Python and torch facts. A value a
section reads off the paste's last line and that is visibly cut there is not taken
(_without_cut_values). docs/explain.md "Merge" states both rules.

The set-aside rules are explain/another_machine.py, the lspci fallback explain/pci_fallback.py,
the document helpers (dotted paths, copy, overlay) explain/document.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from envsetup.digits import small_int
from envsetup.explain.another_machine import (
    _DRIVER,
    _pasted_document,
    _same_gpu,
    another_environment,
    another_machine,
)
from envsetup.explain.document import _copy, _get_path, _has_path, _overlay, _put_path
from envsetup.explain.fabric_facts import derive_fabric
from envsetup.explain.gfx_facts import gfx_facts_of
from envsetup.explain.gpu_capability import derive_capabilities
from envsetup.explain.installer_facts import installer_facts_of
from envsetup.explain.jetson_facts import derive_jetson
from envsetup.explain.nvcc_on_path import one_nvcc_on_path
from envsetup.explain.pci_fallback import _pci_named_gpus_as_fallback
from envsetup.explain.python_banner import banner_of
from envsetup.explain.python_paths import python_of
from envsetup.explain.signal_facts import StatedFact, StatedGpu, facts_of
from envsetup.facts import Facts, OsFacts, PythonFacts, ReadProblem
from envsetup.model.paste import Line, Reading, Signal

# Facts' own source fields: the pasted fact (dotted path, or the prefix of one) -> its field.
_SOURCE_FIELDS = (
    ("nvidia.driver_version", "nvidia.driver_source"),
    ("nvidia.driver_cuda_version", "nvidia.driver_cuda_source"),
    ("nvidia.gpus", "nvidia.gpus_source"),
    ("os.", "os.source"),
    ("python.", "python.source"),
    ("torch.", "torch.source"),
    ("rocm.", "rocm.source"),
    ("system_info.cpu_model", "system_info.cpu_source"),
    ("system_info.cpu_count", "system_info.cpu_source"),
    ("system_info.packages", "system_info.packages_source"),
)
_EVIDENCE_LINES = 3


@dataclass
class Merged:
    """facts: the merged facts; sources: dotted path -> "paste:LINE" of every pasted fact;
    set_aside: why the host's facts were set aside ("" where they were merged): the paste
    describes another machine (another_machine); environment_set_aside: only the host's Python
    and torch facts were (another_environment)."""

    facts: Facts
    sources: dict[str, str] = field(default_factory=dict)  # dotted path -> "paste:LINE"
    set_aside: str = ""
    environment_set_aside: bool = False


def blank_facts() -> Facts:
    """Facts of no machine (--no-host): only what the paste states."""
    return Facts(os=OsFacts(system="", arch=""), python=PythonFacts(executable=""))


def merge(
    host: Optional[Facts],
    readings: Sequence[Reading],
    lines: Sequence[Line] = (),
    signals: Sequence[Signal] = (),
) -> Merged:
    """`host` (None: blank_facts()) with every reading's facts over it, in paste order (a later
    section wins over an earlier one), then the facts `signals` prove (signal_facts.facts_of).
    A section whose facts do not fit the Facts types, and the lines a section could not read,
    become ReadProblems (a "could not read" finding); `lines` gives their text as evidence.
    Never raises on any reading.

    The host's facts are those of the machine and environment the paste came from only where
    the paste says nothing against that: where it states another OS, driver or GPU
    (another_machine), the host's facts are set aside whole (as --no-host); where it states
    another interpreter (another_environment), the host's Python and torch facts are. A value
    running to the end of the paste's last line may have been cut with the paste and is not
    taken (cut_values)."""
    texts = {line.number: line.text for line in lines}
    readings = [_without_cut_values(reading, lines) for reading in readings]
    readings = _pci_named_gpus_as_fallback(readings, host)
    readings = one_nvcc_on_path(readings, lines)  # several nvcc pasted: PATH's only
    base = (host or blank_facts()).to_dict()
    set_aside, environment_set_aside = "", False
    if host is not None:
        pasted = _pasted_document(readings, signals, texts)
        set_aside = another_machine(base, pasted, signals)
        if set_aside:
            base = blank_facts().to_dict()
        elif another_environment(base, pasted):
            environment_set_aside = True
            blank = blank_facts().to_dict()
            base["python"], base["torch"] = blank["python"], blank["torch"]
            base["system_info"]["packages"] = {}  # the host environment's, not the paste's
    problems: list[ReadProblem] = []
    document = _copy(base)
    pasted_gpus: Optional[list[Any]] = None
    for reading in readings:
        if reading.facts:
            _overlay(document, reading.facts, "")
            pasted_gpus = _keep_listed_gpus(document, reading.facts, pasted_gpus)
    try:
        facts = Facts.from_dict(document)
        fitting = list(readings)
    except ValueError:
        # Rare (a reader's bug, or a value no real tool prints): find the sections at fault.
        document, fitting = _copy(base), []
        for reading in readings:
            candidate = _copy(document)
            _overlay(candidate, reading.facts, "")
            try:
                Facts.from_dict(candidate)
            except ValueError as exc:
                problems.append(_problem(reading, f"its values do not fit ({exc})", [], texts))
                continue
            document = candidate
            fitting.append(reading)
        facts = Facts.from_dict(document)
    stated_by_sections: dict[str, int] = {}
    for reading in fitting:
        stated_by_sections.update(reading.sources)
    candidate = _copy(document)
    stated, gpus = facts_of(signals, texts)
    # the banner's exact version wins over uv's line, and that over a path's
    stated += python_of(texts) + installer_facts_of(texts) + banner_of(texts) + gfx_facts_of(texts)
    from_signals = _put_stated(candidate, stated, stated_by_sections)
    from_signals.update(_put_gpus(candidate, gpus, "nvidia.gpus" in stated_by_sections))
    _drop_the_hosts_other_driver(candidate, base, {**stated_by_sections, **from_signals})
    try:
        facts = Facts.from_dict(candidate)
    except ValueError:  # defensive: signal_facts states only values of the Facts' types
        from_signals = {}
    sources: dict[str, str] = {}
    for reading in fitting:
        for path, number in reading.sources.items():
            sources[path] = f"paste:{number}"
            _set_source_field(facts, path, number, reading.sources)
    for path, number in from_signals.items():
        sources[path] = f"paste:{number}"
        _set_source_field(facts, path, number, {})
    _derive_apple(facts, sources)
    derive_capabilities(facts, sources)
    derive_jetson(facts, sources)  # a Jetson's signs -> board, JetPack, GPU (explain11)
    derive_fabric(facts, sources)  # pasted fabric facts -> an NVSwitch system (explain11)
    for reading in readings:
        if reading.unread:
            unread = sorted(reading.unread)
            problems.append(_problem(reading, f"line(s) {_ranges(unread)} unread", unread, texts))
    facts.problems.extend(problems)
    return Merged(facts, sources, set_aside, environment_set_aside)


def _without_cut_values(reading: Reading, lines: Sequence[Line]) -> Reading:
    """`reading` without the values its section read off the paste's last line where they run
    to that line's end and are visibly cut there (_visibly_cut): a paste may stop mid-line
    ("GPU 0: NVIDIA GeForce GTX" of a GTX 1080 Ti); the line becomes unread (a could-not-read
    finding). The error classifier's rule (parsers/signals/_scan.py runs_to_cut), for facts."""
    if not lines or reading.last != lines[-1].number:
        return reading
    tail = lines[-1].text.rstrip()
    facts = _drop_values_ending(reading.facts, tail)
    if facts == reading.facts:
        return reading
    last = lines[-1].number
    return dataclasses.replace(
        reading,
        facts=facts,
        sources={
            path: n
            for path, n in reading.sources.items()
            if _has_path(facts, path) or not _has_path(reading.facts, path)
        },
        unread=sorted({*reading.unread, last}),
    )


def _drop_values_ending(value: Any, tail: str) -> Any:
    """`value` (a partial Facts document) without the strings `tail` ends with, without the
    list items (a GPU) holding one, and without what that leaves empty."""
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            if _ends(item, tail):
                continue
            new = _drop_values_ending(item, tail)
            if new == item or new not in ({}, []):
                kept[key] = new
        return kept
    if isinstance(value, list):
        return [item for item in value if not _ends(item, tail)]
    return value


# A GPU name that ends in one of these names no model: the line was cut after it.
_SERIES = frozenset(
    ("nvidia", "geforce", "gtx", "rtx", "quadro", "tesla", "titan", "jetson", "grid", "amd",
     "radeon", "instinct", "intel", "arc")
)  # fmt: skip
_CUT_MARKS = ("-", "(", "/", "\\", "_", ",", ":", "=", "+")


def _visibly_cut(value: str) -> bool:
    """A value that cannot end where it ends: a version or path ending in a separator
    ("12.", "/usr/local/cuda-"), a GPU name without its model ("NVIDIA GeForce GTX"). A cut that
    leaves a whole-looking value ("535.10" of 535.104.05) cannot be told from a whole one: taken,
    as the nvcc reader takes its last line."""
    words = value.split()
    if value.endswith(_CUT_MARKS) or (value.endswith(".") and value[-2:-1].isdigit()):
        return True  # (a sentence's full stop is whole)
    return bool(words and words[-1].casefold() in _SERIES)


def _ends(value: Any, tail: str) -> bool:
    """Whether `value` holds a string the last line's text `tail` ends with and that is visibly
    cut there (a GPU's name without its model)."""
    if isinstance(value, str):
        return bool(value) and tail.endswith(value) and _visibly_cut(value)
    if isinstance(value, dict):
        return any(_ends(item, tail) for item in value.values())
    return False


def _keep_listed_gpus(
    document: dict[str, Any], partial: dict[str, Any], earlier: Optional[list[Any]]
) -> Optional[list[Any]]:
    """The pasted GPU list after `partial`: a later section's list replaces an earlier one, except
    that GPUs it leaves out stay when every GPU it lists is the earlier list's at the same index
    (a table cut after its first rows beside a whole `nvidia-smi -L`). Returns the list."""
    stated = (
        partial.get("nvidia", {}).get("gpus") if isinstance(partial.get("nvidia"), dict) else None
    )
    if not isinstance(stated, list):
        return earlier
    current = document["nvidia"]["gpus"]
    if not earlier or len(stated) >= len(earlier):
        return current

    def key(gpu: Any) -> Any:
        return (gpu.get("index"), gpu.get("name")) if isinstance(gpu, dict) else None

    by_index = {key(gpu)[0]: gpu for gpu in earlier if key(gpu) is not None}
    if not all(
        key(gpu) is not None and key(gpu) == key(by_index.get(key(gpu)[0], {})) for gpu in stated
    ):
        return current  # another machine, or GPUs renumbered: the later list stands
    for gpu in current:
        by_index[gpu["index"]] = {**by_index[gpu["index"]], **gpu}
    document["nvidia"]["gpus"] = [
        by_index[i] for i in sorted(by_index, key=lambda i: i if isinstance(i, int) else -1)
    ]
    return document["nvidia"]["gpus"]


def _derive_apple(facts: Facts, sources: dict[str, str]) -> None:
    """Apple Silicon and MPS follow from the OS facts (probe/apple.py, as doctor derives them):
    derived again where the paste states the system, the machine or the macOS version."""
    from envsetup.probe.apple import probe_apple

    stated = [sources[p] for p in ("os.system", "os.arch", "os.macos_version") if p in sources]
    if not stated:
        return
    # A section may state Apple Silicon the OS facts cannot show (uname's ARM64 kernel under an
    # x86_64 shell: Rosetta 2); MPS stays out of reach of that x86_64 process.
    kernel_says_arm64 = "apple.apple_silicon" in sources and facts.apple.apple_silicon
    facts.apple = probe_apple(facts.os)
    facts.apple.apple_silicon = facts.apple.apple_silicon or kernel_says_arm64
    if facts.apple.apple_silicon:
        sources["apple.apple_silicon"] = sources.get("os.arch", stated[0])
        sources["apple.mps_capable"] = sources.get("os.macos_version", stated[0])


def _put_stated(
    document: dict[str, Any], stated: Sequence[StatedFact], by_sections: dict[str, int]
) -> dict[str, int]:
    """Each stated fact into `document` unless a section states it on a later line (or at all,
    for a fallback); a kernel module version is also the driver's where nothing states one
    (doctor's rule for /proc/driver/nvidia/version). Returns {dotted path: line} put."""
    put: dict[str, int] = {}
    for fact in stated:
        line = by_sections.get(fact.path)
        if line is not None and (fact.fallback or line > fact.line):
            continue
        if fact.fallback and fact.path in put:
            continue
        _put_path(document, fact.path, fact.value)
        put[fact.path] = fact.line
    module = "nvidia.kernel_module_version"
    if module in put or module in by_sections:
        line = put.get(module, by_sections.get(module, 0))
        version = _get_path(document, module)
        if (
            "nvidia.driver_version" not in by_sections
            and "nvidia.driver_version" not in put
            and isinstance(version, str)
            and not _is_l4t(version, _get_path(document, "os.arch"))
        ):
            _put_path(document, "nvidia.driver_version", version)
            put["nvidia.driver_version"] = line
    return put


_DRIVER_CUDA = "nvidia.driver_cuda_version"


def _drop_the_hosts_other_driver(
    document: dict[str, Any], host: dict[str, Any], pasted: dict[str, int]
) -> None:
    """A driver version and the CUDA version it supports go together: where the paste states
    one, differing from the host's, and not the other, the host's other one is another driver's
    and is dropped (unknown, not the host's)."""
    for stated, other in ((_DRIVER, _DRIVER_CUDA), (_DRIVER_CUDA, _DRIVER)):
        if stated in pasted and other not in pasted:
            hosts = _get_path(host, stated)
            if hosts is not None and hosts != _get_path(document, stated):
                _put_path(document, other, None)
                if other == _DRIVER:
                    _put_path(document, "nvidia.driver_source", "")
                else:
                    _put_path(document, "nvidia.driver_cuda_source", "")


def _put_gpus(document: dict[str, Any], gpus: Sequence[StatedGpu], pasted: bool) -> dict[str, int]:
    """GPUs a warning names: the compute capability of a listed GPU of that name that lacks
    one; a GPU added where the paste lists others, or the list of those named where only the
    host's GPUs are known (they are another machine's) or none."""
    put: dict[str, int] = {}
    nvidia = document.setdefault("nvidia", {})
    current = nvidia.get("gpus") if isinstance(nvidia.get("gpus"), list) else []
    for gpu in gpus:
        same = [i for i, d in enumerate(current) if _same_gpu(d, gpu.name)]
        for i in same:
            if gpu.compute_capability and not current[i].get("compute_capability"):
                current[i]["compute_capability"] = gpu.compute_capability
                put[f"nvidia.gpus[{i}].compute_capability"] = gpu.line
        if same:
            continue
        new = {"index": 0, "name": gpu.name, "compute_capability": gpu.compute_capability}
        if not (pasted or "nvidia.gpus" in put):
            current = []
        new["index"] = len(current)
        current.append(new)
        put.setdefault("nvidia.gpus", gpu.line)
    nvidia["gpus"] = current
    return put


def _is_l4t(version: str, arch: Any) -> bool:
    """Jetson's kernel module carries the L4T release (35.3.1), not a driver version
    (parsers/driver.py: below 100 on aarch64)."""
    major = version.split(".", 1)[0]
    number = small_int(major)
    return arch == "aarch64" and number is not None and number < 100


def _set_source_field(facts: Facts, path: str, number: int, stated: dict[str, int]) -> None:
    for prefix, source_field in _SOURCE_FIELDS:
        if path == prefix or (prefix.endswith(".") and path.startswith(prefix)):
            if source_field in stated:
                return  # the section said its own source
            block, name = source_field.split(".")
            setattr(getattr(facts, block), name, f"paste:{number}")
            return


def _problem(
    reading: Reading, reason: str, numbers: list[int], texts: dict[int, str]
) -> ReadProblem:
    shown = [f"paste:{n}: {texts[n]}" for n in numbers[:_EVIDENCE_LINES] if n in texts]
    return ReadProblem(
        what=f"the pasted {reading.kind} (lines {reading.first}-{reading.last})",
        reason=reason,
        evidence="\n".join(shown),
    )


def _ranges(numbers: list[int]) -> str:
    """[3, 4, 5, 9] -> "3-5, 9"."""
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in spans)
