from __future__ import annotations

from pathlib import Path

import pytest

from envsetup.errors import UsageError
from envsetup.install.index_url import (
    PYPI_INDEX,
    as_index_location,
    effective_index_url,
    index_url_base_from,
    local_directory_of,
)


def test_without_a_base_the_resolution_index_is_used_as_is() -> None:
    url = "https://download.pytorch.org/whl/cu118"
    assert effective_index_url(url, "cu118", None) == url
    assert effective_index_url(url + "/", "cu118", None) == url


def test_without_a_base_and_without_an_index_pypi_is_named_explicitly() -> None:
    # Named, not left to pip's default: a machine-wide index-url must not stand in for PyPI.
    assert effective_index_url(None, "cu121", None) == PYPI_INDEX


@pytest.mark.parametrize(
    ("index_url", "variant", "expected"),
    [
        ("https://download.pytorch.org/whl/cu118", "cu118", "https://mirror.lan/whl/cu118"),
        (
            "https://download.pytorch.org/whl/rocm5.4.2",
            "rocm5.4.2",
            "https://mirror.lan/whl/rocm5.4.2",
        ),
        (
            "https://download.pytorch.org/whl/nightly/cu121",
            "cu121",
            "https://mirror.lan/whl/nightly/cu121",
        ),
        (None, "cu121", "https://mirror.lan/whl/cu121"),
        ("https://download.pytorch.org/whl/", "cpu", "https://mirror.lan/whl"),
        ("https://pypi.example.org/simple", "cpu", "https://pypi.example.org/simple"),
    ],
)
def test_the_base_replaces_the_official_prefix(index_url: str, variant: str, expected: str) -> None:
    assert effective_index_url(index_url, variant, "https://mirror.lan/whl/") == expected


def test_a_prefix_lookalike_is_not_rewritten() -> None:
    url = "https://download.pytorch.org/whlx/cu118"
    assert effective_index_url(url, "cu118", "https://mirror.lan") == url


def test_a_local_directory_becomes_an_absolute_file_url(tmp_path: Path) -> None:
    (tmp_path / "mirror").mkdir()
    assert (
        as_index_location("mirror", cwd=str(tmp_path)) == (tmp_path / "mirror").resolve().as_uri()
    )
    assert as_index_location(str(tmp_path)) == tmp_path.resolve().as_uri()
    assert local_directory_of(as_index_location(str(tmp_path))) == tmp_path.resolve()


def test_urls_are_kept() -> None:
    assert as_index_location("https://mirror.lan/whl/") == "https://mirror.lan/whl"
    assert as_index_location("file:///srv/whl/") == "file:///srv/whl"
    assert local_directory_of("https://mirror.lan/whl") is None


def test_an_unsupported_scheme_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unsupported scheme 'ftp'"):
        as_index_location("ftp://mirror.lan/whl")


def test_the_flag_wins_over_the_environment_variable() -> None:
    environ = {"ENVSETUP_INDEX_URL_BASE": "/srv/env-mirror"}
    assert index_url_base_from("/srv/flag-mirror", environ) == "/srv/flag-mirror"
    assert index_url_base_from(None, environ) == "/srv/env-mirror"
    assert index_url_base_from(None, {"ENVSETUP_INDEX_URL_BASE": "  "}) is None
    assert index_url_base_from(None, {}) is None


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("HTTP://Mirror.LAN:8080/Whl/", "http://mirror.lan:8080/Whl"),
        (
            "Https://CI-User:ToKeN-Mixed@Mirror.Lan/whl",
            "https://CI-User:ToKeN-Mixed@mirror.lan/whl",
        ),
        ("FILE:///srv/Mirror/whl", "file:///srv/Mirror/whl"),
        ("hTtPs://[::1]:8443/whl?Sig=AbC", "https://[::1]:8443/whl?Sig=AbC"),
    ],
)
def test_scheme_and_host_are_lower_cased_and_the_rest_kept(base: str, expected: str) -> None:
    # Scheme and host are case-insensitive, but uv sends no request for `HTTP://`: every tool
    # gets one spelling. User-info, path and query are case-sensitive and kept as written.
    assert as_index_location(base) == expected
    assert effective_index_url(None, "cpu", as_index_location(base)) == expected + "/cpu"


def test_an_uppercase_unsupported_scheme_is_named_in_lower_case() -> None:
    with pytest.raises(UsageError, match="unsupported scheme 'ftp'"):
        as_index_location("FTP://mirror.lan/whl")
