"""Jetson kinds from the issue-11 review (attack11 J1-J4, J6 and the Jetson half of I1), each on
more than one board.

Every host here is built by hand with tests/hostbuilder.py (through test_case_05_jetson._jetson)
except case 05's real host. Real strings they carry, with their sources: the device-tree model
"NVIDIA Jetson AGX Thor Developer Kit" and L4T R38 (pollen-robotics/microduck_rl issue #38,
"Jetson AGX Thor (JetPack 7 / L4T R38, CUDA 13.0)"); the GPU name "NVIDIA Thor", driver 580 and
torch 2.10.0+cu130 with CUDA available on a Thor (vllm-project/vllm issue #34470,
https://github.com/vllm-project/vllm/issues/34470); the kernel 6.8.12-tegra (same issue); the
old Jetson AI Lab host pypi.jetson-ai-lab.dev (fzyzcjy/torch_memory_saver PR #15). The R39 line
is the bare "# Rxx (release), REVISION: y.z" start every such line has, for a release envsetup
does not know; the NVML answer is written by hand in NVML's shape (no captured one exists)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envsetup.command_check.check import check_command
from envsetup.diagnose import diagnose
from envsetup.host.recorded import RecordedHost
from envsetup.model.jetson import builds_of
from envsetup.probe import probe_all
from envsetup.profiles.loader import load_releases
from envsetup.render.finding_words import words_for
from envsetup.render.resolution_words import refusal_reason
from envsetup.resolve.request import InstallRequest
from envsetup.resolve.resolution import RefusalCode, ResolutionRefused
from envsetup.resolve.resolver import resolve
from hostbuilder import FIXTURES, HostSpec

CASE = FIXTURES / "cases" / "05-jetson-orin-pypi-cpu-wheel"
# A real L4T R35.4.1 (JetPack 5.1.2) line, from boxcutter/kvm's Jetson docs (as in
# test_case_05_jetson.py).
R35_4_1_LINE = (
    "# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, "
    "DATE: Tue Aug  1 19:57:35 UTC 2023\n"
)

THOR_MODEL = "NVIDIA Jetson AGX Thor Developer Kit"
R38 = "# R38 (release), REVISION: 2.0\n"
THOR_NVML = {
    # By hand, in NVML's shape: the name and driver of vllm-project/vllm issue #34470's Thor.
    "driver_version": "580.00",
    "cuda_driver_version": 13000,
    "devices": [
        {
            "index": 0,
            "name": "NVIDIA Thor",
            "uuid": "GPU-00000000-0000-0000-0000-000000000000",
            "memory_total_bytes": 0,
            "compute_capability": "11.0",
            "mig_mode": None,
        }
    ],
}
NOT_FOR_IGPU = ("jetson-torch-not-for-igpu", "jetson-command-not-for-igpu")
DRIVER_VERDICTS = ("no-nvidia-driver", "cuda-build-without-nvidia")


@pytest.fixture(scope="module")
def releases():
    return load_releases()


def _facts(host: str):
    return probe_all(RecordedHost(host))


def _thor(tmp_path: Path, sign: str, python: str = "3.10.12", torch: str | None = None) -> str:
    """A Thor known by one sign only: its L4T release, its device tree, or its GPU's name."""
    cuda = "'13.0'" if torch and "+cu" in torch else "None"
    tegra = R38 if sign == "l4t" else None
    model = THOR_MODEL if sign == "model" else None
    nvml = THOR_NVML if sign == "gpu" else None
    return _jetson(
        tmp_path, f"thor-{sign}", tegra, model, "6.8.12-tegra", python, torch, cuda, nvml
    )


SIGNS = ("l4t", "model", "gpu")


