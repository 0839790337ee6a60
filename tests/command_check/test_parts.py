"""The parts of check-command one at a time: the pure parser, the installer simulation, the
suggestion's command line, and the command's own findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from envsetup.command_check.check import check_command
from envsetup.command_check.judge import COMMAND_FINDINGS
from envsetup.command_check.parse import (
    conda_selector_platform,
    find_torch_install,
    index_platform,
    split_commands,
)
from envsetup.command_check.simulate import DecidedBy, Target, simulate
from envsetup.compat.verdicts import SEVERITY, Severity, VerdictCode
from envsetup.errors import UsageError
from envsetup.facts import Facts
from envsetup.profiles.loader import Release
from envsetup.render.command_line import instead_command
from envsetup.render.finding_words import words_for
from install.machines import make_facts

LINUX = Target("linux-x86_64", "3.11")
GPU_BOX_535 = {"driver": "535.104.05", "driver_cuda": "12.2", "gpus": [("NVIDIA GeForce RTX 3090", "8.6")]}  # fmt: skip


# ----------------------------------------------------------------------------- parse


@pytest.mark.parametrize(
    ("text", "program", "in_system"),
    [
        ("pip install torch", "pip", True),
        ("python3 -m pip install torch", "python3 -m pip", True),
        (".venv/bin/python -m pip install torch", ".venv/bin/python -m pip", False),
        ("python3 -m venv .venv && .venv/bin/pip install torch", ".venv/bin/pip", False),
        ("uv venv && uv pip install torch", "uv", False),
        ("conda create -n t python=3.10 && conda activate t && pip install torch", "pip", False),
        ("sudo -H pip3 install torch", "pip3", True),  # sudo's options are not the tool
        ("sudo -u builder -E python3 -m pip install torch", "python3 -m pip", True),
        # Prompts pasted along: an active environment's, PowerShell's, bash's.
        ("(venv) $ pip install torch", "pip", True),
        ("(base) PS C:\\Users\\me> pip install torch", "pip", True),
        ("user@box:~/proj$ pip3 install torch", "pip3", True),
    ],
)
def test_the_parser_tells_where_the_install_goes(text: str, program: str, in_system: bool) -> None:
    parsed = find_torch_install(text)
    assert parsed.program == program
    assert parsed.in_system_python is in_system


def test_the_parser_reads_index_urls_and_selectors() -> None:
    parsed = find_torch_install(
        "pip install torch --index-url https://download.pytorch.org/whl/cu121 "
        "--extra-index-url https://pypi.org/simple"
    )
    assert index_platform(parsed.strict_urls) == "cu121"
    assert index_platform(["https://download.pytorch.org/whl/nightly/cu128"]) == "cu128"
    assert index_platform(["https://mirror.lan/simple"]) is None
    conda = find_torch_install("conda install pytorch pytorch-cuda=11.8 -c pytorch -c nvidia")
    assert conda_selector_platform(conda.conda_specs) == "cu118"
    assert split_commands("pip install torch; echo ok") == [["pip", "install", "torch"], ["echo", "ok"]]  # fmt: skip


WHEEL_URL = (
    "https://download.pytorch.org/whl/cu121/torch-2.2.0%2Bcu121-cp311-cp311-linux_x86_64.whl"
)


@pytest.mark.parametrize(
    "text",
    [
        f"pip install 'torch @ {WHEEL_URL}'",
        f"pip install {WHEEL_URL}",
    ],
)
def test_a_wheel_url_pins_what_it_names(releases: list[Release], text: str) -> None:
    # The wheel's file name (PEP 427) is what pip installs: not PyPI's newest default build.
    report = check_command(text, make_facts(**GPU_BOX_535), releases)  # type: ignore[arg-type]
    assert (report.pick["version"], report.pick["build"]) == ("2.2.0", "cu121")
    assert report.ids("error", "warning") == []  # the URL is where the local version comes from


def test_pypi_as_extra_index_beside_pytorchs_wins_with_its_newer_release(
    releases: list[Release],
) -> None:
    # pip takes the highest version from both indexes: PyPI's newest release is past the cu121
    # index's last (2.5), so PyPI's default build lands, not cu121.
    text = "pip install torch --index-url https://download.pytorch.org/whl/cu121 --extra-index-url https://pypi.org/simple"  # fmt: skip
    facts = make_facts(**GPU_BOX_535)  # type: ignore[arg-type]
    report = check_command(text, facts, releases)
    newest = check_command("pip install torch", facts, releases)
    assert report.pick["version"] == newest.pick["version"] != "2.5.1"
    assert (report.pick["build"], report.pick["decided_by"]) == (newest.pick["build"], "pypi-default")  # fmt: skip
    assert "extra-index-url" in report.ids("warning")
    # Pinned: PyTorch's 2.5.1+cu121 sorts above PyPI's 2.5.1 (PEP 440 local version), it lands.
    pinned = check_command(text.replace("torch ", "torch==2.5.1 ", 1), facts, releases)
    assert (pinned.pick["version"], pinned.pick["build"]) == ("2.5.1", "cu121")


def test_an_empty_paste_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no command given"):
        find_torch_install("   ")


# ----------------------------------------------------------------------------- simulate


@pytest.mark.parametrize(
    ("text", "release", "build", "decided_by"),
    [
        ("pip install torch==2.4.1+cu118", "2.4", "cu118", DecidedBy.LOCAL_LABEL),
        (
            "pip install torch --index-url https://download.pytorch.org/whl/cu121",
            "2.5",
            "cu121",
            DecidedBy.INDEX_URL,
        ),
        (
            "uv pip install torch==2.6.0 --torch-backend cu126",
            "2.6",
            "cu126",
            DecidedBy.TORCH_BACKEND,
        ),
        ("uv pip install torch==2.6.0 --torch-backend=auto", "2.6", None, DecidedBy.UV_AUTO),
        ("pip install torch==2.6.0", "2.6", "cu124", DecidedBy.PYPI_DEFAULT),
        (
            "pip install torch==2.6.0 --extra-index-url https://download.pytorch.org/whl/cu118",
            "2.6",
            "cu118",
            DecidedBy.EXTRA_INDEX_URL,
        ),
        ("conda install pytorch==2.3.1 cpuonly -c pytorch", "2.3", "cpu", DecidedBy.CONDA_SELECTOR),
        # Nothing asks for CUDA: the pytorch channel's solver takes the CPU build.
        ("conda install pytorch==2.3.1 -c pytorch", "2.3", "cpu", DecidedBy.CONDA_SOLVER),
    ],
)
def test_simulate_names_what_decides_the_build(
    releases: list[Release], text: str, release: str, build: str, decided_by: DecidedBy
) -> None:
    pick = simulate(find_torch_install(text), LINUX, releases)
    assert pick.release is not None and pick.release.release == release
    assert (pick.build, pick.decided_by) == (build, decided_by)


def test_simulate_takes_the_newest_release_for_this_python(releases: list[Release]) -> None:
    newest = simulate(find_torch_install("pip install torch"), Target("linux-x86_64", "3.8"), releases)  # fmt: skip
    assert newest.release is not None and newest.release.release == "2.4"  # 3.8's last release
    conda = simulate(find_torch_install("conda create -n t python=3.12 pytorch -c pytorch"), LINUX, releases)  # fmt: skip
    assert conda.python == "3.12"


@pytest.mark.parametrize("pin", ["2.4", "2.4.0", "2.4.0.0"])
def test_a_short_pin_is_the_patch_pip_installs(releases: list[Release], pin: str) -> None:
    # PEP 440 pads with zeros: `torch==2.4` is 2.4.0 to pip, not an unknown patch.
    text = f"pip install torch=={pin} --index-url https://download.pytorch.org/whl/cu121"
    report = check_command(text, make_facts(**GPU_BOX_535), releases)  # type: ignore[arg-type]
    assert report.ids("error", "warning") == []
    assert report.pick["version"] == "2.4.0"
    assert report.suggested_flags[:2] == ["--torch", "2.4.0"]
    assert (instead_command(report) or "").startswith("pip install torch==2.4.0+cu121 ")


def test_conda_on_macos_needs_no_selector(releases: list[Release]) -> None:
    # macOS has only the cpu build: the official command has no cpuonly / pytorch-cuda, and the
    # solver has nothing to choose; the Instead (the same shape) must check clean.
    mac = make_facts(system="Darwin", arch="arm64")
    report = check_command("conda install pytorch torchvision torchaudio -c pytorch", mac, releases)
    assert "conda-no-selector" not in report.ids()
    assert report.pick["build"] == "cpu"
    instead = instead_command(report)
    assert instead is not None and instead.startswith("conda install pytorch==")
    assert check_command(instead, mac, releases).ids("error", "warning") == []
    linux = check_command("conda install pytorch -c pytorch", make_facts(), releases)
    assert "conda-no-selector" in linux.ids("warning")  # Linux: CPU or CUDA, the solver's pick


def test_conda_without_a_cuda_selector_resolves_to_the_cpu_build(releases: list[Release]) -> None:
    # The pytorch channel's solver takes pytorch-mutex=cpu when nothing asks for CUDA
    # (meta-pytorch/data #315, microsoft/torchgeo #529): on a GPU box that is the CPU-build warning.
    gpu = check_command("conda install pytorch torchvision -c pytorch", make_facts(**GPU_BOX_535), releases)  # type: ignore[arg-type]  # fmt: skip
    assert (gpu.pick["build"], gpu.pick["decided_by"]) == ("cpu", "conda-solver")
    assert {"conda-no-selector", "cpu-build-on-nvidia-gpu"} <= set(gpu.ids("warning"))
    instead = instead_command(gpu)
    assert instead is not None and "pytorch-cuda=" in instead
    # A CUDA selector is what forces the CUDA build.
    cuda = check_command("conda install pytorch pytorch-cuda=12.1 -c pytorch -c nvidia", make_facts(**GPU_BOX_535), releases)  # type: ignore[arg-type]  # fmt: skip
    assert cuda.pick["build"] == "cu121" and "conda-no-selector" not in cuda.ids()


def test_conda_says_the_pytorch_channel_ends_at_2_5(releases: list[Release]) -> None:
    report = check_command("conda install pytorch cpuonly -c pytorch", make_facts(), releases)
    ends = report.finding("conda-channel-ends")
    assert ends is not None and ends.params["last"] == "2.5"
    assert ends.params["newest"] == max((r.release for r in releases), key=lambda v: int(v.split(".")[1]))  # fmt: skip
    # Python 3.8 (case 09's conda env): 2.4 is the newest that runs there; the channel still
    # ends at 2.5 (the words said "ends at 2.4 ... no conda packages after 2.5").
    old_python = check_command("conda install pytorch -c pytorch", make_facts(python="3.8.8"), releases)  # fmt: skip
    words = words_for(old_python.finding("conda-channel-ends")).title
    assert "ends at 2.5" in words and "installs 2.4 at most here" in words
    # A pinned version says what it pins; no reminder.
    pinned = check_command(
        "conda install pytorch==2.3.1 cpuonly -c pytorch", make_facts(), releases
    )
    assert "conda-channel-ends" not in pinned.ids()


@pytest.mark.parametrize(("package", "cuda"), [("pytorch-gpu", True), ("pytorch-cpu", False)])
def test_conda_forge_s_metapackages_are_recognised(
    releases: list[Release], package: str, cuda: bool
) -> None:
    # conda-forge's pytorch-gpu is its pytorch-cuda (conda-forge/pytorch-cpu-feedstock #187).
    report = check_command(f"conda install {package} -c conda-forge", make_facts(**GPU_BOX_535), releases)  # type: ignore[arg-type]  # fmt: skip
    forge = report.finding("conda-forge-build")
    assert forge is not None and forge.params["package"] == package
    assert forge.params["cuda"] is cuda and forge.params["reason"] == "metapackage"
    assert report.pick["decided_by"] == "conda-forge-metapackage" and report.pick["release"] is None
    # Not PyTorch's channel, and not a pick envsetup failed to name: no -c pytorch advice.
    assert not {"conda-no-pytorch-channel", "pick-unknown"} & set(report.ids())


NO_DRIVER_BOX: dict = {}
OLD_DRIVER_BOX = {"driver": "460.73.01", "driver_cuda": "11.2", "gpus": [("NVIDIA GeForce RTX 3090", "8.6")]}  # fmt: skip
FORGE_364 = 'micromamba install -c conda-forge pytorch "libtorch=*=cuda12*"'  # pytorch-cpu-feedstock #364  # fmt: skip
FORGE_DOCS = "conda install -c conda-forge pytorch"  # https://conda-forge.org/docs/user/cuda/
FORGE_DOCS_CUDA = 'conda install -c conda-forge "pytorch=*=cuda*"'  # the same page
FORGE_338 = 'mamba install "pytorch=*=cuda12*" "libtorch=2.4.1"'  # pytorch-cpu-feedstock #338


@pytest.mark.parametrize(
    ("text", "box", "takes", "reason"),
    [
        # conda-forge has no pytorch-mutex: with __cuda (a driver) its solver selects the CUDA
        # build (https://conda-forge.org/docs/user/cuda/), without it the CPU build.
        (FORGE_DOCS, GPU_BOX_535, True, "driver"),
        (FORGE_DOCS, NO_DRIVER_BOX, False, "no-driver"),
        (FORGE_DOCS_CUDA, GPU_BOX_535, True, "build-string"),
        (FORGE_364, GPU_BOX_535, True, "build-string"),
        (FORGE_338, GPU_BOX_535, True, "build-string"),  # no channel: a cudaXY build string
        ('conda install -c conda-forge "pytorch=*=cpu*"', GPU_BOX_535, False, "build-string"),
        ("conda install conda-forge::pytorch", GPU_BOX_535, True, "driver"),
    ],
)
def test_conda_forge_s_pytorch_is_its_own_build_chosen_by_cuda(
    releases: list[Release], text: str, box: dict, takes: bool, reason: str
) -> None:
    report = check_command(text, make_facts(**box), releases)
    forge = report.finding("conda-forge-build")
    assert forge is not None and forge.params["cuda"] is takes and forge.params["reason"] == reason
    # Not the pytorch channel's mutex, not a release "*", and never "add -c pytorch".
    assert not {
        "conda-no-pytorch-channel", "conda-no-selector", "unknown-release", "pick-unknown",
        "cpu-build-on-nvidia-gpu", "conda-channel-ends",
    } & set(report.ids())  # fmt: skip
    assert report.pick["release"] is None and report.pick["build"] is None
    assert ("CUDA build" if takes else "CPU build") in report.installs[0]
    assert "-c pytorch" not in (instead_command(report) or "")
    for finding in report.findings:
        assert "add -c pytorch" not in (words_for(finding).fix or "")


@pytest.mark.parametrize(
    ("text", "box", "major"),
    [
        (FORGE_364, NO_DRIVER_BOX, 12),  # the issue's own login node: "__cuda ... missing"
        (FORGE_DOCS_CUDA, NO_DRIVER_BOX, None),
        ("conda install pytorch-gpu -c conda-forge", NO_DRIVER_BOX, None),
        (FORGE_364, OLD_DRIVER_BOX, 12),  # __cuda=11.2 is below the cuda12 builds' need
        (FORGE_338, OLD_DRIVER_BOX, 12),
    ],
)
def test_conda_forge_s_cuda_build_does_not_solve_without_a_driver_for_it(
    releases: list[Release], text: str, box: dict, major: int
) -> None:
    report = check_command(text, make_facts(**box), releases)
    assert report.ids("error") == ["conda-forge-cuda-unsolvable"]
    finding = report.finding("conda-forge-cuda-unsolvable")
    assert finding is not None and finding.params["cuda_major"] == major
    words = words_for(finding)
    if box:
        assert "upgrade the NVIDIA driver" in (words.fix or "")
    else:
        assert "CONDA_OVERRIDE_CUDA" in (words.fix or "") and "missing on the system" in words.title
    assert report.installs[0].startswith("nothing: conda fails to solve")


def test_conda_forge_s_cuda_build_string_on_macos_has_no_build(releases: list[Release]) -> None:
    facts = make_facts(system="Darwin", arch="arm64", python="3.12.1")
    report = check_command(FORGE_DOCS_CUDA, facts, releases)
    finding = report.finding("conda-forge-cuda-unsolvable")
    assert finding is not None and finding.params["macos"] is True
    plain = check_command(FORGE_DOCS, facts, releases).finding("conda-forge-build")
    assert plain is not None and plain.params["cuda"] is False


def test_the_conda_parser_reads_the_build_string(releases: list[Release]) -> None:
    parsed = find_torch_install('conda install -c conda-forge "pytorch=*=cuda*" "libtorch=2.4.1"')
    # '*' is any version, '=cuda*' the build selector (conda's match spec), not a release "*".
    assert parsed.conda_specs["pytorch"] == ("", "") and parsed.conda_builds == {"pytorch": "cuda*"}
    assert parsed.conda_specs["libtorch"] == ("=", "2.4.1")
    pinned = find_torch_install("conda install pytorch==2.4.1=cuda120* -c conda-forge")
    assert pinned.conda_specs["pytorch"] == ("==", "2.4.1") and pinned.conda_builds["pytorch"] == "cuda120*"  # fmt: skip


RTX4080_WINDOWS = {"system": "Windows", "python": "3.10.11", "glibc": None, "driver": "551.86", "driver_cuda": "12.4", "gpus": [("NVIDIA GeForce RTX 4080", "8.9")]}  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        # conda/conda #11001: the plan was pytorch-1.10.0-py3.6_cpu_0 + pytorch-mutex cpu.
        "conda install pytorch torchvision torchaudio cudatoolkit=10.1 -c pytorch",
        "conda install pytorch torchvision torchaudio cudatoolkit=11.1 -c pytorch",  # issue 4
        "conda install pytorch cudatoolkit=11.3 -c pytorch -c conda-forge",
    ],
)
def test_a_cudatoolkit_pin_gets_the_newest_pytorch_s_cpu_build(
    releases: list[Release], text: str
) -> None:
    report = check_command(text, make_facts(**RTX4080_WINDOWS), releases)  # type: ignore[arg-type]
    # No 2.x package depends on cudatoolkit: the solver maximises pytorch's version and the
    # mutex falls to cpu; not "1.x with cudatoolkit, or nothing".
    assert report.pick["build"] == "cpu" and report.pick["release"] == "2.5"
    assert "or nothing" not in report.installs[0]
    toolkit = report.finding("conda-cudatoolkit")
    assert toolkit is not None and "CPU build" in words_for(toolkit).title
    assert "cpu-build-on-nvidia-gpu" in report.ids("warning")
    assert "conda-no-selector" not in report.ids()  # conda-cudatoolkit says it


def test_a_cudatoolkit_pin_on_a_1x_release_may_get_its_cpu_build(releases: list[Release]) -> None:
    # pytorch/pytorch #92273: 1.12.1 + cudatoolkit=10.2 on Windows -> pytorch-1.12.1-py3.8_cpu_0.
    text = "conda install pytorch==1.12.1 torchvision==0.13.1 torchaudio==0.12.1 cudatoolkit=10.2 -c pytorch"  # fmt: skip
    report = check_command(text, make_facts(**RTX4080_WINDOWS), releases)  # type: ignore[arg-type]
    assert "else its CPU build" in report.installs[0]
    toolkit = report.finding("conda-cudatoolkit")
    assert toolkit is not None and "CPU build" in words_for(toolkit).title


@pytest.mark.parametrize(
    ("text", "build"),
    [
        # The uv docs' form (astral-sh/uv #9901's command, https://docs.astral.sh/uv/guides/integration/pytorch/)
        ("uv add torch --index https://download.pytorch.org/whl/cu124", "cu124"),
        ("uv add torch torchvision --index pytorch=https://download.pytorch.org/whl/cpu", "cpu"),
        ("uv add --index=https://download.pytorch.org/whl/cu121 torch --group gpu", "cu121"),
        # uv pip's --index: asked before PyPI, the first index with torch is its only source
        ("uv pip install torch --index https://download.pytorch.org/whl/cu118", "cu118"),
        # pip reads --index as --index-url (optparse's unambiguous prefix)
        ("pip install torch --index https://download.pytorch.org/whl/cu118", "cu118"),
    ],
)
def test_uv_add_and_uv_s_index_are_read(releases: list[Release], text: str, build: str) -> None:
    parsed = find_torch_install(text)
    assert index_platform(parsed.strict_urls) == build
    report = check_command(text, make_facts(**GPU_BOX_535), releases)  # type: ignore[arg-type]
    assert report.pick["build"] == build and report.pick["decided_by"] == "index-url"
    assert "extra-index-url" not in report.ids()
    if text.startswith("uv add"):
        # uv add installs into the project's .venv: never the system Python (PEP 668 not judged)
        assert parsed.uv_project and not parsed.in_system_python


@pytest.mark.parametrize(
    "text",
    [
        # ROCm/legacy-rocm-build #2746's command
        "pip3 install --pre torch torchvision torchaudio --index-url https://download.pytorch.org/whl/nightly/rocm5.7",
        "pip install --pre torch --index-url https://download.pytorch.org/whl/nightly/cu128",
        "pip install torch --index-url https://download.pytorch.org/whl/test/cu126",
    ],
)
def test_a_nightly_index_installs_a_pre_release_not_a_release(
    releases: list[Release], text: str
) -> None:
    report = check_command(text, make_facts(**GPU_BOX_535), releases)  # type: ignore[arg-type]
    # The index holds 2.X.devYYYYMMDD builds (or rcs): no release version is predicted.
    assert report.pick["prerelease"] is True and report.pick["version"] is None
    assert report.installs[0].startswith("a pre-release torch")
    assert "prerelease-index" in report.ids() and "torch-not-pinned" not in report.ids()
    release = check_command(
        "pip install torch --index-url https://download.pytorch.org/whl/cu126",
        make_facts(**GPU_BOX_535),  # type: ignore[arg-type]
        releases,
    )
    assert release.pick["prerelease"] is False and release.pick["version"] is not None


# ----------------------------------------------------------------------------- suggest


@pytest.mark.parametrize(
    ("text", "packages"),
    [
        # opendatalab/MinerU #240 (Windows RTX 4080): torch and torchvision, no torchaudio.
        (
            "pip install torch==2.3.1 torchvision==0.18.1 -i https://mirrors.aliyun.com/pypi/simple/",
            ("torch", "torchvision"),
        ),
        ("pip install torch", ("torch",)),
        (
            "conda install pytorch torchaudio cudatoolkit=10.1 -c pytorch",
            ("pytorch", "torchaudio"),
        ),
        ("pip3 install torch torchvision torchaudio", ("torch", "torchvision", "torchaudio")),
    ],
)
def test_instead_installs_only_the_packages_the_command_names(
    releases: list[Release], text: str, packages: tuple[str, ...]
) -> None:
    report = check_command(text, make_facts(**RTX4080_WINDOWS), releases)  # type: ignore[arg-type]
    instead = instead_command(report) or ""
    for name in ("torchvision", "torchaudio"):
        assert (f"{name}==" in instead) is (name in packages), instead
    assert ("pytorch==" if packages[0] == "pytorch" else "torch==") in instead


def test_instead_makes_a_virtual_environment_where_the_system_python_refuses(
    releases: list[Release],
) -> None:
    # Comfy-Org/ComfyUI #3554: the command on Ubuntu 24.04's externally-managed Python 3.12.
    facts = make_facts(python="3.12.3", **GPU_BOX_535)  # type: ignore[arg-type]
    facts.python.externally_managed = True
    text = "pip install torch torchvision torchaudio --extra-index-url https://download.pytorch.org/whl/cu121"  # fmt: skip
    report = check_command(text, facts, releases)
    assert "pep668-externally-managed" in report.ids("error")
    instead = instead_command(report)
    assert instead is not None and instead.startswith("python3 -m venv .venv && .venv/bin/python -m pip install ")  # fmt: skip
    again = check_command(instead, facts, releases)
    assert again.ids("error", "warning") == []
    assert again.pick["build"] == report.suggested_build["variant"]


@pytest.mark.parametrize(
    "text",
    [
        # Made its own environment first: right, but the Instead alone would go to the system.
        "python3 -m venv .venv && . .venv/bin/activate && "
        "pip install torch --index-url https://download.pytorch.org/whl/cu121",
        # conda after 2.5: the Instead falls back to pip.
        "conda install pytorch==2.6.0 pytorch-cuda=12.4 -c pytorch -c nvidia",
    ],
)
def test_every_instead_on_an_externally_managed_python_makes_its_environment(
    releases: list[Release], text: str
) -> None:
    facts = make_facts(python="3.12.3", **GPU_BOX_535)  # type: ignore[arg-type]
    facts.python.externally_managed = True
    facts.python.environment = "system"
    instead = instead_command(check_command(text, facts, releases))
    assert instead is not None and instead.startswith("python3 -m venv .venv && ")
    assert check_command(instead, facts, releases).ids("error", "warning") == []


@pytest.mark.parametrize(
    ("text", "start"),
    [
        (
            "conda create -n torch python=3.11 pytorch torchvision pytorch-cuda=12.1 "
            "-c pytorch -c nvidia",
            "conda create -n torch python=3.11 pytorch==2.5.1 ",
        ),
        (  # no conda package of 2.6: pip, in the environment the paste makes
            "conda create -n x python=3.12 pytorch==2.6.0 -c pytorch",
            "conda create -y -n x python=3.12 && conda activate x && pip install torch==2.6.0+",
        ),
        (  # the tutorials' pattern: the pip install runs in the new environment's Python 3.11
            "conda create -n t python=3.11 -y && conda activate t && "
            "pip install torch --index-url https://download.pytorch.org/whl/cu118",
            "conda create -y -n t python=3.11 && conda activate t && pip install torch==2.7.1+",
        ),
    ],
)
def test_a_paste_that_makes_a_conda_environment_is_judged_in_it_and_instead_makes_it_too(
    releases: list[Release], text: str, start: str
) -> None:
    # The active Python (3.8) fits none of these releases: judged there, or installed there by a
    # bare `conda install` / `pip install`, the Instead would fail (python-outside-range).
    facts = make_facts(python="3.8.10", **GPU_BOX_535)  # type: ignore[arg-type]
    report = check_command(text, facts, releases)
    assert "python-outside-range" not in report.ids()
    instead = instead_command(report)
    assert instead is not None and instead.startswith(start), instead
    again = check_command(instead, facts, releases)
    assert again.ids("error", "warning") == []
    assert again.suggested_build == report.suggested_build


def test_a_32_bit_python_gets_a_reason_not_a_command(releases: list[Release]) -> None:
    facts = make_facts()
    facts.python.bits = 32
    report = check_command("pip install torch", facts, releases)
    assert instead_command(report) is None
    assert report.suggestion_note and "64-bit" in report.suggestion_note


def test_conda_after_2_5_is_told_to_use_pip_for_that_release(releases: list[Release]) -> None:
    report = check_command("conda install pytorch==2.6.0 -c pytorch", make_facts(**GPU_BOX_535), releases)  # type: ignore[arg-type]  # fmt: skip
    assert "conda-no-package" in report.ids("error")
    # 2.6 as asked, from pip: the pytorch channel has no 2.6 (pytorch/pytorch #138506); cu118 is
    # 2.6's build this driver (CUDA 12.2) runs natively, as `install --torch 2.6` picks.
    assert report.suggested_build == {"torch_release": "2.6", "variant": "cu118"}
    assert (instead_command(report) or "").startswith("pip install torch==2.6.0+cu118")


def test_gpus_alike_make_one_finding(host_facts: dict[str, Facts], releases: list[Release]) -> None:
    # 8x H100 (dstackai/dstack #2348's machine) with 2.0.1 from PyPI (cu117, no sm_90 kernels).
    text = "pip install torch==2.0.1 torchvision==0.15.2 torchaudio==2.0.2"
    report = check_command(text, host_facts["07-fabricmanager-802-h100"], releases)
    assert report.ids("error") == ["arch-not-covered"]
    assert len([v for v in report.verdicts if v.code.value == "arch-not-covered"]) == 8
    finding = report.finding("arch-not-covered")
    assert finding is not None and finding.params["index"] == 0
    assert finding.params["sm"] == "sm_90" and "sm_90" not in finding.params["arch_list"]
    assert len(finding.params["same_for"]) == 7  # GPUs 1-7, merged into GPU 0's finding
    assert "GPU 7" in finding.params["same_for"][-1]


def test_every_finding_id_is_catalogued_with_its_severity() -> None:
    catalogue = (Path(__file__).parents[2] / "docs" / "check-command.md").read_text(
        encoding="utf-8"
    )
    for id, severity in COMMAND_FINDINGS.items():
        assert f"| `{id}` | {severity} |" in catalogue, id
    for code, level in SEVERITY.items():
        if level is not Severity.NOTE or code in (VerdictCode.NO_NVIDIA_DRIVER, VerdictCode.ARCH_UNKNOWN):  # fmt: skip
            assert f"`{code.value}`" in catalogue, code


# A wheel's tags (PEP 425) against the machine's Python and platform: pip refuses a wheel it
# cannot take ("is not a supported wheel on this platform"). File names as PyTorch's index has them.
@pytest.mark.parametrize(
    ("host", "wheel", "python_fits", "platform_fits"),
    [
        # dstackai/dstack #2348's H100 box: Linux x86_64, Python 3.9, glibc 2.35.
        (
            "07-fabricmanager-802-h100",
            "cu121/torch-2.2.0%2Bcu121-cp310-cp310-win_amd64.whl",
            False,
            False,
        ),
        (
            "07-fabricmanager-802-h100",
            "cu121/torch-2.2.0%2Bcu121-cp310-cp310-linux_x86_64.whl",
            False,
            True,
        ),
        (
            "07-fabricmanager-802-h100",
            "cu128/torch-2.7.0%2Bcu128-cp39-cp39-manylinux_2_28_aarch64.whl",
            True,
            False,
        ),
        (
            "07-fabricmanager-802-h100",
            "cu121/torch-2.2.0%2Bcu121-cp39-cp39-linux_x86_64.whl",
            True,
            True,
        ),
        # The GB200 box (case 03): Linux aarch64, Python 3.12, glibc 2.39.
        (
            "03-aarch64-gb200-pypi-cpu-wheel",
            "cu128/torch-2.7.0%2Bcu128-cp312-cp312-manylinux_2_28_aarch64.whl",
            True,
            True,
        ),
        (
            "03-aarch64-gb200-pypi-cpu-wheel",
            "cu128/torch-2.7.0%2Bcu128-cp312-cp312-manylinux_2_28_x86_64.whl",
            True,
            False,
        ),
        # The Windows RTX 4080 box (case 04).
        (
            "04-windows-pypi-cpu-wheel-rtx4080",
            "cu121/torch-2.2.0%2Bcu121-cp310-cp310-linux_x86_64.whl",
            None,
            False,
        ),
    ],
)
def test_a_wheel_this_machine_cannot_take_is_an_error(
    host_facts: dict[str, Facts],
    releases: list[Release],
    host: str,
    wheel: str,
    python_fits: bool,
    platform_fits: bool,
) -> None:
    url = f"https://download.pytorch.org/whl/{wheel}"
    report = check_command(f"pip install {url}", host_facts[host], releases)
    finding = report.finding("wheel-not-supported")
    if python_fits and platform_fits:
        assert finding is None
        return
    assert finding is not None and finding.severity == "error" and report.has_errors
    assert finding.params["wheel"] == wheel.split("/")[1].replace("%2B", "+")
    assert finding.params["wheel_tags"] == ["-".join(wheel[:-4].split("-")[-3:])]
    assert finding.params["platform_fits"] is platform_fits
    system = host_facts[host].os.system
    assert finding.params["platform_key"].startswith(
        {"Linux": "linux-", "Windows": "windows-"}[system]
    )
    if python_fits is not None:
        assert finding.params["python_fits"] is python_fits


def test_a_pick_envsetup_cannot_name_is_a_finding_that_says_why(
    host_facts: dict[str, Facts], releases: list[Release]
) -> None:
    # The tutorial's cu121 command on the GB200 box (case 03, linux-aarch64): no profiled release
    # has a cu121 build there, and Instead installs another build: a warning, not silence.
    text = (Path(__file__).parents[1] / "fixtures" / "commands" / "tutorial-pip3-windows-cu121.txt").read_text(encoding="utf-8")  # fmt: skip
    report = check_command(text, host_facts["03-aarch64-gb200-pypi-cpu-wheel"], releases)
    assert report.pick["release"] is None
    finding = report.finding("pick-unknown")
    assert finding is not None and finding.severity == "warning" and report.has_problems
    assert finding.params["reason"] == "no-release-with-build"
    assert (finding.params["build"], finding.params["platform_key"]) == ("cu121", "linux-aarch64")
    assert finding.params["instead_build"] == report.suggested_build["variant"] != "cu121"
    # A range no profiled release is in (dstack's H100 box).
    report = check_command("pip install 'torch<1.5'", host_facts["07-fabricmanager-802-h100"], releases)  # fmt: skip
    finding = report.finding("pick-unknown")
    assert finding is not None and finding.params["reason"] == "no-version-in-spec"
    assert finding.params["spec"] == "<1.5"
    # The same command where the profiles name the pick: no such finding.
    report = check_command(text, host_facts["07-fabricmanager-802-h100"], releases)
    assert report.pick["release"] is not None and report.finding("pick-unknown") is None


def test_uv_extra_index_url_is_worded_by_uvs_first_index_rule(releases: list[Release]) -> None:
    # uv asks --extra-index-url before the default index and takes torch from the first that has
    # it (https://docs.astral.sh/uv/concepts/indexes/): a PyTorch extra index decides the build,
    # which is an info for uv, while pip's "highest version from either" stays a warning.
    facts = make_facts(**GPU_BOX_535)  # type: ignore[arg-type]
    tail = "install torch==2.2.2 --extra-index-url https://download.pytorch.org/whl/cu121"
    uv = check_command(f"uv pip {tail}", facts, releases)
    pip = check_command(f"pip {tail}", facts, releases)
    assert "extra-index-url" in pip.ids("warning")
    assert "extra-index-url" in uv.ids("info") and "extra-index-url" not in uv.ids("warning")
    # PyPI as uv's extra index beside PyTorch's --index-url: PyPI is asked first and wins.
    pypi_first = check_command(
        "uv pip install torch --index-url https://download.pytorch.org/whl/cu121 --extra-index-url https://pypi.org/simple",
        facts,
        releases,
    )
    assert "extra-index-url" in pypi_first.ids("warning")
