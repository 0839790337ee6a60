"""CUDA toolkits: every one installed, its version, and which one PATH and LD_LIBRARY_PATH select."""

from __future__ import annotations

import re
from typing import Optional

from envsetup.compat import decode_cuda_int
from envsetup.facts import CudaFacts, CudaToolkit, OsFacts, PythonFacts, ReadProblem
from envsetup.host.base import Host
from envsetup.model.toolkit import ToolkitKind
from envsetup.parsers import ParseError
from envsetup.parsers.nvcc import parse_nvcc_version
from envsetup.probe.common import (
    as_text,
    basename,
    dist_version,
    join,
    json_object,
    output_cut,
    probe_timeout,
    problem,
)

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
CUDA_H_VERSION = re.compile(r"#define\s+CUDA_VERSION\s+(\d{1,9})\b")
RUNTIME_LIB_GLOBS = (
    "libcudart.so*",
    "libcudnn.so*",
    "libcudnn_*.so*",
    "cudart64_*.dll",
    "cudnn64_*.dll",
)


def probe_cuda(host: Host, os_facts: OsFacts, problems: list[ReadProblem]) -> CudaFacts:
    """System toolkits; `add_pip_toolkits` adds the target Python's pip CUDA wheels after."""
    environ = host.environ()
    facts = CudaFacts()
    facts.cuda_home = next((environ[v] for v in ROOT_VARIABLES if environ.get(v)), None)
    facts.nvcc_on_path = host.which("nvcc")
    # /usr/local/bin/nvcc is often a link (or a wrapper script) into /usr/local/cuda-X.Y/bin.
    real_nvcc = (
        _follow_wrapper(host, host.realpath(facts.nvcc_on_path)) if facts.nvcc_on_path else None
    )
    nvcc_root = _parent(_parent(real_nvcc)) if real_nvcc else None
    roots = _candidate_roots(host, os_facts, facts, nvcc_root, environ.get("CONDA_PREFIX"))
    timeout = probe_timeout(environ)
    seen_real: dict[str, CudaToolkit] = {}
    for root, how in roots:
        real = host.realpath(root)
        if real in seen_real:
            known = seen_real[real]
            if root != known.path and root not in known.source:
                known.source += f"; also as {root}"
            continue
        toolkit = _describe_root(host, root, real, how, nvcc_root, timeout, problems)
        if toolkit is not None:
            seen_real[real] = toolkit
            facts.toolkits.append(toolkit)
    if nvcc_root and facts.nvcc_on_path:
        real_root = host.realpath(nvcc_root)
        selected = [t for t in facts.toolkits if host.realpath(t.path) == real_root]
        facts.nvcc_on_path_version = (
            selected[0].version
            if selected
            else read_nvcc_version(host, facts.nvcc_on_path, timeout, problems)
        )
        if not selected and facts.nvcc_on_path_version:
            # An nvcc outside any toolkit root (Ubuntu's nvidia-cuda-toolkit: /usr/bin/nvcc) is
            # still the toolkit PATH selects, and the one torch's cpp_extension builds with.
            facts.toolkits.insert(0, _path_only_toolkit(facts, nvcc_root))
    facts.ld_library_path = [d for d in environ.get("LD_LIBRARY_PATH", "").split(":") if d]
    for directory in facts.ld_library_path:
        libs = sorted(
            {basename(p) for g in RUNTIME_LIB_GLOBS for p in host.glob(join(directory, g))}
        )
        if libs:
            facts.ld_library_path_cuda_libs[directory] = libs
    return facts


