"""Operating system: distro, kernel, arch, glibc, WSL, container, macOS and Windows versions."""

from __future__ import annotations

from typing import Optional

from envsetup.facts import OsFacts, ReadProblem
from envsetup.host.base import Host
from envsetup.parsers import ParseError
from envsetup.parsers.kernel import wsl_from_kernel
from envsetup.parsers.os_release import parse_os_release
from envsetup.probe.common import problem

OS_RELEASE_PATHS = ("/etc/os-release", "/usr/lib/os-release")
# musl's dynamic loader (ld-musl-x86_64.so.1, ld-musl-aarch64.so.1): where glibc has ld-linux.
MUSL_LOADER = "/lib/ld-musl-*.so.1"
CGROUP_MARKERS = (
    ("kubepods", "kubernetes"),
    ("docker", "docker"),
    ("containerd", "containerd"),
    ("libpod", "podman"),
    ("lxc", "lxc"),
)


def probe_os(host: Host, problems: list[ReadProblem]) -> OsFacts:
    info = host.platform()
    facts = OsFacts(system=info.system, arch=info.machine, kernel=info.release, source="platform")
    if info.system == "Linux":
        _read_distro(host, facts, problems)
        if info.libc.startswith("glibc"):
            facts.glibc = info.libc.split()[-1]
        facts.musl = _musl(host, info.libc, facts.glibc)
        _detect_wsl(host, facts)
        _detect_container(host, facts)
    elif info.system == "Darwin":
        facts.macos_version = info.mac_version
        facts.distro_name, facts.distro_version = "macOS", info.mac_version
    elif info.system == "Windows":
        facts.windows_version = info.windows_version or info.release
        facts.distro_name, facts.distro_version = "Windows", facts.windows_version
    return facts


def _musl(host: Host, libc: str, glibc: Optional[str]) -> Optional[str]:
    """musl's version ("1.2"), "" when only its dynamic loader is there, None when not musl.

    A recording made from a report may hold no libc at all (platform.libc_ver() says nothing on
    musl); musl's loader is the sign then, unless glibc was read (Debian's musl package installs
    the same loader beside glibc's)."""
    name, _, version = libc.partition(" ")
    if name == "musl":
        return version.strip()
    if glibc is None and not name and host.glob(MUSL_LOADER):
        return ""
    return None


def _read_distro(host: Host, facts: OsFacts, problems: list[ReadProblem]) -> None:
    for path in OS_RELEASE_PATHS:
        text = host.read_text(path)
        if text is None:
            continue
        try:
            fields = parse_os_release(text)
        except ParseError as exc:
            problems.append(problem(path, str(exc), text))
            return
        facts.distro_id = fields.get("ID", "")
        facts.distro_name = fields.get("NAME", "")
        facts.distro_version = fields.get("VERSION_ID", "") or fields.get("BUILD_ID", "")
        facts.distro_like = fields.get("ID_LIKE", "").split()
        facts.source = f"file:{path}"
        return


def _detect_wsl(host: Host, facts: OsFacts) -> None:
    evidence = []
    proc_version = host.read_text("/proc/version") or ""
    version = wsl_from_kernel(proc_version) or wsl_from_kernel(facts.kernel)
    if version:
        evidence.append(f"kernel: {facts.kernel}")
    if host.exists("/dev/dxg"):
        evidence.append("/dev/dxg exists (WSL2 GPU paravirtualisation)")
        version = 2
    if host.exists("/usr/lib/wsl/lib"):
        evidence.append("/usr/lib/wsl/lib exists (Windows driver libraries mounted)")
        version = version or 2
    if "WSL_DISTRO_NAME" in host.environ():
        evidence.append("WSL_DISTRO_NAME is set")
        version = version or 2
    if version:
        facts.wsl, facts.wsl_evidence = version, evidence


def _detect_container(host: Host, facts: OsFacts) -> None:
    environ = host.environ()
    evidence: list[str] = []
    kind = None
    if "KUBERNETES_SERVICE_HOST" in environ:
        kind = "kubernetes"
        evidence.append("KUBERNETES_SERVICE_HOST is set")
    if host.exists("/.dockerenv"):
        kind = kind or "docker"
        evidence.append("/.dockerenv exists")
    if host.exists("/run/.containerenv"):
        kind = kind or "podman"
        evidence.append("/run/.containerenv exists")
    declared = environ.get("container")  # set by podman, systemd-nspawn, lxc
    if declared:
        kind = kind or declared
        evidence.append(f"container={declared}")
    cgroup = host.read_text("/proc/1/cgroup") or ""
    for marker, name in CGROUP_MARKERS:
        if marker in cgroup:
            kind = kind or name
            evidence.append(f"/proc/1/cgroup mentions {marker}")
            break
    if kind:
        facts.container, facts.container_evidence = kind, evidence
