"""`python -m torch.utils.collect_env` output, as pasted into bug reports.

It lets a person turn someone else's collect_env into facts doctor can diagnose. Only the fields
doctor uses are read; values collect_env could not get ("Could not collect", "N/A", "No CUDA",
"None") read as None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from typing import Any, Dict, List, Optional, Tuple

from envsetup.parsers import ParseError
from envsetup.parsers.cudnn import cudnn_version_from_filename

_UNKNOWN = {"", "N/A", "Could not collect", "No CUDA", "None"}
_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_ ()]*")
# Matched on stripped lines, so no pattern needs to skip trailing blanks.
_GPU_LINE = re.compile(r"GPU \d+:\s*(\S.*)")
_MIG_LINE = re.compile(r"(MIG \S+ Device \d+):")
_PATH_LINE = re.compile(r"(?:/|[A-Za-z]:\\)\S.*")
_VERSION_START = re.compile(r"\d+(?:\.\d+)+")
_PACKAGE_TAGS = ("[pip]", "[pip3]", "[conda]")
# collect_env's first line, which GitHub's rendering of a pasted report often joins to the next:
# "Collecting environment information...<blanks>PyTorch version: 2.7.0.dev20250123+rocm6.3"
# (pytorch/pytorch #145670). The rest of such a line is read as a line of its own.
_COLLECTING = re.compile(r"Collecting environment information\.*\s*")

_FIELDS = {
    "PyTorch version": "torch_version",
    "Is debug build": "debug_build",
    "CUDA used to build PyTorch": "cuda_build",
    "ROCM used to build PyTorch": "rocm_build",
    "OS": "os",
    "GCC version": "gcc_version",
    "Libc version": "libc_version",
    "Python version": "python_version_raw",
    "Python platform": "python_platform",
    "Is CUDA available": "cuda_available",
    "CUDA runtime version": "cuda_runtime",
    "GPU models and configuration": "gpu_models_raw",
    "Nvidia driver version": "driver_version",
    "cuDNN version": "cudnn_raw",
    "HIP runtime version": "hip_runtime",
    "MIOpen runtime version": "miopen_runtime",
    "Is XPU available": "xpu_available",
    "NCCL version": "nccl_version",
    # vLLM's collect_env.py adds these.
    "vLLM Version": "vllm_version",
    "ROCM Version": "rocm_version",
}


@dataclass
class CollectEnv:
    torch_version: Optional[str] = None  # None when torch could not be imported ("N/A")
    debug_build: Optional[bool] = None
    cuda_build: Optional[str] = None  # "CUDA used to build PyTorch"
    rocm_build: Optional[str] = None
    os: Optional[str] = None
    gcc_version: Optional[str] = None
    libc_version: Optional[str] = None
    python_version: Optional[str] = None  # "3.12.3"
    python_version_raw: Optional[str] = None
    python_platform: Optional[str] = None
    cuda_available: Optional[bool] = None
    cuda_runtime: Optional[str] = None  # the toolkit collect_env found (nvcc), not torch's
    gpu_models_raw: Optional[str] = None
    gpus: List[str] = field(default_factory=list)
    mig_devices: List[str] = field(default_factory=list)
    driver_version: Optional[str] = None
    cudnn_raw: Optional[str] = None
    cudnn_libraries: List[str] = field(default_factory=list)
    cudnn_versions: List[str] = field(default_factory=list)  # distinct, in order of appearance
    hip_runtime: Optional[str] = None
    miopen_runtime: Optional[str] = None
    xpu_available: Optional[bool] = None
    nccl_version: Optional[str] = None
    vllm_version: Optional[str] = None
    rocm_version: Optional[str] = None
    # 0-based index, in the lines given, of the line stating each field above (by field name).
    lines: Dict[str, int] = field(default_factory=dict)
    # "[pip3] torch==2.4.0" / "[conda] pytorch ..." lines, with their 0-based index.
    package_lines: List[Tuple[int, str]] = field(default_factory=list)


def _known(value: Optional[str]) -> Optional[str]:
    return None if value is None or value.strip() in _UNKNOWN else value.strip()


def _boolean(value: Optional[str]) -> Optional[bool]:
    # torch < 1.7 printed Yes/No.
    return {"True": True, "False": False, "Yes": True, "No": False}.get(value or "")


def _complete_lines(text: str) -> list[str]:
    # A last line without its newline may have been cut mid-value.
    lines = text.splitlines(keepends=True)
    return [line.rstrip("\r\n") for line in lines if line.endswith(("\n", "\r"))]


def _read_fields(
    lines: list[str], where: Dict[str, int], packages: List[Tuple[int, str]]
) -> tuple[dict[str, Optional[str]], dict[str, list[str]]]:
    """Single-line values by field name, and the lines that follow multi-line fields. Fills
    `where` (field -> line index) and `packages` (the [pip3]/[conda] lines)."""
    values: dict[str, Optional[str]] = {}
    follow: dict[str, list[str]] = {"gpu_models_raw": [], "cudnn_raw": []}
    current: Optional[str] = None
    for index, raw in enumerate(lines):
        line = raw.strip()
        joined = _COLLECTING.match(line)
        if joined:
            line = line[joined.end() :]
        gpu_line = _GPU_LINE.fullmatch(line) or _MIG_LINE.fullmatch(line)
        if current == "gpu_models_raw" and gpu_line:
            follow[current].append(line)
            continue
        if current == "cudnn_raw" and _PATH_LINE.fullmatch(line):
            follow[current].append(line)
            continue
        if line.startswith(_PACKAGE_TAGS):
            packages.append((index, line))
            current = None
            continue
        key, colon, value = line.partition(":")
        # vLLM's sectioned layout pads keys to one column: "PyTorch version     : 2.5.1".
        key = key.rstrip()
        name = _FIELDS.get(key) if colon and _KEY.fullmatch(key) else None
        if name and name not in values:
            values[name] = value.strip()
            where[name] = index
            current = name
        elif line:
            current = None
    return values, follow


def _gpus(env: CollectEnv, value: Optional[str], lines: list[str]) -> None:
    first = _known(value)
    entries = ([first] if first else []) + lines
    for entry in entries:
        gpu = _GPU_LINE.fullmatch(entry)
        mig = _MIG_LINE.fullmatch(entry)
        if gpu:
            env.gpus.append(gpu.group(1))
        elif mig:
            env.mig_devices.append(mig.group(1))
        else:
            env.gpus.append(entry)  # ROCm prints the model alone ("Device 66a1")


def _cudnn(env: CollectEnv, value: Optional[str], paths: list[str]) -> None:
    known = _known(value)
    if known and _VERSION_START.fullmatch(known):
        env.cudnn_versions.append(known)
    env.cudnn_libraries = paths
    for path in paths:
        version = cudnn_version_from_filename(path)
        if version and version not in env.cudnn_versions:
            env.cudnn_versions.append(version)


def parse_collect_env(text: str, cut_above: bool = False) -> Dict[str, Any]:
    """The fields doctor knows, as a dict (see CollectEnv). ParseError without "PyTorch version:",
    unless `cut_above` (a paste that starts below it: its torch version is unknown)."""
    env = CollectEnv()
    values, follow = _read_fields(_complete_lines(text), env.lines, env.package_lines)
    if "torch_version" not in values and not cut_above:
        raise ParseError("no 'PyTorch version:' line: not torch.utils.collect_env output")
    for name in ("torch_version", "cuda_build", "rocm_build", "os", "gcc_version", "libc_version",
                 "python_platform", "cuda_runtime", "driver_version", "hip_runtime",
                 "miopen_runtime", "nccl_version", "vllm_version", "rocm_version"):  # fmt: skip
        setattr(env, name, _known(values.get(name)))
    env.debug_build = _boolean(values.get("debug_build"))
    env.cuda_available = _boolean(values.get("cuda_available"))
    env.xpu_available = _boolean(values.get("xpu_available"))
    env.python_version_raw = _known(values.get("python_version_raw"))
    version = _VERSION_START.match(env.python_version_raw or "")
    env.python_version = version.group(0) if version else None
    env.gpu_models_raw = _known(values.get("gpu_models_raw"))
    if "gpu_models_raw" in values:
        _gpus(env, values["gpu_models_raw"], follow["gpu_models_raw"])
    env.cudnn_raw = _known(values.get("cudnn_raw"))
    if "cudnn_raw" in values:
        _cudnn(env, values["cudnn_raw"], follow["cudnn_raw"])
    # asdict's result without its deep copy of every value (a third of explain's reading of a
    # collect_env section): the values are str, bool, None and lists or dicts of str, int and
    # (int, str) tuples, so new containers are copy enough.
    return {f.name: _copied(getattr(env, f.name)) for f in fields(env)}


def _copied(value: Any) -> Any:
    if isinstance(value, list):
        return list(value)
    if isinstance(value, dict):
        return dict(value)
    return value


__all__ = ["CollectEnv", "parse_collect_env"]
