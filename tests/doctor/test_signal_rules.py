"""diagnose.signal_rules.judge_signals: real pasted errors judged against recorded hosts.

Pastes: tests/fixtures/paste/errors (SOURCES.tsv); hosts: tests/fixtures/cases/*/host (the shared
cases' recordings) and hosts assembled from real outputs (hostbuilder). Each test checks the
finding and that its fix is the one for THIS machine's facts.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Optional

import pytest

from doctor.test_real_hosts import SMI, VENV_SITE, rtx3090_host, ubuntu
from envsetup import compat
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.kernel_image import last_driver_branch
from envsetup.diagnose.signal_rules import cite, judge_signals
from envsetup.facts import Facts, OsFacts, PythonFacts
from envsetup.host.recorded import RecordedHost
from envsetup.model.capability import ComputeCapability, coverage
from envsetup.parsers.signals import classify, lines_of
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from envsetup.render.words import (
    cuda_errors,
    extension,
    installer_signals,
    kernel_log_signals,
    loader_signals,
    python_signals,
    rocm,
)
from hostbuilder import HostSpec, case_host, fixture_text

# signal_rules' ids, worded by the signal kinds' catalogues (render/words/); a pasted
# torch.utils.cpp_extension mismatch is doctor's extension judgement (render/words/extension.py);
# the ROCm runtime's errors are worded with the other ROCm findings (render/words/rocm.py).
SIGNAL_KINDS = (cuda_errors, loader_signals, kernel_log_signals, python_signals, installer_signals)
WORDS = {k: fn for kind in (*SIGNAL_KINDS, extension, rocm) for k, fn in kind.WORDS.items()}

ROOT = Path(__file__).resolve().parents[2]
ERRORS = ROOT / "tests" / "fixtures" / "paste" / "errors"


def recorded(name: str) -> Facts:
    return probe_all(RecordedHost(str(case_host(name))))


def built(spec: HostSpec, tmp_path: Path) -> Facts:
    return probe_all(RecordedHost(spec.write(tmp_path / "host")))


def judge(paste: str, facts: Facts) -> list[Finding]:
    lines = lines_of((ERRORS / paste).read_text(encoding="utf-8"))
    texts = {line.number: line.text for line in lines}
    return judge_signals(classify(lines), facts, lookup_build, cite(texts))


def only(findings: list[Finding], finding_id: str) -> Finding:
    matching = [f for f in findings if f.id == finding_id]
    assert len(matching) == 1, [f.id for f in findings]
    return matching[0]


def test_case_07_paste_on_its_host_says_fabric_manager_with_both_versions() -> None:
    findings = judge("case-07-fabricmanager-802-h100.txt", recorded("07-fabricmanager-802-h100"))
    assert [f.id for f in findings] == ["cuda-fabric-manager-not-ready"]
    finding = findings[0]
    assert finding.severity == "error"
    assert finding.params["driver"] == "535.230.02"
    assert finding.params["fabricmanager"] == "535.183.01"
    assert finding.params["branch"] == "535"
    assert finding.params["gpus"] == 8
    assert finding.evidence[0].startswith("paste:3: ") and "Error 802" in finding.evidence[0]
    assert any(e.startswith("paste:7: ") and "don't match" in e for e in finding.evidence)
    words = words_for(finding)
    assert "fabric manager" in words.title and "CUDA_VISIBLE_DEVICES" not in words.fix
    assert "535.230.02" in words.fix and "systemctl status nvidia-fabricmanager" in words.fix


def test_hip_no_binary_on_an_amd_host_names_its_gfx_target_and_the_override() -> None:
    findings = judge(
        "hip-no-binary-for-gpu-easydiffusion.txt", recorded("10-rocm-rx6700xt-gfx1031")
    )
    finding = only(findings, "rocm-no-binary-for-gpu")
    assert finding.params["gfx"] == "gfx1031" and finding.params["override"] == "10.3.0"
    assert "install" not in finding.params and "nvidia" not in finding.params


def test_hip_no_binary_on_an_nvidia_only_host_gives_a_cuda_build(tmp_path: Path) -> None:
    findings = judge("hip-no-binary-for-gpu-easydiffusion.txt", built(rtx3090_host(), tmp_path))
    finding = only(findings, "rocm-no-binary-for-gpu")
    assert finding.params["nvidia"] is True and "--cuda" in finding.params["install"]
    assert "gfx" not in finding.params


def test_rocblas_names_the_target_its_library_lacks_over_the_host_s() -> None:
    """rocBLAS's missing Tensile library names the GPU that failed: that target is judged, with
    the targets rocBLAS lists, even over a host whose rocminfo says another (case 10, gfx1031)."""
    gfx1102 = "rocblas-tensile-no-gfx1102-torch2.6.0-rocm6.2.4.txt"
    finding = only(judge(gfx1102, recorded("10-rocm-rx6700xt-gfx1031")), "rocm-no-binary-for-gpu")
    assert (finding.params["gfx"], finding.params["override"]) == ("gfx1102", "11.0.0")
    words = words_for(finding)
    assert words.title.startswith("rocBLAS has no kernels for gfx1102")
    assert "HSA_OVERRIDE_GFX_VERSION=11.0.0" in words.fix
    # gfx906 (ROCm 6.4.0): no sibling in rocBLAS's list runs its code, so no override.
    gfx906 = only(
        judge("rocblas-tensile-no-gfx906-rocm6.4.0.txt", recorded("ci-debian12-cuda13-no-driver")),
        "rocm-no-binary-for-gpu",
    )
    assert gfx906.params["gfx"] == "gfx906" and "override" not in gfx906.params
    assert "HSA_OVERRIDE_GFX_VERSION=" not in words_for(gfx906).fix.split("helps only")[0]


def test_an_802_without_the_journal_takes_the_driver_from_the_host() -> None:
    findings = judge(
        "cuda-802-warning-llamafactory-torch2.7.txt", recorded("07-fabricmanager-802-h100")
    )
    finding = only(findings, "cuda-fabric-manager-not-ready")
    assert finding.params["driver"] == "535.230.02" and "fabricmanager" not in finding.params


def test_case_02_paste_on_its_host_names_the_shadowing_directory_and_the_wheel() -> None:
    facts = recorded("02-ldpath-nvjitlink-cuda121")
    findings = judge("case-02-ldpath-nvjitlink-cuda121.txt", facts)
    assert [f.id for f in findings] == ["cuda-library-symbol-missing"]
    p = findings[0].params
    assert p["symbol"] == "__nvJitLinkAddData_12_1" and p["library"] == "libcusparse.so.12"
    assert p["shadowing"] == ["/usr/local/cuda-12.1/lib64"]
    assert p["wheel"] == "nvidia-nvjitlink-cu12"
    assert p["pin"] == facts.torch.requires_nvidia["nvidia-nvjitlink-cu12"]
    fix = words_for(findings[0]).fix
    assert "LD_LIBRARY_PATH" in fix and "/usr/local/cuda-12.1/lib64" in fix


def _sm61_host(tmp_path: Path, arch: str = "6.1") -> Facts:
    spec = rtx3090_host().torch_wheel(VENV_SITE, "torch/version.py-2.7.1+cu126.txt")
    spec.environ["ENVSETUP_GPU_ARCH"] = arch  # a Pascal GPU (GTX 1080 Ti) in the same machine
    return built(spec, tmp_path)


def test_no_kernel_image_where_torch_covers_the_gpu_blames_an_extension(tmp_path: Path) -> None:
    # torch 2.7.1+cu126 has sm_60 kernels (its profile), which run on 6.1: the kernel missing is
    # an extension's, not torch's.
    facts = _sm61_host(tmp_path)
    finding = only(
        judge("torch-no-kernel-image-available-old-format.txt", facts),
        "cuda-no-kernel-image-in-extension",
    )
    assert finding.params["sm"] == "sm_61" and finding.params["arch_source"] == "profile"
    assert "release" not in finding.params
    assert "not in torch" in words_for(finding).fix


def test_no_kernel_image_names_the_newest_release_and_variant_with_kernels(tmp_path: Path) -> None:
    # A Kepler GPU (Tesla K80, 3.7) beside: torch 2.7.1+cu126 starts at sm_50.
    facts = _sm61_host(tmp_path, "3.7")
    finding = only(
        judge("torch-no-kernel-image-available-old-format.txt", facts), "cuda-no-kernel-image"
    )
    p = finding.params
    assert p["sm"] == "sm_37"
    # The named build has sm_37 kernels (per its profile) and its driver floor is met ...
    info = lookup_build(f"{p['release']}.0+{p['variant']}", "Linux", "x86_64")
    assert info is not None and coverage(info.arch_list, ComputeCapability(3, 7))
    cuda = f"{p['variant'][2:-1]}.{p['variant'][-1]}"
    floor = compat.min_driver_for_torch_cuda(cuda, "Linux")
    assert floor is not None and compat.parse_version("535.129.03") >= compat.parse_version(
        floor.driver
    )
    # ... and no newer release has such a build.
    newer = [f"2.{m}" for m in range(int(p["release"].split(".")[1]) + 1, 31)]
    for release in newer:
        top = lookup_build(f"{release}.0", "Linux", "x86_64")
        for variant in top.cuda_variants if top else []:
            other = lookup_build(f"{release}.0+{variant}", "Linux", "x86_64")
            assert not (other and coverage(other.arch_list, ComputeCapability(3, 7)))
    words = shlex.split(p["install"])
    assert words[:4] == ["envsetup", "install", "--torch", p["release"]]
    assert words[words.index("--cuda") + 1] == cuda and "--env" in words
    assert p["install"] in words_for(finding).fix


def test_sm_not_compatible_warning_on_the_gpu_it_names(tmp_path: Path) -> None:
    spec = rtx3090_host().torch_wheel(VENV_SITE, "torch/version.py-2.2.1+cu121.txt")
    finding = only(
        judge("torch-sm86-not-compatible-rtx3080-laptop.txt", built(spec, tmp_path)),
        "cuda-no-kernel-image",
    )
    assert finding.params["sm"] == "sm_86"
    assert finding.params["supported"] == ["sm_37", "sm_50", "sm_60", "sm_70"]
    info = lookup_build(
        f"{finding.params['release']}.0+{finding.params['variant']}", "Linux", "x86_64"
    )
    assert info is not None and coverage(info.arch_list, ComputeCapability(8, 6))


def test_no_build_for_a_gpu_no_release_covers(tmp_path: Path) -> None:
    spec = rtx3090_host().torch_wheel(VENV_SITE, "torch/version.py-2.7.1+cu126.txt")
    spec.environ["ENVSETUP_GPU_ARCH"] = "3.0"  # Kepler GK104: no release envsetup knows has it
    finding = only(
        judge("torch-no-kernel-image-available-old-format.txt", built(spec, tmp_path)),
        "cuda-no-kernel-image",
    )
    assert finding.params["sm"] == "sm_30" and "release" not in finding.params
    assert "TORCH_CUDA_ARCH_LIST" in words_for(finding).fix


def test_driver_too_old_gives_the_floor_of_the_installed_build(tmp_path: Path) -> None:
    spec = rtx3090_host().torch_wheel(VENV_SITE, "torch/version.py-2.2.1+cu121.txt")
    facts = built(spec, tmp_path)
    finding = only(
        judge("torch-driver-too-old-11040-rtx3050-470.86.txt", facts), "cuda-driver-too-old"
    )
    floor = compat.min_driver_for_torch_cuda("12.1", "Linux")
    assert floor is not None
    assert finding.params["need"] == floor.driver and finding.params["cuda"] == "12.1"
    assert finding.params["driver_cuda"] == "11.4"
    # The paste's driver (CUDA 11.4) is not this host's (12.2): its version is not claimed.
    assert "have" not in finding.params
    assert f">= {floor.driver}" in words_for(finding).fix


def test_pip_from_versions_none_on_32_bit_python(tmp_path: Path) -> None:
    facts = built(ubuntu(bits=32), tmp_path)
    assert facts.python.bits == 32
    finding = only(
        judge("pip-no-matching-torch-from-versions-none.txt", facts), "pip-no-matching-torch"
    )
    assert finding.params["reason"] == "python-32bit"
    assert "64-bit" in words_for(finding).fix


def test_pip_local_version_needs_the_index_url(tmp_path: Path) -> None:
    finding = only(
        judge("pip-no-matching-torch-cu113-local-version.txt", built(ubuntu(), tmp_path)),
        "pip-no-matching-torch",
    )
    assert finding.params["reason"] == "local-version-needs-index"
    assert "https://download.pytorch.org/whl/cu113" in words_for(finding).fix


def test_cudnn8_library_wanted_next_to_a_cudnn9_torch() -> None:
    facts = recorded("02-ldpath-nvjitlink-cuda121")
    finding = only(
        judge("torch-libcudnn-ops-infer-so8-missing-only-cudnn9-installed.txt", facts),
        "cuda-library-not-found",
    )
    assert finding.params["provider"] == "nvidia-cudnn-cu12"
    assert finding.params["pin"] == facts.torch.requires_nvidia["nvidia-cudnn-cu12"]
    assert finding.params["wanted_cudnn"] == "8"


def test_libcuda_missing_is_the_drivers_library() -> None:
    finding = only(
        judge(
            "torch-libcudnn-cnn-infer-so8-libcuda-missing.txt",
            recorded("ci-debian12-cuda13-no-driver"),
        ),
        "cuda-library-not-found",
    )
    assert finding.params["provider"] == "driver" and finding.params["unversioned"] is True


@pytest.mark.parametrize(
    ("paste", "finding_id", "xid"),
    [
        ("kernel-xid-79-fallen-off-bus.txt", "gpu-fell-off-bus", 79),
        # the message alone, no Xid line: no Xid number is claimed (attack10 defect 13)
        ("kernel-fallen-off-bus-dmesg-570.txt", "gpu-fell-off-bus", None),
        ("kernel-xid-63-row-remapper.txt", "gpu-memory-error", 63),
        ("kernel-xid-31-mmu-fault-rtx4090.txt", "gpu-xid-application-fault", 31),
    ],
)
def test_xid_classes(paste: str, finding_id: str, xid: Optional[int]) -> None:
    finding = only(judge(paste, recorded("07-fabricmanager-802-h100")), finding_id)
    assert finding.params.get("xid") == xid
    assert finding.severity == ("warning" if finding_id == "gpu-xid-application-fault" else "error")


def test_an_unexplained_exception_is_information_only() -> None:
    findings = judge(
        "torch-rocm-collect-env-indexerror-hip-runtime.txt", recorded("10-rocm-rx6700xt-gfx1031")
    )
    assert [(f.id, f.severity) for f in findings] == [("python-exception", "info")]
    # An exception another signal explains is not repeated.
    explained = judge("torch-rocm-no-hip-gpus-available.txt", recorded("10-rocm-rx6700xt-gfx1031"))
    assert [f.id for f in explained] == ["rocm-no-gpus"]


def test_a_cleanup_xid_is_judged_by_the_xid_it_names() -> None:
    """Xid 45 'caused by previous Xid 149/145' (NVLink): NVLink errors, not a program's fault."""
    findings = judge(
        "kernel-xid-45-after-nvlink-xid-149.txt", recorded("07-fabricmanager-802-h100")
    )
    assert {(f.id, f.params["xid"], f.params["logged"]) for f in findings} == {
        ("gpu-nvlink-error", 149, 45),
        ("gpu-nvlink-error", 145, 45),
    }
    assert "Xid 149" in words_for(findings[0]).title or "Xid 145" in words_for(findings[0]).title
    # A plain Xid 45 (no cause named) stays the application's.
    plain = judge("kernel-xid-31-62-45-sequence.txt", recorded("07-fabricmanager-802-h100"))
    assert any(f.params.get("xid") == 45 and f.id == "gpu-xid-application-fault" for f in plain)


