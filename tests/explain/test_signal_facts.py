"""Facts stated only in pasted error and log lines are merged, each with the line that states
it: real pastes (tests/fixtures/paste/errors/SOURCES.tsv), over no host and over real recorded
hosts (tests/fixtures/cases/*/host)."""

from __future__ import annotations

import pytest

from envsetup.explain.python_paths import python_of
from envsetup.explain.run import ExplainResult, explain
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from explain.corpus import FIXTURES, text
from hostbuilder import case_host

ERRORS = FIXTURES / "paste" / "errors"


def pasted(name: str, host: Facts | None = None) -> ExplainResult:
    return explain(text(ERRORS / name), host)


def host(name: str) -> Facts:
    return probe_all(RecordedHost(str(case_host(name))))


def gpus(result: ExplainResult) -> list[tuple[int, str, str]]:
    return [(g.index, g.name, str(g.compute_capability)) for g in result.facts.nvidia.gpus]


def test_the_arch_warning_states_the_gpu_its_capability_and_the_builds_arch_list() -> None:
    result = pasted("facts-sm120-rtx5070ti-rvc-compute37.txt")
    assert gpus(result) == [(0, "NVIDIA GeForce RTX 5070 Ti", "12.0")]
    deep = result.facts.torch.deep
    assert deep.arch_list[-2:] == ["sm_90", "compute_37"] and len(deep.arch_list) == 10
    assert result.fact_sources["nvidia.gpus"] == "paste:2"  # "... with CUDA capability sm_120"
    assert result.fact_sources["torch.deep.arch_list"] == "paste:3"  # "... supports ..."
    assert result.facts.nvidia.gpus_source == "paste:2"
    # Nothing else is claimed: no driver, no torch version (the warning says neither).
    assert result.facts.nvidia.driver_version is None and result.facts.torch.version is None


def test_an_indented_warning_and_prose_around_it() -> None:
    result = pasted("facts-sm120-rtx5090-deepprep-indented.txt")
    assert gpus(result) == [(0, "NVIDIA GeForce RTX 5090", "12.0")]
    assert result.facts.torch.deep.arch_list[0] == "sm_37"


def test_torch_28s_found_gpu_line_and_the_cut_warning_name_one_gpu() -> None:
    """ "Found GPU0 NVIDIA GeForce GTX 1080 Ti which is of cuda capability 6.1" and the
    sm_61 warning cut after "The": one GPU, compute capability 6.1; no arch list (cut)."""
    result = pasted("detect-nokernel-1080ti-torch28-comfy.txt")
    assert gpus(result) == [(0, "NVIDIA GeForce GTX 1080 Ti", "6.1")]
    assert result.fact_sources["nvidia.gpus"] == "paste:13"
    assert result.facts.torch.deep.arch_list == []


def test_the_warning_gives_a_pasted_gpu_its_capability() -> None:
    """collect_env lists "GPU 0: NVIDIA GeForce RTX 5090 D" (no capability); the warning above
    it states sm_120: the listed GPU gets 12.0, the list stays collect_env's."""
    paste = FIXTURES / "paste" / "collect-env"
    result = explain(
        text(paste / "linux-torch2.6.0-cu126-rtx5090d-sm120-warning-driver570.txt"), None
    )
    assert gpus(result) == [(0, "NVIDIA GeForce RTX 5090 D", "12.0")]
    assert result.fact_sources["nvidia.gpus"] == "paste:24"
    assert result.fact_sources["nvidia.gpus[0].compute_capability"] == "paste:3"
    assert result.facts.torch.deep.arch_list[-1] == "sm_90"
    ids = [f.id for f in result.findings]
    assert "cuda-no-kernel-image" in ids


def test_a_warning_naming_another_gpu_replaces_the_hosts() -> None:
    """Case 09's host has a GeForce RTX 3090; the paste is about a 5070 Ti: another machine."""
    result = pasted(
        "facts-sm120-rtx5070ti-rvc-compute37.txt", host("09-nvcc101-vs-torch-cu111-rtx3090")
    )
    assert gpus(result) == [(0, "NVIDIA GeForce RTX 5070 Ti", "12.0")]


def test_found_version_is_the_drivers_cuda_version_not_its_version() -> None:
    result = pasted("words-driver-too-old-11000-ngc-warning.txt")
    nvidia = result.facts.nvidia
    assert (nvidia.driver_cuda_version, nvidia.driver_version) == ("11.0", None)
    assert nvidia.driver_cuda_source == "paste:1"
    assert (
        pasted("detect-driver-too-old-6050-repeated.txt").facts.nvidia.driver_cuda_version == "6.5"
    )


