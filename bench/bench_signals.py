"""Time of envsetup.parsers.signals.classify (and judge_signals) on 1 MB pasted logs.

Target (issue 10): explain on a 1 MB paste in <= 0.5 s; classify is one part of it. Three inputs:
every real error fixture repeated to 1 MB (dense: a signal every few lines), a 1 MB build log of
ordinary lines with the fixtures' lines sprinkled in, and hostile 100 KB lines.
Run: .venv/bin/python bench/bench_signals.py
"""

from __future__ import annotations

import time
from pathlib import Path

from envsetup.diagnose.signal_rules import judge_signals
from envsetup.facts import Facts, OsFacts, PythonFacts
from envsetup.parsers.signals import classify, lines_of
from envsetup.profiles.lookup import lookup_build

ERRORS = Path(__file__).parent.parent / "tests/fixtures/paste/errors"
MB = 1 << 20


def dense() -> str:
    text = "".join(p.read_text(encoding="utf-8") for p in sorted(ERRORS.glob("*.txt")))
    return (text * (MB // len(text) + 1))[:MB]


def sparse() -> str:
    ordinary = "[  123.456789] usb 1-1: new high-speed USB device number 2 using xhci_hcd\n"
    errors = [p.read_text(encoding="utf-8") for p in sorted(ERRORS.glob("*.txt"))]
    parts, size, i = [], 0, 0
    while size < MB:
        chunk = ordinary * 200 + errors[i % len(errors)]
        parts.append(chunk)
        size += len(chunk)
        i += 1
    return "".join(parts)[:MB]


def hostile() -> str:
    lines = [
        "undefined symbol: " + "a" * 100_000,
        "Traceback (most recent call last):",
        'File "' + "/x" * 50_000,
        "NVRM: Xid (PCI:" + "0:" * 50_000,
        "Could not find a version that satisfies the requirement torch (from versions: "
        + "1.0, " * 20_000,
        "with CUDA capability sm_" + "9" * 100_000,
        "cannot open shared object file " + ".so" * 30_000,
        " " * 100_000 + "cuda unknown error",
    ]
    return ("\n".join(lines) + "\n") * 1


def main() -> None:
    facts = Facts(
        os=OsFacts(system="Linux", arch="x86_64"), python=PythonFacts(executable="python3")
    )
    for name, text in (("dense", dense()), ("sparse", sparse()), ("hostile", hostile())):
        lines = lines_of(text)
        started = time.perf_counter()
        signals = classify(lines)
        classified = time.perf_counter() - started
        judge_signals(signals, facts, lookup_build)
        judged = time.perf_counter() - started - classified
        print(
            f"{name:8} {len(text) / MB:5.2f} MB {len(lines):7d} lines: classify {classified:.3f} s, "
            f"{len(signals)} signals; judge_signals {judged:.3f} s"
        )


if __name__ == "__main__":
    main()
