"""`envsetup doctor`: probe → facts → diagnose → render."""

from __future__ import annotations

from typing import Optional

import typer

from envsetup.errors import UsageError
from envsetup.exit_codes import ExitCode


def doctor_command(
    json_output: bool = typer.Option(
        False, "--json", help="Print the report as JSON (docs/schema/doctor.schema.json)."
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Show the evidence and source of every fact."
    ),
    deep: bool = typer.Option(
        False,
        "--deep",
        help="Also import torch in a subprocess (with a timeout) to confirm CUDA works.",
    ),
    python: Optional[str] = typer.Option(
        None,
        "--python",
        help="Inspect this interpreter's torch (default: the active environment's).",
    ),
    record: Optional[str] = typer.Option(
        None, "--record", metavar="DIR", help="Write everything read from this host into DIR."
    ),
    replay: Optional[str] = typer.Option(
        None, "--replay", metavar="DIR", help="Run on a recorded host instead of this one."
    ),
) -> int:
    """Detect OS, Python, NVIDIA driver and GPUs, CUDA, cuDNN and torch; say what is wrong and how to fix it."""
    from envsetup.diagnose import diagnose
    from envsetup.probe import probe_all
    from envsetup.profiles.lookup import lookup_build

    if record and replay:
        raise UsageError(
            "--record and --replay cannot be used together: record on the live host, replay elsewhere"
        )
    host = _host(record, replay)
    facts = probe_all(host, deep=deep, python=python)
    findings = diagnose(facts, lookup_build)
    exit_code = ExitCode.FINDINGS if any(f.severity == "error" for f in findings) else ExitCode.OK
    if record:
        _save_recording(host, record)
    if json_output:
        from envsetup.render.doctor_json import doctor_document, to_json

        typer.echo(to_json(doctor_document(facts, findings, int(exit_code))))
    else:
        from envsetup.render import style
        from envsetup.render.doctor_text import render_doctor

        render_doctor(style.console(), facts, findings, verbose)
        if record:
            style.text(style.console(stderr=True), f"Recorded this host into {record}", indent=0)
    return int(exit_code)


def _host(record: Optional[str], replay: Optional[str]):  # type: ignore[no-untyped-def]
    if replay:
        from envsetup.host.recorded import RecordedHost
        from envsetup.sanitize import register_environ

        recorded = RecordedHost(replay)
        register_environ(recorded.environ())
        return recorded
    from envsetup.host.live import LiveHost

    if record:
        from envsetup.host.recording import RecordingHost

        return RecordingHost(LiveHost())
    return LiveHost()


def _save_recording(host: object, directory: str) -> None:
    from envsetup.host.recording import RecordingHost

    assert isinstance(host, RecordingHost)
    try:
        host.save(directory)
    except OSError as exc:
        raise UsageError(
            f"--record {directory}: cannot write there ({exc.strerror}); fix: pick a writable directory"
        ) from exc
