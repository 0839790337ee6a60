"""What torch says when it cannot use the GPU: its own messages (not the CUDA runtime's).

Wordings from torch's sources (torch/cuda/__init__.py, c10/cuda/CUDAFunctions.cpp,
torch/backends/cudnn/__init__.py) across 0.4 .. 2.x, as real reports print them
(tests/fixtures/paste/errors/SOURCES.tsv).
"""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals._scan import bounded, following, indices, int_or_none, signal

KIND = "torch-error"

_FOUND_VERSION = lazy(r"too old \(found version (\d{1,6})\)")
# "<name> with CUDA capability sm_86 is not compatible with the current PyTorch installation."
_ARCH = lazy(r"^(.*?)\s*with CUDA capability (sm_\d{2,3}[a-z]?) is not compatible")
_SUPPORTS = lazy(r"supports CUDA capabilities((?: +(?:sm|compute)_\d{2,3}[a-z]?)+)\s*\.")
# torch < 1.8: "Found GPU0 GeForce GTX 770 which is of cuda capability 3.0. PyTorch no longer
# supports this GPU because it is too old. The minimum cuda capability ... is 3.7."
_TOO_OLD_GPU = lazy(r"Found GPU\d+ (.*?) which is of cuda capability (\d{1,2}\.\d)\.")
_MINIMUM = lazy(
    r"minimum cuda capability (?:that we support|supported by this library) is (\d{1,2}\.\d)"
)
# torch 2.8 .. 2.12 (_check_capability, torch/cuda/__init__.py): the device is outside the lowest
# and highest entry of torch.cuda.get_arch_list(), major*10+minor compared as numbers, so a
# binary-compatible minor (12.1 beside sm_120) is reported too (pytorch/pytorch #164596, #172629):
# "Found GPU0 NVIDIA GB10 which is of cuda capability 12.1.\n Minimum and Maximum cuda
# capability supported by this version of PyTorch is\n (8.0) - (12.0)".
_RANGE = lazy(
    r"Minimum and Maximum cuda capability supported by this version of PyTorch is\s*"
    r"\((\d{1,2}\.\d)\)\s*-\s*\((\d{1,2}\.\d)\)"
)
_RANGE_REACH = 3
# torch 2.13+: "Found GPU0 NVIDIA GB10 which is of compute capability (CC) 12.1." then (a line or
# a "..." later) "Your installed torch==2.13.0+cu130 does not include kernels for this GPU.
# Reinstall the same version against a CUDA build that does, e.g.:" and one hint a line, "For
# CUDA 13.0 use pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cu130"
# (pytorch/pytorch #172629; the RTX 5060 Ti paste in tests/fixtures/paste/errors/SOURCES.tsv).
_CC_GPU = lazy(r"Found GPU\d{1,3} (.*?) which is of compute capability \(CC\) (\d{1,2}\.\d)\b")
_NO_KERNELS = lazy(r"Your installed torch==(\S{1,60}?) does not include kernels for this GPU")
_HINT = lazy(
    r"For CUDA (\d{1,2}\.\d{1,2}) use pip install torch==(\S{1,60}) --index-url "
    r"(https?://\S{1,200}/(cu\d{3}))\b"
)
_CC_REACH = 4
_HINT_REACH = 8
# "compiled  against (8, 5, 0) but found runtime version (8, 3, 3)" (later torch),
# "compiled against (8, 3, 2) but linked against (8, 0, 3)" (torch 1.12) and
# "compiled against 7102 but linked against 7600" (older).
_CUDNN_TUPLES = lazy(
    r"compiled\s+against \((\d{1,2}), (\d{1,2}), (\d{1,2})\) but "
    r"(?:found runtime version|linked against) \((\d{1,2}), (\d{1,2}), (\d{1,2})\)"
)
_CUDNN_INTS = lazy(r"compiled\s+against (\d{4,6}) but linked against (\d{4,6})\b")


