"""Issue 11: a Linux driver's CUDA is its branch's. 525.60.11 is a CUDA 12.0 driver although the
CUDA 12.0 toolkit shipped with 525.60.13 (NVIDIA's toolkit table; its nvidia-smi prints "CUDA
Version: 12.0": tests/fixtures/paste/smi-head-525.60.11-cuda-12.0-rtx4080-os-uname-zenn.txt,
kleamp1e/zenn-public). The rule holds end to end: doctor (NVML without the CUDA version, and an
nvidia-smi header), explain (a paste) and install's resolver (12.x builds run on it)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from doctor.conftest import Doctor, ids
from doctor.test_real_hosts import VENV_SITE, ubuntu
from envsetup import compat
from envsetup.compat.assess import assess
from envsetup.compat.verdicts import VerdictCode
from envsetup.model.machine import Machine
from envsetup.profiles.loader import load_releases
from hostbuilder import HostSpec

DRIVER = "525.60.11"
RTX4080 = "NVIDIA GeForce RTX 4080"


def nvml_525(cuda: object = None) -> dict:
    """NVML as the recorder writes it; without cuda_driver_version when `cuda` is None (an NVML
    whose nvmlSystemGetCudaDriverVersion failed or is absent)."""
    found: dict = {
        "driver_version": DRIVER,
        "devices": [{"index": 0, "name": RTX4080, "uuid": "GPU-0", "compute_capability": "8.9"}],
    }
    if cuda is not None:
        found["cuda_driver_version"] = cuda
    return found


def host_525(cuda: object = None) -> HostSpec:
    spec = ubuntu(nvml=nvml_525(cuda)).torch_wheel(VENV_SITE, "torch/version.py-2.2.1+cu121.txt")
    spec.markers.append("/dev/nvidiactl")
    return spec


def test_the_branch_rule_is_one_function() -> None:
    assert compat.max_cuda_for_driver(DRIVER, "Linux") == "12.0"
    assert compat.meets_driver_floor(DRIVER, "525.60.13", "Linux") is True
    # Another branch, or Windows (whose numbers are not Linux branches), stays below.
    assert compat.meets_driver_floor("520.61.05", "525.60.13", "Linux") is False
    assert compat.meets_driver_floor("527.40", "527.41", "Windows") is False
    assert compat.meets_driver_floor("garbage", "525.60.13", "Linux") is None


def test_doctor_gives_525_60_11_cuda_12_0_and_runs_a_cu121_torch(doctor: Doctor) -> None:
    for cuda in (None, 12000):  # NVML without the CUDA version, and with it
        facts, findings = doctor(host_525(cuda))
        assert facts.nvidia.driver_version == DRIVER
        assert facts.nvidia.driver_cuda_version == "12.0", cuda
        assert facts.torch.cuda_version == "12.1"
        assert "driver-too-old-for-torch" not in ids(findings), cuda


def test_the_resolver_runs_cuda_12_builds_on_525_60_11() -> None:
    from envsetup.profiles.loader import load_releases

    build = next(r for r in load_releases() if r.release == "2.4").build("cu121", "linux-x86_64")
    machine = Machine(platform_key="linux-x86_64", system="Linux", driver=DRIVER)
    verdicts = assess(build, machine)
    assert verdicts[0].code is VerdictCode.DRIVER_OK, verdicts
    # 520.61.05 (CUDA 11.8's driver, another branch) is still below the 12.x floor.
    old = assess(build, Machine(platform_key="linux-x86_64", system="Linux", driver="520.61.05"))
    assert old[0].code is VerdictCode.DRIVER_BELOW_FLOOR


def _install(*args: str) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "envsetup", "install", "--dry-run", "--json", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout + result.stderr


def test_install_on_a_recorded_525_60_11_host(tmp_path: Path) -> None:
    directory = host_525().write(tmp_path / "host")
    base = ("--replay", directory, "--torch", "2.4", "--python", "3.11")
    code, out = _install(*base, "--cuda", "12.1")
    assert code == 0, out
    plan = json.loads(out[: out.rindex("}") + 1])
    assert plan["data"]["resolution"]["variant"] == "cu121"
    # --cuda 12.0: no torch has a cu120 build; the driver is no reason, so the 12.x builds are
    # offered (they were left out: 525.60.11 < 525.60.13).
    code, out = _install("--replay", directory, "--cuda", "12.0")
    assert code != 0 and "--cuda 12.1" in out, out


def test_the_words_quote_the_floor_by_the_branch_rule() -> None:
    # attack13 M1: "cu126 runs through CUDA minor version compatibility (driver ≥ 525.60.13 …)"
    # beside driver 525.60.11; the words say the branch rule that lets it pass instead.
    from envsetup.render.verdict_words import describe

    build = next(r for r in load_releases() if r.release == "2.4").build("cu121", "linux-x86_64")
    machine = Machine(
        platform_key="linux-x86_64", system="Linux", driver=DRIVER, driver_cuda="12.0"
    )
    said = describe(assess(build, machine)[0])
    assert "driver ≥ 525.60.13" not in said
    assert "driver branch 525: ≥ 525.60.13 per NVIDIA's table" in said
    assert f"{DRIVER} is a CUDA 12.0 driver by its branch" in said
    # A driver at or above the floor keeps the plain words.
    newer = Machine(platform_key="linux-x86_64", system="Linux", driver="535.104.05")
    assert "driver ≥ 525.60.13" in describe(assess(build, newer)[0])


def test_install_and_check_command_agree_on_torch_2_1_2(tmp_path: Path) -> None:
    # attack13 M1 (attack12c host 20: driver 525.60.11, a T4): install --torch 2.1.2 picks cu118,
    # which the driver supports itself, and says cu121 would run only through minor version
    # compatibility; check-command's "install would pick" is that same build and raises nothing
    # against PyPI's cu121 default (it runs on the 525 branch).
    from envsetup.command_check.check import check_command
    from install.machines import make_facts

    facts = make_facts(
        python="3.10.12", driver=DRIVER, driver_cuda="12.0", gpus=[("Tesla T4", "7.5")]
    )
    report = check_command("pip install torch==2.1.2", facts, load_releases())
    assert report.suggested_build == {"torch_release": "2.1", "variant": "cu118"}
    assert not report.ids("error") and not report.ids("warning")
    from envsetup.render.resolution_words import explanation

    said = " ".join(explanation(report.suggestion.resolution))
    assert "cu121 would run only through CUDA minor version compatibility" in said
