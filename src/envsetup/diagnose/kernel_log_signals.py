"""Xids the NVIDIA driver logged (dmesg, journalctl -k), each classed by what it means for the
GPU: fallen off the bus, memory, NVLink, an application fault. Meanings: NVIDIA's Xid catalogue
(envsetup.parsers.signals.kernel_log). Called from signal_rules.judge_signals.
"""

from __future__ import annotations

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
