"""What an install may do with what is already at the target."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from envsetup.errors import UsageError
from envsetup.install.record import write_install_record
from envsetup.install.target import (
    ABSENT,
    EMPTY,
    ENVIRONMENT,
    FOREIGN,
    INCOMPLETE,
    classify_target,
    decide,
    remove_tree,
)


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
    half = tmp_path / "half"
    half.mkdir()
    write_install_record(half, {"state": "incomplete"})
    assert classify_target(half) == INCOMPLETE
    (tmp_path / "file").write_text("x")
    assert classify_target(tmp_path / "file") == FOREIGN
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "main.py").write_text("")
    assert classify_target(tmp_path / "src") == FOREIGN


@pytest.mark.parametrize(
    ("kind", "force", "upgrade", "mode", "remove_first", "creates_env"),
    [
        (ABSENT, False, False, "new", False, True),
        (EMPTY, False, False, "new", False, True),
        (ABSENT, False, True, "new", False, True),
        (INCOMPLETE, False, False, "new", True, True),
        (ENVIRONMENT, True, False, "force", True, True),
        (ENVIRONMENT, False, True, "upgrade", False, False),
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
