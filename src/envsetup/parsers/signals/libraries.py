"""Shared libraries the dynamic loader could not find or could not link.

Formats: glibc's dlopen errors ("libX.so.N: cannot open shared object file: No such file or
directory", "<lib>: undefined symbol: S, version V") as Python's ImportError / OSError and
cuDNN's own loader ("Could not load library X. Error: Y: cannot open shared object file");
Windows' loader as Python raises it: torch's own preload, `OSError: [WinError 126] The specified
module could not be found. Error loading "...\\torch\\lib\\fbgemm.dll" or one of its
dependencies.` (torch/__init__.py, `_load_dll_libraries`; pytorch/pytorch#131662, #133397), and
an extension module's `ImportError: DLL load failed while importing _C: ...` (CPython 3.8+,
Python/dynload_win.c; before 3.8 "DLL load failed: ...").
"""

from __future__ import annotations

import re
from typing import Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals._scan import indices, runs_to_cut, signal

KIND = "library-error"

# The lookbehind starts a name only at a name boundary, which keeps the search linear.
_CANNOT_OPEN = lazy(
    r"(?<![\w.+-])([\w.+-]{1,200}\.so(?:\.\d{1,6}){0,4}): cannot open shared object file"
)
_COULD_NOT_LOAD = lazy(r"Could not load library ([\w.+-]{1,200}\.so[\w.]{0,20})\. Error: ")
# ld.so's own message when a program cannot start: "./trt_infer: error while loading shared
# libraries: libcudnn.so.8: cannot open shared object file" (glibc elf/dl-load.c).
_LOADER = lazy(r"(?:^|\s)([^\s:]{1,300}): error while loading shared libraries: ")
# The name must be followed by a delimiter: a cut line never yields a shortened symbol.
_UNDEFINED = lazy(r"undefined symbol: (\w{1,300})(?:, version ([\w.]{1,100}))?")
# Windows: "[WinError 126] <message>. Error loading "<path>" or one of its dependencies."; the
# message is localised ("找不到指定的模块。"), the number and the torch wording are not.
_WIN_ERROR = lazy(r"\[WinError (\d{1,5})\]")
_ERROR_LOADING = lazy(r'Error loading "([^"\n]{1,400})" or one of its dependencies')
_DLL_IMPORT = lazy(r"DLL load failed(?: while importing ([\w.]{1,100}))?: ?(.{0,200})")
# glibc's loader when a library needs a newer glibc than the system's: "/lib64/libm.so.6: version
# `GLIBC_2.27' not found (required by .../libcurand.so.10)" (pytorch/pytorch #150724; quoted
# 'GLIBC_2.14' in #14274). The version needs its closing quote: a cut line gives no version.
_GLIBC = lazy(
    r"(?:([\w.+/-]{1,300}): )?version [`'\u2018]GLIBC_(\d{1,2}\.\d{1,3})['`\u2019] not found"
    r"(?: \(required by ([^\s()]{1,400})\))?"
)
# glibc's other wording of the same failure (dl-lookup.c): "<lib>: symbol S version V not defined
# in file F with link time reference" (hpcaitech/ColossalAI #4059: libcublas.so.11 wanting
# cublasLtHSHMatmulAlgoInit of libcublasLt.so.11, an older copy of which was found first).
_NOT_DEFINED = lazy(
    r"symbol (\w{1,300}),? version ([\w.]{1,100}) not defined in file [\w.+-]{1,200} with link"
    r" time reference"
)
# "__nvJitLinkAddData_12_1": the API version the caller was built against.
_SYMBOL_VERSION = lazy(r"_(\d{1,2})_(\d{1,2})$")


def _library_before(text: str, at: int) -> Optional[str]:
    """The library named just before ": undefined symbol" ("/x/libcusparse.so.12: undefined ...")."""
    before = text[:at].rstrip()
    if not before.endswith(":"):
        return None
    words = before[:-1].split()
    name = words[-1] if words else ""
    if ".so" not in name:
        return None
    # A system library's file name starts with "lib"; a Python extension's does not
    # ("_C.cpython-38-x86_64-linux-gnu.so"), but then its whole path is printed. Anything else
    # is a name cut short.
    whole_path = name.startswith("/") and ".so" in _basename(name)
    return name if whole_path or _basename(name).startswith("lib") else None


def _basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _owner(library: str) -> Optional[str]:
    """The family a CUDA library belongs to ("libcudnn_ops_infer.so.8" -> "cudnn")."""
    name = _basename(library).lower()
    for family in (
        "cudnn",
        "cublaslt",
        "cublas",
        "cusparse",
        "cufft",
        "curand",
        "cusolver",
        "nvjitlink",
        "nvrtc",
        "cudart",
        "nccl",
        "cupti",
        "nvtoolsext",
        "cuda",
        "nvidia-ml",  # NVML, the driver's like libcuda
    ):
        if name.startswith("lib" + family):
            return {"cublaslt": "cublas", "nvidia-ml": "nvml"}.get(family, family)
    return None


