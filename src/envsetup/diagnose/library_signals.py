"""A CUDA library that does not load (not found, undefined symbol): which package provides it for
this torch build (the nvidia-*-cuM wheels torch requires) or for another program, and which
LD_LIBRARY_PATH directory shadows torch's own."""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.diagnose.finding import Finding
from envsetup.diagnose.signal_common import Evidence, finding_of, install_command, torch_cuda
from envsetup.facts import Facts
from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Signal

# The pip wheel that ships each CUDA library family for a torch build of CUDA major M (the
# nvidia-*-cuM wheels torch's METADATA requires on Linux).
_WHEELS = {
    "cudnn": "nvidia-cudnn-cu{m}",
    "cublas": "nvidia-cublas-cu{m}",
    "cusparse": "nvidia-cusparse-cu{m}",
    "cufft": "nvidia-cufft-cu{m}",
    "curand": "nvidia-curand-cu{m}",
    "cusolver": "nvidia-cusolver-cu{m}",
    "nvjitlink": "nvidia-nvjitlink-cu{m}",
    "nvrtc": "nvidia-cuda-nvrtc-cu{m}",
    "cudart": "nvidia-cuda-runtime-cu{m}",
    "cupti": "nvidia-cuda-cupti-cu{m}",
    "nccl": "nvidia-nccl-cu{m}",
}


# The driver's own libraries (libcuda, libnvidia-ml): the NVIDIA driver provides them, no wheel.
_DRIVER_FAMILIES = ("cuda", "nvml")


def _soname_major(library: str) -> Optional[str]:
    """'libcublas.so.11' -> '11'; 'libcudart.so.11.0' -> '11'; 'libcuda.so' -> None."""
    after = library.partition(".so.")[2]
    major = after.split(".", 1)[0]
    return major if major.isdigit() else None


# Which nvidia-*-cuM wheels ship each soname major: a library's soname major is its own version's
# major (cuFFT 11.0.2.54 ships libcufft.so.11), which is the CUDA major only for cuBLAS, the
# runtime, NVRTC, CUPTI and nvJitLink. Read from torch's Requires-Dist pins
# (tests/fixtures/pypi/requires-dist-torch-2.0.1-*: nvidia-cufft-cu11==10.9.0.58,
# nvidia-curand-cu11==10.2.10.91, nvidia-cusolver-cu11==11.4.0.1, nvidia-cusparse-cu11==11.7.4.91,
# nvidia-cublas-cu11==11.10.3.66; requires-dist-torch-2.1.2-* and 2.8.0-*: nvidia-cufft-cu12==11.x,
# nvidia-curand-cu12==10.3.x, nvidia-cusolver-cu12==11.x, nvidia-cusparse-cu12==12.x,
# nvidia-nvjitlink-cu12==12.x). A soname major not listed (libcufft.so.10.0 of CUDA 10.0, no wheel
# of CUDA 10 exists) has no wheel.
_WHEEL_CUDA_BY_SONAME: dict[str, dict[str, tuple[str, ...]]] = {
    "cublas": {"11": ("11",), "12": ("12",)},
    "cudart": {"11": ("11",), "12": ("12",)},
    "nvrtc": {"11": ("11",), "12": ("12",)},
    "cupti": {"11": ("11",), "12": ("12",)},
    "nvjitlink": {"12": ("12",)},
    "cufft": {"10": ("11",), "11": ("12",)},
    "curand": {"10": ("11", "12")},
    "cusolver": {"11": ("11", "12")},
    "cusparse": {"11": ("11",), "12": ("12",)},
}


# The families whose wheels' sonames carry a minor (libcudart.so.11.0, libnvrtc.so.11.2,
# libcupti.so.11.7); the others' are the major alone, so 'libcufft.so.10.0' (CUDA 10.0's) is no
# wheel's.
_MINOR_IN_SONAME = ("cudart", "nvrtc", "cupti")


