"""Wall time of one resolution through the real CLI, interpreter start-up included.

    .venv/bin/python bench/bench_resolve.py            # 15 runs per case
    .venv/bin/python bench/bench_resolve.py --runs 30

Each run is a fresh `python -m envsetup install --dry-run --json ...` process reading the machine
from a Facts JSON file (so no probe runs), timed from spawn to exit. Target: median <= 0.3 s.
The `python -c pass` and `envsetup --version` rows show how much of that is start-up. The cpu
column (user + system time of the child) shows the cost without other load on the machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from envsetup.facts import Facts, Gpu, NvidiaFacts, OsFacts, PythonFacts
from envsetup.model.capability import ComputeCapability

TARGET_S = 0.3


def _gpu_box() -> Facts:
    return Facts(
        os=OsFacts(system="Linux", arch="x86_64", glibc="2.35"),
        python=PythonFacts(executable=sys.executable, version="3.11.7"),
        nvidia=NvidiaFacts(
            driver_version="535.104.05",
            driver_cuda_version="12.2",
            gpus=[
                Gpu(
                    index=0,
                    name="NVIDIA GeForce RTX 3090",
                    compute_capability=ComputeCapability(8, 6),
                )
            ],
        ),
    )


def _blackwell_box() -> Facts:
    facts = _gpu_box()
    facts.nvidia.driver_version = "570.86.10"
    facts.nvidia.driver_cuda_version = "12.8"
    facts.nvidia.gpus = [
        Gpu(index=0, name="NVIDIA GeForce RTX 5090", compute_capability=ComputeCapability(12, 0))
    ]
    return facts


def _cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _time(argv: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each run."""
    walls, cpus = [], []
    for _ in range(runs):
        cpu_before = _cpu_of_children()
        started = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        walls.append(time.perf_counter() - started)
        cpus.append(_cpu_of_children() - cpu_before)
    return walls, cpus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        gpu = Path(scratch) / "gpu.json"
        gpu.write_text(json.dumps(_gpu_box().to_dict()), encoding="utf-8")
        blackwell = Path(scratch) / "blackwell.json"
        blackwell.write_text(json.dumps(_blackwell_box().to_dict()), encoding="utf-8")
        cli = [sys.executable, "-m", "envsetup"]
        cases = [
            ("python -c pass (start-up floor)", [sys.executable, "-c", "pass"]),
            ("envsetup --version", [*cli, "--version"]),
            ("install --torch 2.0 --dry-run --json", [*cli, "install", "--torch", "2.0", "--dry-run", "--json", "--facts", str(gpu)]),
            ("install --dry-run --json (newest that fits)", [*cli, "install", "--dry-run", "--json", "--facts", str(gpu)]),
            ("install --torch 2.0 (refused: sm_120, alternatives)", [*cli, "install", "--torch", "2.0", "--dry-run", "--json", "--facts", str(blackwell)]),
        ]  # fmt: skip
        print(f"{'case':55} {'min':>7} {'median':>7} {'max':>7} {'cpu':>7}  (s, {args.runs} runs)")
        failed = False
        for name, argv in cases:
            times, cpus = _time(argv, args.runs)
            median = statistics.median(times)
            mark = ""
            if name.startswith("install"):
                ok = median <= TARGET_S
                failed = failed or not ok
                mark = "  ok" if ok else f"  OVER {TARGET_S}s"
            cpu = statistics.median(cpus)
            print(f"{name:55} {min(times):7.3f} {median:7.3f} {max(times):7.3f} {cpu:7.3f}{mark}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
