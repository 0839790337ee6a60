"""doctor end to end through the CLI: live host, --record/--replay, --json against its schema."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from envsetup.render.schema import doctor_schema
from hostbuilder import FIXTURES, HostSpec, case_host, fixture_text
from scripts import run_envsetup as envsetup

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schema" / "doctor.schema.json").read_text())


def test_published_schema_is_the_generated_one() -> None:
    assert doctor_schema() == SCHEMA, (
        "run: python -m envsetup.render.schema > docs/schema/doctor.schema.json"
    )


def test_live_host_json_validates_and_tells_the_truth_about_this_machine() -> None:
    result = envsetup("doctor", "--json")
    assert result.returncode in (0, 1), result.stderr
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    facts = document["data"]["facts"]
    # The interpreter doctor chose (PATH's python3 or an active environment's: not necessarily
    # the one running the tests) is asked its version itself.
    asked = subprocess.run(
        [facts["python"]["executable"], "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert facts["python"]["version"] == asked.stdout.strip()
    assert document["exit_code"] == result.returncode
    if not facts["nvidia"]["driver_version"] and facts["cuda"]["toolkits"]:
        # This machine: a CUDA 13.0 toolkit and no driver.
        assert "toolkit-without-driver" in {f["id"] for f in document["findings"]}


def test_record_then_replay_gives_the_same_report(tmp_path: Path) -> None:
    recording = tmp_path / "rec"
    live = envsetup("doctor", "--json", "--record", str(recording))
    assert (recording / "host.json").is_file()
    replayed = envsetup("doctor", "--json", "--replay", str(recording))
    assert replayed.returncode == live.returncode
    live_doc, replay_doc = json.loads(live.stdout), json.loads(replayed.stdout)
    assert replay_doc["data"]["facts"] == live_doc["data"]["facts"]
    assert replay_doc["findings"] == live_doc["findings"]


def test_secret_looking_variables_are_never_printed_or_recorded(tmp_path: Path) -> None:
    secret = "hf_DoNotLeakThisToken123"
    recording = tmp_path / "rec"
    result = envsetup(
        "doctor",
        "-v",
        "--record",
        str(recording),
        env={"HF_TOKEN": secret, "AWS_SECRET_ACCESS_KEY": secret},
    )
    assert result.returncode in (0, 1)
    assert secret not in result.stdout + result.stderr
    stored = "".join(p.read_text(errors="replace") for p in recording.rglob("*") if p.is_file())
    assert secret not in stored


@pytest.mark.parametrize("bad", ["missing", "empty", "garbage"])
def test_a_bad_replay_directory_is_one_line_and_exit_2(tmp_path: Path, bad: str) -> None:
    directory = tmp_path / "rec"
    if bad != "missing":
        directory.mkdir()
    if bad == "garbage":
        (directory / "host.json").write_text("\x00\x01 not json")
    result = envsetup("doctor", "--replay", str(directory))
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"envsetup: --replay {directory}:")
    assert "Traceback" not in result.stderr


def test_replay_of_an_error_host_exits_1_and_renders_the_fix(tmp_path: Path) -> None:
    spec = HostSpec()
    spec.which["nvidia-smi"] = "/usr/bin/nvidia-smi"
    spec.command(
        ["/usr/bin/nvidia-smi"],
        fixture_text(
            "nvidia-smi-failures/couldnt-communicate-after-unattended-upgrade.txt", skip=1
        ),
        9,
    )
    directory = spec.write(tmp_path / "host")
    result = envsetup("doctor", "-v", "--replay", directory)
    assert result.returncode == 1
    assert "nvidia-smi-failed" in result.stdout and "fix:" in result.stdout
    as_json = envsetup("doctor", "--json", "--replay", directory)
    jsonschema.validate(json.loads(as_json.stdout), SCHEMA)


def test_record_and_replay_together_is_a_usage_error(tmp_path: Path) -> None:
    result = envsetup("doctor", "--record", str(tmp_path / "a"), "--replay", str(tmp_path / "b"))
    assert result.returncode == 2 and "cannot be used together" in result.stderr


def test_overrides_stand_in_for_a_missing_gpu(tmp_path: Path) -> None:
    result = envsetup(
        "doctor",
        "--json",
        env={
            "ENVSETUP_CUDA_DRIVER_VERSION": "12.4",
            "ENVSETUP_DRIVER_VERSION": "550.54.15",
            "ENVSETUP_GPU_ARCH": "sm_86",
        },
    )
    nvidia = json.loads(result.stdout)["data"]["facts"]["nvidia"]
    assert nvidia["driver_cuda_version"] == "12.4"
    assert nvidia["driver_cuda_source"] == "override:ENVSETUP_CUDA_DRIVER_VERSION"
    assert nvidia["gpus"][0]["compute_capability"] == "8.6"
    assert nvidia["driver_source"] == "override:ENVSETUP_DRIVER_VERSION"
    assert nvidia["gpus_source"] == "override:ENVSETUP_GPU_ARCH"
    # A value that is not one is a usage error naming the variable (before: a read problem).
    bad = envsetup("doctor", "--json", env={"ENVSETUP_GPU_ARCH": "banana"})
    assert bad.returncode == 2
    assert json.loads(bad.stdout)["error"]["message"].startswith("ENVSETUP_GPU_ARCH='banana'")


# Every real nvidia-smi / nvcc / os-release output, cut at random points, run through the whole
# pipeline: the result is a report (maybe with "could not read"), never a traceback.
CUT_SOURCES = sorted(
    str(p.relative_to(FIXTURES))
    for folder in ("nvidia-smi", "nvidia-smi-failures", "nvcc", "os", "driver")
    for p in (FIXTURES / folder).glob("*.txt")
)


@pytest.mark.parametrize("fixture", CUT_SOURCES)
def test_cut_outputs_never_crash_the_pipeline(tmp_path: Path, fixture: str) -> None:
    from envsetup.diagnose import diagnose
    from envsetup.host.recorded import RecordedHost
    from envsetup.probe import probe_all
    from envsetup.profiles.lookup import lookup_build
    from envsetup.render.doctor_json import doctor_document

    text = fixture_text(fixture)
    rng = random.Random(fixture)
    for n, cut in enumerate(
        sorted({0, len(text), *(rng.randrange(len(text) + 1) for _ in range(6))})
    ):
        piece = text[:cut]
        spec = HostSpec()
        spec.which["nvidia-smi"] = spec.which["nvcc"] = "/usr/bin/X"
        spec.command(["/usr/bin/X"], piece, 0)
        spec.command(["/usr/bin/X", "--version"], piece, 0)
        spec.markers.append("/usr/bin/nvcc")
        spec.files["/etc/os-release"] = piece
        spec.files["/proc/driver/nvidia/version"] = piece
        spec.files["/proc/version"] = piece
        facts = probe_all(RecordedHost(spec.write(tmp_path / f"h{n}")))
        document = doctor_document(facts, diagnose(facts, lookup_build), 0)
        json.dumps(document)


def test_every_finding_id_is_catalogued() -> None:
    import re

    rules = "".join(p.read_text() for p in (ROOT / "src" / "envsetup" / "diagnose").glob("*.py"))
    from envsetup.diagnose.driver_rules import SPECIFIC_FAILURES

    emitted = set(re.findall(r'id="([a-z0-9-]+)"', rules))
    emitted |= set(SPECIFIC_FAILURES.values())
    # signal_rules names its ids in its words catalogue (tests/doctor/test_signal_rules.py
    # checks every id it produces on the real pastes is there).
    from envsetup.render.words import (
        cuda_errors,
        installer_signals,
        kernel_log_signals,
        loader_signals,
        python_signals,
        rocm,  # the ROCm runtime's errors (hipErrorNoBinaryForGpu, ...) are worded there
    )

    for kind in (
        cuda_errors,
        rocm,
        loader_signals,
        kernel_log_signals,
        python_signals,
        installer_signals,
    ):
        emitted |= set(kind.WORDS)
    # libc_rules' findings take the ids of their verdicts, worded with check-command's.
    from envsetup.diagnose.libc_rules import IDS as VERDICT_IDS
    from envsetup.render.words.check_command import VERDICT_FINDINGS

    assert {code.value for code in VERDICT_FINDINGS} >= VERDICT_IDS
    emitted |= VERDICT_IDS
    # library_shadow_rules names its ids by where the loader meets the copy.
    from envsetup.diagnose.library_shadow_rules import FINDING_IDS as SHADOW_IDS

    emitted |= set(SHADOW_IDS.values())
    # --budget's finding is made by the run (node_outputs.py), not by a rule.
    from envsetup.node_outputs import BUDGET_CUT

    emitted.add(BUDGET_CUT)
    catalogue = set(
        re.findall(r"^\| `([a-z0-9-]+)` \|", (ROOT / "docs" / "findings.md").read_text(), re.M)
    )
    # fleet report's own findings have rows of their own (its section at the end)
    from envsetup.render.words.fleet import WORDS as FLEET_WORDS

    assert set(FLEET_WORDS) <= catalogue
    assert emitted == catalogue - set(FLEET_WORDS)
    import importlib

    from envsetup.render.finding_words import CATALOGUES

    # every id doctor emits is worded, and every word of a doctor-side catalogue module (all but
    # check-command's and install's) is emitted: render/words/doctor.py, signals.py and one module
    # per kind (shadow.py, fabric.py, ...)
    commands = {
        "envsetup.render.words.check_command",
        "envsetup.render.words.install",
        "envsetup.render.words.fleet",
    }
    worded: set[str] = set()
    for module in CATALOGUES:
        if module not in commands:
            worded |= set(importlib.import_module(module).WORDS)
    # check-command's own Jetson finding shares the Jetson words module
    from envsetup.command_check.jetson import FINDING as JETSON_COMMAND_FINDING

    assert emitted == (worded - {JETSON_COMMAND_FINDING}) | VERDICT_IDS


def test_another_interpreter_is_asked_in_a_subprocess() -> None:
    base = getattr(sys, "_base_executable", None) or sys.executable
    result = envsetup("doctor", "--json", "--python", base)
    python = json.loads(result.stdout)["data"]["facts"]["python"]
    assert python["version"] == ".".join(map(str, sys.version_info[:3]))
    if base != sys.executable:
        assert python["source"].startswith("command:")
    # An interpreter that does not exist is the user's typo: a usage error naming it, exit 2.
    missing = envsetup("doctor", "--json", "--python", "/nonexistent/python3")
    assert missing.returncode == 2
    document = json.loads(missing.stdout)
    assert document["error"]["kind"] == "usage" and document["data"] is None
    assert "/nonexistent/python3" in document["error"]["message"]
    assert missing.stderr.count("\n") == 1 and "Traceback" not in missing.stderr


def test_python_with_replay_is_a_usage_error() -> None:
    replayed = envsetup(
        "doctor",
        "--python",
        "python3",
        "--replay",
        str(case_host("07-fabricmanager-802-h100")),
    )
    assert replayed.returncode == 2
    assert replayed.stderr.startswith("envsetup: --python python3 cannot be used with --replay")


@pytest.mark.needs_torch
def test_deep_imports_the_real_torch_in_a_subprocess() -> None:
    pytest.importorskip("torch")
    result = envsetup("doctor", "--json", "--deep", "--python", sys.executable)
    torch = json.loads(result.stdout)["data"]["facts"]["torch"]
    assert torch["deep"]["ran"] and torch["deep"]["error"] is None, torch["deep"]
    assert torch["deep"]["cuda_available"] is False  # the CPU wheel on a machine without a GPU
    assert torch["version"].startswith("2.13.0")
