"""doctor on this machine with hostile tools and files planted in its way: real processes on PATH,
real FIFOs. Every run has to end quickly, say what it saw, and leave nothing running."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from envsetup.errors import UsageError
from envsetup.facts import OsFacts
from envsetup.host.base import NvmlSnapshot, NvmlUnavailable
from envsetup.host.live import LiveHost
from envsetup.probe.common import DEFAULT_TIMEOUT_S, json_object, probe_timeout
from envsetup.probe.nvidia import probe_nvidia
from scripts import alive, read_pids, run_envsetup, script

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX scripts and FIFOs")

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "schema" / "doctor.schema.json").read_text())
# Where the driver lives, doctor asks NVML and never needs nvidia-smi: the CLI tests below need
# a machine without one; the probe test at the end runs everywhere.
HAS_DRIVER_NODE = any(os.path.exists(p) for p in ("/dev/nvidiactl", "/dev/dxg"))
needs_smi_path = pytest.mark.skipif(
    HAS_DRIVER_NODE, reason="NVML answers here; nvidia-smi is not run"
)


def doctor(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = run_envsetup("doctor", *args, env=env, timeout=90)
    return result, time.monotonic() - started


def on_path(directory: Path) -> dict[str, str]:
    return {"PATH": f"{directory}{os.pathsep}{os.environ.get('PATH', '')}"}


def doctor_with_smi(
    tmp_path: Path, body: str, timeout_s: str
) -> tuple[subprocess.CompletedProcess[str], float]:
    """doctor --json with a script running `body` first on PATH as nvidia-smi, and
    ENVSETUP_PROBE_TIMEOUT set to `timeout_s`."""
    tools = tmp_path / "bin"
    script(tools, "nvidia-smi", body)
    return doctor({**on_path(tools), "ENVSETUP_PROBE_TIMEOUT": timeout_s}, "--json")


def findings(result: subprocess.CompletedProcess[str]) -> dict[str, dict]:
    return {f["id"]: f for f in json.loads(result.stdout)["findings"]}


# ---------------------------------------------------------------- ENVSETUP_PROBE_TIMEOUT


@pytest.mark.parametrize("value", ["inf", "-inf", "-1", "0", "abc", "nan", "1e309", "0.01", "1e6"])
def test_a_probe_timeout_that_is_not_a_time_is_a_usage_error(value: str) -> None:
    with pytest.raises(UsageError) as caught:
        probe_timeout({"ENVSETUP_PROBE_TIMEOUT": value})
    message = str(caught.value)
    assert "ENVSETUP_PROBE_TIMEOUT" in message and repr(value) in message
    assert "0.1 to 3600" in message and "\n" not in message


@pytest.mark.parametrize(("value", "seconds"), [("2.5", 2.5), (" 30 ", 30.0), ("3600", 3600.0)])
def test_a_probe_timeout_in_range_is_used(value: str, seconds: float) -> None:
    assert probe_timeout({"ENVSETUP_PROBE_TIMEOUT": value}) == seconds
    assert probe_timeout({}) == probe_timeout({"ENVSETUP_PROBE_TIMEOUT": ""}) == DEFAULT_TIMEOUT_S


def test_a_very_long_bad_value_is_shown_shortened() -> None:
    with pytest.raises(UsageError) as caught:
        probe_timeout({"ENVSETUP_PROBE_TIMEOUT": "9" * 100_000})
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize("value", ["inf", "-1", "abc"])
def test_doctor_refuses_a_bad_probe_timeout_before_running_anything(
    tmp_path: Path, value: str
) -> None:
    marker = tmp_path / "nvidia-smi-ran"
    result, _ = doctor_with_smi(tmp_path, f"touch {marker}\nsleep 300\n", value)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "ENVSETUP_PROBE_TIMEOUT" in lines[0] and value in lines[0]
    assert "Traceback" not in result.stderr
    assert not marker.exists()


# ---------------------------------------------------------------- commands that misbehave


@needs_smi_path
def test_a_flooding_nvidia_smi_is_cut_and_reported_as_a_read_problem(tmp_path: Path) -> None:
    flood = "yes '| NVIDIA-SMI flood |' | head -c 67108864\n"
    result, elapsed = doctor_with_smi(tmp_path, flood, "3")
    assert result.returncode in (0, 1), result.stderr
    assert elapsed < 20
    report = json.loads(result.stdout)
    assert report["data"]["facts"]["nvidia"]["smi_state"] == "failed"
    read = findings(result)["could-not-read"]
    assert "nvidia-smi" in read["title"] and "8 MiB" in read["title"]
    assert len(result.stdout) < 100_000  # none of the flood is carried into the report


@needs_smi_path
def test_nvidia_smi_failing_while_its_child_holds_stdout_is_its_failure_not_a_hang(
    tmp_path: Path, pid_file: Path
) -> None:
    result, elapsed = doctor_with_smi(
        tmp_path,
        "echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
        'Make sure that the latest NVIDIA driver is installed and running."\n'
        f"setsid sleep 300 &\necho $! >> {pid_file}\nexit 9\n",
        "30",
    )
    assert elapsed < 15  # not the 30 s timeout
    nvidia = json.loads(result.stdout)["data"]["facts"]["nvidia"]
    assert (nvidia["smi_state"], nvidia["smi_failure"]) == ("failed", "couldnt-communicate")
    assert "nvidia-smi-hung" not in findings(result)
    assert read_pids(pid_file) and not any(alive(p) for p in read_pids(pid_file))


@needs_smi_path
def test_a_hung_nvidia_smi_and_its_setsid_child_do_not_outlive_doctor(
    tmp_path: Path, pid_file: Path
) -> None:
    result, elapsed = doctor_with_smi(
        tmp_path,
        f"setsid sleep 300 > /dev/null 2>&1 &\necho $! >> {pid_file}\n"
        f"echo $$ >> {pid_file}\nsleep 300\n",
        "1",
    )
    assert elapsed < 15
    assert "nvidia-smi-hung" in findings(result)
    pids = read_pids(pid_file)
    assert len(pids) == 2 and not any(alive(p) for p in pids)


# ---------------------------------------------------------------- files that are not files


def test_fifos_where_cuda_files_belong_do_not_block_doctor(tmp_path: Path) -> None:
    cuda = tmp_path / "cuda"
    (cuda / "include").mkdir(parents=True)
    (cuda / "bin").mkdir()
    for name in ("version.json", "version.txt", "include/cuda.h", "include/cudnn_version.h"):
        os.mkfifo(cuda / name)
    tools = tmp_path / "bin"
    tools.mkdir()
    for nvcc in (tools / "nvcc", cuda / "bin" / "nvcc"):
        os.mkfifo(nvcc)
        nvcc.chmod(0o755)  # which() takes an executable FIFO for a program
    env = {**on_path(tools), "CUDA_HOME": str(cuda), "ENVSETUP_PROBE_TIMEOUT": "5"}
    result, elapsed = doctor(env, "--json")
    assert result.returncode in (0, 1), result.stderr
    assert elapsed < 30
    cuda_facts = json.loads(result.stdout)["data"]["facts"]["cuda"]
    assert cuda_facts["nvcc_on_path"] == str(tools / "nvcc")
    assert str(cuda) not in [t["path"] for t in cuda_facts["toolkits"]]  # nothing read from it


# ---------------------------------------------------------------- the probe, on any machine


class NoNvml(LiveHost):
    """This machine, with NVML unusable: nvidia-smi is the source, as on a broken driver."""

    def nvml(self) -> NvmlSnapshot:
        raise NvmlUnavailable("not asked in this test")


def test_the_nvidia_probe_reports_a_flood_as_unreadable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = tmp_path / "bin"
    script(tools, "nvidia-smi", "yes flood | head -c 67108864\n")
    monkeypatch.setenv("PATH", on_path(tools)["PATH"])
    monkeypatch.setenv("ENVSETUP_PROBE_TIMEOUT", "10")
    problems: list = []
    started = time.monotonic()
    facts = probe_nvidia(NoNvml(), OsFacts(system="Linux", arch="x86_64"), problems)
    assert time.monotonic() - started < 10
    assert (facts.smi_state, facts.smi_failure) == ("failed", "unreadable")
    assert [p.what for p in problems] == [f"{tools / 'nvidia-smi'} output"]
    assert "8 MiB" in problems[0].reason


# ---------------------------------------------------------------- JSON files that hold anything

HOSTILE_JSON = {
    "deep": "[" * 100_000,
    "deep-object": '{"cuda": ' * 50_000,
    "list": "[1, 2]",
    "string": '"12.4"',
    "wrong-types": '{"cuda": [{"version": "12.4"}]}',
    "version-object": '{"cuda": {"version": {"major": 12}}}',
    "binary": "\ufffd\x01\x02",
    "empty": "",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_JSON))
def test_json_files_of_any_shape_are_not_objects_or_are_read_safely(name: str) -> None:
    value = json_object(HOSTILE_JSON[name])
    assert value is None or isinstance(value, dict)


@pytest.mark.parametrize("name", sorted(HOSTILE_JSON))
def test_a_hostile_cuda_version_json_is_skipped_not_a_crash(tmp_path: Path, name: str) -> None:
    cuda = tmp_path / "cuda"
    cuda.mkdir()
    (cuda / "version.json").write_text(HOSTILE_JSON[name])
    result, _ = doctor({"CUDA_HOME": str(cuda)}, "--json")
    assert result.returncode in (0, 1), result.stderr
    toolkits = json.loads(result.stdout)["data"]["facts"]["cuda"]["toolkits"]
    assert str(cuda) not in [t["path"] for t in toolkits]


def test_a_real_cuda_version_json_still_names_the_toolkit(tmp_path: Path) -> None:
    cuda = tmp_path / "cuda"
    cuda.mkdir()
    (cuda / "version.json").write_text('{"cuda": {"name": "CUDA SDK", "version": "12.4.1"}}')
    result, _ = doctor({"CUDA_HOME": str(cuda)}, "--json")
    toolkits = json.loads(result.stdout)["data"]["facts"]["cuda"]["toolkits"]
    assert {t["path"]: t["version"] for t in toolkits}[str(cuda)] == "12.4.1"
