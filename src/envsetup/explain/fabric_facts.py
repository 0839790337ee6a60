"""Whether a pasted machine is an NVSwitch system: from the fabric facts the paste states, by the
signs doctor's probe/gpu_access.py reads (model/gpu_access.py: an 8-GPU HGX/DGX board's GPU
names, a GPU whose fabric state is not N/A). Pure: merge.py calls derive_fabric after the merge.

Only a pasted fabric fact (a Fabric block, the fabric manager's version or service state) makes
explain judge the fabric: GPU names alone (an 8x H100 nvidia-smi table) say nothing of its state,
and doctor's "could not check the fabric" is not a thing a paste can fix. A fabric manager that
fails alone is no sign either: it fails the same way on machines without NVSwitches
(NV_WARN_NOTHING_TO_DO, NVIDIA/gpu-operator issue #610).
"""

from __future__ import annotations

from envsetup.facts import Facts
from envsetup.model.gpu_access import UNSUPPORTED_STATES, fabric_module, nvswitch_board, rack_module

_PASTED = (
    "gpu_access.fabric.gpus",
    "gpu_access.fabric.manager_version",
    "gpu_access.fabric.manager_state",
)


def derive_fabric(facts: Facts, sources: dict[str, str]) -> None:
    """Set gpu_access.fabric.nvswitch, evidence and manager_on_host where the paste states a
    fabric fact; `sources` gains "gpu_access.fabric.nvswitch" citing it."""
    stated = [sources[p] for p in _PASTED if p in sources]
    if not stated:
        return
    fabric = facts.gpu_access.fabric
    names = [g.name for g in facts.nvidia.gpus if g.name]
    evidence = list(fabric.evidence)
    if nvswitch_board(names):
        module = next(n for n in names if fabric_module(n))
        evidence.append(f"pasted: {len(names)} GPUs on an HGX/DGX board ({module})")
    attached = [g for g in fabric.gpus if g.state not in UNSUPPORTED_STATES]
    if attached and not evidence:
        first = attached[0]
        evidence.append(f"pasted nvidia-smi -q: GPU {first.index} fabric state {first.state}")
    fabric.evidence = evidence
    fabric.nvswitch = bool(evidence)
    fabric.manager_on_host = not any(rack_module(n) for n in names)
    if fabric.nvswitch:
        sources["gpu_access.fabric.nvswitch"] = stated[0]