# torch's caching allocator when an allocation fails (c10/cuda/CUDACachingAllocator.cpp):
# 2.1+: "CUDA out of memory. Tried to allocate 22.00 MiB. GPU 0 has a total capacity of 23.65 GiB
# of which 11.06 MiB is free. [Process N has S memory in use.] Including non-PyTorch memory, this
# process has 23.60 GiB memory in use. Of the allocated memory 22.90 GiB is allocated by PyTorch,
# and 194.87 MiB is reserved by PyTorch but unallocated." ("capacty" in 2.1); before: "Tried to
# allocate 12.50 MiB (GPU 0; 10.92 GiB total capacity; 8.57 MiB already allocated; 9.28 GiB free;
# 1.24 GiB reserved in total by PyTorch)" ("cached" instead of "reserved ..." before 1.5).
_SIZE = r"(\d{1,7}(?:\.\d{1,3})? (?:bytes|[KMGT]iB))"
_OOM_FIELDS = {
    "tried": lazy(r"Tried to allocate " + _SIZE),
    "gpu": lazy(r"\bGPU (\d{1,3})\b"),
    "capacity": lazy(r"total capac(?:i)?ty of " + _SIZE + r"|" + _SIZE + r" total capacity"),
    "free": lazy(r"of which " + _SIZE + r" is free|; " + _SIZE + r" free\b"),
    "in_use": lazy(r"this process has " + _SIZE + r" memory in use"),
    "by_torch": lazy(_SIZE + r" (?:is allocated by PyTorch|already allocated)"),
    "unallocated": lazy(_SIZE + r" is reserved by PyTorch but unallocated"),
    "reserved": lazy(_SIZE + r" reserved in total by PyTorch"),
}
_OTHER_PROCESS = lazy(r"Process \d{1,9} has " + _SIZE + r" memory in use")


def _out_of_memory(lines: Sequence[Line], index: int) -> list[Signal]:
    """torch's "CUDA out of memory": the sizes it prints, as printed ("22.00 MiB")."""
    line = lines[index]
    text = line.text
    if "Tried to allocate" in text and " free" not in text:  # a terminal or a post wrapped it
        text = following(lines, index, 2)
    params: dict[str, object] = {}
    for key, pattern in _OOM_FIELDS.items():
        match = pattern.search(text)
        if match:
            params[key] = next(g for g in match.groups() if g is not None)
    others = _OTHER_PROCESS.findall(text)
    if others:
        params["other_processes"] = others[:16]
    return [signal("torch-cuda-out-of-memory", KIND, [line.number], **params)]


def driver_cuda(found: int) -> str:
    """cudaDriverGetVersion's number as a CUDA version: 1000 * major + 10 * minor (11040 -> 11.4)."""
    return f"{found // 1000}.{found % 1000 // 10}"


def _cudnn_int(value: str) -> str:
    # CUDNN_VERSION: major * 1000 + minor * 100 + patch before cuDNN 9 (7102 -> 7.1.2),
    # major * 10000 + minor * 100 + patch from 9 on (90100 -> 9.1.0).
    number = int(value)
    if number >= 10000:
        return f"{number // 10000}.{number % 10000 // 100}.{number % 100}"
    return f"{number // 1000}.{number % 1000 // 100}.{number % 100}"


def _driver_too_old(lines: Sequence[Line], index: int) -> list[Signal]:
    text = lines[index].text
    if "driver on your system is too old" not in text:
        return []
    found = _FOUND_VERSION.search(text)
    version = int_or_none(found.group(1)) if found else None
    return [
        signal(
            "torch-driver-too-old",
            KIND,
            [lines[index].number],
            found_version=version,
            driver_cuda=driver_cuda(version) if version else None,
        )
    ]


def _gpu_name(text: str) -> str:
    """The GPU's name as torch printed it: without the "...: UserWarning:" before it and the
    Markdown code or quote marks a post wrapped the line in ("`NVIDIA RTX PRO 6000 ... with CUDA
    capability", spinalcordtoolbox #5104)."""
    return text.rsplit("Warning:", 1)[-1].strip().strip("`'\"").strip()


def _arch(lines: Sequence[Line], index: int) -> list[Signal]:
    text = lines[index].text
    match = _ARCH.search(text.strip())
    if not match:
        return []
    numbers = [lines[index].number]
    supported: list[str] = []
    # The supported list is on the same line or one of the next two (a wrapped warning).
    for offset in range(3):
        if index + offset >= len(lines):
            break
        line = lines[index + offset]
        if "supports CUDA capabilities" in line.text:
            listed = _SUPPORTS.search(following(lines, index + offset, 1))
            if listed:
                supported = listed.group(1).split()
                numbers.append(line.number)
            break
    # "...__init__.py:146: UserWarning: NVIDIA GeForce RTX 5090 with CUDA capability ..."
    name = _gpu_name(match.group(1))
    return [
        signal(
            "torch-gpu-arch-not-supported",
            KIND,
            numbers,
            gpu=bounded(name, 120) if name else None,
            sm=match.group(2),
            supported=supported or None,
        )
    ]


