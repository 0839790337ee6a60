"""A collect_env paste cut above its "PyTorch version" line ("CMake version: ..." or any later
key line first) is still collect_env: the kept lines give the facts the whole output gives.

The outputs are real (tests/fixtures/collect_env/SOURCES.tsv); each test cuts them itself, as a
user's selection would, at every key line from "CMake version" on."""

from __future__ import annotations

from typing import Any

import pytest

from envsetup.explain.detect import detect
from envsetup.explain.paste import normalise
from envsetup.explain.sections import readers
from hostbuilder import fixture_text

WHOLE = (
    "collect_env/linux-torch1.10.2-cu113-conda-cuda-false.txt",
    "collect_env/linux-torch2.3.1-cu121-8x-h100-nvidia-kernel-cudnn8.9.6.txt",
    "collect_env/wsl2-torch2.4.0-cu121-rtx4070-laptop.txt",
    "collect_env/rocm-torch1.7.0a0-rocm3.7.txt",
    "collect_env/macos-x86_64-torch2.2.2.txt",
)
# Keys whose line a cut may start at (from CMake version on; each followed by another key).
CUT_KEYS = ("CMake version:", "Libc version:", "Python version:", "Python platform:",
            "Is CUDA available:", "CUDA runtime version:", "GPU models and configuration:",
            "Nvidia driver version:", "Versions of relevant libraries:")  # fmt: skip


def _cuts() -> list[tuple[str, str]]:
    found = []
    for path in WHOLE:
        lines = fixture_text(path).splitlines()
        for key in CUT_KEYS:
            at = next((i for i, line in enumerate(lines) if line.startswith(key)), None)
            if at is not None and at + 1 < len(lines):
                found.append((path, key))
    return found


def _collect_env(text: str) -> Any:
    readings = [r for r in detect(normalise(text), readers()).readings if r.kind == "collect-env"]
    assert len(readings) == 1, [r.kind for r in detect(normalise(text), readers()).readings]
    return readings[0]


def _value(document: dict[str, Any], path: str) -> Any:
    node: Any = document
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


@pytest.mark.parametrize(("path", "key"), _cuts())
def test_a_cut_collect_env_is_read_for_the_lines_it_kept(path: str, key: str) -> None:
    whole_text = fixture_text(path)
    lines = whole_text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith(key))
    cut = _collect_env("".join(lines[at:]))
    whole = _collect_env(whole_text)
    assert cut.first == 1 and not cut.unread
    # Every fact the whole output states on a kept line, the cut one states alike.
    kept = {p: n for p, n in whole.sources.items() if n > at and p != "torch.version"}
    assert kept, key
    for fact in kept:
        assert _value(cut.facts, fact) == _value(whole.facts, fact), fact


@pytest.mark.parametrize(
    "text",
    [
        "CMake version: version 3.30.2\n",  # one key alone: any build log may print it
        "OS: Ubuntu 22.04 LTS\nPython version: 3.10.12\n",  # keys other reports print too
        "GCC version: 11.4.0\nsome other line\n",
    ],
)
def test_a_lone_key_line_is_no_collect_env(text: str) -> None:
    kinds = {r.kind for r in detect(normalise(text), readers()).readings}
    assert "collect-env" not in kinds
