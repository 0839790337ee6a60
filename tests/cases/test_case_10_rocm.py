"""Issue 11's kind "AMD ROCm": each AMD GPU's gfx target against the ROCm wheel's code objects,
and `--cuda auto` choosing a ROCm build (never a CUDA one) on a machine with AMD GPUs only.

The real case (tests/fixtures/cases/10-rocm-rx6700xt-gfx1031, a copy of the team case set with
its README as PROVENANCE.md; the user report is AUTOMATIC1111/stable-diffusion-webui #5067) is
replayed through the CLI. Beside it, the kind on other machines: hosts built here by hand
(HostSpec) around real rocminfo output (tests/fixtures/rocm, see SOURCES.tsv) or the KFD topology's
`gfx_target_version` property as the kernel prints it; each says which facts it writes by hand.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import pytest

from envsetup.compat import rocm as rocm_compat
from envsetup.diagnose import diagnose
from envsetup.diagnose.finding import Finding
from envsetup.errors import UsageError
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.model.machine import Machine
from envsetup.parsers.rocm import kfd_version_from_gfx
from envsetup.probe import probe_all
from envsetup.probe.rocm import gfx_from_kfd_version, kfd_gfx_target, rocminfo_gpus
from envsetup.profiles.loader import load_releases
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from envsetup.resolve.request import parse_request
from envsetup.resolve.resolution import Resolution, ResolutionRefused
from envsetup.resolve.resolver import machine_from_facts, resolve_for_machine
from hostbuilder import FIXTURES, HostSpec, fixture_text

CASE = FIXTURES / "cases" / "10-rocm-rx6700xt-gfx1031"
SITE = "/home/u/.venv/lib/python3.10/site-packages"
ROCMINFO = "/opt/rocm/bin/rocminfo"
KFD = "/sys/class/kfd/kfd/topology/nodes"


def envsetup(*args: str) -> tuple[dict[str, Any], int]:
    out = subprocess.run(
        [sys.executable, "-m", "envsetup", *args, "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert "Traceback" not in out.stderr, out.stderr
    return json.loads(out.stdout), out.returncode


def nvidia_advice(findings: list[dict[str, Any]]) -> list[str]:
    """Findings that tell an AMD-only machine to install an NVIDIA driver or a CUDA build."""
    return [
        f["id"]
        for f in findings
        if "nvidia driver" in f["fix"].lower() or "--cuda cu" in f["fix"] or "/whl/cu" in f["fix"]
    ]


# ------------------------------------------------------------------------------- the real case


def test_case_doctor_names_the_gpu_its_target_and_the_override() -> None:
    document, code = envsetup("doctor", "--replay", str(CASE / "host"))
    assert code == 1
    rocm = document["data"]["facts"]["rocm"]
    assert rocm["gfx_targets"] == ["gfx1031"]
    assert rocm["gpus"][0] == {
        "gfx": "gfx1031",
        "name": "AMD Radeon RX 6700 XT",
        "source": "command:rocminfo",
        "vram_mib": None,  # rocminfo states no VRAM (rocm21: rocm-smi --json does)
    }
    found = [f for f in document["findings"] if f["id"] == "rocm-gfx-not-in-build"]
    assert len(found) == 1, document["findings"]
    params = found[0]["params"]
    assert params["gfx"] == "gfx1031" and params["override"] == "10.3.0"
    assert params["runs_as"] == "gfx1030" and "gfx1030" in params["build_targets"]
    assert "gfx1031" not in params["build_targets"]
    assert "HSA_OVERRIDE_GFX_VERSION=10.3.0" in found[0]["fix"]
    assert not nvidia_advice(document["findings"])


def test_case_check_command_suggests_a_rocm_build_never_a_cuda_one() -> None:
    command = (CASE / "command.txt").read_text(encoding="utf-8").strip()
    document, _ = envsetup("check-command", "--replay", str(CASE / "host"), command)
    data = document["data"]
    assert data["suggested_build"]["variant"].startswith("rocm"), data
    assert "/whl/rocm" in data["suggested_command"]
    assert "--cuda" in data["suggested_flags"]
    assert data["suggested_flags"][data["suggested_flags"].index("--cuda") + 1].startswith("rocm")
    for finding in document["findings"]:
        assert "--cuda cpu" not in finding["fix"] and "--cuda cu" not in finding["fix"], finding


def test_case_install_auto_resolves_to_a_rocm_build_with_the_override() -> None:
    document, code = envsetup("install", "--dry-run", "--replay", str(CASE / "host"))
    assert code == 0
    plan = document["data"]["plan"]
    assert "/whl/rocm" in plan["index_url"]
    reasons = document["data"]["resolution"]["reasons"]
    chosen = [r for r in reasons if r["code"] == "auto-rocm-chosen"]
    assert chosen and chosen[0]["override"] == "10.3.0", reasons


def test_case_explain_says_the_pasted_error_once() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "envsetup", "explain", str(CASE / "paste.txt"), "--replay",
         str(CASE / "host"), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    found = [f["id"] for f in json.loads(out.stdout)["findings"]]
    assert found.count("rocm-no-binary-for-gpu") == 1
    assert "rocm-gfx-not-in-build" not in found  # the same GPU, said once


# -------------------------------------------------------------------- the kind on other hosts


def amd_host(torch: str, hip: str, **kwargs: Any) -> HostSpec:
    """A venv with a ROCm torch (its version.py and METADATA written here, in the shape of the
    case's real files) on Ubuntu 22.04; no NVIDIA device."""
    spec = HostSpec(
        python="/home/u/.venv/bin/python",
        python_version="3.10.12",
        prefix="/home/u/.venv",
        site_packages=[SITE],
        libc="glibc 2.35",
        **kwargs,
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-ubuntu-22.04.2.txt")
    spec.markers += ["/home/u/.venv/pyvenv.cfg", "/dev/kfd"]
    spec.files[f"{SITE}/torch/version.py"] = (
        f"__version__ = '{torch}'\ndebug = False\ncuda = None\nhip = '{hip}'\n"
    )
    spec.files[f"{SITE}/torch-{torch}.dist-info/METADATA"] = (
        f"Metadata-Version: 2.1\nName: torch\nVersion: {torch}\n"
    )
    return spec


def with_rocminfo(spec: HostSpec, text: str) -> HostSpec:
    spec.which["rocminfo"] = ROCMINFO
    return spec.command([ROCMINFO], text)


def with_kfd(spec: HostSpec, *versions: int) -> HostSpec:
    """KFD topology nodes written by hand in the kernel's property format: node 0 the CPU
    (gfx_target_version 0), then one node per GPU (kfd_topology.c prints each as `name value`)."""
    for node, version in enumerate((0, *versions)):
        spec.files[f"{KFD}/{node}/properties"] = (
            f"cpu_cores_count {16 if node == 0 else 0}\nsimd_count {0 if node == 0 else 80}\n"
            f"gfx_target_version {version}\nvendor_id {0 if node == 0 else 4098}\n"
        )
    return spec


def run(spec: HostSpec, tmp_path: Path) -> tuple[Facts, list[Finding]]:
    facts = probe_all(RecordedHost(spec.write(tmp_path / "host")))
    return facts, diagnose(facts, lookup_build)


def gfx_findings(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.id == "rocm-gfx-not-in-build"]


def auto(facts: Facts, torch: Optional[str] = None) -> Resolution:
    machine = dataclasses.replace(machine_from_facts(facts), python="3.10")
    return resolve_for_machine(parse_request(torch=torch, cuda="auto"), machine, load_releases())


def test_rx7900xtx_gfx1100_on_a_wheel_that_lists_it_is_fine(tmp_path: Path) -> None:
    # Real rocminfo output (ollama/ollama #3158): gfx1100, "Radeon RX 7900 XTX"; torch 2.1.2's
    # ROCm 5.6 wheel lists gfx1100 (pytorch/builder release/2.1).
    spec = with_rocminfo(
        amd_host("2.1.2+rocm5.6", "5.6.31061-8c743ae5d"),
        fixture_text("rocm/rocminfo-rx7900xtx-two-gpus-partial.txt"),
    )
    facts, findings = run(spec, tmp_path)
    assert [(g.gfx, g.name) for g in facts.rocm.gpus] == [("gfx1100", "Radeon RX 7900 XTX")]
    assert not gfx_findings(findings)
    assert not [f.id for f in findings if f.severity == "error"], findings
    plan = auto(facts)
    assert plan.variant.startswith("rocm"), plan.variant
    chosen = [r for r in plan.reasons if r.code.value == "auto-rocm-chosen"]
    assert chosen and chosen[0].params["override"] is None


def test_kfd_only_host_reads_the_target_without_rocminfo(tmp_path: Path) -> None:
    # No ROCm user space (no rocminfo, no /opt/rocm): the kernel's topology alone names gfx1031;
    # torch 2.0.1's ROCm 5.4.2 wheel lists gfx1030 but not gfx1031 (pytorch/builder release/2.0).
    spec = with_kfd(amd_host("2.0.1+rocm5.4.2", "5.4.22803-474e8620"), 100301)
    facts, findings = run(spec, tmp_path)
    assert facts.rocm.gfx_targets == ["gfx1031"]
    assert facts.rocm.gpus[0].source == f"file:{KFD}/1/properties"
    [finding] = gfx_findings(findings)
    assert finding.params["override"] == "10.3.0"
    assert finding.params["build_targets"] == ["gfx900", "gfx906", "gfx908", "gfx90a", "gfx1030"]
    assert "rocm-build-without-rocm" not in {f.id for f in findings}
    assert auto(facts).variant.startswith("rocm")


def test_the_override_already_set_runs_the_listed_sibling(tmp_path: Path) -> None:
    spec = with_kfd(amd_host("2.0.1+rocm5.4.2", "5.4.22803-474e8620"), 100301)
    spec.environ["HSA_OVERRIDE_GFX_VERSION"] = "10.3.0"
    facts, findings = run(spec, tmp_path)
    assert facts.rocm.hsa_override_gfx_version == "10.3.0"
    assert not gfx_findings(findings)


def test_a_target_the_wheel_lacks_with_no_close_override_names_the_wheels_that_list_it(
    tmp_path: Path,
) -> None:
    # RX 6800 (gfx1030) on torch 1.11's ROCm 4.2 wheel: before ROCm 4.3 the wheels carried only
    # gfx900, gfx906, gfx908 (pytorch/builder release/1.11). gfx1030 is its family's own listed
    # member, so no override helps; the ROCm >= 4.3 wheels list it.
    spec = with_kfd(amd_host("1.11.0+rocm4.2", "4.2.21155-37cb3a34"), 100300)
    _facts, findings = run(spec, tmp_path)
    [finding] = gfx_findings(findings)
    assert finding.params["override"] is None
    assert finding.params["listed_torch"][0] == "1.11" and finding.params["listed_rocm"][0] == "4.3"
    words = words_for(finding)
    assert "no override helps" in words.fix and "ROCm ≥ 4.3" in words.fix


def test_a_target_no_wheel_lists_says_so_and_auto_takes_the_cpu_build(tmp_path: Path) -> None:
    # RX 580 (gfx803, Polaris): in no PyTorch ROCm wheel's list, no listed sibling.
    spec = with_kfd(amd_host("2.0.1+rocm5.4.2", "5.4.22803-474e8620"), 80003)
    facts, findings = run(spec, tmp_path)
    assert facts.rocm.gfx_targets == ["gfx803"]
    [finding] = gfx_findings(findings)
    assert finding.params["override"] is None and finding.params["listed_torch"] is None
    assert "no official PyTorch ROCm wheel lists gfx803" in words_for(finding).fix
    plan = auto(facts)
    assert plan.variant == "cpu"
    assert "auto-rocm-none" in [r.code.value for r in plan.reasons]


def test_rocminfo_cpu_agent_is_no_gpu() -> None:
    # Real rocminfo header and CPU agent (ollama/ollama #11420): "Name:" of a CPU agent.
    assert rocminfo_gpus(fixture_text("rocm/rocminfo-cpu-agent-partial.txt")) == []


@pytest.mark.parametrize(
    ("value", "gfx"),
    [(0, None), (80003, "gfx803"), (90010, "gfx90a"), (90402, "gfx942"), (100301, "gfx1031"),
     (110001, "gfx1101"), (110501, "gfx1151"), (120001, "gfx1201")],
)  # fmt: skip
def test_kfd_gfx_target_version_names_the_target(value: int, gfx: Optional[str]) -> None:
    # Encoding: the kernel's kfd_device.c (e.g. Navy Flounder = 100301, Aldebaran = 90010).
    assert gfx_from_kfd_version(value) == gfx
    assert kfd_gfx_target(f"simd_count 0\ngfx_target_version {value}\n") == gfx
    if gfx is not None:  # explain --record writes the topology back from the name
        assert kfd_version_from_gfx(gfx) == value


def test_override_values_and_the_wheel_table() -> None:
    assert rocm_compat.gfx_from_override("10.3.0") == "gfx1030"
    assert rocm_compat.gfx_from_override("11.0.0") == "gfx1100"
    assert rocm_compat.gfx_from_override("9.0.10") == "gfx90a"
    assert rocm_compat.gfx_from_override("ten") is None
    # torch 2.3's ROCm 6.0 wheel gained gfx942 (MI300); its ROCm 5.7 wheel did not.
    assert "gfx942" in rocm_compat.wheel_targets("2.3.1+rocm6.0", "6.0").targets
    assert "gfx942" not in rocm_compat.wheel_targets("2.3.1+rocm5.7", "5.7").targets
    # MI250 (gfx90a) on any confirmed wheel since ROCm 4.3: covered, no finding.
    assert rocm_compat.judge_gfx("gfx90a", "2.4.1+rocm6.1", "6.1").covered is True
    # An unconfirmed list judges only targets in no wheel at all.
    assert rocm_compat.judge_gfx("gfx1101", "2.8.0+rocm6.4", "6.4").covered is None
    assert rocm_compat.judge_gfx("gfx1031", "2.8.0+rocm6.4", "6.4").covered is False


# ------------------------------------------------------------------------------ --backend


def test_backend_flag_names_the_kind_and_cuda_its_version() -> None:
    assert parse_request(backend="rocm").compute == "rocm"
    assert parse_request(backend="rocm", cuda="rocm6.4").compute == "rocm6.4"
    assert parse_request(backend="cpu").compute == "cpu"
    assert parse_request(backend="auto", cuda="12.8").compute == "cu128"
    assert parse_request(cuda="rocm").compute == "rocm"  # --cuda keeps working, bare kinds too
    with pytest.raises(UsageError, match=r"--backend rocm --cuda 12\.8"):
        parse_request(backend="rocm", cuda="12.8")
    with pytest.raises(UsageError, match="unknown backend"):
        parse_request(backend="gpu")


def test_backend_rocm_and_cuda_on_an_amd_only_machine(tmp_path: Path) -> None:
    spec = with_kfd(amd_host("2.0.1+rocm5.4.2", "5.4.22803-474e8620"), 110000)  # gfx1100
    facts, _ = run(spec, tmp_path)
    machine = dataclasses.replace(machine_from_facts(facts), python="3.10")
    releases = load_releases()
    rocm = resolve_for_machine(parse_request(torch="2.1", backend="rocm"), machine, releases)
    assert rocm.variant == "rocm5.6"  # the newest ROCm build of 2.1; both list gfx1100
    cuda = resolve_for_machine(parse_request(torch="2.1", backend="cuda"), machine, releases)
    assert cuda.variant.startswith("cu")
    [warning] = [v for v in cuda.verdicts if v.code.value == "cuda-build-without-nvidia"]
    assert warning.params["amd_gfx"] == ["gfx1100"]
    from envsetup.render.verdict_words import describe

    assert "only AMD ones (gfx1100)" in describe(warning)
    assert "NVIDIA driver" not in describe(warning)


def test_backend_rocm_where_no_rocm_build_is_published_is_refused() -> None:
    machine = Machine(platform_key="windows-x86_64", system="Windows", python="3.11")
    with pytest.raises(ResolutionRefused) as refused:
        resolve_for_machine(parse_request(backend="rocm"), machine, load_releases())
    assert refused.value.code.value == "no-such-build"


def test_a_cuda_torch_on_an_amd_only_machine_points_at_the_rocm_build(tmp_path: Path) -> None:
    # torch 2.7.1+cu126's real version.py (tests/fixtures/torch) on a KFD host with a gfx1100.
    spec = with_kfd(amd_host("2.0.1+rocm5.4.2", "5.4.22803-474e8620"), 110000)
    for path in [p for p in spec.files if "/torch" in p]:
        del spec.files[path]
    spec.torch_wheel(SITE, "torch/version.py-2.7.1+cu126.txt")
    facts, findings = run(spec, tmp_path)
    [finding] = [f for f in findings if f.id == "torch-not-rocm-on-amd-gpu"]
    assert finding.params["flavor"] == "cuda" and finding.params["gfx"] == ["gfx1100"]
    assert "--backend rocm" in finding.params["install"]
    assert "NVIDIA driver" not in words_for(finding).fix
    # The same torch with an NVIDIA GPU and driver beside the AMD one: not this finding.
    facts.nvidia.driver_version = "550.54.14"
    assert not [f for f in diagnose(facts, lookup_build) if f.id == "torch-not-rocm-on-amd-gpu"]


# ------------------------------------------- attack11: R1, R7, R8, R9, R2, L2 (hosts built by hand)


@pytest.mark.parametrize(
    ("kfd_version", "gfx", "confirmed"),
    [
        # RX 7800 XT gfx1101, RX 7600 gfx1102, RX 9060/9070 gfx1200/gfx1201: torch
        # 2.7.1+rocm6.3's own get_arch_list() lists them (astral-sh/uv #14086): confirmed.
        (110001, "gfx1101", True),
        (110002, "gfx1102", True),
        (120000, "gfx1200", True),
        (120001, "gfx1201", True),
        # MI350 gfx950, Strix Halo gfx1151: only the unconfirmed ("U") lists of torch >= 2.5
        # (PyTorch CI's build.sh on main) hold them.
        (90500, "gfx950", False),
        (110501, "gfx1151", False),
    ],
)
def test_doctor_reads_the_unconfirmed_lists_as_install_does(
    tmp_path: Path, kfd_version: int, gfx: str, confirmed: bool
) -> None:
    spec = with_kfd(amd_host("1.12.1+rocm5.1.1", "5.1.20531-cacfa990"), kfd_version)
    facts, findings = run(spec, tmp_path)
    [finding] = gfx_findings(findings)  # torch 1.12's confirmed list lacks it: still an error
    assert finding.params["gfx"] == gfx
    assert finding.params["listed_torch"] is not None
    assert finding.params["listed_confirmed"] is confirmed
    fix = words_for(finding).fix
    assert "no official PyTorch ROCm wheel" not in fix and "--cuda cpu" not in fix, fix
    assert "envsetup install --cuda auto" in fix
    # install reads the same table the same way: it picks a ROCm build, not the CPU one
    assert auto(facts).variant.startswith("rocm")


def test_an_igpu_of_another_family_is_hidden_not_overridden(tmp_path: Path) -> None:
    # ROCm/legacy-rocm-build #4380: an RX 7600 XT (gfx1102) beside the Ryzen 7000 iGPU (gfx1036).
    # HSA_OVERRIDE_GFX_VERSION applies to every GPU of the process: 10.3.0 would make the
    # RDNA3 card load gfx1030 code (InvokeAI #3967), so the iGPU is to be hidden instead.
    spec = with_kfd(amd_host("2.0.1+rocm5.4.2", "5.4.22803-474e8620"), 110002, 100306)
    facts, findings = run(spec, tmp_path)
    assert facts.rocm.gfx_targets == ["gfx1102", "gfx1036"]
    igpu = next(f for f in gfx_findings(findings) if f.params["gfx"] == "gfx1036")
    assert igpu.params["override"] is None and igpu.params["keep_visible"] == [0]
    fix = words_for(igpu).fix
    assert "ROCR_VISIBLE_DEVICES=0" in fix and "export HSA_OVERRIDE_GFX_VERSION" not in fix
    # gfx1036 is an APU target (LLVM AMDGPUUsage): said as the processor's integrated GPU
    assert igpu.params["integrated"] is True and "BIOS" in fix
    plan = auto(facts)
    assert plan.variant.startswith("rocm"), plan.variant
    [chosen] = [r for r in plan.reasons if r.code.value == "auto-rocm-chosen"]
    assert chosen.params["override"] is None and chosen.params["coverage"] == "hide"
    assert chosen.params["hide"] == ["gfx1036"]


def test_an_igpu_of_the_dgpus_own_family_is_hidden_too(tmp_path: Path) -> None:
    # An RX 6700 XT (gfx1031) beside a Ryzen 7000 iGPU (gfx1036): 10.3.0 would run both, but
    # torch may then pick the iGPU (ROCm/ROC-smi #100 lists it as GPU 0); AMD's advice is to
    # keep ROCm to the discrete card (oobabooga/textgen #7319). Host built by hand (KFD values).
    spec = with_kfd(amd_host("2.0.1+rocm5.4.2", "5.4.22803-474e8620"), 100301, 100306)
    facts, findings = run(spec, tmp_path)
    found = {f.params["gfx"]: f for f in gfx_findings(findings)}
    assert found["gfx1031"].params["override"] == "10.3.0"
    assert found["gfx1031"].params["integrated"] is False
    igpu = found["gfx1036"]
    assert igpu.params["integrated"] is True and igpu.params["override"] is None
    assert igpu.params["keep_visible"] == [0]
    assert "HIP_VISIBLE_DEVICES=0" in words_for(igpu).fix
    # install --cuda auto says the same: hide the iGPU, the override for the RX 6700 XT
    [chosen] = [r for r in auto(facts, "2.0").reasons if r.code.value == "auto-rocm-chosen"]
    assert chosen.params["coverage"] == "hide" and chosen.params["override"] == "10.3.0"
    assert chosen.params["hide"] == ["gfx1036"]


def test_gpus_of_one_family_still_share_one_override(tmp_path: Path) -> None:
    # gfx1031 and gfx1030 (RDNA2) together: 10.3.0 serves both, as on case 10.
    spec = with_kfd(amd_host("2.0.1+rocm5.4.2", "5.4.22803-474e8620"), 100301, 100300)
    facts, findings = run(spec, tmp_path)
    [finding] = gfx_findings(findings)
    assert finding.params["override"] == "10.3.0" and finding.params["keep_visible"] is None
    [chosen] = [r for r in auto(facts, "2.0").reasons if r.code.value == "auto-rocm-chosen"]
    assert chosen.params["override"] == "10.3.0"


@pytest.mark.parametrize(
    ("kfd_version", "value", "wrong"),
    [
        (110001, "10.3.0", True),  # RX 7800 XT forced to gfx1030 (InvokeAI #3967)
        (100301, "11.0.0", True),  # RX 6700 XT forced to gfx1100
        (110001, "11.0.0", False),  # its own family's value (InvokeAI #3967's fix)
        (100301, "10.3.0", False),  # case 10's setting
    ],
)
def test_an_override_of_another_family_is_a_finding(
    tmp_path: Path, kfd_version: int, value: str, wrong: bool
) -> None:
    spec = with_kfd(amd_host("2.0.1+rocm5.4.2", "5.4.22803-474e8620"), kfd_version)
    spec.environ["HSA_OVERRIDE_GFX_VERSION"] = value
    _facts, findings = run(spec, tmp_path)
    found = [f for f in findings if f.id == "rocm-override-other-family"]
    assert bool(found) is wrong, findings
    if wrong:
        assert found[0].severity == "error"
        assert f"HSA_OVERRIDE_GFX_VERSION={value}" in words_for(found[0]).title


def rocm_container(tmp_path: Path, rocminfo: Optional[str], kfd: bool) -> list[Finding]:
    """A docker container (/.dockerenv) with a ROCm torch; rocminfo prints the real text of
    tests/fixtures/rocm (exit 1), /dev/kfd passed in or not."""
    spec = amd_host("1.12.1+rocm5.1.1", "5.1.20531-cacfa990")
    spec.markers.append("/.dockerenv")
    if not kfd:
        spec.markers.remove("/dev/kfd")
    if rocminfo:
        spec.which["rocminfo"] = ROCMINFO
        spec.command([ROCMINFO], fixture_text(rocminfo), returncode=1)
    return run(spec, tmp_path)[1]


def test_kfd_permission_denied_in_a_container_is_a_finding(tmp_path: Path) -> None:
    findings = rocm_container(tmp_path, "rocm/rocminfo-kfd-permission-denied.txt", kfd=True)
    [finding] = [f for f in findings if f.id == "rocm-kfd-permission"]
    assert finding.params["reason"] == "Permission denied"
    assert "--group-add render" in words_for(finding).fix


def test_a_rocm_container_without_kfd_is_a_finding(tmp_path: Path) -> None:
    findings = rocm_container(tmp_path, "rocm/rocminfo-kfd-no-such-file.txt", kfd=False)
    [finding] = [f for f in findings if f.id == "rocm-container-no-kfd"]
    assert "--device=/dev/kfd --device=/dev/dri" in words_for(finding).fix
    # also without rocminfo in the image: the missing device node alone says it
    assert "rocm-container-no-kfd" in {f.id for f in rocm_container(tmp_path / "b", None, False)}


def test_a_rocm_container_with_kfd_and_no_error_has_no_kfd_finding(tmp_path: Path) -> None:
    ids = {f.id for f in rocm_container(tmp_path, None, kfd=True)}
    assert not ids & {"rocm-kfd-permission", "rocm-container-no-kfd"}, ids


@pytest.mark.parametrize(
    ("kfd_version", "index", "found"),
    [
        (80003, "rocm5.7", True),  # gfx803: in no 2.3 wheel (pytorch/pytorch #53738's kind)
        (100301, "rocm5.7", True),  # gfx1031: needs 10.3.0 (case 10's kind)
        (100300, "rocm5.7", False),  # gfx1030: listed
        (100300, "rocm6.0", False),
    ],
)
def test_check_command_judges_the_rocm_wheel_as_doctor_does(
    tmp_path: Path, kfd_version: int, index: str, found: bool
) -> None:
    from envsetup.command_check.check import check_command

    spec = with_kfd(amd_host("2.0.1+rocm5.4.2", "5.4.22803-474e8620"), kfd_version)
    facts = probe_all(RecordedHost(spec.write(tmp_path / "host")))
    command = f"pip install torch==2.3.1 --index-url https://download.pytorch.org/whl/{index}"
    report = check_command(command, facts, load_releases())
    judged = [f for f in report.findings if f.id == "rocm-gfx-not-in-build"]
    assert bool(judged) is found, report.findings
    if found:
        assert judged[0].params["torch"] == f"2.3.1+{index}"
        # an error (exit 1) when no override helps; the override, as install says it, is info
        override = judged[0].params["override"]
        assert judged[0].severity == ("info" if override else "error")
        assert report.has_errors is (override is None)


def test_an_amd_container_row_names_kfd_not_a_missing_nvidia_node() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "envsetup", "doctor", "--replay", str(CASE / "host")],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    row = next(line for line in out.stdout.splitlines() if "Container GPU" in line)
    assert "/dev/kfd" in row and "NVIDIA" not in row, row


@pytest.mark.parametrize(
    ("wheel", "rocm", "gfx", "covered"),
    [
        # torch.cuda.get_arch_list() of real wheels (astral-sh/uv #14086): 2.5.1+rocm6.2 has no
        # gfx1101 (main's build.sh, the U list, said it might); 2.7.1+rocm6.2.4/6.3 have it.
        ("2.5.1+rocm6.2", "6.2", "gfx1101", False),
        ("2.5.1+rocm6.2", "6.2", "gfx942", True),
        ("2.7.1+rocm6.3", "6.3", "gfx1201", True),
        ("2.7.1+rocm6.2.4", "6.2.4", "gfx1101", True),
        ("2.7.1+rocm6.3", "6.3", "gfx1151", False),
        # a wheel of another ROCm keeps the unconfirmed list: not judged
        ("2.5.1+rocm6.1", "6.1", "gfx1101", None),
    ],
)
def test_the_lists_real_wheels_print_are_confirmed(
    wheel: str, rocm: str, gfx: str, covered: bool | None
) -> None:
    assert rocm_compat.judge_gfx(gfx, wheel, rocm).covered is covered