def _gpu_too_old(lines: Sequence[Line], index: int) -> list[Signal]:
    # A launcher's rank prefix on each line ("0:     (8.0) - (12.0)", srun -l / torchrun; PR
    # pytorch/pytorch #164590) is not part of the message.
    text = " ".join(
        _RANK.sub("", line.text).strip() for line in lines[index : index + 1 + _RANGE_REACH]
    )
    match = _TOO_OLD_GPU.search(text)
    if not match:
        return []
    minimum = _MINIMUM.search(text)
    # The range belongs to this warning only when no other "Found GPU" starts before it.
    ranged = _RANGE.search(text)
    if ranged and "Found GPU" in text[match.end() : ranged.start()]:
        ranged = None
    cited = [lines[index].number]
    if ranged:
        cited += [
            line.number
            for line in lines[index + 1 : index + 1 + _RANGE_REACH]
            if "Minimum and Maximum" in line.text or _RANGE_END.search(line.text)
        ]
    capability = match.group(2)
    return [
        signal(
            "torch-gpu-arch-not-supported",
            KIND,
            cited,
            gpu=bounded(_gpu_name(match.group(1)), 120) or None,
            sm="sm_" + capability.replace(".", ""),
            minimum=ranged.group(1) if ranged else (minimum.group(1) if minimum else None),
            maximum=ranged.group(2) if ranged else None,
        )
    ]


_RANGE_END = lazy(r"^\s*(?:\d{1,5}:\s+)?\(\d{1,2}\.\d\)\s*-\s*\(\d{1,2}\.\d\)\W{0,3}$")
_RANK = lazy(r"^\s*\d{1,5}:\s+")


def _no_kernels_for_cc(lines: Sequence[Line], index: int) -> list[Signal]:
    """torch 2.13+'s warning: the GPU and its compute capability, the installed torch it names
    (`torch`), and the builds its hint lists (`hints`: [[CUDA, variant, version], ...])."""
    match = _CC_GPU.search(lines[index].text)
    if not match:
        return []
    cited, torch, hints = [lines[index].number], None, []
    for at in range(index + 1, min(len(lines), index + 1 + _CC_REACH)):
        found = _NO_KERNELS.search(lines[at].text)
        if found:
            cited.append(lines[at].number)
            torch = found.group(1).rstrip(".")
            for line in lines[at + 1 : at + 1 + _HINT_REACH]:
                hint = _HINT.search(line.text)
                if hint:
                    cited.append(line.number)
                    hints.append([hint.group(1), hint.group(4), hint.group(2)])
            break
        if "Found GPU" in lines[at].text:
            break
    name = _gpu_name(match.group(1))
    capability = match.group(2)
    return [
        signal(
            "torch-gpu-arch-not-supported",
            KIND,
            cited,
            gpu=bounded(name, 120) if name else None,
            sm="sm_" + capability.replace(".", ""),
            torch=torch,
            hints=hints or None,
        )
    ]


def _cudnn(lines: Sequence[Line], index: int) -> list[Signal]:
    text = lines[index].text
    tuples = _CUDNN_TUPLES.search(text)
    if tuples:
        g = tuples.groups()
        compiled, found = ".".join(g[:3]), ".".join(g[3:])
    else:
        ints = _CUDNN_INTS.search(text)
        if not ints:
            return []
        compiled, found = _cudnn_int(ints.group(1)), _cudnn_int(ints.group(2))
    return [
        signal(
            "cudnn-version-mismatch", KIND, [lines[index].number], compiled=compiled, found=found
        )
    ]


# rocBLAS (ROCm's BLAS, bundled in torch's ROCm wheels under torch/lib/rocblas) when its
# Tensile kernel library has no file for the GPU: the same judgement as hipErrorNoBinaryForGpu
# (the build lacks this gfx target), naming the target itself. ROCm/ROCm #4625 (gfx906, 6.4.0):
# "rocBLAS error: Cannot read /opt/rocm-6.4.0/lib/rocblas/library/TensileLibrary.dat: No such
# file or directory for GPU arch : gfx906".
_ROCBLAS_NO_ARCH = lazy(
    r"rocBLAS error: Cannot read \S*TensileLibrary\.\w{1,8}: No such file or directory "
    r"for GPU arch : (gfx[0-9a-f]{3,5})\b"
)


