from __future__ import annotations

from typing import NamedTuple, Optional

import pytest
from _cutting import check_cuts, fixture_paths, never_raises_other, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers import ParseError
from envsetup.parsers.nvidia_smi import parse_smi_table


class Table(NamedTuple):
    driver: Optional[str]
    cuda: Optional[str]
    cuda_raw: Optional[str]
    gpu_count: int
    name: str  # GPU 0's name as printed
    bus_id: Optional[str]
    memory_mib: Optional[int]
    mig_mode: Optional[str]
    partial: bool


# Read off each real file by hand.
TABLES = {
    # Before R410 the header has no "CUDA Version:" at all: unknown, but nothing was cut.
    "390.138-2x-tesla-m2090-no-cuda-version.txt": Table(
        "390.138", None, None, 2, "Tesla M2090", "00000000:04:00.0", 5301, None, False
    ),
    # The paste lost the column-title rows: the GPU rows are read against the titles every
    # driver prints (partial: the text ends at the table's last border).
    "435.21-2x-v100-pcie-no-column-titles-partial.txt": Table(
        "435.21", "10.1", "10.1", 2, "Tesla V100-PCIE...", "00000000:37:00.0", 32510, None, True
    ),
    "450.119.03-a100-sxm4-40gb-partial.txt": Table(
        "450.119.03",
        "11.0",
        "11.0",
        1,
        "A100-SXM4-40GB",
        "00000000:04:00.0",
        40537,
        "Disabled",
        True,
    ),
    "450.191.01-cuda-11.3-forward-compat-a100-sxm-80gb-partial.txt": Table(
        "450.191.01",
        "11.3",
        "11.3",
        2,
        "A100-SXM-80GB",
        "00000000:10:00.0",
        81252,
        "Disabled",
        True,
    ),
    "450.57-titan-xp-single.txt": Table(
        "450.57", "11.0", "11.0", 1, "TITAN Xp", "00000000:17:00.0", 12196, None, True
    ),
    "460.73.01-cuda-version-na-in-device-plugin-pod-header.txt": Table(
        "460.73.01", None, "N/A", 0, "", None, None, None, True
    ),
    "510.47.03-a100-sxm-mixed-mig-partial.txt": Table(
        "510.47.03",
        "11.6",
        "11.6",
        2,
        "NVIDIA A100-SXM...",
        "00000000:01:00.0",
        81920,
        "Disabled",
        True,
    ),
    "510.85.02-a100-80g-pcie-multi-partial.txt": Table(
        "510.85.02",
        "11.6",
        "11.6",
        1,
        "NVIDIA A100 80G...",
        "00000000:01:00.0",
        81920,
        "Disabled",
        True,
    ),
    "525.60.13-2x-grid-a100-40c-vgpu.txt": Table(
        "525.60.13", "12.0", "12.0", 2, "GRID A100-40C", "00000000:02:01.0", 40960, "Disabled", True
    ),
    "535.129.03-2x-rtx3090.txt": Table(
        "535.129.03",
        "12.2",
        "12.2",
        2,
        "NVIDIA GeForce RTX 3090",
        "00000000:01:00.0",
        24576,
        None,
        False,
    ),
    "535.129.03-h100-80gb-hbm3-partial.txt": Table(
        "535.129.03",
        "12.2",
        "12.2",
        1,
        "NVIDIA H100 80GB HBM3",
        "00000000:04:00.0",
        81559,
        "Disabled",
        True,
    ),
    # Jetson Orin, JetPack 6: every field but the name is N/A or "Not Supported"; processes cut.
    "540.4.0-jetson-orin-nvgpu-jetpack6-partial.txt": Table(
        "540.4.0", "12.6", "12.6", 1, "Orin (nvgpu)", None, None, None, True
    ),
    "550.40.07-rtx4070-single.txt": Table(
        "550.40.07",
        "12.4",
        "12.4",
        1,
        "NVIDIA GeForce RTX 4070",
        "00000000:2D:00.0",
        12282,
        None,
        True,
    ),
    "550.54.15-8x-h100-hgx-partial.txt": Table(
        "550.54.15",
        "12.4",
        "12.4",
        1,
        "NVIDIA H100 80GB HBM3",
        "00000000:18:00.0",
        81559,
        "Disabled",
        True,
    ),
    "575.64.03-cuda-version-na-freebsd-linux-shim-rtx5070.txt": Table(
        "575.64.03",
        None,
        "N/A",
        1,
        "NVIDIA GeForce RTX 5070",
        "00000000:02:00.0",
        12227,
        None,
        True,
    ),
    "580.126.09-a100-sxm4-40gb-multi-partial.txt": Table(
        "580.126.09",
        "13.0",
        "13.0",
        2,
        "NVIDIA A100-SXM4-40GB",
        "00000000:10:1C.0",
        40960,
        "Disabled",
        True,
    ),
    "595.80-l40s-fedora44-full.txt": Table(
        "595.80", "13.2", "13.2", 1, "NVIDIA L40S", "00000000:01:00.0", 46068, None, False
    ),
    "610.57.04-linux-kmd-umd-rtx2080super-full.txt": Table(
        "610.57.04",
        "13.3",
        "13.3",
        1,
        "NVIDIA GeForce RTX 2080 ...",
        "00000000:0C:00.0",
        8192,
        None,
        False,
    ),
    "windows-419.71-mx250-wddm-indented.txt": Table(
        "419.71", "10.0", "10.0", 1, "GeForce MX250", "00000000:02:00.0", 2048, None, False
    ),
    "windows-460.15-nvidia-smi-exe-from-wsl.txt": Table(
        "460.15", "11.1", "11.1", 1, "GeForce RTX 207...", "00000000:01:00.0", 8192, None, False
    ),
    "windows-461.79-rtx3060-laptop-wddm.txt": Table(
        "461.79", "11.2", "11.2", 1, "GeForce RTX 306...", "00000000:01:00.0", 6144, None, False
    ),
    "windows-610.62-kmd-umd-wddm-cg-processes-full.txt": Table(
        "610.62",
        "13.3",
        "13.3",
        1,
        "NVIDIA GeForce RTX 2080 ...",
        "00000000:0C:00.0",
        8192,
        None,
        False,
    ),
    "wsl2-545.46-win546.80-cuda-err-partial.txt": Table(
        "546.80",
        None,
        "ERR!",
        1,
        "NVIDIA GeForce RTX 3060 ...",
        "00000000:01:00.0",
        6144,
        None,
        True,
    ),
}
# Other nvidia-smi subcommands, and a sub-table cut from its header: no default-table header.
NOT_A_TABLE = [
    "510-mig-devices-section-a100-3x-2g.20gb-partial.txt",
    "mig-lgip-gb200-partial.txt",
    "mig-lgip-gh200-144g-partial.txt",
    "mig-lgip-rtx-pro-6000-blackwell-gfx-profiles-partial.txt",
    "topo-m-8x-h100-nv18-sglang-check-env-partial.txt",
    "topo-m-single-h100-ansi-underline-escape.txt",
]


