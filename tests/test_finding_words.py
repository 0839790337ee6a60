"""render/finding_words.py: the word catalogues load, no id is worded twice, every finding a
producer makes has words, and every --json finding is worded there (title and fix from render/)."""

import dataclasses
from pathlib import Path

import pytest

from envsetup.diagnose.finding import Finding
from envsetup.host.recorded import RecordedHost
from envsetup.install.preview import preview
from envsetup.probe import probe_all
from envsetup.render.finding_words import CATALOGUES, catalogue, finding_entry, words_for
from envsetup.render.install_json import (
    install_findings,
    preview_findings,
    resolution_findings,
    stop_findings,
)
from envsetup.render.schema import FindingEntry
from envsetup.render.words import install as install_words
from envsetup.resolve.quick import resolve_quickly
from envsetup.resolve.request import parse_request
from hostbuilder import FIXTURES

DOCS = Path(__file__).resolve().parents[1] / "docs"


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


def test_install_s_findings_are_worded_from_a_real_resolution_and_preview(tmp_path: Path) -> None:
    """install's own catalogue (render/words/install.py) and its warning verdicts
    (render/words/check_command.py), on the recorded CI machine with no NVIDIA driver."""
    facts = probe_all(RecordedHost(str(FIXTURES / "hosts" / "ci-debian12-cuda13-no-driver")))
    env = tmp_path / "env"
    env.mkdir()
    (env / "mine.txt").write_text("not envsetup's")  # an existing target: install would stop
    resolution = resolve_quickly(parse_request(torch="2.7", cuda="12.6", env=str(env)), facts)
    (tmp_path / "cu126").mkdir()  # the local mirror holds the plan's build directory
    planned = preview(resolution, index_url_base=str(tmp_path), environ={"PATH": "/usr/bin:/bin"})
    found = install_findings(resolution) + stop_findings(planned)
    assert [f.id for f in found][:1] == ["cuda-build-without-nvidia"]
    assert "install-would-stop" in [f.id for f in found]
    entries = resolution_findings(resolution) + preview_findings(planned)
    for finding, entry in zip(found, entries):
        words = words_for(finding)
        assert (entry["title"], entry["fix"]) == (words.title, words.fix)
        assert words.title and "\n" not in words.title
    stop = next(f for f in found if f.id == "install-would-stop")
    assert words_for(stop).title == stop.params["problem"] == planned.problems[0]
    assert words_for(found[0]).title.startswith("no NVIDIA driver found: cu126 installs")


def test_docs_output_md_lists_install_s_ids() -> None:
    text = (DOCS / "output.md").read_text(encoding="utf-8")
    assert all(f"`{finding_id}`" in text for finding_id in install_words.WORDS)
