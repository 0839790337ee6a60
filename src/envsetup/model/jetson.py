"""NVIDIA Jetson (L4T / JetPack): the board, its integrated GPU, and the torch builds that use it.

A Jetson's GPU is part of its system-on-chip and its driver is part of L4T (Linux for Tegra, the
board support package JetPack ships): there is no desktop driver to install, and nvidia-smi is
absent before JetPack 7. Wheels from PyPI or PyPI-style aarch64 CUDA wheels are built for
server ARM (SBSA) and the desktop/server driver, not for L4T's CUDA stack (bitsandbytes PR #1941,
https://github.com/bitsandbytes-foundation/bitsandbytes/pull/1941), so a Jetson needs NVIDIA's
own builds of torch, per JetPack release.

Pure data and functions: the probe (envsetup.probe.jetson) reads the files, this module reads
their text. Every table names its source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional, Sequence

from envsetup.digits import small_int
from envsetup.model.capability import ComputeCapability

# The compute capability of each Jetson module's integrated GPU, by the words of its name in
# /proc/device-tree/model. Sources: NVIDIA "CUDA GPU Compute Capability",
# https://developer.nvidia.com/cuda-gpus (Jetson AGX Orin / Orin NX / Orin Nano 8.7; Jetson
# T5000 / T4000, i.e. Thor, 11.0) and "Legacy CUDA GPU Compute Capability",
# https://developer.nvidia.com/cuda-legacy-gpus (Jetson AGX Xavier / Xavier NX 7.2, TX2 6.2,
# Nano 5.3). TX1 (Tegra X1, the Nano's chip) is 5.3 on the same legacy page's Tegra X1 row.
# Order matters: the first module word found in the model string wins ("Orin Nano" is Orin).
MODULES: tuple[tuple[str, str, str], ...] = (
    ("thor", "Thor", "11.0"),
    ("orin", "Orin", "8.7"),
    ("xavier", "Xavier", "7.2"),
    ("tx2", "TX2", "6.2"),
    ("nano", "Nano", "5.3"),
    ("tx1", "TX1", "5.3"),
)
CAPABILITY_SOURCE = "https://developer.nvidia.com/cuda-gpus"

# L4T major release -> the JetPack series that ships it. Source: NVIDIA's "PyTorch for Jetson"
# forum page, https://forums.developer.nvidia.com/t/pytorch-for-jetson/72048 (JetPack 4.4 = L4T
# R32.4.3; JetPack 5.0 = R34.1; 5.0.2 = R35.1; 5.1 = R35.2.1; 5.1.1 = R35.3.1; 5.1.2 = R35.4.1;
# JetPack 6.0 DP = R36.2.0), and for JetPack 7 = L4T R38 (Thor): pollen-robotics/microduck_rl
# issue #38 ("Jetson AGX Thor (JetPack 7 / L4T R38, CUDA 13.0)") and roboflow/inference PR #1935
# ("JetPack 7.1 (L4T R38.4.0)").
# L4T R39 is JetPack 7 as well, for Orin and Thor (JetPack 7.2 = L4T R39.2.0, CUDA 13.2:
# OE4T/meta-tegra PR #2224 and #2281; anduril/jetpack-nixos PR #510 "enable JetPack 7 Orin").
JETPACK_FOR_L4T = {32: "4", 34: "5", 35: "5", 36: "6", 38: "7", 39: "7"}
# L4T release -> JetPack release, where the series alone says too little. Sources: the forum page
# above (R32.7.1 = 4.6.1, R35.2.1 = 5.1, R35.3.1 = 5.1.1, R35.4.1 = 5.1.2, R36.4.3 = 6.2);
# R38.2 = 7.0 (pollen-robotics/microduck_rl issue #38, rbonghi/jetson_stats issue #711's R38.2.0
# Thor), R38.4 = 7.1 (roboflow/inference PR #1935; rbonghi/jetson_stats PR #792), R39.2 = 7.2
# (OE4T/meta-tegra PR #2224).
JETPACK_RELEASE_FOR_L4T = {
    "32.7.1": "4.6.1", "35.2.1": "5.1", "35.3.1": "5.1.1", "35.4.1": "5.1.2", "36.4.3": "6.2",
    "38.2": "7.0", "38.4": "7.1", "39.2": "7.2",
}  # fmt: skip
# The module an L4T major release line implies (module_for_l4t, with its source).
L4T_MODULE: dict[str, tuple[str, ComputeCapability]] = {
    "36": ("Orin", ComputeCapability.parse("8.7")),
    "38": ("Thor", ComputeCapability.parse("11.0")),
}
# Modules whose GPU PyTorch's own aarch64 CUDA wheels use (pytorch_wheels_run, with sources).
PYTORCH_WHEEL_MODULES = ("Thor",)
JETPACK_SOURCE = "https://forums.developer.nvidia.com/t/pytorch-for-jetson/72048"
# The same source as facts and output name it: a URL with /t/<name>/ reads as an Anaconda token
# URL to envsetup.sanitize, which would mask it.
JETPACK_SOURCE_LABEL = "NVIDIA forum 'PyTorch for Jetson' (forums.developer.nvidia.com topic 72048)"
# Where people are sent for JetPack releases with no pip index: PyTorch's README section that
# links NVIDIA's Jetson wheels (no /t/ path, so output keeps it whole).
JETSON_PAGE = "https://github.com/pytorch/pytorch#nvidia-jetson-platforms"


@dataclass(frozen=True)
class JetPackBuilds:
    """Where the torch builds for one JetPack series come from.

    index_url: NVIDIA's pip index of torch builds for that series (None: only single wheel files,
    no index envsetup can install from); cuda: the CUDA those builds use; python: the one Python
    they are built for; torch / torchvision: a matching pair seen on that index; page: where a
    person finds the builds; pytorch_wheels: PyTorch's own aarch64 CUDA wheels run on this
    series' GPU (Thor under JetPack 7, whose GPU they list); source: where each fact was read.
    """

    series: str
    index_url: Optional[str]
    cuda: Optional[str]
    python: Optional[str]
    torch: Optional[str]
    torchvision: Optional[str]
    page: str
    pytorch_wheels: bool
    source: str
    # PyTorch's own index whose aarch64 wheels use this series' GPU (pytorch_wheels), built for
    # every Python PyTorch supports, not one only: what a Python other than `python` installs.
    pytorch_index: Optional[str] = None
    # The modules these builds are known to serve; empty: every module of the series. JetPack 7
    # came for Thor (R38) and took Orin with R39 (7.2): its SBSA builds are known on Thor only.
    modules: tuple[str, ...] = ()


# Sources:
# - JetPack 6 (L4T R36, CUDA 12.6, Python 3.10): NVIDIA's Jetson AI Lab index
#   https://pypi.jetson-ai-lab.io/jp6/cu126, holding cp310 linux_aarch64 wheels of torch 2.9.1
#   and torchvision 0.24.1 (the wheel files .../jp6/cu126/+f/02f/de421eabbf626/torch-2.9.1-cp310-
#   cp310-linux_aarch64.whl and .../+f/d5b/caaf709f11750/torchvision-0.24.1-cp310-cp310-linux_
#   aarch64.whl, pinned by URL in public install scripts; 2.8.0 / 0.23.0 beside them; whether
#   the 2.10.0 that dusty-nv/jetson-containers packages/pytorch/version.py builds for JetPack 6.2
#   is published there: unknown); PyTorch's aarch64 CUDA wheels fail on Orin under JetPack 6
#   (pytorch/pytorch issue #145560, "no kernel image" with download.pytorch.org/whl/nightly/cu124
#   on JetPack 6.2).
# - JetPack 7 (L4T R38, CUDA 13.0, Python 3.12): Jetson AI Lab's SBSA index
#   https://pypi.jetson-ai-lab.io/sbsa/cu130 (pollen-robotics/microduck_rl issue #38: "Thor on
#   JetPack 7 uses the SBSA userspace"; it hosts torch-2.9.1 cp312); PyTorch's own aarch64
#   cu130/cu132 wheels list compute capability 11.0 (pytorch/pytorch PR #197555, compat guide
#   "Additions 2026-11-30") and run on Thor (OpenRAL/openral PR #167, measured on L4T R38.4).
# - JetPack 4 and 5: single wheel files linked from the forum page, no pip index (the v512
#   redist links now answer 404: pinokiocomputer/pinokio issue #1027).
BUILDS: dict[str, JetPackBuilds] = {
    "4": JetPackBuilds("4", None, "10.2", "3.6", None, None, JETSON_PAGE, False, JETPACK_SOURCE),
    "5": JetPackBuilds(
        "5",
        None,
        "11.4",
        "3.8",
        None,
        None,
        JETSON_PAGE,
        False,
        JETPACK_SOURCE + "; https://github.com/pinokiocomputer/pinokio/issues/1027",
    ),
    "6": JetPackBuilds(
        "6",
        "https://pypi.jetson-ai-lab.io/jp6/cu126",
        "12.6",
        "3.10",
        "2.9.1",
        "0.24.1",
        "https://pypi.jetson-ai-lab.io/jp6/cu126",
        False,
        "https://pypi.jetson-ai-lab.io/jp6/cu126; https://github.com/pytorch/pytorch/issues/145560",
    ),
    "7": JetPackBuilds(
        "7",
        "https://pypi.jetson-ai-lab.io/sbsa/cu130",
        "13.0",
        "3.12",
        "2.9.1",
        None,
        "https://pypi.jetson-ai-lab.io/sbsa/cu130",
        True,
        "https://github.com/pollen-robotics/microduck_rl/issues/38; "
        "https://github.com/OpenRAL/openral/pull/167",
        "https://download.pytorch.org/whl/cu130",
        ("Thor",),
    ),
}

# /etc/nv_tegra_release's first line: "# R36 (release), REVISION: 4.3, GCID: ..., BOARD: ..."
_TEGRA_RELEASE = re.compile(r"#\s*R(\d+)\s*\(release\),\s*REVISION:\s*([0-9][0-9.]*)")
# dpkg's version of nvidia-l4t-core: "36.4.3-20250107174145"
_L4T_PACKAGE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass
class JetsonFacts:
    """What marks this machine as a Jetson, and what it is. Empty (is_jetson False) elsewhere.

    l4t: the L4T release ("36.4.3"), from /etc/nv_tegra_release or the nvidia-l4t-core package;
    jetpack: the JetPack series that ships it ("6"; JETPACK_FOR_L4T, source JETPACK_SOURCE);
    model: /proc/device-tree/model ("NVIDIA Jetson AGX Orin Developer Kit"); module: the module
    family ("Orin"; MODULES); compute_capability: its integrated GPU's (MODULES, source
    CAPABILITY_SOURCE); evidence: each sign read, with its file.
    """

    is_jetson: bool = False
    evidence: list[str] = field(default_factory=list)
    l4t: Optional[str] = None
    l4t_source: str = ""
    jetpack: Optional[str] = None
    jetpack_source: str = ""
    model: str = ""
    module: Optional[str] = None
    compute_capability: Optional[ComputeCapability] = None
    compute_capability_source: str = ""


def l4t_from_tegra_release(text: str) -> Optional[str]:
    """'# R36 (release), REVISION: 4.3, ...' -> '36.4.3'; None when the line is not there."""
    found = _TEGRA_RELEASE.search(text)
    if not found:
        return None
    return f"{found.group(1)}.{found.group(2).strip('.')}"


def l4t_from_package(version: str) -> Optional[str]:
    """nvidia-l4t-core's dpkg version '36.4.3-20250107174145' -> '36.4.3'."""
    found = _L4T_PACKAGE.match(version.strip())
    if not found:
        return None
    return ".".join(part for part in found.groups() if part is not None)


