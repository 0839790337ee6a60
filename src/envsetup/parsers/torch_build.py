"""What torch build is installed, read from its files without importing torch."""

from __future__ import annotations

import ast
import re
import warnings
from typing import Dict, Optional, Tuple, Union

from envsetup.digits import is_small_int
from envsetup.parsers import ParseError

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


# "nvidia-cudnn-cu12==9.1.0.70; platform_system == ..." and the 2.1-2.3 form
# "nvidia-cudnn-cu12 (==8.9.2.26) ; platform_system == ...". The version must be followed by
# something, or it may have been cut.
# Each run of blanks sits between two required tokens, so matching stays linear.
_NVIDIA_PIN = re.compile(
    r"Requires-Dist:[ \t]*(nvidia-[A-Za-z0-9._-]+)[ \t]*(?:\[[^\]]*\][ \t]*)?(?:\([ \t]*)?"
    r"===?[ \t]*([^\s;,()]+)(?=[\s;,)])"
)
_PLATFORM_SYSTEM = re.compile(r"platform_system\s*==\s*[\"']([^\"']*)[\"']")
_SYS_PLATFORM = re.compile(r"sys_platform\s*==\s*[\"']([^\"']*)[\"']")
_EXTRA = re.compile(r"\bextra\s*==")


def _marker_excludes_linux(line: str) -> bool:
    _, _, marker = line.partition(";")
    if _EXTRA.search(marker):
        return True  # optional extras are not installed with torch itself
    system = _PLATFORM_SYSTEM.search(marker)
    if system and system.group(1) != "Linux":
        return True
    platform = _SYS_PLATFORM.search(marker)
    return bool(platform and not platform.group(1).startswith("linux"))


def parse_metadata_requires(text: str) -> Dict[str, str]:
    """The `nvidia-*` pins of a dist-info METADATA: {"nvidia-cudnn-cu12": "9.1.0.70", ...}.

    Requirements behind an extra, or behind a marker for another OS, are left out; the marker text
    itself is not kept. Only the header is read: the description after the first blank line may
    quote anything.
    """
    pins: dict[str, str] = {}
    for line in text.splitlines(keepends=True):
        if not line.strip():
            break
        match = _NVIDIA_PIN.match(line)
        if match and not _marker_excludes_linux(line):
            pins[match.group(1).lower()] = match.group(2)
    return pins


__all__ = ["flavor_from_local_version", "parse_metadata_requires", "parse_torch_version_py"]
