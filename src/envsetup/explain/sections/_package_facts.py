"""What installed packages say about a torch environment, shared by the package-list reader and
the collect_env reader ("Versions of relevant libraries:").

torch/pytorch -> torch.version (and its build from the local version or conda's build string);
torchvision, torchaudio; nvidia-* wheels -> torch.requires_nvidia (name -> installed version: the
wheels torch loads); nvidia-cuda-runtime/nvcc wheels, conda's cudatoolkit and cuda-runtime ->
cuda.toolkits of kind pip-wheel (libraries inside the environment); nvidia-cudnn wheels and
conda's cudnn -> cudnn; pytorch-cuda -> the CUDA a conda pytorch was built for.
"""

from __future__ import annotations

from typing import Optional

from envsetup.explain.sections._reading import ReadingBuilder
from envsetup.parsers import ParseError
from envsetup.parsers.packages import Package, cuda_of_conda_build, cudnn_of_conda_build
from envsetup.parsers.torch_build import flavor_from_local_version

# Environment-local CUDA runtimes: the wheels doctor's probe counts as toolkits, and conda's.
_RUNTIME_PACKAGES = (
    "nvidia-cuda-runtime-cu11",
    "nvidia-cuda-runtime-cu12",
    "nvidia-cuda-runtime-cu13",
    "nvidia-cuda-nvcc-cu11",
    "nvidia-cuda-nvcc-cu12",
    "nvidia-cuda-nvcc-cu13",
    "cudatoolkit",
    "cuda-runtime",
    "cuda-cudart",
    "cuda-toolkit",
)
_CUDNN_PACKAGES = ("nvidia-cudnn-cu11", "nvidia-cudnn-cu12", "nvidia-cudnn-cu13", "cudnn")


def is_placeholder(name: str, version: Optional[str]) -> bool:
    """An nvidia-* package at a 0.0.x version: NVIDIA's name-holding placeholders on PyPI, with
    no libraries in them ("A fake package ... placeholder from NVIDIA",
    https://pypi.org/project/nvidia-cuda-runtime-cu113/ 0.0.1.dev5; nvidia-cuda-runtime-cu13
    0.0.0a0 in a ROCm torch's environment, pytorch/pytorch #164346; its 0.0.1 "DEPRECATED: Use
    nvidia-cuda-runtime instead", https://pypi.org/project/nvidia-cuda-runtime-cu13/). Not a
    CUDA toolkit, cuDNN or a library torch loads."""
    return name.startswith("nvidia-") and (version or "").startswith("0.0.")


def is_relevant(name: str) -> bool:
    """A package that says something about the torch/CUDA stack (worth starting a section at)."""
    return (
        name in ("torch", "pytorch", "torchvision", "torchaudio", "pytorch-cuda", "cudatoolkit")
        or name.startswith(("nvidia-", "cuda-", "cudnn", "torch-", "pytorch-"))
        or name in ("jax", "jaxlib", "tensorflow", "triton", "xformers", "vllm", "cupy-cuda12x")
    )


def add_package(builder: ReadingBuilder, package: Package, line: int) -> bool:
    """Put the facts one package states; True when it stated any."""
    name, version = package.name, package.version
    if name in ("torch", "pytorch"):
        return _add_torch(builder, package, line)
    if name in ("torchvision", "torchaudio"):
        builder.put(f"torch.{name}", version, line)
        return True
    if name == "pytorch-cuda":
        if builder.get("torch.cuda_version") is None:
            builder.put("torch.cuda_version", _major_minor(version), line)
        return True
    stated = False
    if is_placeholder(name, version):
        return True  # read: it states that nothing of CUDA is there
    if name.startswith("nvidia-"):
        requires = builder.get("torch.requires_nvidia") or {}
        requires[name] = version
        builder.put("torch.requires_nvidia", requires, line)
        stated = True
    if name in _RUNTIME_PACKAGES:
        where = _where(package)
        toolkit = {
            "path": f"{where} {name}",
            "version": version,
            "source": f"{where} {name}",
            "kind": "pip-wheel",
        }
        builder.append("cuda.toolkits", toolkit, line)
        stated = True
    if name in _CUDNN_PACKAGES:
        where = _where(package)
        builder.append(
            "cudnn", {"version": version, "path": f"{where} {name}", "source": "pip-wheel"}, line
        )
        stated = True
    return stated


def _where(package: Package) -> str:
    """pip's wheels, also as conda lists them ("pypi_0 pypi", "<pip>"), or conda's packages."""
    by_pip = not package.build or package.channel == "pypi" or package.build == "<pip>"
    return "pip wheel" if by_pip else "conda package"


def put_torch_build(builder: ReadingBuilder, version: str, line: int) -> bool:
    """torch's build from its version's local part ("2.7.0+cu128" -> cuda 12.8, "+rocm6.2" ->
    rocm, "+cpu"/"+xpu"): whether the local part named one."""
    try:
        flavor, build_version = flavor_from_local_version(version)
    except ParseError:
        return False
    if flavor == "cuda":
        builder.put("torch.flavor", "cuda", line)
        builder.put("torch.cuda_version", build_version, line)
    elif flavor == "rocm":
        builder.put("torch.flavor", "rocm", line)
        builder.put("torch.hip_version", build_version, line)
    elif flavor in ("cpu", "xpu"):
        builder.put("torch.flavor", flavor, line)
    else:
        return False
    return True


def _add_torch(builder: ReadingBuilder, package: Package, line: int) -> bool:
    version = package.version
    if builder.get("torch.version") is None:
        builder.put("torch.version", version, line)
    if put_torch_build(builder, version, line):
        return True
    if package.build:
        cuda = cuda_of_conda_build(package.build)
        if cuda:
            builder.put("torch.flavor", "cuda", line)
            builder.put("torch.cuda_version", cuda, line)
            builder.put("torch.cudnn_version", cudnn_of_conda_build(package.build), line)
        elif package.build.startswith("cpu") or "_cpu_" in package.build:
            builder.put("torch.flavor", "cpu", line)
    return True


def _major_minor(version: str) -> Optional[str]:
    parts = version.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 and all(p.isdigit() for p in parts[:2]) else None
