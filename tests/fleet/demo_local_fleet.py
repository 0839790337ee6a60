"""Issue 13's demonstration, end to end, under a real local Slurm: `python tests/fleet/demo_local_fleet.py`.

Starts n1..n6 (tests/slurm_local), gives each node a recorded host (n1, n2 healthy; n3 another
driver; n4 a CPU-only torch on a GPU node; n5 hangs past its budget; n6 is set DOWN and never
answers), runs `envsetup fleet run`, then `envsetup fleet report --json` validated against
docs/schema/fleet-report.schema.json, prints everything, and stops the cluster. Not a test (pytest
does not collect it); tests/fleet/test_fleet_run.py checks the same run. Needs the test extra
(jsonschema) and what tests/slurm_local needs (Slurm's packages, root).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
sys.path[:0] = [str(TESTS), str(TESTS / "fleet")]

from test_fleet_run import _node_host, healthy  # noqa: E402

from slurm_local.cluster import start_cluster, stop_cluster  # noqa: E402


def _show(title: str, done: subprocess.CompletedProcess[str]) -> None:
    print(f"\n$ {title}\n(exit {done.returncode})")
    if done.stderr.strip():
        print("--- stderr ---\n" + done.stderr.rstrip())
    print("--- stdout ---\n" + done.stdout.rstrip())


def main() -> int:
    import jsonschema

    work = Path(tempfile.mkdtemp(prefix="envsetup-fleet-demo-"))
    cluster, why = start_cluster(work / "slurm")
    if cluster is None:
        print(f"local Slurm did not start: {why}", file=sys.stderr)
        return 3
    try:
        hosts = work / "hosts"
        healthy().write(hosts / "n1")
        healthy().write(hosts / "n2")
        _node_host(
            "nvidia-smi/550.40.07-rtx4070-single.txt", "torch/version.py-2.2.1+cu121.txt"
        ).write(hosts / "n3")
        _node_host(
            "nvidia-smi/535.129.03-2x-rtx3090.txt",
            "torch/version.py-2.13.0+cpu.txt",
            "torch/METADATA-2.13.0+cpu.txt",
        ).write(hosts / "n4")
        healthy().write(hosts / "n5")
        cluster.stop_node("n6")  # a DOWN node whose slurmd runs comes back (ReturnToService=2)
        cluster.set_state("n6", "down", reason="demo: never answers")
        env = {
            **{k: v for k, v in cluster.env.items() if not k.startswith("SLURM_JOB")},
            "PYTHONPATH": str(ROOT / "src"),
            "ENVSETUP_FLEET_TEST_HANG": "n5",
            "COLUMNS": "100",
        }
        out = work / "run"
        run = [sys.executable, "-m", "envsetup", "fleet", "run", "--out", str(out)]
        run += ["--budget", "10", "--replay", f"{hosts}/{{host}}", "--", "-w", "n[1-6]"]
        done = subprocess.run(run, env=env, capture_output=True, text=True, timeout=300)
        _show("envsetup fleet run --out RUN --budget 10 --replay HOSTS/{host} -- -w n[1-6]", done)
        print("\nrun folder:", " ".join(sorted(p.name for p in out.iterdir())))
        report = [sys.executable, "-m", "envsetup", "fleet", "report", str(out)]
        junit = work / "fleet.xml"
        done = subprocess.run(
            [*report, "--json", "--junit", str(junit)], env=env, capture_output=True, text=True
        )
        _show("envsetup fleet report RUN --json --junit fleet.xml", done)
        schema = json.loads((ROOT / "docs/schema/fleet-report.schema.json").read_text())
        jsonschema.validate(json.loads(done.stdout), schema)
        print("\nJSON validates against docs/schema/fleet-report.schema.json")
        print(
            f"JUnit: {junit.stat().st_size} bytes, {junit.read_text().count('<testsuite ')} suites"
        )
        left = cluster.run(["squeue", "-h"]).stdout.strip()
        print(f"squeue after the run: {left or '(empty)'}")
    finally:
        stop_cluster(work / "slurm")
    return 0


if __name__ == "__main__":
    os.environ.pop("SLURM_CONF", None)
    sys.exit(main())