def jetpack_for(l4t: Optional[str]) -> Optional[str]:
    """The JetPack series of an L4T release: '36.4.3' -> '6'; None when the major is not known."""
    if not l4t:
        return None
    major = l4t.split(".")[0]
    number = small_int(major)
    return JETPACK_FOR_L4T.get(number) if number is not None else None


def module_of(model: str) -> Optional[tuple[str, ComputeCapability]]:
    """'NVIDIA Jetson AGX Orin Developer Kit' -> ('Orin', 8.7); None for a board not in MODULES."""
    words = model.lower()
    for word, name, capability in MODULES:
        if re.search(rf"\b{word}\b", words):
            return name, ComputeCapability.parse(capability)
    return None


def module_for_l4t(l4t: Optional[str]) -> Optional[tuple[str, ComputeCapability]]:
    """The module an L4T release implies when the device tree is unreadable (a recording, a
    container): Jetson Linux 36.x is the Orin release line ("Jetson Linux 36.x remains relevant
    for Jetson Orin") and 38.x the Thor line (38.4 "does not support the Jetson Orin family"),
    from NVIDIA's r38.4 Developer Guide as summarised at
    https://brent-newsom-nvidia.github.io/AIPS-Boom/wiki/NVIDIA-Jetson-Linux. Other lines run on
    more than one module (R35: Xavier and Orin), or are not known to envsetup: None."""
    return L4T_MODULE.get((l4t or "").split(".")[0])


