"""What errors, warnings and log lines say: pasted text -> `Signal`s, before any judgement.

`classify(lines)` runs every reader over all the lines of a paste (or a subprocess's stderr) and
returns what they recognise, one `Signal` per distinct thing said, citing its line numbers. The
readers, one per family of messages:

- python: tracebacks (the exception type and message; whether it came from `import torch`);
- cuda: CUDA runtime errors by message and number (35, 100, 209, 222, 802, 803, 804, 999 ...);
- torch: torch's own warnings (driver too old, GPU arch not supported, cuDNN mismatch, HIP);
- libraries: shared libraries not found, undefined symbols;
- pip_conda: pip's "no matching distribution", PEP 668, conda's solver conflicts;
- kernel_log: NVRM Xid, RmInitAdapter, module signing / Secure Boot, nouveau.

Judged against a machine's facts by envsetup.diagnose.signal_rules.judge_signals.
"""

from __future__ import annotations

from typing import Callable, Sequence

from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals import cuda, kernel_log, libraries, pip_conda, python, torch
from envsetup.parsers.signals._scan import merge

Reader = Callable[[Sequence[Line]], "list[Signal]"]
READERS: tuple[Reader, ...] = (
    python.read,
    cuda.read,
    torch.read,
    libraries.read,
    pip_conda.read,
    kernel_log.read,
)


def classify(lines: Sequence[Line]) -> list[Signal]:
    """Every signal the lines show, in paste order, each once (its lines merged). Pure; never
    raises: a reader that fails on some odd input loses only its own signals."""
    found: list[Signal] = []
    for read in READERS:
        try:
            found += read(lines)
        except (ValueError, IndexError, KeyError, TypeError, AttributeError, RecursionError):
            continue  # defensive: each reader is tested on cut and hostile input
    return merge(found)


def lines_of(text: str) -> list[Line]:
    """Plain text (a subprocess's stderr) as numbered Lines, CR and trailing spaces removed.
    Pastes go through explain's normaliser instead (prompts, quotes, ANSI).

    Text that ends with a newline gets a last, empty Line: the readers trust a value that runs
    to the end of the last line only when that line is complete (text cut mid-line could have
    cut the value short)."""
    lines = [Line(n, raw.rstrip("\r ")) for n, raw in enumerate(text.splitlines(), start=1)]
    if text.endswith(("\n", "\r")):
        lines.append(Line(len(lines) + 1, ""))
    return lines


__all__ = ["READERS", "classify", "lines_of"]
