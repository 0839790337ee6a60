"""What building a CUDA extension would use: torch's CUDA_HOME, its nvcc, nvcc's host compiler.

The rules are torch's and nvcc's own (see envsetup.model.extension_build for their sources);
nothing is read where no nvcc would be found.
"""

from __future__ import annotations

import re
import shlex
from typing import Optional

from envsetup.facts import CudaFacts, OsFacts, ReadProblem
from envsetup.host.base import Host
from envsetup.model.extension_build import ExtensionBuildFacts, HostCompiler
from envsetup.parsers import ParseError
from envsetup.parsers.host_compiler import parse_compiler_version
from envsetup.probe.common import join, probe_timeout, problem
from envsetup.probe.cuda_toolkit import read_nvcc_version

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
    facts.host_compiler = _host_compiler(host, nvcc, windows, timeout, problems)
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
    version = read_nvcc_version(host, nvcc, timeout, problems)
    if version:
        return version, f"command:{nvcc} --version"
    if toolkit is not None:
        return toolkit.version, f"toolkit at {toolkit.path} ({toolkit.source})"
    return None, ""


# Debian/Ubuntu's nvidia-cuda-toolkit: /usr/bin/nvcc runs /usr/lib/nvidia-cuda-toolkit/bin/nvcc,
# whose nvcc.profile puts that bin/ first on nvcc's PATH, and that bin/ holds gcc and g++ links to
# the gcc-N the package depends on: nvcc calls that gcc, not PATH's (its `nvcc --dryrun` shows
# `PATH=/usr/lib/nvidia-cuda-toolkit/bin:...` then `gcc ...`; file list:
# https://packages.debian.org/sid/amd64/nvidia-cuda-toolkit/filelist).
DEBIAN_NVCC_BIN = "/usr/lib/nvidia-cuda-toolkit/bin"
_CCBIN = re.compile(r"^(?:-ccbin|--compiler-bindir)(?:=(.*))?$")


def ccbin_of_flags(flags: str) -> Optional[str]:
    """The -ccbin / --compiler-bindir value in an NVCC_PREPEND_FLAGS / NVCC_APPEND_FLAGS string
    (" -ccbin=/usr/bin/g++-8", "-ccbin g++-8"); the last one when several. None when none."""
    try:
        words = shlex.split(flags)
    except ValueError:
        return None
    found = None
    for index, word in enumerate(words):
        match = _CCBIN.match(word)
        if match:
            value = match.group(1)
            if value is None and index + 1 < len(words):
                value = words[index + 1]
            found = value or found
    return found


def host_compiler_choice(
    environ: dict[str, str], nvcc_real: Optional[str], windows: bool
) -> tuple[str, str]:
    """The host compiler nvcc will run for a torch extension build, and what chose it.

    nvcc inserts NVCC_PREPEND_FLAGS / NVCC_APPEND_FLAGS into every command line (conda-forge's
    cuda-nvcc activation sets NVCC_PREPEND_FLAGS="... -ccbin=$CXX": conda-forge/staged-recipes
    #21350); torch's cpp_extension passes $CC as -ccbin (pytorch/pytorch #47377); NVCC_CCBIN is
    nvcc's default -ccbin when the command line names none (nvcc docs, --compiler-bindir:
    https://docs.nvidia.com/cuda/cuda-compiler-driver-nvcc/index.html; Arch's /etc/profile.d/
    cuda.sh exports it: archlinuxarm/PKGBUILDs extra/cuda/cuda.sh). Without any, Debian's
    packaged nvcc calls its own gcc link (DEBIAN_NVCC_BIN), any other the gcc PATH finds (cl on
    Windows)."""
    for variable in ("NVCC_APPEND_FLAGS", "NVCC_PREPEND_FLAGS"):
        ccbin = ccbin_of_flags(environ.get(variable, ""))
        if ccbin:
            return ccbin, f"-ccbin in {variable}"
    for variable in ("CC", "NVCC_CCBIN"):
        if environ.get(variable):
            return environ[variable], variable
    if nvcc_real and nvcc_real.startswith(DEBIAN_NVCC_BIN + "/"):
        return join(DEBIAN_NVCC_BIN, "gcc"), "Debian's nvcc.profile"
    return ("cl" if windows else "gcc"), "PATH"


def _host_compiler(
    host: Host, nvcc: str, windows: bool, timeout: float, problems: list[ReadProblem]
) -> Optional[HostCompiler]:
    nvcc_real = _debian_nvcc(host, nvcc)
    wanted, chosen_by = host_compiler_choice(host.environ(), nvcc_real, windows)
    # -ccbin may name the directory the compiler is in
    if not windows and host.exists(join(wanted, "gcc")):
        wanted = join(wanted, "gcc")
    path = wanted if wanted.startswith("/") and host.exists(wanted) else host.which(wanted)
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
        return HostCompiler(
            family="unknown", path=path, source=f"command:{shown}", chosen_by=chosen_by
        )
    return HostCompiler(parsed.family, path, parsed.version, f"command:{shown}", chosen_by)


def _debian_nvcc(host: Host, nvcc: str) -> Optional[str]:
    """The real nvcc behind `nvcc` when it is Debian's packaged one: a link, or the
    /usr/bin/nvcc script that execs /usr/lib/nvidia-cuda-toolkit/bin/nvcc."""
    if not host.exists(join(DEBIAN_NVCC_BIN, "gcc")):
        return None  # not Debian's package, or one without its compiler links
    real = host.realpath(nvcc)
    if real.startswith(DEBIAN_NVCC_BIN + "/"):
        return real
    target = join(DEBIAN_NVCC_BIN, "nvcc")
    return target if target in (host.read_text(nvcc, max_bytes=4096) or "") else None