def module_from_signs(
    model: str, l4t: Optional[str], gpu_names: Sequence[str] = ()
) -> tuple[Optional[tuple[str, ComputeCapability]], str]:
    """The module and the sign that named it: the device tree's model, else the L4T release
    line, else a GPU's name ("Orin (nvgpu)", "NVIDIA Thor"). One rule for doctor's probe and
    explain's pasted signs."""
    module = module_of(model) if model else None
    if module is not None:
        return module, "device tree model"
    module = module_for_l4t(l4t)
    if module is not None:
        return module, f"L4T {l4t}"
    for name in gpu_names:
        module = module_of(name)
        if module is not None:
            return module, f"GPU name {name}"
    return None, ""


# A kernel release that only L4T ships: "5.15.148-tegra" (NVIDIA's kernels, e.g. collect_env's
# "Linux-5.15.136-tegra-aarch64" in dusty-nv/jetson-containers issue #1495) or OE4T's
# "5.15.136-l4t-r36.3-1009.9+g46cdb595bebc" (OE4T/meta-tegra pull request #1566, an IGX Orin).
_L4T_KERNEL = re.compile(r"-l4t-r(\d{2})\.(\d{1,2})(?:\.(\d{1,2}))?(?=[-+.]|$)")
# The Tegra integrated GPU's driver is nvgpu: nvidia-smi and torch name the GPU "Orin (nvgpu)"
# on JetPack 6 (ollama/ollama issue #9503; dusty-nv/jetson-containers issue #1495).
NVGPU_SUFFIX = "(nvgpu)"


