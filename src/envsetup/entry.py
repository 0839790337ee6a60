"""The console script's first module: a Ctrl-C at any moment, start-up included, is exit 130.

Python turns SIGINT into a KeyboardInterrupt wherever it lands; during the imports of typer and rich,
before main()'s handlers exist, that is a traceback. So the quiet handler goes in first, before
anything else is imported; cli.main() hands SIGINT back to KeyboardInterrupt once its handlers and
the commands' cleanup (locks, half-made environments) are in place.
"""

# No `from __future__ import annotations`: executing it imports the __future__ module, a window
# before the handler below in which a Ctrl-C would still be a traceback.
import os  # already loaded by the interpreter's start-up: no window here
import sys


def _interrupted(signum: int, frame: object) -> None:
    try:
        from envsetup.failure import report

        report(sys.argv, "interrupted", "interrupted", 130)
    except BaseException:  # landed inside the import of failure itself: say it plainly
        os.write(2, b"envsetup: interrupted\n")
    os._exit(130)


try:
    # The builtin _signal, not signal.py: that one imports enum first, a window of milliseconds
    # in which a Ctrl-C would still be a traceback.
    import _signal

    _signal.signal(_signal.SIGINT, _interrupted)
except KeyboardInterrupt:
    os.write(2, b"envsetup: interrupted\n")
    os._exit(130)


def main() -> None:
    # doctor and explain run once and end: neither needs the cyclic collector while it runs.
    short_run = sys.argv[1:2] in (["doctor"], ["explain"])
    if short_run:
        _short_run_memory()
    # Only here, in the console script's own process: what the run starts and leaves behind
    # (a daemon a probe or a check started, setsid or not, tagged or not) ends with the run.
    from envsetup.host.processes import adopt_orphans, end_descendants

    # doctor and explain (probing the live host) start their commands through host.execution,
    # which adopts before the first one: a run that starts none does not load ctypes.
    adopt_orphans(at_first_start=sys.argv[1:2] in (["doctor"], ["explain"]))
    _end_like_an_interrupt_on_termination()
    try:
        from envsetup.cli import main as cli_main

        cli_main()
    finally:
        end_descendants()
        if short_run:
            # What is left is freed with the process: no last full collection of every object at
            # shutdown (5% of doctor's instructions), which no __del__ may rely on anyway.
            import gc

            gc.freeze()


def _short_run_memory() -> None:
    """doctor runs for a fraction of a second, in a few MB, and has a start-up budget: no cyclic
    garbage collection while it runs (during start-up the collector rescans every object the
    imports made, again and again: 3% of doctor's instructions, measured with callgrind).
    explain too: a 1 MB paste is some 20,000 Line objects and their readings, which the
    collector rescanned again and again as they were made (about a sixth of its run,
    bench/bench_explain.py); what it leaves is freed by reference counting or with the process."""
    import gc

    gc.disable()


def _end_like_an_interrupt_on_termination() -> None:
    """SIGTERM (`timeout`, a CI runner's cancel, a service manager) and SIGHUP (the terminal
    closed) end the run with one line and exit 128+N, unwinding through main's `finally` so that
    nothing the run started outlives it. install's provisioning takes SIGTERM over for its own
    clean-up (install.execute) while it runs."""
    import signal

    terminating = [getattr(signal, n) for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]

    def terminated(signum: int, frame: object) -> None:
        for number in terminating:
            signal.signal(number, signal.SIG_IGN)  # a second one must not cut the clean-up short
        from envsetup.failure import report

        name = signal.Signals(signum).name
        report(sys.argv, "interrupted", f"terminated by {name}", 128 + signum)
        raise SystemExit(128 + signum)

    for number in terminating:
        signal.signal(number, terminated)
