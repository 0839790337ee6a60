"""provision(): run a Resolution's plan into its target — locked, logged, recorded, all or nothing.

A new environment that fails or is interrupted (Ctrl-C, SIGTERM) is removed by the run that
creates it; an existing one is touched only with `force` (recreate) or `upgrade` (install into it),
and an upgrade that fails leaves it in place. The record inside the environment says "incomplete"
until the very end, so whatever a kill -9 leaves is recognisable: a later install refuses it and
says so, and removes it only with `force` (target.py).
"""

from __future__ import annotations

import contextlib
import json
import signal
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Callable, Iterator, Mapping, Optional

from envsetup import __version__
from envsetup.errors import EnvsetupError
from envsetup.exit_codes import ExitCode
from envsetup.host import environment
from envsetup.host.files import LOCAL, Files
from envsetup.host.machine import THIS_MACHINE
from envsetup.install import ownership
from envsetup.install import record as install_record
from envsetup.install import target as install_target
from envsetup.install.activate import next_commands
from envsetup.install.decisions import MODE_SATISFIED, Setup, held_already, plan_for, set_up
from envsetup.install.failure import (
    READ_BACK,
    VERIFY,
    StepError,
    StepFailed,
    reason_of,
    step_failed,
    telling_line,
)
from envsetup.install.lock import target_lock
from envsetup.install.plan import Plan, Step
from envsetup.install.progress import NoSteps, StepProgress
from envsetup.install.quick_verify import ImportCheck, quick_verify
from envsetup.install.rollback import clear_the_way, disposition, make_target, note_in_log
from envsetup.install.runner import OutputSink, StepOutcome, run_step
from envsetup.install.satisfied import satisfied_note
from envsetup.install.tools import (
    LOG_DIR_ENV,
)
from envsetup.resolve.resolution import Resolution
from envsetup.sanitize import RedactingWriter

__all__ = ["InstallResult", "StepFailed", "StepReport", "provision"]

READ_BACK_TIMEOUT_S = 120.0
# pip's --report of a torch install is some hundred KiB (each wheel's metadata); far more is no
# report of this install's.
MAX_PIP_REPORT_BYTES = 64 << 20

# -I: ignore PYTHONPATH, the user site and the current directory; only the environment counts.
_READ_VERSIONS = (
    "import importlib.metadata as m, json; "
    "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))"
)


@dataclass
class StepReport:
    id: str
    description: str
    duration_s: float


