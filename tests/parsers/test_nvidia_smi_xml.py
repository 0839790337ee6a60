from __future__ import annotations

from typing import NamedTuple, Optional

import pytest
from _cutting import check_cuts, fixture_paths, never_raises_other, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers import ParseError
from envsetup.parsers.nvidia_smi import parse_smi_xml


class Log(NamedTuple):
    driver: str
    cuda: str
    name: str
    uuid: str
    bus_id: str
    memory_mib: int
    mig_mode: Optional[str]
    pcie: tuple  # gen, gen max, width, width max
    mig_device_count: int
    partial: bool


LOGS = {
    "nvidia-smi-q-x-a100-sxm4-v12.xml.txt": Log(
        "535.54.03",
        "12.2",
        "NVIDIA A100-SXM4-80GB",
        "GPU-513536b6-7d19-9063-b049-1e69664bb298",
        "00000000:01:00.0",
        81920,
        "Enabled",
        (4, 4, 16, 16),
        4,
        True,  # says attached_gpus 4, but the captured file keeps one <gpu>
    ),
    "nvidia-smi-q-x-tesla-t4.xml.txt": Log(
        "515.105.01",
        "11.7",
        "Tesla T4",
        "GPU-d37e67a5-91dd-3774-a5cb-99096249601a",
        "00000000:00:1E.0",
        15360,
        None,
        (3, 3, 8, 16),
        0,
        False,
    ),
    "nvidia-smi-q-x-rtx-3080-v13.xml.txt": Log(
        "595.58.03",
        "13.2",
        "NVIDIA GeForce RTX 3080",
        "GPU-19d6d965-2acc-f646-00f8-4c76979aabb4",
        "00000000:0C:00.0",
        10240,
        None,
        (4, 4, 16, 16),
        0,
        False,
    ),
    "nvidia-smi-q-x-quadro-p400.xml.txt": Log(
        "418.43",
        "10.1",
        "Quadro P400",
        "GPU-8f750be4-dfbc-23b9-b33f-da729a536494",
        "00000000:43:00.0",
        1998,
        None,
        (1, 3, 16, 16),
        0,
        False,
    ),
    "nvidia-smi-q-x-rtx-3090-v12.xml.txt": Log(
        "525.147.05",
        "12.0",
        "NVIDIA GeForce RTX 3090",
        "GPU-12345678-aaaa-bbbb-cccc-0123456789ab",
        "00000000:00:10.0",
        24576,
        None,
        (1, 4, 16, 16),
        0,
        False,
    ),
}


def test_every_fixture_has_an_expectation() -> None:
    assert {path.name for path in fixture_paths("nvidia-smi-query", "*.xml.txt")} == set(LOGS)


@pytest.mark.parametrize(("name", "expected"), LOGS.items())
def test_log(name: str, expected: Log) -> None:
    report = parse_smi_xml(read("nvidia-smi-query", name))
    assert len(report.gpus) == 1
    gpu = report.gpus[0]
    assert (
        Log(
            report.driver_version,
            report.cuda_version,
            gpu.name,
            gpu.uuid,
            gpu.bus_id,
            gpu.memory_total_mib,
            gpu.mig_mode,
            (gpu.pcie_gen, gpu.pcie_gen_max, gpu.pcie_width, gpu.pcie_width_max),
            len(gpu.mig_devices),
            report.partial,
        )
        == expected
    )
    assert gpu.index == 0
    assert gpu.driver_model is None  # "N/A" on Linux


def test_mig_instances_of_the_a100() -> None:
    gpu = parse_smi_xml(read("nvidia-smi-query", "nvidia-smi-q-x-a100-sxm4-v12.xml.txt")).gpus[0]
    first = gpu.mig_devices[0]
    assert (first.index, first.gpu_instance_id, first.compute_instance_id) == (0, 3, 0)
    assert {device.memory_total_mib for device in gpu.mig_devices} == {19968}


def test_persistence_mode_uses_the_table_spelling() -> None:
    report = parse_smi_xml(read("nvidia-smi-query", "nvidia-smi-q-x-rtx-3090-v12.xml.txt"))
    assert report.gpus[0].persistence_mode == "On"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("<nvidia_smi_log><driver_version>5", "malformed"),
        ("<other/>", "expected <nvidia_smi_log>"),
        ('<!DOCTYPE x [<!ENTITY a "aaaa">]><nvidia_smi_log>&a;</nvidia_smi_log>', "entities"),
        ("No devices were found\n", "malformed"),
    ],
)
def test_not_a_log_is_a_parse_error(text: str, reason: str) -> None:
    with pytest.raises(ParseError, match=reason):
        parse_smi_xml(text)


@pytest.mark.parametrize("name", LOGS)
def test_cut_output(name: str) -> None:
    check_cuts(parse_smi_xml, read("nvidia-smi-query", name), count=10)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz_any_text(text: str) -> None:
    never_raises_other(parse_smi_xml, text)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(sorted(LOGS)),
    st.integers(min_value=0, max_value=70000),
    st.integers(min_value=0, max_value=60),
    st.text(alphabet="<>/=\"' abc&;\n0123456789", max_size=10),
)
def test_fuzz_damaged_real_logs(name: str, at: int, drop: int, insert: str) -> None:
    text = read("nvidia-smi-query", name)
    at = at % (len(text) + 1)
    never_raises_other(parse_smi_xml, text[:at] + insert + text[at + drop :])
