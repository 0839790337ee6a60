"""The CPU, memory, C compilers and relevant package versions: what collect_env reports beside
torch and CUDA (envsetup.model.system_info), read without importing anything from the target.

Linux: /proc/cpuinfo and /proc/meminfo, and the cgroup's memory limit (cgroup v2
/sys/fs/cgroup/memory.max, v1 memory/memory.limit_in_bytes: a container's `--memory`).
macOS: `sysctl machdep.cpu.brand_string hw.ncpu hw.memsize` (collect_env asks sysctl for the
brand string too). Windows: the NUMBER_OF_PROCESSORS and PROCESSOR_IDENTIFIER variables Windows
sets for every process (what `platform.processor()` returns there); its memory is not read.
Compilers: `gcc --version`, `clang --version` (cl's banner on Windows) and $CC's, each found on
PATH, as collect_env runs them. Packages: the target's site-packages, by dist-info directory name.

Everything here is informational: an unreadable or missing file leaves the fact unknown and adds
no "could not read" finding (a recording made before these reads replays as before).
"""

from __future__ import annotations

from typing import Optional

from envsetup.facts import OsFacts, PythonFacts
from envsetup.host.base import Host
from envsetup.model.system_info import RELEVANT_PATTERNS, Compiler, SystemInfo, package_key
from envsetup.parsers import ParseError
from envsetup.parsers.cpuinfo import parse_cpuinfo, parse_meminfo, parse_sysctl
from envsetup.parsers.host_compiler import parse_compiler_version
from envsetup.probe.common import basename, clean, first_line, join, probe_timeout

CGROUP_MEMORY_LIMITS = (
    "/sys/fs/cgroup/memory.max",
    "/sys/fs/cgroup/memory/memory.limit_in_bytes",
)
# cgroup v2 cpu.max "$MAX $PERIOD" ("max 100000": none), v1 cpu.cfs_quota_us (-1: none) over
# cpu.cfs_period_us: https://docs.kernel.org/admin-guide/cgroup-v2.html (CPU Interface Files)
CGROUP_CPU_MAX = "/sys/fs/cgroup/cpu.max"
CGROUP_V1_CPU = ("/sys/fs/cgroup/cpu/cpu.cfs_quota_us", "/sys/fs/cgroup/cpu/cpu.cfs_period_us")
SYSCTL_NAMES = ("machdep.cpu.brand_string", "hw.ncpu", "hw.memsize")
KIB_PER_MIB = 1024


def probe_system_info(host: Host, os_facts: OsFacts, python: PythonFacts) -> SystemInfo:
    info = SystemInfo()
    if os_facts.system == "Linux":
        _linux_cpu_and_memory(host, info)
    elif os_facts.system == "Darwin":
        _macos_cpu_and_memory(host, info)
    elif os_facts.system == "Windows":
        _windows_cpu(host, info)
    info.compilers = _compilers(host, os_facts.system == "Windows")
    info.compilers_not_recorded = not info.compilers and _compilers_not_recorded(host)
    info.packages, info.packages_source = _packages(host, python.site_packages)
    return info


def _linux_cpu_and_memory(host: Host, info: SystemInfo) -> None:
    cpuinfo = host.read_text("/proc/cpuinfo")
    if cpuinfo is not None:
        reading = parse_cpuinfo(cpuinfo)
        info.cpu_model, info.cpu_count = clean(reading.model), reading.count
        info.cpu_source = "file:/proc/cpuinfo"
    info.cpu_limit, where = _cpu_limit(host)
    if info.cpu_limit is not None:
        info.cpu_source += f"{', ' if info.cpu_source else ''}file:{where}"
    meminfo = host.read_text("/proc/meminfo")
    if meminfo is None:
        return
    total, available = parse_meminfo(meminfo)
    info.memory_total_mib = total // KIB_PER_MIB if total is not None else None
    info.memory_available_mib = available // KIB_PER_MIB if available is not None else None
    info.memory_source = "file:/proc/meminfo"
    for path in CGROUP_MEMORY_LIMITS:
        limit = _bytes(first_line(host.read_text(path, max_bytes=64)))
        # cgroup v1 writes a huge number (PAGE_COUNTER_MAX pages) for "no limit", v2 "max"
        if limit is not None and (total is None or limit // 1024 < total):
            info.memory_limit_mib = limit >> 20
            info.memory_source += f", file:{path}"
            return


def _cpu_limit(host: Host) -> tuple[Optional[float], str]:
    """The cgroup's CPU quota in CPUs and the file that says it; (None, "") when none is set."""
    where = CGROUP_CPU_MAX
    quota, _, period = first_line(host.read_text(where, max_bytes=64)).partition(" ")
    if not (quota and period):
        where = CGROUP_V1_CPU[0]
        quota = first_line(host.read_text(where, max_bytes=64))
        period = first_line(host.read_text(CGROUP_V1_CPU[1], max_bytes=64))
    quota_us, period_us = _bytes(quota), _bytes(period)
    if not quota_us or not period_us:
        return None, ""  # "max", -1, missing or garbled
    return round(quota_us / period_us, 2), where


def _bytes(text: str) -> Optional[int]:
    text = text.strip()
    return int(text) if text.isdigit() and len(text) <= 20 else None


def _macos_cpu_and_memory(host: Host, info: SystemInfo) -> None:
    sysctl = host.which("sysctl") or "/usr/sbin/sysctl"
    result = host.run([sysctl, *SYSCTL_NAMES], timeout=probe_timeout(host.environ()))
    if not result.stdout:
        return
    values = parse_sysctl(result.stdout)
    source = f"command:sysctl {' '.join(SYSCTL_NAMES)}"
    if values.get("machdep.cpu.brand_string") or values.get("hw.ncpu"):
        info.cpu_model = clean(values.get("machdep.cpu.brand_string", ""))
        info.cpu_count = _small(values.get("hw.ncpu"))
        info.cpu_source = source
    memory = _bytes(values.get("hw.memsize", ""))
    if memory is not None:
        info.memory_total_mib, info.memory_source = memory >> 20, source


def _small(text: Optional[str]) -> Optional[int]:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) <= 7 else None


