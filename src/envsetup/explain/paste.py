"""Pasted text -> `Line`s: what a person pasted, with the wrapping of where they pasted it removed.

People paste terminal output into GitHub issues, forums, chats and e-mails. On the way it gains
code fences (```` ``` ```` / `~~~`), `>` quote marks, shell and Python prompts (`$ `, `# `,
`(env) user@host:~$ `, `PS C:\\> `, `>>> `), log prefixes (timestamps, `[stderr]`, syslog's
`Jan  2 03:04:05 host kernel: `, dmesg's `[  12.345678] `, the loggers of the programs torch runs
under: vLLM's `ERROR 02-20 16:43:12 engine.py:389] `, Ray's `(RayWorkerWrapper pid=7, ip=...) `,
glog's `E0220 16:43:12.123456 12345 file.cc:123] `, TensorFlow's, Python logging's
`2024-05-01 12:00:00,123 - name - ERROR - `, DeepSpeed's, torchrun's `[rank0]: `), ANSI colours,
Windows line ends and the indentation of a forum's code block. `normalise` removes each of those
from every line and keeps the line's number as pasted (1-based), so that every finding can cite
the line a person sees in their own paste. Pure; standard library only.
"""

from __future__ import annotations

import codecs
import re
from typing import Optional

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line

# Patterns most pastes never need (ANSI, a glued fence, an inline code span...) are compiled on
# first use (lazy_pattern); those tried on most lines stay re.compile'd: a LazyPattern's method is
# found in its instance dict after the class's, which on every line cost more (+10 M instructions
# on the 1 MB bench paste) than compiling them at import saves (bench/bench_explain.py).
# ECMA-48: CSI (colours, cursor moves), OSC (titles, hyperlinks; ended by BEL or ST), and the
# two-byte escapes. A terminal copy keeps them; a log file written with colours too.
_ANSI = lazy(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]"
)
# A colour code whose ESC byte was lost on the way (a web page shows "[0m" as text). Without a
# number ("[m", "[K") only where no word follows: "[multiproc_executor.py:783]", "[Kernel]" stay.
_BARE_SGR = re.compile(r"(?<![\]\[])\[(?:(?:\d{1,3};)*\d{1,3}[mK]|[mK](?![\w.]))(?!\])")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_INVISIBLE.update({ord("\xa0"): " ", ord("\u202f"): " "})
_FENCE = re.compile(r"\s*(?:`{3,}|~{3,})\s*[\w+#.-]*\s*(?:`{3,})?\s*")
# A closing fence typed at the end of the last output line ("...restored_image'```"): the fence is
# no part of that line (an inline code span would hold a backtick before it).
# A label a post puts before a tool's first output line on the same line ("nvidia-smi:NVIDIA-SMI
# 450.51.05 ...", "当前环境：NVIDIA-SMI 475.14 ...", "nvcc -V:Cuda compilation tools, release 10.2"):
# the label goes, the output stays (pytorch/pytorch #85332, X-PLUG/MobileAgent #60).
_LABELLED_OUTPUT = lazy(
    r"[^|\s][^|]{0,59}?[:：]\s*(?=NVIDIA-SMI \d|Cuda compilation tools, release \d)"
)
_GLUED_CLOSE = lazy(r"([^`]*[^`\s])`{3,}\s*")
# An opening fence typed on the first output line ("```NVIDIA GeForce RTX 5090 with CUDA
# capability sm_120 is not compatible..."), or a one-line block ("```pip3 install torch```"): the
# rest holds a blank, so it is no info string ("```python"), and the fence is no part of the line.
_GLUED_OPEN = lazy(r"\s*`{3,}([^`\s][^`]*?\s[^`]*?)(`{3,})?\s*")

