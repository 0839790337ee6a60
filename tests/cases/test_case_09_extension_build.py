"""Building CUDA extensions: the nvcc torch.utils.cpp_extension would use, against torch's CUDA,
the GPUs and the host compiler.

The case (tests/fixtures/cases/09-nvcc101-vs-torch-cu111-rtx3090, from facebookresearch/detectron2
issue #2980): Ubuntu's apt nvcc 10.1 in /usr/bin, torch 1.8.1+cu111, an RTX 3090. Beside it, the
kind on other machines, each built here with tests/hostbuilder.py from real outputs (nvcc and
gcc lines with their SOURCES.tsv rows); the paths, toolkit files and torch files a report does not
show are written here, as the hosts' description.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Optional

from envsetup.diagnose import diagnose
from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from hostbuilder import FIXTURES, HostSpec, fixture_text
from scripts import run_envsetup

CASE = FIXTURES / "cases" / "09-nvcc101-vs-torch-cu111-rtx3090" / "host"
EXTENSION_IDS = {
    "extension-nvcc-major-mismatch",
    "extension-nvcc-older",
    "extension-nvcc-no-gpu-arch",
    "extension-host-compiler-unsupported",
}
SITE = "/home/user/venv/lib/python3.10/site-packages"


def doctor(directory: str) -> tuple[Facts, list[Finding]]:
    facts = probe_all(RecordedHost(directory))
    return facts, diagnose(facts, lookup_build)


def extension_findings(findings: list[Finding]) -> dict[str, Finding]:
    return {f.id: f for f in findings if f.id in EXTENSION_IDS}


def smi_of_case() -> str:
    manifest = json.loads((CASE / "host.json").read_text(encoding="utf-8"))
    return next(c["stdout"] for c in manifest["commands"] if c["argv"] == ["nvidia-smi"])


def gpu_host(
    smi: str,
    nvcc: Optional[str],
    torch_version_py: Optional[str] = None,
    gcc: Optional[str] = None,
    nvcc_path: str = "/usr/local/cuda-12.2/bin/nvcc",
) -> HostSpec:
    """A Linux GPU host: nvidia-smi's table `smi`, `nvcc` (a fixture) at `nvcc_path` as the
    only nvcc on PATH (no toolkit files beside it: nvcc --version is its only source), torch
    from the fixture `torch_version_py` in a venv, gcc's `--version` from the fixture `gcc`."""
    spec = HostSpec(
        python="/home/user/venv/bin/python",
        prefix="/home/user/venv",
        site_packages=[SITE],
        environ={"PATH": f"/home/user/venv/bin:{nvcc_path.rsplit('/', 1)[0]}:/usr/bin"},
        which={"nvidia-smi": "/usr/bin/nvidia-smi", "nvcc": nvcc_path if nvcc else None},
        markers=["/dev/nvidiactl"],
        nvml={"error": "not recorded"},
    )
    spec.command(["nvidia-smi"], smi)
    if nvcc:
        spec.markers.append(nvcc_path)
        spec.command([nvcc_path, "--version"], fixture_text(nvcc))
    if torch_version_py:
        spec.torch_wheel(SITE, torch_version_py)
    if gcc:
        spec.which["gcc"] = "/usr/bin/gcc"
        spec.command(["/usr/bin/gcc", "--version"], fixture_text(gcc))
    return spec


# ----------------------------------------------------------------------------- the case


def test_case_09_names_the_path_nvcc_and_why_extensions_will_not_build() -> None:
    facts, findings = doctor(str(CASE))
    # the nvcc PATH selects is listed although no toolkit files sit beside it (apt's layout)
    [toolkit] = facts.cuda.toolkits
    assert (toolkit.path, toolkit.version, toolkit.nvcc) == ("/usr", "10.1.243", "/usr/bin/nvcc")
    ext = facts.extension_build
    assert (ext.cuda_home, ext.cuda_home_from, ext.nvcc, ext.nvcc_version) == (
        "/usr",
        "nvcc on PATH",
        "/usr/bin/nvcc",
        "10.1.243",
    )
    found = extension_findings(findings)
    assert set(found) == {"extension-nvcc-major-mismatch", "extension-nvcc-no-gpu-arch"}
    major = found["extension-nvcc-major-mismatch"]
    assert major.severity == "warning"
    assert (major.params["nvcc"], major.params["torch_cuda"]) == ("10.1.243", "11.1")
    arch = found["extension-nvcc-no-gpu-arch"]
    assert (arch.params["archs"], arch.params["needs"]) == (["sm_86"], "11.1")
    fix = words_for(major).fix
    assert "CUDA 11.1 toolkit" in fix and "CUDA_HOME" in fix and "cuda-nvcc 11.1" in fix


