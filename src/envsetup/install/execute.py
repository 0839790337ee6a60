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
from envsetup.errors import EnvsetupError, UsageError
from envsetup.exit_codes import ExitCode
from envsetup.host import environment
from envsetup.host.files import LOCAL, Files
from envsetup.host.machine import THIS_MACHINE
from envsetup.install import ownership
from envsetup.install import record as install_record
from envsetup.install import target as install_target
from envsetup.install.activate import next_commands
from envsetup.install.backends import Backend
from envsetup.install.failure import (
    READ_BACK,
    VERIFY,
    StepError,
    StepFailed,
    reason_of,
    step_failed,
    telling_line,
)
from envsetup.install.index_url import (
    effective_index_url,
    index_location,
)
from envsetup.install.lock import target_lock
from envsetup.install.plan import Plan, Step, build_plan
from envsetup.install.progress import NoSteps, StepProgress
from envsetup.install.quick_verify import ImportCheck, quick_verify
from envsetup.install.runner import OutputSink, StepOutcome, run_step
from envsetup.install.satisfied import already_satisfied, satisfied_note
from envsetup.install.state import is_dangling_link, real_target, usable_state_dir
from envsetup.install.tools import (
    LOG_DIR_ENV,
    Elsewhere,
    backend_as_named,
    backend_elsewhere,
    backend_for,
    conda_prefix_for_name,
    log_path_for,
    new_log_path,
)
from envsetup.resolve.resolution import Resolution
from envsetup.sanitize import RedactingWriter

__all__ = ["InstallResult", "Preview", "StepFailed", "StepReport", "preview", "provision"]

READ_BACK_TIMEOUT_S = 120.0
# pip's --report of a torch install is some hundred KiB (each wheel's metadata); far more is no
# report of this install's.
MAX_PIP_REPORT_BYTES = 64 << 20
DEFAULT_ENV = ".venv"
# An existing environment that holds the whole plan already: nothing to do, exit 0.
MODE_SATISFIED = "satisfied"

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


def _this_target(
    resolution: Resolution,
    environ: Mapping[str, str],
    host_files: Files,
    noted: Callable[[UsageError], None],
) -> Path:
    """The target on this machine: spelled, made absolute, every symlink resolved."""
    try:
        spelled = _target_path(resolution, environ, host_files)
    except UsageError as exc:
        noted(exc)
        spelled = host_files.absolute(resolution.env_name or DEFAULT_ENV)
    env_path = real_target(spelled, host_files)
    # /proc/x, /sys/x, a read-only mount: never a place for an environment (a bad flag, on any
    # run), not a full disk.
    unusable = install_target.unusable_mount(env_path, host_files.mount_of(env_path))
    if unusable is not None:
        raise unusable
    if is_dangling_link(spelled, env_path, host_files):
        noted(
            UsageError(
                f"--env {spelled}: a symlink to {env_path}, which does not exist; create that "
                "directory, or pass the path where the environment should be"
            )
        )
    return env_path


def _target_path(resolution: Resolution, environ: Mapping[str, str], host_files: Files) -> Path:
    if resolution.env_path:
        return host_files.absolute(host_files.expand_user(resolution.env_path))
    if resolution.manager == "conda" and resolution.env_name:
        from envsetup.install.tools import find_conda

        conda = find_conda(environ, host_files)
        return Path(conda_prefix_for_name(conda, resolution.env_name, environ))
    return host_files.absolute(DEFAULT_ENV)


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


@dataclass
class _Made:
    """What this install may remove: the claim on the directory it creates (None for an upgrade,
    whose environment is the user's), completed with the directory's inode once it exists."""

    claim: Optional[ownership.Claim]
    previous_record: Optional[dict[str, Any]] = None
    recorded: bool = False  # this install's "incomplete" record replaced the previous one


def _note(log: IO[str], text: str) -> None:
    # Used while handling a failure, which may be a full disk: the failure must still be told.
    with contextlib.suppress(OSError, ValueError):
        log.write(f"[envsetup] {text}\n")
        log.flush()


