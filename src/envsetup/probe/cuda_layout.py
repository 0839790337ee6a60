"""The CUDA libraries torch's nvidia-* wheels installed, the other copies the loader could take
instead, and broken toolkit layouts (a dangling /usr/local/cuda, version files that disagree
with nvcc). What each finding makes of it: diagnose/library_shadow_rules.py, toolkit_layout_rules.py.
"""

from __future__ import annotations

import re
from typing import Optional

from envsetup.facts import CudaFacts, OsFacts, PythonFacts, ReadProblem, TorchFacts
from envsetup.host.base import Host
from envsetup.model.cuda_layout import (
    VIA_LD_CACHE,
    VIA_LD_LIBRARY_PATH,
    CudaLayoutFacts,
    DanglingLink,
    LibraryCopy,
    ToolkitNvccVersion,
    WheelLibrary,
)
from envsetup.model.toolkit import ToolkitKind
from envsetup.model.torch_libraries import (
    LibraryFamily,
    families_of_project,
    family_of_soname,
    file_version,
    wheel_dirs,
)
from envsetup.parsers import ParseError
from envsetup.parsers.ldconfig import parse_ldconfig
from envsetup.probe.common import (
    as_text,
    basename,
    join,
    json_object,
    output_cut,
    probe_timeout,
    problem,
)
from envsetup.probe.cuda_toolkit import read_nvcc_version

# The places a toolkit link usually sits (NVIDIA's .run and .deb installers make /usr/local/cuda
# a link to /usr/local/cuda-X.Y, the .deb one through /etc/alternatives/cuda).
LINK_GLOBS = ("/usr/local/cuda", "/usr/local/cuda-*", "/opt/cuda")
_DIST_INFO = re.compile(r"(nvidia[-_][A-Za-z0-9_.-]+?)-(\d[^-]*)\.dist-info$")
_RECORD_LIB = re.compile(r"nvidia/[^/]+/lib/([^/]+)$")
_LIB_SUFFIX = re.compile(r"/(?:lib64|lib|targets/[^/]+/lib)/?$")
_CUDA_DIR = re.compile(r"cuda-(\d+\.\d+)(?:/|$)")


def probe_cuda_layout(
    host: Host,
    os_facts: OsFacts,
    python: PythonFacts,
    cuda: CudaFacts,
    torch: TorchFacts,
    problems: list[ReadProblem],
) -> CudaLayoutFacts:
    layout = CudaLayoutFacts()
    if os_facts.system != "Linux":  # ELF loaders and /usr/local/cuda links are Linux's
        return layout
    timeout = probe_timeout(host.environ())
    layout.dangling_links = _dangling_links(host, cuda)
    layout.toolkit_nvcc = _toolkit_nvcc(host, cuda, timeout, problems)
    if not torch.version:
        return layout
    # A version.json that disagrees with its own nvcc cannot be trusted for the libraries beside it.
    stale = frozenset(
        host.realpath(seen.path)
        for seen in layout.toolkit_nvcc
        if _release(seen.files_version) != _release(seen.nvcc_version)
    )
    layout.torch_libraries = wheel_libraries(host, _torch_sites(python, torch), torch)
    if layout.torch_libraries:
        layout.library_copies = _ld_library_path_copies(host, cuda, layout.torch_libraries, stale)
        layout.ld_cache_source, cached = _ld_cache_copies(
            host, layout.torch_libraries, timeout, problems, stale
        )
        layout.library_copies += cached
    return layout


def _torch_sites(python: PythonFacts, torch: TorchFacts) -> list[str]:
    # The nvidia/ directory torch's DT_RPATH names sits beside torch itself.
    own = torch.location.rsplit("/", 1)[0] if torch.location.endswith("/torch") else ""
    return [own] + [s for s in python.site_packages if s != own] if own else python.site_packages