def test_case_09_doctor_json_and_text_carry_it() -> None:
    result = run_envsetup("doctor", "--replay", str(CASE), "--json")
    document = json.loads(result.stdout)
    facts = document["data"]["facts"]
    assert facts["extension_build"]["nvcc_version"] == "10.1.243"
    assert [t["version"] for t in facts["cuda"]["toolkits"]] == ["10.1.243"]
    ids = {f["id"] for f in document["findings"]}
    assert {"extension-nvcc-major-mismatch", "extension-nvcc-no-gpu-arch"} <= ids
    text = run_envsetup("doctor", "--replay", str(CASE)).stdout
    assert "toolkit 10.1.243" in text
    assert "nvcc 10.1.243 at /usr/bin/nvcc" in text


# ----------------------------------------------------------------------------- the kind


def test_the_case_with_nvcc_of_torchs_cuda_has_no_extension_finding(tmp_path: Path) -> None:
    """The same machine with nvcc 11.1 (a real 11.1.105 output) instead of apt's 10.1."""
    host = tmp_path / "host"
    shutil.copytree(CASE, host)
    manifest = json.loads((host / "host.json").read_text(encoding="utf-8"))
    for command in manifest["commands"]:
        if command["argv"][-1] == "--version":
            command["stdout"] = fixture_text("nvcc/nvcc-11.1.105.txt")
    (host / "host.json").write_text(json.dumps(manifest), encoding="utf-8")
    facts, findings = doctor(str(host))
    assert facts.extension_build.nvcc_version == "11.1.105"
    assert extension_findings(findings) == {}


def test_an_nvcc_of_a_newer_minor_than_torchs_is_no_finding(tmp_path: Path) -> None:
    """nvcc 12.8 with torch 2.7.1+cu126 on an RTX 3090: torch only warns, and it builds."""
    spec = gpu_host(
        smi_of_case(),
        "nvcc/nvcc-12.8.93.txt",
        "torch/version.py-2.7.1+cu126.txt",
        gcc="toolchain/gcc-13.2.0-ubuntu24.04-first-line.txt",  # 12.8 accepts gcc 6 to 14
        nvcc_path="/usr/local/cuda-12.8/bin/nvcc",
    )
    facts, findings = doctor(spec.write(tmp_path / "h"))
    assert facts.extension_build.nvcc_version == "12.8.93"
    assert facts.extension_build.host_compiler.version == "13.2.0"
    assert extension_findings(findings) == {}


def test_an_nvcc_of_an_older_minor_than_torchs_is_a_warning(tmp_path: Path) -> None:
    spec = gpu_host(smi_of_case(), "toolchain/nvcc-12.2.91.txt", "torch/version.py-2.7.1+cu126.txt")
    _, findings = doctor(spec.write(tmp_path / "h"))
    [older] = extension_findings(findings).values()
    assert older.id == "extension-nvcc-older"
    assert (older.params["nvcc"], older.params["torch_cuda"]) == ("12.2.91", "12.6")


def test_a_gcc_newer_than_nvcc_accepts_is_named(tmp_path: Path) -> None:
    """gcc 13.2 with CUDA 12.2's nvcc (12.x up to 12.3 accepts gcc up to 12: NVlabs/instant-ngp
    #1562 hit it with 12.1); torch 2.2.1+cu121, whose CUDA the nvcc matches (a newer minor)."""
    spec = gpu_host(
        smi_of_case(),
        "toolchain/nvcc-12.2.91.txt",
        "torch/version.py-2.2.1+cu121.txt",
        gcc="toolchain/gcc-13.2.0-ubuntu24.04-first-line.txt",
    )
    _, findings = doctor(spec.write(tmp_path / "h"))
    [compiler] = extension_findings(findings).values()
    assert compiler.id == "extension-host-compiler-unsupported"
    assert (compiler.params["compiler_version"], compiler.params["highest"]) == ("13.2.0", 12)
    assert compiler.params["too"] == "new"
    assert "CC=gcc-12 CXX=g++-12" in words_for(compiler).fix


