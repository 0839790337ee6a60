"""Jetson / L4T (issue 11): the real case 05 (a Jetson AGX Orin with PyPI's CPU wheel,
huggingface/lerobot#2363, copied under tests/fixtures/cases with its PROVENANCE.md) and the same
kind on other Jetsons and on a non-Jetson aarch64 server.

The other hosts are built here by hand with tests/hostbuilder.py. Their /etc/nv_tegra_release
lines are either a real one (R35_4_1_LINE, quoted below with its source) or the bare
"# Rxx (release), REVISION: y.z" start that every such line has (the real case's R36 line);
JetPack 6's nvidia-smi table is real (tests/fixtures/nvidia-smi/SOURCES.tsv)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from envsetup.command_check.check import check_command
from envsetup.diagnose import diagnose
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.model.jetson import l4t_from_package, l4t_from_tegra_release, module_of
from envsetup.probe import probe_all
from envsetup.profiles.loader import load_releases
from envsetup.render.finding_words import words_for
from envsetup.resolve.request import InstallRequest
from envsetup.resolve.resolution import RefusalCode, ResolutionRefused
from envsetup.resolve.resolver import resolve
from hostbuilder import FIXTURES, HostSpec, fixture_text

CASE = FIXTURES / "cases" / "05-jetson-orin-pypi-cpu-wheel"
# A real L4T R35.4.1 (JetPack 5.1.2) line, from boxcutter/kvm's Jetson docs (`cat
# /etc/nv_tegra_release` beside `apt-cache show nvidia-jetpack` = 5.1.2-b104).
R35_4_1_LINE = (
    "# R35 (release), REVISION: 4.1, GCID: 33958178, BOARD: t186ref, EABI: aarch64, "
    "DATE: Tue Aug  1 19:57:35 UTC 2023\n"
)
JP6_SMI = "nvidia-smi/540.4.0-jetson-orin-nvgpu-jetpack6-partial.txt"
SITE = "/home/user/venv/lib/python3.{minor}/site-packages"
DRIVER_ADVICE = ("toolkit-without-driver", "gpu-without-driver", "nvidia-smi-failed")


@pytest.fixture(scope="module")
def releases():
    return load_releases()


def _facts(host_dir: str) -> Facts:
    return probe_all(RecordedHost(host_dir))


def _torch_files(spec: HostSpec, site: str, version: str, cuda: str = "None") -> None:
    spec.files[f"{site}/torch/version.py"] = (
        f"__version__ = '{version}'\ndebug = False\ncuda = {cuda}\nhip = None\n"
    )
    spec.files[f"{site}/torch-{version}.dist-info/METADATA"] = (
        f"Metadata-Version: 2.1\nName: torch\nVersion: {version}\n"
    )


def _jetson(
    tmp_path: Path,
    name: str,
    tegra: str | None,
    model: str | None,
    kernel: str,
    python: str,
    torch: str | None,
    cuda: str = "None",
) -> str:
    minor = python.split(".")[1]
    site = SITE.format(minor=minor)
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
    if tegra is not None:
        spec.files["/etc/nv_tegra_release"] = tegra
    if model is not None:
        spec.files["/proc/device-tree/model"] = model + "\0"  # a device-tree string ends in NUL
    if torch:
        _torch_files(spec, site, torch, cuda)
    return spec.write(tmp_path / name)


# ----------------------------------------------------------------------------- the real case


def test_case_doctor_recognises_the_orin_and_names_the_jetpack_build() -> None:
    facts = _facts(str(CASE / "host"))
    jetson = facts.jetson
    assert jetson.is_jetson and jetson.l4t == "36.4.3" and jetson.jetpack == "6"
    assert jetson.module == "Orin" and str(jetson.compute_capability) == "8.7"
    findings = diagnose(facts)
    ids = [f.id for f in findings]
    assert "jetson-torch-cpu-only" in ids
    assert not set(ids) & set(DRIVER_ADVICE)  # never a desktop driver on a Jetson
    finding = next(f for f in findings if f.id == "jetson-torch-cpu-only")
    assert finding.severity == "error"
    assert finding.params["index_url"] == "https://pypi.jetson-ai-lab.io/jp6/cu126"
    assert finding.params["pytorch_wheels"] is False
    words = words_for(finding)
    assert "JetPack 6" in words.fix and "desktop" in words.fix
    assert "install the driver" not in words.fix.lower()


def test_case_doctor_json_carries_the_jetson_facts() -> None:
    data = _facts(str(CASE / "host")).to_dict()["jetson"]
    assert data["l4t"] == "36.4.3" and data["compute_capability"] == "8.7"
    assert Facts.from_dict(_facts(str(CASE / "host")).to_dict()).jetson.jetpack == "6"


def test_case_install_resolves_to_the_jetpack_6_index(releases) -> None:
    plan = resolve(InstallRequest(compute="auto"), _facts(str(CASE / "host")), releases)
    assert plan.index_url == "https://pypi.jetson-ai-lab.io/jp6/cu126"
    assert plan.variant == "jp6-cu126" and plan.python_version == "3.10"
    assert [p.requirement() for p in plan.pins] == ["torch==2.9.1", "torchvision==0.24.1"]


def test_case_install_cpu_stays_the_cpu_build(releases) -> None:
    plan = resolve(InstallRequest(compute="cpu"), _facts(str(CASE / "host")), releases)
    assert plan.variant == "cpu"


def test_case_check_command_says_pypi_torch_misses_the_igpu(releases) -> None:
    text = (CASE / "command.txt").read_text()
    report = check_command(text, _facts(str(CASE / "host")), releases)
    ids = report.ids("error", "warning")
    assert "jetson-command-not-for-igpu" in ids
    assert "cuda-build-without-nvidia" not in ids  # its fix is a desktop driver
    plan = report.suggestion.resolution
    assert plan is not None and plan.index_url == "https://pypi.jetson-ai-lab.io/jp6/cu126"
    flags = report.suggested_flags
    assert flags[flags.index("--cuda") + 1] == "auto"


def test_case_check_command_from_the_jetson_index_is_not_flagged(releases) -> None:
    text = "pip install torch==2.9.1 --index-url https://pypi.jetson-ai-lab.io/jp6/cu126"
    report = check_command(text, _facts(str(CASE / "host")), releases)
    assert "jetson-command-not-for-igpu" not in report.ids("error", "warning", "info")


# ----------------------------------------------------------------------------- the kind


def test_xavier_jetpack5_cpu_torch_refuses_with_the_wheel_page(tmp_path, releases) -> None:
    host = _jetson(
        tmp_path,
        "xavier",
        R35_4_1_LINE,
        "NVIDIA Jetson AGX Xavier Developer Kit",
        "5.10.120-tegra",
        "3.8.10",
        "2.1.0+cpu",
    )
    facts = _facts(host)
    assert facts.jetson.jetpack == "5" and str(facts.jetson.compute_capability) == "7.2"
    finding = next(f for f in diagnose(facts) if f.id == "jetson-torch-cpu-only")
    assert finding.params["index_url"] is None and finding.params["page"]
    with pytest.raises(ResolutionRefused) as refused:
        resolve(InstallRequest(compute="auto"), facts, releases)
    assert refused.value.code is RefusalCode.JETSON_NO_INDEX


def test_orin_with_pytorch_aarch64_cuda_wheel_is_flagged(tmp_path) -> None:
    host = _jetson(
        tmp_path,
        "orin-cu126",
        "# R36 (release), REVISION: 4.4\n",
        "NVIDIA Jetson Orin Nano Engineering Reference Developer Kit Super",
        "5.15.148-tegra",
        "3.10.12",
        "2.7.0+cu126",
        cuda="'12.6'",
    )
    ids = [f.id for f in diagnose(_facts(host))]
    assert "jetson-torch-not-for-igpu" in ids and "jetson-torch-cpu-only" not in ids


def _with_jetpack6_smi(host: str) -> str:
    """The host's manifest with JetPack 6's real nvidia-smi answer added."""
    manifest = Path(host) / "host.json"
    data = json.loads(manifest.read_text())
    data["which"]["nvidia-smi"] = "/usr/bin/nvidia-smi"
    data["commands"].insert(
        0, {"argv": ["/usr/bin/nvidia-smi"], "returncode": 0, "stdout": fixture_text(JP6_SMI)}
    )
    manifest.write_text(json.dumps(data))
    return host


def test_jetpack6_nvidia_smi_does_not_turn_a_jetson_into_a_desktop(tmp_path, releases) -> None:
    """JetPack 6's nvidia-smi answers driver 540.4.0, CUDA 12.6, 'Orin (nvgpu)': the desktop
    judgement (cu128 would fit, driver 540 is below cu130's floor) must not speak; the Jetson one
    does, once."""
    host = _with_jetpack6_smi(
        _jetson(
            tmp_path,
            "orin-smi",
            "# R36 (release), REVISION: 4.3\n",
            None,
            "5.15.148-tegra",
            "3.10.12",
            "2.7.1+cpu",
        )
    )
    facts = _facts(host)
    assert facts.nvidia.driver_version == "540.4.0"  # read, as on any machine
    ids = [f.id for f in diagnose(facts)]
    assert ids.count("jetson-torch-cpu-only") == 1
    assert "torch-cpu-only-on-gpu-host" not in ids
    report = check_command("pip install torch", facts, releases)
    problems = report.ids("error", "warning")
    assert "jetson-command-not-for-igpu" in problems
    assert not {"driver-below-floor", "arch-not-covered", "cuda-build-without-nvidia"} & set(
        problems
    )
    assert report.suggestion.resolution.index_url == "https://pypi.jetson-ai-lab.io/jp6/cu126"


def test_orin_with_nvidias_own_build_is_not_flagged(tmp_path) -> None:
    host = _jetson(
        tmp_path,
        "orin-nv",
        "# R35 (release), REVISION: 3.1\n",
        "NVIDIA Jetson AGX Orin",
        "5.10.120-tegra",
        "3.8.10",
        "2.0.0+nv23.05",
        cuda="'11.4'",
    )
    ids = [f.id for f in diagnose(_facts(host))]
    assert not {i for i in ids if i.startswith("jetson-")}


def test_thor_jetpack7_uses_the_sbsa_index_without_a_driver_answer(tmp_path, releases) -> None:
    host = _jetson(
        tmp_path,
        "thor",
        "# R38 (release), REVISION: 2.0\n",
        "NVIDIA Jetson AGX Thor Developer Kit",
        "6.8.12-tegra",
        "3.12.3",
        None,
    )
    facts = _facts(host)
    assert facts.jetson.module == "Thor" and str(facts.jetson.compute_capability) == "11.0"
    plan = resolve(InstallRequest(compute="auto"), facts, releases)
    assert plan.index_url == "https://pypi.jetson-ai-lab.io/sbsa/cu130"
    # NVIDIA's SBSA index is cp312 only; PyTorch's own cu130 wheels run on Thor for Python 3.10
    # (attack11 J2: a refusal here sent people to another Python for no reason).
    other = resolve(InstallRequest(compute="auto", python="3.10", manager="uv"), facts, releases)
    assert other.variant == "cu130" and "download.pytorch.org" in (other.index_url or "")
    # On Orin (JetPack 6) only NVIDIA's cp310 builds use the GPU: another Python is refused.
    orin = _facts(str(CASE / "host"))
    with pytest.raises(ResolutionRefused) as refused:
        resolve(InstallRequest(compute="auto", python="3.12", manager="uv"), orin, releases)
    assert refused.value.code is RefusalCode.JETSON_PYTHON


def test_thor_with_its_driver_takes_pytorchs_cu130_wheels(tmp_path, releases) -> None:
    """Thor under JetPack 7 has a driver (580, CUDA 13.0; pollen-robotics/microduck_rl #38), here
    stated by ENVSETUP_CUDA_DRIVER_VERSION: PyTorch's aarch64 cu130 build lists 11.0, so the
    profiles decide, judged against the module's GPU, and check-command has nothing to say."""
    host = Path(
        _jetson(
            tmp_path,
            "thor-driver",
            "# R38 (release), REVISION: 2.0\n",
            "NVIDIA Jetson AGX Thor Developer Kit",
            "6.8.12-tegra",
            "3.12.3",
            None,
        )
    )
    manifest = json.loads((host / "host.json").read_text())
    manifest["environ"]["ENVSETUP_CUDA_DRIVER_VERSION"] = "13.0"
    (host / "host.json").write_text(json.dumps(manifest))
    facts = _facts(str(host))
    plan = resolve(InstallRequest(compute="auto"), facts, releases)
    assert plan.variant == "cu130" and "download.pytorch.org" in (plan.index_url or "")
    report = check_command("pip install torch", facts, releases)
    assert "jetson-command-not-for-igpu" not in report.ids("error", "warning", "info")
    assert not report.has_problems


def test_nano_without_tegra_release_is_still_a_jetson(tmp_path) -> None:
    host = _jetson(
        tmp_path,
        "nano",
        None,
        "NVIDIA Jetson Nano Developer Kit",
        "4.9.337-tegra",
        "3.6.9",
        "1.10.0+cpu",
    )
    facts = _facts(host)
    assert facts.jetson.is_jetson and str(facts.jetson.compute_capability) == "5.3"
    assert facts.jetson.jetpack is None  # no L4T release read: no JetPack claimed


def test_aarch64_server_is_not_a_jetson(tmp_path, releases) -> None:
    """A GB200-like Grace server: aarch64, no tegra anything: none of this fires."""
    spec = HostSpec(machine="aarch64", release="6.8.0-1021-nvidia-64k", libc="glibc 2.39")
    _torch_files(spec, "/usr/lib/python3/dist-packages", "2.7.1+cpu")
    facts = _facts(spec.write(tmp_path / "grace"))
    assert not facts.jetson.is_jetson
    assert not [f for f in diagnose(facts) if f.id.startswith("jetson-")]
    plan = resolve(InstallRequest(compute="auto", python="3.12", manager="uv"), facts, releases)
    assert not plan.variant.startswith("jp")
    report = check_command("pip install torch", facts, releases)
    assert "jetson-command-not-for-igpu" not in report.ids("error", "warning", "info")


@pytest.mark.parametrize(
    ("text", "l4t"),
    [
        (
            "# R36 (release), REVISION: 4.3, GCID: 0, BOARD: generic, EABI: aarch64, DATE: x",
            "36.4.3",
        ),
        ("# R32 (release), REVISION: 7.1, GCID: 29818004, BOARD: t210ref, EABI: aarch64", "32.7.1"),
        ("no release line", None),
    ],
)
def test_l4t_from_tegra_release(text: str, l4t: str | None) -> None:
    assert l4t_from_tegra_release(text) == l4t


def test_l4t_from_package_and_module_names() -> None:
    assert l4t_from_package("36.4.3-20250107174145") == "36.4.3"
    assert module_of("NVIDIA Jetson Orin NX Engineering Reference Developer Kit")[0] == "Orin"
    assert module_of("NVIDIA Jetson Xavier NX Developer Kit")[0] == "Xavier"
    assert module_of("Raspberry Pi 4 Model B") is None


def test_a_device_tree_string_reads_as_text_on_a_live_host(tmp_path) -> None:
    """/proc/device-tree/model holds one NUL-terminated string: the live host reads it (a real
    file, the real LiveHost), while a file with NULs inside or several at its end stays binary."""
    from envsetup.host.live import LiveHost

    model = tmp_path / "model"
    model.write_bytes(b"NVIDIA Jetson AGX Orin Developer Kit\0")
    elf = tmp_path / "elf"
    elf.write_bytes(b"\x7fELF\0\0")
    host = LiveHost()
    assert host.read_text(str(model)) == "NVIDIA Jetson AGX Orin Developer Kit"
    assert host.read_text(str(elf)) is None


def test_doctor_json_on_the_case_by_cli() -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "envsetup", "doctor", "--replay", str(CASE / "host"), "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    data = json.loads(done.stdout)
    assert data["data"]["facts"]["jetson"]["jetpack"] == "6"
    assert "jetson-torch-cpu-only" in [f["id"] for f in data["findings"]]


def test_an_oe4t_l4t_kernel_alone_is_a_jetson_with_its_l4t_release(tmp_path) -> None:
    """OE4T's kernel release names L4T ("5.15.136-l4t-r36.3-1009.9+g46cdb595bebc", an IGX Orin:
    OE4T/meta-tegra pull request #1566); in a container without /etc/nv_tegra_release or the
    device tree, it is the only sign. doctor judges it as explain does (model/jetson.tegra_kernel)."""
    host = _jetson(
        tmp_path,
        "igx-oe4t",
        None,
        None,
        "5.15.136-l4t-r36.3-1009.9+g46cdb595bebc",
        "3.10.12",
        "2.7.1+cpu",
    )
    facts = _facts(host)
    assert facts.jetson.is_jetson and facts.jetson.l4t == "36.3"
    assert facts.jetson.jetpack == "6"