def wheel_libraries(host: Host, sites: list[str], torch: TorchFacts) -> list[WheelLibrary]:
    """Every library of every nvidia-* wheel in `sites` (read from each dist-info's RECORD, in
    full), then those of the wheels torch pins whose dist-info is missing (from the wheel's lib/
    directory). One entry per soname, the first site's winning; [] without nvidia-* wheels."""
    found: dict[str, WheelLibrary] = {}
    installed: set[str] = set()
    for site in sites:
        for dist in host.glob(join(site, "nvidia[-_]*.dist-info")):
            match = _DIST_INFO.search(basename(dist))
            if match is None:
                continue
            project = re.sub(r"[-_.]+", "-", match.group(1)).lower()
            installed.add(project)
            libs = _record_libraries(host, site, dist, project, match.group(2))
            if not libs:
                libs = _listed_libraries(host, site, project, match.group(2), "dist-info")
            for lib in libs:
                found.setdefault(lib.soname, lib)
    own = sites[0] if sites else ""
    for project, pin in sorted(torch.requires_nvidia.items()):
        if project in installed or not own:
            continue
        for lib in _listed_libraries(host, own, project, pin, "torch METADATA pin"):
            found.setdefault(lib.soname, lib)
    return list(found.values())


def _record_libraries(
    host: Host, site: str, dist: str, project: str, version: str
) -> list[WheelLibrary]:
    record = host.read_text(join(dist, "RECORD")) or ""
    libs = []
    for line in record.splitlines():
        path = line.split(",", 1)[0]
        match = _RECORD_LIB.search(path)
        if match and family_of_soname(match.group(1)):
            libs.append(
                WheelLibrary(project, version, match.group(1), join(site, path), "dist-info RECORD")
            )
    return libs


def _listed_libraries(
    host: Host, site: str, project: str, version: str, how: str
) -> list[WheelLibrary]:
    families = families_of_project(project)
    libs = []
    for directory in wheel_dirs(project):
        for path in host.glob(join(site, f"nvidia/{directory}/lib/lib*.so.*")):
            family = family_of_soname(basename(path))
            if family in families:
                libs.append(
                    WheelLibrary(project, version, basename(path), path, f"{how} + lib/ listing")
                )
    return libs


def _release(version: str) -> str:
    return ".".join(version.split(".")[:2])


def _ld_library_path_copies(
    host: Host, cuda: CudaFacts, libraries: list[WheelLibrary], stale: frozenset[str]
) -> list[LibraryCopy]:
    copies = []
    for directory in cuda.ld_library_path:
        for lib in libraries:
            path = join(directory, lib.soname)
            if host.exists(path):
                copies.append(_copy(host, lib, path, directory, VIA_LD_LIBRARY_PATH, stale))
    return copies


def _ld_cache_copies(
    host: Host,
    libraries: list[WheelLibrary],
    timeout: float,
    problems: list[ReadProblem],
    stale: frozenset[str],
) -> tuple[str, list[LibraryCopy]]:
    # ldconfig lives in /sbin, which is not on every user's PATH.
    ldconfig = host.which("ldconfig") or "/sbin/ldconfig"
    result = host.run([ldconfig, "-p"], timeout=timeout)
    if result.timed_out:
        problems.append(problem(f"{ldconfig} -p", f"timed out after {timeout:g} s"))
        return "", []
    if result.truncated:
        problems.append(output_cut(f"{ldconfig} -p output"))
        return "", []
    if not result.ok:
        return "", []
    try:
        entries = parse_ldconfig(result.stdout)
    except ParseError as exc:
        problems.append(problem(f"{ldconfig} -p output", str(exc), result.output))
        return "", []
    by_soname = {lib.soname: lib for lib in libraries}
    copies = []
    for soname, path in entries:
        lib = by_soname.get(soname)
        if lib is not None:
            copies.append(_copy(host, lib, path, path.rsplit("/", 1)[0], VIA_LD_CACHE, stale))
    return "command:ldconfig -p", copies


def _copy(
    host: Host, lib: WheelLibrary, path: str, directory: str, via: str, stale: frozenset[str]
) -> LibraryCopy:
    copy = LibraryCopy(lib.soname, path, directory, via)
    if lib.path and host.realpath(path) == host.realpath(lib.path):
        copy.version, copy.version_source, copy.wheel_own = lib.version, lib.project, True
        return copy
    family = family_of_soname(lib.soname)
    copy.version, copy.version_source = copy_version(host, path, directory, family, stale)
    return copy


