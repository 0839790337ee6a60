"""The NVSwitch fabric and the container runtime's view of the GPUs, from their tools' text.

- `nvidia-smi -q`: each GPU's "Fabric" block (State, Status, CliqueId, ClusterUUID), as in
  Azure/azhpc-images pull request #506 ("State : Completed", "Status : Insufficient Resources")
  and kubernetes-sigs/dra-driver-nvidia-gpu issue #626 ("State : Completed", "Status : Success");
  "N/A" on GPUs without fabric support (telegraf's a100-sxm4-v12.xml: <state>N/A</state>).
- `nv-fabricmanager --version`: "Fabric Manager version is : 535.161.08" (leptonai/gpud,
  components/accelerator/nvidia/query parseFabricManagerVersion's test).
- `nvidia-container-cli info`: "NVRM version:   575.57.08", then per device "Model:  NVIDIA
  Tesla T4" (NVIDIA/nvidia-container-toolkit, the nvidia-container-cli info example in its issues).
"""

from __future__ import annotations

import re
from typing import Optional

from envsetup.digits import small_int
from envsetup.model.gpu_access import GpuFabric
from envsetup.parsers import ParseError

_GPU_HEADING = re.compile(r"GPU [0-9A-Fa-f]{4,8}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\.[0-9A-Fa-f]")
_VERSION = re.compile(r"\d+\.\d+(?:\.\d+)?")
_FM_VERSION = re.compile(r"Fabric Manager version is\s*:\s*(\d+\.\d+(?:\.\d+)?)\s*$", re.M)
# dpkg's ${db:Status-Abbrev}: want (u i h r p), status (n i c U F h W t), error (R or blank).
_DPKG_STATUS = re.compile(r"[uihrp][nicUFhWt]R?")
_FABRIC_KEYS = {"State": "state", "Status": "status", "CliqueId": "clique_id"}


def parse_smi_fabric(text: str) -> list[GpuFabric]:
    """Each GPU's Fabric block in `nvidia-smi -q` text, in GPU order ([] when the driver prints
    none: before R525, or a GPU without fabric support). ParseError when the text is not
    `nvidia-smi -q` at all. Lines that cut off without a newline are not read."""
    if "NVSMI LOG" not in text and "Driver Version" not in text:
        raise ParseError("no 'NVSMI LOG' banner or 'Driver Version' line: not nvidia-smi -q")
    found: list[GpuFabric] = []
    gpu: Optional[GpuFabric] = None
    gpus = 0
    in_fabric = False
    for raw in text.splitlines(keepends=True):
        if not raw.endswith(("\n", "\r")):
            break
        line = raw.strip()
        if _GPU_HEADING.fullmatch(line):
            gpu, in_fabric = None, False
            gpus += 1
            continue
        key, colon, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not colon or (not value and line.endswith(":")):
            in_fabric = line.rstrip(":").strip() == "Fabric" and gpus > 0
            if in_fabric:
                gpu = GpuFabric(index=gpus - 1)
                found.append(gpu)
            continue
        if not in_fabric or gpu is None:
            continue
        if key in _FABRIC_KEYS:
            setattr(gpu, _FABRIC_KEYS[key], value)
        elif key == "ClusterUUID":
            gpu.cluster_uuid = value
        # "Health" and its "Summary"/"Bandwidth" lines follow; they are not the state.
    return found


def parse_fabric_manager_version(text: str) -> Optional[str]:
    """The version `nv-fabricmanager --version` prints; None when it prints none."""
    match = _FM_VERSION.search(text)
    return match.group(1) if match else None


def parse_package_version(text: str) -> Optional[str]:
    """The newest installed upstream version in a package query's lines: dpkg-query's
    "ii  nvidia-fabricmanager-535 535.183.01-1" (with ${db:Status-Abbrev}) or
    "nvidia-fabricmanager-535 535.183.01-1", or rpm's "535.183.01" -> "535.183.01".
    A line whose dpkg status is not installed ("rc": removed, its configuration kept, as an
    old branch's package stays after a branch change) is not read; of several, the newest."""
    versions: list[str] = []
    for line in text.splitlines():
        words = line.split()
        if len(words) >= 3 and _DPKG_STATUS.fullmatch(words[0]):
            if words[0][1] != "i":  # want/status/error: the second letter "i" is installed
                continue
            words = words[1:]
        for word in reversed(words):
            match = _VERSION.match(word)
            if match:
                versions.append(match.group(0))
                break
    return (
        max(versions, key=lambda v: tuple(small_int(n) or 0 for n in v.split(".")))
        if versions
        else None
    )


def parse_container_cli_info(text: str) -> tuple[Optional[str], list[str]]:
    """(driver version, GPU models) from `nvidia-container-cli info`."""
    driver = None
    models: list[str] = []
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if not colon:
            continue
        key, value = key.strip(), value.strip()
        if key == "NVRM version" and _VERSION.match(value):
            driver = value
        elif key == "Model" and value:
            models.append(value)
    return driver, models


def parse_smi_xml_fabric(text: str) -> list[GpuFabric]:
    """Each GPU's <fabric> in `nvidia-smi -q -x` (telegraf's a100-sxm4-v12.xml:
    <fabric><state>N/A</state><status>N/A</status></fabric>). ParseError as parse_smi_xml."""
    from envsetup.parsers.smi_xml import _root

    found = []
    for position, gpu in enumerate(_root(text).findall("gpu")):
        fabric = gpu.find("fabric")
        if fabric is None:
            continue

        def text_of(tag: str, node=fabric) -> str:  # type: ignore[no-untyped-def]
            child = node.find(tag)
            return (child.text or "").strip() if child is not None else ""

        found.append(
            GpuFabric(
                index=position,
                state=text_of("state"),
                status=text_of("status"),
                clique_id=text_of("cliqueId") or None,
                cluster_uuid=text_of("clusterUuid") or None,
            )
        )
    return found


def parse_fabric_blocks(text: str) -> list[GpuFabric]:
    """Each "Fabric" block of `nvidia-smi -q` text cut to those blocks (`nvidia-smi -q | grep -A6
    Fabric`, NVIDIA/gpu-operator issue #2511; grep -C's "--" separators between them): one per
    GPU, in order, without the log's banner or GPU headings parse_smi_fabric wants. Blocks with
    no State line are not GPUs' ([] when none has one)."""
    found: list[GpuFabric] = []
    gpu: Optional[GpuFabric] = None
    for raw in text.splitlines():
        line = raw.strip()
        if line == "Fabric":
            gpu = GpuFabric(index=len(found))
            found.append(gpu)
            continue
        key, colon, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if gpu is None or not colon:
            continue
        if key in _FABRIC_KEYS:
            setattr(gpu, _FABRIC_KEYS[key], value)
        elif key == "ClusterUUID":
            gpu.cluster_uuid = value
    kept = [g for g in found if g.state]
    for index, gpu in enumerate(kept):
        gpu.index = index
    return kept


# systemd's `systemctl status` unit line: "     Active: failed (Result: exit-code) since ..."
# (NVIDIA/NVSentinel issue #883), "Active: active (running) since ..." (bottlerocket-os/
# bottlerocket-kernel-kit pull request #142).
_ACTIVE = re.compile(r"^\s*Active:\s+([a-z-]+)", re.M)


def parse_systemctl_active(text: str) -> Optional[str]:
    """The unit's state from `systemctl status` text ("active", "failed", "inactive"...)."""
    found = _ACTIVE.search(text)
    return found.group(1) if found else None
