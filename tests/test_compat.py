"""CUDA ↔ driver and GPU-architecture rules (data from NVIDIA's tables, see src/envsetup/data)."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from envsetup.compat import (
    decode_cuda_int,
    max_cuda_for_driver,
    min_driver_for_torch_cuda,
    toolkit_driver,
)
from envsetup.compat.assess import assess
from envsetup.compat.verdicts import SEVERITY, Severity, Verdict, VerdictCode, blocking, codes, runs
from envsetup.facts import CudaToolkit
from envsetup.model import capability
from envsetup.model.capability import (
    ArchTarget,
    CodeKind,
    ComputeCapability,
    Coverage,
    Specificity,
    coverage,
    parse_arch_list,
)
from envsetup.model.compute_platform import ComputePlatform, PlatformKind, TorchFlavor
from envsetup.model.gpu import Gpu
from envsetup.model.machine import Machine
from envsetup.model.toolkit import ToolkitKind
from envsetup.model.versions import at_least, in_release_range, major_minor, version_key
from envsetup.profiles.loader import Release, load_releases
from envsetup.render.verdict_words import describe


@pytest.fixture(scope="module")
def releases() -> list[Release]:
    return load_releases()


def _by_release(releases: list[Release], name: str) -> Release:
    return next(r for r in releases if r.release == name)


# Driver versions as real nvidia-smi headers print them, with the CUDA version in the same header.
REAL_HEADERS = [
    ("450.57", "11.0"),  # nvidia-smi/450.57-titan-xp-single.txt
    ("535.129.03", "12.2"),  # nvidia-smi/535.129.03-2x-rtx3090.txt
    ("550.54.15", "12.4"),  # nvidia-smi/550.54.15-8x-h100-hgx-partial.txt
    ("525.60.13", "12.0"),  # nvidia-smi/525.60.13-2x-grid-a100-40c-vgpu.txt
    ("580.126.09", "13.0"),  # nvidia-smi/580.126.09-a100-sxm4-40gb-multi-partial.txt
    ("595.80", "13.2"),  # nvidia-smi/595.80-l40s-fedora44-full.txt
    # Builds of a branch older than its toolkit's own driver report the branch's CUDA:
    ("550.40.07", "12.4"),  # nvidia-smi/550.40.07-rtx4070-single.txt (12.4 shipped 550.54.14)
    ("510.06", "11.6"),  # WSL: rapidsai/dask-cuda#761's header (11.6 shipped 510.39.01)
]


def test_the_branch_gives_a_linux_drivers_cuda_not_the_build() -> None:
    # issue 11: 525.60.11 is a CUDA 12.0 driver although the 12.0 toolkit shipped with 525.60.13.
    assert max_cuda_for_driver("525.60.11", "Linux") == "12.0"
    assert max_cuda_for_driver("520.61.05", "Linux") == "11.8"  # the branch below stays itself
    # Windows numbers are not Linux branches: the full version decides (460.15 WSL preview: 11.1,
    # nvidia-smi/windows-460.15-nvidia-smi-exe-from-wsl.txt).
    assert max_cuda_for_driver("460.15", "Windows") == "11.1"


@pytest.mark.parametrize(("driver", "cuda"), REAL_HEADERS)
def test_max_cuda_for_driver_matches_what_real_drivers_report(driver: str, cuda: str) -> None:
    assert max_cuda_for_driver(driver, "Linux") == cuda


def test_torch_cuda_builds_need_the_minor_version_compat_floor() -> None:
    assert min_driver_for_torch_cuda("11.8", "Linux").driver == "450.80.02"
    assert min_driver_for_torch_cuda("cu121", "Linux").driver == "525.60.13"
    assert min_driver_for_torch_cuda("13.0", "Linux").driver == "580"
    assert min_driver_for_torch_cuda("12.1", "Windows").driver == "527.41"
    # Before CUDA 11 (no minor version compatibility) a build needs its own toolkit's driver.
    assert min_driver_for_torch_cuda("9.2", "Linux").driver == "396.26"
    assert min_driver_for_torch_cuda("10.1.243", "Linux").driver == "418.39"
    assert min_driver_for_torch_cuda("10.2", "Windows").driver == "441.22"
    assert min_driver_for_torch_cuda("7.5", "Linux") is None  # no row: unknown, not "any"
    assert at_least("470.86", "525.60.13") is False
    assert at_least("580.126.09", "580") is True
    assert at_least("garbage", "580") is None


def test_cuda_13_3_and_13_4_are_in_the_table_with_their_status() -> None:
    # compat.md "Additions 2026-11-30": 13.3 needs Linux >= 610.43.02 (release notes, C); 13.4's
    # floor is only the R615 branch it shipped with (U), and the readers say so.
    assert toolkit_driver("13.3.1", "Linux").driver == "610.43.02"
    assert "unconfirmed" not in toolkit_driver("13.3", "Linux").source
    assert toolkit_driver("13.4.2", "Linux").driver == "615"
    assert "unconfirmed" in toolkit_driver("13.4", "Linux").source
    assert max_cuda_for_driver("610.43.02", "Linux") == "13.3"
    assert max_cuda_for_driver("605.10", "Linux") == "13.2"
    assert max_cuda_for_driver("616.00", "Linux") == "13.4"
    # A torch build of any CUDA 13 minor still runs from R580 on (minor version compatibility).
    assert min_driver_for_torch_cuda("13.4", "Linux").driver == "580"
    assert toolkit_driver("13.5", "Linux") is None  # its driver row was not read: not in the table


def test_toolkit_driver_and_cuda_integer_decoding() -> None:
    assert toolkit_driver("12.8.93", "Linux").driver == "570.26"
    assert toolkit_driver("12.7", "Linux") is None  # there is no CUDA 12.7
    assert decode_cuda_int(12040) == "12.4"
    assert decode_cuda_int(11040) == "11.4"  # "found version 11040" in torch's error


@pytest.mark.parametrize(
    ("arch_list", "capability", "runs"),
    [
        (
            ["sm_50", "sm_60", "sm_70", "sm_75", "sm_80", "sm_86", "sm_90"],
            "8.9",
            True,
        ),  # sm_86 cubin on 8.9
        (["sm_37", "sm_50", "sm_60", "sm_70"], "8.6", False),  # the YOLOv6 cu102 report
        (["sm_37", "sm_50", "sm_60", "sm_70"], "8.0", False),  # A100 on a cu102 wheel
        (
            ["sm_75", "sm_80", "sm_86", "sm_90", "sm_100", "sm_120"],
            "6.1",
            False,
        ),  # GTX 1080 Ti on cu128
        (["5.0", "6.0", "7.0", "7.5", "8.0", "8.6", "9.0"], "12.0", False),  # RTX 5090 on cu126
        (["7.5", "8.0", "8.6", "9.0", "10.0", "12.0+PTX"], "12.1", True),  # PTX JITs forward
        (["sm_80", "compute_80"], "9.0", True),
        (["sm_90a"], "9.0", True),
        (["sm_90a"], "10.0", False),  # arch-specific code runs on that capability only
        ([], "8.6", False),
    ],
)
def test_arch_compatibility_follows_nvidia_rules(
    arch_list: list[str], capability: str, runs: object
) -> None:
    assert (coverage(arch_list, ComputeCapability.parse(capability)) is not None) is runs


# ----------------------------------------------------------------------------- compute capability

FIXTURES = Path(__file__).parent / "fixtures"
CAPABILITY_FILE = Path(capability.__file__)
# torch's "X with CUDA capability sm_NN is not compatible with the current PyTorch installation.
# The current PyTorch install supports CUDA capabilities sm_.. sm_..." (real reports, SOURCES.tsv).
NOT_COMPATIBLE = [
    "torch-errors/sm80-a100-not-compatible-with-nvidia-smi.txt",
    "torch-errors/sm86-not-compatible-rtx3080-laptop.txt",
    "collect_env/linux-torch2.6.0-cu126-rtx5090d-sm120-warning-driver570.txt",
]


def _torch_says(relative: str) -> tuple[ComputeCapability, list[str]]:
    text = (FIXTURES / relative).read_text(encoding="utf-8")
    device = re.search(r"with CUDA capability (sm_\d+) is not compatible", text)
    supports = re.search(r"supports CUDA capabilities ((?:sm_\d+ ?)+)", text)
    assert device and supports, relative
    return ComputeCapability.parse(device.group(1)), supports.group(1).split()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("8.6", (8, 6)),
        ("sm_86", (8, 6)),
        ("86", (8, 6)),
        ("compute_90a", (9, 0)),
        ("9.0+PTX", (9, 0)),
        ("sm_100a", (10, 0)),
        ("sm_120", (12, 0)),  # two-digit majors: the last digit is the minor
        ("sm_121", (12, 1)),
        ("10.0f", (10, 0)),
        ("SM_75", (7, 5)),
        (" 12.0 ", (12, 0)),
    ],
)
def test_compute_capability_reads_every_spelling(text: str, expected: tuple[int, int]) -> None:
    assert ComputeCapability.parse(text) == expected
    assert str(ComputeCapability.parse(text)) == f"{expected[0]}.{expected[1]}"


@pytest.mark.parametrize("text", ["", "8", "sm_", "gfx90a", "gfx1031", "8.x", "sm_8.6.1", "12345"])
def test_compute_capability_refuses_what_is_none(text: str) -> None:
    assert ComputeCapability.try_parse(text) is None
    with pytest.raises(ValueError):
        ComputeCapability.parse(text)


@pytest.mark.parametrize(
    ("value", "judged"),
    [
        ("8.6", ["8.6"]),
        ("sm_86,sm_90", ["8.6", "9.0"]),
        ("8.6;9.0", ["8.6", "9.0"]),  # TORCH_CUDA_ARCH_LIST's separators
        ("8.6 12.0", ["8.6", "12.0"]),
        ("sm_120", ["12.0"]),
        ("banana", None),
        ("8.6,gfx90a", None),
        ("sm_", None),
    ],
)
def test_envsetup_gpu_arch_is_read_as_the_judgement_parses_it(
    value: str, judged: list[str] | None
) -> None:
    """ENVSETUP_GPU_ARCH is read once (probe.overrides) with the one capability parser: what the
    reader accepts is what the judgement gets, and what it refuses is a usage error naming it."""
    from envsetup.compat.machine import gpu_arches
    from envsetup.errors import UsageError
    from envsetup.facts import Facts, OsFacts, PythonFacts
    from envsetup.probe.overrides import apply_overrides, read_overrides

    if judged is None:
        with pytest.raises(UsageError, match=r"^ENVSETUP_GPU_ARCH=.* fix: set it like"):
            read_overrides({"ENVSETUP_GPU_ARCH": value})
        return
    overrides = read_overrides({"ENVSETUP_GPU_ARCH": value})
    facts = Facts(OsFacts("Linux", "x86_64"), PythonFacts("/usr/bin/python3"), overrides=overrides)
    apply_overrides(facts)
    assert [str(g.compute_capability) for g in gpu_arches(facts)] == judged
    assert [str(g.compute_capability) for g in facts.nvidia.gpus] == judged


def test_arch_entries_name_their_code_kind_and_suffix() -> None:
    sass, ptx = ArchTarget.parse_entry("9.0+PTX")
    assert (sass.code, ptx.code) == (CodeKind.SASS, CodeKind.PTX)
    assert str(sass) == "sm_90" and str(ptx) == "compute_90"
    (arch,) = ArchTarget.parse_entry("compute_90a")
    assert arch.code is CodeKind.PTX and arch.specificity is Specificity.ARCH
    (family,) = ArchTarget.parse_entry("sm_100f")
    assert family.specificity is Specificity.FAMILY and str(family) == "sm_100f"
    assert ArchTarget.parse_entry("gfx1030") == ()  # a ROCm target is no CUDA arch


@pytest.mark.parametrize("relative", NOT_COMPATIBLE)
def test_coverage_agrees_with_torch_on_real_not_compatible_reports(relative: str) -> None:
    device, arch_list = _torch_says(relative)
    assert coverage(arch_list, device) is None
    # ...and every capability torch lists runs its own cubin.
    for entry in arch_list:
        found = coverage(arch_list, ComputeCapability.parse(entry))
        assert found is not None and found.how is Coverage.EXACT


def test_coverage_on_the_cu126_arch_list_from_a_real_report() -> None:
    _, arch_list = _torch_says(NOT_COMPATIBLE[2])  # torch 2.6.0+cu126: sm_50 ... sm_90
    ada = coverage(arch_list, ComputeCapability(8, 9))  # RTX 4090: no sm_89 cubin in 2.6 cu126
    assert ada is not None and ada.how is Coverage.COMPATIBLE_CUBIN and str(ada.target) == "sm_86"
    assert coverage(arch_list, ComputeCapability(10, 0)) is None  # B200: no PTX to JIT


@pytest.mark.parametrize(
    ("arch_list", "device", "how"),
    [
        (["sm_90a"], (9, 0), Coverage.EXACT),  # 'a' code runs on exactly its capability
        (["sm_90a"], (9, 1), None),
        (["compute_90a"], (10, 0), None),  # 'a' PTX does not carry forward either
        (["sm_100f"], (10, 3), Coverage.COMPATIBLE_CUBIN),  # 'f': the family, minor >= 0
        (["sm_103f"], (10, 0), None),  # ...not a lower minor
        (["compute_100f"], (12, 0), None),  # ...and not another major, even as PTX
        (["compute_100"], (12, 0), Coverage.PTX_JIT),  # portable PTX runs on any newer GPU
        (["sm_80", "compute_80"], (9, 0), Coverage.PTX_JIT),
        (["sm_80", "sm_86", "compute_86"], (8, 9), Coverage.COMPATIBLE_CUBIN),  # cubin over PTX
        (["sm_86"], (8, 0), None),
    ],
)
def test_coverage_follows_nvidia_binary_and_ptx_compatibility(
    arch_list: list[str], device: tuple[int, int], how: object
) -> None:
    found = coverage(arch_list, ComputeCapability(*device))
    assert (found.how if found else None) is how


# The newest GPUs against torch 2.14's own arch lists (profiles/torch-2.14.toml, PR #197555), as
# compat.md "Additions 2026-11-30" states: B300/GB300 (10.3) and Rubin (10.7) run the sm_100 code
# (same major, higher minor); Thor (11.0) only on aarch64's lists, which name it; GB10 / DGX Spark
# (12.1) runs the sm_120 code. A cu126 build has none of them.
@pytest.mark.parametrize(
    ("capability", "variant", "platform_key", "how", "target"),
    [
        ("10.3", "cu130", "linux-x86_64", Coverage.COMPATIBLE_CUBIN, "sm_100"),
        ("10.3", "cu132", "windows-x86_64", Coverage.COMPATIBLE_CUBIN, "sm_100"),
        ("10.3", "cu126", "linux-x86_64", None, None),
        ("10.7", "cu132", "linux-x86_64", Coverage.COMPATIBLE_CUBIN, "sm_100"),
        ("10.7", "cu130", "linux-aarch64", Coverage.COMPATIBLE_CUBIN, "sm_100"),
        ("11.0", "cu130", "linux-aarch64", Coverage.EXACT, "sm_110"),
        ("11.0", "cu132", "linux-x86_64", None, None),  # 10.0 code is another major; 12.0 PTX newer
        ("11.0", "cu126", "linux-aarch64", None, None),
        ("12.1", "cu130", "linux-x86_64", Coverage.COMPATIBLE_CUBIN, "sm_120"),
        ("12.1", "cu132", "linux-aarch64", Coverage.COMPATIBLE_CUBIN, "sm_120"),
        ("12.1", "cu126", "windows-x86_64", None, None),
    ],
)
def test_the_newest_capabilities_against_torch_2_14s_arch_lists(
    releases: list[Release],
    capability: str,
    variant: str,
    platform_key: str,
    how: object,
    target: object,
) -> None:
    arch_list = _by_release(releases, "2.14").variants[variant].arch_list(platform_key)
    found = coverage(arch_list, ComputeCapability.parse(capability))
    assert (found.how if found else None) is how
    assert (str(found.target) if found else None) == target


def test_every_profile_arch_list_runs_each_capability_it_names(releases: list[Release]) -> None:
    checked = 0
    for release in releases:
        for variant in release.variants.values():
            for key, per in variant.on.items():
                if per.arch_list is None:
                    continue
                for entry in per.arch_list:
                    targets = ArchTarget.parse_entry(entry)
                    assert targets, (release.release, variant.name, key, entry)
                    found = coverage(per.arch_list, targets[0].capability)
                    assert found is not None and found.how is Coverage.EXACT
                    checked += 1
                newest = max(t.capability for t in parse_arch_list(per.arch_list))
                beyond = ComputeCapability(newest.major + 1, 0)
                has_ptx = any(t.code is CodeKind.PTX for t in parse_arch_list(per.arch_list))
                assert (coverage(per.arch_list, beyond) is not None) is has_ptx
    assert checked > 100


def test_the_capability_module_is_stdlib_only_and_python_3_8() -> None:
    # Shipped to the verify worker, which runs in the target's Python (possibly 3.8, no envsetup).
    source = CAPABILITY_FILE.read_text(encoding="utf-8")
    tree = ast.parse(source, feature_version=(3, 8))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}, imported


def test_the_worker_loads_the_shipped_rule_without_envsetup(tmp_path: Path) -> None:
    # As the runner starts it: this package's parent on sys.path, the module's path from the
    # runner, no site-packages (-I -S): nothing of envsetup is importable.
    from envsetup.verify import runner

    worker_root = Path(runner.WORKER_PATH).parent.parent
    script = (
        "import sys; sys.path[0] = sys.argv[1]\n"
        "from envsetup_verify_worker.shipped import use_capability_module\n"
        "use_capability_module(sys.argv[2])\n"
        "from envsetup_verify_worker.basic import arch_verdict\n"
        "assert 'envsetup' not in sys.modules\n"
        "try:\n    import envsetup\nexcept ImportError:\n    pass\n"
        "else:\n    raise SystemExit('envsetup is importable')\n"
        "print(arch_verdict(8, 9, ['sm_80', 'sm_86']), arch_verdict(12, 0, ['sm_90a']) or '-',"
        " arch_verdict(9, 0, ['sm_80', 'compute_80']))\n"
    )
    out = subprocess.run(
        [sys.executable, "-I", "-S", "-c", script, str(worker_root), runner.CAPABILITY_PATH],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["compatible", "-", "compatible"]


# ----------------------------------------------------------------------------- compute platform


@pytest.mark.parametrize(
    ("text", "kind", "tag", "cuda"),
    [
        ("cu128", PlatformKind.CUDA, "cu128", "12.8"),
        ("cu118", PlatformKind.CUDA, "cu118", "11.8"),
        ("cu92", PlatformKind.CUDA, "cu92", "9.2"),
        ("cpu", PlatformKind.CPU, "cpu", None),
        ("rocm6.2", PlatformKind.ROCM, "rocm6.2", None),
        ("rocm5.4.2", PlatformKind.ROCM, "rocm5.4.2", None),
        ("xpu", PlatformKind.XPU, "xpu", None),
        ("mps", PlatformKind.MPS, "mps", None),
    ],
)
def test_compute_platform_parses_the_tags_pytorch_uses(
    text: str, kind: PlatformKind, tag: str, cuda: object
) -> None:
    platform = ComputePlatform.parse(text)
    assert (platform.kind, platform.tag, platform.cuda) == (kind, tag, cuda)
    assert ComputePlatform.parse(text.upper()) == platform


@pytest.mark.parametrize("text", ["cuda", "cu", "cu12.8", "rocm", "rocm6", "tpu", ""])
def test_compute_platform_refuses_other_words(text: str) -> None:
    assert ComputePlatform.try_parse(text) is None
    with pytest.raises(ValueError, match="compute platform"):
        ComputePlatform.parse(text)


def test_compute_platform_of_an_installed_torch() -> None:
    assert ComputePlatform.from_local_version("2.4.0+cu121") == ComputePlatform.parse("cu121")
    assert ComputePlatform.from_local_version("2.13.0") is None  # PyPI: the release decides
    assert ComputePlatform.for_cuda("12.8.93") == ComputePlatform.parse("cu128")
    # facts.torch.flavor's published values (docs/schema/doctor.schema.json) map onto kinds.
    assert ComputePlatform.from_flavor(TorchFlavor.CUDA, "12.1").tag == "cu121"
    assert ComputePlatform.from_flavor(TorchFlavor.CUDA, None) == ComputePlatform(PlatformKind.CUDA)
    assert ComputePlatform.from_flavor(TorchFlavor.MACOS).kind is PlatformKind.CPU
    assert ComputePlatform.from_flavor(TorchFlavor.ROCM, hip_version="6.2.41133").tag == "rocm6.2"
    assert ComputePlatform.from_flavor(TorchFlavor.NONE) is None
    assert ComputePlatform.from_flavor(TorchFlavor.UNKNOWN) is None


def test_every_profile_variant_name_is_a_compute_platform(releases: list[Release]) -> None:
    for release in releases:
        for variant in release.variants.values():
            assert variant.platform.tag == variant.name
            assert variant.platform.kind.value == variant.kind
            assert variant.platform.cuda == variant.cuda


# ----------------------------------------------------------------------------- versions


def test_versions_order_as_pip_does() -> None:
    assert version_key("2.6.0rc1") < version_key("2.6.0") < version_key("2.6.0.post1")
    assert version_key("2.10") > version_key("2.9")  # not string order
    assert at_least("580.126.09", "580") is True
    assert at_least("N/A", "580") is None
    assert major_minor("3.11.4") == "3.11" and major_minor("garbage") is None
    assert in_release_range("3.13.1", "3.9", "3.13") is True
    assert in_release_range("3.14.0rc2", "3.9", "3.13") is False


def test_toolkit_kind_reads_old_facts_from_their_source() -> None:
    wheel = CudaToolkit(path="/x", source="pip wheel nvidia-cuda-runtime-cu12")
    assert ToolkitKind.of(wheel) is ToolkitKind.PIP_WHEEL
    assert (
        ToolkitKind.of(CudaToolkit(path="/usr/local/cuda", source="CUDA_HOME"))
        is ToolkitKind.SYSTEM
    )
    assert (
        ToolkitKind.of(CudaToolkit(path="/x", source="?", kind="pip-wheel"))
        is ToolkitKind.PIP_WHEEL
    )


# ----------------------------------------------------------------------------- assess


def _machine(**kwargs: object) -> Machine:
    values: dict = {"platform_key": "linux-x86_64", "system": "Linux", **kwargs}
    return Machine(**values)  # type: ignore[arg-type]


def _gpu(cc: str) -> Gpu:
    return Gpu(0, f"({cc})", compute_capability=ComputeCapability.parse(cc))


def test_assess_gives_codes_with_parameters_for_a_cuda_build(releases: list[Release]) -> None:
    build = _by_release(releases, "2.4").build("cu121", "linux-x86_64")
    old_driver = assess(build, _machine(driver="470.57.02", gpus=(_gpu("8.6"),)))
    assert codes(old_driver) == [VerdictCode.DRIVER_BELOW_FLOOR, VerdictCode.ARCH_COVERED]
    assert old_driver[0].params == {"build": "cu121", "cuda": "12.1", "have": "470.57.02", "need": "525.60.13"}  # fmt: skip
    assert not runs(old_driver) and [v.code for v in blocking(old_driver)] == [VerdictCode.DRIVER_BELOW_FLOOR]  # fmt: skip
    only_cuda = assess(build, _machine(driver_cuda="11.4", gpus=(_gpu("8.6"),)))
    assert codes(only_cuda)[0] is VerdictCode.DRIVER_CUDA_TOO_LOW
    blackwell = assess(
        build, _machine(driver="570.86.10", driver_cuda="12.8", gpus=(_gpu("12.0"),))
    )
    assert codes(blackwell) == [VerdictCode.DRIVER_OK, VerdictCode.ARCH_NOT_COVERED]
    assert blackwell[1]["sm"] == "sm_120" and "9.0" in blackwell[1]["arch_list"]
    nothing = assess(build, _machine())
    assert codes(nothing) == [VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA] and runs(nothing)
    assert nothing[0].severity is Severity.WARNING


def test_assess_judges_platform_python_glibc_and_the_wrong_kind_of_build(
    releases: list[Release],
) -> None:
    release = _by_release(releases, "2.6")
    cpu = release.build("cpu", "linux-x86_64")
    gpu_box = _machine(driver="550.54.14", gpus=(_gpu("8.9"),), working_nvidia_gpu=True)
    assert codes(assess(cpu, gpu_box)) == [VerdictCode.CPU_BUILD_ON_NVIDIA_GPU]
    assert codes(assess(cpu, _machine(glibc="2.17", python="3.14"))) == [
        VerdictCode.GLIBC_BELOW_FLOOR,
        VerdictCode.PYTHON_OUTSIDE_RANGE,
    ]
    # musl: no manylinux wheel loads, whatever the build; the glibc floor is said with it.
    musl = assess(cpu, _machine(musl="1.2"))
    assert codes(musl) == [VerdictCode.MUSL_LIBC] and musl[0].params == {
        "have": "1.2",
        "need": "2.28",
    }
    assert musl[0].severity is Severity.BLOCKING
    rocm = release.build("rocm6.2.4", "linux-x86_64")
    assert codes(assess(rocm, _machine())) == [VerdictCode.ROCM_BUILD_WITHOUT_ROCM]
    assert codes(assess(rocm, _machine(rocm="6.2.1"))) == []
    windows = release.build("rocm6.2.4", "windows-x86_64")
    assert codes(assess(windows, _machine(platform_key="windows-x86_64", system="Windows"))) == [
        VerdictCode.NO_BUILD_FOR_PLATFORM
    ]


def test_every_verdict_code_has_a_severity_and_words() -> None:
    for code in VerdictCode:
        assert code in SEVERITY
    # Words for one verdict of each code (the parameters each code documents).
    samples = {
        VerdictCode.NO_BUILD_FOR_PLATFORM: {"platform_key": "k", "build": "cu118"},
        VerdictCode.GLIBC_BELOW_FLOOR: {"have": "2.17", "need": "2.28"},
        VerdictCode.GLIBC_OK: {"have": "2.35", "need": "2.28"},
        VerdictCode.MUSL_LIBC: {"have": "", "need": "2.28"},
        VerdictCode.PYTHON_OUTSIDE_RANGE: {"python": "3.14", "low": "3.9", "high": "3.13"},
        VerdictCode.DRIVER_BELOW_FLOOR: {
            "build": "cu121",
            "cuda": "12.1",
            "have": "470",
            "need": "525.60.13",
        },
        VerdictCode.DRIVER_CUDA_TOO_LOW: {
            "build": "cu130",
            "cuda": "13.0",
            "driver_cuda": "12.4",
            "native": False,
        },
        VerdictCode.DRIVER_OK: {
            "build": "cu121",
            "cuda": "12.1",
            "have": "535",
            "need": "525",
            "driver_cuda": "12.2",
            "native": True,
        },
        VerdictCode.DRIVER_CUDA_OK: {
            "build": "cu121",
            "cuda": "12.1",
            "driver_cuda": "12.2",
            "native": True,
        },
        VerdictCode.NO_NVIDIA_DRIVER: {"build": "cu121", "cuda": "12.1", "need": "525.60.13"},
        VerdictCode.CUDA_BUILD_WITHOUT_NVIDIA: {
            "build": "cu121",
            "cuda": "12.1",
            "need": "525.60.13",
        },
        VerdictCode.ARCH_NOT_COVERED: {
            "build": "cu126",
            "gpu": "GPU 0",
            "index": 0,
            "sm": "sm_120",
            "arch_list": ["9.0"],
        },
        VerdictCode.ARCH_COVERED: {
            "build": "cu126",
            "gpu": "GPU 0",
            "index": 0,
            "sm": "sm_89",
            "how": "compatible-cubin",
            "target": "sm_86",
        },
        VerdictCode.ARCH_UNKNOWN: {"build": "cu126", "platform_key": "k", "sms": ["sm_86"]},
        VerdictCode.CPU_BUILD_ON_NVIDIA_GPU: {"sms": ["sm_86"]},
        VerdictCode.ROCM_BUILD_WITHOUT_ROCM: {"build": "rocm6.2"},
    }
    assert set(samples) == set(VerdictCode)
    for code, params in samples.items():
        text = describe(Verdict(code, params))
        assert text and "{" not in text, code
        assert Verdict(code, params).to_dict()["code"] == code.value
