"""How long `envsetup verify` takes on the CPU suite, against its target.

Target (GitHub issue 5): the whole CPU suite <= one `python -c "import torch"` + one first
torch.compile + 5 s. Each figure is the median of N fresh processes. With --cold (the default)
every process gets an empty inductor cache, so "first torch.compile" means a real first compile in
both the baseline and the verify run; --warm reuses the cache like a second run on a machine would.

    .venv/bin/python bench/bench_verify.py [--runs 3] [--python PATH] [--warm]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Optional

BUDGET_S = 5.0
COMPILE_SNIPPET = """
import time, torch
x = torch.linspace(-3, 3, 1000)
def f(x):
    return torch.sin(x) * 2 + torch.cos(x) ** 2
started = time.perf_counter()
torch.compile(f, backend="inductor")(x)
print(time.perf_counter() - started)
"""


def _env(cold: bool, cache_root: str) -> dict[str, str]:
    env = dict(os.environ)
    if cold:
        env["TORCHINDUCTOR_CACHE_DIR"] = tempfile.mkdtemp(dir=cache_root)
        env["TRITON_CACHE_DIR"] = tempfile.mkdtemp(dir=cache_root)
    return env


def _wall(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if out.returncode not in (0,):
        raise SystemExit(f"{argv[:4]} exited {out.returncode}:\n{out.stderr[-2000:]}")
    return elapsed, out.stdout


def measure(python: str, runs: int, cold: bool, cache_root: str) -> dict[str, object]:
    imports, compiles, suites = [], [], []
    check_times: dict[str, list[float]] = {}
    for _ in range(runs):
        imports.append(_wall([python, "-c", "import torch"], _env(cold, cache_root))[0])
        _, printed = _wall([python, "-c", COMPILE_SNIPPET], _env(cold, cache_root))
        compiles.append(float(printed.strip().splitlines()[-1]))
        argv = [sys.executable, "-m", "envsetup", "verify", "--python", python, "--json"]
        elapsed, printed = _wall(argv, _env(cold, cache_root))
        suites.append(elapsed)
        for check in json.loads(printed)["checks"]:
            check_times.setdefault(check["id"], []).append(check["duration_s"])
    return {
        "import_s": statistics.median(imports),
        "first_compile_s": statistics.median(compiles),
        "verify_s": statistics.median(suites),
        "checks_s": {k: round(statistics.median(v), 3) for k, v in check_times.items()},
        "runs": runs,
    }


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--python", default=sys.executable, help="the target interpreter (with torch)"
    )
    parser.add_argument("--warm", action="store_true", help="reuse the inductor cache")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as cache_root:
        figures = measure(args.python, args.runs, not args.warm, cache_root)
    target = figures["import_s"] + figures["first_compile_s"] + BUDGET_S  # type: ignore[operator]
    mode = "warm" if args.warm else "cold"
    print(f"cache: {mode}, median of {figures['runs']} runs, {os.cpu_count()} CPUs")
    print(f"python -c 'import torch'        {figures['import_s']:7.2f} s")
    print(f"first torch.compile (no import)  {figures['first_compile_s']:7.2f} s")
    print(f"envsetup verify --json (CPU)     {figures['verify_s']:7.2f} s")
    print(f"target: import + compile + {BUDGET_S:g} s = {target:7.2f} s")
    for check_id, seconds in figures["checks_s"].items():  # type: ignore[union-attr]
        print(f"    {check_id:24} {seconds:7.3f} s")
    met = figures["verify_s"] <= target  # type: ignore[operator]
    print("target met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
