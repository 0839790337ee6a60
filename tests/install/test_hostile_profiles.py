"""A hostile ENVSETUP_PROFILES_DIR: every command ends in one ProfileError line, never hangs.

Each kind of bad file (too deep, not UTF-8, a FIFO, huge, a link to /dev/zero, a directory) takes
the place of one real profile; install, check-command and doctor run as real processes on a
recorded host whose torch is that release, with a timeout that a hang would trip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from envsetup.profiles.loader import PROFILES_ENV, profiles_dir
from hostbuilder import HostSpec
from scripts import run_envsetup

RELEASE = "2.2"
SITE = "/home/u/.venv/lib/python3.11/site-packages"


def _deep_arrays(path: Path) -> None:
    path.write_text("a = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")


def _deep_tables(path: Path) -> None:
    path.write_text("a = " + "{b = " * 3000 + "1" + "}" * 3000 + "\n", encoding="utf-8")


def _deep_dotted_keys(path: Path) -> None:
    # Legal TOML that tomllib parses without recursion: the depth check must still refuse it.
    shipped = (profiles_dir() / f"torch-{RELEASE}.toml").read_text(encoding="utf-8")
    path.write_text(shipped + "\n[deep]\n" + ".".join(["k"] * 3000) + " = 1\n", encoding="utf-8")


def _symlink_loop(path: Path) -> None:
    path.symlink_to(path.name)


def _not_utf8(path: Path) -> None:
    shipped = (profiles_dir() / f"torch-{RELEASE}.toml").read_bytes()
    path.write_bytes(shipped + b'\nnote = "caf\xe9 \xff"\n')


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _huge(path: Path) -> None:
    with path.open("wb") as handle:  # sparse: 100 MB on paper, nothing on disk
        handle.truncate(100 * 1024 * 1024)


def _dev_zero(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _directory(path: Path) -> None:
    path.mkdir()


KINDS: dict[str, tuple[Callable[[Path], None], str]] = {
    "nested-arrays": (_deep_arrays, "nested too deep"),
    "nested-tables": (_deep_tables, "nested too deep"),
    "nested-dotted-keys": (_deep_dotted_keys, "nested too deep"),
    "invalid-utf8": (_not_utf8, "not UTF-8"),
    "symlink-loop": (_symlink_loop, "cannot be opened (Too many levels of symbolic links)"),
    "fifo": (_fifo, "a FIFO, not a regular file"),
    "100MB": (_huge, "100.0 MiB, more than the 1.0 MiB allowed"),
    "dev-zero": (_dev_zero, "a character device, not a regular file"),
    "directory": (_directory, "a directory, not a regular file"),
}

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev/zero are POSIX")


def hostile_profiles(tmp_path: Path, kind: str) -> Path:
    directory = tmp_path / "profiles"
    directory.mkdir()
    for shipped in profiles_dir().glob("torch-*.toml"):
        if shipped.name != f"torch-{RELEASE}.toml":
            shutil.copy(shipped, directory)
    KINDS[kind][0](directory / f"torch-{RELEASE}.toml")
    return directory


def host_with_torch_2_2(tmp_path: Path) -> str:
    spec = HostSpec(
        python="/home/u/.venv/bin/python",
        python_version="3.11.7",
        prefix="/home/u/.venv",
        site_packages=[SITE],
    )
    spec.markers.append("/home/u/.venv/pyvenv.cfg")
    spec.torch_wheel(SITE, "torch/version.py-2.2.1+cu121.txt")
    return spec.write(tmp_path / "host")


def run_cli(profiles: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # The timeout: a FIFO opened without O_NONBLOCK would block here for good.
    return run_envsetup(*args, env={PROFILES_ENV: str(profiles)}, timeout=60)


COMMANDS = {
    "install": ["install", "--dry-run", "--torch", RELEASE],
    "check-command": ["check-command", "pip install torch==2.2.1"],
    "doctor": ["doctor"],
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_bad_profile_is_one_line_naming_the_file_the_reason_and_the_fix(
    tmp_path: Path, kind: str, command: str
) -> None:
    profiles = hostile_profiles(tmp_path, kind)
    host = host_with_torch_2_2(tmp_path)
    out = run_cli(profiles, *COMMANDS[command], "--replay", host)
    assert out.returncode == 2, out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    bad_file = str(profiles / f"torch-{RELEASE}.toml")
    assert lines[0].startswith(f"envsetup: {bad_file}: {KINDS[kind][1]}"), lines[0]
    assert "fix: " in lines[0]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_under_json_the_bad_profile_is_the_envelope_error(tmp_path: Path, command: str) -> None:
    profiles = hostile_profiles(tmp_path, "fifo")
    out = run_cli(profiles, *COMMANDS[command], "--json", "--replay", host_with_torch_2_2(tmp_path))
    assert out.returncode == 2, out.stderr
    document = json.loads(out.stdout)
    assert document["exit_code"] == 2
    assert document["error"]["kind"] == "usage"
    assert "a FIFO, not a regular file" in document["error"]["message"]


def test_a_missing_profile_leaves_doctor_without_a_build_but_no_error(tmp_path: Path) -> None:
    profiles = hostile_profiles(tmp_path, "fifo")
    (profiles / f"torch-{RELEASE}.toml").unlink()
    out = run_cli(profiles, "doctor", "--json", "--replay", host_with_torch_2_2(tmp_path))
    assert out.returncode in (0, 1), out.stderr
    assert json.loads(out.stdout)["error"] is None


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "nested-arrays", "invalid-utf8"])
def test_a_damaged_cuda_driver_table_is_one_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    from envsetup import compat
    from envsetup.errors import EnvsetupError

    damaged = tmp_path / "cuda_drivers.toml"
    KINDS[kind][0](damaged)
    monkeypatch.setattr(compat, "DATA", damaged)
    compat._table.cache_clear()
    try:
        with pytest.raises(
            EnvsetupError, match=r"cuda_drivers\.toml: envsetup's CUDA driver table"
        ):
            compat.min_driver_for_torch_cuda("12.1", "Linux")
    finally:
        compat._table.cache_clear()
