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
"""

from __future__ import annotations

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
        if "nvidia-container-cli: initialization error" in text:
            match = _CLI_INIT.search(text)
            if match:
                reason = bounded(match.group("reason").strip())
                found.append(
                    signal("nvidia-container-cli-init-failed", KIND, [line.number], reason=reason)
                )
    return found
