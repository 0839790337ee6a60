"""AMD ROCm tools' text: rocminfo's agents, the KFD topology's node properties, rocm-smi's
product names. Pure: doctor's probe (probe/rocm.py) and explain's section reader
(explain/sections/rocm.py) read the same text with these functions.

The KFD topology (/sys/class/kfd/kfd/topology/nodes/N/properties) is the kernel's own answer and
needs no ROCm user space: each node's `gfx_target_version` is major*10000 + minor*100 + stepping
(0 on a CPU node), and the target's name writes minor and stepping in hex (90010 -> gfx90a,
100301 -> gfx1031). Source: the Linux kernel, drivers/gpu/drm/amd/amdkfd/kfd_device.c (the
gfx_target_version of each GC IP version, e.g. Navy Flounder 100301) and kfd_topology.c (the
`gfx_target_version` property it prints).
"""

from __future__ import annotations

import re
from typing import Optional

from envsetup.compat.amd_gpu_ids import SOURCE as AMD_IDS_SOURCE
from envsetup.compat.amd_gpu_ids import gfx_by_device_id, gfx_by_series
from envsetup.facts import AmdGpu

# rocminfo names each agent "  Name:   gfx1031" (GPU) or the CPU's model (not a gfx target), and
# gives a GPU agent's product as "  Marketing Name:   AMD Radeon RX 6700 XT".
_GFX_NAME = re.compile(r"^\s*Name:\s+(gfx[0-9a-f]+)\b", re.MULTILINE)
_AGENT_LINE = re.compile(r"^\s*(Name|Marketing Name):\s*(.*?)\s*$")
_KFD_VERSION = re.compile(r"^gfx_target_version\s+(\d{1,7})\s*$", re.MULTILINE)
# The ROCm runtime's words when it cannot open the compute device, as rocminfo prints them
# (ROCm/ROCm-docker #116: "Unable to open /dev/kfd read-write: Permission denied";
# ROCm/legacy-rocm-build #1798: "... read-write: No such file or directory").
_KFD_OPEN = re.compile(r"Unable to open /dev/kfd read-write: *(.+?)\s*$", re.MULTILINE)


def kfd_open_error(rocminfo: str) -> Optional[str]:
    """'Permission denied' from rocminfo's failure text; None when it says no such thing."""
    found = _KFD_OPEN.search(rocminfo)
    return found.group(1) if found else None


def gfx_targets(rocminfo: str) -> list[str]:
    """The GPU agents' gfx targets rocminfo lists, in order, once each."""
    return list(dict.fromkeys(_GFX_NAME.findall(rocminfo)))


def rocminfo_gpus(rocminfo: str) -> list[AmdGpu]:
    """Each GPU agent rocminfo lists: its gfx target and the Marketing Name that follows it.

    rocminfo prints a "Name:" line per agent and, per ISA, another "Name:" line naming the full
    ISA ("amdgcn-amd-amdhsa--gfx1031"), which does not start with gfx and is not a new agent."""
    gpus: list[AmdGpu] = []
    for line in rocminfo.splitlines():
        found = _AGENT_LINE.match(line)
        if not found:
            continue
        key, value = found.groups()
        if key == "Name" and re.fullmatch(r"gfx[0-9a-f]+", value):
            gpus.append(AmdGpu(gfx=value, source="command:rocminfo"))
        elif key == "Marketing Name" and gpus and not gpus[-1].name:
            gpus[-1].name = value
    return gpus


def gfx_from_kfd_version(value: int) -> Optional[str]:
    """KFD's gfx_target_version -> the target's name: 100301 -> 'gfx1031', 90010 -> 'gfx90a';
    None for 0 (a CPU node) or a value no target has."""
    major, rest = divmod(value, 10000)
    minor, stepping = divmod(rest, 100)
    if major == 0 or minor > 15 or stepping > 15:
        return None
    return f"gfx{major}{minor:x}{stepping:x}"


