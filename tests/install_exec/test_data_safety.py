"""envsetup install never deletes what it cannot prove it made.

Real installs (uv, pip) from a real local index — served slowly over localhost HTTP where a kill
must land inside a step — killed with real signals; planted, copied and moved records; a symlink
and its target; a full and a read-only file system.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest

from envsetup.errors import EnvsetupError, UsageError
from envsetup.exit_codes import ExitCode
from envsetup.install.execute import InstallResult
from envsetup.install.record import read_install_record
from envsetup.record_state import reported_state
from envsetup.resolve.resolution import Resolution
from envsetup.verified_install import provision

from .helpers import landed, lock_held_elsewhere, resolution_for, snapshot, wait_for_lock_release
from .local_index import serve_slowly

CHILD = Path(__file__).with_name("provision_child.py")
posix_only = pytest.mark.skipif(os.name == "nt", reason="POSIX signals and symlinks")

USER_FILES = {
    "keepsake.txt": "mine",
    "project/notes.md": "# my notes\n",
    "lib/my_module.py": "ANSWER = 42\n",
}


def _put_user_files(env: Path) -> None:
    for name, text in USER_FILES.items():
        (env / name).parent.mkdir(parents=True, exist_ok=True)
        (env / name).write_text(text)


def _assert_user_files(env: Path) -> None:
    assert (env / "pyvenv.cfg").is_file()
    for name, text in USER_FILES.items():
        assert (env / name).read_text() == text, name


def _install(
    tmp_path: Path,
    index: Path,
    target: Path,
    variant: str = "cpu",
    *,
    manager: str = "uv",
    **flags: bool,
) -> InstallResult:
    """torch alone into `target`, from `index`, with its logs under tmp_path."""
    return provision(
        resolution_for(variant, target, manager=manager, projects=("torch",)),
        index_url_base=str(index),
        log_dir=str(tmp_path / "logs"),
        **flags,
    )


def _refused_untouched(tmp_path: Path, index: Path, target: Path, says: str, **flags: bool) -> None:
    """An install into `target` is refused, saying `says`, and changes nothing under it."""
    before = snapshot(target)
    with pytest.raises(UsageError, match=says):
        _install(tmp_path, index, target, **flags)
    assert snapshot(target) == before


def _existing_env(tmp_path: Path, index: Path, manager: str = "uv") -> Path:
    """A finished environment (torch +cpu) holding the user's own files."""
    env = tmp_path / "env"
    _install(tmp_path, index, env, manager=manager)
    _put_user_files(env)
    return env


