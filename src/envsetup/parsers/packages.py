"""Package lists as pasted: `pip list`, `pip freeze`, `conda list`, and collect_env's
"[pip3] torch==2.4.0" / "[conda] pytorch 2.4.0 py3.12_cuda12.1_cudnn9.1.0_0 pytorch" lines.

One line at a time, so a list cut anywhere still gives every whole line before the cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional

# PEP 508 names; conda's are the same shape.
_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,200}[A-Za-z0-9])?")
_VERSION = re.compile(r"\d[0-9A-Za-z.+!_-]{0,100}")
# conda build strings of pytorch: "py3.9_cuda11.3_cudnn8.2.0_0", "cuda120_py311h...", "cpu_py39h..."
_BUILD_CUDA = re.compile(r"(?:^|_)cuda(\d+)\.?(\d)(?=[._]|$)")
_BUILD_CUDA_DOTTED = re.compile(r"(?:^|_)cuda(\d+\.\d+)(?=_|$)")
_BUILD_CUDNN = re.compile(r"(?:^|_)cudnn(\d+(?:\.\d+)*)(?=_|$)")
_TAGS = ("[pip]", "[pip3]", "[conda]")


@dataclass(frozen=True)
class Package:
    name: str  # normalised: lower case, "_" and "." as "-"
    version: str
    build: str = ""  # conda's build string
    channel: str = ""  # conda's channel, when printed


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_package_line(line: str) -> Optional[Package]:
    """The package a list line names, or None when it is not one (headers, prose, blanks)."""
    text = line.strip()
    for tag in _TAGS:
        if text.startswith(tag):
            text = text[len(tag) :].strip()
            break
    if not text or text.startswith("#"):
        return None
    if "==" in text:  # pip freeze
        name, _, version = text.partition("==")
        name, version = name.strip(), version.strip()
        if _NAME.fullmatch(name) and _VERSION.fullmatch(version):
            return Package(normalise(name), version)
        return None
    words = text.split()
    if not 2 <= len(words) <= 4:
        return None
    name, version = words[0], words[1]
    if not (_NAME.fullmatch(name) and _VERSION.fullmatch(version)):
        return None
    rest = words[2:]
    # pip list's third column is an editable project's location; conda's are build and channel.
    if (rest and rest[0].startswith(("/", "~", "\\"))) or (rest and ":\\" in rest[0]):
        return Package(normalise(name), version)
    build = rest[0] if rest else ""
    channel = rest[1] if len(rest) > 1 else ""
    return Package(normalise(name), version, build, channel)


def cuda_of_conda_build(build: str) -> Optional[str]:
    """ "11.3" from a pytorch build string "py3.9_cuda11.3_cudnn8.2.0_0" or "cuda120_py311h..."."""
    dotted = _BUILD_CUDA_DOTTED.search(build)
    if dotted:
        return dotted.group(1)
    packed = _BUILD_CUDA.search(build)
    if packed:
        return f"{int(packed.group(1))}.{packed.group(2)}"
    return None


def cudnn_of_conda_build(build: str) -> Optional[str]:
    match = _BUILD_CUDNN.search(build)
    return match.group(1) if match else None


def is_header(line: str) -> bool:
    """pip list's "Package  Version" / "-----  -----" rows, conda list's "# ..." comments, and
    collect_env's "Versions of relevant libraries:"."""
    text = line.strip()
    words = text.split()
    return (
        words[:2] == ["Package", "Version"]
        or (bool(words) and set(text) <= set("- "))
        or text.startswith("# packages in environment at")
        or text.startswith("# Name")
        or text == "#"
        or text == "Versions of relevant libraries:"
    )


__all__: List[str] = [
    "Package",
    "cuda_of_conda_build",
    "cudnn_of_conda_build",
    "is_header",
    "normalise",
    "parse_package_line",
]
