"""check-command on a machine with AMD GPUs: the ROCm wheel a command installs, judged against
each GPU's gfx target with doctor's own judgement (diagnose.rocm_rules.gfx_findings over
envsetup.compat.rocm's sourced lists), so that a command installing a wheel without a code object
for the GPU is said before it is run, not after. Pure."""

from __future__ import annotations

from envsetup.command_check.simulate import Pick
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.rocm_rules import gfx_findings, gfx_list_unconfirmed
from envsetup.facts import RocmFacts


def rocm_findings(pick: Pick, rocm_facts: RocmFacts) -> list[Finding]:
    """rocm-gfx-not-in-build for the ROCm build `pick` installs (an error when no override or
    hiding helps); none for another build, or when the torch version it installs is not known."""
    build = pick.build or ""
    torch = pick.version or (pick.release.torch if pick.release else None)
    if not build.startswith("rocm") or not torch or not rocm_facts.gfx_targets:
        return []
    rocm = build[len("rocm") :]
    wheel = f"{torch.split('+')[0]}+{build}"
    found = gfx_findings(rocm_facts, wheel, rocm, f"the command installs torch {wheel}")
    for finding in found:
        # Before installing, a known fix is advice, not a refusal: with the family's override the
        # wheel runs the GPU (install --cuda auto picks such a build and says the same); hiding a
        # GPU of another family leaves the others running it. Without either, it cannot run.
        if finding.params["override"]:
            finding.severity = "info"
        elif finding.params["keep_visible"]:
            finding.severity = "warning"
    return found + gfx_list_unconfirmed(rocm_facts, wheel, rocm, {f.params["gfx"] for f in found})
