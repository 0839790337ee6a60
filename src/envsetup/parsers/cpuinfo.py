"""The CPU and memory, as the kernel and the usual tools print them.

  /proc/cpuinfo    x86: "model name" per processor; aarch64 (no model name): "CPU implementer"
                   and "CPU part", named through ARM_PARTS (as lscpu names them); POWER: "cpu"
  /proc/meminfo    "MemTotal:  24683656 kB", "MemAvailable: ..." (kB: KiB, proc(5))
  lscpu            "Model name:" and "CPU(s):" (collect_env's "CPU:" block on Linux)
  sysctl           "machdep.cpu.brand_string: Apple M1", "hw.ncpu: 8", "hw.memsize: BYTES" (macOS)

Real outputs the tests read: tests/fixtures/system_info/SOURCES.tsv.
"""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

# MIDR implementer and part numbers -> names, as util-linux's lscpu names them
# (sys-utils/lscpu-arm.c: https://github.com/util-linux/util-linux/blob/master/sys-utils/lscpu-arm.c),
# for the cores a PyTorch machine runs on: Arm's Cortex-A and Neoverse (Graviton, Grace,
# Jetson Orin's Cortex-A78AE, Raspberry Pi), NVIDIA's own (Xavier's Carmel), Ampere, HiSilicon,
# Fujitsu, Phytium, Qualcomm and Apple (Asahi Linux). A part missing here is shown by its number.
ARM_IMPLEMENTERS: dict[int, str] = {
    0x41: "ARM",
    0x42: "Broadcom",
    0x43: "Cavium",
    0x46: "FUJITSU",
    0x48: "HiSilicon",
    0x4E: "NVIDIA",
    0x50: "APM",
    0x51: "Qualcomm",
    0x53: "Samsung",
    0x61: "Apple",
    0x70: "Phytium",
    0xC0: "Ampere",
}
ARM_PARTS: dict[tuple[int, int], str] = {
    (0x41, 0xD03): "Cortex-A53",
    (0x41, 0xD04): "Cortex-A35",
    (0x41, 0xD05): "Cortex-A55",
    (0x41, 0xD07): "Cortex-A57",
    (0x41, 0xD08): "Cortex-A72",
    (0x41, 0xD09): "Cortex-A73",
    (0x41, 0xD0A): "Cortex-A75",
    (0x41, 0xD0B): "Cortex-A76",
    (0x41, 0xD0C): "Neoverse-N1",
    (0x41, 0xD0D): "Cortex-A77",
    (0x41, 0xD0E): "Cortex-A76AE",
    (0x41, 0xD40): "Neoverse-V1",
    (0x41, 0xD41): "Cortex-A78",
    (0x41, 0xD42): "Cortex-A78AE",
    (0x41, 0xD44): "Cortex-X1",
    (0x41, 0xD46): "Cortex-A510",
    (0x41, 0xD47): "Cortex-A710",
    (0x41, 0xD48): "Cortex-X2",
    (0x41, 0xD49): "Neoverse-N2",
    (0x41, 0xD4A): "Neoverse-E1",
    (0x41, 0xD4B): "Cortex-A78C",
    (0x41, 0xD4C): "Cortex-X1C",
    (0x41, 0xD4D): "Cortex-A715",
    (0x41, 0xD4E): "Cortex-X3",
    (0x41, 0xD4F): "Neoverse-V2",
    (0x42, 0x516): "ThunderX2",
    (0x43, 0x0AF): "ThunderX2-99xx",
    (0x46, 0x001): "A64FX",
    (0x48, 0xD01): "Kunpeng-920",
    (0x4E, 0x000): "Denver",
    (0x4E, 0x003): "Denver 2",
    (0x4E, 0x004): "Carmel",
    (0x50, 0x000): "X-Gene",
    (0x51, 0x800): "Falkor-V1/Kryo",
    (0x51, 0xC00): "Falkor",
    (0x61, 0x022): "Icestorm-M1",
    (0x61, 0x023): "Firestorm-M1",
    (0x61, 0x032): "Blizzard-M2",
    (0x61, 0x033): "Avalanche-M2",
    (0x70, 0x660): "FTC660",
    (0x70, 0x661): "FTC661",
    (0x70, 0x662): "FTC662",
    (0x70, 0x663): "FTC663",
    (0xC0, 0xAC3): "Ampere-1",
    (0xC0, 0xAC4): "Ampere-1a",
}

_KEY_VALUE = re.compile(r"^([^:]+?)\s*:\s?(.*)$")