def _path_only_toolkit(facts: CudaFacts, nvcc_root: str) -> CudaToolkit:
    return CudaToolkit(
        path=nvcc_root,
        version=facts.nvcc_on_path_version,
        source=f"nvcc on PATH ({facts.nvcc_on_path}), no toolkit files beside it; nvcc --version",
        nvcc=facts.nvcc_on_path,
        kind=ToolkitKind.SYSTEM.value,
    )


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
    version, source = _version_from_files(host, root)
    if version is None and has_nvcc and how != "nvcc on PATH":
        # A toolkit root without version files (a partial install, a copied tree): its nvcc
        # says which release it is. Not for PATH's nvcc root: /usr/local for a
        # /usr/local/bin/nvcc wrapper script holds bin/nvcc and is no toolkit root.
        version = read_nvcc_version(host, nvcc, timeout, problems)
        source = "nvcc --version" if version else ""
    if version is None:
        # Not a toolkit root (e.g. /usr/local for a /usr/local/bin/nvcc wrapper script).
        return None
    label = how if real == root else f"{how} (-> {real})"
    toolkit = CudaToolkit(
        path=root,
        version=version,
        source=f"{label}; {source}",
        nvcc=nvcc if has_nvcc else None,
        kind=ToolkitKind.SYSTEM.value,
    )
    # The toolkit PATH's nvcc belongs to is the one builds use, so its version is nvcc's own:
    # version files can disagree with it (two installs mixed in one root), and what compiles is
    # the nvcc binary. cuda_layout reads the files' version beside it to report the mismatch.
    if has_nvcc and nvcc_root is not None and host.realpath(nvcc_root) == real:
        nvcc_version = read_nvcc_version(host, nvcc, timeout, problems)
        if nvcc_version:
            toolkit.version, toolkit.source = nvcc_version, f"{label}; nvcc --version"
    return toolkit


WRAPPER_TARGET = re.compile(r"(/[^\s\"';]+/bin/nvcc)\b")


def _follow_wrapper(host: Host, nvcc: str) -> str:
    """A small '#!/bin/sh exec /usr/local/cuda-X.Y/bin/nvcc "$@"' script stands for that nvcc."""
    text = host.read_text(nvcc, max_bytes=4096) if not nvcc.lower().endswith(".exe") else None
    if not text or not text.startswith("#!"):
        return nvcc
    target = WRAPPER_TARGET.search(text)
    return target.group(1) if target and target.group(1) != nvcc else nvcc


def read_nvcc_version(
    host: Host, nvcc: str, timeout: float, problems: list[ReadProblem]
) -> Optional[str]:
    """`nvcc --version`'s release ("12.8.93"), or None with a ReadProblem added when it timed
    out, was cut or could not be parsed (None without one when nvcc failed)."""
    result = host.run([nvcc, "--version"], timeout=timeout)
    if result.timed_out:
        problems.append(problem(f"{nvcc} --version", f"timed out after {timeout:g} s"))
    elif result.truncated:
        problems.append(output_cut(f"{nvcc} --version output"))
    elif result.ok:
        try:
            return parse_nvcc_version(result.stdout)
        except ParseError as exc:
            problems.append(problem(f"{nvcc} --version output", str(exc), result.output))
    return None


def _version_from_files(host: Host, root: str) -> tuple[Optional[str], str]:
    data = json_object(host.read_text(join(root, "version.json")))  # CUDA >= 11.1
    cuda = data.get("cuda") if data else None
    version = as_text(cuda.get("version")) if isinstance(cuda, dict) else ""
    if version:
        return version, "version.json"
    text = host.read_text(join(root, "version.txt"))  # CUDA <= 11.0: "CUDA Version 10.2.89"
    if text and text.strip().startswith("CUDA Version"):
        return text.split()[-1], "version.txt"
    for dist in host.glob(join(root, "dist-info/nvidia_cuda_nvcc-*.dist-info")):  # pip-built layout
        return dist_version(dist, "nvidia_cuda_nvcc-"), "dist-info/nvidia_cuda_nvcc"
    header = host.read_text(join(root, "include/cuda.h")) or ""
    match = CUDA_H_VERSION.search(header)
    if match:
        return decode_cuda_int(int(match.group(1))), "include/cuda.h CUDA_VERSION"
    return None, ""


def add_pip_toolkits(host: Host, python: PythonFacts, facts: CudaFacts) -> None:
    found = []
    for directory in python.site_packages:
        for wheel in PIP_CUDA_WHEELS:
            for dist in host.glob(join(directory, f"{wheel}-*.dist-info")):
                version = dist_version(dist, f"{wheel}-")
                found.append(
                    CudaToolkit(
                        path=dist,
                        version=version,
                        source=f"pip wheel {wheel.replace('_', '-')}",
                        kind=ToolkitKind.PIP_WHEEL.value,
                    )
                )
    facts.toolkits.extend(found)
