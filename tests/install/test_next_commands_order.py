"""After an install the tool prints what to type next. Typed top to bottom in the shell of the
README's first command (the tool's own .venv activated), every line must work: activating the
new environment deactivates the tool's, so `check: envsetup verify` has to come first (issue 12:
every printed command is accepted). Real venvs, their real activate scripts, a real bash."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from envsetup.install.execute import InstallResult
from envsetup.render import style
from envsetup.render.install_text import render_result


def printed_next_commands(env: Path) -> list[tuple[str, str]]:
    result = InstallResult(
        env_path=str(env), python=f"{env}/bin/python", manager="pip", index_url="",
        log_path="", record_path="", mode="new",
        activate=f"source {env}/bin/activate", verify_command=f"envsetup verify --env {env}",
    )  # fmt: skip
    out = style.console(width=200)
    with out.capture() as captured:
        render_result(out, result)
    pairs = []
    for line in captured.get().splitlines():
        label, _, command = line.strip().partition(": ")
        if label in ("check", "activate"):
            pairs.append((label, command))
    return pairs


@pytest.mark.skipif(
    sys.platform == "win32" or shutil.which("bash") is None, reason="bash and POSIX activate"
)
def test_the_next_commands_work_typed_in_the_order_printed(tmp_path: Path) -> None:
    tool = tmp_path / ".venv"  # the README's first command: envsetup in ./.venv, activated
    venv.EnvBuilder(with_pip=False).create(tool)
    stand_in = tool / "bin" / "envsetup"  # records that it ran; the real one needs torch
    stand_in.write_text(f'#!/bin/sh\necho "$@" > {tmp_path}/ran\n')
    stand_in.chmod(0o755)
    env = tmp_path / ".venv-test"
    venv.EnvBuilder(with_pip=False).create(env)
    pairs = printed_next_commands(env)
    assert [label for label, _ in pairs] == ["check", "activate"]
    script = "\n".join([f". {tool}/bin/activate", *(command for _, command in pairs)])
    ran = subprocess.run(
        ["bash", "-e", "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert ran.returncode == 0, ran.stderr
    assert (tmp_path / "ran").read_text().split() == ["verify", "--env", str(env)]
