"""render/prometheus.py: the node_exporter textfile, read back with Prometheus' own Python parser
(prometheus_client, the test extra), from doctor's and verify's real envelopes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from envsetup.render.prometheus import escape_label_value, prometheus_text
from hostbuilder import case_host
from scripts import run_envsetup

parser = pytest.importorskip("prometheus_client.parser")

H100_NODE = "07-fabricmanager-802-h100"


def samples(text: str) -> dict[str, list[Any]]:
    """name -> its samples, as Prometheus reads the file."""
    found: dict[str, list[Any]] = {}
    for family in parser.text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append(sample)
    return found


def test_doctor_s_file_from_a_real_recorded_host(tmp_path: Path) -> None:
    prom, out = tmp_path / "n7.prom", tmp_path / "n7.json"
    done = run_envsetup(
        "doctor",
        "--replay",
        str(case_host(H100_NODE)),
        "--prometheus",
        str(tmp_path / "{host}.prom"),
        "--out",
        str(tmp_path / "{host}.json"),
        env={"SLURMD_NODENAME": "n7"},
    )
    assert done.returncode == 0, done.stderr
    text = prom.read_text(encoding="utf-8")
    assert text.endswith("\n")  # the textfile collector wants the last line ended
    read = samples(text)
    document = json.loads(out.read_text(encoding="utf-8"))
    findings = {(s.labels["id"], s.labels["severity"]) for s in read["envsetup_finding"]}
    assert findings == {(f["id"], f["severity"]) for f in document["findings"]}
    assert all(s.value == 1 for s in read["envsetup_finding"])
    (info,) = read["envsetup_fingerprint_info"]
    fingerprint = document["data"]["fingerprint"]
    assert info.value == 1 and info.labels["key"] == fingerprint["key"]
    assert info.labels["driver"] == "535.230.02"
    assert info.labels["gpus"] == "8x NVIDIA H100 80GB HBM3 (9.0)"
    assert info.labels["profile"] == fingerprint["profile"] == "2.6"
    assert [s.value for s in read["envsetup_exit_code"]] == [0]
    assert read["envsetup_last_run_timestamp_seconds"][0].value > 1.7e9
    assert {s.labels["command"] for values in read.values() for s in values} == {"doctor"}
    assert "envsetup_check_passed" not in read  # doctor runs no checks


def envelope(**data: Any) -> dict[str, Any]:
    return {
        "command": "verify",
        "exit_code": 1,
        "findings": [
            {"id": "cuda.available", "severity": "error"},
            {"id": "cuda.available", "severity": "error"},  # one sample, not two
            {"id": "budget-cut", "severity": "warning"},
        ],
        "data": data,
    }


def test_label_values_are_escaped_so_that_prometheus_reads_them_back() -> None:
    odd = 'a "quoted" C:\\path\nand a second line'
    document = envelope(
        checks=[
            {"id": "torch.import", "status": "pass"},
            {"id": "cuda.available", "status": "fail"},
            {"id": "matmul", "status": "skip"},
        ],
        fingerprint={"driver": odd, "torch": "2.5.1+cu124", "gpus": [], "key": "abc"},
        budget={"seconds": 50.0, "elapsed_s": 50.1, "cut": ["matmul"]},
    )
    read = samples(prometheus_text(document, 1_800_000_000.5))
    (info,) = read["envsetup_fingerprint_info"]
    assert info.labels["driver"] == odd and info.labels["cudnn"] == ""
    assert {
        (s.labels["check"], s.labels["status"], s.value) for s in read["envsetup_check_passed"]
    } == {
        ("torch.import", "pass", 1),
        ("cuda.available", "fail", 0),
        ("matmul", "skip", 0),
    }
    assert len(read["envsetup_finding"]) == 2
    assert [s.value for s in read["envsetup_budget_cut"]] == [1]
    assert [s.value for s in read["envsetup_exit_code"]] == [1]
    assert read["envsetup_last_run_timestamp_seconds"][0].value == 1_800_000_000.5


def test_an_error_envelope_still_says_when_and_how_the_run_ended() -> None:
    document = {"command": "doctor", "exit_code": 2, "findings": [], "data": None}
    read = samples(prometheus_text(document, 1_800_000_000))
    assert set(read) == {"envsetup_exit_code", "envsetup_last_run_timestamp_seconds"}
    assert [s.value for s in read["envsetup_exit_code"]] == [2]


def test_escaping_rules() -> None:
    assert escape_label_value('\\"\n') == '\\\\\\"\\n'
    assert escape_label_value("plain") == "plain"
