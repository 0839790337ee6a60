"""Read a pasted install command the way its tool would: shell words, then pip / uv pip / conda.

Pure: text in, ParsedCommand out; nothing is run and nothing about the machine is read. Words come
from shlex (POSIX rules; cmd.exe `^` and PowerShell backtick line continuations are joined first),
requirement specs from packaging.requirements (PEP 508), conda match specs by conda's
`name[op]version[=build]` form.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from typing import Optional
from urllib.parse import unquote, urlsplit

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.tags import Tag
from packaging.utils import InvalidWheelFilename, parse_wheel_filename

from envsetup.errors import UsageError
from envsetup.model.compute_platform import ComputePlatform
from envsetup.model.package_index import read_index_url

TORCH_PACKAGES = ("torch", "torchvision", "torchaudio")

# pip / uv pip options that take a value (the next word unless written --opt=value).
_PIP_VALUE_OPTIONS = {
    "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-r", "--requirement",
    "-c", "--constraint", "-t", "--target", "--prefix", "--root", "--upgrade-strategy",
    "--platform", "--python-version", "--implementation", "--abi", "--trusted-host",
    "--cache-dir", "--src", "--progress-bar", "--log", "--proxy", "--retries", "--timeout",
    "--exists-action", "--report", "-C", "--config-settings", "--global-option",
    "--no-binary", "--only-binary", "-e", "--editable", "--python", "-p", "--torch-backend",
    "--index", "--default-index", "--index-strategy", "--extra-index", "--keyring-provider",
    "--resolution", "--prerelease", "--link-mode", "--exclude-newer", "--override", "--header",
    # uv add's own (https://docs.astral.sh/uv/reference/cli/#uv-add)
    "--group", "--optional", "--package", "--script", "--tag", "--branch", "--rev", "--marker",
    "-m", "--extra", "--bounds", "--directory", "--project", "--config-file", "--constraints",
    "--requirements",
}  # fmt: skip
_CONDA_VALUE_OPTIONS = {
    "-c", "--channel", "-n", "--name", "-p", "--prefix", "--file", "--solver", "--repodata-fn",
}  # fmt: skip
_CONDA_SPEC = re.compile(
    r"^([A-Za-z0-9_.\-]+)(?:\s*(==|=|>=|<=|>|<|!=|~=)\s*([^=\s]+))?(?:=(\S+))?$"
)
# Prompts pasted with the command: an active environment's "(name)", bash's "user@host:dir$".
_ENV_PROMPT = re.compile(r"\([^()\s]+\)")
_SHELL_PROMPT = re.compile(r"\S*[@:]\S*[$#]")
# sudo's options that take a value (the next word): sudo(8).
_SUDO_VALUE_OPTIONS = {"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-T", "-U"}
_PYTHON_PROGRAM = re.compile(r"^(python[\d.]*|py)(\.exe)?$")


@dataclass
class ParsedCommand:
    """One install command, read the way its tool would read it."""

    tool: str  # pip, uv, conda (mamba and micromamba read as conda)
    words: list[str]  # the words after `install` / `create`
    program: str = ""  # the first word as typed: "pip3", ".venv/bin/pip", "python3 -m pip"
    requirements: dict[str, Requirement] = field(default_factory=dict)  # torch packages
    conda_specs: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (op, version)
    # A conda spec's build-string selector: `"pytorch=*=cuda*"` -> {"pytorch": "cuda*"} (conda's
    # match spec `name version build`: '*' is any version, the third part matches the build).
    conda_builds: dict[str, str] = field(default_factory=dict)
    other_packages: list[str] = field(default_factory=list)
    index_url: Optional[str] = None
    extra_index_urls: list[str] = field(default_factory=list)
    # uv's --index (uv add, uv pip install): asked before the default index, and uv takes a
    # package from the first index that has it (index-strategy first-index), so for torch the
    # first one that has torch is its only source (https://docs.astral.sh/uv/concepts/indexes/).
    uv_indexes: list[str] = field(default_factory=list)
    # `uv add`: into the project's own environment (.venv), never the system Python.
    uv_project: bool = False
    find_links: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    torch_backend: Optional[str] = None  # uv --torch-backend
    requirement_files: list[str] = field(default_factory=list)
    wheel_urls: list[str] = field(default_factory=list)  # torch @ URL, or a wheel's URL / path
    # Each torch wheel's file name and the tags it names (PEP 425: python-abi-platform).
    wheel_tags: dict[str, frozenset[Tag]] = field(default_factory=dict)
    # A command before it in the same paste made a virtual environment (python -m venv, uv venv,
    # virtualenv, conda create): the install does not go into the system Python.
    after_new_environment: bool = False
    # The Python of the environment the paste makes (`conda create -n t python=3.11`, as this
    # command or one before it): "3.11"; None when it makes none or does not say.
    python: Optional[str] = None
    # The conda environment the paste makes (`conda create -n NAME`, this command or one before
    # it): its name ("" when not given); None when it makes none.
    conda_create_name: Optional[str] = None

    @property
    def is_conda(self) -> bool:
        return self.tool == "conda"

    @property
    def installs_torch(self) -> bool:
        if not self.is_conda:
            return bool(self.requirements)
        return "pytorch" in self.conda_specs or conda_forge_selector(self.conda_specs) is not None

    @property
    def strict_urls(self) -> list[str]:
        """Where the wheels can only come from: --index-url, --find-links and direct URLs."""
        return [
            url
            for url in [*self.uv_indexes, self.index_url, *self.find_links, *self.wheel_urls]
            if url
        ]

    @property
    def all_urls(self) -> list[str]:
        return [*self.strict_urls, *self.extra_index_urls]

    @property
    def in_system_python(self) -> bool:
        """pip / uv run as a bare name (the PATH's Python), not a path into an environment."""
        return not self.after_new_environment and not re.search(r"[/\\]", self.program)


# ----------------------------------------------------------------------------- shell words


def split_commands(text: str) -> list[list[str]]:
    """Shell words of each command in `text` (split at && ; || | and line breaks).

    UsageError when the text cannot be split (an unclosed quote).
    """
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


def _strip_prefix(words: list[str]) -> tuple[list[str], str]:
    """Drop prompts, sudo, notebook magics and `python -m`: what is left starts with the tool.

    Returns the words and the program as typed ("python3 -m pip", ".venv/bin/pip").
    """
    out = list(words)
    if out and _ENV_PROMPT.fullmatch(out[0]):  # (venv) $ pip ..., (base) C:\> conda ...
        out = out[1:]
    if len(out) >= 2 and out[0] == "PS" and out[1].endswith(">"):  # PS C:\Users\me> pip ...
        out = out[2:]
    elif out and _SHELL_PROMPT.fullmatch(out[0]):  # user@host:~$ pip ...
        out = out[1:]
    while out and out[0] in ("$", ">", "sudo", "!", "%"):
        sudo = out[0] == "sudo"
        out = out[1:]
        while sudo and out and out[0].startswith("-"):  # sudo -H, sudo -E, sudo -u user
            out = out[2:] if out[0] in _SUDO_VALUE_OPTIONS else out[1:]
    if out and out[0][:1] in ("!", "%", ">", "$") and len(out[0]) > 1:
        out[0] = out[0][1:]
    if len(out) >= 2 and out[0] == "py" and re.match(r"^-\d", out[1]):
        out = [out[0], *out[2:]]  # the Windows launcher's version switch: py -3.11 -m pip
    if len(out) >= 3 and _PYTHON_PROGRAM.match(_basename(out[0])) and out[1] == "-m":
        return out[2:], f"{out[0]} -m {out[2]}"
    return out, out[0] if out else ""


def _basename(word: str) -> str:
    return word.replace("\\", "/").split("/")[-1]


def _makes_environment(words: list[str]) -> bool:
    words, _ = _strip_prefix(words)
    if not words:
        return False
    tool = re.sub(r"(\.exe)?$", "", _basename(words[0]))
    return (
        (tool in ("venv", "virtualenv"))
        or (tool == "uv" and words[1:2] == ["venv"])
        or (tool in ("conda", "mamba", "micromamba") and words[1:2] == ["create"])
    )


# ----------------------------------------------------------------------------- install commands


def parse_install(words: list[str]) -> Optional[ParsedCommand]:
    """A ParsedCommand when `words` is a pip / uv pip / conda install (or create), else None."""
    words, program = _strip_prefix(words)
    if not words:
        return None
    tool = re.sub(r"(\.exe)?$", "", _basename(words[0]))
    parsed: Optional[ParsedCommand] = None
    if re.match(r"^pip[\d.]*$", tool) and len(words) > 1 and words[1] == "install":
        parsed = _parse_pip("pip", words[2:])
    elif tool == "uv" and words[1:3] == ["pip", "install"]:
        parsed = _parse_pip("uv", words[3:])
    elif tool == "uv" and words[1:2] == ["add"]:  # the uv docs' form: uv add torch --index URL
        parsed = _parse_pip("uv", words[2:])
        parsed.uv_project = True
    elif tool in ("conda", "mamba", "micromamba") and words[1:2] in (["install"], ["create"]):
        parsed = _parse_conda(words[2:])
        if words[1] == "create":
            parsed.python = conda_python(parsed.conda_specs)
            parsed.conda_create_name = parsed.conda_create_name or ""
    if parsed is not None:
        parsed.program = program
    return parsed


def find_torch_install(text: str) -> ParsedCommand:
    """The first command in `text` that installs torch (pip, uv pip) or pytorch (conda).

    UsageError for empty text, unsplittable text, or text with no such command.
    """
    if not text.strip():
        raise UsageError("check-command: no command given; fix: paste the command in quotes")
    made_environment = False
    made_python: Optional[str] = None
    made_conda: Optional[str] = None
    for words in split_commands(text):
        parsed = parse_install(words)
        if parsed is not None and parsed.installs_torch:
            parsed.after_new_environment = made_environment or parsed.is_conda or parsed.uv_project
            parsed.python = parsed.python or made_python
            if parsed.conda_create_name is None:
                parsed.conda_create_name = made_conda
            return parsed
        made_environment = made_environment or _makes_environment(words)
        if parsed is not None and parsed.conda_create_name is not None:
            made_python, made_conda = parsed.python, parsed.conda_create_name
    raise UsageError(
        "check-command: no pip, uv pip, uv add or conda install of torch/pytorch found in "
        f"{text.strip()!r}; fix: paste the install command itself, in quotes"
    )


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
    if name == "--index" and parsed.tool == "uv":
        # `--index URL` or `--index NAME=URL` (uv's named index)
        named = re.match(r"^[A-Za-z0-9_.\-]+=(.+)$", value)
        parsed.uv_indexes.append(named.group(1) if named else value)
    elif name in ("-i", "--index-url", "--default-index", "--index"):
        # pip reads `--index` as --index-url: optparse takes an unambiguous prefix of an option
        parsed.index_url = value
    elif name in ("--extra-index-url", "--extra-index"):
        parsed.extra_index_urls.append(value)
    elif name in ("-f", "--find-links"):
        parsed.find_links.append(value)
    elif name == "--torch-backend":
        parsed.torch_backend = value
    elif name in ("-r", "--requirement"):
        parsed.requirement_files.append(value)


def _pip_requirement(parsed: ParsedCommand, word: str) -> None:
    try:
        requirement: Optional[Requirement] = Requirement(word)
    except InvalidRequirement:
        requirement = None
    location = requirement.url if requirement is not None else word
    if not location and word.lower().endswith(".whl"):
        # A wheel file by path: `torch-1.10.0-cp36-cp36m-linux_aarch64.whl` is also a valid
        # project name to packaging, but pip installs the file (NVIDIA's JetPack 4 form).
        location = word
    if location:  # `torch @ URL` or a bare wheel URL / path: the wheel's name pins the version
        wheel = _wheel_pin(location)
        if wheel is not None:
            requirement, filename, tags = wheel
            parsed.wheel_urls.append(location)
            parsed.wheel_tags[filename] = tags
    if requirement is None:
        parsed.other_packages.append(word)
        return
    name = requirement.name.lower().replace("_", "-")
    if name in TORCH_PACKAGES:
        parsed.requirements[name] = requirement
    else:
        parsed.other_packages.append(word)


def _wheel_pin(location: str) -> Optional[tuple[Requirement, str, frozenset[Tag]]]:
    """(`torch==2.2.0+cu121`, the file name, its tags) for a wheel's URL or path
    (`.../torch-2.2.0%2Bcu121-cp310-cp310-linux_x86_64.whl`, the wheel file name as PEP 427
    spells it); None for anything else (a source tree, git)."""
    name = unquote(urlsplit(location).path).replace("\\", "/").rsplit("/", 1)[-1]
    if not name.endswith(".whl"):
        return None
    try:
        project, version, _, tags = parse_wheel_filename(name)
    except InvalidWheelFilename:
        return None
    return Requirement(f"{project}=={version}"), name, tags


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
            elif name in ("-n", "--name"):
                parsed.conda_create_name = value
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
    if version == "*":  # "pytorch=*=cuda*": any version (the build string selects)
        op, version = "", ""
    parsed.conda_specs[name] = (op, version)
    if match.group(4):
        parsed.conda_builds[name] = match.group(4)


# ----------------------------------------------------------------------------- reading specs


def exact_pin(requirement: Optional[Requirement]) -> Optional[str]:
    """'2.1.0+cu121' for torch==2.1.0+cu121; None for a range, a wildcard or no requirement."""
    if requirement is None:
        return None
    specs = list(requirement.specifier)
    if len(specs) == 1 and specs[0].operator in ("==", "===") and "*" not in specs[0].version:
        return specs[0].version
    return None


def public_version(version: str) -> str:
    """'2.1.0+cu121' -> '2.1.0'."""
    return version.split("+")[0]


def local_label(version: Optional[str]) -> Optional[str]:
    """'2.1.0+cu121' -> 'cu121'; None without a label."""
    return version.split("+", 1)[1] if version and "+" in version else None


def version_range(requirement: Optional[Requirement]) -> Optional[SpecifierSet]:
    """The versions a requirement allows, local labels dropped (they take no part in choosing the
    release); None when it allows any."""
    if requirement is None or not str(requirement.specifier):
        return None
    text = re.sub(r"\+[A-Za-z0-9.]+", "", str(requirement.specifier))
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def conda_version_range(op: str, version: str) -> Optional[SpecifierSet]:
    """A conda version constraint as a SpecifierSet: conda's `=2.0` means any 2.0.x."""
    if not version:
        return None
    if op == "=" and version.count(".") < 2:
        text = f"=={version}.*"
    else:
        text = f"=={version}" if op in ("=", "==") else f"{op}{version}"
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def conda_selector_platform(specs: dict[str, tuple[str, str]]) -> Optional[str]:
    """The build conda's selector package asks for: pytorch-cuda=11.8 -> cu118, cpuonly -> cpu."""
    selector = specs.get("pytorch-cuda")
    if selector and selector[1]:
        found = ComputePlatform.for_cuda(selector[1])
        return found.tag if found else None
    return "cpu" if "cpuonly" in specs else None


# conda-forge's metapackages that choose its own build of pytorch: pytorch-gpu the CUDA build,
# pytorch-cpu the CPU one ("pytorch-cuda is the same as our pytorch-gpu package",
# conda-forge/pytorch-cpu-feedstock #187).
CONDA_FORGE_SELECTORS = ("pytorch-gpu", "pytorch-cpu")


def conda_forge_selector(specs: dict[str, tuple[str, str]]) -> Optional[str]:
    """'pytorch-gpu' / 'pytorch-cpu' when the command names conda-forge's metapackage, else None."""
    return next((name for name in CONDA_FORGE_SELECTORS if name in specs), None)


def conda_forge_package(command: ParsedCommand) -> Optional[str]:
    """The conda-forge package that brings pytorch: its metapackage ('pytorch-gpu' /
    'pytorch-cpu'), or 'pytorch' when conda-forge is the channel pytorch comes from (named before
    any pytorch channel, or `conda-forge::pytorch`: conda takes a package from the first channel
    that has it, https://docs.conda.io/projects/conda/en/latest/user-guide/tasks/manage-channels.html).
    None for PyTorch's channel, or no channel named (the default channel: not judged here)."""
    selector = conda_forge_selector(command.conda_specs)
    if selector is not None:
        return selector
    for channel in command.channels:
        name = channel.rstrip("/").rsplit("/", 1)[-1].lower()
        if name == "conda-forge":
            return "pytorch"
        if "pytorch" in name:
            return None
    # No channel named, and a cudaXY* build string: only conda-forge names its pytorch builds so
    # (cuda126_generic_py312_...; the pytorch channel's are py3.X_cudaX.Y_..., Anaconda's
    # gpu_cuda...), so it is Miniforge's default channel: `mamba install "pytorch=*=cuda12*"
    # "libtorch=2.4.1"` (conda-forge/pytorch-cpu-feedstock #338).
    builds = [command.conda_builds.get(name, "").lower() for name in ("pytorch", "libtorch")]
    if any(build.startswith("cuda") for build in builds):
        return "pytorch"
    return None


def conda_forge_build(command: ParsedCommand) -> Optional[str]:
    """'cuda' / 'cpu' when the command requires conda-forge's CUDA or CPU build: pytorch-gpu /
    pytorch-cpu, or a build string on pytorch or libtorch (`"pytorch=*=cuda*"`,
    `"libtorch=*=cuda12*"`; conda-forge's builds are named cuda126_generic_py312_..., cpu_...:
    https://conda-forge.org/docs/user/cuda/, conda-forge/pytorch-cpu-feedstock #338). None: the
    solver chooses, by the __cuda virtual package."""
    selector = conda_forge_selector(command.conda_specs)
    if selector is not None:
        return "cuda" if selector == "pytorch-gpu" else "cpu"
    for name in ("pytorch", "libtorch"):
        build = command.conda_builds.get(name, "").lower().lstrip("*")
        if build.startswith("cuda"):
            return "cuda"
        if build.startswith("cpu"):
            return "cpu"
    return None


def conda_forge_cuda_major(command: ParsedCommand) -> Optional[int]:
    """The CUDA major the command asks of conda-forge's build: `cuda-version=12`, or a build
    string's `cuda12*` / `cuda126*` / `cuda118*` (conda-forge names its builds cudaXY(Z)_...);
    None when it names none (`cuda*`)."""
    op, version = command.conda_specs.get("cuda-version", ("", ""))
    major = version.split(".")[0]
    if op in ("=", "==") and major.isdigit():
        return int(major)
    for name in ("pytorch", "libtorch"):
        found = re.match(r"^\*?cuda(\d+)", command.conda_builds.get(name, "").lower())
        if found:
            digits = found.group(1)
            return (
                int(digits[:2]) if digits.startswith("1") and len(digits) >= 2 else int(digits[0])
            )
    return None


def conda_forge_build_spec(command: ParsedCommand) -> Optional[str]:
    """The spec that selects conda-forge's build, as typed ('pytorch-gpu', 'libtorch=*=cuda12*')."""
    selector = conda_forge_selector(command.conda_specs)
    if selector is not None:
        return selector
    for name in ("pytorch", "libtorch"):
        if name in command.conda_builds:
            _op, version = command.conda_specs.get(name, ("", ""))
            return f"{name}={version or '*'}={command.conda_builds[name]}"
    return None


def conda_python(specs: dict[str, tuple[str, str]]) -> Optional[str]:
    """`conda create ... python=3.10` decides the environment's Python: '3.10'."""
    op, version = specs.get("python", ("", ""))
    parts = version.split(".")
    if op in ("=", "==") and len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
        return f"{parts[0]}.{parts[1]}"
    return None


def index_platform(urls: list[str]) -> Optional[str]:
    """The compute platform the first index URL that names one serves ('.../whl/cu121',
    a mirror's '.../pytorch-wheels/cu118' -> 'cu118'), else None (envsetup.model.package_index)."""
    for url in urls:
        platform = read_index_url(url).platform
        if platform is not None:
            return platform
    return None


def is_prerelease_index(url: str) -> bool:
    """PyTorch's nightly or test index (pre-release builds), or a mirror of one."""
    return read_index_url(url).prerelease
