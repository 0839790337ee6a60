"""explain reads the machines issue 11 taught doctor (AMD ROCm, Jetson, NVSwitch fabric, the
container runtime) from pasted tool outputs, with the parsers and model rules doctor uses.

The tool outputs are real (tests/fixtures/explain/SOURCES.tsv, tests/fixtures/rocm and
tests/fixtures/fabric SOURCES.tsv name each one's public bug report); the `python -c` torch lines
and the `export` line added to some pastes are built by hand for these tests (what a user adds).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from envsetup.explain.detect import detect
from envsetup.explain.paste import normalise
from envsetup.explain.run import explain
from envsetup.explain.sections import container, fabric, jetson, rocm
from envsetup.parsers.signals import classify
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from hostbuilder import fixture_text

HERE = "explain/"
TORCH = '$ python -c "import torch; print(torch.__version__)"\n{}\n'
MODULES = (rocm, jetson, fabric, container)
NEW_KINDS = {kind for module in MODULES for reader in module.READERS for kind in reader.forms}


def _value(facts: Any, path: str) -> Any:
    node = facts
    for key in path.split("."):
        node = node[int(key)] if isinstance(node, list) else getattr(node, key)
    return node


# fixture -> (section kinds recognised, facts (dotted, on Facts; "n" indexes a list), finding ids)
EXPECTED: dict[str, tuple[set[str], dict[str, Any], set[str]]] = {
    "explain/rocm/rocminfo-rx6600xt-gfx1032-agent2-cut.txt": (
        {"rocminfo"}, {"rocm.gfx_targets": ["gfx1032"], "rocm.gpus.0.name": "AMD Radeon RX 6600 XT"}, set()),
    "rocm/rocminfo-rx7900xtx-two-gpus-partial.txt": (
        {"rocminfo"}, {"rocm.gfx_targets": ["gfx1100"], "rocm.gpus.0.name": "Radeon RX 7900 XTX"}, set()),
    "explain/rocm/rocminfo-isa-gfx1032-cut.txt": ({"rocminfo"}, {"rocm.gfx_targets": ["gfx1032"]}, set()),
    # `rocminfo | grep gfx`: the agent's "Name: gfx1102" lines are rocminfo's, not pip show's;
    # then `rocm-smi --showhw`: "gfx11002" is rocm-smi 6.1-6.2's writing of gfx1102, and the
    # Raphael iGPU's gfx1036 beside it (the later table's GPUs win; its reader,
    # rocm_smi_concise's, is tested in tests/explain/test_rocm_smi_concise.py).
    "explain/rocm/rocminfo-grep-gfx1102-and-rocm-smi-showhw-igpu.txt": (
        {"rocminfo"},
        {"rocm.gfx_targets": ["gfx1102", "gfx1036"], "rocm.gpus.1.name": "0x164e"}, set()),
    "explain/rocm/rocminfo-ryzen-3600x-cpu-agent-cut.txt": ({"rocminfo"}, {"rocm.gfx_targets": []}, set()),
    # rocminfo is a Linux (or WSL) tool: its "Permission denied" is judged without a stated OS.
    "rocm/rocminfo-kfd-permission-denied.txt": (
        {"rocminfo"}, {"rocm.kfd_error": "Permission denied"}, {"rocm-kfd-permission"}),
    "explain/rocm/rocm-mi100-hpc-kfd-permission-denied-torch1.13.txt": (
        {"rocminfo"}, {"rocm.kfd_error": "Permission denied"}, {"rocm-kfd-permission"}),
    "explain/rocm/kfd-grep-gfx-target-version-mi300x.txt": (
        {"kfd-properties"}, {"rocm.gfx_targets": ["gfx942"]}, set()),
    # No "GFX Version" line (ROCm 4.0): the card series is the PCI device id 0x738c (Arcturus).
    "explain/rocm/rocm-smi-showproductname-mi100.txt": ({"rocm-smi"}, {"rocm.gfx_targets": ["gfx908"]}, set()),
    # No "GFX Version" line: the card series names the chip (Fiji, gfx803).
    "explain/rocm/rocm-smi-showproductname-fiji.txt": (
        {"rocm-smi"}, {"rocm.gfx_targets": ["gfx803"], "rocm.gpus.0.name": "Fiji [Radeon R9 FURY / NANO Series]"},
        set()),
    # amd-smi (ROCm 6+): TARGET_GRAPHICS_VERSION, or the DEVICE_ID (0x740f, Aldebaran) where the
    # paste was cut above it; `amd-smi list` states no GPU model.
    "explain/rocm/amd-smi-static-mi350x.txt": (
        {"amd-smi"}, {"rocm.gfx_targets": ["gfx950"], "rocm.gpus.0.name": "AMD Instinct MI350X"}, set()),
    "explain/rocm/amd-smi-list-static-mi210-cut.txt": (
        {"amd-smi"}, {"rocm.gfx_targets": ["gfx90a"], "rocm.gpus.0.name": "AMD Instinct MI210"}, set()),
    "explain/rocm/rocm-smi-showproductname-csv-2x-mi100.txt": (
        {"rocm-smi-csv"}, {"rocm.gfx_targets": ["gfx908"], "rocm.gpus.1.gfx": "gfx908"}, set()),
    # Prose quoting the export sets nothing.
    "explain/rocm/hsa-override-export-rx6600.txt": (set(), {"rocm.hsa_override_gfx_version": None}, set()),
    "explain/jetson/nv-tegra-release-r35.4.1-agx-orin.txt": (
        {"nv-tegra-release"}, {"jetson.is_jetson": True, "jetson.l4t": "35.4.1", "jetson.jetpack": "5"}, set()),
    "explain/jetson/jetson-release-orin-nx-l4t-36.4.3.txt": (
        {"jetson-release"},
        {"jetson.l4t": "36.4.3", "jetson.module": "Orin", "jetson.jetpack": "6", "os.kernel": "5.15.148-tegra"},
        set()),
    # jtop's raw dump: the device tree's model names the module (Thor, 11.0), R38 JetPack 7.
    "explain/jetson/jtop-raw-thor-r38.2-devicetree-model.txt": (
        {"jtop-raw"},
        {"jetson.l4t": "38.2.0", "jetson.model": "NVIDIA Jetson AGX Thor Developer Kit",
         "jetson.module": "Thor", "jetson.compute_capability": "11.0", "jetson.jetpack": "7",
         "os.kernel": "6.8.12-tegra"},
        set()),
    "explain/jetson/nvidia-smi-orin-nvgpu-jetpack-6.2.txt": (
        {"nvidia-smi-table"}, {"jetson.is_jetson": True, "jetson.module": "Orin"}, set()),
    "explain/jetson/uname-igx-orin-l4t-r36.3.txt": (
        {"uname"}, {"jetson.l4t": "36.3", "jetson.module": "Orin", "os.arch": "aarch64"}, set()),
    "explain/fabric/smi-q-fabric-in-progress-gpu-operator.txt": (
        {"nvidia-smi-fabric"}, {"gpu_access.fabric.gpus.0.state": "In Progress", "gpu_access.fabric.nvswitch": True},
        {"cuda-fabric-manager-not-ready"}),
    "explain/fabric/smi-q-grep-fabric-completed-k8s.txt": (
        {"nvidia-smi-fabric"}, {"gpu_access.fabric.gpus.0.status": "Success", "gpu_access.fabric.gpus.0.clique_id": "2"},
        set()),
    "fabric/smi-q-fabric-completed-insufficient-resources.txt": (
        {"nvidia-smi-fabric"}, {"gpu_access.fabric.gpus.0.status": "Insufficient Resources"}, {"nvswitch-fabric-failed"}),
    "fabric/nv-fabricmanager-version-535.161.08.txt": (
        {"fabric-manager-version"}, {"gpu_access.fabric.manager_version": "535.161.08"}, set()),
    # The service's state alone is no NVSwitch sign.
    "explain/fabric/systemctl-status-fabricmanager-active-bottlerocket.txt": (
        {"fabric-manager-status"}, {"gpu_access.fabric.manager_state": "active", "gpu_access.fabric.nvswitch": False},
        set()),
    "explain/container/nvidia-container-cli-info-gtx1080-maxq.txt": (
        {"nvidia-container-cli-info"},
        {"gpu_access.container.cli_driver": "390.87", "nvidia.gpus.0.compute_capability": "6.1",
         "nvidia.driver_version": "390.87"}, set()),
    "explain/container/nvidia-container-cli-info-geforce-920m.txt": (
        {"nvidia-container-cli-info"}, {"gpu_access.container.cli_gpus": ["GeForce 920M"]}, set()),
    "explain/container/nvidia-container-cli-info-xavier-null.txt": (
        {"nvidia-container-cli-info"}, {"gpu_access.container.cli_driver": None, "nvidia.gpus.0.name": "Xavier"}, set()),
    "fabric/nvidia-container-cli-info-4x-t4.txt": (
        {"nvidia-container-cli-info"}, {"gpu_access.container.cli_driver": "575.57.08"}, set()),
    "explain/container/docker-could-not-select-driver-retinanet.txt": (set(), {}, {"container-toolkit-missing"}),
    "explain/container/docker-could-not-select-driver-xagent.txt": (set(), {}, {"container-toolkit-missing"}),
    "explain/container/k8s-failedscheduling-insufficient-nvidia-gpu.txt": (
        set(), {}, {"k8s-gpu-unschedulable"}),
    "explain/container/docker-desktop-windows-could-not-select-driver-titanv.txt": (
        set(), {}, {"container-toolkit-missing"}),
    "explain/container/docker-nvml-driver-not-loaded.txt": (set(), {}, {"container-runtime-no-driver"}),
    "explain/container/nvidia-container-cli-info-nvml-driver-not-loaded.txt": (
        set(), {}, {"container-runtime-no-driver"}),
    "explain/container/nvidia-container-cli-list-libnvidia-ml-missing-rocky9.3.txt": (
        set(), {}, {"container-runtime-no-driver"}),
    # A container started without the GPU, told by the paste's container signs (explain12): the
    # root@<container id> prompt, a `docker run` without --gpus, the OCI runtime's exec error.
    "explain/container/docker-root-hex-prompt-nvidia-smi-not-found-anomalib.txt": (
        set(), {}, {"container-gpu-not-passed"}),
    "explain/container/docker-run-no-gpus-nvidia-smi-not-found-host-v100.txt": (
        {"nvidia-smi-table"}, {"nvidia.driver_version": "435.21"}, {"container-gpu-not-passed"}),
    "explain/container/docker-env-visible-devices-only-exec-nvidia-smi-not-found.txt": (
        {"nvidia-smi-table"}, {"nvidia.driver_version": "510.47.03"}, {"container-gpu-not-passed"}),
    "explain/container/podman-env-visible-devices-exec-nvidia-smi-not-found.txt": (
        set(), {}, {"container-gpu-not-passed"}),
    # A pod that asked for GPUs (nvidia.com/gpu limits) and got none injected: the runtime's fault.
    "explain/container/k8s-pod-gpu-limit-exec-nvidia-smi-not-found-nvkind.txt": (
        set(), {}, {"container-gpu-not-injected"}),
    "explain/container/nvidia-container-cli-requirement-cuda12.8-driver-550.txt": (
        {"nvidia-smi-table"}, {"nvidia.driver_version": "550.144.03"}, {"container-cuda-requirement-unmet"}),
    "explain/container/nvidia-container-cli-requirement-cuda12.8-windows-551.txt": (
        {"nvidia-smi-table"}, {"nvidia.driver_version": "551.78"}, {"container-cuda-requirement-unmet"}),
    "explain/container/podman-docker-cdi-unresolvable-nvidia-gpu-all.txt": (
        set(), {}, {"container-cdi-spec-missing"}),
    "explain/container/docker-unknown-or-invalid-runtime-name-nvidia.txt": (
        set(), {}, {"container-toolkit-missing"}),
    "explain/container/jetson-l4t-36.4.7-invalid-runtime-nvidia-retold.txt": (
        set(), {}, {"container-toolkit-missing"}),
    "explain/container/podman-cdi-nvml-insufficient-permissions.txt": (
        set(), {"nvidia.smi_failure": "nvml-insufficient-permissions"}, {"nvml-insufficient-permissions"}),
    "explain/container/docker-fedora-selinux-nvml-insufficient-permissions.txt": (
        set(), {"nvidia.smi_failure": "nvml-insufficient-permissions"}, {"nvml-insufficient-permissions"}),
    "explain/container/docker-hook-nvml-error-insufficient-permissions.txt": (
        set(), {}, {"nvml-insufficient-permissions"}),
}  # fmt: skip


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_a_real_output_gives_its_facts_and_findings(path: str) -> None:
    kinds, facts, findings = EXPECTED[path]
    result = explain(fixture_text(path), None, lookup_build)
    assert {r.kind for r in result.detection.readings} & (
        NEW_KINDS | {"nvidia-smi-table", "uname"}
    ) == kinds
    for dotted, expected in facts.items():
        value = _value(result.facts, dotted)
        assert (
            str(value) if value is not None and dotted.endswith("capability") else value
        ) == expected, dotted
    ids = {f.id for f in result.findings}
    assert findings <= ids
    for finding in result.findings:
        assert words_for(finding).title  # every id is worded
    # A section of these kinds reads its whole text: nothing left as unread.
    assert not [r for r in result.detection.readings if r.kind in NEW_KINDS and r.unread]


def test_every_fixture_here_has_a_source_row() -> None:
    root = Path(__file__).parent.parent / "fixtures" / "explain"
    listed = (root / "SOURCES.tsv").read_text(encoding="utf-8")
    for path in root.rglob("*.txt"):
        row = f"{path.relative_to(root).as_posix()}\thttps://"
        assert row in listed, path


def test_gfx1032_under_a_rocm_wheel_gets_the_override_unless_it_is_set() -> None:
    agent = fixture_text(HERE + "rocm/rocminfo-rx6600xt-gfx1032-agent2-cut.txt")
    paste = agent + "\n\n" + TORCH.format("1.12.1+rocm5.1.1")
    found = [
        f for f in explain(paste, None, lookup_build).findings if f.id == "rocm-gfx-not-in-build"
    ]
    assert [(f.params["gfx"], f.params["override"]) for f in found] == [("gfx1032", "10.3.0")]
    with_override = "export HSA_OVERRIDE_GFX_VERSION=10.3.0\n" + paste
    result = explain(with_override, None, lookup_build)
    assert result.facts.rocm.hsa_override_gfx_version == "10.3.0"
    assert "rocm-gfx-not-in-build" not in {f.id for f in result.findings}


def test_the_pasted_abort_names_the_pasted_gpu_target() -> None:
    """Case 10's error lines (hipErrorNoBinaryForGpu, then the abort) with a rocminfo agent."""
    paste = fixture_text(HERE + "rocm/rocminfo-rx6600xt-gfx1032-agent2-cut.txt") + "\n\n"
    paste += '"hipErrorNoBinaryForGpu: Unable to find code object for all current devices!"\n'
    paste += "Aborted (core dumped)\n"
    found = [
        f for f in explain(paste, None, lookup_build).findings if f.id == "rocm-no-binary-for-gpu"
    ]
    assert [(f.params.get("gfx"), f.params.get("override")) for f in found] == [
        ("gfx1032", "10.3.0")
    ]
    alone = explain(paste.split("\n\n", 1)[1], None, lookup_build).findings
    assert [f.params.get("gfx") for f in alone if f.id == "rocm-no-binary-for-gpu"] == [None]


