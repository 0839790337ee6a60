"""The REPL banner's exact Python version (explain/python_banner.py); its wordings from CPython's
pymain_header as real sessions print them (tests/fixtures/paste/errors/ext-cudnn-incompat-8.5-
vs-8.4-python-session.txt holds the conda-forge one)."""

from __future__ import annotations

from envsetup.explain.python_banner import banner_of


def _facts(text: str) -> dict[str, object]:
    return {f.path: f.value for f in banner_of(dict(enumerate(text.splitlines(), 1)))}


def test_the_banner_states_the_exact_version_and_a_conda_build() -> None:
    text = "Python 3.6.5 |Anaconda, Inc.| (default, Apr 29 2018, 16:14:56)\n[GCC 7.2.0] on linux"
    assert _facts(text) == {"python.version": "3.6.5", "python.environment": "conda"}


def test_a_python_org_build_states_no_environment() -> None:
    text = "Python 3.10.6 (tags/v3.10.6:9c7b4bd, Aug  1 2022, 21:53:49) [MSC v.1932 64 bit (AMD64)] on win32"
    assert _facts(text) == {"python.version": "3.10.6"}


def test_prose_naming_a_version_is_no_banner() -> None:
    assert _facts("Python 3.8.12 (the one conda installed) fails to import torch") == {}
