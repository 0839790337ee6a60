"""Where packages come from: the resolution's index URL, optionally moved onto a mirror.

`--index-url-base` (or ENVSETUP_INDEX_URL_BASE) replaces the https://download.pytorch.org/whl
prefix of every index URL, so one mirror of the official per-variant indexes (`<base>/cpu`,
`<base>/cu118`, ...) serves every plan: offline and air-gapped installs. A resolution that uses
the default index (PyPI: macOS, or the CUDA build PyPI itself carries) gets `<base>/<variant>`,
because a mirror laid out like download.pytorch.org/whl has no PyPI and holds that variant's
wheels (and, like the official indexes, their dependencies) under the variant's name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Optional
from urllib.parse import ParseResult, urlparse

from envsetup.errors import UsageError
from envsetup.host import environment
from envsetup.host.files import LOCAL, Files
from envsetup.model.package_index import IndexKind, read_index_url
from envsetup.resolve.resolution import Resolution
from envsetup.sanitize import reveals_secret

PYTORCH_INDEX_PREFIX = "https://download.pytorch.org/whl"
PYPI_INDEX = "https://pypi.org/simple"
INDEX_URL_BASE_ENV = "ENVSETUP_INDEX_URL_BASE"


def index_url_base_from(explicit: Optional[str], environ: Mapping[str, str]) -> Optional[str]:
    """The flag wins over the environment variable; an empty value means 'not set'."""
    chosen = explicit if explicit else environ.get(INDEX_URL_BASE_ENV, "")
    return chosen.strip() or None


def as_index_location(base: str, cwd: Optional[str] = None, host_files: Files = LOCAL) -> str:
    """A URL as given, or a local directory (path or file:// URL) as an absolute file:// URL.

    pip and uv both accept `file:///...` for a PEP 503 tree; pip rejects a bare path.
    """
    parsed = urlparse(base)
    reading = read_index_url(base)
    if parsed.scheme in ("http", "https") and reading.platform is not None:
        # <base>/<variant> is appended: a base that is already one build's index would give
        # .../cu118/cu121 (Aliyun's and SJTU's pages give per-build URLs, package_index).
        root = base.rstrip("/").rsplit("/", 1)[0]
        raise UsageError(
            f"--index-url-base {base!r} is the index of one build ({reading.platform}); "
            f"give the mirror's root that holds <root>/cpu, <root>/cu121, ...: {root}"
        )
    if parsed.scheme in ("http", "https", "file"):
        return normalised_url(parsed).rstrip("/")
    # A Windows drive letter parses as a one-letter scheme: it is a path.
    if parsed.scheme and len(parsed.scheme) > 1:
        raise UsageError(
            f"--index-url-base {base!r}: unsupported scheme {parsed.scheme!r}; "
            "use an http(s):// URL, a file:// URL or a local directory"
        )
    path = Path(base)
    if not path.is_absolute():
        path = (Path(cwd) if cwd else host_files.cwd()) / path
    return host_files.realpath(path).as_uri()


def normalised_url(parsed: ParseResult) -> str:
    """The URL with its scheme and host in lower case, user-info, port and path as written.

    Scheme and host are case-insensitive (RFC 3986), but uv takes `HTTP://...` for no index it
    knows and sends no request: every tool gets the one spelling all of them read alike.
    """
    userinfo, at, hostport = parsed.netloc.rpartition("@")
    netloc = userinfo + at + hostport.lower()
    return parsed._replace(scheme=parsed.scheme.lower(), netloc=netloc).geturl()


def carries_credentials(url: str) -> bool:
    """Whether `url` holds anything envsetup redacts in its output — user-info (`user:token@`),
    a path token (`/t/<token>/`), a secret query value (`?token=…`), a known secret: then it must
    not go on a command line, which every local user can read in /proc/PID/cmdline. One rule
    with the redaction, so a credential the output hides is never shown there."""
    return reveals_secret(url)


def local_directory_of(location: str) -> Optional[Path]:
    """The directory a file:// location names, or None for a remote index."""
    parsed = urlparse(location)
    if parsed.scheme != "file":
        return None
    from urllib.request import url2pathname

    return Path(url2pathname(parsed.path))


def effective_index_url(index_url: Optional[str], variant: str, base: Optional[str]) -> str:
    """The one index an install may use. Pure: `base` must already be a location (see above)."""
    if base is None:
        return index_url.rstrip("/") if index_url else PYPI_INDEX
    base = base.rstrip("/")
    if not index_url:
        return f"{base}/{variant}"
    url = index_url.rstrip("/")
    own = url == PYTORCH_INDEX_PREFIX or url.startswith(PYTORCH_INDEX_PREFIX + "/")
    if own and read_index_url(url).kind is IndexKind.PYTORCH:
        return base + url[len(PYTORCH_INDEX_PREFIX) :]
    # Some other index (a company mirror the profile names): the base does not apply to it.
    return url


def index_url_used(
    resolution: Resolution, index_url_base: Optional[str], host_files: Files = LOCAL
) -> Optional[str]:
    """The index URL the install's steps will use: the resolution's, or its mirror under
    --index-url-base / ENVSETUP_INDEX_URL_BASE (None for conda). Raises UsageError for a mirror
    that cannot be used, as provision() would."""
    location = index_location(resolution, index_url_base, environment(), host_files)
    if resolution.manager == "conda":
        return None
    return effective_index_url(resolution.index_url, resolution.variant, location)


def index_location(
    resolution: Resolution,
    index_url_base: Optional[str],
    environ: Mapping[str, str],
    host_files: Files,
) -> Optional[str]:
    """The --index-url-base mirror as an index location (a URL, or a file: URL for a local
    directory); None without one. Raises UsageError for conda, a local mirror that is not a
    directory, or one that lacks the directory of the build the plan uses (<base>/<platform>: a
    flat folder of wheels is not laid out like download.pytorch.org/whl). An http(s) mirror is not
    asked: the resolve step reaches it and says what it lacks."""
    base = index_url_base_from(index_url_base, environ)
    if base is None:
        return None
    if resolution.manager == "conda":
        raise UsageError(
            f"--index-url-base {base}: applies to pip and uv indexes, not conda channels; "
            "mirror conda channels with conda's own channel_alias setting"
        )
    location = as_index_location(base, host_files=host_files)
    directory = local_directory_of(location)
    if directory is not None and not host_files.is_dir(directory):
        raise UsageError(
            f"--index-url-base {base}: {directory} is not a directory; "
            "point it at a local mirror laid out like download.pytorch.org/whl (<base>/cpu, ...)"
        )
    if directory is not None:
        _check_build_directory(base, location, resolution, host_files)
    return location


def _check_build_directory(
    base: str, location: str, resolution: Resolution, host_files: Files
) -> None:
    used = effective_index_url(resolution.index_url, resolution.variant, location)
    build_directory = local_directory_of(used)
    if not used.startswith(location) or build_directory is None:
        return  # an index the base does not apply to (a company index the profile names)
    if host_files.is_dir(build_directory):
        return
    platform = used[len(location) :].strip("/") or resolution.variant
    wheels = host_files.glob(local_directory_of(location) or build_directory, "*.whl")
    what = (
        f"it holds wheels directly (a flat folder of {len(wheels)} .whl files)"
        if wheels
        else f"it has no {platform}/ directory"
    )
    raise UsageError(
        f"--index-url-base {base}: {what}, but this plan reads {build_directory} (the {platform} "
        f"build's index); fix: lay the mirror out like download.pytorch.org/whl, "
        f"{platform}/torch/<wheel>.whl with an index.html in each directory (PEP 503), and pass "
        f"the folder that holds {platform}/"
    )
