"""The C library against PyTorch's Linux wheels: musl (Alpine) runs none, an old glibc runs only the
releases whose manylinux floor it meets.

Judged by envsetup.compat.assess (verdicts musl-libc and glibc-below-floor), the rule install and
check-command use too; the finding's id is the verdict's code and render/words/check_command.py
words it (VERDICT_FINDINGS), so the three commands say the same."""

from __future__ import annotations

from envsetup.compat.assess import assess
from envsetup.compat.build import Build
from envsetup.compat.verdicts import Verdict, VerdictCode
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.judge import doctor_machine, installed_build, installed_info
from envsetup.facts import Facts
from envsetup.model.compute_platform import ComputePlatform
from envsetup.profiles.build_info import BuildLookup

_LIBC = (VerdictCode.MUSL_LIBC, VerdictCode.GLIBC_BELOW_FLOOR)
# The ids this module's findings take: verdict codes, worded with check-command's.
IDS = frozenset(code.value for code in _LIBC)


def libc_cannot_run_torch(facts: Facts, lookup: BuildLookup) -> list[Finding]:
    """musl: always (no PyTorch wheel runs here, installed or not); an old glibc: when the
    installed torch's build needs a newer one (its own floor, else its platform's; install picks
    a release that fits), unless that torch is seen to import."""
    if facts.os.system != "Linux" or (facts.os.musl is None and not facts.torch.version):
        return []
    info = installed_info(facts, lookup) if facts.torch.version else None
    build = installed_build(facts, info) or Build(platform=ComputePlatform.parse("cpu"))
    machine = doctor_machine(facts)
    verdicts = [v for v in assess(build, machine) if v.code in _LIBC]
    if not verdicts and facts.os.musl is not None and not machine.platform_key:
        # musl stated without the CPU (musl's loader line in a paste): no PyTorch Linux wheel
        # runs on musl, whichever CPU this is.
        verdicts = [
            Verdict(VerdictCode.MUSL_LIBC, {"have": facts.os.musl, "need": build.glibc_min})
        ]
    if facts.torch.deep.ran and not facts.torch.deep.error:
        # torch imported here (--deep, or a pasted collect_env that ran): its glibc was enough,
        # whatever a profile's floor says.
        verdicts = [v for v in verdicts if v.code is not VerdictCode.GLIBC_BELOW_FLOOR]
    found = [_finding(facts, v, info.release if info else None) for v in verdicts[:1]]
    return found


def _finding(facts: Facts, verdict: Verdict, release: object) -> Finding:
    os_ = facts.os
    libc = f"musl {os_.musl}".strip() if os_.musl is not None else f"glibc {os_.glibc}"
    evidence = [f"{os_.distro_name or os_.system} {os_.distro_version}".strip() + f": {libc}"]
    if facts.torch.version:
        evidence.append(f"torch {facts.torch.version} ({facts.torch.source})")
    return Finding(
        id=verdict.code.value,
        severity="error",
        evidence=evidence,
        params={**verdict.params, "release": release, "torch": facts.torch.version or None},
    )


RULES = [libc_cannot_run_torch]
