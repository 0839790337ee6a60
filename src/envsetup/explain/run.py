"""explain's judgement: pasted text + the host's facts -> sections, merged facts, findings.

Pure: the text is already read, the host already probed (commands/explain.py does both).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

from envsetup.diagnose import diagnose
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.signal_common import finding_of
from envsetup.diagnose.signal_rules import cite, judge_signals
from envsetup.explain.assumed_arch import assume_arch, with_assumption
from envsetup.explain.detect import Detection, detect
from envsetup.explain.merge import merge
from envsetup.explain.paste import normalise, raw_lines
from envsetup.facts import Facts
from envsetup.model.paste import Line, SectionReader, Signal
from envsetup.parsers.signals import classify
from envsetup.parsers.signals.container import prompt_signals
from envsetup.profiles.build_info import BuildLookup, no_profiles


@dataclass
class ExplainResult:
    """lines: the paste as normalised; detection: its sections, signals and unplaced lines;
    facts: the host's facts with the pasted ones over them; fact_sources: dotted fact path ->
    "paste:LINE" for every pasted fact; findings: diagnose's rules on those facts, then the
    findings of the pasted errors (errors first)."""

    lines: list[Line]
    detection: Detection
    facts: Facts
    fact_sources: dict[str, str] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    host_set_aside: str = ""


def explain(
    text: str,
    host_facts: Optional[Facts],
    lookup: BuildLookup = no_profiles,
    readers: Optional[Sequence[SectionReader]] = None,
) -> ExplainResult:
    """Explain `text` against `host_facts` (None: no host, only what the paste states).
    `readers` defaults to every reader of explain/sections. Never raises on any text."""
    if readers is None:
        from envsetup.explain.sections import readers as all_readers

        readers = all_readers()
    lines = normalise(text)
    detection = detect(lines, readers, _classifier(text))
    signals = [*detection.signals, *(s for r in detection.readings for s in r.signals)]
    signals += prompt_signals(raw_lines(text))  # a container's prompt, which normalise drops
    merged = merge(host_facts, detection.readings, lines, signals)
    assumed = assume_arch(merged.facts, merged.sources, lookup)  # no arch stated (explain11)
    findings = with_assumption(diagnose(merged.facts, lookup), assumed)
    if host_facts is None or merged.set_aside:
        findings = [f for f in findings if _stated_enough(f, merged.sources)]
    elif merged.environment_set_aside:  # the host's torch search was another environment's
        findings = [
            f
            for f in findings
            if f.id != "torch-not-installed" or _stated_enough(f, merged.sources)
        ]
    texts = {line.number: line.text for line in lines}
    if any(f.id == "torch-not-installed" for f in findings) and torch_proven(
        signals, merged.sources, texts
    ):
        findings = [f for f in findings if f.id != "torch-not-installed"]
    pasted = judge_signals(signals, merged.facts, lookup, evidence=cite(texts))
    findings = _errors_first(_once([*findings, *pasted]))
    cut = [s for s in signals if s.id == "python-traceback-cut"]
    if cut and not findings:
        # A traceback cut before its exception line names no error: never a clean bill.
        findings = [finding_of("python-traceback-cut", "warning", cut, cite(texts))]
    return ExplainResult(
        lines=lines,
        detection=detection,
        facts=merged.facts,
        fact_sources=merged.sources,
        findings=findings,
        host_set_aside=merged.set_aside,
    )


def _classifier(text: str) -> Callable[[Sequence[Line]], list[Signal]]:
    """classify, told whether the paste's last line is whole. The readers distrust a value that
    runs to the end of the last line (a paste may stop mid-line: parsers.signals._scan.runs_to_cut);
    text that ends with a line end was not cut there, which lines_of marks with a last, empty
    Line (normalise drops that end)."""
    if not text.endswith(("\n", "\r")):
        return classify
    return lambda lines: classify([*lines, Line(lines[-1].number + 1, "")]) if lines else []


# Without a host (or with one the paste shows is another machine), a fact the paste does not state
# is unknown, not absent. These findings conclude from a fact's absence: they then stand only when
# the paste states that fact, by the dotted paths named here. (collect_env's "PyTorch version: N/A"
# does not: it prints N/A when `import torch` fails, installed or not.)
FROM_ABSENCE = {
    "toolkit-without-driver": ("nvidia.driver_version", "nvidia.gpus"),
    "torch-not-installed": ("torch.version",),
}


# Pasted facts that prove torch is installed in the paste's environment: a path into its package
# (a traceback's frame, a warning's file), torch's arch list or collect_env's "Is CUDA available".
_TORCH_THERE = ("torch.location", "torch.deep.ran", "torch.deep.arch_list")
# Signal kinds only torch prints (its warnings, the CUDA runtime's errors raised through it).
_TORCH_KINDS = ("torch-error", "cuda-error")


# A path into torch's package, also relative or cut ('venv/lib64/python3.11/site-packages/torch/').
_TORCH_PACKAGE = ("site-packages/torch/", "dist-packages/torch/", "site-packages\\torch\\")


def torch_proven(
    signals: Sequence[Signal], sources: dict[str, str], texts: Optional[dict[int, str]] = None
) -> bool:
    """Whether the paste proves torch is installed (though maybe broken): then
    torch-not-installed, which concludes from a version no one read, is false."""
    if any(path in sources for path in _TORCH_THERE) or any(
        s.kind in _TORCH_KINDS for s in signals
    ):
        return True
    joined = "\n".join((texts or {}).values())
    return any(mark in joined for mark in _TORCH_PACKAGE)


def _stated_enough(finding: Finding, sources: dict[str, str]) -> bool:
    needed = FROM_ABSENCE.get(finding.id)
    return needed is None or any(path in sources for path in needed)


def _once(findings: list[Finding]) -> list[Finding]:
    """One finding per problem: torch's pasted "sm_XX is not compatible" / "no kernel image"
    (cuda-no-kernel-image, with the build that has the kernels) says what the arch rule's
    gpu-arch-not-in-torch-build says of the same GPUs from the merged arch list."""
    judged = {f.params.get("sm") for f in findings if f.id == "cuda-no-kernel-image"}
    # Likewise the pasted hipErrorNoBinaryForGpu and the gfx rule's rocm-gfx-not-in-build.
    gfx_judged = {f.params.get("gfx") for f in findings if f.id == "rocm-no-binary-for-gpu"}
    # A pasted error 802 or fabric manager journal (cuda-fabric-manager-not-ready) answers what
    # the host's nvswitch-fabric-unchecked could not check: doctor --deep drops it the same way.
    fabric_judged = any(f.id == "cuda-fabric-manager-not-ready" for f in findings)
    return [
        f
        for f in findings
        if not (
            f.id == "gpu-arch-not-in-torch-build"
            and judged
            and set(f.params.get("sms") or ()) <= judged
        )
        and not (f.id == "rocm-gfx-not-in-build" and f.params.get("gfx") in gfx_judged)
        and not (f.id == "nvswitch-fabric-unchecked" and fabric_judged)
    ]


def _errors_first(findings: list[Finding]) -> list[Finding]:
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(findings, key=lambda f: order.get(f.severity, 3))
