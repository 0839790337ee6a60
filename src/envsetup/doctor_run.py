"""doctor's run, apart from its flags: probe → facts → diagnose → render.

Free of typer, so that the console script's fast path (envsetup.fast_path) runs `doctor` without
loading typer and click (two thirds of doctor's start-up); commands/doctor.py declares the flags
and calls run_doctor the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from envsetup.errors import UsageError
from envsetup.exit_codes import ExitCode

if TYPE_CHECKING:
    from envsetup.facts import Facts
    from envsetup.host.budget import Deadline
    from envsetup.node_outputs import NodeRun


def run_doctor(
    json_output: bool = False,
    verbose: bool = False,
    deep: bool = False,
    python: Optional[str] = None,
    record: Optional[str] = None,
    replay: Optional[str] = None,
    out: Optional[str] = None,
    budget: Optional[str] = None,
    prometheus: Optional[str] = None,
) -> int:
    """doctor with its flags' values; returns the exit code (0, or 1 when a finding is an error).

    Raises UsageError for --record with --replay, --deep or --python with --replay, a --python
    that names no interpreter, a --record directory that cannot be written, a --budget that is
    not a positive number of seconds, or an --out / --prometheus path that cannot be written
    (envsetup/node_outputs.py; checked before anything is probed).
    """
    if record and replay:
        raise UsageError(
            "--record and --replay cannot be used together: record on the live host, replay elsewhere"
        )
    if python and replay:
        raise UsageError(
            f"--python {python} cannot be used with --replay: a recording holds the facts of the "
            "interpreter it was made with; drop --python"
        )
    if out is None and prometheus is None and budget is None:
        return _run(json_output, verbose, deep, python, record, replay, None)
    from envsetup.node_outputs import reports_on_failure, start_node_run

    node_run = start_node_run("doctor", out, prometheus, budget)
    with reports_on_failure(node_run):
        return _run(json_output, verbose, deep, python, record, replay, node_run)


def _run(
    json_output: bool,
    verbose: bool,
    deep: bool,
    python: Optional[str],
    record: Optional[str],
    replay: Optional[str],
    node_run: Optional[NodeRun],
) -> int:
    from envsetup.diagnose import diagnose
    from envsetup.probe import probe_all
    from envsetup.profiles.lookup import lookup_build

    deadline = node_run.deadline if node_run else None
    host = _host(record, replay, deadline)
    if deep and replay:
        _check_deep_recorded(host, replay)
    facts = probe_all(_within(host, deadline), deep=deep, python=python)
    if python and _not_found(facts, python):
        raise UsageError(
            f"--python {python}: no such interpreter (not found); give the path or name of a "
            "Python, e.g. --python /usr/bin/python3"
        )
    if deadline is not None:
        from envsetup.node_outputs import forget_cut_steps

        forget_cut_steps(facts, deadline)
    if python:
        _check_started(facts, python)
    findings = diagnose(facts, lookup_build)
    from envsetup.resolve.install_refusal import with_install_refusal

    findings = with_install_refusal(findings, facts)
    if deadline is not None:
        from envsetup.node_outputs import budget_finding

        cut = budget_finding(deadline)
        findings += [cut] if cut else []
    exit_code = ExitCode.FINDINGS if any(f.severity == "error" for f in findings) else ExitCode.OK
    if record:
        _save_recording(host, record)
    if json_output or (node_run and node_run.writes):
        from envsetup.host.report_file import node_name
        from envsetup.model.fingerprint import profile_release
        from envsetup.render.doctor_json import doctor_document, to_json

        document = doctor_document(
            facts,
            findings,
            int(exit_code),
            node=node_run.node if node_run else node_name(),
            budget=deadline.report() if deadline else None,
            profile_of=profile_release(lookup_build),
        )
        if node_run:
            from envsetup.node_outputs import write_reports

            write_reports(node_run, document)
    if json_output:
        from envsetup.render.stdout import echo

        echo(to_json(document))
    else:
        from envsetup.render import style
        from envsetup.render.doctor_text import render_doctor

        render_doctor(style.console(), facts, findings, verbose)
        if record:
            style.text(style.console(stderr=True), f"Recorded this host into {record}", indent=0)
    return int(exit_code)


def _within(host: object, deadline: Optional[Deadline]):  # type: ignore[no-untyped-def]
    """The host the probes read: every command under the deadline's remaining time (--budget),
    the --deep torch import named `deep` when it is cut."""
    if deadline is None:
        return host
    from envsetup.host.budget import BudgetedHost
    from envsetup.probe.torch_files import DEEP_TAG

    return BudgetedHost(host, deadline, {DEEP_TAG: "deep"})  # type: ignore[arg-type]


def _not_found(facts: Facts, python: str) -> bool:
    """Whether the interpreter --python names could not be started at all (probe/python_env.py
    records it as a problem; one that ran and failed is a finding, not a usage error)."""
    return not facts.python.version and any(
        p.reason == "not found" and p.what.startswith("Python interpreter") for p in facts.problems
    )


def _check_started(facts: Facts, python: str) -> None:
    """A --python that ran but exited non-zero before describing itself (a pyenv shim of a
    version that is not selected, a broken install) is a usage error quoting its own words."""
    from envsetup.parsers.interpreter_failure import parse_interpreter_failure
    from envsetup.render.interpreter_words import failed_interpreter_words

    if facts.python.version:
        return
    for p in facts.problems:
        if p.what.startswith("Python interpreter") and p.reason.startswith("exit status"):
            failure = parse_interpreter_failure(p.evidence)
            raise UsageError(failed_interpreter_words(python, p.reason, failure))


def _check_deep_recorded(host: object, replay: str) -> None:
    """--deep on a recorded host replays the recorded torch import check; a recording made
    without --deep has none, and this machine's torch is not the recorded one's."""
    from envsetup.host.recorded import RecordedHost
    from envsetup.probe.torch_files import DEEP_TAG

    if isinstance(host, RecordedHost) and not host.recorded_tag(DEEP_TAG):
        raise UsageError(
            f"--deep cannot be used with --replay {replay}: the recording holds no torch import "
            "check (it was made without --deep), and torch is never imported on this machine for "
            "a recorded host; drop --deep, or record with `envsetup doctor --deep --record DIR`"
        )


def _host(  # type: ignore[no-untyped-def]
    record: Optional[str], replay: Optional[str], deadline: Optional[Deadline] = None
):
    if replay:
        from envsetup.host.recorded import RecordedHost
        from envsetup.sanitize import register_environ

        recorded = RecordedHost(replay)
        register_environ(recorded.environ())
        return recorded
    from envsetup.host.live import LiveHost

    live = LiveHost()
    if deadline is not None:
        # NVML is asked in a child process under its own time limit, not through run().
        from envsetup.host.budget import MIN_STEP_S
        from envsetup.probe.common import probe_timeout

        limit = min(probe_timeout(live.environ()), deadline.remaining())
        live = LiveHost(nvml_timeout_s=max(limit, MIN_STEP_S))
    if record:
        from envsetup.host.recording import RecordingHost

        return RecordingHost(live)
    return live


def _save_recording(host: object, directory: str) -> None:
    from envsetup.host.recording import RecordingHost

    assert isinstance(host, RecordingHost)
    try:
        host.save(directory)
    except OSError as exc:
        raise UsageError(
            f"--record {directory}: cannot write there ({exc.strerror}); fix: pick a writable directory"
        ) from exc
