"""call_with_time_limit: run a function in a child process and give up on it after a deadline.

For calls that can hang inside the kernel where no timeout of their own reaches: NVML's
nvmlInit() on a wedged driver blocks forever (conda detects CUDA the same way, in a spawned
process it joins with a timeout). The child is a fresh interpreter started through the execution
layer (its own process group, tagged, ended with all it started), not a fork of this one: a fork
would inherit a half-initialised driver library and every thread's locks.
"""

from __future__ import annotations

import json
import pickle
import sys
from typing import Any, Callable

from envsetup.host.execution import Request, run

# Runs in the child: imports the function by name, calls it with fd 1 pointed at stderr (so that
# nothing it prints can garble the answer), and writes the pickled outcome on the real stdout.
_BOOT = """\
import importlib, os, pickle, sys
sys.path[:] = __import__("json").loads(sys.argv[3])
answer = os.fdopen(os.dup(1), "wb")
os.dup2(2, 1)
target = importlib.import_module(sys.argv[1])
for part in sys.argv[2].split("."):
    target = getattr(target, part)
try:
    outcome = ("value", target())
except BaseException as exc:
    try:
        pickle.dumps(exc)
        outcome = ("error", exc)
    except Exception:
        outcome = ("error", RuntimeError(f"{type(exc).__name__}: {exc}"))
answer.write(pickle.dumps(outcome))
answer.flush()
"""


class TimeLimitExceeded(Exception):
    """The function did not return within its time limit; its process was ended."""


class ChildLost(Exception):
    """The child ended without an answer (a crash, a signal, an answer that does not load)."""


def call_with_time_limit(fn: Callable[[], Any], timeout_s: float) -> Any:
    """fn() run in a fresh interpreter (this one's executable and sys.path): its return value,
    or what it raised, raised here. `fn` must be importable by name (a module-level function)
    and its value and exceptions picklable. Raises TimeLimitExceeded after `timeout_s` seconds
    (wall clock, interpreter start included) and ChildLost when no answer came back (the child
    could not start, crashed, or answered with something that does not load)."""
    module, name = fn.__module__, fn.__qualname__
    if "<" in name:  # a lambda or a nested function: the child cannot import it
        raise ValueError(f"{module}.{name}: not importable by name; use a module-level function")
    if not sys.executable:  # embedded Python: no interpreter to start the child with
        raise ChildLost(f"{module}.{name} gave no answer (no Python executable to start it)")
    argv = (sys.executable, "-c", _BOOT, module, name, json.dumps(sys.path))
    try:
        done = run(Request(argv, timeout_s))
    except OSError as exc:  # the executable is gone, or may not be run
        raise ChildLost(
            f"{module}.{name} gave no answer (cannot start {sys.executable}: {exc.strerror or exc})"
        ) from None
    if done.timed_out:
        raise TimeLimitExceeded(f"{module}.{name} did not return within {timeout_s:g} s")
    try:
        kind, value = pickle.loads(done.stdout)  # our own child's answer, from our own code
    except Exception:
        said = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        why = said[-1] if said else f"exit status {done.returncode}"
        raise ChildLost(f"{module}.{name} gave no answer ({why})") from None
    if kind == "error":
        raise value
    return value
