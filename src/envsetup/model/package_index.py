"""Which torch builds a package index URL serves, read from the URL alone: the one reading
check-command and install share.

PyTorch publishes one index per compute platform, https://download.pytorch.org/whl/<platform>
(cu121, rocm6.2, cpu; nightly and test builds under /whl/nightly/ and /whl/test/), and its root
/whl lists every build. Mirrors keep that layout under their own prefix, so the URL's last path
segment names the build there too:
- Aliyun https://mirrors.aliyun.com/pytorch-wheels/cu121/ (ComfyUI's docs, "Torch Mirror",
  https://docs.comfy.org/installation/desktop/windows);
- SJTU https://mirror.sjtu.edu.cn/pytorch-wheels/cu113 ("upstream download.pytorch.org/whl",
  sjtug/mirror-requests #133 https://github.com/sjtug/mirror-requests/issues/133, used as an
  index in #288 https://github.com/sjtug/mirror-requests/issues/288);
- NJU https://mirror.nju.edu.cn/pytorch/whl/cu130/ (Moeblack/AnimaImagineSkill's README,
  https://github.com/Moeblack/AnimaImagineSkill);
- TUNA /pytorch-wheels/cu111/ (tuna/issues #2145 https://github.com/tuna/issues/issues/2145);
- a company or home proxy: ".../pytorch/whl/cu128" on a LAN cache, as in the same kind of notes.
A public mirror of PyPI serves PyPI's files, so PyPI's default build of each release ("pytorch
only uploads one variant to PyPI", tuna/issues #1050 https://github.com/tuna/issues/issues/1050,
on https://pypi.tuna.tsinghua.edu.cn/simple). Any other URL names no build: which one it serves
cannot be told (a devpi or Artifactory index may proxy PyPI, PyTorch's index, or both).
Pure.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Optional
from urllib.parse import unquote, urlsplit

from envsetup.model.compute_platform import ComputePlatform
from envsetup.model.jetson import is_jetson_build

PYTORCH_HOST = "download.pytorch.org"
# Hosts and path prefixes of public PyPI mirrors (each with the page that names it as one).
PYPI_MIRRORS: tuple[tuple[str, str, str], ...] = (
    ("pypi.org", "", "https://pypi.org/simple"),
    ("pypi.python.org", "", "https://pypi.org/simple"),
    ("pypi.tuna.tsinghua.edu.cn", "", "https://github.com/tuna/issues/issues/1050"),
    ("mirrors.tuna.tsinghua.edu.cn", "/pypi/", "https://github.com/tuna/issues/issues/1050"),
    # The next four: ComfyUI's docs, "PyPI Mirror" (https://docs.comfy.org/installation/desktop/windows).
    ("mirrors.aliyun.com", "/pypi/", "https://docs.comfy.org/installation/desktop/windows"),
    ("mirrors.cloud.tencent.com", "/pypi/", "https://docs.comfy.org/installation/desktop/windows"),
    ("pypi.mirrors.ustc.edu.cn", "", "https://docs.comfy.org/installation/desktop/windows"),
    ("pypi.sjtu.edu.cn", "", "https://docs.comfy.org/installation/desktop/windows"),
)
# Trailing path parts that are not the build's name: PEP 503's /simple, the find-links page.
_NOT_THE_BUILD = ("simple", "+simple", "torch_stable.html")


class IndexKind(str, enum.Enum):
    PYTORCH = "pytorch"  # download.pytorch.org/whl[/<platform>]
    PYTORCH_MIRROR = "pytorch-mirror"  # another host whose path ends in the build's name
    PYPI = "pypi"  # PyPI or a public mirror of it: PyPI's default build
    JETSON = "jetson"  # NVIDIA's Jetson builds (envsetup.model.jetson)
    UNKNOWN = "unknown"  # the URL names no build

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class IndexReading:
    """What an index URL says about the torch builds behind it."""

    url: str
    kind: IndexKind
    platform: Optional[str] = None  # the compute platform tag it serves ("cu121"), when named
    prerelease: bool = False  # a nightly or test index

    @property
    def build_unknown(self) -> bool:
        """Which build pip takes from it cannot be told from the URL."""
        return self.platform is None and self.kind is not IndexKind.PYPI


def read_index_url(url: str) -> IndexReading:
    """The reading of one --index-url / --extra-index-url / --find-links value."""
    text = url.strip()
    if is_jetson_build(None, text):
        return IndexReading(text, IndexKind.JETSON)
    parts = urlsplit(text if "://" in text else f"//{text}")
    host = (parts.hostname or "").lower()
    segments = [unquote(s) for s in parts.path.split("/") if s]
    while segments and segments[-1].lower() in _NOT_THE_BUILD:
        segments.pop()
    last = segments[-1].lower() if segments else ""
    found = ComputePlatform.try_parse(last) if last != "mps" else None
    if found is not None:
        kind = IndexKind.PYTORCH if host == PYTORCH_HOST else IndexKind.PYTORCH_MIRROR
        prerelease = len(segments) >= 2 and segments[-2].lower() in ("nightly", "test")
        return IndexReading(text, kind, last, prerelease)
    if host == PYTORCH_HOST:
        prerelease = any(s.lower() in ("nightly", "test") for s in segments)
        return IndexReading(text, IndexKind.PYTORCH, None, prerelease)
    if pypi_mirror_source(text) is not None:
        return IndexReading(text, IndexKind.PYPI)
    return IndexReading(text, IndexKind.UNKNOWN)


def pypi_mirror_source(url: str) -> Optional[str]:
    """The source naming `url` as PyPI or a public mirror of it; None for any other URL."""
    parts = urlsplit(url.strip() if "://" in url else f"//{url.strip()}")
    host, path = (parts.hostname or "").lower(), parts.path + "/"
    for mirror_host, prefix, source in PYPI_MIRRORS:
        if host == mirror_host and path.startswith(prefix or "/"):
            return source
    return None