# Log prefixes: one alternation, the specific forms before the general ones, stripped again
# while one matches ("(VllmWorkerProcess pid=7) INFO 02-20 16:42:42 engine.py:389] ").
_TIMESTAMP = r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d| ?[A-Z]{3,4})?"
_SYSLOG_TIME = r"[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d(?:\.\d+)?"
_LEVEL = r"(?:DEBUG|INFO|WARNING|WARN|ERROR|CRITICAL|FATAL)"
_LOGGER = r"[\w.<>-]{1,120}"
_SOURCE = r"[\w./\\-]{1,200}:\d{1,6}"  # file.py:123, tensorflow/core/x.cc:64
_LOG_FORMS = (
    # Ray / vLLM worker processes: "(VllmWorkerProcess pid=78102) ", "(RayWorkerWrapper pid=3,
    # ip=10.0.0.1) ", "(EngineCore_DP0 pid=1) ", "(VllmWorker rank=0 pid=5) ", "(raylet) "
    r"\((?:[\w.:-]{1,80}\s+)?(?:rank=\d{1,5}\s+)?pid=\d{1,9}(?:,\s*ip=[\w.:-]{1,64})?\)\s"
    r"|\((?:raylet|gcs_server|autoscaler|monitor)(?:,\s*ip=[\w.:-]{1,64})?\)\s",
    # vLLM: "ERROR 02-20 16:43:12 engine.py:389] ", "INFO 01-02 03:04:05 [core.py:12] "
    rf"{_LEVEL}\s+\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?\s+(?:\[{_SOURCE}\]|{_SOURCE}\]) ?",
    # glog / absl (C++, torch's c10, TensorFlow): "E0220 16:43:12.123456 12345 file.cc:123] ",
    # torch's "[W1104 16:57:08.000000000 ProcessGroupNCCL.cpp:1250] " and "[W socket.cpp:663] "
    rf"[IWEF]\d{{4}} \d\d:\d\d:\d\d\.\d+\s+\d{{1,9}} {_SOURCE}\] ?",
    rf"\[[IWEF](?:\d{{3,4}} \d\d:\d\d:\d\d\.\d+(?: \d{{1,9}})?)? {_SOURCE}\] ?",
    # TensorFlow: "2020-11-06 22:08:41.021741: I tensorflow/core/gpu_device.cc:1351] "
    rf"{_TIMESTAMP}: [IWEF] {_SOURCE}\] ?",
    # SGLang: "[2024-10-10 12:00:00 TP0] "; Hydra: "[2023-01-01 12:00:00,123][__main__][INFO] - "
    rf"\[{_TIMESTAMP}(?: [A-Z]{{2,3}}\d{{1,4}})+\] ",
    rf"\[{_TIMESTAMP}\]\[{_LOGGER}\]\[{_LEVEL}\] - ",
    # Python logging: "2024-05-01 12:00:00,123 - name - ERROR - ", "... - ERROR - name - ",
    # transformers' examples "05/01/2024 12:00:00 - INFO - __main__ - "; loguru's
    # "2024-05-01 12:00:00.123 | ERROR    | module:function:42 - "; OpenMMLab's mmengine
    # "10/07 17:11:55 - mmengine - INFO - " and "2024/10/15 13:48:48 - mmengine - INFO - "
    rf"(?:{_TIMESTAMP}|\d\d/\d\d/\d{{4}} \d\d:\d\d:\d\d|(?:\d{{4}}/)?\d\d/\d\d \d\d:\d\d:\d\d) - "
    rf"(?:{_LEVEL} - (?:{_LOGGER} - )?|{_LOGGER} - {_LEVEL} - )",
    rf"{_TIMESTAMP} \| {_LEVEL}\s*\| [\w.<>]{{1,120}}:[\w.<>]{{1,120}}:\d{{1,6}} - ",
    # journald short-iso: "2024-05-01T12:00:00+0000 host kernel: " (the program below)
    rf"{_TIMESTAMP}\s+[\w.-]+\s+(?=(?:kernel|[A-Za-z][\w.-]*\[\d+\]):\s)",
    # GitHub Actions, docker logs -t, Python logging: "2024-01-02T03:04:05.1234567Z "
    # (one blank after it: what follows keeps its own indentation, a traceback's "  File")
    rf"\[?{_TIMESTAMP}\]? ",
    # Python logging's asctime ("2024-05-01 12:00:00,123") then " - " and the message; never
    # after GitHub Actions' "...Z " (its text may start with "- ": a list item)
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - ",
    # DeepSpeed: "[WARNING] [real_accelerator.py:194:get_accelerator] "; transformers' Trainer
    # "[INFO|trainer.py:2048] 2024-05-01 12:00:00,123 >> ", LLaMA-Factory's
    # "[INFO|2024-12-11 13:06:36] llamafactory.hparams.parser:355 >> "
    rf"\[{_LEVEL}\](?: \[{_SOURCE}(?::[\w<>.]{{1,120}})?\])? ",
    rf"\[{_LEVEL}\|[^\]]{{1,80}}\] (?:{_TIMESTAMP} )?(?:[\w.]{{1,120}}:\d{{1,6}} )?>> ",
    # Python logging's basicConfig "ERROR:root:", "WARNING:tensorflow:"; uvicorn's "ERROR:    "
    rf"{_LEVEL}:(?:[\w.]{{1,120}}:|\s{{2,}})",
    # dmesg -T: "[Mon Jan  2 03:04:05 2024] "; dmesg: "[  123.456789] "
    r"\[[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}\]\s?",
    r"\[\s*\d+\.\d+\]\s?",
    # dmesg -H / --reltime: "[  +0.000316] " between stamps
    r"\[\s*\+\d+\.\d+\]\s?",
    # syslog / journalctl: "Jan  2 03:04:05 host " then the program below
    rf"{_SYSLOG_TIME}\s+[\w.-]+\s+(?=[\w./-]+(?:\[\d+\])?:\s)",
    r"\[(?:stderr|stdout|STDERR|STDOUT)\]:?\s?",
    # torchrun / torch.distributed "[rank0]: ", "[default0]:"; mpirun --tag-output
    # "[1,0]<stderr>:"; GitHub Actions' "##[error]"; docker compose "web-1  | "
    r"\[(?:rank|default)\d{1,5}\]:\s?",
    r"\[\d{1,5},\d{1,5}\]<(?:stdout|stderr)>:\s?",
    r"##\[(?:error|warning|notice|debug|group|endgroup)\]",
    r"[\w.-]{1,60}[-_]\d{1,3}\s+\| ",
)
_LOG_PREFIX = re.compile("|".join(f"(?:{form})" for form in _LOG_FORMS))
_MAX_PREFIXES = 6  # "[stderr] [rank0]: (pid=3) INFO 01-02 ... ] " carries several
# The program of a syslog line: always "kernel:", or a name with its pid ("systemd[1]: ").
_PROGRAM = re.compile(r"(?:kernel|[A-Za-z][\w.-]*\[\d+\]):\s")