def _jetson(tmp_path, name, tegra, model, kernel, python, torch, cuda="None", nvml=None) -> str:
    """A Jetson built by hand (as test_case_05_jetson._jetson): a venv, no nvidia-smi; `nvml`:
    what NVML answers (its device node then exists), else no NVIDIA device node."""
    site = f"/home/user/venv/lib/python3.{python.split('.')[1]}/site-packages"
    spec = HostSpec(
        machine="aarch64",
        release=kernel,
        libc="glibc 2.35",
        python="/home/user/venv/bin/python",
        python_version=python,
        prefix="/home/user/venv",
        site_packages=[site],
        environ={"VIRTUAL_ENV": "/home/user/venv"},
        which={"nvidia-smi": None},
    )
    if nvml is not None:
        spec.nvml = nvml
        spec.markers.append("/dev/nvidiactl")
    if tegra is not None:
        spec.files["/etc/nv_tegra_release"] = tegra
    if model is not None:
        spec.files["/proc/device-tree/model"] = model + "\0"
    if torch:
        spec.files[f"{site}/torch/version.py"] = (
            f"__version__ = '{torch}'\ndebug = False\ncuda = {cuda}\nhip = None\n"
        )
        spec.files[f"{site}/torch-{torch}.dist-info/METADATA"] = (
            f"Metadata-Version: 2.1\nName: torch\nVersion: {torch}\n"
        )
    return spec.write(tmp_path / name)


@pytest.mark.parametrize("sign", SIGNS)
def test_thor_is_known_from_each_sign(tmp_path, sign) -> None:
    jetson = _facts(_thor(tmp_path, sign)).jetson
    assert jetson.is_jetson and jetson.module == "Thor"
    assert str(jetson.compute_capability) == "11.0" and jetson.jetpack == "7"


@pytest.mark.parametrize("sign", SIGNS)
def test_thor_runs_pytorchs_cu130_wheel_in_doctor_install_and_check_command(
    tmp_path, releases, sign
) -> None:
    """J1: one judgement everywhere: PyTorch's aarch64 cu130 wheel uses Thor's GPU."""
    facts = _facts(_thor(tmp_path, sign, torch="2.10.0+cu130"))
    assert not {f.id for f in diagnose(facts)} & set(NOT_FOR_IGPU)
    command = "pip install torch==2.10.0 --index-url https://download.pytorch.org/whl/cu130"
    report = check_command(command, facts, releases)
    ids = report.ids("error", "warning", "info")
    assert not set(ids) & {*NOT_FOR_IGPU, *DRIVER_VERDICTS}
    for compute in ("auto", "cu130"):  # `--cuda auto`, `--cuda 13.0`
        plan = resolve(InstallRequest(compute=compute), facts, releases)
        assert plan.variant == "cu130" and "download.pytorch.org" in (plan.index_url or "")


@pytest.mark.parametrize("sign", SIGNS)
def test_thor_doctor_fix_resolves_on_a_python_nvidias_index_lacks(tmp_path, releases, sign) -> None:
    """J2: NVIDIA's SBSA index is cp312 only; on Python 3.10 the fix names PyTorch's cu130 index
    and an install line that install does not refuse."""
    facts = _facts(_thor(tmp_path, sign, torch="2.7.1+cpu"))
    finding = next(f for f in diagnose(facts) if f.id == "jetson-torch-cpu-only")
    assert finding.params["command"] == (
        "pip install torch --index-url https://download.pytorch.org/whl/cu130"
    )
    plan = resolve(InstallRequest(compute="auto"), facts, releases)
    assert plan.variant == "cu130" and plan.python_version == "3.10"
    assert "3.12" in words_for(finding).fix  # says why NVIDIA's own index is not the command


def test_orin_on_another_python_is_sent_to_a_new_env_that_resolves(tmp_path, releases) -> None:
    """J2 on Orin (JetPack 6, cp310 only, PyTorch's wheels do not use its GPU): no pip command
    that cannot resolve; the install line is one the resolver accepts."""
    host = _jetson(
        tmp_path,
        "orin-38",
        "# R36 (release), REVISION: 4.3\n",
        None,
        "5.15.148-tegra",
        "3.8.10",
        "2.4.1+cpu",
    )
    finding = next(f for f in diagnose(_facts(host)) if f.id == "jetson-torch-cpu-only")
    assert finding.params["command"] is None and finding.params["env_python"] == "3.8"
    assert finding.params["install"] == "envsetup install --manager uv --python 3.10 --cuda auto"
    plan = resolve(
        InstallRequest(compute="auto", manager="uv", python="3.10"), _facts(host), releases
    )
    assert plan.variant == "jp6-cu126"
    assert "Python 3.10" in words_for(finding).fix


