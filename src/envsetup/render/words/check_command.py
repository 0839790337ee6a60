"""check-command's findings in words (command_check/judge.py says what; this says it to people).

Two kinds, as judge.py makes them: the command's own mistakes (ids in its COMMAND_FINDINGS;
pep668-externally-managed and python-32bit are worded with doctor's, in words/doctor.py), and the
machine verdicts (id = a compat.verdicts.VerdictCode value, params = the verdict's), worded by
render/verdict_words.py's `describe`. install's --json words its warning verdicts through these too.
Catalogue of ids: docs/check-command.md.
"""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.compat.verdicts import Verdict, VerdictCode
from envsetup.render.finding_words import WordFn, Words

P = Mapping[str, Any]

# ----------------------------------------------------------------------------- the command's own


def _requirements_file_not_read(p: P) -> Words:
    return Words(f"requirements in {', '.join(p['files'])} are not read")


def _local_version_without_index(p: P) -> Words:
    return Words(
        f"torch=={p['pinned']} is a local-version build that exists only on PyTorch's own "
        "index, not on PyPI",
        f"add --index-url {p['index_url']}",
    )


def _wheel_not_supported(p: P) -> Words:
    wrong = [
        *([] if p["python_fits"] else [f"Python {p['python']} ({p['interpreter']})"]),
        *([] if p["platform_fits"] else [p["platform_key"]]),
    ]
    return Words(
        f"{p['wheel']} is built for {', '.join(p['wheel_tags'])}, not for this machine's "
        f"{' and '.join(wrong)}: pip refuses it as not a supported wheel on this platform",
        "take the wheel for this machine's Python and platform, or the command under Instead",
    )


def _extra_index_url(p: P) -> Words:
    if p.get("installer") == "uv":
        if p.get("build"):
            return Words(
                f"uv takes torch from the first index that has it and asks --extra-index-url "
                f"before the default index, so {p['first_index']} decides: the {p['build']} build",
                f"to say so plainly, use --index-url {p['first_index']} "
                "(or --torch-backend " + str(p["build"]) + ")",
            )
        return Words(
            f"uv takes torch from the first index that has it and asks --extra-index-url "
            f"before --index-url, so {p['first_index']} decides which build lands, not "
            "PyTorch's index",
            "give PyTorch's index as the only --index-url, or drop the extra index",
        )
    return Words(
        "--extra-index-url puts a second index beside the first (PyTorch's and PyPI) "
        "and pip takes the highest version from either, so which build lands depends "
        "on both indexes",
        "use --index-url (the official commands do since 2.0)",
    )


def _uv_torch_backend_auto(p: P) -> Words:
    return Words(
        "uv's --torch-backend auto picks the build from the driver version alone and "
        "ignores the GPU's compute capability: an older GPU can get a build with no "
        "kernels for it",
        "name the build: --torch-backend cuXYZ, or use the command under Instead",
    )


def _prerelease_index(p: P) -> Words:
    return Words(
        "a nightly or test index: pre-release builds that change daily and are not in "
        "envsetup's profiles",
        "pin a release for a reproducible environment",
    )


def _unknown_patch(p: P) -> Words:
    return Words(
        f"torch {p['pinned']} is not a known {p['release']} patch",
        f"pin one of {', '.join(p['known'])}",
    )


def _torch_not_pinned(p: P) -> Words:
    allowed = f" matching {p['spec']}" if p.get("spec") else ""
    return Words(
        f"torch is not pinned: {p['tool']} takes the newest version{allowed} for "
        f"Python {p['python']}: {p['version']}"
    )


def _extra_index_lacks_release(p: P) -> Words:
    return Words(
        f"the extra index ({p['build']}) has no torch {p['release']} build, so pip takes that "
        "version from PyPI instead",
        "pin a version that index has, or use the command under Instead",
    )


def _pypi_default_build(p: P) -> Words:
    if p.get("index_url"):  # a public mirror of PyPI (envsetup.model.package_index)
        no_index = f"the index {p['index_url']} mirrors PyPI: "
    else:
        no_index = "" if p["extra_index"] else "no index URL: "
    # A profile fact marked U: said as the profile's belief, not as PyPI's file list.
    hedge = "" if p.get("confirmed", True) else " (unconfirmed in envsetup's profile)"
    return Words(
        f"{no_index}{p['tool']} installs PyPI's default build of {p['release']} for "
        f"{p['platform_key']}, which is {p['build']}{hedge}"
    )


