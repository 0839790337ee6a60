"""doctor's node-check flags (issue 13): --out, --prometheus, --budget, as real processes on real
recorded hosts, through the fast path and through typer alike; and --budget on the live host with
an nvidia-smi that hangs (a real script on PATH: the host boundary)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Optional

import jsonschema
import pytest

from hostbuilder import case_host
from scripts import script, this_python_active

ROOT = Path(__file__).resolve().parents[2]
H100_NODE = str(case_host("07-fabricmanager-802-h100"))
CPU_WHEEL_NODE = str(case_host("03-aarch64-gb200-pypi-cpu-wheel"))


def envsetup(
    *args: str, fast: bool = True, env: Optional[dict[str, str]] = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The console script as a real process; `fast=False` switches the fast path off, so that
    typer parses the command line."""
    switch_off = "" if fast else "fast_path.simple_command = lambda *a, **k: None; "
    code = (
        "import sys; from envsetup import fast_path; " + switch_off + "sys.argv[0] = 'envsetup'; "
        "from envsetup.entry import main; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, **(env or {})},
    )


def schema() -> dict[str, Any]:
    return json.loads((ROOT / "docs" / "schema" / "doctor.schema.json").read_text("utf-8"))


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "typer"])
def test_out_holds_the_document_doctor_prints_named_after_the_slurm_node(
    tmp_path: Path, fast: bool
) -> None:
    done = envsetup(
        "doctor",
        "--json",
        "--replay",
        H100_NODE,
        "--out",
        str(tmp_path / "{host}.json"),
        fast=fast,
        env={"SLURMD_NODENAME": "n3"},
    )
    assert done.returncode == 0, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["n3.json"]
    written = json.loads((tmp_path / "n3.json").read_text(encoding="utf-8"))
    assert written == json.loads(done.stdout)
    jsonschema.validate(written, schema())
    data = written["data"]
    assert data["node"] == "n3" and data["budget"] is None
    assert data["fingerprint"]["driver"] == "535.230.02"


def test_without_json_stdout_stays_the_text_report(tmp_path: Path) -> None:
    plain = envsetup("doctor", "--replay", H100_NODE)
    done = envsetup("doctor", "--replay", H100_NODE, "--out", str(tmp_path / "r.json"))
    assert done.returncode == plain.returncode == 0
    assert done.stdout == plain.stdout and not done.stdout.lstrip().startswith("{")
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["command"] == "doctor"


def test_a_node_with_an_error_finding_writes_it_and_exits_1(tmp_path: Path) -> None:
    """Case 03: PyPI's CPU wheel on a GB200 node: an error, as a fleet report must see it."""
    done = envsetup("doctor", "--replay", CPU_WHEEL_NODE, "--out", str(tmp_path / "n.json"))
    written = json.loads((tmp_path / "n.json").read_text(encoding="utf-8"))
    assert done.returncode == written["exit_code"] == 1
    assert any(f["severity"] == "error" for f in written["findings"])
    assert written["data"]["fingerprint"]["compute_platform"] == "cpu"


@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "typer"])
@pytest.mark.parametrize("option", ["--out", "--prometheus"])
def test_a_path_whose_folder_is_missing_is_refused_before_anything_is_read(
    tmp_path: Path, option: str, fast: bool
) -> None:
    missing = tmp_path / "no-such-folder" / "{host}.json"
    # The recording does not exist either: the path is checked first, so that is not reached.
    done = envsetup(
        "doctor",
        "--replay",
        str(tmp_path / "nohost"),
        option,
        str(missing),
        fast=fast,
        env={"SLURMD_NODENAME": "n1"},
    )
    assert done.returncode == 2 and done.stdout == ""
    line = done.stderr.strip()
    assert "\n" not in line and "Traceback" not in line
    assert line.startswith(f"envsetup: {option} {tmp_path}/no-such-folder/n1.json: ")
    assert "does not exist" in line and "fix:" in line


@pytest.mark.parametrize("value", ["abc", "0", "-1", "nan"])
@pytest.mark.parametrize("fast", [True, False], ids=["fast-path", "typer"])
def test_a_bad_budget_is_a_usage_error(value: str, fast: bool) -> None:
    done = envsetup("doctor", "--json", "--replay", H100_NODE, f"--budget={value}", fast=fast)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "not a positive number of seconds" in done.stderr
    assert json.loads(done.stdout)["error"]["kind"] == "usage"


def test_a_failed_run_writes_its_error_envelope(tmp_path: Path) -> None:
    """The run fails after the paths were accepted (the recording is missing): the report file
    says why, instead of a fleet report finding nothing."""
    done = envsetup(
        "doctor",
        "--replay",
        str(tmp_path / "nohost"),
        "--out",
        str(tmp_path / "n.json"),
        "--prometheus",
        str(tmp_path / "n.prom"),
    )
    assert done.returncode == 2
    written = json.loads((tmp_path / "n.json").read_text(encoding="utf-8"))
    assert written["outcome"] == "error" and written["exit_code"] == 2
    assert written["error"]["kind"] == "usage"
    assert written["error"]["message"] in done.stderr
    assert 'envsetup_exit_code{command="doctor"} 2' in (tmp_path / "n.prom").read_text("utf-8")


def test_budget_on_a_recorded_host_cuts_nothing(tmp_path: Path) -> None:
    done = envsetup("doctor", "--json", "--replay", H100_NODE, "--budget", "30")
    data = json.loads(done.stdout)["data"]
    assert data["budget"]["seconds"] == 30.0 and data["budget"]["cut"] == []
    assert 0 < data["budget"]["elapsed_s"] < 30
    assert "budget-cut" not in {f["id"] for f in json.loads(done.stdout)["findings"]}


@pytest.mark.skipif(sys.platform == "win32", reason="a POSIX shell script as nvidia-smi")
def test_budget_ends_a_hung_nvidia_smi_and_says_what_was_cut(tmp_path: Path) -> None:
    """The live host, with an nvidia-smi that hangs for a minute first on PATH. Without
    --budget doctor waits for it the probe timeout (8 s); with --budget 0.5 it ends in time,
    names nvidia-smi in data.budget.cut, and does not call the cut step a hung driver."""
    bin_dir = tmp_path / "bin"
    script(bin_dir, "nvidia-smi", "sleep 60\n")
    env = this_python_active(dict(os.environ))
    env["PATH"] = os.pathsep.join([str(bin_dir), env["PATH"]])
    started = time.monotonic()
    done = envsetup(
        "doctor", "--json", "--budget", "0.5", "--out", str(tmp_path / "{host}.json"), env=env
    )
    wall = time.monotonic() - started
    assert done.returncode in (0, 1), done.stderr
    document = json.loads(done.stdout)
    budget = document["data"]["budget"]
    assert wall < 5.0, (wall, budget)
    assert "nvidia-smi" in budget["cut"], budget
    ids = {f["id"]: f for f in document["findings"]}
    assert ids["budget-cut"]["severity"] == "warning"
    assert "nvidia-smi" in ids["budget-cut"]["params"]["cut"]
    assert "nvidia-smi-hung" not in ids
    (written,) = [p for p in tmp_path.iterdir() if p.suffix == ".json"]
    assert json.loads(written.read_text(encoding="utf-8"))["data"]["budget"]["cut"] == budget["cut"]
    jsonschema.validate(document, schema())
