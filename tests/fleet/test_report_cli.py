"""`envsetup fleet report DIR` as a real process on a run folder of real doctor reports: the text
for people, --json validated against docs/schema/fleet-report.schema.json, --junit parsed back,
the exit codes, and bad input in one line."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from fleet_nodes import (
    H100,
    WINDOWS_CPU_TORCH,
    doctor_report,
    mismatch_host,
    newer_driver_host,
    write_run,
)
from scripts import run_envsetup

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2] / "docs" / "schema" / "fleet-report.schema.json"
    ).read_text(encoding="utf-8")
)
ENVELOPE_KEYS = [
    "schema_version",
    "command",
    "tool",
    "exit_code",
    "outcome",
    "error",
    "findings",
    "data",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("fleet")
    h100 = doctor_report(H100)
    reports = {
        "node001": h100,
        "node002": h100,
        "node003": h100,
        "node004": doctor_report(newer_driver_host(base / "newer")),
        "node037": doctor_report(mismatch_host(base / "mismatch")),
        "node040": doctor_report(WINDOWS_CPU_TORCH),
    }
    expected = [*reports, "node041", "node042"]
    return write_run(base / "run", reports, started=["node041"], expected=expected)


def _document(stdout: str, returncode: int) -> dict:
    document = json.loads(stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert list(document) == ENVELOPE_KEYS and document["exit_code"] == returncode
    return document


def test_the_text_report_names_majority_deviations_drain_and_silent_nodes(run: Path) -> None:
    result = run_envsetup("fleet", "report", str(run), env={"COLUMNS": "200"})
    assert result.returncode == 2, result.stderr
    text = result.stdout
    lines = text.splitlines()
    assert "8 nodes expected, 4 healthy, 2 unhealthy, 1 timed out, 1 missing" in lines[0]
    majority = next(line for line in lines if "✓ 3 nodes (node[001-003])" in line)
    assert "driver 535.230.02 (CUDA 12.2) / torch 2.6.0 (cu124)" in majority
    assert "8× NVIDIA H100 80GB HBM3 (sm_90)" in majority
    assert any(
        line.startswith(" ! node004: driver 535.247.01 (majority 535.230.02)") for line in lines
    )
    deviation = next(line for line in lines if line.startswith(" ! node037:"))
    assert "driver-library-mismatch" in deviation and "reboot" in deviation
    assert (
        'scontrol update nodename=node037 state=drain reason="envsetup: driver-library-mismatch'
        in text
    )
    assert 'nodename=node040 state=drain reason="envsetup: torch-cpu-only-on-gpu-host"' in text
    assert "node041: started at 2026-11-30T23:00:00+00:00, no report: timed out or killed" in text
    assert "node042: never answered: no marker, no report" in text
    # The order people read: majority, deviations, findings, drain, the silent nodes.
    order = [
        text.index(word)
        for word in ("✓ 3 nodes", "! node004", "Findings across", "Drain", "Did not answer")
    ]
    assert order == sorted(order)


def test_json_is_the_envelope_and_validates_against_its_schema(run: Path) -> None:
    result = run_envsetup("fleet", "report", str(run), "--json")
    document = _document(result.stdout, 2)
    assert document["command"] == "fleet-report" and document["outcome"] == "incomplete"
    assert document["error"] is None
    ids = [f["id"] for f in document["findings"]]
    assert ids == [
        "fleet-node-missing",
        "fleet-node-timed-out",
        "fleet-node-unhealthy",
        "fleet-nodes-differ",
    ]
    data = document["data"]
    assert [g["hostlist"] for g in data["groups"]] == [
        "node[001-003]",
        "node004",
        "node037",
        "node040",
    ]
    assert data["groups"][1]["differs"] == [
        {"field": "driver", "value": "535.247.01", "majority": "535.230.02"}
    ]
    assert [d["hostlist"] for d in data["drain"]] == ["node037", "node040"]
    assert data["summary"]["missing"] == 1 and data["summary"]["timed_out"] == 1


def test_exit_codes_and_outcomes_follow_the_nodes(run: Path, tmp_path: Path) -> None:
    h100 = doctor_report(H100)
    healthy = write_run(tmp_path / "ok", {"a1": h100, "a2": h100}, expected=["a1", "a2"])
    result = run_envsetup("fleet", "report", str(healthy), "--json")
    assert _document(result.stdout, 0)["outcome"] == "ok"
    text = run_envsetup("fleet", "report", str(healthy))
    assert text.returncode == 0 and "All 2 nodes healthy." in text.stdout
    sick = write_run(tmp_path / "sick", {"a1": h100, "a2": doctor_report(WINDOWS_CPU_TORCH)})
    result = run_envsetup("fleet", "report", str(sick), "--json")
    assert _document(result.stdout, 1)["outcome"] == "problems"


def test_junit_has_one_suite_per_node(run: Path, tmp_path: Path) -> None:
    junit = tmp_path / "fleet.xml"
    result = run_envsetup("fleet", "report", str(run), "--junit", str(junit))
    assert result.returncode == 2
    suites = {s.get("name"): s for s in ET.parse(junit).getroot().iter("testsuite")}
    assert sorted(suites) == [
        "node001",
        "node002",
        "node003",
        "node004",
        "node037",
        "node040",
        "node041",
        "node042",
    ]
    mismatch = suites["node037"]
    failed = [c.get("name") for c in mismatch.iter("testcase") if c.find("failure") is not None]
    assert "driver-library-mismatch" in failed and mismatch.get("failures") == str(len(failed))
    assert suites["node001"].get("failures") == "0" and suites["node001"].get("tests") == "1"
    silent = suites["node042"].find("testcase/error")
    assert silent is not None and silent.get("type") == "missing"
    assert suites["node042"].get("errors") == "1"


def test_a_missing_folder_is_one_line_and_exit_2_and_an_error_envelope(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = run_envsetup("fleet", "report", str(missing))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"envsetup: fleet report {missing}: no such directory; fix: name the folder "
        "`envsetup fleet run --out DIR` wrote (one <node>.json per node)"
    ]
    result = run_envsetup("fleet", "report", str(missing), "--json")
    document = _document(result.stdout, 2)
    assert document["outcome"] == "error" and document["error"]["kind"] == "usage"


def test_a_bad_junit_path_and_a_bad_flag_are_usage_errors(run: Path, tmp_path: Path) -> None:
    result = run_envsetup("fleet", "report", str(run), "--junit", str(tmp_path / "no" / "x.xml"))
    assert result.returncode == 2 and "its directory does not exist" in result.stderr
    result = run_envsetup("fleet", "report", str(run), "--jsn")
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "No such option: --jsn" in result.stderr and "Traceback" not in result.stderr


def test_help_shows_the_examples_and_the_group_lists_report() -> None:
    help_text = run_envsetup("fleet", "report", "-h", env={"COLUMNS": "120"})
    assert help_text.returncode == 0
    assert "Usage: envsetup fleet report" in help_text.stdout
    assert "envsetup fleet report runs/nightly --json" in help_text.stdout
    # One sentence per paragraph, not the docstring's mid-sentence line breaks (attack13, 6).
    assert "the nodes that never answered. Exit 0 all healthy" in help_text.stdout
    group = run_envsetup("fleet", "-h", env={"COLUMNS": "120"})
    assert (
        group.returncode == 0 and "Merge the node reports in DIR into one report." in group.stdout
    )
    assert "the nodes\n" not in group.stdout
    top = run_envsetup("-h", env={"COLUMNS": "120"})
    assert "fleet" in top.stdout


def _cli(*args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    script = f"import sys\n{code}\nsys.argv = ['envsetup', *{list(args)!r}]\nfrom envsetup.entry import main\nmain()\n"
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )


def test_an_internal_error_is_exit_70_one_line_and_the_fleet_report_envelope(run: Path) -> None:
    bug = (
        "import envsetup.fleet.report\n"
        "def planted(*args, **kwargs):\n"
        "    raise RuntimeError('planted bug')\n"
        "envsetup.fleet.report.fleet_report = planted\n"
    )
    plain = _cli("fleet", "report", str(run), code=bug)
    assert plain.returncode == 70 and "Traceback" not in plain.stderr
    assert len(plain.stderr.strip().splitlines()) == 1
    assert plain.stderr.startswith("envsetup: internal error (RuntimeError: planted bug)")
    as_json = _cli("fleet", "report", str(run), "--json", code=bug)
    document = _document(as_json.stdout, 70)
    assert document["command"] == "fleet-report" and document["error"]["kind"] == "internal"


def test_an_unknown_flag_under_json_is_a_usage_envelope(run: Path) -> None:
    out = _cli("fleet", "report", str(run), "--json", "--no-such-flag")
    assert out.returncode == 2
    document = _document(out.stdout, 2)
    assert document["outcome"] == "error" and document["error"]["kind"] == "usage"
    assert "--no-such-flag" in document["error"]["message"]
    assert out.stderr.startswith("envsetup fleet report: No such option: --no-such-flag")


def test_a_deviation_s_fix_is_cut_between_words_and_never_inside_a_code_span() -> None:
    from envsetup.render.fleet_text import SHORT_FIX, short_fix

    # A command that runs past the cut: cutting inside it would leave half a command to paste.
    fix = "Install the CUDA build: `pip install --force-reinstall torch==2.6.0 --index-url https://download.pytorch.org/whl/cu124`"
    cut = short_fix(fix)
    assert cut == "Install the CUDA build …"
    assert len(short_fix("word " * 40)) <= SHORT_FIX + 2
    assert short_fix("Reboot. Then check again.") == "Reboot"
