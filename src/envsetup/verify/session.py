"""One verify run: select the checks, drive the worker, collect a VerifyReport (prints nothing)."""

from __future__ import annotations

import time
from typing import Any, Optional

from envsetup.errors import UsageError
from envsetup.host.budget import MIN_STEP_S, Deadline
from envsetup.profiles.lookup import lookup_build
from envsetup.verify.catalogue import CheckInfo, select_checks
from envsetup.verify.expectations import judge_bench
from envsetup.verify.progress import CheckProgress, NoProgress
from envsetup.verify.results import FAIL, SKIP, CheckResult, Target, VerifyReport
from envsetup.verify.runner import (
    HELLO_TIMEOUT_S,
    Worker,
    WorkerUnavailable,
    result_from,
    skipped_after_import_failure,
    start_worker,
    torch_missing,
    unusable_from,
)
from envsetup.verify.signals import target_facts, verify_findings
from envsetup.verify.target import env_dir_of, gpu_install_fix, install_fix

IMPORT_CHECK = "torch.import"


def _lost_worker_result(info: CheckInfo, problem: WorkerUnavailable) -> CheckResult:
    return CheckResult(
        id=info.id,
        title=info.title,
        status=FAIL,
        reason=f"a fresh worker could not be started: {problem}",
        output=problem.output,
    )


def run_verify(
    python: str,
    only: Optional[list[str]] = None,
    timeout: float = 120.0,
    require_gpu: bool = False,
    bench: bool = False,
    progress: Optional[CheckProgress] = None,
    deadline: Optional[Deadline] = None,
) -> VerifyReport:
    """Run the selected checks in `python`; every check gets `timeout` seconds. `progress` is
    told of each check as it starts and ends (a display; the session itself prints nothing).
    `deadline` (--budget): a check gets no more than what is left of it, and once it has passed
    the remaining checks are skipped; both are named in deadline.cut.

    Raises UsageError for bad arguments. A target that cannot run checks at all comes back as a
    report whose `unusable` is set (exit code 3), so callers can render it like any other report.
    """
    if not timeout > 0:
        raise UsageError(f"--timeout must be a positive number of seconds, not {timeout:g}")
    selected = select_checks(only, bench)
    started = time.monotonic()
    report = VerifyReport(target=Target(python=python))
    try:
        worker: Optional[Worker] = start_worker(python, _hello_limit(deadline))
    except WorkerUnavailable as problem:
        if deadline is not None and deadline.expired():
            deadline.note_cut("worker")
        report.unusable = unusable_from(python, problem)
        return report
    _describe_target(report.target, worker.hello)
    hello = dict(worker.hello)
    if not worker.hello.get("torch_found"):
        worker.stop()
        report.unusable = torch_missing(report.target)
        return report
    # The fixes the checks print, decided here where envsetup's own rules are (the worker runs
    # in the target and imports no envsetup): an install that this target accepts, and whether
    # a GPU build fits this machine at all.
    fix = install_fix(report.target.prefix or env_dir_of(python))
    options: dict[str, Any] = {
        "require_gpu": require_gpu,
        "install_fix": fix,
        "gpu_install_fix": gpu_install_fix(fix) if require_gpu else fix,
    }
    torch_broken = False
    told = progress or NoProgress()
    total = len(selected)
    try:
        for number, info in enumerate(selected, 1):
            if torch_broken:
                report.checks.append(skipped_after_import_failure(info))
                told.finished(report.checks[-1], number, total)
                continue
            if deadline is not None and deadline.expired():
                deadline.note_cut(info.id)
                report.checks.append(cut_by_budget(info, deadline.seconds))
                told.finished(report.checks[-1], number, total)
                continue
            told.started(info, number, total)
            if worker is None:
                try:
                    worker = start_worker(python, _hello_limit(deadline))
                except WorkerUnavailable as problem:
                    if deadline is not None and deadline.expired():
                        deadline.note_cut(info.id)  # it ran out of time starting, not broken
                        report.checks.append(cut_by_budget(info, deadline.seconds))
                    else:
                        report.checks.append(_lost_worker_result(info, problem))
                    told.finished(report.checks[-1], number, total)
                    continue
            limit = deadline.limit(timeout) if deadline is not None else timeout
            outcome = worker.request(info.id, options, limit)
            if outcome.message is None:  # crashed or timed out: the next check gets a fresh one
                worker.kill()
                worker = None
            if outcome.timed_out and limit < timeout and deadline is not None:
                # Ended by the budget, not by its own --timeout: not a failure of the target.
                deadline.note_cut(info.id)
                result = cut_by_budget(info, deadline.seconds, outcome.duration_s)
            else:
                result = judge_bench(result_from(info, outcome, limit))
            if info.id == IMPORT_CHECK:
                torch_broken = result.status == FAIL
                _note_torch(report.target, result)
            report.checks.append(result)
            told.finished(result, number, total)
    except BaseException:  # Ctrl-C above all: a worker mid-check would not read "exit" for long
        if worker is not None:
            worker.kill()
            worker = None
        raise
    finally:
        if worker is not None:
            worker.stop()
    facts = target_facts(report.target, hello, report.checks)
    report.findings = verify_findings(report, facts, lookup_build)
    report.facts = facts
    report.duration_s = time.monotonic() - started
    return report


def _hello_limit(deadline: Optional[Deadline]) -> float:
    """How long the worker may take to start: HELLO_TIMEOUT_S, or what is left of --budget."""
    if deadline is None:
        return HELLO_TIMEOUT_S
    return max(deadline.limit(HELLO_TIMEOUT_S), MIN_STEP_S)


def cut_by_budget(info: CheckInfo, seconds: float, ran_s: float = 0.0) -> CheckResult:
    """A check the --budget left out (ran_s 0) or ended before its own --timeout: skipped, not
    failed; nothing is known of the target from it."""
    reason = (
        f"ended after {ran_s:.1f} s: the --budget of {seconds:g} s was spent"
        if ran_s
        else f"not run: the --budget of {seconds:g} s was spent"
    )
    return CheckResult(
        id=info.id, title=info.title, status=SKIP, reason=reason, duration_s=round(ran_s, 4)
    )


def _describe_target(target: Target, hello: dict[str, object]) -> None:
    target.python = str(hello.get("python") or target.python)
    target.python_version = str(hello.get("python_version") or "")
    target.prefix = str(hello.get("prefix") or "")
    version = hello.get("torch_version")
    target.torch_version = str(version) if version else None
    build = hello.get("torch_build")
    target.torch_build = str(build) if build else None


def _note_torch(target: Target, result: CheckResult) -> None:
    if result.evidence.get("version"):
        target.torch_version = str(result.evidence["version"])
    if result.evidence.get("build"):
        target.torch_build = str(result.evidence["build"])
