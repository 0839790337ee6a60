"""musl and old glibc: the C library decides which PyTorch wheels run (doctor, install and
check-command judge it with one rule, envsetup.compat.assess), on recorded hosts (tests/libc_hosts.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from envsetup.command_check.check import check_command
from envsetup.compat.machine import machine_from_facts
from envsetup.compat.verdicts import VerdictCode
from envsetup.diagnose import diagnose
from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.host.live import LiveHost
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.probe.system import probe_os
from envsetup.profiles.loader import Release
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from envsetup.resolve.request import InstallRequest
from envsetup.resolve.resolution import RefusalCode, ResolutionRefused
from envsetup.resolve.resolver import resolve_for_machine
from hostbuilder import FIXTURES, HostSpec
from libc_hosts import OLD_GLIBC, alpine, centos7, debian_with_musl_package, with_torch


def _facts(spec: HostSpec, tmp_path: Path) -> Facts:
    return probe_all(RecordedHost(spec.write(tmp_path / "host")))


def _envsetup(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "envsetup", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "COLUMNS": "300"},
    )


# ----------------------------------------------------------------------------- reading the libc


def test_musl_is_read_from_its_loader_when_the_recording_names_no_libc(tmp_path: Path) -> None:
    os_ = _facts(alpine(), tmp_path).os
    assert (os_.distro_id, os_.glibc, os_.musl) == ("alpine", None, "")


def test_musl_is_read_with_its_version_when_the_recording_names_it(tmp_path: Path) -> None:
    assert _facts(alpine(libc="musl 1.2"), tmp_path).os.musl == "1.2"


def test_musl_s_loader_beside_glibc_is_a_glibc_system(tmp_path: Path) -> None:
    os_ = _facts(debian_with_musl_package(), tmp_path).os
    assert (os_.glibc, os_.musl) == ("2.36", None)


def test_this_machine_is_read_live_as_glibc() -> None:
    # The live host (this test machine, Debian with glibc) through the same probe.
    os_ = probe_os(LiveHost(), [])
    if not sys.platform.startswith("linux") or os_.glibc is None:
        pytest.skip("not a glibc Linux")
    assert os_.musl is None


# ----------------------------------------------------------------------------- musl


def test_install_refuses_every_release_on_musl_naming_the_libc_and_the_fix(
    tmp_path: Path, releases: list[Release]
) -> None:
    machine = machine_from_facts(_facts(alpine(), tmp_path))
    with pytest.raises(ResolutionRefused) as refused:
        resolve_for_machine(InstallRequest(), machine, releases)
    assert refused.value.code is RefusalCode.NO_RELEASE_FITS
    cause = refused.value.cause
    assert cause is not None and cause.code is VerdictCode.MUSL_LIBC
    # A pinned release is refused for the same reason, with nothing else to try.
    with pytest.raises(ResolutionRefused) as pinned:
        resolve_for_machine(InstallRequest(torch="2.5"), machine, releases)
    assert pinned.value.code is VerdictCode.MUSL_LIBC and not pinned.value.alternatives


def test_install_on_musl_is_one_line_with_a_non_zero_exit(tmp_path: Path) -> None:
    host = alpine().write(tmp_path / "host")
    out = _envsetup("install", "--dry-run", "--replay", host, "--env", str(tmp_path / "env"))
    assert out.returncode != 0 and "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("envsetup: cannot install:")
    assert "musl libc" in lines[0] and "need glibc ≥ 2.28" in lines[0]
    assert "python:3.X-slim rather than -alpine" in lines[0]


def test_doctor_and_check_command_say_the_same_on_musl(
    tmp_path: Path, releases: list[Release]
) -> None:
    facts = _facts(alpine(), tmp_path)
    doctor = [f for f in diagnose(facts, lookup_build) if f.id == "musl-libc"]
    assert len(doctor) == 1 and doctor[0].severity == "error"
    assert doctor[0].evidence[0] == "Alpine Linux 3.23.2: musl"
    report = check_command("pip install torch", facts, releases)
    said = report.finding("musl-libc")
    assert said is not None and said.severity == "error"
    # One verdict, one title, whichever command judged it.
    assert words_for(doctor[0]).title == words_for(said).title
    assert "musl" in words_for(said).title and "manylinux" in words_for(said).title
    assert "glibc-based" in words_for(doctor[0]).fix


# ----------------------------------------------------------------------------- old glibc


@pytest.mark.parametrize("name", sorted(OLD_GLIBC))
def test_install_picks_the_newest_release_whose_wheels_run_on_this_glibc(
    name: str, tmp_path: Path, releases: list[Release]
) -> None:
    # 2.0–2.5 run on glibc 2.17 (manylinux2014 image); 2.6 and later need 2.28 (manylinux_2_28).
    machine = machine_from_facts(_facts(OLD_GLIBC[name](), tmp_path))
    plan = resolve_for_machine(InstallRequest(), machine, releases)
    assert plan.torch_release == "2.5"
    assert any(v.code is VerdictCode.GLIBC_OK for v in plan.verdicts)


@pytest.mark.parametrize("name", sorted(OLD_GLIBC))
def test_a_pinned_release_this_glibc_cannot_run_is_refused_with_one_that_can(
    name: str, tmp_path: Path
) -> None:
    host = OLD_GLIBC[name]().write(tmp_path / "host")
    out = _envsetup(
        "install", "--dry-run", "--replay", host, "--torch", "2.14", "--env", str(tmp_path / "e")
    )
    assert out.returncode != 0 and "Traceback" not in out.stderr
    line = out.stderr.strip()
    assert "torch 2.14 wheels for linux-x86_64 need glibc ≥ 2.28" in line
    assert "--torch 2.5" in line.split("instead try:")[1]


def test_doctor_names_an_installed_torch_this_glibc_cannot_run(
    tmp_path: Path, releases: list[Release]
) -> None:
    # torch 2.7.1+cu126's real version.py in CentOS 7's venv: 2.7's wheels are manylinux_2_28.
    facts = _facts(with_torch(centos7(), "torch/version.py-2.7.1+cu126.txt"), tmp_path)
    found = [f for f in diagnose(facts, lookup_build) if f.id == "glibc-below-floor"]
    assert len(found) == 1 and found[0].params["need"] == "2.28"
    assert found[0].params["have"] == "2.17" and found[0].params["release"] == "2.7"
    assert "glibc ≥ 2.28" in words_for(found[0]).fix
    # check-command agrees on the command that installed it.
    report = check_command("pip install torch==2.7.1", facts, releases)
    assert report.finding("glibc-below-floor") is not None


def test_doctor_is_silent_on_an_old_glibc_without_torch(tmp_path: Path) -> None:
    facts = _facts(centos7(), tmp_path)
    assert not [f for f in diagnose(facts, lookup_build) if "glibc" in f.id or "musl" in f.id]


def test_the_json_facts_carry_the_libc(tmp_path: Path) -> None:
    host = alpine().write(tmp_path / "host")
    out = _envsetup("doctor", "--json", "--replay", host)
    data = json.loads(out.stdout)
    assert data["data"]["facts"]["os"]["musl"] == ""
    assert "musl-libc" in [f["id"] for f in data["findings"]]


def test_a_manylinux_wheel_url_on_musl_is_not_a_supported_wheel(
    tmp_path: Path, releases: list[Release]
) -> None:
    # pip on musl takes musllinux tags only (PEP 656): PyPI's real 2.14.1 wheel is refused there.
    url = (
        "https://files.pythonhosted.org/packages/torch-2.14.1-cp311-cp311-manylinux_2_28_x86_64.whl"
    )
    musl = check_command(f"pip install {url}", _facts(alpine(), tmp_path / "a"), releases)
    refused = musl.finding("wheel-not-supported")
    assert refused is not None and refused.params["platform_fits"] is False
    glibc = check_command(f"pip install {url}", _facts(debian_with_musl_package(), tmp_path / "d"), releases)  # fmt: skip
    assert glibc.finding("wheel-not-supported") is None  # Debian's glibc 2.36 meets 2.28


def test_torch_2_6_cu124_on_centos_7_is_not_below_its_floor(releases: list[Release]) -> None:
    # A real collect_env (vLLM's, 8x A100 on CentOS 7.9, glibc 2.17) with torch 2.6.0+cu124: PyPI's
    # 2.6.0 cu124 wheel is tagged manylinux1 (built on the manylinux2014 image), so it runs there.
    # Only 2.6's cu126 build is manylinux_2_28.
    from dataclasses import replace

    from envsetup.explain.run import explain

    paste = FIXTURES / "paste" / "collect-env" / "ext-vllm-collect-env-8xa100-centos7.txt"
    facts = explain(paste.read_text(encoding="utf-8"), None, lookup_build).facts
    assert (facts.os.glibc, facts.torch.version) == ("2.17", "2.6.0+cu124")

    def libc_ids(changed: Facts) -> list[str]:
        return [f.id for f in diagnose(changed, lookup_build) if f.id == "glibc-below-floor"]

    assert libc_ids(facts) == []
    # The build's own floor clears it, without the evidence that torch ran ...
    not_run = replace(facts, torch=replace(facts.torch, deep=replace(facts.torch.deep, ran=False)))
    assert libc_ids(not_run) == []
    # ... while 2.6's cu126 build (manylinux_2_28) is below its floor ...
    cu126 = replace(not_run, torch=replace(not_run.torch, version="2.6.0+cu126"))
    assert libc_ids(cu126) == ["glibc-below-floor"]
    # ... unless that torch is seen to import: then its glibc was enough.
    ran = replace(cu126, torch=replace(cu126.torch, deep=replace(cu126.torch.deep, ran=True)))
    assert libc_ids(ran) == []
    # check-command agrees: pip's plain torch==2.6.0 is the manylinux1 cu124 wheel.
    assert check_command("pip install torch==2.6.0", facts, releases).finding("glibc-below-floor") is None  # fmt: skip


def test_doctor_s_glibc_fix_never_names_the_install_that_refuses(tmp_path: Path) -> None:
    # attack13 H2: CentOS 7 (glibc 2.17) with Python 3.6 (attack12c host 16's): no release
    # resolves (2.6+ need glibc 2.28, 2.5 needs Python >= 3.9), so "envsetup install (it picks
    # the newest release whose wheels run on this glibc)" would be refused when followed.
    spec = with_torch(centos7(), "torch/version.py-2.7.1+cu126.txt")
    spec.python_version = "3.6.8"
    facts = _facts(spec, tmp_path)
    found = [f for f in judged(facts) if f.id == "glibc-below-floor"]
    assert len(found) == 1 and found[0].params["install_refuses"] is True
    fix = words_for(found[0]).fix or ""
    assert "envsetup install" not in fix and "glibc ≥ 2.28" in fix
    # With Python 3.9 install resolves (torch 2.5): the install fix stays.
    py39 = _facts(with_torch(centos7(), "torch/version.py-2.7.1+cu126.txt"), tmp_path)
    found = [f for f in judged(py39) if f.id == "glibc-below-floor"]
    assert "install_refuses" not in found[0].params


def judged(facts: Facts) -> list[Finding]:
    """doctor's findings as its run gives them: diagnose, then the resolver's refusal added."""
    from envsetup.resolve.install_refusal import with_install_refusal

    return with_install_refusal(diagnose(facts, lookup_build), facts)