def _windows_cpu(host: Host, info: SystemInfo) -> None:
    environ = host.environ()
    count = _small(environ.get("NUMBER_OF_PROCESSORS"))
    model = clean(environ.get("PROCESSOR_IDENTIFIER", "").strip())
    if count is not None or model:
        info.cpu_model, info.cpu_count = model, count
        info.cpu_source = "environment:NUMBER_OF_PROCESSORS, PROCESSOR_IDENTIFIER"


def _compilers(host: Host, windows: bool) -> list[Compiler]:
    names = ["gcc", "clang", *(["cl"] if windows else [])]
    cc = host.environ().get("CC", "").strip()
    found: list[Compiler] = []
    seen: set[str] = set()
    for name in [*names, *([cc] if cc else [])]:
        path = name if name.startswith("/") and host.exists(name) else host.which(name)
        if path is None or path in seen:
            continue
        seen.add(path)
        compiler = _compiler(host, name if name in names else "$CC", path)
        if compiler is not None:
            found.append(compiler)
    return found


def _compilers_not_recorded(host: Host) -> bool:
    """A recorded host that never looked gcc or clang up (recorded before compilers were read),
    or found one but holds no answer of its `--version`."""
    from envsetup.host.recorded import RecordedHost

    if not isinstance(host, RecordedHost):
        return False
    for name in ("gcc", "clang"):
        if not host.looked_up(name):
            return True
        path = host.which(name)
        if path is not None and host.run([path, "--version"], timeout=1).not_found:
            return True
    return False


def _compiler(host: Host, name: str, path: str) -> Optional[Compiler]:
    argv = [path] if name == "cl" else [path, "--version"]
    result = host.run(argv, timeout=probe_timeout(host.environ()))
    text = result.stdout + "\n" + result.stderr  # cl prints its banner on stderr
    if result.not_found or result.timed_out or not text.strip():
        return None
    banner = clean(first_line(text))[:200]
    source = f"command:{' '.join(argv)}"
    try:
        parsed = parse_compiler_version(text)
    except ParseError:  # a wrapper (ccache, a script) that says something else
        return Compiler(name, "unknown", None, path, banner, source)
    return Compiler(name, parsed.family, parsed.version, path, banner, source)


def _packages(host: Host, site_packages: list[str]) -> tuple[dict[str, str], str]:
    """name -> version of the relevant packages, the first found along sys.path winning. A
    wheel's metadata directory is named NAME-VERSION.dist-info, NAME with "-" written "_"
    (https://packaging.python.org/en/latest/specifications/recording-installed-packages/);
    setuptools' older NAME-VERSION[-pyX.Y].egg-info too."""
    found: dict[str, str] = {}
    where: list[str] = []
    for directory in site_packages:
        before = len(found)
        for pattern in RELEVANT_PATTERNS:
            stem = pattern.replace("-", "_")
            for suffix in (".dist-info", ".egg-info"):
                for path in host.glob(join(directory, f"*{stem}*{suffix}")):
                    name, version = _name_and_version(basename(path), suffix)
                    if name and version and pattern in name and name not in found:
                        found[name] = version
        if len(found) > before:
            where.append(directory)
    ordered = dict(sorted(found.items()))
    return ordered, ", ".join(f"dir:{d}" for d in where)


def _name_and_version(entry: str, suffix: str) -> tuple[str, str]:
    """ "nvidia_cudnn_cu12-9.1.0.70.dist-info" -> ("nvidia-cudnn-cu12", "9.1.0.70")."""
    stem = entry[: -len(suffix)]
    name, _, rest = stem.partition("-")
    version = rest.split("-", 1)[0] if suffix == ".egg-info" else rest
    return clean(package_key(name)), clean(version)
