"""`--bench` judgement: measured figures against each GPU model's datasheet (gpu_expectations.toml)."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional

from envsetup.host.files import LOCAL as host_files
from envsetup.verify.results import FAIL, PASS, CheckResult

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

DATA = Path(__file__).parent / "gpu_expectations.toml"
MAX_TABLE_BYTES = 1 << 20  # the shipped table is some KiB

# Throttle reasons that mean the card is slowed by heat or hardware, not by an ordinary power cap.
HARMFUL_THROTTLES = frozenset(
    {"hw_slowdown", "sw_thermal_slowdown", "hw_thermal_slowdown", "hw_power_brake_slowdown"}
)


@dataclass(frozen=True)
class GpuExpectation:
    model: str
    names: tuple[str, ...]
    source: str
    bf16_dense_tflops: Optional[float] = None
    memory_gbs: Optional[float] = None
    pcie_gen: Optional[int] = None


@dataclass(frozen=True)
class Table:
    gpus: tuple[GpuExpectation, ...]
    matmul_share: float
    bandwidth_share: float

    def find(self, device_name: str) -> Optional[GpuExpectation]:
        wanted = device_name.strip().lower()
        for gpu in self.gpus:
            if any(wanted == name.lower() for name in gpu.names):
                return gpu
        return None


@functools.lru_cache(maxsize=1)
def load_table(path: Path = DATA) -> Table:
    data = tomllib.loads(host_files.read_regular(path, MAX_TABLE_BYTES).decode("utf-8"))
    gpus = tuple(
        GpuExpectation(
            model=row["model"],
            names=tuple(row["names"]),
            source=row["source"],
            bf16_dense_tflops=row.get("bf16_dense_tflops"),
            memory_gbs=row.get("memory_gbs"),
            pcie_gen=row.get("pcie_gen"),
        )
        for row in data["gpu"]
    )
    thresholds = data["thresholds"]
    return Table(gpus, float(thresholds["matmul_share"]), float(thresholds["bandwidth_share"]))


def _problem(device: dict[str, Any], code: str) -> None:
    """Record on the device, as a stable code, what its sentence in `reason` says."""
    device.setdefault("problems", []).append(code)


def _matmul_flags(device: dict[str, Any], expected: GpuExpectation, table: Table) -> list[str]:
    measured, peak = device.get("tflops"), expected.bf16_dense_tflops
    if measured is None or peak is None:
        return []
    device["expected_tflops"] = peak
    if measured < peak * table.matmul_share:
        _problem(device, "matmul-below-datasheet")
        return [
            f"cuda:{device['index']} {device['name']}: {measured} TFLOP/s bf16 is below "
            f"{table.matmul_share:.0%} of the datasheet's {peak}"
        ]
    return []


def _bandwidth_flags(device: dict[str, Any], expected: GpuExpectation, table: Table) -> list[str]:
    measured, peak = device.get("gb_per_s"), expected.memory_gbs
    if measured is None or peak is None:
        return []
    device["expected_gb_per_s"] = peak
    if measured < peak * table.bandwidth_share:
        _problem(device, "bandwidth-below-datasheet")
        return [
            f"cuda:{device['index']} {device['name']}: {measured} GB/s copy bandwidth is below "
            f"{table.bandwidth_share:.0%} of the datasheet's {peak}"
        ]
    return []


def _nvml_flags(device: dict[str, Any], expected: Optional[GpuExpectation]) -> list[str]:
    label = f"cuda:{device['index']} {device['name']}"
    flags = []
    gen, gen_max = device.get("pcie_gen"), device.get("pcie_gen_max")
    width, width_max = device.get("pcie_width"), device.get("pcie_width_max")
    if gen is not None and gen_max is not None and gen < gen_max:
        _problem(device, "pcie-gen-below-max")
        flags.append(
            f"{label}: PCIe link runs at gen {gen} under load, the device supports gen {gen_max}"
        )
    if width is not None and width_max is not None and width < width_max:
        _problem(device, "pcie-width-below-max")
        flags.append(f"{label}: PCIe link is x{width}, the device supports x{width_max}")
    if expected and expected.pcie_gen and gen_max is not None and gen_max < expected.pcie_gen:
        _problem(device, "pcie-slot-below-model")
        flags.append(
            f"{label}: the link tops out at gen {gen_max}; a {expected.model} is built for gen {expected.pcie_gen}"
        )
    harmful = sorted(HARMFUL_THROTTLES.intersection(device.get("throttle_reasons") or []))
    if harmful:
        _problem(device, "throttled")
        device["harmful_throttles"] = harmful
        flags.append(f"{label}: clocks throttled under load ({', '.join(harmful)})")
    return flags


def judge_bench(result: CheckResult, table: Optional[Table] = None) -> CheckResult:
    """Compare a passing bench check's figures with the table; fail it when a device underperforms."""
    if result.status != PASS or not result.id.startswith("bench."):
        return result
    table = table or load_table()
    evidence = dict(result.evidence)
    devices = [dict(d) for d in evidence.get("devices", [])]
    flags: list[str] = []
    unknown: list[str] = []
    sources: set[str] = set()
    for device in devices:
        expected = table.find(str(device.get("name", "")))
        if expected is None:
            unknown.append(str(device.get("name", "")))
        else:
            sources.add(expected.source)
            device["model"] = expected.model
        if result.id == "bench.nvml":
            flags += _nvml_flags(device, expected)
        elif expected is not None and result.id == "bench.matmul_bf16":
            flags += _matmul_flags(device, expected, table)
        elif expected is not None and result.id == "bench.bandwidth":
            flags += _bandwidth_flags(device, expected, table)
    evidence["devices"] = devices
    evidence["sources"] = sorted(sources)
    if unknown:
        evidence["no_expected_figures_for"] = unknown
    if flags:
        return replace(
            result,
            status=FAIL,
            reason="; ".join(flags),
            evidence=evidence,
            fix="check cooling, power limits (`nvidia-smi -q -d PERFORMANCE,POWER`), the slot the card "
            "sits in and its riser; compare with another card of the same model",
        )
    return replace(result, evidence=evidence)
