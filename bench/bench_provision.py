"""Provision the same plan from the same local index with pip and with uv, side by side.

    .venv/bin/python bench/bench_provision.py              # torch/torchvision/torchaudio test wheels
    .venv/bin/python bench/bench_provision.py --real-torch # the on-disk torch CPU wheel + its deps
    .venv/bin/python bench/bench_provision.py --runs 5 --cold

Each run provisions a fresh environment through envsetup.install.execute.provision (create the venv,
check the pins resolve, install, read back, record); the table gives the median wall seconds of the
whole provision and of each step. uv's cache is kept between runs (a re-install on a machine that
has installed before) unless --cold gives every run an empty one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from envsetup.install.execute import InstallResult, provision  # noqa: E402
from envsetup.resolve.resolution import Pin, Resolution  # noqa: E402
from install_exec.local_index import (  # noqa: E402
    RELEASE_2_0_1,
    build_pytorch_index,
    build_torch_cpu_index,
    torch_cpu_wheel,
)

STEPS = ("create-env", "check-resolves", "install", "read-back")


def _small_plan(scratch: Path) -> tuple[Path, str, list[Pin]]:
    index = build_pytorch_index(scratch / "index", {"cu118": "11.8"})
    pins = [Pin(name, f"{version}+cu118") for name, version in RELEASE_2_0_1.items()]
    return index, "cu118", pins


def _real_torch_plan(scratch: Path) -> tuple[Path, str, list[Pin]]:
    wheel = torch_cpu_wheel()
    if wheel is None:
        raise SystemExit("bench: no torch +cpu wheel in pip's configured find-links")
    version = build_torch_cpu_index(scratch / "index", wheel)
    return scratch / "index", "cpu", [Pin("torch", version)]


def _one_run(
    manager: str, index: Path, variant: str, pins: list[Pin], scratch: Path, run: int
) -> tuple[float, InstallResult]:
    """Wall seconds of provision() alone (removing the environment afterwards is not timed)."""
    env = scratch / f"env-{manager}-{run}"
    resolution = Resolution(
        torch_release="bench",
        variant=variant,
        python_version=f"{sys.version_info[0]}.{sys.version_info[1]}",
        manager=manager,
        pins=pins,
        index_url=f"https://download.pytorch.org/whl/{variant}",
        env_path=str(env),
    )
    try:
        started = time.perf_counter()
        result = provision(
            resolution, index_url_base=str(index), log_dir=str(scratch / "logs"), verify=False
        )
        return time.perf_counter() - started, result
    finally:
        shutil.rmtree(env, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--real-torch", action="store_true")
    parser.add_argument("--cold", action="store_true", help="an empty uv cache for every run")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-provision-") as tmp:
        scratch = Path(tmp)
        plan = _real_torch_plan if args.real_torch else _small_plan
        index, variant, pins = plan(scratch)
        os.environ["PIP_NO_CACHE_DIR"] = "1"  # pip does not cache local files anyway
        totals: dict[str, list[float]] = {}
        steps: dict[str, dict[str, list[float]]] = {}
        for manager in ("pip", "uv"):
            for run in range(args.runs):
                cache = scratch / (f"uv-cache-{run}" if args.cold else "uv-cache")
                os.environ["UV_CACHE_DIR"] = str(cache)
                took, result = _one_run(manager, index, variant, pins, scratch, run)
                totals.setdefault(manager, []).append(took)
                for step in result.steps:
                    steps.setdefault(manager, {}).setdefault(step.id, []).append(step.duration_s)

    what = " ".join(pin.requirement() for pin in pins)
    print(
        f"provision {what} ({variant}), {args.runs} runs each, uv cache {'cold' if args.cold else 'warm after run 1'}"
    )
    header = f"{'manager':<8} {'median s':>9} {'min s':>7} " + " ".join(f"{s:>15}" for s in STEPS)
    print(header)
    print("-" * len(header))
    for manager, values in totals.items():
        per_step = " ".join(
            f"{statistics.median(steps[manager].get(s, [0.0])):>15.2f}" for s in STEPS
        )
        print(f"{manager:<8} {statistics.median(values):>9.2f} {min(values):>7.2f} {per_step}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
