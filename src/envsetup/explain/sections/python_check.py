"""The everyday "what do I have" checks people paste, each with what it printed:

- `python -c "import torch; print(torch.__version__, torch.version.cuda,
  torch.cuda.is_available())"` and its output line(s) (`2.7.0+cu128 12.8 False`);
- the same expressions typed in a REPL (the `>>> ` prompt is already removed by the normaliser):
  `torch.__version__` then `'2.7.0+cu128'`, `torch.cuda.is_available()` then `False`;
- `python --version` / `python3 -V` then `Python 3.11.4`.

An output line is read only when the command before it says what it prints: each `print(...)`
of the `-c` code is one line, its arguments joined by single spaces (print's default `sep`), and
each argument must be an expression below or a string literal; a REPL expression's value is the
line right after it (its repr: a string in quotes; None prints nothing). What the expressions
give (torch's own API, torch/version.py and torch/cuda/__init__.py):
`torch.__version__` "2.7.0+cu128" (the local label names the build), `torch.version.cuda` "12.8"
or None (no CUDA build), `torch.cuda.is_available()` True/False, `torch.cuda.device_count()`,
`torch.cuda.get_device_name(0)`, `torch.backends.cudnn.version()` 90100, `torch.version.hip`,
`platform.python_version()` / `sys.version` (the Python's version first).

Facts: torch.version / flavor / cuda_version / hip_version, torch.deep.ran,
torch.deep.cuda_available, device_count, cudnn_version, nvidia.gpus (device 0's name),
python.version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

from envsetup.explain.sections._package_facts import put_torch_build
from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Reading

KIND = "python-check"
FORMS = ("python-version", "python-c", "python-repl-torch")

_PYTHON_CMD = r"(?:[\w./\\:~-]*[\\/])?(?:python(?:\d(?:\.\d{1,2})?)?|py)(?:\.exe)?"
_VERSION_CMD = lazy(rf"{_PYTHON_CMD}\s+(?:--version|-V)")
_VERSION_OUT = lazy(r"Python (\d\.\d{1,2}(?:\.\d{1,3})?(?:[a-z]{1,2}\d{0,2})?\+?)")
_C_CMD = lazy(rf"{_PYTHON_CMD}\s+-c\s+(?P<q>[\"'])(?P<code>.{{1,2000}})(?P=q)")
_PRINT = lazy(r"print\((?P<args>.*)\)")
_IMPORT = lazy(r"import\s+(?:torch|sys|platform)(?:\s*,\s*(?:torch|sys|platform)){0,3}")
_STRING = lazy(r"(?P<q>[\"'])(?P<s>[^\"'\\{}]{0,200})(?P=q)")
_MAX_BLANKS = 2
# Another torch statement typed in the same REPL session: "torch.tensor([1.0]).cuda()".
_STATEMENT = lazy(r"(?:[\w.]{1,40} ?= ?)?torch\.[\w.]{1,80}\(.{0,200}\)[\w.()]{0,80}")


@dataclass(frozen=True)
class _Expression:
    path: str  # the fact it states
    value: str  # a regex for what print() shows (REPL: the repr, quotes optional)
    last_only: bool = False  # holds spaces: only as the last argument of its print


_BOOL = r"True|False"
_EXPRESSIONS: dict[str, _Expression] = {
    "torch.__version__": _Expression("torch.version", r"[\w.+]{1,60}"),
    "torch.version.__version__": _Expression("torch.version", r"[\w.+]{1,60}"),
    "torch.version.cuda": _Expression("torch.cuda_version", r"\d{1,2}\.\d{1,2}|None"),
    "torch.version.hip": _Expression("torch.hip_version", r"[\w.-]{1,60}|None"),
    "torch.cuda.is_available()": _Expression("torch.deep.cuda_available", _BOOL),
    "torch.cuda.device_count()": _Expression("torch.deep.device_count", r"\d{1,3}"),
    "torch.backends.cudnn.version()": _Expression("torch.deep.cudnn_version", r"\d{3,6}|None"),
    "torch.cuda.get_device_name()": _Expression("nvidia.gpus", r".{1,120}?", True),
    "torch.cuda.get_device_name(0)": _Expression("nvidia.gpus", r".{1,120}?", True),
    "platform.python_version()": _Expression("python.version", r"\d\.\d{1,2}\.\d{1,3}\S{0,8}"),
    "sys.version": _Expression("python.version", r"\d\.\d{1,2}\.\d{1,3}\S{0,8}.{0,200}?", True),
}


def _normal(expression: str) -> str:
    return "".join(expression.split())


def _arguments(text: str) -> list[str]:
    """print's arguments, split at the commas outside brackets and strings."""
    parts: list[str] = []
    depth = 0
    quote = ""
    current = ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += char
    if current.strip():
        parts.append(current.strip())
    return parts


