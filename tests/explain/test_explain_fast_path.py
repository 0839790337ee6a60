"""explain on the console script's fast path (envsetup.fast_path): the same values reach
run_explain, and the same exit code and output come back, as when typer parses the line."""

from __future__ import annotations

import inspect
import signal
import sys
from typing import Any

import pytest

from envsetup import cli, explain_run
from envsetup import fast_path as fast_path_module
from envsetup.fast_path import EXPLAIN_FLAGS, EXPLAIN_VALUES, simple_command

SERVED = [
    ["explain"],
    ["explain", "-"],
    ["explain", "paste.txt"],
    ["explain", "a.txt", "-", "b.txt", "--json"],
    ["explain", "--no-host", "-v", "paste.txt"],
    ["explain", "--replay", "/tmp/rec", "--json", "--verbose"],
    ["explain", "--replay=/tmp/a", "--replay", "/tmp/b", "x"],
    ["explain", "--record", "/tmp/out", "--no-host", "p.txt"],
    ["explain", "--replay", "/tmp/r", "--no-host"],  # run_explain's usage error, on both paths
]
LEFT_TO_TYPER = [
    ["explain", "--help"],
    ["explain", "-h"],
    ["explain", "--jsn"],
    ["explain", "--json=1"],
    ["explain", "--replay"],
    ["explain", "--replay", "--json"],
    ["explain", "--replay", "-"],
    ["explain", "--record="],
    ["explain", "--"],
    ["explain", "--", "-x"],
    ["explain", ""],
    ["explain", "-vv"],
    ["explain", "-1"],
    ["Explain"],
]


def answer(
    argv: list[str], fast: bool, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str, list[dict[str, Any]]]:
    calls: list[dict[str, Any]] = []
    real = inspect.signature(explain_run.run_explain)

    def recording(*args: Any, **kwargs: Any) -> int:
        bound = real.bind(*args, **kwargs)
        bound.apply_defaults()
        values = dict(bound.arguments)
        values["files"] = values["files"] or []  # typer gives None for no FILE, the fast path []
        calls.append(values)
        if values["replay"] and values["no_host"]:
            return real_run(**values)  # the usage error itself
        return 0

    real_run = explain_run.run_explain
    with monkeypatch.context() as patch:
        patch.setattr(explain_run, "run_explain", recording)
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
def test_explain_on_the_fast_path_answers_as_typer_does(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("_ENVSETUP_COMPLETE", raising=False)
    served = simple_command(["envsetup", *args], environ={}, os_name="posix")
    assert (served is not None) == (args in SERVED), served
    typer_answer = answer(args, False, monkeypatch, capsys)
    fast_answer = answer(args, True, monkeypatch, capsys)
    assert fast_answer == typer_answer
    if args in SERVED:
        assert len(typer_answer[3]) == 1  # explain ran, once


def test_the_fast_path_flags_are_explains_flags_as_click_declares_them() -> None:
    import typer.main

    cli._register(["envsetup", "explain"])
    command = typer.main.get_command(cli.app).commands["explain"]  # type: ignore[attr-defined]
    params = {opt: p for p in command.params for opt in p.opts}
    for option, name in {**EXPLAIN_FLAGS, **EXPLAIN_VALUES}.items():
        param = params[option]
        assert param.name == name and not param.multiple and param.nargs == 1
        assert param.is_flag == (option in EXPLAIN_FLAGS)
        assert param.envvar is None and param.callback is None
    files = next(p for p in command.params if p.name == "files")
    assert files.nargs == -1 and type(files.type).__name__ == "StringParamType"
    assert set(inspect.signature(explain_run.run_explain).parameters) == {
        p.name for p in command.params
    }
