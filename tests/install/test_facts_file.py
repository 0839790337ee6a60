"""`install --facts FILE` takes untrusted input: a bad file is one usage line, never a crash or a hang."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any, Iterator

import pytest

from envsetup.errors import UsageError
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.resolve.quick import resolve_quickly
from envsetup.resolve.request import parse_request
from envsetup.resolve.resolution import ResolutionRefused
from scripts import run_envsetup

from .machines import make_facts

RECORDED = Path(__file__).parents[1] / "fixtures" / "hosts" / "ci-debian12-cuda13-no-driver"
# Values of every JSON type, for every place in a facts document.
ODD_VALUES: list[Any] = ["x", "", 7, -1, 1.5, True, None, [], ["x"], {}, {"a": 1}]


def _documents() -> list[dict[str, Any]]:
    recorded = probe_all(RecordedHost(str(RECORDED))).to_dict()
    gpu_box = make_facts(
        driver="535.104.05", driver_cuda="12.2", gpus=[("NVIDIA GeForce RTX 3090", "8.6")]
    ).to_dict()
    return [recorded, gpu_box]


def _places(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _places(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _places(inner, (*path, index))


def _replaced(document: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = json.loads(json.dumps(document))
    holder = copy
    for step in path[:-1]:
        holder = holder[step]
    holder[path[-1]] = new
    return copy


def test_every_value_of_every_type_in_every_place_is_refused_by_key_or_resolved() -> None:
    request = parse_request(torch=None, cuda="auto", python=None, manager="uv", env=None, name=None)
    tried = refused = 0
    for document in _documents():
        for path in list(_places(document))[1:]:
            for value in ODD_VALUES:
                mutated = _replaced(document, path, value)
                tried += 1
                try:
                    facts = Facts.from_dict(mutated)
                except ValueError as exc:
                    refused += 1
                    assert "\n" not in str(exc)
                    continue
                with contextlib.suppress(ResolutionRefused, UsageError):
                    resolve_quickly(request, facts)
    assert tried > 1000
    # Most odd values are the wrong type for their place: the check really refuses them.
    assert refused > tried // 2


def test_a_string_where_a_number_belongs_names_the_key(tmp_path: Path) -> None:
    document = _documents()[1]
    document["nvidia"]["gpus"][0]["memory_total_mib"] = "24 GB"
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = run_envsetup("install", "--dry-run", "--facts", str(path), timeout=60)
    assert out.returncode == 2, out.stderr
    assert out.stderr.count("\n") == 1, out.stderr
    assert "nvidia.gpus[0].memory_total_mib: expected int, got a string" in out.stderr


@pytest.mark.parametrize("kind", ["fifo", "deep", "dev-zero", "not-utf8", "directory"])
def test_a_facts_file_that_is_no_file_of_json_is_one_usage_line(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "facts.json"
    if kind == "fifo":
        os.mkfifo(path)  # a plain open() would wait for a writer forever
    elif kind == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    elif kind == "not-utf8":
        path.write_bytes(b'{"os": "\xff\xfe"}')
    else:
        path.mkdir()
    out = run_envsetup("install", "--dry-run", "--json", "--facts", str(path), timeout=60)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr
    assert out.stderr.startswith(f"envsetup: --facts {path}: "), out.stderr
    assert json.loads(out.stdout)["error"]["kind"] == "usage"
