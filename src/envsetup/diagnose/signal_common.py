"""What the judges of signals share (diagnose/signal_rules.py, kernel_image.py,
library_signals.py): evidence citing the pasted lines, the finding they make, the install command
a fix names, the CUDA of the torch build in the facts."""

from __future__ import annotations

import shlex
from typing import Any, Callable, Mapping, Optional, Sequence

from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.model.compute_platform import TorchFlavor
from envsetup.model.paste import Signal

Evidence = Callable[[Signal], "list[str]"]


def cite(lines: Mapping[int, str], source: str = "paste") -> Evidence:
    """Evidence lines "paste:12: <text>" for a signal, from the paste's line texts."""

    def evidence(signal: Signal) -> list[str]:
        return [f"{source}:{n}: {lines.get(n, '').strip()[:500]}" for n in signal.lines]

    return evidence


def install_command(facts: Facts, extra: Sequence[str] = ()) -> str:
    words = ["envsetup", "install", *extra]
    if "--cuda" not in extra:
        words += ["--cuda", "auto"]
    if facts.python.environment in ("venv", "conda", "uv") and facts.python.prefix:
        words += ["--env", facts.python.prefix, "--upgrade"]
    return shlex.join(words)


def finding_of(
    id_: str, severity: str, signals: Sequence[Signal], evidence: Evidence, **params: Any
) -> Finding:
    cited = [line for s in signals for line in evidence(s)]
    return Finding(
        id=id_,
        severity=severity,
        evidence=list(dict.fromkeys(cited)),
        params={k: v for k, v in params.items() if v is not None},
    )


def torch_cuda(facts: Facts) -> Optional[str]:
    return facts.torch.cuda_version if facts.torch.flavor is TorchFlavor.CUDA else None
