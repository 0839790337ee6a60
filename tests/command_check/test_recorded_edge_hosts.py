"""check-command on hosts assembled from real outputs by the attack12c review
(tests/fixtures/command_check/README.md: what is real, what is assumed): NVIDIA's Jetson wheels and
the installed NVIDIA build, and Amazon Linux 2's glibc 2.26."""

from __future__ import annotations

import pytest

from envsetup.command_check.check import check_command
from envsetup.command_check.parse import find_torch_install
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.profiles.loader import Release, load_releases
from envsetup.render.finding_words import words_for
from hostbuilder import FIXTURES

HOSTS = FIXTURES / "command_check"
NANO = "01-jetson-nano-r32.7.1-py36"
ORIN_NX = "02-orin-nx-jp5.1-r35.2.1-nvtorch"
AL2 = "23-amazon-linux-2-glibc2.26-a10g"
# NVIDIA's JetPack 4 install form ('PyTorch for Jetson': wget ... -O this name, then pip3 install it)
JP4_WHEEL = "pip3 install torch-1.10.0-cp36-cp36m-linux_aarch64.whl"


@pytest.fixture(scope="module")
def releases() -> list[Release]:
    return load_releases()


def facts_of(name: str) -> Facts:
    return probe_all(RecordedHost(str(HOSTS / name / "host")))


@pytest.mark.parametrize(
    ("text", "version"),
    [
        (JP4_WHEEL, "1.10.0"),
        ("pip install ./dist/torch-2.1.0-cp311-cp311-linux_x86_64.whl", "2.1.0"),
        (
            "pip3 install torch-2.0.0+nv23.05-cp38-cp38-linux_aarch64.whl",
            "2.0.0+nv23.5",
        ),  # normalised
    ],
)
def test_a_wheel_file_by_path_is_an_install_of_torch(text: str, version: str) -> None:
    parsed = find_torch_install(text)  # was: "no pip ... install of torch found"
    assert str(parsed.requirements["torch"].specifier) == f"=={version}"
    assert parsed.wheel_urls and parsed.wheel_tags


def test_nvidia_s_jetpack_4_wheel_on_a_jetson_nano_is_its_gpu_build(
    releases: list[Release],
) -> None:
    report = check_command(JP4_WHEEL, facts_of(NANO), releases)
    # NVIDIA's build for this board (cp36, linux_aarch64): not PyPI's, nothing refuses it.
    assert report.ids("error", "warning") == []
    unknown = report.finding("unknown-release")
    assert unknown is not None and unknown.severity == "info"
    assert "NVIDIA's Jetson build" in words_for(unknown).title
    # cp36m is Python 3.6's ABI (pymalloc): the wheel fits this Python 3.6.
    assert "wheel-not-supported" not in report.ids()


def test_a_cp36m_wheel_does_not_fit_python_3_8(releases: list[Release]) -> None:
    report = check_command(JP4_WHEEL, facts_of(ORIN_NX), releases)
    refused = report.finding("wheel-not-supported")
    assert refused is not None and refused.params["python_fits"] is False
    assert refused.params["platform_fits"] is True


def test_pip_install_torch_on_a_jetson_says_it_replaces_nvidia_s_gpu_build(
    releases: list[Release],
) -> None:
    facts = facts_of(ORIN_NX)
    assert facts.torch.version == "1.14.0a0+44dac51c.nv23.02"
    report = check_command("pip3 install torch", facts, releases)
    finding = report.finding("jetson-command-not-for-igpu")
    assert finding is not None and finding.severity == "error"
    assert finding.params["replaces"] == "1.14.0a0+44dac51c.nv23.02"
    assert "replaces the installed NVIDIA build torch 1.14.0a0+44dac51c.nv23.02" in words_for(finding).title  # fmt: skip


def test_amazon_linux_2_glibc_2_26_blocks_2_6_s_cu126_build_not_its_cu124(
    releases: list[Release],
) -> None:
    # attack12c M7 asked for glibc-below-floor on 2.6.0 cu124; the profile holds that 2.6's cu118 /
    # cu124 builds were made on the manylinux2014 image (glibc 2.17: pytorch/pytorch PR #141565
    # 'Use Manylinux2014 for CPU, CUDA11.8, CUDA12.4'), and only cu126 is manylinux_2_28. So
    # Python 3.8 is the blocker there, and glibc for cu126.
    facts = facts_of(AL2)
    assert facts.os.glibc == "2.26"
    cu124 = check_command("pip install torch==2.6.0 --index-url https://download.pytorch.org/whl/cu124", facts, releases)  # fmt: skip
    assert cu124.ids("error") == ["python-outside-range"]
    cu126 = check_command("pip install torch==2.6.0 --index-url https://download.pytorch.org/whl/cu126", facts, releases)  # fmt: skip
    assert {"glibc-below-floor", "python-outside-range"} <= set(cu126.ids("error"))
    assert cu126.suggested_build == {"torch_release": "2.4", "variant": "cu121"}


@pytest.mark.parametrize(
    "text",
    [
        "pip install torch",
        "pip install torch==2.6.0 --index-url https://download.pytorch.org/whl/cu124",
    ],
)
def test_where_install_refuses_no_fix_sends_the_user_to_it(
    releases: list[Release], text: str
) -> None:
    # attack12c hosts 16 / 24: glibc 2.17-2.27 and Python 3.6/3.7: no release resolves, so a fix
    # of "envsetup install (it picks the newest release ...)" is refused when followed, and the
    # Python verdict's fix was the glibc refusal's sentence.
    from install.machines import make_facts

    facts = make_facts(glibc="2.27", python="3.7.3", driver="418.67", driver_cuda="10.1")
    report = check_command(text, facts, releases)
    assert report.suggestion.resolution is None
    for finding in report.findings:
        if finding.severity in ("error", "warning"):
            fix = words_for(finding).fix or ""
            assert "envsetup install" not in fix, (finding.id, fix)
    python = report.finding("python-outside-range")
    assert python is not None and "use a Python in" in (words_for(python).fix or "")


def test_doctor_s_torch_not_installed_on_a_jetson_install_refuses_names_nvidia_s_wheels() -> None:
    from envsetup.diagnose import diagnose

    finding = next(f for f in diagnose(facts_of(NANO)) if f.id == "torch-not-installed")
    assert finding.params["install_refused"] == "jetson-no-index"
    fix = words_for(finding).fix or ""
    assert (
        "envsetup install --cuda auto" not in fix and "NVIDIA's torch wheels for JetPack 4" in fix
    )
