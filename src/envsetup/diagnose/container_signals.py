"""The container runtime's pasted GPU errors (parsers/signals/container.py) -> findings.

Both are the host's side of a container without its GPU, distinct from container-gpu-not-passed
(doctor inside the container) and from a missing driver on a bare host:
- container-toolkit-missing: docker has no device driver for `--gpus` requests, the NVIDIA
  Container Toolkit is not installed or docker is not configured for it (NVIDIA Container
  Toolkit install guide, "Configuring Docker": `sudo nvidia-ctk runtime configure
  --runtime=docker` then restart docker; OpenBMB/XAgent issue #273 fixed by installing it);
- container-runtime-no-driver: the toolkit's hook (nvidia-container-cli) cannot reach the
  host's NVIDIA driver ("nvml error: driver not loaded": the kernel module is not loaded;
  "load library failed: libnvidia-ml.so.1": the driver's libraries are not installed), which
  `nvidia-smi` on the host shows too (NVIDIA/nvidia-container-toolkit issues #260, #1269;
  docker/for-win issue #13835).
"""

from __future__ import annotations

from typing import Any, Sequence

from envsetup.diagnose.finding import Finding
from envsetup.diagnose.signal_common import Evidence
from envsetup.facts import Facts
from envsetup.model.paste import Signal


def _cited(signals: Sequence[Signal], evidence: Evidence) -> list[str]:
    return list(dict.fromkeys(line for s in signals for line in evidence(s)))


def _present(**params: Any) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _cause(reason: str) -> str:
    """What the hook's reason says of the host's driver."""
    if "driver not loaded" in reason:
        return "module-not-loaded"
    if "libnvidia-ml" in reason or "load library failed" in reason:
        return "libraries-missing"
    if "driver/library version mismatch" in reason.lower():
        return "version-mismatch"
    return "other"


def judge_container_signals(
    signals: Sequence[Signal], facts: Facts, evidence: Evidence
) -> list[Finding]:
    found: list[Finding] = []
    missing = [s for s in signals if s.id == "docker-gpu-driver-missing"]
    if missing:
        driver = next((s.params.get("driver") for s in missing if s.params.get("driver")), None)
        found.append(
            Finding(
                id="container-toolkit-missing",
                severity="error",
                evidence=_cited(missing, evidence),
                # The host's OS decides the fix: the toolkit on Linux, Docker Desktop's WSL 2
                # backend on Windows; unknown (a paste that does not say) gets both.
                params=_present(
                    driver=driver,
                    host_driver=facts.nvidia.driver_version,
                    system=facts.os.system or None,
                ),
            )
        )
    unschedulable = [s for s in signals if s.id == "k8s-insufficient-gpu"]
    if unschedulable:
        first = unschedulable[0].params
        found.append(
            Finding(
                id="k8s-gpu-unschedulable",
                severity="error",
                evidence=_cited(unschedulable, evidence),
                params=_present(
                    resource=first.get("resource"),
                    nodes=first.get("nodes"),
                    insufficient=first.get("insufficient"),
                ),
            )
        )
    failed = [s for s in signals if s.id == "nvidia-container-cli-init-failed"]
    if failed:
        reason = str(failed[0].params.get("reason") or "")
        found.append(
            Finding(
                id="container-runtime-no-driver",
                severity="error",
                evidence=_cited(failed, evidence),
                params=_present(
                    reason=reason or None,
                    cause=_cause(reason),
                    host_driver=facts.nvidia.driver_version,
                ),
            )
        )
    return found
