"""`envsetup verify`: flags -> run_verify -> render -> exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from envsetup.errors import EnvsetupError, UsageError
from envsetup.exit_codes import ExitCode


def _check_ids() -> str:
    """The ids --only takes, for its help: the catalogue itself (an installed wheel has no docs/)."""
    from envsetup.verify.catalogue import all_checks

    return ", ".join(c.id for c in all_checks() if not c.hidden)


def verify_command(
    python: Optional[str] = typer.Option(
        None, "--python", metavar="PATH", help="The target interpreter."
    ),
    env: Optional[str] = typer.Option(
        None, "--env", metavar="DIR", help="The target environment (venv or conda prefix)."
    ),
    require_gpu: bool = typer.Option(
        False, "--require-gpu", help="Fail GPU checks instead of skipping them."
    ),
    only: Optional[str] = typer.Option(
        None,
        "--only",
        metavar="IDS",
        help=f"Comma-separated check ids or prefixes (bench = bench.*): {_check_ids()}.",
    ),
    timeout: float = typer.Option(
        120.0,
        "--timeout",
        metavar="SECONDS",
        help="Seconds each check may take before it is stopped.",
    ),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print the report as one JSON document, the result envelope "
        "(python -m envsetup.render.schema DIR writes its JSON Schema).",
    ),
    junit: Optional[str] = typer.Option(
        None, "--junit", metavar="FILE", help="Also write a JUnit XML report to this file."
    ),
    bench: bool = typer.Option(
        False, "--bench", help="Also measure bf16 TFLOP/s, bandwidth, PCIe link, throttling."
    ),
) -> int:
    """Prove the target environment computes on its GPU (or CPU): run smoke tests in its interpreter."""
    # Imported here: every other command's start-up stays free of verify and rich.
    from envsetup.render.verify_json import render_json
    from envsetup.render.verify_junit import to_junit
    from envsetup.verify import run_verify
    from envsetup.verify.catalogue import parse_only
    from envsetup.verify.target import resolve_python

    target = resolve_python(python, env)
    if junit is not None and not Path(junit).resolve().parent.is_dir():
        raise UsageError(
            f"--junit {junit}: its directory does not exist; create it or pick another path"
        )
    from envsetup.render import style
    from envsetup.render.progress import VerifyProgress

    # Each check as it runs; with --json on stderr, so that stdout holds the document alone.
    checks = parse_only(only)
    with VerifyProgress(style.console(stderr=as_json)) as display:
        report = run_verify(
            target,
            only=checks,
            timeout=timeout,
            require_gpu=require_gpu,
            bench=bench,
            progress=display,
        )
    if junit is not None:
        try:
            Path(junit).write_text(to_junit(report), encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                f"--junit {junit}: cannot write the file ({exc.strerror}); pick a writable path"
            ) from None
    if as_json:
        typer.echo(render_json(report))
        if report.unusable is not None:  # the same line as without --json
            from envsetup.sanitize import for_terminal

            typer.echo(
                for_terminal(f"envsetup: {report.unusable.reason}; fix: {report.unusable.fix}"),
                err=True,
            )
    elif report.unusable is not None:
        raise EnvsetupError(
            f"{report.unusable.reason}; fix: {report.unusable.fix}", ExitCode.TARGET_UNUSABLE
        )
    else:
        from envsetup.render.verify_text import render_report

        render_report(report, style.console())
    return int(report.exit_code)
