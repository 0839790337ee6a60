"""doctor's rows for facts.gpu_access: the NVSwitch fabric and a container's GPU devices."""

from __future__ import annotations

from collections import Counter
from typing import Callable

from envsetup.facts import Facts

Row = Callable[..., None]  # render.doctor_text's row(mark, label, value, source="")


def gpu_access_rows(row: Row, facts: Facts) -> None:
    """A "Fabric" row on an NVSwitch system, a "Container GPU" row inside a container."""
    fabric, box = facts.gpu_access.fabric, facts.gpu_access.container
    if fabric.nvswitch:
        states = Counter(f"{g.state}/{g.status}" if g.status else g.state for g in fabric.gpus)
        parts = [f"NVSwitch ({'; '.join(fabric.evidence)})"]
        if states:
            parts.append(
                "fabric " + ", ".join(f"{state} x{count}" for state, count in states.items())
            )
        if fabric.manager_version or fabric.manager_state:
            manager = "fabric manager " + (fabric.manager_version or "version unknown")
            if fabric.manager_state:
                manager += f" ({fabric.manager_state})"
            parts.append(manager)
        elif fabric.manager_unchecked:
            parts.append(f"fabric manager not checked ({fabric.manager_unchecked})")
        bad = any(g.state in ("Not Started", "In Progress") for g in fabric.gpus)
        row("warning" if bad else "ok", "Fabric", " · ".join(parts), fabric.gpus_source)
    if facts.os.container and facts.os.system == "Linux" and not box.device_nodes and box.amd_kfd:
        # An AMD container: /dev/kfd passed in; NVIDIA's device nodes are not expected there.
        row("ok", "Container GPU", "/dev/kfd (AMD, ROCm)")
    elif facts.os.container and facts.os.system == "Linux":
        nodes = ", ".join(box.device_nodes[:4]) or "no NVIDIA device node"
        extra = f" · nvidia-container-cli: driver {box.cli_driver}" if box.cli_driver else ""
        row("ok" if box.device_nodes else "none", "Container GPU", f"{nodes}{extra}")
