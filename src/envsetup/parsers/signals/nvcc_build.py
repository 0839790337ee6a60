"""What a CUDA build (a torch extension's setup.py, CMake, a Makefile, pycuda) says when nvcc
itself cannot run or cannot target an architecture.

- nvcc's "nvcc fatal : Unsupported gpu architecture 'compute_86'" (CUDA 11.x and later) and
  "nvcc fatal : Value 'sm_89' is not defined for option 'gpu-architecture'" (older nvcc, or
  `-arch sm_XX`): the nvcc release does not know that compute capability (too new for it, or
  dropped by it). Real: zai-org/VisualGLM-6B #94, facebookresearch/3detr #59, GBGPU #7,
  inducer/pycuda #440, HazyResearch/butterfly #23 (tests/fixtures/paste/errors/SOURCES.tsv).
  A value that is no capability ('[sm_61]', 'arch': a typo in a command) is not this signal.
- the build's nvcc path does not exist: setuptools' "'/usr/local/cuda-11.0/bin/nvcc': No such
  file or directory" / "unable to execute '.../bin/nvcc': No such file or directory" and
  torch.utils.cpp_extension's subprocess "FileNotFoundError: [Errno 2] No such file or
  directory: ':/usr/local/cuda:/usr/local/cuda-10.1/bin/nvcc'" (CUDA_HOME + '/bin/nvcc': a
  CUDA_HOME that is a ':'-list, NVIDIA/apex #368; lbin/DCNv2 #25).
"""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.capability import ComputeCapability
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals._scan import bounded, indices, signal

KIND = "build-error"

_Q = "['\u2018\u2019\"`]"  # the quotes a paste or a Chinese IME leaves around a value
_UNSUPPORTED = lazy(r"Unsupported gpu architecture\s*" + _Q + r"?((?:compute|sm)_(\d{2,3})[af]?)\b")
_NOT_DEFINED = lazy(
    r"Value\s+" + _Q + r"((?:compute|sm)_(\d{2,3})[af]?)" + _Q
    + r"\s+is not defined for option\s+" + _Q + r"gpu-architecture"
)  # fmt: skip
# The nvcc the build ran: setuptools' "error: command '/usr/local/cuda/bin/nvcc' failed", or
# the command line it printed ("/usr/local/cuda/bin/nvcc -I... -c x.cu ...").
_NVCC_PATH = lazy(r"(?<![\w.+-])((?:[A-Za-z]:)?[\\/][^\s'\"]{0,300}?[\\/]bin[\\/]nvcc(?:\.exe)?)\b")
# The arch flags of that command line: -gencode=arch=compute_35,code=sm_35, -arch=sm_70.
_FLAG_ARCH = lazy(r"(?:arch=|-arch[= ]|code=\[?)(?:compute|sm)_(\d{2,3})")
_NEAR = 3  # lines before the error that may hold the command it failed on


def _capability(digits: str) -> Optional[str]:
    found = ComputeCapability.try_parse(digits)
    return str(found) if found else None


def _unsupported_arch(lines: Sequence[Line], index: int) -> list[Signal]:
    text = lines[index].text
    match = _UNSUPPORTED.search(text) or _NOT_DEFINED.search(text)
    if not match:
        return []
    capability = _capability(match.group(2))
    if capability is None:
        return []
    cited = [lines[index].number]
    nvcc_path: Optional[str] = None
    listed: list[str] = []
    window = range(max(0, index - _NEAR), min(len(lines), index + 3))
    for at in window:
        line = lines[at].text
        path = _NVCC_PATH.search(line)
        if path and nvcc_path is None:
            nvcc_path = bounded(path.group(1))
        if at < index and ("nvcc" in line or "-gencode" in line):
            flags = [_capability(d) for d in _FLAG_ARCH.findall(line)]
            if flags:
                cited.append(lines[at].number)
                listed += [f for f in dict.fromkeys(flags) if f and f not in listed]
    return [
        signal(
            "nvcc-unsupported-gpu-arch",
            KIND,
            sorted(cited),
            arch=match.group(1),
            capability=capability,
            # as nvcc words it, quotes made plain ('compute_86' for a pasted ‘compute_86‘)
            said=f"Value '{match.group(1)}' is not defined for option 'gpu-architecture'"
            if match.re.pattern == _NOT_DEFINED.pattern
            else f"Unsupported gpu architecture '{match.group(1)}'",
            nvcc_path=nvcc_path,
            listed=sorted(listed, key=lambda c: ComputeCapability.parse(c)) or None,
        )
    ]


# "'/usr/local/cuda-11.0/bin/nvcc': No such file or directory" (setuptools/distutils spawn, also
# "unable to execute '...': No such file or directory" and "error: command '...' failed: No such
# file or directory"); "No such file or directory: '...nvcc'" (Python's FileNotFoundError from
# subprocess).
_NVCC_QUOTED = _Q + r"([^'\u2018\u2019\"`]{1,300}?[\\/]bin[\\/]nvcc(?:\.exe)?)" + _Q
# a CUDA_HOME holding quotes itself, inside setuptools' double quotes: "'/usr/local/cuda'/bin/nvcc"
_NVCC_DOUBLE_QUOTED = r'"([^"]{1,300}?[\\/]bin[\\/]nvcc(?:\.exe)?)"'
_MISSING_BEFORE = lazy(
    r"(?:"
    + _NVCC_QUOTED
    + r"|"
    + _NVCC_DOUBLE_QUOTED
    + r")(?: failed)?:? No such file or directory"
)
_MISSING_AFTER = lazy(r"No such file or directory:\s*" + _NVCC_QUOTED)


def _is_list(root: str) -> bool:
    """Whether a CUDA_HOME is a PATH-style list (':/usr/local/cuda:/usr/local/cuda-10.1'), not
    one directory (a Windows drive's 'C:' is no separator)."""
    rest = root[2:] if len(root) > 1 and root[1] == ":" and root[0].isalpha() else root
    return ":" in rest or ";" in rest


def _nvcc_missing(lines: Sequence[Line], index: int) -> list[Signal]:
    text = lines[index].text
    match = _MISSING_BEFORE.search(text) or _MISSING_AFTER.search(text)
    if not match:
        return []
    path = next(g for g in match.groups() if g).strip()
    root = path.rsplit("/bin/", 1)[0] if "/bin/" in path else path.rsplit("\\bin\\", 1)[0]
    return [
        signal(
            "nvcc-not-found",
            KIND,
            [lines[index].number],
            path=bounded(path),
            cuda_home=bounded(root) if root else None,
            listed=True if _is_list(root) else None,
            quoted=True if any(q in root for q in "'\"") else None,
        )
    ]


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    found: list[Signal] = []
    for index in indices(lines, hits):
        text = lines[index].text
        if "gpu architecture" in text or "gpu-architecture" in text:
            found += _unsupported_arch(lines, index)
        if "No such file or directory" in text and "nvcc" in text:
            found += _nvcc_missing(lines, index)
    return found
