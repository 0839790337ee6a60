"""The section readers on real pasted outputs (tests/fixtures/paste/<kind>/, SOURCES.tsv names
each one's source): each is claimed whole by its reader, gives the facts its text states, and
cut after any line still reads without raising (what cannot be read goes to `unread`)."""

from __future__ import annotations

import contextlib
import importlib
import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.model.paste import Line, Reading
from envsetup.parsers import ParseError

PASTE = Path(__file__).parent.parent / "fixtures" / "paste"
MODULES = {
    "collect-env": "collect_env",
    "nvidia-smi": "nvidia_smi",
    "proc-driver-version": "proc_driver",
    "cudnn-header": "cudnn",
    "ldconfig": "ldconfig",
    "ls-cuda": "ls_cuda",
    "conda-info": "conda_info",
    "packages": "packages",
    "env-report": "env_report",
    "python-check": "python_check",
}
# A stand-in for explain's normaliser, which removes shell prompts before the readers see lines.
PROMPT = re.compile(r"^(?:> ?)?(?:\S+@\S+[#$]|\S*\$|\[[^\]]*\][#$])\s|^> ?")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# fixture -> (first line the reader claims, 1-based; facts the text states, by dotted path[;
# last line claimed, where the paste goes on with another kind of text])
EXPECTED: Dict[str, Tuple[Any, ...]] = {
    # collect_env
    "jetson-orin-nano-torch-na-cuda11.4-cudnn8.6-aarch64.txt": (1, {"os.arch": "aarch64", "cuda.nvcc_on_path_version": "11.4.315", "cudnn.0.version": "8.6.0", "python.version": "3.8.10"}),
    "linux-torch1.10.2-cu113-conda-cuda-false.txt": (1, {"torch.version": "1.10.2", "torch.cuda_version": "11.3", "torch.deep.cuda_available": False, "cuda.toolkits.0.version": "11.3.1"}),
    "linux-torch2.3.1-cu121-8x-h100-nvidia-kernel-cudnn8.9.6.txt": (1, {"torch.version": "2.3.1+cu121", "nvidia.driver_version": "550.90.07", "nvidia.gpus.7.name": "NVIDIA H100 80GB HBM3", "cudnn.0.version": "8.9.6", "os.glibc": "2.35"}),
    "linux-torch2.5.0.dev-cu121-a100-mig-3g.40gb.txt": (1, {"torch.cuda_version": "12.1", "nvidia.driver_version": "535.161.08", "nvidia.gpus.0.mig_mode": "Enabled"}),
    "linux-torch2.6.0-cu124-8x-h100-centos-stream9-cudnn8-and-9.txt": (1, {"torch.version": "2.6.0+cu124", "nvidia.driver_version": "535.154.05", "cudnn.1.version": "9.7.1", "os.glibc": "2.34"}),
    "linux-torch2.6.0-cu126-rtx5090d-sm120-warning-driver570.txt": (8, {"nvidia.driver_version": "570.124.04", "nvidia.gpus.0.name": "NVIDIA GeForce RTX 5090 D", "torch.cuda_version": "12.6"}),
    "linux-torch2.9.1-cu126-h100-driver580-conda-forge.txt": (1, {"torch.version": "2.9.1+cu126", "nvidia.driver_version": "580.126.09", "python.version": "3.11.14"}),
    "macos-arm64-torch1.13.0.dev-conda-forge-m1.txt": (1, {"os.system": "Darwin", "os.macos_version": "12.2.1", "torch.flavor": "macos", "torch.torchvision": "0.12.0"}),
    "macos-x86_64-torch2.2.2.txt": (1, {"os.system": "Darwin", "torch.version": "2.2.2", "os.arch": "x86_64"}),
    # pytorch/pytorch #145670: the first line joined to "PyTorch version:"; the GPU's gfx target
    "rocm-joined-first-line-rx5700xt-gfx1010-torch2.7-rocm6.3.txt": (1, {"torch.version": "2.7.0.dev20250123+rocm6.3", "torch.flavor": "rocm", "rocm.gfx_targets": ["gfx1010"], "rocm.gpus.0.name": "AMD Radeon RX 5700 XT"}),
    "rocm-torch1.7.0a0-rocm3.7.txt": (1, {"torch.flavor": "rocm", "torch.hip_version": "3.7.20315-077bcfa0", "nvidia.gpus": None}),
    "scalellm-torch2.4.0-cu124-a100-80gb-pcie-topology.txt": (1, {"nvidia.driver_version": "550.90.07", "nvidia.gpus.0.name": "NVIDIA A100 80GB PCIe"}),
    "windows-cpu-torch2.8.0.dev-cpu.txt": (3, {"os.system": "Windows", "os.windows_version": "10.0.22631", "torch.flavor": "cpu"}),
    "facts-collect-env-runpy-conda-v100s.txt": (1, {"torch.version": "2.5.1+cu118", "cuda.nvcc_on_path_version": "11.8.89", "nvidia.gpus.1.name": "Tesla V100S-PCIE-32GB"}),
    "facts-collect-env-1080ti-nvcc-11.7-energonai.txt": (2, {"torch.version": "1.12.1+cu113", "cuda.nvcc_on_path_version": "11.7.99", "nvidia.driver_version": "515.65.01"}, 34),
    # collect_env after torch's traceback (pytorch #133397): "PyTorch version: N/A" states nothing.
    "mergefix-win-fbgemm-126-collectenv.txt": (11, {"os.system": "Windows", "torch.version": None, "python.version": "3.12.5"}),
    # The reader takes the last line as printed; explain's merge drops the name the paste's end cut.
    "mergefix-vllm-19542-1080ti-cu126-cut.txt": (2, {"torch.version": "2.7.0+cu126", "torch.deep.cuda_available": True, "nvidia.gpus.0.name": "NVIDIA GeForce GTX"}),
    "mergefix-vggt-5070ti-windows-smi.txt": (2, {"nvidia.driver_version": "581.57", "nvidia.gpus.0.name": "NVIDIA GeForce RTX 5070 Ti"}, 12),
    "wsl2-torch2.4.0-cu121-rtx4070-laptop.txt": (1, {"os.wsl": 2, "nvidia.driver_version": "551.88", "nvidia.gpus.0.name": "NVIDIA GeForce RTX 4070 Laptop GPU"}),
    "vllm-sectioned-rhel8.3-torch2.5.1-cu124-partial.txt": (1, {"torch.version": "2.5.1+cu124", "os.glibc": "2.28", "python.version": "3.10.16"}),
    "vllm-torch2.7.0-cu128-a100-sxm4-40gb-driver575-partial.txt": (1, {"torch.cuda_version": "12.8", "nvidia.driver_version": "575.51.03", "cuda.nvcc_on_path_version": "12.9.41"}),
    "linux-torch1.3.1-indented-cuda-not-available-rtx2080ti.txt": (1, {"torch.version": "1.3.1", "torch.flavor": "cpu", "torch.deep.cuda_available": False, "nvidia.driver_version": "430.64", "cudnn.1.path": "/usr/local/cuda-10.1/targets/x86_64-linux/lib/libcudnn.so.7.6.5", "torch.torchvision": "0.4.2"}),
    "linux-torch1.6.0-rhel7.6-2x-v100-cuda-not-available-conda-pip.txt": (1, {"torch.cuda_version": "10.2", "nvidia.gpus.1.name": "Tesla V100-PCIE-16GB", "os.system": "Linux"}, 24),
    "windows11-torch2.0.1-cu117-gtx1050ti-cudnn-dll-partial.txt": (1, {"os.system": "Windows", "nvidia.driver_version": "535.98", "cudnn.0.version": "8", "torch.torchaudio": "2.0.2+cu117"}),
    "windows-server2019-torch1.5.0-cu101-2x-titan-rtx-quoted-partial.txt": (2, {"os.system": "Windows", "torch.deep.cuda_available": True, "cudnn.0.version": "7", "nvidia.gpus.1.name": "TITAN RTX"}),
    "linux-torch1.3.1-8x-titan-xp-driver410-cuda-not-available-partial.txt": (1, {"torch.cuda_version": "10.1.243", "nvidia.driver_version": "410.48", "nvidia.gpus.7.name": "TITAN Xp"}),
    "colab-torch1.7.0-cu101-tesla-t4-debug-build-true-partial.txt": (1, {"torch.version": "1.7.0+cu101", "nvidia.gpus.0.name": "Tesla T4", "nvidia.driver_version": "418.67"}),
    "windows10-torch1.0.0-cuda90-conda-gtx1050-oldest-format.txt": (1, {"torch.version": "1.0.0", "torch.cuda_version": "9.0", "torch.cudnn_version": "7", "os.system": "Windows", "nvidia.driver_version": "398.36"}),
    # nvidia-smi, default table
    "390.138-2x-tesla-m2090-no-cuda-version.txt": (2, {"nvidia.driver_version": "390.138", "nvidia.driver_cuda_version": None, "nvidia.gpus.1.name": "Tesla M2090"}),
    "450.119.03-a100-sxm4-40gb-partial.txt": (1, {"nvidia.driver_version": "450.119.03", "nvidia.driver_cuda_version": "11.0", "nvidia.gpus.0.memory_total_mib": 40537}),
    "450.191.01-cuda-11.3-forward-compat-a100-sxm-80gb-partial.txt": (1, {"nvidia.driver_version": "450.191.01", "nvidia.driver_cuda_version": "11.3"}),
    "450.57-titan-xp-single.txt": (1, {"nvidia.driver_version": "450.57", "nvidia.gpus.0.name": "TITAN Xp"}),
    "460.73.01-cuda-version-na-in-device-plugin-pod-header.txt": (1, {"nvidia.driver_version": "460.73.01", "nvidia.smi_cuda_version_raw": "N/A"}),
    "510-mig-devices-section-a100-3x-2g.20gb-partial.txt": (1, {"nvidia.gpus.0.index": 1, "nvidia.gpus.0.mig_mode": "Enabled"}),
    "510.47.03-a100-sxm-mixed-mig-partial.txt": (1, {"nvidia.driver_version": "510.47.03", "nvidia.gpus.1.mig_mode": "Enabled"}),
    "510.85.02-a100-80g-pcie-multi-partial.txt": (1, {"nvidia.driver_version": "510.85.02", "nvidia.driver_cuda_version": "11.6"}),
    "525.60.13-2x-grid-a100-40c-vgpu.txt": (1, {"nvidia.driver_version": "525.60.13", "nvidia.gpus.1.name": "GRID A100-40C"}),
    "535.129.03-2x-rtx3090.txt": (1, {"nvidia.driver_version": "535.129.03", "nvidia.driver_cuda_version": "12.2", "nvidia.gpus.1.memory_total_mib": 24576}),
    "535.129.03-h100-80gb-hbm3-partial.txt": (1, {"nvidia.gpus.0.name": "NVIDIA H100 80GB HBM3"}),
    "550.40.07-rtx4070-single.txt": (1, {"nvidia.driver_version": "550.40.07", "nvidia.gpus.0.name": "NVIDIA GeForce RTX 4070"}),
    "550.54.15-8x-h100-hgx-partial.txt": (1, {"nvidia.driver_version": "550.54.15", "nvidia.driver_cuda_version": "12.4"}),
    "575.64.03-cuda-version-na-freebsd-linux-shim-rtx5070.txt": (1, {"nvidia.smi_cuda_version_raw": "N/A", "nvidia.gpus.0.name": "NVIDIA GeForce RTX 5070"}),
    "580.126.09-a100-sxm4-40gb-multi-partial.txt": (2, {"nvidia.driver_version": "580.126.09", "nvidia.driver_cuda_version": "13.0"}),
    "595.80-l40s-fedora44-full.txt": (1, {"nvidia.driver_version": "595.80", "nvidia.gpus.0.name": "NVIDIA L40S"}),
    "610.57.04-linux-kmd-umd-rtx2080super-full.txt": (1, {"nvidia.driver_version": "610.57.04", "nvidia.driver_cuda_version": "13.3"}),
    "windows-419.71-mx250-wddm-indented.txt": (2, {"nvidia.driver_version": "419.71", "nvidia.gpus.0.name": "GeForce MX250"}),
    "windows-460.15-nvidia-smi-exe-from-wsl.txt": (1, {"nvidia.driver_version": "460.15", "nvidia.driver_cuda_version": "11.1"}),
    "windows-461.79-rtx3060-laptop-wddm.txt": (2, {"nvidia.driver_version": "461.79"}),
    "windows-610.62-kmd-umd-wddm-cg-processes-full.txt": (1, {"nvidia.driver_version": "610.62", "nvidia.driver_cuda_version": "13.3"}),
    "wsl2-545.46-win546.80-cuda-err-partial.txt": (1, {"nvidia.driver_version": "546.80", "nvidia.smi_cuda_version_raw": "ERR!"}),
    # nvidia-smi: mig, topo, -q, -q -x, -L, --version, --query-gpu
    "mig-lgip-gb200-partial.txt": (1, {"nvidia.gpus.0.mig_mode": "Enabled"}),
    "mig-lgip-gh200-144g-partial.txt": (1, {"nvidia.gpus.0.mig_mode": "Enabled"}),
    "mig-lgip-rtx-pro-6000-blackwell-gfx-profiles-partial.txt": (1, {"nvidia.gpus.0.mig_mode": "Enabled"}),
    "mig-lgi-4x-a100-80gb-partial.txt": (1, {"nvidia.gpus.1.mig_mode": "Enabled"}),
    "topo-m-8x-h100-nv18-sglang-check-env-partial.txt": (1, {}),
    "topo-m-single-h100-ansi-underline-escape.txt": (1, {}),
    "q-396.54-gtx1080-no-cuda-line-partial.txt": (1, {"nvidia.driver_version": "396.54", "nvidia.gpus.0.name": "GeForce GTX 1080"}),
    "q-a-510.68.02-cuda-11.6-gtx1650-mig-mode-partial.txt": (1, {"nvidia.driver_cuda_version": "11.6", "nvidia.gpus.0.uuid": "GPU-7878ba12-9b30-8f49-3da8-7930824af120"}),
    "q-450.66-cuda-11.0-gtx780-partial.txt": (1, {"nvidia.driver_version": "450.66", "nvidia.gpus.0.name": "GeForce GTX 780"}),
    "q-440.36-cuda-10.2-gtx1050ti-partial.txt": (1, {"nvidia.driver_cuda_version": "10.2", "nvidia.gpus.0.name": "GeForce GTX 1050 Ti"}),
    "nvidia-smi-q-x-a100-sxm4-v12.xml.txt": (1, {"nvidia.driver_version": "535.54.03", "nvidia.gpus.0.mig_mode": "Enabled", "nvidia.gpus.0.memory_total_mib": 81920}),
    "nvidia-smi-q-x-quadro-p400.xml.txt": (1, {"nvidia.driver_version": "418.43", "nvidia.gpus.0.name": "Quadro P400"}),
    "nvidia-smi-q-x-rtx-3080-v13.xml.txt": (1, {"nvidia.driver_version": "595.58.03", "nvidia.driver_cuda_version": "13.2"}),
    "nvidia-smi-q-x-rtx-3090-v12.xml.txt": (1, {"nvidia.driver_version": "525.147.05", "nvidia.gpus.0.name": "NVIDIA GeForce RTX 3090"}),
    "nvidia-smi-q-x-tesla-t4.xml.txt": (1, {"nvidia.driver_version": "515.105.01", "nvidia.gpus.0.name": "Tesla T4"}),
    "detect-L-8x-h200-uuids-cut-then-802-nvcc-12.9-table-top-cut-575.57.08.txt": (1, {"nvidia.gpus.7.name": "NVIDIA H200", "nvidia.gpus.0.uuid": None}, 8),
    "nvidia-smi-L-a100-pcie-7x-mig-1g.5gb-old-uuid.txt": (1, {"nvidia.gpus.0.name": "A100-PCIE-40GB", "nvidia.gpus.0.mig_mode": "Enabled"}),
    "L-2x-quadro-rtx4000.txt": (1, {"nvidia.gpus.1.uuid": "GPU-d6de6afc-bdfe-75c4-5273-0544439153fc", "nvidia.gpus.0.name": "Quadro RTX 4000"}),
    "L-4x-rtx3090.txt": (1, {"nvidia.gpus.3.name": "NVIDIA GeForce RTX 3090"}),
    "L-4x-a100-sxm4-80gb-mig-1g.20gb-new-uuids.txt": (1, {"nvidia.gpus.0.mig_mode": "Enabled", "nvidia.gpus.1.mig_mode": None, "nvidia.gpus.3.name": "NVIDIA A100-SXM4-80GB"}),
    "query-gpu-csv-header-5x-gtx1060-1080ti-pci-bus.txt": (1, {"nvidia.gpus.1.name": "GeForce GTX 1080 Ti", "nvidia.gpus.4.index": 4}),
    "query-gpu-csv-noheader-2x-quadro-rtx6000-570.211.01-then-lspci.txt": (1, {"nvidia.driver_version": "570.211.01", "nvidia.gpus.1.memory_total_mib": 24576}, 3),
    "q-440.82-cuda-10.2-gtx1650-partial.txt": (1, {"nvidia.driver_version": "440.82", "nvidia.gpus.0.name": "GeForce GTX 1650"}),
    "nvidia-smi-version-590.48.01.txt": (1, {"nvidia.driver_version": "590.48.01", "nvidia.driver_cuda_version": "13.1"}),
    "nvidia-smi-version-610.57.04-deprecated-driver-version.txt": (1, {"nvidia.driver_version": "610.57.04", "nvidia.driver_cuda_version": "13.3"}),
    "query-gpu-csv-tesla-p100.csv.txt": (1, {"nvidia.gpus.0.name": "Tesla P100-PCIE-16GB"}),
    # nvidia-smi failures
    "couldnt-communicate-after-unattended-upgrade.txt": (1, {"nvidia.smi_failure": "couldnt-communicate"}),
    "couldnt-communicate-typographic-apostrophe-then-nvcc-10.0-chinese.txt": (3, {"nvidia.smi_failure": "couldnt-communicate"}, 3),
    "no-devices-found-query-csv-ci.txt": (1, {"nvidia.smi_failure": "no-devices"}, 1),
    "nvidia-smi-not-found-diagnostics-rhel8.txt": (3, {"nvidia.smi_state": "not-found"}, 3),
    "nvml-mismatch-570.124-with-library-version.txt": (1, {"nvidia.smi_failure": "version-mismatch"}),
    "nvml-mismatch-old-format.txt": (1, {"nvidia.smi_failure": "version-mismatch"}),
    "unable-to-determine-device-handle-0B.txt": (1, {"nvidia.smi_failure": "gpu-lost"}),
    "nvml-unknown-error-container-after-daemon-reload.txt": (1, {"nvidia.smi_failure": "nvml-unknown-error"}),
    "wsl-couldnt-communicate-driver-not-loaded.txt": (1, {"nvidia.smi_state": "failed"}),
    # /proc/driver/nvidia/version
    "nvml-mismatch-580.178-vs-proc-version-580.173.02-truenas.txt": (4, {"nvidia.kernel_module_version": "580.173.02"}),
    "proc-driver-nvidia-version-384.98-proprietary.txt": (1, {"nvidia.kernel_module": "proprietary", "nvidia.kernel_module_version": "384.98"}),
    "proc-driver-nvidia-version-jetson-orin-35.3.1-aarch64.txt": (1, {"nvidia.kernel_module": "open", "os.arch": "aarch64"}),
    "proc-driver-nvidia-version-open-565.57.01-ubuntu24.04.txt": (1, {"nvidia.kernel_module": "open", "nvidia.kernel_module_version": "565.57.01"}),
    # cuDNN headers
    "cudnn.h-7.2.1-block.txt": (1, {"cudnn.0.version": "7.2.1"}),
    "cudnn_version.h-8.2.1-block.txt": (1, {"cudnn.0.version": "8.2.1"}),
    "cudnn_version.h-9.6.0-block.txt": (1, {"cudnn.0.version": "9.6.0"}),
    # ldconfig, ls -l, conda info, package lists
    "ldconfig-p-grep-cudnn8-nvinfer8-in-usr-local-cuda-lib64-partial.txt": (1, {"cudnn.0.path": "/usr/local/cuda/lib64/libcudnn_ops_train.so.8"}),
    "ldconfig-p-grep-cudart-cuda-11.8-partial.txt": (1, {}),
    "ls-l-usr-local-cuda-dangling-tmp-target-cuda-11.8-image.txt": (1, {}),
    "ls-l-cuda-12.8-lib64-nvjitlink-nvblas-partial.txt": (1, {"cudnn": None}),
    "ldconfig-p-grep-cuda-12.0-targets-lib-partial.txt": (1, {"cudnn": None}),
    "conda-4.6.3-osx-cuda-10.0-docs-example-flattened.txt": (1, {"nvidia.driver_cuda_version": "10.0", "os.system": "Darwin", "os.glibc": None}),
    "conda-info-cuda-11.2-ubuntu18.04-gpfs.txt": (1, {"nvidia.driver_cuda_version": "11.2", "os.glibc": "2.27", "os.system": "Linux"}),
    "pip-list-cuda-toolkit-12.6.3-with-cuda-bindings-12.9.7-partial.txt": (1, {"cuda.toolkits.0.version": "12.6.3"}),
    "conda-list-pypi-nvidia-cu11-wheels-cuda-runtime-11.8-cudnn-8.7-partial.txt": (1, {"torch.requires_nvidia.nvidia-cudnn-cu11": "8.7.0.84", "cuda.toolkits.0.path": "pip wheel nvidia-cuda-runtime-cu11", "cudnn.0.version": "8.7.0.84"}),
    "pip-list-nvidia-cu13-wheels-cudnn-9.15-cublas-13.1-partial.txt": (1, {"torch.requires_nvidia.nvidia-cudnn-cu13": "9.15.1.9", "torch.requires_nvidia.nvidia-cublas": "13.1.0.3", "cudnn.0.version": "9.15.1.9"}),
    "conda-list-mixed-cuda-11.7-11.8-12.1-nvidia-channel-partial.txt": (1, {"cuda.toolkits.0.version": "11.7.1"}),
    # tools' `- Key: value` environment reports (accelerate, diffusers, llamafactory, transformers)
    "accelerate-env-0.22.0.dev0-aarch64-npu-torch2.0.1-config.txt": (4, {"os.arch": "aarch64", "os.glibc": "2.26", "os.kernel": "4.19.90-vhulk2209.2.0.h1327.eulerosv2r10.aarch64", "python.version": "3.8.17", "torch.version": "2.0.1", "torch.deep.cuda_available": False, "nvidia.gpus": None}, 29),
    "accelerate-env-0.28.0-windows10-rtx4070-torch2.2.1.txt": (1, {"os.system": "Windows", "os.windows_version": "10.0.19045", "python.version": "3.8.18", "torch.deep.cuda_available": True, "nvidia.gpus.0.name": "NVIDIA GeForce RTX 4070"}),
    "detect-llamafactory-cli-env-0.9.3-torch2.7.0-cu126-no-gpu-802.txt": (8, {"torch.version": "2.7.0+cu126", "torch.flavor": "cuda", "torch.cuda_version": "12.6", "torch.deep": None, "os.kernel": "6.1.94-99.176.amzn2023.x86_64", "os.glibc": "2.34", "python.version": "3.10.16"}, 17),
    "diffusers-cli-env-0.4.0.dev0-wsl1-torch1.12.1-cu116-false.txt": (1, {"os.wsl": 1, "os.kernel": "4.4.0-19041-Microsoft", "torch.cuda_version": "11.6", "torch.deep.cuda_available": False, "python.version": "3.9.13"}),
    # bug templates' hand-written lists: bullets, bold keys, bare keys (attack10 defect 8)
    "readfix-bullets-rtx5090-driver590-berkeley49.txt": (1, {"nvidia.gpus.0.name": "NVIDIA GeForce RTX 5090", "nvidia.driver_version": "590.48.01", "os.system": "Linux", "os.distro_name": "Ubuntu 24.04.4 LTS"}),
    "readfix-bare-keys-rtx5090-torch250-mir35.txt": (1, {"torch.version": "2.5.0+cu121", "torch.cuda_version": "12.1", "nvidia.gpus.0.name": "NVIDIA GeForce RTX 5090", "os.distro_name": "Ubuntu 20.04", "nvidia.driver_version": None}),
    "readfix-bullets-rtx5090-torch222-driver570-cosmos21.txt": (7, {"nvidia.gpus.0.name": "NVIDIA GeForce RTX 5090", "torch.version": "2.2.2", "nvidia.driver_version": "570.144", "torch.cuda_version": None}),
    "readfix-bold-keys-1080ti-torch291-cu130-corridorkey87.txt": (4, {"os.system": "Windows", "os.windows_version": "10.0.26200", "python.version": "3.11.15", "torch.version": "2.9.1+cu130", "nvidia.gpus.0.name": "NVIDIA GeForce GTX 1080 Ti"}),
    "transformers-cli-info-2.4.0-windows10-torch1.4.0-gpu.txt": (2, {"os.windows_version": "10.0.18362", "python.version": "3.6.8", "torch.version": "1.4.0", "torch.deep.cuda_available": True}, 10),
    # python -V, python -c one-liners, REPL torch expressions (attack10 defect 4)
    "readfix-print-torch-version-1.8.1-cu102-pytorch85332.txt": (1, {"torch.version": "1.8.1+cu102", "torch.cuda_version": "10.2", "torch.flavor": "cuda"}),
}  # fmt: skip


