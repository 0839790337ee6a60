"""LiveHost.glob lists a directory once and filters by the pattern's literal head before fnmatch:
its answers must stay the standard library's glob.glob answers."""

from __future__ import annotations

import glob
from pathlib import Path

import pytest

from envsetup.host.live import LiveHost

NAMES = [
    "torch-2.13.0.dist-info",
    "torch",
    "torchvision-0.28.0.dist-info",
    "nvidia_cudnn_cu12-9.10.2.21.dist-info",
    "nvidia_cudnn_cu13-9.13.0.50.dist-info",
    "libcudnn.so.9",
    "libcudnn.so.9.1.0",
    "libcudart.so.12",
    "pip-24.0.dist-info",
    "Pip-23.0.dist-info",
    ".torch-hidden.dist-info",
    "[odd]-1.dist-info",
    "a*b",
    "é-1.0.dist-info",
]
PATTERNS = [
    "torch-*.dist-info",
    "torch*",
    "nvidia_cudnn_cu1[23]-*.dist-info",
    "libcudnn.so.*",
    "libcud?rt.so.*",
    "pip-*.dist-info",
    "*.dist-info",
    ".torch-*",
    "[[]odd]-*",
    "a[*]b",
    "é-*",
    "no-such-*",
    "torch",
    "missing",
    "*",
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_glob_answers_as_the_standard_library_does(tmp_path: Path, pattern: str) -> None:
    for name in NAMES:
        (tmp_path / name).write_text("")
    host = LiveHost()
    assert host.glob(f"{tmp_path}/{pattern}") == sorted(glob.glob(f"{tmp_path}/{pattern}"))
    # The listing is cached: a second pattern on the same directory reads it from memory.
    assert host.glob(f"{tmp_path}/{pattern}") == sorted(glob.glob(f"{tmp_path}/{pattern}"))


def test_glob_of_a_missing_directory_is_empty(tmp_path: Path) -> None:
    assert LiveHost().glob(f"{tmp_path}/absent/torch-*.dist-info") == []
