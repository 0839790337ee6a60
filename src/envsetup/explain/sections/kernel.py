"""`uname -a` and `/proc/version`: the system, its kernel release, its architecture and WSL."""

from __future__ import annotations

import re
from typing import Sequence

from envsetup.explain.sections._common import command_at, put, reading
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers.kernel import wsl_from_kernel

_ARCHES = r"x86_64|amd64|aarch64|arm64|ppc64le|ppc64|s390x|i[3-6]86|armv[67]l|riscv64|loongarch64"
# uname -a on Linux: "Linux HOST RELEASE #BUILD ... MACHINE [PROCESSOR PLATFORM] GNU/Linux"
_UNAME_LINUX = lazy(
    rf"Linux\s+\S+\s+(?P<release>\d\S*)\s+#.*?\s(?P<arch>{_ARCHES})(?:\s+\S+){{0,3}}"
)
# uname -a on macOS: "Darwin HOST 23.5.0 Darwin Kernel Version 23.5.0: ...; root:xnu-.../RELEASE_ARM64_T6000 arm64"
_UNAME_DARWIN = lazy(
    rf"Darwin\s+\S+\s+(?P<release>\d\S*)\s+Darwin Kernel Version .*\s(?P<arch>{_ARCHES})"
)
_UNAME_COMMAND = lazy(r"uname\s+-a")
# XNU's build names the hardware it was built for ("root:xnu-.../RELEASE_ARM64_T6031"): an ARM64
# kernel under an x86_64 machine name is a shell run through Rosetta 2 on Apple Silicon.
_XNU_ARM64 = lazy(r"/RELEASE_ARM64(?:_\w+)?\b")
# /proc/version: "Linux version RELEASE (BUILDER) (COMPILER) #BUILD ..."; bug templates get its
# head alone ("Linux version 5.15.90.1-microsoft-standard-WSL2": microsoft/WSL #9821).
_PROC_VERSION = lazy(r"Linux version (?P<release>\d{1,2}\.\d{1,3}\S*)(?:\s+\(.*)?")
_PROC_COMMAND = lazy(r"(?:sudo\s+)?cat\s+/proc/version")


def _uname(text: str) -> re.Match[str] | None:
    text = text.strip()
    return _UNAME_LINUX.fullmatch(text) or _UNAME_DARWIN.fullmatch(text)


class UnameReader:
    kind = "uname"
    start = lazy(r"(?:Linux\s|Darwin\s|uname\s)")

    def extent(self, lines: Sequence[Line], start: int) -> int:
        head = command_at(lines, start, _UNAME_COMMAND)
        at = start + head
        return head + 1 if at < len(lines) and _uname(lines[at].text) else 0

    def read(self, lines: Sequence[Line]) -> Reading:
        result = reading(self.kind, lines)
        for line in lines:
            match = _uname(line.text)
            if match is None:
                if line.text.strip() and not _UNAME_COMMAND.fullmatch(line.text.strip()):
                    result.unread.append(line.number)
                continue
            system = "Darwin" if line.text.strip().startswith("Darwin") else "Linux"
            put(result, "os.system", system, line.number)
            put(result, "os.kernel", match.group("release"), line.number)
            put(result, "os.arch", match.group("arch"), line.number)
            if system == "Darwin" and _XNU_ARM64.search(line.text):
                put(result, "apple.apple_silicon", True, line.number)
            wsl = wsl_from_kernel(match.group("release")) if system == "Linux" else None
            if wsl:
                put(result, "os.wsl", wsl, line.number)
                put(result, "os.wsl_evidence", [f"kernel: {match.group('release')}"], line.number)
        return result


class ProcVersionReader:
    kind = "proc-version"
    start = lazy(r"(?:Linux version |(?:sudo\s+)?cat\s+/proc/version)")

    def extent(self, lines: Sequence[Line], start: int) -> int:
        head = command_at(lines, start, _PROC_COMMAND)
        at = start + head
        ok = at < len(lines) and _PROC_VERSION.fullmatch(lines[at].text.strip())
        return head + 1 if ok else 0

    def read(self, lines: Sequence[Line]) -> Reading:
        result = reading(self.kind, lines)
        for line in lines:
            match = _PROC_VERSION.fullmatch(line.text.strip())
            if match is None:
                if line.text.strip() and not _PROC_COMMAND.fullmatch(line.text.strip()):
                    result.unread.append(line.number)
                continue
            put(result, "os.system", "Linux", line.number)
            put(result, "os.kernel", match.group("release"), line.number)
            wsl = wsl_from_kernel(line.text)
            if wsl:
                put(result, "os.wsl", wsl, line.number)
                put(result, "os.wsl_evidence", [f"/proc/version: {line.text.strip()}"], line.number)
        return result


READERS = [UnameReader(), ProcVersionReader()]