def _fixtures() -> List[Tuple[str, Path]]:
    # errors/ holds the error classifier's fixtures (tests/parsers/test_signals.py); ext-* are
    # the real pastes whose whole reading tests/explain/real_pastes.py states (source in
    # paste/SOURCES.tsv).
    return sorted((kind.name, path) for kind in PASTE.iterdir() if kind.name in MODULES
                  for path in kind.glob("*.txt") if not path.name.startswith("ext-"))  # fmt: skip


def _reader(kind: str) -> Any:
    return importlib.import_module(f"envsetup.explain.sections.{MODULES[kind]}")


def lines_of(text: str) -> List[Line]:
    return [
        Line(n, ANSI.sub("", PROMPT.sub("", raw, count=1)))
        for n, raw in enumerate(text.splitlines(), 1)
    ]


def _value(facts: Any, path: str) -> Any:
    node = facts
    for key in path.split("."):
        if isinstance(node, list):
            node = node[int(key)] if int(key) < len(node) else None
        elif isinstance(node, dict):
            node = node.get(key)
        else:
            return None
    return node


def _stated_absent(facts: Any, path: str) -> bool:
    *parents, leaf = path.split(".")
    node = _value(facts, ".".join(parents)) if parents else facts
    return isinstance(node, dict) and leaf in node and node[leaf] is None


