"""The PCI device id lspci prints for an NVIDIA GPU names it, and so gives its compute capability,
when no driver does (issue 11, "compute capability without NVML").

Real outputs: tests/fixtures/driver/SOURCES.tsv. The ids are looked up in
src/envsetup/data/gpu_pci_ids.toml (pci.ids, https://pci-ids.ucw.cz/read/PC/10de).
"""

from __future__ import annotations

import pytest

from envsetup.compat.gpu_names import capability_by_name, name_by_pci_id, pci_table
from envsetup.parsers.lspci import nvidia_display_devices
from hostbuilder import fixture_text


@pytest.mark.parametrize(
    ("fixture", "ids", "name", "capability"),
    [
        # plain lspci, pci.ids older than the GPU: "NVIDIA Corporation Device 2b85"
        ("driver/lspci-unnamed-device-2b85-4x-rtx5090-no-driver.txt", ["2b85"] * 4,
         "GeForce RTX 5090", "12.0"),
        # lspci -nn: class "[0302]" and "[10de:102d]" after the name
        ("driver/lspci-nn-tesla-k80-102d-hyperv.txt", ["102d"], "Tesla K80", "3.7"),
        ("driver/lspci-nn-a30-20b7.txt", ["20b7"], "A30 PCIe", "8.0"),
    ],
)  # fmt: skip
def test_device_id_names_the_gpu_and_its_capability(
    fixture: str, ids: list[str], name: str, capability: str
) -> None:
    devices = nvidia_display_devices(fixture_text(fixture, skip=1))
    # The audio function (22e8) and the subsystem line ([10de:106c]) are not GPUs.
    assert [d.device_id for d in devices] == ids
    assert name_by_pci_id(ids[0]) == name
    assert str(capability_by_name(name_by_pci_id(ids[0]))) == capability


def test_gtx970_named_line_has_no_id_and_keeps_its_driver() -> None:
    # lspci -vv without -nn names the GPU ("GM204 [GeForce GTX 970]") and prints no id.
    text = fixture_text("driver/lspci-kernel-driver-in-use-nouveau-gtx970.txt", skip=1)
    [device] = nvidia_display_devices(text)
    assert device.device_id is None and device.driver == "nouveau"


@pytest.mark.parametrize("device_id", ["22e8", "ffff", "10de:", "", "2b8", "8086:2b85x"])
def test_an_id_the_table_does_not_list_stays_unknown(device_id: str) -> None:
    # 22e8 is the RTX 5090's audio function: real, but no GPU.
    assert name_by_pci_id(device_id) is None


def test_every_listed_id_reaches_a_capability() -> None:
    # From Kepler (GK210 K80, 3.7) to Blackwell (GB202 RTX 5090, 12.0), uppercase ids too.
    table = pci_table()
    assert {"102d", "20f1", "2330", "2684", "2b85"} <= table.keys()
    assert all(capability_by_name(name) is not None for name in table.values())
    assert name_by_pci_id("10DE:20F1") == "A100 PCIe 40GB"
