"""contrib/slurm: the HealthCheckProgram, the LBNL NHC check and the prolog snippet, run the way
Slurm runs them -- by a real local slurmd (tests/slurm_local) -- and as plain scripts.

Each node replays a recorded host (tests/fixtures/cases/*/host, real users' machines): a wrapper
named as the settings' ENVSETUP runs `python -m envsetup ... --replay HOSTS/$SLURMD_NODENAME`, so
the only fake is the host boundary. Case 07 (an H100 with a fabric-manager note, exit 0) is the
healthy node, case 03 (GB200 with PyPI's CPU-only torch: error torch-cpu-only-on-gpu-host) the
broken one. A node without a link in HOSTS is not checked at all (the test HealthCheckProgram
exits first), so a cluster starts with every node idle and each test arms its own nodes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

import envsetup
from scripts import script

REPO = Path(__file__).resolve().parents[2]
CONTRIB = REPO / "contrib" / "slurm"
HEALTHCHECK = CONTRIB / "envsetup-healthcheck.sh"
NHC_CHECK = CONTRIB / "envsetup.nhc"
PROLOG = CONTRIB / "prolog-envsetup.sh"
SBATCH = CONTRIB / "nightly-verify.sbatch"
CASES = REPO / "tests" / "fixtures" / "cases"
HEALTHY = CASES / "07-fabricmanager-802-h100" / "host"
BROKEN = CASES / "03-aarch64-gb200-pypi-cpu-wheel" / "host"
BROKEN_ID = "torch-cpu-only-on-gpu-host"
SRC = Path(envsetup.__file__).resolve().parents[1]
WAIT_S = 90  # a health check every 2 s, each doctor ~0.5 s of CPU, on 2 shared cores


@dataclass(frozen=True)
class Nodes:
    """Where the hooks find their hosts and write their reports."""

    hosts: Path
    reports: Path
    replay: str  # the ENVSETUP the hooks run

    def arm(self, node: str, host: Path) -> None:
        """From the next run on, `node` is checked and replays `host`."""
        link = self.hosts / node
        tmp = self.hosts / f".{node}.tmp"
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(host)
        tmp.replace(link)  # atomic: a run sees the old host or the new one

    def report(self, node: str) -> Path:
        return self.reports / f"{node}.json"


def _nodes(tmp_path: Path) -> Nodes:
    hosts = tmp_path / "hosts"
    hosts.mkdir()
    reports = tmp_path / "reports"
    replay = script(
        tmp_path / "bin",
        "envsetup-replay",
        f'PYTHONPATH="{SRC}" exec "{sys.executable}" -m envsetup "$@" '
        f'--replay "{hosts}/$SLURMD_NODENAME"\n',
    )
    return Nodes(hosts, reports, replay)


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120, check=False)


def _plain_env(nodes: Nodes, node: str, **extra: str) -> dict[str, str]:
    """The script's environment outside Slurm: settings from the environment, no settings file."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVSETUP", "SLURM"))}
    env.update(
        SLURMD_NODENAME=node,
        ENVSETUP=nodes.replay,
        ENVSETUP_REPORT_DIR=str(nodes.reports),
        ENVSETUP_HEALTHCHECK_CONF=os.devnull,
    )
    env.update(extra)
    return env


def _wait(what: str, done: Callable[[], bool], timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout} s: {what}")
        time.sleep(0.2)


def _runs_after(path: Path, count: int) -> Callable[[], bool]:
    """True once `path` has been replaced `count` times after this call (each run renames a new
    report into place: a new inode)."""
    seen: list[int] = []

    def check() -> bool:
        try:
            inode = path.stat().st_ino
        except FileNotFoundError:
            return False
        if not seen or seen[-1] != inode:
            seen.append(inode)
        return len(seen) > count

    check()
    return check


# ---------------------------------------------------------------- the scripts, without Slurm