# Shell, Python and Windows prompts before a command a person typed.
_PROMPTS = (
    # (env) user@host:~/dir$ , root@abc123:/workspace# , user@host ~ % , [user@host dir]$ ,
    # (env) [0] user@host:~/dir  $ (a PS1 showing the last exit status)
    # (the environment's "(" may be cut off by a post: "vggt) D:\\dir>")
    re.compile(
        r"(?:\(?[\w.@/+-]+\)\s*)?(?:\[\d{1,3}\]\s)?"
        r"(?:\[[\w.-]+@[\w.-]+[^\]\n]*\]|[\w.-]+@[\w.-]+(?::\S*|\s+\S+)?)\s{0,2}[$#%>]\s?"
    ),
    # Git Bash / MSYS2 print the prompt's head on a line of its own, the "$ " on the next:
    # "user@HOST MINGW64 /f/project (main)" (MSYSTEM: MINGW64/32, UCRT64, CLANG64, MSYS)
    re.compile(
        r"[\w.-]+@[\w.-]+ (?:MINGW(?:64|32)|UCRT64|CLANG(?:64|32|ARM64)|MSYS)"
        r"(?: [^\n()]*?)?(?: \([^)\n]*\))?\s*$"
    ),
    # ~/project$ , /mnt/c/Users/me$ , /workspace# (a prompt showing only the directory)
    re.compile(r"(?:\([\w.@/+-]+\)\s*)?(?:~|/)[\w./~-]*[$#]\s"),
    # PS C:\Users\me> , (venv) PS C:\> , C:\Users\me>
    re.compile(r"(?:\(?[\w.@/+-]+\)\s*)?(?:PS\s+)?[A-Za-z]:\\[^<>|\"\n]*>\s?"),
    # starship / pure / powerlevel10k: "❯ cmd"; Kali's two-line zsh prompt: "└─$ cmd", "└─# cmd"
    re.compile(r"❯\s+"),
    re.compile(r"└─+[$#]\s"),
    # oh-my-zsh: "➜  ~ ", "➜  project git:(main) ✗ "
    re.compile(r"➜\s+\S+(?:\s+git:\([^)\s]*\))?(?:\s+✗)?\s+"),
    # >>> and ... (Python), In [3]: (IPython)
    re.compile(r"(?:>>>|\.\.\.)(?: |$)|>>>(?=[^\s>])"),
    re.compile(r"In \[\d+\]:\s"),
    # (base) $ , $ , # , % (but not "#define" nor "#1 SMP")
    re.compile(r"(?:\([\w.@/+-]+\)\s*)?[$#%](?: |$)"),
)