def test_a_gpu_newer_than_nvcc_is_named_without_torch(tmp_path: Path) -> None:
    """An H100 (sm_90) with nvcc 11.7 (NVIDIA/thrust#1948 hit 'Unsupported gpu architecture
    compute_90' with it): sm_90 needs CUDA 11.8's nvcc."""
    smi = fixture_text("nvidia-smi/535.129.03-h100-80gb-hbm3-partial.txt")
    spec = gpu_host(smi, "toolchain/nvcc-11.7.99.txt", nvcc_path="/usr/local/cuda-11.7/bin/nvcc")
    _, findings = doctor(spec.write(tmp_path / "h"))
    [arch] = extension_findings(findings).values()
    assert arch.id == "extension-nvcc-no-gpu-arch"
    assert (arch.params["archs"], arch.params["needs"]) == (["sm_90"], "11.8")
    assert "CUDA 11.8 toolkit" in words_for(arch).fix


def test_no_nvcc_is_nothing_to_judge(tmp_path: Path) -> None:
    """pip's torch wheels bring their own CUDA runtime: without an nvcc, nothing is said."""
    spec = gpu_host(smi_of_case(), None, "torch/version.py-2.7.1+cu126.txt")
    facts, findings = doctor(spec.write(tmp_path / "h"))
    assert facts.extension_build.nvcc is None and facts.extension_build.cuda_home is None
    assert extension_findings(findings) == {}


def test_cuda_home_wins_over_path_as_in_torch(tmp_path: Path) -> None:
    """CUDA_HOME names a CUDA 11.1 toolkit (its version.json, written here) while PATH's nvcc is
    apt's 10.1: torch builds with CUDA_HOME's, so only the PATH shadowing is said."""
    host = tmp_path / "host"
    shutil.copytree(CASE, host)
    manifest = json.loads((host / "host.json").read_text(encoding="utf-8"))
    manifest["environ"]["CUDA_HOME"] = "/usr/local/cuda-11.1"
    # its nvcc answers as CUDA 11.1's does (real output, tests/fixtures/nvcc/SOURCES.tsv): torch
    # builds with that binary, so its own version is the one taken over version.json's
    nvcc_out = fixture_text("nvcc/nvcc-11.1.105.txt")
    manifest["commands"].insert(
        0,
        {
            "argv": ["/usr/local/cuda-11.1/bin/nvcc", "--version"],
            "returncode": 0,
            "stdout": nvcc_out,
        },
    )
    (host / "host.json").write_text(json.dumps(manifest), encoding="utf-8")
    root = host / "files" / "usr" / "local" / "cuda-11.1"
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "nvcc").write_text("")
    (root / "version.json").write_text('{"cuda": {"name": "CUDA SDK", "version": "11.1.1"}}')
    facts, findings = doctor(str(host))
    ext = facts.extension_build
    assert (ext.cuda_home_from, ext.nvcc_version) == ("CUDA_HOME", "11.1.105")
    assert extension_findings(findings) == {}
    assert "nvcc-path-shadowed" in {f.id for f in findings}


def test_apts_nvcc_through_its_link_shadowing_a_newer_toolkit(tmp_path: Path) -> None:
    """feuyeux/hello-ai's machine (nvcc/nvcc-11.5.119-ubuntu-apt-shadowing-cuda-12.5.txt): apt's
    nvcc 11.5 first on PATH, /usr/local/cuda-12.5 installed too (its version.json and the link
    /usr/bin/nvcc -> /usr/lib/nvidia-cuda-toolkit/bin/nvcc written here), torch 2.7.1+cu126."""
    spec = gpu_host(
        smi_of_case(),
        "nvcc/nvcc-11.5.119-ubuntu-apt-shadowing-cuda-12.5.txt",
        "torch/version.py-2.7.1+cu126.txt",
        nvcc_path="/usr/bin/nvcc",
    )
    spec.realpath["/usr/bin/nvcc"] = "/usr/lib/nvidia-cuda-toolkit/bin/nvcc"
    spec.markers += ["/usr/lib/nvidia-cuda-toolkit/bin/nvcc", "/usr/local/cuda-12.5/bin/nvcc"]
    spec.files["/usr/local/cuda-12.5/version.json"] = '{"cuda": {"version": "12.5.82"}}'
    facts, findings = doctor(spec.write(tmp_path / "h"))
    toolkits = {t.path: t.version for t in facts.cuda.toolkits}
    assert toolkits == {
        "/usr/lib/nvidia-cuda-toolkit": "11.5.119",
        "/usr/local/cuda-12.5": "12.5.82",
    }
    assert facts.extension_build.cuda_home == "/usr"  # torch does not resolve the link
    found = extension_findings(findings)
    assert set(found) == {"extension-nvcc-major-mismatch"}
    assert "nvcc-path-shadowed" in {f.id for f in findings}


