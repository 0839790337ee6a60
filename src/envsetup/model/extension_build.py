"""What building a CUDA extension for the installed torch would use: the nvcc
torch.utils.cpp_extension picks and the host compiler nvcc calls.

torch picks its CUDA_HOME as `_find_cuda_home()` does (pytorch/pytorch
torch/utils/cpp_extension.py): the CUDA_HOME or CUDA_PATH variable, else the directory above the
`nvcc` PATH finds (not resolved: /usr/bin/nvcc gives /usr), else /usr/local/cuda (Windows: the
first C:/Program Files/NVIDIA GPU Computing Toolkit/CUDA/v*.*) when it exists; it then runs
`CUDA_HOME/bin/nvcc --version`. nvcc calls the gcc and g++ PATH finds on Linux (cl.exe on Windows)
unless told otherwise (`-ccbin`; torch passes `$CC` as `-ccbin` when it is set): NVIDIA CUDA
Compiler Driver NVCC documentation, "--compiler-bindir",
https://docs.nvidia.com/cuda/cuda-compiler-driver-nvcc/index.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass
class HostCompiler:
    family: str  # "gcc", "clang" or "msvc"
    path: str  # as found (PATH or $CC)
    version: Optional[str] = None  # "13.2.0"; None when its output named no version
    source: str = ""  # e.g. "command:gcc --version"
    # what made nvcc take it: "-ccbin in NVCC_PREPEND_FLAGS", "CC", "NVCC_CCBIN",
    # "Debian's nvcc.profile" or "PATH"
    chosen_by: str = "PATH"


@dataclass
class ExtensionBuildFacts:
    """Empty (cuda_home None) where no nvcc would be found: pip wheels bring their own runtime,
    and nothing here needs judging."""

    cuda_home: Optional[str] = None  # what torch's cpp_extension takes as CUDA_HOME
    cuda_home_from: str = ""  # "CUDA_HOME", "CUDA_PATH", "nvcc on PATH", "default location"
    nvcc: Optional[str] = None  # CUDA_HOME/bin/nvcc, when it exists
    nvcc_version: Optional[str] = None  # "10.1.243" (nvcc --version or the toolkit's files)
    host_compiler: Optional[HostCompiler] = None
    source: str = ""
