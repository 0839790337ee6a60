"""doctor's CUDA row names each of the three CUDA versions by what it means, and says what is
missing ("no NVIDIA driver", "no toolkit", "CPU build (no CUDA)") instead of "n/a" (issue 12).

The hosts are the recorded real machines in tests/fixtures (cases' PROVENANCE.md, hosts'
SOURCES.tsv); the variations on them change one fact of a real host's probed facts, to reach the
kinds no recording holds (two toolkits, a macOS build, a driver whose CUDA is unknown)."""

from __future__ import annotations

import copy
import io
import json

import pytest

from envsetup.diagnose import diagnose
from envsetup.facts import CudaToolkit, Facts
from envsetup.host.recorded import RecordedHost
from envsetup.model.compute_platform import TorchFlavor
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from envsetup.render.doctor_text import cuda_versions, render_doctor
from hostbuilder import case_host, host_name, recorded_host_dirs
from scripts import run_envsetup

# What each recorded host's CUDA row says: its driver's CUDA, its toolkits, its torch's build.
EXPECTED = {
    "ci-debian12-cuda13-no-driver": (
        "no NVIDIA driver · toolkit 13.0.88 · torch: CPU build (no CUDA)"
    ),
    "02-ldpath-nvjitlink-cuda121": "no NVIDIA driver · toolkit 12.1.105 · torch built for 12.4",
    "03-aarch64-gb200-pypi-cpu-wheel": (
        "driver supports up to 12.8 · no toolkit · torch: CPU build (no CUDA)"
    ),
    "04-windows-pypi-cpu-wheel-rtx4080": (
        "driver supports up to 12.4 · toolkit 12.4.99 · torch: CPU build (no CUDA)"
    ),
    "gb10-dgx-spark-torch29-arch-warning": (
        "driver supports up to 13.0 · no toolkit · torch built for 13.0"
    ),
    "05-jetson-orin-pypi-cpu-wheel": (
        "driver part of L4T · toolkit 12.6.68 · torch: CPU build (no CUDA)"
    ),
    "07-fabricmanager-802-h100": "driver supports up to 12.2 · no toolkit · torch built for 12.4",
    "09-nvcc101-vs-torch-cu111-rtx3090": (
        "driver supports up to 11.2 · toolkit 10.1.243 · torch built for 11.1"
    ),
    "24-cuda-home-colon-list-apex": (
        "driver supports up to 10.1 · toolkit 10.1.168 · torch built for 10.0"
    ),
    "10-rocm-rx6700xt-gfx1031": (
        "no NVIDIA driver · no toolkit · torch built for ROCm 5.1.20531-cacfa990 (no CUDA)"
    ),
    "docker-without-gpus-torch1.4": "no NVIDIA driver · no toolkit · torch built for 10.1",
    # attack12c hosts 05, 15, 16 (refusefix): no torch installed
    "agx-orin-r39.2-jp7.2-no-torch": "driver part of L4T · no toolkit · no torch",
    "alpine-musl-python3.7-no-torch": "no NVIDIA driver · no toolkit · no torch",
    "centos7-glibc2.17-python3.6-8xh100": "driver supports up to 12.3 · toolkit 12.3.52 · no torch",
    # The driver's branch (460) says 11.2; nvidia-smi's 'CUDA Version: N/A' is driver-cuda-unusable.
    "k8s-pod-cuda-version-na": "driver supports up to 11.2 · no toolkit · torch built for 11.1",
    "11-rocm-780m-gfx1103-therock-torch2.7": (
        "no NVIDIA driver · no toolkit · torch built for ROCm 7.0.0 (no CUDA)"
    ),
    "12-rocm-780m-gfx1103-override-11.0.0": (
        "no NVIDIA driver · no toolkit · torch built for ROCm 7.0.0 (no CUDA)"
    ),
}


def _text(facts: Facts) -> str:
    from rich.console import Console

    out = io.StringIO()
    render_doctor(
        Console(file=out, width=200, highlight=False, color_system=None),
        facts,
        diagnose(facts, lookup_build),
        verbose=False,
    )
    return out.getvalue()


@pytest.mark.parametrize("host", recorded_host_dirs(), ids=host_name)
def test_each_recorded_host_has_a_cuda_row_in_words_and_no_na(host) -> None:  # type: ignore[no-untyped-def]
    facts = probe_all(RecordedHost(str(host)))
    text = _text(facts)
    rows = [line for line in text.splitlines() if line[3:].startswith("CUDA  ")]
    assert len(rows) == 1, text
    assert rows[0][3:].split(None, 1)[1] == EXPECTED[host_name(host)]
    assert "n/a" not in text and "Three CUDAs" not in text


def test_every_recorded_host_is_expected() -> None:
    """A recorded host added later must say what its CUDA row reads (else it is not checked)."""
    assert {host_name(h) for h in recorded_host_dirs()} == set(EXPECTED)


def _ci_facts() -> Facts:
    return probe_all(RecordedHost(str(case_host("ci-debian12-cuda13-no-driver"))))


def test_a_cpu_build_says_so_in_the_pytorch_section_too() -> None:
    text = _text(_ci_facts())
    assert "torch          2.13.0+cpu, CPU build (no CUDA)" in text
    assert "[cpu]" not in text


def test_two_toolkits_and_one_of_unknown_version() -> None:
    facts = _ci_facts()
    facts.cuda.toolkits.append(CudaToolkit(path="/usr/local/cuda-11.8", version="11.8.89"))
    assert "toolkits 11.8.89, 13.0.88" in cuda_versions(facts)
    facts.cuda.toolkits = [CudaToolkit(path="/opt/cuda")]
    assert "toolkit of unknown version" in cuda_versions(facts)


@pytest.mark.parametrize(
    ("flavor", "words"),
    [
        (TorchFlavor.MACOS, "torch: macOS build (CPU and MPS, no CUDA)"),
        (TorchFlavor.XPU, "torch: Intel XPU build (no CUDA)"),
        (TorchFlavor.UNKNOWN, "torch: build unknown"),
        (TorchFlavor.CUDA, "torch: CUDA build (CUDA version unknown)"),
    ],
)
def test_each_torch_build_kind_is_named(flavor: TorchFlavor, words: str) -> None:
    facts = _ci_facts()
    facts.torch.flavor = flavor
    assert words in cuda_versions(facts)


def test_no_torch_and_a_driver_without_its_cuda() -> None:
    facts = copy.deepcopy(_ci_facts())
    facts.torch.version = None
    facts.torch.flavor = TorchFlavor.NONE
    facts.nvidia.driver_version = "550.54.14"
    assert cuda_versions(facts) == "driver's highest CUDA unknown · toolkit 13.0.88 · no torch"


def test_the_json_keeps_its_values() -> None:
    """The words are the human view's; the facts document still says cpu and null."""
    result = run_envsetup(
        "doctor", "--replay", str(case_host("ci-debian12-cuda13-no-driver")), "--json"
    )
    torch = json.loads(result.stdout)["data"]["facts"]["torch"]
    assert (torch["flavor"], torch["cuda_version"]) == ("cpu", None)
    text = run_envsetup(
        "doctor", "--replay", str(case_host("ci-debian12-cuda13-no-driver")), env={"COLUMNS": "200"}
    )
    assert "torch: CPU build (no CUDA)" in text.stdout
