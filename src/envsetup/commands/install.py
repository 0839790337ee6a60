"""`envsetup install`: flags -> request -> facts -> resolution -> (dry run: the plan) or provision.

Rendering lives in render/install_text.py and render/install_json.py.

Imports of the resolver, the profiles and the probes happen inside the functions so that
`envsetup --help` and `install --dry-run` stay fast.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Optional

import typer

from envsetup.errors import EnvsetupError, UsageError
from envsetup.exit_codes import ExitCode
from envsetup.render.help_words import JSON_HELP
from envsetup.sanitize import for_terminal

if TYPE_CHECKING:
    from envsetup.facts import Facts
    from envsetup.install.tools import Elsewhere
    from envsetup.resolve.request import InstallRequest
    from envsetup.resolve.resolution import Resolution, ResolutionRefused


def install_command(
    torch: Optional[str] = typer.Option(
        None,
        "--torch",
        metavar="VERSION",
        help="A release (2.0) or version (2.0.1); default: the newest that fits.",
    ),
    cuda: str = typer.Option(
        "auto",
        "--cuda",
        metavar="VERSION",
        help="A CUDA version (11.8), auto, cpu, or a ROCm build (rocm6.2).",
    ),
    backend: Optional[str] = typer.Option(
        None,
        "--backend",
        metavar="[auto|cuda|rocm|cpu]",
        help="auto, cuda, rocm or cpu: the kind of build (--cuda may name its version).",
    ),
    python: Optional[str] = typer.Option(
        None,
        "--python",
        metavar="VERSION",
        help="Python X.Y; default: the inspected Python's (pip), the newest installed in range else the newest (uv), the newest (conda).",
    ),
    manager: str = typer.Option(
        "pip", "--manager", metavar="[pip|uv|conda]", help="pip, uv or conda."
    ),
    env: Optional[str] = typer.Option(
        None,
        "--env",
        metavar="DIR",
        help="Target environment directory (default ./.venv) or conda prefix.",
    ),
    name: Optional[str] = typer.Option(
        None, "--name", metavar="NAME", help="conda environment name."
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the plan; install nothing."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help=JSON_HELP.format(what="plan (or result)"),
    ),
    replay: Optional[str] = typer.Option(
        None,
        "--replay",
        metavar="DIR",
        help="Plan for a recorded host directory instead of this machine.",
    ),
    facts_file: Optional[str] = typer.Option(
        None,
        "--facts",
        metavar="FILE",
        help="Plan for the machine described by a Facts JSON file.",
    ),
    force: bool = typer.Option(False, "--force", help="Replace an existing target environment."),
    upgrade: bool = typer.Option(False, "--upgrade", help="Install into an existing target."),
    index_url_base: Optional[str] = typer.Option(
        None,
        "--index-url-base",
        metavar="URL",
        help="Mirror or local directory replacing https://download.pytorch.org/whl "
        "(env ENVSETUP_INDEX_URL_BASE).",
    ),
    log_dir: Optional[str] = typer.Option(
        None, "--log-dir", metavar="DIR", help="Where to write the log."
    ),
) -> int:
    """Resolve a PyTorch environment for this machine and provision it."""
    from envsetup.probe.facts_source import load_facts
    from envsetup.resolve.quick import resolve_quickly
    from envsetup.resolve.request import parse_request
    from envsetup.resolve.resolution import ResolutionRefused

    try:
        request = parse_request(
            torch=torch,
            cuda=cuda,
            python=python,
            manager=manager,
            env=env,
            name=name,
            backend=backend,
        )
        if force and upgrade:
            raise UsageError("--force and --upgrade both given; fix: pass one of them")
        if (replay or facts_file) and not dry_run:
            # The plan is resolved for that machine; provisioning it here would install its build
            # (a CUDA wheel for another host's GPU) into this one.
            given = "--replay" if replay else "--facts"
            raise UsageError(
                f"{given} plans for another machine, so nothing can be installed from it here; "
                "fix: add --dry-run, or run install on that machine"
            )
        facts = load_facts(replay, facts_file)
        if env is None and name is None and not (replay or facts_file or force or upgrade):
            request = _away_from_own_environment(request, as_json)
        if request.manager == "uv" and not request.python and not (replay or facts_file):
            request = _with_installed_pythons(request)
        resolution = resolve_quickly(request, facts)
    except ResolutionRefused as refusal:
        return _emit_refusal(refusal, as_json, dry_run)
    except EnvsetupError as exc:
        if not as_json:
            raise
        return _emit_error(exc)
    if dry_run:
        elsewhere = _elsewhere(facts) if (replay or facts_file) else None
        try:
            return _emit_plan(
                resolution, force, upgrade, index_url_base, log_dir, as_json, elsewhere
            )
        except EnvsetupError as exc:
            if not as_json:
                raise
            return _emit_error(exc)
    return _provision(resolution, force, upgrade, index_url_base, log_dir, as_json)


def _away_from_own_environment(request: InstallRequest, as_json: bool) -> InstallRequest:
    """With no --env, install's default ./.venv, unless that is the environment envsetup runs
    from (README's first command makes it so): then the first free ./.venv-torch[-N], said on
    stderr, since install never replaces its own environment (install/target.py)."""
    from dataclasses import replace

    from envsetup.install.target import free_env_dir, is_running_environment

    if request.env_path is None or not is_running_environment(request.env_path):
        return request
    chosen = free_env_dir()
    if not as_json:
        from envsetup.render import style

        # Wrapped between words at the terminal's width, as every other note (issue 12: 60 columns).
        style.text(
            style.console(stderr=True),
            f"envsetup: {request.env_path} is the environment envsetup runs from; "
            f"installing into {chosen} instead (--env DIR chooses another)",
            indent=0,
        )
    return replace(request, env_path=chosen)


def _with_installed_pythons(request: InstallRequest) -> InstallRequest:
    """The request with this machine's installed interpreters: uv uses one in range rather than
    download a Python (which fails offline)."""
    from dataclasses import replace

    from envsetup.host import environment
    from envsetup.install.tools import installed_pythons

    return replace(request, installed_pythons=tuple(sorted(installed_pythons(environment()))))


# ----------------------------------------------------------------------------- output


def _emit_plan(
    resolution: Resolution,
    force: bool,
    upgrade: bool,
    index_url_base: Optional[str],
    log_dir: Optional[str],
    as_json: bool,
    elsewhere: Optional[Elsewhere] = None,
) -> int:
    from envsetup.install.preview import preview
    from envsetup.sanitize import register_url_credentials

    register_url_credentials(index_url_base)  # the index URL shown is the one used, masked
    planned = preview(
        resolution,
        force=force,
        upgrade=upgrade,
        index_url_base=index_url_base,
        log_dir=log_dir,
        elsewhere=elsewhere,
    )
    if as_json:
        from envsetup.render.install_json import plan_document, to_json

        typer.echo(to_json(plan_document(resolution, planned)))
    else:
        from envsetup.render import style
        from envsetup.render.install_text import render_plan

        render_plan(style.console(), resolution, planned)
    # A dry run that would stop fails as the install would (exit 1, not a usage error: the plan
    # was made; docs/output.md, outcome "problems").
    return int(ExitCode.FINDINGS if planned.problems else ExitCode.OK)


def _elsewhere(facts: Facts) -> Elsewhere:
    """The recorded machine a --replay/--facts plan is for: its OS and interpreter."""
    from envsetup.install.tools import Elsewhere

    return Elsewhere(facts.os.system, facts.python.executable, facts.python.version)


def _emit_refusal(refusal: ResolutionRefused, as_json: bool, dry_run: bool) -> int:
    from envsetup.render.install_text import refusal_line

    code = ExitCode.USAGE
    if as_json:
        from envsetup.render.install_json import refusal_document, to_json

        typer.echo(to_json(refusal_document(refusal, int(code), dry_run)))
    typer.echo(for_terminal(refusal_line(refusal)), err=True)
    return int(code)


def _emit_error(exc: EnvsetupError) -> int:
    from envsetup.failure import error_envelope, kind_of
    from envsetup.render.envelope import to_json

    document = error_envelope("install", kind_of(exc.exit_code), str(exc), int(exc.exit_code))
    typer.echo(to_json(document))
    typer.echo(for_terminal(f"envsetup: {exc}"), err=True)  # the same line as without --json
    return int(exc.exit_code)


# ----------------------------------------------------------------------------- provisioning


def _provision(
    resolution: Resolution,
    force: bool,
    upgrade: bool,
    index_url_base: Optional[str],
    log_dir: Optional[str],
    as_json: bool,
) -> int:
    from envsetup.render import style
    from envsetup.sanitize import register_url_credentials
    from envsetup.verified_install import provision

    # pip and uv get the credential; every output of this run gets it redacted, in any form.
    register_url_credentials(index_url_base)
    if not as_json:
        from envsetup.install.index_url import index_url_used
        from envsetup.render.install_text import render_resolution

        # The reasons name the index the steps use (a mirror under --index-url-base).
        used = index_url_used(resolution, index_url_base)
        render_resolution(style.console(), resolution, index_url=used)

    from envsetup.render.progress import InstallProgress

    # Each step with its elapsed time, the tools' own output verbatim (not re-wrapped); with
    # --json on stderr, so that stdout carries only the JSON document.
    try:
        with InstallProgress(style.console(stderr=as_json)) as display:
            result = provision(
                resolution,
                force=force,
                upgrade=upgrade,
                index_url_base=index_url_base,
                log_dir=log_dir,
                on_output=display,
                on_step=display,
            )
    except EnvsetupError as exc:
        if as_json:
            return _emit_error(exc)
        raise
    if as_json:
        from envsetup.render.install_json import result_document, to_json

        typer.echo(to_json(result_document(resolution, result)))
    else:
        from envsetup.render.install_text import render_result

        render_result(style.console(), result)
    sys.stdout.flush()
    return int(ExitCode.OK)
