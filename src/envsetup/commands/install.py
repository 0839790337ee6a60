"""`envsetup install`: flags -> request -> facts -> resolution -> (dry run: the plan) or provision.

Imports of the resolver, the profiles and the probes happen inside the functions so that
`envsetup --help` and `install --dry-run` stay fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Optional

import typer

from envsetup.errors import EnvsetupError, UsageError
from envsetup.exit_codes import ExitCode
from envsetup.failure import RESULT_VERSION as RESULT_VERSION
from envsetup.sanitize import dumps, for_terminal

if TYPE_CHECKING:
    from envsetup.facts import Facts
    from envsetup.resolve.request import InstallRequest
    from envsetup.resolve.resolution import Resolution, ResolutionRefused


def install_command(
    torch: Optional[str] = typer.Option(
        None, "--torch", help="A release (2.0) or version (2.0.1); default: the newest that fits."
    ),
    cuda: str = typer.Option(
        "auto", "--cuda", help="A CUDA version (11.8), auto, cpu, or a ROCm build (rocm6.2)."
    ),
    python: Optional[str] = typer.Option(
        None, "--python", help="Python X.Y; default: this Python (pip) or the newest (uv, conda)."
    ),
    manager: str = typer.Option("pip", "--manager", help="pip, uv or conda."),
    env: Optional[str] = typer.Option(
        None, "--env", help="Target environment directory (default ./.venv) or conda prefix."
    ),
    name: Optional[str] = typer.Option(None, "--name", help="conda environment name."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan; install nothing."),
    as_json: bool = typer.Option(False, "--json", help="Emit the plan (or result) as JSON."),
    replay: Optional[str] = typer.Option(
        None, "--replay", help="Plan for a recorded host directory instead of this machine."
    ),
    facts_file: Optional[str] = typer.Option(
        None, "--facts", help="Plan for the machine described by a Facts JSON file."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing target environment."),
    upgrade: bool = typer.Option(False, "--upgrade", help="Install into an existing target."),
    index_url_base: Optional[str] = typer.Option(
        None,
        "--index-url-base",
        help="Mirror or local directory replacing https://download.pytorch.org/whl "
        "(env ENVSETUP_INDEX_URL_BASE).",
    ),
    log_dir: Optional[str] = typer.Option(None, "--log-dir", help="Where to write the log."),
) -> int:
    """Resolve a PyTorch environment for this machine and provision it."""
    from envsetup.probe.facts_source import load_facts
    from envsetup.resolve.request import parse_request
    from envsetup.resolve.resolution import ResolutionRefused

    try:
        request = parse_request(
            torch=torch, cuda=cuda, python=python, manager=manager, env=env, name=name
        )
        if force and upgrade:
            raise UsageError("--force and --upgrade both given; fix: pass one of them")
        facts = load_facts(replay, facts_file)
        resolution = resolve_quickly(request, facts)
    except ResolutionRefused as refusal:
        return _emit_refusal(refusal, as_json)
    except EnvsetupError as exc:
        if not as_json:
            raise
        return _emit_error(exc)
    if dry_run:
        return _emit_plan(resolution, as_json)
    return _provision(resolution, force, upgrade, index_url_base, log_dir, as_json)


def resolve_quickly(request: InstallRequest, facts: Facts) -> Resolution:
    """resolve() with every profile loaded, but try the one release that usually decides first.

    A plan for release R depends on R's profile alone, and without --torch the resolver returns
    the newest release that fits; so when that one profile resolves, the answer is the same as
    with all of them. A refusal is recomputed with every profile, for its alternatives.
    """
    from envsetup.profiles.loader import load_release, load_releases, release_files
    from envsetup.resolve.resolution import ResolutionRefused
    from envsetup.resolve.resolver import resolve

    files = release_files()
    wanted = request.torch_release or files[-1][0]
    first = [load_release(path) for name, path in files if name == wanted]
    if first:
        try:
            return resolve(request, facts, first)
        except ResolutionRefused:
            pass
    return resolve(request, facts, load_releases())


# ----------------------------------------------------------------------------- output


def _emit_plan(resolution: Resolution, as_json: bool) -> int:
    if as_json:
        _print_json("planned", ExitCode.OK, {"dry_run": True, "resolution": resolution.to_dict()})
    else:
        typer.echo(for_terminal(format_plan(resolution)))
        typer.echo("dry run: nothing was installed")
    return int(ExitCode.OK)


def format_plan(resolution: Resolution) -> str:
    from envsetup.render.command_line import render_command

    target = resolution.env_name or resolution.env_path or "(default)"
    head = (
        f"Plan: torch {resolution.pins[0].version if resolution.pins else resolution.torch_release} "
        f"({resolution.variant}) for Python {resolution.python_version} with {resolution.manager} "
        f"into {target}"
    )
    lines = [head]
    lines += [f"  {line}" for line in resolution.explanation]
    lines.append(f"Equivalent command: {render_command(resolution)}")
    return "\n".join(lines)


def format_refusal(refusal: ResolutionRefused) -> str:
    message = f"envsetup: cannot install: {refusal.reason}"
    if refusal.alternatives:
        message += "; instead try: " + " | ".join(refusal.alternatives)
    return message


def _emit_refusal(refusal: ResolutionRefused, as_json: bool) -> int:
    code = ExitCode.USAGE
    if as_json:
        data = {"reason": refusal.reason, "alternatives": refusal.alternatives}
        error = {"kind": "usage", "message": refusal.reason}
        _print_json("refused", code, data, errors=[refusal.reason], error=error)
    typer.echo(for_terminal(format_refusal(refusal)), err=True)
    return int(code)


def _emit_error(exc: EnvsetupError) -> int:
    from envsetup.failure import error_envelope, kind_of

    envelope = error_envelope("install", kind_of(exc.exit_code), str(exc), int(exc.exit_code))
    typer.echo(dumps(envelope, indent=2, sort_keys=True, ensure_ascii=False))
    typer.echo(for_terminal(f"envsetup: {exc}"), err=True)  # the same line as without --json
    return int(exc.exit_code)


def _print_json(
    status: str,
    code: ExitCode,
    data: dict[str, Any],
    errors: Optional[list[str]] = None,
    error: Optional[dict[str, str]] = None,
) -> None:
    envelope: dict[str, Any] = {
        "envsetup_result_version": RESULT_VERSION,
        "command": "install",
        "status": status,
        "exit_code": int(code),
        "data": data,
        "errors": errors or [],
    }
    if error is not None:
        envelope["error"] = error
    typer.echo(dumps(envelope, indent=2, sort_keys=True, ensure_ascii=False))


# ----------------------------------------------------------------------------- provisioning


def _provision(
    resolution: Resolution,
    force: bool,
    upgrade: bool,
    index_url_base: Optional[str],
    log_dir: Optional[str],
    as_json: bool,
) -> int:
    from envsetup.sanitize import register_url_credentials
    from envsetup.verified_install import provision

    # pip and uv get the credential; every output of this run gets it redacted, in any form.
    register_url_credentials(index_url_base)
    if not as_json:
        typer.echo(for_terminal(format_plan(resolution)))

    def stream(line: str) -> None:
        # With --json, stdout carries only the JSON document.
        typer.echo(for_terminal(f"  | {line.rstrip()}"), err=as_json)

    try:
        result = provision(
            resolution,
            force=force,
            upgrade=upgrade,
            index_url_base=index_url_base,
            log_dir=log_dir,
            on_output=stream,
        )
    except EnvsetupError as exc:
        if as_json:
            return _emit_error(exc)
        raise
    data = result.to_dict()
    if as_json:
        _print_json("installed", ExitCode.OK, {"resolution": resolution.to_dict(), "result": data})
    else:
        typer.echo(for_terminal(f"installed into {data.get('env_path', resolution.env_path)}"))
        if data.get("log_path"):
            typer.echo(for_terminal(f"log: {data['log_path']}"))
    sys.stdout.flush()
    return int(ExitCode.OK)