def test_scripts_are_shellcheck_clean() -> None:
    shellcheck = "/usr/bin/shellcheck"
    if not os.access(shellcheck, os.X_OK):
        pytest.skip("shellcheck is not installed (Debian: apt-get install shellcheck)")
    files = [str(HEALTHCHECK), str(NHC_CHECK), str(PROLOG), str(SBATCH)]
    done = _run([shellcheck, "--severity=style", *files], dict(os.environ))
    assert done.returncode == 0, done.stdout


def test_no_drain_exit_status_is_the_verdict(tmp_path: Path) -> None:
    nodes = _nodes(tmp_path)
    nodes.arm("n1", HEALTHY)
    nodes.arm("n2", BROKEN)
    healthy = _run([str(HEALTHCHECK), "--no-drain"], _plain_env(nodes, "n1"))
    broken = _run([str(HEALTHCHECK), "--no-drain"], _plain_env(nodes, "n2"))
    missing = _run([str(HEALTHCHECK), "--no-drain"], _plain_env(nodes, "n3"))
    assert (healthy.returncode, broken.returncode, missing.returncode) == (0, 1, 2)
    assert f"n2: error finding {BROKEN_ID}" in broken.stdout
    # no verdict says why in one line: here doctor's own refusal of the missing recording
    assert missing.stderr.count("\n") == 1 and "no verdict (doctor exited 2" in missing.stderr
    # the reports are doctor's envelopes, complete, readable by another user (fleet report)
    report = json.loads(nodes.report("n2").read_text())
    assert report["command"] == "doctor" and report["exit_code"] == 1
    assert [f["id"] for f in report["findings"] if f["severity"] == "error"] == [BROKEN_ID]
    assert nodes.report("n1").stat().st_mode & 0o777 == 0o644
    # doctor --out writes its error envelope too: fleet report shows why n3 has no verdict
    assert json.loads(nodes.report("n3").read_text())["error"]["kind"] == "usage"
    assert sorted(p.name for p in nodes.reports.iterdir()) == ["n1.json", "n2.json", "n3.json"]


def test_doctor_past_the_time_limit_is_no_verdict(tmp_path: Path) -> None:
    nodes = _nodes(tmp_path)
    slow = script(tmp_path / "bin", "envsetup-slow", "exec sleep 30\n")
    env = _plain_env(nodes, "n1", ENVSETUP=slow, ENVSETUP_TIMEOUT="1")
    started = time.monotonic()
    done = _run([str(HEALTHCHECK), "--no-drain"], env)
    assert time.monotonic() - started < 10
    assert done.returncode == 2
    assert "doctor ran past 1 s and was stopped" in done.stderr


@pytest.mark.parametrize(
    ("settings", "says"),
    [
        ("ENVSETUP=/nonexistent/envsetup\n", "envsetup (/nonexistent/envsetup) not found"),
        ("ENVSETUP_TIMEOUT=soon\n", "ENVSETUP_TIMEOUT=soon is not a whole number"),
        ("ENVSETUP_REPORT_DIR=/proc/no-such-dir\n", "report folder /proc/no-such-dir cannot"),
    ],
)
def test_bad_setup_exits_3_with_one_line(tmp_path: Path, settings: str, says: str) -> None:
    nodes = _nodes(tmp_path)
    conf = tmp_path / "settings"
    conf.write_text(settings)
    done = _run(
        [str(HEALTHCHECK), "--no-drain"],
        _plain_env(nodes, "n1", ENVSETUP_HEALTHCHECK_CONF=str(conf)),
    )
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1 and says in done.stderr, done.stderr


def test_a_named_settings_file_that_is_missing_is_bad_setup(tmp_path: Path) -> None:
    nodes = _nodes(tmp_path)
    env = _plain_env(nodes, "n1", ENVSETUP_HEALTHCHECK_CONF=str(tmp_path / "absent"))
    done = _run([str(HEALTHCHECK)], env)
    assert done.returncode == 3 and "cannot be read" in done.stderr


