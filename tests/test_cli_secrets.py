"""Credentials a user types into a command line come back redacted: in check-command's report
(text and JSON) and in the one-line errors of install (text and JSON)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from scripts import run_envsetup, this_python_active

TOKEN = "pastedT0ken-8e7f6a5b"


def envsetup(*args: str) -> subprocess.CompletedProcess[str]:
    # Planned for the interpreter running the tests, not whatever python3 is first on PATH.
    return run_envsetup(
        *args, env={**this_python_active(os.environ), "ENVSETUP_INDEX_URL_BASE": ""}
    )


@pytest.mark.parametrize("as_json", [False, True])
def test_check_command_echoes_a_pasted_index_credential_redacted(as_json: bool) -> None:
    command = (
        f"pip install torch==2.0.1 --index-url https://ci:{TOKEN}@mirror.lan/whl/cu118 "
        f"--extra-index-url https://mirror.lan/simple?token={TOKEN}"
    )
    done = envsetup("check-command", command, *(["--json"] if as_json else []))
    assert done.returncode in (0, 1), done.stderr
    assert TOKEN not in done.stdout + done.stderr
    assert "https://***@mirror.lan/whl/cu118" in done.stdout
    if as_json:
        assert json.loads(done.stdout)["data"]["command"].startswith("pip install torch==2.0.1")


@pytest.mark.parametrize(
    ("command", "masked"),
    [
        (
            f"conda install pytorch==2.0.1 -c https://conda.anaconda.org/t/tk-{TOKEN}/pytorch",
            "https://conda.anaconda.org/t/***/pytorch",
        ),
        (
            f"pip install torch==2.0.1 --header 'Authorization: Bearer {TOKEN}'",
            "Authorization: Bearer ***",
        ),
        (f"pip install torch==2.0.1 --header 'PRIVATE-TOKEN: {TOKEN}'", "PRIVATE-TOKEN: ***"),
        (f"pip install torch==2.0.1 --header 'X-JFrog-Art-Api: {TOKEN}'", "X-JFrog-Art-Api: ***"),
        (f"pip install torch==2.0.1 --header 'X-Goog-Api-Key:{TOKEN}'", "X-Goog-Api-Key:***"),
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_check_command_echoes_channel_tokens_and_auth_headers_redacted(
    command: str, masked: str, as_json: bool
) -> None:
    done = envsetup("check-command", command, *(["--json"] if as_json else []))
    assert done.returncode in (0, 1), done.stderr
    assert TOKEN not in done.stdout + done.stderr
    shown = json.loads(done.stdout)["data"]["command"] if as_json else done.stdout
    assert masked in shown


@pytest.mark.parametrize(
    "base",
    [
        f"ftp://ci:{TOKEN}@mirror.lan/whl",  # unsupported scheme
        f"file://ci:{TOKEN}@/nonexistent/mirror",  # a local mirror that is not there
    ],
)
@pytest.mark.parametrize("as_json", [False, True])
def test_an_index_url_base_refused_is_named_without_its_credential(
    tmp_path: object, base: str, as_json: bool
) -> None:
    done = envsetup(
        "install",
        "--torch",
        "2.0",
        "--cuda",
        "cpu",
        "--python",
        f"{sys.version_info[0]}.{sys.version_info[1]}",
        "--env",
        str(tmp_path) + "/env",
        "--index-url-base",
        base,
        *(["--json"] if as_json else []),
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert TOKEN not in done.stdout + done.stderr
    message = json.loads(done.stdout)["error"]["message"] if as_json else done.stderr
    assert "--index-url-base" in message and "://***@" in message