def copy_version(
    host: Host,
    path: str,
    directory: str,
    family: Optional[LibraryFamily],
    stale_roots: frozenset[str] = frozenset(),
) -> tuple[Optional[str], str]:
    """A library file's own version and where it was read: its real file's name
    (libnvJitLink.so.12 -> libnvJitLink.so.12.1.105), the only fully versioned file of that soname
    in its directory, the toolkit's version.json entry for it, or, for a library versioned like
    CUDA itself, the toolkit's CUDA version or a cuda-X.Y directory. (None, "") when none says.
    A toolkit root in `stale_roots` has a version.json its own nvcc contradicts: it is not read."""
    soname = basename(path)
    version = file_version(soname, basename(host.realpath(path)))
    if version:
        return version, "file name"
    named = {file_version(soname, basename(p)) for p in host.glob(join(directory, soname + ".*"))}
    named.discard(None)
    if len(named) == 1:
        return named.pop(), "file name"
    if family is None:
        return None, ""
    real_dir = host.realpath(directory)
    root = _LIB_SUFFIX.sub("", real_dir.rstrip("/") + "/")
    if root != real_dir.rstrip("/") + "/" and root.rstrip("/") not in stale_roots:
        data = json_object(host.read_text(join(root, "version.json"))) or {}
        entry = data.get(family.component) if family.component else None
        version = as_text(entry.get("version")) if isinstance(entry, dict) else ""
        if version:
            return version, f"version.json {family.component}"
        cuda = data.get("cuda")
        version = as_text(cuda.get("version")) if isinstance(cuda, dict) else ""
        if version and family.cuda_versioned:
            return version, f"CUDA {version} toolkit (version.json)"
    named_dir = _CUDA_DIR.search(real_dir + "/") or _CUDA_DIR.search(directory + "/")
    if named_dir and family.cuda_versioned:
        return named_dir.group(1), f"directory name cuda-{named_dir.group(1)}"
    return None, ""


def _dangling_links(host: Host, cuda: CudaFacts) -> list[DanglingLink]:
    candidates = list(
        dict.fromkeys(p for g in LINK_GLOBS for p in [g, *host.glob(g)] if "*" not in p)
    )
    found = []
    for path in candidates:
        target = host.realpath(path)
        if target != path and not host.exists(target):
            found.append(DanglingLink(path, target))
    return found


def files_version(host: Host, root: str) -> tuple[Optional[str], str]:
    """A toolkit's version as its files say: version.json (CUDA >= 11.1), version.txt (older)."""
    data = json_object(host.read_text(join(root, "version.json"))) or {}
    cuda = data.get("cuda")
    version = as_text(cuda.get("version")) if isinstance(cuda, dict) else ""
    if version:
        return version, "version.json"
    text = host.read_text(join(root, "version.txt")) or ""
    if text.strip().startswith("CUDA Version"):
        return text.split()[-1], "version.txt"
    return None, ""


def _toolkit_nvcc(
    host: Host, cuda: CudaFacts, timeout: float, problems: list[ReadProblem]
) -> list[ToolkitNvccVersion]:
    """The version files and nvcc of the toolkits that build extensions: the one whose nvcc is on
    PATH and CUDA_HOME's. Each nvcc is asked once (cuda_toolkit may already have)."""
    wanted = set()
    if cuda.nvcc_on_path:
        wanted.add(host.realpath(cuda.nvcc_on_path).rsplit("/bin/", 1)[0])
    if cuda.cuda_home:
        wanted.add(host.realpath(cuda.cuda_home.rstrip("/")))
    found = []
    for toolkit in cuda.toolkits:
        real = host.realpath(toolkit.path)
        if (
            ToolkitKind.of(toolkit) is not ToolkitKind.SYSTEM
            or not toolkit.nvcc
            or real not in wanted
        ):
            continue
        version, source = files_version(host, toolkit.path)
        if not version:
            continue
        nvcc_version = (
            toolkit.version
            if toolkit.source.endswith("nvcc --version")
            else read_nvcc_version(host, toolkit.nvcc, timeout, problems)
        )
        if nvcc_version:
            found.append(
                ToolkitNvccVersion(toolkit.path, version, source, toolkit.nvcc, nvcc_version)
            )
    return found
