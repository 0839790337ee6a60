"""How explain judges and words real pasted errors (tests/fixtures/paste/errors, SOURCES.tsv):
conda's "incompatible with the existing python installation", a driver too old for the torch
build (the exact build for that driver), a traceback nothing else explains."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from envsetup import compat
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.python_fit import minors_of, supported_pythons
from envsetup.explain.run import ExplainResult, explain
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.model.capability import ComputeCapability, coverage
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from hostbuilder import case_host

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ERRORS = FIXTURES / "paste" / "errors"


def host(name: str) -> Facts:
    return probe_all(RecordedHost(str(case_host(name))))


def explained(name: str, facts: Optional[Facts] = None) -> ExplainResult:
    return explain((ERRORS / name).read_text(encoding="utf-8"), facts, lookup_build)


def only(result: ExplainResult, finding_id: str) -> Finding:
    matching = [f for f in result.findings if f.id == finding_id]
    assert len(matching) == 1, [(f.id, f.params) for f in result.findings]
    return matching[0]


# ---- conda: the packages are not built for this environment's Python ----

CONDA_PYTHON = {
    # fixture: (this environment's Python, the Pythons every package was built for)
    "words-conda-python-incompatible-py35-pytorch3d.txt": ("3.5", ["3.6", "3.7", "3.8"]),
    "words-conda-python-incompatible-py39-pytorch1.4-torchvision.txt": (
        "3.9",
        ["2.7", "3.5", "3.6", "3.7", "3.8"],
    ),
    "words-conda-python-incompatible-py36-dlib-windows.txt": ("3.6", ["2.7", "3.5"]),
}


@pytest.mark.parametrize("name", sorted(CONDA_PYTHON))
def test_conda_python_mismatch_is_its_own_kind_not_a_pin_conflict(name: str) -> None:
    python, supported = CONDA_PYTHON[name]
    result = explained(name)
    finding = only(result, "conda-python-incompatible")
    assert "conda-solver-conflict" not in {f.id for f in result.findings}
    p = finding.params
    assert p["python"] == python and p["supported"] == supported
    assert p["suggest"] == supported[-1]
    words = words_for(finding)
    assert f"Python {python}" in words.title
    assert f"conda create -n py{supported[-1].replace('.', '')} python={supported[-1]}" in words.fix
    # Its evidence cites the "Your python" line as pasted.
    assert any(f"Your python: python={python}" in e for e in finding.evidence)


def test_a_conda_refusal_naming_cuda_still_says_the_driver() -> None:
    result = explained("conda-unsatisfiable-cuda-driver-10.1.txt")
    assert only(result, "conda-solver-conflict").params["conda_cuda"] == "10.1"
    assert "conda-python-incompatible" not in {f.id for f in result.findings}


@pytest.mark.parametrize(
    ("spec", "minors"),
    [
        ("3.5.*", {"3.5"}),
        ("2.7", {"2.7"}),
        (">=3.6,<3.7.0a0", {"3.6"}),
        (">=3.8,<3.11", {"3.8", "3.9", "3.10"}),
        (">=3.6", None),  # open: which newer Pythons it exists for is not said
        ("not a spec", None),
    ],
)
def test_conda_python_specs_as_minor_versions(spec: str, minors: Optional[set[str]]) -> None:
    assert minors_of(spec) == minors


def test_an_open_spec_leaves_its_package_out_of_the_common_pythons() -> None:
    assert supported_pythons({"a": ">=3.6", "b": "3.7.*|3.8.*"}) == ["3.7", "3.8"]
    assert supported_pythons({"a": ">=3.6"}) is None


# ---- a driver too old for the torch build: the build that runs on that driver ----


def _cuda(variant: str) -> str:
    return f"{variant[2:-1]}.{variant[-1]}"


def _floor(variant: str) -> str:
    need = compat.min_driver_for_torch_cuda(_cuda(variant), "Linux")
    assert need is not None
    return need.driver


def _newer_builds(release: str) -> list[tuple[str, str]]:
    out = []
    for minor in range(int(release.split(".")[1]) + 1, 40):
        info = lookup_build(f"2.{minor}.0", "Linux", "x86_64")
        out += [(f"2.{minor}", v) for v in (info.cuda_variants if info else [])]
    return out


def test_driver_470_from_the_paste_gets_the_newest_build_whose_floor_it_meets() -> None:
    p = only(explained("torch-driver-too-old-11040-rtx3050-470.86.txt"), "cuda-driver-too-old")
    p = p.params
    assert p["have"] == "470.86" and p["driver_cuda"] == "11.4"
    have = compat.parse_version("470.86")
    assert compat.parse_version(_floor(p["variant"])) <= have and "build_need" not in p
    # No newer release has a variant this driver runs.
    assert all(compat.parse_version(_floor(v)) > have for _, v in _newer_builds(p["release"]))
    assert p["install"] == f"envsetup install --torch {p['release']} --cuda {_cuda(p['variant'])}"
    assert (
        f"`{p['install']}`"
        in words_for(
            only(explained("torch-driver-too-old-11040-rtx3050-470.86.txt"), "cuda-driver-too-old")
        ).fix
    )


def test_a_driver_known_only_as_cuda_11_0_gets_a_cu11_build_on_the_floor_condition() -> None:
    # Drivers reporting CUDA 11.0 run from 450.36.06; cu11x wheels need 450.80.02.
    finding = only(explained("words-driver-too-old-11000-ngc-warning.txt"), "cuda-driver-too-old")
    p = finding.params
    assert p["driver_cuda"] == "11.0" and p["variant"].startswith("cu11")
    assert p["build_need"] == "450.80.02" == _floor(p["variant"])
    fix = words_for(finding).fix
    assert "If the driver is >= 450.80.02" in fix and p["release"] in fix
    assert "CUDA ?" not in words_for(finding).title


def test_a_driver_with_cuda_9_runs_no_known_build_upgrade_is_the_fix() -> None:
    finding = only(
        explained("torch-driver-too-old-9000-assertionerror-old-format.txt"), "cuda-driver-too-old"
    )
    p = finding.params
    assert p["no_build"] is True and "release" not in p and "install" not in p
    assert p["lowest"] == "450.80.02"  # the cu11x floor, the lowest of the profiles' builds
    assert "upgrade the driver to >= 450.80.02" in words_for(finding).fix


def test_error_35_on_a_recorded_host_names_a_build_for_its_driver() -> None:
    # Host 09: driver 460.73.01, torch cu111 (whose floor 460 meets: no `need`), a GeForce RTX
    # 3090 known from its name only (nvidia-smi's table, no NVML): 8.6.
    p = only(
        explained("cuda-35-devicequery-result-fail.txt", host("09-nvcc101-vs-torch-cu111-rtx3090")),
        "cuda-driver-too-old",
    ).params
    assert p["have"] == "460.73.01" and "need" not in p
    assert compat.parse_version(_floor(p["variant"])) <= compat.parse_version("460.73.01")
    info = lookup_build(f"{p['release']}.0+{p['variant']}", "Linux", "x86_64")
    assert info is not None and coverage(info.arch_list, ComputeCapability(8, 6))
    # No newer build with kernels for the 3090 (per its profile) runs on this driver.
    assert all(
        compat.parse_version(_floor(v)) > compat.parse_version("460.73.01")
        for r, v in _newer_builds(p["release"])
        if _covers(f"{r}.0+{v}", ComputeCapability(8, 6))
    )


def _covers(version: str, capability: ComputeCapability) -> bool:
    info = lookup_build(version, "Linux", "x86_64")
    return bool(info and info.arch_list and coverage(info.arch_list, capability))


def test_error_35_names_a_build_with_kernels_for_the_hosts_gpu() -> None:
    # Host 07: 8x H100 (sm_90), driver 535.230.02.
    p = only(
        explained("cuda-35-devicequery-result-fail.txt", host("07-fabricmanager-802-h100")),
        "cuda-driver-too-old",
    ).params
    info = lookup_build(f"{p['release']}.0+{p['variant']}", "Linux", "x86_64")
    assert info is not None and coverage(info.arch_list, ComputeCapability(9, 0))
    assert compat.parse_version(_floor(p["variant"])) <= compat.parse_version("535.230.02")


def test_the_build_in_use_gets_its_driver_floor_beside_the_build_for_the_old_driver() -> None:
    # Host 07: torch cu124 (floor 525.60.13) beside a driver (host 02 has none: torch's "found
    # version N" comes from a driver, so over host 02 the paste is another machine's); the
    # paste's driver reports CUDA 10.1.
    finding = only(
        explained(
            "torch-driver-too-old-10010-torch1.7.1-falls-back-cpu.txt",
            host("07-fabricmanager-802-h100"),
        ),
        "cuda-driver-too-old",
    )
    assert finding.params["need"] == "525.60.13" and finding.params["no_build"] is True
    assert "upgrade the driver to >= 525.60.13 for the build you have (CUDA 12.4)" in (
        words_for(finding).fix
    )


def test_error_35_from_devicequery_speaks_of_the_program_not_torch() -> None:
    # deviceQuery's "cudaGetDeviceCount returned 35", no torch stated: the CUDA samples were built
    # with a toolkit newer than the driver (attack10: WSL #8174's was worded for a torch build).
    finding = only(explained("cuda-35-devicequery-result-fail.txt"), "cuda-driver-too-old")
    assert "release" not in finding.params and "no_build" not in finding.params
    assert finding.params["program"] == "cuda-runtime"
    words = words_for(finding)
    assert (
        words.title
        == "the NVIDIA driver is too old for the CUDA runtime this program was built with"
    )
    assert "toolkit no newer than the CUDA the driver supports" in words.fix
    assert "torch" not in words.fix


# ---- a program's own failure: CUDA out of memory, a traceback nothing else explains ----

OOM = {
    # fixture: why the allocation failed, read by hand from the allocator's numbers
    "words-cuda-oom-larger-than-gpu-neurolens.txt": "larger-than-gpu",  # 55.57 GiB on 12 GiB
    "words-cuda-oom-old-format-6gb.txt": "free-but-refused",  # 2.26 GiB asked, 3.03 GiB free
    "words-cuda-oom-4gb-whisper-typer.txt": "fragmentation",  # 297.78 MiB reserved, 20 asked
    # This process holds 37.46 of 39.49 GiB; the four others 1.6 GiB: not theirs to free.
    "words-cuda-oom-rank0-processes-litgpt.txt": "program-needs-more",
}


@pytest.mark.parametrize("name", sorted(OOM))
def test_cuda_out_of_memory_says_what_holds_the_memory(name: str) -> None:
    result = explained(name)
    finding = only(result, "cuda-out-of-memory")
    assert finding.params["reason"] == OOM[name]
    assert "python-exception" not in {f.id for f in result.findings}
    words = words_for(finding)
    assert f"tried to allocate {finding.params['tried']}" in words.title
    assert words.fix and "?" not in words.title
    if OOM[name] in ("fragmentation", "free-but-refused"):
        assert "PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True" in words.fix


def test_out_of_memory_held_by_other_processes_names_them() -> None:
    # The litgpt report's own sizes with the other processes grown past a tenth of the GPU.
    text = (ERRORS / "words-cuda-oom-rank0-processes-litgpt.txt").read_text(encoding="utf-8")
    text = text.replace("this process has 37.46 GiB", "this process has 20.00 GiB")
    text = text.replace("Process 1374765 has 414.00 MiB", "Process 1374765 has 17.00 GiB")
    finding = only(explain(text, None, lookup_build), "cuda-out-of-memory")
    assert finding.params["reason"] == "other-processes"
    assert finding.params["others"] == "18.21 GiB"  # 3 x 414 MiB + 17 GiB
    assert "`nvidia-smi` lists them" in words_for(finding).fix


def test_a_traceback_nothing_explains_says_where_it_was_raised_and_what_to_do() -> None:
    finding = only(
        explained("torch-rocm-collect-env-indexerror-hip-runtime.txt"), "python-exception"
    )
    assert finding.params["at"].endswith("torch/utils/collect_env.py:437")
    words = words_for(finding)
    assert words.title == "The program failed: IndexError: list index out of range"
    assert "collect_env.py:437" in words.fix and "envsetup doctor --deep" in words.fix


def test_an_802_without_the_driver_says_where_to_read_its_version() -> None:
    finding = only(explained("cuda-802-thcudacheck-torch1.4.txt"), "cuda-fabric-manager-not-ready")
    fix = words_for(finding).fix
    assert "exactly the driver's version (`nvidia-smi` shows it):" in fix
    assert "nvidia-fabricmanager-BRANCH=VERSION-1" in fix and "<branch>" not in fix
    # No distribution stated: each package tool's form (apt, yum, dnf).
    assert "yum install nvidia-fabricmanager-BRANCH-VERSION-1" in fix
    with_host = explained("cuda-802-thcudacheck-torch1.4.txt", host("07-fabricmanager-802-h100"))
    fix = words_for(only(with_host, "cuda-fabric-manager-not-ready")).fix
    assert "(535.230.02):" in fix and "nvidia-fabricmanager-535=535.230.02-1`" in fix
    assert "`apt-cache policy nvidia-fabricmanager-535`" in fix and "yum" not in fix


def test_the_conda_cuda_fix_reads_as_one_sentence() -> None:
    finding = only(explained("conda-unsatisfiable-cuda-driver-10.1.txt"), "conda-solver-conflict")
    assert ".;" not in words_for(finding).fix


def test_no_module_torch_in_pips_isolated_build_says_no_build_isolation() -> None:
    finding = only(
        explained("words-no-module-torch-pip-build-isolation-basicsr.txt"),
        "torch-not-found-by-python",
    )
    assert finding.params["pip_build"] is True and finding.params["package"] == "basicsr"
    assert "`pip install --no-build-isolation basicsr`" in words_for(finding).fix


@pytest.mark.parametrize(
    "name", ["words-no-module-torch-setup-py-dcnv2.txt", "words-no-module-torch-stdin-indented.txt"]
)
def test_no_module_torch_elsewhere_is_the_interpreter_not_a_program_bug(name: str) -> None:
    result = explained(name)
    finding = only(result, "torch-not-found-by-python")
    assert "pip_build" not in finding.params and "python-exception" not in {
        f.id for f in result.findings
    }
    assert "sys.executable" in words_for(finding).fix


# -- readfix (attack10 defects 2, 5, 11, 13) ---------------------------------------------------
def test_a_pin_newer_than_every_listed_release_says_a_newer_python_or_the_platform_end() -> None:
    # Intel Mac (pytorch/pytorch#127870): the list ends at 2.2.2, macOS x86_64's last release
    finding = only(
        explained("readfix-pip-macos-x86-torch230-pytorch127870.txt"), "pip-no-matching-torch"
    )
    assert finding.params["reason"] == "pinned-release-not-for-platform"
    fix = words_for(finding).fix
    assert "2.2.2" in fix and "macOS" in fix and "older Python" not in fix
    # a list ending below the pin on another platform: this Python is too old for the release
    text = (
        "Python 3.8.10\n"  # not read alone: the python-version reader needs its command
        "ERROR: Could not find a version that satisfies the requirement torch==2.6.0 (from "
        "versions: 2.2.0, 2.3.0, 2.4.0, 2.4.1)\n"
        "ERROR: No matching distribution found for torch==2.6.0\n"
    )
    finding = only(explain(text, None, lookup_build), "pip-no-matching-torch")
    assert finding.params["reason"] == "pinned-release-needs-newer-python"
    assert finding.params["python_min"] == "3.9"  # profiles/torch-2.6.toml
    fix = words_for(finding).fix
    assert "newer Python" in fix and "torch==2.4.1" in fix and "older Python" not in fix
    assert "Python ;" not in fix and "Python  " not in fix  # no empty slot


def test_from_versions_none_with_no_python_known_leaves_no_empty_slot() -> None:
    finding = only(explained("readfix-pip-mingw-torch210-none.txt"), "pip-no-matching-torch")
    assert finding.params["reason"] == "no-wheel-for-python"
    fix = words_for(finding).fix
    assert "this Python and platform" in fix and "Python  " not in fix


def test_mamba_nothing_provides_cuda_says_no_driver_seen_and_conda_override_cuda() -> None:
    finding = only(
        explained("readfix-mamba-nothing-provides-cuda-laptop.txt"), "conda-solver-conflict"
    )
    words = words_for(finding)
    assert "__cuda" in words.title and "pytorch 1.11.0" in words.title
    assert "CONDA_OVERRIDE_CUDA" in words.fix and "CPU build" in words.fix


def test_libmamba_conflict_tree_names_the_packages() -> None:
    finding = only(
        explained("readfix-libmamba-torchaudio-pytorch-cuda-conflict.txt"), "conda-solver-conflict"
    )
    title = words_for(finding).title
    assert "torchaudio 2.0.2" in title and "pytorch-cuda 11.8.*" in title
    assert "pytorch-cuda 12.1" in title and "the requested packages" not in title


def test_windows_fbgemm_dll_126_is_a_library_load_failure_with_its_fix() -> None:
    result = explained("readfix-win-fbgemm-126-collectenv.txt")
    finding = only(result, "windows-dll-load-failed")
    assert finding.params["library"] == "fbgemm.dll" and finding.params["winerror"] == 126
    assert "torch-import-error" not in {f.id for f in result.findings}
    fix = words_for(finding).fix
    assert "libomp140" in fix and "2.4.1" in fix
    # another DLL: the Visual C++ runtime
    other = explain(
        "OSError: [WinError 126] The specified module could not be found. Error loading "
        '"C:\\env\\Lib\\site-packages\\torch\\lib\\c10.dll" or one of its dependencies.\n',
        None,
        lookup_build,
    )
    assert "Visual C++" in words_for(only(other, "windows-dll-load-failed")).fix


def test_fallen_off_the_bus_without_an_xid_line_names_no_xid() -> None:
    finding = only(explained("kernel-fallen-off-bus-dmesg-570.txt"), "gpu-fell-off-bus")
    title = words_for(finding).title
    assert "Xid" not in title and "0000:b3:00.0" in title
    with_xid = only(explained("kernel-xid-79-fallen-off-bus.txt"), "gpu-fell-off-bus")
    assert "Xid 79" in words_for(with_xid).title
