"""What a user put into or near an install target survives whatever envsetup finds there.

Real installs (uv) from a real local index, killed with kill -9 mid-install; records planted as
a FIFO, a link to /dev/zero, JSON nested 200,000 deep and invalid UTF-8; targets under a directory
that cannot be searched or through a file; relative state directories. The CLI runs as a real
process, so its exit code and its one line are what a user sees.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Optional

import pytest

from envsetup.errors import UsageError
from envsetup.install.record import read_install_record
from envsetup.verified_install import provision

from .helpers import env_python, landed, resolution_for, snapshot, wait_for_lock_release

CHILD = Path(__file__).with_name("provision_child.py")
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX signals, FIFOs and /dev/zero")
PYTHON = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _paused_new_install(tmp_path: Path, env: Path, index: Path) -> subprocess.Popen[bytes]:
    """A new install in a child process, paused while its installer runs."""
    marker = tmp_path / f"paused-{time.monotonic_ns()}"
    resolution = resolution_for("cu118", env, projects=("torch",))
    with marker.with_suffix(".out").open("w") as out:
        child = subprocess.Popen(
            [
                *(sys.executable, str(CHILD), json.dumps(resolution.to_dict())),
                *(str(index), str(tmp_path / "logs"), str(marker)),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while not marker.exists():
        if child.poll() is not None or time.monotonic() > deadline:
            child.kill()
            child.wait()
            pytest.fail(f"the install never reached its installer: {marker.with_suffix('.out')}")
        time.sleep(0.02)
    return child


def _kill_9_a_new_install(tmp_path: Path, env: Path, index: Path) -> None:
    """A new install, killed with SIGKILL while its installer runs; returns once the orphaned
    installer let go of the target's lock."""
    child = _paused_new_install(tmp_path, env, index)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=60)
    wait_for_lock_release(env)
    assert read_install_record(env)["state"] == "incomplete"  # type: ignore[index]


def _plain_install(env: Path, index: Path, tmp_path: Path, **flags: bool) -> object:
    return provision(
        resolution_for("cpu", env, projects=("torch",)),
        index_url_base=str(index),
        log_dir=str(tmp_path / "logs"),
        **flags,
    )


def _cli(
    args: list[str], environ: dict[str, str], cwd: Optional[Path] = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "envsetup", *args],
        capture_output=True,
        text=True,
        env=environ,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def _install_args(env: Path, index: Path, tmp_path: Path, *more: str) -> list[str]:
    return [
        *("install", "--torch", "2.0", "--cuda", "cpu", "--python", PYTHON),
        *("--manager", "uv", "--env", str(env), "--index-url-base", str(index)),
        *("--log-dir", str(tmp_path / "logs"), *more),
    ]


def _one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    return lines[0]


# ------------------------------------------- item 1: a killed new install, then the user's files


HALF_MADE = "an earlier install creating it was interrupted and left it half-made; pass --force"
# The adversary's case: files a user puts below the top level of a half-made environment, where
# no check of its top-level names can tell them from the tools' own.
BELOW_THE_TOP = {
    "etc/train.yaml": "lr: 0.001\n",
    "bin/train.sh": "#!/bin/sh\npython train.py\n",
    "share/notes.md": "# 3 days of notes\n",
}


