from __future__ import annotations

import pytest
from _cutting import check_cuts, never_raises_other, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.model.capability import ComputeCapability
from envsetup.parsers import ParseError
from envsetup.parsers.nvidia_smi import parse_smi_list, parse_smi_query_csv, parse_smi_version

P100_CSV = "query-gpu-csv-tesla-p100.csv.txt"
# The fields the netdata capture queried, in its header's order.
P100_FIELDS = [
    "name", "uuid", "fan.speed", "pstate", "memory.reserved", "memory.used", "memory.free",
    "utilization.gpu", "utilization.memory", "temperature.gpu", "power.draw",
    "clocks.current.graphics", "clocks.current.sm", "clocks.current.memory", "clocks.current.video",
]  # fmt: skip
PROBE_FIELDS = [
    "index", "name", "uuid", "pci.bus_id", "driver_version", "memory.total", "compute_cap",
    "mig.mode.current", "pcie.link.gen.current", "pcie.link.gen.max", "pcie.link.width.current",
    "pcie.link.width.max",
]  # fmt: skip


def test_csv_with_units_header_and_na() -> None:
    report = parse_smi_query_csv(read("nvidia-smi-query", P100_CSV), P100_FIELDS)
    assert len(report.gpus) == 1
    gpu = report.gpus[0]
    assert (gpu.index, gpu.name, gpu.uuid) == (
        0,
        "Tesla P100-PCIE-16GB",
        "GPU-ef1b2c9b-38d8-2090-2bd1-f567a3eb42a6",
    )
    # The capture ends without a newline, so its last value may have been cut.
    assert report.partial


def test_csv_header_names_may_differ_in_case_and_units() -> None:
    text = read("nvidia-smi-query", P100_CSV)
    fields = [field.upper() for field in P100_FIELDS]
    assert parse_smi_query_csv(text, fields).gpus[0].name == "Tesla P100-PCIE-16GB"


def test_csv_without_header_for_the_probe_fields() -> None:
    # The row shape nvidia-smi prints for the probe's query; values from the A100 XML fixture.
    text = (
        "0, NVIDIA A100-SXM4-80GB, GPU-513536b6-7d19-9063-b049-1e69664bb298, 00000000:01:00.0, "
        "535.54.03, 81920, 8.0, Enabled, 4, 4, 16, 16\n"
        "1, Tesla T4, GPU-d37e67a5-91dd-3774-a5cb-99096249601a, 00000000:00:1E.0, 535.54.03, "
        "15360, 7.5, [N/A], 3, 3, 8, 16\n"
    )
    report = parse_smi_query_csv(text, PROBE_FIELDS)
    assert report.driver_version == "535.54.03"
    assert not report.partial
    a100, t4 = report.gpus
    assert (a100.compute_capability, a100.mig_mode, a100.memory_total_mib) == (
        ComputeCapability(8, 0),
        "Enabled",
        81920,
    )
    assert (t4.index, t4.mig_mode, t4.pcie_width, t4.pcie_width_max) == (1, None, 8, 16)


def test_csv_row_of_the_wrong_width_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="expected 12"):
        parse_smi_query_csv("0, Tesla T4\n1, Tesla T4\n", PROBE_FIELDS)


@pytest.mark.parametrize(
    "name",
    ["no-devices-found-query-csv-ci.txt", "couldnt-communicate-after-unattended-upgrade.txt"],
)
def test_csv_failure_messages_are_parse_errors(name: str) -> None:
    with pytest.raises(ParseError):
        parse_smi_query_csv(read("nvidia-smi-failures", name), ["driver_version"])


def test_csv_cut() -> None:
    text = read("nvidia-smi-query", P100_CSV)
    check_cuts(lambda cut: parse_smi_query_csv(cut, P100_FIELDS), text, count=40)


@pytest.mark.parametrize(
    ("name", "driver", "cuda", "smi", "nvml"),
    [
        ("nvidia-smi-version-590.48.01.txt", "590.48.01", "13.1", "590.48.01", "590.48"),
        (
            "nvidia-smi-version-610.57.04-deprecated-driver-version.txt",
            "610.57.04",
            "13.3",
            "610.57.04",
            "610.57",
        ),
    ],
)
def test_version(name: str, driver: str, cuda: str, smi: str, nvml: str) -> None:
    report = parse_smi_version(read("nvidia-smi-query", name))
    assert (
        report.driver_version,
        report.cuda_version,
        report.smi_version,
        report.nvml_version,
    ) == (
        driver,
        cuda,
        smi,
        nvml,
    )
    assert not report.partial


@pytest.mark.parametrize(
    "name",
    [
        "nvidia-smi-version-590.48.01.txt",
        "nvidia-smi-version-610.57.04-deprecated-driver-version.txt",
    ],
)
def test_version_cut(name: str) -> None:
    check_cuts(parse_smi_version, read("nvidia-smi-query", name), count=30)


@pytest.mark.parametrize("text", ["", "garbage\n", "Failed to initialize NVML: Unknown Error\n"])
def test_version_garbage_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_smi_version(text)


LIST = "nvidia-smi-L-a100-pcie-7x-mig-1g.5gb-old-uuid.txt"


def test_list_with_mig_children() -> None:
    (gpu,) = parse_smi_list(read("nvidia-smi-query", LIST))
    assert (gpu.index, gpu.name, gpu.uuid) == (
        0,
        "A100-PCIE-40GB",
        "GPU-fe14a161-d1f3-7706-c257-3b22fe15c684",
    )
    assert [device.index for device in gpu.mig_devices] == list(range(7))
    assert {device.profile for device in gpu.mig_devices} == {"1g.5gb"}
    assert [device.gpu_instance_id for device in gpu.mig_devices] == [7, 8, 9, 11, 12, 13, 14]
    assert gpu.mig_devices[3].uuid == "MIG-GPU-fe14a161-d1f3-7706-c257-3b22fe15c684/11/0"


def test_list_cut() -> None:
    check_cuts(parse_smi_list, read("nvidia-smi-query", LIST), count=30)


@pytest.mark.parametrize("text", ["", "No devices were found\n", "GPU 0: cut before the uuid"])
def test_list_without_gpus_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_smi_list(text)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.lists(st.sampled_from(PROBE_FIELDS), max_size=5))
def test_fuzz(text: str, fields: list) -> None:
    never_raises_other(parse_smi_version, text)
    never_raises_other(parse_smi_list, text)
    never_raises_other(lambda cut: parse_smi_query_csv(cut, fields), text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["1", "N/A", "[N/A]", "x", "8.6", "16x", "", " "]), max_size=14))
def test_fuzz_csv_values(values: list) -> None:
    text = ", ".join(values) + "\n"
    never_raises_other(lambda cut: parse_smi_query_csv(cut, PROBE_FIELDS), text)


def test_csv_persistence_and_driver_model_use_the_table_spelling() -> None:
    # Value shapes as the XML fixtures show them for the same GPUs (Tesla T4, RTX 3090).
    text = "0, Disabled, [N/A]\n1, Enabled, [N/A]\n"
    report = parse_smi_query_csv(text, ["index", "persistence_mode", "driver_model.current"])
    assert [(gpu.persistence_mode, gpu.driver_model) for gpu in report.gpus] == [
        ("Off", None),
        ("On", None),
    ]
