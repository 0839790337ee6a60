"""Assemble recorded hosts (the format of docs/recorded-host.md) from real captured outputs.

The captured outputs are files under tests/fixtures/ (each listed with its source in that folder's
SOURCES.tsv). What a real machine would have answered and no bug report shows — the target Python's
introspection line, a path that exists — is written here, plainly as part of the host description.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

FIXTURES = Path(__file__).parent / "fixtures"


def recorded_host_dirs() -> list[Path]:
    """Every recorded host the tests hold, sorted by name: the project's own machines
    (fixtures/hosts/NAME/, rows in its SOURCES.tsv) and the real users' cases
    (fixtures/cases/NAME/host/, the case's PROVENANCE.md beside it)."""
    machines = [p.parent for p in (FIXTURES / "hosts").glob("*/host.json")]
    cases = [p.parent for p in (FIXTURES / "cases").glob("*/host/host.json")]
    return sorted(machines + cases, key=host_name)


def host_name(directory: Path) -> str:
    """A recorded host's name: its folder's, or its case's for a case's host/ folder."""
    return directory.parent.name if directory.parent.parent.name == "cases" else directory.name


def case_host(name: str) -> Path:
    """The recorded host of case NAME (fixtures/cases/NAME/host), or of the project's machine NAME."""
    for directory in (FIXTURES / "cases" / name / "host", FIXTURES / "hosts" / name):
        if (directory / "host.json").is_file():
            return directory
    raise FileNotFoundError(f"no recorded host named {name} under {FIXTURES}/cases or hosts")


def fixture_text(relative: str, skip: int = 0, stop: Optional[str] = None) -> str:
    """A fixture's text without its first `skip` lines (the pasted prompt) and from `stop` on."""
    text = (FIXTURES / relative).read_text(encoding="utf-8")
    kept = "".join(text.splitlines(keepends=True)[skip:])
    return kept.split(stop, 1)[0] if stop else kept


@dataclass
class HostSpec:
    system: str = "Linux"
    release: str = "6.8.0-45-generic"
    machine: str = "x86_64"
    libc: str = "glibc 2.39"
    python: str = "/usr/bin/python3"
    python_version: str = "3.12.3"
    prefix: str = "/usr"
    base_prefix: str = "/usr"
    site_packages: list[str] = field(default_factory=lambda: ["/usr/lib/python3/dist-packages"])
    bits: int = 64
    environ: dict[str, str] = field(default_factory=dict)
    which: dict[str, Optional[str]] = field(default_factory=dict)
    realpath: dict[str, str] = field(default_factory=dict)
    nvml: Any = field(default_factory=lambda: {"error": "NVML Shared Library Not Found"})
    files: dict[str, str] = field(default_factory=dict)  # absolute path -> content
    markers: list[str] = field(default_factory=list)  # paths that exist (empty files)
    dirs: list[str] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)

    def command(
        self, argv: list[str], stdout: str = "", returncode: Optional[int] = 0, **extra: Any
    ) -> HostSpec:
        self.commands.append({"argv": argv, "returncode": returncode, "stdout": stdout, **extra})
        return self

    def torch_wheel(self, site: str, version_py: str, metadata: Optional[str] = None) -> HostSpec:
        """Install torch's real files (torch/version.py, dist-info METADATA) from tests/fixtures."""
        version_text = (FIXTURES / version_py).read_text(encoding="utf-8")
        version = re.search(r"^__version__\s*=\s*['\"]([^'\"]+)", version_text, re.M).group(1)
        dist = f"{site}/torch-{version}.dist-info"
        self.files[f"{site}/torch/version.py"] = version_text
        self.files[f"{dist}/METADATA"] = (
            (FIXTURES / metadata).read_text(encoding="utf-8") if metadata else ""
        )
        return self

    def write(self, directory: Path) -> str:
        directory.mkdir(parents=True, exist_ok=True)
        introspection = {
            "executable": self.python,
            "version": self.python_version,
            "implementation": "CPython",
            "prefix": self.prefix,
            "base_prefix": self.base_prefix,
            "stdlib": f"{self.base_prefix}/lib/python{'.'.join(self.python_version.split('.')[:2])}",
            "site_packages": self.site_packages,
            "purelib": self.site_packages[0] if self.site_packages else "",
            "bits": self.bits,
        }
        commands = [
            {
                "argv": [self.python, "-c", "*", "envsetup-introspect"],
                "returncode": 0,
                "stdout": repr(introspection) + "\n",
            }
        ]
        manifest = {
            "format": "envsetup-recorded-host",
            "version": 1,
            "platform": {
                "system": self.system,
                "release": self.release,
                "version": "",
                "machine": self.machine,
                "libc": self.libc,
                "python_executable": self.python,
            },
            "environ": self.environ,
            "which": self.which,
            "realpath": self.realpath,
            "nvml": self.nvml,
            "commands": [*self.commands, *commands],
        }
        (directory / "host.json").write_text(json.dumps(manifest, indent=2))
        for path, content in self.files.items():
            target = directory / "files" / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        for path in self.markers:
            target = directory / "files" / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("")
        for path in self.dirs:
            (directory / "files" / path.lstrip("/")).mkdir(parents=True, exist_ok=True)
        return str(directory)
