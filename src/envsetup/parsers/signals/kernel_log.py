"""The NVIDIA kernel module's messages (dmesg, journalctl -k, /var/log/nvidia-installer.log).

Xid meanings: NVIDIA, "Xid Errors" and the Xid catalogue,
https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html (Ampere and newer) and
https://docs.nvidia.com/deploy/xid-errors/index.html ; page retirement (48, 63, 64):
https://docs.nvidia.com/deploy/dynamic-page-retirement/visibility.html .
"""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Signal
from envsetup.parsers import ParseError
from envsetup.parsers.driver import parse_proc_driver_version
from envsetup.parsers.signals._scan import indices, int_or_none, runs_to_cut, signal

KIND = "kernel-log"

# Xid -> (what it means, who acts: "hardware" | "application" | "driver"); NVIDIA's catalogue.
XID_MEANINGS: dict[int, tuple[str, str]] = {
    8: ("GPU stopped processing (channel idle timeout)", "driver"),
    13: (
        "Graphics engine exception (an illegal instruction or address in a kernel)",
        "application",
    ),
    31: ("GPU memory page fault (MMU fault: an invalid address in a kernel)", "application"),
    32: ("Invalid or corrupted push buffer stream", "driver"),
    38: ("Driver firmware error", "driver"),
    43: ("GPU stopped processing (a channel was reset after an application fault)", "application"),
    45: ("Preemptive cleanup, due to previous errors (a process was killed)", "application"),
    48: ("Double-bit ECC error (uncorrectable memory error)", "hardware"),
    61: ("Internal micro-controller breakpoint/warning", "driver"),
    62: ("Internal micro-controller halt", "driver"),
    63: ("ECC page retirement or row remapping recording event", "hardware"),
    64: ("ECC page retirement or row remapper recording failure", "hardware"),
    68: ("Video processor exception", "driver"),
    69: ("Graphics engine class error", "driver"),
    74: ("NVLink error", "hardware"),
    79: ("GPU has fallen off the bus", "hardware"),
    92: ("High single-bit ECC error rate", "hardware"),
    94: ("Contained ECC error (the affected application was stopped)", "hardware"),
    95: ("Uncontained ECC error (every application on the GPU is affected)", "hardware"),
    109: ("Context switch timeout", "application"),
    119: ("GSP RPC timeout (GPU System Processor firmware did not answer)", "driver"),
    120: ("GSP error", "driver"),
    122: ("SPI PMU RPC read failure", "hardware"),
    123: ("SPI PMU RPC write failure", "hardware"),
    140: ("Unrecovered ECC error", "hardware"),
    # 144-150: the NVLink units of Hopper and newer (NVLINK_SAW/MVB, RLW, TLW, TREX, NVLPW_CTRL,
    # NETIR, MSE errors), one Xid each in NVIDIA's Xid catalogue
    # (https://docs.nvidia.com/deploy/xid-errors/analyzing-xid-catalog.html).
    **{xid: ("NVLink error", "hardware") for xid in range(144, 151)},
    154: ("GPU recovery action changed (a reset or a reboot is required)", "hardware"),
}

# kmod's modprobe when no module of that name is installed for the running kernel: "modprobe:
# FATAL: Module nvidia not found." (older kmod), "... not found in directory /lib/modules/KERNEL"
# (NVIDIA/nvidia-docker #365 and #291, Witko/nvidia-xrun #135: a kernel update without DKMS).
_MODULE_NOT_FOUND = lazy(
    r"modprobe: FATAL: Module (nvidia[\w-]{0,30}) not found(?: in directory /lib/modules/(\S{1,100}))?"
)

# "NVRM: Xid (PCI:0000:0a:00): 31, pid=..." and the older "NVRM: Xid (0000:01:00): 13, ...".
_XID = lazy(
    r"NVRM: Xid \((?:PCI:)?([0-9A-Fa-f]{1,8}(?::[0-9A-Fa-f]{1,4}){1,3}(?:\.[0-7])?)\): (\d{1,4}),\s?(.{0,200})"
)
# Xid 45 (and others the driver logs to clean up) name the Xid that caused them (R555+).
_CAUSED_BY = lazy(r"caused by previous Xid (\d{1,4})\b")
_PCI = lazy(r"\b([0-9A-Fa-f]{4}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}(?:\.[0-7])?)\b")
_RMINIT = lazy(r"RmInitAdapter failed! \((0x[0-9A-Fa-f]{1,8}:0x[0-9A-Fa-f]{1,8}:\d{1,6})\)")
_MODULE = lazy(r"(?:^|\]\s*|kernel: )([\w-]{1,60}): module verification failed")
_REJECTED = lazy(r"could not insert '([\w-]{1,60})': Key was rejected by service")
# nv-fabricmanager's journal: "fabric manager NVIDIA GPU driver interface version 535.183.01
# don't match with driver version 535.230.02"; newer releases say "doesn't match" (550.127.05:
# akash-network/website #632), and a paste may carry a typographic apostrophe ("don’t match":
# NVIDIA/nvtrust #55).
_FABRIC_MISMATCH_WORDS = ("don't match", "doesn't match", "don\u2019t match", "doesn\u2019t match")
_FABRIC_MISMATCH = lazy(
    r"driver interface version (\d{1,4}(?:\.\d{1,4}){1,3}) (?:don|doesn)['\u2019]t match with driver version (\d{1,4}(?:\.\d{1,4}){1,3})\b"
)
_INSTALLER_LOAD = lazy(r"Unable to load the kernel module '([\w.-]{1,60})'")

