"""pip fetching torch's wheel (signal pip-torch-wheel): the build it is, from its local version or,
for PyPI's file, from the profiles' pypi_default; on a GPU machine a CPU wheel is doctor's
torch-cpu-only-on-gpu-host (the kind behind cases 03 and 04). Real log: pytorch/pytorch.github.io
#1687 (paste/SOURCES.tsv); the host: case 03's GB200 recording."""

from __future__ import annotations

from pathlib import Path

from envsetup.explain.run import explain
from envsetup.host.recorded import RecordedHost
from envsetup.parsers.signals import classify, lines_of
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from hostbuilder import case_host

PASTE = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "paste"
    / "pip-download-torch-2.4.0-manylinux2014-aarch64-pytorch-github-io1687.txt"
).read_text(encoding="utf-8")


def test_pypi_s_aarch64_wheel_on_a_gpu_machine_is_a_cpu_build_there() -> None:
    host = probe_all(RecordedHost(str(case_host("03-aarch64-gb200-pypi-cpu-wheel"))))
    result = explain(PASTE, host, lookup_build)
    assert (result.facts.torch.version, result.facts.torch.flavor) == ("2.4.0", "cpu")
    (finding,) = [f for f in result.findings if f.id == "torch-cpu-only-on-gpu-host"]
    assert finding.severity == "error"
    assert finding.params["torch"] == "2.4.0" and finding.params["pypi_build"] == "cpu"
    assert finding.params["platform_key"] == "linux-aarch64"


def test_another_index_s_wheel_is_read_by_its_local_version() -> None:
    # pytorch/pytorch #160425 (malfet's comment): the nightly cu129 aarch64 wheel, by address.
    line = (
        "  Downloading https://download.pytorch.org/whl/nightly/cu129/torch-2.9.0.dev20250814%2B"
        "cu129-cp310-cp310-manylinux_2_28_aarch64.whl (3422.6 MB)\n"
    )
    (signal,) = classify(lines_of(line))
    assert signal.params == {
        "version": "2.9.0.dev20250814+cu129",
        "python": "cp310",
        "platform": "manylinux_2_28_aarch64",
        "pypi": False,
        "index_host": "download.pytorch.org",
    }
    facts = explain(line, None, lookup_build).facts
    assert (facts.torch.flavor, facts.torch.cuda_version) == ("cuda", "12.9")


def test_a_pypi_mirrors_wheel_is_pypis_file() -> None:
    # opendatalab/MinerU #240: mirrors.aliyun.com serves PyPI's files unchanged (attack12b M1).
    line = (
        "  Using cached https://mirrors.aliyun.com/pypi/packages/85/fc/ee5bb50eff313149657f173b003"
        "649677e27fa3aaae1ecc806add37f017c/torch-2.3.1-cp310-cp310-win_amd64.whl (159.8 MB)\n"
    )
    (signal,) = classify(lines_of(line))
    assert signal.params["pypi"] is True and signal.params["index_host"] == "mirrors.aliyun.com"
    facts = explain(line, None, lookup_build).facts
    assert (facts.torch.version, facts.torch.flavor) == ("2.3.1", "cpu")
