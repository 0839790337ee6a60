"""Findings from kernel log lines (dmesg, journalctl -k, nvidia-installer.log) in words: the
NVIDIA module not loading or signed, nouveau holding the GPU, RmInitAdapter failures, and Xids
(NVIDIA Xid catalogue, docs.nvidia.com/deploy/xid-errors). Judged in diagnose/signal_rules.py.
"""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words
from envsetup.render.words.params import static as _static


def _xid(title_prefix: str, fix: str, bare: str = "") -> WordFn:
    """`bare`: the title when no Xid number was logged (the message alone), else " an Xid"."""

    def words(p: Mapping[str, Any]) -> Words:
        count = f", {p['count']} times" if (p.get("count") or 1) > 1 else ""
        meaning = f": {p['meaning']}" if p.get("meaning") else ""
        if p.get("xid") is None and bare:
            gpu = f" (GPU {p['pci']})" if p.get("pci") else ""
            return Words(f"{bare}{gpu}{count}", fix)
        xid = f" Xid {p['xid']}" if p.get("xid") is not None else " an Xid"
        gpu = f" on GPU {p['pci']}" if p.get("pci") else ""
        # The driver logged a cleanup Xid (45) that names this one as its cause.
        logged = f" (named as the cause of the Xid {p['logged']} logged)" if p.get("logged") else ""
        return Words(f"{title_prefix}{xid}{gpu}{meaning}{logged}{count}", fix)

    return words


def _module_not_built(p: Mapping[str, Any]) -> Words:
    module = p.get("module") or "nvidia"
    kernel = f" {p['kernel']}" if p.get("kernel") else ""
    return Words(
        f"modprobe finds no NVIDIA kernel module ({module}) for the running kernel{kernel}: the "
        "driver's module was built for another kernel, or removed",
        "Rebuild the driver's module for this kernel, with DKMS so that the next kernel update "
        "rebuilds it too: install the headers (`linux-headers-$(uname -r)` / `kernel-devel`) and "
        "`dkms`, then `sudo dkms autoinstall` (Ubuntu: reinstall the driver's `nvidia-dkms-BRANCH` "
        "package; RPM Fusion: `sudo akmods --force`; the .run installer: run it again with "
        "`--dkms`), or boot the kernel it was built for; then check `nvidia-smi`.",
    )


WORDS: dict[str, WordFn] = {
    "nvidia-module-not-built": _module_not_built,
    "gpu-init-failed": _static(
        "The NVIDIA kernel module could not initialise the GPU (RmInitAdapter failed)",
        "Read the NVRM lines before it in `dmesg`; check that the driver branch supports this GPU, "
        "power-cycle the machine (not just reboot), and check power and PCIe seating.",
    ),
    "secure-boot-rejects-nvidia-module": _static(
        "Secure Boot rejected the unsigned NVIDIA kernel module ('Key was rejected by service')",
        "Check `mokutil --sb-state`; enroll the DKMS signing key (`sudo mokutil --import "
        "/var/lib/dkms/mok.pub`, reboot, confirm in the MOK manager) or disable Secure Boot.",
    ),
    "nvidia-module-load-failed": _static(
        "The NVIDIA installer could not load its kernel module",
        "Read 'Kernel messages' at the end of /var/log/nvidia-installer.log; the usual causes are "
        "Secure Boot (`mokutil --sb-state`), nouveau holding the GPU, or kernel headers not "
        "matching `uname -r`.",
    ),
    "nvidia-module-unsigned": _static(
        "The NVIDIA kernel module is unsigned (the kernel is tainted; harmless unless Secure Boot enforces signatures)",
        "",
    ),
    "nouveau-owns-gpu": _static(
        "The nouveau driver owns the GPU, so NVIDIA's module cannot bind it",
        "Blacklist nouveau (`blacklist nouveau` and `options nouveau modeset=0` in "
        "/etc/modprobe.d/blacklist-nouveau.conf), rebuild the initramfs, reboot.",
    ),
    "gpu-fell-off-bus": _xid(
        "The GPU fell off the bus:",
        "A hardware or power fault: check power cables and PSU, cooling, PCIe seating and the "
        "system BIOS; reboot to recover; repeated, have the GPU serviced.",
        bare="The GPU fell off the bus",
    ),
    "gpu-memory-error": _xid(
        "GPU memory error:",
        "Reset the GPU (`nvidia-smi -r`) or reboot to retire pages / remap rows; check "
        "`nvidia-smi -q -d ECC,ROW_REMAPPER`; repeated, have the GPU serviced.",
    ),
    "gpu-nvlink-error": _xid(
        "NVLink error:",
        "Check `nvidia-smi nvlink -s` and the fabric; reset the GPUs or reboot; repeated, "
        "contact the system vendor.",
    ),
    "gpu-xid-application-fault": _xid(
        "A program faulted on the GPU:",
        "Usually a bug or out-of-bounds access in the program (run with CUDA_LAUNCH_BLOCKING=1 "
        "or compute-sanitizer); on many GPUs or with known-good code, check the hardware.",
    ),
    "gpu-xid": _xid(
        "The NVIDIA driver logged",
        "Look the Xid up in NVIDIA's Xid catalogue (docs.nvidia.com/deploy/xid-errors); update "
        "the driver; reset the GPU or reboot.",
    ),
}
