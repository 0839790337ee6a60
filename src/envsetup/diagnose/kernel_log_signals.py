"""Xids the NVIDIA driver logged (dmesg, journalctl -k), each classed by what it means for the
GPU: fallen off the bus, memory, NVLink, an application fault. Meanings: NVIDIA's Xid catalogue
(envsetup.parsers.signals.kernel_log). Also the module missing for the running kernel and the
driver refusing a GPU at probe time. Called from signal_rules.judge_signals.
"""

from __future__ import annotations

from typing import Any, Optional

from envsetup import compat
from envsetup.compat import gpu_names, nvcc
from envsetup.diagnose.signal_common import Evidence, finding_of
from envsetup.facts import Facts
from envsetup.model.paste import Signal
from envsetup.parsers.signals.kernel_log import XID_MEANINGS

_XID_CLASS = {
    79: "gpu-fell-off-bus",
    48: "gpu-memory-error",
    63: "gpu-memory-error",
    64: "gpu-memory-error",
    92: "gpu-memory-error",
    94: "gpu-memory-error",
    95: "gpu-memory-error",
    140: "gpu-memory-error",
    74: "gpu-nvlink-error",
    **{xid: "gpu-nvlink-error" for xid in range(144, 151)},
}


def judge_xids(signals: list[Signal], facts: Facts, ev: Evidence):
    out = []
    for s in signals:
        xid = s.params.get("xid")
        actor = s.params.get("actor")
        meaning = s.params.get("meaning")
        cause = s.params.get("caused_by")
        logged = None
        if isinstance(cause, int) and cause != xid:
            # "Xid 45 ... caused by previous Xid 149": the cleanup follows the named Xid, which
            # is the one to judge (its line may not be in the paste).
            logged, xid = xid, cause
            meaning, actor = XID_MEANINGS.get(cause, ("", ""))
            meaning = meaning or None
        if s.id == "nvrm-fallen-off-bus":
            # The message alone, no Xid line: the same fault as Xid 79, but the paste states
            # no Xid number, so none is claimed.
            id_, xid = "gpu-fell-off-bus", None
        elif xid in _XID_CLASS:
            id_ = _XID_CLASS[xid]
        elif actor == "application":
            id_ = "gpu-xid-application-fault"
        else:
            id_ = "gpu-xid"
        severity = "warning" if id_ == "gpu-xid-application-fault" else "error"
        out.append(
            finding_of(
                id_,
                severity,
                [s],
                ev,
                xid=xid,
                meaning=meaning,
                logged=logged,
                pci=s.params.get("pci"),
                count=s.params.get("count"),
            )
        )
    return out


def judge_module_not_built(signals: list[Signal], facts: Facts, ev: Evidence):
    """modprobe's "Module nvidia not found": no module for the running kernel, named by
    modprobe's "in directory /lib/modules/KERNEL", else by the facts (a pasted uname)."""
    kernel = next((s.params["kernel"] for s in signals if s.params.get("kernel")), None)
    return [
        finding_of(
            "nvidia-module-not-built",
            "error",
            signals,
            ev,
            module=signals[0].params.get("module"),
            kernel=kernel or facts.os.kernel or None,
        )
    ]


def _branch(driver: Optional[str]) -> Optional[int]:
    """A driver version's branch, its first number ("550.90.07" -> 550, "470.xx" -> 470)."""
    head = (driver or "").split(".", 1)[0]
    return int(head) if head.isdigit() else None


def _architecture_floor(device: Optional[str]) -> dict[str, Any]:
    """What envsetup's data says of the GPU with NVIDIA PCI device id `device`: its name
    (data/gpu_pci_ids.toml, from pci.ids), compute capability (data/gpu_capabilities.toml), the
    first CUDA whose nvcc builds for that capability (data/nvcc_support.toml) and the driver that
    CUDA release shipped with (data/cuda_drivers.toml, NVIDIA's toolkit table). No driver branch
    older than that toolkit's runs code for the capability: it is the floor for the GPU's
    architecture; a product released later than its architecture may need a later release."""
    name = gpu_names.name_by_pci_id(device)
    capability = gpu_names.capability_by_name(name)
    first = nvcc.first_cuda_for(capability) if capability else None
    need = compat.toolkit_driver(first, "Linux") if first else None
    return {
        "gpu": name,
        "capability": f"{capability.major}.{capability.minor}" if capability else None,
        "need_cuda": first if need else None,
        "need_driver": need.driver if need else None,
        "need_branch": _branch(need.driver) if need else None,
    }


def judge_gpu_refused(signals: list[Signal], facts: Facts, ev: Evidence):
    """The driver refused a GPU at probe time ("... installed in this system is not supported
    by the NVIDIA V driver release", the open module without GSP, a legacy-branch GPU): one
    driver-gpu-unsupported finding per GPU model and driver, its `cause`:
    - driver-too-old: the driver's branch is below the floor of the GPU's architecture;
    - not-listed: the branch is at or above that floor, or the floor is unknown: this release
      does not list this product (a product newer than the release, or a GPU presented in a
      mode this driver does not take: vGPU / GRID, confidential computing);
    - open-module-no-gsp: the open kernel module on a GPU without GSP (before Turing);
    - legacy-gpu: the GPU's support moved to a legacy branch, older than this driver."""
    grouped: dict[tuple[str, Any, Any], list[Signal]] = {}
    for s in signals:
        key = (s.id, s.params.get("device") or s.params.get("gpu"), s.params.get("driver"))
        grouped.setdefault(key, []).append(s)
    out = []
    for (signal_id, _, driver), group in grouped.items():
        first = group[0].params
        pcis = sorted({s.params["pci"] for s in group if s.params.get("pci")})
        params: dict[str, Any] = {"driver": driver, "branch": _branch(driver), "pci": pcis or None}
        if signal_id == "nvrm-gpu-legacy":
            params.update(cause="legacy-gpu", gpu=first.get("gpu"), legacy=first.get("legacy"))
        else:
            device = first.get("device")
            floor = _architecture_floor(device)
            params.update(floor, device=f"10de:{device}" if device else None)
            if signal_id == "nvrm-gpu-open-module-no-gsp":
                params["cause"] = "open-module-no-gsp"
            elif (
                params["branch"] is not None
                and floor["need_branch"] is not None
                and params["branch"] < floor["need_branch"]
            ):
                params["cause"] = "driver-too-old"
            else:
                params["cause"] = "not-listed"
        out.append(finding_of("driver-gpu-unsupported", "error", group, ev, **params))
    return out
