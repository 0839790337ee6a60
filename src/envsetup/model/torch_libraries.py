"""The CUDA libraries torch's nvidia-* wheels bring, and how the loader reaches each one.

Which copy of a soname the dynamic loader takes depends on who asks for it (ld.so(8),
https://man7.org/linux/man-pages/man8/ld.so.8.html, "Description"): the asking object's DT_RPATH
(when it has no DT_RUNPATH, and then its loaders' DT_RPATH too), LD_LIBRARY_PATH, the asking
object's DT_RUNPATH, /etc/ld.so.cache, then /lib and /usr/lib. A soname already loaded is reused.

- torch's own libraries carry DT_RPATH (not RUNPATH) naming the wheels' directories, so that
  LD_LIBRARY_PATH cannot override them (pytorch/builder#1150,
  https://github.com/pytorch/builder/pull/1150, and #1183); still so in 2.14.1: `readelf -d` of
  torch/lib/libtorch_global_deps.so in PyPI's torch-2.14.1-cp311-cp311-manylinux_2_28_x86_64.whl
  shows RPATH [$ORIGIN/../../nvidia/cudnn/lib:...:$ORIGIN/../../nvidia/cu13/lib:$ORIGIN]. The
  libraries torch links itself are taken from the wheels whatever LD_LIBRARY_PATH or ldconfig's
  cache say. Case 02 (infiniflow/ragflow#4466) shows it: libcusparse.so.12 came from
  nvidia/cusparse/lib although LD_LIBRARY_PATH's /usr/local/cuda-12.1/lib64 held one too.
- cuDNN's dispatcher dlopens its sub-libraries (libcudnn_graph.so.9, ...) by bare soname
  (https://docs.nvidia.com/deeplearning/cudnn/latest/api/overview.html), but libcudnn.so.9 carries
  DT_RPATH [$ORIGIN] (`readelf -d`, PyPI's nvidia_cudnn_cu13-9.24.0.43 wheel): its own directory
  is searched first, so they are not shadowed either.
- nvJitLink is asked for only by cuSPARSE and cuSOLVER, whose wheel libraries carry DT_RUNPATH
  [$ORIGIN] (`readelf -d` of libcusparse.so.12, PyPI's nvidia_cusparse-12.6.3.3 wheel): the loader
  tries LD_LIBRARY_PATH first, then their own directory, then ld.so.cache. So an LD_LIBRARY_PATH
  copy wins (case 02: nvJitLink 12.1 from /usr/local/cuda-12.1/lib64, `undefined symbol:
  __nvJitLinkAddData_12_1`), and a cached one wins too where nvJitLink's wheel directory is not
  theirs (the CUDA 12 wheels: nvidia/nvjitlink/lib beside nvidia/cusparse/lib; the CUDA 13 ones
  share nvidia/cu13/lib). PyTorch calls it a load-order problem rpath cannot fix; from 2.6, when
  its CUDA runtime comes from a wheel, torch loads the wheel's nvJitLink itself before the rest
  (https://github.com/pytorch/pytorch/pull/141063, https://github.com/pytorch/pytorch/pull/145582;
  issue #140797 for 2.5 on a system with CUDA 12.2).

A different soname (libcudnn.so.8 beside torch's libcudnn.so.9) never satisfies a request: it
shadows nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

# LibraryFamily.loaded
BY_RPATH = "rpath"  # whoever asks for it finds the wheel's copy first, through DT_RPATH
BY_RUNPATH = "runpath"  # asked for by wheel libraries with DT_RUNPATH: LD_LIBRARY_PATH comes first


@dataclass(frozen=True)
class LibraryFamily:
    name: str  # as NVIDIA names it: "nvJitLink", "cuDNN"
    soname: re.Pattern[str]  # matches the family's sonames: libnvJitLink.so.12
    project: str  # the wheel project without its -cuNN suffix: "nvidia-nvjitlink"
    wheel_dir: str  # its directory under site-packages/nvidia/ (CUDA 12 wheels): "nvjitlink"
    # Its key in a toolkit's version.json ("libnvjitlink": {"version": "13.2.86"} in CUDA 13.2's,
    # where cuBLAS is 13.4.1.3 and cuSPARSE 12.7.10.12: only some libraries follow the CUDA
    # release); "" when the toolkit has none.
    component: str
    # Its own version follows the CUDA release (nvJitLink 12.4.127 ships with CUDA 12.4), so a
    # toolkit's CUDA version stands for it where no file names it.
    cuda_versioned: bool
    loaded: str  # BY_RPATH or BY_RUNPATH
    # The first torch release that loads the wheel's copy itself before anything asks for it.
    preloaded_from: Optional[str] = None
    # How much of the version must be older to break: major.minor (a library's symbols are
    # versioned by release: __nvJitLinkAddData_12_1)
    compare_parts: int = 2
    # BY_RUNPATH: the families whose wheel libraries ask for it (their $ORIGIN is searched
    # before ld.so.cache)
    asked_by: tuple[str, ...] = ()


def _so(stem: str) -> re.Pattern[str]:
    return re.compile(rf"{stem}\.so\.\d+")


# Wheel directories: the CUDA 12 wheels' as torch's DT_RPATH names them (pytorch/builder#1183);
# CUDA 13 wheels put every library in nvidia/cu13/lib (CU13_DIR).
FAMILIES: tuple[LibraryFamily, ...] = (
    LibraryFamily("CUDA runtime", _so("libcudart"), "nvidia-cuda-runtime", "cuda_runtime", "cuda_cudart", True, BY_RPATH),
    LibraryFamily("cuBLAS", _so("libcublas"), "nvidia-cublas", "cublas", "libcublas", False, BY_RPATH),
    LibraryFamily("cuBLASLt", _so("libcublasLt"), "nvidia-cublas", "cublas", "libcublas", False, BY_RPATH),
    LibraryFamily("NVRTC", _so("libnvrtc"), "nvidia-cuda-nvrtc", "cuda_nvrtc", "cuda_nvrtc", True, BY_RPATH),
    LibraryFamily("CUPTI", _so("libcupti"), "nvidia-cuda-cupti", "cuda_cupti", "cuda_cupti", True, BY_RPATH),
    LibraryFamily("cuFFT", _so("libcufft"), "nvidia-cufft", "cufft", "libcufft", False, BY_RPATH),
    LibraryFamily("cuRAND", _so("libcurand"), "nvidia-curand", "curand", "libcurand", False, BY_RPATH),
    LibraryFamily("cuSOLVER", _so("libcusolver"), "nvidia-cusolver", "cusolver", "libcusolver", False, BY_RPATH),
    LibraryFamily("cuSPARSE", _so("libcusparse"), "nvidia-cusparse", "cusparse", "libcusparse", False, BY_RPATH),
    LibraryFamily("cuSPARSELt", _so("libcusparseLt"), "nvidia-cusparselt", "cusparselt", "", False, BY_RPATH),
    LibraryFamily("cuFile", _so("libcufile"), "nvidia-cufile", "cufile", "libcufile", False, BY_RPATH),
    LibraryFamily("NCCL", _so("libnccl"), "nvidia-nccl", "nccl", "", False, BY_RPATH),
    LibraryFamily("NVSHMEM", _so("libnvshmem_host"), "nvidia-nvshmem", "nvshmem", "", False, BY_RPATH),
    LibraryFamily("NVTX", _so("libnvToolsExt"), "nvidia-nvtx", "nvtx", "cuda_nvtx", True, BY_RPATH),
    LibraryFamily("cuDNN", _so("libcudnn"), "nvidia-cudnn", "cudnn", "", False, BY_RPATH),
    LibraryFamily("cuDNN sub-library", _so(r"libcudnn_\w+"), "nvidia-cudnn", "cudnn", "", False, BY_RPATH),
    LibraryFamily(
        "nvJitLink", _so("libnvJitLink"), "nvidia-nvjitlink", "nvjitlink", "libnvjitlink", True, BY_RUNPATH,
        preloaded_from="2.6.0", asked_by=("cuSPARSE", "cuSOLVER"),
    ),
)  # fmt: skip
CU13_DIR = "cu13"
_PROJECT_SUFFIX = re.compile(r"-cu\d+$")


def family_of_soname(soname: str) -> Optional[LibraryFamily]:
    """The family a soname ("libnvJitLink.so.12") belongs to; None for any other library."""
    for family in FAMILIES:
        if family.soname.fullmatch(soname):
            return family
    return None


def families_of_project(project: str) -> list[LibraryFamily]:
    """The families a wheel project ("nvidia-nvjitlink-cu12", CUDA 13's "nvidia-cublas") installs."""
    stem = _PROJECT_SUFFIX.sub("", project.lower())
    return [f for f in FAMILIES if f.project == stem]


def wheel_dirs(project: str) -> list[str]:
    """Where under site-packages/nvidia/ a wheel puts its libraries: its own directory (CUDA 12
    and 11 wheels) or cu13/ (CUDA 13 wheels)."""
    dirs = sorted({f.wheel_dir for f in families_of_project(project)})
    return [*dirs, CU13_DIR] if dirs else []


def file_version(soname: str, file_name: str) -> Optional[str]:
    """The full version a library's file name carries: ("libnvJitLink.so.12",
    "libnvJitLink.so.12.1.105") -> "12.1.105"; None when the name carries no more than the soname."""
    if not file_name.startswith(soname + "."):
        return None
    major = soname.rsplit(".so.", 1)[1]
    rest = file_name[len(soname) + 1 :]
    return f"{major}.{rest}" if re.fullmatch(r"\d+(\.\d+)*", rest) else None
