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


def _gpu_unsupported(p: Mapping[str, Any]) -> Words:
    gpu = p.get("gpu") or "the GPU"
    device = f" (PCI ID {p['device']})" if p.get("device") else ""
    at = f" at {', '.join(p['pci'])}" if p.get("pci") else ""
    driver = f"driver {p['driver']}" if p.get("driver") else "this driver"
    cause = p.get("cause")
    arch = (
        f"compute capability {p['capability']}, first built for by CUDA {p['need_cuda']}, whose "
        f"driver is {p['need_driver']} (R{p['need_branch']})"
        if p.get("need_branch")
        else ""
    )
    if cause == "legacy-gpu":
        return Words(
            f"The NVIDIA {driver} ignores the {gpu}: its support moved to the NVIDIA "
            f"{p.get('legacy')}.xx legacy branch",
            f"Install the R{p.get('legacy')} legacy driver (Ubuntu `nvidia-driver-"
            f"{p.get('legacy')}`; the .run installer of the newest {p.get('legacy')}.xx release "
            "from nvidia.com/object/unix.html), whose CUDA is older: take a torch build for it "
            "(`envsetup install --cuda auto` after the driver), or a newer GPU.",
        )
    if cause == "open-module-no-gsp":
        return Words(
            f"The open NVIDIA kernel module cannot drive {gpu}{device}{at}: it has no GPU System "
            "Processor (GSP), which the open module needs (GPUs before Turing)",
            "Install the proprietary kernel module of the same driver instead of the open one "
            "(Ubuntu: `nvidia-driver-BRANCH`, not `-open`; RPM Fusion / negativo17: the `kernel` "
            "flavour in /etc/nvidia/kernel.conf, then `akmods --rebuild`; the .run installer: "
            "`-m=kernel`), or a branch that still ships it for this GPU; then reboot and check "
            "`nvidia-smi`.",
        )
    if cause == "driver-too-old":
        return Words(
            f"The NVIDIA {driver} (R{p.get('branch')}) is too old for {gpu}{device}{at}: its "
            f"architecture ({arch}) needs R{p['need_branch']} or newer",
            f"Install a driver of branch R{p['need_branch']} or newer that lists this GPU in its "
            "README's 'Appendix A - Supported NVIDIA GPU Products' (the newest production branch "
            "is the safe choice: a product released after its architecture needs a later "
            "release than the architecture's first), remove the old one's kernel module, reboot "
            "and check `nvidia-smi`.",
        )
    supports = (
        f"; its branch R{p.get('branch')} is not older than the architecture's first ({arch})"
        if p.get("need_branch") and p.get("branch")
        else ""
    )
    return Words(
        f"The NVIDIA {driver} does not list {gpu}{device}{at} among the GPUs it supports, so it "
        f"refused it{supports}",
        "Check this GPU in the driver README's 'Appendix A - Supported NVIDIA GPU Products': a "
        "product newer than the release needs a newer release of a current branch; a GPU "
        "passed to a VM as a vGPU needs NVIDIA's vGPU (GRID) guest driver, and one in "
        "confidential-computing mode the driver and settings NVIDIA's CC deployment guide gives; "
        "the open kernel module of early branches took GeForce GPUs only with "
        "`NVreg_OpenRmEnableUnsupportedGpus=1`.",
    )


WORDS: dict[str, WordFn] = {
    "driver-gpu-unsupported": _gpu_unsupported,
    "nvidia-module-not-built": _module_not_built,
    # Above 4G Decoding / Resizable BAR: an RTX 5090 whose BAR could not be mapped fails with
    # RmInitAdapter (0x22:0x56:884) until both are enabled in the BIOS (NVIDIA/
    # open-gpu-kernel-modules #862, the thread's resolution; aikitoria/open-gpu-kernel-modules #7:
    # 5090s need the driver to resize their BAR, which needs the firmware's rebar support).
    "gpu-init-failed": _static(
        "The NVIDIA kernel module could not initialise the GPU (RmInitAdapter failed)",
        "Read the NVRM lines before it in `dmesg`; in the BIOS/UEFI enable Above 4G Decoding and "
        "Resizable BAR (large-memory GPUs such as the RTX 50 series fail this way without them); "
        "check that the driver branch supports this GPU, power-cycle the machine (not just "
        "reboot), and check power and PCIe seating.",
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