def test_over_a_host_another_drivers_cuda_drops_the_hosts_driver_version() -> None:
    """Case 09's driver 460.73.01 supports CUDA 11.2; the paste's driver supports 11.0: the
    host's driver version is another driver's, so it is unknown, not 460.73.01."""
    result = pasted(
        "words-driver-too-old-11000-ngc-warning.txt", host("09-nvcc101-vs-torch-cu111-rtx3090")
    )
    assert result.facts.nvidia.driver_cuda_version == "11.0"
    assert result.facts.nvidia.driver_version is None
    too_old = next(f for f in result.findings if f.id == "cuda-driver-too-old")
    assert too_old.params.get("have") is None


def test_conda_virtual_packages_state_the_drivers_cuda_glibc_and_the_system() -> None:
    result = pasted("facts-conda-pyg-virtual-cuda12.2-glibc2.35.txt")
    facts, sources = result.facts, result.fact_sources
    assert (facts.nvidia.driver_cuda_version, facts.os.glibc, facts.os.system) == (
        "12.2",
        "2.35",
        "Linux",
    )
    assert sources["nvidia.driver_cuda_version"] == "paste:17"  # feature:/linux-64::__cuda==12.2=0
    assert sources["os.glibc"] == "paste:18"  # feature:|@/linux-64::__glibc==2.35=0


def test_conda_says_the_installed_cuda_driver_on_windows() -> None:
    result = pasted("facts-conda-cuda-driver-10.2-windows.txt")
    assert result.facts.nvidia.driver_cuda_version == "10.2"
    assert result.fact_sources["nvidia.driver_cuda_version"] == "paste:9"  # Your installed ...
    assert result.facts.os.system == "Windows"


def test_a_conda_subdir_does_not_override_a_stated_system() -> None:
    """The subdir is the platform conda solved for: over the host's (another machine), never
    over a system the paste states elsewhere."""
    result = pasted(
        "facts-conda-cuda-driver-10.2-windows.txt", host("09-nvcc101-vs-torch-cu111-rtx3090")
    )
    assert result.facts.os.system == "Windows"  # the host says Linux; the paste is another machine
    result = explain(
        text(FIXTURES / "paste" / "markdown-notes-os-release-uname-ubuntu-24.04.txt")
        + text(ERRORS / "facts-conda-cuda-driver-10.2-windows.txt"),
        None,
    )
    assert result.facts.os.system == "Linux"  # uname -a stated it


def test_the_fabric_managers_line_states_the_driver() -> None:
    result = pasted("case-07-fabricmanager-802-h100.txt")
    assert result.facts.nvidia.driver_version == "535.230.02"  # not 535.183.01: the FM's own
    assert result.fact_sources["nvidia.driver_version"] == "paste:7"


@pytest.mark.parametrize(
    ("name", "module", "version", "line"),
    [
        ("kernel-fallen-off-bus-dmesg-570.txt", "open", "570.158.01", 5),
        ("kernel-module-verification-failed-525.txt", "proprietary", "525.147.05", 5),
    ],
)
def test_the_kernels_loading_line_states_the_module_and_the_driver(
    name: str, module: str, version: str, line: int
) -> None:
    nvidia = pasted(name).facts.nvidia
    assert (nvidia.kernel_module, nvidia.kernel_module_version) == (module, version)
    assert (nvidia.driver_version, nvidia.driver_source) == (version, f"paste:{line}")


def test_a_later_section_wins_over_an_earlier_error_line_and_the_other_way() -> None:
    """The fabric manager names driver 535.230.02; an nvidia-smi table pasted after it says
    its own driver: the later line wins, as between sections."""
    smi_dir = FIXTURES / "paste" / "nvidia-smi"
    table = next(p for p in sorted(smi_dir.glob("*.txt")) if "Driver Version" in text(p))
    fm = text(ERRORS / "case-07-fabricmanager-802-h100.txt")
    smi_driver = explain(text(table), None).facts.nvidia.driver_version
    assert smi_driver and smi_driver != "535.230.02"
    assert explain(fm + text(table), None).facts.nvidia.driver_version == smi_driver
    assert explain(text(table) + fm, None).facts.nvidia.driver_version == "535.230.02"


# The interpreter a pasted path shows (explain/python_paths.py).


def test_a_traceback_into_a_conda_envs_torch_states_the_interpreter() -> None:
    result = pasted("cuda-802-thcudacheck-torch1.4.txt")  # ~/.conda/envs/qwe2/lib/python3.6/...
    python = result.facts.python
    assert (python.executable, python.prefix, python.environment, python.version) == (
        "/iarai/home/pedro.herruzo/.conda/envs/qwe2/bin/python",
        "/iarai/home/pedro.herruzo/.conda/envs/qwe2",
        "conda",
        "3.6",
    )
    assert python.site_packages == [
        "/iarai/home/pedro.herruzo/.conda/envs/qwe2/lib/python3.6/site-packages"
    ]
    assert result.fact_sources["python.executable"] == "paste:4" == python.source


