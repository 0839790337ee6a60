"""The target Python: which interpreter, its environment kind, PEP 668, pip, site-packages."""

from __future__ import annotations

import ast
from typing import Any, Optional

from envsetup.facts import PythonFacts, ReadProblem
from envsetup.host.base import Host
from envsetup.host.interpreter import SCRIPT
from envsetup.model.interpreter_choice import InterpreterChoice
from envsetup.parsers.interpreter_failure import telling_part
from envsetup.probe.common import (
    as_int,
    as_text,
    clean,
    dist_version,
    join,
    json_object,
    output_cut,
    probe_timeout,
    problem,
)
from envsetup.record_state import RECORD_NAME, STATE_UNREADABLE, reported_state


def target_interpreter(host: Host, requested: Optional[str]) -> tuple[str, InterpreterChoice]:
    """--python (an interpreter, or an environment's directory) wins; else uv's order
    (host/interpreter_discovery.py): VIRTUAL_ENV, CONDA_PREFIX (not base), a .venv from the
    working directory upwards, conda's base, PATH's python3/python, the interpreter running
    envsetup last. Asked of `host`, so a recorded host answers as the live one did."""
    from envsetup.host.interpreter_discovery import discover, new_env_dir

    platform = host.platform()
    windows = platform.system == "Windows"
    executable, choice = discover(
        requested,
        host.environ(),
        platform.working_directory,
        host.exists,
        host.which,
        windows,
        platform.python_executable,
    )
    choice.new_env_dir = new_env_dir(platform.working_directory, host.exists, windows)
    return executable, choice


def probe_python(host: Host, requested: Optional[str], problems: list[ReadProblem]) -> PythonFacts:
    executable, choice = target_interpreter(host, requested)
    facts = _probe_python(host, executable, problems)
    choice.envsetup_environment = _is_envsetup_environment(host, facts.prefix)
    facts.chosen_by = choice
    return facts


def _is_envsetup_environment(host: Host, prefix: str) -> bool:
    """Whether `prefix` is the environment envsetup runs from (sys.prefix of the running tool)."""
    running = as_text(host.platform().python.get("prefix"))
    if not prefix or not running:
        return False
    return prefix == running or host.realpath(prefix) == host.realpath(running)


def _probe_python(host: Host, executable: str, problems: list[ReadProblem]) -> PythonFacts:
    running = host.platform()
    if running.python and _same_interpreter(host, executable, running.python_executable):
        # The target is the interpreter running envsetup: it has described itself already.
        facts = PythonFacts(executable=executable, source="the interpreter running envsetup")
        return _fill(host, facts, running.python)
    if not executable:
        # No interpreter to ask (a recording that holds none, e.g. one explain --record made
        # from a paste stating no Python): nothing was read, nothing failed.
        return PythonFacts(executable="", source="none found")
    result = host.run(
        [executable, "-c", SCRIPT, "envsetup-introspect"], timeout=probe_timeout(host.environ())
    )
    facts = PythonFacts(executable=executable, source=f"command:{executable} -c <introspect>")
    if not result.ok:
        if result.truncated:
            problems.append(output_cut(f"Python interpreter {executable}"))
            return facts
        reason = (
            "timed out"
            if result.timed_out
            else ("not found" if result.not_found else f"exit status {result.returncode}")
        )
        # Keep the interpreter's telling line in the excerpt (doctor quotes it; see
        # parsers/interpreter_failure.py).
        said = telling_part(result.output) if result.returncode else result.output
        problems.append(problem(f"Python interpreter {executable}", reason, said))
        return facts
    try:
        data = ast.literal_eval(result.stdout.strip().splitlines()[-1])
        if not isinstance(data, dict):
            raise ValueError("not a dict")
    except (ValueError, TypeError, SyntaxError, IndexError, MemoryError, RecursionError):
        problems.append(
            problem(f"Python interpreter {executable}", "unexpected output", result.output)
        )
        return facts
    return _fill(host, facts, data)


def _same_interpreter(host: Host, one: str, other: str) -> bool:
    """bin/python and bin/python3 of one environment are one interpreter; a venv's python and the
    base python it links to are not (same binary, other site-packages)."""
    if one == other:
        return True
    one, other = one.replace("\\", "/"), other.replace("\\", "/")
    same_dir = one.rsplit("/", 1)[0] == other.rsplit("/", 1)[0]
    return same_dir and host.realpath(one) == host.realpath(other)


def _fill(host: Host, facts: PythonFacts, data: dict[str, Any]) -> PythonFacts:
    # `data` is what the interpreter printed, read back as a Python literal: any types at all.
    facts.executable = as_text(data.get("executable")) or facts.executable
    facts.version = as_text(data.get("version"))
    facts.implementation = as_text(data.get("implementation"))
    facts.prefix = as_text(data.get("prefix"))
    facts.bits = as_int(data.get("bits"))
    listed = data.get("site_packages")
    site = [clean(p) for p in listed if isinstance(p, str)] if isinstance(listed, list) else []
    purelib = as_text(data.get("purelib"))
    if purelib and purelib not in site:
        site.append(purelib)
    facts.site_packages = site
    facts.environment = _environment_kind(host, data)
    marker = join(as_text(data.get("stdlib")), "EXTERNALLY-MANAGED")
    # PEP 668: the marker binds only the base interpreter; a venv is exempt.
    if facts.environment in ("system", "pyenv") and host.exists(marker):
        facts.externally_managed, facts.externally_managed_path = True, marker
    facts.pip_version = _pip_version(host, site)
    facts.envsetup_install = _install_state(host, facts.prefix)
    return facts


def _install_state(host: Host, prefix: str) -> Optional[str]:
    """The record's state; "incomplete-upgrade" for an interrupted --upgrade (see envsetup.record_state)."""
    text = host.read_text(join(prefix, RECORD_NAME)) if prefix else None
    if text is None:
        return None
    record = json_object(text)
    return clean(reported_state(record)) if record else STATE_UNREADABLE


def _environment_kind(host: Host, data: dict[str, Any]) -> str:
    prefix, base = as_text(data.get("prefix")), as_text(data.get("base_prefix"))
    if prefix != base:
        cfg = host.read_text(join(prefix, "pyvenv.cfg")) or ""
        return "uv" if "\nuv =" in "\n" + cfg else "venv"  # uv writes "uv = X.Y.Z" into pyvenv.cfg
    if host.exists(join(prefix, "conda-meta")):
        return "conda"
    if "/.pyenv/versions/" in prefix.replace("\\", "/"):
        return "pyenv"
    return "system"


def _pip_version(host: Host, site_packages: list[str]) -> Optional[str]:
    for directory in site_packages:
        for dist in host.glob(join(directory, "pip-*.dist-info")):
            return dist_version(dist, "pip-")
    return None
