"""--bench judgement against the datasheet table (pure: measured figures in, verdict out)."""

from __future__ import annotations

from typing import Any

from envsetup.verify.expectations import judge_bench, load_table
from envsetup.verify.results import FAIL, PASS, SKIP, CheckResult


def bench(check_id: str, *devices: dict[str, Any]) -> CheckResult:
    return CheckResult(id=check_id, title="", status=PASS, evidence={"devices": list(devices)})


def test_every_row_names_its_datasheet_and_a_model() -> None:
    table = load_table()
    assert len(table.gpus) >= 10
    for gpu in table.gpus:
        assert gpu.source.split("https://")[1], gpu.model
        assert gpu.names and gpu.memory_gbs
    assert 0 < table.matmul_share < 1 and 0 < table.bandwidth_share < 1


def test_names_match_exactly_so_an_a10_is_not_an_a100() -> None:
    table = load_table()
    assert table.find("NVIDIA A10").model == "A10"
    assert table.find("nvidia h100 80gb hbm3").model == "H100 SXM5 80GB"
    assert table.find("NVIDIA A1000") is None


def test_a_slow_matmul_fails_and_a_healthy_one_passes() -> None:
    slow = judge_bench(
        bench("bench.matmul_bf16", {"index": 0, "name": "NVIDIA H100 80GB HBM3", "tflops": 300.0})
    )
    assert slow.status == FAIL
    assert slow.fix
    (device,) = slow.evidence["devices"]
    assert device["problems"] == ["matmul-below-datasheet"]
    assert (device["tflops"], device["expected_tflops"]) == (300.0, 989)
    healthy = judge_bench(
        bench("bench.matmul_bf16", {"index": 0, "name": "NVIDIA H100 80GB HBM3", "tflops": 700.0})
    )
    assert healthy.status == PASS
    assert healthy.evidence["devices"][0]["expected_tflops"] == 989
    assert healthy.evidence["sources"]


def test_one_slow_device_among_several_is_named() -> None:
    result = judge_bench(
        bench(
            "bench.bandwidth",
            {"index": 0, "name": "NVIDIA A100-SXM4-80GB", "gb_per_s": 1800.0},
            {"index": 1, "name": "NVIDIA A100-SXM4-80GB", "gb_per_s": 900.0},
        )
    )
    assert result.status == FAIL
    fine, slow = result.evidence["devices"]
    assert slow["index"] == 1 and slow["problems"] == ["bandwidth-below-datasheet"]
    assert fine["index"] == 0 and "problems" not in fine


def test_an_unknown_model_passes_and_says_it_has_no_figures() -> None:
    result = judge_bench(
        bench("bench.matmul_bf16", {"index": 0, "name": "NVIDIA GeForce GTX 1080", "tflops": 1.0})
    )
    assert result.status == PASS
    assert result.evidence["no_expected_figures_for"] == ["NVIDIA GeForce GTX 1080"]


def test_a_downgraded_link_or_harmful_throttling_fails_but_a_power_cap_does_not() -> None:
    base = {"index": 0, "name": "NVIDIA H100 PCIe", "pcie_gen_max": 5, "pcie_width_max": 16}
    healthy = dict(base, pcie_gen=5, pcie_width=16, throttle_reasons=["sw_power_cap"])
    assert judge_bench(bench("bench.nvml", healthy)).status == PASS
    slow_link = dict(base, pcie_gen=3, pcie_width=8, throttle_reasons=[])

    def problems(device: dict) -> list[str]:
        judged = judge_bench(bench("bench.nvml", device))
        assert judged.status == FAIL
        return judged.evidence["devices"][0]["problems"]

    assert problems(slow_link) == ["pcie-gen-below-max", "pcie-width-below-max"]
    hot = dict(base, pcie_gen=5, pcie_width=16, throttle_reasons=["hw_thermal_slowdown"])
    assert problems(hot) == ["throttled"]
    throttled = judge_bench(bench("bench.nvml", hot)).evidence["devices"][0]
    assert throttled["harmful_throttles"] == ["hw_thermal_slowdown"]
    capped_slot = dict(base, pcie_gen=4, pcie_width=16, pcie_gen_max=4, throttle_reasons=[])
    assert problems(capped_slot) == ["pcie-slot-below-model"]


def test_skipped_and_non_bench_results_are_left_alone() -> None:
    skipped = CheckResult(id="bench.nvml", title="", status=SKIP, reason="no GPU")
    assert judge_bench(skipped) is skipped
    other = CheckResult(id="matmul", title="", status=PASS, evidence={"devices": []})
    assert judge_bench(other) is other
