"""The container runtime's errors when it is asked for a GPU (`docker run --gpus all`, podman's
NVIDIA hook): the host side of a container without its GPU.

- Docker without a GPU device driver registered (the NVIDIA Container Toolkit not installed, or
  docker not configured for it): 'docker: Error response from daemon: could not select device
  driver "" with capabilities: [[gpu]].' (NVIDIA/nvidia-docker issue #1352; NVIDIA/retinanet-
  examples issue #278; OpenBMB/XAgent issue #273, solved by installing nvidia-container-toolkit);
  with "nvidia" as the driver when a compose file names it (infiniflow/ragflow issue #9573).
- The toolkit's hook failing to reach the host's driver: "nvidia-container-cli: initialization
  error: nvml error: driver not loaded" (NVIDIA/nvidia-container-toolkit issues #260 and #1269),
  "... load library failed: libnvidia-ml.so.1: cannot open shared object file" (docker/for-win
  issue #13835: no driver installed), "... cuda error: unknown error" (NVIDIA/libnvidia-container
  issue #103). The reason after "initialization error:" is kept.
- Kubernetes' scheduler finding no node with a free GPU: "0/6 nodes are available: ... 6
  Insufficient nvidia.com/gpu." (NVIDIA/k8s-device-plugin issue #283).
- The OCI runtime starting a container whose command, nvidia-smi, is not in it: 'exec:
  "nvidia-smi": executable file not found in $PATH' (google-deepmind/alphafold issue #374: docker
  run with -e NVIDIA_VISIBLE_DEVICES=all but no --gpus; NVIDIA/nvkind issue #31: a pod with
  nvidia.com/gpu limits whose runtime injected nothing; NVIDIA/nvidia-docker issue #1249: podman).
  The NVIDIA Container Toolkit mounts the host's nvidia-smi; without it no image has one.
- The toolkit's hook refusing an image: "nvidia-container-cli: requirement error: unsatisfied
  condition: cuda>=12.8, please update your driver ..." (theroyallab/tabbyAPI issue #324,
  SyneRBI/PETRIC2 issue #27): the image's NVIDIA_REQUIRE_CUDA is above the host driver's CUDA.
- Podman without a CDI spec: "Error: setting up CDI devices: unresolvable CDI devices
  nvidia.com/gpu=all" (warmshao/FasterLivePortrait issue #116).
- Docker without the nvidia runtime registered: "docker: Error response from daemon: unknown or
  invalid runtime name: nvidia." (nv-tlabs/3dgrut issue #71; dusty-nv/jetson-containers issue
  #1460 on a Jetson, retold as "invalid runtime nvidia").
- The hook's NVML refusing the device nodes: "nvidia-container-cli: initialization error: nvml
  error: insufficient permissions" (NVIDIA/nvidia-docker issue #1523; containerd/containerd
  issue #6042), a permission problem, not a missing driver.
- Where the paste is a container's: the command that started it (`docker run ...`, `podman run`,
  with or without --gpus / --runtime=nvidia / --device nvidia.com/gpu), a Kubernetes pod spec
  (kind: Pod, kubectl, nvidia.com/gpu limits), nvidia-smi not found in it ("bash: nvidia-smi:
  command not found", retold "nvidia-smi not found"), and (prompt_signals, on the raw lines,
  before the normaliser drops prompts) a shell prompt whose host is a 12-digit hex container id
  ("root@00921839c781:/anomalib#": Docker and Podman name a container's host so). Facts, not
  problems: diagnose/container_signals.py judges them together.
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals._scan import bounded, indices, signal

KIND = "container-runtime"

_NO_DRIVER = lazy(
    r"could not select device driver \"(?P<driver>[^\"]{0,40})\" with capabilities: \[\[gpu\]\]"
)
# Kubernetes' scheduler when no node has the GPUs a pod's limits ask for: "0/6 nodes are available:
# 3 node(s) didn't match node selector, 6 Insufficient nvidia.com/gpu." (NVIDIA/k8s-device-plugin
# issue #283); the resource is the device plugin's (nvidia.com/gpu, amd.com/gpu).
_INSUFFICIENT = lazy(
    r"(?:(?P<nodes>\d{1,5})/(?P<total>\d{1,5}) nodes are available:.*?)?"
    r"(?P<count>\d{1,5}) Insufficient (?P<resource>(?:nvidia|amd)\.com/gpu)"
)
_CLI_INIT = lazy(
    r"nvidia-container-cli: initialization error: (?P<reason>.+?)(?::\s*unknown)?[.`'\"\\]*\s*$"
)


_REQUIREMENT = lazy(
    r"nvidia-container-cli: requirement error: unsatisfied condition: (?P<condition>[^,]{1,80})"
)
_CUDA_CONDITION = lazy(r"cuda\s*>=?\s*(?P<cuda>\d{1,2}\.\d{1,2})")
# runc's message; "\"" where the error is quoted once more (podman, JSON, Kubernetes events).
_EXEC_SMI = lazy(r'exec: \\?"nvidia-smi\\?": executable file not found')
_CDI = lazy(r"unresolvable CDI devices? (?P<devices>[\w./-]{1,60}=[\w,.-]{1,40})")
_RUNTIME = lazy(r"(?:unknown or )?invalid runtime(?: name)?:?\s+[\"'`]?(?P<runtime>nvidia)\b")
# The hook's form; nvidia-smi's own "Failed to initialize NVML: Insufficient Permissions" is an
# nvidia-smi failure (parsers/smi_failure.py), judged with the machine's nvidia-smi facts.
_NVML_PERMISSIONS = lazy(r"nvml error: insufficient permissions", re.I)
_SMI_NOT_FOUND = lazy(
    r"(?<![\w/-])nvidia-smi[\"'`]?:?\s+(?:(?:is|was)\s+)?(?:command\s+)?not found(?! in \$PATH)"
)
_RUN = lazy(r"(?<![\w-])(?P<tool>docker|podman|nerdctl)\s+(?:container\s+)?run\s(?P<args>.*)")
# What gives a container the GPU on its command line: --gpus (Docker, nerdctl, Podman 5), the
# nvidia runtime (legacy), a CDI or bare device (NVIDIA Container Toolkit user guide).
_GPU_FLAG = lazy(
    r"--gpus[=\s]|--runtime[=\s]+nvidia|--device[=\s]+['\"]?(?:nvidia\.com/gpu|/dev/nvidia)"
)
_K8S_SPEC = lazy(r"kind:\s*(?:Pod|Deployment|Job|StatefulSet|DaemonSet)\b|\bkubectl\s+\S")
_K8S_GPU_LIMIT = lazy(r"[\"']?nvidia\.com/gpu[\"']?:\s*[\"']?(?P<count>\d{1,3})\b")
# Docker and Podman name a container's host by its id's first 12 hex digits.
_CONTAINER_PROMPT = lazy(r"\s*(?:\([^)\n]{0,40}\)\s*)?root@(?P<id>[0-9a-f]{12}):\S*\s?[#$]")


def prompt_signals(raw: Sequence[str]) -> list[Signal]:
    """A shell prompt of a container's host (root@<12 hex digits>), read on the paste's lines
    as pasted (the normaliser removes prompts): one signal, citing the first."""
    for number, text in enumerate(raw, start=1):
        if "root@" not in text:
            continue
        match = _CONTAINER_PROMPT.match(text)
        if match and not match.group("id").isdigit() and not match.group("id").isalpha():
            return [signal("container-shell-prompt", KIND, [number], id=match.group("id"))]
    return []


def _context(text: str, number: int) -> list[Signal]:
    """The signs of where the paste runs: a container's command line, a pod spec."""
    found: list[Signal] = []
    if " run" in text:
        run = _RUN.search(text)
        if run:
            args = run.group("args")
            found.append(
                signal(
                    "container-run-command",
                    KIND,
                    [number],
                    tool=run.group("tool"),
                    gpu=_GPU_FLAG.search(args) is not None,
                    visible_env="NVIDIA_VISIBLE_DEVICES" in args or None,
                )
            )
    if ("kind:" in text or "kubectl" in text) and _K8S_SPEC.search(text):
        found.append(signal("k8s-pod-spec", KIND, [number]))
    if "nvidia.com/gpu" in text:
        limit = _K8S_GPU_LIMIT.search(text)
        if limit:
            found.append(signal("k8s-gpu-limit", KIND, [number], count=int(limit.group("count"))))
    return found


