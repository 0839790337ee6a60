"""`--help` as a newcomer reads it (issue 12): `-h` everywhere, real metavars (VERSION, PATH, DIR,
FILE, URL), examples the tool accepts, and nothing that points into a source tree an installed
wheel does not have."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from envsetup import cli
from envsetup.render.help_words import EXAMPLES, TOP_EXAMPLES
from scripts import run_envsetup

COMMANDS = sorted(cli.COMMANDS)
# The metavars a value-taking option may show: what the value is, never its Python type.
METAVARS = {"VERSION", "PATH", "DIR", "FILE", "URL", "NAME", "IDS", "SECONDS", "DURATION"}
CHOICES = re.compile(r"^\[[a-z]+(\|[a-z]+)+\]$")  # click's way of showing choices: [pip|uv|conda]


def _help(*args: str) -> str:
    result = run_envsetup(*args, env={"COLUMNS": "100"})
    assert result.returncode == 0, result.stderr
    return result.stdout


def _words(text: str) -> str:
    """The help's words with rich's box borders and line breaks taken out."""
    return " ".join(text.replace("│", " ").split())


def _click_command(name: str):  # type: ignore[no-untyped-def]
    import typer.main

    cli._register(["envsetup", name])
    return typer.main.get_command(cli.app).commands[name]  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", ["", *COMMANDS], ids=lambda c: c or "(top level)")
def test_h_is_help_on_every_command(command: str) -> None:
    args = [command] if command else []
    short = _help(*args, "-h")
    assert short == _help(*args, "--help")
    assert f"Usage: envsetup {command}".rstrip() in short  # the console script's name
    assert "Examples" in short and "-h" in short


def _leaf_commands(name: str):  # type: ignore[no-untyped-def]
    """The command, or a group's subcommands (fleet run, fleet node, ...) with their words."""
    command = _click_command(name)
    subcommands = getattr(command, "commands", None)
    if not subcommands:
        return [([name], command)]
    return [([name, sub], leaf) for sub, leaf in sorted(subcommands.items())]


@pytest.mark.parametrize("command", COMMANDS)
def test_each_option_taking_a_value_names_what_it_takes(command: str) -> None:
    for words, leaf in _leaf_commands(command):
        options = [p for p in leaf.params if p.opts[0].startswith("--")]
        valued = [p for p in options if not p.is_flag]
        assert valued, words
        for param in valued:
            assert param.metavar in METAVARS or CHOICES.match(param.metavar or ""), (
                f"{words} {param.opts[0]}: metavar {param.metavar!r}"
            )
        text = _help(*words, "-h")
        assert "<str>" not in text.split("Options")[1] and "TEXT" not in text
        assert "<float>" not in text and "<int>" not in text


def test_the_metavars_say_what_the_value_is() -> None:
    """The options newcomers use first, one by one (a version is no PATH, a directory no FILE)."""
    metavars = {
        (name, opt): p.metavar
        for name in COMMANDS
        for p in _click_command(name).params
        for opt in p.opts
    }
    assert metavars[("install", "--torch")] == "VERSION"
    assert metavars[("install", "--cuda")] == "VERSION"
    assert metavars[("install", "--python")] == "VERSION"
    assert metavars[("install", "--env")] == "DIR"
    assert metavars[("install", "--index-url-base")] == "URL"
    assert metavars[("install", "--facts")] == "FILE"
    assert metavars[("doctor", "--python")] == "PATH"
    assert metavars[("doctor", "--replay")] == "DIR"
    assert metavars[("verify", "--python")] == "PATH"
    assert metavars[("verify", "--junit")] == "FILE"
    assert metavars[("check-command", "--replay")] == "DIR"


def _example_arguments() -> list[tuple[str, list[str]]]:
    found = []
    for line, _ in [*TOP_EXAMPLES, *(e for examples in EXAMPLES.values() for e in examples)]:
        words = shlex.split(line.split("|")[-1])
        assert words[0] == "envsetup", line
        if words[1:] != ["COMMAND", "-h"]:
            found.append((line, words[1:]))
    return found


@pytest.mark.parametrize(("line", "args"), _example_arguments(), ids=lambda x: str(x)[:60])
def test_every_example_is_a_command_line_the_tool_accepts(line: str, args: list[str]) -> None:
    """Each example parses: its command exists, its options exist and take what it gives them
    (click's own parser, without running the command)."""
    command = _click_command(args[0])
    context = command.make_context(args[0], args[1:])
    assert context.params is not None, line


def test_every_command_has_examples() -> None:
    assert set(EXAMPLES) == set(cli.COMMANDS)
    for name, examples in EXAMPLES.items():
        assert all(line.split("|")[-1].split()[1] == name for line, _ in examples), name


@pytest.mark.parametrize("command", ["", *COMMANDS], ids=lambda c: c or "(top level)")
def test_help_names_no_file_of_the_source_tree(command: str) -> None:
    """An installed wheel has no docs/: help says what it means itself."""
    text = _help(*([command] if command else []), "-h")
    assert "docs/" not in text and ".md" not in text


def test_verify_help_lists_the_check_ids_it_takes() -> None:
    from envsetup.verify.catalogue import all_checks

    text = _words(_help("verify", "-h"))
    for check in all_checks():
        if not check.hidden:
            assert check.id in text


def test_the_json_schema_the_help_names_is_written_by_the_package_itself(
    tmp_path: Path,
) -> None:
    import subprocess
    import sys

    # A group (fleet) has no --json of its own: its subcommands say theirs.
    leaves = [name for name in COMMANDS if not getattr(_click_command(name), "commands", None)]
    for name in leaves:
        text = _words(_help(name, "-h"))
        assert "python -m envsetup.render.schema DIR writes its JSON Schema" in text
    subprocess.run(
        [sys.executable, "-m", "envsetup.render.schema", str(tmp_path)], check=True, timeout=60
    )
    for name in leaves:
        assert (tmp_path / f"{name}.schema.json").is_file()


@pytest.mark.parametrize("width", [60, 100])
@pytest.mark.parametrize("command", ["", *COMMANDS])
def test_examples_wrap_as_shell_comments_at_60_and_100_columns(command: str, width: int) -> None:
    """Each line of the examples fits the terminal; a comment too long for its command's line goes
    under it, broken between words, each line with its own `#` (no word of a comment left at the
    margin as if it were a command). A command longer than the line is wrapped as before."""
    result = run_envsetup(*([command] if command else []), "-h", env={"COLUMNS": str(width)})
    assert result.returncode == 0, result.stderr
    section = result.stdout.split("Examples (each line can be pasted into a shell):")[1]
    lines = [line.rstrip() for line in section.splitlines() if line.strip()]
    assert lines
    assert all(len(line) <= width for line in lines), lines
    examples = EXAMPLES.get(command, TOP_EXAMPLES) if command else TOP_EXAMPLES
    comments = " ".join(line.split("# ", 1)[1] for line in lines if "# " in line)
    assert " ".join(comments.split()) == " ".join(what for _, what in examples)
    commands = " ".join(line.split("# ", 1)[0] for line in lines)
    assert " ".join(commands.split()) == " ".join(line for line, _ in examples)