@pytest.mark.parametrize(
    "sign",
    [
        "jetson/jetson-release-orin-nx-l4t-36.4.3.txt",
        "jetson/nvidia-smi-orin-nvgpu-jetpack-6.2.txt",
        "jetson/uname-igx-orin-l4t-r36.3.txt",
    ],
)
def test_a_cpu_torch_on_a_pasted_orin_is_judged_a_jetson_torch(sign: str) -> None:
    paste = fixture_text(HERE + sign) + "\n" + TORCH.format("2.7.1+cpu")
    found = {f.id: f for f in explain(paste, None, lookup_build).findings}
    assert found["jetson-torch-cpu-only"].params["module"] == "Orin"
    assert found["jetson-torch-cpu-only"].params["compute_capability"] == "8.7"
    # Never a desktop driver on a Jetson.
    assert not any("driver" in f.id and "install" in str(f.params) for f in found.values())


def test_a_pypi_cuda_wheel_on_a_pasted_l4t_35_is_not_for_its_gpu() -> None:
    paste = fixture_text(HERE + "jetson/nv-tegra-release-r35.4.1-agx-orin.txt") + TORCH.format(
        "2.5.1+cu124"
    )
    found = {f.id: f for f in explain(paste, None, lookup_build).findings}
    assert found["jetson-torch-not-for-igpu"].params["jetpack"] == "5"


