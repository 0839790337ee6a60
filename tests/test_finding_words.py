"""render/finding_words.py: the word catalogues load, no id is worded twice, every finding a
producer makes has words, and every --json finding is worded there (title and fix from render/)."""

import dataclasses

import pytest

from envsetup.diagnose.finding import Finding
from envsetup.render.envelope import FindingEntry
from envsetup.render.finding_words import CATALOGUES, catalogue, finding_entry, words_for


def test_catalogues_load_and_word_each_id_once() -> None:
    words = catalogue()  # raises ValueError when two modules word one id
    assert all(callable(fn) for fn in words.values())
    assert len(CATALOGUES) == len(set(CATALOGUES))


def test_a_finding_without_an_entry_is_a_bug_named_in_one_line() -> None:
    with pytest.raises(LookupError, match="'no-such-id-anywhere' has no words"):
        words_for(Finding(id="no-such-id-anywhere", severity="info"))


def test_a_finding_carries_no_words_of_its_own() -> None:
    """Logic says what (id, severity, evidence, params); title and fix exist only in render/."""
    names = [f.name for f in dataclasses.fields(Finding)]
    assert names == ["id", "severity", "evidence", "params"]


def test_the_json_entry_is_the_finding_worded() -> None:
    found = Finding("torch-not-installed", "info", ["searched: /x"], {"python": "/usr/bin/python3", "install": "envsetup install --cuda auto"})  # fmt: skip
    entry = finding_entry(found)
    assert list(entry) == [f.name for f in dataclasses.fields(FindingEntry)]
    assert entry["title"] == "torch is not installed for /usr/bin/python3"
    assert entry["fix"].startswith("`envsetup install --cuda auto` picks the build")
    assert (entry["id"], entry["severity"], entry["evidence"]) == (found.id, "info", ["searched: /x"])  # fmt: skip
    assert entry["params"] == found.params