def _soname_key(family: str, library: str) -> Optional[str]:
    """The soname part _WHEEL_CUDA_BY_SONAME is keyed by: the major, where the wheels' sonames
    have that form; None for another form."""
    suffix = library.partition(".so.")[2]
    if family in _MINOR_IN_SONAME:
        return _soname_major(library)
    return suffix if suffix.isdigit() else None


def _wheel_cuda(family: str, soname_major: str, cuda_major: Optional[str]) -> Optional[str]:
    """The CUDA major of the nvidia-* wheel that ships `family`'s library of `soname_major`:
    the machine's `cuda_major` where that wheel line ships it, else the only one that does;
    None when none does, or when two do and the machine's CUDA does not decide."""
    majors = _WHEEL_CUDA_BY_SONAME.get(family, {}).get(soname_major, ())
    if cuda_major in majors:
        return cuda_major
    if len(majors) == 1:
        return majors[0]  # the library names its own CUDA major, whatever torch's is
    return None


def _wheel_for(family: Optional[str], library: str, facts: Facts) -> Optional[str]:
    """The nvidia-* wheel that ships `library` for this torch: the one torch's METADATA requires
    where it names the family; else by the soname (_WHEEL_CUDA_BY_SONAME) and torch's CUDA major;
    cuDNN's and NCCL's soname majors are their own: the wheel of torch's CUDA major. None where no
    wheel ships it (a CUDA 10 library, a soname another CUDA major's wheels ship)."""
    if family not in _WHEELS:
        return None
    cuda_major = (torch_cuda(facts) or "").split(".", 1)[0] or None
    soname = _soname_major(library)
    pinned_family = False
    for name in facts.torch.requires_nvidia:
        if any(name == _WHEELS[family].format(m=m) for m in ("11", "12", "13")):
            pinned_family = True
            pinned = facts.torch.requires_nvidia[name].split(".", 1)[0]
            if family in ("cudnn", "nccl") or soname is None or pinned == soname:
                return name
    if pinned_family and family not in ("cudnn", "nccl") and soname is not None:
        return None  # torch's own wheel of this family ships another soname: not that wheel
    if family in ("cudnn", "nccl") or soname is None:
        return _WHEELS[family].format(m=cuda_major) if cuda_major else None
    key = _soname_key(family, library)
    major = _wheel_cuda(family, key, cuda_major) if key else None
    return _WHEELS[family].format(m=major) if major else None


def _is_torch_program(signal: Signal, signals: Sequence[Signal], facts: Facts) -> bool:
    """Whether the program that failed to load the library is torch: yes when torch's own code
    tried to load it (signal param in_torch); not when ld.so names a native executable; otherwise when torch's import failed in the paste or torch is known
    installed (the host or the paste shows its version)."""
    if signal.params.get("in_torch"):
        return True  # torch's own loader or torch's own warning named it
    program = str(signal.params.get("program") or "")
    if program and not program.rsplit("/", 1)[-1].startswith("python"):
        return False
    importing = any(
        s.id == "python-exception" and s.params.get("during") == "import torch" for s in signals
    )
    return importing or facts.torch.version is not None


def _cuda_major(facts: Facts) -> Optional[str]:
    """The CUDA major this machine's CUDA software is on: torch's build, else nvcc's, else the
    driver's."""
    for version in (
        torch_cuda(facts),
        facts.cuda.nvcc_on_path_version,
        facts.nvidia.driver_cuda_version,
    ):
        if version:
            return version.split(".", 1)[0]
    return None


