"""Wall time and peak RSS of `envsetup doctor --json` against `python -m torch.utils.collect_env`.

Both run in the same interpreter/venv (which must have torch installed: README's test command
brings the CPU wheel), interleaved, N runs each, after one warm-up run each that is not counted.
Targets (issue 9): doctor's median wall time <= 1/20 of collect_env's; doctor's peak RSS <= 60 MB.
`--importtime N` also prints the N costliest imports of doctor's start-up (python -X importtime,
median over the runs).

    .venv/bin/python bench/bench_doctor.py --runs 7 --importtime 15
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Runs one command in a child and reports its wall time and peak RSS (ru_maxrss of the children).
MEASURE = r"""
import json, resource, subprocess, sys, time
argv = json.loads(sys.argv[1])
t0 = time.perf_counter()
proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
wall = time.perf_counter() - t0
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"wall_s": wall, "cpu_s": cpu, "rss_mb": usage.ru_maxrss / 1024, "rc": proc.returncode}))
"""


TARGET_RATIO = 20
TARGET_RSS_MB = 60


def activated_environment() -> dict[str, str]:
    """What `source .venv/bin/activate` sets: doctor's default target is the active environment.

    Without PYTHONDONTWRITEBYTECODE: an installed package has its bytecode compiled, and the
    warm-up run writes it for an editable one; set (as some CI images do), every run would
    compile envsetup's sources again and measure that instead."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if sys.prefix != sys.base_prefix:
        env["VIRTUAL_ENV"] = sys.prefix
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def measure(argv: list[str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, json.dumps(argv)],
        capture_output=True,
        text=True,
        check=True,
        env=activated_environment(),
    )
    return json.loads(out.stdout)


def import_costs(argv: list[str], runs: int) -> list[tuple[str, float, float]]:
    """(module, median cumulative ms, median self ms) of `argv`'s imports, costliest first."""
    cumulative: dict[str, list[int]] = {}
    own: dict[str, list[int]] = {}
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-X", "importtime", *argv],
            capture_output=True,
            text=True,
            check=False,
            env=activated_environment(),
        )
        for line in out.stderr.splitlines():
            fields = line.removeprefix("import time:").split("|")
            if len(fields) != 3 or not fields[0].strip().isdigit():
                continue
            name = fields[2].strip()
            own.setdefault(name, []).append(int(fields[0]))
            cumulative.setdefault(name, []).append(int(fields[1]))
    rows = [
        (name, statistics.median(cumulative[name]) / 1000, statistics.median(own[name]) / 1000)
        for name in cumulative
    ]
    return sorted(rows, key=lambda row: -row[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--importtime", type=int, default=0, metavar="N")
    args = parser.parse_args()
    # The console script users run (bin/envsetup next to this interpreter), as the issue names it.
    script = Path(sys.executable).with_name("envsetup.exe" if os.name == "nt" else "envsetup")
    doctor = [str(script)] if script.exists() else [sys.executable, "-m", "envsetup"]
    commands = {
        "envsetup doctor --json": [*doctor, "doctor", "--json"],
        "python -m torch.utils.collect_env": [sys.executable, "-m", "torch.utils.collect_env"],
    }
    results: dict[str, list[dict[str, float]]] = {name: [] for name in commands}
    for argv in commands.values():  # warm the page cache once, not counted
        measure(argv)
    for _ in range(args.runs):
        for name, argv in commands.items():  # interleaved
            results[name].append(measure(argv))
    print(
        f"{'command':<36} {'median wall s':>14} {'min':>8} {'max':>8} {'median CPU s':>13} {'peak RSS MB':>12}"
    )
    medians = {}
    for name, runs in results.items():
        walls = [r["wall_s"] for r in runs]
        medians[name] = statistics.median(walls)
        rss = max(r["rss_mb"] for r in runs)
        cpu = statistics.median(r["cpu_s"] for r in runs)
        print(
            f"{name:<36} {medians[name]:>14.3f} {min(walls):>8.3f} {max(walls):>8.3f}"
            f" {cpu:>13.3f} {rss:>12.1f}"
        )
    doctor, peer = medians["envsetup doctor --json"], medians["python -m torch.utils.collect_env"]
    doctor_rss = max(r["rss_mb"] for r in results["envsetup doctor --json"])
    ratio = peer / doctor if doctor else float("inf")
    print(
        f"\ncollect_env / doctor = {ratio:.1f}x (target >= {TARGET_RATIO}x);"
        f" doctor peak RSS {doctor_rss:.1f} MB (target <= {TARGET_RSS_MB} MB)"
    )
    print(
        f"runs per command: {args.runs}, python: {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M:%S')}"
    )
    if args.importtime:
        # The console script's own first line: `from envsetup.entry import main; main()`.
        entry = ["-c", "from envsetup.entry import main; main()", "doctor", "--json"]
        print(f"\npython -X importtime, envsetup doctor --json (median of {args.runs} runs):")
        print(f"{'cumulative ms':>14} {'self ms':>8}  module")
        for name, cumulative_ms, self_ms in import_costs(entry, args.runs)[: args.importtime]:
            print(f"{cumulative_ms:>14.1f} {self_ms:>8.1f}  {name}")
    return 0 if ratio >= TARGET_RATIO and doctor_rss <= TARGET_RSS_MB else 1


if __name__ == "__main__":
    sys.exit(main())
