"""cuDNN's version from its header defines or from a library file name."""

from __future__ import annotations

import re
from typing import Optional

from envsetup.parsers import ParseError

_DEFINE = re.compile(
    r"^[ \t]*#[ \t]*define[ \t]+(CUDNN_MAJOR|CUDNN_MINOR|CUDNN_PATCHLEVEL)[ \t]+(\d{1,9})[ \t]*\r?\n",
    re.MULTILINE,
)

# libcudnn.so.8.9.2, libcudnn_ops.so.9, cudnn64_8.dll, cudnn_ops64_9.dll, libcudnn.9.dylib
_FILENAME_PATTERNS = (
    re.compile(r"libcudnn(?:_[a-z_]+)?\.so\.(\d+(?:\.\d+)*)"),
    re.compile(r"cudnn(?:_[a-z_]+)?64_(\d+(?:\.\d+)*)\.dll", re.IGNORECASE),
    re.compile(r"libcudnn(?:_[a-z_]+)?\.(\d+(?:\.\d+)*)\.dylib"),
)


def parse_cudnn_header(text: str) -> str:
    """ "9.6.0" from CUDNN_MAJOR / CUDNN_MINOR / CUDNN_PATCHLEVEL (cudnn_version.h >= 8, cudnn.h 7)."""
    found: dict[str, str] = {}
    for match in _DEFINE.finditer(text):
        found.setdefault(match.group(1), match.group(2))
    missing = [
        name for name in ("CUDNN_MAJOR", "CUDNN_MINOR", "CUDNN_PATCHLEVEL") if name not in found
    ]
    if missing:
        raise ParseError(f"no #define {', '.join(missing)}: not cudnn_version.h / cudnn.h, or cut")
    return (
        f"{int(found['CUDNN_MAJOR'])}.{int(found['CUDNN_MINOR'])}.{int(found['CUDNN_PATCHLEVEL'])}"
    )


def cudnn_version_from_filename(name: str) -> Optional[str]:
    """The version a cuDNN library's file name carries ("8.9.2", "9"), or None."""
    base = re.split(r"[\\/]", name)[-1]
    for pattern in _FILENAME_PATTERNS:
        match = pattern.fullmatch(base)
        if match:
            return match.group(1)
    return None


__all__ = ["cudnn_version_from_filename", "parse_cudnn_header"]
