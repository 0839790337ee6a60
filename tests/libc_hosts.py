"""Recorded hosts for the C library kinds PyTorch's Linux wheels cannot serve: musl (Alpine) and
old glibc (CentOS 7, Amazon Linux 2, Ubuntu 16.04). Assembled with tests/hostbuilder.py from real
files (tests/fixtures/os, tests/fixtures/torch, each in its SOURCES.tsv); what a real machine
answers and no report shows (the libc platform.libc_ver() gives, a path that exists) is written
here, with where each value was read.
"""

from __future__ import annotations

from typing import Callable, Optional

from hostbuilder import HostSpec, fixture_text


def alpine(libc: str = "") -> HostSpec:
    """python:3.9-alpine, where pytorch/pytorch #102592's torch 2.0.0+cpu fails to load
    (pthread_attr_setaffinity_np: symbol not found). platform.libc_ver() reads glibc markers
    only: on musl it says ("", ""), hence libc "" (a live host records "musl 1.2" instead:
    envsetup.host.live reads musl through packaging). musl's loader is the path that exists."""
    spec = HostSpec(
        libc=libc,
        python="/usr/local/bin/python",
        python_version="3.9.16",
        prefix="/usr/local",
        base_prefix="/usr/local",
        site_packages=["/usr/local/lib/python3.9/site-packages"],
    )
    spec.files["/etc/os-release"] = fixture_text("os/os-release-alpine-3.23.txt")
    spec.markers += ["/lib/ld-musl-x86_64.so.1", "/.dockerenv"]
    return spec


def debian_with_musl_package() -> HostSpec:
    """Debian 12 (glibc 2.36) with Debian's `musl` package, which installs musl's loader at
    /lib/ld-musl-x86_64.so.1 beside glibc's: a glibc system all the same."""
    spec = HostSpec(libc="glibc 2.36", python="/usr/bin/python3", python_version="3.11.2")
    spec.files["/etc/os-release"] = fixture_text("os/os-release-debian-12.txt")
    spec.markers.append("/lib/ld-musl-x86_64.so.1")
    return spec


def _old_glibc(libc: str, release: str, os_release: Optional[str]) -> HostSpec:
    spec = HostSpec(
        libc=libc,
        release=release,
        python="/home/u/.venv/bin/python",
        python_version="3.9.18",
        prefix="/home/u/.venv",
        site_packages=["/home/u/.venv/lib/python3.9/site-packages"],
    )
    if os_release:
        spec.files["/etc/os-release"] = fixture_text(os_release)
    spec.markers.append("/home/u/.venv/pyvenv.cfg")
    return spec


def centos7() -> HostSpec:
    """CentOS 7: glibc 2.17 (pytorch/pytorch #150724: "GLIBC version: 2.17" on CentOS 7.9;
    conda-libmamba-solver #131: __glibc=2.17 beside __linux=3.10.0)."""
    return _old_glibc("glibc 2.17", "3.10.0-1160.el7.x86_64", "os/os-release-centos-7.txt")


def amazon_linux_2() -> HostSpec:
    """Amazon Linux 2: glibc 2.26 (docker-library/official-images PR #21363 updates the image's
    glibc-2.26-64.amzn2.0.6). No sourced /etc/os-release of it is in the fixtures: none here."""
    return _old_glibc("glibc 2.26", "5.10.75-79.358.amzn2.x86_64", None)


def ubuntu_16_04() -> HostSpec:
    """Ubuntu 16.04: glibc 2.23 (toxicity-io/sqlite-mc PR #21, "Ubuntu 16.04 ... GLIBC version
    2.23"). No sourced /etc/os-release of it is in the fixtures: none here."""
    return _old_glibc("glibc 2.23", "4.4.0-210-generic", None)


def with_torch(spec: HostSpec, version_py: str) -> HostSpec:
    """The host with torch's real files (tests/fixtures/torch) in its site-packages."""
    return spec.torch_wheel(spec.site_packages[0], version_py)


OLD_GLIBC: dict[str, Callable[[], HostSpec]] = {
    "centos-7": centos7,
    "amazon-linux-2": amazon_linux_2,
    "ubuntu-16.04": ubuntu_16_04,
}
