"""Wall time of `envsetup fleet report DIR --json` on 1,000 node reports (issue 13: <= 2 s).

How the reports are made: `envsetup doctor --json --replay` on three recorded hosts of
tests/fixtures (case 07's 8x H100 recording, a copy of it whose NVML answers a later 535 driver,
and case 04's Windows laptop with a CPU-only torch) - real doctor documents, about 10 kB each.
1,000 node names (gpu0001...) get them: most nodes case 07's, every 37th the newer driver's,
every 101st a different torch version (facts and fingerprint edited), every 97th case 04's
(an unhealthy node to drain); fleet.json lists 1,002 nodes, so two never answered. The same
generator as tests/fleet_nodes.py.

Measured: the whole command as a subprocess (start-up, reading 1,000 files, merge, JSON out),
median of N runs after one warm-up; and the merge alone in-process (`fleet_report(DIR)`).

    .venv/bin/python bench/bench_fleet_report.py --runs 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fleet_nodes import (  # noqa: E402  (the tests' generator, on the tests' recorded hosts)
    H100,
    WINDOWS_CPU_TORCH,
    doctor_report,
    generate_fleet,
    write_run,
)

TARGET_S = 2.0


def make_folder(directory: Path, count: int) -> None:
    generate_fleet(directory, doctor_report(H100), count)
    sick = doctor_report(WINDOWS_CPU_TORCH)
    write_run(directory, {f"gpu{i:04d}": sick for i in range(97, count + 1, 97)})
    manifest = json.loads((directory / "fleet.json").read_text(encoding="utf-8"))
    manifest["nodes"] += [f"gpu{count + 1:04d}", f"gpu{count + 2:04d}"]
    (directory / "fleet.json").write_text(json.dumps(manifest), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--nodes", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp) / "run"
        make_folder(folder, args.nodes)
        argv = [sys.executable, "-m", "envsetup", "fleet", "report", str(folder), "--json"]
        walls = []
        for number in range(args.runs + 1):
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, text=True, check=False)
            wall = time.perf_counter() - start
            if done.returncode not in (0, 1, 2) or not done.stdout.startswith("{"):
                sys.stderr.write(done.stderr)
                return 1
            if number:  # the first run warms the page cache and the bytecode
                walls.append(wall)
        from envsetup.fleet.report import fleet_report

        merges = []
        for _ in range(args.runs):
            start = time.perf_counter()
            report = fleet_report(str(folder))
            merges.append(time.perf_counter() - start)
        document = json.loads(done.stdout)
    median = statistics.median(walls)
    print(
        f"{args.nodes} node reports: `fleet report --json` median {median:.3f} s "
        f"(min {min(walls):.3f}, max {max(walls):.3f}, {args.runs} runs); "
        f"read+merge in-process median {statistics.median(merges):.3f} s; "
        f"groups {[g.count for g in report.groups]}, exit {document['exit_code']}; "
        f"target <= {TARGET_S:.1f} s: {'met' if median <= TARGET_S else 'NOT met'}"
    )
    return 0 if median <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
