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

import shlex
from typing import Any, Callable, Mapping, Optional, Sequence

from envsetup import compat
from envsetup.diagnose.finding import Finding
from envsetup.facts import Facts
from envsetup.model.capability import ComputeCapability, coverage
from envsetup.model.compute_platform import TorchFlavor
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals import classify
from envsetup.profiles.build_info import BuildLookup

# The releases a "no kernel image" fix may name, newest first (profiles/torch-X.Y.toml). A
# release without a profile is skipped by `lookup`.
_RELEASES = tuple(f"2.{minor}" for minor in range(30, -1, -1))
# The pip wheel that ships each CUDA library family for a torch build of CUDA major M (the
# nvidia-*-cuM wheels torch's METADATA requires on Linux).
_WHEELS = {
    "cudnn": "nvidia-cudnn-cu{m}",
    "cublas": "nvidia-cublas-cu{m}",
    "cusparse": "nvidia-cusparse-cu{m}",
    "cufft": "nvidia-cufft-cu{m}",
    "curand": "nvidia-curand-cu{m}",
    "cusolver": "nvidia-cusolver-cu{m}",
    "nvjitlink": "nvidia-nvjitlink-cu{m}",
    "nvrtc": "nvidia-cuda-nvrtc-cu{m}",
    "cudart": "nvidia-cuda-runtime-cu{m}",
    "cupti": "nvidia-cuda-cupti-cu{m}",
    "nccl": "nvidia-nccl-cu{m}",
}
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
}

Evidence = Callable[[Signal], "list[str]"]


def cite(lines: Mapping[int, str], source: str = "paste") -> Evidence:
    """Evidence lines "paste:12: <text>" for a signal, from the paste's line texts."""

    def evidence(signal: Signal) -> list[str]:
        return [f"{source}:{n}: {lines.get(n, '').strip()[:500]}" for n in signal.lines]

    return evidence


def _install(facts: Facts, extra: Sequence[str] = ()) -> str:
    words = ["envsetup", "install", *extra]
    if "--cuda" not in extra:
        words += ["--cuda", "auto"]
    if facts.python.environment in ("venv", "conda", "uv") and facts.python.prefix:
        words += ["--env", facts.python.prefix, "--upgrade"]
    return shlex.join(words)


def _finding(
    id_: str, severity: str, signals: Sequence[Signal], evidence: Evidence, **params: Any
) -> Finding:
    cited = [line for s in signals for line in evidence(s)]
    return Finding(
        id=id_,
        severity=severity,
        evidence=list(dict.fromkeys(cited)),
        params={k: v for k, v in params.items() if v is not None},
    )


def _torch_cuda(facts: Facts) -> Optional[str]:
    return facts.torch.cuda_version if facts.torch.flavor is TorchFlavor.CUDA else None


def _floor(cuda: Optional[str], facts: Facts) -> Optional[str]:
    need = compat.min_driver_for_torch_cuda(cuda, facts.os.system or "Linux") if cuda else None
    return need.driver if need else None


def _driver_ok(cuda: str, facts: Facts) -> bool:
    """Whether this machine's driver runs a CUDA `cuda` build (True when the driver is unknown)."""
    have = compat.parse_version(facts.nvidia.driver_version)
    need = compat.parse_version(_floor(cuda, facts))
    return have is None or need is None or have >= need


def _covering_builds(
    capability: ComputeCapability, facts: Facts, lookup: BuildLookup
) -> list[tuple[str, str, str]]:
    """Every (release, variant, CUDA) whose arch list runs on `capability`, newest release
    first and, within a release, the newest CUDA variant first."""
    system, arch = facts.os.system or "Linux", facts.os.arch or "x86_64"
    out = []
    for release in _RELEASES:
        info = lookup(f"{release}.0", system, arch)
        if info is None:
            continue
        for variant in sorted(info.cuda_variants, key=_variant_key, reverse=True):
            built = lookup(f"{release}.0+{variant}", system, arch)
            if built is None or not built.arch_list:
                continue
            if coverage(built.arch_list, capability):
                out.append((release, variant, _variant_cuda(variant)))
    return out


def _variant_cuda(variant: str) -> str:
    """'cu128' -> '12.8'."""
    return f"{variant[2:-1]}.{variant[-1]}"


