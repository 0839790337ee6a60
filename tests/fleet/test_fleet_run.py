"""`envsetup fleet run` under a real local Slurm (tests/slurm_local): srun starts `fleet node` on
each node, each replays its own recorded host (`--replay DIR/{host}`), and the run folder says
which node reported, which started and never finished, and which never answered.

The recorded hosts are built here (tests/hostbuilder.py) from real outputs in tests/fixtures
(nvidia-smi/ and torch/, with their SOURCES.tsv): two RTX 3090 nodes on driver 535.129.03 with a
cu121 torch (the healthy majority), an RTX 4070 node on driver 550.40.07 with the same torch (a
deviating driver), and an RTX 3090 node with the CPU-only torch 2.13.0+cpu (doctor's
torch-cpu-only-on-gpu-host error). The node that times out (n5) hangs through the node side's
test knob ENVSETUP_FLEET_TEST_HANG (its child sleeps instead of running doctor: no recorded host
can block, replays answer at once); the node that never answers is DOWN in Slurm (n6), or its
slurmd dies inside an allocation.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from hostbuilder import HostSpec, fixture_text

pytestmark = pytest.mark.slurm

VENV_SITE = "/home/u/.venv/lib/python3.11/site-packages"
SMI = "/usr/bin/nvidia-smi"
SRC = str(Path(__file__).resolve().parents[2] / "src")
BUDGET = "10"  # seconds per node: doctor on a replay takes about one on this 2-core machine


def _node_host(smi_fixture: str, torch_version_py: str, metadata: str | None = None) -> HostSpec:
    spec = HostSpec(
        python="/home/u/.venv/bin/python",
        python_version="3.11.7",
        prefix="/home/u/.venv",
        site_packages=[VENV_SITE],
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.markers += ["/home/u/.venv/pyvenv.cfg", "/dev/nvidiactl"]
    spec.which["nvidia-smi"] = SMI
    spec.command([SMI], fixture_text(smi_fixture))
    return spec.torch_wheel(VENV_SITE, torch_version_py, metadata)


def healthy() -> HostSpec:
    return _node_host("nvidia-smi/535.129.03-2x-rtx3090.txt", "torch/version.py-2.2.1+cu121.txt")


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """hosts/<node>: what each node replays."""
    root = tmp_path_factory.mktemp("hosts")
    healthy().write(root / "n1")
    healthy().write(root / "n2")
    _node_host("nvidia-smi/550.40.07-rtx4070-single.txt", "torch/version.py-2.2.1+cu121.txt").write(
        root / "n3"
    )
    _node_host(
        "nvidia-smi/535.129.03-2x-rtx3090.txt",
        "torch/version.py-2.13.0+cpu.txt",
        "torch/METADATA-2.13.0+cpu.txt",
    ).write(root / "n4")
    healthy().write(root / "n5")  # never read: n5 hangs
    return root


def fleet_run(cluster, *args: str, env: dict[str, str] | None = None, timeout: float = 180):
    """`envsetup fleet run ARGS` as a real process against the cluster; `env` laid over its
    environment (no allocation, no hanging node unless it says so)."""
    environ = {
        k: v
        for k, v in cluster.env.items()
        if not k.startswith(("SLURM_JOB", "ENVSETUP_FLEET_TEST"))
    }
    environ.update({"PYTHONPATH": SRC, **(env or {})})
    return subprocess.run(
        [sys.executable, "-m", "envsetup", "fleet", "run", *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_each_node_reports_and_the_missing_ones_are_named(slurm_cluster, hosts, tmp_path) -> None:
    out = tmp_path / "run"
    with slurm_cluster.held_down("n6", reason="fleet test: never answers"):
        done = fleet_run(
            slurm_cluster,
            *("--out", str(out), "--budget", BUDGET, "--replay", f"{hosts}/{{host}}"),
            *("--", "-w", "n[1-6]"),
            env={"ENVSETUP_FLEET_TEST_HANG": "n5"},
        )
    assert done.returncode == 2, done.stdout + done.stderr  # a node missing or timed out

    manifest = load(out / "fleet.json")
    assert manifest["nodes"] == ["n1", "n2", "n3", "n4", "n5", "n6"]
    assert manifest["mode"] == "doctor" and manifest["budget_s"] == 10.0
    assert manifest["finished_at"] and manifest["srun_exit_code"] not in (None, 0)
    argv = manifest["srun_argv"]
    assert argv[:4] == [argv[0], "--ntasks-per-node=1", "--kill-on-bad-exit=0", "--time=1"]
    assert "--nodelist=n1,n2,n3,n4,n5" in argv  # the DOWN node is not waited for
    assert argv[argv.index("node") - 1] == "fleet" and argv[-2:] == [
        "--replay",
        f"{hosts}/{{host}}",
    ]

    reports = {n: load(out / f"{n}.json") for n in ("n1", "n2", "n3", "n4")}
    assert {n: r["data"]["node"] for n, r in reports.items()} == {n: n for n in reports}
    assert {n: r["exit_code"] for n, r in reports.items()} == {"n1": 0, "n2": 0, "n3": 0, "n4": 1}
    drivers = {n: r["data"]["facts"]["nvidia"]["driver_version"] for n, r in reports.items()}
    assert drivers == {
        "n1": "535.129.03",
        "n2": "535.129.03",
        "n3": "550.40.07",
        "n4": "535.129.03",
    }
    assert reports["n4"]["data"]["facts"]["torch"]["flavor"] == "cpu"
    assert "torch-cpu-only-on-gpu-host" in {f["id"] for f in reports["n4"]["findings"]}
    for node in ("n1", "n2", "n3", "n4", "n5"):
        stamp, pid = (out / f"{node}.started").read_text().split()
        assert stamp.startswith("20") and int(pid) > 0
    assert not (out / "n5.json").exists()  # started, ran past its budget, stopped
    assert not (out / "n6.started").exists() and not (out / "n6.json").exists()

    assert "started, no report (timed out or killed): n5" in done.stderr
    assert "never answered: n6" in done.stderr
    assert "n6: not started, Slurm says it is down" in done.stderr
    assert "with an error finding or failed check: n4" in done.stderr
    assert "envsetup fleet node n5: still running after 15 s" in done.stderr
    # Then the merged report of the folder, as `fleet report` prints it, on standard output.
    report = subprocess.run(
        [sys.executable, "-m", "envsetup", "fleet", "report", str(out)],
        env={**slurm_cluster.env, "PYTHONPATH": SRC},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.stdout, done.returncode) == (report.stdout, report.returncode)
    assert "2 nodes did not answer; 1 unhealthy." in done.stdout


def test_inside_an_allocation_a_node_whose_slurmd_died_never_answers(
    slurm_cluster, hosts, tmp_path
) -> None:
    """salloc on n1 and n6; n6's slurmd is killed before fleet run: srun cannot launch there
    ('Communication connection failure'), n1 still reports, and n6 is named."""
    out = tmp_path / "run"
    pidfile = slurm_cluster.directory / "run" / "slurmd-n6.pid"
    argv = [sys.executable, "-m", "envsetup", "fleet", "run", "--out", str(out)]
    argv += ["--budget", BUDGET, "--replay", f"{hosts}/{{host}}"]
    command = shlex.join(argv)
    script = f'kill -9 "$(cat {shlex.quote(str(pidfile))})"; {command}'
    env = {**slurm_cluster.env, "PYTHONPATH": SRC}
    env.pop("ENVSETUP_FLEET_TEST_HANG", None)
    try:
        done = subprocess.run(
            ["salloc", "-w", "n1,n6", "bash", "-c", script],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    finally:
        slurm_cluster.start_node("n6")
    assert done.returncode == 2, done.stdout + done.stderr
    manifest = load(out / "fleet.json")
    assert manifest["nodes"] == ["n1", "n6"]  # the allocation's SLURM_JOB_NODELIST, expanded
    assert "-w" not in manifest["srun_argv"] and "--nodelist" not in " ".join(manifest["srun_argv"])
    assert load(out / "n1.json")["exit_code"] == 0
    assert not (out / "n6.started").exists()
    assert "never answered: n6" in done.stderr


def test_with_a_node_count_the_nodes_come_from_the_step(slurm_cluster, hosts, tmp_path) -> None:
    """-N 3 from a login node: Slurm picks the nodes; fleet.json lists the ones the step ran on."""
    out = tmp_path / "run"
    done = fleet_run(
        slurm_cluster,
        *("--out", str(out), "--budget", BUDGET, "--replay", str(hosts / "n1")),
        *("--", "-N", "3"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    nodes = load(out / "fleet.json")["nodes"]
    assert len(nodes) == 3 and set(nodes) <= set(slurm_cluster.nodes)
    assert sorted(p.stem for p in out.glob("n*.json")) == sorted(nodes)
    assert "3 node(s) expected, 3 wrote a report" in done.stderr


def test_srun_past_its_limit_is_stopped_and_its_nodes_reported_missing(
    slurm_cluster, tmp_path
) -> None:
    """n2 is held by another job, so srun -w n2 waits: past budget + 30 s fleet run stops it."""
    holder = slurm_cluster.run(
        ["salloc", "--no-shell", "--exclusive", "-w", "n2", "--job-name=holder"]
    )
    assert holder.returncode == 0, holder.stderr
    job = next(w for w in holder.stderr.split() if w.isdigit())
    try:
        done = fleet_run(
            slurm_cluster, "--out", str(tmp_path / "run"), "--budget", "1", "--", "-w", "n2"
        )
    finally:
        slurm_cluster.run(["scancel", job])
    assert done.returncode == 2, done.stdout + done.stderr
    manifest = load(tmp_path / "run" / "fleet.json")
    assert manifest["nodes"] == ["n2"] and manifest["srun_exit_code"] is None
    assert "never answered: n2" in done.stderr
    assert "srun still ran after 1 s + margin: stopped and cancelled" in done.stderr
    assert not slurm_cluster.run(["squeue", "-h", "-n", "envsetup-fleet"]).stdout.strip()


def test_without_an_allocation_or_node_options_it_says_how(slurm_cluster, tmp_path) -> None:
    done = fleet_run(slurm_cluster, "--out", str(tmp_path / "run"))
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert "no Slurm allocation here" in line and "-N 4" in line and "-w node[01-04]" in line
    assert not (tmp_path / "run").exists()


def test_an_unwritable_run_folder_is_a_usage_error(slurm_cluster, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    done = fleet_run(slurm_cluster, "--out", str(blocker / "run"), "--", "-N", "1")
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert f"--out {blocker / 'run'}: cannot write there" in line and "fix:" in line
