"""`envsetup fleet report DIR --max-age DURATION` on a health-check folder: reports written by the
real `envsetup doctor --replay HOST --json --out DIR/{host}.json` (as contrib/slurm's health check
writes them: no marker, no fleet.json), made old the way a node that went down leaves its last
report: the file's modification time stays where its last write put it (os.utime here). A node
report carries no time of its own, so its file's time is its age (fleet/age.py)."""

from __future__ import annotations

import json
import os
import shutil
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Mapping

import jsonschema
import pytest

from envsetup.errors import UsageError
from envsetup.fleet.age import age_words, duration_option, parse_max_age
from envsetup.render.envelope import envelope
from fleet_nodes import H100, WINDOWS_CPU_TORCH, health_check_report, write_run
from scripts import run_envsetup

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2] / "docs" / "schema" / "fleet-report.schema.json"
    ).read_text(encoding="utf-8")
)
HOUR = 3600


@pytest.fixture(scope="module")
def health(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """n1..n3 healthy (8x H100), n4 unhealthy (a CPU-only torch on a GPU host)."""
    folder = tmp_path_factory.mktemp("health") / "health"
    for node in ("n1", "n2", "n3"):
        health_check_report(folder, node, H100)
    health_check_report(folder, "n4", WINDOWS_CPU_TORCH)
    return folder


def _aged(health: Path, tmp_path: Path, ages: Mapping[str, float]) -> Path:
    """A copy of the health folder, every report written just now, except those in `ages`:
    written that many seconds ago."""
    folder = tmp_path / "health"
    shutil.copytree(health, folder)
    now = time.time()
    for report in folder.glob("*.json"):
        when = now - ages.get(report.stem, 0)
        os.utime(report, (when, when))
    return folder


def _report(folder: Path, *args: str) -> tuple[int, str]:
    result = run_envsetup("fleet", "report", str(folder), *args, env={"COLUMNS": "200"})
    assert "Traceback" not in result.stderr, result.stderr
    return result.returncode, result.stdout


def _document(folder: Path, *args: str) -> dict:
    code, stdout = _report(folder, *args, "--json")
    document = json.loads(stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert document["exit_code"] == code
    return document


def test_a_stale_report_is_listed_with_the_silent_nodes_counted_and_exits_2(
    health: Path, tmp_path: Path
) -> None:
    folder = _aged(health, tmp_path, {"n2": 3 * HOUR})
    code, text = _report(folder, "--max-age", "2h")
    assert code == 2  # as a node that never answered: its answer is missing
    lines = text.splitlines()
    assert "4 nodes expected, 2 healthy, 1 unhealthy, 1 stale" in lines[0]
    assert any(line.startswith(" ✓ 2 nodes (n[1,3]): driver 535.230.02") for line in lines)
    silent = lines[lines.index(next(line for line in lines if "Did not answer" in line)) + 1 :]
    assert silent[0] == (
        " ✗ n2: last report 3 h ago, older than --max-age 2h: not judged (then: healthy)"
    )
    assert "modification times (reports carry no time of their own)" in silent[1]
    # The fresh unhealthy node is still judged and drained.
    assert 'scontrol update nodename=n4 state=drain reason="envsetup: torch-cpu-only' in text
    assert lines[-1] == "1 node did not answer (1 with a report older than --max-age); 1 unhealthy."


def test_a_stale_unhealthy_node_is_not_drained_on_its_old_report(
    health: Path, tmp_path: Path
) -> None:
    folder = _aged(health, tmp_path, {"n2": 3 * HOUR, "n4": 5 * HOUR})
    code, text = _report(folder, "--max-age", "2h")
    assert code == 2
    assert "4 nodes expected, 2 healthy, 2 stale" in text.splitlines()[0]
    assert "scontrol update" not in text and "torch-cpu-only-on-gpu-host]" not in text
    assert (
        " ✗ n4: last report 5 h ago, older than --max-age 2h: not judged (then: unhealthy, "
        "torch-cpu-only-on-gpu-host)" in text.splitlines()
    )
    assert "Nodes by fingerprint" in text and "! n4:" not in text  # no fingerprint of its own


def test_fresh_reports_read_as_without_max_age(health: Path, tmp_path: Path) -> None:
    folder = _aged(health, tmp_path, {"n2": 50 * 60})  # 50 min: inside 2 h (and 1 h: no hint)
    assert _report(folder, "--max-age", "2h") == _report(folder)
    code, text = _report(folder, "--max-age", "2h")
    assert code == 1 and "stale" not in text and "did not answer" not in text
    (folder / "n4.json").unlink()
    assert _report(folder, "--max-age", "15m")[0] == 2  # n2: 50 min > 15 min
    code, text = _report(folder, "--max-age", "2h")
    assert code == 0 and text.splitlines()[-1] == "All 3 nodes healthy."


@pytest.mark.parametrize(
    ("max_age", "stale"),
    [
        ("2h", ["n2", "n4"]),
        ("120m", ["n2", "n4"]),
        ("7200", ["n2", "n4"]),  # a plain number is seconds
        ("7200s", ["n2", "n4"]),
        ("1d", ["n4"]),
        ("1.5d", []),
    ],
)
def test_each_unit_reads_as_its_seconds(
    health: Path, tmp_path: Path, max_age: str, stale: list[str]
) -> None:
    folder = _aged(health, tmp_path, {"n2": 3 * HOUR, "n4": 25 * HOUR})
    document = _document(folder, "--max-age", max_age)
    data = document["data"]
    assert [n["node"] for n in data["nodes"] if n["state"] == "stale"] == stale
    assert data["summary"]["stale"] == len(stale)
    assert data["max_age_s"] == parse_max_age(max_age)
    assert document["exit_code"] == (2 if stale else 1)


def test_json_counts_the_stale_node_and_validates(health: Path, tmp_path: Path) -> None:
    folder = _aged(health, tmp_path, {"n2": 3 * HOUR})
    document = _document(folder, "--max-age", "2h")
    assert document["outcome"] == "incomplete" and document["error"] is None
    stale = next(f for f in document["findings"] if f["id"] == "fleet-node-stale")
    assert stale["severity"] == "error"
    assert stale["params"] == {
        "nodes": ["n2"],
        "hostlist": "n2",
        "count": 1,
        "directory": str(folder),
        "max_age": "2h",
    }
    assert stale["title"] == "1 node (n2) with a report older than --max-age 2h: not judged"
    assert stale["evidence"] == [
        "n2: last report 3 h ago, older than --max-age 2h: not judged (then: healthy)"
    ]
    data = document["data"]
    assert data["max_age_s"] == 7200
    summary = data["summary"]
    assert (summary["expected"], summary["answered"], summary["stale"]) == (4, 3, 1)
    nodes = {n["node"]: n for n in data["nodes"]}
    assert nodes["n2"]["state"] == "stale" and nodes["n2"]["group"] is None
    assert nodes["n2"]["findings"] == [] and nodes["n2"]["command"] == "doctor"
    assert 3 * HOUR <= nodes["n2"]["report_age_s"] < 3 * HOUR + 120
    assert 0 <= nodes["n1"]["report_age_s"] < 120
    assert all("n2" not in group["nodes"] for group in data["groups"])
    counted = {f["id"]: f["nodes"] for f in data["findings"]}
    assert counted["nvswitch-fabric-unchecked"] == ["n1", "n3"]  # n2's old findings not counted


def test_junit_gives_the_stale_node_an_error(health: Path, tmp_path: Path) -> None:
    folder = _aged(health, tmp_path, {"n2": 3 * HOUR})
    junit = tmp_path / "fleet.xml"
    code, _ = _report(folder, "--max-age", "2h", "--junit", str(junit))
    assert code == 2
    suites = {s.get("name"): s for s in ET.parse(junit).getroot().iter("testsuite")}
    assert sorted(suites) == ["n1", "n2", "n3", "n4"]
    error = suites["n2"].find("testcase/error")
    assert error is not None and error.get("type") == "stale"
    assert error.get("message", "").startswith("last report 3 h ago, older than --max-age 2h")
    assert (suites["n2"].get("errors"), suites["n2"].get("failures")) == ("1", "0")
    properties = {p.get("name"): p.get("value") for p in suites["n2"].iter("property")}
    assert properties["state"] == "stale" and int(properties["report_age_s"]) >= 3 * HOUR
    assert suites["n1"].get("errors") == "0"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("banana", "not a duration"),
        ("1w", "not a duration"),
        ("-5m", "not a duration"),
        ("", "not a duration"),
        ("0", "a duration of 0 makes every report stale"),
        ("0h", "a duration of 0 makes every report stale"),
    ],
)
def test_a_bad_duration_is_one_usage_line_and_exit_2(health: Path, value: str, reason: str) -> None:
    result = run_envsetup("fleet", "report", str(health), "--max-age", value)
    assert result.returncode == 2 and result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"envsetup: --max-age {value}: {reason}; fix: ")
    assert line.endswith("e.g. --max-age 15m")


