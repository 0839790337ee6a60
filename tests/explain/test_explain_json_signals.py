"""explain --json lists the error kinds it recognised (data.signals: id, kind, params, lines), as
a real process on real pastes, validated against the published schema; the text's "Paste" section
names the same ids."""

from __future__ import annotations

from explain.corpus import FIXTURES, text
from explain.test_explain_cli import document, explain

ERRORS = FIXTURES / "paste" / "errors"


def test_json_lists_each_signal_with_its_params_and_lines() -> None:
    paste = ERRORS / "case-07-fabricmanager-802-h100.txt"
    doc = document(explain(str(paste), "--no-host", "--json"))
    signals = {s["id"]: s for s in doc["data"]["signals"]}
    assert {"cuda-error-802", "fabricmanager-version-mismatch"} <= set(signals)
    assert signals["cuda-error-802"]["kind"] == "cuda-error"
    assert signals["cuda-error-802"]["params"]["code"] == 802
    mismatch = signals["fabricmanager-version-mismatch"]
    assert mismatch["params"] == {"fabricmanager": "535.183.01", "driver": "535.230.02"}
    # Each cited line, numbered as pasted, says it.
    lines = text(paste).splitlines()
    assert "802" in lines[signals["cuda-error-802"]["lines"][0] - 1]
    assert "don't match" in lines[mismatch["lines"][0] - 1]
    firsts = [s["lines"][0] for s in doc["data"]["signals"]]
    assert firsts == sorted(firsts)  # paste order


def test_a_sections_own_signal_is_listed_and_the_text_names_the_same_ids() -> None:
    paste = (
        FIXTURES
        / "paste"
        / "ls-cuda"
        / "ls-l-usr-local-cuda-dangling-tmp-target-cuda-11.8-image.txt"
    )
    doc = document(explain(str(paste), "--no-host", "--json"))
    (link,) = doc["data"]["signals"]
    assert link["id"] == "cuda-symlink" and link["kind"] == "ls-cuda"
    assert link["params"]["target"] == "/tmp/tmpayalvm_3m/cuda-11"
    conda = ERRORS / "words-conda-python-incompatible-py35-pytorch3d.txt"
    ids = [s["id"] for s in document(explain(str(conda), "--no-host", "--json"))["data"]["signals"]]
    shown = explain(str(conda), "--no-host").stdout
    assert ids == ["conda-unsatisfiable", "conda-python-incompatible"]
    assert all(i in shown for i in ids)


def test_a_paste_without_errors_lists_no_signals() -> None:
    notes = FIXTURES / "paste" / "markdown-notes-os-release-uname-ubuntu-24.04.txt"
    assert document(explain(str(notes), "--no-host", "--json"))["data"]["signals"] == []
