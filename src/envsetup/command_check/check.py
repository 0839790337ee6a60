"""Lint a pasted pip / uv pip / conda install command against this machine and the profiles.

Pure: `check_command(text, facts, releases)` parses the text with shlex (never runs it) and returns
a CommandReport: what the command would really install here, what is wrong with it, and the
command the resolver would use instead.
"""

from __future__ import annotations

import dataclasses
import re
import shlex
from dataclasses import asdict, dataclass, field
from typing import Any, Optional

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from envsetup import compat
from envsetup.errors import UsageError
from envsetup.facts import Facts
from envsetup.profiles.loader import Patch, Release, Variant
from envsetup.resolve.request import InstallRequest, compute_flag
from envsetup.resolve.resolution import Resolution, ResolutionRefused
from envsetup.resolve.resolver import Machine, machine_from_facts, resolve_for_machine

TORCH_PACKAGES = ("torch", "torchvision", "torchaudio")
CONDA_NAMES = {"pytorch": "torch", "torchvision": "torchvision", "torchaudio": "torchaudio"}

# pip / uv pip options that take a value (the next word unless written --opt=value).
_PIP_VALUE_OPTIONS = {
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-r", "--requirement",
    "-c", "--constraint", "-t", "--target", "--prefix", "--root", "--upgrade-strategy",
    "--platform", "--python-version", "--implementation", "--abi", "--trusted-host",
    "--cache-dir", "--src", "--progress-bar", "--log", "--proxy", "--retries", "--timeout",
    "--exists-action", "--report", "-C", "--config-settings", "--global-option",
    "--no-binary", "--only-binary", "-e", "--editable", "--python", "-p", "--torch-backend",
    "--index", "--default-index", "--index-strategy", "--extra-index", "--keyring-provider",
    "--resolution", "--prerelease", "--link-mode", "--exclude-newer", "--override",
}  # fmt: skip
_CONDA_VALUE_OPTIONS = {
    "-c", "--channel", "-n", "--name", "-p", "--prefix", "--file", "--solver", "--repodata-fn",
}  # fmt: skip
_WHL_INDEX = re.compile(
    r"download\.pytorch\.org/whl/(?:(nightly|test)/)?([a-z0-9.]+?)/?(?:torch_stable\.html)?$"
)
_VARIANT_TAG = re.compile(r"^(cpu|cu\d{3,4}|rocm\d+(\.\d+){1,2})$")
_CONDA_SPEC = re.compile(
    r"^([A-Za-z0-9_.\-]+)(?:\s*(==|=|>=|<=|>|<|!=|~=)\s*([^=\s]+))?(?:=(\S+))?$"
)


@dataclass(frozen=True)
class Finding:
    level: str  # error, warning, info
    message: str


@dataclass
class ParsedCommand:
    """One install command, read the way its tool would read it."""

    tool: str  # pip, uv, conda
    words: list[str]
    requirements: dict[str, Requirement] = field(default_factory=dict)  # torch packages
    conda_specs: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (op, version)
    other_packages: list[str] = field(default_factory=list)
    index_url: Optional[str] = None
    extra_index_urls: list[str] = field(default_factory=list)
    find_links: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    torch_backend: Optional[str] = None  # uv --torch-backend
    requirement_files: list[str] = field(default_factory=list)