def _judge_text(text: str, facts: Facts) -> list[Finding]:
    lines = lines_of(text)
    return judge_signals(
        classify(lines), facts, lookup_build, cite({line.number: line.text for line in lines})
    )


def test_an_exception_after_a_recognised_error_gives_no_finding_of_its_own() -> None:
    """The caller failing on after the real error (a missing output file) is no cause itself;
    the same exception alone is still reported."""
    paste = (ERRORS / "ext-cuda-999-parrot-prompt-old-photos.txt").read_text(encoding="utf-8")
    facts = recorded("ci-debian12-cuda13-no-driver")
    assert [f.id for f in _judge_text(paste, facts)] == ["cuda-unknown-error"]
    caller = paste[paste.rindex("Traceback") :].replace("```", "")
    assert [f.id for f in _judge_text(caller, facts)] == ["python-exception"]


def test_cuda_error_3_after_an_error_that_says_why_is_that_error() -> None:
    """gpu_burn's second 'initialization error' after an 802 repeats it: fabric manager only."""
    text = (
        "Couldn't init CUDA: Error (gpu_burn-drv.cpp:304): system not yet initialized\n"
        "Couldn't init a GPU test: Error (gpu_burn-drv.cpp:112): initialization error\n"
    )
    facts = recorded("07-fabricmanager-802-h100")
    assert [f.id for f in _judge_text(text, facts)] == ["cuda-fabric-manager-not-ready"]
    alone = _judge_text(text.split("\n", 1)[1], facts)
    assert [f.id for f in alone] == ["cuda-driver-init-failed"]
    assert "reboot" in words_for(alone[0]).fix


