"""An --index-url / --extra-index-url check-command does not know: a mirror of PyPI, a mirror of
PyPI's per-build indexes (read by its trailing compute platform), or an index whose URL names no
build (said to be unknown, never taken for "no index URL").

The mirror URLs are real, each as a public page uses it (the same sources as
envsetup/model/package_index.py): Aliyun .../pytorch-wheels/cu121/ (ComfyUI docs, "Torch Mirror",
https://docs.comfy.org/installation/desktop/windows), SJTU .../pytorch-wheels/cu113 as
--extra-index-url (sjtug/mirror-requests #288, https://github.com/sjtug/mirror-requests/issues/288),
NJU .../pytorch/whl/cu130/ (https://github.com/Moeblack/AnimaImagineSkill README), TUNA's PyPI
mirror https://pypi.tuna.tsinghua.edu.cn/simple (tuna/issues #1050,
https://github.com/tuna/issues/issues/1050). The company devpi URL is made up here, as such an
index's URL is (its host is the example domain); the machines are built by make_facts, as the
other check-command tests build them, and case 09's recorded host is replayed as recorded.
"""

from __future__ import annotations

import pytest

from envsetup.command_check.check import check_command
from envsetup.command_check.simulate import DecidedBy
from envsetup.errors import UsageError
from envsetup.install.index_url import as_index_location, effective_index_url
from envsetup.model.package_index import IndexKind, read_index_url
from envsetup.profiles.loader import Release
from envsetup.render.finding_words import words_for
from hostbuilder import FIXTURES
from install.machines import make_facts
from scripts import run_envsetup

ALIYUN_CU118 = "https://mirrors.aliyun.com/pytorch-wheels/cu118"
SJTU_CU113 = "https://mirror.sjtu.edu.cn/pytorch-wheels/cu113"
NJU_CU130 = "https://mirror.nju.edu.cn/pytorch/whl/cu130/"
TUNA_PYPI = "https://pypi.tuna.tsinghua.edu.cn/simple"
DEVPI = "https://devpi.example.com/root/prod/+simple/"
# Case 09's machine: driver 460.73.01 (CUDA <= 11.2), an RTX 3090.
OLD_DRIVER = {"driver": "460.73.01", "driver_cuda": "11.2", "gpus": [("NVIDIA GeForce RTX 3090", "8.6")], "python": "3.8.10"}  # fmt: skip
CASE_09 = FIXTURES / "cases" / "09-nvcc101-vs-torch-cu111-rtx3090" / "host"


@pytest.mark.parametrize(
    ("url", "kind", "platform", "prerelease"),
    [
        ("https://download.pytorch.org/whl/cu121", IndexKind.PYTORCH, "cu121", False),
        ("https://download.pytorch.org/whl/nightly/cu128", IndexKind.PYTORCH, "cu128", True),
        (
            "https://download.pytorch.org/whl/cu118/torch_stable.html",
            IndexKind.PYTORCH,
            "cu118",
            False,
        ),
        ("https://download.pytorch.org/whl", IndexKind.PYTORCH, None, False),  # every build
        (ALIYUN_CU118, IndexKind.PYTORCH_MIRROR, "cu118", False),
        (
            "https://mirrors.aliyun.com/pytorch-wheels/cu121/",
            IndexKind.PYTORCH_MIRROR,
            "cu121",
            False,
        ),
        (SJTU_CU113, IndexKind.PYTORCH_MIRROR, "cu113", False),
        (NJU_CU130, IndexKind.PYTORCH_MIRROR, "cu130", False),
        ("http://192.168.1.16:3320/pytorch/whl/cu128", IndexKind.PYTORCH_MIRROR, "cu128", False),
        (
            "https://proxy.example.com/whl/rocm6.2/simple/",
            IndexKind.PYTORCH_MIRROR,
            "rocm6.2",
            False,
        ),
        ("https://proxy.example.com/whl/nightly/cpu", IndexKind.PYTORCH_MIRROR, "cpu", True),
        (TUNA_PYPI, IndexKind.PYPI, None, False),
        ("https://mirrors.aliyun.com/pypi/simple/", IndexKind.PYPI, None, False),
        ("https://pypi.org/simple", IndexKind.PYPI, None, False),
        (DEVPI, IndexKind.UNKNOWN, None, False),
        ("https://mirrors.aliyun.com/pytorch-wheels/", IndexKind.UNKNOWN, None, False),
        ("https://pypi.jetson-ai-lab.io/jp6/cu126", IndexKind.JETSON, None, False),
    ],
)
def test_an_index_url_is_read_by_its_trailing_compute_platform(
    url: str, kind: IndexKind, platform: str, prerelease: bool
) -> None:
    reading = read_index_url(url)
    assert (reading.kind, reading.platform, reading.prerelease) == (kind, platform, prerelease)