def _disposition(env_path: Path, made: _Made, state: Path, host_files: Files) -> str:
    claim = made.claim
    if claim is None:
        # pip and uv roll back a failed install, so the environment most likely still works as
        # before: give it back its previous record rather than leave one that says "incomplete".
        try:
            if made.recorded and made.previous_record is not None:
                install_record.write_install_record(env_path, made.previous_record, host_files)
            elif made.recorded:
                host_files.remove_file(install_record.record_path(env_path))
        except (OSError, EnvsetupError) as exc:
            return (
                f"{env_path} is an existing environment, left with what the failed step left in "
                f"it; its install record still says incomplete ({exc})"
            )
        return f"{env_path} is an existing environment, left with what the failed step left in it"
    if claim.ino is None:
        ownership.drop_claim(state, env_path, host_files)
        return f"nothing was created at {env_path}"
    if not ownership.is_our_directory(claim, env_path, host_files):
        return f"left {env_path} alone: it is no longer the directory this install created"
    try:
        foreign = install_target.foreign_entries(env_path, host_files)
    except OSError:
        foreign = []  # gone or unreadable: remove_tree says what is left
    if foreign:
        # Someone put files into the new environment while it was being made: theirs.
        return (
            f"left {env_path} in place: it holds files envsetup did not write "
            f"({install_target.named(foreign)}); move them out, then run the install again with --force"
        )
    try:
        install_target.remove_tree(env_path, keep_dir=claim.keeps_dir, host_files=host_files)
    except EnvsetupError as exc:
        return str(exc)  # the claim stays: a later --force can finish the removal
    ownership.drop_claim(state, env_path, host_files)
    if claim.keeps_dir:
        return f"emptied {env_path} again (it was an empty directory before)"
    return f"removed the new environment {env_path}"


@dataclass(frozen=True)
class _Setup:
    """Everything decided before the target is touched."""

    env_path: Path  # the resolved real path: every action and message uses it
    index_url: str
    backend: Backend
    log_path: Path
    report_path: Optional[str]
    state: Optional[Path]  # None only in a preview whose state directory is unusable
    host_files: Files  # the file system every step of the install reaches the target through


def _set_up(
    resolution: Resolution,
    index_url_base: Optional[str],
    log_dir: Optional[str],
    environ: Mapping[str, str],
    host_files: Files,
    problems: Optional[list[str]] = None,
    elsewhere: Optional[Elsewhere] = None,
) -> _Setup:
    """provision's decisions before the lock. With `problems` (a preview), what only stops the
    install on this machine (a tool not found, an unusable target or state directory) is noted
    there instead of raised, and nothing is created; a bad flag still raises."""
    if not resolution.pins and not resolution.conda_specs:
        raise UsageError("install: the resolution lists no packages; nothing to install")
    if not resolution.python_version:
        raise UsageError("install: the resolution names no Python version; pass --python X.Y")
    location = index_location(resolution, index_url_base, environ, host_files)

    def noted(error: UsageError) -> None:
        if problems is None:
            raise error
        problems.append(str(error))

    if elsewhere is not None:
        # Planned for another machine: its OS and interpreter, not this one's PATH.
        backend = backend_elsewhere(resolution.manager, resolution.python_version, elsewhere)
    else:
        try:
            backend = backend_for(
                resolution.manager, resolution.python_version, environ, host_files
            )
        except UsageError as exc:
            noted(exc)
            backend = backend_as_named(resolution.manager, resolution.python_version)
    if elsewhere is not None and not (resolution.manager == "conda" and resolution.env_name):
        # That host's target, as spelled (made absolute there): this machine's working
        # directory and symlinks say nothing about it.
        env_path = Path(resolution.env_path or DEFAULT_ENV)
    else:
        env_path = _this_target(resolution, environ, host_files, noted)
    state: Optional[Path] = None
    try:
        state = usable_state_dir(environ, host_files)
    except UsageError as exc:
        noted(exc)
    if problems is None:
        log_path = new_log_path(log_dir, environ, env_path, host_files)
    else:
        log_path = log_path_for(log_dir, environ, env_path)
    return _Setup(
        env_path=env_path,
        index_url=effective_index_url(resolution.index_url, resolution.variant, location),
        backend=backend,
        log_path=log_path,
        # pip's --report holds the wheel hashes; uv writes none.
        report_path=str(log_path.with_suffix(".pip-report.json"))
        if backend.name == "pip"
        else None,
        state=state,
        host_files=host_files,
    )


