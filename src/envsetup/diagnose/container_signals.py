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

And where the paste is a container's (explain12; parsers/signals/container.py reads the signs):
- container-gpu-not-passed, the finding doctor makes inside such a container: nvidia-smi not
  found in a container (a root@<container id> prompt, or a `docker run` without --gpus) or the
  OCI runtime's 'exec: "nvidia-smi": executable file not found' for a container started without
  the GPU (anibali/docker-pytorch issue #27, maintainer: "Note the inclusion of the --gpus=all";
  google-deepmind/alphafold issue #374: NVIDIA_VISIBLE_DEVICES is read only by the NVIDIA
  runtime). nvidia-smi missing on a machine with no container sign is not this;
- container-gpu-not-injected: the container asked for the GPU (a pod's nvidia.com/gpu limit,
  --gpus) yet nvidia-smi is not in it: the NVIDIA runtime did not run for it (NVIDIA/nvkind
  issue #31: the toolkit's accept-nvidia-visible-devices-as-volume-mounts; the GPU Operator's
  runtimeClassName nvidia);
- container-cuda-requirement-unmet: the hook's "requirement error: unsatisfied condition:
  cuda>=X.Y": the image needs a driver of CUDA X.Y (data/cuda_drivers.toml's toolkit row), or an
  image built for the driver's CUDA (NVIDIA/nvidia-container-toolkit issue #152: NVIDIA_DISABLE_
  REQUIRES only skips the check);
- container-cdi-spec-missing: podman's "unresolvable CDI devices": no CDI spec on the host
  (NVIDIA Container Toolkit CDI guide: `nvidia-ctk cdi generate`);
- container-toolkit-missing also for docker's "unknown or invalid runtime name: nvidia";
- nvml-insufficient-permissions: NVML cannot open the device nodes (NVIDIA/nvidia-container-
  toolkit issues #210 and #33: SELinux's container_use_devices; rootless containers).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from envsetup import compat
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.signal_common import Evidence
from envsetup.facts import Facts
from envsetup.model.paste import Signal


def _cited(signals: Sequence[Signal], evidence: Evidence) -> list[str]:
    return list(dict.fromkeys(line for s in signals for line in _lines(s, evidence)))


def _lines(signal: Signal, evidence: Evidence) -> list[str]:
    """A signal's cited lines; a container's prompt, which the cited (normalised) line no
    longer shows, by its host name."""
    if signal.id == "container-shell-prompt":
        return [
            f"paste:{n}: prompt root@{signal.params.get('id')} (a container's id as its host name)"
            for n in signal.lines
        ]
    return evidence(signal)


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
    found += _judge_paste_container(signals, facts, evidence)
    return found


# The signal ids judge_signals hands here.
IDS = (
    "docker-gpu-driver-missing",
    "nvidia-container-cli-init-failed",
    "k8s-insufficient-gpu",
    "container-nvidia-smi-not-injected",
    "nvidia-smi-not-found",
    "nvidia-container-cli-requirement",
    "cdi-device-unresolvable",
    "docker-runtime-unknown",
    "nvml-insufficient-permissions",
)


def _of(signals: Sequence[Signal], *ids: str) -> list[Signal]:
    return [s for s in signals if s.id in ids]


def _runtime(signals: Sequence[Signal]) -> Optional[str]:
    """The paste's container runtime, by its signs: a pod spec, the run command's tool."""
    if _of(signals, "k8s-pod-spec", "k8s-gpu-limit"):
        return "kubernetes"
    tools = [str(s.params["tool"]) for s in _of(signals, "container-run-command")]
    tools += [str(s.params["runtime"]) for s in signals if s.params.get("runtime") == "docker"]
    if tools:
        return "podman" if "podman" in tools else tools[0]
    return "docker" if _of(signals, "container-shell-prompt") else None


def _judge_paste_container(
    signals: Sequence[Signal], facts: Facts, evidence: Evidence
) -> list[Finding]:
    found: list[Finding] = []
    runs = _of(signals, "container-run-command")
    with_gpu = [s for s in runs if s.params.get("gpu")]
    limits = _of(signals, "k8s-gpu-limit")
    runtime = _runtime(signals)
    injected = _of(signals, "container-nvidia-smi-not-injected")
    missing = _of(signals, "nvidia-smi-not-found")
    # Inside a container (its prompt, or the run command that started it without a GPU).
    inside = _of(signals, "container-shell-prompt") or [s for s in runs if not s.params.get("gpu")]
    asked = with_gpu or limits
    if injected and asked:
        found.append(
            Finding(
                id="container-gpu-not-injected",
                severity="error",
                evidence=_cited([*asked, *injected], evidence),
                params=_present(
                    runtime=runtime, gpus=limits[0].params.get("count") if limits else None
                ),
            )
        )
    elif injected or (missing and inside and not with_gpu):
        env_only = any(s.params.get("visible_env") for s in runs)
        found.append(
            Finding(
                id="container-gpu-not-passed",
                severity="error",
                evidence=_cited([*inside, *runs, *injected, *missing], evidence),
                params=_present(
                    runtime=runtime,
                    host_driver=facts.nvidia.driver_version,
                    wants_gpu=True,
                    visible_env_only=env_only or None,
                    pasted=True,
                ),
            )
        )
    requirement = [
        s for s in _of(signals, "nvidia-container-cli-requirement") if s.params.get("cuda")
    ]
    if requirement:
        found.append(_requirement(requirement, facts, evidence))
    cdi = _of(signals, "cdi-device-unresolvable")
    if cdi:
        found.append(
            Finding(
                id="container-cdi-spec-missing",
                severity="error",
                evidence=_cited(cdi, evidence),
                params=_present(devices=cdi[0].params.get("devices")),
            )
        )
    unknown = _of(signals, "docker-runtime-unknown")
    if unknown and not _of(signals, "docker-gpu-driver-missing"):
        found.append(
            Finding(
                id="container-toolkit-missing",
                severity="error",
                evidence=_cited(unknown, evidence),
                params=_present(
                    runtime_name="nvidia",
                    host_driver=facts.nvidia.driver_version,
                    system=facts.os.system or None,
                    jetson=facts.jetson.module or ("Jetson" if facts.jetson.is_jetson else None),
                ),
            )
        )
    denied = _of(signals, "nvml-insufficient-permissions")
    if denied:
        found.append(
            Finding(
                id="nvml-insufficient-permissions",
                severity="error",
                evidence=_cited([*_of(signals, "container-run-command"), *denied], evidence),
                params=_present(
                    runtime=runtime or facts.os.container,
                    hook=any(s.params.get("hook") for s in denied) or None,
                ),
            )
        )
    return found


def _requirement(signals: Sequence[Signal], facts: Facts, evidence: Evidence) -> Finding:
    """The image's CUDA requirement against the host driver's: the driver that CUDA shipped with
    (NVIDIA's toolkit table), on the host's OS (Windows: Docker Desktop uses the Windows driver)."""
    cuda = str(signals[0].params["cuda"])
    linux = compat.toolkit_driver(cuda, "Linux")
    windows = compat.toolkit_driver(cuda, "Windows")
    return Finding(
        id="container-cuda-requirement-unmet",
        severity="error",
        evidence=_cited(signals, evidence),
        params=_present(
            cuda=cuda,
            need_linux=linux.driver if linux else None,
            need_windows=windows.driver if windows else None,
            host_driver=facts.nvidia.driver_version,
            driver_cuda=facts.nvidia.driver_cuda_version,
            system=facts.os.system or None,
        ),
    )