# torch.utils.cpp_extension's CUDA_MISMATCH_MESSAGE when the toolkit it found (CUDA_HOME, else
# nvcc on PATH) is not torch's CUDA: "The detected CUDA version (10.1) mismatches the version
# that was used to compile\nPyTorch (11.7). Please make sure to use the same CUDA versions."
# (wrapped there or elsewhere by the paste).
_EXT_MISMATCH = lazy(
    r"The detected CUDA version \((\d{1,2}\.\d{1,2})\) mismatches the version that was used "
    r"to compile\s+PyTorch \((\d{1,2}\.\d{1,2})\)"
)


def _extension_mismatch(lines: Sequence[Line], index: int) -> list[Signal]:
    match = _EXT_MISMATCH.search(following(lines, index, 1))
    if not match:
        return []
    cited = [lines[index].number]
    if "PyTorch (" not in lines[index].text and index + 1 < len(lines):
        cited.append(lines[index + 1].number)
    return [
        signal(
            "torch-extension-cuda-mismatch",
            KIND,
            cited,
            detected=match.group(1),
            torch_cuda=match.group(2),
        )
    ]


# nvcc's host_config.h when the host compiler is newer than its CUDA release accepts:
# "/usr/local/cuda/include/crt/host_config.h:139:2: error: #error -- unsupported GNU version! gcc
# versions later than 10 are not supported!" (the header's path names the toolkit: mlverse/torch
# #631's /usr/include/cuda/crt/host_config.h, TorchProteinLibrary #25's /gpfs/software/cuda/10.0).
_HOST_GNU = lazy(r"unsupported GNU version! gcc versions later than (\d{1,2}) are not supported!")
_HOST_CONFIG = lazy(r"(?<![\w./-])(/[\w./+-]{1,300}?)/(?:include/)?(?:cuda/)?crt/host_config\.h:")


def _host_compiler(lines: Sequence[Line], index: int) -> list[Signal]:
    text = lines[index].text
    match = _HOST_GNU.search(text)
    if not match:
        return []
    header = _HOST_CONFIG.search(text)
    root = header.group(1) if header else None
    if root and root.endswith("/include"):
        root = root[: -len("/include")]
    return [
        signal(
            "nvcc-host-compiler-unsupported",
            KIND,
            [lines[index].number],
            compiler="gcc",
            highest=match.group(1),
            toolkit=root,
        )
    ]


# The list rocBLAS prints under it: ' List of available TensileLibrary Files : ', then one
# quoted "<dir>/TensileLibrary_lazy_gfx1100.dat" per target it has.
_TENSILE_LISTED = lazy(r"TensileLibrary_lazy_(gfx[0-9a-f]{3,5})\.dat")
_TENSILE_LIST_REACH = 40


def _rocblas_no_arch(lines: Sequence[Line], index: int) -> list[Signal]:
    """rocBLAS's missing Tensile library for a target, with the targets it lists as present
    (`available`, empty when the paste cut the list): the lines of both are the evidence."""
    match = _ROCBLAS_NO_ARCH.search(lines[index].text)
    if not match:
        return []
    cited, available = [lines[index].number], []
    for line in lines[index + 1 : index + 1 + _TENSILE_LIST_REACH]:
        listed = _TENSILE_LISTED.search(line.text)
        if listed is None and "List of available TensileLibrary" not in line.text:
            break
        cited.append(line.number)
        if listed is not None and listed.group(1) not in available:
            available.append(listed.group(1))
    return [
        signal(
            "hip-no-binary-for-gpu",
            KIND,
            cited,
            gfx=match.group(1),
            library="rocBLAS",
            available=available or None,
        )
    ]


# ptxas (nvcc's assembler, and the one Triton bundles: bin/ptxas, 3.5+'s bin/ptxas-blackwell for
# sm >= 100) refusing a target its CUDA release does not know: "ptxas fatal   : Value 'sm_110a' is
# not defined for option 'gpu-name'" (triton-lang/triton #8096 on Thor, #8539 'sm_121a' on a DGX
# Spark; triton-inference-server/server #8632 'ptxas-blackwell fatal').
_PTXAS_ARCH = lazy(
    r"\b(ptxas(?:-[a-z]{1,12})?)(?:\.exe)? fatal\s*: Value '((?:sm|compute)_\d{2,3}[af]?)' is "
    r"not defined for option 'gpu-name'"
)


def _ptxas_arch(lines: Sequence[Line], index: int) -> list[Signal]:
    match = _PTXAS_ARCH.search(lines[index].text)
    if not match:
        return []
    near = " ".join(line.text for line in lines[max(0, index - 3) : index + 4])
    return [
        signal(
            "ptxas-gpu-arch-unknown",
            KIND,
            [lines[index].number],
            program=match.group(1),
            arch=match.group(2),
            triton=True if "triton" in near.lower() or match.group(1) != "ptxas" else None,
        )
    ]


