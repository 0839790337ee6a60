"""`gcc --version`, `clang --version` and cl.exe's banner: which compiler family and version.

Real first lines read (tests/fixtures/compilers/SOURCES.tsv names each source):
  gcc (Ubuntu 13.2.0-23ubuntu4) 13.2.0
  gcc (GCC) 12.3.1 20230508 (Red Hat 12.3.1-1)
  x86_64-conda-linux-gnu-cc (conda-forge gcc 12.3.0-3) 12.3.0
  Ubuntu clang version 14.0.0-1ubuntu1.1
  Microsoft (R) C/C++ Optimizing Compiler Version 19.29.30133 for x64
"""

from __future__ import annotations

import re
from typing import NamedTuple

from envsetup.parsers import ParseError

_CLANG = re.compile(r"\bclang version (\d+\.\d+(?:\.\d+)?)")
_MSVC = re.compile(r"Microsoft \(R\) C/C\+\+ Optimizing Compiler Version (\d+\.\d+(?:\.\d+)?)")
# GCC prints "NAME (PKGVERSION) VERSION": the version follows the last ") " of the first line's
# package part, which may itself hold parentheses ("(Ubuntu 9.4.0-1ubuntu1~20.04.2)").
_GCC = re.compile(r"^\S+ \(.*?\) (\d+\.\d+(?:\.\d+)?)(?=[\s-]|$)")


class CompilerVersion(NamedTuple):
    family: str  # "gcc", "clang" or "msvc"
    version: str  # "13.2.0"


def parse_compiler_version(text: str) -> CompilerVersion:
    """The compiler family and version a `--version` output (or cl.exe's banner) states.

    ParseError when the text is none of them."""
    clang = _CLANG.search(text)
    if clang:
        return CompilerVersion("clang", clang.group(1))
    msvc = _MSVC.search(text)
    if msvc:
        return CompilerVersion("msvc", msvc.group(1))
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    gcc = _GCC.match(first)
    if gcc and ("Free Software Foundation" in text or "gcc" in first or "g++" in first):
        return CompilerVersion("gcc", gcc.group(1))
    raise ParseError("no gcc, clang or cl version line: not a compiler's --version output")


__all__ = ["CompilerVersion", "parse_compiler_version"]
