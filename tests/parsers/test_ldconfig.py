from __future__ import annotations

import pytest
from _cutting import check_cuts, never_raises_other, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers import ParseError
from envsetup.parsers.ldconfig import parse_ldconfig

LISTING = "ldconfig-p-grep-cudnn8-nvinfer8-in-usr-local-cuda-lib64-partial.txt"


def test_grep_listing() -> None:
    entries = parse_ldconfig(read("libs", LISTING))
    assert len(entries) == 14
    assert entries[0] == ("libnvinfer_plugin.so.8", "/usr/local/cuda/lib64/libnvinfer_plugin.so.8")
    assert ("libcudnn_cnn_infer.so.8", "/usr/local/cuda/lib64/libcudnn_cnn_infer.so.8") in entries
    assert all(path.startswith("/usr/local/cuda/lib64/") for _, path in entries)


def test_listing_inside_a_torch_error_report() -> None:
    text = read("torch-errors", "libcudnn-ops-infer-so8-missing-only-cudnn9-installed.txt")
    sonames = {soname for soname, _ in parse_ldconfig(text)}
    assert "libcudnn_ops.so.9" in sonames
    assert "libcudnn_ops_infer.so.8" not in sonames


def test_abi_note_in_parentheses() -> None:
    line = "\tlibc.so.6 (libc6,x86-64, OS ABI: Linux 3.2.0) => /lib/x86_64-linux-gnu/libc.so.6\n"
    assert parse_ldconfig(line) == [("libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6")]


def test_empty_grep_is_no_libraries() -> None:
    assert parse_ldconfig("") == []


def test_garbage_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="ldconfig"):
        parse_ldconfig("ldconfig: command not found\n")


def test_cut() -> None:
    check_cuts(parse_ldconfig, read("libs", LISTING), count=30)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    never_raises_other(parse_ldconfig, text)
