"""`envsetup verify`: smoke tests that run inside the target environment's own interpreter."""

from envsetup.verify.results import CheckResult, Target, Unusable, VerifyReport
from envsetup.verify.session import run_verify

__all__ = ["CheckResult", "Target", "Unusable", "VerifyReport", "run_verify"]