def test_prolog_fails_only_on_an_error_finding(tmp_path: Path) -> None:
    nodes = _nodes(tmp_path)
    nodes.arm("n1", HEALTHY)
    nodes.arm("n2", BROKEN)
    env = {**_plain_env(nodes, "n1"), "ENVSETUP_HEALTHCHECK": str(HEALTHCHECK)}
    assert _run([str(PROLOG)], env).returncode == 0
    broken = _run([str(PROLOG)], {**env, "SLURMD_NODENAME": "n2"})
    assert broken.returncode == 1
    assert broken.stdout.strip() == (
        f"envsetup-healthcheck: n2: envsetup: {BROKEN_ID} (report {nodes.report('n2')})"
    )
    # no verdict (no recording for n3) and a missing envsetup never fail the prolog: that would
    # drain a healthy node and hold its job
    assert _run([str(PROLOG)], {**env, "SLURMD_NODENAME": "n3"}).returncode == 0
    assert _run([str(PROLOG)], {**env, "ENVSETUP": "/nonexistent"}).returncode == 0


def _nhc(
    tmp_path: Path, nodes: Nodes, node: str, args: str = ""
) -> subprocess.CompletedProcess[str]:
    """Source the check as NHC does and call it, with `die` recording its call. NHC's own die
    (mej/nhc, nhc: `die()`) takes an optional numeric exit code, then the message, logs
    "Health check failed:  <message>" and marks the node offline; `log` prints a line."""
    driver = script(
        tmp_path / "bin",
        "nhc-lite",
        f"""
die() {{ local RET=1; if [[ "$1" =~ ^[0-9]+$ ]]; then RET=$1; shift; fi; echo "die $RET: $*"; }}
log() {{ echo "log: $*"; }}
. "{NHC_CHECK}"
check_envsetup -e "{nodes.replay}" -o "{nodes.reports}" {args}
echo "check returned $? id=$ENVSETUP_NHC_ID report=$ENVSETUP_NHC_REPORT"
""",
        interpreter="/bin/bash",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENVSETUP", "SLURM"))}
    return _run([driver], {**env, "SLURMD_NODENAME": node})


def test_nhc_check_dies_with_the_finding_id(tmp_path: Path) -> None:
    nodes = _nodes(tmp_path)
    nodes.arm("n1", HEALTHY)
    nodes.arm("n2", BROKEN)
    broken = _nhc(tmp_path, nodes, "n2")
    assert broken.stdout.splitlines() == [
        f"die 1: envsetup: {BROKEN_ID}",
        f"check returned 1 id={BROKEN_ID} report={nodes.report('n2')}",
    ]
    healthy = _nhc(tmp_path, nodes, "n1")
    assert healthy.stdout.splitlines() == [f"check returned 0 id= report={nodes.report('n1')}"]


def test_nhc_check_without_a_verdict_passes_and_logs(tmp_path: Path) -> None:
    nodes = _nodes(tmp_path)
    done = _nhc(tmp_path, nodes, "n3")  # no recording: doctor refuses (exit 2)
    assert done.stdout.splitlines() == [
        "log: check_envsetup: doctor gave no verdict (exit 2): node not judged",
        "check returned 0 id= report=",
    ]


def test_nhc_check_refuses_an_unknown_option(tmp_path: Path) -> None:
    nodes = _nodes(tmp_path)
    done = _nhc(tmp_path, nodes, "n1", "-x")
    assert done.stdout.splitlines()[0].startswith("die 1: check_envsetup: unknown option -x")
    assert done.stdout.splitlines()[-1].startswith("check returned 1")


# ---------------------------------------------------------------- under a real slurmd


def _settings(tmp_path: Path, nodes: Nodes, conf: Path) -> Path:
    """The settings file, as an admin writes /etc/default/envsetup-healthcheck."""
    settings = tmp_path / "envsetup-healthcheck.conf"
    settings.write_text(
        f"ENVSETUP={nodes.replay}\nENVSETUP_REPORT_DIR={nodes.reports}\nSLURM_CONF={conf}\n"
    )
    return settings


def _hook(tmp_path: Path, nodes: Nodes, name: str, run: str) -> str:
    """What slurm.conf names: exits at once on a node the test has not armed yet (the cluster
    must come up idle), else runs `run` with the settings file, which holds SLURM_CONF: slurmd
    gives a HealthCheckProgram nothing but SLURMD_NODENAME."""
    settings = tmp_path / "envsetup-healthcheck.conf"
    return script(
        tmp_path / "bin",
        name,
        f'[ -e "{nodes.hosts}/$SLURMD_NODENAME" ] || exit 0\n'
        f'ENVSETUP_HEALTHCHECK_CONF="{settings}" exec {run}\n',
    )


def _show_node(cluster, node: str) -> dict[str, str]:
    """`scontrol show node`'s State and Reason (the reason without its [user@time] tail)."""
    out = cluster.run(["scontrol", "show", "node", node]).stdout
    fields = {}
    for line in out.splitlines():
        line = line.strip()
        for key in ("State", "Reason"):
            if line.startswith(f"{key}="):
                value = line[len(key) + 1 :]
                fields[key] = value.split(" ")[0] if key == "State" else value.split(" [")[0]
    return fields


@pytest.mark.slurm
def test_healthcheck_program_drains_and_resumes_only_its_own(
    start_slurm_cluster, tmp_path: Path
) -> None:
    nodes = _nodes(tmp_path)
    hook = _hook(tmp_path, nodes, "healthcheck", str(HEALTHCHECK))
    cluster = start_slurm_cluster(
        nodes=4, extra_conf=[f"HealthCheckProgram={hook}", "HealthCheckInterval=2"]
    )
    _settings(tmp_path, nodes, cluster.conf)
    cluster.set_state("n3", "drain", reason="admin: new DIMM")
    cluster.set_state("n4", "drain", reason="admin: new DIMM")

    nodes.arm("n1", HEALTHY)
    nodes.arm("n2", BROKEN)
    nodes.arm("n3", HEALTHY)  # drained by an admin, healthy: must stay drained
    nodes.arm("n4", BROKEN)  # drained by an admin, broken: keeps the admin's reason

    _wait("n2 drained by the health check", lambda: cluster.node_state("n2") == "drained")
    assert _show_node(cluster, "n2") == {"State": "IDLE+DRAIN", "Reason": f"envsetup: {BROKEN_ID}"}
    report = json.loads(nodes.report("n2").read_text())
    assert [f["id"] for f in report["findings"] if f["severity"] == "error"] == [BROKEN_ID]

    # two more runs on every node after n2 was drained: nothing else changed
    later = [_runs_after(nodes.report(n), 2) for n in ("n1", "n3", "n4")]
    _wait("two more health checks on n1, n3, n4", lambda: all(seen() for seen in later))
    assert _show_node(cluster, "n1") == {"State": "IDLE"}
    assert _show_node(cluster, "n3") == {"State": "IDLE+DRAIN", "Reason": "admin: new DIMM"}
    assert _show_node(cluster, "n4") == {"State": "IDLE+DRAIN", "Reason": "admin: new DIMM"}

    # n2 repaired: the health check resumes the node it drained
    nodes.arm("n2", HEALTHY)
    _wait("n2 resumed", lambda: cluster.node_state("n2") == "idle")
    assert _show_node(cluster, "n2") == {"State": "IDLE"}
    assert _show_node(cluster, "n3")["Reason"] == "admin: new DIMM"
    done = cluster.run(["srun", "-w", "n2", "-N1", "true"])
    assert done.returncode == 0, done.stderr


@pytest.mark.slurm
def test_nhc_check_drains_a_node_under_slurm(start_slurm_cluster, tmp_path: Path) -> None:
    """NHC itself is not packaged in Debian 12 (`apt-cache policy nhc`: no candidate), so the
    HealthCheckProgram here is a stand-in for its driver doing what NHC does for one
    `* || check_envsetup` line under Slurm (mej/nhc: nhc's `die()` logs "Health check failed:
    <message>" and runs helpers/node-mark-offline, which drains with Reason="NHC: <that>")."""
    nodes = _nodes(tmp_path)
    driver = script(
        tmp_path / "bin",
        "nhc-lite",
        f"""
HOSTNAME="$SLURMD_NODENAME"
die() {{
  local RET=1
  if [[ "$1" =~ ^[0-9]+$ ]]; then RET=$1; shift; fi
  scontrol update State=DRAIN NodeName="$HOSTNAME" Reason="NHC: Health check failed:  $*"
  exit "$RET"
}}
. "$ENVSETUP_HEALTHCHECK_CONF"
export SLURM_CONF
. "{NHC_CHECK}"
check_envsetup -e "$ENVSETUP" -o "$ENVSETUP_REPORT_DIR"
""",
        interpreter="/bin/bash",
    )
    hook = _hook(tmp_path, nodes, "nhc-hook", driver)
    cluster = start_slurm_cluster(
        nodes=2, extra_conf=[f"HealthCheckProgram={hook}", "HealthCheckInterval=2"]
    )
    _settings(tmp_path, nodes, cluster.conf)
    nodes.arm("n1", HEALTHY)
    nodes.arm("n2", BROKEN)

    _wait("n2 drained by the NHC check", lambda: cluster.node_state("n2") == "drained")
    assert _show_node(cluster, "n2") == {
        "State": "IDLE+DRAIN",
        "Reason": f"NHC: Health check failed:  envsetup: {BROKEN_ID}",
    }
    healthy_runs = _runs_after(nodes.report("n1"), 2)
    _wait("two health checks on n1", healthy_runs)
    assert _show_node(cluster, "n1") == {"State": "IDLE"}


@pytest.mark.slurm
def test_prolog_error_drains_the_node_and_holds_the_job(
    start_slurm_cluster, tmp_path: Path
) -> None:
    """slurm.conf(5), Prolog: a failing prolog drains the node and requeues the job held."""
    nodes = _nodes(tmp_path)
    hook = _hook(tmp_path, nodes, "prolog", str(PROLOG))
    cluster = start_slurm_cluster(nodes=2, extra_conf=[f"Prolog={hook}"])
    _settings(tmp_path, nodes, cluster.conf)
    nodes.arm("n1", HEALTHY)
    nodes.arm("n2", BROKEN)

    healthy = cluster.run(["srun", "-w", "n1", "-N1", "echo", "ran"])
    assert (healthy.returncode, healthy.stdout) == (0, "ran\n"), healthy.stderr
    assert nodes.report("n1").exists()  # the prolog did run doctor there

    job = cluster.run(["sbatch", "--parsable", "-w", "n2", "-o", os.devnull, "--wrap", "true"])
    assert job.returncode == 0, job.stderr
    job_id = job.stdout.strip().split(";")[0]

    def job_state() -> str:
        return cluster.run(["squeue", "-h", "-j", job_id, "-o", "%T %r"]).stdout.strip()

    _wait("the job requeued and held", lambda: job_state() == "PENDING launch failed requeued held")
    assert _show_node(cluster, "n2") == {"State": "IDLE+DRAIN", "Reason": "Prolog error"}
    slurmd_log = (cluster.directory / "log" / "slurmd-n2.log").read_text()
    assert (
        f"prolog failed: rc:1 output:envsetup-healthcheck: n2: envsetup: {BROKEN_ID}" in slurmd_log
    )
    cluster.run(["scancel", job_id])


def test_a_report_left_by_an_earlier_run_is_not_this_runs_verdict(tmp_path: Path) -> None:
    nodes = _nodes(tmp_path)
    nodes.arm("n1", HEALTHY)
    assert _run([str(HEALTHCHECK), "--no-drain"], _plain_env(nodes, "n1")).returncode == 0
    nodes.report("n1").replace(nodes.report("n3"))  # n3 "was healthy" last time
    done = _run([str(HEALTHCHECK), "--no-drain"], _plain_env(nodes, "n3"))  # no recording now
    assert done.returncode == 2


def test_prometheus_textfile_when_asked(tmp_path: Path) -> None:
    nodes = _nodes(tmp_path)
    nodes.arm("n2", BROKEN)
    textfiles = tmp_path / "textfile"
    textfiles.mkdir()
    env = _plain_env(nodes, "n2", ENVSETUP_PROMETHEUS=f"{textfiles}/envsetup-{{host}}.prom")
    assert _run([str(HEALTHCHECK), "--no-drain"], env).returncode == 1
    metrics = (textfiles / "envsetup-n2.prom").read_text()
    assert f'envsetup_finding{{command="doctor",id="{BROKEN_ID}",severity="error"}} 1' in metrics


@pytest.mark.slurm
def test_nightly_sbatch_runs_fleet_verify_on_every_node(
    start_slurm_cluster, tmp_path: Path
) -> None:
    """nightly-verify.sbatch as an admin submits it: fleet run --verify across the allocation,
    one report per node in SHARED/envsetup/<date>, the job's exit status the report's. The
    environment verified is a real venv whose torch fails to import (a stand-in package named
    torch raising the loader's error), so verify is quick and every node has a failed check."""
    from venvs import bare_venv, fake_torch

    cluster = start_slurm_cluster(nodes=2)
    env_dir = tmp_path / "torch-env"
    fake_torch(
        bare_venv(env_dir),
        "raise ImportError('libcudart.so.12: cannot open shared object file: No such file')\n",
    )
    shared = tmp_path / "shared"
    envsetup_bin = script(
        tmp_path / "bin",
        "envsetup",
        f'export PYTHONPATH="{SRC}"\nexec "{sys.executable}" -m envsetup "$@"\n',
    )
    env = {k: v for k, v in cluster.env.items() if not k.startswith("ENVSETUP")}
    env.update(SHARED=str(shared), ENVSETUP=envsetup_bin, ENVSETUP_VENV=str(env_dir))
    out = tmp_path / "job.out"
    days = {time.strftime("%Y-%m-%d")}
    job = _run(["sbatch", "--parsable", "-N2", "-o", str(out), str(SBATCH)], env)
    assert job.returncode == 0, job.stderr
    job_id = job.stdout.strip().split(";")[0]

    def finished() -> bool:
        state = cluster.run(["scontrol", "show", "job", job_id]).stdout
        return "JobState=COMPLETED" in state or "JobState=FAILED" in state

    _wait(f"job {job_id} finished", finished, timeout=240)
    shown = cluster.run(["scontrol", "show", "job", job_id]).stdout
    assert "ExitCode=1:0" in shown, out.read_text()  # a node has a failed check
    runs = list((shared / "envsetup").iterdir())
    days.add(time.strftime("%Y-%m-%d"))  # the job may have started after midnight
    assert len(runs) == 1 and runs[0].name in days
    manifest = json.loads((runs[0] / "fleet.json").read_text())
    assert (manifest["mode"], sorted(manifest["nodes"])) == ("verify", ["n1", "n2"])
    for node in ("n1", "n2"):
        report = json.loads((runs[0] / f"{node}.json").read_text())
        assert (report["command"], report["data"]["node"]) == ("verify", node)
        checks = {c["id"]: c["status"] for c in report["data"]["checks"]}
        assert checks["torch.import"] == "fail"


def test_fleet_report_reads_the_health_check_folder(tmp_path: Path) -> None:
    """docs/fleet.md: with ENVSETUP_REPORT_DIR shared, `envsetup fleet report DIR` is the
    cluster's state as of the last health check, and names the same drain reason."""
    nodes = _nodes(tmp_path)
    nodes.arm("n1", HEALTHY)
    nodes.arm("n2", BROKEN)
    for node in ("n1", "n2"):
        _run([str(HEALTHCHECK), "--no-drain"], _plain_env(nodes, node))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVSETUP")}
    env["PYTHONPATH"] = str(SRC)
    report = _run([sys.executable, "-m", "envsetup", "fleet", "report", str(nodes.reports)], env)
    assert report.returncode == 1, report.stdout + report.stderr
    drain = f'scontrol update nodename=n2 state=drain reason="envsetup: {BROKEN_ID}"'
    assert drain in report.stdout


def test_fleet_report_max_age_makes_a_silent_node_s_last_report_stale(tmp_path: Path) -> None:
    """docs/fleet.md, "Old reports": a node whose health check stopped (it went down) keeps its
    last report; with --max-age it is stale, not healthy, and the exit code says an answer is
    missing. Here n1's last health-check report is set two hours back."""
    nodes = _nodes(tmp_path)
    for node in ("n1", "n2"):
        nodes.arm(node, HEALTHY)
        _run([str(HEALTHCHECK), "--no-drain"], _plain_env(nodes, node))
    two_hours_ago = time.time() - 2 * 3600
    os.utime(nodes.report("n1"), (two_hours_ago, two_hours_ago))
    env = {k: v for k, v in os.environ.items() if not k.startswith("ENVSETUP")}
    env.update(PYTHONPATH=str(SRC), COLUMNS="200")
    merge = [sys.executable, "-m", "envsetup", "fleet", "report", str(nodes.reports)]
    report = _run([*merge, "--max-age", "30m"], env)
    assert report.returncode == 2, report.stdout + report.stderr
    assert " ✗ n1: last report 2 h ago, older than --max-age 30m: not judged (then: healthy)" in (
        report.stdout.splitlines()
    )
    plain = _run(merge, env)  # without it: judged healthy, and told once to add it
    assert plain.returncode == 0 and "[fleet-reports-old]" in plain.stdout


@pytest.mark.slurm
def test_health_check_at_slurmd_start_drains_before_any_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """slurm.conf(5): the HealthCheckProgram also runs "when the slurmd daemon is first started
    and before it registers": a broken node comes up drained and never takes a job. The cluster
    is started here (not by the fixture) because the settings must name its slurm.conf before
    slurmd starts, and without the start script's smoke `srun` over every node, which the drained
    node would refuse."""
    from slurm_local.cluster import start_cluster, stop_cluster

    nodes = _nodes(tmp_path)
    nodes.arm("n1", HEALTHY)
    nodes.arm("n2", BROKEN)
    directory = tmp_path / "slurm"
    directory.mkdir()
    _settings(tmp_path, nodes, directory / "etc" / "slurm.conf")
    hook = _hook(tmp_path, nodes, "healthcheck", str(HEALTHCHECK))
    monkeypatch.setenv("SLURM_LOCAL_SMOKE", "0")
    cluster, why = start_cluster(
        directory, 2, [f"HealthCheckProgram={hook}", "HealthCheckInterval=3600"]
    )
    if cluster is None:
        pytest.skip(why)
    try:
        _wait("n2 drained at start", lambda: cluster.node_state("n2") == "drained", timeout=30)
        assert _show_node(cluster, "n2")["Reason"] == f"envsetup: {BROKEN_ID}"
        assert cluster.node_state("n1") == "idle"
        done = cluster.run(["srun", "-N2", "--immediate=5", "true"])
        assert done.returncode != 0  # two nodes wanted, one can take jobs
    finally:
        stop_cluster(directory)
