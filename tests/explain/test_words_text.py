"""explain's text: pasted facts read as people write them (a run of equal GPUs counted, a mapping
as "name version"), and no finding words "?" for a value the paste does not state."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from envsetup.explain.run import explain
from envsetup.profiles.lookup import lookup_build
from envsetup.render.explain_text import render_explain
from envsetup.render.finding_words import words_for
from explain.corpus import FIXTURES, text
from test_text_style import narrow

PASTE = FIXTURES / "paste"


def _shown(path: Path) -> str:
    console, out = narrow()
    render_explain(console, explain(text(path), None, lookup_build), "no host", verbose=False)
    return " ".join(out.getvalue().split())  # rich wraps at 60 columns


def test_eight_equal_gpus_are_counted_once() -> None:
    shown = _shown(
        PASTE / "collect-env" / "linux-torch2.6.0-cu124-8x-h100-centos-stream9-cudnn8-and-9.txt"
    )
    # collect_env gives names only: the compute capability is the name's (one row for the eight).
    assert "GPUs 8 × NVIDIA H100 (9.0) (paste:19)" in shown
    assert "GPU 0 CC 9.0 (name at paste:19)" in shown and "GPU 1 CC" not in shown
    assert shown.count("NVIDIA H100") == 1


def test_the_nvidia_wheels_read_as_name_and_version() -> None:
    shown = _shown(
        PASTE / "packages" / "pip-list-nvidia-cu13-wheels-cudnn-9.15-cublas-13.1-partial.txt"
    )
    facts = shown.split("Facts", 1)[1].split("Diagnosis", 1)[0]
    assert "nvidia wheels" in facts and "nvidia-cublas 13.1" in facts
    assert "{" not in facts and "': '" not in facts


# "?" standing for a value ("driver ? (CUDA ?)"), not a question a pasted message asks.
_UNKNOWN = re.compile(r"(?<![\w?])\?(?=[\s),:;]|$)")
ERRORS = sorted((PASTE / "errors").glob("*.txt"))


@pytest.mark.parametrize("path", ERRORS, ids=[p.name for p in ERRORS])
def test_no_finding_words_an_unknown_value_as_a_question_mark(path: Path) -> None:
    """Judged with no host, most values are unknown: the words leave them out."""
    for finding in explain(text(path), None, lookup_build).findings:
        words = words_for(finding)
        for said in (words.title, words.fix):
            assert not _UNKNOWN.search(said), (finding.id, said)
