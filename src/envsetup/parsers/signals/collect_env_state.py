"""What torch's collect_env says about the Python it ran in, beyond its facts.

"PyTorch version: N/A": torch/utils/collect_env.py prints N/A where `import torch` failed
(get_env_info: `if TORCH_AVAILABLE ... else version_str = ... = "N/A"`), so the Python that ran
it has no importable torch: usually another interpreter than the environment's (the system
Python 3.13 of a Fedora 41 host, pytorch/pytorch #147626), or a torch that fails to import.
vLLM's copy pads the key ("PyTorch version     : N/A"); GitHub may join the first line
("Collecting environment information...  PyTorch version: N/A").
"""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals._scan import indices, signal

_NOT_IMPORTABLE = lazy(r"(?:^|\s)PyTorch version\s*:\s*N/A\s*$")


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    for index in indices(lines, hits):
        text = lines[index].text
        if "PyTorch version" in text and _NOT_IMPORTABLE.search(text):
            return [
                signal("collect-env-torch-not-importable", "collect-env", [lines[index].number])
            ]
    return []
