"""The parsed-profile cache (profiles/files.py read_profile_cached): the same tables as parsing,
a profile changed on disk read afresh, and nothing broken when the cache cannot be written."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from typing import Optional

import pytest

from envsetup.host.machine import THIS_MACHINE
from envsetup.profiles import files
from envsetup.profiles.files import ProfileError, read_profile_toml, read_release_table

SHIPPED = Path(__file__).resolve().parents[2] / "profiles"


@pytest.fixture
def cache_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def _cached_files(home: Path) -> list[Path]:
    return sorted((home / "envsetup" / "profiles").glob("*.json"))


def test_every_shipped_profile_reads_the_same_from_the_cache(cache_home: Path) -> None:
    for path in sorted(SHIPPED.glob("torch-*.toml")):
        parsed = read_profile_toml(path)
        assert files.read_profile_cached(path) == parsed  # parsed, then written
        assert files.read_profile_cached(path) == parsed  # from the cache
    assert len(_cached_files(cache_home)) == len(list(SHIPPED.glob("torch-*.toml")))


def test_the_second_read_does_not_parse(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = next(SHIPPED.glob("torch-*.toml"))
    first = files.read_profile_cached(path)

    def no_parse(_: Path) -> dict:
        raise AssertionError("parsed although cached")

    monkeypatch.setattr(files, "read_profile_toml", no_parse)
    assert files.read_profile_cached(path) == first


def test_a_changed_profile_is_read_again(cache_home: Path, tmp_path: Path) -> None:
    directory = tmp_path / "profiles"
    directory.mkdir()
    source = next(SHIPPED.glob("torch-*.toml"))
    release = source.stem.removeprefix("torch-")
    target = directory / source.name
    shutil.copyfile(source, target)
    before = read_release_table(release, directory)
    assert before is not None
    target.write_text(target.read_text() + '\n[extra]\nnote = "edited"\n')
    after = read_release_table(release, directory)
    assert after is not None and after["extra"] == {"note": "edited"}
    # Same size, other content, another mtime: the key still tells them apart.
    target.write_text(target.read_text().replace('"edited"', '"EDITED"'))
    stamp = os.stat(target).st_mtime_ns + 1_000_000_000
    os.utime(target, ns=(stamp, stamp))
    assert read_release_table(release, directory)["extra"] == {"note": "EDITED"}


def test_a_bad_profile_is_an_error_every_time_and_never_cached(
    cache_home: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "torch-9.9.toml"
    bad.write_text("[platforms\n")
    for _ in range(2):
        with pytest.raises(ProfileError, match="not valid TOML"):
            read_release_table("9.9", tmp_path)
    assert _cached_files(cache_home) == []
    assert read_release_table("9.8", tmp_path) is None  # no such file: no profile, no error


def test_an_unwritable_cache_still_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the cache directory would go\n")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    path = next(SHIPPED.glob("torch-*.toml"))
    assert files.read_profile_cached(path) == read_profile_toml(path)


def test_a_corrupt_cache_entry_is_parsed_again(cache_home: Path) -> None:
    path = next(SHIPPED.glob("torch-*.toml"))
    expected = files.read_profile_cached(path)
    for entry in _cached_files(cache_home):
        entry.write_text('{"key": ')
    assert files.read_profile_cached(path) == expected


def test_no_cache_when_asked(cache_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(files.NO_CACHE_ENV, "1")
    path = next(SHIPPED.glob("torch-*.toml"))
    assert files.read_profile_cached(path) == read_profile_toml(path)
    assert _cached_files(cache_home) == []


@pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the XDG rule is applied by hand on Linux only"
)
@pytest.mark.parametrize("value", [None, "", "  ", "/tmp/xdg-cache", "relative/dir", " /tmp/y "])
def test_the_cache_directory_is_platformdirs_own(
    value: Optional[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import platformdirs

    if value is None:
        monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    else:
        monkeypatch.setenv("XDG_CACHE_HOME", value)
    expected = platformdirs.user_cache_dir("envsetup", appauthor=False)
    assert THIS_MACHINE.user_cache_dir("envsetup") == expected
