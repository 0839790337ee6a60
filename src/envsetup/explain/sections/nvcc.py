"""`nvcc --version`: the CUDA toolkit of the nvcc that ran, read by parsers/nvcc.py."""

from __future__ import annotations

import re
from typing import Optional, Sequence

from envsetup.explain.sections._common import command_at, put, reading
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading
from envsetup.parsers import ParseError
from envsetup.parsers.nvcc import parse_nvcc_version

# The command, with the nvcc it names: "nvcc -V", "/usr/local/cuda-12.1/bin/nvcc --version".
_COMMAND = lazy(r"(?:sudo\s+)?(?P<nvcc>(?:\S*[/\\])?nvcc(?:\.exe)?)\s+(?:--version|-V)")
# Every line nvcc --version prints, from CUDA 7 to 13.
_OUTPUT = (
    lazy(r"nvcc: NVIDIA \(R\) Cuda compiler driver"),
    lazy(r"Copyright \(c\) \d{4}-\d{4} NVIDIA Corporation"),
    lazy(r"Built on \S+"),
    lazy(r"Cuda compilation tools, release \d+\.\d+.*"),
    lazy(r"Build cuda_\S+"),
)
_START = (_OUTPUT[0], _OUTPUT[3])


def _is_output(line: Line) -> bool:
    text = line.text.strip()
    return any(pattern.fullmatch(text) for pattern in _OUTPUT)


class NvccReader:
    kind = "nvcc-version"
    start = lazy(r"(?:(?:sudo\s+)?\S*nvcc|Cuda compilation tools)")

    def extent(self, lines: Sequence[Line], start: int) -> int:
        head = command_at(lines, start, _COMMAND)
        at = start + head
        if at >= len(lines):
            return 0
        first = lines[at].text.strip()
        if not any(p.fullmatch(first) for p in _START):
            return 0
        end = at
        while end < len(lines) and _is_output(lines[end]):
            end += 1
        return end - start

    def read(self, lines: Sequence[Line]) -> Reading:
        result = reading(self.kind, lines)
        nvcc: Optional[str] = None
        release_line: Optional[Line] = None
        for line in lines:
            command = _COMMAND.fullmatch(line.text.strip())
            if command:
                nvcc = command.group("nvcc")
            elif line.text.strip().startswith("Cuda compilation tools"):
                release_line = line
            elif line.text.strip() and not _is_output(line):
                result.unread.append(line.number)
        if release_line is None:
            return result
        try:
            # The line came whole (the next one exists or the paste ended it): no cut number.
            version = parse_nvcc_version(release_line.text.strip() + "\n")
        except ParseError:
            result.unread.append(release_line.number)
            return result
        number = release_line.number
        named = nvcc if nvcc and re.search(r"[/\\]", nvcc) else None
        root = re.sub(r"[/\\]bin[/\\]nvcc(?:\.exe)?$", "", named) if named else ""
        put(result, "cuda.nvcc_on_path_version", version, number)
        put(result, "cuda.nvcc_on_path", named or "nvcc", number)
        toolkit = {
            "path": root or "nvcc on PATH",
            "version": version,
            "source": f"paste:{number} (nvcc --version)",
            "nvcc": named or "nvcc",
            "kind": "system",
        }
        put(result, "cuda.toolkits", [toolkit], number)
        return result


READERS = [NvccReader()]