# The ROCm runtime's abort when a GPU kernel touches memory it may not (ROCR-Runtime): "Memory
# access fault by GPU node-2 (Agent handle: 0x55fea5592860) on address 0x7fc133800000. Reason:
# Page not present or supervisor privilege." (ROCm/legacy-rocm-build #1535), the reason also on
# the next line (ROCm/rocm-systems #11549) or "Reason: unknown" (legacy-rocm-build #5238). The
# node number is taken only when text follows it (a cut line could have shortened it).
_MEMORY_FAULT = lazy(r"Memory access fault by GPU node-(\d{1,4})(?= \(Agent| on address)")
_FAULT_REASONS = (("Page not present", "page-not-present"), ("Reason: unknown", "unknown"))


# The HIP runtime's own "no device": hipGetDeviceCount returning hipErrorNoDevice (printed with
# AMD_LOG_LEVEL=3, ROCm/legacy-rocm-build #5461) says what torch's "No HIP GPUs are available"
# says. A paste that names WSL ("Ubuntu WSL", amdgpu-install's --usecase=wsl) says where.
_WSL_STATED = lazy(r"\bWSL2?\b|--usecase=\S*wsl")


def _no_device(lines: Sequence[Line], index: int) -> list[Signal]:
    wsl = any(_WSL_STATED.search(line.text) for line in lines)
    return [signal("hip-no-gpus", KIND, [lines[index].number], wsl_stated=True if wsl else None)]


def _memory_fault(lines: Sequence[Line], index: int) -> list[Signal]:
    line = lines[index]
    found = _MEMORY_FAULT.search(line.text)
    cited = [line.number]
    text = line.text
    if "Reason:" not in text and index + 1 < len(lines) and "Reason:" in lines[index + 1].text:
        cited.append(lines[index + 1].number)
        text += " " + lines[index + 1].text
    reason = next((name for needle, name in _FAULT_REASONS if needle in text), None)
    node = int_or_none(found.group(1)) if found else None
    return [signal("hip-memory-access-fault", KIND, cited, node=node, reason=reason)]


_SIMPLE = (
    ("Torch not compiled with CUDA enabled", "torch-not-compiled-with-cuda"),
    ("Found no NVIDIA driver on your system", "torch-no-nvidia-driver"),
    ("No HIP GPUs are available", "hip-no-gpus"),
    ("hipErrorNoBinaryForGpu", "hip-no-binary-for-gpu"),
)
# ROCm's other form of "no code object for this GPU": the first kernel launch finds no function
# for the device's gfx target (hipErrorInvalidDeviceFunction), as torch raises it:
# "RuntimeError: HIP error: invalid device function" (pytorch/pytorch #164346 on gfx1151,
# #132570 on gfx1010; ROCm/TheRock #1184 on gfx1103). One judgement with hipErrorNoBinaryForGpu.
_INVALID_FUNCTION = ("HIP error: invalid device function", "hipErrorInvalidDeviceFunction")


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    found: list[Signal] = []
    for index in indices(lines, hits):
        line = lines[index]
        text = line.text
        if "too old" in text:
            found += _driver_too_old(lines, index)
        if "with CUDA capability" in text:
            found += _arch(lines, index)
        if "which is of cuda capability" in text:
            found += _gpu_too_old(lines, index)
        if "which is of compute capability (CC)" in text:
            found += _no_kernels_for_cc(lines, index)
        if "cuDNN version" in text:
            found += _cudnn(lines, index)
        if "CUDA out of memory" in text:
            found += _out_of_memory(lines, index)
        if "The detected CUDA version (" in text:
            found += _extension_mismatch(lines, index)
        if "for GPU arch" in text:
            found += _rocblas_no_arch(lines, index)
        if "gpu-name" in text:
            found += _ptxas_arch(lines, index)
        if "Memory access fault by GPU" in text:
            found += _memory_fault(lines, index)
        if "hipErrorNoDevice" in text:
            found += _no_device(lines, index)
        if "unsupported GNU version!" in text and "#error" not in text.lstrip()[:7]:
            found += _host_compiler(lines, index)
        for needle, signal_id in _SIMPLE:
            if needle in text:
                found.append(signal(signal_id, KIND, [line.number]))
        if any(needle in text for needle in _INVALID_FUNCTION):
            found.append(
                signal("hip-no-binary-for-gpu", KIND, [line.number], form="invalid-device-function")
            )
    return found