def _print_pattern(args: str) -> Optional[tuple[re.Pattern[str], list[Optional[str]]]]:
    """The output line one print(...) makes, as a regex with one group per expression, and the
    fact path of each group; None when an argument is not one this reader knows."""
    pieces: list[str] = []
    paths: list[Optional[str]] = []
    arguments = _arguments(args)
    if not arguments or any("=" in a and not _STRING.fullmatch(a) for a in arguments):
        return None  # sep=/end=/file= change the line, or an assignment: not read
    for index, argument in enumerate(arguments):
        string = _STRING.fullmatch(argument)
        if string:
            pieces.append(re.escape(string.group("s")))
            continue
        expression = _EXPRESSIONS.get(_normal(argument))
        if expression is None or (expression.last_only and index != len(arguments) - 1):
            return None
        pieces.append(f"({expression.value})")
        paths.append(expression.path)
    return re.compile(" ".join(pieces)), paths


def _program(code: str) -> Optional[list[tuple[re.Pattern[str], list[Optional[str]]]]]:
    """One pattern per output line of the `-c` code; None when the code is not only imports and
    prints this reader can follow."""
    lines: list[tuple[re.Pattern[str], list[Optional[str]]]] = []
    for statement in (s.strip() for s in code.split(";")):
        if not statement or _IMPORT.fullmatch(statement):
            continue
        match = _PRINT.fullmatch(statement)
        pattern = _print_pattern(match.group("args")) if match else None
        if pattern is None:
            return None
        lines.append(pattern)
    return lines or None


def _next_text(lines: Sequence[Line], at: int) -> int:
    """The index of the next non-blank line from `at` (a post's blank lines between a command
    and its output), or len(lines)."""
    blanks = 0
    while at < len(lines) and not lines[at].text.strip() and blanks < _MAX_BLANKS:
        at += 1
        blanks += 1
    return at


def _scan_c(lines: Sequence[Line], start: int) -> int:
    match = _C_CMD.fullmatch(stripped(lines, start))
    program = _program(match.group("code")) if match else None
    if program is None:
        return 0
    at = start + 1
    for pattern, _ in program:
        at = _next_text(lines, at)
        if at >= len(lines) or not pattern.fullmatch(stripped(lines, at)):
            break
        at += 1
    return at - start if at > start + 1 else 0


def _repl_value(expression: _Expression, text: str) -> Optional[str]:
    """The value a REPL line shows for `expression` (its repr; a print shows it bare)."""
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return text if re.fullmatch(expression.value, text) else None


def _repl_expression(text: str) -> Optional[_Expression]:
    text = _normal(text)
    match = _PRINT.fullmatch(text)
    return _EXPRESSIONS.get(match.group("args") if match else text)


def _scan_repl(lines: Sequence[Line], start: int) -> int:
    at = start
    read = 0
    while at < len(lines):
        text = stripped(lines, at)
        if _IMPORT.fullmatch(text):
            at += 1
            continue
        expression = _repl_expression(text)
        if expression is None:
            if read and _STATEMENT.fullmatch(text):
                at += 1  # ">>> torch.tensor([1.0]).cuda()": typed in the same session, its
                continue  # output (a warning, a traceback) is the classifier's
            break
        following = stripped(lines, at + 1)
        if at + 1 < len(lines) and _repl_value(expression, following) is not None:
            at += 2
            read += 1
        elif at + 1 < len(lines) and _repl_expression(following) is not None:
            at += 1  # the REPL shows nothing for None ("torch.version.cuda" of a CPU build)
        else:
            break
    return at - start if read else 0


