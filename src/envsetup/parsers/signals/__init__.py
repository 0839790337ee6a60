"""What errors, warnings and log lines say: pasted text -> `Signal`s, before any judgement.

`classify(lines)` runs every reader over all the lines of a paste (or a subprocess's stderr) and
returns what they recognise, one `Signal` per distinct thing said, citing its line numbers. The
readers, one per family of messages:

- python: tracebacks (the exception type and message; whether it came from `import torch`);
- cuda: CUDA runtime errors by message and number (35, 100, 209, 222, 802, 803, 804, 999 ...);
- torch: torch's own warnings (driver too old, GPU arch not supported, cuDNN mismatch, HIP);
- libraries: shared libraries not found, undefined symbols;
- pip_conda: pip's "no matching distribution", PEP 668, conda's solver conflicts and its
  "incompatible with the existing python installation";
- kernel_log: NVRM Xid, RmInitAdapter, module signing / Secure Boot, nouveau, and the
  module-loading line (a fact, no problem: explain merges its version);
- nvcc_build: nvcc's "Unsupported gpu architecture" and a build's missing `.../bin/nvcc`.

Judged against a machine's facts by envsetup.diagnose.signal_rules.judge_signals.
"""

from __future__ import annotations

from bisect import bisect_right
from itertools import accumulate
from typing import Callable, Optional, Sequence

from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals import (
    collect_env_state,
    container,
    cuda,
    installer_logs,
    kernel_log,
    libraries,
    nvcc_build,
    pip_conda,
    python,
    torch,
)
from envsetup.parsers.signals._scan import merge
from envsetup.parsers.signals._span import own

Reader = Callable[[Sequence[Line], Optional[Sequence[int]]], "list[Signal]"]
READERS: tuple[Reader, ...] = (
    python.read,
    cuda.read,
    torch.read,
    libraries.read,
    pip_conda.read,
    kernel_log.read,
    installer_logs.read,  # uv's platform refusals, musl's loader, conda plans, pip's wheel
    collect_env_state.read,  # collect_env's "PyTorch version: N/A"
    container.read,  # docker's / the NVIDIA Container Toolkit's GPU errors (explain11)
    nvcc_build.read,  # nvcc cannot target an arch, or the build's nvcc path is missing
)


# Every line a reader acts on holds one of these (each reader's own tests are stricter). Each is
# looked for with str.find over the whole text (C speed; an alternation regex run per line costs
# ten times more), so a megabyte of ordinary log passes in milliseconds and the readers look only
# at the lines kept.
_TRIGGERS = (
    "rror",
    "CUDA",
    "cuda",
    "Cuda",
    "PTX",
    "kernel image",
    "capable device",  # cuda
    "too old",
    "gpu-name",  # ptxas's "Value 'sm_110a' is not defined for option 'gpu-name'"
    "capability",
    "cuDNN",
    "HIP",
    "hip",
    "Torch not compiled",
    "NVIDIA driver",  # torch
    "symbol",
    "shared object",  # libraries
    "from versions",  # pip's "(from versions: ...)", also retyped without the colon
    "distribution",
    "externally-managed",
    "Unsatisfiable",
    "conflicts",
    "Could not solve",
    "Encountered problems",
    "nothing provides",
    "Found conflicts",
    "existing python",
    "-> python",
    "Your python",  # pip, conda
    "::__",  # pip, conda (conda's virtual packages: "::__glibc==2.35=0")
    "torch-",  # pip fetching torch's wheel: "Downloading torch-2.4.0-cp310-...aarch64.whl"
    "unsupported GNU version",  # nvcc's host_config.h
    "gpu architecture",
    "gpu-architecture",
    "bin/nvcc",  # nvcc_build
    "GLIBC_",
    "with link time reference",  # the loader: symbol S version V not defined in file F  # the loader: version `GLIBC_2.27' not found
    "NVRM",
    "Xid",
    "fallen off",
    "RmInitAdapter",
    "module",
    "Key was rejected",
    "t match",  # nv-fabricmanager: "don't match", "doesn't match", "don\u2019t match"
    "ownership",
    "probe routine",
    "Module nvidia",  # modprobe: FATAL: Module nvidia not found
    "Insufficient ",  # Kubernetes: "Insufficient nvidia.com/gpu"; NVML's "Insufficient Permissions"
    "nvidia-smi",  # not found in a container (explain12)
    "invalid runtime",
    "CDI device",
    " run ",  # docker / podman / nerdctl run: where the paste's container came from
    "kind:",
    "kubectl",
    "nvidia.com/gpu",  # a pod spec
    "nouveau",  # kernel log
    "Memory access fault",  # ROCm: "Memory access fault by GPU node-N ... Reason: ..."
    "Traceback",
    'File "',  # python
    "matching platform tag",
    "current platform",
    "Wheels are available for",
    "only has wheels for",  # uv
    "torch-0.1.2",
    "provide packages for PyPI",  # PyPI's placeholder torch
    "_cpu_",
    "cpuonly-",
    "pytorch-mutex",  # a conda plan taking the CPU build
    ".whl",  # pip's log: the wheel it takes
    "PyTorch version",  # collect_env's "PyTorch version: N/A"
)


def gate(lines: Sequence[Line]) -> list[int]:
    """The indices of the lines holding a trigger, in order."""
    text = "\n".join(line.text for line in lines)
    ends = list(accumulate(len(line.text) + 1 for line in lines))  # offset after each line
    kept: set[int] = set()
    for trigger in _TRIGGERS:
        at = text.find(trigger)
        while at != -1:
            index = bisect_right(ends, at)
            kept.add(index)
            at = text.find(trigger, ends[index]) if index < len(ends) else -1
    return sorted(kept)


def classify(lines: Sequence[Line]) -> list[Signal]:
    """Every signal the lines show, in paste order, each once (its lines merged), each owning
    the lines of its message that are not its evidence (_span.own). Pure; never raises: a
    reader that fails on some odd input loses only its own signals."""
    hits = gate(lines)
    found: list[Signal] = []
    for read in READERS:
        try:
            found += read(lines, hits)
        except (ValueError, IndexError, KeyError, TypeError, AttributeError, RecursionError):
            continue  # defensive: each reader is tested on cut and hostile input
    own(lines, found)
    return merge(found)


def lines_of(text: str) -> list[Line]:
    """Plain text (a subprocess's stderr) as numbered Lines, CR and trailing spaces removed.
    Pastes go through explain's normaliser instead (prompts, quotes, ANSI).

    Text that ends with a newline gets a last, empty Line: the readers trust a value that runs
    to the end of the last line only when that line is complete (text cut mid-line could have
    cut the value short)."""
    lines = [Line(n, raw.rstrip("\r ")) for n, raw in enumerate(text.splitlines(), start=1)]
    if text.endswith(("\n", "\r")):
        lines.append(Line(len(lines) + 1, ""))
    return lines


__all__ = ["READERS", "classify", "lines_of"]