def _index_url_unknown(p: P) -> Words:
    urls = ", ".join(p["urls"])
    pypi = f"; a mirror of PyPI would serve {p['pypi_build']}" if p.get("pypi_build") else ""
    return Words(
        f"envsetup cannot tell which build of torch {p['version'] or p['release']} the index "
        f"{urls} serves: its URL names no compute platform (a mirror of download.pytorch.org "
        f"ends in /cu121, /rocm6.2 or /cpu){pypi}, so the driver and GPU checks were not made "
        "for a build",
        "pin the build with its local label (torch==X+cu121), or use a mirror URL that names "
        "it, or the command under Instead",
    )


def _unknown_release(p: P) -> Words:
    if p.get("jetson_build"):
        return Words(
            f"{p['package']} {p['version']} is NVIDIA's Jetson build, a release outside "
            "envsetup's profiles (2.0 and later): its Python range and GPU support are not "
            "checked here"
        )
    return Words(
        f"{p['package']} {p['version']} is not in envsetup's profiles (2.0 and later): its "
        "builds, drivers and Python range cannot be checked",
        "pin a release envsetup has a profile for, or use the command under Instead",
    )


_PICK_UNKNOWN_WHY = {
    "no-release-with-build": "no release in envsetup's profiles has a {build} build for {platform_key}",
    "no-release-for-platform": "no release in envsetup's profiles has wheels for {platform_key}",
    "no-version-in-spec": "no release in envsetup's profiles matches {spec}",
}


def _pick_unknown(p: P) -> Words:
    why = _PICK_UNKNOWN_WHY[p["reason"]].format(
        build=p["build"] or "any", platform_key=p["platform_key"], spec=p["spec"] or "any version"
    )
    other = (
        f"; Instead installs the {p['instead_build']} build"
        if p.get("instead_build") and p["instead_build"] != p["build"]
        else ""
    )
    return Words(
        f"envsetup cannot tell which {p['package']} this command installs here: {why} (the "
        f"installer may find none, or one envsetup cannot check){other}",
        "pin a release and build that exist for this machine, or use the command under Instead",
    )


def _conda_cudatoolkit(p: P) -> Words:
    toolkit = f"cudatoolkit={p.get('cudatoolkit') or '?'}"
    if p.get("build") == "cpu":
        return Words(
            f"{toolkit} selects no build: no PyTorch 2.x conda package depends on cudatoolkit, "
            f"so the pytorch channel's solver takes the newest pytorch, {p['version']}, as its "
            "CPU build (pytorch-mutex cpu) and installs the cudatoolkit beside it, "
            "unused (conda/conda #11001: pytorch-1.10.0-py3.6_cpu_0)",
            "use pytorch-cuda=X.Y -c pytorch -c nvidia, or the command under Instead",
        )
    return Words(
        f"{toolkit}: no PyTorch 2.x conda package depends on cudatoolkit, so only a 1.x "
        "release built for that cudatoolkit on this platform gets the CUDA build; for any other "
        "the pytorch channel's solver takes its CPU build (pytorch-mutex cpu; pytorch/pytorch "
        "#92273)",
        "use pytorch-cuda=X.Y -c pytorch -c nvidia, or the command under Instead",
    )


def _conda_no_pytorch_channel(p: P) -> Words:
    return Words(
        "no -c pytorch: conda takes pytorch from the default or conda-forge channel, a "
        "different distribution than PyTorch's own (its builds are not in envsetup's "
        "profiles)",
        "add -c pytorch",
    )


def _conda_no_package(p: P) -> Words:
    return Words(
        f"pytorch{p['op']}{p['version']}: no package on the pytorch channel fits",
        "install with pip or uv (the command under Instead)",
    )


def _conda_no_selector(p: P) -> Words:
    if p.get("build") == "cpu":
        return Words(
            "no pytorch-cuda=X.Y or cpuonly: nothing asks for a CUDA build, so the pytorch "
            "channel's solver takes the CPU build (pytorch-mutex=cpu)",
            "pin one: pytorch-cuda=X.Y -c nvidia for the CUDA build, or cpuonly for CPU",
        )
    return Words(
        "no pytorch-cuda=X.Y or cpuonly: conda's solver chooses CPU or CUDA by itself",
        "pin one: pytorch-cuda=X.Y or cpuonly",
    )


def _conda_channel_ends(p: P) -> Words:
    return Words(
        f"the pytorch conda channel ends at 2.5: PyTorch publishes no conda packages after it, "
        f"so conda installs {p['last']} at most here while torch {p['newest']} is out",
        f"for torch {p['newest']} install with pip or uv: envsetup install --manager uv",
    )


