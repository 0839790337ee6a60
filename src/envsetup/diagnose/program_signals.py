"""What a program's own failure says, when no environment cause explains it: torch's "CUDA out of
memory" (what holds the memory, from the sizes the allocator printed), and a traceback nothing
else explains (its exception, message and the frame that raised it). Pure."""

from __future__ import annotations

import re
from typing import Optional, Sequence

from envsetup.diagnose.finding import Finding
from envsetup.diagnose.signal_common import Evidence, finding_of, install_command
from envsetup.digits import small_int
from envsetup.facts import Facts
from envsetup.model.paste import Signal

_UNITS = {"bytes": 1 / 2**20, "KiB": 1 / 1024, "MiB": 1.0, "GiB": 1024.0, "TiB": 1024.0**2}
_SIZE = re.compile(r"(\d+(?:\.\d+)?) (bytes|KiB|MiB|GiB|TiB)")


def mib(size: Optional[str]) -> Optional[float]:
    """'22.00 MiB' -> 22.0; '1.5 GiB' -> 1536.0; '0 bytes' -> 0.0; None for anything else."""
    match = _SIZE.fullmatch(size.strip()) if size else None
    return float(match.group(1)) * _UNITS[match.group(2)] if match else None


def _shown(value_mib: float) -> str:
    return f"{value_mib / 1024:.2f} GiB" if value_mib >= 1024 else f"{value_mib:.0f} MiB"


def _oom_reason(p: dict) -> tuple[str, Optional[str]]:
    """Why the allocation failed, and the memory that says so ("3.00 GiB" held by others...)."""
    tried, capacity = mib(p.get("tried")), mib(p.get("capacity"))
    free, in_use = mib(p.get("free")), mib(p.get("in_use"))
    unallocated = mib(p.get("unallocated"))
    if tried is not None and capacity and tried > capacity:
        return "larger-than-gpu", None
    others = sum(filter(None, (mib(s) for s in p.get("other_processes") or [])))
    if not others and capacity and free is not None and in_use is not None:
        others = max(0.0, capacity - free - in_use)  # held outside this process
    if capacity and others >= max(1024.0, 0.1 * capacity):
        return "other-processes", _shown(others)
    if free is not None and tried is not None and free >= tried:
        return "free-but-refused", None
    fragmented = unallocated is not None and tried is not None and unallocated >= tried
    if fragmented and capacity and unallocated >= 0.05 * capacity:
        return "fragmentation", None
    return "program-needs-more", None


def judge_out_of_memory(signals: Sequence[Signal], facts: Facts, ev: Evidence) -> list[Finding]:
    """One finding per GPU (the allocator's numbers of its last report)."""
    by_gpu: dict[object, list[Signal]] = {}
    for s in signals:
        by_gpu.setdefault(s.params.get("gpu"), []).append(s)
    out = []
    for gpu, group in by_gpu.items():
        p = dict(group[-1].params)
        reason, others = _oom_reason(p)
        name = None
        index = small_int(str(gpu)) if gpu is not None else None
        if index is not None and index < len(facts.nvidia.gpus):
            name = facts.nvidia.gpus[index].name or None
        out.append(
            finding_of(
                "cuda-out-of-memory",
                "error",
                group,
                ev,
                gpu=gpu,
                gpu_name=name,
                tried=p.get("tried"),
                capacity=p.get("capacity"),
                free=p.get("free"),
                in_use=p.get("in_use"),
                unallocated=p.get("unallocated"),
                others=others,
                reason=reason,
            )
        )
    return out


# "No module named 'torch'" (Python 3) / "No module named torch" (Python 2).
_NO_TORCH = re.compile(r"No module named '?torch'?\s*$")
# pip's build directory: /tmp/pip-install-XXXX/<name>_<32 hex>/setup.py
_PIP_BUILD_DIR = re.compile(r"pip-install-[^/\\]+[/\\]([A-Za-z0-9_.-]{1,100}?)_[0-9a-f]{32}[/\\]")


def _no_torch(s: Signal, ev: Evidence) -> Optional[Finding]:
    """`import torch` found no torch: in pip's isolated build of a package (its setup.py imports
    torch) or in the Python that ran the program."""
    if s.params.get("exception") not in ("ModuleNotFoundError", "ImportError"):
        return None
    if not _NO_TORCH.search(str(s.params.get("message") or "")):
        return None
    at = str(s.params.get("at") or "")
    package = _PIP_BUILD_DIR.search(at)
    return finding_of(
        "torch-not-found-by-python",
        "error",
        [s],
        ev,
        at=at or None,
        pip_build=True if s.params.get("in_pip_build") else None,
        package=package.group(1) if package else None,
    )


def judge_exception(s: Signal, facts: Facts, ev: Evidence) -> Finding:
    """A traceback no other signal explains: no torch where it was imported; from `import torch`
    an error (torch is broken in this environment); else the program's own failure, told by its
    type, message and frame."""
    missing = _no_torch(s, ev)
    if missing is not None:
        return missing
    during_import = s.params.get("during") == "import torch"
    return finding_of(
        "torch-import-error" if during_import else "python-exception",
        "error" if during_import else "info",
        [s],
        ev,
        exception=s.params.get("exception"),
        message=s.params.get("message"),
        at=s.params.get("at"),
        install=install_command(facts),
    )
