"""What a pasted CUDA build failure means on this machine: nvcc that cannot target an arch, a
build whose nvcc path does not exist, and torch.utils.cpp_extension's CUDA version check.

The pasted twins of doctor's extension rules (diagnose/extension_rules.py), judged with the same
tables: which sm_XX each nvcc release compiles for (compat.nvcc, data/nvcc_support.toml) and
which code runs on which GPU (model.capability: a cubin runs on the same major with an equal or
higher minor; PTX is JIT-compiled for any newer one). Called from signal_rules.judge_signals.
"""

from __future__ import annotations

from typing import Any, Optional

from envsetup.compat import nvcc as nvcc_table
from envsetup.diagnose.extension_rules import build_nvcc, installed_toolkit
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.signal_common import Evidence, torch_cuda
from envsetup.facts import Facts
from envsetup.model.capability import ComputeCapability
from envsetup.model.paste import Signal
from envsetup.model.toolkit import ToolkitKind


def _cited(signals: list[Signal], ev: Evidence) -> list[str]:
    return list(dict.fromkeys(line for s in signals for line in ev(s)))


def _key(release: Optional[str]) -> tuple[int, int]:
    return nvcc_table.release_of(release or "") or (0, 0)


def _release(version: Optional[str]) -> Optional[str]:
    found = nvcc_table.release_of(version or "")
    return f"{found[0]}.{found[1]}" if found else None


def _nvcc_version(facts: Facts, nvcc_path: Optional[str]) -> Optional[str]:
    """The version of the nvcc the build ran: the toolkit at the path the paste names, else the
    nvcc an extension build takes on this machine (a pasted `nvcc --version` included)."""
    if nvcc_path:
        root = nvcc_path.replace("\\", "/").rsplit("/bin/", 1)[0]
        for toolkit in facts.cuda.toolkits:
            if toolkit.path.rstrip("/") == root and toolkit.version:
                return toolkit.version
    return build_nvcc(facts).nvcc_version


def _row(capability: ComputeCapability) -> tuple[Optional[str], Optional[str]]:
    """(first, removed) of the table's row for `capability`; (None, None) when unlisted."""
    first = nvcc_table.first_cuda_for(capability)
    if first is None:
        return None, None
    support = nvcc_table.arch_support(first, capability)
    return first, (support.removed or None) if support else None


def _knows(version: Optional[str], capability: str) -> bool:
    """Whether the nvcc of `version` compiles for `capability` (unknown either way: True)."""
    support = (
        nvcc_table.arch_support(version, ComputeCapability.parse(capability)) if version else None
    )
    return support is None or support.supported


def _gpu_capabilities(facts: Facts) -> list[ComputeCapability]:
    found = [g.compute_capability for g in facts.nvidia.gpus if g.compute_capability is not None]
    return list(dict.fromkeys(found))


def judge_nvcc_arch(signals: list[Signal], facts: Facts, ev: Evidence) -> list[Finding]:
    """nvcc stopped: 'Unsupported gpu architecture' for a capability its release does not know.
    Too new for it: a toolkit from the release that knows it (one installed here first), or a
    TORCH_CUDA_ARCH_LIST entry this nvcc can build that runs on the GPU; dropped by it: take the
    arch out of the build's list, unless the GPU is that arch (then an older toolkit)."""
    found = []
    for capability_text in dict.fromkeys(str(s.params["capability"]) for s in signals):
        group = [s for s in signals if str(s.params["capability"]) == capability_text]
        capability = ComputeCapability.parse(capability_text)
        nvcc_path = next((s.params["nvcc_path"] for s in group if s.params.get("nvcc_path")), None)
        listed = next((s.params["listed"] for s in group if s.params.get("listed")), None)
        version = _nvcc_version(facts, nvcc_path)
        support = nvcc_table.arch_support(version, capability) if version else None
        if support is not None and support.supported:
            version, support = None, None  # that nvcc can: the one that failed is another
        first, removed = _row(capability)
        if support is not None:
            reason: Optional[str] = support.reason
        elif first is None:
            reason = None  # a capability the table does not list
        else:
            reason = "removed" if removed else "too-new"
        gpus = _gpu_capabilities(facts)
        gpu_has = (capability in gpus) if gpus else None
        want = torch_cuda(facts)
        torch_release = _release(want)
        params: dict[str, Any] = {
            "arch": group[0].params.get("arch"),
            "said": group[0].params.get("said"),
            "sm": capability.sm,
            "capability": capability_text,
            "nvcc": version,
            "nvcc_path": nvcc_path,
            "reason": reason,
            "first": first,
            "removed_in": removed,
            "gpu_has": gpu_has,
            "gpus": [c.sm for c in gpus] or None,
            "torch_cuda": want,
            "source": nvcc_table.SOURCE_ARCH,
        }
        if reason == "too-new" and gpu_has is not False:
            install = first
            if torch_release and _key(torch_release) >= _key(first):
                install = torch_release  # torch's own CUDA knows it: build with that
            params["install"] = install
            params["installed"] = installed_toolkit(
                facts, major=_key(torch_release)[0] if torch_release else None, target=capability
            ) or installed_toolkit(facts, target=capability)
            params["stand_in"] = nvcc_table.stand_in(version, capability) if version else None
        if listed:
            keep = [c for c in listed if c != capability_text and _knows(version, c)]
            params["listed"] = listed
            params["keep"] = keep or None
        found.append(
            Finding(
                id="nvcc-gpu-arch-unsupported",
                severity="error",
                evidence=_cited(group, ev),
                params={k: v for k, v in params.items() if v is not None},
            )
        )
    return found


