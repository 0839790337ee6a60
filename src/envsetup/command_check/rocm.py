"""check-command on a machine with AMD GPUs: the ROCm wheel a command installs, judged against
each GPU's gfx target with doctor's own judgement (diagnose.rocm_rules.gfx_findings over
envsetup.compat.rocm's sourced lists), so that a command installing a wheel without a code object
for the GPU is said before it is run, not after. Pure."""

from __future__ import annotations

from envsetup.command_check.simulate import Pick
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.rocm_rules import gfx_findings
from envsetup.facts import RocmFacts


def rocm_findings(pick: Pick, rocm_facts: RocmFacts) -> list[Finding]:
    """rocm-gfx-not-in-build for the ROCm build `pick` installs; none for another build, or
    when the torch version it installs is not known."""
    build = pick.build or ""
    torch = pick.version or (pick.release.torch if pick.release else None)
    if not build.startswith("rocm") or not torch or not rocm_facts.gfx_targets:
        return []
    rocm = build[len("rocm") :]
    wheel = f"{torch.split('+')[0]}+{build}"
    return gfx_findings(rocm_facts, wheel, rocm, f"the command installs torch {wheel}")
