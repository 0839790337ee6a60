"""What pasted errors, warnings and log lines mean on THIS machine: Signals + facts -> Findings.

`judge_signals` is the one judgement for explain (a paste), doctor --deep and verify (the stderr
of their torch subprocesses). It says what (id, severity, evidence citing "paste:LINE: text",
params); render/words/signals.py words each id. Facts it uses and their sources:

- driver floors: envsetup.compat (data/cuda_drivers.toml, NVIDIA minor version compatibility);
- GPU coverage: envsetup.model.capability (NVIDIA binary/PTX compatibility) over the profiles'
  arch lists (profiles/torch-X.Y.toml, through the injected `lookup`);
- CUDA error codes: CUDA Runtime API enum cudaError; Xid meanings: NVIDIA's Xid catalogue
  (envsetup.parsers.signals.kernel_log).
Pure: no I/O beyond `lookup`.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from packaging.version import InvalidVersion, Version

from envsetup import compat
from envsetup.compat import rocm as rocm_compat
from envsetup.diagnose.dll_signals import judge_dll_load_failed
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.gpu_access_rules import host_fabric_manager_mismatch
from envsetup.diagnose.kernel_image import (
    build_for_driver,
    build_with_kernels,
    driver_floor_for,
    judge_no_kernel_image,
    lowest_floor,
)
from envsetup.diagnose.library_signals import (
    judge_library_not_found,
    judge_undefined_symbol,
    shadowing_dirs,
)
from envsetup.diagnose.program_signals import judge_exception, judge_out_of_memory
from envsetup.diagnose.python_fit import judge_conda_python
from envsetup.diagnose.rocm_rules import wheel_rocm
from envsetup.diagnose.signal_common import Evidence, cite, finding_of, install_command, torch_cuda
from envsetup.facts import Facts
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals import classify
from envsetup.parsers.signals.kernel_log import XID_MEANINGS
from envsetup.profiles.build_info import BuildLookup

_XID_CLASS = {
    79: "gpu-fell-off-bus",
    48: "gpu-memory-error",
    63: "gpu-memory-error",
    64: "gpu-memory-error",
    92: "gpu-memory-error",
    94: "gpu-memory-error",
    95: "gpu-memory-error",
    140: "gpu-memory-error",
    74: "gpu-nvlink-error",
    **{xid: "gpu-nvlink-error" for xid in range(144, 151)},
}


def _driver_too_old(signals: list[Signal], facts: Facts, lookup: BuildLookup, ev: Evidence):
    """The build that runs on this driver (named exactly when its version or its CUDA is known),
    or the driver the build in use needs."""
    found = next(
        (s.params.get("driver_cuda") for s in signals if s.params.get("driver_cuda")), None
    )
    cuda = torch_cuda(facts)
    # The driver the facts name is the one that failed only when it reports the same CUDA.
    same = found is None or found == facts.nvidia.driver_cuda_version
    driver = facts.nvidia.driver_version if same else None
    driver_cuda = found or facts.nvidia.driver_cuda_version
    runs = build_for_driver(facts, lookup, driver or None, driver_cuda or None)
    params: dict[str, Any] = {}
    if runs:
        release, variant, sure = runs
        build_cuda = f"{variant[2:-1]}.{variant[-1]}"
        params.update(
            release=release,
            variant=variant,
            install=install_command(facts, ["--torch", release, "--cuda", build_cuda]),
            build_need=None if sure else driver_floor_for(build_cuda, facts),
        )
    elif driver or driver_cuda:
        params.update(no_build=True, lowest=lowest_floor(facts, lookup))
    else:
        params.update(install=install_command(facts))
    need = driver_floor_for(cuda, facts)
    have, floor = compat.parse_version(driver), compat.parse_version(need)
    if have is not None and floor is not None and have >= floor:
        need = None  # this driver meets it: the build that failed is not the one in the facts
    return [
        finding_of(
            "cuda-driver-too-old",
            "error",
            signals,
            ev,
            driver_cuda=driver_cuda,
            have=driver or None,
            torch=facts.torch.version,
            cuda=cuda,
            need=need,
            **params,
        )
    ]


def _fabric_manager(signals: list[Signal], facts: Facts, ev: Evidence):
    mismatch = next((s for s in signals if s.id == "fabricmanager-version-mismatch"), None)
    driver = (mismatch.params.get("driver") if mismatch else None) or facts.nvidia.driver_version
    return [
        finding_of(
            "cuda-fabric-manager-not-ready",
            "error",
            signals,
            ev,
            driver=driver,
            fabricmanager=(mismatch.params.get("fabricmanager") if mismatch else None)
            or host_fabric_manager_mismatch(facts),
            branch=driver.split(".", 1)[0] if driver else None,
            gpus=len(facts.nvidia.gpus) or None,
            container=facts.os.container or None,
            on_host=None if facts.gpu_access.fabric.manager_on_host else False,
        )
    ]


def _rocm_no_binary(signals: list[Signal], facts: Facts, ev: Evidence):
    """hipErrorNoBinaryForGpu: on an AMD GPU, the gfx target the ROCm build lacks and the
    override that runs a supported sibling's code objects; a CUDA build only when the machine
    shows NVIDIA GPUs and no AMD one."""
    gfx = facts.rocm.gfx_targets[0] if facts.rocm.gfx_targets else None
    nvidia_only = bool(facts.nvidia.gpus) and not facts.rocm.gfx_targets
    override = None
    if gfx:
        # One judgement with doctor's rocm-gfx-not-in-build (envsetup.compat.rocm's sourced
        # lists): the override that runs a listed sibling of this target in this wheel.
        verdict = rocm_compat.judge_gfx(gfx, facts.torch.version, wheel_rocm(facts.torch.version))
        override = verdict.override.value if verdict.override else None
    return [
        finding_of(
            "rocm-no-binary-for-gpu",
            "error",
            signals,
            ev,
            gfx=gfx,
            override=override,
            rocm=facts.rocm.version,
            torch=facts.torch.version,
            nvidia=True if nvidia_only else None,
            install=install_command(facts) if nvidia_only else None,
        )
    ]


def _simple(id_: str, severity: str, signals: list[Signal], facts: Facts, ev: Evidence) -> Finding:
    return finding_of(
        id_,
        severity,
        signals,
        ev,
        driver=facts.nvidia.driver_version,
        driver_cuda=facts.nvidia.driver_cuda_version,
        torch=facts.torch.version,
        install=install_command(facts),
    )


def _ptx(signals: list[Signal], facts: Facts, ev: Evidence):
    nvcc = facts.cuda.nvcc_on_path_version
    need = compat.toolkit_driver(nvcc, facts.os.system or "Linux") if nvcc else None
    return [
        finding_of(
            "cuda-ptx-newer-than-driver",
            "error",
            signals,
            ev,
            driver=facts.nvidia.driver_version,
            driver_cuda=facts.nvidia.driver_cuda_version,
            nvcc=nvcc,
            need=need.driver if need else None,
        )
    ]


def _cudnn(signals: list[Signal], facts: Facts, ev: Evidence):
    s = signals[0]
    return [
        finding_of(
            "cudnn-version-mismatch",
            "error",
            signals,
            ev,
            compiled=s.params.get("compiled"),
            found=s.params.get("found"),
            shadowing=shadowing_dirs(facts, "libcudnn.so") or None,
            install=install_command(facts),
        )
    ]


# The last torch release PyPI has macOS x86_64 (Intel) wheels for: PyTorch stopped building them
# after 2.2 (pytorch/pytorch#114602, the 2.2.0 release notes; pip's list on an Intel Mac ends at
# 2.2.2, pytorch/pytorch#127870, #137281). No CPython's list ends there on another platform.
INTEL_MACOS_LAST_TORCH = "2.2.2"


def _version(text: object) -> Optional[Version]:
    try:
        return Version(str(text))
    except InvalidVersion:
        return None


def _pinned_reason(
    pinned: str, versions: list[str], facts: Facts, lookup: BuildLookup, package: object
) -> tuple[str, dict[str, Any]]:
    """Why a pinned release is not in pip's list of the versions it could install, and what the
    wording needs: newer than every one listed (this Python is too old for it, or the platform
    has no such wheel), older than every one (this Python is too new), or never published."""
    pin = _version(pinned)
    listed = [v for v in (_version(text) for text in versions) if v is not None]
    if pin is None or not listed:
        return "pinned-release-not-for-python", {}
    if pin < min(listed):
        return "pinned-release-not-for-python", {}
    if pin <= max(listed):
        return "pinned-release-not-published", {}
    newest = str(max(listed))
    intel_mac = facts.os.system == "Darwin" and facts.os.arch == "x86_64"
    if package == "torch" and (newest == INTEL_MACOS_LAST_TORCH or intel_mac):
        return "pinned-release-not-for-platform", {"platform": "macOS x86_64"}
    system = facts.os.system if facts.os.system in ("Linux", "Windows", "Darwin") else "Linux"
    machine = facts.os.arch or ("arm64" if system == "Darwin" else "x86_64")
    build = lookup(pinned, system, machine) if package == "torch" else None
    return "pinned-release-needs-newer-python", {"python_min": build.python_min if build else None}


def _pip_no_match(signals: list[Signal], facts: Facts, ev: Evidence, lookup: BuildLookup):
    versions_signal = next((s for s in signals if s.id == "pip-no-matching-version"), None)
    first = versions_signal or signals[0]
    p = first.params
    versions = list(p.get("versions") or [])
    python = facts.python.version or None
    extra: dict[str, Any] = {}
    if p.get("local"):
        reason = "local-version-needs-index"
    elif versions and all(v.startswith("0.1.2") for v in versions):
        reason = "pypi-placeholder"
    elif versions_signal is not None and not versions:
        reason = "python-32bit" if facts.python.bits == 32 else "no-wheel-for-python"
    elif p.get("pinned") and versions:
        reason, extra = _pinned_reason(p["pinned"], versions, facts, lookup, p.get("package"))
    else:
        reason = "no-match"
    return [
        finding_of(
            "pip-no-matching-torch"
            if p.get("package") == "torch"
            else "pip-no-matching-distribution",
            "error",
            signals,
            ev,
            requirement=p.get("requirement"),
            package=p.get("package"),
            pinned=p.get("pinned"),
            local=p.get("local"),
            reason=reason,
            newest=versions[-1] if versions else None,
            python=python,
            install=install_command(facts),
            **extra,
        )
    ]


def _conda(signals: list[Signal], facts: Facts, ev: Evidence):
    s = signals[0]
    return [
        finding_of(
            "conda-solver-conflict",
            "error",
            signals,
            ev,
            packages=s.params.get("packages"),
            conda_cuda=s.params.get("cuda_driver"),
            driver_cuda=facts.nvidia.driver_cuda_version,
            install=install_command(facts),
            # mamba / libmamba's report: what nothing provides (a virtual package such as
            # __cuda: the driver's CUDA the solver saw, none), and who needs what
            **_solver_report(signals),
        )
    ]


def _solver_report(signals: list[Signal]) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for key in ("missing", "needed_by", "requested", "not_installable", "wanted", "requires"):
        values = [v for s in signals for v in s.params.get(key) or []]
        if values:
            report[key] = list(dict.fromkeys(values))
    missing = report.get("missing") or []
    if any(m.split()[0] == "__cuda" for m in missing):
        report["no_cuda_driver"] = True  # the solver saw no NVIDIA driver (no __cuda)
    return report


def _xids(signals: list[Signal], facts: Facts, ev: Evidence):
    out = []
    for s in signals:
        xid = s.params.get("xid")
        actor = s.params.get("actor")
        meaning = s.params.get("meaning")
        cause = s.params.get("caused_by")
        logged = None
        if isinstance(cause, int) and cause != xid:
            # "Xid 45 ... caused by previous Xid 149": the cleanup follows the named Xid, which
            # is the one to judge (its line may not be in the paste).
            logged, xid = xid, cause
            meaning, actor = XID_MEANINGS.get(cause, ("", ""))
            meaning = meaning or None
        if s.id == "nvrm-fallen-off-bus":
            # The message alone, no Xid line: the same fault as Xid 79, but the paste states
            # no Xid number, so none is claimed.
            id_, xid = "gpu-fell-off-bus", None
        elif xid in _XID_CLASS:
            id_ = _XID_CLASS[xid]
        elif actor == "application":
            id_ = "gpu-xid-application-fault"
        else:
            id_ = "gpu-xid"
        severity = "warning" if id_ == "gpu-xid-application-fault" else "error"
        out.append(
            finding_of(
                id_,
                severity,
                [s],
                ev,
                xid=xid,
                meaning=meaning,
                logged=logged,
                pci=s.params.get("pci"),
                count=s.params.get("count"),
            )
        )
    return out


# Directories emptied at reboot or by the build that made them: a CUDA link into one points at
# nothing once that build is over (nvidia-container-toolkit issue #1088).
_TEMPORARY = ("/tmp/", "/var/tmp/", "/dev/shm/")


def _toolkit_dir(facts: Facts, link: str) -> Optional[str]:
    """The newest versioned toolkit directory (…/cuda-X.Y) the paste or host shows, not the
    link itself."""
    dirs = []
    for toolkit in facts.cuda.toolkits:
        path = toolkit.path.rstrip("/")
        version = compat.parse_version(path.rsplit("cuda-", 1)[-1]) if "cuda-" in path else None
        if path != link.rstrip("/") and version is not None and toolkit.kind != "pip-wheel":
            dirs.append((version, path))
    return max(dirs)[1] if dirs else None


def _cuda_symlinks(signals: list[Signal], facts: Facts, ev: Evidence):
    out = []
    for s in signals:
        target = str(s.params.get("target") or "")
        link = str(s.params.get("link") or "")
        if s.params.get("dangling") is True:
            reason = "target-not-listed"
        elif s.params.get("dangling") is None and target.startswith(_TEMPORARY):
            reason = "temporary-target"
        else:
            continue
        shown = link if link.startswith("/") else f"/usr/local/{link}"
        out.append(
            finding_of(
                "cuda-symlink-dangling",
                "warning",
                [s],
                ev,
                link=shown,
                target=target or None,
                reason=reason,
                toolkit=_toolkit_dir(facts, shown),
            )
        )
    return out


# CUDA initialisation errors that say why; a "3: initialization error" printed with one of them
# (gpu_burn retries, a second process) only repeats that the runtime did not start.
_SPECIFIC_INIT_ERRORS = (
    "cuda-error-35",
    "cuda-error-100",
    "cuda-error-802",
    "cuda-error-803",
    "cuda-error-804",
    "fabricmanager-version-mismatch",
)


def _init_failed(signals: list[Signal], facts: Facts, ev: Evidence):
    """CUDA error 3 (cudaErrorInitializationError: "the CUDA driver and runtime could not be
    initialized", CUDA Runtime API, enum cudaError): in a forked worker, CUDA initialised in the
    parent before the fork; otherwise the driver (a library/module mismatch, a module that did
    not load, an update without reboot)."""
    return [
        finding_of(
            "cuda-driver-init-failed",
            "error",
            signals,
            ev,
            in_worker=True if any(s.params.get("in_worker") for s in signals) else None,
            driver=facts.nvidia.driver_version or None,
            kernel_module=facts.nvidia.kernel_module_version or None,
        )
    ]


# The signals a program's own later exception can follow from (each is judged an error).
_CAUSES = (
    "cuda-error-",
    "torch-",
    "library-",
    "cudnn-",
    "hip-",
    "fabricmanager-",
    "nvrm-",
    "nouveau-",
    "kernel-module-key-rejected",
    "nvidia-installer-",
)
# A re-raise that prints the worker's traceback as its message (torch's DataLoader, 1.x: the
# message is "Traceback (most recent call last):"; 1.5+: "Caught X in DataLoader worker process").
_RERAISE = ("Traceback (most recent call last)", "in DataLoader worker process", "in replica ")


def _follows(exception: Signal, causes: list[int]) -> bool:
    """Whether a traceback no signal explains only follows from a recognised error: it starts
    after that error's line (the caller failing on: a missing output file, a None result), or it
    re-raises the worker's traceback printed below it."""
    if not causes or not exception.lines:
        return False
    if exception.lines[0] > min(causes):
        return True
    message = str(exception.params.get("message") or "")
    return any(mark in message for mark in _RERAISE) and max(causes) > exception.lines[0]


def _by_id(signals: Sequence[Signal], *ids: str) -> list[Signal]:
    return [s for s in signals if s.id in ids]


def judge_signals(
    signals: Sequence[Signal],
    facts: Facts,
    lookup: BuildLookup,
    evidence: Optional[Evidence] = None,
) -> list[Finding]:
    """The findings `signals` give on the machine `facts` describes, errors first.

    `evidence` turns a signal into its cited lines (default: "paste:N" without text; explain
    passes `cite(line texts)`). A python-exception is a finding only when no other signal
    explains it. Never raises on any signal list (unknown ids are skipped)."""
    ev = evidence or (lambda s: [f"paste:{n}" for n in s.lines])
    found: list[Finding] = []
    get = lambda *ids: _by_id(signals, *ids)  # noqa: E731 - local shorthand

    if get("cuda-error-209", "torch-gpu-arch-not-supported"):
        found += judge_no_kernel_image(
            get("cuda-error-209", "torch-gpu-arch-not-supported"), facts, lookup, ev
        )
    if get("cuda-error-35", "torch-driver-too-old"):
        found += _driver_too_old(get("cuda-error-35", "torch-driver-too-old"), facts, lookup, ev)
    if get("cuda-error-802", "fabricmanager-version-mismatch"):
        found += _fabric_manager(get("cuda-error-802", "fabricmanager-version-mismatch"), facts, ev)
    if get("cuda-error-222"):
        found += _ptx(get("cuda-error-222"), facts, ev)
    if get("cuda-error-3") and not get(*_SPECIFIC_INIT_ERRORS):
        found += _init_failed(get("cuda-error-3"), facts, ev)
    simple = {
        "cuda-error-100": ("cuda-no-device", "error"),
        "cuda-error-803": ("cuda-driver-library-mismatch", "error"),
        "cuda-error-804": ("cuda-forward-compat-unsupported", "error"),
        "cuda-error-999": ("cuda-unknown-error", "error"),
        "torch-not-compiled-with-cuda": ("torch-not-compiled-with-cuda", "error"),
        "torch-no-nvidia-driver": ("torch-no-nvidia-driver", "error"),
        "hip-no-gpus": ("rocm-no-gpus", "error"),
        "pip-externally-managed": ("pip-externally-managed-error", "error"),
        "nvrm-rminitadapter-failed": ("gpu-init-failed", "error"),
        "nvrm-gsp-init-failed": ("gpu-init-failed", "error"),
        "kernel-module-key-rejected": ("secure-boot-rejects-nvidia-module", "error"),
        "nvidia-installer-module-load-failed": ("nvidia-module-load-failed", "error"),
        "kernel-module-unsigned": ("nvidia-module-unsigned", "info"),
        "nvrm-nouveau-owns-gpu": ("nouveau-owns-gpu", "error"),
        "nouveau-bound": ("nouveau-owns-gpu", "error"),
    }
    grouped: dict[tuple[str, str], list[Signal]] = {}
    for signal_id, (finding_id, severity) in simple.items():
        for s in get(signal_id):
            grouped.setdefault((finding_id, severity), []).append(s)
    for (finding_id, severity), group in grouped.items():
        found.append(_simple(finding_id, severity, group, facts, ev))
        if finding_id == "torch-not-compiled-with-cuda":
            # Its fix installs a CUDA build: say so when `--cuda auto` would not give one here.
            from envsetup.diagnose.install_target import auto_not_cuda

            found[-1].params.update(auto_not_cuda(facts))
    if get("hip-no-binary-for-gpu"):
        found += _rocm_no_binary(get("hip-no-binary-for-gpu"), facts, ev)
    if get("library-not-found"):
        found += judge_library_not_found(get("library-not-found"), signals, facts, ev)
    if get("library-dll-load-failed"):
        found += judge_dll_load_failed(get("library-dll-load-failed"), facts, ev)
    if get("library-undefined-symbol"):
        found += judge_undefined_symbol(get("library-undefined-symbol"), facts, ev)
    if get("cudnn-version-mismatch"):
        found += _cudnn(get("cudnn-version-mismatch"), facts, ev)
    pip = get("pip-no-matching-version", "pip-no-matching-distribution")
    for requirement in dict.fromkeys(str(s.params.get("requirement")) for s in pip):
        found += _pip_no_match(
            [s for s in pip if str(s.params.get("requirement")) == requirement], facts, ev, lookup
        )
    python_fit = get("conda-python-incompatible")
    if python_fit:
        found += judge_conda_python(python_fit, facts, ev)
    # The other conflicts conda lists after a Python that does not fit follow from it; a driver
    # too old for __cuda is a cause of its own.
    conda = get("conda-unsatisfiable")
    if conda and (not python_fit or any(s.params.get("cuda_driver") for s in conda)):
        found += _conda(conda, facts, ev)
    if get("cuda-symlink"):
        found += _cuda_symlinks(get("cuda-symlink"), facts, ev)
    if get("torch-cuda-out-of-memory"):
        found += judge_out_of_memory(get("torch-cuda-out-of-memory"), facts, ev)
    if get("nvrm-xid", "nvrm-fallen-off-bus"):
        found += _xids(get("nvrm-xid", "nvrm-fallen-off-bus"), facts, ev)
    if get("docker-gpu-driver-missing", "nvidia-container-cli-init-failed"):
        from envsetup.diagnose.container_signals import judge_container_signals

        found += judge_container_signals(signals, facts, ev)

    explained = {
        n for f_signals in signals if f_signals.id != "python-exception" for n in f_signals.lines
    }
    causes = [n for c in signals if c.id.startswith(_CAUSES) for n in c.lines]
    for s in get("python-exception"):
        if explained.intersection(s.lines):
            continue
        judged = judge_exception(s, facts, ev)
        if judged.id == "python-exception" and _follows(s, causes):
            continue  # the program failing on after the error the paste shows: no cause itself
        found.append(judged)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda f: order.get(f.severity, 3))


# Findings a traceback alone gives: doctor's own torch-import-failed says that for --deep.
# (doctor's torch-not-installed says a torch that is not there.)
_GENERIC = ("torch-import-error", "python-exception", "torch-not-found-by-python")


def deep_findings(facts: Facts, lookup: BuildLookup) -> list[Finding]:
    """doctor --deep: what torch's stderr (and the import error) say, judged on this machine;
    evidence "stderr:N: text". The generic traceback findings are left to torch_rules."""
    deep = facts.torch.deep
    if not deep.ran:
        return []
    texts = list(deep.stderr_tail)
    if deep.error and not any(deep.error in text for text in texts):
        texts.append(deep.error)
    lines = [Line(n, text) for n, text in enumerate(texts, start=1)]
    found = judge_signals(classify(lines), facts, lookup, cite(dict(enumerate(texts, 1)), "stderr"))
    return [f for f in found if f.id not in _GENERIC]


__all__ = ["build_with_kernels", "cite", "deep_findings", "judge_signals"]