@posix_only
def test_user_files_in_a_killed_new_environment_are_never_removed_without_force(
    tmp_path: Path, pytorch_index: Path
) -> None:
    """kill -9 a new install; the user then works in the half-made directory: files below its
    top level (etc/, bin/, share/), a file at its top level, a new subdirectory. A plain install
    and an --upgrade, through the API and the CLI, refuse in one line (path quoted for the
    shell) and change nothing; doctor's fix offers only --force; --force deletes it all and
    makes the environment again."""
    env = tmp_path / "my env"
    _kill_9_a_new_install(tmp_path, env, pytorch_index)
    for name, text in BELOW_THE_TOP.items():
        (env / name).parent.mkdir(parents=True, exist_ok=True)
        (env / name).write_text(text)
    before_top_level = snapshot(env)
    (env / "notes.txt").write_text("my notes\n")
    (env / "work").mkdir()
    (env / "work" / "results.csv").write_text("3 days of results\n")

    # Below the top level alone, and with top-level entries too: refused, nothing changed.
    for extra in (["notes.txt", "work"], []):
        for name in extra:
            (env / name).rename(tmp_path / name)
        assert snapshot(env) == before_top_level or extra == []
        before = snapshot(env)
        for flags in ({}, {"upgrade": True}):
            with pytest.raises(UsageError) as refused:
                _plain_install(env, pytorch_index, tmp_path, **flags)
            assert str(refused.value) == (
                f"{shlex.quote(str(env))}: {HALF_MADE} to delete it and everything in it and "
                "start again, or choose another --env"
            )
            assert snapshot(env) == before
        for name in extra:
            (tmp_path / name).rename(env / name)
    before = snapshot(env)
    assert {"etc/train.yaml", "bin/train.sh", "share/notes.md", "notes.txt"} <= set(before)

    # doctor, run on the killed environment, offers only --force, and says nothing is removed
    # without it.
    done = _cli(["doctor", "--python", env_python(env), "--json"], dict(os.environ), timeout=120)
    assert done.returncode in (0, 1), done.stderr
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if f["id"] == "install-incomplete"]
    assert f"`envsetup install --env {shlex.quote(str(env))} --force` deletes it" in finding["fix"]
    assert "nothing is removed without --force" in finding["fix"]
    assert f"`envsetup install --env {shlex.quote(str(env))}`" not in finding["fix"]
    assert snapshot(env) == before

    # Through the CLI: exit 2, one line, the user's files intact.
    for more in ((), ("--upgrade",)):
        done = _cli(_install_args(env, pytorch_index, tmp_path, *more), dict(os.environ))
        assert done.returncode == 2, done.stderr
        assert HALF_MADE in _one_line(done)
        assert shlex.quote(str(env)) in _one_line(done)
        assert snapshot(env) == before

    # --force, asked for: everything in it goes, and the environment is made again.
    done = _cli(_install_args(env, pytorch_index, tmp_path, "--force"), dict(os.environ))
    assert done.returncode == 0, done.stderr
    # The reasons name the index the steps used: the local mirror, not download.pytorch.org.
    # (the step lines name it too; the reason line is the one marked "·" before the steps)
    said = " ".join(done.stdout.split())
    assert f"· from {pytorch_index.as_uri()}/cpu (the mirror of" in said, done.stdout
    assert landed(env)["cuda"] is None  # the cpu build: made again, not the killed cu118 one
    assert read_install_record(env)["state"] == "complete"  # type: ignore[index]
    assert read_install_record(env)["mode"] == "force"  # type: ignore[index]
    assert not any((env / name).exists() for name in (*BELOW_THE_TOP, "notes.txt", "work"))


@posix_only
def test_files_put_into_a_new_environment_while_it_is_made_survive_its_failure(
    tmp_path: Path, pytorch_index: Path
) -> None:
    """SIGTERM stops a new install, which removes what it made — but not a directory the user
    has meanwhile put files into: it is left in place, and the message names them. The next
    plain install refuses it like any half-made environment; --force rebuilds it."""
    env = tmp_path / "env"
    child = _paused_new_install(tmp_path, env, pytorch_index)
    (env / "notes.txt").write_text("mine")
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=60) == 130
    wait_for_lock_release(env)
    out = next(tmp_path.glob("paused-*.out")).read_text()
    assert f"left {env} in place: it holds files envsetup did not write (notes.txt)" in out
    assert "then run the install again with --force" in out
    assert (env / "notes.txt").read_text() == "mine"
    before = snapshot(env)
    with pytest.raises(UsageError, match=HALF_MADE):
        _plain_install(env, pytorch_index, tmp_path)
    assert snapshot(env) == before
    (env / "notes.txt").rename(tmp_path / "notes.txt")
    result = _plain_install(env, pytorch_index, tmp_path, force=True)
    assert result.mode == "force"  # type: ignore[attr-defined]
    assert landed(env)["cuda"] is None
    assert (tmp_path / "notes.txt").read_text() == "mine"


# ------------------------------------------------ items 2 and 3: hostile install records


def _plant_fifo(record: Path) -> None:
    os.mkfifo(record)


def _plant_dev_zero(record: Path) -> None:
    record.symlink_to("/dev/zero")


def _plant_deep_json(record: Path) -> None:
    record.write_text("[" * 200_000 + "]" * 200_000)


def _plant_invalid_utf8(record: Path) -> None:
    record.write_bytes(b'\xff\xfe{"state": "incomplete", "mode": "new"}')


HOSTILE = {
    "fifo": _plant_fifo,
    "link to /dev/zero": _plant_dev_zero,
    "200,000-deep JSON": _plant_deep_json,
    "invalid UTF-8": _plant_invalid_utf8,
}