def _first_section(module: Any, lines: List[Line]) -> Tuple[int, int]:
    for start in range(len(lines)):
        count = module.READER.extent(lines, start)
        if count:
            return start, count
    return -1, 0


def test_every_fixture_has_its_expectation_and_a_source() -> None:
    found = {path.name for _, path in _fixtures()}
    assert found == set(EXPECTED)
    for kind in {kind for kind, _ in _fixtures()}:
        listed = (PASTE / kind / "SOURCES.tsv").read_text()
        for path in (PASTE / kind).glob("*.txt"):
            if path.name.startswith("ext-"):
                continue  # listed in paste/SOURCES.tsv
            assert f"{path.name}\t" in listed, f"{kind}/{path.name} has no SOURCES.tsv row"


@pytest.mark.parametrize(("kind", "path"), _fixtures(), ids=lambda v: getattr(v, "name", v))
def test_reader_claims_the_fixture_and_reads_its_facts(kind: str, path: Path) -> None:
    module = _reader(kind)
    lines = lines_of(path.read_text(errors="replace"))
    first, facts, *until = EXPECTED[path.name]
    start, count = _first_section(module, lines)
    assert start + 1 == first, f"claimed from line {start + 1}"
    last = until[0] if until else max(line.number for line in lines if line.text.strip())
    assert lines[start + count - 1].number == last, "the section stops before the paste's end"
    reading = module.READER.read(lines[start : start + count])
    assert isinstance(reading, Reading)
    assert reading.kind.startswith(module.READER.kind.split("-")[0])
    assert reading.unread == []  # a whole real output is read whole
    for dotted, expected in facts.items():
        assert _value(reading.facts, dotted) == expected, dotted
    for dotted, number in reading.sources.items():
        assert lines[start].number <= number <= last, dotted
        # Every source names a fact the section states: a value, or an explicit null for a fact
        # stated absent (collect_env's "PyTorch version: N/A").
        assert _value(reading.facts, dotted) is not None or _stated_absent(reading.facts, dotted), (
            dotted
        )