def tegra_kernel(release: str) -> bool:
    """Whether a kernel release is an L4T kernel (a Jetson's)."""
    return release.endswith("-tegra") or "-tegra-" in release or bool(_L4T_KERNEL.search(release))


def l4t_from_kernel(release: str) -> Optional[str]:
    """'5.15.136-l4t-r36.3-1009.9+g...' -> '36.3'; None for kernels that do not name it."""
    found = _L4T_KERNEL.search(release)
    return ".".join(p for p in found.groups() if p is not None) if found else None


def jetpack_for_module(module: Optional[str]) -> Optional[str]:
    """The JetPack series a module implies when no L4T release was read: Thor ships with JetPack 7
    only (JETPACK_FOR_L4T's R38 sources: "Jetson AGX Thor (JetPack 7 / L4T R38, CUDA 13.0)");
    every other module runs several series: None."""
    return "7" if module == "Thor" else None


def pytorch_wheels_run(jetson: JetsonFacts) -> bool:
    """The one judgement of whether PyTorch's own aarch64 CUDA wheels (PyPI, download.pytorch.org)
    use this Jetson's integrated GPU, whichever sign named the board (nv_tegra_release, the device
    tree's model, the GPU's name): yes on Thor (compute capability 11.0, listed by PyTorch's
    cu130 aarch64 build: pytorch/pytorch PR #197555; measured on L4T R38.4 in OpenRAL/openral
    PR #167), and on a JetPack series whose BUILDS row says so when the module is unknown; no on
    Orin and older under JetPack 4-6 (pytorch/pytorch issue #145560)."""
    if jetson.module is not None:
        return jetson.module in PYTORCH_WHEEL_MODULES
    builds = builds_of(jetson)
    return bool(builds and builds.pytorch_wheels)