@dataclass
class CommandReport:
    command: str
    tool: str
    installs: list[str] = field(default_factory=list)  # what it would really install here
    findings: list[Finding] = field(default_factory=list)
    suggested_command: Optional[str] = None
    suggested_flags: list[str] = field(default_factory=list)  # envsetup install ...
    suggestion_note: Optional[str] = None  # why no suggestion (a refusal)

    @property
    def has_errors(self) -> bool:
        return any(f.level == "error" for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["has_errors"] = self.has_errors
        return data


# ----------------------------------------------------------------------------- parsing


def split_commands(text: str) -> list[list[str]]:
    """Shell words of each command in `text` (split at && ; || and line breaks)."""
    joined = re.sub(r"[\\^`]\r?\n", " ", text)  # line continuations: bash, cmd.exe, PowerShell
    commands: list[list[str]] = []
    for line in joined.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
        lexer.whitespace_split = True
        lexer.commenters = "#"
        try:
            words = list(lexer)
        except ValueError as exc:
            raise UsageError(
                f"the pasted command cannot be split into words ({exc}); fix: check its quotes"
            ) from exc
        current: list[str] = []
        for word in words:
            if set(word) <= set(";&|"):
                commands.append(current)
                current = []
            else:
                current.append(word)
        commands.append(current)
    return [c for c in commands if c]


def _strip_prefix(words: list[str]) -> list[str]:
    """Drop prompts, sudo, notebook magics and `python -m`: what is left starts with the tool."""
    out = list(words)
    while out and out[0] in ("$", ">", "sudo", "!", "%"):
        out = out[1:]
    if out and out[0][:1] in ("!", "%", ">", "$") and len(out[0]) > 1:
        out[0] = out[0][1:]
    if len(out) >= 2 and out[0] == "py" and re.match(r"^-\d", out[1]):
        out = [out[0], *out[2:]]  # the Windows launcher's version switch: py -3.11 -m pip
    if len(out) >= 3 and re.match(r"^(python[\d.]*|py)(\.exe)?$", out[0]) and out[1] == "-m":
        out = out[2:]
    return out


def parse_install(words: list[str]) -> Optional[ParsedCommand]:
    """A ParsedCommand when `words` is a pip / uv pip / conda install (or create), else None."""
    words = _strip_prefix(words)
    if not words:
        return None
    tool = re.sub(r"(\.exe)?$", "", words[0].replace("\\", "/").split("/")[-1])
    if re.match(r"^pip[\d.]*$", tool) and len(words) > 1 and words[1] == "install":
        return _parse_pip("pip", words[2:])
    if tool == "uv" and words[1:3] == ["pip", "install"]:
        return _parse_pip("uv", words[3:])
    if (
        tool in ("conda", "mamba", "micromamba")
        and len(words) > 1
        and words[1] in ("install", "create")
    ):
        return _parse_conda(words[2:])
    return None


def _parse_pip(tool: str, args: list[str]) -> ParsedCommand:
    parsed = ParsedCommand(tool=tool, words=args)
    i = 0
    while i < len(args):
        word = args[i]
        if word.startswith("-"):
            name, has_value, value = word.partition("=")
            if name in _PIP_VALUE_OPTIONS and not has_value:
                value = args[i + 1] if i + 1 < len(args) else ""
                i += 1
            if name in _PIP_VALUE_OPTIONS:
                _pip_option(parsed, name, value)
        else:
            _pip_requirement(parsed, word)
        i += 1
    return parsed


def _pip_option(parsed: ParsedCommand, name: str, value: str) -> None:
    if name in ("-i", "--index-url", "--default-index"):
        parsed.index_url = value
    elif name in ("--extra-index-url", "--index", "--extra-index"):
        parsed.extra_index_urls.append(value)
    elif name in ("-f", "--find-links"):
        parsed.find_links.append(value)
    elif name == "--torch-backend":
        parsed.torch_backend = value
    elif name in ("-r", "--requirement"):
        parsed.requirement_files.append(value)


def _pip_requirement(parsed: ParsedCommand, word: str) -> None:
    try:
        requirement = Requirement(word)
    except InvalidRequirement:
        parsed.other_packages.append(word)
        return
    name = requirement.name.lower().replace("_", "-")
    if name in TORCH_PACKAGES:
        parsed.requirements[name] = requirement
    else:
        parsed.other_packages.append(word)


def _parse_conda(args: list[str]) -> ParsedCommand:
    parsed = ParsedCommand(tool="conda", words=args)
    i = 0
    while i < len(args):
        word = args[i]
        if word.startswith("-"):
            name, has_value, value = word.partition("=")
            if name in _CONDA_VALUE_OPTIONS and not has_value:
                value = args[i + 1] if i + 1 < len(args) else ""
                i += 1
            if name in ("-c", "--channel"):
                parsed.channels.append(value)
        else:
            _conda_spec(parsed, word)
        i += 1
    return parsed


def _conda_spec(parsed: ParsedCommand, word: str) -> None:
    channel, _, spec = word.rpartition("::")
    if channel:
        parsed.channels.append(channel)
    match = _CONDA_SPEC.match(spec.replace(" ", ""))
    if not match:
        parsed.other_packages.append(word)
        return
    name, op, version = match.group(1).lower(), match.group(2) or "", match.group(3) or ""
    parsed.conda_specs[name] = (op, version)


# ----------------------------------------------------------------------------- what it installs


@dataclass
class _Reading:
    """What the command amounts to on this machine."""

    torch_spec: Optional[SpecifierSet] = None
    torch_version: Optional[str] = None  # the version it would get, when the profiles say
    release: Optional[Release] = None
    patch: Optional[Patch] = None
    variant_name: Optional[str] = None  # cpu, cu118, rocm6.2
    variant: Optional[Variant] = None
    variant_origin: str = ""


def check_command(text: str, facts: Facts, releases: list[Release]) -> CommandReport:
    """Read `text` as a pasted install command and judge it for the machine `facts` describe."""
    if not text.strip():
        raise UsageError("check-command: no command given; fix: paste the command in quotes")
    candidates = [parse_install(words) for words in split_commands(text)]
    installs = [c for c in candidates if c is not None]
    torch_installs = [c for c in installs if c.requirements or _conda_torch(c)]
    if not torch_installs:
        raise UsageError(
            "check-command: no pip, uv pip or conda install of torch/pytorch found in "
            f"{text.strip()!r}; fix: paste the install command itself, in quotes"
        )
    command = torch_installs[0]
    try:
        machine = machine_from_facts(facts)
    except ResolutionRefused as refusal:
        raise UsageError(
            f"check-command: {refusal.reason}; fix: run it on a machine PyTorch supports"
        ) from None
    report = CommandReport(command=text.strip(), tool=command.tool)
    if command.tool == "conda":
        machine = _with_conda_python(command, machine)
        reading = _read_conda(command, machine, releases, report)
    else:
        reading = _read_pip(command, machine, releases, report, facts)
    _check_driver_and_gpu(reading, machine, report)
    _check_domain_versions(command, reading, releases, report)
    _suggest(command, reading, machine, releases, report)
    return report


def _conda_torch(command: ParsedCommand) -> bool:
    return command.tool == "conda" and "pytorch" in command.conda_specs


def _newest_fitting(
    releases: list[Release],
    spec: Optional[SpecifierSet],
    machine: Machine,
    only_variant: Optional[str] = None,
) -> Optional[tuple[Release, Patch]]:
    """The release and patch a resolver like pip's would pick: newest allowed for this Python
    (and, when the only index is one build's, newest that has that build)."""
    for release in sorted(releases, key=lambda r: _vkey(r.release), reverse=True):
        platform = release.platforms.get(machine.platform_key)
        if platform is None or (only_variant and only_variant not in platform.variants):
            continue
        if machine.python and not _vkey(platform.python_min) <= _vkey(machine.python) <= _vkey(platform.python_max):  # fmt: skip
            continue
        for patch in reversed(release.patches):
            if spec is None or spec.contains(patch.torch, prereleases=True):
                return release, patch
    return None


def _release_of(version: str, releases: list[Release]) -> Optional[tuple[Release, Optional[Patch]]]:
    public = version.split("+")[0]
    name = ".".join(public.split(".")[:2])
    release = next((r for r in releases if r.release == name), None)
    return (release, release.patch(public)) if release else None


def _read_pip(
    command: ParsedCommand,
    machine: Machine,
    releases: list[Release],
    report: CommandReport,
    facts: Facts,
) -> _Reading:
    reading = _Reading()
    torch_req = command.requirements.get("torch")
    pinned = _exact_pin(torch_req)
    local = pinned.split("+")[1] if pinned and "+" in pinned else None
    _environment_findings(command, facts, report)
    _index_findings(command, pinned, local, report)
    reading.torch_spec = _spec_of(torch_req)
    if pinned:
        _read_pinned_torch(pinned, releases, reading, report)
    else:
        _read_unpinned_torch(command, machine, releases, reading, report)
    if reading.release is not None:
        _check_python(reading.release, machine, report)
    variant, origin = _pip_variant(command, local, machine, reading, report)
    _set_variant(reading, variant, origin, machine, report)
    _describe_wheels(command, reading, machine, report)
    return reading


def _environment_findings(command: ParsedCommand, facts: Facts, report: CommandReport) -> None:
    """What the Python the command would run in says before any index is asked."""
    if facts.python.externally_managed and facts.python.environment == "system":
        report.findings.append(
            Finding(
                "error",
                f"{command.tool} would install into the system Python, which is marked "
                "externally-managed (PEP 668): it refuses with error: externally-managed-environment; "
                "install into a virtual environment (envsetup install creates one)",
            )
        )
    if facts.python.bits == 32:
        report.findings.append(
            Finding(
                "error",
                "this Python is 32-bit: PyTorch publishes no 32-bit wheels, so pip finds none "
                "(from versions: none)",
            )
        )
    if command.requirement_files:
        report.findings.append(
            Finding("info", f"requirements in {', '.join(command.requirement_files)} are not read")
        )


def _index_findings(
    command: ParsedCommand, pinned: Optional[str], local: Optional[str], report: CommandReport
) -> None:
    """Problems with where the command looks for wheels."""
    if local and not (command.index_url or command.extra_index_urls or command.find_links):
        report.findings.append(
            Finding(
                "error",
                f"torch=={pinned} is a local-version build that exists only on PyTorch's own index, "
                "not on PyPI: without --index-url pip finds no such version (from versions: ...); "
                f"add --index-url https://download.pytorch.org/whl/{local}",
            )
        )
    if command.extra_index_urls and _index_variant(command):
        report.findings.append(
            Finding(
                "warning",
                "--extra-index-url adds PyTorch's index beside PyPI and pip takes the highest version "
                "from either, so which build lands depends on both indexes; the official commands use "
                "--index-url since 2.0",
            )
        )
    if command.torch_backend:
        _note_uv_backend(command.torch_backend, report)
    urls = [command.index_url or "", *command.extra_index_urls, *command.find_links]
    if any(re.search(r"/whl/(nightly|test)/", url) for url in urls):
        report.findings.append(
            Finding(
                "warning",
                "a nightly or test index: pre-release builds that change daily and are not in "
                "envsetup's profiles; pin a release for a reproducible environment",
            )
        )


def _read_pinned_torch(
    pinned: str, releases: list[Release], reading: _Reading, report: CommandReport
) -> None:
    found = _release_of(pinned, releases)
    if found is None:
        report.findings.append(
            Finding(
                "warning",
                f"torch {pinned} is not in envsetup's profiles (2.0 and later): its builds, "
                "drivers and Python range cannot be checked",
            )
        )
        return
    reading.release, reading.patch = found
    reading.torch_version = pinned.split("+")[0]
    if reading.patch is None:
        known = ", ".join(p.torch for p in reading.release.patches)
        report.findings.append(
            Finding(
                "error", f"torch {pinned} is not a known {reading.release.release} patch ({known})"
            )
        )


def _read_unpinned_torch(
    command: ParsedCommand,
    machine: Machine,
    releases: list[Release],
    reading: _Reading,
    report: CommandReport,
) -> None:
    only = _strict_index_variant(command)
    picked = _newest_fitting(releases, reading.torch_spec, machine, only)
    if picked is None and machine.python:
        # Versions exist, but none for this Python: _check_python says so.
        any_python = dataclasses.replace(machine, python=None)
        picked = _newest_fitting(releases, reading.torch_spec, any_python, only)
    if picked is None:
        return
    reading.release, reading.patch = picked
    reading.torch_version = picked[1].torch
    matching = f" matching {reading.torch_spec}" if reading.torch_spec else ""
    report.findings.append(
        Finding(
            "info",
            f"torch is not pinned: {command.tool} takes the newest version{matching} for Python "
            f"{machine.python}: {picked[1].torch}",
        )
    )


def _pip_variant(
    command: ParsedCommand,
    local: Optional[str],
    machine: Machine,
    reading: _Reading,
    report: CommandReport,
) -> tuple[Optional[str], str]:
    """The build pip (or uv) would take, and what decides it."""
    variant = local or _strict_index_variant(command) or _backend_variant(command)
    if variant:
        return variant, "its local version label" if local else "its index URL"
    if (command.torch_backend or "").lower() == "auto":
        return None, "uv's auto backend (from the driver version alone)"
    platform = reading.release.platforms.get(machine.platform_key) if reading.release else None
    if platform is None or reading.release is None:
        return None, ""
    extra = _index_variant(command)
    if extra and extra in platform.variants:
        return extra, "its extra index URL (when that index has the newest version)"
    if extra:
        report.findings.append(
            Finding(
                "warning",
                f"the extra index ({extra}) has no torch {reading.release.release} build, "
                "so pip takes that version from PyPI instead",
            )
        )
    default = platform.pypi_default
    origin = f"PyPI's default build of {reading.release.release} for {machine.platform_key}"
    report.findings.append(
        Finding(
            "info" if default != "cpu" or not machine.has_nvidia else "warning",
            f"{'' if command.extra_index_urls else 'no index URL: '}{command.tool} installs "
            f"{origin}, which is {default}",
        )
    )
    return default, origin


def _backend_variant(command: ParsedCommand) -> Optional[str]:
    backend = (command.torch_backend or "").lower()
    return backend if _VARIANT_TAG.match(backend) else None


def _note_uv_backend(backend: str, report: CommandReport) -> None:
    if backend.lower() == "auto":
        report.findings.append(
            Finding(
                "warning",
                "uv's --torch-backend auto picks the build from the driver version alone and ignores "
                "the GPU's compute capability: an older GPU can get a build with no kernels for it",
            )
        )


def _exact_pin(requirement: Optional[Requirement]) -> Optional[str]:
    if requirement is None:
        return None
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def _spec_of(requirement: Optional[Requirement]) -> Optional[SpecifierSet]:
    if requirement is None or not str(requirement.specifier):
        return None
    # Local labels take no part in choosing the release.
    text = re.sub(r"\+[A-Za-z0-9.]+", "", str(requirement.specifier))
    return SpecifierSet(text)


def _index_variant(command: ParsedCommand) -> Optional[str]:
    """The PyTorch build named by any index URL of the command."""
    return _variant_in([command.index_url or "", *command.extra_index_urls, *command.find_links])


def _strict_index_variant(command: ParsedCommand) -> Optional[str]:
    """The build named by --index-url or --find-links: the only place those wheels come from."""
    return _variant_in([command.index_url or "", *command.find_links])


def _variant_in(urls: list[str]) -> Optional[str]:
    for url in urls:
        match = _WHL_INDEX.search(url.rstrip("/"))
        if match and _VARIANT_TAG.match(match.group(2)):
            return match.group(2)
    return None


def _check_python(release: Release, machine: Machine, report: CommandReport) -> None:
    platform = release.platforms.get(machine.platform_key)
    if platform is None:
        report.findings.append(
            Finding("error", f"torch {release.release} has no wheels for {machine.platform_key}")
        )
        return
    if machine.python and not _vkey(platform.python_min) <= _vkey(machine.python) <= _vkey(platform.python_max):  # fmt: skip
        report.findings.append(
            Finding(
                "error",
                f"torch {release.release} has wheels for Python {platform.python_min}–"
                f"{platform.python_max}, this Python is {machine.python}: pip finds no matching version",
            )
        )


def _set_variant(
    reading: _Reading, name: Optional[str], origin: str, machine: Machine, report: CommandReport
) -> None:
    reading.variant_name = name
    reading.variant_origin = origin
    if name is None or reading.release is None:
        return
    platform = reading.release.platforms.get(machine.platform_key)
    if platform is None:
        return
    if name not in platform.variants:
        builds = ", ".join(platform.variants)
        report.findings.append(
            Finding(
                "error",
                f"torch {reading.release.release} has no {name} build for {machine.platform_key} "
                f"(builds: {builds}): the install finds no matching version",
            )
        )
        return
    reading.variant = reading.release.variants[name]
    if reading.variant.kind == "cpu" and machine.has_nvidia and not machine.platform_key.startswith("macos"):  # fmt: skip
        report.findings.append(
            Finding(
                "warning",
                "it installs the CPU-only build although this machine has an NVIDIA GPU/driver: "
                "torch.cuda.is_available() will be False",
            )
        )


def _describe_wheels(
    command: ParsedCommand, reading: _Reading, machine: Machine, report: CommandReport
) -> None:
    if reading.torch_version is None:
        report.installs.append("torch: a version envsetup's profiles cannot name")
        return
    variant = reading.variant
    what = f"torch {reading.torch_version}"
    if variant is not None and variant.kind == "cuda":
        what += (
            f", the {variant.name} build (CUDA {variant.cuda}, cuDNN {variant.cudnn or 'unknown'})"
        )
    elif variant is not None and variant.kind == "rocm":
        what += f", the {variant.name} build (ROCm {variant.rocm})"
    elif variant is not None:
        engines = "CPU and MPS" if machine.platform_key.startswith("macos") else "CPU only"
        what += f", the cpu build ({engines})"
    if reading.variant_origin:
        what += f", chosen by {reading.variant_origin}"
    report.installs.append(what)
    for name in ("torchvision", "torchaudio"):
        requirement = command.requirements.get(name)
        if requirement is not None:
            pinned = _exact_pin(requirement)
            report.installs.append(
                f"{name} {pinned}" if pinned else f"{name}: the version pip pairs with that torch"
            )


def _with_conda_python(command: ParsedCommand, machine: Machine) -> Machine:
    """`conda create ... python=3.10` decides the environment's Python, not the running one."""
    op, version = command.conda_specs.get("python", ("", ""))
    parts = version.split(".")
    if op in ("=", "==") and len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return dataclasses.replace(machine, python=f"{parts[0]}.{parts[1]}")
    return machine


def _read_conda(
    command: ParsedCommand, machine: Machine, releases: list[Release], report: CommandReport
) -> _Reading:
    reading = _Reading()
    specs = command.conda_specs
    op, version = specs.get("pytorch", ("", ""))
    toolkit = specs.get("cudatoolkit")
    _conda_findings(command, report)
    spec = _conda_spec_set(op, version)
    reading.torch_spec = spec
    if version and _release_of(version, releases) is None:
        report.findings.append(
            Finding(
                "warning",
                f"pytorch {version} is not in envsetup's profiles (2.0 and later): its builds, "
                "drivers and Python range cannot be checked",
            )
        )
        report.installs.append(f"pytorch {version}, a release envsetup's profiles cannot describe")
        return reading
    if toolkit and not version:
        report.installs.append(
            f"pytorch 1.x with cudatoolkit {toolkit[1]} (the newest build that still uses "
            "cudatoolkit), or nothing"
        )
        return reading
    wanted_variant = _conda_selector_variant(specs)
    picked = _conda_release(releases, spec, machine, wanted_variant)
    if picked is None:
        _no_conda_package(op, version, releases, report)
        return reading
    reading.release, reading.patch = picked
    reading.torch_version = picked[1].torch
    _check_python(reading.release, machine, report)
    if wanted_variant:
        origin = (
            "cpuonly" if wanted_variant == "cpu" else f"pytorch-cuda={specs['pytorch-cuda'][1]}"
        )
        _set_variant(reading, wanted_variant, origin, machine, report)
    elif not toolkit:
        report.findings.append(
            Finding(
                "warning",
                "no pytorch-cuda=X.Y or cpuonly: conda's solver chooses CPU or CUDA by itself; pin one",
            )
        )
    _describe_wheels(command, reading, machine, report)
    return reading


def _conda_findings(command: ParsedCommand, report: CommandReport) -> None:
    toolkit = command.conda_specs.get("cudatoolkit")
    if toolkit:
        report.findings.append(
            Finding(
                "error",
                f"cudatoolkit={toolkit[1] or '?'}: no PyTorch 2.x conda package depends on cudatoolkit "
                "(2.x takes pytorch-cuda=X.Y from -c nvidia), so conda can only satisfy this with a "
                "PyTorch 1.x build or fails to solve",
            )
        )
    if not any("pytorch" in channel for channel in command.channels):
        report.findings.append(
            Finding(
                "warning",
                "no -c pytorch: conda takes pytorch from the default or conda-forge channel, a "
                "different distribution than PyTorch's own (its builds are not in envsetup's profiles)",
            )
        )


def _conda_spec_set(op: str, version: str) -> Optional[SpecifierSet]:
    if not version:
        return None
    if op == "=" and version.count(".") < 2:
        return SpecifierSet(f"=={version}.*")  # conda's "=2.0" means any 2.0.x
    return SpecifierSet(f"=={version}" if op in ("=", "==") else f"{op}{version}")


def _conda_selector_variant(specs: dict[str, tuple[str, str]]) -> Optional[str]:
    selector = specs.get("pytorch-cuda")
    if selector and selector[1]:
        return "cu" + selector[1].replace(".", "")
    return "cpu" if "cpuonly" in specs else None


def _conda_release(
    releases: list[Release],
    spec: Optional[SpecifierSet],
    machine: Machine,
    wanted_variant: Optional[str],
) -> Optional[tuple[Release, Patch]]:
    """The newest pytorch on the channel with the build the selector asks for (the solver's pick)."""
    on_channel = [r for r in releases if r.conda]
    picked = _newest_fitting(on_channel, spec, machine, wanted_variant)
    if picked is None and machine.python:
        # A release that exists but not for this Python: _check_python says so.
        picked = _newest_fitting(on_channel, spec, dataclasses.replace(machine, python=None), wanted_variant)  # fmt: skip
    return picked


def _no_conda_package(
    op: str, version: str, releases: list[Release], report: CommandReport
) -> None:
    newest = max((r for r in releases if r.conda), key=lambda r: _vkey(r.release), default=None)
    last = newest.release if newest else "none"
    wanted = f"pytorch{op}{version}" if version else "pytorch"
    report.findings.append(
        Finding(
            "error",
            f"{wanted}: no package on the pytorch channel fits (the channel's last release is "
            f"{last}; after 2.5 PyTorch publishes no conda packages, pytorch/pytorch #138506)",
        )
    )


# ----------------------------------------------------------------------------- machine checks


def _check_driver_and_gpu(reading: _Reading, machine: Machine, report: CommandReport) -> None:
    variant = reading.variant
    if variant is None or variant.kind != "cuda":
        return
    need = variant.min_driver(machine.system)
    if machine.driver and need and compat.driver_at_least(machine.driver, need) is False:
        report.findings.append(
            Finding(
                "error",
                f"the {variant.name} build needs NVIDIA driver ≥ {need}; this driver is "
                f"{machine.driver}: torch.cuda.is_available() will be False",
            )
        )
    elif not machine.driver and machine.driver_cuda and variant.cuda:
        if _vkey(variant.cuda)[0] > _vkey(machine.driver_cuda)[0]:
            report.findings.append(
                Finding(
                    "error",
                    f"the {variant.name} build needs a CUDA {variant.cuda.split('.')[0]}.x driver; this one supports CUDA {machine.driver_cuda}",
                )
            )
    elif not machine.has_nvidia:
        report.findings.append(
            Finding(
                "warning",
                f"a CUDA build ({variant.name}) on a machine with no NVIDIA GPU or driver found",
            )
        )
    if variant.has_arch_list(machine.platform_key):
        arches = variant.arch_list(machine.platform_key)
        for gpu in machine.gpus:
            if compat.arch_runs(arches, gpu.cc) is None:
                report.findings.append(
                    Finding(
                        "error",
                        f"{gpu.label} {gpu.sm} has no kernels in the {variant.name} build "
                        f"(arch list {';'.join(arches)})",
                    )
                )


def _check_domain_versions(
    command: ParsedCommand, reading: _Reading, releases: list[Release], report: CommandReport
) -> None:
    if reading.release is None or reading.torch_version is None:
        return
    patch = reading.release.patch(reading.torch_version)
    if patch is None:
        return
    for name in ("torchvision", "torchaudio"):
        got = _pinned_domain(command, name)
        if got is None:
            continue
        expected = {patch.torchvision} if name == "torchvision" else {patch.torchaudio}
        if command.tool == "conda":
            expected.add(
                (patch.conda_torchvision if name == "torchvision" else patch.conda_torchaudio) or ""
            )
        if got in expected:
            continue
        owner = _domain_owner(name, got, releases)
        built_for = f" is built for torch {owner}" if owner else " is not in the profiles"
        report.findings.append(
            Finding(
                "error",
                f"{name} {got}{built_for}; torch {reading.torch_version} pairs with {name} "
                f"{getattr(patch, name)}",
            )
        )


def _pinned_domain(command: ParsedCommand, name: str) -> Optional[str]:
    if command.tool == "conda":
        op, version = command.conda_specs.get(name, ("", ""))
        return version if op in ("=", "==") and version else None
    pinned = _exact_pin(command.requirements.get(name))
    return pinned.split("+")[0] if pinned else None


def _domain_owner(name: str, version: str, releases: list[Release]) -> Optional[str]:
    for release in releases:
        for patch in release.patches:
            if version in (getattr(patch, name), getattr(patch, f"conda_{name}")):
                return patch.torch
    return None


# ----------------------------------------------------------------------------- the better command


def _suggest(
    command: ParsedCommand,
    reading: _Reading,
    machine: Machine,
    releases: list[Release],
    report: CommandReport,
) -> None:
    manager = command.tool
    torch = reading.release.release if reading.release else None
    if reading.torch_version and _exact_pin(command.requirements.get("torch")):
        torch = reading.torch_version
    compute = reading.variant_name if reading.variant is not None else "auto"
    if manager == "conda" and reading.release is not None and not reading.release.conda:
        manager = "uv"
    attempts = [
        InstallRequest(torch=torch, compute=compute, manager=manager),
        InstallRequest(torch=torch, compute="auto", manager=manager),
        InstallRequest(torch=torch, compute="auto", manager="uv"),
        InstallRequest(torch=None, compute="auto", manager=manager if manager != "conda" else "uv"),
    ]
    refusal: Optional[ResolutionRefused] = None
    for request in attempts:
        try:
            plan = resolve_for_machine(request, machine, releases)
        except ResolutionRefused as exc:
            refusal = refusal or exc
            continue
        report.suggested_command = render_command(plan)
        flag_torch = request.torch or plan.torch_release
        report.suggested_flags = ["--torch", flag_torch, "--cuda", compute_flag(plan.variant)]
        if plan.manager != "pip":
            report.suggested_flags += ["--manager", plan.manager]
        return
    if refusal is not None:
        report.suggestion_note = f"{refusal.reason} (try: {', '.join(refusal.alternatives)})"


def render_command(plan: Resolution) -> str:
    """The install command a person would type for `plan` (quoted for a POSIX shell)."""
    if plan.manager == "conda":
        words = ["conda", "install", *plan.conda_specs]
        for channel in plan.conda_channels:
            words += ["-c", channel]
    else:
        words = (["uv", "pip", "install"] if plan.manager == "uv" else ["pip", "install"]) + [
            pin.requirement() for pin in plan.pins
        ]
        if plan.index_url:
            words += ["--index-url", plan.index_url]
    return shlex.join(words)


def _vkey(version: str) -> tuple[int, ...]:
    try:
        return Version(version).release
    except ValueError:  # InvalidVersion, or a number too long for int()
        return (0,)