def test_cuda_error_3_in_a_worker_says_spawn() -> None:
    findings = judge("ext-cuda-3-dataloader-worker-i3d.txt", recorded("07-fabricmanager-802-h100"))
    finding = only(findings, "cuda-driver-init-failed")
    assert finding.params["in_worker"] is True
    assert "spawn" in words_for(finding).fix
    assert [f.id for f in findings] == ["cuda-driver-init-failed"]  # the re-raise is the same error


def test_a_library_torchs_own_loader_misses_is_torchs() -> None:
    """torch/__init__.py's _load_global_deps failing on libcublas.so.11 is torch's install, even
    with no torch known on the host."""
    finding = only(
        judge("lib-libcublas-so11-missing-preload.txt", recorded("ci-debian12-cuda13-no-driver")),
        "cuda-library-not-found",
    )
    assert "not_torch" not in finding.params
    assert finding.params["provider"] == "nvidia-cublas-cu11"


def test_an_extension_built_against_another_torch() -> None:
    finding = only(
        judge(
            "ext-undefined-symbol-pytorch3d-extension-abi.txt",
            recorded("ci-debian12-cuda13-no-driver"),
        ),
        "cuda-library-symbol-missing",
    )
    assert finding.params["torch_abi"] is True
    assert "Rebuild or reinstall that extension" in words_for(finding).fix