def l4t_driver_cuda(jetson: Optional[JetsonFacts]) -> Optional[str]:
    """The CUDA an L4T driver supports where PyTorch's own wheels judge against it (Thor, JetPack
    7: driver 580 with CUDA 13.0, pollen-robotics/microduck_rl issue #38 and vllm-project/vllm
    issue #34470 "Nvidia driver version : 580.00"), when no driver tool answered (a container, a
    recording): the driver is part of L4T, so it is there. None elsewhere."""
    if jetson is None or not jetson.is_jetson or not pytorch_wheels_run(jetson):
        return None
    builds = builds_of(jetson)
    return builds.cuda if builds else None


def builds_for(series: Optional[str]) -> Optional[JetPackBuilds]:
    """NVIDIA's torch builds for a JetPack series, None when none are known."""
    return BUILDS.get(series or "")


def builds_of(jetson: JetsonFacts) -> Optional[JetPackBuilds]:
    """The builds of this Jetson's JetPack series where they are known to serve its module
    (an Orin on JetPack 7.2: not known, None); a module not named takes the series' builds."""
    builds = builds_for(jetson.jetpack)
    if builds and builds.modules and jetson.module and jetson.module not in builds.modules:
        return None
    return builds


def jetpack_release(l4t: Optional[str]) -> Optional[str]:
    """The JetPack release of an L4T release where it is listed: '39.2.0' -> '7.2'."""
    if not l4t:
        return None
    parts = l4t.split(".")
    for key in (".".join(parts[:3]), ".".join(parts[:2])):
        if key in JETPACK_RELEASE_FOR_L4T:
            return JETPACK_RELEASE_FOR_L4T[key]
    return None


def is_jetson_build(version: Optional[str], index_url: Optional[str] = None) -> bool:
    """A torch version or index that is NVIDIA's Jetson build: JetPack 4/5 wheels carry
    '+nvYY.MM' ('2.0.0+nv23.05', forum page above); Jetson AI Lab's carry no local label and come
    from its index. PyTorch's own builds carry '+cpu' / '+cuXYZ' or come from PyPI."""
    if index_url and ("jetson-ai-lab" in index_url or "/compute/redist/jp/" in index_url):
        return True
    local = (version or "").partition("+")[2]
    # '+nv23.05', or with the source commit first: '1.14.0a0+44dac51c.nv23.02' (JetPack 5.1)
    return any(part.startswith("nv") for part in local.split("."))


def same_jetson_index(url: Optional[str], index_url: Optional[str]) -> bool:
    """`url` is the Jetson AI Lab index `index_url` under any of its host names: the index began
    as pypi.jetson-ai-lab.dev and moved to pypi.jetson-ai-lab.io, and the old name is still pasted
    (fzyzcjy/torch_memory_saver PR #15, "https://pypi.jetson-ai-lab.dev/jp6/cu128/...").
    Compared by path: '/jp6/cu126'."""
    if not url or not index_url or "jetson-ai-lab" not in url:
        return False
    return _index_path(url) == _index_path(index_url)


def _index_path(url: str) -> str:
    path = url.split("://", 1)[-1].partition("/")[2]
    return "/" + path.strip("/").removesuffix("/simple").strip("/")


def jetpack_variant(builds: JetPackBuilds) -> str:
    """The name a resolution gives NVIDIA's build for a JetPack series: 'jp6-cu126'."""
    return f"jp{builds.series}-cu{(builds.cuda or '').replace('.', '')}"


def is_jetpack_variant(variant: str) -> bool:
    """A resolution's variant that is NVIDIA's JetPack build ("jp6-cu126", resolve/jetson.py)."""
    return re.fullmatch(r"jp\d+-cu\d+", variant) is not None