_PYTHON_PROMPT = lazy(r">>>(?!>)")
# Where _unquote may remove something: the line's first non-blank character is ">".
_QUOTE_MARK = re.compile(r"\s*>")
# Quick tests (string operations, no regular expression): no prefix or prompt of any kind starts
# here. Most lines of a long log have neither (bench/bench_explain.py).
# Where a log prefix may start (its text's first characters; one anchored match without leading
# blanks, which keeps the regex engine's first-character test, is cheaper than string tests in
# Python): a bracket, a parenthesis, "##[", a digit, a glog letter and digit, a level, a month.
_MAY_HAVE_PREFIX = re.compile(
    r"[\[(#\d]|[IWEF]\d|DEBUG|INFO|WARN|ERROR|CRITICAL|FATAL|kernel:"
    r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
).match
_MAY_BE_COMPOSE = re.compile(r"[ \t]*[\w.-]{1,60}[-_]\d{1,3} +\| ").match
_PROMPT_MARKS = frozenset("([$#%>~/➜.❯└")


_INLINE = lazy(r"(\*\*|`)([^`*]+)\1")

MAX_PASTE_BYTES = 32 << 20


class NotText(ValueError):
    """The bytes are not a paste: binary data. str() is the reason."""


def decode(data: bytes) -> str:
    """The text of pasted bytes: UTF-8 (a BOM dropped), or UTF-16 with its BOM (what Windows
    PowerShell 5's `>` writes) or without one (told by its NUL bytes); undecodable bytes are
    replaced. Raises NotText for binary data (NUL bytes in text that is not UTF-16)."""
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(codec, errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if b"\x00" in data:
        codec = _utf16_without_bom(data)
        if codec is None:
            raise NotText("it holds NUL bytes (binary data, not text)")
        return data.decode(codec, errors="replace")
    return data.decode("utf-8", errors="replace")


def _utf16_without_bom(data: bytes) -> Optional[str]:
    """'utf-16-le' or 'utf-16-be' for UTF-16 text written without a BOM (`iconv -t utf-16le`,
    .NET's Unicode encoding without its preamble), else None. Told by its NUL pattern: the high
    byte of every ASCII character is NUL, so in the first 4 KiB NULs fill at least half of one
    byte position (odd for LE, even for BE) and none of the other. Binary data has NULs in both."""
    sample = data[:4096]
    if len(sample) < 2:
        return None
    for codec, high, low in (
        ("utf-16-le", sample[1::2], sample[0::2]),
        ("utf-16-be", sample[0::2], sample[1::2]),
    ):
        if b"\x00" not in low and high.count(0) * 2 >= len(high):
            return codec
    return None


def normalise(text: str) -> list[Line]:
    """One `Line` per pasted line (numbered from 1 as pasted; CRLF, CR and LF each end a line, a
    lone CR inside a line of LF-ended text is a terminal's overwrite and keeps what was shown
    last), its wrapping removed. Blank lines stay (blank), so numbers never shift. Never raises."""
    raw = _split(text)
    cleaned: list[str] = []
    fenced: list[bool] = []
    inside = False
    for line in raw:
        # Each step only where its mark is: a 1 MB log has 20,000 lines (bench/bench_explain.py).
        if "\x1b" in line or "\x9b" in line:
            line = _ANSI.sub("", line)
        if not line.isascii():
            line = line.translate(_INVISIBLE)
        if "[" in line:
            line = _BARE_SGR.sub("", line)
        if ">" in line and _QUOTE_MARK.match(line):  # not every line with a tag or a "->"
            line = _unquote(line)
        if (
            _MAY_HAVE_PREFIX(line.lstrip())
            or "]: " in line  # a syslog program ("systemd[1]: ") after a prefix-less time
            or ("| " in line and _MAY_BE_COMPOSE(line))
        ):
            line = _strip_log_prefix(line)
        if ("`" in line or "~" in line) and _FENCE.fullmatch(line):
            inside = not inside
            cleaned.append("")
            fenced.append(False)
            continue
        opened = _GLUED_OPEN.fullmatch(line) if "```" in line and not inside else None
        if opened:
            line = opened.group(1)
            inside = opened.group(2) is None  # no closing fence: the block goes on
        if ("NVIDIA-SMI " in line or "compilation tools" in line) and (
            labelled := _LABELLED_OUTPUT.match(line, len(line) - len(line.lstrip()))
        ):
            # The post's indentation stays for _dedent.
            line = line[: labelled.start()] + line[labelled.end() :]
        glued = _GLUED_CLOSE.fullmatch(line) if "```" in line else None
        if glued:
            line = glued.group(1)
        cleaned.append(line.rstrip())
        fenced.append(inside)
        if glued:
            inside = False
    # A forum indents prompts and output alike: the indentation goes before the prompts.
    # Where a prompt may start (tested inline: a call per line was a fifth of normalise's time);
    # ") " early on: an environment's prompt with its "(" cut off ("vggt) D:\\dir>").
    marks = _PROMPT_MARKS
    out: list[Line] = []
    for number, line in enumerate(_dedent(cleaned, fenced), 1):
        body = line.lstrip()
        if body and (
            body[0] in marks
            or "@" in body[:64]
            or ") " in body[:40]
            or body[1:3] == ":\\"
            or body.startswith(("PS ", "In ["))
        ):
            line = _strip_prompt(line)
        out.append(Line(number, line))
    return out


def raw_lines(text: str) -> list[str]:
    """The paste's lines as pasted, numbered as normalise numbers them (index + 1): for what
    normalise removes, a prompt's host."""
    return _split(text)


def _split(text: str) -> list[str]:
    if "\n" not in text:
        return text.split("\r") if text else []
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start another
    if "\r" not in text:
        return lines  # most pastes: no CR to drop, no overwrite to resolve
    return [_last_overwrite(line[:-1] if line.endswith("\r") else line) for line in lines]


def _last_overwrite(line: str) -> str:
    if "\r" not in line:
        return line
    shown = [part for part in line.split("\r") if part.strip()]
    return shown[-1] if shown else ""


def _unquote(line: str) -> str:
    """Remove e-mail/markdown quote marks ("> ", ">> ", "> > "), not a Python prompt (">>> ")."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]  # the post's own indentation stays for _dedent
    quoted = False
    while stripped.startswith(">") and not _PYTHON_PROMPT.match(stripped):
        stripped = stripped[1:]
        if stripped.startswith(" "):
            stripped = stripped[1:]
        line, quoted = stripped, True
        stripped = stripped.lstrip()
    return indent + line if quoted else line


def _strip_log_prefix(line: str) -> str:
    body = line.lstrip()
    indent = line[: len(line) - len(body)]
    changed = False
    for _ in range(_MAX_PREFIXES):
        match = _LOG_PREFIX.match(body)
        if match is None or not match.end():
            break
        body, changed = body[match.end() :], True
    program = _PROGRAM.match(body)
    if program:
        body, changed = body[program.end() :], True
        # syslog's "host kernel: " before the kernel's own "[  885.242168] "
        stamp = _LOG_PREFIX.match(body)
        if stamp:
            body = body[stamp.end() :]
    # The indentation before a prefix is the post's (a forum's code block): it stays for _dedent.
    return indent + body if changed else line


def _strip_prompt(line: str) -> str:
    body = line.lstrip()
    for pattern in _PROMPTS:
        match = pattern.match(body)
        if match and _looks_typed(body[match.end() :], body[: match.end()]):
            return _unwrap_inline(body[match.end() :])
    return line


def _unwrap_inline(line: str) -> str:
    """A command a post wraps whole in bold or inline code: **nvidia-smi**, `nvcc -V`."""
    match = _INLINE.fullmatch(line.strip())
    return match.group(2) if match else line


# Output a post puts behind a "# " comment mark (under the command that printed it), in forms
# prose never starts with: an `ls -l` row ("lrwxrwxrwx 1 root root ..."), `nvidia-smi -L`'s
# "GPU 0: ", /proc/driver/nvidia/version's "NVRM version:", nvcc's banner, uname -a's "Linux
# HOST RELEASE #N", nvidia-smi's header.
_COMMENTED_OUTPUT = lazy(
    r"[-lbcdps][rwxsStT-]{9}[.+@]?\s+\d+\s"
    r"|GPU \d+: .+\(UUID"
    r"|NVRM version: "
    r"|nvcc: NVIDIA \(R\)|Cuda compilation tools, release "
    r"|Linux \S+ \d+\.\d+\S* #\d"
    r"|\|?\s*NVIDIA-SMI \d"
)


def _looks_typed(rest: str, prompt: str) -> bool:
    """A `# ` or `% ` prompt is a prompt only when a command follows: "# comment" and
    "% of the time" stay as written, "# nvidia-smi" loses its prompt. A `# ` before a known
    output's line is a comment mark (the output shown under its command): it goes too."""
    head = prompt.strip()
    if head not in ("#", "%"):
        return True
    if head == "#" and _COMMENTED_OUTPUT.match(rest):
        return True
    word = rest.split(" ", 1)[0]
    return bool(
        re.fullmatch(
            r"(?:sudo|[\w./-]*(?:nvidia-smi|nvcc|python[\d.]*|pip[\d.]*|conda|"
            r"cat|uname|ls|ldconfig|dmesg|journalctl|lspci|lsmod|modinfo|"
            r"grep|apt|apt-get|dnf|yum|echo|export|which|mamba|uv|"
            r"torchrun|docker|head|tail))",
            word,
        )
    )


def _dedent(lines: list[str], fenced: list[bool]) -> list[str]:
    """Remove the indentation common to the whole paste, and again inside each fenced block (a
    forum's code block), keeping the relative indentation of a traceback or a table."""
    out = _without_margin(lines)
    start: Optional[int] = None
    for index, inside in enumerate([*fenced, False]):
        if inside and start is None:
            start = index
        elif not inside and start is not None:
            out[start:index] = _without_margin(out[start:index])
            start = None
    return out


def _common_start(one: str, other: str) -> str:
    size = 0
    while size < min(len(one), len(other)) and one[size] == other[size]:
        size += 1
    return one[:size]


def _without_margin(lines: list[str]) -> list[str]:
    """textwrap.dedent's rule (the longest common leading whitespace of the non-blank lines),
    stopping as soon as there is none (most pastes)."""
    margin: Optional[str] = None
    for line in lines:
        body = line.lstrip()
        if not body:
            continue
        indent = line[: len(line) - len(body)]
        if margin is None:
            margin = indent
        elif not indent.startswith(margin):
            margin = _common_start(margin, indent)
        if not margin:
            return list(lines)
    if not margin:
        return list(lines)
    return [line[len(margin) :] if line.strip() else "" for line in lines]