def kfd_version_from_gfx(gfx: str) -> Optional[int]:
    """The inverse of gfx_from_kfd_version: 'gfx1102' -> 110002, 'gfx90a' -> 90010 (the last
    two characters are the minor and stepping, in hex); None for a name of no such shape."""
    digits = gfx[3:] if gfx.startswith("gfx") else ""
    if len(digits) < 3 or not digits[:-2].isdigit():
        return None
    try:
        minor, stepping = int(digits[-2], 16), int(digits[-1], 16)
    except ValueError:
        return None
    return int(digits[:-2]) * 10000 + minor * 100 + stepping


def kfd_gfx_target(properties: str) -> Optional[str]:
    """One topology node's properties text -> its GPU's gfx target; None for a CPU node."""
    found = _KFD_VERSION.search(properties)
    return gfx_from_kfd_version(int(found.group(1))) if found else None


# A GPU agent's ISA name, "amdgcn-amd-amdhsa--gfx1032" (a feature suffix such as ":xnack-" may
# follow); the generic ISAs ROCm 6.4+ also lists ("gfx9-generic") name no one target.
_ISA_GFX = re.compile(r"^\s*Name:\s+amdgcn-amd-amdhsa--(gfx[0-9a-f]+)(?=[:\s]|$)", re.MULTILINE)


def isa_gfx_targets(rocminfo: str) -> list[str]:
    """The gfx targets of the ISA names rocminfo lists under its GPU agents ("ISA Info:"), for
    a paste cut so that only an agent's ISA part is left."""
    return list(dict.fromkeys(_ISA_GFX.findall(rocminfo)))


# `grep gfx_target_version /sys/class/kfd/kfd/topology/nodes/*/properties` prefixes each line
# with its file (ROCm/rocm-cli pull request #343 shows the property line itself).
_KFD_LINE = re.compile(
    r"^\s*(?:/sys/class/kfd/kfd/topology/nodes/(?P<node>\d{1,4})/properties:)?"
    r"gfx_target_version\s+(?P<value>\d{1,7})\s*$",
    re.MULTILINE,
)


def kfd_text_gfx_targets(text: str) -> list[tuple[Optional[int], str]]:
    """(node, gfx target) of every GPU node in KFD properties text (one node's file, `cat` of
    several, or grep's "path:line" form); CPU nodes (0) are left out."""
    found = []
    for match in _KFD_LINE.finditer(text):
        gfx = gfx_from_kfd_version(int(match.group("value")))
        node = match.group("node")
        if gfx:
            found.append((int(node) if node else None, gfx))
    return found


# rocm-smi --showproductname: "GPU[0]\t\t: Card series: \t\tNavi 22 [Radeon RX 6700 XT]"
# (ROCm/legacy-rocm-build issue #1351 shows ROCm 4.0's lines, easybuilders/easybuild-framework
# pull request #3978 a Fiji's); newer releases add a "GFX Version: gfx1031" line per GPU. Without
# it the card series names the chip ("Fiji [...]") or, where pci.ids had no name, is the PCI device
# id ("0x738c"): compat/amd_gpu_ids.py's sourced table gives the target. The card model is no key
# (ROCm 4.0 prints the subsystem id there, "0xc34", which may equal another chip's device id).
_SMI_PRODUCT = re.compile(
    r"^\s*GPU\[(?P<index>\d{1,3})\]\s*:\s*(?P<key>[A-Za-z][\w ]{1,30}?):\s*(?P<value>.*?)\s*$"
)
_HEX_ID = re.compile(r"0x[0-9a-fA-F]+")
# rocm-smi's "GFX Version" ("GFX VER" in --showhw's Concise Hardware Info) comes from KFD's
# gfx_target_version (major*10000 + minor*100 + stepping), written three ways (ROCm/rocm_smi_lib,
# src/rocm_smi_utils.cc rsmi_get_gfx_target_version and python_smi_tools/rocm_smi.py
# getTargetGfxVersion; the history is in ROCm/rocm-systems, projects/rocm-smi-lib):
# - ROCm 6.1-6.2 (commit 5d2cd0c, 2024-01-29): "gfx" + decimal(major*100 + minor*10 + stepping),
#   the major first multiplied by 10 more where the minor is 0: gfx1102 (110002) -> "gfx11002",
#   gfx1100 -> "gfx11000", gfx1201 -> "gfx12001", gfx90a (90010) -> "gfx9010", gfx908 -> "gfx9008";
#   a target with a non-zero minor reads right (gfx1036, gfx942, gfx1151). Real outputs:
#   "gfx11002" beside "gfx1036" (ROCm/legacy-rocm-build #4380), "gfx11000" (a W7900,
#   BJankow/hackster.io-AI-video-narration-for-visually-impaired), "gfx9010" (an MI250X,
#   ROCm/rocm_smi_lib #159).
# - ROCm 6.3 (rocm_smi_lib 4690227, 2024-11-06: no extra x10 once major*100 has four digits;
#   d2efac3, 2024-12-08: "9010" printed "gfx90a"; its CHANGELOG: "Fixed ... --showhw ... not
#   displaying properly for MI2x or Navi 3x"): gfx10+ and gfx90a read right, other gfx9 targets
#   with a zero minor still print "gfx9008".
# - ROCm 6.4+ (rocm_smi_lib 94dca70, 2025-01-21): the target's own name ("gfx90a", "gfx1102").
# No target's name has five digits or starts "gfx9" with four, so those are the decimal writing.
_DECIMAL_GFX9 = re.compile(r"gfx90(0[0-9]|1[0-5])")
_DECIMAL_GFX1X = re.compile(r"gfx(1[0-2])(0[0-9]{2})")


