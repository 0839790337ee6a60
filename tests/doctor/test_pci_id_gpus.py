"""A GPU no driver names yet is named by its PCI device id (lspci), and the arch judgement runs.

Hosts built by hand (tests/hostbuilder.py) around real lspci output (tests/fixtures/driver/
SOURCES.tsv): no /dev/nvidia*, no nvidia-smi, so doctor reads `lspci -vv -d 10de:`. The fixtures'
lines are the device lines `lspci -vv` prints too (its first line per device).
"""

from __future__ import annotations

from pathlib import Path

from doctor.test_real_hosts import VENV_SITE, ubuntu
from envsetup.diagnose import diagnose
from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from hostbuilder import HostSpec, fixture_text

RTX5090 = "driver/lspci-unnamed-device-2b85-4x-rtx5090-no-driver.txt"
CU121 = "torch/version.py-2.2.1+cu121.txt"


def _lspci_host(text: str) -> HostSpec:
    spec = ubuntu().torch_wheel(VENV_SITE, CU121)
    spec.which["lspci"] = "/usr/bin/lspci"
    return spec.command(["/usr/bin/lspci", "-vv", "-d", "10de:"], text)


def _doctor(spec: HostSpec, tmp_path: Path) -> tuple[Facts, dict[str, Finding]]:
    facts = probe_all(RecordedHost(spec.write(tmp_path)))
    return facts, {f.id: f for f in diagnose(facts, lookup_build)}


def test_unnamed_rtx5090_gets_sm120_and_torch_without_it_is_flagged(tmp_path: Path) -> None:
    facts, findings = _doctor(_lspci_host(fixture_text(RTX5090, skip=1)), tmp_path)
    assert [(g.name, str(g.compute_capability)) for g in facts.nvidia.gpus] == [
        ("GeForce RTX 5090", "12.0")
    ] * 4
    assert facts.nvidia.gpus_source.startswith("lspci (PCI device id")
    # torch 2.2.1+cu121 has no sm_120 kernels: said before the driver is even in.
    assert {"gpu-without-driver", "gpu-arch-not-in-torch-build"} <= findings.keys()


def test_lspci_nn_k80_is_kepler_37(tmp_path: Path) -> None:
    text = fixture_text("driver/lspci-nn-tesla-k80-102d-hyperv.txt", skip=1)
    facts, findings = _doctor(_lspci_host(text), tmp_path)
    assert [str(g.compute_capability) for g in facts.nvidia.gpus] == ["3.7"]
    assert "gpu-without-driver" in findings


def test_one_unknown_id_leaves_every_gpu_unknown(tmp_path: Path) -> None:
    # A second GPU whose id pci.ids' table here does not list: indices would shift, so no GPU.
    text = fixture_text(RTX5090, skip=1).replace("c2:00.0 VGA compatible controller: NVIDIA Corporation Device 2b85", "c2:00.0 VGA compatible controller: NVIDIA Corporation Device 2bff")  # fmt: skip
    facts, findings = _doctor(_lspci_host(text), tmp_path)
    assert facts.nvidia.gpus == [] and len(facts.nvidia.pci_devices) == 4
    assert "gpu-arch-not-in-torch-build" not in findings