HOST_NAMES = [
    "07-fabricmanager-802-h100",
    "02-ldpath-nvjitlink-cuda121",
    "ci-debian12-cuda13-no-driver",
]


def test_every_finding_of_every_fixture_is_worded_and_documented() -> None:
    documented = set(re.findall(r"`([a-z0-9-]+)`", (ROOT / "docs" / "findings.md").read_text()))
    produced: set[str] = set()
    for host in HOST_NAMES:
        facts = recorded(host)
        for paste in sorted(p.name for p in ERRORS.glob("*.txt")):
            for finding in judge(paste, facts):
                produced.add(finding.id)
                assert finding.id in WORDS, finding.id
                words = words_for(finding)
                assert words.title and "{" not in words.title + words.fix, (finding.id, words)
                assert finding.evidence and all(e.startswith("paste:") for e in finding.evidence)
    assert produced <= documented, sorted(produced - documented)
    assert set(WORDS) <= documented, sorted(set(WORDS) - documented)


def test_unknown_or_empty_signals_give_no_finding() -> None:
    from envsetup.model.paste import Signal

    facts = recorded("ci-debian12-cuda13-no-driver")
    assert judge_signals([], facts, lookup_build) == []
    assert judge_signals([Signal("not-a-signal", "x", {}, [1])], facts, lookup_build) == []