def _conda_forge_build(p: P) -> Words:
    build = "CUDA" if p.get("cuda") else "CPU"
    reason = p.get("reason", "metapackage")
    where = f" (driver CUDA ≤ {p['driver_cuda']})" if p.get("driver_cuda") else ""
    if reason == "metapackage":
        what = f"{p['package']} is conda-forge's metapackage for its own {build} build of pytorch"
    elif reason == "build-string":
        what = f"{p['spec']} selects conda-forge's own {build} build of pytorch"
    elif reason == "driver":
        what = (
            "conda-forge's pytorch (conda-forge has no pytorch-mutex): an NVIDIA driver here "
            f"provides the __cuda virtual package{where}, so conda selects conda-forge's CUDA "
            "build, one this driver runs (conda has been seen to take the CPU build anyway: "
            "conda/conda #14761)"
        )
    else:
        what = (
            "conda-forge's pytorch (conda-forge has no pytorch-mutex): with no NVIDIA driver "
            "here there is no __cuda virtual package, so conda takes conda-forge's CPU build"
        )
    needs = (
        "; conda solves it only where an NVIDIA driver provides the __cuda virtual package "
        "(CONDA_OVERRIDE_CUDA=X.Y on a machine without one)"
        if p.get("cuda") and reason == "metapackage"
        else ""
    )
    fix = "to get PyTorch's own wheels instead, use the command under Instead"
    if reason == "driver":
        fix = (
            'to require the CUDA build, add "pytorch=*=cuda*" (and cuda-version=12 to choose '
            f"CUDA 12; https://conda-forge.org/docs/user/cuda/), or {fix}"
        )
    return Words(
        f"{what}, a distribution whose versions envsetup's profiles do not describe{needs}", fix
    )


def _conda_forge_cuda_unsolvable(p: P) -> Words:
    spec = p.get("spec") or "the command"
    if p.get("macos"):
        return Words(
            f"{spec} requires conda-forge's CUDA build of pytorch, and there is none for "
            f"{p['platform_key']}: conda fails to solve",
            f"drop {spec} (conda-forge's macOS build is CPU and MPS), or use the command under "
            "Instead",
        )
    if p.get("driver_cuda"):
        return Words(
            f"{spec} requires conda-forge's CUDA {p['cuda_major']} build of pytorch, which needs "
            f"a driver for CUDA ≥ {p['cuda_major']} (the __cuda virtual package); this driver's "
            f"is CUDA {p['driver_cuda']}: conda fails to solve",
            f"upgrade the NVIDIA driver to one for CUDA {p['cuda_major']}, or use the command "
            "under Instead",
        )
    return Words(
        f"{spec} requires conda-forge's CUDA build of pytorch, which depends on the __cuda "
        "virtual package an NVIDIA driver provides; with no driver here conda fails to solve "
        '("__cuda =* *, which is missing on the system")',
        "install the NVIDIA driver first; to install without one (a login node, an image "
        f"build) set CONDA_OVERRIDE_CUDA=12.6 for the solve (conda-forge/pytorch-cpu-feedstock "
        f"#364, https://conda-forge.org/docs/user/cuda/); or drop {spec} for the CPU build",
    )


def _domain_version_mismatch(p: P) -> Words:
    name, pairs_with = p["package"], p["pairs_with"]
    owner = p.get("belongs_to")
    built_for = f"is built for torch {owner}" if owner else "is not in the profiles"
    return Words(
        f"{name} {p['version']} {built_for}; torch {p['torch']} pairs with {name} {pairs_with}",
        f"pin {name}=={pairs_with}",
    )


# ----------------------------------------------------------------------------- machine verdicts

# The verdicts that become findings (command_check/judge.py: every blocking or warning verdict,
# and the notes in its NOTES_SHOWN; a test checks they agree).
VERDICT_FINDINGS = (
    VerdictCode.NO_BUILD_FOR_PLATFORM,
    VerdictCode.GLIBC_BELOW_FLOOR,
    VerdictCode.MUSL_LIBC,
    VerdictCode.PYTHON_OUTSIDE_RANGE,
    VerdictCode.DRIVER_BELOW_FLOOR,
    VerdictCode.DRIVER_CUDA_TOO_LOW,
    VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA,
    VerdictCode.ARCH_NOT_COVERED,
    VerdictCode.CPU_BUILD_ON_NVIDIA_GPU,
    VerdictCode.ROCM_BUILD_WITHOUT_ROCM,
    VerdictCode.NO_NVIDIA_DRIVER,
    VerdictCode.ARCH_UNKNOWN,
)


