"""call_with_time_limit and the NVML query it bounds, on real child processes: a function that
never returns is ended at its limit with nothing left behind, and doctor's NVML probe goes on
with nvidia-smi when NVML does not answer."""

from __future__ import annotations

import os
import stat
import sys
import time
from pathlib import Path

import pytest

from envsetup.facts import OsFacts
from envsetup.host.base import NvmlUnavailable
from envsetup.host.live import LiveHost
from envsetup.host.nvml import nvml_unavailable_here, query_nvml
from envsetup.host.recorded import RecordedHost
from envsetup.host.recording import RecordingHost
from envsetup.host.timebox import ChildLost, TimeLimitExceeded, call_with_time_limit
from envsetup.probe.nvidia import probe_nvidia
from scripts import alive, read_pids
from timebox_targets import answer, die, hang, refuse

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX signals")

SMI_TABLE = Path(__file__).parents[1] / "fixtures/nvidia-smi/550.54.15-8x-h100-hgx-partial.txt"


@pytest.fixture
def pids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "pids"
    monkeypatch.setenv("TIMEBOX_PID_FILE", str(path))
    return path


def test_a_function_that_never_returns_is_ended_at_its_limit(pids: Path) -> None:
    started = time.monotonic()
    with pytest.raises(TimeLimitExceeded, match=r"timebox_targets.hang did not return within 1 s"):
        call_with_time_limit(hang, 1.0)
    assert 1.0 <= time.monotonic() - started < 6.0
    [pid] = read_pids(pids)
    assert not alive(pid)  # SIGTERM ignored: killed all the same


def test_the_value_comes_back_and_what_it_printed_stays_out_of_it(pids: Path) -> None:
    snapshot = call_with_time_limit(answer, 60)
    assert (snapshot.driver_version, snapshot.cuda_driver_version) == ("550.54.15", 12040)
    assert read_pids(pids) and read_pids(pids)[0] != os.getpid()  # it ran elsewhere


def test_what_the_function_raises_is_raised_here() -> None:
    with pytest.raises(NvmlUnavailable, match=r"^Driver/library version mismatch$"):
        call_with_time_limit(refuse, 60)


def test_a_child_that_dies_without_an_answer_is_named(pids: Path) -> None:
    with pytest.raises(ChildLost, match=r"timebox_targets.die gave no answer"):
        call_with_time_limit(die, 60)


def test_a_function_the_child_cannot_import_is_refused_before_anything_runs() -> None:
    with pytest.raises(ValueError, match="not importable by name"):
        call_with_time_limit(lambda: None, 60)


@pytest.mark.parametrize("executable", ["", "/nonexistent/python3"])
def test_a_child_that_cannot_start_is_a_reason_not_a_crash(
    executable: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Embedded or frozen Pythons (sys.executable empty), an interpreter removed under a running
    # envsetup: NVML is then unavailable with that reason, as for any other failure of the child,
    # so that doctor goes on with nvidia-smi instead of ending on an OSError (exit 70).
    monkeypatch.setattr(sys, "executable", executable)
    with pytest.raises(ChildLost, match=r"timebox_targets.answer gave no answer"):
        call_with_time_limit(answer, 60)
    with pytest.raises(NvmlUnavailable, match=r"^the NVML query failed: .*gave no answer"):
        LiveHost(nvml_query=answer, nvml_timeout_s=60).nvml()


def test_an_nvml_that_does_not_answer_is_a_reason_not_a_hang(pids: Path) -> None:
    started = time.monotonic()
    with pytest.raises(NvmlUnavailable, match=r"^NVML did not answer within 1 s"):
        LiveHost(nvml_query=hang, nvml_timeout_s=1.0).nvml()
    assert time.monotonic() - started < 6.0
    assert not any(alive(pid) for pid in read_pids(pids))


def test_where_nvml_cannot_answer_the_reason_is_nvmls_own() -> None:
    # This machine (no NVIDIA driver): the reason given without a child is the one pynvml gives
    # in-process; with the driver library present, the child is asked.
    reason = nvml_unavailable_here()
    if reason is None:
        pytest.skip("NVML's library is present here")
    with pytest.raises(NvmlUnavailable) as in_process:
        query_nvml()
    with pytest.raises(NvmlUnavailable) as live:
        LiveHost().nvml()
    assert str(live.value) == str(in_process.value) == reason


def test_doctor_goes_on_with_nvidia_smi_when_nvml_hangs_and_the_recording_replays_it(
    tmp_path: Path, pids: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A real nvidia-smi table (an 8x H100 host, cut after its first GPU) printed by a script on PATH; NVML never answers.
    tools = tmp_path / "bin"
    tools.mkdir()
    smi = tools / "nvidia-smi"
    smi.write_text(f"#!/bin/sh\ncat {SMI_TABLE}\n")
    smi.chmod(smi.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    # Windows' probe order asks NVML without a device node check, so the hang is reached here.
    os_facts = OsFacts(system="Windows", arch="AMD64")
    monkeypatch.setenv("ENVSETUP_PROBE_TIMEOUT", "1")  # bounds NVML as it bounds nvidia-smi
    recording = RecordingHost(LiveHost(nvml_query=hang))
    started = time.monotonic()
    facts = probe_nvidia(recording, os_facts, [])
    assert time.monotonic() - started < 15.0
    assert facts.nvml_error is not None and facts.nvml_error.startswith(
        "NVML did not answer within 1 s"
    )
    assert facts.smi_state == "ok" and facts.driver_version == "550.54.15"
    assert [g.name for g in facts.gpus] == ["NVIDIA H100 80GB HBM3"]  # the table as cut
    recording.save(str(tmp_path / "rec"))
    replayed = probe_nvidia(RecordedHost(str(tmp_path / "rec")), os_facts, [])
    assert replayed == facts
    assert not any(alive(pid) for pid in read_pids(pids))


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="setsid")
def test_a_command_that_keeps_forking_is_frozen_and_ended_whole(tmp_path: Path) -> None:
    pid_file = tmp_path / "forked"
    body = (
        f"i=0; while [ $i -lt 200 ]; do setsid sleep 300 & echo $! >> {pid_file}; "
        "i=$((i+1)); done; sleep 300\n"
    )
    command = tmp_path / "forker"
    command.write_text(f"#!/bin/sh\n{body}")
    command.chmod(0o755)
    result = LiveHost().run([str(command)], timeout=1.0)
    assert result.timed_out
    forked = read_pids(pid_file)
    assert forked and not any(alive(pid) for pid in forked)