@pytest.mark.parametrize(("kind", "path"), _fixtures(), ids=lambda v: getattr(v, "name", v))
def test_cut_after_any_line_never_raises(kind: str, path: Path) -> None:
    module = _reader(kind)
    lines = lines_of(path.read_text(errors="replace"))
    step = max(1, len(lines) // 60)  # the long XML logs: every 60th cut is plenty
    for cut in range(0, len(lines) + 1, step):
        kept = lines[:cut]
        for start in range(len(kept)):
            count = module._scan(kept, start)  # unguarded: a bug must show here
            assert 0 <= count <= len(kept) - start
            if count:
                try:
                    reading = module._read(kept[start : start + count])
                except ParseError:
                    continue  # the guarded reader reports the section unread
                numbers = {line.number for line in kept[start : start + count]}
                assert set(reading.unread) <= numbers
                break


def test_dangling_cuda_link_is_signalled() -> None:
    module = _reader("ls-cuda")
    path = PASTE / "ls-cuda" / "ls-l-usr-local-cuda-dangling-tmp-target-cuda-11.8-image.txt"
    lines = lines_of(path.read_text())
    (signal,) = module.READER.read(lines).signals
    assert signal.id == "cuda-symlink"
    assert signal.params["target"] == "/tmp/tmpayalvm_3m/cuda-11"
    assert signal.lines == [2]


def test_garbage_is_not_claimed_and_reads_unread() -> None:
    lines = lines_of("hello\n| not | a table |\nGPU 0: x\n<html>\n==== ====\n")
    for kind in MODULES:
        module = _reader(kind)
        assert all(module.READER.extent(lines, i) == 0 for i in range(-1, len(lines) + 1)), kind
        assert isinstance(module.READER.read(lines), Reading)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=60),
            st.sampled_from(
                [
                    "Collecting environment information...",
                    "PyTorch version: 2.4.0+cu121",
                    "GPU models and configuration:",
                    "GPU 0: NVIDIA A100 (UUID: GPU-1)",
                    "| NVIDIA-SMI 535.129.03   Driver Version: 535.129.03   CUDA Version: 12.2 |",
                    "+-----------------------------------------------------------------------------+",
                    "<nvidia_smi_log>",
                    "==============NVSMI LOG==============",
                    "name, driver_version, memory.total [MiB]",
                    "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.129.03  Thu Oct 19",
                    "#define CUDNN_MAJOR 9",
                    "\tlibcudnn.so.9 (libc6,x86-64) => /usr/lib/libcudnn.so.9",
                    "lrwxrwxrwx 1 root root 22 Jan  1 00:00 cuda -> /usr/local/cuda-12.4",
                    "       virtual packages : __cuda=12.2=0",
                    "torch==2.4.0+cu121",
                    "Package    Version",
                    "Copy-and-paste the text below in your GitHub issue",
                    "- Platform: Linux-5.15.0-1-generic-x86_64-with-glibc2.35",
                    "- PyTorch version (GPU?): 2.4.0+cu121 (True)",
                    "- Python version: 3.10.12",
                    "- GPU type: NVIDIA A100-SXM4-80GB",
                    "\t- compute_environment: LOCAL_MACHINE",
                    "",
                ]
            ),
        ),
        max_size=25,
    )
)
def test_any_text_is_scanned_and_read_without_raising(texts: List[str]) -> None:
    lines = [Line(n, text) for n, text in enumerate(texts, 1)]
    for kind in MODULES:
        module = _reader(kind)
        for start in range(len(lines)):
            count = module._scan(lines, start)  # unguarded
            assert 0 <= count <= len(lines) - start
            if count:
                # ParseError: the guarded reader reports the section unread
                with contextlib.suppress(ParseError):
                    module._read(lines[start : start + count])