# The driver refusing a GPU at probe time, one message over several "NVRM:" lines, in three
# wordings over the years (collapsed to one line before matching):
#   R500+: "The NVIDIA GPU 0000:01:00.0 (PCI ID: 10de:2330) installed in this system is not
#     supported by the NVIDIA 550.90.07 driver release." (NVIDIA/nvtrust #67,
#     NVIDIA/open-gpu-kernel-modules #393); R367: "... not supported by the 367.57 NVIDIA Linux
#     driver release." (Bumblebee-Project/Bumblebee #810); R280: "... (PCI ID: 10de:1050)
#     installed in this system is not supported by the 280.13 NVIDIA Linux graphics driver
#     release." (MrMEEE/bumblebee #583);
#   the open module on a GPU without GSP (before Turing): "... is not supported by open nvidia.ko
#     because it does not include the required GPU System Processor (GSP)." (negativo17/
#     nvidia-driver #158);
#   a GPU whose support moved to a legacy branch: "The NVIDIA GeForce GT 710 GPU installed in
#     this system is supported through the NVIDIA 470.xx Legacy drivers. ... The 535.129.03
#     NVIDIA driver will ignore this GPU." (siderolabs/talos #8764; journalctl may cut the first
#     line: "... installed in this system>", NixOS/nixos-hardware #1828).
_UNSUPPORTED = lazy(
    r"The NVIDIA GPU ([0-9A-Fa-f]{4}:[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}(?:\.[0-7])?) \(PCI ID: 10de:([0-9A-Fa-f]{4})\) installed in this system is not supported by (?:the (?:NVIDIA )?(\d{2,4}\.(?:\d{1,4}(?:\.\d{1,4})?|xx))(?= NVIDIA| driver)|(open nvidia\.ko because it does not include the required GPU System Processor))"
)
_LEGACY = lazy(
    r"The NVIDIA (?:NVIDIA )?(.{1,80}?) GPU installed in this system.{0,4}? supported through the NVIDIA (\d{2,4})\.xx Legacy drivers\..{0,200}?The (\d{2,4}\.\d{1,4}(?:\.\d{1,4})?) NVIDIA driver will ignore"
)
_NVRM_TAIL = lazy(r"NVRM:\s?(.*)$")
# The lines after the message that are messages of their own (the probe's summary).
_NEXT_MESSAGE = ("The NVIDIA ", "No NVIDIA GPU", "None of the NVIDIA", "The NVIDIA probe")


