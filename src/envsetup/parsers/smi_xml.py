"""`nvidia-smi -q -x`: the XML log (DTD versions v10..v13)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import List, Optional

from envsetup.digits import small_int
from envsetup.model.capability import ComputeCapability
from envsetup.model.gpu import Gpu, MigDevice
from envsetup.parsers import ParseError
from envsetup.parsers._text import version_or_none
from envsetup.parsers.smi_model import SmiReport

_LEADING_INT = re.compile(r"\s*(\d+)")
_COMPUTE_CAP = re.compile(r"\d+\.\d+")
# The XML says Enabled/Disabled where the table says On/Off; report one spelling.
_PERSISTENCE = {"Enabled": "On", "Disabled": "Off"}


def _text(node: Optional[ET.Element], path: str) -> Optional[str]:
    """The stripped text at `path`, None when absent, empty, or "N/A"-like."""
    if node is None:
        return None
    found = node.find(path)
    if found is None or found.text is None:
        return None
    value = found.text.strip()
    if not value or value in ("N/A", "[N/A]", "Unknown Error", "Not Supported"):
        return None
    return value


def _int(node: Optional[ET.Element], path: str) -> Optional[int]:
    """The leading integer of "81920 MiB" or "16x"."""
    value = _text(node, path)
    match = _LEADING_INT.match(value) if value else None
    return small_int(match.group(1)) if match else None


def _mig_devices(gpu: ET.Element) -> list[MigDevice]:
    devices = []
    for position, node in enumerate(gpu.findall("mig_devices/mig_device")):
        index = _int(node, "index")
        devices.append(
            MigDevice(
                index=position if index is None else index,
                gpu_instance_id=_int(node, "gpu_instance_id"),
                compute_instance_id=_int(node, "compute_instance_id"),
                memory_total_mib=_int(node, "fb_memory_usage/total"),
            )
        )
    return devices


def _gpu(position: int, node: ET.Element) -> Gpu:
    link = "pci/pci_gpu_link_info"
    mig_mode = _text(node, "mig_mode/current_mig")
    compute_cap = _text(node, "cuda_compute_capability") or _text(node, "compute_cap")
    return Gpu(
        # -q lists GPUs in nvidia-smi's index order; minor_number is the /dev node, not the index.
        index=position,
        name=_text(node, "product_name") or "",
        bus_id=_text(node, "pci/pci_bus_id") or (node.get("id") or None),
        uuid=_text(node, "uuid") or "",
        memory_total_mib=_int(node, "fb_memory_usage/total"),
        compute_capability=ComputeCapability.try_parse(compute_cap)
        if compute_cap and _COMPUTE_CAP.fullmatch(compute_cap)
        else None,
        mig_mode=mig_mode if mig_mode in ("Enabled", "Disabled") else None,
        driver_model=_text(node, "driver_model/current_dm"),
        pcie_gen=_int(node, f"{link}/pcie_gen/current_link_gen"),
        pcie_gen_max=_int(node, f"{link}/pcie_gen/max_link_gen"),
        pcie_width=_int(node, f"{link}/link_widths/current_link_width"),
        pcie_width_max=_int(node, f"{link}/link_widths/max_link_width"),
        persistence_mode=_PERSISTENCE.get(_text(node, "persistence_mode") or ""),
        mig_devices=_mig_devices(node),
    )


def _root(text: str) -> ET.Element:
    if not text.strip():
        raise ParseError("empty output: no nvidia-smi XML")
    # Entity declarations are never in nvidia-smi's log and are how XML bombs are built.
    if "<!ENTITY" in text:
        raise ParseError("XML declares entities: not nvidia-smi's log")
    try:
        root = ET.fromstring(text)
    except (ET.ParseError, ValueError) as error:
        raise ParseError(
            f"malformed XML ({error}): output cut short or not nvidia-smi -q -x"
        ) from None
    if root.tag != "nvidia_smi_log":
        raise ParseError(f"XML root is <{root.tag}>, expected <nvidia_smi_log>")
    return root


def parse_smi_xml(text: str) -> SmiReport:
    """Read `nvidia-smi -q -x`. ParseError for malformed XML (a cut log is malformed)."""
    root = _root(text)
    cuda_raw = None
    cuda_node = root.find("cuda_version")
    if cuda_node is not None and cuda_node.text is not None:
        cuda_raw = cuda_node.text.strip()
    gpus = [_gpu(position, node) for position, node in enumerate(root.findall("gpu"))]
    attached = _int(root, "attached_gpus")
    return SmiReport(
        driver_version=version_or_none(_text(root, "driver_version")),
        cuda_version=version_or_none(cuda_raw),
        cuda_version_raw=cuda_raw,
        gpus=gpus,
        partial=attached is not None and attached != len(gpus),
    )


__all__: List[str] = ["parse_smi_xml"]
