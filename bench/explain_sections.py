"""Time of the explain section readers over a 1 MB paste: every reader's `extent` tried at every
line not yet claimed (what the detector does), then `read` on each claimed section.

Two pastes: the real outputs of tests/fixtures/paste/ repeated with log noise between them, and
hostile ones (1 MB of lines that look like the start of a kind and are not). Target: explain on a
1 MB log in <= 0.5 s in all, so these readers must take well under that.
Run: .venv/bin/python bench/explain_sections.py
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Dict, List

from envsetup.model.paste import Line

PASTE = Path(__file__).parent.parent / "tests/fixtures/paste"
MODULES = ("collect_env", "nvidia_smi", "proc_driver", "cudnn", "ldconfig", "ls_cuda",
           "conda_info", "packages")  # fmt: skip
READERS = [importlib.import_module(f"envsetup.explain.sections.{name}").READER for name in MODULES]
SIZE = 1_000_000
NOISE = [
    "2024-05-01 12:00:01,123 INFO worker.py:88 -- step 1200 loss=0.4411 lr=3e-4",
    '  File "/usr/lib/python3.10/site-packages/torch/cuda/__init__.py", line 293, in _lazy_init',
    "",
]


def _lines(text: str) -> List[Line]:
    return [Line(n, raw) for n, raw in enumerate(text.splitlines(), 1)]


def real_paste() -> str:
    pieces = [path.read_text(errors="replace") for path in sorted(PASTE.glob("*/*.txt"))]
    block = "\n".join(piece + "\n" + "\n".join(NOISE) for piece in pieces)
    return (block * (SIZE // len(block) + 1))[:SIZE]


def hostile_pastes() -> Dict[str, str]:
    def fill(line: str) -> str:
        return (line + "\n") * (SIZE // (len(line) + 1))

    return {
        "collect_env starts": fill("Collecting environment information..."),
        "dash rules": fill("-----  -------"),
        "pipes": fill("| NVIDIA-SMI 535.129.03 |"),
        "borders": fill("+-----------------------+"),
        "xml tags": fill("<nvidia_smi_log>"),
        "list lines without uuid": fill("GPU 0: NVIDIA A100 (UUID: "),
        "csv headers": fill("name, driver_version, memory.total [MiB]"),
        "package headers": fill("Package    Version"),
        "ls lines": fill("lrwxrwxrwx 1 root root 30 Sep 12  2023 /usr/local/cuda -> /tmp/x"),
        "conda keys": fill("       virtual packages : __cuda=12.2=0"),
        "defines": fill("#define CUDNN_MAJOR 9"),
        "one long line": "a:" * (SIZE // 2),
    }


def detect(lines: List[Line]) -> int:
    """Claim sections as the detector does; the number of sections found."""
    found = 0
    i = 0
    while i < len(lines):
        for reader in READERS:
            count = reader.extent(lines, i)
            if count:
                reader.read(lines[i : i + count])
                found += 1
                i += count
                break
        else:
            i += 1
    return found


def timed(name: str, text: str, runs: int = 3) -> float:
    """The best of `runs` (CPU time of this process: on a shared machine wall time measures the
    neighbours too); wall time of that run alongside."""
    lines = _lines(text)
    best = wall = float("inf")
    sections = 0
    for _ in range(runs):
        started, started_wall = time.process_time(), time.perf_counter()
        sections = detect(lines)
        cpu = time.process_time() - started
        if cpu < best:
            best, wall = cpu, time.perf_counter() - started_wall
    print(f"{name:28s} {len(text) / 1e6:5.2f} MB {len(lines):7d} lines {sections:6d} sections "
          f"{best:6.3f} s CPU ({wall:.3f} s wall)")  # fmt: skip
    return best


def log_paste() -> str:
    """A 1 MB log: log lines around the real error outputs of tests/fixtures/torch-errors (some
    hold an nvidia-smi table or ldconfig lines), one collect_env and one nvidia-smi table."""
    paths = [
        *sorted((PASTE.parent / "torch-errors").glob("*.txt")),
        PASTE / "collect-env/linux-torch2.3.1-cu121-8x-h100-nvidia-kernel-cudnn8.9.6.txt",
        PASTE / "nvidia-smi/535.129.03-2x-rtx3090.txt",
    ]
    middle = "\n".join(path.read_text(errors="replace") for path in paths)
    noise = "\n".join(NOISE) + "\n"
    half = noise * ((SIZE - len(middle)) // 2 // len(noise))
    return half + middle + "\n" + half


def main() -> None:
    worst = timed("a 1 MB log", log_paste())
    worst = max(worst, timed("real outputs + log noise", real_paste()))
    for name, text in hostile_pastes().items():
        worst = max(worst, timed(name, text))
    print(f"worst: {worst:.3f} s")


if __name__ == "__main__":
    main()