def test_a_pytorch_mirror_index_decides_the_build_as_pytorchs_own_does(
    releases: list[Release],
) -> None:
    """The reviewer's command: Aliyun's cu118 on a 460 driver installs cu118, which runs there;
    before, the URL was ignored and PyPI's cu121 judged too new for the driver."""
    report = check_command(f"pip install torch==2.4.1 --index-url {ALIYUN_CU118}", make_facts(**OLD_DRIVER), releases)  # type: ignore[arg-type]  # fmt: skip
    assert (report.pick["build"], report.pick["decided_by"]) == ("cu118", "index-url")
    assert not report.has_problems
    same = check_command("pip install torch==2.4.1 --index-url https://download.pytorch.org/whl/cu118", make_facts(**OLD_DRIVER), releases)  # type: ignore[arg-type]  # fmt: skip
    assert same.pick == report.pick and same.ids() == report.ids()


def test_a_mirrors_build_is_judged_against_the_machine(releases: list[Release]) -> None:
    """NJU's cu130 on the 460 driver: the build the URL names is the one judged."""
    report = check_command(f"pip install torch==2.9.1 --index-url {NJU_CU130}", make_facts(**OLD_DRIVER), releases)  # type: ignore[arg-type]  # fmt: skip
    assert report.pick["build"] == "cu130"
    assert "driver-below-floor" in report.ids("error")


def test_a_mirror_as_extra_index_is_the_extra_index_it_mirrors(releases: list[Release]) -> None:
    """sjtug/mirror-requests #288's form (a mirror's per-build index as --extra-index-url beside
    PyPI), with Aliyun's cu118: the extra index's build, and the extra-index-url warning that
    PyTorch's own index as the extra gets."""
    report = check_command(f"pip install torch==2.4.1 --extra-index-url {ALIYUN_CU118}", make_facts(**OLD_DRIVER), releases)  # type: ignore[arg-type]  # fmt: skip
    official = check_command("pip install torch==2.4.1 --extra-index-url https://download.pytorch.org/whl/cu118", make_facts(**OLD_DRIVER), releases)  # type: ignore[arg-type]  # fmt: skip
    assert report.pick["build"] == "cu118" and report.pick["decided_by"] == "extra-index-url"
    assert report.ids() == official.ids() and "extra-index-url" in report.ids()


def test_a_pypi_mirror_is_pypi_and_is_named_not_called_no_index(releases: list[Release]) -> None:
    report = check_command(f"pip install torch==2.4.1 -i {TUNA_PYPI}", make_facts(**OLD_DRIVER), releases)  # type: ignore[arg-type]  # fmt: skip
    assert report.pick["decided_by"] == "pypi-default" and report.pick["build"] == "cu121"
    finding = report.finding("pypi-default-build")
    assert finding is not None and finding.params["index_url"] == TUNA_PYPI
    title = words_for(finding).title
    assert "no index URL" not in title and TUNA_PYPI in title and "mirrors PyPI" in title


@pytest.mark.parametrize("option", ["--index-url", "--extra-index-url"])
def test_an_index_that_names_no_build_is_said_to_be_unknown(
    releases: list[Release], option: str
) -> None:
    """A company devpi: not PyPI's default build (the old reading), not judged as one: the
    command is said to install a build envsetup cannot tell, and the driver verdict on PyPI's
    cu121 is not made."""
    report = check_command(f"pip install torch==2.4.1 {option} {DEVPI}", make_facts(**OLD_DRIVER), releases)  # type: ignore[arg-type]  # fmt: skip
    assert report.pick["decided_by"] == DecidedBy.UNKNOWN_INDEX.value and report.pick["build"] is None  # fmt: skip
    assert report.ids("warning") == ["index-url-unknown"]
    assert "pypi-default-build" not in report.ids() and "driver-below-floor" not in report.ids()
    finding = report.finding("index-url-unknown")
    assert finding is not None and finding.params["urls"] == [DEVPI]
    title = words_for(finding).title
    assert "cannot tell which build" in title and DEVPI in title and "no index URL" not in title
    assert report.suggested_build["variant"] == "cu118"  # Instead still resolves for the machine


def test_a_local_label_decides_the_build_whatever_the_index(releases: list[Release]) -> None:
    report = check_command(f"pip install torch==2.4.1+cu118 -i {DEVPI}", make_facts(**OLD_DRIVER), releases)  # type: ignore[arg-type]  # fmt: skip
    assert report.pick["build"] == "cu118" and "index-url-unknown" not in report.ids()


def test_case_09_replayed_with_aliyuns_mirror() -> None:
    """The CLI on case 09's recorded host (the reviewer's exact command)."""
    result = run_envsetup(
        "check-command", "--replay", str(CASE_09),
        f"pip install torch==2.4.1 --index-url {ALIYUN_CU118}",
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "the cu118 build" in result.stdout and "no index URL" not in result.stdout


def test_install_reads_index_urls_the_same_way() -> None:
    """install's --index-url-base moves only PyTorch's own index (read by the same function),
    and refuses a base that is already one build's index (it would make .../cu118/cu121)."""
    base = "https://mirrors.aliyun.com/pytorch-wheels"
    assert effective_index_url("https://download.pytorch.org/whl/cu121", "cu121", base) == f"{base}/cu121"  # fmt: skip
    assert effective_index_url(NJU_CU130, "cu130", base) == NJU_CU130.rstrip("/")
    with pytest.raises(UsageError, match=r"one build \(cu118\).*pytorch-wheels$"):
        as_index_location(ALIYUN_CU118)
    assert as_index_location(base + "/") == base