def _default_tables() -> List[Path]:
    return [
        path
        for kind, path in _fixtures()
        if kind == "nvidia-smi"
        and "Bus-Id" in path.read_text(errors="replace")
        and "| NVIDIA-SMI" in path.read_text(errors="replace")
    ]


@pytest.mark.parametrize("path", _default_tables(), ids=lambda p: p.name)
def test_a_table_whose_top_the_paste_cut_is_still_read_from_its_rows(path: Path) -> None:
    module = _reader("nvidia-smi")
    lines = lines_of(path.read_text(errors="replace"))
    start, count = _first_section(module, lines)
    whole = module.READER.read(lines[start : start + count])
    names = [gpu.get("name") for gpu in whole.facts["nvidia"].get("gpus", []) if gpu.get("name")]
    rule = next(i for i in range(start, start + count) if lines[i].text.strip().startswith("|="))
    for cut in range(start + 1, rule + 1):  # the border, the header, the column headers...
        kept = lines[cut : start + count]
        at, claimed = _first_section(module, kept)
        assert at == 0, f"cut before line {cut + 1}: not recognised"
        reading = module.READER.read(kept[:claimed])
        assert reading.unread == [], f"cut before line {cut + 1}"
        got = [gpu.get("name") for gpu in reading.facts["nvidia"]["gpus"] if gpu.get("name")]
        assert got[: len(names)] == names[: len(got)] and got, f"cut before line {cut + 1}"


