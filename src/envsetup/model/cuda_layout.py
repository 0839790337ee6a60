"""What doctor read about the CUDA libraries torch loads and the toolkit layout around them.

Facts.cuda_layout: the libraries torch's nvidia-* wheels installed, the other copies of the same
sonames the dynamic loader could take instead (LD_LIBRARY_PATH, ld.so.cache), /usr/local/cuda
links that point nowhere, and toolkits whose version files and nvcc disagree. Plain data; the
judgement is diagnose/library_shadow_rules.py's and diagnose/toolkit_layout_rules.py's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

# LibraryCopy.via: where the loader meets the copy (ld.so(8), "Description": LD_LIBRARY_PATH is
# searched before a library's DT_RUNPATH, /etc/ld.so.cache after it).
VIA_LD_LIBRARY_PATH = "LD_LIBRARY_PATH"
VIA_LD_CACHE = "ld.so.cache"


@dataclass
class WheelLibrary:
    """One shared library an nvidia-* wheel brings for torch (libnvJitLink.so.12 of
    nvidia-nvjitlink-cu12 12.4.127)."""

    project: str  # the wheel's project name, PEP 503-normalised: "nvidia-nvjitlink-cu12"
    version: Optional[str]  # the installed wheel's version, else torch's pin; None: unknown
    soname: str  # "libnvJitLink.so.12"
    path: str  # where the wheel put it ("" when the wheel is pinned but its files are missing)
    source: (
        str  # "dist-info RECORD", "dist-info + lib/ listing", "torch METADATA pin + lib/ listing"
    )


@dataclass
class LibraryCopy:
    """A file of the same soname as a torch wheel library, in the loader's search order."""

    soname: str
    path: str  # the file the loader would open ("/usr/local/cuda-12.1/lib64/libnvJitLink.so.12")
    directory: str  # the LD_LIBRARY_PATH entry or the cache entry's directory
    via: str  # VIA_LD_LIBRARY_PATH or VIA_LD_CACHE
    version: Optional[str] = None  # "12.1.105"; None: unknown
    version_source: str = (
        ""  # "file name", "version.json libnvjitlink", "CUDA 12.1.1 toolkit (version.json)"
    )
    wheel_own: bool = False  # it is the wheel's own file (its directory put on LD_LIBRARY_PATH)


@dataclass
class DanglingLink:
    """A toolkit link whose target is gone (/usr/local/cuda -> a removed /usr/local/cuda-11.8)."""

    path: str
    target: str


@dataclass
class ToolkitNvccVersion:
    """A toolkit whose version files and whose own nvcc were both read."""

    path: str  # the toolkit root
    files_version: str  # "12.1.1"
    files_source: str  # "version.json", "version.txt"
    nvcc: str  # the nvcc that was asked
    nvcc_version: str  # "12.4.131"


@dataclass
class CudaLayoutFacts:
    torch_libraries: list[WheelLibrary] = field(default_factory=list)
    library_copies: list[LibraryCopy] = field(default_factory=list)
    # "command:ldconfig -p" when the loader's cache was read; "" when not (no CUDA torch wheels,
    # no ldconfig, a recording without it)
    ld_cache_source: str = ""
    dangling_links: list[DanglingLink] = field(default_factory=list)
    toolkit_nvcc: list[ToolkitNvccVersion] = field(default_factory=list)