@pytest.mark.parametrize(
    "tegra, model",
    [
        (
            "# R39 (release), REVISION: 2.0\n",
            "Jetson Orin Nano Engineering Reference Developer Kit Super",
        ),
        (R35_4_1_LINE, None),
        ("# R32 (release), REVISION: 4.3\n", None),
    ],
)
def test_no_jetpack_index_never_ends_in_the_cpu_build(tmp_path, releases, tegra, model) -> None:
    """J4, J6: JetPack 7.2 (R39) on an Orin, whose builds envsetup does not know, or a JetPack
    without a pip index (4, 5): install and
    check-command say where NVIDIA lists the wheels, not '--cuda cpu' as the only advice."""
    host = _jetson(tmp_path, "jet", tegra, model, "5.10.120-tegra", "3.10.12", "2.7.1+cpu")
    facts = _facts(host)
    with pytest.raises(ResolutionRefused) as refused:
        resolve(InstallRequest(compute="auto"), facts, releases)
    assert refused.value.code is RefusalCode.JETSON_NO_INDEX
    assert refused.value.alternatives == []
    assert "pytorch/pytorch#nvidia-jetson-platforms" in refusal_reason(refused.value)
    report = check_command("pip install torch", facts, releases)
    assert "--cuda cpu" not in json.dumps(report.to_dict())
    finding = next(f for f in diagnose(facts) if f.id == "jetson-torch-cpu-only")
    fix = words_for(finding).fix
    assert "pytorch/pytorch#nvidia-jetson-platforms" in fix
    if builds_of(facts.jetson) is None:  # R39 on an Orin: no claim about builds not known
        assert "does not know" in fix and "do not use this GPU" not in fix
        (command,) = [f for f in report.findings if f.id == "jetson-command-not-for-igpu"]
        assert command.severity == "warning" and command.params["unknown_release"] is True


@pytest.mark.parametrize(
    "index",
    ["https://pypi.jetson-ai-lab.dev/jp6/cu126", "https://pypi.jetson-ai-lab.io/jp6/cu126/"],
)
def test_every_jetson_ai_lab_host_is_nvidias_index(releases, index) -> None:
    """I1 (Jetson half): the index's old .dev host is the same JetPack 6 index; a Jetson
    source never draws a desktop-driver verdict, pinned or not."""
    facts = _facts(str(CASE / "host"))
    for command in (
        f"pip install torch==2.9.1 --index-url {index}",
        f"pip install torch torchvision --index-url {index}",
    ):
        report = check_command(command, facts, releases)
        assert report.pick["build"] == "jp6-cu126", command
        assert not set(report.ids("error", "warning", "info")) & {*NOT_FOR_IGPU, *DRIVER_VERDICTS}


def test_jetson_words_read_when_the_module_is_unknown(tmp_path, releases) -> None:
    """J3: 'this Jetson', never 'this a Jetson'; no double space nor 'R?' in a refusal."""
    host = _jetson(tmp_path, "r35", R35_4_1_LINE, None, "5.10.120-tegra", "3.8.10", "2.7.1+cpu")
    facts = _facts(host)
    finding = next(f for f in diagnose(facts) if f.id == "jetson-torch-cpu-only")
    assert "this Jetson," in words_for(finding).title and "a Jetson" not in words_for(finding).title
    nowhere = _jetson(tmp_path, "kernel-only", None, None, "5.10.120-tegra", "3.8.10", None)
    with pytest.raises(ResolutionRefused) as refused:
        resolve(InstallRequest(compute="auto"), _facts(nowhere), releases)
    reason = refusal_reason(refused.value)
    assert "  " not in reason and "R?" not in reason and reason.startswith("a Jetson:")


