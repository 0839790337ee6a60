"""What torch build is installed, read from its files without importing torch."""

from __future__ import annotations

import ast
import re
import warnings
from typing import TYPE_CHECKING, Dict, Optional, Tuple, Union

from envsetup.digits import is_small_int
from envsetup.parsers import ParseError
from envsetup.parsers._text import complete_lines

if TYPE_CHECKING:
    from packaging.requirements import Requirement

VersionValue = Union[str, bool, None]

# The names torch/version.py assigns (rocm and xpu appeared in 2.x releases).
_VERSION_NAMES = ("__version__", "cuda", "hip", "rocm", "xpu", "git_version", "debug")


def _constant_assignments(tree: ast.Module) -> Dict[str, VersionValue]:
    found: dict[str, VersionValue] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, value = node.target, node.value
        else:
            continue
        if not (isinstance(target, ast.Name) and target.id in _VERSION_NAMES):
            continue
        # Only literals: anything computed is not what torch's build script writes.
        if isinstance(value, ast.Constant) and isinstance(value.value, (str, bool, type(None))):
            found[target.id] = value.value
    return found


def parse_torch_version_py(text: str) -> Dict[str, VersionValue]:
    """`__version__`, `cuda`, `hip`, `git_version`, `debug` (and `rocm`, `xpu` when present).

    Parsed with `ast`, never executed. ParseError when the file is not valid Python or has no
    literal `__version__`.
    """
    try:
        # Invalid escapes in damaged text make the compiler warn; a parser must not print.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        reason = getattr(error, "msg", None) or type(error).__name__
        raise ParseError(
            f"torch/version.py is not valid Python ({reason}): file cut or damaged"
        ) from None
    found = _constant_assignments(tree)
    if not isinstance(found.get("__version__"), str):
        raise ParseError("torch/version.py has no literal __version__: not torch's version file")
    return found


_CUDA_LOCAL = re.compile(r"cu(\d+)(\d)")
_ROCM_LOCAL = re.compile(r"rocm(\d+(?:\.\d+)*)")
_PUBLIC_VERSION = re.compile(r"\d+(?:\.\d+)*(?:(?:a|b|rc)\d+)?(?:\.post\d+)?(?:\.dev\d+)?")


def flavor_from_local_version(version: str) -> Tuple[str, Optional[str]]:
    """The build flavour a torch version's local part names.

    "2.4.0+cu121" -> ("cuda", "12.1"); "+cpu" -> ("cpu", None); "+rocm6.2" -> ("rocm", "6.2");
    "+xpu" -> ("xpu", None); no local part -> ("none-local", None); any other local part (a
    source build's "+git1234abc") -> ("other", None).
    """
    public, _, local = version.strip().partition("+")
    if not _PUBLIC_VERSION.fullmatch(public):
        raise ParseError(f"{version[:40]!r} is not a torch version")
    if not local:
        return ("none-local", None)
    first = local.split(".")[0]
    cuda = _CUDA_LOCAL.fullmatch(first)
    if cuda and is_small_int(cuda.group(1)):
        return ("cuda", f"{int(cuda.group(1))}.{cuda.group(2)}")
    rocm = _ROCM_LOCAL.fullmatch(local)
    if rocm:
        return ("rocm", rocm.group(1))
    if first == "cpu":
        return ("cpu", None)
    if first == "xpu":
        return ("xpu", None)
    return ("other", None)


# PEP 508 names for what doctor's facts call the operating system.
_SYS_PLATFORM = {"Linux": "linux", "Windows": "win32", "Darwin": "darwin"}
_OS_NAME = {"Windows": "nt"}


