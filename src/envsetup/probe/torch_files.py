"""The installed torch build, read from its files (never imported), and `--deep` import checks."""

from __future__ import annotations

import re
from typing import Optional

from envsetup.facts import (
    STDERR_LINE_CHARS,
    STDERR_TAIL_LINES,
    PythonFacts,
    ReadProblem,
    TorchDeep,
    TorchFacts,
)
from envsetup.host.base import Host
from envsetup.model.compute_platform import TorchFlavor
from envsetup.parsers import ParseError
from envsetup.parsers.cudnn import cudnn_version_from_filename
from envsetup.parsers.torch_build import (
    flavor_from_local_version,
    marker_environment,
    parse_metadata_requires,
    parse_torch_version_py,
)
from envsetup.probe.common import (
    OUTPUT_CUT,
    as_bool,
    as_int,
    as_number,
    as_text,
    basename,
    clean,
    dist_version,
    excerpt,
    join,
    json_object,
    problem,
)

DEEP_TIMEOUT_S = 90.0
DEEP_TAG = "envsetup-deep"  # the last argument of the --deep check: it names it in a recording
# Runs in the target interpreter with --deep only: the one place torch is ever imported.
DEEP_SCRIPT = r"""
import json, time
t0 = time.time()
out = {}
try:
    import torch
    out["cuda_available"] = bool(torch.cuda.is_available())
    out["device_count"] = torch.cuda.device_count() if out["cuda_available"] else 0
    out["arch_list"] = list(torch.cuda.get_arch_list()) if hasattr(torch.cuda, "get_arch_list") else []
    out["cudnn_version"] = torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None
except BaseException as exc:
    out["error"] = "%s: %s" % (type(exc).__name__, exc)
    import traceback
    traceback.print_exc()
out["duration_s"] = time.time() - t0
print("ENVSETUP-DEEP " + json.dumps(out))
"""
CONDA_BUILD_CUDA = re.compile(r"cuda(\d+)\.(\d+)")
CONDA_BUILD_CUDNN = re.compile(r"cudnn(\d+(?:\.\d+)*)")


def probe_torch(
    host: Host, python: PythonFacts, problems: list[ReadProblem], *, deep: bool = False
) -> TorchFacts:
    facts = TorchFacts()
    for directory in python.site_packages:
        dists = host.glob(join(directory, "torch-*.dist-info"))
        if dists:
            _read_wheel(host, directory, dists[-1], facts, problems, _markers(host, python))
            break
    else:
        _read_conda_package(host, python, facts)
    for directory in python.site_packages:
        for name in ("torchvision", "torchaudio"):
            for dist in host.glob(join(directory, f"{name}-*.dist-info")):
                setattr(facts, name, dist_version(dist, f"{name}-"))
    if deep and (python.version or python.site_packages):  # an interpreter that answered
        facts.deep = _deep(host, python.executable)
    return facts


def _markers(host: Host, python: PythonFacts) -> dict[str, str]:
    """PEP 508 marker values of the environment torch is installed in (not envsetup's own)."""
    platform = host.platform()
    return marker_environment(
        system=platform.system,
        machine=platform.machine,
        python_version=python.version,
        implementation=python.implementation or "CPython",
        release=platform.release,
    )


def _read_wheel(
    host: Host,
    directory: str,
    dist: str,
    facts: TorchFacts,
    problems: list[ReadProblem],
    markers: dict[str, str],
) -> None:
    facts.version = dist_version(dist, "torch-")
    facts.location = join(directory, "torch")
    facts.source = f"file:{dist}"
    metadata = host.read_text(join(dist, "METADATA"))
    if metadata:
        try:
            facts.requires_nvidia = parse_metadata_requires(metadata, markers)
        except ParseError as exc:
            problems.append(problem(join(dist, "METADATA"), str(exc), metadata))
    version_py = host.read_text(join(directory, "torch/version.py"))
    built: dict = {}
    if version_py is not None:
        try:
            built = parse_torch_version_py(version_py)
            facts.source += f"; file:{join(directory, 'torch/version.py')}"
        except ParseError as exc:
            problems.append(problem(join(directory, "torch/version.py"), str(exc), version_py))
    facts.version = str(built.get("__version__") or facts.version)
    facts.cuda_version = built.get("cuda") or None
    facts.hip_version = built.get("hip") or None
    facts.flavor = _flavor(
        facts.version, facts.cuda_version, facts.hip_version, host.platform().system
    )
    facts.cudnn_version = _bundled_cudnn(host, directory, facts.requires_nvidia)


