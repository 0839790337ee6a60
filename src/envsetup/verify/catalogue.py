"""Which checks exist and which ones a run selects. The worker's registry is the one list of checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from envsetup.errors import UsageError
from envsetup.verify.worker_root.envsetup_verify_worker import registry


@dataclass(frozen=True)
class CheckInfo:
    id: str
    title: str
    needs_gpu: bool
    opt_in: bool
    hidden: bool


def all_checks() -> list[CheckInfo]:
    return [CheckInfo(c.id, c.title, c.needs_gpu, c.opt_in, c.hidden) for c in registry.CHECKS]


def select_checks(only: Optional[list[str]] = None, bench: bool = False) -> list[CheckInfo]:
    """The checks to run, in catalogue order. `only` takes ids or id prefixes ("bench" = bench.*).

    Default: every check but the opt-in bench ones (added by `bench`) and the hidden test ones
    (reachable only through `only`).
    """
    checks = all_checks()
    if not only:
        return [c for c in checks if not c.hidden and (bench or not c.opt_in)]
    chosen: set[str] = set()
    for wanted in only:
        matches = [c.id for c in checks if c.id == wanted or c.id.startswith(wanted + ".")]
        if not matches:
            known = ", ".join(c.id for c in checks if not c.hidden)
            raise UsageError(f"--only: no check named {wanted!r}; choose from {known}")
        chosen.update(matches)
    return [c for c in checks if c.id in chosen]


def parse_only(text: Optional[str]) -> Optional[list[str]]:
    """'matmul, compile' -> ['matmul', 'compile']; None or blank -> None (every default check)."""
    if text is None:
        return None
    ids = [part.strip() for part in text.split(",") if part.strip()]
    if not ids:
        raise UsageError(
            "--only: give one or more check ids separated by commas, e.g. --only matmul,compile"
        )
    return ids
