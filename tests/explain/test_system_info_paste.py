"""explain takes collect_env's CPU, compiler and package facts into system_info (the facts doctor
reports of a live machine): lscpu's block (English and zh_CN), macOS's brand string, Windows'
wmic lines, "GCC version:" and "Clang version:", the "[pip3]"/"[conda]" lines. Real pastes only
(tests/fixtures/*/SOURCES.tsv)."""

from __future__ import annotations

import pytest

from envsetup.explain.run import explain
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from explain.corpus import FIXTURES, text
from hostbuilder import HostSpec

ARCH = FIXTURES / "system_info" / "collect-env-arch-linux-ryzen9-7950x-lscpu.txt"
PASTES = FIXTURES / "paste" / "collect-env"


@pytest.mark.parametrize(
    "path, model, count",
    [
        (ARCH, "AMD Ryzen 9 7950X 16-Core Processor", 32),
        # lscpu in zh_CN: "型号名称：" and "CPU：", full-width colons
        (PASTES / "ext-collect-env-chinese-lscpu.txt", "13th Gen Intel(R) Core(TM) i7-13700", 24),
        # Windows: wmic's Name= line; no logical CPU count there
        (
            PASTES / "windows11-torch2.0.1-cu117-gtx1050ti-cudnn-dll-partial.txt",
            "Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz",
            None,
        ),
        # macOS: sysctl -n machdep.cpu.brand_string, one line
        (
            FIXTURES / "collect_env" / "macos-x86_64-torch2.2.2.txt",
            "Intel(R) Core(TM) i9-9880H CPU @ 2.30GHz",
            None,
        ),
        # the paste was cut after lscpu's first lines: nothing stated, nothing guessed
        (PASTES / "ext-vllm-collect-env-8xa100-centos7.txt", "", None),
    ],
)
def test_the_cpu_block(path, model: str, count) -> None:
    info = explain(text(path), None).facts.system_info
    assert (info.cpu_model, info.cpu_count) == (model, count)
    assert info.cpu_source.startswith("paste:") == bool(model)


def test_compilers_and_packages() -> None:
    result = explain(text(ARCH), None)
    info = result.facts.system_info
    assert [(c.name, c.family, c.version, c.banner) for c in info.compilers] == [
        ("gcc", "gcc", "13.2.1", "gcc (GCC) 13.2.1 20230801")  # "Clang: Could not collect"
    ]
    assert info.packages["numpy"] == "1.26.4" and info.packages["torchsummary"] == "1.5.1"
    assert info.packages["pytorch-cuda"] == "12.1"  # a [conda] line
    assert "mkl" not in info.packages and "blas" not in info.packages  # not collect_env's pip list
    wsl = explain(text(FIXTURES / "collect_env" / "wsl2-torch2.4.0-cu121-rtx4070-laptop.txt"), None)
    assert [(c.name, c.version) for c in wsl.facts.system_info.compilers] == [
        ("gcc", "11.4.0"),
        ("clang", "14.0.0"),  # "Clang version: 14.0.0-1ubuntu1.1"
    ]


def test_a_paste_of_another_environment_drops_the_hosts_packages(tmp_path) -> None:
    # the paste's machine (Arch, its kernel and glibc), another interpreter than the paste's
    spec = HostSpec(release="6.8.2-arch2-1", libc="glibc 2.39", python_version="3.12.3")
    spec.files["/etc/os-release"] = 'NAME="Arch Linux"\nID=arch\n'
    spec.nvml = {
        "driver_version": "550.67",
        "cuda_driver_version": 12040,
        "devices": [{"index": 0, "name": "NVIDIA GeForce RTX 3060 Ti"}],
    }
    spec.markers.append("/dev/nvidiactl")
    spec.dirs.append("/usr/lib/python3/dist-packages/triton-3.1.0.dist-info")
    host: Facts = probe_all(RecordedHost(spec.write(tmp_path / "host")))
    assert host.system_info.packages == {"triton": "3.1.0"}
    # collect_env from a conda Python 3.12 (not the host's 3.12.3 at /usr/bin/python3)
    result = explain(text(ARCH), host)
    assert not result.host_set_aside  # the same machine: only its environment is another
    info = result.facts.system_info
    assert "triton" not in info.packages and info.packages["numpy"] == "1.26.4"


def test_the_report_names_these_facts_for_people() -> None:
    from envsetup.render.explain_text import fact_label

    result = explain(text(ARCH), None)
    assert result.fact_sources["system_info.cpu_model"] == result.facts.system_info.cpu_source
    labels = {fact_label(path) for path in result.fact_sources if path.startswith("system_info")}
    assert labels == {"CPU", "CPU count", "compilers", "libraries"}