def test_an_x86_64_uname_with_a_tegra_looking_name_is_no_jetson() -> None:
    paste = (
        "$ uname -a\nLinux box 5.15.0-tegra #1 SMP Fri May 3 10:21:41 UTC 2024 x86_64 GNU/Linux\n"
    )
    assert explain(paste, None, lookup_build).facts.jetson.is_jetson is False


def test_fabric_manager_version_beside_a_fabric_in_progress() -> None:
    paste = fixture_text("fabric/nv-fabricmanager-version-535.161.08.txt")
    paste += fixture_text(HERE + "fabric/smi-q-fabric-in-progress-gpu-operator.txt")
    found = {f.id: f for f in explain(paste, None, lookup_build).findings}
    assert found["cuda-fabric-manager-not-ready"].params["fabric_state"] == "In Progress"
    assert explain(paste, None).facts.gpu_access.fabric.manager_version == "535.161.08"


def test_a_fabric_block_inside_a_whole_smi_q_log_is_read() -> None:
    """A `nvidia-smi -q` banner and GPU heading (built by hand) around a real Fabric block."""
    block = fixture_text(HERE + "fabric/smi-q-fabric-in-progress-gpu-operator.txt")
    log = (
        "==============NVSMI LOG==============\n\nTimestamp                                 : Tue Jun  2 09:49:44 2026\n"
        "Driver Version                            : 580.159.04\nCUDA Version                              : 13.0\n\n"
        "Attached GPUs                             : 1\nGPU 00000000:18:00.0\n"
        "    Product Name                          : NVIDIA H100 80GB HBM3\n" + block
    )
    result = explain(log, None, lookup_build)
    assert "nvidia-smi-query" in {r.kind for r in result.detection.readings}
    assert [g.state for g in result.facts.gpu_access.fabric.gpus] == ["In Progress"]
    assert "cuda-fabric-manager-not-ready" in {f.id for f in result.findings}