# install's warnings carry no `instead` (install made the plan): the flags that get the build
# `--cuda auto` picks for this machine, or what the machine lacks.
_OWN_FIX = {
    VerdictCode.MUSL_LIBC: lambda p: (
        "use a glibc-based system or container image (Debian, Ubuntu; python:3.X-slim rather "
        "than python:3.X-alpine), or build PyTorch from source"
    ),
    VerdictCode.GLIBC_BELOW_FLOOR: lambda p: (
        f"envsetup install{p.get('target_flags', '')} (it picks the newest release whose "
        "wheels run on this glibc), or "
        f"move to a system with glibc ≥ {p['need']}"
    ),
    VerdictCode.CPU_BUILD_ON_NVIDIA_GPU: lambda p: (
        f"envsetup install{p.get('target_flags', '')} --cuda auto (the CUDA build for this GPU), unless CPU-only is meant"
    ),
    VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA: lambda p: (
        f"envsetup install{p.get('target_flags', '')} --cuda auto (the ROCm build for these AMD GPUs)"
        if p.get("amd_gfx")
        else f"envsetup install{p.get('target_flags', '')} --cuda auto (the CPU build here), or install an NVIDIA driver "
        f"≥ {p['need']}"
    ),
    VerdictCode.ROCM_BUILD_WITHOUT_ROCM: lambda p: (
        f"envsetup install{p.get('target_flags', '')} --cuda auto (the build for this machine), or install ROCm first"
    ),
}


# When no release resolves on the machine (check.py sets `install_refuses`): each verdict's own
# remedy, which does not name `envsetup install` (attack12c M2: the glibc fix said "envsetup
# install (it picks the newest release whose wheels run on this glibc)" where install refused,
# and the Python verdict's fix was the glibc refusal's sentence).
_FIX_WHEN_INSTALL_REFUSES = {
    VerdictCode.GLIBC_BELOW_FLOOR: lambda p: (
        f"move to a system or container with glibc ≥ {p['need']} (a newer distribution), or an "
        f"older torch whose wheels run on glibc {p['have']} with a Python it supports"
    ),
    VerdictCode.PYTHON_OUTSIDE_RANGE: lambda p: (
        f"use a Python in {p['low']}–{p['high']}: make an environment with one (`uv venv "
        f"--python {p['high']}`, or `conda create -n torch python={p['high']}`), or pin an "
        f"older torch that supports Python {p['python']}"
    ),
    VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA: lambda p: (
        "a ROCm build, once a release runs on this machine (see the refusal below)"
        if p.get("amd_gfx")
        else f"install an NVIDIA driver ≥ {p['need']} on the machine (in a container: start it "
        "with the GPU passed through, e.g. `docker run --gpus all`), or take the CPU build, "
        "once a release runs on this machine (see the refusal below)"
    ),
    VerdictCode.CPU_BUILD_ON_NVIDIA_GPU: lambda p: (
        "a CUDA build, once a release runs on this machine (see the refusal below), unless "
        "CPU-only is meant"
    ),
    VerdictCode.ROCM_BUILD_WITHOUT_ROCM: lambda p: "install ROCm first",
}


def _verdict_words(code: VerdictCode) -> WordFn:
    def words(p: P) -> Words:
        from envsetup.render.verdict_words import describe

        # The fix: check-command points an error or warning at the plan resolved for this
        # machine (command_check/check.py adds `instead`, or `instead_note` when none fits).
        if p.get("install_refuses") and code in _FIX_WHEN_INSTALL_REFUSES:
            # `envsetup install` refuses on this machine: the verdict's own remedy, never it.
            fix = _FIX_WHEN_INSTALL_REFUSES[code](p)
        else:
            fix = p.get("instead") or p.get("instead_note") or _OWN_FIX.get(code, lambda p: "")(p)
        return Words(describe(Verdict(code, dict(p))), fix)

    return words


WORDS: dict[str, WordFn] = {
    "requirements-file-not-read": _requirements_file_not_read,
    "local-version-without-index": _local_version_without_index,
    "wheel-not-supported": _wheel_not_supported,
    "extra-index-url": _extra_index_url,
    "extra-index-lacks-release": _extra_index_lacks_release,
    "uv-torch-backend-auto": _uv_torch_backend_auto,
    "prerelease-index": _prerelease_index,
    "torch-not-pinned": _torch_not_pinned,
    "pypi-default-build": _pypi_default_build,
    "index-url-unknown": _index_url_unknown,
    "unknown-release": _unknown_release,
    "pick-unknown": _pick_unknown,
    "unknown-patch": _unknown_patch,
    "conda-cudatoolkit": _conda_cudatoolkit,
    "conda-no-pytorch-channel": _conda_no_pytorch_channel,
    "conda-no-selector": _conda_no_selector,
    "conda-no-package": _conda_no_package,
    "conda-channel-ends": _conda_channel_ends,
    "conda-forge-build": _conda_forge_build,
    "conda-forge-cuda-unsolvable": _conda_forge_cuda_unsolvable,
    "domain-version-mismatch": _domain_version_mismatch,
    **{code.value: _verdict_words(code) for code in VERDICT_FINDINGS},
}
