"""Whether `envsetup install --cuda auto` refuses on the machine the facts describe, and the
refusal's own remedy, as a finding's params (attack13 H2).

A fix must never send the user to `envsetup install` where install then refuses (musl, a glibc
below every release's floor, a Python no release that runs here supports, a Jetson whose JetPack
release has no index of NVIDIA's builds). The refusal is the resolver's own (envsetup.resolve:
resolve() over these facts and the profiles, the call `envsetup install` makes), so doctor and
install cannot disagree; render/words/doctor.py words the remedy from these params.
It lives in resolve, not diagnose (diagnose does no resolving and no I/O): the commands' runs
(doctor_run.py, explain_run.py) add these params to diagnose's findings with
`with_install_refusal`.
"""

from __future__ import annotations

from typing import Any, Optional

from envsetup.compat.verdicts import VerdictCode
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.install_target import new_env_command
from envsetup.facts import Facts


def with_install_refusal(findings: list[Finding], facts: Facts) -> list[Finding]:
    """`findings` with the refusal's params where a fix would otherwise name `envsetup install`:
    torch-not-installed gets install_refusal's params (unless it already knows a refusal, the
    Jetson case), glibc-below-floor `install_refuses` (its words then give their own remedy).
    Resolves at most once; the findings are changed in place and returned."""
    targets = [
        f
        for f in findings
        if (f.id == "torch-not-installed" and "install_refused" not in f.params)
        or f.id == "glibc-below-floor"
    ]
    if not targets:
        return findings
    refusal = install_refusal(facts)
    if not refusal:
        return findings
    for finding in targets:
        if finding.id == "torch-not-installed":
            finding.params.update(refusal)
        else:
            finding.params["install_refuses"] = True
    return findings


def install_refusal(facts: Facts) -> dict[str, Any]:
    """{} when `envsetup install --cuda auto` resolves here; else `install_refused` (the
    refusal's code), `refused_codes` (every code behind it) and what its remedy needs: `musl`,
    `glibc_have`/`glibc_need`, `python_low`/`python_high`/`python_release` (a Python the newest
    release that runs on this system supports), `alternative` (an `envsetup install` that does
    resolve here, from the refusal's own alternatives), `no_platform`, `jetson`."""
    from envsetup.profiles.files import ProfileError
    from envsetup.resolve.quick import resolve_quickly
    from envsetup.resolve.request import InstallRequest
    from envsetup.resolve.resolution import ResolutionRefused

    request = InstallRequest()
    try:
        resolve_quickly(request, facts)
    except ResolutionRefused as refusal:
        return _params(facts, refusal)
    except ProfileError:
        return {}  # no profiles to judge with: install names that problem itself
    return {}


def _params(facts: Facts, refusal: Any) -> dict[str, Any]:
    from envsetup.resolve.resolution import AlternativeKind, RefusalCode

    codes = [str(getattr(code, "value", code)) for code in refusal.codes]
    params: dict[str, Any] = {
        "install_refused": str(refusal.code.value),
        "refused_codes": codes,
    }
    chain = [r for r in (refusal, refusal.cause, refusal.nearer) if r is not None]
    verdicts = [v for r in chain for v in r.verdicts]
    if VerdictCode.MUSL_LIBC.value in codes:
        params["musl"] = True
    glibc = next((v for v in verdicts if v.code is VerdictCode.GLIBC_BELOW_FLOOR), None)
    if glibc is not None:
        params["glibc_have"] = glibc.params.get("have")
        params["glibc_need"] = glibc.params.get("need")
        params["glibc_release"] = refusal.params.get("release")
    python = next(
        (r for r in chain if r.code is VerdictCode.PYTHON_OUTSIDE_RANGE and r.params.get("low")),
        None,
    )
    if python is not None:
        params["python_low"] = python.params.get("low")
        params["python_high"] = python.params.get("high")
        params["python_release"] = python.params.get("release")
        params["env_python"] = python.params.get("python")
    if refusal.code is RefusalCode.NO_PLATFORM:
        params["no_platform"] = True
    if str(refusal.code.value).startswith("jetson-") and facts.jetson.is_jetson:
        from envsetup.diagnose.jetson_rules import jetson_params

        params["jetson"] = jetson_params(facts.jetson, _env_python(facts))
    for candidate in chain:
        for alternative in candidate.alternatives:
            if alternative.kind is AlternativeKind.FLAGS and _resolves(facts, alternative.flags):
                flags = [*alternative.flags]
                if "--cuda" not in flags:
                    flags += ["--cuda", "auto"]
                params["alternative"] = new_env_command(facts, flags)
                return params
    return params


def _resolves(facts: Facts, flags: tuple[str, ...]) -> bool:
    """Whether `envsetup install FLAGS` resolves on this machine (the resolver says)."""
    from envsetup.resolve.quick import resolve_quickly
    from envsetup.resolve.request import InstallRequest, with_flags
    from envsetup.resolve.resolution import ResolutionRefused

    try:
        resolve_quickly(with_flags(InstallRequest(), flags), facts)
    except ResolutionRefused:
        return False
    return True


def _env_python(facts: Facts) -> Optional[str]:
    parts = (facts.python.version or "").split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else None