def _library_for_program(signal: Signal, facts: Facts, ev: Evidence) -> Finding:
    """A library a program other than torch could not load: install that library (a torch
    reinstall would not give it to that program)."""
    family = signal.params.get("family")
    library = str(signal.params.get("library", ""))
    major = _soname_major(library)
    if family in ("cudnn", "nccl"):
        # cuDNN's and NCCL's soname major is their own; the wheel's CUDA major is the machine's.
        cuda_major = _cuda_major(facts) or "12"
        wheel: Optional[str] = _WHEELS[family].format(m=cuda_major)
        spec = f"{wheel}=={major}.*" if wheel and major else wheel
    else:
        key = _soname_key(str(family), library)
        cuda = _wheel_cuda(str(family), key, _cuda_major(facts)) if key else None
        wheel = _WHEELS[family].format(m=cuda) if family in _WHEELS and cuda else None
        spec = wheel
    return finding_of(
        "cuda-library-not-found",
        "error",
        [signal],
        ev,
        library=library,
        needed_by=signal.params.get("needed_by"),
        program=signal.params.get("program"),
        family=family,
        provider="driver" if family in _DRIVER_FAMILIES else None,
        not_torch=True,
        library_major=major,
        wheel=spec,
        unversioned=library.endswith(".so"),
        ld_library_path=facts.cuda.ld_library_path or None,
    )


def judge_library_not_found(
    signals: list[Signal], all_signals: Sequence[Signal], facts: Facts, ev: Evidence
):
    out = []
    for s in signals:
        family = s.params.get("family")
        if family not in _DRIVER_FAMILIES and not _is_torch_program(s, all_signals, facts):
            out.append(_library_for_program(s, facts, ev))
            continue
        library = str(s.params.get("library", ""))
        unversioned = library.endswith(".so")
        wheel = _wheel_for(family, library, facts)
        pin = facts.torch.requires_nvidia.get(wheel) if wheel else None
        if family == "cudnn" and pin and _soname_major(library) not in (None, pin.split(".")[0]):
            # The program asks for another cuDNN major than this torch ships.
            other_cudnn: Optional[str] = _soname_major(library)
        else:
            other_cudnn = None
        provider = "driver" if family in _DRIVER_FAMILIES else (wheel or None)
        out.append(
            finding_of(
                "cuda-library-not-found",
                "error",
                [s],
                ev,
                library=library,
                needed_by=s.params.get("needed_by"),
                family=family,
                provider=provider,
                pin=pin,
                wanted_cudnn=other_cudnn,
                unversioned=unversioned,
                ld_library_path=facts.cuda.ld_library_path or None,
                torch=facts.torch.version,
                install=install_command(facts),
            )
        )
    return out


def shadowing_dirs(facts: Facts, library: Optional[str]) -> list[str]:
    """LD_LIBRARY_PATH directories holding a CUDA library of the same family (a second copy
    the loader finds before the wheel's)."""
    if not library:
        return []
    stem = library.split(".so", 1)[0].lower()
    held = facts.cuda.ld_library_path_cuda_libs
    dirs = [d for d, libs in held.items() if any(lib.lower().startswith(stem) for lib in libs)]
    return dirs or [d for d in facts.cuda.ld_library_path if "cuda" in d.lower()]


# Itanium-mangled names in torch's C++ namespaces (c10::, at::, torch::), const or not: a library
# that wants one was compiled against a torch whose C++ API differs from the one installed.
_TORCH_ABI = tuple(f"_Z{n}{ns}" for n in ("N", "NK") for ns in ("3c10", "2at", "5torch"))


# conda's package of each CUDA library family (the nvidia and conda-forge channels' names:
# https://anaconda.org/nvidia/libnvjitlink, https://anaconda.org/conda-forge/libnvjitlink-dev,
# and the same scheme for the other math libraries; NVIDIA CUDA Installation Guide for Linux,
# "Conda Installation").
_CONDA_PACKAGES = {
    "nvjitlink": "libnvjitlink",
    "cublas": "libcublas",
    "cusparse": "libcusparse",
    "cufft": "libcufft",
    "curand": "libcurand",
    "cusolver": "libcusolver",
}
# A conda environment's library directory: <prefix>/lib/<library>, the prefix an installer's
# (anaconda3, miniconda3, miniforge3, mambaforge, /opt/conda) or one of its envs/.
_CONDA_LIB = lazy(
    r"^(/(?:[^/]+/)*?(?:[^/]*conda[^/]*|miniforge3?|mambaforge|micromamba)(?:/envs/[^/]+)?)"
    r"/lib/[^/]+$"
)