def test_a_bad_duration_under_json_is_a_usage_envelope(health: Path) -> None:
    result = run_envsetup("fleet", "report", str(health), "--max-age", "banana", "--json")
    document = json.loads(result.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert result.returncode == 2 and document["outcome"] == "error"
    assert document["error"]["kind"] == "usage"
    assert document["error"]["message"].startswith("--max-age banana: not a duration")


def test_without_max_age_old_reports_bring_one_info_line_and_no_judgement(
    health: Path, tmp_path: Path
) -> None:
    fresh = _aged(health, tmp_path / "fresh", {})
    old = _aged(health, tmp_path / "old", {"n2": 3 * HOUR, "n3": 2 * HOUR})
    fresh_code, fresh_text = _report(fresh)
    code, text = _report(old)
    assert code == fresh_code == 1  # judged as before: n4 unhealthy, n2 still in the majority
    assert "fleet-reports-old" not in fresh_text
    hint = [line for line in text.splitlines() if "fleet-reports-old" in line]
    assert hint == [
        " i 2 nodes (n[2-3]) with a report older than an hour (oldest 3 h), judged as if new  "
        "[fleet-reports-old]"
    ]
    assert f"`envsetup fleet report {old} --max-age 30m`" in " ".join(text.split())
    assert "✓ 3 nodes (n[1-3])" in text and "stale" not in text.splitlines()[0]
    document = _document(old)
    assert document["outcome"] == "problems"
    [info] = [f for f in document["findings"] if f["id"] == "fleet-reports-old"]
    assert info["severity"] == "info" and info["params"]["oldest"] == "3 h"
    assert info["evidence"] == ["n2: last report 3 h ago", "n3: last report 2 h ago"]
    assert document["data"]["max_age_s"] is None
    assert {n["state"] for n in document["data"]["nodes"]} == {"healthy", "unhealthy"}


def test_a_run_folder_with_fleet_json_gets_no_hint_but_honours_max_age(
    health: Path, tmp_path: Path
) -> None:
    folder = _aged(health, tmp_path, {"n2": 3 * HOUR})
    write_run(folder, {}, expected=["n1", "n2", "n3", "n4"])  # fleet.json only
    code, text = _report(folder)
    assert code == 1 and "fleet-reports-old" not in text
    code, text = _report(folder, "--max-age", "2h")
    assert code == 2 and " ✗ n2: last report 3 h ago" in text


def test_durations_ages_and_the_option_s_own_words() -> None:
    assert [parse_max_age(t) for t in ("90s", "15m", "2h", "1d", "45", " 1.5H ")] == [
        90,
        900,
        7200,
        86400,
        45,
        5400,
    ]
    with pytest.raises(UsageError):
        parse_max_age("2 hours")
    assert [duration_option(s) for s in (7200, 90, 5400, 86400, 45.5)] == [
        "2h",
        "90s",
        "90m",
        "1d",
        "45.5s",
    ]
    assert [age_words(s) for s in (-3, 40, 12 * 60, 3 * HOUR + 600, 5 * 86400)] == [
        "0 s",
        "40 s",
        "12 min",
        "3 h",
        "5 days",
    ]


def test_the_envelope_still_has_no_time_of_its_own() -> None:
    """The age comes from the file's time because the envelope has none: when it gains one,
    fleet/age.py should read it (a copied folder keeps a report's own time, not its file's)."""
    keys = set(envelope("doctor", exit_code=0, outcome="ok", data={}))
    assert not {k for k in keys if "time" in k or k.endswith("_at")}