def _kepler_host_on_470(tmp_path: Path, arch: str) -> Facts:
    """Driver 470.86 (nvidia-smi's header from a real paste) with a Kepler GPU stated beside."""
    header = fixture_text("torch-errors/driver-too-old-11040-rtx3050-470.86.txt", skip=7)
    spec = (
        ubuntu()
        .command([SMI], header, 0)
        .torch_wheel(VENV_SITE, "torch/version.py-2.7.1+cu126.txt")
    )
    spec.which["nvidia-smi"] = SMI
    spec.environ["ENVSETUP_GPU_ARCH"] = arch
    return built(spec, tmp_path)


def test_k80_on_its_last_driver_branch_gets_a_build_with_sm_37_not_an_upgrade(
    tmp_path: Path,
) -> None:
    # pytorch #44828 (a K80, error 209) on a host with driver 470 (Kepler's last branch).
    facts = _kepler_host_on_470(tmp_path, "3.7")
    finding = only(judge("capfix-k80-thcudacheck-209.txt", facts), "cuda-no-kernel-image")
    p = finding.params
    assert p["sm"] == "sm_37" and not p.get("upgrade_driver")
    info = lookup_build(f"{p['release']}.0+{p['variant']}", "Linux", "x86_64")
    assert info is not None and coverage(info.arch_list, ComputeCapability(3, 7))
    floor = compat.min_driver_for_torch_cuda(f"{p['variant'][2:-1]}.{p['variant'][-1]}", "Linux")
    assert floor is not None and compat.parse_version(floor.driver) <= compat.parse_version(
        "470.86"
    )
    assert "driver" not in words_for(finding).fix  # no "upgrade the NVIDIA driver"


