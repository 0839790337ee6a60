"""The environment report of OpenMMLab's tools (mmcv, mmengine, mmdetection, mmsegmentation...):
`python mmdet/utils/collect_env.py`, `python -c "from mmcv.utils import collect_env; ..."`, and
the "Environment info" block at the top of their training logs. One `Key: value` line per fact,
printed as `'{}: {}'.format(name, val)`; "PyTorch compiling details" holds torch.__config__.show()
on the lines after it ("  - CUDA Runtime 11.0", "  - CuDNN 8.0.5").

Keys from the sources (open-mmlab/mmdetection mmdet/utils/collect_env.py, mmcv's mmcv/utils/env.py
over mmengine's mmengine/utils/dl_utils/collect_env.py): sys.platform, Python (sys.version),
CUDA available, GPU 0,1 (device ids grouped by name), CUDA_HOME (torch.utils.cpp_extension's: the
toolkit a CUDA extension build uses), NVCC (`CUDA_HOME/bin/nvcc -V`, its "Cuda compilation tools"
line, or its last line, "Build cuda_11.1...", in older tools), MSVC, GCC, PyTorch, PyTorch
compiling details, TorchVision, OpenCV, MMEngine, MMCV, MMCV Compiler, MMCV CUDA Compiler and the
versions of the OpenMMLab packages. It is the usual paste in mmcv/mmdet extension-build issues.

Facts: os.system, python.version, torch version / CUDA build / cuDNN and whether CUDA was available,
the GPUs named, and what an extension build uses (extension_build: CUDA_HOME, its nvcc's version).
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

from envsetup.explain.sections._package_facts import put_torch_build
from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading

KIND = "openmmlab-env"
_START = "sys.platform: "
_LINE = lazy(r"(?P<key>[A-Za-z][\w.]{0,30}(?:[ ][A-Za-z0-9_,.]{1,30}){0,3}):(?:\s+(?P<value>.*))?")
_GPU = lazy(r"GPU (?P<ids>\d{1,3}(?:,\d{1,3}){0,63})")
# Keys the tools print besides the OpenMMLab package versions (MM* and their compilers).
_KEYS = (
    "sys.platform", "Python", "CUDA available", "numpy_random_seed", "CUDA_HOME", "NVCC", "MSVC",
    "GCC", "PyTorch", "PyTorch compiling details", "TorchVision", "OpenCV", "MUSA available",
    "MUSA_HOME", "MLU available", "NPU available", "ROCM_HOME", "Pillow", "numpy",
)  # fmt: skip
_CONFIG = ("PyTorch built with:", "- ")  # torch.__config__.show()'s lines
_PLATFORMS = {"linux": "Linux", "win32": "Windows", "darwin": "Darwin"}
_NVCC_RELEASE = lazy(r"release (\d{1,2}\.\d{1,2}), V(\d{1,2}\.\d{1,2}\.\d{1,4})")
_NVCC_BUILD = lazy(r"Build cuda_(\d{1,2}\.\d{1,2})")
_CUDA_RUNTIME = lazy(r"- CUDA Runtime (\d{1,2}\.\d{1,2})\b")
_HIP_RUNTIME = lazy(r"- HIP Runtime (\d{1,2}\.\d{1,2})")
_CUDNN = lazy(r"- Cu[Dd][Nn][Nn] (\d{1,2}\.\d{1,2}(?:\.\d{1,3})?)")
_MAX_LINES = 400


def _key(text: str) -> Optional[str]:
    if text.startswith("Cuda compilation tools, release "):
        return "NVCC"  # its "NVCC: " label went with the normaliser's (explain/paste.py)
    match = _LINE.fullmatch(text)
    if match is None:
        return None
    key = match.group("key")
    if key in _KEYS or key.startswith("MM") or _GPU.fullmatch(key):
        return key
    return None


def _scan(lines: Sequence[Line], start: int) -> int:
    if not stripped(lines, start).startswith(_START):
        return 0
    count, keys = 1, 1
    in_config = False
    while start + count < len(lines) and count < _MAX_LINES:
        text = lines[start + count].text.strip()
        if not text:
            break
        key = None if in_config and text.startswith("- ") else _key(text)
        if key is not None:
            keys += 1
            in_config = key == "PyTorch compiling details"
        elif not (in_config and text.startswith(_CONFIG)):
            break
        count += 1
    return count if keys >= 3 else 0


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    cuda_home: Optional[str] = None
    gpus: list[dict[str, object]] = []
    gpus_line: Optional[int] = None
    for line in lines:
        text, number = line.text.strip(), line.number
        builder.place(number)
        key = None if text.startswith("- ") else _key(text)
        value = text.split(":", 1)[1].strip() if key and ":" in text else text
        if key == "sys.platform":
            builder.put("os.system", _PLATFORMS.get(value), number)
        elif key == "Python":
            version = value.split()[0] if value else ""
            if re.fullmatch(r"\d\.\d{1,2}\.\d{1,3}", version):
                builder.put("python.version", version, number)
        elif key == "CUDA available" and value in ("True", "False"):
            builder.put("torch.deep.ran", True, number)
            builder.put("torch.deep.cuda_available", value == "True", number)
        elif key is not None and (gpu := _GPU.fullmatch(key)) and value:
            gpus += [{"index": int(i), "name": value} for i in gpu.group("ids").split(",")]
            gpus_line = gpus_line or number
        elif key == "CUDA_HOME" and (value.startswith(("/", "\\")) or value[1:3] == ":\\"):
            cuda_home = value
            builder.put("cuda.cuda_home", value, number)
            builder.put("extension_build.cuda_home", value, number)
            builder.put("extension_build.cuda_home_from", "CUDA_HOME", number)
        elif key == "NVCC":
            _put_nvcc(builder, value, number, cuda_home)
        elif key == "PyTorch" and re.fullmatch(r"\d{1,2}\.\d{1,3}\.\d{1,3}\S*", value):
            builder.put("torch.version", value, number)
            put_torch_build(builder, value, number)
        elif key is None:
            _put_config(builder, text, number)
    if gpus:
        builder.put("nvidia.gpus", sorted(gpus, key=lambda g: int(str(g["index"]))), gpus_line)
    return builder.finish(lines)


def _put_nvcc(builder: ReadingBuilder, value: str, number: int, cuda_home: Optional[str]) -> None:
    release = _NVCC_RELEASE.search(value)
    build = _NVCC_BUILD.search(value)
    version = release.group(2) if release else (build.group(1) if build else None)
    if version is None:
        return
    builder.put("extension_build.nvcc_version", version, number)
    if cuda_home:
        separator = "\\" if "\\" in cuda_home else "/"
        root = cuda_home.rstrip("/\\")
        builder.put("extension_build.nvcc", separator.join((root, "bin", "nvcc")), number)
    builder.put(
        "extension_build.source",
        "NVCC (CUDA_HOME/bin/nvcc -V) in an OpenMMLab environment report",
        number,
    )


def _put_config(builder: ReadingBuilder, text: str, number: int) -> None:
    """torch.__config__.show()'s lines: the CUDA or HIP runtime torch was built with, its cuDNN."""
    runtime = _CUDA_RUNTIME.search(text)
    if runtime and builder.get("torch.cuda_version") is None:
        builder.put("torch.flavor", "cuda", number)
        builder.put("torch.cuda_version", runtime.group(1), number)
    hip = _HIP_RUNTIME.search(text)
    if hip and builder.get("torch.hip_version") is None:
        builder.put("torch.flavor", "rocm", number)
        builder.put("torch.hip_version", hip.group(1), number)
    cudnn = _CUDNN.search(text)
    if cudnn:
        builder.put("torch.cudnn_version", cudnn.group(1), number)


def _quick(text: str) -> bool:
    return text.startswith(_START)


READER = Reader(KIND, _scan, _read, _quick)
READER.start = lazy(r"sys\.platform: ")
READERS = [READER]
