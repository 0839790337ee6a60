"""A DGX Spark (NVIDIA GB10, compute capability 12.1) with torch 2.9.0+cu130, whose start-up warning
"Minimum and Maximum cuda capability ... (8.0) - (12.0)" is a false alarm: its sm_120 code runs on
12.1 (same major, binary compatible; pytorch/pytorch #164596, #172629). Replays the recorded host in
tests/fixtures/cases/gb10-dgx-spark-torch29-arch-warning (PROVENANCE.md marks its assumed parts);
the same warning pasted: tests/explain/real_pastes.py (torch-gb10-*)."""

from __future__ import annotations

import json

from hostbuilder import FIXTURES
from scripts import run_envsetup as envsetup

CASE = FIXTURES / "cases" / "gb10-dgx-spark-torch29-arch-warning"


def _doctor(*flags: str) -> dict:
    result = envsetup("doctor", "--json", "--replay", str(CASE / "host"), *flags)
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def test_doctor_deep_calls_the_warning_harmless_not_missing_kernels() -> None:
    document = _doctor("--deep")
    found = {f["id"]: f for f in document["findings"]}
    assert "cuda-no-kernel-image" not in found
    assert "gpu-arch-not-in-torch-build" not in found
    harmless = found["torch-arch-warning-harmless"]
    assert harmless["severity"] == "info"
    assert harmless["params"]["sm"] == "sm_121"
    assert harmless["params"]["arch_source"] == "torch"  # the deep check's arch list
    assert harmless["params"]["target"] == "sm_120"
    assert harmless["params"]["runs_as"] == "compatible-cubin"
    assert "Nothing to fix" in harmless["fix"]
    assert not any(f["severity"] == "error" for f in document["findings"])


def test_plain_doctor_finds_nothing_wrong() -> None:
    document = _doctor()
    assert not [f["id"] for f in document["findings"] if f["severity"] != "info"]