def _normal(path: str) -> str:
    """'/opt/conda/bin/../lib/x' -> '/opt/conda/lib/x' (text only: no file is looked at)."""
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts and parts[-1] not in ("", ".."):
                parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts)


def conda_prefix_of(path: Optional[str], facts: Facts) -> Optional[str]:
    """The conda environment whose lib/ holds `path` (a library a loader error names), else
    None: pip's wheels live under site-packages/nvidia/, toolkits under /usr/local/cuda*."""
    if not path or "site-packages" in path or "dist-packages" in path:
        return None
    normal = _normal(path)
    match = _CONDA_LIB.match(normal)
    if match:
        return match.group(1)
    prefix = facts.python.prefix
    if facts.python.environment == "conda" and prefix and normal.startswith(prefix + "/lib/"):
        return prefix
    return None


def judge_undefined_symbol(signals: list[Signal], facts: Facts, ev: Evidence):
    out = []
    for s in signals:
        symbol = str(s.params.get("symbol") or "")
        torch_abi = symbol.startswith(_TORCH_ABI) and not s.params.get("symbol_library")
        family = s.params.get("family")
        conda = conda_prefix_of(s.params.get("library_path"), facts)
        conda_package = _CONDA_PACKAGES.get(str(family)) if conda else None
        wheel = (
            None
            if conda_package
            else _wheel_for(family, str(s.params.get("symbol_library") or ""), facts)
        )
        out.append(
            finding_of(
                "cuda-library-symbol-missing",
                "error",
                [s],
                ev,
                symbol=s.params.get("symbol"),
                torch_abi=True if torch_abi else None,
                library=s.params.get("library"),
                symbol_library=s.params.get("symbol_library"),
                api_version=s.params.get("api_version"),
                shadowing=shadowing_dirs(facts, s.params.get("symbol_library")) or None,
                # the library that needs the symbol is a conda environment's: conda's package
                conda_prefix=conda if conda_package else None,
                conda_package=conda_package,
                wheel=wheel,
                pin=facts.torch.requires_nvidia.get(wheel) if wheel else None,
            )
        )
    return out


# torch's own shared objects (torch/lib/libtorch_cpu.so, libc10.so, libshm.so, torch/_C...so).
_TORCH_OWN = ("libtorch", "libc10", "libshm", "_C.", "libcaffe2")


def judge_glibc_too_old(signals: list[Signal], facts: Facts, ev: Evidence) -> list[Finding]:
    """`version 'GLIBC_X' not found (required by P)`: P needs a newer glibc than this system's.
    Whose P is decides the fix: torch's own library (a torch release whose manylinux tag this
    glibc meets), a CUDA library torch loads (a build of an older CUDA, or a newer system), or
    another package's (that package's build, not torch)."""
    out = []
    for need in dict.fromkeys(str(s.params.get("need")) for s in signals):
        group = [s for s in signals if str(s.params.get("need")) == need]
        first = group[0]
        name = str(first.params.get("required_by_name") or "")
        if first.params.get("family"):
            owner = "cuda-library"
        elif name.startswith(_TORCH_OWN) or (first.params.get("in_torch") and not name):
            owner = "torch"
        elif name:
            owner = "other"
        else:
            owner = "unknown"
        out.append(
            finding_of(
                "glibc-too-old",
                "error",
                group,
                ev,
                need=need,
                have=facts.os.glibc,
                library=first.params.get("library"),
                required_by=first.params.get("required_by"),
                required_by_name=name or None,
                owner=owner,
                torch=facts.torch.version,
                install=install_command(facts),
            )
        )
    return out
