"""The section readers explain tries, in order: one module per kind of input.

Each module named in READER_MODULES exports `READERS`, a list of `SectionReader` objects
(envsetup.model.paste). A reader may also have `start`, a compiled pattern that `match`es (at
the start of a line's text, leading blanks removed) every line where its section can begin: the
detector then calls its `extent` only there (begin the pattern with a literal or a character set,
not optional blanks or an optional group, so that most lines are rejected at their first character) (a 1 MB log has 20,000 lines and most start nothing). The detector (explain/detect.py) tries every reader's `extent` at each line
not yet claimed, in the order of this list, and the first one that claims lines gets them: put the
readers of a kind that embeds another (collect_env holds nvidia-smi's driver line, `nvidia-smi -q`
holds its own "CUDA Version") before that other kind.
"""

from __future__ import annotations

import importlib
from functools import cache

from envsetup.model.paste import SectionReader

# Module names under envsetup.explain.sections, in the order their readers are tried.
READER_MODULES: tuple[str, ...] = (
    "collect_env",  # holds driver, OS, Python, CUDA and package lines of other kinds
    "fabric",  # a grep'd -q Fabric block, fabric manager version/status (explain11)
    "nvidia_smi",  # -q holds its own "CUDA Version"
    "conda_info",
    "env_report",  # `- Key: value` reports of transformers, accelerate, diffusers, llamafactory...
    "openmmlab_env",  # mmcv/mmdet's collect_env: sys.platform, NVCC, PyTorch compiling details
    "packages",
    "proc_driver",
    "container",  # nvidia-container-cli info (explain11; its "NVRM version:" is no /proc line)
    "modinfo",
    "lsmod",
    "lspci",
    "cudnn",
    "ldconfig",
    "ls_cuda",
    "os_release",
    "kernel",
    "nvcc",
    "environment",
    "jetson",  # /etc/nv_tegra_release, jetson_release (explain11)
    "rocm",  # rocminfo, KFD properties, rocm-smi, HSA_OVERRIDE_GFX_VERSION (explain11)
    "rocm_smi_concise",  # plain rocm-smi's Concise Info table, rocm-smi --json (rocm21)
    "python_check",  # `python -c "import torch; print(...)"`, `>>> torch.__version__`, `python -V`
    "amd_gpu_name",  # a line naming a Radeon card or lshw's product line (rocmfix), last: prose
    "jetson_prose",  # "Jetson Thor (L4T R38.4 / JetPack 7 ...)" in prose (attack13 H1/M4), prose
)


@cache
def readers() -> tuple[SectionReader, ...]:
    """Every reader, in the order tried (modules imported on first use)."""
    found: list[SectionReader] = []
    for name in READER_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        found.extend(module.READERS)
    return tuple(found)


def kinds() -> tuple[str, ...]:
    """Every kind of input a reader recognises, in the order tried."""
    forms = (getattr(reader, "forms", (reader.kind,)) for reader in readers())
    return tuple(dict.fromkeys(kind for kinds_of in forms for kind in kinds_of))


def __getattr__(name: str) -> object:
    # READERS and KINDS as module attributes, built on first use (the modules load lazily).
    if name == "READERS":
        return list(readers())
    if name == "KINDS":
        return kinds()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