def test_a_gpu_an_nvcc_dropped_needs_an_older_toolkit(tmp_path: Path) -> None:
    """A Kepler sm_37 (K80; ENVSETUP_GPU_ARCH stands for it on the case's table) with nvcc 12.2:
    CUDA 12.0 dropped Kepler, so no newer toolkit helps."""
    spec = gpu_host(smi_of_case(), "toolchain/nvcc-12.2.91.txt")
    spec.environ["ENVSETUP_GPU_ARCH"] = "3.7"
    _, findings = doctor(spec.write(tmp_path / "h"))
    [arch] = extension_findings(findings).values()
    assert (arch.params["archs"], arch.params["removed_in"], arch.params["needs"]) == (
        ["sm_37"],
        "12.0",
        None,
    )
    assert "older than 12.0" in words_for(arch).fix


# ------------------------------------------------ the kind in pasted collect_env reports


def explained(name: str) -> dict[str, Finding]:
    """explain --no-host on a real collect_env paste: its "CUDA runtime version" is the version
    of the nvcc PATH selects (collect_env runs `nvcc --version`)."""
    from envsetup.explain.run import explain

    text = (FIXTURES / "paste" / "collect-env" / name).read_text(encoding="utf-8")
    return extension_findings(explain(text, None, lookup_build).findings)


def test_a_pasted_nvcc_11_8_under_a_cu121_torch_is_a_major_mismatch() -> None:
    # vllm-project/vllm#4313: torch 2.2.1 (CUDA 12.1), CUDA runtime (nvcc) 11.8.89, an RTX 3090
    found = explained("ext-collect-env-chinese-lscpu.txt")
    assert set(found) == {"extension-nvcc-major-mismatch"}
    assert found["extension-nvcc-major-mismatch"].params["nvcc"] == "11.8.89"


def test_a_pasted_newer_minor_nvcc_is_no_finding() -> None:
    # hpcaitech/EnergonAI#152: torch 1.12.1+cu113, nvcc 11.7.99, a GTX 1080 Ti (sm_61)
    assert explained("facts-collect-env-1080ti-nvcc-11.7-energonai.txt") == {}


def test_a_pasted_older_minor_nvcc_is_a_warning() -> None:
    # pytorch/pytorch#30071: torch 1.3.1 built with CUDA 10.1.243, nvcc 10.0.130 (TITAN Xp)
    found = explained("linux-torch1.3.1-8x-titan-xp-driver410-cuda-not-available-partial.txt")
    assert set(found) == {"extension-nvcc-older"}


# ----------------------------------------------------------------------------- nvcc's own compiler


def _gcc13_elsewhere(tmp_path: Path, environ: dict[str, str], gcc_path: str) -> dict[str, Finding]:
    """CUDA 12.2's nvcc (accepts gcc up to 12) and torch 2.2.1+cu121, no gcc on PATH; a gcc 13.2
    (its real banner) at `gcc_path`, which only nvcc's own selection (`environ`) names. The path
    and the variables are this test's."""
    spec = gpu_host(smi_of_case(), "toolchain/nvcc-12.2.91.txt", "torch/version.py-2.2.1+cu121.txt")
    spec.environ.update(environ)
    spec.markers.append(gcc_path)
    spec.command(
        [gcc_path, "--version"], fixture_text("toolchain/gcc-13.2.0-ubuntu24.04-first-line.txt")
    )
    facts, findings = doctor(spec.write(tmp_path / "h"))
    assert facts.extension_build.host_compiler is not None
    assert facts.extension_build.host_compiler.path == gcc_path
    return extension_findings(findings)


def test_nvcc_prepend_flags_ccbin_is_the_compiler_judged(tmp_path: Path) -> None:
    # conda-forge's cuda-nvcc activation sets NVCC_PREPEND_FLAGS="... -ccbin=$CXX"
    found = _gcc13_elsewhere(
        tmp_path, {"NVCC_PREPEND_FLAGS": " -ccbin=/opt/gcc13/bin/gcc"}, "/opt/gcc13/bin/gcc"
    )
    finding = found["extension-host-compiler-unsupported"]
    assert finding.params["compiler_version"] == "13.2.0"
    assert "chosen by -ccbin in NVCC_PREPEND_FLAGS" in words_for(finding).fix


def test_nvcc_ccbin_is_the_compiler_judged(tmp_path: Path) -> None:
    # Arch's /etc/profile.d/cuda.sh exports NVCC_CCBIN (archlinuxarm/PKGBUILDs extra/cuda/cuda.sh)
    found = _gcc13_elsewhere(tmp_path, {"NVCC_CCBIN": "/usr/bin/gcc-13"}, "/usr/bin/gcc-13")
    assert "extension-host-compiler-unsupported" in found


