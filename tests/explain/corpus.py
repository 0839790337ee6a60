"""The real outputs explain's tests feed it: every captured output under tests/fixtures (each listed
with its source in its folder's SOURCES.tsv), and the pasted cases in tests/fixtures/paste."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Folders of captured text outputs (hosts/ are recordings, torch/ holds Python source files).
TEXT_FOLDERS = (
    "collect_env", "commands", "conda-pip", "cudnn", "driver", "libs", "nvcc", "nvidia-smi",
    "nvidia-smi-failures", "nvidia-smi-query", "os", "paste", "torch-errors",
)  # fmt: skip


def listed(folder: str) -> list[Path]:
    """The files SOURCES.tsv of `folder` lists (those with a source), that exist, sorted."""
    sources = FIXTURES / folder / "SOURCES.tsv"
    if not sources.is_file():
        return []
    names = [row.split("\t", 1)[0] for row in sources.read_text(encoding="utf-8").splitlines()[1:]]
    paths = {FIXTURES / name if "/" in name else FIXTURES / folder / name for name in names if name}
    return sorted(p for p in paths if p.is_file() and p.suffix != ".md")


def corpus() -> list[Path]:
    return [path for folder in TEXT_FOLDERS for path in listed(folder)]


# Pasted outputs of the kinds explain reads (each folder's SOURCES.tsv names every file's source),
# beside corpus() rather than in it: bench/bench_explain.py builds its paste from corpus().
PASTE_FOLDERS = ("paste/env-report",)


def pasted() -> list[Path]:
    return [path for folder in PASTE_FOLDERS for path in listed(folder)]


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")
