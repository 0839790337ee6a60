"""Facts stated in a paste, merged over the host's: the paste wins, and says which line said it.

A Reading's facts are a partial Facts.to_dict() document. Objects merge key by key; a list replaces
the host's (a pasted nvidia-smi lists every GPU), except the lists of installations found at a
path (CUDA toolkits, cuDNN), where a pasted one replaces the host's at the same path, or at the same
version when the paste cannot say where it is, and is added otherwise. Each merged fact keeps its
source: the Facts fields made for it (`os.source`, `nvidia.driver_source`, `torch.source`...)
say `paste:LINE`, and `sources` maps every pasted fact's dotted path to `paste:LINE`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

from envsetup.facts import Facts, OsFacts, PythonFacts, ReadProblem
from envsetup.model.paste import Line, Reading

# Lists of installations, merged by where they are ("path").
_BY_PATH = {"cuda.toolkits", "cudnn"}
# Facts' own source fields: the pasted fact (dotted path, or the prefix of one) -> its field.
_SOURCE_FIELDS = (
    ("nvidia.driver_version", "nvidia.driver_source"),
    ("nvidia.driver_cuda_version", "nvidia.driver_cuda_source"),
    ("nvidia.gpus", "nvidia.gpus_source"),
    ("os.", "os.source"),
    ("python.", "python.source"),
    ("torch.", "torch.source"),
    ("rocm.", "rocm.source"),
)
_EVIDENCE_LINES = 3


@dataclass
class Merged:
    facts: Facts
    sources: dict[str, str] = field(default_factory=dict)  # dotted path -> "paste:LINE"


def blank_facts() -> Facts:
    """Facts of no machine (--no-host): only what the paste states."""
    return Facts(os=OsFacts(system="", arch=""), python=PythonFacts(executable=""))


def merge(host: Optional[Facts], readings: Sequence[Reading], lines: Sequence[Line] = ()) -> Merged:
    """`host` (None: blank_facts()) with every reading's facts over it, in paste order (a later
    section wins over an earlier one). A section whose facts do not fit the Facts types, and the
    lines a section could not read, become ReadProblems (a "could not read" finding); `lines`
    gives their text as evidence. Never raises on any reading."""
    base = (host or blank_facts()).to_dict()
    texts = {line.number: line.text for line in lines}
    problems: list[ReadProblem] = []
    document = _copy(base)
    for reading in readings:
        if reading.facts:
            _overlay(document, reading.facts, "")
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
    sources: dict[str, str] = {}
    for reading in fitting:
        for path, number in reading.sources.items():
            sources[path] = f"paste:{number}"
            _set_source_field(facts, path, number, reading.sources)
    for reading in readings:
        if reading.unread:
            unread = sorted(reading.unread)
            problems.append(_problem(reading, f"line(s) {_ranges(unread)} unread", unread, texts))
    facts.problems.extend(problems)
    return Merged(facts=facts, sources=sources)


_SCALARS = (str, int, float, bool, type(None))


def _copy(value: Any) -> Any:
    """copy.deepcopy for the JSON-shaped documents merged here (dicts, lists, scalars) at a
    fraction of its cost (its memo and dispatch were most of merge's time on a long paste);
    anything else still goes through deepcopy."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    if isinstance(value, _SCALARS):
        return value
    return copy.deepcopy(value)


def _overlay(document: dict[str, Any], partial: dict[str, Any], where: str) -> None:
    for key, value in partial.items():
        path = f"{where}.{key}" if where else key
        current = document.get(key)
        if isinstance(value, dict) and isinstance(current, dict):
            _overlay(current, value, path)
        elif path in _BY_PATH and isinstance(value, list) and isinstance(current, list):
            document[key] = _merge_installs(current, value)
        else:
            document[key] = _copy(value)


def _merge_installs(current: list[Any], pasted: list[Any]) -> list[Any]:
    merged = list(current)
    for item in pasted:
        same = [
            i
            for i, old in enumerate(merged)
            if isinstance(old, dict)
            and isinstance(item, dict)
            and (old.get("path") == item.get("path") or old.get("version") == item.get("version"))
        ]
        if same:
            old, new = merged[same[0]], _copy(item)
            if old.get("path") != new.get("path") and not _is_path(new.get("path")):
                # The same version, where the paste cannot say where it is: the host knows.
                new["path"], new["nvcc"] = old.get("path"), old.get("nvcc", new.get("nvcc"))
            merged[same[0]] = new
        else:
            merged.append(_copy(item))
    return merged


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


def _is_path(value: Any) -> bool:
    """An absolute path (POSIX or Windows), not a description such as "nvcc on PATH"."""
    return isinstance(value, str) and (value.startswith("/") or value[1:3] in (":\\", ":/"))
