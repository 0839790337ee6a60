"""`nvcc --version`: the CUDA toolkit release the compiler belongs to."""

from __future__ import annotations

import re

from envsetup.parsers import ParseError

# A version is only whole when something follows it: text may have been cut mid-number.
_FULL = re.compile(r"Cuda compilation tools,.*?\bV(\d+\.\d+\.\d+)(?=\s)")
_RELEASE = re.compile(r"Cuda compilation tools,\s*release\s+(\d+\.\d+)(?=[,\s])")


def parse_nvcc_version(text: str) -> str:
    """The full version ("12.8.93") from "V12.8.93", else the release ("12.8")."""
    full = _FULL.search(text)
    if full:
        return full.group(1)
    release = _RELEASE.search(text)
    if release:
        return release.group(1)
    raise ParseError("no 'Cuda compilation tools, release X.Y' line: not nvcc --version output")


__all__ = ["parse_nvcc_version"]
