"""Installer output in pastes (attack12b H4, H5, H6, M1, M3): uv's platform refusals, musl's
loader, pip's placeholder sdist, a conda plan taking the CPU build, a pip log taking PyPI's CPU
wheel. Each kind is tested on the real pastes in tests/fixtures/paste/errors/attack12-*
(SOURCES.tsv) and on other real lines of the same kind, quoted here with their source."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from envsetup.explain.run import ExplainResult, explain
from envsetup.facts import Facts
from envsetup.host.recorded import RecordedHost
from envsetup.parsers.signals import classify, lines_of
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from hostbuilder import case_host

ERRORS = Path(__file__).resolve().parents[1] / "fixtures" / "paste" / "errors"


def run(text: str, facts: Optional[Facts] = None) -> ExplainResult:
    return explain(text, facts, lookup_build)


def ids(result: ExplainResult) -> list[str]:
    return [f.id for f in result.findings]


def only(result: ExplainResult, finding_id: str):
    matching = [f for f in result.findings if f.id == finding_id]
    assert len(matching) == 1, [(f.id, f.params) for f in result.findings]
    return matching[0]


def paste(name: str) -> str:
    return (ERRORS / name).read_text(encoding="utf-8")


# ------------------------------------------------------------------ H4: an old glibc, not Python

GLIBC_227 = "attack12-uv-pip-glibc2.27-torch2.7.0-cu118.txt"  # pytorch/pytorch #156215


def test_pip_and_uv_on_glibc_2_27_say_glibc_not_python() -> None:
    result = run(paste(GLIBC_227))
    p = only(result, "pip-no-matching-torch").params
    assert p["reason"] == "pinned-release-needs-newer-glibc"
    assert p["need"] == "2.28" and p["have"] == "2.27" and p["newest"] == "2.6.0+cu118"
    assert p["python"] == "3.11.13"  # uv's "Using Python 3.11.13 environment at: ..."
    assert "glibc-below-floor" not in ids(result)  # said once, by pip's finding


def test_pips_lines_alone_rule_python_out_by_the_listed_releases() -> None:
    # pip's list ends at 2.6.0+cu118 (Python >= 3.9, like 2.7): the Python is not the cause;
    # 2.6's cu118 build is manylinux2014 (glibc 2.17), 2.7's manylinux_2_28.
    pip_lines = "\n".join(paste(GLIBC_227).splitlines()[:4]) + "\n"
    p = only(run(pip_lines), "pip-no-matching-torch").params
    assert p["reason"] == "pinned-release-needs-newer-glibc"
    assert p["need"] == "2.28" and p["listed_need"] == "2.17" and "have" not in p


def test_uvs_block_alone_is_glibc_below_floor() -> None:
    uv_lines = "\n".join(paste(GLIBC_227).splitlines()[6:]) + "\n"
    result = run(uv_lines)
    p = only(result, "glibc-below-floor").params
    assert p["have"] == "2.27" and p["need"] == "2.28" and p["release"] == "2.7"
    assert result.facts.python.version == "3.11.13"


def test_a_newer_glibc_leaves_the_python_reason() -> None:
    # The rule must not blame the C library where its glibc meets the floor (a host's facts).
    facts = probe_all(RecordedHost(str(case_host("09-nvcc101-vs-torch-cu111-rtx3090"))))
    assert facts.os.glibc and facts.os.glibc >= "2.28"
    pip_lines = "\n".join(paste(GLIBC_227).splitlines()[:4]) + "\n"
    p = only(run(pip_lines, facts), "pip-no-matching-torch").params
    assert p["reason"] == "pinned-release-needs-newer-python"


def test_uvs_newer_hint_on_x86_64_with_no_x86_64_manylinux_wheel_is_not_glibc() -> None:
    # astral-sh/uv #16920 (uv 0.9.14's own wheels, x86_64 missing): no floor to compare.
    text = (
        "hint: You're on Linux (`manylinux_2_31_x86_64`), but `uv` (v0.9.14) only has wheels for "
        "the following platforms: `manylinux_2_17_ppc64le`, `manylinux_2_17_s390x`, "
        "`manylinux_2_28_aarch64`, `manylinux2014_ppc64le`, `manylinux2014_s390x`, "
        "`musllinux_1_1_i686`, `macosx_10_12_x86_64`, `macosx_11_0_arm64`; consider adding your "
        "platform to `tool.uv.required-environments` to ensure uv resolves to a version with "
        "compatible wheels\n"
    )
    result = run(text)
    assert ids(result) == ["uv-no-platform-wheel"]
    assert result.facts.os.glibc == "2.31" and result.facts.os.arch == "x86_64"


# ----------------------------------------------------- M3: uv, no wheel for this CPU or OS

NO_AARCH64 = "attack12-uv-torch2.8.0-cu128-no-platform-wheel.txt"  # OpenRAL/openral #88 (GB10)


def test_uv_no_aarch64_wheel_lists_the_platforms_it_has() -> None:
    p = only(run(paste(NO_AARCH64)), "uv-no-platform-wheel").params
    assert p["package"] == "torch" and p["version"] == "2.8.0+cu128"
    assert p["available"] == ["manylinux_2_28_x86_64", "win_amd64"]  # the wrapped hint line


def test_uv_no_aarch64_wheel_on_an_aarch64_host_names_the_builds_it_has() -> None:
    # Case 03 (a GB200, aarch64): torch 2.8 on linux-aarch64 is cpu and cu129 (profiles).
    facts = probe_all(RecordedHost(str(case_host("03-aarch64-gb200-pypi-cpu-wheel"))))
    p = only(run(paste(NO_AARCH64), facts), "uv-no-platform-wheel").params
    assert p["platform_key"] == "linux-aarch64" and p["builds_here"] == ["cpu", "cu129"]


def test_uvs_macos_hint_states_the_platform() -> None:
    # astral-sh/uv PR #10667's test plan (torch 2.5.1 from PyPI on an Apple-silicon Mac).
    text = (
        "error: Distribution `torch==2.5.1 @ registry+https://pypi.org/simple` can't be installed "
        "because it doesn't have a source distribution or wheel for the current platform\n\n"
        "hint: You're on macOS (`macosx_14_0_arm64`), but `torch` (v2.5.1) only has wheels for "
        "the following platform: `manylinux1_x86_64`\n"
    )
    result = run(text)
    p = only(result, "uv-no-platform-wheel").params
    assert p["target"] == "macosx_14_0_arm64" and p["available"] == ["manylinux1_x86_64"]
    assert p["platform_key"] == "macos-arm64" and p["builds_here"] == ["cpu"]
    assert result.facts.os.system == "Darwin"


# ------------------------------------------------------------------------------ H5: musl


def test_musls_loader_line_is_musl_libc() -> None:
    result = run(paste("attack12-musl-error-relocating-libgomp-alpine.txt"))
    assert ids(result) == ["musl-libc"]
    assert result.facts.os.musl == ""


def test_musls_loading_and_wrapped_relocating_lines_are_musl_libc() -> None:
    # pytorch/pytorch #1618 (attack13 M3): "Error loading shared library ld-linux-x86-64.so.2: ...
    # (needed by /usr/" wrapped, and "Error relocating ...libcudnn.so.6: __strtod_internal:" with
    # "symbol not found" on the next line.
    result = run(paste("attack13-musl-alpine-ld-linux-libcudnn-strtod.txt"))
    assert ids(result) == ["musl-libc"]
    assert result.facts.os.musl == ""
    by_id = {
        s.id: s.params
        for s in classify(lines_of(paste("attack13-musl-alpine-ld-linux-libcudnn-strtod.txt")))
    }
    assert by_id["library-musl-not-loaded"]["library"] == "ld-linux-x86-64.so.2"
    assert by_id["library-musl-not-loaded"]["needed_by"].startswith("/usr/lib/python3.5/")
    assert by_id["library-musl-symbol-not-found"]["symbol"] == "__strtod_internal"


def test_glibcs_loader_line_is_not_musl() -> None:
    # glibc's own form (pytorch/pytorch #1618's counterpart on glibc systems) states no musl.
    line = "ImportError: libcudnn.so.6: cannot open shared object file: No such file or directory\n"
    assert run(line).facts.os.musl is None


def test_pip_listing_old_releases_on_alpine_is_musl_not_python() -> None:
    # Oloren-AI/olorenchemengine #38 (attack13 M2): python:3.8-alpine3.15, torch==1.11.0 (which
    # supports 3.8) finds only 1.9.0: the C library, not the Python, so no "pin torch==1.9.0".
    result = run(paste("attack13-musl-python3.8-alpine-cpu-index-1.9.0.txt"))
    assert result.facts.os.musl == ""
    p = only(result, "pip-no-matching-torch").params
    assert p["reason"] == "musl"
    fix = words_for(only(result, "pip-no-matching-torch")).fix
    assert "musl" in fix and "torch==1.9.0" not in fix and "newer Python" not in fix


def test_an_apk_command_line_states_alpine() -> None:
    # pytorch/pytorch #71381 (attack13 paste 11), its Dockerfile's second line, as posted
    line = "RUN apk update && apk add gcc g++ python3-dev musl-dev\n"
    assert run(line).facts.os.musl == ""
    # apk named in prose is not a command run here
    assert run("I tried apk add py3-torch but it failed\n").facts.os.musl is None


def test_uv_in_an_alpine_image_is_musl_libc() -> None:
    result = run(paste("attack12-uv-alpine-nvidia-cublas-no-wheel.txt"))  # astral-sh/uv #9901
    assert ids(result) == ["musl-libc"]


def test_uv_without_a_hint_and_no_platform_known_says_so() -> None:
    # The error line of uv #9901 without the docker command: nothing names the platform.
    line = paste("attack12-uv-alpine-nvidia-cublas-no-wheel.txt").splitlines()[8] + "\n"
    p = only(run(line), "uv-no-platform-wheel").params
    assert p["package"] == "nvidia-cublas-cu12" and "available" not in p


def test_pip_taking_the_placeholder_sdist_is_pip_no_matching_torch() -> None:
    result = run(paste("attack12-pip-torch-0.1.2-sdist-python3.7-alpine.txt"))
    assert ids(result) == ["pip-no-matching-torch"]  # not a python-exception in setup.py
    assert result.findings[0].params["reason"] == "pypi-placeholder"


# ------------------------------------------------------------ H6: a conda plan, CPU build


def test_conda_plans_taking_the_cpu_build() -> None:
    cases = {
        "attack12-conda-plan-win-pytorch1.12.1-cudatoolkit10.2-cpu.txt": (
            "1.12.1", ["cudatoolkit=10.2"], None,
        ),
        "attack12-conda-plan-win-pytorch1.10-cudatoolkit10.1-cpuonly.txt": (
            "1.10.0", ["cudatoolkit=10.1"], None,
        ),
        "attack12-conda-plan-nightly-pytorch-cuda11.6-cpu.txt": (
            "2.0.0.dev20221216", ["pytorch-cuda=11.6"], ["cu117", "cu118"],
        ),
    }  # fmt: skip
    for name, (version, requested, variants) in cases.items():
        finding = only(run(paste(name)), "installs-cpu-build")
        assert finding.severity == "error", name
        p = finding.params
        assert p["tool"] == "conda" and p["version"] == version and p["requested"] == requested
        assert p.get("cuda_variants") == variants, name


def test_a_plan_that_asks_for_cpuonly_is_no_finding() -> None:
    text = paste("attack12-conda-plan-win-pytorch1.10-cudatoolkit10.1-cpuonly.txt").replace(
        "    - cudatoolkit=10.1", "    - cpuonly"
    )
    assert "installs-cpu-build" not in ids(run(text))


# ---------------------------------------------------- M1: a pip log taking PyPI's CPU wheel

MIRROR = "attack12-pip-log-mirror-torch2.3.1-win-amd64.txt"  # opendatalab/MinerU #240


def test_a_plain_win_amd64_wheel_from_a_mirror_is_the_cpu_build() -> None:
    result = run(paste(MIRROR))
    finding = only(result, "installs-cpu-build")
    p = finding.params
    assert p["tool"] == "pip" and p["platform_key"] == "windows-x86_64"
    assert p["wheel"] == "torch-2.3.1-cp310-cp310-win_amd64.whl"
    assert p["index_host"] == "mirrors.aliyun.com" and p["cuda_variants"] == ["cu118", "cu121"]
    assert finding.severity == "warning"  # no GPU known from the paste alone
    assert result.facts.os.system == "Windows" and result.facts.python.version == "3.10"


def test_the_same_wheel_on_a_windows_gpu_host_is_the_cpu_torch_on_a_gpu_host() -> None:
    # The wheel states a CPU torch 2.3.1 (the mirror serves PyPI's file): doctor's own finding
    # says it on a GPU machine, once.
    facts = probe_all(RecordedHost(str(case_host("04-windows-pypi-cpu-wheel-rtx4080"))))
    result = run(paste(MIRROR), facts)
    assert only(result, "torch-cpu-only-on-gpu-host").severity == "error"
    assert "installs-cpu-build" not in ids(result)


def test_pytorchs_own_index_and_linux_cuda_wheels_are_no_finding() -> None:
    # Lines of pip's form made up for the negative cases (not pasted output).
    for line in (
        # PyTorch's own index, chosen on purpose
        "  Downloading https://download.pytorch.org/whl/cu121/torch-2.3.1%2Bcu121-cp310-cp310-win_amd64.whl",
        # PyPI's Linux x86_64 torch is the CUDA build in every release 2.0-2.14 (profiles)
        "  Downloading torch-2.3.1-cp310-cp310-manylinux1_x86_64.whl (779.1 MB)",
    ):
        assert "installs-cpu-build" not in ids(run(line + "\n")), line


def test_signals_of_other_real_uv_lines() -> None:
    # astral-sh/uv #15936 (Windows, kaleido): target win_amd64, one platform listed.
    text = (
        "error: Distribution `kaleido==0.2.1.post1 @ registry+https://pypi.org/simple` can't be "
        "installed because it doesn't have a source distribution or wheel for the current "
        "platform\n"
        "hint: You're on Windows (`win_amd64`), but `kaleido` (v0.2.1.post1) only has wheels for "
        "the following platform: `manylinux2014_armv7l`; consider adding your platform to "
        "`tool.uv.required-environments` to ensure uv resolves to a version with compatible wheels\n"
    )
    (s,) = classify(lines_of(text))
    assert s.id == "uv-no-platform-wheel" and s.lines == [1, 2]
    assert s.params == {
        "package": "kaleido",
        "version": "0.2.1.post1",
        "target": "win_amd64",
        "available": ["manylinux2014_armv7l"],
    }


# ------------------------------------------ M2: Apple silicon running an x86_64 Python

ROSETTA = "attack12-mac-mini-m4-rosetta-python-torch2.4.1-to-2.2.2.txt"  # text-gen-webui #6527


def test_a_list_ending_at_2_2_2_on_an_apple_silicon_mac_is_a_rosetta_python() -> None:
    result = run(paste(ROSETTA))
    p = only(result, "pip-no-matching-torch").params
    assert p["reason"] == "pinned-release-not-for-platform" and p["rosetta"] is True
    assert result.facts.apple.apple_silicon is True


def test_an_intel_mac_keeps_the_intel_answer() -> None:
    # pytorch/pytorch #127870: an Intel Mac (no Apple chip named): no Rosetta advice.
    p = only(
        run(paste("readfix-pip-macos-x86-torch230-pytorch127870.txt")), "pip-no-matching-torch"
    )
    assert p.params["reason"] == "pinned-release-not-for-platform" and "rosetta" not in p.params


# ------------------------------------------ M6: collect_env run where torch does not import


def test_collect_env_with_pytorch_version_na_says_where_it_ran() -> None:
    # pytorch/pytorch #147626: Fedora 41's system Python 3.13.2 ran it.
    result = run(paste("attack12-collect-env-torch-na-fedora41-python3.13.txt"))
    finding = only(result, "collect-env-without-torch")
    assert finding.severity == "warning" and finding.params["python"] == "3.13.2"


def test_beside_an_import_error_the_na_is_no_second_finding() -> None:
    # The fbgemm.dll failure (WinError 126) already says why torch does not import.
    result = run(paste("readfix-win-fbgemm-126-collectenv.txt"))
    assert "collect-env-without-torch" not in ids(result)
    assert "windows-dll-load-failed" in ids(result)


def test_the_placeholder_on_a_musl_host_names_musl_and_no_install() -> None:
    # docker-library/python #341 ran in python:3.7-alpine; a recorded host made musl at the
    # host boundary (its C library the only change) stands for that container.
    facts = probe_all(RecordedHost(str(case_host("09-nvcc101-vs-torch-cu111-rtx3090"))))
    facts.os.musl, facts.os.glibc = "1.1", None
    result = run(paste("attack12-pip-torch-0.1.2-sdist-python3.7-alpine.txt"), facts)
    assert only(result, "pip-no-matching-torch").params["musl"] is True
    assert "musl-libc" in ids(result)
    fix = words_for(only(result, "pip-no-matching-torch")).fix
    assert "musl" in fix and "envsetup install" not in fix