def rocm_smi_gfx(value: str) -> Optional[str]:
    """The gfx target rocm-smi's "GFX Version" / "GFX VER" value names ("gfx1031"; the ROCm
    6.1-6.3 decimal writing: "gfx9010" -> "gfx90a", "gfx9008" -> "gfx908", "gfx11002" ->
    "gfx1102"); None for anything else ("N/A", "")."""
    value = value.strip().lower()
    gfx9 = _DECIMAL_GFX9.fullmatch(value)
    if gfx9:
        return f"gfx90{int(gfx9.group(1)):x}"
    gfx1x = _DECIMAL_GFX1X.fullmatch(value)
    if gfx1x:
        stepping = int(gfx1x.group(2))
        return f"gfx{gfx1x.group(1)}0{stepping:x}" if stepping <= 15 else None
    return value if re.fullmatch(r"gfx[0-9a-f]{3,4}", value) else None


def rocm_smi_products(text: str) -> list[AmdGpu]:
    """The GPUs of `rocm-smi --showproductname` whose gfx target it prints or its card series
    gives (compat/amd_gpu_ids.py), in index order, each named by its card series (or model) where
    that is a name, not a PCI id."""
    by_index: dict[int, dict[str, str]] = {}
    for line in text.splitlines():
        match = _SMI_PRODUCT.match(line)
        if match:
            fields = by_index.setdefault(int(match.group("index")), {})
            fields[match.group("key").strip().casefold()] = match.group("value")
    gpus = []
    for index in sorted(by_index):
        fields = by_index[index]
        gfx, source = rocm_smi_gfx(fields.get("gfx version", "")), "rocm-smi --showproductname"
        series = fields.get("card series", "")
        if not gfx:
            gfx = gfx_by_series(series) or ""
            source = f"rocm-smi card series {series!r} ({AMD_IDS_SOURCE})"
        if not gfx:
            continue
        names = (series, fields.get("card model", ""))
        name = next((n for n in names if n and not _HEX_ID.fullmatch(n)), "")
        gpus.append(AmdGpu(gfx=gfx, name=name, source=source))
    return gpus


# `rocm-smi --showproductname --csv`: a "device,Card series,Card model,Card vendor,Card SKU" header,
# then one "card0,Arcturus GL-XL [AMD Instinct MI100],0x0c34,..." row per GPU
# (easybuilders/easybuild-framework pull request #3978).
_SMI_CSV_ROW = re.compile(r"^\s*card(\d{1,3}),", re.IGNORECASE)


def is_rocm_smi_csv_header(line: str) -> bool:
    """Whether `line` is the header row of `rocm-smi --showproductname --csv`."""
    cells = [cell.strip().casefold() for cell in line.strip().split(",")]
    return (
        len(cells) > 1 and cells[0] == "device" and bool({"card series", "gfx version"} & {*cells})
    )


