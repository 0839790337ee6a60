"""What a right reading of each real paste is: read by hand from the paste (not from what explain
prints), as a careful person who knows these outputs would read it.

Each `Paste` names a file under tests/fixtures/paste (its source in the SOURCES.tsv beside it or
in paste/SOURCES.tsv) and states:
- kinds: the sections explain must recognise (explain/sections KINDS, the reader's form), as a set;
- signals: the errors, warnings and log lines it must recognise (parsers/signals ids), as a set;
- facts: dotted paths into Facts.to_dict() -> the value the paste states ("nvidia.gpus.#": how
  many GPUs); None: the paste states none (or states it unknown);
- findings: the finding ids a right diagnosis gives, as a set (no host: --no-host);
- params: finding id -> params that finding must carry (the fix for this machine), or
  "signal:<signal id>" -> params that signal must carry; a value of `Not(x)`: anything but x,
  None: absent.

`pending` maps an aspect ("kinds", "signals", "findings", "json-signals", a fact path, or
"params:<finding id>") to why explain gets it wrong today; tests/explain/test_real_pastes.py
skips those with that reason. A reason starting "(nobody)" names a gap no helper was fixing
when it was written; the others are being fixed (see the constants below).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Optional

# Gaps being fixed in parallel (issue 10's closing work).
CUT_TOP = (
    "an nvidia-smi table whose top border or left edge was cut is not recognised (cut table tops)"
)
LOG_PREFIX = (
    "vLLM/glog log prefixes are not stripped before the classifier reads the line (log prefixes)"
)
CLI_ENV = "`llamafactory-cli env` / `transformers-cli env` blocks are no kind yet (*-cli env blocks; kind name 'cli-env' assumed)"
ERROR_FACTS = "facts stated only in error lines are not merged (facts from error lines)"
CONDA_PY = "conda's 'incompatible with the existing python installation' is judged a pin conflict (conda python-incompatible kind)"
DRIVER_FIX = "the driver-too-old fix says `install --cuda auto` instead of naming a build this driver runs, or the driver to install (driver-too-old fix naming a build)"
JSON_SIGNALS = "--json lists the sections but not the recognised error kinds (signals in --json; data.signals[].id assumed)"
# Gaps no helper had on its list.
L_CUT_UUID = "(nobody) nvidia-smi -L lines whose UUID was cut ('GPU 0: NVIDIA H200 (UUID: ') are not read as a -L list"
CUDA3 = "(nobody) CUDA error 3 printed as the runtime's string 'initialization error' is not recognised (only torch's 'CUDA driver initialization failed' is)"
WARN_CONT = "(nobody) the `  warnings.warn(` line of a UserWarning inside a collect_env paste is unread, so a could-not-read finding is given for noise"
MODINFO = "(nobody) `modinfo -F version nvidia` output (the installed module's version) is no kind"
COMMENT_MARK = "(nobody) an output line behind a '# ' comment mark ('# lrwxrwxrwx ... /usr/local/cuda -> ...') is not read"
CONSEQUENT = "(nobody) an exception that only follows from the recognised error (the caller's FileNotFoundError) is judged on its own, with an install fix; and a closing code fence glued to the line's end stays in its message"
CUDNN_LINKED = "(nobody) torch 1.12's wording 'compiled against (8, 3, 2) but linked against (8, 0, 3)' is not read as a cuDNN version mismatch"
ECHO_LDPATH = "(nobody) the output of `echo $LD_LIBRARY_PATH` is not merged as cuda.ld_library_path"
REPL_BANNER = (
    "(nobody) the Python REPL banner ('Python 3.8.12 | packaged by conda-forge ...') is no kind"
)
ROSETTA = "(nobody) uname -a of an x86_64 shell on an ARM64 kernel (RELEASE_ARM64_T6031: Rosetta on Apple Silicon) is not read as Apple Silicon"
SYMBOL = "(nobody) an undefined symbol in a library whose name has no 'lib' prefix, or after 'libtorch.so.1: ', is not read: the signal has no symbol"
TORCH_CUDNN = "(nobody) torch's own conv.py warning that it cannot open libcudnn_cnn_infer.so.8 is judged a non-torch program (not_torch)"


@dataclass(frozen=True)
class Not:
    """A param that must be anything but `value` (e.g. a fix that is not the generic one)."""

    value: Any


@dataclass(frozen=True)
class Paste:
    path: str  # under tests/fixtures/paste
    kinds: frozenset[str] = frozenset()
    signals: frozenset[str] = frozenset()
    facts: dict[str, Any] = field(default_factory=dict)
    findings: frozenset[str] = frozenset()
    params: dict[str, dict[str, Any]] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)


def P(  # a short name: the calls below read as a table
    path: str,
    kinds: Iterable[str] = (),
    signals: Iterable[str] = (),
    facts: Optional[dict[str, Any]] = None,
    findings: Iterable[str] = (),
    params: Optional[dict[str, dict[str, Any]]] = None,
    pending: Optional[dict[str, str]] = None,
) -> Paste:
    return Paste(path, frozenset(kinds), frozenset(signals), dict(facts or {}), frozenset(findings),
                 dict(params or {}), dict(pending or {}))  # fmt: skip


FABRIC = "cuda-fabric-manager-not-ready"
NO_KERNEL = "cuda-no-kernel-image"
ARCH = "torch-gpu-arch-not-supported"
LIB = "cuda-library-not-found"
PEP668 = ("pip-externally-managed",)
AUTO = "envsetup install --cuda auto"

PASTES: tuple[Paste, ...] = (
    # --- CUDA 802: the NVSwitch fabric manager ---------------------------------------------
    P("errors/ext-802-gpuburn-h200.txt",
      kinds={"nvidia-smi-list", "nvcc-version", "nvidia-smi-table"},
      signals={"cuda-error-802", "cuda-error-3"},
      facts={"cuda.nvcc_on_path_version": "12.9.41", "nvidia.driver_version": "575.57.08",
             "nvidia.driver_cuda_version": "12.9", "nvidia.gpus.#": 8,
             "nvidia.gpus.0.name": "NVIDIA H200"},
      findings={FABRIC}, params={FABRIC: {"driver": "575.57.08", "branch": "575"}},
      pending={"kinds": f"{L_CUT_UUID}; {CUT_TOP}", "signals": CUDA3,
               "nvidia.driver_version": CUT_TOP, "nvidia.driver_cuda_version": CUT_TOP,
               "nvidia.gpus.#": f"{L_CUT_UUID}; {CUT_TOP}", "nvidia.gpus.0.name": CUT_TOP,
               f"params:{FABRIC}": CUT_TOP}),
    P("errors/ext-802-llamafactory-env.txt",
      kinds={"cli-env"}, signals={"cuda-error-802"},
      facts={"python.version": "3.10.16", "torch.version": "2.7.0+cu126", "os.glibc": "2.34",
             "os.kernel": "6.1.94-99.176.amzn2023.x86_64"},
      findings={FABRIC},
      pending={"kinds": CLI_ENV, "python.version": CLI_ENV, "torch.version": CLI_ENV,
               "os.glibc": CLI_ENV, "os.kernel": CLI_ENV}),
    # The excerpt stops before the 802 itself: only the driver, nvcc and a cut traceback.
    P("errors/ext-802-minimax-vllm.txt",
      kinds={"nvidia-smi-table", "nvcc-version"},
      facts={"nvidia.driver_version": "580.126.20", "nvidia.driver_cuda_version": "13.0",
             "cuda.nvcc_on_path_version": "13.1.115"},
      findings={"toolkit-newer-than-driver"}),
    P("errors/ext-802-thcudacheck-smi.txt",
      signals={"cuda-error-802", "python-exception"}, findings={FABRIC}),
    P("errors/ext-802-vllm-engine.txt",
      signals={"cuda-error-802"}, findings={FABRIC},
      params={"signal:cuda-error-802": {"reported": 802}},
      pending={"params:signal:cuda-error-802": f"{LOG_PREFIX}: 'ERROR 02-20' is read as error 2"}),
    # --- collect_env -------------------------------------------------------------------
    P("collect-env/ext-collect-env-chinese-lscpu.txt",
      kinds={"collect-env"},
      facts={"torch.version": "2.2.1", "torch.cuda_version": "12.1", "torch.flavor": "cuda",
             "os.distro_name": "Ubuntu 22.04.4 LTS", "os.glibc": "2.35",
             "os.kernel": "6.5.0-28-generic", "python.version": "3.10.14",
             "nvidia.driver_version": "550.54.15", "nvidia.gpus.#": 1,
             "nvidia.gpus.0.name": "NVIDIA GeForce RTX 3090",
             "cuda.nvcc_on_path_version": "11.8.89", "torch.deep.cuda_available": True}),
    P("collect-env/ext-collect-env-runpy-v100s.txt",
      kinds={"collect-env"},
      facts={"torch.version": "2.5.1+cu118", "torch.cuda_version": "11.8",
             "os.distro_name": "Ubuntu 20.04.6 LTS", "os.glibc": "2.31",
             "os.kernel": "5.15.0-107-generic", "python.version": "3.10.15",
             "nvidia.gpus.#": 3, "nvidia.gpus.2.name": "Tesla V100S-PCIE-32GB",
             "nvidia.driver_version": None, "cuda.nvcc_on_path_version": "11.8.89"}),
    P("collect-env/ext-collect-env-wsl2-551.88.txt",
      kinds={"collect-env"},
      facts={"os.wsl": 2, "os.kernel": "5.15.153.1-microsoft-standard-WSL2",
             "torch.version": "2.4.0+cu121", "torch.cuda_version": "12.1",
             "nvidia.driver_version": "551.88",
             "nvidia.gpus.0.name": "NVIDIA GeForce RTX 4070 Laptop GPU",
             "python.version": "3.12.3", "cuda.nvcc_on_path_version": "12.4.131"}),
    P("collect-env/ext-energonai-collect-env-1080ti.txt",
      kinds={"collect-env"},
      facts={"torch.version": "1.12.1+cu113", "torch.cuda_version": "11.3",
             "torch.torchvision": "0.13.1+cu113", "nvidia.driver_version": "515.65.01",
             "nvidia.gpus.0.name": "NVIDIA GeForce GTX 1080 Ti",
             "cuda.nvcc_on_path_version": "11.7.99", "os.distro_name": "Ubuntu 20.04.5 LTS",
             "python.version": "3.9.13"}),
    P("collect-env/ext-vllm-collect-env-8xa100-centos7.txt",
      kinds={"collect-env"},
      facts={"torch.version": "2.6.0+cu124", "torch.cuda_version": "12.4",
             "nvidia.driver_version": "525.60.13", "nvidia.gpus.#": 8,
             "nvidia.gpus.7.name": "NVIDIA A100 80GB PCIe", "os.glibc": "2.17",
             "os.kernel": "3.10.0-1160.108.1.el7.x86_64",
             "os.distro_name": "CentOS Linux release 7.9.2009 (Core)",
             "python.version": "3.12.9", "cuda.nvcc_on_path_version": None}),
    P("collect-env/ext-vllm-collect-env-sectioned-rhel8.txt",
      kinds={"collect-env"},
      facts={"torch.version": "2.5.1+cu124", "torch.cuda_version": "12.4", "os.glibc": "2.28",
             "os.distro_name": "Red Hat Enterprise Linux release 8.3 (Ootpa)",
             "python.version": "3.10.16"},
      pending={"findings": WARN_CONT}),
    # --- conda ---------------------------------------------------------------------------
    P("errors/ext-conda-demucs-cudatoolkit.txt",
      signals={"conda-unsatisfiable"}, findings={"conda-solver-conflict"},
      params={"conda-solver-conflict": {"packages": ["cudatoolkit"]}}),
    P("errors/ext-conda-driver-102-windows.txt",
      signals={"conda-unsatisfiable"}, facts={"nvidia.driver_cuda_version": "10.2"},
      findings={"conda-solver-conflict"},
      params={"conda-solver-conflict": {"conda_cuda": "10.2"}},
      pending={"nvidia.driver_cuda_version": ERROR_FACTS}),
    P("errors/ext-conda-py35-pytorch3d.txt",
      signals={"conda-python-incompatible"}, facts={"python.version": "3.5"},
      findings={"conda-python-incompatible"},
      pending={"signals": CONDA_PY, "findings": CONDA_PY,
               "python.version": f"{ERROR_FACTS}; {CONDA_PY}"}),
    P("errors/ext-conda-pyg-cuda122.txt",
      signals={"conda-unsatisfiable"},
      facts={"nvidia.driver_cuda_version": "12.2", "os.glibc": "2.35"},
      findings={"conda-solver-conflict"},
      pending={"nvidia.driver_cuda_version": ERROR_FACTS, "os.glibc": ERROR_FACTS}),
    # --- libraries that do not load ---------------------------------------------------
    P("errors/ext-cudnn-cnn-infer-libcuda-gradio.txt",
      signals={"library-not-found"}, findings={LIB},
      params={LIB: {"library": "libcuda.so", "provider": "driver"}}),
    P("errors/ext-cudnn-cnn-infer-warning-magictime.txt",
      signals={"library-not-found"}, findings={LIB},
      params={LIB: {"library": "libcudnn_cnn_infer.so.8", "not_torch": None}},
      pending={f"params:{LIB}": TORCH_CUDNN}),
    P("errors/ext-cudnn-ops-infer-whisper.txt",
      signals={"library-not-found"}, findings={LIB},
      params={LIB: {"library": "libcudnn_ops_infer.so.8", "not_torch": True}}),
    P("errors/ext-libcudnn8-trt.txt",
      signals={"library-not-found"}, findings={LIB},
      params={LIB: {"library": "libcudnn.so.8", "program": "./trt_infer", "not_torch": True}}),
    # --- the driver too old for torch's CUDA --------------------------------------------
    P("errors/ext-driver-too-old-11000-ngc-warning.txt",
      signals={"torch-driver-too-old"}, facts={"nvidia.driver_cuda_version": "11.0"},
      findings={"cuda-driver-too-old"},
      params={"cuda-driver-too-old": {"driver_cuda": "11.0", "install": Not(AUTO)}},
      pending={"nvidia.driver_cuda_version": ERROR_FACTS,
               "params:cuda-driver-too-old": DRIVER_FIX}),
    P("errors/ext-driver-too-old-6050-repeated.txt",
      signals={"torch-driver-too-old"}, findings={"cuda-driver-too-old"},
      params={"cuda-driver-too-old": {"driver_cuda": "6.5", "install": Not(AUTO)}},
      pending={"params:cuda-driver-too-old": DRIVER_FIX}),
    P("errors/ext-driver-too-old-9000-fastfcn.txt",
      signals={"torch-driver-too-old", "python-exception"}, findings={"cuda-driver-too-old"},
      params={"cuda-driver-too-old": {"driver_cuda": "9.0", "install": Not(AUTO)}},
      pending={"params:cuda-driver-too-old": DRIVER_FIX}),
    # --- kernel, installer ----------------------------------------------------------------
    P("errors/ext-installer-secureboot-535-container.txt",
      signals={"nvidia-installer-module-load-failed"}, findings={"nvidia-module-load-failed"}),
    P("errors/ext-nouveau-probe-not-called-3dev.txt",
      signals={"nvrm-nouveau-owns-gpu"}, findings={"nouveau-owns-gpu"}),
    P("errors/ext-rminit-cmp40hx.txt",
      signals={"nvrm-rminitadapter-failed"}, findings={"gpu-init-failed"}),
    P("errors/ext-rminit-gsp-3090.txt",
      signals={"nvrm-gsp-init-failed", "nvrm-rminitadapter-failed"}, findings={"gpu-init-failed"}),
    # lsmod output (no kind) and /proc/driver/nvidia/version of the open module, German date.
    P("errors/ext-rminit-open-515.txt",
      kinds={"proc-driver-version"},
      facts={"nvidia.kernel_module": "open", "nvidia.kernel_module_version": "515.57"}),
    P("errors/ext-rminit-syslog-worker4.txt",
      signals={"nvrm-rminitadapter-failed"}, findings={"gpu-init-failed"}),
    P("errors/ext-xid79-nvsentinel.txt",
      signals={"nvrm-fallen-off-bus"},
      facts={"nvidia.kernel_module": "open", "nvidia.kernel_module_version": "570.158.01"},
      findings={"gpu-fell-off-bus"}, params={"gpu-fell-off-bus": {"pci": "0000:b3:00.0"}},
      pending={"nvidia.kernel_module": ERROR_FACTS, "nvidia.kernel_module_version": ERROR_FACTS}),
    P("errors/ext-xid79-oneline.txt",
      signals={"nvrm-xid"}, findings={"gpu-fell-off-bus"},
      params={"gpu-fell-off-bus": {"xid": 79, "pci": "0000:44:00"}}),
    # --- no kernel image / sm_XX not compatible -------------------------------------------
    P("errors/ext-nokernel-1080ti-torch28-comfy.txt",
      signals={"cuda-error-209", ARCH},
      facts={"nvidia.gpus.0.name": "NVIDIA GeForce GTX 1080 Ti",
             "nvidia.gpus.0.compute_capability": "6.1"},
      findings={NO_KERNEL}, params={NO_KERNEL: {"sm": "sm_61", "variant": "cu126"}},
      pending={"nvidia.gpus.0.name": ERROR_FACTS,
               "nvidia.gpus.0.compute_capability": ERROR_FACTS}),
    P("errors/ext-nokernel-3080ti-deepdaze-quoted.txt",
      signals={ARCH},
      facts={"nvidia.gpus.0.name": "NVIDIA GeForce RTX 3080 Ti",
             "nvidia.gpus.0.compute_capability": "8.6",
             "torch.deep.arch_list": ["sm_37", "sm_50", "sm_60", "sm_70"]},
      findings={NO_KERNEL}, params={NO_KERNEL: {"sm": "sm_86"}},
      pending={"nvidia.gpus.0.name": ERROR_FACTS,
               "nvidia.gpus.0.compute_capability": ERROR_FACTS,
               "torch.deep.arch_list": ERROR_FACTS}),
    P("errors/ext-nokernel-5070ti-framepack-windows.txt",
      signals={ARCH}, facts={"nvidia.gpus.0.compute_capability": "12.0"},
      findings={NO_KERNEL}, params={NO_KERNEL: {"sm": "sm_120"}},
      pending={"nvidia.gpus.0.compute_capability": ERROR_FACTS}),
    P("errors/ext-nokernel-5070ti-rvc-compute37.txt",
      signals={ARCH}, findings={NO_KERNEL},
      params={NO_KERNEL: {"sm": "sm_120", "gpu": "NVIDIA GeForce RTX 5070 Ti"}}),
    P("errors/ext-sm120-deepprep-indented.txt",
      signals={ARCH}, findings={NO_KERNEL},
      params={NO_KERNEL: {"sm": "sm_120", "gpu": "NVIDIA GeForce RTX 5090"}}),
    P("errors/ext-sm120-leggedlab.txt",
      signals={ARCH}, facts={"nvidia.gpus.0.name": "NVIDIA GeForce RTX 5090"},
      findings={NO_KERNEL}, params={NO_KERNEL: {"sm": "sm_120"}},
      pending={"nvidia.gpus.0.name": ERROR_FACTS}),
    # --- PEP 668 --------------------------------------------------------------------------
    P("errors/ext-pep668-ci-indented.txt", signals=PEP668,
      facts={"python.version": "3.12"}, findings={"pip-externally-managed-error"},
      pending={"python.version": ERROR_FACTS}),
    P("errors/ext-pep668-comfy.txt", signals=PEP668,
      facts={"python.version": "3.12"}, findings={"pip-externally-managed-error"},
      pending={"python.version": ERROR_FACTS}),
    P("errors/ext-pep668-odyssey-prompt.txt", signals=PEP668,
      facts={"python.version": "3.14"}, findings={"pip-externally-managed-error"},
      pending={"python.version": ERROR_FACTS}),
    # --- ldconfig, ls -l, nvcc, package lists ---------------------------------------------
    P("ldconfig/ext-ldconfig-cudart-gpustat.txt", kinds={"ldconfig"}),
    P("ls-cuda/ext-ls-cuda-dangling-container.txt",
      kinds={"ls-cuda"}, signals={"cuda-symlink"}, findings={"cuda-symlink-dangling"},
      params={"cuda-symlink-dangling": {"target": "/tmp/tmpayalvm_3m/cuda-11"}},
      pending={"kinds": COMMENT_MARK, "signals": COMMENT_MARK, "findings": COMMENT_MARK,
               "params:cuda-symlink-dangling": COMMENT_MARK}),
    # A Jetson's /usr/local/cuda -> /usr/local/cuda-10.2/: the usual link, nothing wrong.
    P("ls-cuda/ext-ls-cuda-jetson-quoted.txt", kinds={"ls-cuda"}, signals={"cuda-symlink"}),
    P("nvcc-version/ext-nvcc-home-colon.txt",
      kinds={"nvcc-version"}, facts={"cuda.nvcc_on_path_version": "11.8.89"}),
    P("nvcc-version/ext-nvcc-make-127.txt",
      kinds={"nvcc-version"}, facts={"cuda.nvcc_on_path_version": "11.5.119"}),
    P("packages/ext-vllm-conda-list-cuda126-torch-cu121.txt",
      kinds={"packages"},
      facts={"cudnn.0.version": "9.1.0.70",
             "torch.requires_nvidia.nvidia-cuda-runtime-cu12": "12.1.105",
             "torch.requires_nvidia.nvidia-cublas-cu12": "12.1.3.1"}),
    # --- nvidia-smi ---------------------------------------------------------------------
    P("nvidia-smi/ext-smi-331-legacy-3x-gtx680.txt",
      kinds={"nvidia-smi-table"},
      facts={"nvidia.driver_version": "331.62", "nvidia.driver_cuda_version": None,
             "nvidia.gpus.#": 3, "nvidia.gpus.2.name": "GeForce GTX 680",
             "nvidia.gpus.0.memory_total_mib": 4095}),
    P("nvidia-smi/ext-smi-L-titanv-5880.txt",
      kinds={"nvidia-smi-list"},
      facts={"nvidia.gpus.#": 2, "nvidia.gpus.0.name": "NVIDIA TITAN V",
             "nvidia.gpus.1.name": "NVIDIA RTX 5880 Ada Generation",
             "nvidia.gpus.1.uuid": "GPU-7518f6b0-991f-ce2b-3d37-c779130d3137"}),
    # nvcc --list-gpu-code below it is no kind (sm_35..sm_87: no sm_89 for this 8.9 GPU).
    P("nvidia-smi/ext-smi-compute-cap-nvcc-list.txt",
      kinds={"nvidia-smi-csv"},
      facts={"nvidia.gpus.#": 1, "nvidia.gpus.0.compute_capability": "8.9"}),
    P("nvidia-smi/ext-smi-fail-fedora43-modinfo.txt",
      kinds={"nvidia-smi-failure"},
      facts={"nvidia.smi_failure": "couldnt-communicate",
             "nvidia.kernel_module_version": "580.105.08"},
      findings={"nvidia-smi-failed"},
      pending={"nvidia.kernel_module_version": MODINFO}),
    P("nvidia-smi/ext-smi-fail-nvcc10-chinese.txt",
      kinds={"nvidia-smi-failure", "nvcc-version"},
      facts={"nvidia.smi_failure": "couldnt-communicate",
             "cuda.nvcc_on_path_version": "10.0.130"},
      findings={"nvidia-smi-failed"}),
    P("nvidia-smi/ext-smi-fail-quoted-wrapped.txt",
      kinds={"nvidia-smi-failure"}, facts={"nvidia.smi_failure": "couldnt-communicate"},
      findings={"nvidia-smi-failed"}),
    P("nvidia-smi/ext-smi-q-gtx1080-396-docker.txt",
      kinds={"nvidia-smi-query"},
      facts={"nvidia.driver_version": "396.54", "nvidia.gpus.#": 1,
             "nvidia.gpus.0.name": "GeForce GTX 1080",
             "nvidia.gpus.0.uuid": "GPU-0200523e-f473-3a45-9b4a-fbbe0e41ccf8"}),
    P("nvidia-smi/ext-smi-q-gtx780-450.txt",
      kinds={"nvidia-smi-query"},
      facts={"nvidia.driver_version": "450.66", "nvidia.driver_cuda_version": "11.0",
             "nvidia.gpus.0.name": "GeForce GTX 780"}),
    P("nvidia-smi/ext-smi-query-csv-titanv-5880.txt",
      kinds={"nvidia-smi-csv"},
      facts={"nvidia.driver_version": "570.86.15", "nvidia.gpus.#": 2,
             "nvidia.gpus.0.compute_capability": "7.0",
             "nvidia.gpus.1.name": "NVIDIA RTX 5880 Ada Generation",
             "nvidia.gpus.1.compute_capability": "8.9"}),
    # --- found with `search` for kinds with few or no real examples ----------------------
    # CUDA error 3 (cudaErrorInitializationError), as the runtime and torch print it.
    P("errors/ext-cuda-3-thcudacheck-goodnews.txt",
      signals={"cuda-error-3"}, findings={"cuda-driver-init-failed"},
      pending={"signals": CUDA3, "findings": CUDA3}),
    # In a DataLoader worker: CUDA touched before the fork; the finding is still error 3's.
    P("errors/ext-cuda-3-dataloader-worker-i3d.txt",
      signals={"cuda-error-3", "python-exception"}, findings={"cuda-driver-init-failed"},
      pending={"signals": CUDA3, "findings": CUDA3}),
    P("errors/ext-cuda-3-c10-error-multiprocessing-wsl.txt",
      signals={"cuda-error-3"}, findings={"cuda-driver-init-failed"},
      pending={"signals": CUDA3, "findings": CUDA3}),
    P("errors/ext-cuda-3-runtime-error-title-alphapose.txt",
      signals={"cuda-error-3"}, findings={"cuda-driver-init-failed"},
      pending={"signals": CUDA3, "findings": CUDA3}),
    # CUDA error 803: the user-mode driver library does not match the kernel module.
    P("errors/ext-cuda-803-easydiffusion-warning.txt",
      signals={"cuda-error-803"}, findings={"cuda-driver-library-mismatch"}),
    P("errors/ext-cuda-803-caffe-check-failed.txt",
      signals={"cuda-error-803"}, findings={"cuda-driver-library-mismatch"}),
    P("errors/ext-cuda-803-atorch-container.txt",
      signals={"cuda-error-803"}, findings={"cuda-driver-library-mismatch"}),
    # CUDA error 999.
    P("errors/ext-cuda-999-torch-encoding-prompt.txt",
      signals={"cuda-error-999"}, findings={"cuda-unknown-error"}),
    P("errors/ext-cuda-999-parrot-prompt-old-photos.txt",
      signals={"cuda-error-999", "python-exception"}, findings={"cuda-unknown-error"},
      pending={"findings": CONSEQUENT}),
    # hipErrorNoBinaryForGpu (the first on an NVIDIA laptop: a ROCm torch where CUDA's belongs).
    P("errors/ext-hip-no-binary-on-nvidia-laptop-easydiffusion.txt",
      signals={"hip-no-binary-for-gpu"}, findings={"rocm-no-binary-for-gpu"}),
    P("errors/ext-hip-no-binary-rx6600-prose.txt",
      signals={"hip-no-binary-for-gpu"}, findings={"rocm-no-binary-for-gpu"}),
    # cuDNN version mismatch, three wordings.
    P("errors/ext-cudnn-incompat-8.5-vs-8.4-python-session.txt",
      signals={"cudnn-version-mismatch", "python-exception"}, facts={"python.version": "3.8.12"},
      findings={"cudnn-version-mismatch"},
      params={"cudnn-version-mismatch": {"compiled": "8.5.0", "found": "8.4.1"}},
      pending={"python.version": REPL_BANNER}),
    P("errors/ext-cudnn-incompat-8.3.2-ld-library-path-functorch.txt",
      signals={"cudnn-version-mismatch", "python-exception"},
      facts={"cuda.ld_library_path.0": "/public/apps/cudnn/v8.0.3.33-cuda.11.0/cuda/lib64"},
      findings={"cudnn-version-mismatch"},
      params={"cudnn-version-mismatch": {"compiled": "8.3.2", "found": "8.0.3"}},
      pending={"signals": CUDNN_LINKED, "findings": CUDNN_LINKED,
               "params:cudnn-version-mismatch": CUDNN_LINKED,
               "cuda.ld_library_path.0": ECHO_LDPATH}),
    P("errors/ext-cudnn-incompat-8.5-vs-8.3.3-cogat.txt",
      signals={"cudnn-version-mismatch"}, findings={"cudnn-version-mismatch"},
      params={"cudnn-version-mismatch": {"compiled": "8.5.0", "found": "8.3.3"}}),
    P("errors/ext-cudnn-mismatch-old-7102-7605-centernet.txt",
      signals={"cudnn-version-mismatch"}, findings={"cudnn-version-mismatch"},
      params={"cudnn-version-mismatch": {"compiled": "7.1.2", "found": "7.6.5"}}),
    # macOS uname -a.
    P("uname/ext-uname-a-macos-arm64-rosetta-dorothy.txt",
      kinds={"uname"},
      facts={"os.system": "Darwin", "os.kernel": "24.0.0", "os.arch": "x86_64",
             "apple.apple_silicon": True},
      pending={"apple.apple_silicon": ROSETTA}),
    P("uname/ext-uname-a-macos-x86_64-testssl.txt",
      kinds={"uname"}, facts={"os.system": "Darwin", "os.kernel": "13.4.0", "os.arch": "x86_64"}),
    P("uname/ext-uname-a-macos-x86_64-quoted.txt",
      kinds={"uname"}, facts={"os.system": "Darwin", "os.kernel": "15.0.0", "os.arch": "x86_64"}),
    # nvidia-smi topo -m, tab- and space-aligned.
    P("nvidia-smi/ext-topo-m-2x-rtx5090-phb-club3090.txt", kinds={"nvidia-smi-topo"}),
    P("nvidia-smi/ext-topo-m-5-gpus-two-numa-club3090.txt", kinds={"nvidia-smi-topo"}),
    # conda info before virtual packages (conda < 4.8): nothing about CUDA or glibc.
    P("conda-info/ext-conda-info-4.6.0a2-windows-prompt.txt",
      kinds={"conda-info"}, facts={"nvidia.driver_cuda_version": None, "os.glibc": None}),
    P("conda-info/ext-conda-info-4.5.12-linux-prompt.txt",
      kinds={"conda-info"}, facts={"nvidia.driver_cuda_version": None, "os.glibc": None}),
    # undefined symbol: compiled extensions built against another torch, libtorch and NVRTC.
    P("errors/ext-undefined-symbol-pytorch3d-extension-abi.txt",
      signals={"library-undefined-symbol"}, findings={"cuda-library-symbol-missing"},
      params={"signal:library-undefined-symbol": {"symbol": "_ZNK2at6Tensor7is_cudaEv"}},
      pending={"params:signal:library-undefined-symbol": SYMBOL}),
    P("errors/ext-undefined-symbol-libtorch-nvrtc-repl.txt",
      signals={"library-undefined-symbol", "python-exception"},
      findings={"cuda-library-symbol-missing"},
      params={"signal:library-undefined-symbol": {"symbol": "nvrtcGetProgramLogSize",
                                                  "library": "libtorch.so.1"}},
      pending={"params:signal:library-undefined-symbol": SYMBOL}),
    P("errors/ext-undefined-symbol-c10-setdevice-sgutils.txt",
      signals={"library-undefined-symbol"}, findings={"cuda-library-symbol-missing"},
      params={"signal:library-undefined-symbol": {"symbol": "_ZN3c104cuda9SetDeviceEi"}},
      pending={"params:signal:library-undefined-symbol": SYMBOL}),
)  # fmt: skip
