"""What building a CUDA extension would use: torch's CUDA_HOME, its nvcc, nvcc's host compiler.

The rules are torch's and nvcc's own (see envsetup.model.extension_build for their sources);
nothing is read where no nvcc would be found.
"""

from __future__ import annotations

from typing import Optional

from envsetup.facts import CudaFacts, OsFacts, ReadProblem
from envsetup.host.base import Host
from envsetup.model.extension_build import ExtensionBuildFacts, HostCompiler
from envsetup.parsers import ParseError
from envsetup.parsers.host_compiler import parse_compiler_version
from envsetup.parsers.nvcc import parse_nvcc_version
from envsetup.probe.common import join, output_cut, probe_timeout, problem

WINDOWS_DEFAULT_GLOB = "C:/Program Files/NVIDIA GPU Computing Toolkit/CUDA/v*.*"
LINUX_DEFAULT = "/usr/local/cuda"


def probe_extension_build(
    host: Host, os_facts: OsFacts, cuda: CudaFacts, problems: list[ReadProblem]
) -> ExtensionBuildFacts:
    """torch.utils.cpp_extension's CUDA_HOME and nvcc on `host`, and the host compiler nvcc
    would call. Runs `nvcc --version` only when no toolkit read already gives that nvcc's
    version, and the compiler's `--version` only when there is an nvcc to judge it against."""
    facts = ExtensionBuildFacts()
    windows = os_facts.system == "Windows"
    if os_facts.system == "Darwin":
        return facts  # no CUDA toolkit for macOS since CUDA 10.2
    home, how = _cuda_home(host, windows)
    if home is None:
        return facts
    facts.cuda_home, facts.cuda_home_from = home, how
    nvcc = join(home, "bin/nvcc.exe" if windows else "bin/nvcc")
    if not host.exists(nvcc):
        facts.source = f"{how}: {home}, no bin/nvcc there"
        return facts
    facts.nvcc = nvcc
    timeout = probe_timeout(host.environ())
    facts.nvcc_version, facts.source = _nvcc_version(host, cuda, home, nvcc, timeout, problems)
    facts.host_compiler = _host_compiler(host, windows, timeout, problems)
    return facts


def _cuda_home(host: Host, windows: bool) -> tuple[Optional[str], str]:
    environ = host.environ()
    for variable in ("CUDA_HOME", "CUDA_PATH"):  # torch reads these two, in this order
        if environ.get(variable):
            return environ[variable].rstrip("/\\") or environ[variable], variable
    on_path = host.which("nvcc")
    if on_path:
        # torch takes the directory above PATH's nvcc as it is spelled, links not followed
        return _parent(_parent(on_path)), "nvcc on PATH"
    if windows:
        found = sorted(host.glob(WINDOWS_DEFAULT_GLOB))
        # glob.glob's first match in torch; its order is the file system's: the listing's first
        return (found[0], "default location") if found else (None, "")
    return (LINUX_DEFAULT, "default location") if host.exists(LINUX_DEFAULT) else (None, "")


def _parent(path: str) -> str:
    path = path.replace("\\", "/").rstrip("/")
    return path.rsplit("/", 1)[0] if "/" in path.lstrip("/") else "/"


def _nvcc_version(
    host: Host,
    cuda: CudaFacts,
    home: str,
    nvcc: str,
    timeout: float,
    problems: list[ReadProblem],
) -> tuple[Optional[str], str]:
    if nvcc == cuda.nvcc_on_path and cuda.nvcc_on_path_version:
        return cuda.nvcc_on_path_version, "nvcc on PATH (as the toolkit probe read it)"
    real_home = host.realpath(home)
    toolkit = next(
        (t for t in cuda.toolkits if t.version and host.realpath(t.path) == real_home), None
    )
    if toolkit is not None and toolkit.source.endswith("nvcc --version"):
        return toolkit.version, f"toolkit at {toolkit.path} ({toolkit.source})"
    # The toolkit's files may name another release than its nvcc (two installs mixed in one
    # root): what compiles is the nvcc binary, so ask it; the files only when it cannot answer.
    result = host.run([nvcc, "--version"], timeout=timeout)
    if result.timed_out:
        problems.append(problem(f"{nvcc} --version", f"timed out after {timeout:g} s"))
    elif result.truncated:
        problems.append(output_cut(f"{nvcc} --version output"))
    elif result.ok:
        try:
            return parse_nvcc_version(result.stdout), f"command:{nvcc} --version"
        except ParseError as exc:
            problems.append(problem(f"{nvcc} --version output", str(exc), result.output))
    if toolkit is not None:
        return toolkit.version, f"toolkit at {toolkit.path} ({toolkit.source})"
    return None, ""


def _host_compiler(
    host: Host, windows: bool, timeout: float, problems: list[ReadProblem]
) -> Optional[HostCompiler]:
    # torch passes $CC to nvcc as -ccbin; otherwise nvcc calls the gcc PATH finds (cl on Windows)
    wanted = host.environ().get("CC") or ("cl" if windows else "gcc")
    path = host.which(wanted)
    if path is None:
        return None
    argv = [path] if windows and wanted == "cl" else [path, "--version"]
    result = host.run(argv, timeout=timeout)
    text = result.stdout + "\n" + result.stderr  # cl.exe prints its banner on stderr
    shown = " ".join(argv)
    if result.not_found or (not result.ok and not text.strip()):
        return None
    if result.timed_out:
        problems.append(problem(shown, f"timed out after {timeout:g} s"))
        return None
    try:
        parsed = parse_compiler_version(text)
    except ParseError:
        # a wrapper (ccache, a script) that prints something else: the compiler stays unknown
        return HostCompiler(family="unknown", path=path, source=f"command:{shown}")
    return HostCompiler(parsed.family, path, parsed.version, f"command:{shown}")
