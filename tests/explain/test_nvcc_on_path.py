"""explain.nvcc_on_path: several nvcc --version outputs in one paste are not merged into one
silently; the nvcc PATH gives keeps "the nvcc on PATH", the others stay toolkits. Real paste:
mmartial/ComfyUI-Nvidia-Docker #36 (paste/SOURCES.tsv); the variants below cut or reorder its
own lines."""

from __future__ import annotations

from pathlib import Path

from envsetup.explain.run import explain
from envsetup.profiles.lookup import lookup_build

PASTE = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "paste"
    / "nvcc-version"
    / "two-nvcc-by-path-12.0-usr-bin-12.8-cuda-echo-path-comfyui-docker36.txt"
).read_text(encoding="utf-8")
FIRST, SECOND, ECHO = (block.strip("\n") for block in PASTE.split("\n\n"))


def _nvcc(text: str) -> tuple[object, object, list[tuple[str, str]]]:
    facts = explain(text, None, lookup_build).facts
    toolkits = sorted((t.path, t.version) for t in facts.cuda.toolkits)
    return facts.cuda.nvcc_on_path, facts.cuda.nvcc_on_path_version, toolkits


def test_path_order_picks_the_nvcc_whatever_the_paste_order() -> None:
    both = [("/usr", "12.0.140"), ("/usr/local/cuda", "12.8.93")]
    assert _nvcc(PASTE) == ("/usr/bin/nvcc", "12.0.140", both)
    # The paste's order does not decide: PATH does (it was the last section that won).
    reordered = "\n\n".join([SECOND, FIRST, ECHO]) + "\n"
    assert _nvcc(reordered) == ("/usr/bin/nvcc", "12.0.140", both)


def test_without_path_no_nvcc_is_said_to_be_on_path() -> None:
    nvcc, version, toolkits = _nvcc("\n\n".join([FIRST, SECOND]) + "\n")
    assert (nvcc, version) == (None, None)
    assert len(toolkits) == 2  # both stay known


def test_one_nvcc_is_read_as_before() -> None:
    assert _nvcc(SECOND + "\n")[:2] == ("/usr/local/cuda/bin/nvcc", "12.8.93")