def build_with_kernels(
    capability: ComputeCapability, facts: Facts, lookup: BuildLookup
) -> Optional[tuple[str, str]]:
    """The newest (release, variant) whose arch list runs on `capability` and whose driver
    floor this machine's driver meets (the newest CUDA variant of that release first); None
    when the profiles know none."""
    for release, variant, cuda in _covering_builds(capability, facts, lookup):
        if _driver_ok(cuda, facts):
            return release, variant
    return None


def _build_after_driver_upgrade(
    capability: ComputeCapability, facts: Facts, lookup: BuildLookup
) -> Optional[tuple[str, str]]:
    """When no covering build runs on this driver: the covering build with the lowest driver
    floor (the smallest upgrade), the newest such; None when no build covers `capability`."""
    covering = _covering_builds(capability, facts, lookup)
    if not covering:
        return None
    floors = [compat.parse_version(_floor(cuda, facts)) for _, _, cuda in covering]
    known = [f for f in floors if f is not None]
    lowest = min(known) if known else None
    for (release, variant, _), floor in zip(covering, floors):
        if floor == lowest:
            return release, variant
    return covering[0][0], covering[0][1]


def _variant_key(variant: str) -> int:
    digits = variant[2:]
    return int(digits) if digits.isdigit() else 0


def _gpu_capability(facts: Facts, sm: Optional[str]) -> Optional[ComputeCapability]:
    found = ComputeCapability.try_parse(sm)
    if found is not None:
        return found
    for gpu in facts.nvidia.gpus:
        if gpu.compute_capability is not None:
            return gpu.compute_capability
    return None


# ---- one judge per family of signals; each takes all signals of its ids ----


def _no_kernel_image(signals: list[Signal], facts: Facts, lookup: BuildLookup, ev: Evidence):
    arch = [s for s in signals if s.id == "torch-gpu-arch-not-supported"]
    sm = arch[0].params.get("sm") if arch else None
    capability = _gpu_capability(facts, sm)
    found = build_with_kernels(capability, facts, lookup) if capability else None
    upgrade = None
    if capability and found is None and facts.nvidia.driver_version:
        found = _build_after_driver_upgrade(capability, facts, lookup)
        upgrade = True if found else None
    gpu = arch[0].params.get("gpu") if arch else None
    if gpu is None and facts.nvidia.gpus:
        gpu = facts.nvidia.gpus[0].name or None
    params: dict[str, Any] = {
        "gpu": gpu,
        "sm": capability.sm if capability else sm,
        "supported": arch[0].params.get("supported") if arch else None,
        "torch": facts.torch.version,
    }
    if found:
        release, variant = found
        cuda = _variant_cuda(variant)
        params.update(
            release=release,
            variant=variant,
            install=_install(facts, ["--torch", release, "--cuda", cuda]),
            need=_floor(cuda, facts),
            driver=facts.nvidia.driver_version or None,
            upgrade_driver=upgrade,
        )
    return [_finding("cuda-no-kernel-image", "error", signals, ev, **params)]


def _driver_too_old(signals: list[Signal], facts: Facts, ev: Evidence):
    found = next(
        (s.params.get("driver_cuda") for s in signals if s.params.get("driver_cuda")), None
    )
    cuda = _torch_cuda(facts)
    # The driver the facts name is the one that failed only when it reports the same CUDA.
    same = found is None or found == facts.nvidia.driver_cuda_version
    return [
        _finding(
            "cuda-driver-too-old",
            "error",
            signals,
            ev,
            driver_cuda=found or facts.nvidia.driver_cuda_version,
            have=facts.nvidia.driver_version if same else None,
            torch=facts.torch.version,
            cuda=cuda,
            need=_floor(cuda, facts),
            install=_install(facts),
        )
    ]


def _fabric_manager(signals: list[Signal], facts: Facts, ev: Evidence):
    mismatch = next((s for s in signals if s.id == "fabricmanager-version-mismatch"), None)
    driver = (mismatch.params.get("driver") if mismatch else None) or facts.nvidia.driver_version
    return [
        _finding(
            "cuda-fabric-manager-not-ready",
            "error",
            signals,
            ev,
            driver=driver,
            fabricmanager=mismatch.params.get("fabricmanager") if mismatch else None,
            branch=driver.split(".", 1)[0] if driver else None,
            gpus=len(facts.nvidia.gpus) or None,
        )
    ]


