"""What doctor and verify add for a node check (issue 13): --out, --prometheus and --budget.

A fleet run (Slurm's srun, a HealthCheckProgram, a prolog) runs doctor or verify on each node;
each writes its --json envelope to --out (DIR/{host}.json), optionally a node_exporter textfile to
--prometheus, and ends inside --budget seconds with what it knows. The paths are checked before
anything is probed (a typo is a usage error, not a report lost after a minute's work); the files
are written atomically (host/report_file.py), and when the run fails the error envelope is
written in their place, so that a reader finds out why instead of finding nothing.

Free of typer: doctor's fast path (envsetup.fast_path) runs these flags too.
"""

from __future__ import annotations

import contextlib
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, Optional

from envsetup.errors import EnvsetupError, UsageError
from envsetup.host.budget import Deadline, parse_budget, process_start
from envsetup.host.report_file import check_writable, expand, node_name, write_atomically

if TYPE_CHECKING:
    from envsetup.facts import Facts

BUDGET_CUT = "budget-cut"  # the finding's id (docs/findings.md, render/words/budget.py)


@dataclass
class NodeRun:
    """One doctor or verify run's node outputs: the node's name, the paths (with {host}
    replaced) and the deadline, each None when its flag was not given."""

    command: str
    node: str
    out: Optional[str] = None
    prometheus: Optional[str] = None
    deadline: Optional[Deadline] = None
    written: bool = False  # the run's own document is in the files: a later failure keeps it

    @property
    def writes(self) -> bool:
        return bool(self.out or self.prometheus)


def start_node_run(
    command: str,
    out: Optional[str] = None,
    prometheus: Optional[str] = None,
    budget: Optional[str] = None,
) -> NodeRun:
    """Check the flags and start the clock. Raises UsageError for a --budget that is not a
    positive number of seconds, or an --out / --prometheus path that cannot be written."""
    seconds = parse_budget(budget)
    node = node_name()
    deadline = Deadline(seconds, started=process_start()) if seconds is not None else None
    run = NodeRun(command, node, deadline=deadline)
    if out is not None:
        run.out = expand(out, node)
        check_writable(run.out, "--out")
    if prometheus is not None:
        run.prometheus = expand(prometheus, node)
        check_writable(run.prometheus, "--prometheus")
    return run


def budget_finding(deadline: Optional[Deadline]):  # type: ignore[no-untyped-def]
    """The `budget-cut` finding (warning) when the deadline cut any step, else None."""
    if deadline is None or not deadline.cut:
        return None
    from envsetup.diagnose.finding import Finding

    return Finding(
        id=BUDGET_CUT,
        severity="warning",
        evidence=[
            f"--budget {deadline.seconds:g} s; cut: {', '.join(deadline.cut)}",
            f"elapsed: {deadline.elapsed():.2f} s",
        ],
        params={"seconds": deadline.seconds, "cut": list(deadline.cut)},
    )


def forget_cut_steps(facts: Facts, deadline: Optional[Deadline]) -> None:
    """A step --budget ended early did not hang or fail: it was not given its time. Its facts
    say "not run" instead of "timed out", so that no rule reports a hung nvidia-smi or a torch
    import that never finishes (errors that would drain a healthy node); `budget-cut` says what
    is missing."""
    if deadline is None:
        return
    if facts.nvidia.smi_state == "timed-out" and any(
        step.startswith("nvidia-smi") for step in deadline.cut
    ):
        facts.nvidia.smi_state = "not-run"
    if "deep" in deadline.cut:
        from envsetup.facts import TorchDeep

        facts.torch.deep = TorchDeep()


def write_reports(run: NodeRun, document: dict[str, Any]) -> None:
    """The envelope to --out, its textfile to --prometheus. Raises UsageError naming the path
    when one cannot be written (the folder was removed or filled up while the run ran)."""
    if run.out:
        from envsetup.render.envelope import to_json

        _write(run.out, "--out", to_json(document) + "\n")
    if run.prometheus:
        from envsetup.render.prometheus import prometheus_text

        _write(run.prometheus, "--prometheus", prometheus_text(document, time.time()))
    run.written = True


def _write(path: str, option: str, text: str) -> None:
    try:
        write_atomically(path, text)
    except OSError as exc:
        raise UsageError(
            f"{option} {path}: cannot write the report ({exc.strerror or exc}); fix: pick a "
            "writable path with free space"
        ) from None


@contextmanager
def reports_on_failure(run: NodeRun) -> Iterator[None]:
    """Around the run: when it fails (a usage error found late, a failure, an interrupt or
    SIGTERM, a bug), write the error envelope to --out and --prometheus, then let it go on."""
    try:
        yield
    except EnvsetupError as exc:
        from envsetup.failure import kind_of

        _write_error(run, kind_of(exc.exit_code), str(exc), int(exc.exit_code))
        raise
    except KeyboardInterrupt:
        _write_error(run, "interrupted", "interrupted", 130)
        raise
    except SystemExit as exc:  # entry.py's SIGTERM / SIGHUP handler: exit 128+N
        code = exc.code if isinstance(exc.code, int) else 1
        _write_error(run, "interrupted", f"ended with exit status {code}", code)
        raise
    except Exception as exc:
        _write_error(run, "internal", f"internal error ({type(exc).__name__}: {exc})", 70)
        raise


def _write_error(run: NodeRun, kind: str, message: str, exit_code: int) -> None:
    if not run.writes or run.written:
        return
    from envsetup.render.envelope import error_document

    # The run's own failure is what gets reported, not a failure to write it down.
    with contextlib.suppress(EnvsetupError, OSError, ValueError):
        write_reports(run, error_document(run.command, kind, message, exit_code))