def _errors(text: str, number: int) -> list[Signal]:
    """The runtime's and NVML's errors of a container's GPU (explain12)."""
    found: list[Signal] = []
    if "requirement error" in text:
        match = _REQUIREMENT.search(text)
        if match:
            condition = match.group("condition").strip()
            cuda = _CUDA_CONDITION.search(condition)
            found.append(
                signal(
                    "nvidia-container-cli-requirement",
                    KIND,
                    [number],
                    condition=bounded(condition),
                    cuda=cuda.group("cuda") if cuda else None,
                )
            )
    if "executable file not found" in text and _EXEC_SMI.search(text):
        runtime = "docker" if text.lstrip().startswith("docker:") else None
        found.append(signal("container-nvidia-smi-not-injected", KIND, [number], runtime=runtime))
    if "CDI device" in text:
        match = _CDI.search(text)
        if match:
            found.append(
                signal("cdi-device-unresolvable", KIND, [number], devices=match.group("devices"))
            )
    if "invalid runtime" in text:
        match = _RUNTIME.search(text)
        if match:
            found.append(signal("docker-runtime-unknown", KIND, [number], runtime="nvidia"))
    lowered = text.lower()
    if "insufficient permissions" in lowered and _NVML_PERMISSIONS.search(text):
        found.append(signal("nvml-insufficient-permissions", KIND, [number], hook=True))
    elif "nvidia-smi" in text and "not found" in text and _SMI_NOT_FOUND.search(text):
        found.append(signal("nvidia-smi-not-found", KIND, [number]))
    return found


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    found: list[Signal] = []
    for index in indices(lines, hits):
        line = lines[index]
        text = line.text
        if "could not select device driver" in text:
            match = _NO_DRIVER.search(text)
            if match:
                driver = match.group("driver") or None
                found.append(
                    signal("docker-gpu-driver-missing", KIND, [line.number], driver=driver)
                )
        if "Insufficient " in text and ".com/gpu" in text:
            match = _INSUFFICIENT.search(text)
            if match:
                found.append(
                    signal(
                        "k8s-insufficient-gpu",
                        KIND,
                        [line.number],
                        resource=match.group("resource"),
                        nodes=int(match.group("total")) if match.group("total") else None,
                        insufficient=int(match.group("count")),
                    )
                )
        found += _errors(text, line.number)
        found += _context(text, line.number)
        if "nvidia-container-cli: initialization error" in text and not _NVML_PERMISSIONS.search(
            text
        ):
            match = _CLI_INIT.search(text)
            if match:
                reason = bounded(match.group("reason").strip())
                found.append(
                    signal("nvidia-container-cli-init-failed", KIND, [line.number], reason=reason)
                )
    return found
