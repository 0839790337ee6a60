"""Words for `budget-cut` (node_outputs.budget_finding): --budget ended steps early or left them
out. Params: `seconds` (the budget), `cut` (the steps, as data.budget.cut names them)."""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words

P = Mapping[str, Any]


def _budget_cut(p: P) -> Words:
    steps = ", ".join(str(step) for step in p.get("cut") or []) or "some steps"
    return Words(
        title=f"The --budget of {p.get('seconds', 0):g} s ran out: {steps} did not finish, so "
        "this report is incomplete",
        fix="give the check more time (a larger --budget; Slurm ends a HealthCheckProgram after "
        "60 s), or find why the step is slow on this node: run it alone without --budget",
    )


WORDS: dict[str, WordFn] = {"budget-cut": _budget_cut}