def _scan_version(lines: Sequence[Line], start: int) -> int:
    if not _VERSION_CMD.fullmatch(stripped(lines, start)):
        return 0
    at = _next_text(lines, start + 1)
    return at - start + 1 if at < len(lines) and _VERSION_OUT.fullmatch(stripped(lines, at)) else 0


def _scan(lines: Sequence[Line], start: int) -> int:
    return _scan_version(lines, start) or _scan_c(lines, start) or _scan_repl(lines, start)


# -- reading ---------------------------------------------------------------------------------


def _put(builder: ReadingBuilder, path: str, value: str, line: int) -> None:
    if value == "None":
        builder.place(line)  # torch.version.cuda None: a build without CUDA, or ROCm's
        return
    if path == "torch.version":
        builder.put(path, value, line)
        put_torch_build(builder, value, line)
    elif path == "torch.deep.cuda_available":
        builder.put("torch.deep.ran", True, line)
        builder.put(path, value == "True", line)
    elif path in ("torch.deep.device_count", "torch.deep.cudnn_version"):
        builder.put("torch.deep.ran", True, line)
        builder.put(path, int(value), line)
    elif path == "nvidia.gpus":
        builder.put(path, [{"index": 0, "name": value.strip()}], line)
    elif path == "python.version":
        builder.put(path, value.split()[0].rstrip("+"), line)
    elif path == "torch.cuda_version":
        builder.put(path, value, line)
        builder.put("torch.flavor", "cuda", line)
    else:
        builder.put(path, value, line)


def _read_c(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    match = _C_CMD.fullmatch(lines[0].text.strip())
    program = _program(match.group("code")) if match else None
    builder.place(lines[0].number)
    outputs = [line for line in lines[1:] if line.text.strip()]
    for (pattern, paths), line in zip(program or [], outputs):
        found = pattern.fullmatch(line.text.strip())
        if found is None:
            continue
        builder.place(line.number)
        for path, value in zip(paths, found.groups()):
            if path:
                _put(builder, path, value, line.number)


def _read_repl(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    index = 0
    while index < len(lines):
        text = lines[index].text.strip()
        if _IMPORT.fullmatch(text) or not text:
            if text:
                builder.place(lines[index].number)
            index += 1
            continue
        expression = _repl_expression(text)
        if expression is None or index + 1 >= len(lines):
            if _STATEMENT.fullmatch(text):
                builder.place(lines[index].number)
            index += 1
            continue
        following = lines[index + 1].text.strip()
        value = _repl_value(expression, following)
        if value is not None:
            builder.place(lines[index].number, lines[index + 1].number)
            _put(builder, expression.path, value, lines[index + 1].number)
            index += 2
        else:
            if _repl_expression(following) is not None and "None" in expression.value:
                builder.place(lines[index].number)  # printed nothing: None
            index += 1


def _read(lines: Sequence[Line]) -> Reading:
    form = "python-repl-torch"
    first = lines[0].text.strip() if lines else ""
    if _VERSION_CMD.fullmatch(first):
        form = "python-version"
    elif _C_CMD.fullmatch(first):
        form = "python-c"
    builder = ReadingBuilder(form, lines)
    reader: Callable[[ReadingBuilder, Sequence[Line]], None]
    if form == "python-version":
        builder.place(lines[0].number)
        for line in lines[1:]:
            match = _VERSION_OUT.fullmatch(line.text.strip())
            if match:
                builder.put("python.version", match.group(1).rstrip("+"), line.number)
    else:
        reader = _read_c if form == "python-c" else _read_repl
        reader(builder, lines)
    return builder.finish(lines)


_QUICK = ("python", "py ", "py.exe", "import ", "torch.", "print(", "platform.", "sys.")


def _quick(text: str) -> bool:
    return text.startswith(_QUICK) or ("python" in text[:200] and "-" in text)


READER = Reader(KIND, _scan, _read, _quick, forms=FORMS)
READERS = [READER]
