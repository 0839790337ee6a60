"""Nothing a run starts outlives it, even when the command that started it exits normally: real
console-script runs, real tools on PATH that leave daemons (their own session, tag dropped,
parent gone), each daemon looked up by pid after the run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from envsetup import cli
from envsetup.host.processes import TAG_VARIABLE
from scripts import alive, read_pids

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="a child subreaper is Linux's"
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures/hosts/ci-debian12-cuda13-no-driver"
TOOLS = ("nvidia-smi", "nvcc", "lspci")
# How each tool leaves its daemon behind; every daemon writes its pid to PIDS first.
DAEMONS = {
    # Own session, output elsewhere, tag kept: nothing holds the tool's pipes, so it just exits.
    "quiet": "setsid sh -c 'echo $$ >> \"$PIDS\"; exec sleep 300' >/dev/null 2>&1 </dev/null &\n",
    # Tag dropped and parent gone (a double fork): neither the tag nor the tree leads to it.
    "notag": (
        f"( setsid env -u {TAG_VARIABLE} sh -c 'echo $$ >> \"$PIDS\"; exec sleep 301' "
        ">/dev/null 2>&1 </dev/null & )\n"
    ),
}
FAILURE = 'echo "Failed to initialize NVML: Driver/library version mismatch"\nexit 18\n'


def tools(directory: Path, daemon: str) -> Path:
    directory.mkdir()
    for name in TOOLS:
        path = directory / name
        path.write_text(f"#!/bin/sh\n{daemon}{FAILURE}")
        path.chmod(0o755)
    return directory


def envsetup(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The console script's code path (python -m envsetup runs entry.main)."""
    return subprocess.run(
        [sys.executable, "-m", "envsetup", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=120,
        check=False,
    )


def doctor_with(directory: Path, pid_file: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": f"{directory}{os.pathsep}{os.environ.get('PATH', '')}",
        "PIDS": str(pid_file),
        "ENVSETUP_PROBE_TIMEOUT": "10",
    }
    return envsetup(["doctor", "--json"], env)


def comparable(
    result: subprocess.CompletedProcess[str], directory: Path
) -> tuple[int, dict, list, str]:
    report = json.loads(result.stdout.replace(str(directory), "TOOLS"))
    findings = sorted(f["id"] for f in report["findings"])
    return result.returncode, report["data"]["facts"]["nvidia"], findings, result.stderr


@pytest.mark.parametrize("kind", sorted(DAEMONS))
def test_daemons_left_by_tools_that_exit_normally_do_not_outlive_doctor(
    tmp_path: Path, pid_file: Path, kind: str
) -> None:
    daemons = tools(tmp_path / "bin", DAEMONS[kind])
    result = doctor_with(daemons, pid_file)
    time.sleep(0.3)  # a daemon the sweep missed has had time to write its pid
    pids = read_pids(pid_file)
    assert pids, "no tool ran: the test proves nothing"
    assert not [pid for pid in pids if alive(pid)]
    # doctor says what it says without the daemons: same exit status, facts and findings.
    plain = tools(tmp_path / "plain", "")
    assert comparable(result, daemons) == comparable(doctor_with(plain, pid_file), plain)


def test_a_daemon_the_target_python_leaves_does_not_outlive_verify(
    tmp_path: Path, pid_file: Path
) -> None:
    # The target interpreter itself leaves a tagless daemon each time it is started.
    python = tmp_path / "python"
    python.write_text(f'#!/bin/sh\n{DAEMONS["notag"]}exec {sys.executable} "$@"\n')
    python.chmod(0o755)
    argv = ["verify", "--python", str(python), "--only", "_test.detach", "--json"]
    result = envsetup(argv, {"PIDS": str(pid_file)})
    checks = {c["id"]: c for c in json.loads(result.stdout)["data"]["checks"]}
    assert checks["_test.detach"]["status"] == "pass", result.stderr
    time.sleep(0.3)
    pids = read_pids(pid_file)
    assert pids, "the wrapper did not run"
    assert not [pid for pid in pids if alive(pid)]


def test_commands_run_in_process_leave_the_callers_children_alone(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Inside another program (here pytest) the sweep must not run: these are not envsetup's.
    helper = subprocess.Popen(["sleep", "60"])
    monkeypatch.setattr(sys, "argv", ["envsetup", "doctor", "--replay", str(FIXTURE), "--json"])
    try:
        with pytest.raises(SystemExit) as done:
            cli.main()
        assert done.value.code in (0, 1)
        assert json.loads(capsys.readouterr().out)["data"]["facts"]
        assert helper.poll() is None
    finally:
        helper.kill()
        helper.wait()


def test_the_sweep_finds_children_from_proc_and_ends_them(tmp_path: Path) -> None:
    # In a child interpreter, so that the sweep ends its children and not the test's.
    script = (
        "import subprocess, sys\n"
        "from envsetup.host.processes import adopt_orphans, end_descendants, may_have_children\n"
        "assert adopt_orphans()\n"
        "assert not may_have_children()\n"
        "subprocess.run(['sh', '-c', 'setsid sleep 300 >/dev/null 2>&1 </dev/null & echo $!'],"
        " stdout=open(sys.argv[1], 'w'), check=True)\n"
        "assert may_have_children()\n"  # adopted: the sleep's parent exited
        "print(end_descendants())\n"
        "assert not may_have_children()\n"
    )
    pids = tmp_path / "pids"
    done = subprocess.run(
        [sys.executable, "-c", script, str(pids)], capture_output=True, text=True, timeout=60
    )
    try:
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "1"
        assert not alive(int(pids.read_text()))
    finally:
        for pid in read_pids(pids):
            if alive(pid):
                os.kill(pid, 9)


def test_the_sweep_costs_nothing_without_children() -> None:
    # doctor's usual run leaves no child: the sweep reads /proc and does not even import psutil.
    script = (
        "import sys, time\n"
        "from envsetup.host.processes import adopt_orphans, end_descendants\n"
        "adopt_orphans()\n"
        "started = time.perf_counter()\n"
        "assert end_descendants() == 0\n"
        "print(time.perf_counter() - started, 'psutil' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    seconds, imported = done.stdout.split()
    assert float(seconds) < 0.05 and imported == "False"


def test_doctor_adopts_orphans_only_once_it_starts_a_command(tmp_path: Path) -> None:
    # doctor's way: nothing loaded until the execution layer starts the first command, adopted
    # from then.
    script = (
        "import sys\n"
        "from envsetup.host.processes import adopt_orphans, end_descendants\n"
        "from envsetup.host.execution import Request, run\n"
        "adopt_orphans(at_first_start=True)\n"
        "assert 'ctypes' not in sys.modules\n"
        "done = run(Request(('sh', '-c', 'setsid sleep 300 >/dev/null 2>&1 </dev/null & echo $!'),"
        " 30))\n"
        "open(sys.argv[1], 'wb').write(done.stdout)\n"
        "print(end_descendants())\n"
    )
    pids = tmp_path / "pids"
    done = subprocess.run(
        [sys.executable, "-c", script, str(pids)], capture_output=True, text=True, timeout=60
    )
    try:
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == "1"  # the sleep was adopted, so the sweep found it
        assert not alive(int(pids.read_text()))
    finally:
        for pid in read_pids(pids):
            if alive(pid):
                os.kill(pid, 9)


def test_without_procs_children_files_the_sweep_looks_anyway(tmp_path: Path) -> None:
    # Kernels built without CONFIG_PROC_CHILDREN have no task/*/children: no answer is a yes.
    from envsetup.host.processes import may_have_children

    task = tmp_path / "task" / "4242"
    task.mkdir(parents=True)
    assert may_have_children(str(tmp_path))
    (task / "children").write_text("")
    assert not may_have_children(str(tmp_path))
    (task / "children").write_text("4243 ")
    assert may_have_children(str(tmp_path))


HANGS = "setsid sh -c 'echo $$ >> \"$PIDS\"; exec sleep 303' >/dev/null 2>&1 </dev/null &\n" + (
    'echo $$ >> "$PIDS"\nexec sleep 304\n'
)


@pytest.mark.skipif(os.path.exists("/dev/nvidiactl"), reason="NVML answers; nvidia-smi never runs")
@pytest.mark.parametrize("name", ["SIGTERM", "SIGHUP"])
def test_sigterm_or_sighup_during_a_hung_probe_ends_doctor_and_all_it_started(
    tmp_path: Path, pid_file: Path, name: str
) -> None:
    import signal

    hung = tools(tmp_path / "bin", HANGS)
    env = {
        **os.environ,
        "PATH": f"{hung}{os.pathsep}{os.environ.get('PATH', '')}",
        "PIDS": str(pid_file),
        "ENVSETUP_PROBE_TIMEOUT": "60",
    }
    run = subprocess.Popen(
        [sys.executable, "-m", "envsetup", "doctor"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 30
    while len(read_pids(pid_file)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)  # the hung tool and its daemon are both running
    number = getattr(signal, name)
    run.send_signal(number)
    _, err = run.communicate(timeout=30)
    assert run.returncode == 128 + number, err
    assert err == f"envsetup: terminated by {name}\n"
    time.sleep(0.3)
    assert len(read_pids(pid_file)) >= 2
    assert not [pid for pid in read_pids(pid_file) if alive(pid)]


HOPPER = """
import os, signal, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
if os.fork():
    os._exit(0)
started = time.time()
while time.time() - started < 30:
    time.sleep(0.02)
    with open(sys.argv[1], "a") as beat:
        beat.write(".")
    if os.fork():
        os._exit(0)
"""


def test_a_descendant_that_ignores_sigterm_and_keeps_forking_is_ended(tmp_path: Path) -> None:
    # Each generation forks the next and exits within 20 ms: no single look-and-signal catches
    # it; frozen with SIGSTOP until no new one appears, then killed.
    hopper = tmp_path / "hopper.py"
    hopper.write_text(HOPPER)
    beat = tmp_path / "beat"
    daemon = f"( setsid env -u {TAG_VARIABLE} {sys.executable} {hopper} {beat} & )\nsleep 0.5\n"
    directory = tools(tmp_path / "bin", daemon)
    env = {"PATH": f"{directory}{os.pathsep}{os.environ.get('PATH', '')}", "PIDS": os.devnull}
    envsetup(["doctor", "--json"], env)
    assert beat.exists(), "the hopper never ran: the test proves nothing"
    size = beat.stat().st_size
    time.sleep(1.0)
    assert beat.stat().st_size == size, "a generation of the hopper is still beating"