class CpuReading(NamedTuple):
    model: str  # "" when the text names none
    count: Optional[int]  # the processors listed; None when none is


def _fields(block: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in block.splitlines():
        match = _KEY_VALUE.match(line.strip())
        if match and match.group(1) not in out:
            out[match.group(1)] = match.group(2).strip()
    return out


def _hex(value: Optional[str]) -> Optional[int]:
    try:
        return int(value, 16) if value and value.lower().startswith("0x") else None
    except ValueError:
        return None


def arm_core_name(implementer: Optional[str], part: Optional[str]) -> str:
    """ "0x41", "0xd0c" -> "ARM Neoverse-N1"; a part not in ARM_PARTS by its numbers."""
    vendor_id, part_id = _hex(implementer), _hex(part)
    if vendor_id is None:
        return ""
    vendor = ARM_IMPLEMENTERS.get(vendor_id, f"implementer {implementer}")
    name = ARM_PARTS.get((vendor_id, part_id)) if part_id is not None else None
    return f"{vendor} {name}" if name else f"{vendor} part {part or '?'}"


def _grouped(names: list[str]) -> str:
    """["A", "A", "B", "B"] -> "2x A + 2x B"; one name alone when all are the same."""
    counts: dict[str, int] = {}
    for name in names:
        counts[name] = counts.get(name, 0) + 1
    if len(counts) == 1:
        return names[0]
    return " + ".join(f"{count}x {name}" for name, count in counts.items())


def parse_cpuinfo(text: str) -> CpuReading:
    """The CPU model /proc/cpuinfo names and how many processors it lists."""
    names: list[str] = []
    count = 0
    whole = _fields(text)
    for block in re.split(r"\n\s*\n", text):
        fields = _fields(block)
        if "processor" not in fields:
            continue
        count += 1
        # x86 and some arm64 (Phytium) name the model; POWER says "cpu : POWER9, altivec ..."
        name = fields.get("model name") or fields.get("cpu") or ""
        if not name:
            name = arm_core_name(fields.get("CPU implementer"), fields.get("CPU part"))
        if name:
            names.append(" ".join(name.split()))
    model = _grouped(names) if names else ""
    if not model:
        # old arm kernels: one "Hardware : BCM2835" / "Processor : AArch64 Processor" line
        model = whole.get("Hardware", "") or whole.get("Processor", "")
    return CpuReading(model, count or None)


def parse_meminfo(text: str) -> tuple[Optional[int], Optional[int]]:
    """(MemTotal, MemAvailable) in KiB; None for a line that is missing or not a number."""

    def kib(name: str) -> Optional[int]:
        match = re.search(rf"^{name}:\s*(\d{{1,20}})\s*kB\s*$", text, re.M)
        return int(match.group(1)) if match else None

    return kib("MemTotal"), kib("MemAvailable")


# lscpu translates its keys: zh_CN prints "型号名称：" for "Model name:" and "CPU：" for "CPU(s):",
# with a full-width colon (a real paste: tests/fixtures/paste/collect-env/ext-collect-env-chinese-lscpu.txt).
_LSCPU_MODEL_KEYS = ("Model name", "型号名称")
_LSCPU_COUNT_KEYS = ("CPU(s)", "CPU")


def parse_lscpu(text: str) -> CpuReading:
    """lscpu's "Model name:" (each core type's, on a big.LITTLE machine) and "CPU(s):"."""
    names: list[str] = []
    count: Optional[int] = None
    for line in text.replace("\uff1a", ":").splitlines():
        match = _KEY_VALUE.match(line.strip())
        if not match:
            continue
        key, value = match.group(1), match.group(2).strip()
        if key in _LSCPU_MODEL_KEYS and value and value not in names:
            names.append(value)
        elif key in _LSCPU_COUNT_KEYS and count is None and value.isdigit() and len(value) < 8:
            count = int(value)
    return CpuReading(" + ".join(names), count)


def parse_sysctl(text: str) -> dict[str, str]:
    """`sysctl NAME...` lines ("hw.ncpu: 8") as NAME -> value."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        name, colon, value = line.partition(":")
        if colon and name.strip() and " " not in name.strip():
            out.setdefault(name.strip(), value.strip())
    return out


__all__ = [
    "ARM_IMPLEMENTERS",
    "ARM_PARTS",
    "CpuReading",
    "arm_core_name",
    "parse_cpuinfo",
    "parse_lscpu",
    "parse_meminfo",
    "parse_sysctl",
]