def judge_nvcc_missing(signals: list[Signal], facts: Facts, ev: Evidence) -> list[Finding]:
    """The build ran CUDA_HOME/bin/nvcc and no such file exists: CUDA_HOME (or torch's default
    /usr/local/cuda, or a build script's own path) names a toolkit that is not there, or
    CUDA_HOME is a ':'-list (torch.utils.cpp_extension joins it with 'bin/nvcc' as it is)."""
    found = []
    for path in dict.fromkeys(str(s.params["path"]) for s in signals):
        group = [s for s in signals if str(s.params["path"]) == path]
        home = next((s.params["cuda_home"] for s in group if s.params.get("cuda_home")), None)
        listed = any(s.params.get("listed") for s in group)
        quoted = any(s.params.get("quoted") for s in group)
        want = _release(torch_cuda(facts))
        installed = installed_toolkit(facts, major=_key(want)[0] if want else None, minimum=want)
        if installed is None:
            others = [
                t.path
                for t in facts.cuda.toolkits
                if ToolkitKind.of(t) is ToolkitKind.SYSTEM and t.nvcc and t.path != home
            ]
            installed = others[0] if others else None
        parts = [p for p in (home or "").split(":") if p] if listed else []
        params = {
            "path": path,
            "cuda_home": home,
            "listed": True if listed else None,
            "quoted": True if quoted else None,
            # the directories a ':'-list names (the last is the one meant, apex #368)
            "parts": parts or None,
            "installed": installed,
            "torch_cuda": torch_cuda(facts),
        }
        found.append(
            Finding(
                id="nvcc-not-found",
                severity="error",
                evidence=_cited(group, ev),
                params={k: v for k, v in params.items() if v is not None},
            )
        )
    return found


# torch.utils.cpp_extension raises CUDA_MISMATCH_MESSAGE on a same-major difference only where
# its check cannot read the versions' .major: torch before 2.1 compared
# getattr(version, "major", float("nan")) of both, and setuptools' vendored packaging before
# 49.4-49.6 has no .major, so nan != nan raised on any difference (pytorch/pytorch PR #97602,
# merged 2023-03, first in 2.1, which asks for setuptools>=49.4.0 instead). Newer torch warns.
_MINOR_RAISE_FIXED_IN = (2, 1)


def _torch_release(facts: Facts) -> Optional[tuple[int, int]]:
    return nvcc_table.release_of((facts.torch.version or "").split("+")[0])


def judge_extension_cuda_mismatch(
    signals: list[Signal], facts: Facts, ev: Evidence
) -> list[Finding]:
    """torch.utils.cpp_extension stopped ('The detected CUDA version (X) mismatches the version
    that was used to compile PyTorch (Y)', a RuntimeError: the build did not go on).
    Another major: doctor's extension-nvcc-major-mismatch from the two versions, an error here.
    The same major: torch only warns on that since it has a check at all, unless its check
    cannot read the major (torch < 2.1 with an old setuptools): extension-cuda-minor-check-raised."""
    found = []
    for s in signals:
        detected, wanted = str(s.params["detected"]), str(s.params["torch_cuda"])
        if detected.split(".")[0] != wanted.split(".")[0]:
            params: dict[str, Any] = {
                "nvcc": detected,
                "torch_cuda": wanted,
                "torch_release": wanted,
                "pasted": True,
                "installed_match": installed_toolkit(
                    facts, major=_key(wanted)[0], minimum=_release(wanted)
                ),
            }
            found.append(
                Finding(
                    id="extension-nvcc-major-mismatch",
                    severity="error",
                    evidence=_cited([s], ev),
                    params={k: v for k, v in params.items() if v is not None},
                )
            )
            continue
        release = _torch_release(facts)
        params = {
            "nvcc": detected,
            "torch_cuda": wanted,
            "torch": facts.torch.version,
            # torch 2.1+ does not raise this on a minor difference: a copy of the old check
            # (an extension's own setup.py) said it
            "copied_check": True if release and release >= _MINOR_RAISE_FIXED_IN else None,
            "installed_match": installed_toolkit(
                facts, major=_key(wanted)[0], minimum=_release(wanted)
            ),
        }
        found.append(
            Finding(
                id="extension-cuda-minor-check-raised",
                severity="error",
                evidence=_cited([s], ev),
                params={k: v for k, v in params.items() if v is not None},
            )
        )
    return found[:1]


__all__ = ["judge_extension_cuda_mismatch", "judge_nvcc_arch", "judge_nvcc_missing"]
