"""Install, then verify: provision() with envsetup verify's import check as the install's last step.

install sits below verify and never imports it (install.quick_verify takes the check as an
argument); this module, above both, is the one place they meet. `envsetup install` and the tests of
a whole install call provision() from here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

if TYPE_CHECKING:
    from envsetup.install.execute import InstallResult
    from envsetup.install.progress import StepProgress
    from envsetup.resolve.resolution import Resolution
    from envsetup.verify import VerifyReport

# verify's own check id: torch imports, and its version and build match its files.
VERIFY_CHECKS = ("torch.import",)


def verdict(report: VerifyReport) -> tuple[bool, str]:
    """Whether the check passed, and the reason of what went wrong if anything did."""
    code = int(report.exit_code)
    if code == 0:
        return True, "exit code 0"
    failed = [c for c in report.checks if c.status == "fail"]
    reason = report.unusable.reason if report.unusable else (failed[0].reason if failed else "")
    return False, f"exit code {code}" + (f": {reason}" if reason else "")


def import_check(python: str) -> tuple[bool, str]:
    """envsetup verify's torch.import check in the environment of `python`."""
    from envsetup.verify import run_verify

    return verdict(run_verify(python, only=list(VERIFY_CHECKS)))


def provision(
    resolution: Resolution,
    *,
    force: bool = False,
    upgrade: bool = False,
    index_url_base: Optional[str] = None,
    log_dir: Optional[str] = None,
    on_output: Optional[Callable[[str], None]] = None,
    verify: bool = True,
    on_step: Optional[StepProgress] = None,
) -> InstallResult:
    """envsetup.install.execute.provision, ending with the import check unless `verify` is False;
    raises what that raises (a failed check: StepFailed for step "verify", the new env removed)."""
    from envsetup.install.execute import provision as provision_only

    return provision_only(
        resolution,
        force=force,
        upgrade=upgrade,
        index_url_base=index_url_base,
        log_dir=log_dir,
        on_output=on_output,
        verify=import_check if verify else None,
        on_step=on_step,
    )
