"""explain on real pastes from public bug reports, against no host: each paste's right reading
(tests/explain/real_pastes.py, written by hand from the paste) - the sections recognised, the
errors recognised, the facts stated, the findings and their fixes, the --json document - and
that nothing raises. An aspect explain gets wrong today is skipped with the reason, never
dropped: the reading stays the one a person would give."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from envsetup.explain.run import ExplainResult, explain
from envsetup.profiles.lookup import lookup_build
from envsetup.render.explain_json import explain_document
from envsetup.render.explain_text import render_explain
from explain.real_pastes import PASTES, Not, Paste

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PASTE = FIXTURES / "paste"
OTHER = ("os", "nvcc")  # folders of tests/fixtures whose outputs have readings too
_RESULTS: dict[str, ExplainResult] = {}
# ENVSETUP_RUN_PENDING=1 runs the pending aspects too: after a fix lands, those that pass are the
# ones to turn on (delete their `pending` entry).
RUN_PENDING = os.environ.get("ENVSETUP_RUN_PENDING") == "1"


def _explained(paste: Paste) -> ExplainResult:
    if paste.path not in _RESULTS:
        text = (PASTE / paste.path).read_text(encoding="utf-8")
        _RESULTS[paste.path] = explain(text, None, lookup_build)
    return _RESULTS[paste.path]


def _signals(result: ExplainResult) -> list[Any]:
    return [*result.detection.signals, *(s for r in result.detection.readings for s in r.signals)]


def _fact(document: Any, path: str) -> Any:
    node = document
    for key in path.split("."):
        if key == "#":
            return len(node) if isinstance(node, list) else None
        if isinstance(node, list):
            node = node[int(key)] if key.isdigit() and int(key) < len(node) else None
        elif isinstance(node, dict):
            node = node.get(key)
        else:
            return None
    # The facts document writes "unknown" as "" or [] as often as null.
    return None if node in ("", []) else node


def _aspects(paste: Paste) -> list[str]:
    aspects = ["kinds", "signals", "findings", "text", "json-sections", "json-signals"]
    aspects += [f"fact:{path}" for path in paste.facts]
    aspects += [f"params:{key}" for key in paste.params]
    return aspects


def _reason(paste: Paste, aspect: str) -> str:
    """Why `aspect` of `paste` is wrong today ("" when it is expected to pass)."""
    key = aspect.removeprefix("fact:")
    if aspect == "json-sections":
        return paste.pending.get("kinds", "")
    if aspect == "json-signals":
        return paste.pending.get("signals", "")
    return paste.pending.get(key, "")


def _cases() -> list[Any]:
    return [
        pytest.param(
            paste,
            aspect,
            marks=[pytest.mark.skip(reason=f"pending: {reason}")]
            if reason and not RUN_PENDING
            else [],
            id=f"{paste.path}:{aspect}",
        )
        for paste in PASTES
        for aspect in _aspects(paste)
        for reason in [_reason(paste, aspect)]
    ]


def test_every_real_paste_has_its_reading_and_a_source() -> None:
    stated = {paste.path for paste in PASTES}
    assert len(stated) == len(PASTES), "a paste stated twice"
    # Every paste fixture (the .txt files; the cases' README.md are not pastes) has its reading.
    pastes = {str(p.relative_to(PASTE)) for p in PASTE.glob("**/*.txt")}
    pastes |= {f"../{d}/{p.name}" for d in OTHER for p in (FIXTURES / d).glob("*.txt")}
    assert pastes == stated, f"without a reading: {sorted(pastes - stated)}"
    sourced: set[Path] = set()  # every file a SOURCES.tsv lists (paths as in corpus.listed)
    for sources in [*PASTE.glob("**/SOURCES.tsv"), *(FIXTURES / d / "SOURCES.tsv" for d in OTHER)]:
        with sources.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                name = row["path"]
                sourced.add((FIXTURES / name if "/" in name else sources.parent / name).resolve())
                assert row["source"].strip(), name
    for paste in PASTES:
        assert (PASTE / paste.path).is_file(), paste.path
        assert (PASTE / paste.path).resolve() in sourced, f"{paste.path} has no SOURCES.tsv row"
        known = {*_aspects(paste), *paste.facts}
        assert set(paste.pending) <= known, (paste.path, set(paste.pending) - known)


@pytest.mark.parametrize(("paste", "aspect"), _cases())
def test_real_paste(paste: Paste, aspect: str) -> None:
    result = _explained(paste)  # never raises: a failure here is the defect
    if aspect == "kinds":
        assert {r.kind for r in result.detection.readings} == paste.kinds
    elif aspect == "signals":
        assert {s.id for s in _signals(result)} == paste.signals
    elif aspect == "findings":
        assert {f.id for f in result.findings} == paste.findings, [
            (f.id, f.params) for f in result.findings
        ]
    elif aspect.startswith("fact:"):
        path = aspect.removeprefix("fact:")
        assert _fact(result.facts.to_dict(), path) == paste.facts[path]
    elif aspect.startswith("params:"):
        key = aspect.removeprefix("params:")
        if key.startswith("signal:"):
            found = [s.params for s in _signals(result) if s.id == key.removeprefix("signal:")]
        else:
            found = [f.params for f in result.findings if f.id == key]
        assert found, f"no {key}"
        for name, want in paste.params[key].items():
            got = found[0].get(name)
            if isinstance(want, Not):
                assert got is not None and got != want.value, (name, got)
            else:
                assert got == want, (name, got)
    elif aspect == "text":
        out = Console(file=io.StringIO(), width=100, color_system=None)
        render_explain(out, result, "no host", verbose=True)
        assert out.file.getvalue().strip()
    else:
        document = json.loads(json.dumps(explain_document(result, 0)))
        if aspect == "json-sections":
            assert {s["kind"] for s in document["data"]["sections"]} == paste.kinds
        else:
            assert {s["id"] for s in document["data"].get("signals", [])} == paste.signals