def test_a_processes_box_alone_is_read_as_a_table() -> None:
    module = _reader("nvidia-smi")
    path = PASTE / "nvidia-smi" / "535.129.03-2x-rtx3090.txt"
    lines = lines_of(path.read_text())
    at = next(i for i, line in enumerate(lines) if "Processes:" in line.text) - 1
    box = [Line(n, line.text) for n, line in enumerate(lines[at:], 1)]
    assert module.READER.extent(box, 0) == len([line for line in box if line.text.strip()])
    reading = module.READER.read(box)
    assert (reading.kind, reading.unread) == ("nvidia-smi-table", [])
    # no GPU, no version: only that nvidia-smi answered (a cut paste is not a failure, issue 11)
    assert reading.facts == {"nvidia": {"smi_state": "ok"}}


def test_cut_xml_log_still_gives_its_whole_elements() -> None:
    module = _reader("nvidia-smi")
    path = PASTE / "nvidia-smi" / "nvidia-smi-q-x-tesla-t4.xml.txt"
    lines = lines_of(path.read_text())[:40]  # cut inside the first <gpu>
    reading = module.READER.read(lines[: module.READER.extent(lines, 0)])
    assert reading.kind == "nvidia-smi-xml"
    assert _value(reading.facts, "nvidia.driver_version") == "515.105.01"
    assert _value(reading.facts, "nvidia.gpus.0.name") == "Tesla T4"


