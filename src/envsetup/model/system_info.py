"""What `python -m torch.utils.collect_env` reports beside torch and CUDA, and what users expect
doctor to say too: the CPU (model and count), the memory, the C compilers (gcc, clang) and the
versions of the relevant Python packages (numpy, triton, transformers, nvidia-* wheels...).

collect_env reads these with `lscpu` (Linux), `sysctl -n machdep.cpu.brand_string` (macOS) and
`wmic cpu get Name,...` (Windows), `gcc --version`, `clang --version`, and `pip list` filtered by
its DEFAULT_PIP_PATTERNS (pytorch/pytorch torch/utils/collect_env.py:
https://github.com/pytorch/pytorch/blob/main/torch/utils/collect_env.py). doctor reads the same
facts without importing anything from the target environment: /proc files, the target's
site-packages listing, and each compiler's `--version` (envsetup.probe.system_info).

Every field may be unknown (None or empty): a recorded host made before these facts were read, a
paste that cut collect_env's CPU block, a machine where the file was unreadable. Unknown means
"not recorded", never "none".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

# The packages collect_env lists under "Versions of relevant libraries": every installed name
# that contains one of these. pytorch/pytorch torch/utils/collect_env.py DEFAULT_PIP_PATTERNS
# (torch, numpy, mypy, flake8, triton, optree, onnx, nccl:
# https://github.com/pytorch/pytorch/blob/main/torch/utils/collect_env.py) and vLLM's copy of it,
# which adds transformers, zmq, nvidia, pynvml and flashinfer-python
# (https://github.com/vllm-project/vllm/blob/main/vllm/collect_env.py).
RELEVANT_PATTERNS = (
    "torch",
    "numpy",
    "mypy",
    "flake8",
    "triton",
    "optree",
    "onnx",
    "nccl",
    "transformers",
    "zmq",
    "nvidia",
    "pynvml",
    "flashinfer-python",
)


@dataclass
class Compiler:
    """One C compiler found on PATH (or named by $CC): `gcc --version`'s first line, read."""

    name: str  # what was asked for: "gcc", "clang", "cl", or $CC's value
    family: str  # what it says it is: "gcc", "clang" (Apple clang too), "msvc", "unknown"
    version: Optional[str] = None  # "12.2.0"; None when its output named no version
    path: str = ""
    # the first line it printed: "gcc (Debian 12.2.0-14+deb12u1) 12.2.0",
    # "Apple clang version 15.0.0 (clang-1500.0.40.1)": distro, vendor and build in one line
    banner: str = ""
    source: str = ""  # "command:/usr/bin/gcc --version", "paste:12"


@dataclass
class SystemInfo:
    # "AMD Ryzen 9 7950X 16-Core Processor"; on aarch64, where /proc/cpuinfo names no model,
    # the core names from its CPU implementer/part ids ("4x Cortex-A53", "Neoverse-N1")
    cpu_model: str = ""
    cpu_count: Optional[int] = None  # logical CPUs the OS lists (lscpu's "CPU(s)")
    # a cgroup's CPU quota in CPUs (a container's --cpus 2 -> 2.0): torch still starts a thread
    # per listed CPU; None when there is none
    cpu_limit: Optional[float] = None
    cpu_source: str = ""
    memory_total_mib: Optional[int] = None  # MemTotal
    memory_available_mib: Optional[int] = None  # MemAvailable (Linux 3.14+)
    # a cgroup's memory limit (a container's --memory), when one is set below the machine's
    memory_limit_mib: Optional[int] = None
    memory_source: str = ""
    compilers: list[Compiler] = field(default_factory=list)
    # True when the host could not say whether a compiler is there: a recording made before
    # compilers were read (no gcc/clang lookup in it), not "none found"
    compilers_not_recorded: bool = False
    # the relevant packages of the target environment, name -> version: collect_env's list
    # (RELEVANT_PATTERNS), read from the dist-info directory names (collect_env: `pip list`)
    packages: dict[str, str] = field(default_factory=dict)
    packages_source: str = ""


def package_key(name: str) -> str:
    """A distribution name as PEP 503 normalises it: "nvidia_cudnn_cu12" -> "nvidia-cudnn-cu12"."""
    return "-".join(
        part for part in name.lower().replace(".", "_").replace("-", "_").split("_") if part
    )


def is_relevant(name: str) -> bool:
    """A package collect_env would list (its name, normalised, contains a pattern)."""
    key = package_key(name)
    return any(pattern in key for pattern in RELEVANT_PATTERNS)
