"""parsers.signals.classify on real pasted errors, warnings and log lines.

Every fixture is a real output (tests/fixtures/paste/errors/SOURCES.tsv names each source); the
expected signals are what the lines say, read by hand from each report.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest

from envsetup.model.paste import Line
from envsetup.parsers.signals import classify, lines_of

ERRORS = Path(__file__).resolve().parents[1] / "fixtures" / "paste" / "errors"

# fixture -> [(signal id, params it must have)], every signal the fixture shows (no others).
EXPECTED: dict[str, list[tuple[str, dict[str, Any]]]] = {
    # The reviewer's pastes whose lines a signal owns (tests/explain/test_detect.py).
    "detect-802-vllm-engine.txt": [("cuda-error-802", {"code": 802})],
    "detect-802-thcudacheck-smi.txt": [
        ("cuda-error-802", {"code": 802}),
        ("python-exception", {"exception": "RuntimeError"}),
    ],
    "detect-conda-demucs-cudatoolkit.txt": [("conda-unsatisfiable", {"packages": ["cudatoolkit"]})],
    "detect-driver-too-old-6050-repeated.txt": [
        ("torch-driver-too-old", {"found_version": 6050, "driver_cuda": "6.5"})
    ],
    # The reviewer's no-kernel-image pastes whose GPU is known by its name only (capfix).
    "capfix-vggt-5070ti-windows-smi.txt": [("cuda-error-209", {"code": 209})],
    "capfix-vllm-19906-5080-cu128.txt": [("cuda-error-209", {"code": 209})],
    "capfix-k80-thcudacheck-209.txt": [
        ("cuda-error-209", {"code": 209}),
        ("python-traceback-cut", {}),
    ],
    "capfix-corridorkey-1080ti-cu130.txt": [("cuda-error-209", {"code": 209})],
    "detect-nokernel-1080ti-torch28-comfy.txt": [
        ("cuda-error-209", {"code": 209}),
        # the min/max warning: 6.1 is below the range's lowest entry (a real gap, unlike GB10's)
        (
            "torch-gpu-arch-not-supported",
            {
                "gpu": "NVIDIA GeForce GTX 1080 Ti",
                "sm": "sm_61",
                "minimum": "7.0",
                "maximum": "12.0",
            },
        ),
        ("torch-gpu-arch-not-supported", {"gpu": "NVIDIA GeForce GTX 1080 Ti", "sm": "sm_61"}),
    ],
    "detect-nouveau-probe-not-called-3dev.txt": [("nvrm-nouveau-owns-gpu", {})],
    "detect-pep668-comfy.txt": [("pip-externally-managed", {})],
    "detect-pep668-odyssey-prompt.txt": [("pip-externally-managed", {})],
    "detect-rminit-gsp-3090.txt": [
        ("nvrm-gsp-init-failed", {}),
        ("nvrm-rminitadapter-failed", {"pci": "0000:98:00.0", "code": "0x62:0x65:1792"}),
    ],
    "detect-rminit-syslog-worker4.txt": [
        ("nvrm-rminitadapter-failed", {"pci": "0000:0a:00.0", "code": "0x24:0x72:1568"})
    ],
    "detect-xid79-nvsentinel.txt": [
        ("nvrm-fallen-off-bus", {"pci": "0000:b3:00.0"}),
        ("nvrm-module-loaded", {"version": "570.158.01"}),
    ],
    "case-02-ldpath-nvjitlink-cuda121.txt": [
        ("python-exception", {"exception": "ImportError", "during": "import torch"}),
        (
            "library-undefined-symbol",
            {
                "symbol": "__nvJitLinkAddData_12_1",
                "symbol_library": "libnvJitLink.so.12",
                "library": "libcusparse.so.12",
                "family": "nvjitlink",
                "api_version": "12.1",
            },
        ),
    ],
    "case-07-fabricmanager-802-h100.txt": [
        ("cuda-error-802", {"code": 802, "name": "cudaErrorSystemNotReady"}),
        ("fabricmanager-version-mismatch", {"fabricmanager": "535.183.01", "driver": "535.230.02"}),
    ],
    "nvcc-unsupported-gnu-version-gcc-later-than-10-usr-include-cuda.txt": [
        ("nvcc-host-compiler-unsupported", {"highest": "10", "toolkit": "/usr"}),
    ],
    "nvcc-unsupported-gnu-version-gcc-later-than-7-cuda10.0-gpfs.txt": [
        ("nvcc-host-compiler-unsupported", {"highest": "7", "toolkit": "/gpfs/software/cuda/10.0"}),
    ],
    "nvcc-unsupported-gnu-version-gcc-later-than-12-usr-include-crt.txt": [
        ("nvcc-host-compiler-unsupported", {"highest": "12", "toolkit": "/usr"}),
        ("nvcc-host-compiler-unsupported", {"highest": "12", "toolkit": None}),  # gcc's echo
    ],
    "lib-symbol-not-defined-link-time-reference-cublasLt-colossalai.txt": [
        (
            "library-undefined-symbol",
            {
                "symbol": "cublasLtHSHMatmulAlgoInit",
                "symbol_library": "libcublasLt.so.11",
                "library": "libcublas.so.11",
                "family": "cublas",
            },
        ),
    ],
    "lib-symbol-not-defined-link-time-reference-chatglm-title.txt": [
        (
            "library-undefined-symbol",
            {
                "symbol": "cublasLtGetStatusString",
                "symbol_library": "libcublasLt.so.11",
                "library": "libcublas.so.11",
            },
        ),
    ],
    "glibc-2.27-not-found-libcurand-centos7-conda-torch2.5.1.txt": [
        ("python-exception", {"exception": "ImportError", "during": "import torch"}),
        (
            "library-glibc-too-old",
            {"need": "2.27", "library": "libm.so.6", "required_by_name": "libcurand.so.10"},
        ),
    ],
    "glibc-2.14-not-found-libshm-centos6.8-torch1.0-backticks.txt": [
        (
            "library-glibc-too-old",
            {"need": "2.14", "library": "libc.so.6", "required_by_name": "libshm.so"},
        ),
    ],
    "glibc-2.33-not-found-libpyg-extension-ubuntu20.04.txt": [
        ("python-exception", {"exception": "OSError"}),
        (
            "library-glibc-too-old",
            {"need": "2.33", "required_by_name": "libpyg.so", "in_torch": None, "family": None},
        ),
    ],
    "glibc-2.28-not-found-libtorch-python-aarch64-ubuntu18.04.txt": [
        (
            "library-glibc-too-old",
            {"need": "2.28", "required_by_name": "libtorch_python.so", "in_torch": True},
        ),
    ],
    "fabricmanager-doesnt-match-550.127.05-vs-550.120-systemctl.txt": [
        ("fabricmanager-version-mismatch", {"fabricmanager": "550.127.05", "driver": "550.120"}),
    ],
    "nvidia-smi-no-devices-rminitadapter-0x22-0x56-rtx5090-rebar.txt": [
        ("nvrm-rminitadapter-failed", {"pci": "0000:01:00.0", "code": "0x22:0x56:884"}),
    ],
    "fabricmanager-dont-match-530.30.02-vs-530.41.03-gpu-operator.txt": [
        ("fabricmanager-version-mismatch", {"fabricmanager": "530.30.02", "driver": "530.41.03"}),
    ],
    "fabricmanager-dont-match-typographic-apostrophe-550.90.07.txt": [
        ("fabricmanager-version-mismatch", {"fabricmanager": "550.90.07", "driver": "550.107.02"}),
    ],
    "conda-unsatisfiable-cuda-driver-10.1.txt": [("conda-unsatisfiable", {"cuda_driver": "10.1"})],
    "words-driver-too-old-11000-ngc-warning.txt": [
        ("torch-driver-too-old", {"found_version": 11000, "driver_cuda": "11.0"})
    ],
    "words-cuda-oom-rank0-processes-litgpt.txt": [
        (
            "torch-cuda-out-of-memory",
            {
                "tried": "572.00 MiB",
                "gpu": "0",
                "capacity": "39.49 GiB",
                "free": "321.31 MiB",
                "in_use": "37.46 GiB",
                "unallocated": "321.37 MiB",
                "other_processes": ["414.00 MiB"] * 4,
            },
        )
    ],
    "words-cuda-oom-larger-than-gpu-neurolens.txt": [
        (
            "torch-cuda-out-of-memory",
            {"tried": "55.57 GiB", "capacity": "12.00 GiB", "free": "9.02 GiB"},
        )
    ],
    "words-cuda-oom-old-format-6gb.txt": [
        (
            "torch-cuda-out-of-memory",
            {
                "tried": "2.26 GiB",
                "capacity": "6.00 GiB",
                "free": "3.03 GiB",
                "by_torch": "781.59 MiB",
                "reserved": "1.24 GiB",
            },
        )
    ],
    "words-cuda-oom-4gb-whisper-typer.txt": [
        (
            "torch-cuda-out-of-memory",
            {"tried": "20.00 MiB", "capacity": "5.78 GiB", "unallocated": "297.78 MiB"},
        )
    ],
    "words-no-module-torch-pip-build-isolation-basicsr.txt": [
        (
            "python-exception",
            {
                "exception": "ModuleNotFoundError",
                "message": "No module named 'torch'",
                "in_pip_build": True,
            },
        )
    ],
    "words-no-module-torch-setup-py-dcnv2.txt": [
        (
            "python-exception",
            {"exception": "ModuleNotFoundError", "at": "setup.py:6", "in_pip_build": None},
        )
    ],
    "words-no-module-torch-stdin-indented.txt": [
        ("python-exception", {"exception": "ModuleNotFoundError", "at": "<stdin>:1"})
    ],
    "words-conda-python-incompatible-py35-pytorch3d.txt": [
        ("conda-unsatisfiable", {}),
        (
            "conda-python-incompatible",
            {
                "python": "3.5",
                "requires": {"pytorch3d": ">=3.6,<3.7.0a0|>=3.7,<3.8.0a0|>=3.8,<3.9.0a0"},
            },
        ),
    ],
    "words-conda-python-incompatible-py36-dlib-windows.txt": [
        ("conda-unsatisfiable", {"packages": ["setuptools"]}),
        (
            "conda-python-incompatible",
            {"python": "3.6", "requires": {"dlib": "2.7.*|3.5.*|>=2.7,<2.8.0a0|>=3.5,<3.6.0a0"}},
        ),
    ],
    "words-conda-python-incompatible-py39-pytorch1.4-torchvision.txt": [
        ("conda-python-incompatible", {"python": "3.9"})
    ],
    "conda-unsatisfiable-cudatoolkit-conflict.txt": [
        ("conda-unsatisfiable", {"packages": ["cudatoolkit"]})
    ],
    "cuda-100-cuda-samples-helper.txt": [("cuda-error-100", {"code": 100})],
    "cuda-222-cuda-failure-numbered.txt": [("cuda-error-222", {"code": 222})],
    "cuda-222-ptx-unsupported-toolchain.txt": [("cuda-error-222", {"code": 222})],
    "cuda-35-devicequery-result-fail.txt": [
        ("cuda-error-35", {"code": 35, "via": "cudaGetDeviceCount"}),
    ],
    "cuda-35-bandwidthtest-windows-samples.txt": [
        ("cuda-error-35", {"code": 35, "name": "cudaErrorInsufficientDriver"})
    ],
    "cuda-35-caffe-glog-check-failed.txt": [("cuda-error-35", {"code": 35})],
    "kernel-nouveau-bound-rtx-a4000.txt": [("nouveau-bound", {"pci": "0001:01:00.0"})],
    "kernel-xid-32-31-old-driver.txt": [
        ("nvrm-xid", {"xid": 32, "count": 2, "actor": "driver"}),
        ("nvrm-xid", {"xid": 31, "count": 1}),
    ],
    "kernel-xid-45-after-nvlink-xid-149.txt": [
        ("nvrm-xid", {"xid": 45, "pci": "0000:dc:00", "count": 2, "caused_by": 149}),
        ("nvrm-xid", {"xid": 45, "pci": "0000:ed:00", "caused_by": 145}),
        ("nvrm-xid", {"xid": 45, "pci": "0000:ba:00", "caused_by": 145}),
        ("nvrm-xid", {"xid": 45, "pci": "0000:97:00", "caused_by": 145}),
    ],
    "cuda-38-no-device-cuda9-numbering.txt": [
        ("cuda-error-100", {"code": 100, "reported": 38}),
        ("python-exception", {"exception": "RuntimeError"}),
    ],
    "cuda-802-thcudacheck-torch1.4.txt": [
        ("cuda-error-802", {"code": 802}),
        ("python-exception", {"exception": "RuntimeError"}),
    ],
    "cuda-802-warning-llamafactory-torch2.7.txt": [("cuda-error-802", {"code": 802})],
    "gpu-burn-802-centos7-8xh100-rpm-driver-545.23.08.txt": [
        ("cuda-error-802", {"code": 802, "name": "cudaErrorSystemNotReady"}),
    ],
    "cuda-803-display-driver-combination.txt": [("cuda-error-803", {"code": 803})],
    "cuda-804-forward-compat-conda-prompt.txt": [("cuda-error-804", {"code": 804})],
    "cuda-804-forward-compat-rtx3090-driver470.txt": [("cuda-error-804", {"code": 804})],
    "cuda-999-unknown-error-torch2.7.txt": [("cuda-error-999", {"code": 999})],
    "cudnn-version-incompatibility-8.5-vs-8.3.txt": [
        ("cudnn-version-mismatch", {"compiled": "8.5.0", "found": "8.3.3"})
    ],
    "cudnn-version-mismatch-old-format-6021-5110.txt": [
        ("cudnn-version-mismatch", {"compiled": "6.0.21", "found": "5.1.10"})
    ],
    "hip-no-binary-for-gpu-easydiffusion.txt": [("hip-no-binary-for-gpu", {})],
    # torch.utils.cpp_extension's CUDA_MISMATCH_MESSAGE, wrapped before "PyTorch (".
    "torch-extension-cuda-mismatch-12.4-vs-11.8.txt": [
        ("torch-extension-cuda-mismatch", {"detected": "12.4", "torch_cuda": "11.8"})
    ],
    "torch-extension-cuda-mismatch-11.8-vs-12.4-pip-indented.txt": [
        ("torch-extension-cuda-mismatch", {"detected": "11.8", "torch_cuda": "12.4"})
    ],
    "torch-extension-cuda-mismatch-11.8-vs-11.7-minor-openpcdet.txt": [
        ("torch-extension-cuda-mismatch", {"detected": "11.8", "torch_cuda": "11.7"})
    ],
    "torch-extension-cuda-mismatch-12.1-vs-11.8-rational-kat.txt": [
        ("torch-extension-cuda-mismatch", {"detected": "12.1", "torch_cuda": "11.8"})
    ],
    # nvcc cannot target an arch (attack12a H6, attack12b H10): the capability, the nvcc the
    # build ran and the arch flags of its command line where the paste shows them.
    "nvcc-unsupported-gpu-arch-compute_89-nvcc11.5-rtx4090.txt": [
        ("nvcc-unsupported-gpu-arch", {"arch": "compute_89", "capability": "8.9"}),
    ],
    "nvcc-unsupported-gpu-arch-compute_35-cuda12.2-gencode-list.txt": [
        (
            "nvcc-unsupported-gpu-arch",
            {
                "capability": "3.5",
                "nvcc_path": "/usr/local/cuda/bin/nvcc",
                "listed": ["3.5", "5.0", "5.2", "6.0", "6.1", "7.0"],
            },
        ),
    ],
    "nvcc-missing-cuda-11.0-then-compute_86-dcnv2.txt": [
        (
            "nvcc-not-found",
            {"path": "/usr/local/cuda-11.0/bin/nvcc", "cuda_home": "/usr/local/cuda-11.0"},
        ),
        (
            "nvcc-unsupported-gpu-arch",
            {"arch": "compute_86", "said": "Unsupported gpu architecture 'compute_86'"},
        ),
    ],
    # conda's libcusparse needing a newer nvJitLink (attack12a M7): the path says whose it is.
    "lib-conda-libcusparse-nvjitlink-12_4-kaggle-cuml.txt": [
        (
            "library-undefined-symbol",
            {
                "symbol": "__nvJitLinkComplete_12_4",
                "library_path": "/opt/conda/bin/../lib/libcusparse.so.12",
                "api_version": "12.4",
            },
        ),
    ],
    # A CUDA library torch cannot load, named by its soname (attack12a M1).
    "lib-libcurand-so10-jetson-agx-l4t-r32.5.0-container.txt": [
        ("python-exception", {"exception": "OSError", "during": "import torch"}),
        ("library-not-found", {"library": "libcurand.so.10", "family": "curand"}),
    ],
    "lib-libcufft-so10.0-jetson-nano-jp4.3-torch1.4.txt": [
        ("python-exception", {"exception": "ImportError", "during": "import torch"}),
        ("library-not-found", {"library": "libcufft.so.10.0", "family": "cufft"}),
    ],
    "lib-libcufft-so11-is-nvidia-cufft-cu12-flare7k.txt": [
        ("python-exception", {"exception": "OSError", "during": "import torch"}),
        ("library-not-found", {"library": "libcufft.so.11", "family": "cufft"}),
        ("python-traceback-cut", {}),
    ],
    # The build's nvcc is not there: CUDA_HOME names no toolkit, is a ':'-list or holds quotes.
    "nvcc-missing-cuda-home-quoted-alphapose.txt": [
        ("nvcc-not-found", {"cuda_home": "'/usr/local/cuda'", "quoted": True}),
    ],
    "nvcc-missing-cuda-home-leading-colon-graphormer.txt": [
        ("nvcc-not-found", {"path": ":/usr/local/cuda/bin/nvcc", "listed": True}),
    ],
    "nvcc-missing-cuda-home-leading-colon-errno2-voxfusion.txt": [
        ("nvcc-not-found", {"cuda_home": ":/usr/local/cuda 10.0", "listed": True}),
    ],
    "nvcc-missing-errno2-cuda-10.0-s2cnet.txt": [
        ("nvcc-not-found", {"cuda_home": "/usr/local/cuda-10.0", "listed": None}),
    ],
    "nvcc-value-sm_89-not-defined-gpu-architecture-pycuda-nvcc11.6.txt": [
        (
            "nvcc-unsupported-gpu-arch",
            {
                "arch": "sm_89",
                "capability": "8.9",
                "said": "Value 'sm_89' is not defined for option 'gpu-architecture'",
            },
        ),
    ],
    "nvcc-value-sm_30-not-defined-cuda11.2-butterfly.txt": [
        (
            "nvcc-unsupported-gpu-arch",
            {"capability": "3.0", "nvcc_path": "/usr/local/cuda/bin/nvcc"},
        ),
    ],
    "nvcc-unsupported-gpu-arch-compute_86-cmake-openpose-cuda11.0.txt": [
        ("nvcc-unsupported-gpu-arch", {"capability": "8.6"}),
    ],
    # rocBLAS names the target its Tensile library lacks and lists the ones it has.
    "rocblas-tensile-no-gfx906-rocm6.4.0.txt": [
        (
            "hip-no-binary-for-gpu",
            {
                "gfx": "gfx906",
                "library": "rocBLAS",
                "available": [
                    "gfx1101",
                    "gfx1102",
                    "gfx1200",
                    "gfx1030",
                    "gfx1100",
                    "gfx1201",
                    "gfx942",
                    "gfx90a",
                    "gfx908",
                ],
            },
        )
    ],
    "rocblas-tensile-no-gfx1102-torch2.6.0-rocm6.2.4.txt": [
        (
            "hip-no-binary-for-gpu",
            {
                "gfx": "gfx1102",
                "available": [
                    "gfx1030",
                    "gfx1100",
                    "gfx1101",
                    "gfx900",
                    "gfx906",
                    "gfx908",
                    "gfx90a",
                    "gfx942",
                ],
            },
        )
    ],
    "installer-unable-to-load-nvidia-ko-secure-boot.txt": [
        ("nvidia-installer-module-load-failed", {"module": "nvidia.ko"})
    ],
    "kernel-dmesg-nvrm-probe-not-called-nouveau-owns-device.txt": [("nvrm-nouveau-owns-gpu", {})],
    "kernel-fallen-off-bus-dmesg-570.txt": [
        ("nvrm-fallen-off-bus", {"pci": "0000:b3:00.0"}),
        (
            "nvrm-module-loaded",
            {"version": "570.158.01", "kernel_module": "open", "arch": "x86_64"},
        ),
    ],
    "kernel-module-verification-failed-525.txt": [
        ("kernel-module-unsigned", {"module": "nvidia"}),
        (
            "nvrm-module-loaded",
            {"version": "525.147.05", "kernel_module": "proprietary", "arch": "x86_64"},
        ),
    ],
    "kernel-rminitadapter-gsp-rtx3090-550.txt": [
        ("nvrm-gsp-init-failed", {}),
        ("nvrm-rminitadapter-failed", {"pci": "0000:98:00.0", "code": "0x62:0x65:1792"}),
    ],
    # the driver refusing a GPU: the R500+, R280 wordings, the open module without GSP, legacy
    "kernel-gpu-not-supported-h100-550-cvm-nvtrust67.txt": [
        (
            "nvrm-gpu-not-supported",
            {"pci": "0000:01:00.0", "device": "2330", "driver": "550.90.07"},
        ),
    ],
    "kernel-gpu-not-supported-rtx3050ti-open-520-ogkm393.txt": [
        (
            "nvrm-gpu-not-supported",
            {"pci": "0000:01:00.0", "device": "25a0", "driver": "520.56.06"},
        ),
    ],
    "kernel-gpu-not-supported-old-format-280-bumblebee583.txt": [
        ("nvrm-gpu-not-supported", {"pci": "0000:01:00.0", "device": "1050", "driver": "280.13"}),
    ],
    "kernel-gpu-open-module-no-gsp-gt1030-560-negativo158.txt": [
        ("nvrm-gpu-open-module-no-gsp", {"pci": "0000:09:00.0", "device": "1d01"}),
    ],
    "kernel-gpu-legacy-branch-gt710-535-talos8764.txt": [
        ("nvrm-gpu-legacy", {"gpu": "GeForce GT 710", "legacy": "470", "driver": "535.129.03"}),
    ],
    "kernel-rminitadapter-journal-repeated.txt": [
        ("nvrm-rminitadapter-failed", {"pci": "0000:0a:00.0", "code": "0x24:0x72:1568"})
    ],
    "kernel-secure-boot-key-rejected-journal.txt": [
        ("kernel-module-key-rejected", {"module": "nvidia"})
    ],
    "kernel-xid-13-109-dmesg-ctime.txt": [
        ("nvrm-xid", {"xid": 13, "pci": "0000:cb:00", "count": 3, "actor": "application"}),
        ("nvrm-xid", {"xid": 109, "count": 1}),
    ],
    "kernel-xid-13-old-format-syslog.txt": [
        ("nvrm-xid", {"xid": 13, "pci": "0000:01:00", "count": 3})
    ],
    "kernel-xid-31-62-45-sequence.txt": [
        ("nvrm-xid", {"xid": 31, "pci": "0000:0a:00", "count": 1}),
        ("nvrm-xid", {"xid": 62, "actor": "driver"}),
        ("nvrm-xid", {"xid": 45, "count": 2}),
    ],
    "kernel-xid-31-mmu-fault-rtx4090.txt": [("nvrm-xid", {"xid": 31, "count": 2})],
    "kernel-xid-63-row-remapper.txt": [("nvrm-xid", {"xid": 63, "actor": "hardware"})],
    "kernel-xid-79-fallen-off-bus.txt": [
        ("nvrm-xid", {"xid": 79, "pci": "0000:44:00", "meaning": "GPU has fallen off the bus"})
    ],
    "lib-libcublas-so11-missing-preload.txt": [
        ("python-exception", {"exception": "OSError"}),
        # torch/__init__.py's _load_global_deps frame above it: torch's own library.
        ("library-not-found", {"library": "libcublas.so.11", "family": "cublas", "in_torch": True}),
    ],
    "lib-undefined-symbol-nvjitlink-12_1-torch2.1.txt": [
        (
            "library-undefined-symbol",
            {"symbol": "__nvJitLinkAddData_12_1", "library": "libcusparse.so.12"},
        )
    ],
    "attack12-uv-pip-glibc2.27-torch2.7.0-cu118.txt": [
        ("pip-no-matching-version", {"pinned": "2.7.0"}),
        ("pip-no-matching-distribution", {"requirement": "torch==2.7.0"}),
        (
            "uv-no-platform-wheel",
            {
                "package": "torch",
                "version": "2.7.0+cu118",
                "target": "manylinux_2_27_x86_64",
                "available": ["manylinux_2_28_x86_64", "win_amd64"],
            },
        ),
    ],
    "attack12-uv-torch2.8.0-cu128-no-platform-wheel.txt": [
        (
            "uv-no-platform-wheel",
            {
                "version": "2.8.0+cu128",
                "target": None,
                "available": ["manylinux_2_28_x86_64", "win_amd64"],
            },
        ),
    ],
    "attack12-uv-alpine-nvidia-cublas-no-wheel.txt": [
        ("container-run-command", {"tool": "docker", "gpu": False}),
        ("uv-no-platform-wheel", {"package": "nvidia-cublas-cu12", "version": "12.4.5.8"}),
    ],
    "attack12-musl-error-relocating-libgomp-alpine.txt": [
        ("library-musl-symbol-not-found", {"symbol": "pthread_attr_setaffinity_np"}),
    ],
    "attack13-hip-no-binary-gfx902-xnack-ryzen-v1605b.txt": [("hip-no-binary-for-gpu", {})],
    "attack13-hip-no-binary-rx470-gfx803-torch1.8-rocm4.0.1.txt": [("hip-no-binary-for-gpu", {})],
    "attack13-musl-alpine-ld-linux-libcudnn-strtod.txt": [
        ("library-musl-not-loaded", {"library": "ld-linux-x86-64.so.2"}),
        ("library-musl-symbol-not-found", {"symbol": "__strtod_internal"}),
    ],
    "attack13-musl-python3.8-alpine-cpu-index-1.9.0.txt": [
        ("pip-no-matching-version", {"pinned": "1.11.0", "versions": ["1.9.0"]}),
        ("pip-no-matching-distribution", {}),
    ],
    "attack12-pip-torch-0.1.2-sdist-python3.7-alpine.txt": [
        ("pip-torch-placeholder", {"version": "0.1.2.post1"}),
        ("python-exception", {"exception": "RuntimeError"}),
    ],
    "attack12-conda-plan-win-pytorch1.12.1-cudatoolkit10.2-cpu.txt": [
        (
            "conda-plan-cpu-pytorch",
            {
                "version": "1.12.1",
                "build": "py3.8_cpu_0",
                "mutex_cpu": True,
                "requested_cuda": ["cudatoolkit=10.2"],
            },
        ),
    ],
    "attack12-conda-plan-win-pytorch1.10-cudatoolkit10.1-cpuonly.txt": [
        (
            "conda-plan-cpu-pytorch",
            {
                "version": "1.10.0",
                "cpuonly": True,
                "subdir": "win-64",
                "requested_cuda": ["cudatoolkit=10.1"],
            },
        ),
    ],
    "attack12-conda-plan-nightly-pytorch-cuda11.6-cpu.txt": [
        (
            "conda-plan-cpu-pytorch",
            {
                "version": "2.0.0.dev20221216",
                "python": "3.8",
                "requested_cuda": ["pytorch-cuda=11.6"],
            },
        ),
    ],
    "attack12-pip-log-mirror-torch2.3.1-win-amd64.txt": [
        (
            "pip-torch-wheel",
            {
                "version": "2.3.1",
                "platform": "win_amd64",
                "python": "cp310",
                "pypi": True,
                "index_host": "mirrors.aliyun.com",
            },
        ),
    ],
    "attack12-mac-mini-m4-rosetta-python-torch2.4.1-to-2.2.2.txt": [
        ("pip-no-matching-version", {"pinned": "2.4.1"}),
        ("pip-no-matching-distribution", {"requirement": "torch==2.4.1"}),
    ],
    "attack12-collect-env-torch-na-fedora41-python3.13.txt": [
        ("collect-env-torch-not-importable", {}),
    ],
    "pip-no-matching-torch-0.3.1-pypi-stub-versions.txt": [
        ("pip-no-matching-version", {"pinned": "0.3.1", "versions": ["0.1.2", "0.1.2.post1"]}),
        ("pip-no-matching-distribution", {"requirement": "torch==0.3.1"}),
    ],
    "pip-no-matching-torch-1.13.1-py311-windows.txt": [
        ("pip-no-matching-version", {"pinned": "1.13.1", "none": False}),
        ("pip-no-matching-distribution", {"package": "torch"}),
    ],
    "pip-no-matching-torch-cu113-local-version.txt": [
        ("pip-no-matching-version", {"local": "cu113", "none": True, "versions": []}),
        ("pip-no-matching-distribution", {"pinned": "1.11.0+cu113"}),
    ],
    "pip-no-matching-torch-from-versions-none.txt": [
        ("pip-no-matching-version", {"requirement": "torch", "none": True}),
        ("pip-no-matching-distribution", {"requirement": "torch"}),
    ],
    "pip-pep668-externally-managed-ubuntu24.04-py3.12-torch.txt": [("pip-externally-managed", {})],
    "torch-cuda-runtime-error-35-driver-insufficient-torch0.4.txt": [
        ("cuda-error-35", {"code": 35, "name": "cudaErrorInsufficientDriver"}),
        ("python-exception", {"exception": "RuntimeError"}),
    ],
    "torch-driver-too-old-10010-torch1.7.1-falls-back-cpu.txt": [
        ("torch-driver-too-old", {"found_version": 10010, "driver_cuda": "10.1"})
    ],
    "torch-driver-too-old-11040-rtx3050-470.86.txt": [
        ("torch-driver-too-old", {"found_version": 11040, "driver_cuda": "11.4"})
    ],
    "torch-driver-too-old-9000-assertionerror-old-format.txt": [
        ("python-exception", {"exception": "AssertionError"}),
        ("torch-driver-too-old", {"found_version": 9000, "driver_cuda": "9.0"}),
    ],
    "torch-libcudnn-cnn-infer-so8-libcuda-missing.txt": [
        ("library-not-found", {"library": "libcuda.so", "needed_by": "libcudnn_cnn_infer.so.8"})
    ],
    "torch-libcudnn-cnn-infer-so8-libnvrtc-missing.txt": [
        ("library-not-found", {"library": "libnvrtc.so", "family": "nvrtc"})
    ],
    "torch-libcudnn-ops-infer-so8-missing-only-cudnn9-installed.txt": [
        ("library-not-found", {"library": "libcudnn_ops_infer.so.8", "family": "cudnn"})
    ],
    "torch-no-kernel-image-available-old-format.txt": [("cuda-error-209", {"code": 209})],
    "torch-no-nvidia-driver-found.txt": [("torch-no-nvidia-driver", {})],
    "torch-not-compiled-with-cuda-check-driver.txt": [
        ("python-exception", {"exception": "AssertionError"}),
        ("torch-not-compiled-with-cuda", {}),
    ],
    "torch-rocm-collect-env-indexerror-hip-runtime.txt": [
        (
            "python-exception",
            {
                "exception": "IndexError",
                "message": "list index out of range",
                # The innermost frame; this paste starts at it (its header was not pasted).
                "at": "/home/ubuntu/.local/lib/python3.10/site-packages/torch/utils/collect_env.py:437",
            },
        )
    ],
    "torch-rocm-no-hip-gpus-available.txt": [
        ("python-exception", {"exception": "RuntimeError", "message": "No HIP GPUs are available"}),
        ("hip-no-gpus", {}),
    ],
    "torch-sm80-a100-not-compatible-with-nvidia-smi.txt": [
        (
            "torch-gpu-arch-not-supported",
            {
                "gpu": "A100-SXM4-40GB",
                "sm": "sm_80",
                "supported": ["sm_37", "sm_50", "sm_60", "sm_70"],
            },
        )
    ],
    "libcudnn-so8-missing-tensorrt-program.txt": [
        (
            "library-not-found",
            {"library": "libcudnn.so.8", "family": "cudnn", "program": "./trt_infer"},
        )
    ],
    "libcudnn-ops-infer-so8-missing-faster-whisper.txt": [
        ("library-not-found", {"library": "libcudnn_ops_infer.so.8", "program": None})
    ],
    # torch 2.8 .. 2.12's min/max warning (three forms) and 2.13's new one (attack12b H2, H3).
    "torch-gb10-sm121-min-max-warning-torch2.9.1-unsloth.txt": [
        (
            "torch-gpu-arch-not-supported",
            {"gpu": "NVIDIA GB10", "sm": "sm_121", "minimum": "8.0", "maximum": "12.0"},
        )
    ],
    "torch-gb10-sm121-min-max-one-line-spark-vllm-docker.txt": [
        ("torch-gpu-arch-not-supported", {"sm": "sm_121", "minimum": "8.0", "maximum": "12.0"})
    ],
    "torch-gb10-sm121-min-max-rank-prefixed-pr164590.txt": [
        (
            "torch-gpu-arch-not-supported",
            {"gpu": "NVIDIA GB10", "sm": "sm_121", "minimum": "8.0", "maximum": "12.0"},
        )
    ],
    "torch-gb10-sm121-cc-warning-torch2.13.0-cu130.txt": [
        (
            "torch-gpu-arch-not-supported",
            {"gpu": "NVIDIA GB10", "sm": "sm_121", "torch": "2.13.0+cu130", "hints": None},
        )
    ],
    "torch-rtx5060ti-sm120-cc-warning-torch2.13.0-cu126-hints.txt": [
        (
            "torch-gpu-arch-not-supported",
            {
                "gpu": "NVIDIA GeForce RTX 5060 Ti",
                "sm": "sm_120",
                "torch": "2.13.0+cu126",
                "hints": [
                    ["12.9", "cu129", "2.13.0"],
                    ["13.0", "cu130", "2.13.0"],
                    ["13.2", "cu132", "2.13.0"],
                ],
            },
        ),
        (
            "torch-gpu-arch-not-supported",
            {
                "sm": "sm_120",
                "supported": ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"],
            },
        ),
        ("python-exception", {"exception": "torch.AcceleratorError"}),
        ("cuda-error-209", {"code": 209}),
    ],
    "torch-nightly-cu124-no-kernel-image-jetson-orin-jp62.txt": [
        ("python-exception", {"exception": "RuntimeError"}),
        ("cuda-error-209", {"code": 209}),
    ],
    # Jetson Thor (sm_110) under torch 2.9.1+cu128 (OpenRAL/openral PR #167; attack13 H1).
    "cuda-no-kernel-image-jetson-thor-l4t-r38.4-torch2.9.1-cu128.txt": [
        ("cuda-error-209", {"code": 209}),
    ],
    # ptxas older than the GPU (Triton's bundled one; attack12a H7).
    "triton-ptxas-sm110a-not-defined-thor-vllm.txt": [
        ("ptxas-gpu-arch-unknown", {"program": "ptxas", "arch": "sm_110a"})
    ],
    "triton-ptxas-sm121a-not-defined-dgx-spark.txt": [
        ("ptxas-gpu-arch-unknown", {"program": "ptxas", "arch": "sm_121a", "triton": True})
    ],
    "triton-ptxas-blackwell-sm110a-thor-torch-compile.txt": [
        (
            "python-exception",
            {"exception": "torch._inductor.runtime.triton_heuristics.NoTritonConfigsError"},
        ),
        (
            "ptxas-gpu-arch-unknown",
            {"program": "ptxas-blackwell", "arch": "sm_110a", "triton": True},
        ),
    ],
    # Markdown backticks around each line are not part of the GPU's name (attack12b L2).
    "torch-sm120-not-compatible-markdown-backticks-rtx-pro-6000.txt": [
        (
            "torch-gpu-arch-not-supported",
            {"gpu": "NVIDIA RTX PRO 6000 Blackwell Max-Q Workstation Edition", "sm": "sm_120"},
        )
    ],
    "torch-driver-too-old-12080-cu130-ci-pr162531.txt": [
        ("torch-driver-too-old", {"found_version": 12080, "driver_cuda": "12.8"})
    ],
    "torch-sm120-not-compatible-rtx5090-leggedlab.txt": [
        ("torch-gpu-arch-not-supported", {"gpu": "NVIDIA GeForce RTX 5090", "sm": "sm_120"})
    ],
    "torch-sm86-not-compatible-rtx3080-laptop.txt": [
        (
            "torch-gpu-arch-not-supported",
            {"gpu": "NVIDIA GeForce RTX 3080 Laptop GPU", "sm": "sm_86"},
        )
    ],
    "torch-undefined-symbol-cudaLaunchKernelExC-libcudart.txt": [
        ("python-exception", {"exception": "ImportError", "during": "import torch"}),
        (
            "library-undefined-symbol",
            {
                "symbol": "cudaLaunchKernelExC",
                "symbol_library": "libcudart.so.11.0",
                "library": "libtorch_cuda.so",
            },
        ),
    ],
    # Real pastes whose facts explain merges (tests/explain/test_signal_facts.py).
    "facts-sm120-rtx5070ti-rvc-compute37.txt": [
        (
            "torch-gpu-arch-not-supported",
            {
                "gpu": "NVIDIA GeForce RTX 5070 Ti",
                "sm": "sm_120",
                "supported": [
                    *("sm_37", "sm_50", "sm_60", "sm_61", "sm_70", "sm_75", "sm_80", "sm_86"),
                    *("sm_90", "compute_37"),
                ],
            },
        )
    ],
    "facts-sm120-rtx5090-deepprep-indented.txt": [
        ("torch-gpu-arch-not-supported", {"gpu": "NVIDIA GeForce RTX 5090", "sm": "sm_120"})
    ],
    "facts-conda-pyg-virtual-cuda12.2-glibc2.35.txt": [
        (
            "conda-unsatisfiable",
            {"subdir": "linux-64", "virtual_cuda": "12.2", "virtual_glibc": "2.35"},
        )
    ],
    "facts-conda-cuda-driver-10.2-windows.txt": [
        (
            "conda-unsatisfiable",
            {"cuda_driver": "10.2", "subdir": "win-64", "virtual_cuda": "10.2"},
        )
    ],
    # mergefix (attack10 defects 3, 6, 9): real pastes
    "mergefix-journal-sm120-forge.txt": [  # journald's prefixes: explain's normaliser strips them
        ("torch-gpu-arch-not-supported", {"sm": "sm_120"}),
        ("cuda-error-209", {"code": 209}),
    ],
    "mergefix-cosmos-5090-torch222.txt": [
        ("torch-gpu-arch-not-supported", {"gpu": "NVIDIA GeForce RTX 5090", "sm": "sm_120"}),
    ],
    # readfix (attack10 defects 2, 5, 11): real pastes
    "readfix-libmamba-torchaudio-pytorch-cuda-conflict.txt": [
        (
            "conda-unsatisfiable",
            {
                "not_installable": ["torchaudio 2.0.2"],
                "requested": ["pytorch-cuda 12.1", "pytorch-mutex 1.0 cuda"],
                "wanted": ["pytorch-mutex 1.0 cpu", "pytorch-cuda 11.7.*", "pytorch-cuda 11.8.*"],
            },
        )
    ],
    "readfix-mamba-nothing-provides-cuda-laptop.txt": [
        ("conda-unsatisfiable", {"missing": ["__cuda"], "needed_by": ["pytorch 1.11.0"]})
    ],
    "readfix-pip-macos-torch260-py311.txt": [
        ("pip-no-matching-version", {"pinned": "2.6.0", "none": False}),
        ("pip-no-matching-distribution", {"pinned": "2.6.0"}),
    ],
    "readfix-pip-macos-x86-torch230-pytorch127870.txt": [
        ("pip-no-matching-version", {"pinned": "2.3.0", "none": False}),
        ("pip-no-matching-distribution", {"pinned": "2.3.0"}),
    ],
    "readfix-pip-mingw-torch210-none.txt": [
        ("pip-no-matching-version", {"pinned": "2.1.0", "none": True}),
        ("pip-no-matching-distribution", {"pinned": "2.1.0"}),
    ],
    "readfix-torch171-rtx3070-prompt.txt": [
        ("torch-gpu-arch-not-supported", {"gpu": "GeForce RTX 3070", "sm": "sm_86"}),
        ("python-traceback-cut", {}),
    ],
    "readfix-win-fbgemm-126-collectenv.txt": [
        ("python-exception", {"exception": "OSError", "during": "import torch"}),
        (
            "library-dll-load-failed",
            {"library": "fbgemm.dll", "winerror": 126, "torch_lib": True},
        ),
        ("collect-env-torch-not-importable", {}),
    ],
    # attack10 (session s22): real pastes the newcomer's attack found, read by hand
    "attack10-driver-too-old-10010-assertion-slurm.txt": [
        ("python-exception", {}),
        ("torch-driver-too-old", {}),
    ],
    "attack10-fallen-off-bus-bumblebee-dmesg.txt": [("nvrm-fallen-off-bus", {})],
    "attack10-gpu-too-old-fermi-820m-thcudacheck-48.txt": [
        ("torch-gpu-arch-not-supported", {"sm": "sm_21"}),
        ("cuda-error-209", {"code": 209}),
    ],
    "attack10-hip-no-binary-navi14-rocminfo-irregular.txt": [("hip-no-binary-for-gpu", {})],
    # ROCm's other form of "no code object for this GPU" (rocmfix, attack12b H1)
    "hip-invalid-device-function-strix-halo-gfx1151-template.txt": [
        ("hip-no-binary-for-gpu", {"form": "invalid-device-function"}),
    ],
    "hip-invalid-device-function-rx5700xt-gfx1010-torch-rocm6.2.txt": [
        ("hip-no-binary-for-gpu", {"form": "invalid-device-function"}),
    ],
    "hip-no-binary-for-gpu-docker-rx6900xt-gfx1030.txt": [
        # `gpu`: an NVIDIA GPU flag (--gpus, CDI); AMD's --device=/dev/kfd is not one
        ("container-run-command", {"tool": "docker", "gpu": False}),
        ("hip-no-binary-for-gpu", {}),
    ],
    # hipErrorNoDevice in a paste that names WSL (rocmfix, attack12b M4)
    "hip-no-device-wsl-amdgpu-install-usecase-wsl-rocm6.3.4.txt": [
        ("hip-no-gpus", {"wsl_stated": True})
    ],
    # ROCm's memory access fault: the reason on the same line, on the next, or wrapped (rocmfix)
    "hip-memory-access-fault-raphael-igpu-as-gfx1100-rocm7.2.4.txt": [
        ("hip-memory-access-fault", {"node": 2, "reason": "page-not-present"}),
    ],
    "hip-memory-access-fault-node2-rocm4.2-training.txt": [
        ("hip-memory-access-fault", {"node": 2, "reason": "page-not-present"}),
    ],
    "hip-memory-access-fault-node10-radeon-vii-beside-rx6300.txt": [
        ("hip-memory-access-fault", {"node": 10, "reason": "page-not-present"}),
    ],
    "attack10-libcudnn8-poetry-virtualenv.txt": [
        ("python-exception", {}),
        ("library-not-found", {"library": "libcudnn.so.8"}),
    ],
    "attack10-sm120-fence-glued-direct3d.txt": [
        ("torch-gpu-arch-not-supported", {"sm": "sm_120"}),
    ],
    "attack10-traceback-cut-before-exception-edm.txt": [("python-traceback-cut", {})],
    "attack10-driver-too-old-11040-smi-header-3050.txt": [
        ("torch-driver-too-old", {"found_version": 11040, "driver_cuda": "11.4"}),
    ],
    "attack10-pip-placeholder-retyped-torch191-cu111.txt": [
        (
            "pip-no-matching-version",
            {
                "pinned": "1.9.1+cu111",
                "local": "cu111",
                "versions": ["0.1.2", "0.1.2post1", "0.1.2post2"],
            },
        ),
        ("pip-no-matching-distribution", {"requirement": "torch==1.9.1+cu111"}),
    ],
    # modprobe: FATAL: Module nvidia not found (a kernel update without DKMS; attack10 problem 8)
    "modprobe-nvidia-not-found-kernel-update-nvidia-docker365.txt": [
        ("kernel-module-not-found", {"module": "nvidia", "kernel": None}),
        ("kernel-module-not-found", {"module": "nvidia-uvm"}),
    ],
    "modprobe-nvidia-not-found-in-directory-fedora-nvidia-xrun135.txt": [
        ("kernel-module-not-found", {"module": "nvidia", "kernel": "5.2.13-200.fc30.x86_64"}),
        ("kernel-module-not-found", {"module": "nvidia_uvm"}),
        ("kernel-module-not-found", {"module": "nvidia_modeset"}),
        ("kernel-module-not-found", {"module": "nvidia_drm"}),
    ],
    "modprobe-nvidia-not-found-centos7-nvidia-docker291.txt": [
        ("kernel-module-not-found", {"module": "nvidia"}),
    ],
    "wsl2-kernel-line-cuda-100-rtx3080ti-wsl9821.txt": [("cuda-error-100", {"code": 100})],
    # CUDA error 46 in both wordings (attack10 problem 2)
    "cuda-46-devices-busy-t4-pytorch100691.txt": [
        ("python-exception", {"exception": "RuntimeError"}),
        ("cuda-error-46", {"code": 46, "name": "cudaErrorDevicesUnavailable"}),
    ],
    "cuda-46-devices-busy-thcudacheck-pytorch2704.txt": [
        ("cuda-error-46", {"code": 46}),
        ("python-traceback-cut", {}),
    ],
}


def _read(name: str) -> list[Line]:
    return lines_of((ERRORS / name).read_text(encoding="utf-8"))


def test_every_fixture_is_listed_with_its_source_and_expected_signals() -> None:
    # ext-*: real pastes listed in paste/SOURCES.tsv, their whole reading (signals included)
    # stated in tests/explain/real_pastes.py.
    files = {p.name for p in ERRORS.glob("*.txt") if not p.name.startswith("ext-")}
    with (ERRORS / "SOURCES.tsv").open(encoding="utf-8") as fh:
        sourced = {row["path"].split("/")[-1] for row in csv.DictReader(fh, delimiter="\t")}
    assert files == sourced
    assert files == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_signals(name: str) -> None:
    lines = _read(name)
    got = classify(lines)
    assert [s.id for s in got] == [i for i, _ in EXPECTED[name]]
    for signal, (_, params) in zip(got, EXPECTED[name]):
        assert {k: signal.params.get(k) for k in params} == params, signal
        # Every cited line exists and belongs to the paste.
        assert signal.lines and set(signal.lines) <= {line.number for line in lines}


def test_devicequery_number_and_message_are_one_error() -> None:
    """deviceQuery prints the number and the message on two lines: one signal cites both."""
    lines = _read("cuda-35-devicequery-result-fail.txt")
    (found,) = classify(lines)
    cited = [lines[n - 1].text for n in found.lines]
    assert cited == [
        "cudaGetDeviceCount returned 35",
        "-> CUDA driver version is insufficient for CUDA runtime version",
    ]


def test_a_signal_cites_the_line_that_says_it() -> None:
    lines = _read("case-07-fabricmanager-802-h100.txt")
    by_id = {s.id: s for s in classify(lines)}
    assert "Error 802" in lines[by_id["cuda-error-802"].lines[0] - 1].text
    assert "don't match" in lines[by_id["fabricmanager-version-mismatch"].lines[0] - 1].text


def test_signals_are_found_anywhere_in_a_mixed_paste() -> None:
    """Two reports pasted one after the other (with a prompt line between) give both sets."""
    first = (ERRORS / "case-07-fabricmanager-802-h100.txt").read_text(encoding="utf-8")
    second = (ERRORS / "kernel-xid-79-fallen-off-bus.txt").read_text(encoding="utf-8")
    got = {s.id for s in classify(lines_of(first + "$ dmesg | grep NVRM\n" + second))}
    assert {"cuda-error-802", "fabricmanager-version-mismatch", "nvrm-xid"} <= got


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cut_anywhere_never_raises_and_never_shortens_a_value(name: str) -> None:
    """A paste cut at any point (forum excerpts are) gives a subset of the whole's signals,
    never a value the whole does not have (a number cut to fewer digits)."""
    text = (ERRORS / name).read_text(encoding="utf-8")
    whole = {(s.id, repr(sorted(s.params.items()))) for s in classify(lines_of(text))}
    whole_values = {repr(v) for s in classify(lines_of(text)) for v in s.params.values()}
    rng = random.Random(name)
    cuts = sorted({rng.randrange(len(text) + 1) for _ in range(60)} | {len(text) // 2})
    for cut in cuts:
        for part in (text[:cut], text[cut:]):
            for signal in classify(lines_of(part)):
                for key in (
                    *("found_version", "code", "xid", "symbol", "library", "pinned"),
                    *("version", "driver", "virtual_cuda", "virtual_glibc", "cuda_driver"),
                ):
                    if key in signal.params:
                        assert repr(signal.params[key]) in whole_values, (cut, signal)
    assert whole  # the uncut fixture says something


def test_hostile_lines_never_raise() -> None:
    hostile = [
        "Traceback (most recent call last):",
        'File "' + "x" * 5000,
        "NVRM: Xid (PCI:" + "0" * 3000 + "): 79,",
        "undefined symbol: " + "a" * 10_000,
        "Could not find a version that satisfies the requirement torch (from versions: "
        + "1," * 5000,
        "with CUDA capability sm_" + "9" * 100 + " is not compatible",
        "\x00\ud800 cuda unknown error Error 999",
        "",
    ]
    for size in range(len(hostile) + 1):
        classify([Line(n, t) for n, t in enumerate(hostile[:size], start=1)])
    classify([Line(1, "Traceback (most recent call last):")] * 3)


# Lines from real reports (tests/fixtures/paste/errors/ext-cuda-3-*, SOURCES.tsv) and one made up
# to hold the words without CUDA.
@pytest.mark.parametrize(
    ("text", "reported"),
    [
        ("RuntimeError: CUDA error: initialization error", None),
        ("  what():  CUDA error: initialization error", None),
        (
            "RuntimeError: cuda runtime error (3) : initialization error at "
            "/pytorch/aten/src/THC/generic/THCStorage.c:60",
            None,
        ),
        (
            "THCudaCheck FAIL file=/opt/conda/work/aten/src/THC/THCGeneral.cpp line=51 error=3 : "
            "initialization error",
            None,
        ),
        ("Couldn't init a GPU test: Error (gpu_burn-drv.cpp:112): initialization error", None),
        ("cudaErrorInitializationError", None),
    ],
)
def test_cuda_error_3_as_the_runtimes_string(text: str, reported: Any) -> None:
    (found,) = classify(lines_of(text + "\n"))
    assert (found.id, found.params.get("reported")) == ("cuda-error-3", reported)


def test_initialization_error_without_cuda_is_not_cuda_error_3() -> None:
    assert classify(lines_of("ValueError: plugin foo: initialization error\n")) == []


def test_cuda_error_3_in_a_dataloader_worker_says_so() -> None:
    lines = lines_of((ERRORS / "ext-cuda-3-dataloader-worker-i3d.txt").read_text(encoding="utf-8"))
    (error,) = [s for s in classify(lines) if s.id == "cuda-error-3"]
    assert error.params.get("in_worker") is True
    alone = classify(lines_of("RuntimeError: CUDA error: initialization error\n"))
    assert "in_worker" not in alone[0].params


def test_cudnn_compiled_against_but_linked_against_tuples() -> None:
    # torch 1.12 (tests/fixtures/paste/errors/ext-cudnn-incompat-8.3.2-ld-library-path-functorch.txt)
    text = (
        "RuntimeError: cuDNN version incompatibility: PyTorch was compiled against (8, 3, 2) "
        "but linked against (8, 0, 3)\n"
    )
    (found,) = classify(lines_of(text))
    assert (found.id, found.params) == (
        "cudnn-version-mismatch",
        {"compiled": "8.3.2", "found": "8.0.3"},
    )


def test_an_undefined_symbol_in_an_extension_keeps_its_symbol_and_library() -> None:
    name = "ext-undefined-symbol-pytorch3d-extension-abi.txt"
    text = (ERRORS / name).read_text(encoding="utf-8")
    (found,) = classify(lines_of(text))
    assert found.params["symbol"] == "_ZNK2at6Tensor7is_cudaEv"
    assert found.params["library"] == "_C.cpython-37m-x86_64-linux-gnu.so"
    # Without its line end the paste may have been cut inside the symbol: no symbol then.
    (cut,) = classify(lines_of(text.rstrip("\n")))
    assert "symbol" not in cut.params


def test_a_cleanup_xid_names_its_cause_only_when_whole() -> None:
    line = "NVRM: Xid (PCI:0000:dc:00): 45, pid=1, name=python3, Ch 00000001 caused by previous Xid 149"
    (whole,) = classify(lines_of(line + "\n"))
    assert whole.params["caused_by"] == 149
    (cut,) = classify(lines_of(line[:-1]))  # "... Xid 14": maybe 149 cut short
    assert "caused_by" not in cut.params


def test_torchs_own_warning_about_a_library_is_torchs() -> None:
    # tests/fixtures/paste/errors/ext-cudnn-cnn-infer-warning-magictime.txt
    warning = (
        "miniforge3/envs/magictime/lib/python3.10/site-packages/torch/nn/modules/conv.py:456: "
        "UserWarning: Attempt to open cnn_infer failed: handle=0 error: libcudnn_cnn_infer.so.8: "
        "cannot open shared object file: No such file or directory\n"
    )
    (found,) = classify(lines_of(warning))
    assert found.params.get("in_torch") is True
    program = "OSError: libcudnn_ops_infer.so.8: cannot open shared object file: No such file\n"
    assert "in_torch" not in classify(lines_of(program))[0].params


@pytest.mark.parametrize(
    "text",
    [
        # a typo in a hand-typed command, not an arch nvcc lacks (multimodallearning/pytorch-mask-rcnn #38)
        "nvcc fatal   : Value '[sm_61]' is not defined for option 'gpu-architecture'",
        # the placeholder left in a README's command (jytime/Mask_RCNN_Pytorch #15)
        "nvcc fatal : value 'arch' is not defined for option 'gpu-architecture'",
        # ptxas, not nvcc: its own option (triton-lang/triton #8096), judged elsewhere
        "ptxas fatal   : Value 'sm_110a' is not defined for option 'gpu-name'",
    ],
)
def test_a_value_that_is_no_capability_is_no_unsupported_arch(text: str) -> None:
    assert not [s for s in classify(lines_of(text)) if s.id == "nvcc-unsupported-gpu-arch"]


def test_a_cuda_home_list_in_the_missing_nvcc_path_is_marked() -> None:
    # NVIDIA/apex #368: CUDA_HOME=$CUDA_HOME:/usr/local/cuda with CUDA_HOME already set
    text = (
        "FileNotFoundError: [Errno 2] No such file or directory: "
        "':/usr/local/cuda:/usr/local/cuda-10.1/bin/nvcc': "
        "':/usr/local/cuda:/usr/local/cuda-10.1/bin/nvcc'"
    )
    found = [s for s in classify(lines_of(text)) if s.id == "nvcc-not-found"]
    assert len(found) == 1
    assert found[0].params["cuda_home"] == ":/usr/local/cuda:/usr/local/cuda-10.1"
    assert found[0].params["listed"] is True
    windows = "error: command 'C:/CUDA/v11.0/bin/nvcc.exe' failed: No such file or directory"
    (drive,) = [s for s in classify(lines_of(windows)) if s.id == "nvcc-not-found"]
    assert drive.params["cuda_home"] == "C:/CUDA/v11.0" and "listed" not in drive.params
