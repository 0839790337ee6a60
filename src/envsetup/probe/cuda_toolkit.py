"""CUDA toolkits: every one installed, its version, and which one PATH and LD_LIBRARY_PATH select."""

from __future__ import annotations

import json
from typing import Optional

from envsetup.facts import CudaFacts, CudaToolkit, OsFacts, PythonFacts, ReadProblem
from envsetup.host.base import Host
from envsetup.parsers import ParseError
from envsetup.parsers.nvcc import parse_nvcc_version
from envsetup.probe.common import basename, dist_version, join, probe_timeout, problem

LINUX_ROOT_GLOBS = ("/usr/local/cuda", "/usr/local/cuda-*", "/opt/cuda", "/opt/nvidia/cuda")
WINDOWS_ROOT_GLOBS = ("C:/Program Files/NVIDIA GPU Computing Toolkit/CUDA/v*",)
ROOT_VARIABLES = ("CUDA_HOME", "CUDA_PATH", "CUDA_ROOT", "CUDA_TOOLKIT_ROOT_DIR")
# pip wheels that carry a CUDA toolkit piece, newest first (CUDA 13 wheels dropped the suffix).
PIP_CUDA_WHEELS = (
    "nvidia_cuda_nvcc_cu13",
    "nvidia_cuda_nvcc_cu12",
    "nvidia_cuda_nvcc_cu11",
    "nvidia_cuda_runtime_cu13",
    "nvidia_cuda_runtime_cu12",
    "nvidia_cuda_runtime_cu11",
    "nvidia_cuda_runtime",
)
RUNTIME_LIB_GLOBS = (
    "libcudart.so*",
    "libcudnn.so*",
    "libcudnn_*.so*",
    "cudart64_*.dll",
    "cudnn64_*.dll",
)


def probe_cuda(
    host: Host, os_facts: OsFacts, python: PythonFacts, problems: list[ReadProblem]
) -> CudaFacts:
    environ = host.environ()
    facts = CudaFacts()
    facts.cuda_home = next((environ[v] for v in ROOT_VARIABLES if environ.get(v)), None)
    facts.nvcc_on_path = host.which("nvcc")
    # /usr/local/bin/nvcc is often a link into /usr/local/cuda-X.Y/bin: the toolkit is there.
    nvcc_root = _parent(_parent(host.realpath(facts.nvcc_on_path))) if facts.nvcc_on_path else None
    roots = _candidate_roots(host, os_facts, facts, nvcc_root, environ.get("CONDA_PREFIX"))
    timeout = probe_timeout(environ)
    seen_real: dict[str, CudaToolkit] = {}
    for root, how in roots:
        real = host.realpath(root)
        if real in seen_real:
            if root not in seen_real[real].source:
                seen_real[real].source += f"; also as {root}"
            continue
        toolkit = _describe_root(host, root, real, how, nvcc_root, timeout, problems)
        if toolkit is not None:
            seen_real[real] = toolkit
            facts.toolkits.append(toolkit)
    if nvcc_root:
        real_root = host.realpath(nvcc_root)
        selected = [t for t in facts.toolkits if host.realpath(t.path) == real_root]
        facts.nvcc_on_path_version = selected[0].version if selected else None
    facts.toolkits.extend(_pip_toolkits(host, python))
    facts.ld_library_path = [d for d in environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    for directory in facts.ld_library_path:
        libs = sorted(
            {basename(p) for g in RUNTIME_LIB_GLOBS for p in host.glob(join(directory, g))}
        )
        if libs:
            facts.ld_library_path_cuda_libs[directory] = libs
    return facts


def _candidate_roots(
    host: Host,
    os_facts: OsFacts,
    facts: CudaFacts,
    nvcc_root: Optional[str],
    conda_prefix: Optional[str],
) -> list[tuple[str, str]]:
    roots: list[tuple[str, str]] = []
    if nvcc_root:
        roots.append((nvcc_root, "nvcc on PATH"))
    if facts.cuda_home:
        roots.append((facts.cuda_home.rstrip("/\\"), "CUDA_HOME/CUDA_PATH"))
    if conda_prefix and host.exists(join(conda_prefix, "bin/nvcc")):
        roots.append((conda_prefix, "conda environment"))
    globs = WINDOWS_ROOT_GLOBS if os_facts.system == "Windows" else LINUX_ROOT_GLOBS
    for pattern in globs:
        for path in host.glob(pattern):
            roots.append((path, "standard location"))
    return roots


def _parent(path: str) -> str:
    path = path.replace("\\", "/").rstrip("/")
    return path.rsplit("/", 1)[0] if "/" in path else path


def _describe_root(
    host: Host,
    root: str,
    real: str,
    how: str,
    nvcc_root: Optional[str],
    timeout: float,
    problems: list[ReadProblem],
) -> Optional[CudaToolkit]:
    nvcc = join(root, "bin/nvcc")
    has_nvcc = host.exists(nvcc) or host.exists(nvcc + ".exe")
    version, source = _version_file(host, root)
    if version is None and not has_nvcc:
        return None
    label = how if real == root else f"{how} (-> {real})"
    toolkit = CudaToolkit(
        path=root, version=version, source=f"{label}; {source}", nvcc=nvcc if has_nvcc else None
    )
    # nvcc's own word for the toolkit PATH selects (the one builds use); files for the rest.
    on_path = nvcc_root is not None and host.realpath(nvcc_root) == real
    if has_nvcc and (on_path or version is None):
        result = host.run([nvcc, "--version"], timeout=timeout)
        if result.ok:
            try:
                toolkit.version = parse_nvcc_version(result.stdout)
                toolkit.source = f"{label}; nvcc --version"
            except ParseError as exc:
                problems.append(problem(f"{nvcc} --version output", str(exc), result.output))
        elif result.timed_out:
            problems.append(problem(f"{nvcc} --version", f"timed out after {timeout:g} s"))
    return toolkit


def _version_file(host: Host, root: str) -> tuple[Optional[str], str]:
    text = host.read_text(join(root, "version.json"))
    if text is not None:
        try:
            return str(json.loads(text)["cuda"]["version"]), "version.json"
        except (ValueError, KeyError, TypeError):
            pass
    text = host.read_text(join(root, "version.txt"))  # CUDA <= 11.0: "CUDA Version 10.2.89"
    if text and text.strip().startswith("CUDA Version"):
        return text.split()[-1], "version.txt"
    return None, "no version file"


def _pip_toolkits(host: Host, python: PythonFacts) -> list[CudaToolkit]:
    found = []
    for directory in python.site_packages:
        for wheel in PIP_CUDA_WHEELS:
            for dist in host.glob(join(directory, f"{wheel}-*.dist-info")):
                version = dist_version(dist, f"{wheel}-")
                found.append(
                    CudaToolkit(
                        path=dist, version=version, source=f"pip wheel {wheel.replace('_', '-')}"
                    )
                )
    return found