def test_every_fixture_has_an_expectation() -> None:
    names = {path.name for path in fixture_paths("nvidia-smi")}
    assert names == set(TABLES) | set(NOT_A_TABLE)


@pytest.mark.parametrize(("name", "expected"), TABLES.items())
def test_table(name: str, expected: Table) -> None:
    report = parse_smi_table(read("nvidia-smi", name))
    first = report.gpus[0] if report.gpus else None
    assert (
        Table(
            report.driver_version,
            report.cuda_version,
            report.cuda_version_raw,
            len(report.gpus),
            first.name if first else "",
            first.bus_id if first else None,
            first.memory_total_mib if first else None,
            first.mig_mode if first else None,
            report.partial,
        )
        == expected
    )
    assert [gpu.index for gpu in report.gpus] == list(range(len(report.gpus)))


@pytest.mark.parametrize("name", NOT_A_TABLE)
def test_other_outputs_are_parse_errors(name: str) -> None:
    with pytest.raises(ParseError, match="NVIDIA-SMI"):
        parse_smi_table(read("nvidia-smi", name))


def test_second_gpu_of_a_mixed_mig_host() -> None:
    report = parse_smi_table(read("nvidia-smi", "510.47.03-a100-sxm-mixed-mig-partial.txt"))
    assert [gpu.mig_mode for gpu in report.gpus] == ["Disabled", "Enabled"]
    assert report.gpus[1].bus_id == "00000000:41:00.0"
    assert all(gpu.name_truncated for gpu in report.gpus)