def test_a_line_holding_a_character_splitlines_breaks_at_stays_one_line() -> None:
    # Hypothesis found it: the normaliser splits at "\n" only, the parsers with splitlines(), so
    # a form feed or U+2028 inside a pasted line shifted every later line number (IndexError).
    module = _reader("collect-env")
    texts = ["Collecting environment information", "\n", "PyTorch version: 2.4.0+cu121"]
    lines = [Line(n, t) for n, t in enumerate([*texts, "OS: Ubuntu\x0c22.04\u2028x"], 1)]
    reading = module._read(lines[: module._scan(lines, 0)])
    assert _value(reading.facts, "torch.version") == "2.4.0+cu121"
    assert reading.sources["torch.version"] == 3


# Every character str.splitlines() breaks at, ASCII and not (text_of tests ASCII text without
# its regular expression).
_SPLITLINES_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


@pytest.mark.parametrize("mark", list(_SPLITLINES_BREAKS))
@pytest.mark.parametrize("other", ["plain ASCII", "café"])
def test_text_of_gives_one_parser_line_per_line_whatever_it_holds(mark: str, other: str) -> None:
    from envsetup.explain.sections._reading import text_of

    texts = ["Driver Version: 535.54", f"GPU 0{mark}Tesla T4", other, "", "end\r"]
    text = text_of([Line(n, t) for n, t in enumerate(texts, 1)])
    assert text.splitlines() == [t.replace(mark, " ").replace("\r", " ") for t in texts]
    assert text.endswith("\n") and text.count("\n") == len(texts)