# torch's own code loading its libraries: a warning from a module of the torch package
# (".../torch/nn/modules/conv.py:456: UserWarning: ... libcudnn_cnn_infer.so.8: cannot open"),
# or a frame of torch/__init__.py (_load_global_deps, _preload_cuda_deps) in the traceback above.
_TORCH_WARNING = lazy(r"[/\\]torch[/\\][\w/\\.-]{0,200}\.py:\d{1,6}: \w{0,40}Warning:")
_TORCH_LOADER = (
    "torch/__init__.py",
    "torch\\__init__.py",
    "_load_global_deps",
    "_preload_cuda_deps",
)
_FRAMES_REACH = 40  # lines above the error that may be its traceback


def _by_torch(lines: Sequence[Line], index: int) -> bool:
    """Whether torch itself tried to load the library on lines[index]."""
    if _TORCH_WARNING.search(lines[index].text):
        return True
    for line in reversed(lines[max(0, index - _FRAMES_REACH) : index]):
        text = line.text.strip()
        if not text:
            return False  # a traceback has no blank line: the frames above are another text's
        if any(mark in text for mark in _TORCH_LOADER):
            return True
        if text.startswith("Traceback (most recent call last)"):
            return False
    return False


def _dll_signal(line: Line) -> Optional[Signal]:
    """Windows could not load a DLL (or one it depends on): torch's preload of its own DLLs or
    an extension module's import. None when the line says neither."""
    text = line.text
    loading = _ERROR_LOADING.search(text) if "Error loading" in text else None
    dll_import = _DLL_IMPORT.search(text) if "DLL load failed" in text else None
    if loading is None and dll_import is None:
        return None
    code = _WIN_ERROR.search(text)
    path = loading.group(1) if loading else None
    name = re.split(r"[\\/]", path)[-1] if path else None
    in_torch = bool(path) and re.search(r"[\\/]torch[\\/]lib[\\/]", path or "") is not None
    return signal(
        "library-dll-load-failed",
        KIND,
        [line.number],
        library=name,
        path=path,
        winerror=int(code.group(1)) if code else None,
        module=dll_import.group(1) if dll_import else None,
        torch_lib=in_torch or None,
    )


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    found: list[Signal] = []
    for index in indices(lines, hits):
        line = lines[index]
        text = line.text
        if "Error loading" in text or "DLL load failed" in text:
            dll = _dll_signal(line)
            if dll is not None:
                found.append(dll)
        if "cannot open shared object file" in text:
            missing = _CANNOT_OPEN.search(text)
            loading = _COULD_NOT_LOAD.search(text)
            if missing and missing.group(1).startswith("lib"):
                library = missing.group(1)
                needed_by = loading.group(1) if loading and loading.group(1) != library else None
                program = _LOADER.search(text)
                found.append(
                    signal(
                        "library-not-found",
                        KIND,
                        [line.number],
                        library=library,
                        family=_owner(library),
                        needed_by=needed_by,
                        program=program.group(1) if program else None,
                        in_torch=True if _by_torch(lines, index) else None,
                    )
                )
        if "GLIBC_" in text and "not found" in text:
            glibc = _glibc_signal(lines, line)
            if glibc is not None:
                found.append(glibc)
        if "with link time reference" in text:
            defined = _NOT_DEFINED.search(text)
            if defined:
                in_library = _library_before(text, defined.start())
                version = _SYMBOL_VERSION.search(defined.group(1))
                found.append(
                    signal(
                        "library-undefined-symbol",
                        KIND,
                        [line.number],
                        symbol=defined.group(1),
                        symbol_library=defined.group(2),
                        family=_owner(defined.group(2)),
                        library=_basename(in_library) if in_library else None,
                        library_path=in_library,
                        api_version=f"{version.group(1)}.{version.group(2)}" if version else None,
                    )
                )
        if "undefined symbol: " in text:
            match = _UNDEFINED.search(text)
            if match:
                symbol: Optional[str] = match.group(1)
                symbol_library = match.group(2)
                if runs_to_cut(lines, line, match.end(1)):
                    symbol = None  # the name may be cut short
                if symbol_library and runs_to_cut(lines, line, match.end(2)):
                    symbol_library = None
                version = _SYMBOL_VERSION.search(symbol or "")
                in_library = _library_before(text, match.start())
                found.append(
                    signal(
                        "library-undefined-symbol",
                        KIND,
                        [line.number],
                        symbol=symbol,
                        symbol_library=symbol_library,
                        family=_owner(symbol_library or ""),
                        library=_basename(in_library) if in_library else None,
                        library_path=in_library,
                        api_version=f"{version.group(1)}.{version.group(2)}" if version else None,
                    )
                )
    return found


def _glibc_signal(lines: Sequence[Line], line: Line) -> Optional[Signal]:
    """`version 'GLIBC_X.Y' not found (required by P)`: P was built for a newer glibc than the
    system's. P is cut short when the paste stops inside it (then unnamed)."""
    match = _GLIBC.search(line.text)
    if not match:
        return None
    required_by = match.group(3)
    if required_by and runs_to_cut(lines, line, match.end(3) + 1):
        required_by = None
    name = _basename(required_by) if required_by else None
    # A library's file name starts with "lib"; anything else is a name the paste cut short.
    library = _basename(match.group(1)) if match.group(1) else None
    return signal(
        "library-glibc-too-old",
        KIND,
        [line.number],
        need=match.group(2),
        library=library if library and library.startswith("lib") else None,
        required_by=required_by,
        required_by_name=name,
        in_torch=True if required_by and "/torch/" in required_by else None,
        family=_owner(name) if name else None,
    )
