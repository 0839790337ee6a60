"""`nvidia-container-cli info` as people paste it (often `nvidia-container-cli -k -d /dev/tty info`,
its debug log first): what the NVIDIA Container Toolkit sees of the host's driver and GPUs.

Output (NVIDIA/nvidia-docker issues #904 and #895; NVIDIA/nvidia-container-toolkit issue #183):
glog lines "I0114 04:33:38.553037 7944 nvc_info.c:489] ...", then "NVRM version:   390.87",
"CUDA version:   9.1", and per GPU "Device Index", "Device Minor", "Model:  GeForce GTX 1080 with
Max-Q Design", "Brand", "GPU UUID", "Bus Location", "Architecture:   6.1" (its compute
capability). On a Jetson the driver fields read "(null)" (NVIDIA/nvidia-docker issue #1775).

Facts (parsers/fabric.py parse_container_cli_info, as doctor's probe/gpu_access.py reads the
tool): gpu_access.container.cli_driver / cli_gpus, nvidia.kernel_module_version (NVRM is the
loaded kernel module's version; merge takes it as the driver's where nothing else states one),
and nvidia.gpus with each GPU's compute capability.
"""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped, text_of
from envsetup.lazy_pattern import lazy
from envsetup.model.capability import ComputeCapability
from envsetup.model.paste import Line, Reading
from envsetup.parsers.fabric import parse_container_cli_info

KIND = "nvidia-container-cli-info"

_COMMAND = lazy(r"(?:sudo\s+)?nvidia-container-cli\s+(?:-\S+\s+(?:/\S+\s+)?)*info")
_GLOG = lazy(r"[IWEF]\d{4} \d\d:\d\d:\d\d\.\d{6}\s+\d+\s+[\w.]+:\d+\]\s.*")
# libnvidia-container's debug messages (nvc.c, nvc_info.c, driver.c), as explain sees them once
# the normaliser has removed their glog prefix.
_MESSAGES = (
    "initializing library context", "using root ", "using ldcache ", "using unprivileged user",
    "attempting to load dxcore", "dxcore initialization", "loading kernel module",
    "starting driver service", "requesting driver information", "requesting device information",
    "selecting /", "skipping /", "missing library", "missing compat32 library", "listing device",
    "listing driver", "listing firmware", "listing ipc", "shutting down library context",
    "terminating driver service", "driver service terminated", "failed to set inheritable",
    "skipping kernel modules load",
)  # fmt: skip
_WARNING = "-- WARNING, the following logs are for debugging purposes only --"
_FIELDS = (
    "NVRM version:", "CUDA version:", "Device Index:", "Device Minor:", "Model:", "Brand:",
    "GPU UUID:", "Bus Location:", "Architecture:",
)  # fmt: skip
_VERSION = lazy(r"\d{3}\.\d{1,3}(?:\.\d{1,3})?")


_STARTS = ("NVRM version:", "nvidia-container-cli", "sudo ", "-- WARNING", *_MESSAGES)


def _line(text: str) -> bool:
    if "NVIDIA UNIX" in text:  # /proc/driver/nvidia/version's "NVRM version:" (proc_driver.py)
        return False
    return (
        text.startswith(_FIELDS + _MESSAGES)
        or text == _WARNING
        or _GLOG.fullmatch(text) is not None
    )


def _scan(lines: Sequence[Line], start: int) -> int:
    at = start + 1 if _COMMAND.fullmatch(stripped(lines, start)) else start
    end, fields = at, False
    while at < len(lines):
        text = stripped(lines, at)
        if not text:  # blank lines between the driver and each device
            at += 1
            continue
        if not _line(text):
            break
        fields = fields or text.startswith("NVRM version:")
        at += 1
        end = at
    return end - start if fields else 0


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    driver, models = parse_container_cli_info(text_of(lines))
    first = next((x.number for x in lines if x.text.strip().startswith("NVRM version:")), None)
    if driver and _VERSION.fullmatch(driver):
        builder.put("gpu_access.container.cli_driver", driver, first)
        builder.put("nvidia.kernel_module_version", driver, first)
    models = [m for m in models if m != "(null)"]
    builder.put("gpu_access.container.cli_gpus", models, first)
    arches = [
        x.text.split(":", 1)[1].strip() for x in lines if x.text.strip().startswith("Architecture:")
    ]
    gpus: List[Dict[str, Any]] = []
    for index, name in enumerate(models):
        gpu: Dict[str, Any] = {"index": index, "name": name}
        capability = ComputeCapability.try_parse(arches[index] if index < len(arches) else None)
        if capability is not None:
            gpu["compute_capability"] = str(capability)
        gpus.append(gpu)
    model_line = next((x.number for x in lines if x.text.strip().startswith("Model:")), first)
    builder.put("nvidia.gpus", gpus, model_line)
    if gpus:
        builder.put("nvidia.gpus_source", "paste: nvidia-container-cli info", model_line)
    builder.place(*(x.number for x in lines))
    return builder.finish(lines)


def _quick(text: str) -> bool:
    # _STARTS built once (a tuple made per call cost more than the test), the substring before
    # the regex: this runs at every line no section claims.
    return text.startswith(_STARTS) or ("nvc" in text and _GLOG.fullmatch(text) is not None)


READER = Reader(KIND, _scan, _read, _quick)
READERS = [READER]