def test_a_failed_fabric_manager_on_a_machine_without_nvswitch_is_no_fabric_finding() -> None:
    paste = fixture_text(HERE + "fabric/journal-fabricmanager-nothing-to-do-a40.txt")
    result = explain(paste, None, lookup_build)
    assert result.facts.gpu_access.fabric.nvswitch is False
    assert not [f for f in result.findings if "fabric" in f.id]


def _other_pastes() -> list[Path]:
    root = Path(__file__).parent.parent / "fixtures"
    mine = {"explain", "rocm", "fabric"}
    return sorted(
        p
        for p in root.rglob("*.txt")
        if p.relative_to(root).parts[0] not in mine | {"cases", "hosts"}
    )


def test_the_new_readers_stay_quiet_on_every_other_real_paste() -> None:
    readers = [reader for module in MODULES for reader in module.READERS]
    claimed = []
    for path in _other_pastes():
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = normalise(text)
        found = detect(lines, readers)
        claimed += [(path.name, r.kind) for r in found.readings]
        ids = {s.id for s in classify(lines)}
        assert not ids & {"docker-gpu-driver-missing", "nvidia-container-cli-init-failed"}, path
    # Jetson signs in a Jetson's own collect_env are read by collect_env, not claimed here; the
    # one real `nvidia-container-cli info` of tests/fixtures/fabric is outside this set. The one
    # paste in paste/errors holding a real rocminfo (after its hipErrorNoBinaryForGpu) is read.
    assert claimed == [("attack10-hip-no-binary-navi14-rocminfo-irregular.txt", "rocminfo")]


