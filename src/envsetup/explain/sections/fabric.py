"""An NVSwitch system's fabric as people paste it: `nvidia-smi -q`'s Fabric blocks (whole, or cut
out with grep), `nv-fabricmanager --version`, and `systemctl status nvidia-fabricmanager`.

Read with parsers/fabric.py, the functions doctor's probe/gpu_access.py uses. Facts:
gpu_access.fabric.gpus (each GPU's State / Status / CliqueId), manager_version, manager_state;
whether the machine is an NVSwitch system follows after the merge (explain/fabric_facts.py), so
diagnose/gpu_access_rules.py judges a pasted "In Progress" as the fabric manager not having set
up the fabric (CUDA error 802), as it does on the host. Formats (parsers/fabric.py cites each):
- "Fabric" then "State : In Progress", "Status : N/A", "CliqueId", "ClusterUUID", "Health"...
  (NVIDIA/gpu-operator issue #2511; kubernetes-sigs/dra-driver-nvidia-gpu issue #626 with grep's
  "--" separators);
- "Fabric Manager version is : 535.161.08";
- systemd's unit status: "● nvidia-fabricmanager.service - NVIDIA fabric manager service",
  "Loaded: ...", "Active: active (running) since ..." (bottlerocket-os/bottlerocket-kernel-kit
  pull request #142), then the journal's last lines.
"""

from __future__ import annotations

from typing import Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped, text_of
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers.fabric import (
    parse_fabric_blocks,
    parse_fabric_manager_version,
    parse_systemctl_active,
)

SMI_FABRIC = "nvidia-smi-fabric"
FM_VERSION = "fabric-manager-version"
FM_STATUS = "fabric-manager-status"

_GREP_COMMAND = lazy(r"(?:sudo\s+)?nvidia-smi\s+(?:-q|--query)\b.*\|\s*(?:grep|egrep)\b.*")
# "State : Completed", "Route Recovery in progress : N/A", "Health" (a sub-heading), "--".
_FABRIC_FIELD = lazy(r"[A-Z][\w ]{1,40}?\s*:\s*\S.*|Health|--")


def _fabric_scan(lines: Sequence[Line], start: int) -> int:
    at = start + 1 if _GREP_COMMAND.fullmatch(stripped(lines, start)) else start
    if stripped(lines, at) != "Fabric":
        return 0
    while at < len(lines):
        text = stripped(lines, at)
        if text != "Fabric" and not _FABRIC_FIELD.fullmatch(text):
            break
        at += 1
    return at - start if parse_fabric_blocks(text_of(lines[start:at])) else 0


def gpu_fabric_dicts(text: str) -> list[dict[str, object]]:
    return [
        {
            "index": g.index,
            "state": g.state,
            "status": g.status,
            "clique_id": g.clique_id,
            "cluster_uuid": g.cluster_uuid,
        }
        for g in parse_fabric_blocks(text)
    ]


def _fabric_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(SMI_FABRIC, lines)
    first = next((line.number for line in lines if line.text.strip() == "Fabric"), None)
    builder.put("gpu_access.fabric.gpus", gpu_fabric_dicts(text_of(lines)), first)
    builder.put("gpu_access.fabric.gpus_source", "paste: nvidia-smi -q Fabric", first)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def put_smi_fabric(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    """The Fabric blocks of a whole pasted `nvidia-smi -q` (its reader calls this)."""
    gpus = gpu_fabric_dicts(text_of(lines))
    if gpus:
        first = next(line.number for line in lines if line.text.strip() == "Fabric")
        builder.put("gpu_access.fabric.gpus", gpus, first)
        builder.put("gpu_access.fabric.gpus_source", "paste: nvidia-smi -q", first)


def _fabric_quick(text: str) -> bool:
    return text == "Fabric" or (text.startswith(("nvidia-smi", "sudo ")) and "|" in text)


# --- nv-fabricmanager --version
def _version_scan(lines: Sequence[Line], start: int) -> int:
    text = stripped(lines, start)
    if text.startswith(("nv-fabricmanager", "sudo nv-fabricmanager")) and "--version" in text:
        at = start + 1
        while at < len(lines) and not stripped(lines, at):
            at += 1
        return at - start + 1 if parse_fabric_manager_version(stripped(lines, at) + "\n") else 0
    return 1 if parse_fabric_manager_version(text + "\n") else 0


def _version_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(FM_VERSION, lines)
    for line in lines:
        version = parse_fabric_manager_version(line.text.strip() + "\n")
        if version:
            builder.put("gpu_access.fabric.manager_version", version, line.number)
            builder.put(
                "gpu_access.fabric.manager_source", "paste: nv-fabricmanager --version", line.number
            )
        builder.place(line.number)
    return builder.finish(lines)


def _version_quick(text: str) -> bool:
    return text.startswith(("Fabric Manager version", "nv-fabricmanager", "sudo nv-fabricmanager"))


# --- systemctl status nvidia-fabricmanager
_STATUS_COMMAND = lazy(
    r"(?:\S{1,40}[#$]\s*)?(?:sudo\s+)?systemctl\s+status\s+nvidia-fabricmanager(?:\.service)?(?:\s.*)?"
)
_UNIT_LINE = lazy(r"[●×○↻*]?\s*nvidia-fabricmanager\.service\s+-\s+.*")
_STATUS_FIELD = lazy(
    r"(?:Loaded|Active|Drop-In|Docs|Process|Main PID|Tasks|Memory|CPU|CGroup|TriggeredBy|IP|IO|Mem peak|Status|Invocation):.*"
    r"|[└├│]\S.*|[└├│]─.*|/\S.*"
)
# The journal's lines systemctl status prints under the unit: "May 16 15:10:22 host nv-fabricmanager[29850]: ..."
_JOURNAL = lazy(r"\S+\s+\d{1,2}\s+\d\d:\d\d:\d\d\s+\S+\s+[\w.@-]+(?:\[\d+\])?:\s.*")


def _status_scan(lines: Sequence[Line], start: int) -> int:
    at = start
    if _STATUS_COMMAND.fullmatch(stripped(lines, at)):
        at += 1
    if not _UNIT_LINE.fullmatch(stripped(lines, at)):
        return 0
    at += 1
    while at < len(lines) and _STATUS_FIELD.fullmatch(stripped(lines, at)):
        at += 1
    end = at
    if at < len(lines) and not stripped(lines, at):
        at += 1
        while at < len(lines) and _JOURNAL.fullmatch(stripped(lines, at)):
            at += 1
            end = at
    return end - start


def _status_read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(FM_STATUS, lines)
    state = parse_systemctl_active(text_of(lines))
    line = next((x.number for x in lines if x.text.strip().startswith("Active:")), None)
    builder.put("gpu_access.fabric.manager_state", state, line)
    builder.place(*(x.number for x in lines))
    return builder.finish(lines)


def _status_quick(text: str) -> bool:
    return "nvidia-fabricmanager" in text[:80]


READERS = [
    Reader(SMI_FABRIC, _fabric_scan, _fabric_read, _fabric_quick),
    Reader(FM_VERSION, _version_scan, _version_read, _version_quick),
    Reader(FM_STATUS, _status_scan, _status_read, _status_quick),
]
