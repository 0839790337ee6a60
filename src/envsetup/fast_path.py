"""The command lines the console script serves without typer: `doctor` and `explain` with plain
flags, `--version`.

Loading typer and click was the largest single cost of doctor's start-up, and doctor has a
start-up budget (bench/bench_doctor.py). A command line qualifies only when click would parse it
to exactly these values; anything else (`--help`, a typo, a missing value, `--`, a value that looks
like an option, shell completion, Windows' wildcard expansion) returns None, and the typer app
parses it: its errors and exit codes stay the only ones. tests/test_fast_path.py runs every
command line it lists through both paths and compares what comes out.
"""

from __future__ import annotations

import os
from typing import Mapping, NamedTuple, Optional, Sequence, Union

# doctor's flags as commands/doctor.py declares them: option -> run_doctor's parameter.
DOCTOR_FLAGS = {"--json": "json_output", "--verbose": "verbose", "-v": "verbose", "--deep": "deep"}
DOCTOR_VALUES = {
    "--python": "python",
    "--record": "record",
    "--replay": "replay",
    "--out": "out",
    "--budget": "budget",
    "--prometheus": "prometheus",
}
# explain's, as commands/explain.py declares them (run_explain's parameters); FILE arguments
# go to `files`.
EXPLAIN_FLAGS = {
    "--json": "json_output",
    "--verbose": "verbose",
    "-v": "verbose",
    "--no-host": "no_host",
}
EXPLAIN_VALUES = {"--replay": "replay", "--record": "record"}
# Characters click expands on Windows (user, variables, wildcards) before parsing.
_WINDOWS_EXPANDED = ("~", "$", "%", "*", "?", "[")


class Call(NamedTuple):
    """A command line the fast path serves: `command` ("doctor", "explain" or "--version") and
    the keyword arguments for doctor_run.run_doctor or explain_run.run_explain. (A NamedTuple: a third of a
    dataclass's cost to define, and this module is on every start-up.)"""

    command: str
    options: dict[str, Union[bool, str, list[str]]]


def simple_command(
    argv: Sequence[str],
    environ: Optional[Mapping[str, str]] = None,
    os_name: str = os.name,
) -> Optional[Call]:
    """What `argv` (sys.argv: the program, then its arguments) asks for, or None when typer must
    parse it. `environ` (default os.environ) is read only for click's shell-completion request."""
    environ = os.environ if environ is None else environ
    if any(name.startswith("_") and name.endswith("_COMPLETE") for name in environ):
        return None  # click answers a completion request before parsing anything
    args = list(argv[1:])
    if os_name == "nt" and any(ch in arg for arg in args for ch in _WINDOWS_EXPANDED):
        return None
    if args == ["--version"]:
        return Call("--version", {})
    if args[:1] == ["doctor"]:
        flags, values, positional = DOCTOR_FLAGS, DOCTOR_VALUES, False
    elif args[:1] == ["explain"]:
        flags, values, positional = EXPLAIN_FLAGS, EXPLAIN_VALUES, True
    else:
        return None
    options: dict[str, Union[bool, str, list[str]]] = {}
    files: list[str] = []
    rest = args[1:]
    while rest:
        arg = rest.pop(0)
        if arg in flags:
            options[flags[arg]] = True
            continue
        if positional and (arg == "-" or (arg and not arg.startswith("-"))):
            files.append(arg)  # click: "-" and anything not option-like is an argument
            continue
        name, equals, value = arg.partition("=")
        if name not in values:
            return None
        if not equals:
            if not rest:
                return None  # click's "requires an argument"
            value = rest.pop(0)
        # click takes an option-looking or empty value as the value; leave such lines to it.
        if not value or value.startswith("-"):
            return None
        options[values[name]] = value  # repeated: the last one counts, as in click
    if positional:
        options["files"] = files
        return Call("explain", options)
    return Call("doctor", options)