def rocm_smi_csv_products(text: str) -> list[AmdGpu]:
    """rocm_smi_products for the --csv form: the header names the columns, each "cardN" row a
    GPU (its fields as the text form's, so the same rules give its target and name)."""
    import csv

    rows = list(csv.reader(line for line in text.splitlines() if line.strip()))
    header = next((i for i, row in enumerate(rows) if is_rocm_smi_csv_header(",".join(row))), None)
    if header is None:
        return []
    keys = [cell.strip().casefold() for cell in rows[header]]
    lines = []
    for row in rows[header + 1 :]:
        match = _SMI_CSV_ROW.match(",".join(row[:1]) + ",")
        if match is None or len(row) != len(keys):
            continue
        lines += [
            f"GPU[{match.group(1)}] : {key}: {value}" for key, value in zip(keys[1:], row[1:])
        ]
    return rocm_smi_products("\n".join(lines))


# `amd-smi static` (ROCm 6+): per GPU a "GPU: N" line, then indented blocks ("ASIC:", "BUS:"...)
# of "KEY: value" lines; ASIC's TARGET_GRAPHICS_VERSION is the gfx target, MARKET_NAME the product,
# DEVICE_ID the PCI id (ROCm/rocm-systems pull requests #2987, an MI350X's, and #3654, an MI210's).
_AMD_SMI_GPU = re.compile(r"^GPU:\s*(\d{1,3})\s*$")
_AMD_SMI_FIELD = re.compile(r"^\s+([A-Z][A-Z0-9_]{1,40}):\s*(.*?)\s*$")


def amd_smi_static_gpus(text: str) -> list[AmdGpu]:
    """Each GPU of `amd-smi static` whose ASIC block gives its target (TARGET_GRAPHICS_VERSION,
    or its DEVICE_ID through compat/amd_gpu_ids.py), named by MARKET_NAME, in index order."""
    by_index: dict[int, dict[str, str]] = {}
    current: Optional[dict[str, str]] = None
    for line in text.splitlines():
        gpu = _AMD_SMI_GPU.match(line)
        if gpu:
            current = by_index.setdefault(int(gpu.group(1)), {})
            continue
        if line[:1] not in (" ", "\t"):
            current = None  # another top-level block ("AI_NIC: 0"): not a GPU's
            continue
        field = _AMD_SMI_FIELD.match(line)
        if field and current is not None:
            current.setdefault(field.group(1), field.group(2))
    gpus = []
    for index in sorted(by_index):
        fields = by_index[index]
        gfx, source = fields.get("TARGET_GRAPHICS_VERSION", ""), "amd-smi static"
        if not re.fullmatch(r"gfx[0-9a-f]+", gfx):
            device = fields.get("DEVICE_ID", "")
            gfx = gfx_by_device_id(device) or "" if device else ""
            source = f"amd-smi DEVICE_ID {device} ({AMD_IDS_SOURCE})"
        if gfx:
            name = fields.get("MARKET_NAME", "")
            gpus.append(AmdGpu(gfx=gfx, name="" if name == "N/A" else name, source=source))
    return gpus


# HSA_OVERRIDE_GFX_VERSION as a shell sets it: "export HSA_OVERRIDE_GFX_VERSION=10.3.0", the
# assignment before a command, or `env`'s line. The runtime reads "major.minor.stepping"
# (ROCm/rocBLAS pull request #1251 and the threads it cites use 10.3.0 for gfx1031).
_OVERRIDE = re.compile(
    r"(?:export\s+|set\s+|\$env:)?HSA_OVERRIDE_GFX_VERSION\s*=\s*[\"']?(?P<value>\d{1,2}\.\d{1,2}\.\d{1,2})[\"']?(?:\s|;|$)"
)


def hsa_override(line: str) -> Optional[str]:
    """The override a shell line sets ("10.3.0"); None when the line does not start with the
    assignment (prose that mentions it sets nothing)."""
    match = _OVERRIDE.match(line.strip())
    return match.group("value") if match else None
