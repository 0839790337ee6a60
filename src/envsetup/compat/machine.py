"""Doctor's facts -> the Machine the judgement reads (overrides applied, driver CUDA filled in)."""

from __future__ import annotations

from typing import Optional

from envsetup import compat
from envsetup.facts import Facts
from envsetup.model.capability import ComputeCapability
from envsetup.model.gpu import Gpu
from envsetup.model.machine import Machine, platform_key_for
from envsetup.model.versions import major_minor, parse_version

# nvidia-smi states in which the driver answered (or was not asked): its GPUs are usable.
_SMI_WORKING = ("ok", "not-run", "not-found")


class NoPlatformKey(ValueError):
    """PyTorch publishes no wheels for this OS and CPU architecture."""

    def __init__(self, system: str, arch: str) -> None:
        super().__init__(f"PyTorch publishes no wheels for {system} on {arch}")
        self.system = system
        self.arch = arch


def machine_from_facts(facts: Facts, *, strict: bool = True) -> Machine:
    """The machine doctor's facts describe.

    ENVSETUP_DRIVER_VERSION, ENVSETUP_CUDA_DRIVER_VERSION and ENVSETUP_GPU_ARCH replace what was
    detected. Facts may come from a file (--facts): a value that is no version counts as unknown.
    An OS/CPU PyTorch publishes no wheels for raises NoPlatformKey; with strict=False it gives
    platform_key "" (doctor still judges an installed build there).
    """
    key = platform_key_for(facts.os.system, facts.os.arch)
    if key is None:
        if strict:
            raise NoPlatformKey(facts.os.system, facts.os.arch)
        key = ""
    overrides = facts.overrides
    driver = _version_or_none(overrides.driver_version or facts.nvidia.driver_version)
    driver_cuda = overrides.cuda_driver_version or facts.nvidia.driver_cuda_version
    if driver_cuda and compat.cuda_major_minor(driver_cuda) is None:
        driver_cuda = None
    if driver and not driver_cuda:
        driver_cuda = compat.max_cuda_for_driver(driver, facts.os.system)
    gpus = gpu_arches(facts)
    return Machine(
        platform_key=key,
        system=facts.os.system,
        glibc=facts.os.glibc,
        musl=facts.os.musl,
        python=major_minor(facts.python.version) if facts.python.version else None,
        driver=driver,
        driver_cuda=driver_cuda,
        gpus=gpus,
        rocm=facts.rocm.version,
        amd_gfx=tuple(facts.rocm.gfx_targets),
        apple_silicon=facts.apple.apple_silicon,
        working_nvidia_gpu=bool(facts.nvidia.gpus)
        and bool(facts.nvidia.driver_version)
        and facts.nvidia.smi_state in _SMI_WORKING,
        jetson=facts.jetson if facts.jetson.is_jetson else None,
    )


def gpu_arches(facts: Facts) -> tuple[Gpu, ...]:
    """The GPUs to judge: ENVSETUP_GPU_ARCH's list when set (each a Gpu.stated one), else the
    detected ones."""
    if facts.overrides.gpu_arch:
        parsed = [ComputeCapability.try_parse(p) for p in split_arches(facts.overrides.gpu_arch)]
        return tuple(Gpu.stated(cc, "ENVSETUP_GPU_ARCH") for cc in parsed if cc is not None)
    detected = detected_gpus(facts)
    jetson = facts.jetson
    if not detected and jetson.is_jetson and jetson.compute_capability is not None:
        # A Jetson's integrated GPU, known from its module when no driver tool named it
        # (JetPack 5 has no nvidia-smi): what a build's arch list is judged against.
        return (Gpu.stated(jetson.compute_capability, f"Jetson {jetson.module}"),)
    return detected


def detected_gpus(facts: Facts) -> tuple[Gpu, ...]:
    """facts.nvidia.gpus with a known compute capability (doctor has already folded
    ENVSETUP_GPU_ARCH into them, one capability per GPU)."""
    return tuple(gpu for gpu in facts.nvidia.gpus if gpu.compute_capability is not None)


def split_arches(text: str) -> list[str]:
    """'8.6;9.0' / '8.6 9.0' / '8.6,9.0' -> ['8.6', '9.0']."""
    return [part for part in text.replace(";", ",").replace(" ", ",").split(",") if part]


def _version_or_none(text: Optional[str]) -> Optional[str]:
    return text if parse_version(text) is not None else None
