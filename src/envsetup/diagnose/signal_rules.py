"""What pasted errors, warnings and log lines mean on THIS machine: Signals + facts -> Findings.

`judge_signals` is the one judgement for explain (a paste), doctor --deep and verify (the stderr
of their torch subprocesses). It says what (id, severity, evidence citing "paste:LINE: text",
params); render/words/ words each id. It hands each kind of signal to the module that owns it:

- CUDA/ROCm runtime errors: cuda_error_signals (driver floors: envsetup.compat,
  data/cuda_drivers.toml, NVIDIA minor version compatibility; codes: CUDA Runtime API enum
  cudaError), kernel_image (no kernel image: envsetup.model.capability over the profiles' arch
  lists, through the injected `lookup`);
- the dynamic loader: library_signals, dll_signals, cuda_symlink_signals;
- pip and conda refusals: installer_signals, python_fit;
- kernel log lines (Xids: NVIDIA's Xid catalogue, envsetup.parsers.signals.kernel_log):
  kernel_log_signals, and the module/nouveau lines through cuda_error_signals.judge_simple;
- the program's own exception or out-of-memory: program_signals; container runtimes:
  container_signals; CUDA builds (nvcc's arch, a missing nvcc): extension_signals.
Pure: no I/O beyond `lookup`.
"""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.diagnose.container_signals import IDS as CONTAINER_IDS
from envsetup.diagnose.cuda_error_signals import (
    SPECIFIC_INIT_ERRORS,
    judge_cudnn_mismatch,
    judge_driver_too_old,
    judge_fabric_manager,
    judge_host_compiler_rejected,
    judge_init_failed,
    judge_ptx,
    judge_rocm_memory_fault,
    judge_rocm_no_binary,
    judge_simple,
)
from envsetup.diagnose.cuda_symlink_signals import judge_cuda_symlinks
from envsetup.diagnose.dll_signals import judge_dll_load_failed
from envsetup.diagnose.extension_signals import (
    judge_extension_cuda_mismatch,
    judge_nvcc_arch,
    judge_nvcc_missing,
)
from envsetup.diagnose.finding import Finding
from envsetup.diagnose.gpu_access_rules import gpu_not_passed
from envsetup.diagnose.installer_signals import judge_conda_unsatisfiable, judge_pip_no_match
from envsetup.diagnose.kernel_image import (
    build_with_kernels,
    judge_no_kernel_image,
)
from envsetup.diagnose.kernel_log_signals import (
    judge_gpu_refused,
    judge_module_not_built,
    judge_xids,
)
from envsetup.diagnose.library_signals import (
    judge_glibc_too_old,
    judge_library_not_found,
    judge_undefined_symbol,
)
from envsetup.diagnose.program_signals import judge_exception, judge_out_of_memory
from envsetup.diagnose.python_fit import judge_conda_python
from envsetup.diagnose.signal_common import Evidence, cite, finding_of
from envsetup.facts import Facts
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals import classify
from envsetup.profiles.build_info import BuildLookup

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
    "ptxas-",
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
        found += judge_driver_too_old(
            get("cuda-error-35", "torch-driver-too-old"), facts, lookup, ev
        )
    if get("cuda-error-802", "fabricmanager-version-mismatch"):
        found += judge_fabric_manager(
            get("cuda-error-802", "fabricmanager-version-mismatch"), facts, ev
        )
    if get("cuda-error-222"):
        found += judge_ptx(get("cuda-error-222"), facts, ev)
    if get("cuda-error-3") and not get(*SPECIFIC_INIT_ERRORS):
        found += judge_init_failed(get("cuda-error-3"), facts, ev)
    simple = {
        "cuda-error-46": ("cuda-devices-unavailable", "error"),
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
        found.append(judge_simple(finding_id, severity, group, facts, ev))
        if finding_id == "cuda-no-device" and facts.os.wsl:
            found[-1].params["wsl"] = facts.os.wsl  # the GPU is the Windows driver's there
        if finding_id == "rocm-no-gpus" and (
            facts.os.wsl or any(s.params.get("wsl_stated") for s in group)
        ):
            found[-1].params["wsl"] = facts.os.wsl or True  # ROCm on WSL: its own runtime
        if finding_id == "torch-not-compiled-with-cuda":
            # Its fix installs a CUDA build: say so when `--cuda auto` would not give one here.
            from envsetup.diagnose.install_target import auto_not_cuda

            found[-1].params.update(auto_not_cuda(facts))
    if get("kernel-module-not-found"):
        found += judge_module_not_built(get("kernel-module-not-found"), facts, ev)
    refused = get("nvrm-gpu-not-supported", "nvrm-gpu-open-module-no-gsp", "nvrm-gpu-legacy")
    if refused:
        found += judge_gpu_refused(refused, facts, ev)
    if get("torch-extension-cuda-mismatch"):
        found += judge_extension_cuda_mismatch(get("torch-extension-cuda-mismatch"), facts, ev)
    if get("nvcc-host-compiler-unsupported"):
        found += judge_host_compiler_rejected(get("nvcc-host-compiler-unsupported"), facts, ev)
    if get("ptxas-gpu-arch-unknown"):
        from envsetup.diagnose.ptxas_signals import judge_ptxas_arch

        found += judge_ptxas_arch(get("ptxas-gpu-arch-unknown"), facts, ev)
    if get("nvcc-unsupported-gpu-arch"):
        found += judge_nvcc_arch(get("nvcc-unsupported-gpu-arch"), facts, ev)
    if get("nvcc-not-found"):
        found += judge_nvcc_missing(get("nvcc-not-found"), facts, ev)
    if get("hip-no-binary-for-gpu"):
        found += judge_rocm_no_binary(get("hip-no-binary-for-gpu"), facts, ev)
    if get("hip-memory-access-fault"):
        found += judge_rocm_memory_fault(get("hip-memory-access-fault"), facts, ev)
    # nvidia-container-cli's "load library failed: libnvidia-ml.so.1: cannot open ..." is the
    # container runtime's finding (container_signals), not a second one about the library.
    runtime = {n for s in get("nvidia-container-cli-init-failed") for n in s.lines}
    missing = [s for s in get("library-not-found") if not runtime.intersection(s.lines)]
    if missing:
        found += judge_library_not_found(missing, signals, facts, ev)
    if get("library-dll-load-failed"):
        found += judge_dll_load_failed(get("library-dll-load-failed"), facts, ev)
    if get("library-glibc-too-old"):
        found += judge_glibc_too_old(get("library-glibc-too-old"), facts, ev)
    if get("library-undefined-symbol"):
        found += judge_undefined_symbol(get("library-undefined-symbol"), facts, ev)
    if get("cudnn-version-mismatch"):
        found += judge_cudnn_mismatch(get("cudnn-version-mismatch"), facts, ev)
    pip = get("pip-no-matching-version", "pip-no-matching-distribution")
    for requirement in dict.fromkeys(str(s.params.get("requirement")) for s in pip):
        found += judge_pip_no_match(
            [s for s in pip if str(s.params.get("requirement")) == requirement], facts, ev, lookup
        )
    from envsetup.diagnose import installer_platform as platform_logs

    if get("pip-torch-placeholder") and not any(f.id == "pip-no-matching-torch" for f in found):
        found += platform_logs.judge_placeholder(get("pip-torch-placeholder"), facts, ev)
    if get("uv-no-platform-wheel"):
        glibc_judged = any(
            f.params.get("reason") == "pinned-release-needs-newer-glibc" for f in found
        )
        found += platform_logs.judge_uv_platform(
            get("uv-no-platform-wheel"), facts, lookup, ev, glibc_judged
        )
    if get("conda-plan-cpu-pytorch"):
        found += platform_logs.judge_conda_plan(get("conda-plan-cpu-pytorch"), facts, lookup, ev)
    if get("pip-torch-wheel"):
        found += platform_logs.judge_pip_wheel(get("pip-torch-wheel"), facts, lookup, ev)
    python_fit = get("conda-python-incompatible")
    if python_fit:
        found += judge_conda_python(python_fit, facts, ev)
    # The other conflicts conda lists after a Python that does not fit follow from it; a driver
    # too old for __cuda is a cause of its own.
    conda = get("conda-unsatisfiable")
    if conda and (not python_fit or any(s.params.get("cuda_driver") for s in conda)):
        found += judge_conda_unsatisfiable(conda, facts, ev)
    if get("cuda-symlink"):
        found += judge_cuda_symlinks(get("cuda-symlink"), facts, ev)
    if get("torch-cuda-out-of-memory"):
        found += judge_out_of_memory(get("torch-cuda-out-of-memory"), facts, ev)
    if get("nvrm-xid", "nvrm-fallen-off-bus"):
        found += judge_xids(get("nvrm-xid", "nvrm-fallen-off-bus"), facts, ev)
    if get(*CONTAINER_IDS):
        from envsetup.diagnose.container_signals import judge_container_signals

        found += judge_container_signals(signals, facts, ev)

    if get("collect-env-torch-not-importable") and not any(f.severity == "error" for f in found):
        # After the others: an error finding (pip's refusal, an import failure) already says
        # why torch is missing or does not import.
        found.append(
            finding_of(
                "collect-env-without-torch",
                "warning",
                get("collect-env-torch-not-importable"),
                ev,
                python=facts.python.version or None,
                executable=facts.python.executable or None,
            )
        )

    explained = {
        n for f_signals in signals if f_signals.id != "python-exception" for n in f_signals.lines
    }
    causes = [n for c in signals if c.id.startswith(_CAUSES) for n in c.lines]
    for s in get("python-exception"):
        if explained.intersection(s.lines):
            continue
        if get("ptxas-gpu-arch-unknown") and "PTXAS" in str(s.params.get("message") or ""):
            continue  # Triton's PTXASError carries the ptxas error judged above
        judged = judge_exception(s, facts, ev)
        if judged.id == "python-exception" and _follows(s, causes):
            continue  # the program failing on after the error the paste shows: no cause itself
        found.append(judged)
    found = _defer_to_container(found, facts)
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(found, key=lambda f: order.get(f.severity, 3))


# What torch and the CUDA runtime say inside a container without its GPU: no driver, no device.
# There the cause is the runtime (container-gpu-not-passed, whose fix restarts the container with
# the GPU), and their own fixes (install the driver and reboot) are the wrong ones: NVIDIA/
# nvidia-docker issue #1234, torch's "Found no NVIDIA driver" in a container run without --gpus.
_CONTAINER_CONSEQUENCES = ("torch-no-nvidia-driver", "cuda-no-device")
_CONTAINER_FINDINGS = ("container-gpu-not-passed", "container-gpu-not-injected")


def _defer_to_container(found: list[Finding], facts: Facts) -> list[Finding]:
    """Drop the driver/device findings that only restate a container without its GPU: the
    container's finding is made here (a pasted one) or by doctor's gpu_access_rules (facts)."""
    pasted = any(f.id in _CONTAINER_FINDINGS for f in found)
    if not (pasted or gpu_not_passed(facts)):
        return found
    return [f for f in found if f.id not in _CONTAINER_CONSEQUENCES]


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
