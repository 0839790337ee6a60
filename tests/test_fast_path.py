"""The console script's fast path (envsetup.fast_path): same answers as typer, without typer.

Every command line here runs twice, through the fast path and with it switched off (the typer app
parses everything): exit code, stdout, stderr and the values doctor receives must be the same.
The import test guards the speed without a timed test: doctor must not load typer, click or rich
(text doctor: typer and click) on its start-up path.
"""

from __future__ import annotations

import inspect
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional

import pytest

from envsetup import __version__, cli, doctor_run
from envsetup import fast_path as fast_path_module
from envsetup.fast_path import DOCTOR_FLAGS, DOCTOR_VALUES, Call, simple_command

RECORDED = str(Path(__file__).parent / "fixtures" / "hosts" / "ci-debian12-cuda13-no-driver")

# Command lines the fast path serves (the speed depends on it) ...
SERVED = [
    ["doctor"],
    ["doctor", "--json"],
    ["doctor", "-v"],
    ["doctor", "--verbose", "--json", "--deep"],
    ["doctor", "--json", "--json", "-v", "--verbose"],
    ["doctor", "--python", "/usr/bin/python3"],
    ["doctor", "--python=/opt/py/bin/python"],
    ["doctor", "--record", "/tmp/rec", "--json"],
    ["doctor", "--replay", "/tmp/a", "--replay=/tmp/b"],
    ["doctor", "--record", "doctor", "--replay", "json=x"],
    ["doctor", "--python", "has space", "--python", "é/ünïcode"],
    # issue 13's node-check flags: values passed on as typed (run_doctor checks them).
    ["doctor", "--json", "--out", "/runs/{host}.json", "--budget", "50"],
    ["doctor", "--prometheus=/var/lib/node_exporter/{host}.prom", "--budget=abc"],
    ["--version"],
]
# ... and those it leaves to typer: help, typos, missing or odd values, extra arguments.
LEFT_TO_TYPER = [
    [],
    [""],
    ["Doctor"],
    ["doctor", ""],
    ["doctor", "--help"],
    ["doctor", "-h"],
    ["doctor", "--jsn"],
    ["doctor", "--js"],
    ["doctor", "--json=1"],
    ["doctor", "--json="],
    ["doctor", "--verbose=yes"],
    ["doctor", "--no-json"],
    ["doctor", "-vv"],
    ["doctor", "-x"],
    ["doctor", "--python"],
    ["doctor", "--json", "--python"],
    ["doctor", "--python", "--json"],
    ["doctor", "--python", "-"],
    ["doctor", "--python", ""],
    ["doctor", "--python="],
    ["doctor", "--pyth", "/usr/bin/python3"],
    ["doctor", "--budget", "-1"],
    ["doctor", "--out"],
    ["doctor", "--"],
    ["doctor", "--", "--json"],
    ["doctor", "extra"],
    ["doctor", "--version"],
    ["--version", "doctor"],
    ["--version", "--version"],
    ["--help"],
    ["--bogus"],
    ["install", "--bogus"],
    ["check-command"],
]


def _run_in_process(
    argv: list[str], fast: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str, list[dict[str, Any]]]:
    """cli._run on `argv` with run_doctor recording its arguments instead of probing."""
    calls: list[dict[str, Any]] = []
    real = inspect.signature(doctor_run.run_doctor)

    def recording_run_doctor(*args: Any, **kwargs: Any) -> int:
        bound = real.bind(*args, **kwargs)
        bound.apply_defaults()
        calls.append(dict(bound.arguments))
        return 0

    with monkeypatch.context() as patch:
        patch.setattr(doctor_run, "run_doctor", recording_run_doctor)
        patch.setattr(sys, "argv", ["envsetup", *argv])
        if not fast:
            patch.setattr(fast_path_module, "simple_command", lambda *a, **k: None)
        sigint = signal.getsignal(signal.SIGINT)
        try:
            code = cli._run(sys.argv)
        finally:
            signal.signal(signal.SIGINT, sigint)
    out, err = capsys.readouterr()
    return code, out, err, calls