def test_text_of_keeps_lines_without_breaks_as_they_are() -> None:
    from envsetup.explain.sections._reading import text_of

    texts = ["| NVIDIA-SMI 535.54 |", "  indented  ", "", "é ü"]
    assert text_of([Line(n, t) for n, t in enumerate(texts, 1)]) == "".join(t + "\n" for t in texts)
    assert text_of([]) == ""


# -- python-check: only what the command says it prints is read (attack10 defect 4). The lines
# below are constructed (the everyday forms), not real pastes: the real ones are the fixtures.
def _python_check(*texts: str) -> Tuple[int, Reading]:
    module = _reader("python-check")
    lines = [Line(n, t) for n, t in enumerate(texts, 1)]
    count = module.READER.extent(lines, 0)
    return count, module.READER.read(lines[:count]) if count else Reading("none", 0, 0)


def test_a_python_c_one_liner_is_read_through_its_print() -> None:
    count, reading = _python_check(
        'python -c "import torch; print(torch.__version__, torch.version.cuda, '
        'torch.cuda.is_available())"',
        "2.7.0+cu128 12.8 False",
        "NVIDIA-SMI has failed",
    )
    assert count == 2 and reading.kind == "python-c" and reading.unread == []
    assert _value(reading.facts, "torch.version") == "2.7.0+cu128"
    assert _value(reading.facts, "torch.cuda_version") == "12.8"
    assert _value(reading.facts, "torch.deep.cuda_available") is False
    assert reading.sources["torch.deep.cuda_available"] == 2
    # labels are string literals; one print per line
    count, reading = _python_check(
        'python3 -c \'import torch; print("cuda:", torch.cuda.is_available()); '
        "print(torch.cuda.get_device_name(0))'",
        "cuda: True",
        "NVIDIA GeForce GTX 1080 Ti",
    )
    assert count == 3
    assert _value(reading.facts, "nvidia.gpus.0.name") == "NVIDIA GeForce GTX 1080 Ti"
    assert _value(reading.facts, "torch.deep.cuda_available") is True


@pytest.mark.parametrize(
    "texts",
    [
        # the output does not have the shape the print makes (a traceback instead)
        (
            'python -c "import torch; print(torch.__version__)"',
            "Traceback (most recent call last):",
        ),
        # an expression the reader does not know: its output cannot be split
        ('python -c "import torch; print(torch.randn(2), torch.__version__)"', "tensor 2.1.0"),
        # sep= changes the line
        ("python -c \"import torch; print(torch.__version__, 1, sep=',')\"", "2.1.0,1"),
        # an output-like line with no command before it
        ("2.7.0+cu128 12.8 False",),
        ("Python 3.11.4",),
        # a REPL expression whose next line is not its value
        ("torch.cuda.is_available()", "Traceback (most recent call last):"),
    ],
)
def test_an_output_line_is_read_only_after_the_command_that_prints_it(texts: Tuple[str]) -> None:
    count, _ = _python_check(*texts)
    assert count == 0


def test_python_version_and_repl_torch_lines() -> None:
    count, reading = _python_check("python --version", "", "Python 3.11.4")
    assert count == 3 and reading.kind == "python-version"
    assert _value(reading.facts, "python.version") == "3.11.4"
    # the REPL (">>> " removed by the normaliser): repr values; None prints nothing
    count, reading = _python_check(
        "import torch",
        "torch.version.cuda",
        "torch.__version__",
        "'2.7.0+cpu'",
        "torch.cuda.is_available()",
        "False",
        "torch.zeros(1).cuda()",
    )
    assert reading.kind == "python-repl-torch" and count == 7
    assert _value(reading.facts, "torch.version") == "2.7.0+cpu"
    assert _value(reading.facts, "torch.flavor") == "cpu"
    assert _value(reading.facts, "torch.deep.cuda_available") is False
    # torch.version.cuda printed nothing (None): read, no fact
    assert reading.unread == [] and _value(reading.facts, "torch.cuda_version") is None


# -- hand-written "System Info" lists (attack10 defect 8): constructed lines
def test_a_bare_key_list_needs_two_known_system_keys() -> None:
    module = _reader("env-report")
    lines = [Line(1, "OS: Ubuntu 22.04"), Line(2, "PyTorch version: 2.5.1"), Line(3, "Note: x")]
    assert module.READER.extent(lines, 0) == 2
    reading = module.READER.read(lines[:2])
    assert _value(reading.facts, "os.distro_name") == "Ubuntu 22.04"
    assert _value(reading.facts, "torch.version") == "2.5.1"
    alone = [Line(1, "OS: Ubuntu 22.04"), Line(2, "Note: it fails")]
    assert module.READER.extent(alone, 0) == 0
    prose = [Line(1, "Error: it failed"), Line(2, "Reason: unknown")]
    assert module.READER.extent(prose, 0) == 0
    # "CUDA Version" names the driver's, the toolkit's or torch's: placed, no fact
    cuda = [
        Line(1, "* GPU: RTX 4090"),
        Line(2, "* CUDA Version: 12.4"),
        Line(3, "* Driver: 550.54.15"),
    ]
    assert module.READER.extent(cuda, 0) == 3
    reading = module.READER.read(cuda)
    assert reading.unread == [] and _value(reading.facts, "nvidia.driver_version") == "550.54.15"
    assert _value(reading.facts, "torch.cuda_version") is None
    assert _value(reading.facts, "nvidia.driver_cuda_version") is None
