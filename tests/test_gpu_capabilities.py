"""The GPU name -> compute capability table (src/envsetup/data/gpu_capabilities.toml) and its
lookup (envsetup.compat.gpu_names): every row parses and is sourced, no name is listed with two
capabilities, the names tools really print are found, and a name not listed stays unknown."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from envsetup.compat import gpu_names
from envsetup.compat.gpu_names import capability_by_name, entry_by_name, normalised, table
from envsetup.explain.run import explain
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.model.capability import ComputeCapability, coverage
from envsetup.model.gpu import Gpu
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from hostbuilder import case_host

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _data() -> dict:
    return tomllib.loads(gpu_names.DATA.read_text(encoding="utf-8"))


def test_every_group_parses_and_names_a_known_source() -> None:
    data = _data()
    assert data["group"], "the table is empty"
    for group in data["group"]:
        ComputeCapability.parse(group["capability"])
        assert group["source"] in data["sources"] and data["sources"][group["source"]].strip()
        assert group["names"], group
        for alias, listed in group.get("aliases", {}).items():
            assert listed in group["names"], (alias, listed)


def test_names_are_unique_and_no_key_has_two_capabilities() -> None:
    names = [name for group in _data()["group"] for name in group["names"]]
    assert len(names) == len(set(names))
    by_key: dict[str, set[str]] = {}
    for group in _data()["group"]:
        for name in [*group["names"], *group.get("aliases", {})]:
            by_key.setdefault(normalised(name), set()).add(group["capability"])
    assert {k: v for k, v in by_key.items() if len(v) > 1} == {}
    assert all(by_key)  # no name normalises to nothing


def test_kepler_to_blackwell_and_rubin_are_covered() -> None:
    majors = {entry.capability.major for entry in table().values()}
    assert {3, 5, 6, 7, 8, 9, 10, 11, 12} <= majors
    assert ComputeCapability(10, 7) in {entry.capability for entry in table().values()}


@pytest.mark.parametrize(
    ("name", "capability"),
    [
        # As nvidia-smi, NVML and torch.cuda.get_device_name print them.
        ("NVIDIA GeForce RTX 5070 Ti", "12.0"),
        ("NVIDIA GeForce RTX 5080", "12.0"),
        ("GeForce GTX 1080 Ti", "6.1"),
        ("NVIDIA GeForce GTX 1080 Ti", "6.1"),
        ("Tesla K80", "3.7"),
        ("Tesla K40m", "3.5"),
        ("NVIDIA A100-SXM4-80GB", "8.0"),
        ("NVIDIA A100 80GB PCIe", "8.0"),
        ("NVIDIA A100-SXM4-40GB MIG 1g.5gb", "8.0"),
        ("NVIDIA H100 80GB HBM3", "9.0"),
        ("NVIDIA H100 NVL", "9.0"),
        ("NVIDIA GH200 480GB", "9.0"),
        ("NVIDIA B200", "10.0"),
        ("NVIDIA RTX A6000", "8.6"),
        ("NVIDIA RTX 6000 Ada Generation", "8.9"),
        ("Quadro RTX 6000", "7.5"),
        ("Tesla V100-SXM2-16GB", "7.0"),
        ("Tesla T4", "7.5"),
        ("NVIDIA GeForce RTX 4080 Laptop GPU", "8.9"),
        ("GeForce GTX TITAN X", "5.2"),
        ("NVIDIA TITAN X (Pascal)", "6.1"),
        ("Orin (nvgpu)", "8.7"),
        ("Orin", "8.7"),
        ("Jetson AGX Orin", "8.7"),
        ("Xavier", "7.2"),
        ("NVIDIA Tegra X1", "5.3"),
        ("NVIDIA GB10", "12.1"),
    ],
)
def test_names_tools_print_are_found(name: str, capability: str) -> None:
    assert str(capability_by_name(name)) == capability


@pytest.mark.parametrize(
    "name",
    [
        "NVIDIA GeForce RTX 3...",  # nvidia-smi's table cut it
        "NVIDIA GeForce GTX",  # a paste cut it
        # Real products not in the table (nor their chip sibling): unknown, never the nearest.
        "NVIDIA L20",
        "NVIDIA GeForce GTX 1630",
        "NVIDIA GeForce RTX 4090 X",
        "AMD Radeon RX 6700 XT",
        "",
    ],
)
def test_names_not_listed_stay_unknown(name: str) -> None:
    assert capability_by_name(name) is None


def test_an_entry_says_its_source() -> None:
    entry = entry_by_name("Tesla K80")
    assert entry is not None and "cuda-legacy-gpus" in entry.source


def test_a_truncated_gpu_gets_no_capability() -> None:
    gpus = [Gpu(index=0, name="NVIDIA GeForce RTX 3090", name_truncated=True)]
    assert gpu_names.capabilities_from_names(gpus) == {}


def test_doctor_on_a_host_with_only_the_smi_table_takes_the_capability_from_the_name() -> None:
    # Case 09 (detectron2 #2980): driver 460, no NVML in the recording, nvidia-smi's table only.
    facts: Facts = probe_all(RecordedHost(str(case_host("09-nvcc101-vs-torch-cu111-rtx3090"))))
    assert [(g.name, str(g.compute_capability)) for g in facts.nvidia.gpus] == [
        ("GeForce RTX 3090", "8.6")
    ]
    assert "compute capability from the name" in facts.nvidia.gpus_source


def test_explain_marks_a_capability_from_the_name() -> None:
    # vggt #437: the Windows nvidia-smi table names an RTX 5070 Ti; "no kernel image".
    text = (FIXTURES / "paste" / "errors" / "capfix-vggt-5070ti-windows-smi.txt").read_text()
    result = explain(text, None, lookup=lookup_build)
    assert str(result.facts.nvidia.gpus[0].compute_capability) == "12.0"
    assert result.fact_sources["nvidia.gpus[0].compute_capability"] == (
        f"name at {result.fact_sources['nvidia.gpus']}"
    )
    finding = next(f for f in result.findings if f.id == "cuda-no-kernel-image")
    # The named build covers sm_120 (its profile) and runs on the pasted driver 581.57.
    version = f"{finding.params['release']}.0+{finding.params['variant']}"
    info = lookup_build(
        version, result.facts.os.system or "Linux", result.facts.os.arch or "x86_64"
    )
    assert finding.params["driver"] == "581.57" and "upgrade_driver" not in finding.params
    assert info is not None and coverage(info.arch_list, ComputeCapability(12, 0))


@pytest.mark.parametrize(
    ("name", "capability"),
    [
        # Products NVIDIA's pages leave out, as nvidia-smi / pci.ids print them (same-chip source).
        ("NVIDIA GeForce GTX 1050 Ti", "6.1"),
        ("GeForce GTX 1050 Ti Mobile", "6.1"),
        ("NVIDIA GeForce GTX 1650", "7.5"),
        ("GeForce GTX 1650 Mobile / Max-Q", "7.5"),
        ("NVIDIA GeForce GTX 1660 SUPER", "7.5"),
        ("NVIDIA GeForce MX250", "6.1"),
        ("NVIDIA A10G", "8.6"),
        ("NVIDIA H20", "9.0"),
        ("NVIDIA A800-SXM4-80GB", "8.0"),
        ("NVIDIA H800", "9.0"),
        ("NVIDIA GeForce RTX 4090 D", "8.9"),
        ("NVIDIA GeForce RTX 4070 Ti SUPER", "8.9"),
        # A "Max-Q" inside the name is no tail.
        ("NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition", "12.0"),
    ],
)
def test_products_by_their_chip_sibling(name: str, capability: str) -> None:
    assert str(capability_by_name(name)) == capability


def test_the_tails_alone_name_nothing() -> None:
    assert capability_by_name("Mobile") is None and capability_by_name("NVIDIA H2") is None
