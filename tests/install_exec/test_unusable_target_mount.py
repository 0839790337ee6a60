"""An --env on a file system the kernel makes up (/proc, /sys) or one mounted read-only: install
and its dry run say it is not a place for an environment (exit 2, before anything runs), not the
"free space there" advice a full disk gets. The mount table is this machine's, read by psutil."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from envsetup.host.files import LOCAL, Mount
from envsetup.install.target import unusable_mount

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="/proc and /sys are Linux's"
)


@pytest.mark.parametrize(
    ("target", "fstype"),
    [("/proc/envsetup-test-env", "proc"), ("/proc", "proc"), ("/sys/envsetup-test-env", "sysfs")],
)
@pytest.mark.parametrize("dry_run", [True, False])
def test_a_pseudo_file_system_is_not_a_place_for_an_environment(
    target: str, fstype: str, dry_run: bool, tmp_path: Path
) -> None:
    argv = [sys.executable, "-m", "envsetup", "install", "--torch", "2.0", "--cuda", "cpu",
            "--env", target, "--log-dir", str(tmp_path / "logs")]  # fmt: skip
    out = subprocess.run(
        argv + (["--dry-run"] if dry_run else []),
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode == 2, out.stdout + out.stderr
    assert out.stderr.count("\n") == 1
    assert (
        f"is a {fstype} file system" in out.stderr
        and "not a place for an environment" in out.stderr
    )
    assert "free space" not in out.stderr and "fix: pass --env a directory on a disk" in out.stderr
    assert not (tmp_path / "logs").exists()  # refused before the log


def test_the_mount_table_is_read() -> None:
    proc = LOCAL.mount_of("/proc/self/status")
    assert proc is not None and (proc.point, proc.fstype) == ("/proc", "proc")
    # A path that does not exist yet: the mount of its nearest existing parent.
    assert LOCAL.mount_of("/proc/no/such/dir") == proc


def test_an_ordinary_directory_is_usable(tmp_path: Path) -> None:
    mount = LOCAL.mount_of(tmp_path / "env")
    assert mount is not None and str(tmp_path).startswith(mount.point)
    assert unusable_mount(tmp_path / "env", mount) is None


def test_a_read_only_mount_is_refused_with_its_own_reason() -> None:
    # A read-only root, as a container started with --read-only has (built by hand: no test
    # may remount this machine's file systems).
    error = unusable_mount(Path("/opt/env"), Mount("/", "overlay", True))
    assert error is not None and "/ is mounted read-only (overlay)" in str(error)
    assert "fix: pass --env a writable directory" in str(error)
    assert unusable_mount(Path("/opt/env"), Mount("/", "overlay", False)) is None