@pytest.mark.parametrize("args", SERVED + LEFT_TO_TYPER, ids=lambda a: " ".join(a) or "(none)")
def test_fast_path_answers_as_typer_does(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["envsetup", *args]
    monkeypatch.delenv("_ENVSETUP_COMPLETE", raising=False)
    served = simple_command(argv, environ={}, os_name="posix")
    assert (served is not None) == (args in SERVED), served
    typer_answer = _run_in_process(args, False, monkeypatch, capsys)
    fast_answer = _run_in_process(args, True, monkeypatch, capsys)
    assert fast_answer == typer_answer
    if args[:1] == ["doctor"] and args in SERVED:
        assert len(typer_answer[3]) == 1 and typer_answer[0] == 0  # doctor ran, once
    if args == ["--version"]:
        assert typer_answer[:3] == (0, f"envsetup {__version__}\n", "")


def test_fast_path_flags_are_doctors_flags_as_click_declares_them() -> None:
    """A flag renamed, removed or given a value in commands/doctor.py must not stay accepted here."""
    import typer.main

    cli._register(["envsetup", "doctor"])
    command = typer.main.get_command(cli.app).commands["doctor"]  # type: ignore[attr-defined]
    params = {opt: p for p in command.params for opt in p.opts}
    for option, name in {**DOCTOR_FLAGS, **DOCTOR_VALUES}.items():
        param = params[option]
        assert param.name == name and not param.multiple and param.nargs == 1
        assert param.is_flag == (option in DOCTOR_FLAGS)
        assert param.envvar is None and param.callback is None
        if option in DOCTOR_VALUES:
            # passed on as typed: no conversion to mimic
            assert type(param.type).__name__ == "StringParamType"
    assert set(inspect.signature(doctor_run.run_doctor).parameters) == {
        p.name for p in command.params
    }


@pytest.mark.parametrize(
    "environ, os_name, argv",
    [
        ({"_ENVSETUP_COMPLETE": "bash_complete"}, "posix", ["doctor", "--json"]),
        ({"_PYTHON -M ENVSETUP_COMPLETE": "zsh_source"}, "posix", ["--version"]),
        ({}, "nt", ["doctor", "--record", "~/rec"]),
        ({}, "nt", ["doctor", "--python", "%PYTHON%"]),
        ({}, "nt", ["doctor", "--replay", "C:/hosts/*"]),
    ],
)
def test_shell_completion_and_windows_expansion_are_left_to_click(
    environ: dict[str, str], os_name: str, argv: list[str]
) -> None:
    assert simple_command(["envsetup", *argv], environ=environ, os_name=os_name) is None


def test_fast_path_values() -> None:
    assert simple_command(["envsetup", "--version"], environ={}) == Call("--version", {})
    assert simple_command(
        ["envsetup", "doctor", "-v", "--python=/a", "--python", "/b"], environ={}, os_name="nt"
    ) == Call("doctor", {"verbose": True, "python": "/b"})


def _envsetup(args: list[str], fast: bool, env: Optional[dict[str, str]] = None) -> Any:
    switch_off = "" if fast else "fast_path.simple_command = lambda *a, **k: None; "
    code = (
        "import sys; from envsetup import fast_path; " + switch_off + "sys.argv[0] = 'envsetup'; "
        "from envsetup.entry import main; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.mark.parametrize(
    "args",
    [
        ["doctor", "--json", "--replay", RECORDED],
        ["doctor", "--replay", RECORDED],
        ["doctor", "-v", "--replay", RECORDED],
        ["doctor", "--json", "--replay", RECORDED, "--record", "/nonexistent/rec"],
        ["doctor", "--replay", "/nonexistent/host"],
        ["doctor", "--json", "--replay", "/nonexistent/host"],
        ["--version"],
    ],
    ids=lambda a: " ".join(a).replace(RECORDED, "HOST"),
)
def test_real_runs_print_the_same_through_both_paths(args: list[str]) -> None:
    fast, slow = _envsetup(args, True), _envsetup(args, False)
    assert (fast.returncode, fast.stdout, fast.stderr) == (
        slow.returncode,
        slow.stdout,
        slow.stderr,
    )
    assert fast.stdout or fast.stderr


def test_real_run_to_a_closed_pipe_ends_as_typer_ends_it() -> None:
    # The reader is gone before doctor writes: click's answer is exit 1 and no traceback.
    results = []
    for fast in (True, False):
        read, write = os.pipe()
        os.close(read)
        switch_off = "" if fast else "fast_path.simple_command = lambda *a, **k: None; "
        code = (
            "import sys; from envsetup import fast_path; "
            + switch_off
            + "sys.argv[0] = 'envsetup'; "
            "from envsetup.entry import main; main()"
        )
        proc = subprocess.run(
            [sys.executable, "-c", code, "doctor", "--json", "--replay", RECORDED],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
        os.close(write)
        results.append((proc.returncode, proc.stderr))
    assert results[0] == results[1]
    assert results[0][0] == 1 and "Traceback" not in results[0][1]


def _imported(args: list[str]) -> set[str]:
    """The modules `envsetup ARGS` imports (python -X importtime, the console script's way in)."""
    out = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            "from envsetup.entry import main; main()",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode in (0, 1), out.stderr[-2000:]
    found = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", out.stderr, re.M))
    assert "envsetup.doctor_run" in found or args == ["--version"]
    return found


@pytest.mark.parametrize(
    "args, forbidden",
    [
        (["doctor", "--json"], ("typer", "click", "rich")),
        (["doctor", "--json", "--replay", RECORDED], ("typer", "click", "rich")),
        (["doctor", "--replay", RECORDED], ("typer", "click")),
        (["--version"], ("typer", "click", "rich")),
    ],
    ids=["json-live", "json-replay", "text-replay", "version"],
)
def test_doctor_start_up_loads_neither_typer_nor_click(
    args: list[str], forbidden: tuple[str, ...]
) -> None:
    loaded = _imported(args)
    heavy = sorted(m for m in loaded if m.split(".")[0] in forbidden)
    assert not heavy, heavy


ECHOED = [
    '{\n  "name": "NVIDIA GeForce RTX 4080 \\u00e9"\n}',
    "é ünïcode",
    "\x1b[31mred\x1b[0m",
    "",
    "✓",
]
# One child per implementation and encoding: every text, then what each call raised, if anything.
ECHO_ALL = """
import json, sys
{call}
for text in json.loads(sys.argv[1]):
    try:
        echo(text)
    except Exception as exc:
        sys.stdout.flush()
        sys.stderr.write(type(exc).__name__ + "\\n")
"""


@pytest.mark.parametrize("encoding", ["utf-8", "ascii", "latin-1"])
def test_echo_writes_what_typer_echo_writes(encoding: str) -> None:
    """doctor's output went through typer.echo; render.stdout.echo must give the same bytes
    (JSON, non-ASCII text, escape sequences, nothing, a character the encoding lacks)."""
    import json

    answers = []
    for call in ("from envsetup.render.stdout import echo", "from typer import echo"):
        answers.append(
            subprocess.run(
                [sys.executable, "-c", ECHO_ALL.format(call=call), json.dumps(ECHOED)],
                capture_output=True,
                timeout=60,
                check=False,
                env={**os.environ, "PYTHONIOENCODING": encoding},
            )
        )
    ours, typers = answers
    assert typers.returncode == 0, typers.stderr
    assert (ours.returncode, ours.stdout, ours.stderr) == (0, typers.stdout, typers.stderr)
    assert typers.stdout  # something was written
