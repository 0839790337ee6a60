"""nvidia-smi's "No devices were found": what the facts around it say.

- The open kernel module before 545.23.06 takes Data Center GPUs only: a GeForce, workstation or
  laptop GPU needs the proprietary module, NVreg_OpenRmEnableUnsupportedGpus=1 or a newer driver
  (NVIDIA/open-gpu-kernel-modules #393: 520.56.06 open, RTX 3050 Ti Laptop GPU; the parameter's
  deprecation in 545.23.06: nv-reg.h, quoted in NixOS/nixpkgs #499412).
- Docker's `--gpus all` belongs to the fix only inside a container.
- RmInitAdapter failed: the BIOS's Above 4G Decoding / Resizable BAR (NVIDIA/
  open-gpu-kernel-modules #862, an RTX 5090; real paste in tests/explain/real_pastes.py).

Hosts are built here (tests/hostbuilder.py): the /proc/driver/nvidia/version line is the real
open-module format (tests/fixtures/driver, 565.57.01) with the version written in; the lspci
lines are real (tests/fixtures/driver/SOURCES.tsv) or, for the RTX 3050 Ti, pci.ids' name of
10de:25a0 in lspci's layout, written here; nvidia-smi's words and exit code 6 as it prints them.
"""

from __future__ import annotations

from typing import Optional

import pytest

from doctor.conftest import Doctor, ids
from envsetup.diagnose.finding import Finding
from envsetup.render.finding_words import words_for
from explain.corpus import FIXTURES, text
from hostbuilder import HostSpec, fixture_text

SMI = "/usr/bin/nvidia-smi"
LSPCI = "/usr/bin/lspci"
RTX3050TI = (
    "01:00.0 3D controller: NVIDIA Corporation GA107M [GeForce RTX 3050 Ti Mobile] (rev a1)\n"
)
A100 = "00:04.0 3D controller: NVIDIA Corporation GA100 [A100 SXM4 40GB] (rev a1)\n"


def host(module: str, version: str, lspci: str, container: Optional[str] = None) -> HostSpec:
    spec = HostSpec()
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    proc = fixture_text("driver/proc-driver-nvidia-version-open-565.57.01-ubuntu24.04.txt")
    proc = proc.replace("565.57.01", version)
    if module == "proprietary":
        proc = proc.replace("Open Kernel Module", "Kernel Module")
    spec.files["/proc/driver/nvidia/version"] = proc
    spec.files["/proc/modules"] = "nvidia 54001664 0 - Live 0x0000000000000000\n"
    spec.markers.append("/dev/nvidiactl")
    spec.which["nvidia-smi"] = SMI
    spec.command([SMI], "No devices were found\n", 6)
    spec.which["lspci"] = LSPCI
    spec.command([LSPCI, "-vv", "-d", "10de:"], lspci)
    if container:
        spec.markers.append("/.dockerenv")
    return spec


def _no_devices(doctor: Doctor, spec: HostSpec) -> Finding:
    _facts, findings = doctor(spec)
    assert "no-gpu-devices" in ids(findings)
    return next(f for f in findings if f.id == "no-gpu-devices")


def test_open_module_520_on_a_laptop_geforce(doctor: Doctor) -> None:
    facts, findings = doctor(host("open", "520.56.06", RTX3050TI))
    # lspci names the GPU the driver would not take (pci.ids' name lspci printed): 8.6.
    assert [(g.name, str(g.compute_capability)) for g in facts.nvidia.gpus] == [
        ("GeForce RTX 3050 Ti Mobile", "8.6")
    ]
    finding = next(f for f in findings if f.id == "no-gpu-devices")
    assert finding.params["open_module"] == "520.56.06"
    words = words_for(finding)
    assert "Data Center GPUs only" in words.title and "GeForce RTX 3050 Ti Mobile" in words.title
    assert "NVreg_OpenRmEnableUnsupportedGpus=1" in words.fix and "proprietary" in words.fix
    assert "--gpus" not in words.fix


@pytest.mark.parametrize(
    ("module", "version", "lspci"),
    [
        ("open", "565.57.01", RTX3050TI),  # the open module takes GeForce since 545.23.06
        ("proprietary", "520.56.06", RTX3050TI),
        ("open", "520.56.06", A100),  # a Data Center GPU: the open module's own
        ("open", "520.56.06", fixture_text("driver/lspci-nn-gp107m-gtx1050ti-mobile-1c8c.txt")),
    ],
)
def test_other_drivers_and_gpus_keep_the_general_words(
    doctor: Doctor, module: str, version: str, lspci: str
) -> None:
    finding = _no_devices(doctor, host(module, version, lspci))
    expect_open = module == "open" and version == "520.56.06" and "A100" not in lspci
    assert bool(finding.params.get("open_module")) is expect_open
    if not expect_open:
        fix = words_for(finding).fix
        assert "lspci" in fix and "--gpus" not in fix and "dmesg" in fix


def test_inside_a_container_the_fix_names_passing_the_gpu_in(doctor: Doctor) -> None:
    finding = _no_devices(doctor, host("proprietary", "550.54.15", A100, container="docker"))
    assert finding.params["container"] == "docker"
    assert "--gpus all" in words_for(finding).fix


def test_rminitadapter_names_the_bios_settings() -> None:
    from envsetup.explain.run import explain
    from envsetup.profiles.lookup import lookup_build

    paste = text(
        FIXTURES
        / "paste"
        / "errors"
        / "nvidia-smi-no-devices-rminitadapter-0x22-0x56-rtx5090-rebar.txt"
    )
    found = {f.id: words_for(f) for f in explain(paste, None, lookup_build).findings}
    assert "Above 4G Decoding" in found["gpu-init-failed"].fix
    assert "Resizable BAR" in found["gpu-init-failed"].fix
    assert "--gpus" not in found["no-gpu-devices"].fix
