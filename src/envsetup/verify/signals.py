"""What torch printed during verify, judged: the failed and skipped checks' stderr and
tracebacks -> envsetup.diagnose.signal_rules findings (an 802 says "fabric manager").

Pure apart from the profile lookup: the facts are the target as the worker described it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional, Sequence

from envsetup.diagnose.finding import Finding
from envsetup.diagnose.signal_rules import cite, judge_signals
from envsetup.facts import Facts, OsFacts, PythonFacts, TorchFacts
from envsetup.model.capability import ComputeCapability
from envsetup.model.compute_platform import TorchFlavor
from envsetup.model.gpu import Gpu
from envsetup.model.paste import Line
from envsetup.parsers.signals import classify
from envsetup.profiles.build_info import BuildLookup
from envsetup.verify.results import PASS, CheckResult, Target, VerifyReport

# A check prints little; a flood (a kernel's printf) is cut to its end, where the error is.
MAX_LINES = 400


def target_facts(
    target: Target, hello: Mapping[str, Any], checks: Sequence[CheckResult] = ()
) -> Facts:
    """The facts verify knows: the interpreter, its torch build, the OS (from the worker), and
    the GPUs and arch list the device checks recorded (`checks`: cuda-available's devices with
    their compute capability, cuda-arch's arch list). The driver is not known to the worker."""
    build = _flavor(target.torch_build)
    facts = Facts(
        os=OsFacts(system=str(hello.get("system") or ""), arch=str(hello.get("machine") or "")),
        python=PythonFacts(
            executable=target.python, version=target.python_version, prefix=target.prefix
        ),
        torch=TorchFacts(
            version=target.torch_version,
            flavor=build,
            cuda_version=_text(hello.get("torch_cuda")) if build is TorchFlavor.CUDA else None,
        ),
    )
    for check in checks:
        devices = check.evidence.get("devices")
        if isinstance(devices, list) and not facts.nvidia.gpus:
            facts.nvidia.gpus = [g for g in map(_gpu, devices) if g is not None]
        arch_list = check.evidence.get("arch_list")
        if isinstance(arch_list, list) and build is TorchFlavor.CUDA:
            facts.torch.deep.arch_list = [str(entry) for entry in arch_list]
    if facts.nvidia.gpus:
        facts.nvidia.gpus_source = "verify (torch.cuda.get_device_capability)"
    return facts


def _gpu(device: Any) -> Optional[Gpu]:
    """A device the worker described ({"index", "name", "capability": "8.6"} or "arch":
    "sm_86"); None for one without a compute capability (a ROCm device's "gfx90a")."""
    if not isinstance(device, Mapping):
        return None
    capability = ComputeCapability.try_parse(
        _text(device.get("capability")) or _text(device.get("arch"))
    )
    index = device.get("index")
    if capability is None or not isinstance(index, int):
        return None
    return Gpu(index=index, name=_text(device.get("name")) or "", compute_capability=capability)


def _flavor(build: Optional[str]) -> TorchFlavor:
    """The worker's build name (its `build_of`: cuda, rocm, cpu...) as the facts' flavor."""
    try:
        return TorchFlavor(build or "unknown")
    except ValueError:
        return TorchFlavor.UNKNOWN


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def stderr_lines(report: VerifyReport) -> list[str]:
    """The text of every check that did not pass: what it printed, its traceback, its reason."""
    texts: list[str] = []
    for check in report.checks:
        if check.status == PASS:
            continue
        traceback = check.evidence.get("traceback")
        for chunk in (check.output, traceback if isinstance(traceback, str) else "", check.reason):
            texts += [line for line in chunk.splitlines() if line.strip()]
    return texts[-MAX_LINES:]


def verify_findings(report: VerifyReport, facts: Facts, lookup: BuildLookup) -> list[Finding]:
    """The findings torch's output during the run gives (evidence "stderr:N: text", N counting
    the lines stderr_lines returns); the generic traceback finding is left out: the failed
    check already says it."""
    texts = stderr_lines(report)
    lines = [Line(n, text) for n, text in enumerate(texts, start=1)]
    found = judge_signals(classify(lines), facts, lookup, cite(dict(enumerate(texts, 1)), "stderr"))
    return [f for f in found if f.id not in ("python-exception", "torch-import-error")]