def marker_environment(
    *,
    system: str,
    machine: str,
    python_version: str,
    implementation: str = "CPython",
    release: str = "",
) -> Dict[str, str]:
    """The PEP 508 marker values of the environment torch is installed in, from doctor's facts.

    `system` and `machine` are what Python's platform module says there ("Linux", "aarch64";
    "Windows", "AMD64"), `python_version` is the target interpreter's "X.Y.Z" (not envsetup's
    own), `implementation` its platform.python_implementation() ("CPython", "PyPy"). `extra` is
    empty: the extras of a torch wheel are not installed with it. Names and values: PEP 508,
    "Environment Markers".
    """
    short = ".".join(python_version.split(".")[:2])
    return {
        "os_name": _OS_NAME.get(system, "posix"),
        "sys_platform": _SYS_PLATFORM.get(system, system.lower()),
        "platform_system": system,
        "platform_machine": machine,
        "platform_release": release,
        "platform_version": "",
        "platform_python_implementation": implementation,
        "implementation_name": implementation.lower(),
        "implementation_version": python_version,
        "python_version": short,
        "python_full_version": python_version,
        "extra": "",
    }


_REQUIRES_DIST = "requires-dist:"
# A Requires-Dist naming an nvidia-* distribution (PEP 503: "-", "_" and "." are one separator).
# packaging.utils.canonicalize_name's rule, without importing packaging.tags (and logging).
_PEP_503_SEPARATORS = re.compile(r"[-_.]+")
_NVIDIA_NAME = re.compile(r"[ \t]*nvidia[-_.]", re.IGNORECASE)


# Pythons a torch wheel may be for, when the facts lack the target's version.
_SOME_PYTHONS = tuple(f"3.{minor}" for minor in range(8, 17))


def _applies(requirement: Requirement, environment: Dict[str, str]) -> bool:
    from packaging.markers import UndefinedComparison, UndefinedEnvironmentName
    from packaging.version import InvalidVersion

    marker = requirement.marker
    if marker is None:
        return True
    known = _PUBLIC_VERSION.fullmatch(environment.get("python_full_version", ""))
    # Every key is given: packaging fills a missing one from envsetup's own interpreter.
    tried = (
        [environment]
        if known
        else [
            {**environment, "python_version": v, "python_full_version": f"{v}.0"}
            for v in _SOME_PYTHONS
        ]
    )
    try:
        # Without the target's version: kept when it applies to some Python.
        return any(marker.evaluate(values) for values in tried)
    except (InvalidVersion, UndefinedComparison, UndefinedEnvironmentName):
        return True  # a value packaging cannot compare: the wheel lists it, nothing rules it out


def _exact_pin(requirement: Requirement) -> Optional[str]:
    clauses = list(requirement.specifier)
    if len(clauses) != 1 or clauses[0].operator not in ("==", "===") or "*" in clauses[0].version:
        return None
    return clauses[0].version


def parse_metadata_requires(text: str, environment: Dict[str, str]) -> Dict[str, str]:
    """The `nvidia-*` pins of a dist-info METADATA that apply in `environment` (see
    marker_environment): {"nvidia-cudnn-cu12": "9.1.0.70", ...}, names normalised (PEP 503).

    Each Requires-Dist is read by packaging.requirements and its marker evaluated by
    packaging.markers for the target environment, so `or`, parentheses, platform_machine and
    python_version count as pip counts them. Requirements behind an extra are left out. Only the
    header is read (the description after the first blank line may quote anything), and only lines
    that end in a newline (a last line without one may have been cut mid-version).
    """
    pins: dict[str, str] = {}
    for line in complete_lines(text):
        if not line.strip():
            break
        value = line[len(_REQUIRES_DIST) :]
        if line[: len(_REQUIRES_DIST)].lower() != _REQUIRES_DIST or not _NVIDIA_NAME.match(value):
            continue
        # Imported here: packaging's requirement parser costs doctor tens of milliseconds, and a
        # CPU torch (or none) names no nvidia-* distribution.
        from packaging.requirements import InvalidRequirement, Requirement

        try:
            requirement = Requirement(value.strip())
        except InvalidRequirement:
            continue
        name = _PEP_503_SEPARATORS.sub("-", requirement.name).lower()
        pin = _exact_pin(requirement)
        if pin and _applies(requirement, environment):
            pins[name] = pin
    return pins


__all__ = [
    "flavor_from_local_version",
    "marker_environment",
    "parse_metadata_requires",
    "parse_torch_version_py",
]