@dataclass
class InstallResult:
    env_path: str
    python: str
    manager: str
    index_url: str
    log_path: str
    record_path: str
    mode: str  # new, force, upgrade
    installed: dict[str, str] = field(default_factory=dict)
    hashes: dict[str, str] = field(default_factory=dict)
    verify: str = ""
    steps: list[StepReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # What the user types next: envsetup's verify, then the activate line for their shell.
    activate: str = ""
    verify_command: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _run_checked(
    step: Step,
    *,
    log: IO[str],
    environ: Mapping[str, str],
    on_output: Optional[OutputSink],
    lock_fd: int,
) -> StepOutcome:
    outcome = run_step(step, log=log, environ=environ, on_output=on_output, pass_fds=(lock_fd,))
    if not outcome.ok:
        raise StepError(step.id, reason_of(outcome), outcome.tail)
    return outcome


def _read_installed(
    python: str, *, log: IO[str], environ: Mapping[str, str], lock_fd: int
) -> tuple[dict[str, str], float]:
    step = Step(
        id=READ_BACK,
        description="read back what is installed",
        argv=(python, "-I", "-c", _READ_VERSIONS),
        timeout_s=READ_BACK_TIMEOUT_S,
        env_unset=("PYTHONPATH", "PYTHONHOME"),
    )
    outcome = _run_checked(step, log=log, environ=environ, on_output=None, lock_fd=lock_fd)
    for line in reversed(outcome.tail):
        if line.startswith("{"):
            try:
                data = json.loads(line)
            except json.JSONDecodeError:
                break
            return {str(k): str(v) for k, v in data.items()}, outcome.duration_s
    raise StepError(READ_BACK, "no package list in the output", outcome.tail)


def _pip_report_hashes(report_path: Optional[str], host_files: Files) -> dict[str, str]:
    if not report_path:
        return {}
    try:
        report = json.loads(
            host_files.read_regular(report_path, MAX_PIP_REPORT_BYTES).decode("utf-8")
        )
    except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return {}
    return install_record.hashes_from_pip_report(report) if isinstance(report, dict) else {}


def _emit(on_output: Optional[OutputSink], log: IO[str], text: str) -> None:
    log.write(f"[envsetup] {text}\n")
    log.flush()
    if on_output is not None:
        on_output(f"==> {text}")


def _carry_out(
    plan: Plan,
    *,
    log: IO[str],
    environ: Mapping[str, str],
    on_output: Optional[OutputSink],
    verify: Optional[ImportCheck],
    lock_fd: int,
    host_files: Files,
    on_step: StepProgress,
) -> tuple[dict[str, str], dict[str, str], str, list[StepReport]]:
    reports: list[StepReport] = []
    total = len(plan.steps) + 2  # and the read-back, and the import check
    for number, step in enumerate(plan.steps, 1):
        on_step.step_started(step.id, step.description, number, total)
        _emit(on_output, log, step.description)
        outcome = _run_checked(step, log=log, environ=environ, on_output=on_output, lock_fd=lock_fd)
        reports.append(StepReport(step.id, step.description, round(outcome.duration_s, 3)))
        on_step.step_finished(step.id, outcome.duration_s, number, total)
    on_step.step_started(READ_BACK, "read back what is installed", total - 1, total)
    _emit(on_output, log, "read back what is installed")
    installed, took = _read_installed(plan.python, log=log, environ=environ, lock_fd=lock_fd)
    reports.append(StepReport(READ_BACK, "read back what is installed", round(took, 3)))
    on_step.step_finished(READ_BACK, took, total - 1, total)
    on_step.step_started(VERIFY, "verify: import torch in the new environment", total, total)
    _emit(on_output, log, "verify: import torch in the new environment")
    started = time.monotonic()
    verify_note = quick_verify(plan.python, verify)
    _emit(on_output, log, f"verify: {verify_note}")
    reports.append(StepReport(VERIFY, verify_note, round(time.monotonic() - started, 3)))
    on_step.step_finished(VERIFY, time.monotonic() - started, total, total)
    return installed, _pip_report_hashes(plan.report_path, host_files), verify_note, reports


def _open_log(log_path: Path, host_files: Files) -> IO[str]:
    # The log holds every command line and all of pip/uv output: credentials are redacted on write.
    try:
        return RedactingWriter(host_files.create_text(log_path))  # type: ignore[return-value]
    except OSError as exc:
        raise EnvsetupError(
            f"install log {log_path}: cannot create it ({exc.strerror or exc}); free space there "
            f"(or make it writable), or set {LOG_DIR_ENV} to a writable directory"
        ) from None


def _provision_locked(
    resolution: Resolution,
    setup: Setup,
    decision: install_target.TargetDecision,
    *,
    lock_fd: int,
    on_output: Optional[OutputSink],
    verify: Optional[ImportCheck],
    environ: Mapping[str, str],
    on_step: StepProgress,
) -> InstallResult:
    env_path, log_path, state, host_files = (
        setup.env_path,
        setup.log_path,
        setup.state,
        setup.host_files,
    )
    assert state is not None  # set_up without `problems` raises instead
    plan = plan_for(resolution, setup, decision)
    notes = [decision.note] if decision.note else []
    log = _open_log(log_path, host_files)
    try:
        _emit(on_output, log, f"log: {log_path}")
        made = clear_the_way(setup, decision, state)
        for note in notes:
            _emit(on_output, log, note)
        try:
            make_target(env_path, made, state, host_files)
            started = install_record.started_record(
                envsetup_version=__version__,
                started_at=_now(),
                resolution=resolution.to_dict(),
                plan=plan.to_dict(),
                mode=decision.mode,
                owner=made.claim.owner() if made.claim else None,
            )
            written = install_record.write_install_record(env_path, started, host_files)
            made.recorded = True
            installed, hashes, verify_note, reports = _carry_out(
                plan,
                log=log,
                environ=environ,
                on_output=on_output,
                verify=verify,
                lock_fd=lock_fd,
                host_files=host_files,
                on_step=on_step,
            )
            finished = install_record.completed_record(
                started, finished_at=_now(), installed=installed, hashes=hashes, verify=verify_note
            )
            install_record.write_install_record(env_path, finished, host_files)
        except KeyboardInterrupt:
            what = disposition(env_path, made, state, host_files)
            note_in_log(log, f"interrupted; {what}")
            raise EnvsetupError(
                f"install interrupted; {what}; log: {log_path}", ExitCode.INTERRUPTED
            ) from None
        except StepError as failure:
            what = disposition(env_path, made, state, host_files)
            note_in_log(
                log,
                f"step {failure.step_id} failed ({failure.reason}: "
                f"{telling_line(failure.tail)}); {what}",
            )
            raise step_failed(
                failure,
                what,
                log_path,
                manager=plan.manager,
                python_version=resolution.python_version,
                index_url=setup.index_url,
            ) from None
        except EnvsetupError as exc:  # a record or claim the disk refused
            what = disposition(env_path, made, state, host_files)
            note_in_log(log, f"{exc}; {what}")
            raise EnvsetupError(f"{exc}; {what}; log: {log_path}", exc.exit_code) from None
        except OSError as exc:  # the target or the log the disk refused
            what = disposition(env_path, made, state, host_files)
            note_in_log(log, f"{exc}; {what}")
            raise EnvsetupError(
                f"install stopped: {exc.filename or log_path}: {exc.strerror or exc}; {what}; "
                "fix: free space there (or make it writable), then run the install again"
            ) from None
        except BaseException:
            what = disposition(env_path, made, state, host_files)
            note_in_log(log, f"unexpected error; {what}")
            raise
        # Complete: the environment is the user's now, and no later install may remove it.
        ownership.drop_claim(state, env_path, host_files)
        _emit(on_output, log, f"done: {env_path} (record {written})")
    finally:
        with contextlib.suppress(OSError):
            log.close()
    return InstallResult(
        env_path=str(env_path),
        python=plan.python,
        manager=plan.manager,
        index_url=setup.index_url,
        log_path=str(log_path),
        record_path=str(written),
        mode=decision.mode,
        installed=installed,
        hashes=hashes,
        verify=verify_note,
        steps=reports,
        notes=notes,
        **next_commands(
            str(env_path), resolution.manager == "conda", environ, THIS_MACHINE.windows
        ),
    )


def _satisfied(
    resolution: Resolution, setup: Setup, held: Mapping[str, str], environ: Mapping[str, str]
) -> InstallResult:
    """The result of an install whose target holds the plan already: nothing run, nothing
    written (the log and the record stay as the install that made it left them)."""
    record = install_record.record_path(setup.env_path)
    return InstallResult(
        env_path=str(setup.env_path),
        python=setup.backend.python_in_env(str(setup.env_path)),
        manager=setup.backend.name,
        index_url=setup.index_url,
        log_path="",
        record_path=str(record) if setup.host_files.exists(record) else "",
        mode=MODE_SATISFIED,
        installed=dict(held),
        notes=[satisfied_note(setup.env_path, held)],
        **next_commands(
            str(setup.env_path), resolution.manager == "conda", environ, THIS_MACHINE.windows
        ),
    )


@contextlib.contextmanager
def _terminate_like_interrupt() -> Iterator[None]:
    """SIGTERM (`kill`, a service manager, a CI runner's cancel) stops an install the way Ctrl-C
    does: what it created is removed, an upgraded environment gets its record back. A second
    SIGTERM during that clean-up is ignored; kill -9 still stops it, and leaves a record."""
    if THIS_MACHINE.windows or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _interrupt(_signum: int, _frame: object) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def provision(
    resolution: Resolution,
    *,
    force: bool = False,
    upgrade: bool = False,
    index_url_base: Optional[str] = None,
    log_dir: Optional[str] = None,
    on_output: Optional[Callable[[str], None]] = None,
    verify: Optional[ImportCheck] = None,
    host_files: Files = LOCAL,
    on_step: Optional[StepProgress] = None,
) -> InstallResult:
    """Provision `resolution` into its target, or raise a one-line EnvsetupError / UsageError.

    `on_output` gets every line of output (steps announce themselves as "==> ..."); raising
    KeyboardInterrupt from it stops the install like Ctrl-C does; so does SIGTERM. `verify` is the
    import check run as the last step (envsetup.verified_install passes envsetup verify's); None
    skips it. `host_files` is the file system it works through (a test hands in one that fails).
    `on_step` is told of each step as it starts and ends (a display shows elapsed times).
    """
    environ = environment()
    setup = set_up(resolution, index_url_base, log_dir, environ, host_files)
    assert setup.state is not None  # set_up without `problems` raises instead
    with _terminate_like_interrupt(), target_lock(setup.env_path, environ, host_files) as lock:
        claim = ownership.read_claim(setup.state, setup.env_path, host_files)
        kind = install_target.classify_target(setup.env_path, claim, host_files)
        held = held_already(resolution, setup, kind, force=force, upgrade=upgrade)
        if held is not None:
            return _satisfied(resolution, setup, held, environ)
        decision = install_target.decide(setup.env_path, kind, force=force, upgrade=upgrade)
        return _provision_locked(
            resolution,
            setup,
            decision,
            lock_fd=lock.fileno,
            on_output=on_output,
            verify=verify,
            environ=environ,
            on_step=on_step or NoSteps(),
        )