class Child:
    """provision_child.py running one install; its output goes to files (never a full pipe)."""

    def __init__(
        self,
        tmp_path: Path,
        resolution: Resolution,
        base: str,
        *,
        pause_at: str = "install-output",
        mode: str = "",
    ) -> None:
        self.marker = tmp_path / f"paused-{time.monotonic_ns()}"
        self.out = self.marker.with_suffix(".out")
        self.err = self.marker.with_suffix(".err")
        with self.out.open("w") as out, self.err.open("w") as err:
            self.proc = subprocess.Popen(
                [
                    *(sys.executable, str(CHILD), json.dumps(resolution.to_dict())),
                    *(base, str(tmp_path / "logs"), str(self.marker), pause_at, mode),
                ],
                stdout=out,
                stderr=err,
                text=True,
            )

    def wait_for(self, *, marker: bool = True, line: str = "", timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while not (self.marker.exists() if marker else line in self.out.read_text()):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                pytest.fail(f"the child never got there: {self.out.read_text()}{self.stderr}")
            time.sleep(0.02)

    def signal(self, signum: int) -> int:
        self.proc.send_signal(signum)
        return self.proc.wait(timeout=60)

    def kill_9(self, env: Path) -> None:
        self.signal(signal.SIGKILL)
        # An installer orphaned by the kill keeps the lock until it is done.
        wait_for_lock_release(env)

    @property
    def stderr(self) -> str:
        return self.err.read_text()


def _claims(state_dir: Path) -> list[Path]:
    return sorted((state_dir / "claims").glob("*")) if (state_dir / "claims").is_dir() else []


# ---------------------------------------------------------------- kill -9 during an --upgrade


def _assert_an_interrupted_upgrade_is_kept_and_refused(
    tmp_path: Path, env: Path, index: Path, manager: str = "uv"
) -> None:
    record = read_install_record(env)
    assert record is not None
    assert (record["state"], record["mode"]) == ("incomplete", "upgrade")
    assert reported_state(record) == "incomplete-upgrade"  # what doctor shows
    _assert_user_files(env)
    before = snapshot(env)
    with pytest.raises(UsageError, match="upgrade interrupted: packages may be mixed") as no:
        _install(tmp_path, index, env, manager=manager)
    assert "--upgrade to retry" in str(no.value) and "--force" in str(no.value)
    assert "\n" not in str(no.value)
    assert snapshot(env) == before
    # --upgrade is the way to finish it: the user's files are still there afterwards.
    result = _install(tmp_path, index, env, "cu118", manager=manager, upgrade=True)
    assert result.mode == "upgrade"
    assert result.notes and "retrying an interrupted upgrade" in result.notes[0]
    assert landed(env)["cuda"] == "11.8"
    assert read_install_record(env)["state"] == "complete"  # type: ignore[index]
    _assert_user_files(env)


@posix_only
@pytest.mark.parametrize(
    "pause_at",
    [
        "==> check",  # the record says "incomplete", nothing installed yet
        "install-output",  # the installer is downloading from the slow index
        "==> read back",  # installed, not yet read back
        "==> verify",  # read back, not yet verified or recorded complete
    ],
)
def test_kill_9_at_each_step_of_an_upgrade_keeps_the_environment_and_refuses_a_plain_install(
    tmp_path: Path, pytorch_index: Path, pause_at: str
) -> None:
    env = _existing_env(tmp_path, pytorch_index)
    with serve_slowly(pytorch_index) as url:
        child = Child(
            tmp_path,
            resolution_for("cu118", env, projects=("torch",)),
            url,
            pause_at=pause_at,
            mode="upgrade",
        )
        child.wait_for()
        child.kill_9(env)
    _assert_an_interrupted_upgrade_is_kept_and_refused(tmp_path, env, pytorch_index)


@posix_only
@pytest.mark.parametrize("after_s", [0.05, 0.4, 0.8, 1.2, 1.7, 2.4])
def test_kill_9_at_any_moment_of_an_upgrade_costs_the_user_nothing(
    tmp_path: Path, pytorch_index: Path, after_s: float
) -> None:
    """No pause: the kill lands wherever the install is after `after_s` (the slow index makes
    the upgrade take a few seconds). Whatever state it is left in, nothing of the user's is lost
    and a plain install never removes the environment."""
    env = _existing_env(tmp_path, pytorch_index)
    before = read_install_record(env)
    with serve_slowly(pytorch_index, delay_s=0.6) as url:
        child = Child(
            tmp_path,
            resolution_for("cu118", env, projects=("torch",)),
            url,
            pause_at="never",
            mode="upgrade",
        )
        child.wait_for(marker=False, line="==> log:")
        time.sleep(after_s)
        child.kill_9(env)
    _assert_user_files(env)
    record = read_install_record(env)
    assert record is not None
    if record == before:  # killed before the upgrade wrote its record
        with pytest.raises(UsageError, match="already exists"):
            # Another plan than the one it holds (the same one is "already satisfied").
            _install(tmp_path, pytorch_index, env, "cu118")
        _assert_user_files(env)
    elif record["state"] == "complete":  # the upgrade finished before the kill
        assert landed(env)["cuda"] == "11.8"
    else:
        _assert_an_interrupted_upgrade_is_kept_and_refused(tmp_path, env, pytorch_index)


@posix_only
def test_kill_9_while_pip_upgrades_keeps_the_environment(
    tmp_path: Path, pytorch_index: Path
) -> None:
    env = _existing_env(tmp_path, pytorch_index, manager="pip")
    with serve_slowly(pytorch_index) as url:
        child = Child(
            tmp_path,
            resolution_for("cu118", env, manager="pip", projects=("torch",)),
            url,
            mode="upgrade",
        )
        child.wait_for()
        child.kill_9(env)
    _assert_an_interrupted_upgrade_is_kept_and_refused(tmp_path, env, pytorch_index, "pip")


@posix_only
def test_sigterm_during_an_upgrade_gives_the_environment_its_record_back(
    tmp_path: Path, pytorch_index: Path
) -> None:
    env = _existing_env(tmp_path, pytorch_index)
    before = read_install_record(env)
    child = Child(
        tmp_path,
        resolution_for("cu118", env, projects=("torch",)),
        str(pytorch_index),
        mode="upgrade",
    )
    child.wait_for()
    assert child.signal(signal.SIGTERM) == ExitCode.INTERRUPTED
    assert "install interrupted" in child.stderr
    assert "is an existing environment, left with what" in child.stderr
    _assert_user_files(env)
    assert read_install_record(env) == before


@posix_only
def test_sigterm_during_a_new_install_removes_what_it_created(
    tmp_path: Path, pytorch_index: Path, state_dir: Path
) -> None:
    env = tmp_path / "env"
    child = Child(tmp_path, resolution_for("cu118", env), str(pytorch_index))
    child.wait_for()
    assert _claims(state_dir)  # the creating install claimed the directory
    assert child.signal(signal.SIGTERM) == ExitCode.INTERRUPTED
    assert f"install interrupted; removed the new environment {env}" in child.stderr
    assert not env.exists()
    assert not _claims(state_dir)


# ---------------------------------------------------------------- kill -9 of a new install

BELOW_THE_TOP = {
    "etc/train.yaml": "lr: 0.001\n",
    "bin/train.sh": "#!/bin/sh\npython train.py\n",
    "share/notes.md": "# my notes\n",
}


@posix_only
@pytest.mark.parametrize(
    "pause_at",
    [
        "==> create a venv",  # the record and the claim, no pyvenv.cfg yet: not an environment
        "install-output",  # the installer is downloading from the slow index
        "==> verify",  # installed and read back, not yet recorded complete
    ],
)
def test_kill_9_at_each_step_of_a_new_install_then_user_files_below_the_top_level_survive(
    tmp_path: Path, pytorch_index: Path, state_dir: Path, pause_at: str
) -> None:
    """The adversary's case: a new install is killed, the user puts files below the top level of
    what it left (etc/, bin/, share/: names venv and conda use too). A plain install and an
    --upgrade refuse and change nothing; only --force deletes it and builds it again — also
    before pyvenv.cfg exists, since the claim proves envsetup made the directory."""
    env = tmp_path / "env"
    with serve_slowly(pytorch_index) as url:
        child = Child(
            tmp_path, resolution_for("cu118", env, projects=("torch",)), url, pause_at=pause_at
        )
        child.wait_for()
        child.kill_9(env)
    record = read_install_record(env)
    assert record is not None and (record["state"], record["mode"]) == ("incomplete", "new")
    assert reported_state(record) == "incomplete"
    assert (env / "pyvenv.cfg").exists() == (pause_at != "==> create a venv")
    for name, text in BELOW_THE_TOP.items():
        (env / name).parent.mkdir(parents=True, exist_ok=True)
        (env / name).write_text(text)
    for flags in ({}, {"upgrade": True}):
        _refused_untouched(tmp_path, pytorch_index, env, HALF_MADE, **flags)
    for name, text in BELOW_THE_TOP.items():
        assert (env / name).read_text() == text
    result = _install(tmp_path, pytorch_index, env, force=True)
    assert result.mode == "force"
    assert landed(env)["cuda"] is None  # the cpu build: made again, not the killed cu118 one
    assert read_install_record(env)["state"] == "complete"  # type: ignore[index]
    assert not any((env / name).exists() for name in BELOW_THE_TOP)
    assert not _claims(state_dir)


@posix_only
def test_without_a_claim_a_half_made_directory_is_refused_even_with_force(
    tmp_path: Path, pytorch_index: Path, state_dir: Path
) -> None:
    """What the claim proves is all that lets --force delete a directory that is not yet a Python
    environment: with the claims gone (another state directory, or deleted), it is refused."""
    env = tmp_path / "env"
    with serve_slowly(pytorch_index) as url:
        child = Child(
            tmp_path,
            resolution_for("cu118", env, projects=("torch",)),
            url,
            pause_at="==> create a venv",
        )
        child.wait_for()
        child.kill_9(env)
    (env / "etc").mkdir()
    (env / "etc" / "train.yaml").write_text("lr: 0.001\n")
    for claim in _claims(state_dir):
        claim.unlink()
    for flags in ({}, {"upgrade": True}, {"force": True}):
        _refused_untouched(tmp_path, pytorch_index, env, "is not a Python environment", **flags)


# ---------------------------------------------------------------- records that prove nothing

NOT_PROVEN = "nothing proves this envsetup created it"
HALF_MADE = "an earlier install creating it was interrupted and left it half-made; pass --force"

PLANTED = [
    {"state": "incomplete"},
    {"state": "incomplete", "mode": "new"},
    {"state": "incomplete", "mode": "force", "owner": {"token": "0" * 32, "path": "TARGET"}},
    {"state": "incomplete", "mode": "upgrade"},
]


def _plant(target: Path, record: dict[str, object]) -> None:
    text = json.dumps(record).replace("TARGET", str(target.resolve()))
    (target / "envsetup-install.json").write_text(text)


@pytest.mark.parametrize("record", PLANTED)
def test_a_planted_record_in_a_directory_that_is_not_an_environment_deletes_nothing(
    tmp_path: Path, pytorch_index: Path, record: dict[str, object]
) -> None:
    target = tmp_path / "project"
    target.mkdir()
    (target / "src").mkdir()
    (target / "src" / "main.py").write_text("print('mine')\n")
    _plant(target, record)
    for flags in ({}, {"upgrade": True}, {"force": True}):
        _refused_untouched(tmp_path, pytorch_index, target, "is not a Python environment", **flags)


@pytest.mark.parametrize("record", PLANTED)
def test_a_planted_record_in_an_environment_envsetup_did_not_create_deletes_nothing(
    tmp_path: Path, pytorch_index: Path, record: dict[str, object]
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    _put_user_files(venv)
    _plant(venv, record)
    says = "upgrade interrupted" if record.get("mode") == "upgrade" else NOT_PROVEN
    _refused_untouched(tmp_path, pytorch_index, venv, says)
    # Asked explicitly, envsetup installs into it; the user's files stay.
    _install(tmp_path, pytorch_index, venv, upgrade=True)
    _assert_user_files(venv)


def _kill_a_new_install(tmp_path: Path, env: Path, index: Path) -> None:
    child = Child(tmp_path, resolution_for("cu118", env, projects=("torch",)), str(index))
    child.wait_for()
    child.kill_9(env)
    assert read_install_record(env)["state"] == "incomplete"  # type: ignore[index]


@posix_only
def test_an_interrupted_new_environment_copied_or_moved_elsewhere_is_never_removed_there(
    tmp_path: Path, pytorch_index: Path
) -> None:
    env = tmp_path / "env"
    _kill_a_new_install(tmp_path, env, pytorch_index)
    copy, moved = tmp_path / "copy", tmp_path / "moved"
    shutil.copytree(env, copy, symlinks=True)
    (copy / "mine.txt").write_text("keep")
    _refused_untouched(tmp_path, pytorch_index, copy, NOT_PROVEN)
    # The original, where it was made, is still recognised: refused, and rebuilt only with --force.
    _refused_untouched(tmp_path, pytorch_index, env, HALF_MADE)
    assert _install(tmp_path, pytorch_index, env, force=True).mode == "force"
    assert landed(env)["cuda"] is None
    # Moved away, then a new install at the old path, and back: the claim went with the path.
    _kill_a_new_install(tmp_path, tmp_path / "env2", pytorch_index)
    (tmp_path / "env2").rename(moved)
    (moved / "mine.txt").write_text("keep")
    _refused_untouched(tmp_path, pytorch_index, moved, NOT_PROVEN)


@posix_only
def test_a_directory_made_again_at_the_path_of_an_interrupted_install_is_not_removed(
    tmp_path: Path, pytorch_index: Path
) -> None:
    """The user deletes the half-made environment, makes their own there, and the old record
    comes back with a restore: the claim names another inode, so nothing is removed."""
    env = tmp_path / "env"
    _kill_a_new_install(tmp_path, env, pytorch_index)
    record = (env / "envsetup-install.json").read_bytes()
    # The old directory goes only once the new one exists: a file system may hand a deleted
    # directory's inode to the next one made (ext4 does), and then the claim could not tell them
    # apart (that case is still refused, as an interrupted install only --force removes).
    old = env.rename(tmp_path / "deleted-by-the-user")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    shutil.rmtree(old)
    _put_user_files(env)
    (env / "envsetup-install.json").write_bytes(record)
    _refused_untouched(tmp_path, pytorch_index, env, NOT_PROVEN)


# ---------------------------------------------------------------- a symlink and its target


def _spellings(tmp_path: Path) -> dict[str, Path]:
    """One directory (it exists, empty), named five ways."""
    disk = tmp_path / "disk"
    real = disk / "env"
    real.mkdir(parents=True)
    (tmp_path / "link").symlink_to(real, target_is_directory=True)
    (tmp_path / "via").symlink_to(disk, target_is_directory=True)
    (tmp_path / "link2").symlink_to(tmp_path / "link", target_is_directory=True)
    return {
        "real": real,
        "link": tmp_path / "link",
        "link-to-link": tmp_path / "link2",
        "through-a-linked-parent": tmp_path / "via" / "env",
        "dotted": disk / "elsewhere" / ".." / "env",
    }


def _links(tmp_path: Path) -> dict[str, str]:
    return {p.name: os.readlink(p) for p in tmp_path.iterdir() if p.is_symlink()}


@posix_only
@pytest.mark.parametrize(
    ("held", "used"),
    [
        ("link", "real"),
        ("real", "link"),
        ("link-to-link", "through-a-linked-parent"),
        ("through-a-linked-parent", "dotted"),
    ],
)
def test_a_symlink_and_its_target_are_locked_as_one(
    tmp_path: Path, pytorch_index: Path, held: str, used: str
) -> None:
    names = _spellings(tmp_path)
    links = _links(tmp_path)
    with lock_held_elsewhere(names[held]):
        with pytest.raises(UsageError, match="another envsetup install into this environment"):
            _install(tmp_path, pytorch_index, names[used])
        assert not any(names["real"].iterdir())
    _install(tmp_path, pytorch_index, names[used])
    assert _links(tmp_path) == links
    assert landed(names[held])["cuda"] is None


@posix_only
def test_two_installs_through_a_symlink_and_its_target_one_refused_and_the_link_survives(
    tmp_path: Path, pytorch_index: Path, state_dir: Path
) -> None:
    names = _spellings(tmp_path)
    links = _links(tmp_path)
    child = Child(tmp_path, resolution_for("cu118", names["link"]), str(pytorch_index))
    child.wait_for()
    with pytest.raises(UsageError, match="another envsetup install"):
        _install(tmp_path, pytorch_index, names["real"])
    assert child.signal(signal.SIGINT) == ExitCode.INTERRUPTED
    # The directory existed (empty) before: emptied again, kept; the links untouched.
    assert f"emptied {names['real']} again" in child.stderr
    assert names["real"].is_dir() and not any(names["real"].iterdir())
    assert _links(tmp_path) == links
    assert not _claims(state_dir)
    _install(tmp_path, pytorch_index, names["real"])
    assert landed(names["link"])["cuda"] is None
    assert _links(tmp_path) == links


@posix_only
def test_a_new_environment_killed_through_a_symlink_is_recognised_through_its_target(
    tmp_path: Path, pytorch_index: Path
) -> None:
    (tmp_path / "disk").mkdir()
    (tmp_path / "via").symlink_to(tmp_path / "disk", target_is_directory=True)
    through_link, real = tmp_path / "via" / "env", tmp_path / "disk" / "env"
    _kill_a_new_install(tmp_path, through_link, pytorch_index)
    _refused_untouched(tmp_path, pytorch_index, real, HALF_MADE)
    assert _install(tmp_path, pytorch_index, real, force=True).mode == "force"
    assert (tmp_path / "via").is_symlink()
    assert landed(through_link)["cuda"] is None


@posix_only
def test_force_and_a_failure_through_a_symlink_never_touch_the_link(
    tmp_path: Path, pytorch_index: Path
) -> None:
    names = _spellings(tmp_path)
    links = _links(tmp_path)
    _install(tmp_path, pytorch_index, names["link"])
    _install(tmp_path, pytorch_index, names["link"], "cu118", force=True)
    assert _links(tmp_path) == links
    assert landed(names["real"])["cuda"] == "11.8"
    # A failed new install through the link: what it made goes, the link stays.
    shutil.rmtree(names["real"])
    names["real"].mkdir()
    with pytest.raises(EnvsetupError, match="check-resolves"):
        provision(
            resolution_for("cu118", names["link"], torch_version="2.0.1+cu121"),
            index_url_base=str(pytorch_index),
            log_dir=str(tmp_path / "logs"),
        )
    assert _links(tmp_path) == links
    assert names["real"].is_dir() and not any(names["real"].iterdir())


def test_a_symlink_to_nothing_is_refused(tmp_path: Path, pytorch_index: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "nowhere", target_is_directory=True)
    with pytest.raises(UsageError, match="which does not exist"):
        _install(tmp_path, pytorch_index, link)
    assert link.is_symlink() and not (tmp_path / "nowhere").exists()


# ---------------------------------------------------------------- a full or read-only disk


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Mount small tmpfs file systems (root only; skipped where mounting is not permitted)."""
    mounted: list[Path] = []

    def mount(name: str, size: str = "256k", read_only: bool = False) -> Path:
        point = tmp_path / name
        point.mkdir()
        options = f"size={size}" + (",ro" if read_only else "")
        try:
            done = subprocess.run(
                ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(point)],
                capture_output=True,
                text=True,
                timeout=30,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            pytest.skip(f"cannot mount a tmpfs here: {exc}")
        if done.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
        mounted.append(point)
        return point

    if sys.platform != "linux":
        pytest.skip("tmpfs mounts are a Linux test")
    yield mount
    for point in reversed(mounted):
        subprocess.run(["umount", "-l", str(point)], check=False, timeout=30)


def _fill(fs: Path) -> None:
    with (fs / "filler").open("wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 4096)
        except OSError:
            return


def _temporaries(root: Path) -> list[str]:
    return [str(p) for p in root.rglob("*") if p.name.endswith(".tmp")]


def _one_line(exc: BaseException) -> str:
    message = str(exc)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_a_full_disk_while_taking_the_lock_is_one_line(
    tmp_path: Path,
    pytorch_index: Path,
    small_fs: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fs = small_fs("state-fs")
    monkeypatch.setenv("ENVSETUP_STATE_DIR", str(fs / "state"))
    _fill(fs)
    env = tmp_path / "env"
    with pytest.raises(EnvsetupError) as failed:
        _install(tmp_path, pytorch_index, env)
    message = _one_line(failed.value)
    assert "cannot take the install lock" in message and str(fs / "state") in message
    assert "No space left on device" in message and "ENVSETUP_STATE_DIR" in message
    assert not env.exists()
    assert not _temporaries(fs)


def test_a_full_disk_while_claiming_the_target_is_one_line_and_creates_nothing(
    tmp_path: Path,
    pytorch_index: Path,
    small_fs: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from envsetup.install.lock import target_lock

    fs = small_fs("state-fs")
    monkeypatch.setenv("ENVSETUP_STATE_DIR", str(fs / "state"))
    env = tmp_path / "env"
    with target_lock(env):  # the lock file exists already (its few bytes are reused)
        pass
    _fill(fs)
    with pytest.raises(EnvsetupError) as failed:
        _install(tmp_path, pytorch_index, env)
    message = _one_line(failed.value)
    assert "install claim" in message and "No space left on device" in message
    assert not env.exists()
    assert not _temporaries(fs)


def test_a_full_disk_while_writing_the_record_removes_the_new_environment(
    tmp_path: Path, pytorch_index: Path, small_fs: Callable[..., Path], state_dir: Path
) -> None:
    fs = small_fs("env-fs")
    _fill(fs)
    env = fs / "env"
    with pytest.raises(EnvsetupError) as failed:
        _install(tmp_path, pytorch_index, env)
    message = _one_line(failed.value)
    assert "No space left on device" in message
    assert "install record" in message or "install stopped" in message
    assert f"removed the new environment {env}" in message or "nothing was created" in message
    assert not env.exists()
    assert not _temporaries(fs)
    assert not _claims(state_dir)


def test_a_full_disk_during_an_upgrade_leaves_the_environment_and_its_record_whole(
    tmp_path: Path, pytorch_index: Path, small_fs: Callable[..., Path]
) -> None:
    fs = small_fs("env-fs", size="4m")
    env = fs / "env"
    _install(tmp_path, pytorch_index, env)
    _put_user_files(env)
    before_record = (env / "envsetup-install.json").read_bytes()
    _fill(fs)
    with pytest.raises(EnvsetupError) as failed:
        _install(tmp_path, pytorch_index, env, "cu118", upgrade=True)
    message = _one_line(failed.value)
    assert "No space left on device" in message
    assert "existing environment" in message
    _assert_user_files(env)
    assert (env / "envsetup-install.json").read_bytes() == before_record
    assert not _temporaries(fs)


def test_a_read_only_state_directory_is_one_line(
    tmp_path: Path,
    pytorch_index: Path,
    small_fs: Callable[..., Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fs = small_fs("ro-fs", read_only=True)
    monkeypatch.setenv("ENVSETUP_STATE_DIR", str(fs))
    env = tmp_path / "env"
    with pytest.raises(EnvsetupError) as failed:
        _install(tmp_path, pytorch_index, env)
    message = _one_line(failed.value)
    assert "Read-only file system" in message and "ENVSETUP_STATE_DIR" in message
    assert not env.exists()


def test_a_failed_record_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    """The kind without a mount: the rename fails (a directory where the record goes)."""
    from envsetup.install.record import RecordWriteError, write_install_record

    (tmp_path / "envsetup-install.json").mkdir()
    with pytest.raises(RecordWriteError, match=r"install record .*cannot write it"):
        write_install_record(tmp_path, {"state": "complete"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["envsetup-install.json"]