def _xids(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> list[Signal]:
    found: list[Signal] = []
    for index in indices(lines, hits):
        line = lines[index]
        if "Xid" not in line.text:
            continue
        match = _XID.search(line.text)
        if not match:
            continue
        xid = int_or_none(match.group(2))
        if xid is None:
            continue
        meaning, actor = XID_MEANINGS.get(xid, ("", ""))
        cause = _CAUSED_BY.search(match.group(3))
        if cause and runs_to_cut(lines, line, match.start(3) + cause.end(1)):
            cause = None  # "Xid 14" may be "Xid 149" cut short
        found.append(
            signal(
                "nvrm-xid",
                KIND,
                [line.number],
                xid=xid,
                pci=match.group(1),
                meaning=meaning or None,
                actor=actor or None,
                caused_by=int_or_none(cause.group(1)) if cause else None,
            )
        )
    return found


def _driver_messages(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> list[Signal]:
    found: list[Signal] = []
    for index in indices(lines, hits):
        line = lines[index]
        text = line.text
        if "fallen off the bus" in text and "Xid" not in text:
            # "NVRM: The NVIDIA GPU 0000:b3:00.0" / "NVRM: (PCI ID: ...)" / "... fallen off the bus"
            window = " ".join(near.text for near in lines[max(0, index - 2) : index + 1])
            pci = _PCI.search(window)
            found.append(
                signal(
                    "nvrm-fallen-off-bus", KIND, [line.number], pci=pci.group(1) if pci else None
                )
            )
        if "RmInitAdapter" in text:
            match = _RMINIT.search(text)
            if match:
                pci = _PCI.search(text)
                found.append(
                    signal(
                        "nvrm-rminitadapter-failed",
                        KIND,
                        [line.number],
                        pci=pci.group(1) if pci else None,
                        code=match.group(1),
                    )
                )
            elif "Cannot initialize GSP firmware" in text:
                found.append(signal("nvrm-gsp-init-failed", KIND, [line.number]))
        if "module verification failed" in text:
            match = _MODULE.search(text)
            module = match.group(1) if match else None
            if module and module.startswith("nvidia"):
                found.append(signal("kernel-module-unsigned", KIND, [line.number], module=module))
        if "Key was rejected by service" in text:
            match = _REJECTED.search(text)
            module = match.group(1) if match else None
            if module is None or module.startswith("nvidia"):
                found.append(
                    signal("kernel-module-key-rejected", KIND, [line.number], module=module)
                )
        if "Unable to load the kernel module" in text:
            match = _INSTALLER_LOAD.search(text)
            if match and match.group(1).startswith("nvidia"):
                found.append(
                    signal(
                        "nvidia-installer-module-load-failed",
                        KIND,
                        [line.number],
                        module=match.group(1),
                    )
                )
        if "match with driver version" in text and any(w in text for w in _FABRIC_MISMATCH_WORDS):
            match = _FABRIC_MISMATCH.search(text)
            if match:
                found.append(
                    signal(
                        "fabricmanager-version-mismatch",
                        KIND,
                        [line.number],
                        fabricmanager=match.group(1),
                        # a version the paste's end may have cut is no fact ("550.107." may
                        # be "550.107.02." cut after its dot)
                        driver=None
                        if runs_to_cut(lines, line, _dots_after(text, match.end(2)))
                        else match.group(2),
                    )
                )
        if "Module nvidia" in text and "not found" in text:
            match = _MODULE_NOT_FOUND.search(text)
            if match:
                found.append(
                    signal(
                        "kernel-module-not-found",
                        KIND,
                        [line.number],
                        module=match.group(1),
                        kernel=match.group(2),
                    )
                )
        if "NVRM: The NVIDIA " in text:
            found += _gpu_refused(lines, index)
        if "NVRM: loading NVIDIA UNIX" in text:
            found += _module_loaded(lines, line)
        if (
            "obtained ownership of the NVIDIA device" in text
            or "probe routine was not called" in text
        ):
            found.append(signal("nvrm-nouveau-owns-gpu", KIND, [line.number]))
        if "nouveau " in text and "nouveau, rivafb" not in text:
            pci = _PCI.search(text.split("nouveau ", 1)[1][:14])
            if pci:
                found.append(signal("nouveau-bound", KIND, [line.number], pci=pci.group(1)))
    return found


def _gpu_refused(lines: Sequence[Line], index: int) -> list[Signal]:
    """The driver's refusal of a GPU (_UNSUPPORTED, _LEGACY): the message starting at
    lines[index] and its "NVRM:" continuation lines, each line's text after "NVRM:" joined."""
    parts: list[str] = []
    numbers: list[int] = []
    for at in range(index, min(index + 10, len(lines))):
        text = lines[at].text
        tail = _NVRM_TAIL.search(text)
        if tail is None or (at > index and tail.group(1).startswith(_NEXT_MESSAGE)):
            break
        parts.append(tail.group(1).strip())
        numbers.append(lines[at].number)
    message = " ".join(" ".join(parts).split())
    if "installed in this system" not in message:
        return []
    unsupported = _UNSUPPORTED.search(message)
    if unsupported:
        pci, device, driver, open_module = unsupported.groups()
        return [
            signal(
                "nvrm-gpu-open-module-no-gsp" if open_module else "nvrm-gpu-not-supported",
                KIND,
                numbers,
                pci=pci,
                device=device.lower(),
                driver=driver,
            )
        ]
    legacy = _LEGACY.search(message)
    if legacy:
        return [
            signal(
                "nvrm-gpu-legacy",
                KIND,
                numbers,
                gpu=legacy.group(1).strip(),
                legacy=legacy.group(2),
                driver=legacy.group(3),
            )
        ]
    return []


def _dots_after(text: str, end: int) -> int:
    """`end` moved past the dots that follow it: a version followed only by dots up to a cut may
    have lost the digits after them."""
    while text[end : end + 1] == ".":
        end += 1
    return end


def _module_loaded(lines: Sequence[Line], line: Line) -> list[Signal]:
    """ "NVRM: loading NVIDIA UNIX [Open] Kernel Module for x86_64  570.158.01  Release Build ...":
    the kernel module the driver loaded (the format of /proc/driver/nvidia/version's first
    line). Not a problem: a fact, merged by explain (nvidia.kernel_module_version)."""
    text = line.text
    tail = text[text.index("NVRM: loading ") + len("NVRM: loading ") :]
    try:
        parsed = parse_proc_driver_version("NVRM version: " + tail + " ")
    except ParseError:
        return []
    if runs_to_cut(lines, line, len(text)) and tail.rstrip().endswith(parsed.version):
        return []  # the version may have been cut with the paste
    return [
        signal(
            "nvrm-module-loaded",
            KIND,
            [line.number],
            version=parsed.version,
            kernel_module=parsed.kernel_module,
            arch=parsed.arch or None,
        )
    ]


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    merged_xids: dict[tuple[int, str], Signal] = {}
    for xid in _xids(lines, hits):
        key = (xid.params["xid"], xid.params.get("pci", ""))
        if key in merged_xids:
            kept = merged_xids[key]
            kept.lines += xid.lines
            kept.params["count"] = len(kept.lines)
        else:
            xid.params["count"] = 1
            merged_xids[key] = xid
    return list(merged_xids.values()) + _driver_messages(lines, hits)


__all__ = ["XID_MEANINGS", "read"]