def _flavor(version: str, cuda: Optional[str], hip: Optional[str], system: str) -> TorchFlavor:
    if hip:
        return TorchFlavor.ROCM
    if cuda:
        return TorchFlavor.CUDA
    try:
        local, _ = flavor_from_local_version(version)
    except ParseError:
        return TorchFlavor.UNKNOWN
    if local in ("cuda", "rocm", "cpu", "xpu"):
        return TorchFlavor(local)
    return TorchFlavor.MACOS if system == "Darwin" else TorchFlavor.CPU


def _bundled_cudnn(host: Host, directory: str, requires: dict[str, str]) -> Optional[str]:
    for name, version in requires.items():
        if name.startswith("nvidia-cudnn"):
            return version
    for path in host.glob(join(directory, "torch/lib/libcudnn.so.*")) + host.glob(
        join(directory, "torch/lib/cudnn64_*.dll")
    ):
        version = cudnn_version_from_filename(basename(path))
        if version:
            return version
    return None


def _read_conda_package(host: Host, python: PythonFacts, facts: TorchFacts) -> None:
    if not python.prefix:
        return
    for path in host.glob(join(python.prefix, "conda-meta/pytorch-[0-9]*.json")):
        record = json_object(host.read_text(path))
        if record is None:
            continue
        build = as_text(record.get("build"))
        facts.version = as_text(record.get("version")) or None
        facts.source = f"file:{path}"
        cuda = CONDA_BUILD_CUDA.search(build)
        facts.cuda_version = f"{cuda.group(1)}.{cuda.group(2)}" if cuda else None
        cudnn = CONDA_BUILD_CUDNN.search(build)
        facts.cudnn_version = cudnn.group(1) if cudnn else None
        facts.flavor = (
            TorchFlavor.CUDA
            if cuda
            else (TorchFlavor.CPU if "cpu" in build else TorchFlavor.UNKNOWN)
        )


def _deep(host: Host, python: str) -> TorchDeep:
    # The trailing tag names the probe in recordings ("-c", "*", "envsetup-deep" when built by hand).
    result = host.run([python, "-c", DEEP_SCRIPT, DEEP_TAG], timeout=DEEP_TIMEOUT_S)
    deep = TorchDeep(ran=True, stderr_tail=stderr_tail(result.stderr))
    if result.timed_out:
        deep.error = f"importing torch did not finish within {DEEP_TIMEOUT_S:g} s"
        return deep
    if result.truncated:
        deep.error = f"the torch import check {OUTPUT_CUT}"
        return deep
    marker = [line for line in result.stdout.splitlines() if line.startswith("ENVSETUP-DEEP ")]
    if not marker:
        deep.error = excerpt(result.output, 12) or f"exit status {result.returncode}"
        return deep
    data = json_object(marker[-1][len("ENVSETUP-DEEP ") :])
    if data is None:
        deep.error = "unreadable output from the torch import check"
        return deep
    deep.error = as_text(data.get("error")) or None
    deep.cuda_available = as_bool(data.get("cuda_available"))
    deep.device_count = as_int(data.get("device_count"))
    arches = data.get("arch_list")
    deep.arch_list = (
        [clean(a) for a in arches if isinstance(a, str)] if isinstance(arches, list) else []
    )
    deep.cudnn_version = as_int(data.get("cudnn_version"))
    deep.duration_s = as_number(data.get("duration_s"))
    return deep


def stderr_tail(text: str) -> list[str]:
    """The last STDERR_TAIL_LINES non-blank lines of a subprocess's stderr, each cut to
    STDERR_LINE_CHARS: enough for torch's warnings and a traceback's end, bounded in the facts."""
    lines = [clean(line)[:STDERR_LINE_CHARS] for line in text.splitlines() if line.strip()]
    return lines[-STDERR_TAIL_LINES:]
