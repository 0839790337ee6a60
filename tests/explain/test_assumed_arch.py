"""explain assumes Linux x86_64 for a paste that states Linux and a torch build but no
architecture only where envsetup's profiles hold that build for x86_64 alone, and says so in the
fact's source and in each finding's evidence (explain/assumed_arch.py).

The paste is real (tests/fixtures/paste/env-report/SOURCES.tsv: an RTX 5090 with torch
2.5.0+cu121, "Operating System: Ubuntu 20.04", no architecture); the variants below are edited
from it by hand, each saying how."""

from __future__ import annotations

from envsetup.explain.run import explain
from envsetup.profiles.lookup import lookup_build
from hostbuilder import fixture_text

PASTE = fixture_text("paste/env-report/readfix-bare-keys-rtx5090-torch250-mir35.txt")
ARCH = "gpu-arch-not-in-torch-build"


def test_the_only_architecture_of_a_linux_cuda_build_is_assumed_and_said() -> None:
    result = explain(PASTE, None, lookup_build)
    assert result.facts.os.arch == "x86_64"
    assert result.fact_sources["os.arch"].startswith("assumed: x86_64")
    assert result.fact_sources["os.arch"].endswith("paste:2")  # the torch version's line
    found = {f.id: f for f in result.findings}
    assert found[ARCH].params["sms"] == ["sm_120"]
    assert any(line.startswith("machine assumed: x86_64") for line in found[ARCH].evidence)


def test_a_build_both_architectures_have_is_no_ground_for_an_assumption() -> None:
    # Edited: 2.5.0+cu124, which PyTorch also built for Linux aarch64 (profiles/torch-2.5.toml).
    result = explain(PASTE.replace("+cu121", "+cu124"), None, lookup_build)
    assert result.facts.os.arch == ""
    assert "os.arch" not in result.fact_sources
    assert ARCH not in {f.id for f in result.findings}


def test_without_a_stated_linux_nothing_is_assumed() -> None:
    # Edited: the "Operating System" line removed (Windows has cu121 builds too).
    result = explain(PASTE.replace("Operating System: Ubuntu 20.04", ""), None, lookup_build)
    assert result.facts.os.arch == ""
    assert ARCH not in {f.id for f in result.findings}


def test_an_unlabelled_version_is_no_ground_either() -> None:
    # Edited: "2.5.0" (PyPI's build: CUDA on x86_64, CPU on aarch64 in 2.5).
    result = explain(PASTE.replace("2.5.0+cu121", "2.5.0"), None, lookup_build)
    assert result.facts.os.arch == ""


def test_a_stated_architecture_is_never_replaced() -> None:
    paste = fixture_text("collect_env/linux-torch2.3.1-cu121-8x-h100-nvidia-kernel-cudnn8.9.6.txt")
    result = explain(paste, None, lookup_build)
    assert result.facts.os.arch == "x86_64"
    assert result.fact_sources["os.arch"].startswith("paste:")