def test_a_kepler_gpu_no_release_covers_gets_no_driver_upgrade(tmp_path: Path) -> None:
    # A 3.5 Kepler (GTX 780): no profile's arch list runs on it (3.7 cubins need 3.7).
    facts = _kepler_host_on_470(tmp_path, "3.5")
    finding = only(judge("capfix-k80-thcudacheck-209.txt", facts), "cuda-no-kernel-image")
    assert finding.params["sm"] == "sm_35" and "release" not in finding.params
    assert finding.params["last_branch"] == "470"  # driver 470: no newer branch for Kepler
    fix = words_for(finding).fix
    assert "No torch release envsetup knows has kernels for sm_35" in fix
    assert "upgrade" not in fix and "R470 is the last driver branch" in fix


def test_kepler_last_driver_branch_is_470_and_others_are_not_claimed() -> None:
    assert last_driver_branch(ComputeCapability(3, 7)) == 470
    assert last_driver_branch(ComputeCapability(6, 1)) is None
    assert last_driver_branch(ComputeCapability(12, 0)) is None


def _refused(device: str, driver: str) -> Finding:
    from envsetup.model.paste import Signal

    signal = Signal(
        "nvrm-gpu-not-supported",
        "kernel-log",
        {"pci": "0000:3c:00.0", "device": device, "driver": driver},
        [1],
    )
    (finding,) = judge_signals([signal], recorded("10-rocm-rx6700xt-gfx1031"), lookup_build)
    return finding