# attack12c M3: L4T R39.2 (JetPack 7.2, Orin and Thor: OE4T/meta-tegra PR #2224; the real R39.2.0
# line and Orin model of rbonghi/jetson_stats issue #864); R38.4 = JetPack 7.1 (rbonghi/
# jetson_stats PR #792). The builds of JetPack 7 are known for Thor only.
R39_2_LINE = (
    "# R39 (release), REVISION: 2.0, GCID: 45755727, BOARD: generic, EABI: aarch64, "
    "DATE: Mon Jun  1 09:28:48 PM UTC 2026\n"
)


@pytest.mark.parametrize(
    "l4t, series, release",
    [("39.2.0", "7", "7.2"), ("38.4.0", "7", "7.1"), ("38.2.0", "7", "7.0"),
     ("36.4.3", "6", "6.2"), ("35.2.1", "5", "5.1"), ("40.0", None, None)],
)  # fmt: skip
def test_jetpack_series_and_release_of_an_l4t(l4t, series, release) -> None:
    from envsetup.model.jetson import jetpack_for, jetpack_release

    assert jetpack_for(l4t) == series and jetpack_release(l4t) == release


@pytest.mark.parametrize(
    "tegra, model, severity",
    [
        # JetPack 7.2 on an AGX Orin: which torch builds use its GPU is not known: a warning.
        (R39_2_LINE, "NVIDIA Jetson AGX Orin Developer Kit", "warning"),
        # A release envsetup does not know at all (written here in the line's shape): a warning.
        ("# R40 (release), REVISION: 1.0\n", "NVIDIA Jetson AGX Orin Developer Kit", "warning"),
        # JetPack 6 on an Orin: known, PyTorch's aarch64 CUDA wheels do not use it: an error.
        ("# R36 (release), REVISION: 4.3\n", "NVIDIA Jetson AGX Orin Developer Kit", "error"),
    ],
)
def test_an_unknown_release_is_never_an_error_in_check_command(
    tmp_path, releases, tegra, model, severity
) -> None:
    host = _jetson(tmp_path, "jp", tegra, model, "6.8.12-1021-tegra", "3.12.3", None)
    facts = _facts(host)
    report = check_command("pip install torch", facts, releases)
    (finding,) = [f for f in report.findings if f.id == "jetson-command-not-for-igpu"]
    assert finding.severity == severity
    words = words_for(finding)
    if severity == "warning":
        assert "is not known" in words.title and "will not use" not in words.title
    if tegra is R39_2_LINE:
        assert facts.jetson.jetpack == "7" and "JetPack 7.2" in words.title


@pytest.mark.parametrize("sign", SIGNS)
def test_thor_no_kernel_image_fix_names_the_build_install_picks(tmp_path, releases, sign) -> None:
    """attack13 H1/M6: the real Thor paste (OpenRAL/openral PR #167, torch 2.9.1+cu128 without
    sm_110) judged on a Thor: explain's fix names a build that covers sm_110 and is the one
    install's --cuda auto picks for that release (cu130 on JetPack 7's CUDA 13.0 driver, not a
    newer cu132 that runs only through minor version compatibility)."""
    from envsetup.diagnose.signal_rules import cite, judge_signals
    from envsetup.parsers.signals import classify, lines_of
    from envsetup.profiles.lookup import lookup_build

    facts = _facts(_thor(tmp_path, sign, torch="2.9.1+cu128"))
    paste = (
        FIXTURES / "paste/errors/cuda-no-kernel-image-jetson-thor-l4t-r38.4-torch2.9.1-cu128.txt"
    )
    lines = lines_of(paste.read_text(encoding="utf-8"))
    findings = judge_signals(
        classify(lines), facts, lookup_build, cite({ln.number: ln.text for ln in lines})
    )
    (finding,) = [f for f in findings if f.id == "cuda-no-kernel-image"]
    p = finding.params
    assert p["sm"] == "sm_110" and p.get("variant") == "cu130", p
    plan = resolve(InstallRequest(torch=p["release"], compute="auto"), facts, releases)
    assert plan.variant == p["variant"]
    assert "build torch from source" not in words_for(finding).fix
