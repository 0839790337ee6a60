"""cuDNN: system headers and libraries, pip wheels, and the copy torch bundles."""

from __future__ import annotations

from envsetup.facts import CudaFacts, CudnnInstall, OsFacts, PythonFacts, ReadProblem
from envsetup.host.base import Host
from envsetup.model.toolkit import ToolkitKind
from envsetup.parsers import ParseError
from envsetup.parsers.cudnn import cudnn_version_from_filename, parse_cudnn_header
from envsetup.probe.common import basename, dist_version, join, problem

SYSTEM_INCLUDE_DIRS = (
    "/usr/include",
    "/usr/include/x86_64-linux-gnu",
    "/usr/include/aarch64-linux-gnu",
)
SYSTEM_LIB_DIRS = (
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/lib",
)
# cudnn_version.h from cuDNN 8 on (Debian's alternatives add _v8/_v9 names); cudnn.h before.
HEADER_NAMES = ("cudnn_version.h", "cudnn_version_v*.h", "cudnn.h")
LIB_GLOBS = ("libcudnn.so.*", "libcudnn.*.dylib", "cudnn64_*.dll")
PIP_WHEELS = ("nvidia_cudnn_cu13", "nvidia_cudnn_cu12", "nvidia_cudnn_cu11", "nvidia_cudnn")


def probe_cudnn(
    host: Host,
    os_facts: OsFacts,
    cuda: CudaFacts,
    python: PythonFacts,
    problems: list[ReadProblem],
) -> list[CudnnInstall]:
    found: list[CudnnInstall] = []
    toolkit_roots = [t.path for t in cuda.toolkits if ToolkitKind.of(t) is ToolkitKind.SYSTEM]
    include_dirs = [*SYSTEM_INCLUDE_DIRS, *(join(r, "include") for r in toolkit_roots)]
    lib_dirs = [
        *SYSTEM_LIB_DIRS,
        *(join(r, sub) for r in toolkit_roots for sub in ("lib64", "lib", "bin")),
        *cuda.ld_library_path,
    ]
    found += _headers(host, include_dirs, problems)
    found += _libraries(host, lib_dirs, "library")
    for directory in python.site_packages:
        for wheel in PIP_WHEELS:
            for dist in host.glob(join(directory, f"{wheel}-*.dist-info")):
                found.append(CudnnInstall(dist_version(dist, f"{wheel}-"), dist, "pip-wheel"))
        found += _libraries(host, [join(directory, "torch/lib")], "torch-bundled")
    return _dedupe(found)


def _headers(
    host: Host, include_dirs: list[str], problems: list[ReadProblem]
) -> list[CudnnInstall]:
    found = []
    for directory in include_dirs:
        for name in HEADER_NAMES:
            for path in host.glob(join(directory, name)):
                text = host.read_text(path)
                if text is None:
                    continue
                if basename(path) == "cudnn.h" and "CUDNN_MAJOR" not in text:
                    continue  # cuDNN >= 8 keeps the version in cudnn_version.h
                try:
                    found.append(CudnnInstall(parse_cudnn_header(text), path, "header"))
                except ParseError as exc:
                    problems.append(problem(path, str(exc), text))
    return found


def _libraries(host: Host, directories: list[str], source: str) -> list[CudnnInstall]:
    found = []
    for directory in directories:
        for pattern in LIB_GLOBS:
            for path in host.glob(join(directory, pattern)):
                version = cudnn_version_from_filename(basename(path))
                if version:
                    found.append(CudnnInstall(version, path, source))
    return found


def _dedupe(found: list[CudnnInstall]) -> list[CudnnInstall]:
    """libcudnn.so.9 and libcudnn.so.9.1.0 in one directory are one install: keep the fullest version."""
    best: dict[tuple[str, str, str], CudnnInstall] = {}
    for item in found:
        directory = item.path.replace("\\", "/").rsplit("/", 1)[0]
        major = (item.version or "").split(".")[0]
        key = (directory, item.source, major)
        current = best.get(key)
        if current is None or len(item.version or "") > len(current.version or ""):
            best[key] = item
    return list(best.values())