# The gfx target families whose officially supported member runs its siblings' code through
# HSA_OVERRIDE_GFX_VERSION (ROCm's GPU support matrix lists gfx1030 and gfx1100; the RDNA2 and
# RDNA3 siblings share their instruction set): family prefix -> override value.
_GFX_OVERRIDE = {"gfx103": "10.3.0", "gfx110": "11.0.0"}
_GFX_SUPPORTED = {"gfx1030", "gfx1100"}


def _rocm_no_binary(signals: list[Signal], facts: Facts, ev: Evidence):
    """hipErrorNoBinaryForGpu: on an AMD GPU, the gfx target the ROCm build lacks and the
    override that runs a supported sibling's code objects; a CUDA build only when the machine
    shows NVIDIA GPUs and no AMD one."""
    gfx = facts.rocm.gfx_targets[0] if facts.rocm.gfx_targets else None
    nvidia_only = bool(facts.nvidia.gpus) and not facts.rocm.gfx_targets
    override = None
    if gfx and gfx not in _GFX_SUPPORTED:
        override = next((v for k, v in _GFX_OVERRIDE.items() if gfx.startswith(k)), None)
    return [
        _finding(
            "rocm-no-binary-for-gpu",
            "error",
            signals,
            ev,
            gfx=gfx,
            override=override,
            rocm=facts.rocm.version,
            torch=facts.torch.version,
            nvidia=True if nvidia_only else None,
            install=_install(facts) if nvidia_only else None,
        )
    ]


def _simple(id_: str, severity: str, signals: list[Signal], facts: Facts, ev: Evidence) -> Finding:
    return _finding(
        id_,
        severity,
        signals,
        ev,
        driver=facts.nvidia.driver_version,
        driver_cuda=facts.nvidia.driver_cuda_version,
        torch=facts.torch.version,
        install=_install(facts),
    )


