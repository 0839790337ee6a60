"""A reader's `start` pattern (explain/sections/__init__.py) lets the detector skip the reader at
lines where the pattern does not match: it must match wherever the reader's `quick` test passes,
or a section would go unread. Checked on every line of every real output the tests hold, and on
the lines each reader's own command and rows begin with."""

from __future__ import annotations

import pytest

from envsetup.explain.paste import normalise
from envsetup.explain.sections import readers

from .corpus import corpus, text

HINTED = [
    reader
    for reader in readers()
    if getattr(reader, "start", None) is not None and getattr(reader, "quick", None) is not None
]
# Lines of the forms the hinted readers claim (their commands and first rows), with the blanks
# a forum or a terminal leaves around them.
STARTS = [
    "echo $CUDA_HOME", 'echo "$LD_LIBRARY_PATH"', "printenv CUDA_VISIBLE_DEVICES",
    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14", "sudo cat /proc/driver/nvidia/version",
    "cat /proc/driver/nvidia/version", "more /proc/driver/nvidia/version",
    "modinfo nvidia", "/sbin/modinfo nvidia", "/usr/sbin/modinfo nvidia", "filename:  /lib/x.ko",
    "nvidia_uvm  1892352  0", "nouveau 2338816 0", "Module  Size  Used by", "lsmod | grep nvidia",
    "cat /proc/modules", "/sbin/lsmod", "#define CUDNN_MAJOR 8", "/* cudnn */",
    "cat /usr/include/cudnn_version.h", "grep CUDNN_MAJOR -A 2 cudnn.h", "head cudnn.h",
    "01:00.0 VGA compatible controller: NVIDIA Corporation", "af:00.0 3D controller: NVIDIA",
    "lspci | grep -i nvidia", "/usr/bin/lspci -k", "total 12", "ls -l /usr/local/", "ls -al /x",
    "ls -lah /usr/local", "ll /usr/local/", "lrwxrwxrwx 1 root root 22 cuda -> /usr/local/cuda-12.4",
    "drwxr-xr-x 17 root root 4096 cuda-12.4", "sudo ls -l /usr/local",
]  # fmt: skip


def _lines() -> list[str]:
    found = [line.text for path in corpus() for line in normalise(text(path))]
    return found + STARTS + [f"  {start}  " for start in STARTS]


def test_some_readers_are_hinted() -> None:
    assert len(HINTED) >= 7


@pytest.mark.parametrize("reader", HINTED, ids=lambda reader: reader.kind)
def test_the_start_pattern_matches_wherever_quick_passes(reader: object) -> None:
    missed = []
    for line in _lines():
        start_text = line.lstrip()  # as the detector tests them (explain/detect.py)
        if start_text and reader.quick(start_text.rstrip()) and not reader.start.match(start_text):
            missed.append(start_text)
    assert not missed, missed[:10]
