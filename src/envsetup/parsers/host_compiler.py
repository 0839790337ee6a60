"""`gcc --version`, `clang --version` and cl.exe's banner: which compiler family and version.

Forms read (tests/fixtures/toolchain/SOURCES.tsv names the real ones the tests use):
  gcc (Ubuntu 13.2.0-23ubuntu4) 13.2.0                      GCC: NAME (PKGVERSION) VERSION
  gcc (GCC) 13.2.1 20231011 (Red Hat 13.2.1-4)              a date may follow the version
  clang version X.Y.Z / Ubuntu clang version X.Y.Z-...      clang
  Microsoft (R) C/C++ Optimizing Compiler Version X.Y.Z     cl.exe's banner (on stderr)
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