def test_a_driver_below_the_gpu_architecture_s_floor_is_too_old() -> None:
    # RTX 5060 Ti (10de:2d04, Blackwell, compute capability 12.0) refused by 555.58.02: the values
    # of a real Debian 13 log (the refusal quoted in the lead; its repository not recorded, so no
    # fixture): CUDA 12.8 first builds for sm_120 and ships with R570.
    finding = _refused("2d04", "555.58.02")
    p = finding.params
    assert p["cause"] == "driver-too-old"
    assert (p["gpu"], p["capability"], p["need_cuda"], p["need_branch"]) == (
        "GeForce RTX 5060 Ti",
        "12.0",
        "12.8",
        570,
    )
    title = words_for(finding).title
    assert "555.58.02" in title and "GeForce RTX 5060 Ti" in title and "R570" in title


def test_a_driver_at_or_above_the_floor_is_not_called_too_old() -> None:
    # H100 (Hopper, 9.0: CUDA 11.8, R520) refused by R550 (NVIDIA/nvtrust #67): not the branch.
    assert _refused("2330", "550.90.07").params["cause"] == "not-listed"
    # A GPU our table does not list: no floor, no claim.
    p = _refused("1050", "280.13").params
    assert p["cause"] == "not-listed" and "gpu" not in p and "need_branch" not in p


def test_the_refused_gpus_of_one_model_and_driver_are_one_finding() -> None:
    from envsetup.model.paste import Signal

    # Two A100s (10de:20b0) refused by one driver: one finding naming both PCI addresses.
    signals = [
        Signal(
            "nvrm-gpu-not-supported",
            "kernel-log",
            {"pci": pci, "device": "20b0", "driver": "535.309.01"},
            [n],
        )
        for n, pci in ((1, "0000:04:00.0"), (7, "0000:05:00.0"))
    ]
    (finding,) = judge_signals(signals, recorded("10-rocm-rx6700xt-gfx1031"), lookup_build)
    assert finding.params["pci"] == ["0000:04:00.0", "0000:05:00.0"]
    assert finding.params["gpu"] == "A100 SXM4 40GB" and finding.params["cause"] == "not-listed"
    # The paste's own: judged on any host, the message's lines cited.
    (pasted,) = judge(
        "kernel-gpu-not-supported-h100-550-cvm-nvtrust67.txt", recorded("07-fabricmanager-802-h100")
    )
    assert pasted.id == "driver-gpu-unsupported" and len(pasted.evidence) == 6


def _bare_facts() -> Facts:
    """A machine nothing is known of but its OS (as explain --no-host of a paste)."""
    return Facts(os=OsFacts(system="Linux", arch="x86_64"), python=PythonFacts(executable=""))


# torch 2.8 .. 2.12's min/max warning, its range judged by NVIDIA's binary compatibility rule
# (attack12b H2): the lines are the real GB10 warning's (torch-gb10-*.txt) with the numbers of
# the capability and range varied; only a same-major top entry at or below the GPU's minor runs.
@pytest.mark.parametrize(
    ("capability", "low", "high", "expected"),
    [
        ("12.1", "8.0", "12.0", "torch-arch-warning-harmless"),  # GB10 beside sm_120
        ("8.9", "5.0", "8.6", "torch-arch-warning-harmless"),  # sm_86 cubins run on 8.9
        ("12.0", "5.0", "9.0", "cuda-no-kernel-image"),  # another major: no cubin runs
        ("6.1", "7.0", "12.0", "cuda-no-kernel-image"),  # below the lowest entry
    ],
)
def test_min_max_range_is_judged_by_binary_compatibility(
    capability: str, low: str, high: str, expected: str
) -> None:
    text = (
        "/venv/lib/python3.12/site-packages/torch/cuda/__init__.py:283: UserWarning: \n"
        f"    Found GPU0 NVIDIA GB10 which is of cuda capability {capability}.\n"
        "    Minimum and Maximum cuda capability supported by this version of PyTorch is\n"
        f"    ({low}) - ({high})\n"
    )
    lines = lines_of(text)
    signals = classify(lines)
    assert [(s.params["minimum"], s.params["maximum"]) for s in signals] == [(low, high)]
    findings = judge_signals(
        signals, _bare_facts(), lookup_build, cite({n.number: n.text for n in lines})
    )
    assert [f.id for f in findings] == [expected]
    if expected == "torch-arch-warning-harmless":
        assert findings[0].severity == "info" and findings[0].params["arch_source"] == "range"