def test_wsl_reports_the_windows_driver_and_its_own_version() -> None:
    report = parse_smi_table(read("nvidia-smi", "wsl2-545.46-win546.80-cuda-err-partial.txt"))
    assert (report.smi_version, report.driver_version) == ("545.46", "546.80")


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("windows-419.71-mx250-wddm-indented.txt", "WDDM"),
        ("windows-460.15-nvidia-smi-exe-from-wsl.txt", "WDDM"),
        ("windows-461.79-rtx3060-laptop-wddm.txt", "WDDM"),
        ("windows-610.62-kmd-umd-wddm-cg-processes-full.txt", "WDDM"),
        ("610.57.04-linux-kmd-umd-rtx2080super-full.txt", None),
    ],
)
def test_windows_driver_model(name: str, model: Optional[str]) -> None:
    gpu = parse_smi_table(read("nvidia-smi", name)).gpus[0]
    assert gpu.driver_model == model
    assert gpu.persistence_mode == (None if model else "Off")


def test_second_rtx3090_and_persistence() -> None:
    report = parse_smi_table(read("nvidia-smi", "535.129.03-2x-rtx3090.txt"))
    assert [(gpu.index, gpu.bus_id) for gpu in report.gpus] == [
        (0, "00000000:01:00.0"),
        (1, "00000000:02:00.0"),
    ]
    assert {gpu.persistence_mode for gpu in report.gpus} == {"On"}
    assert not any(gpu.name_truncated for gpu in report.gpus)


def test_vgpu_bus_ids() -> None:
    report = parse_smi_table(read("nvidia-smi", "525.60.13-2x-grid-a100-40c-vgpu.txt"))
    assert [gpu.bus_id for gpu in report.gpus] == ["00000000:02:01.0", "00000000:02:02.0"]


def test_driver_too_old_fixture_header_without_closing_bar() -> None:
    # The header as posted lost its closing "|"; the newline still proves the value is whole.
    text = read("torch-errors", "driver-too-old-11040-rtx3050-470.86.txt")
    report = parse_smi_table(text)
    assert (report.driver_version, report.cuda_version) == ("470.86", "11.4")


def test_mig_devices_sub_table_is_attached_to_its_gpu() -> None:
    # Two excerpts of one host (nvitop PR #8), posted separately: GPU 1's rows end the first, the
    # MIG sub-table is the second. Joined with the closing border nvidia-smi prints between them.
    table = read("nvidia-smi", "510.47.03-a100-sxm-mixed-mig-partial.txt")
    mig = read("nvidia-smi", "510-mig-devices-section-a100-3x-2g.20gb-partial.txt")
    border = table.splitlines()[-4]
    report = parse_smi_table(f"{table}{border}\n\n{mig}")
    devices = report.gpus[1].mig_devices
    assert report.gpus[0].mig_devices == []
    assert [
        (d.index, d.gpu_instance_id, d.compute_instance_id, d.memory_total_mib) for d in devices
    ] == [(0, 3, 0, 19968), (1, 5, 0, 19968), (2, 6, 0, 19968)]


@pytest.mark.parametrize(
    "text", ["", "\n", "NVIDIA-SMI has failed because it couldn't communicate\n"]
)
def test_no_header_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError):
        parse_smi_table(text)


@pytest.mark.parametrize("name", TABLES)
def test_cut_output(name: str) -> None:
    assert check_cuts(parse_smi_table, read("nvidia-smi", name), count=25) > 0


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz_any_text(text: str) -> None:
    never_raises_other(parse_smi_table, text)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(TABLES)),
    st.integers(min_value=0, max_value=4000),
    st.integers(min_value=0, max_value=40),
    st.text(alphabet="|+-= \n0123456789ANOfMiB/:.", max_size=12),
)
def test_fuzz_damaged_real_tables(name: str, at: int, drop: int, insert: str) -> None:
    text = read("nvidia-smi", name)
    at = at % (len(text) + 1)
    never_raises_other(parse_smi_table, text[:at] + insert + text[at + drop :])


def test_rows_without_column_titles_need_a_gpu_row_and_a_bus_id() -> None:
    # Built by hand from the real 435.21 table: with no bus id in the block's second cell the
    # rows are not a GPU table (nothing read, the report partial), and a name with no mode word
    # keeps its last word.
    text = read("nvidia-smi", "435.21-2x-v100-pcie-no-column-titles-partial.txt")
    broken = text.replace("00000000:37:00.0", "something else")
    report = parse_smi_table(broken)
    assert report.gpus == [] and report.partial and report.driver_version == "435.21"
    no_mode = parse_smi_table(text.replace("...  Off  |", "...      |"))
    assert [g.name for g in no_mode.gpus] == ["Tesla V100-PCIE..."] * 2
    assert no_mode.gpus[1].persistence_mode is None
    assert parse_smi_table(text).gpus[1].persistence_mode == "Off"