def _variants(text: str) -> list[str]:
    lines = text.splitlines(keepends=True)
    cut = ["".join(lines[:n]) for n in range(len(lines) + 1)]
    halves = ["".join(lines[:n]) + lines[n][: len(lines[n]) // 2] for n in range(len(lines))]
    wrapped = "\n".join(textwrap.fill(line, 30) for line in text.splitlines())
    return [*cut, *halves, wrapped, text.replace("\t", " "), text.upper()]


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_cut_and_wrapped_variants_never_raise(path: str) -> None:
    scans = [
        (rocm._rocminfo_scan, rocm._rocminfo_read), (rocm._kfd_scan, rocm._kfd_read),
        (rocm._smi_scan, rocm._smi_read), (rocm._override_scan, rocm._override_read),
        (jetson._release_scan, jetson._release_read), (jetson._stats_scan, jetson._stats_read),
        (fabric._fabric_scan, fabric._fabric_read), (fabric._version_scan, fabric._version_read),
        (fabric._status_scan, fabric._status_read), (container._scan, container._read),
    ]  # fmt: skip
    for text in _variants(fixture_text(path)):
        lines = normalise(text)
        for scan, read in scans:  # unguarded: a reader's bug must show here
            for start in range(len(lines)):
                count = scan(lines, start)
                assert 0 <= count <= len(lines) - start
                if count:
                    read(lines[start : start + count])
        explain(text, None, lookup_build)


def test_a_rocm_smi_without_gfx_version_is_judged_against_the_rocm_wheel() -> None:
    """ROCm 4.x/5.x rocm-smi prints no "GFX Version": the chip its card series names (Fiji,
    gfx803: in no PyTorch ROCm wheel) or its device id (0x738c, MI100, gfx908: in them) is."""
    torch = TORCH.format("2.3.1+rocm6.0")
    fiji = fixture_text(HERE + "rocm/rocm-smi-showproductname-fiji.txt") + "\n" + torch
    found = [
        f for f in explain(fiji, None, lookup_build).findings if f.id == "rocm-gfx-not-in-build"
    ]
    assert [f.params["gfx"] for f in found] == ["gfx803"]
    mi100 = fixture_text(HERE + "rocm/rocm-smi-showproductname-mi100.txt") + "\n" + torch
    ids = {f.id for f in explain(mi100, None, lookup_build).findings}
    assert "rocm-gfx-not-in-build" not in ids


def test_a_pypi_cpu_wheel_of_a_release_with_no_aarch64_cuda_build_says_so() -> None:
    """pytorch/pytorch #123835: PyPI's torch 2.2.2 on a GH200. torch 2.2 has no CUDA build for
    linux-aarch64 at all, so the fix says to take a later release's (it printed "( exist for
    torch 2.2)", an empty list)."""
    paste = fixture_text("collect_env/linux-aarch64-gh200-pypi-torch2.2.2-cpu-cuda-false.txt")
    found = {f.id: f for f in explain(paste, None, lookup_build).findings}
    finding = found["torch-cpu-only-on-gpu-host"]
    assert finding.params["cuda_variants"] == []
    fix = words_for(finding).fix
    assert "( exist" not in fix
    assert "torch 2.2 has none for linux-aarch64: take a later release's" in fix
    assert "`envsetup install --cuda auto`" in fix


@pytest.mark.parametrize(
    ("name", "owner", "says"),
    [
        # pytorch/pytorch #150724: conda's libcurand on CentOS 7 (glibc 2.17).
        (
            "glibc-2.27-not-found-libcurand-centos7-conda-torch2.5.1.txt",
            "cuda-library",
            "a CUDA library torch loads",
        ),
        # pytorch/pytorch #14274: torch 1.0 on CentOS 6.8, the error quoted in backticks.
        (
            "glibc-2.14-not-found-libshm-centos6.8-torch1.0-backticks.txt",
            "torch",
            "picks the newest",
        ),
        # KumaTea/pytorch-aarch64 #17: an aarch64 torch 1.6.0 wheel on Ubuntu 18.04.
        (
            "glibc-2.28-not-found-libtorch-python-aarch64-ubuntu18.04.txt",
            "torch",
            "picks the newest",
        ),
        # pyg-team/pyg-lib #548: pyg-lib's own library, not torch's.
        ("glibc-2.33-not-found-libpyg-extension-ubuntu20.04.txt", "other", "is not torch's"),
    ],
)
def test_a_library_that_needs_a_newer_glibc_is_the_old_glibc_kind(
    name: str, owner: str, says: str
) -> None:
    """`version 'GLIBC_X' not found (required by P)` was a generic traceback finding (or nothing
    at all without a traceback): the old-glibc kind, judged by whose library P is."""
    paste = fixture_text("paste/errors/" + name)
    found = {f.id: f for f in explain(paste, None, lookup_build).findings}
    finding = found["glibc-too-old"]
    assert finding.params["owner"] == owner
    assert finding.severity == "error"
    words = words_for(finding)
    assert "glibc" in words.title and says in words.fix
    assert "python-exception" not in found and "torch-import-error" not in found


def test_the_drivers_nvml_library_missing_is_the_drivers_to_install() -> None:
    """libnvidia-ml.so.1 is NVML, the driver's library (like libcuda): its fix is the driver,
    never "the CUDA toolkit's runtime libraries". A constructed line (glibc's dlopen wording, as
    NVIDIA/libnvidia-container #231 shows it inside nvidia-container-cli's message, where the
    container runtime's finding says it instead)."""
    paste = (
        "OSError: libnvidia-ml.so.1: cannot open shared object file: No such file or directory\n"
    )
    finding = {f.id: f for f in explain(paste, None, lookup_build).findings}[
        "cuda-library-not-found"
    ]
    assert finding.params["provider"] == "driver"
    assert "libnvidia-ml.so.1 comes with the NVIDIA driver" in words_for(finding).fix


def test_nvidia_container_clis_missing_nvml_is_one_finding_about_the_driver() -> None:
    """NVIDIA/libnvidia-container #231: the cli's "load library failed: libnvidia-ml.so.1: cannot
    open ..." gave a second error, cuda-library-not-found, whose fix was "the CUDA toolkit's
    runtime libraries" (libnvidia-ml is the driver's NVML). The runtime's finding says it."""
    paste = fixture_text(
        "explain/container/nvidia-container-cli-list-libnvidia-ml-missing-rocky9.3.txt"
    )
    ids = [f.id for f in explain(paste, None, lookup_build).findings]
    assert ids == ["container-runtime-no-driver"]