def test_a_harmless_warning_beside_no_kernel_image_blames_an_extension() -> None:
    """The GB10 warning and a pasted 'no kernel image': torch's own code runs on 12.1, so the
    kernel missing is an extension's."""
    text = (ERRORS / "torch-gb10-sm121-min-max-warning-torch2.9.1-unsloth.txt").read_text()
    text += "RuntimeError: CUDA error: no kernel image is available for execution on the device\n"
    lines = lines_of(text)
    findings = judge_signals(classify(lines), _bare_facts(), lookup_build)
    assert "cuda-no-kernel-image-in-extension" in [f.id for f in findings]
    assert "torch-arch-warning-harmless" not in [f.id for f in findings]


def test_no_kernel_image_on_a_jetson_uses_its_module_s_capability_and_jetpack_index() -> None:
    """attack12a H5: the Orin's 8.7 comes from the Jetson facts (no nvidia-smi row), and the fix
    is NVIDIA's JetPack 6 index, not a download.pytorch.org build (SBSA, no sm_87)."""
    finding = only(
        judge(
            "torch-nightly-cu124-no-kernel-image-jetson-orin-jp62.txt",
            recorded("05-jetson-orin-pypi-cpu-wheel"),
        ),
        "cuda-no-kernel-image",
    )
    assert finding.params["sm"] == "sm_87" and finding.params["jetson"] is True
    assert "capability_unknown" not in finding.params and "release" not in finding.params
    assert finding.params["jetson_index_url"] == "https://pypi.jetson-ai-lab.io/jp6/cu126"
    fix = words_for(finding).fix
    assert "https://pypi.jetson-ai-lab.io/jp6/cu126" in fix and "JetPack 6" in fix


def test_ptxas_too_old_names_this_machine_s_newer_toolkit() -> None:
    """attack12a H7: Thor's sm_110a needs CUDA 13.0's ptxas; the project's CI machine has CUDA
    13.0.88 at /usr/local/cuda-13.0, so the fix names its ptxas for TRITON_PTXAS_PATH."""
    finding = only(
        judge(
            "triton-ptxas-sm110a-not-defined-thor-vllm.txt",
            recorded("ci-debian12-cuda13-no-driver"),
        ),
        "ptxas-gpu-arch-unknown",
    )
    assert finding.params["reason"] == "too-new" and finding.params["first"] == "13.0"
    assert finding.params["ptxas"] == "/usr/local/cuda-13.0/bin/ptxas"
    assert "TRITON_PTXAS_PATH=/usr/local/cuda-13.0/bin/ptxas" in words_for(finding).fix


def test_ptxas_newer_than_a_removed_target_says_it_was_dropped() -> None:
    """CUDA 13 dropped Maxwell: "ptxas fatal: Value 'sm_52' is not defined for option
    'gpu-name'" (the line a public CUDA 13.3 build guide quotes, found with the code search)."""
    lines = lines_of("ptxas fatal: Value 'sm_52' is not defined for option 'gpu-name'\n")
    (finding,) = judge_signals(classify(lines), _bare_facts(), lookup_build)
    assert finding.id == "ptxas-gpu-arch-unknown"
    assert finding.params["reason"] == "removed" and finding.params["removed"] == "13.0"
    assert "TRITON" not in words_for(finding).fix