def _ptx(signals: list[Signal], facts: Facts, ev: Evidence):
    nvcc = facts.cuda.nvcc_on_path_version
    need = compat.toolkit_driver(nvcc, facts.os.system or "Linux") if nvcc else None
    return [
        _finding(
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


def _soname_major(library: str) -> Optional[str]:
    """'libcublas.so.11' -> '11'; 'libcudart.so.11.0' -> '11'; 'libcuda.so' -> None."""
    after = library.partition(".so.")[2]
    major = after.split(".", 1)[0]
    return major if major.isdigit() else None


def _wheel_for(family: Optional[str], library: str, facts: Facts) -> Optional[str]:
    """The nvidia-* wheel that ships `library`: its CUDA major from the soname (a CUDA library's
    soname major is its CUDA major), else from the torch build; cuDNN's soname is cuDNN's."""
    if family not in _WHEELS:
        return None
    major = _soname_major(library) if family not in ("cudnn", "nccl") else None
    major = major or (_torch_cuda(facts) or "").split(".", 1)[0] or None
    return _WHEELS[family].format(m=major) if major else None


def _is_torch_program(signal: Signal, signals: Sequence[Signal], facts: Facts) -> bool:
    """Whether the program that failed to load the library is torch: not when ld.so names a
    native executable; otherwise when torch's import failed in the paste or torch is known
    installed (the host or the paste shows its version)."""
    program = str(signal.params.get("program") or "")
    if program and not program.rsplit("/", 1)[-1].startswith("python"):
        return False
    importing = any(
        s.id == "python-exception" and s.params.get("during") == "import torch" for s in signals
    )
    return importing or facts.torch.version is not None


def _cuda_major(facts: Facts) -> Optional[str]:
    """The CUDA major this machine's CUDA software is on: torch's build, else nvcc's, else the
    driver's."""
    for version in (
        _torch_cuda(facts),
        facts.cuda.nvcc_on_path_version,
        facts.nvidia.driver_cuda_version,
    ):
        if version:
            return version.split(".", 1)[0]
    return None


def _library_for_program(signal: Signal, facts: Facts, ev: Evidence) -> Finding:
    """A library a program other than torch could not load: install that library (a torch
    reinstall would not give it to that program)."""
    family = signal.params.get("family")
    library = str(signal.params.get("library", ""))
    major = _soname_major(library)
    if family in ("cudnn", "nccl"):
        # cuDNN's and NCCL's soname major is their own; the wheel's CUDA major is the machine's.
        cuda_major = _cuda_major(facts) or "12"
        wheel: Optional[str] = _WHEELS[family].format(m=cuda_major)
        spec = f"{wheel}=={major}.*" if wheel and major else wheel
    else:
        wheel = _WHEELS[family].format(m=major) if family in _WHEELS and major else None
        spec = wheel
    return _finding(
        "cuda-library-not-found",
        "error",
        [signal],
        ev,
        library=library,
        needed_by=signal.params.get("needed_by"),
        program=signal.params.get("program"),
        family=family,
        provider="driver" if family == "cuda" else None,
        not_torch=True,
        library_major=major,
        wheel=spec,
        unversioned=library.endswith(".so"),
        ld_library_path=facts.cuda.ld_library_path or None,
    )


def _library_not_found(
    signals: list[Signal], all_signals: Sequence[Signal], facts: Facts, ev: Evidence
):
    out = []
    for s in signals:
        family = s.params.get("family")
        if family != "cuda" and not _is_torch_program(s, all_signals, facts):
            out.append(_library_for_program(s, facts, ev))
            continue
        library = str(s.params.get("library", ""))
        unversioned = library.endswith(".so")
        wheel = _wheel_for(family, library, facts)
        pin = facts.torch.requires_nvidia.get(wheel) if wheel else None
        if family == "cudnn" and pin and _soname_major(library) not in (None, pin.split(".")[0]):
            # The program asks for another cuDNN major than this torch ships.
            other_cudnn: Optional[str] = _soname_major(library)
        else:
            other_cudnn = None
        provider = "driver" if family == "cuda" else (wheel or None)
        out.append(
            _finding(
                "cuda-library-not-found",
                "error",
                [s],
                ev,
                library=library,
                needed_by=s.params.get("needed_by"),
                family=family,
                provider=provider,
                pin=pin,
                wanted_cudnn=other_cudnn,
                unversioned=unversioned,
                ld_library_path=facts.cuda.ld_library_path or None,
                torch=facts.torch.version,
                install=_install(facts),
            )
        )
    return out


def _shadowing_dirs(facts: Facts, library: Optional[str]) -> list[str]:
    """LD_LIBRARY_PATH directories holding a CUDA library of the same family (a second copy
    the loader finds before the wheel's)."""
    if not library:
        return []
    stem = library.split(".so", 1)[0].lower()
    held = facts.cuda.ld_library_path_cuda_libs
    dirs = [d for d, libs in held.items() if any(lib.lower().startswith(stem) for lib in libs)]
    return dirs or [d for d in facts.cuda.ld_library_path if "cuda" in d.lower()]


def _undefined_symbol(signals: list[Signal], facts: Facts, ev: Evidence):
    out = []
    for s in signals:
        wheel = _wheel_for(s.params.get("family"), str(s.params.get("symbol_library") or ""), facts)
        out.append(
            _finding(
                "cuda-library-symbol-missing",
                "error",
                [s],
                ev,
                symbol=s.params.get("symbol"),
                library=s.params.get("library"),
                symbol_library=s.params.get("symbol_library"),
                api_version=s.params.get("api_version"),
                shadowing=_shadowing_dirs(facts, s.params.get("symbol_library")) or None,
                wheel=wheel,
                pin=facts.torch.requires_nvidia.get(wheel) if wheel else None,
            )
        )
    return out


def _cudnn(signals: list[Signal], facts: Facts, ev: Evidence):
    s = signals[0]
    return [
        _finding(
            "cudnn-version-mismatch",
            "error",
            signals,
            ev,
            compiled=s.params.get("compiled"),
            found=s.params.get("found"),
            shadowing=_shadowing_dirs(facts, "libcudnn.so") or None,
            install=_install(facts),
        )
    ]


def _pip_no_match(signals: list[Signal], facts: Facts, ev: Evidence):
    versions_signal = next((s for s in signals if s.id == "pip-no-matching-version"), None)
    first = versions_signal or signals[0]
    p = first.params
    versions = list(p.get("versions") or [])
    python = facts.python.version or None
    if p.get("local"):
        reason = "local-version-needs-index"
    elif versions and all(v.startswith("0.1.2") for v in versions):
        reason = "pypi-placeholder"
    elif versions_signal is not None and not versions:
        reason = "python-32bit" if facts.python.bits == 32 else "no-wheel-for-python"
    elif p.get("pinned") and versions:
        reason = "pinned-release-not-for-python"
    else:
        reason = "no-match"
    return [
        _finding(
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
            install=_install(facts),
        )
    ]


def _conda(signals: list[Signal], facts: Facts, ev: Evidence):
    s = signals[0]
    return [
        _finding(
            "conda-solver-conflict",
            "error",
            signals,
            ev,
            packages=s.params.get("packages"),
            conda_cuda=s.params.get("cuda_driver"),
            driver_cuda=facts.nvidia.driver_cuda_version,
            install=_install(facts),
        )
    ]


def _xids(signals: list[Signal], facts: Facts, ev: Evidence):
    out = []
    for s in signals:
        xid = s.params.get("xid")
        actor = s.params.get("actor")
        if s.id == "nvrm-fallen-off-bus":
            id_, xid = "gpu-fell-off-bus", 79
        elif xid in _XID_CLASS:
            id_ = _XID_CLASS[xid]
        elif actor == "application":
            id_ = "gpu-xid-application-fault"
        else:
            id_ = "gpu-xid"
        severity = "warning" if id_ == "gpu-xid-application-fault" else "error"
        out.append(
            _finding(
                id_,
                severity,
                [s],
                ev,
                xid=xid,
                meaning=s.params.get("meaning"),
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
            _finding(
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
        found += _no_kernel_image(
            get("cuda-error-209", "torch-gpu-arch-not-supported"), facts, lookup, ev
        )
    if get("cuda-error-35", "torch-driver-too-old"):
        found += _driver_too_old(get("cuda-error-35", "torch-driver-too-old"), facts, ev)
    if get("cuda-error-802", "fabricmanager-version-mismatch"):
        found += _fabric_manager(get("cuda-error-802", "fabricmanager-version-mismatch"), facts, ev)
    if get("cuda-error-222"):
        found += _ptx(get("cuda-error-222"), facts, ev)
    simple = {
        "cuda-error-3": ("cuda-driver-init-failed", "error"),
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
    if get("hip-no-binary-for-gpu"):
        found += _rocm_no_binary(get("hip-no-binary-for-gpu"), facts, ev)
    if get("library-not-found"):
        found += _library_not_found(get("library-not-found"), signals, facts, ev)
    if get("library-undefined-symbol"):
        found += _undefined_symbol(get("library-undefined-symbol"), facts, ev)
    if get("cudnn-version-mismatch"):
        found += _cudnn(get("cudnn-version-mismatch"), facts, ev)
    pip = get("pip-no-matching-version", "pip-no-matching-distribution")
    for requirement in dict.fromkeys(str(s.params.get("requirement")) for s in pip):
        found += _pip_no_match(
            [s for s in pip if str(s.params.get("requirement")) == requirement], facts, ev
        )
    if get("conda-unsatisfiable"):
        found += _conda(get("conda-unsatisfiable"), facts, ev)
    if get("cuda-symlink"):
        found += _cuda_symlinks(get("cuda-symlink"), facts, ev)
    if get("nvrm-xid", "nvrm-fallen-off-bus"):
        found += _xids(get("nvrm-xid", "nvrm-fallen-off-bus"), facts, ev)

    explained = {
        n for f_signals in signals if f_signals.id != "python-exception" for n in f_signals.lines
    }
    for s in get("python-exception"):
        if not explained.intersection(s.lines):
            found.append(
                _finding(
                    "torch-import-error"
                    if s.params.get("during") == "import torch"
                    else "python-exception",
                    "error" if s.params.get("during") == "import torch" else "info",
                    [s],
                    ev,
                    exception=s.params.get("exception"),
                    message=s.params.get("message"),
                    install=_install(facts),
                )
            )
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda f: order.get(f.severity, 3))


# Findings a traceback alone gives: doctor's own torch-import-failed says that for --deep.
_GENERIC = ("torch-import-error", "python-exception")


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
