"""explain's fix for "Torch not compiled with CUDA enabled" (a real traceback: detectron2 #460,
tests/fixtures/torch-errors/SOURCES.tsv) says "install a CUDA build" only where `--cuda auto`
would install one. Where it picks the CPU build (no NVIDIA GPU or driver seen), it says why and
what would give one; where it picks a ROCm build (an AMD GPU on Linux), it says so; on macOS, MPS.
The rule (diagnose/install_target.py, auto_not_cuda) agrees with the resolver's own choice for
`--cuda auto` on every recorded host."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envsetup.compat.machine import machine_from_facts
from envsetup.diagnose.install_target import auto_not_cuda
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.resolve.quick import resolve_quickly
from envsetup.resolve.request import InstallRequest
from envsetup.resolve.resolution import ResolutionRefused
from hostbuilder import FIXTURES, HostSpec, case_host, host_name, recorded_host_dirs
from scripts import run_envsetup

PASTE = FIXTURES / "torch-errors" / "not-compiled-with-cuda-check-driver.txt"


def explained(*args: str) -> dict:
    out = run_envsetup("explain", "--json", *args, str(PASTE))
    assert out.returncode == 1, out.stderr
    return next(f for f in json.loads(out.stdout)["findings"] if f["id"] == "torch-not-compiled-with-cuda")  # fmt: skip


@pytest.mark.parametrize("host", recorded_host_dirs(), ids=host_name)
def test_the_rule_agrees_with_the_resolvers_auto(host: Path) -> None:
    facts = probe_all(RecordedHost(str(host)))
    try:
        variant = resolve_quickly(InstallRequest(), facts).variant
    except ResolutionRefused:
        variant = "refused"  # an NVIDIA machine no CUDA build runs on: not a CPU choice
    code = auto_not_cuda(facts).get("auto_not_cuda")
    # A refusal for another reason (hosts/docker-without-gpus-torch1.4: glibc 2.27, Python 3.6)
    # on a machine without NVIDIA keeps the rule's "no NVIDIA here".
    refused = {None} if machine_from_facts(facts, strict=False).has_nvidia else {"no-nvidia"}
    expected = {"cpu": {"no-nvidia", "macos"}, "refused": refused}.get(
        variant, {"amd"} if variant.startswith("rocm") else {None}
    )
    assert code in expected, (variant, code)


def test_no_nvidia_here_says_why_and_what_would(tmp_path: Path) -> None:
    found = explained("--replay", str(case_host("ci-debian12-cuda13-no-driver")))
    assert found["params"]["auto_not_cuda"] == "no-nvidia"
    assert not found["fix"].startswith("Install a CUDA build")
    assert "No NVIDIA GPU or driver is visible here" in found["fix"]
    assert "`--cuda auto` would install the CPU build again" in found["fix"]
    assert (
        "install its driver first" in found["fix"] and "pass its CUDA with --cuda" in found["fix"]
    )


def test_an_nvidia_machine_keeps_install_a_cuda_build() -> None:
    found = explained("--replay", str(case_host("07-fabricmanager-802-h100")))
    assert "auto_not_cuda" not in found["params"]
    assert found["fix"].startswith("Install a CUDA build: `envsetup install --cuda auto")


def test_an_amd_gpu_gets_the_rocm_build() -> None:
    found = explained("--replay", str(case_host("10-rocm-rx6700xt-gfx1031")))
    assert (found["params"]["auto_not_cuda"], found["params"]["gfx"]) == ("amd", ["gfx1031"])
    assert "a ROCm build does, and `--cuda auto` picks it" in found["fix"]


def test_macos_is_told_mps(tmp_path: Path) -> None:
    # A macOS host built by hand (hostbuilder): Darwin, Apple silicon.
    spec = HostSpec(system="Darwin", release="23.4.0", machine="arm64", libc="")
    found = explained("--replay", spec.write(tmp_path / "mac"))
    assert found["params"]["auto_not_cuda"] == "macos" and "torch.device('mps')" in found["fix"]


def test_without_a_host_the_fix_is_as_before() -> None:
    found = explained("--no-host")
    assert "auto_not_cuda" not in found["params"]
    assert found["fix"].startswith("Install a CUDA build: `envsetup install --cuda auto")
