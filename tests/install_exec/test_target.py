"""What an install may do with what is already at the target."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envsetup.errors import EnvsetupError, UsageError
from envsetup.install.ownership import new_claim, with_directory
from envsetup.install.record import write_install_record
from envsetup.install.state import real_target
from envsetup.install.target import (
    ABSENT,
    EMPTY,
    ENVIRONMENT,
    FOREIGN,
    INTERRUPTED_NEW,
    INTERRUPTED_UPGRADE,
    UNPROVEN_INCOMPLETE,
    classify_target,
    decide,
    foreign_entries,
    remove_tree,
)


def _venv(path: Path) -> Path:
    path.mkdir()
    (path / "pyvenv.cfg").write_text("home = /usr/bin\n")
    return path


def test_classify(tmp_path: Path) -> None:
    assert classify_target(tmp_path / "nothing") == ABSENT
    (tmp_path / "empty").mkdir()
    assert classify_target(tmp_path / "empty") == EMPTY
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    assert classify_target(venv) == ENVIRONMENT
    conda = tmp_path / "conda"
    (conda / "conda-meta").mkdir(parents=True)
    assert classify_target(conda) == ENVIRONMENT
    (tmp_path / "file").write_text("x")
    assert classify_target(tmp_path / "file") == FOREIGN
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.py").write_text("")
    assert classify_target(tmp_path / "src") == FOREIGN


def test_an_incomplete_record_alone_proves_nothing(tmp_path: Path) -> None:
    """Planted or copied: a record saying "incomplete", even one naming an owner, in a directory
    envsetup holds no matching claim for is never an interrupted install of its own."""
    for owner in (None, {"token": "0" * 32, "path": str(tmp_path / "venv")}):
        venv = _venv(tmp_path / "venv")
        write_install_record(venv, {"state": "incomplete", "mode": "new", "owner": owner})
        assert classify_target(venv) == UNPROVEN_INCOMPLETE
        project = tmp_path / "project"
        project.mkdir()
        write_install_record(project, {"state": "incomplete", "mode": "new", "owner": owner})
        assert classify_target(project) == FOREIGN
        for directory in (venv, project):
            for child in directory.iterdir():
                child.unlink()
            directory.rmdir()


def test_an_interrupted_upgrade_is_told_apart(tmp_path: Path) -> None:
    venv = _venv(tmp_path / "venv")
    write_install_record(venv, {"state": "incomplete", "mode": "upgrade"})
    assert classify_target(venv) == INTERRUPTED_UPGRADE
    # Even a matching claim does not make an upgraded environment envsetup's.
    claim = with_directory(new_claim(venv, keeps_dir=False), venv)
    write_install_record(venv, {"state": "incomplete", "mode": "upgrade", "owner": claim.owner()})
    assert classify_target(venv, claim) == INTERRUPTED_UPGRADE


def test_only_a_claim_matching_token_path_and_inode_proves_ownership(tmp_path: Path) -> None:
    venv = _venv(tmp_path / "venv")
    claim = with_directory(new_claim(venv, keeps_dir=False), venv)
    write_install_record(venv, {"state": "incomplete", "mode": "new", "owner": claim.owner()})
    assert classify_target(venv, claim) == INTERRUPTED_NEW
    other_token = with_directory(new_claim(venv, keeps_dir=False), venv)
    assert classify_target(venv, other_token) == UNPROVEN_INCOMPLETE
    assert classify_target(venv, None) == UNPROVEN_INCOMPLETE
    # The same path, deleted and made again by someone else (another inode), with the record
    # put back: the directory is not the one the claim names.
    (venv / "keep.txt").write_text("theirs")
    moved = venv.rename(tmp_path / "old")
    _venv(venv)
    (moved / "envsetup-install.json").rename(venv / "envsetup-install.json")
    assert classify_target(venv, claim) == UNPROVEN_INCOMPLETE


def test_a_half_made_directory_is_ours_only_with_proof(tmp_path: Path) -> None:
    """Killed after the record was written, before (or while) the venv tool wrote pyvenv.cfg: with
    the claim, an interrupted new environment whatever else it holds; without, not an environment
    at all (and --force refuses it)."""
    half = tmp_path / "half"
    half.mkdir()
    claim = with_directory(new_claim(half, keeps_dir=False), half)
    write_install_record(half, {"state": "incomplete", "mode": "new", "owner": claim.owner()})
    assert classify_target(half, claim) == INTERRUPTED_NEW
    assert classify_target(half, None) == FOREIGN
    (half / "bin").mkdir()
    (half / "lib").mkdir()
    for made in ("bin/python", "etc/train.yaml"):
        (half / made).parent.mkdir(exist_ok=True)
        (half / made).write_text("")
        assert classify_target(half, claim) == INTERRUPTED_NEW
        assert classify_target(half, None) == FOREIGN


@pytest.mark.parametrize(
    ("kind", "force", "upgrade", "mode", "remove_first", "creates_env"),
    [
        (ABSENT, False, False, "new", False, True),
        (EMPTY, False, False, "new", False, True),
        (ABSENT, False, True, "new", False, True),
        (INTERRUPTED_NEW, True, False, "force", True, True),
        (ENVIRONMENT, True, False, "force", True, True),
        (ENVIRONMENT, False, True, "upgrade", False, False),
        (INTERRUPTED_UPGRADE, False, True, "upgrade", False, False),
        (INTERRUPTED_UPGRADE, True, False, "force", True, True),
        (UNPROVEN_INCOMPLETE, False, True, "upgrade", False, False),
        (UNPROVEN_INCOMPLETE, True, False, "force", True, True),
    ],
)
def test_decisions(
    kind: str, force: bool, upgrade: bool, mode: str, remove_first: bool, creates_env: bool
) -> None:
    decision = decide(Path("/srv/env"), kind, force=force, upgrade=upgrade)
    assert (decision.mode, decision.remove_first, decision.creates_env) == (
        mode,
        remove_first,
        creates_env,
    )


@pytest.mark.parametrize(
    ("kind", "force", "upgrade", "says"),
    [
        (ENVIRONMENT, False, False, "already exists"),
        (INTERRUPTED_UPGRADE, False, False, "upgrade interrupted: packages may be mixed"),
        (UNPROVEN_INCOMPLETE, False, False, "nothing proves this envsetup created it"),
        (INTERRUPTED_NEW, False, False, "interrupted and left it half-made; pass --force"),
        (INTERRUPTED_NEW, False, True, "interrupted and left it half-made; pass --force"),
        (FOREIGN, True, False, "is not a Python environment"),
        (FOREIGN, False, True, "is not a Python environment"),
        (ABSENT, True, True, "--force and --upgrade together"),
    ],
)
def test_refusals_are_one_line_usage_errors(
    kind: str, force: bool, upgrade: bool, says: str
) -> None:
    with pytest.raises(UsageError, match=says) as refused:
        decide(Path("/srv/env"), kind, force=force, upgrade=upgrade)
    assert "\n" not in str(refused.value)


def test_the_environment_envsetup_runs_from_is_never_removed() -> None:
    import sys

    with pytest.raises(UsageError, match="envsetup itself runs from"):
        remove_tree(Path(sys.prefix))


@pytest.mark.skipif(os.name == "nt", reason="directory symlinks need a privilege on Windows")
def test_removal_takes_everything_but_never_follows_links_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text("keep")
    env = tmp_path / "env"
    (env / "lib" / "site-packages" / "torch").mkdir(parents=True)
    (env / "lib" / "site-packages" / "torch" / "__init__.py").write_text("")
    (env / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (env / "lib64").symlink_to(outside, target_is_directory=True)
    write_install_record(env, {"state": "incomplete"})
    remove_tree(env)
    assert not env.exists()
    assert (outside / "precious.txt").read_text() == "keep"


@pytest.mark.skipif(os.name == "nt", reason="directory symlinks need a privilege on Windows")
def test_removal_never_removes_or_follows_a_symlink_it_is_handed(tmp_path: Path) -> None:
    real = _venv(tmp_path / "real")
    (real / "keep.txt").write_text("keep")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    with pytest.raises(EnvsetupError, match="now a symlink or a file") as refused:
        remove_tree(link)
    assert "\n" not in str(refused.value)
    assert link.is_symlink() and (link / "keep.txt").read_text() == "keep"


def test_keep_dir_empties_the_directory_and_keeps_it(tmp_path: Path) -> None:
    env = _venv(tmp_path / "env")
    (env / "lib").mkdir()
    write_install_record(env, {"state": "incomplete"})
    remove_tree(env, keep_dir=True)
    assert env.is_dir() and not any(env.iterdir())


def _ours_interrupted(path: Path, layout: tuple[str, ...]) -> object:
    """A directory this envsetup provably made and was interrupted in, holding `layout` (names
    ending in "/" are directories) besides its record; returns the claim."""
    path.mkdir()
    for name in layout:
        if name.endswith("/"):
            (path / name).mkdir()
        else:
            (path / name).write_text("")
    claim = with_directory(new_claim(path, keeps_dir=False), path)
    write_install_record(path, {"state": "incomplete", "mode": "new", "owner": claim.owner()})
    return claim


VENV_LAYOUT = ("bin/", "lib/", "lib64/", "include/", "share/", "pyvenv.cfg", ".gitignore")
CONDA_LAYOUT = (
    "conda-meta/",
    "bin/",
    "lib/",
    "ssl/",
    "compiler_compat/",
    "x86_64-conda-linux-gnu/",
)


@pytest.mark.parametrize("layout", [VENV_LAYOUT, CONDA_LAYOUT], ids=["venv", "conda"])
def test_an_interrupted_new_environment_is_refused_whatever_it_holds(
    tmp_path: Path, layout: tuple[str, ...]
) -> None:
    """A later plain install or --upgrade never removes an interrupted new environment: the user
    may have put files anywhere in it, at the top level or below (etc/, bin/, share/), where no
    layout check can tell theirs from the tools'. Only --force removes it."""
    env = tmp_path / "env"
    claim = _ours_interrupted(env, layout)
    (env / ".envsetup-install.json.abc123.tmp").write_text("")  # a write a kill interrupted
    extras = (None, "notes.txt", "work/", "data-link", "bin/train.sh", "etc/train.yaml")
    for extra in extras:
        if extra == "data-link":
            (env / extra).symlink_to(tmp_path)
        elif extra is not None and extra.endswith("/"):
            (env / extra).mkdir()
        elif extra is not None:
            (env / extra).parent.mkdir(exist_ok=True)
            (env / extra).write_text("mine")
        kind = classify_target(env, claim)  # type: ignore[arg-type]
        assert kind == INTERRUPTED_NEW
        for upgrade in (False, True):
            with pytest.raises(UsageError, match="half-made; pass --force"):
                decide(env, kind, force=False, upgrade=upgrade)
        decision = decide(env, kind, force=True, upgrade=False)
        assert (decision.mode, decision.remove_first) == ("force", True)
    # Without proof of ownership, the same directory never was ours to begin with.
    assert classify_target(env, None) == UNPROVEN_INCOMPLETE