def _plan(resolution: Resolution, setup: _Setup, decision: install_target.TargetDecision) -> Plan:
    """The steps provision runs, and preview shows: one function for both."""
    return build_plan(
        resolution,
        setup.backend,
        env_path=str(setup.env_path),
        index_url=setup.index_url,
        log_path=str(setup.log_path),
        create_env=decision.creates_env,
        report_path=setup.report_path,
    )


@dataclass
class Preview:
    """What provision() would do with the same arguments, worked out without touching anything."""

    plan: Plan
    mode: str  # new, force, upgrade
    notes: list[str] = field(default_factory=list)
    # Why provision() would stop on this machine before its first step (one line each, with the
    # fix); the plan shown is then the one for a new environment with the tool found.
    problems: list[str] = field(default_factory=list)


def preview(
    resolution: Resolution,
    *,
    force: bool = False,
    upgrade: bool = False,
    index_url_base: Optional[str] = None,
    log_dir: Optional[str] = None,
    environ: Optional[Mapping[str, str]] = None,
    host_files: Files = LOCAL,
    elsewhere: Optional[Elsewhere] = None,
) -> Preview:
    """provision()'s plan for the same arguments (install --dry-run): the same set-up, target
    decision and plan builder, without the lock, any directory, or any command run. A bad flag is
    a UsageError as in provision(); what would stop the install here is in Preview.problems.

    `elsewhere`: the plan is for another machine (--replay, --facts): its backend takes that
    machine's OS and interpreter, the target is as spelled (what is there is taken from
    --force/--upgrade); the log and state paths stay this machine's, and a note says so."""
    environ = environment() if environ is None else environ
    problems: list[str] = []
    setup = _set_up(resolution, index_url_base, log_dir, environ, host_files, problems, elsewhere)
    try:
        if elsewhere is not None:
            # What that host holds at the target is not on this machine: taken as the flags say
            # (--force, --upgrade: an environment is there; otherwise nothing is).
            kind = install_target.ENVIRONMENT if force or upgrade else install_target.ABSENT
        else:
            claim = (
                ownership.read_claim(setup.state, setup.env_path, host_files)
                if setup.state
                else None
            )
            kind = install_target.classify_target(setup.env_path, claim, host_files)
            held = _held_already(resolution, setup, kind, force=force, upgrade=upgrade)
            if held is not None:
                plan = _plan(resolution, setup, install_target.decide(setup.env_path, kind, force=False, upgrade=True))  # fmt: skip
                plan.steps = []  # nothing would run
                return Preview(plan, MODE_SATISFIED, [satisfied_note(setup.env_path, held)], problems)  # fmt: skip
        decision = install_target.decide(setup.env_path, kind, force=force, upgrade=upgrade)
    except UsageError as exc:
        problems.append(str(exc))
        decision = install_target.decide(
            setup.env_path, install_target.ABSENT, force=False, upgrade=False
        )
    notes = [decision.note] if decision.note else []
    if elsewhere is not None:
        notes.append(_elsewhere_note(elsewhere, setup.backend))
    return Preview(_plan(resolution, setup, decision), decision.mode, notes, problems)


def _elsewhere_note(elsewhere: Elsewhere, backend: Backend) -> str:
    base = getattr(backend, "base_python", None) or getattr(backend, "interpreter", None)
    made_by = (
        f"its interpreter {base}"
        if base and base == elsewhere.python_executable
        else "the tool as named on its PATH"
    )
    return (
        f"planned for the recorded {elsewhere.system} host: {made_by}, the environment's "
        f"paths shaped for {elsewhere.system}, the target as spelled (not looked at here); "
        "the log and state paths are this machine's"
    )


def _open_log(log_path: Path, host_files: Files) -> IO[str]:
    # The log holds every command line and all of pip/uv output: credentials are redacted on write.
    try:
        return RedactingWriter(host_files.create_text(log_path))  # type: ignore[return-value]
    except OSError as exc:
        raise EnvsetupError(
            f"install log {log_path}: cannot create it ({exc.strerror or exc}); free space there "
            f"(or make it writable), or set {LOG_DIR_ENV} to a writable directory"
        ) from None