def test_debians_packaged_nvcc_uses_its_own_gcc_link(tmp_path: Path) -> None:
    # Ubuntu's /usr/bin/nvcc execs /usr/lib/nvidia-cuda-toolkit/bin/nvcc, whose nvcc.profile puts
    # that bin/ (with its gcc link) first on nvcc's PATH. The script's text is this test's.
    spec = gpu_host(
        smi_of_case(),
        "toolchain/nvcc-12.2.91.txt",
        "torch/version.py-2.2.1+cu121.txt",
        nvcc_path="/usr/bin/nvcc",
    )
    spec.markers.remove("/usr/bin/nvcc")
    spec.files["/usr/bin/nvcc"] = '#!/bin/sh\nexec /usr/lib/nvidia-cuda-toolkit/bin/nvcc "$@"\n'
    link = "/usr/lib/nvidia-cuda-toolkit/bin/gcc"
    spec.markers.append(link)
    spec.command(
        [link, "--version"], fixture_text("toolchain/gcc-13.2.0-ubuntu24.04-first-line.txt")
    )
    facts, findings = doctor(spec.write(tmp_path / "h"))
    compiler = facts.extension_build.host_compiler
    assert compiler is not None and (compiler.path, compiler.chosen_by) == (
        link,
        "Debian's nvcc.profile",
    )
    assert "extension-host-compiler-unsupported" in extension_findings(findings)


def test_the_host_compiler_choice_follows_nvccs_order() -> None:
    from envsetup.probe.extension_build import ccbin_of_flags, host_compiler_choice

    assert ccbin_of_flags(" -ccbin=/usr/bin/g++-8") == "/usr/bin/g++-8"
    assert ccbin_of_flags("-O2 --compiler-bindir /opt/gcc") == "/opt/gcc"
    assert ccbin_of_flags("-O2 -Xcompiler -fPIC") is None
    env = {"CC": "gcc-11", "NVCC_CCBIN": "g++-10", "NVCC_PREPEND_FLAGS": "-ccbin g++-9"}
    assert host_compiler_choice(env, None, False) == ("g++-9", "-ccbin in NVCC_PREPEND_FLAGS")
    del env["NVCC_PREPEND_FLAGS"]
    assert host_compiler_choice(env, None, False) == ("gcc-11", "CC")
    del env["CC"]
    assert host_compiler_choice(env, None, False) == ("g++-10", "NVCC_CCBIN")
    debian = "/usr/lib/nvidia-cuda-toolkit/bin/nvcc"
    assert host_compiler_choice({}, debian, False)[0] == "/usr/lib/nvidia-cuda-toolkit/bin/gcc"
    assert host_compiler_choice({}, None, False) == ("gcc", "PATH")
    assert host_compiler_choice({}, None, True) == ("cl", "PATH")


def test_an_installed_toolkit_of_torchs_major_is_named_over_installing_one(tmp_path: Path) -> None:
    """attack12c host 18's kind (feuyeux/hello-ai's real nvcc outputs): Ubuntu's apt nvcc 11.5 on
    PATH shadows a CUDA 12.5 install (no version files beside its nvcc: the nvcc says which);
    torch is cu121. The fix points CUDA_HOME at 12.5 (a newer 12.x minor builds for cu121), not
    'install CUDA 12.1'."""
    spec = gpu_host(
        smi_of_case(),
        "nvcc/nvcc-11.5.119-ubuntu-apt-shadowing-cuda-12.5.txt",
        "torch/version.py-2.2.1+cu121.txt",
        nvcc_path="/usr/bin/nvcc",
    )
    cuda125 = "/usr/local/cuda-12.5/bin/nvcc"
    spec.markers.append(cuda125)
    spec.command([cuda125, "--version"], fixture_text("nvcc/nvcc-12.5.82-after-path-fix.txt"))
    facts, findings = doctor(spec.write(tmp_path / "h"))
    assert {(t.path, t.version) for t in facts.cuda.toolkits} >= {
        ("/usr/local/cuda-12.5", "12.5.82")
    }
    major = extension_findings(findings)["extension-nvcc-major-mismatch"]
    assert major.params["installed_match"] == "/usr/local/cuda-12.5"
    fix = words_for(major).fix
    assert "export CUDA_HOME=/usr/local/cuda-12.5 " in fix and "Install the CUDA" not in fix
    assert "nvcc-path-shadowed" in {f.id for f in findings}