def test_the_refusal_of_a_half_made_environment_is_one_line_quoted_for_the_shell() -> None:
    path = Path("/srv/my envs/$(touch pwned)")
    for upgrade in (False, True):
        with pytest.raises(UsageError) as refused:
            decide(path, INTERRUPTED_NEW, force=False, upgrade=upgrade)
        assert str(refused.value) == (
            "'/srv/my envs/$(touch pwned)': an earlier install creating it was interrupted and "
            "left it half-made; pass --force to delete it and everything in it and start again, "
            "or choose another --env"
        )


def test_files_put_into_a_new_environment_while_it_is_made_are_found_by_any_tools_layout(
    tmp_path: Path,
) -> None:
    """What the creating run checks before it removes the environment it failed to make: entries
    at its top level that neither envsetup nor venv / uv / conda writes, judged by every tool's
    layout (a failure may come before pyvenv.cfg or conda-meta/ exists)."""
    env = tmp_path / "env"
    _ours_interrupted(env, tuple(dict.fromkeys((*VENV_LAYOUT, *CONDA_LAYOUT))))
    (env / ".envsetup-install.json.abc123.tmp").write_text("")
    assert foreign_entries(env) == []
    (env / "notes.txt").write_text("mine")
    (env / "work").mkdir()
    (env / "data-link").symlink_to(tmp_path)
    (env / "envsetup-install.json.bak").write_text("")
    assert foreign_entries(env) == ["data-link", "envsetup-install.json.bak", "notes.txt", "work/"]


@pytest.mark.skipif(os.name == "nt", reason="POSIX paths")
def test_a_target_that_cannot_be_made_or_looked_at_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("")
    for target in (tmp_path / "afile" / "env", tmp_path / "afile" / "deeper" / "env"):
        with pytest.raises(UsageError, match="afile is a file, not a directory") as refused:
            classify_target(target)
        assert "\n" not in str(refused.value)
    locked = tmp_path / "locked"
    (locked / "env").mkdir(parents=True)
    locked.chmod(0)
    try:
        # Mode 000 stops a normal user; root is stopped by the kernel at /proc/1/root in a
        # container. Where neither denies a look, there is nothing to test.
        for target in (locked / "env", Path("/proc/1/root/tmp/env")):
            try:
                os.stat(target)
            except PermissionError:
                with pytest.raises(UsageError, match=r"cannot look at it \(Permission denied\)"):
                    classify_target(target)
                with pytest.raises(UsageError, match=r"cannot resolve it \(Permission denied\)"):
                    real_target(target / "sub")
                return
            except OSError:
                pass
        pytest.skip("no directory here denies this user a look inside")
    finally:
        locked.chmod(0o755)
