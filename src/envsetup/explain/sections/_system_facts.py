"""collect_env's facts beside torch and CUDA (envsetup.model.system_info): "GCC version:",
"Clang version:", the "CPU:" block (lscpu on Linux, the brand string on macOS, wmic's Name= lines
on Windows; vLLM's sectioned layout puts it under a "CPU Info" banner) and the relevant packages
of "Versions of relevant libraries". What collect_env prints, and how: pytorch/pytorch
torch/utils/collect_env.py (get_gcc_version, get_clang_version, get_cpu_info, get_pip_packages:
https://github.com/pytorch/pytorch/blob/main/torch/utils/collect_env.py).
"""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.explain.sections._reading import ReadingBuilder
from envsetup.model.paste import Line
from envsetup.model.system_info import is_relevant, package_key
from envsetup.parsers import ParseError
from envsetup.parsers.cpuinfo import parse_lscpu
from envsetup.parsers.host_compiler import parse_compiler_version
from envsetup.parsers.packages import parse_package_line

_UNKNOWN = ("", "Could not collect", "N/A", "None")
# collect_env matches "gcc (.*)" and "clang version (.*)" and prints the rest: put the words back
_COMPILER_KEYS = (("GCC version", "gcc", "gcc "), ("Clang version", "clang", "clang version "))


def add_system_info(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    texts = [line.text.strip() for line in lines]
    for index, text in enumerate(texts):
        for key, name, prefix in _COMPILER_KEYS:
            head, colon, value = text.partition(":")
            if colon and head.rstrip() == key and value.strip() not in _UNKNOWN:
                _add_compiler(builder, name, prefix + value.strip(), lines[index].number)
    _add_cpu(builder, lines, texts)
    _add_packages(builder, lines, texts)


def _add_compiler(builder: ReadingBuilder, name: str, banner: str, line: int) -> None:
    try:
        family, version = parse_compiler_version(banner)
    except ParseError:
        family, version = "unknown", None
    compiler = {
        "name": name,
        "family": family,
        "version": version,
        "banner": banner,
        "source": f"paste:{line}",
    }
    builder.append("system_info.compilers", compiler, line)


def _cpu_block(texts: list[str]) -> tuple[int, list[int]]:
    """The index of the line stating the CPU block and the indexes of its lines; (-1, []) when
    there is none."""
    for index, text in enumerate(texts):
        head, colon, value = text.partition(":")
        if colon and head.rstrip() == "CPU":
            if value.strip():  # the model on the key's own line
                return index, [index]
            return index, _block(texts, index + 1)
        following = texts[index + 1] if index + 1 < len(texts) else ""
        if text == "CPU Info" and following.startswith("==="):  # vLLM: title, banner, block
            return index, _block(texts, index + 2)
    return -1, []


def _block(texts: list[str], start: int) -> list[int]:
    block = []
    for at in range(start, len(texts)):
        text = texts[at]
        if not text or text.startswith("===") or text.startswith("Versions of relevant"):
            break
        block.append(at)
    return block


def _add_cpu(builder: ReadingBuilder, lines: Sequence[Line], texts: list[str]) -> None:
    at, block = _cpu_block(texts)
    if not block:
        return
    line = lines[at].number
    body = [texts[i] for i in block]
    if block == [at]:  # "CPU: model" on the key's own line
        body = [texts[at].partition(":")[2].strip()]
    model, count = parse_lscpu("\n".join(body))
    if not model:
        # Windows (wmic ... /VALUE): "Name=Intel(R) Xeon(R) ..." per socket
        names = [t[len("Name=") :].strip() for t in body if t.startswith("Name=")]
        model = " + ".join(dict.fromkeys(n for n in names if n))
    if not model and len(body) == 1 and ":" not in body[0] and "=" not in body[0]:
        model = body[0]  # macOS: sysctl -n machdep.cpu.brand_string
    if not model and count is None:
        return
    builder.put("system_info.cpu_model", model, line)
    builder.put("system_info.cpu_count", count, line)


def _add_packages(builder: ReadingBuilder, lines: Sequence[Line], texts: list[str]) -> None:
    found: dict[str, str] = {}
    first: Optional[int] = None
    for index, text in enumerate(texts):
        if not text.startswith(("[pip", "[conda]")):
            continue
        package = parse_package_line(text)
        if package is None or not package.version or not is_relevant(package.name):
            continue
        key = package_key(package.name)
        found.setdefault(key, package.version)
        first = lines[index].number if first is None else first
    if found and first is not None:
        builder.put("system_info.packages", dict(sorted(found.items())), first)
