"""Nodes grouped by fingerprint: the majority, and each other group by the fields it differs in.

Pure. Groups compare the fingerprint's fields (fingerprint.FIELDS), not its `key`: two reports
written by different envsetup versions may digest the same machine differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from envsetup.fleet.fingerprint import FIELDS, comparable
from envsetup.fleet.hostlist import compress, natural_key


@dataclass
class GpuCount:
    """GPUs of one model on a node: name, compute capability (null for AMD GPUs), how many."""

    name: Optional[str]
    compute_capability: Optional[str]
    count: int


@dataclass
class Fingerprint:
    """What makes two nodes the same (docs/fleet.md, "Fingerprint"); null where not known."""

    driver: Optional[str]
    driver_cuda: Optional[str]
    gpus: list[GpuCount]
    torch: Optional[str]
    compute_platform: Optional[str]
    cudnn: Optional[str]
    python: Optional[str]
    profile: Optional[str]
    key: str

    @classmethod
    def from_fields(cls, fields: dict[str, Any]) -> Fingerprint:
        return cls(
            **{name: fields.get(name) for name in FIELDS if name != "gpus"},
            gpus=[GpuCount(**gpu) for gpu in fields.get("gpus") or []],
            key=str(fields.get("key") or ""),
        )


@dataclass
class Difference:
    """One field in which a group differs from the majority: its value there and the majority's
    (strings, null, or for `gpus` the lists of GpuCount)."""

    field: str
    value: Any
    majority: Any


@dataclass
class Group:
    """Nodes with one fingerprint. `majority`: the largest group (ties: the one whose first node
    sorts first); `differs`: empty for the majority."""

    key: str
    count: int
    nodes: list[str]
    hostlist: str
    majority: bool
    fingerprint: Fingerprint
    differs: list[Difference] = field(default_factory=list)


def group_nodes(fingerprints: dict[str, dict[str, Any]]) -> list[Group]:
    """node -> fingerprint fields (fingerprint.fingerprint_of_report) -> the groups, the majority
    first, then the others largest first."""
    by_value: dict[tuple[str, ...], list[str]] = {}
    for node in sorted(fingerprints, key=natural_key):
        by_value.setdefault(comparable(fingerprints[node]), []).append(node)
    ordered = sorted(by_value.values(), key=lambda nodes: (-len(nodes), natural_key(nodes[0])))
    if not ordered:
        return []
    majority_fields = fingerprints[ordered[0][0]]
    groups = []
    for index, nodes in enumerate(ordered):
        fields = fingerprints[nodes[0]]
        groups.append(
            Group(
                key=str(fields.get("key") or ""),
                count=len(nodes),
                nodes=nodes,
                hostlist=compress(nodes),
                majority=index == 0,
                fingerprint=Fingerprint.from_fields(fields),
                differs=[] if index == 0 else differences(fields, majority_fields),
            )
        )
    return groups


def differences(fields: dict[str, Any], majority: dict[str, Any]) -> list[Difference]:
    """The compared fields whose values differ, in FIELDS order."""
    found = []
    for name in FIELDS:
        mine, theirs = fields.get(name), majority.get(name)
        if mine != theirs:
            if name == "gpus":
                mine = [GpuCount(**g) for g in mine or []]
                theirs = [GpuCount(**g) for g in theirs or []]
            found.append(Difference(name, mine, theirs))
    return found


def gpus_text(gpus: list[GpuCount]) -> str:
    """'8x NVIDIA H100 80GB HBM3 (sm_90)', models joined by ' + '; 'no GPU' for none."""
    if not gpus:
        return "no GPU"
    return " + ".join(
        f"{gpu.count}× {gpu.name or 'unnamed GPU'}"
        + (f" (sm_{gpu.compute_capability.replace('.', '')})" if gpu.compute_capability else "")
        for gpu in gpus
    )


def value_text(name: str, value: Any) -> str:
    """A fingerprint field's value in a line: 'unknown' for null, the GPUs as gpus_text."""
    if name == "gpus":
        gpus = [g if isinstance(g, GpuCount) else GpuCount(**g) for g in value or []]
        return gpus_text(gpus) if gpus else "none"
    return "unknown" if value is None else str(value)