@posix_only
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_a_hostile_install_record_is_unreadable_never_a_hang_nor_an_internal_error(
    tmp_path: Path, pytorch_index: Path, kind: str
) -> None:
    """In a real venv: the record read says "unreadable" with the reason, at once; a plain install
    refuses in one line (exit 2) and changes nothing; doctor finishes and does not crash; the
    --upgrade doctor suggests installs into the environment and leaves a real record."""
    env = tmp_path / "env"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    (env / "mine.txt").write_text("keep")
    record = env / "envsetup-install.json"
    HOSTILE[kind](record)

    started = time.monotonic()
    read = read_install_record(env)
    assert read is not None and read["state"] == "unreadable", read
    assert str(record) in read["reason"]
    assert time.monotonic() - started < 5

    before = snapshot(env) if kind != "fifo" else None  # snapshot() would open the FIFO
    done = _cli(_install_args(env, pytorch_index, tmp_path), dict(os.environ), timeout=60)
    assert done.returncode == 2, done.stderr
    assert "already exists" in _one_line(done)
    if before is not None:
        assert snapshot(env) == before

    done = _cli(["doctor", "--python", env_python(env), "--json"], dict(os.environ), timeout=60)
    assert done.returncode in (0, 1), done.stderr
    assert "internal error" not in done.stderr
    findings = {f["id"]: f for f in json.loads(done.stdout)["findings"]}
    if kind in ("200,000-deep JSON", "invalid UTF-8"):  # the kinds a live read gets to parse
        assert findings["install-incomplete"]["params"]["state"] == "unreadable"

    done = _cli(_install_args(env, pytorch_index, tmp_path, "--upgrade"), dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert read_install_record(env)["state"] == "complete"  # type: ignore[index]
    assert not record.is_symlink()
    assert (env / "mine.txt").read_text() == "keep"


# ----------------------------------------- item 10: a target that cannot be looked at


def _unsearchable(tmp_path: Path) -> Path:
    """A directory whose contents this process may not look at: mode 000 for a normal user,
    /proc/1/root for root where the kernel denies it (containers); else the test is skipped."""
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    for candidate in (locked, Path("/proc/1/root")):
        try:
            os.stat(candidate / "tmp")
        except PermissionError:
            return candidate
        except OSError:
            continue
    pytest.skip("no directory here denies this user a look inside (root outside a container)")


@posix_only
@pytest.mark.parametrize("where", ["unsearchable", "through a file"])
def test_a_target_that_cannot_be_looked_at_is_one_line_exit_2(
    tmp_path: Path, pytorch_index: Path, where: str
) -> None:
    if where == "unsearchable":
        target, reason = _unsearchable(tmp_path) / "tmp" / "env", "Permission denied"
    else:
        (tmp_path / "afile").write_text("a file, not a directory")
        target, reason = tmp_path / "afile" / "env", "not a directory"
    try:
        environ = dict(os.environ)
        done = _cli(_install_args(target, pytorch_index, tmp_path), environ, timeout=60)
        assert done.returncode == 2, done.stderr
        line = _one_line(done)
        assert str(target.parent) in line and reason.lower() in line.lower()
        assert "free space" not in line
        for flag, value in (("--env", target), ("--python", target / "bin" / "python")):
            done = _cli(["verify", flag, str(value)], environ, timeout=60)
            assert done.returncode == 2, done.stderr
            line = _one_line(done)
            assert f"{flag} {value}" in line and reason.lower() in line.lower()
    finally:
        if (tmp_path / "locked").exists():
            (tmp_path / "locked").chmod(0o755)


# ------------------------------------------------- item 14 and 15: the state directory


def _without_state_settings() -> dict[str, str]:
    environ = dict(os.environ)
    for name in ("ENVSETUP_STATE_DIR", "XDG_STATE_HOME", "ENVSETUP_LOG_DIR"):
        environ.pop(name, None)
    return environ


@posix_only
def test_a_state_directory_that_is_a_file_names_envsetup_state_dir(
    tmp_path: Path, pytorch_index: Path
) -> None:
    environ = {**_without_state_settings(), "ENVSETUP_STATE_DIR": os.devnull}
    args = _install_args(tmp_path / "env", pytorch_index, tmp_path)
    args.remove("--log-dir")
    args.remove(str(tmp_path / "logs"))
    done = _cli(args, environ, timeout=60)
    assert done.returncode == 2
    line = _one_line(done)
    assert f"ENVSETUP_STATE_DIR={os.devnull}" in line and "not a directory" in line
    assert not (tmp_path / "env").exists()


@posix_only
def test_a_relative_state_dir_is_refused_and_a_relative_xdg_state_home_ignored(
    tmp_path: Path, pytorch_index: Path
) -> None:
    """Two installs run from two directories with the same relative setting: ENVSETUP_STATE_DIR
    is refused in one line; XDG_STATE_HOME is ignored (the XDG spec), so both take the one lock
    in ~/.local/state/envsetup and nothing lands below either working directory."""
    home, target = tmp_path / "home", tmp_path / "project"
    target.mkdir()
    (target / "main.py").write_text("")  # not an environment: refused after taking the lock
    cwds = [tmp_path / "a", tmp_path / "b"]
    for cwd in cwds:
        cwd.mkdir()
    environ = {**_without_state_settings(), "HOME": str(home)}
    args = _install_args(target, pytorch_index, tmp_path)
    for cwd in cwds:
        done = _cli(args, {**environ, "ENVSETUP_STATE_DIR": "state"}, cwd=cwd, timeout=60)
        assert done.returncode == 2
        assert "ENVSETUP_STATE_DIR=state: a relative path" in _one_line(done)
        done = _cli(args, {**environ, "XDG_STATE_HOME": "state"}, cwd=cwd, timeout=60)
        assert done.returncode == 2
        assert "is not a Python environment" in _one_line(done)
        assert not (cwd / "state").exists()
    locks = list((home / ".local" / "state" / "envsetup" / "locks").iterdir())
    assert len(locks) == 1  # one target, one lock, whichever directory the install ran from