# What uv and Python's own venv (3.13+, "scm_ignore_files",
# https://docs.python.org/3/library/venv.html) write into a new environment: git then ignores
# it, so an install into ./.venv-test leaves a checkout's `git status` clean whatever the tool.
GITIGNORE = ".gitignore"
GITIGNORE_TEXT = "# created by envsetup automatically\n*\n"


def _make_target(env_path: Path, made: _Made, state: Path, host_files: Files) -> None:
    """Create the target directory; a creating install then notes its inode in the claim, and
    tells git to ignore the new environment."""
    host_files.make_dirs(env_path)
    if made.claim is not None:
        made.claim = ownership.with_directory(made.claim, env_path, host_files)
        ownership.write_claim(state, made.claim, host_files)
        if not host_files.exists(env_path / GITIGNORE):
            host_files.write_atomically(env_path / GITIGNORE, GITIGNORE_TEXT)


def _clear_the_way(setup: _Setup, decision: install_target.TargetDecision, state: Path) -> _Made:
    """Remove what the decision says to (--force), then, for an install that creates the
    environment, claim it before anything exists at the path."""
    env_path, host_files = setup.env_path, setup.host_files
    if decision.remove_first:
        install_target.remove_tree(env_path, host_files=host_files)
    if not decision.creates_env:
        return _Made(None, install_record.read_install_record(env_path, host_files))
    claim = ownership.new_claim(env_path, keeps_dir=decision.keeps_dir)
    ownership.write_claim(state, claim, host_files)
    return _Made(claim)


def _provision_locked(
    resolution: Resolution,
    setup: _Setup,
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
    assert state is not None  # _set_up without `problems` raises instead
    plan = _plan(resolution, setup, decision)
    notes = [decision.note] if decision.note else []
    log = _open_log(log_path, host_files)
    try:
        _emit(on_output, log, f"log: {log_path}")
        made = _clear_the_way(setup, decision, state)
        for note in notes:
            _emit(on_output, log, note)
        try:
            _make_target(env_path, made, state, host_files)
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
            what = _disposition(env_path, made, state, host_files)
            _note(log, f"interrupted; {what}")
            raise EnvsetupError(
                f"install interrupted; {what}; log: {log_path}", ExitCode.INTERRUPTED
            ) from None
        except StepError as failure:
            what = _disposition(env_path, made, state, host_files)
            _note(
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
            what = _disposition(env_path, made, state, host_files)
            _note(log, f"{exc}; {what}")
            raise EnvsetupError(f"{exc}; {what}; log: {log_path}", exc.exit_code) from None
        except OSError as exc:  # the target or the log the disk refused
            what = _disposition(env_path, made, state, host_files)
            _note(log, f"{exc}; {what}")
            raise EnvsetupError(
                f"install stopped: {exc.filename or log_path}: {exc.strerror or exc}; {what}; "
                "fix: free space there (or make it writable), then run the install again"
            ) from None
        except BaseException:
            what = _disposition(env_path, made, state, host_files)
            _note(log, f"unexpected error; {what}")
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
    resolution: Resolution, setup: _Setup, held: Mapping[str, str], environ: Mapping[str, str]
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


def _held_already(
    resolution: Resolution, setup: _Setup, kind: str, *, force: bool, upgrade: bool
) -> Optional[dict[str, str]]:
    """The plan's pins as the target holds them, when it is an environment holding them all
    and neither --force nor --upgrade asks for anything else; else None."""
    if force or upgrade or kind != install_target.ENVIRONMENT:
        return None
    return already_satisfied(resolution, setup.env_path, setup.host_files)


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
    setup = _set_up(resolution, index_url_base, log_dir, environ, host_files)
    assert setup.state is not None  # _set_up without `problems` raises instead
    with _terminate_like_interrupt(), target_lock(setup.env_path, environ, host_files) as lock:
        claim = ownership.read_claim(setup.state, setup.env_path, host_files)
        kind = install_target.classify_target(setup.env_path, claim, host_files)
        held = _held_already(resolution, setup, kind, force=force, upgrade=upgrade)
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
