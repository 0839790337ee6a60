"""How every command ends when it cannot reach its result: exit code, one line, and the --json envelope.

Real processes throughout. An internal error needs a bug; one is planted by replacing the function
each command calls first (probe_all / run_verify) with one that raises, in a real subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from envsetup.exit_codes import ExitCode
from hostbuilder import HostSpec

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = {
    command: json.loads((ROOT / f"docs/schema/{command}.schema.json").read_text(encoding="utf-8"))
    for command in ("doctor", "install", "check-command", "verify", "explain")
}
PASTE = str(ROOT / "tests" / "fixtures" / "nvcc" / "nvcc-12.8.93.txt")

# For each command: its arguments (a recorded host where one is read) and what a bug replaces.
COMMANDS: dict[str, tuple[list[str], str]] = {
    "doctor": (["doctor", "--replay", "{host}"], "envsetup.probe:probe_all"),
    "install": (["install", "--dry-run", "--replay", "{host}"], "envsetup.probe:probe_all"),
    "check-command": (
        ["check-command", "pip install torch", "--replay", "{host}"],
        "envsetup.probe:probe_all",
    ),
    "verify": (["verify", "--python", sys.executable], "envsetup.verify:run_verify"),
    "explain": (["explain", PASTE, "--replay", "{host}"], "envsetup.probe:probe_all"),
}


def cli(*args: str, code: str = "") -> subprocess.CompletedProcess[str]:
    script = (
        "import sys\n"
        f"{code}\n"
        f"sys.argv = ['envsetup', *{list(args)!r}]\n"
        "from envsetup.entry import main\n"
        "main()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )


def args_for(command: str, host: str) -> list[str]:
    return [a.replace("{host}", host) for a in COMMANDS[command][0]]


def check_envelope(command: str, stdout: str, kind: str, code: int) -> dict[str, Any]:
    document = json.loads(stdout)
    assert document["exit_code"] == code
    assert document["error"]["kind"] == kind
    assert document["error"]["message"]
    # Every command's envelope, its schema, and the same shape of a run that stopped short.
    jsonschema.validate(document, SCHEMAS[command])
    assert document["command"] == command and document["outcome"] == "error"
    assert document["data"] is None and document["findings"] == []
    return document


@pytest.fixture(scope="module")
def host(tmp_path_factory: pytest.TempPathFactory) -> str:
    return HostSpec().write(tmp_path_factory.mktemp("host"))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_internal_error_is_exit_70_one_line_and_the_json_envelope(
    command: str, host: str
) -> None:
    module, name = COMMANDS[command][1].split(":")
    bug = (
        f"import {module}\n"
        "def planted(*args, **kwargs):\n"
        "    raise RuntimeError('planted bug')\n"
        f"{module}.{name} = planted\n"
    )
    plain = cli(*args_for(command, host), code=bug)
    assert plain.returncode == ExitCode.INTERNAL == 70
    assert plain.stderr.strip().startswith("envsetup: internal error (RuntimeError: planted bug)")
    assert len(plain.stderr.strip().splitlines()) == 1 and "Traceback" not in plain.stderr
    as_json = cli(*args_for(command, host), "--json", code=bug)
    assert as_json.returncode == 70
    document = check_envelope(command, as_json.stdout, "internal", 70)
    assert "planted bug" in document["error"]["message"]
    assert as_json.stderr.strip() == plain.stderr.strip()


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_bad_replay_or_target_under_json_is_a_usage_envelope(
    command: str, tmp_path: Path
) -> None:
    missing = str(tmp_path / "no-such-host")
    args = args_for(command, missing)
    if command == "verify":
        args += ["--env", missing]  # --python with --env: a usage error
    out = cli(*args, "--json")
    assert out.returncode == 2, out.stderr
    check_envelope(command, out.stdout, "usage", 2)
    assert len(out.stderr.strip().splitlines()) == 1 and out.stderr.startswith("envsetup: ")


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_unknown_flag_under_json_is_a_usage_envelope(command: str, host: str) -> None:
    out = cli(*args_for(command, host), "--json", "--no-such-flag")
    assert out.returncode == 2
    document = check_envelope(command, out.stdout, "usage", 2)
    assert "--no-such-flag" in document["error"]["message"]
    assert "Traceback" not in out.stderr


def test_without_json_stdout_stays_empty_on_errors(tmp_path: Path) -> None:
    out = cli("doctor", "--replay", str(tmp_path / "missing"))
    assert out.returncode == 2 and out.stdout == ""


@pytest.mark.parametrize(
    ("args", "start", "hint"),
    [
        (["install", "--cdua", "11.8"], "envsetup install: No such option: --cdua", "--cuda"),
        (["doctr"], "envsetup: No such command 'doctr'", "'doctor'"),
        (["install", "--cuda"], "envsetup install: Option '--cuda' requires an argument", "-h"),
    ],
)
def test_a_typo_is_one_line_naming_the_command_and_the_fix(
    args: list[str], start: str, hint: str
) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "envsetup", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert out.returncode == ExitCode.USAGE
    assert out.stderr.count("\n") == 1 and out.stderr.startswith(start), out.stderr
    assert hint in out.stderr and "fix: see `envsetup" in out.stderr
