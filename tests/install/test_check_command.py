"""check-command on real install commands (tutorials, the previous-versions page, bug reports)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from envsetup.command_check.check import CommandReport, check_command
from envsetup.command_check.parse import parse_install, split_commands
from envsetup.errors import UsageError
from envsetup.facts import Facts
from envsetup.profiles.loader import Release
from envsetup.render.command_line import instead_command
from envsetup.render.finding_words import words_for

from .machines import make_facts

COMMANDS = Path(__file__).parent.parent / "fixtures" / "commands"
RTX_3090 = ("NVIDIA GeForce RTX 3090", "8.6")
GTX_1080_TI = ("NVIDIA GeForce GTX 1080 Ti", "6.1")
GPU_BOX_535 = {"driver": "535.104.05", "driver_cuda": "12.2", "gpus": [RTX_3090]}


def _command(name: str) -> str:
    return (COMMANDS / name).read_text(encoding="utf-8").strip()


def _check(name_or_text: str, releases: list[Release], **machine: object) -> CommandReport:
    text = _command(name_or_text) if name_or_text.endswith(".txt") else name_or_text
    return check_command(text, make_facts(**machine), releases)  # type: ignore[arg-type]


def _errors(report: CommandReport) -> list[str]:
    return report.ids("error")


def _warnings(report: CommandReport) -> list[str]:
    return report.ids("warning")


def _assert_python_outside(report: CommandReport, python: str, low: str, high: str) -> None:
    assert "python-outside-range" in _errors(report)
    verdict = report.verdict("python-outside-range")
    assert verdict is not None and (verdict["python"], verdict["low"], verdict["high"]) == (python, low, high)  # fmt: skip


# ----------------------------------------------------------------------------- official commands


@pytest.mark.parametrize(
    "name", ["pv-2.0.0-pip-cu118.txt", "pv-2.0.1-conda-cu118.txt", "pv-2.3.1-conda-cu121.txt"]
)
def test_official_previous_version_commands_are_clean_on_a_fitting_machine(
    releases: list[Release], name: str
) -> None:
    report = _check(name, releases, **GPU_BOX_535)
    assert _errors(report) == [] and _warnings(report) == []
    assert "the cu1" in report.installs[0]


def test_official_pip_command_installs_what_it_pins(releases: list[Release]) -> None:
    report = _check("pv-2.0.0-pip-cu118.txt", releases, **GPU_BOX_535)
    assert report.installs[0].startswith("torch 2.0.0, the cu118 build (CUDA 11.8")
    assert instead_command(report) == (
        "pip install torch==2.0.0+cu118 torchvision==0.15.1+cu118 torchaudio==2.0.1+cu118 "
        "--index-url https://download.pytorch.org/whl/cu118"
    )
    assert report.suggested_flags == ["--torch", "2.0.0", "--cuda", "11.8"]


def test_conda_domain_pins_of_2_0_0_are_accepted(releases: list[Release]) -> None:
    # conda pairs 2.0.0 with torchvision 0.15.0 / torchaudio 2.0.0 (pip: 0.15.1 / 2.0.1).
    report = _check("tutorial-conda-2.0.0-cu117.txt", releases, **GPU_BOX_535)
    assert _errors(report) == []
    assert "cu117" in report.installs[0]


# ----------------------------------------------------------------------------- what is wrong


@pytest.mark.parametrize(
    "name", ["issue4-conda-cudatoolkit-11.1.txt", "tutorial-conda-1.9.0-cudatoolkit-11.3.txt"]
)
def test_cudatoolkit_pin_has_no_pytorch_2_build(releases: list[Release], name: str) -> None:
    report = _check(name, releases, **GPU_BOX_535)
    assert "conda-cudatoolkit" in _errors(report)
    # The replacement keeps conda (2.5 is the channel's last release) and a build the driver runs.
    assert instead_command(report) is not None
    assert instead_command(report).startswith("conda install pytorch==2.5.1")
    assert "pytorch-cuda=12.1" in instead_command(report)


def test_pinned_1_x_conda_command_is_not_described_as_missing(releases: list[Release]) -> None:
    report = _check("tutorial-conda-1.9.0-cudatoolkit-11.3.txt", releases, **GPU_BOX_535)
    assert "unknown-release" in _warnings(report)
    assert "1.9.0" in report.installs[0] and report.pick["version"] is None
    assert "conda-no-package" not in _errors(report)


def test_bare_pip_install_means_the_pypi_default_build(releases: list[Release]) -> None:
    report = _check("tutorial-pip3-linux-bare.txt", releases, **GPU_BOX_535)
    assert "torch 2.14.1, the cu130 build" in report.installs[0]
    assert (report.pick["release"], report.pick["build"]) == ("2.14", "cu130")
    assert report.pick["decided_by"] == "pypi-default"
    assert "pypi-default-build" in report.ids("info")
    # cu130 needs an R580 driver: the 535 driver cannot run it.
    assert "driver-below-floor" in _errors(report)
    floor = report.verdict("driver-below-floor")
    assert floor is not None and floor["need"] == "580" and floor["have"] == "535.104.05"
    assert instead_command(report) is not None and "whl/cu126" in instead_command(report)


def test_bare_pip_install_on_a_pascal_gpu_gets_no_kernels(releases: list[Release]) -> None:
    machine = {"driver": "580.65.06", "driver_cuda": "13.0", "gpus": [GTX_1080_TI]}
    report = _check("tutorial-pip3-linux-bare.txt", releases, **machine)
    assert "arch-not-covered" in _errors(report)
    uncovered = report.verdict("arch-not-covered")
    assert uncovered is not None and (uncovered["sm"], uncovered["build"]) == ("sm_61", "cu130")
    assert report.suggested_flags == ["--torch", "2.14", "--cuda", "12.6"]


def test_cpu_index_on_a_gpu_box(releases: list[Release]) -> None:
    text = (
        "pip3 install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cpu"
    )
    report = _check(text, releases, **GPU_BOX_535)
    assert "cpu-build-on-nvidia-gpu" in _warnings(report)
    # Instead is what `install --cuda auto` picks for 2.14 on this machine, never the CPU index
    # the command itself names (issue 9).
    assert report.suggested_flags == ["--torch", "2.14", "--cuda", "12.6"]
    assert instead_command(report) is not None and "whl/cpu" not in instead_command(report)
    assert _warnings(_check(text, releases)) == []  # no GPU: nothing to say


def test_cuda_build_the_driver_cannot_run(releases: list[Release]) -> None:
    machine = {"driver": "470.57.02", "driver_cuda": "11.4", "gpus": [RTX_3090]}
    report = _check("pv-2.3.1-conda-cu121.txt", releases, **machine)
    floor = report.verdict("driver-below-floor")
    assert "driver-below-floor" in _errors(report)
    assert floor is not None and (floor["build"], floor["need"]) == ("cu121", "525.60.13")
    assert instead_command(report) is not None and "pytorch-cuda=11.8" in instead_command(report)


def test_conda_virtual_package_cuda_bounds_the_build(releases: list[Release]) -> None:
    # A real `conda info` (conda/conda #12576): its __cuda virtual package is the driver's CUDA.
    info = (COMMANDS / "conda-info-cuda-11.2-ubuntu18.04-gpfs.txt").read_text(encoding="utf-8")
    cuda = re.search(r"__cuda=([\d.]+)=", info)
    glibc = re.search(r"__glibc=([\d.]+)=", info)
    assert cuda and glibc
    machine = {"driver_cuda": cuda.group(1), "glibc": glibc.group(1), "python": "3.10.9"}
    report = _check("pv-2.3.1-conda-cu121.txt", releases, **machine)
    assert "driver-cuda-too-low" in _errors(report)
    too_low = report.verdict("driver-cuda-too-low")
    assert too_low is not None and too_low["driver_cuda"] == "11.2" and too_low["cuda"] == "12.1"
    assert _errors(_check("tutorial-conda-pytorch-cuda-11.7.txt", releases, **machine)) == []


def test_torchvision_that_belongs_to_another_release(releases: list[Release]) -> None:
    text = "pip install torch==2.0.1 torchvision==0.16.0 --index-url https://download.pytorch.org/whl/cu118"  # fmt: skip
    report = _check(text, releases, **GPU_BOX_535)
    assert _errors(report) == ["domain-version-mismatch"]
    mismatch = report.finding("domain-version-mismatch")
    assert mismatch is not None and words_for(mismatch).fix == "pin torchvision==0.15.2"
    assert mismatch.params["belongs_to"] == "2.1.0"  # the release 0.16.0 belongs to
    assert (mismatch.params["package"], mismatch.params["version"]) == ("torchvision", "0.16.0")
    assert mismatch.params["pairs_with"] == "0.15.2"


def test_local_version_pin_without_index_from_a_real_failure(releases: list[Release]) -> None:
    # zeyad-mansour/lunar #176: pip printed this for a +cu113 pin with no index URL.
    failure = (COMMANDS / "no-matching-torch-cu113-local-version.txt").read_text(encoding="utf-8")
    assert "(from versions: none)" in failure
    pin = re.search(r"requirement (torch==\S+) ", failure)
    assert pin is not None
    report = _check(f"pip install {pin.group(1)}", releases, python="3.8.10")
    assert "local-version-without-index" in _errors(report)
    local = report.finding("local-version-without-index")
    assert local is not None and local.params["build"] == "cu113"
    assert local.params["index_url"] == "https://download.pytorch.org/whl/cu113"
    assert "unknown-release" in _warnings(report)


def test_pep_668_system_python_from_a_real_failure(releases: list[Release]) -> None:
    # Comfy-Org/ComfyUI #3554: this command on Ubuntu 24.04's system Python 3.12.
    failure = (COMMANDS / "pep668-externally-managed-ubuntu24.04-py3.12-torch.txt").read_text(
        encoding="utf-8"
    )
    error_name = failure.splitlines()[0].split(": ")[1]
    facts = make_facts(python="3.12.3", **GPU_BOX_535)  # type: ignore[arg-type]
    facts.python.externally_managed = True
    report = check_command(_command("comfyui-3554-pip-extra-index-cu121.txt"), facts, releases)
    assert "pep668-externally-managed" in _errors(report)
    pep668 = report.finding("pep668-externally-managed")
    assert pep668 is not None and any(error_name in line for line in pep668.evidence)
    assert "extra-index-url" in _warnings(report)


def test_32_bit_python_finds_no_wheels_as_in_a_real_failure(releases: list[Release]) -> None:
    failure = (COMMANDS / "no-matching-torch-from-versions-none.txt").read_text(encoding="utf-8")
    facts: Facts = make_facts()
    facts.python.bits = 32
    report = check_command("pip install torch", facts, releases)
    assert "python-32bit" in _errors(report)
    finding = report.finding("python-32bit")
    assert "(from versions: none)" in failure
    assert finding is not None and any("(from versions: none)" in e for e in finding.evidence)


def test_index_url_decides_the_release_of_an_unpinned_torch(releases: list[Release]) -> None:
    windows = {"system": "Windows", "arch": "AMD64", "driver": "552.22", "gpus": [RTX_3090]}
    report = _check("tutorial-pip3-windows-cu121.txt", releases, **windows)
    # cu121 ends with 2.5: pip takes the newest torch that index holds.
    assert report.installs[0].startswith("torch 2.5.1, the cu121 build")
    assert _errors(report) == []


def test_extra_index_without_the_release_falls_back_to_pypi(releases: list[Release]) -> None:
    report = _check("tutorial-pip-extra-index-cu116.txt", releases, **GPU_BOX_535)
    assert "extra-index-lacks-release" in _warnings(report)
    assert report.pick["decided_by"] == "pypi-default" and report.pick["release"] == "2.14"
    assert "the cu130 build" in report.installs[0]


def test_python_outside_the_pinned_release(releases: list[Release]) -> None:
    report = _check("tutorial-pip-2.1.2-cu118.txt", releases, python="3.12.1", **{k: v for k, v in GPU_BOX_535.items()})  # type: ignore[arg-type]  # fmt: skip
    _assert_python_outside(report, "3.12", "3.8", "3.11")


def test_uv_auto_backend_is_flagged(releases: list[Release]) -> None:
    report = _check("uv pip install torch --torch-backend=auto", releases, **GPU_BOX_535)
    assert "uv-torch-backend-auto" in _warnings(report)
    assert instead_command(report) is not None and instead_command(report).startswith("uv pip")


def test_conda_create_python_decides_the_python(releases: list[Release]) -> None:
    text = "conda create -n t python=3.12 pytorch==2.1.2 pytorch-cuda=12.1 -c pytorch -c nvidia"
    report = _check(text, releases, python="3.10.4", **GPU_BOX_535)
    _assert_python_outside(report, "3.12", "3.8", "3.11")


def test_unpinned_range_without_wheels_for_this_python(releases: list[Release]) -> None:
    report = _check("pip install 'torch>=2.0,<2.2'", releases, python="3.12.1")
    assert report.pick["release"] == "2.1"
    _assert_python_outside(report, "3.12", "3.8", "3.11")


def test_nightly_index_is_flagged(releases: list[Release]) -> None:
    text = "pip3 install --pre torch --index-url https://download.pytorch.org/whl/nightly/cu128"
    report = _check(text, releases, **GPU_BOX_535)
    assert "prerelease-index" in _warnings(report)


def test_conda_after_2_5_is_an_error(releases: list[Release]) -> None:
    report = _check("conda install pytorch==2.6.0 -c pytorch", releases, **GPU_BOX_535)
    assert "conda-no-package" in _errors(report)


# ----------------------------------------------------------------------------- parsing


def test_split_commands_handles_chains_continuations_and_comments() -> None:
    text = "conda create -n t python=3.10 && conda activate t ; \\\n pip install torch  # cpu"
    assert split_commands(text) == [
        ["conda", "create", "-n", "t", "python=3.10"],
        ["conda", "activate", "t"],
        ["pip", "install", "torch"],
    ]


@pytest.mark.parametrize(
    "text",
    ["python -m pip install torch==2.1.0", "!pip install torch==2.1.0", "sudo pip3 install torch==2.1.0",
     "py -3.11 -m pip install torch==2.1.0", "$ pip install 'torch==2.1.0'", "python3.11 -m pip install torch==2.1.0"],
)  # fmt: skip
def test_prefixes_around_pip_are_understood(text: str) -> None:
    parsed = parse_install(split_commands(text)[0])
    assert parsed is not None and str(parsed.requirements["torch"].specifier) == "==2.1.0"


def test_not_an_install_command_is_a_usage_error(releases: list[Release]) -> None:
    with pytest.raises(UsageError, match="no pip, uv pip, uv add or conda install of torch"):
        check_command("pip install numpy", make_facts(), releases)
    with pytest.raises(UsageError, match="check its quotes"):
        check_command("pip install 'torch", make_facts(), releases)