@pytest.mark.parametrize(
    ("prefix", "kind"),
    [
        ("/home/anne/.cache/pypoetry/virtualenvs/transformers-test-hTrBSg_k-py3.8", "venv"),
        ("/home/u/.local/share/virtualenvs/proj-AbC123", "venv"),  # pipenv
        ("/home/u/.virtualenvs/proj", "venv"),  # virtualenvwrapper
        ("/home/u/.pyenv/versions/3.10.4/envs/proj", "venv"),  # pyenv-virtualenv
        ("/home/u/micromamba/envs/s2fft", "conda"),
        ("/home/u/miniconda/envs/x", "conda"),
        ("/home/u/.pyenv/versions/3.10.4", ""),  # a pyenv Python itself: no environment
        ("/home/u/virtualenvs", ""),  # the folder, not an environment in it
    ],
)
def test_the_environment_managers_folders_name_the_kind(prefix: str, kind: str) -> None:
    line = f'  File "{prefix}/lib/python3.8/site-packages/torch/__init__.py", line 229, in <module>'
    facts = {f.path: f.value for f in python_of({1: line})}
    assert facts.get("python.environment", "") == kind
    assert facts["python.prefix"] == prefix


def test_a_poetry_virtualenv_is_fixed_in_place() -> None:
    """pytorch/pytorch#104259: libcudnn.so.8 missing in a Poetry virtualenv; the fix installs
    into that virtualenv, not into a new ./.venv the program never runs from."""
    result = pasted("attack10-libcudnn8-poetry-virtualenv.txt")
    assert result.facts.python.environment == "venv"
    (finding,) = [f for f in result.findings if f.id == "cuda-library-not-found"]
    assert "--env /home/anne/.cache/pypoetry/virtualenvs/" in finding.params["install"]


def test_debians_dist_packages_is_the_system_python() -> None:
    python = pasted("words-driver-too-old-11000-ngc-warning.txt").facts.python
    assert (python.executable, python.prefix, python.environment) == (
        "/usr/bin/python3.10",
        "/usr",
        "system",
    )
    assert python.site_packages == ["/usr/local/lib/python3.10/dist-packages"]


def test_the_user_site_names_no_interpreter() -> None:
    """~/.local/lib/python3.5/site-packages/torch: which interpreter, which prefix? Not said."""
    python = pasted("torch-cuda-runtime-error-35-driver-insufficient-torch0.4.txt").facts.python
    assert (python.executable, python.prefix) == ("", "")


def test_a_windows_conda_env_and_collect_envs_own_python_version() -> None:
    """The warning's path names the env; collect_env's "Python version" (a section) wins over
    the path's version, which Windows paths do not carry anyway."""
    paste = FIXTURES / "paste" / "collect-env" / "windows-cpu-torch2.8.0.dev-cpu.txt"
    python = explain(text(paste), None).facts.python
    assert python.executable == "C:\\Users\\user\\miniforge3\\envs\\py310\\python.exe"
    assert (python.environment, python.version) == ("conda", "3.10.17")


def test_runpys_path_names_the_interpreter_that_ran_collect_env() -> None:
    paste = FIXTURES / "paste" / "collect-env" / "facts-collect-env-runpy-conda-v100s.txt"
    result = explain(text(paste), None)
    assert result.facts.python.executable == "/data/anaconda3/envs/bvllm/bin/python"
    assert result.facts.python.version == "3.10.15"  # collect_env's, not runpy's "3.10"
    assert result.fact_sources["python.version"] == "paste:17"


# `echo $LD_LIBRARY_PATH` (explain/sections/environment.py).


def test_an_echoed_ld_library_path_is_merged_and_judged() -> None:
    result = pasted("case-02-ldpath-nvjitlink-cuda121.txt")
    assert result.facts.cuda.ld_library_path == ["/usr/local/cuda-12.1/lib64"]
    assert [s.kind for s in result.detection.readings] == ["environment-variable"]
    symbol = next(f for f in result.findings if f.id == "cuda-library-symbol-missing")
    assert symbol.params["shadowing"] == ["/usr/local/cuda-12.1/lib64"]


def test_an_echo_of_an_unset_variable_states_nothing() -> None:
    result = explain("$ echo $LD_LIBRARY_PATH\n\n$ echo $CUDA_HOME\n/usr/local/cuda-12.4\n", None)
    assert result.facts.cuda.ld_library_path == []
    assert result.facts.cuda.cuda_home == "/usr/local/cuda-12.4"
    assert result.fact_sources == {"cuda.cuda_home": "paste:4"}
