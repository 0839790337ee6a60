"""Plain `rocm-smi` (its "Concise Info" table, three layouts), `rocm-smi --showhw` (its "Concise
Hardware Info" table, two layouts) and `rocm-smi --json` read by
explain (explain/sections/rocm_smi_concise.py), and rocm-smi's decimal writing of a gfx target.

The fixtures are real outputs (tests/fixtures/explain/SOURCES.tsv names each one's public
report); the JSON objects and `GPU[0]` lines written inline below are built by hand and say so.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from envsetup.explain.run import explain
from envsetup.explain.sections.rocm_smi_concise import json_gpus
from envsetup.parsers.rocm import rocm_smi_gfx, rocm_smi_products
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from hostbuilder import fixture_text

HERE = "explain/rocm/"
TORCH = '$ python -c "import torch; print(torch.__version__)"\n{}\n'


# fixture -> (kind, gfx targets, [(gfx, name) per GPU])
EXPECTED: dict[str, tuple[str, list[str], list[tuple[str, str]]]] = {
    # ROCm 3.3: index only; no name or id to read, but the table is recognised whole.
    "rocm-smi-concise-rocm3.3.txt": ("rocm-smi-concise", [], []),
    # ROCm 6.0, the name row is the device id 0x744c (RX 7900 XTX): Navi 31, gfx1100.
    "rocm-smi-concise-6.0-rx7900xtx-no-name.txt": ("rocm-smi-concise", ["gfx1100"], [("gfx1100", "0x744c")]),
    # ROCm 6.0 cut before its name row: the subsystem id in [Model : Revision] is no chip id.
    "rocm-smi-concise-6.0-cut.txt": ("rocm-smi-concise", [], []),
    # ROCm 7, DPX partitions: 8 devices of DID 0x75a0, a chip the table does not list (no guess).
    "rocm-smi-concise-7.x-mi355x-dpx-cut.txt": ("rocm-smi-concise", [], [("", "0x75a0")] * 8),
    # --json: "gfx9010" is gfx90a.
    "rocm-smi-showproductname-json-mi250x-gfx9010.txt": (
        "rocm-smi-json", ["gfx90a"], [("gfx90a", "AMD INSTINCT MI200 (MCM) OAM LC MBA HPE C2")]),
    # TorchServe's rocm-smi command on two MI250 dies: gfx9010 and the VRAM in bytes.
    "rocm-smi-json-meminfo-2x-mi250.txt": (
        "rocm-smi-json", ["gfx90a"], [("gfx90a", "AMD INSTINCT MI250 (MCM) OAM AC MBA")] * 2),
    # --showhw, ROCm 5.x: no GFX VER column, device ids without "0x"; the Raphael iGPU (164e,
    # gfx1036) is GPU 0, the RX 7900 XTX (744c, gfx1100) GPU 1.
    "rocm-smi-showhw-rocm5-raphael-igpu-first-rx7900xtx.txt": (
        "rocm-smi-showhw", ["gfx1036", "gfx1100"], [("gfx1036", "0x164e"), ("gfx1100", "0x744c")]),
    # --showhw, ROCm 7.x: GFX VER "gfx90a" (its own name since ROCm 6.4), after the low-power
    # WARNING line, the code fence glued to the command and to the last banner.
    "rocm-smi-showhw-rocm7-2x-mi210-lowpower-warning.txt": (
        "rocm-smi-showhw", ["gfx90a"], [("gfx90a", "0x740f")] * 2),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_real_rocm_smi_output_gives_its_gpus(name: str) -> None:
    kind, targets, gpus = EXPECTED[name]
    result = explain(fixture_text(HERE + name), None, lookup_build)
    readings = result.detection.readings
    assert [r.kind for r in readings] == [kind]
    assert not readings[0].unread  # every line of the table is read
    assert result.facts.rocm.gfx_targets == targets
    assert [(g.gfx, g.name) for g in result.facts.rocm.gpus] == gpus


def test_a_concise_table_with_a_cuda_torch_names_the_amd_gpu() -> None:
    # The real 7900 XTX table plus a CUDA torch line (built by hand): the CUDA build cannot use it.
    paste = (
        fixture_text(HERE + "rocm-smi-concise-6.0-rx7900xtx-no-name.txt")
        + "\n"
        + TORCH.format("2.5.1+cu124")
    )
    found = [
        f
        for f in explain(paste, None, lookup_build).findings
        if f.id == "torch-not-rocm-on-amd-gpu"
    ]
    assert found and found[0].params["gfx"] == ["gfx1100"]


def test_without_a_gpu_row_the_banner_alone_is_not_claimed() -> None:
    paste = "======================= ROCm System Management Interface =======================\n"
    result = explain(paste, None, lookup_build)
    assert "rocm-smi-concise" not in {r.kind for r in result.detection.readings}


@pytest.mark.parametrize(
    ("value", "gfx"),
    [
        ("gfx9010", "gfx90a"),  # MI250X (ROCm/rocm_smi_lib #159)
        ("gfx9012", "gfx90c"),
        # rocm-smi 6.1-6.2 multiplies the major by 10 more where the minor is 0
        # (rocm_smi_lib src/rocm_smi_utils.cc rsmi_get_gfx_target_version):
        ("gfx11002", "gfx1102"),  # RX 7600 XT (ROCm/legacy-rocm-build #4380)
        ("gfx11000", "gfx1100"),  # Radeon PRO W7900 (hackster README, 3d94f0a5)
        ("gfx12001", "gfx1201"),
        ("gfx9008", "gfx908"),  # MI100, still so in ROCm 6.3
        ("gfx9006", "gfx906"),
        ("gfx1036", "gfx1036"),  # a non-zero minor reads right (the Raphael iGPU)
        ("gfx942", "gfx942"),
        ("gfx10016", None),  # no target has a stepping of 16
        ("gfx908", "gfx908"),
        ("gfx1010", "gfx1010"),  # Navi 10: a real four-digit target stays
        ("GFX1031", "gfx1031"),
        ("N/A", None),
        ("", None),
    ],
)
def test_rocm_smi_gfx_version_reads_the_decimal_stepping(value: str, gfx: Any) -> None:
    assert rocm_smi_gfx(value) == gfx


def test_the_text_form_reads_gfx9010_as_gfx90a_too() -> None:
    # Built by hand: the --showproductname text line of the same value.
    gpus = rocm_smi_products("GPU[0]\t\t: GFX Version: \t\tgfx9010\n")
    assert [g.gfx for g in gpus] == ["gfx90a"]


def test_json_without_gfx_version_takes_the_device_name_or_id() -> None:
    # Built by hand in the keys rocm-smi 6.2 prints (sebhildebrandt/systeminformation #960).
    data = {
        "card0": {"Device Name": "Navi 23 [Radeon RX 6600/6600 XT/6600M]", "Device ID": "0x73ff"},
        "card1": {"Device Name": "Phoenix3", "Device ID": "0x1900"},  # not in the table
        "card2": {"Device ID": "0x744c"},
        "system": {"Driver version": "6.8.0"},
    }
    assert [(g["gfx"], g["name"]) for g in json_gpus(data)] == [
        ("gfx1032", "Navi 23 [Radeon RX 6600/6600 XT/6600M]"),
        ("", "Phoenix3"),
        ("gfx1100", ""),
    ]


def test_json_meminfo_gives_each_gpus_vram() -> None:
    result = explain(fixture_text(HERE + "rocm-smi-json-meminfo-2x-mi250.txt"), None, lookup_build)
    assert [g.vram_mib for g in result.facts.rocm.gpus] == [65520, 65520]  # 68702699520 B


def test_showhw_of_rocm_6_1_reads_gfx11002_and_the_igpu_in_node_order() -> None:
    # ROCm/legacy-rocm-build #4380: `rocminfo --support | grep gfx`, then `rocm-smi --showhw`
    # (NODE 1: 0x7480 "gfx11002" = gfx1102, NODE 2: the Raphael iGPU 0x164e, gfx1036).
    result = explain(
        fixture_text(HERE + "rocminfo-grep-gfx1102-and-rocm-smi-showhw-igpu.txt"),
        None,
        lookup_build,
    )
    assert [r.kind for r in result.detection.readings] == ["rocminfo", "rocm-smi-showhw"]
    assert not any(r.unread for r in result.detection.readings)
    assert [(g.gfx, g.name) for g in result.facts.rocm.gpus] == [
        ("gfx1102", "0x7480"),
        ("gfx1036", "0x164e"),
    ]


def test_showproductname_of_rocm_6_1_reads_gfx11000_as_gfx1100() -> None:
    # A Radeon PRO W7900 and the Ryzen 9 7950X's iGPU (hackster README at 3d94f0a5).
    result = explain(
        fixture_text(HERE + "rocm-smi-showproductname-gfx11000-w7900-raphael-igpu.txt"),
        None,
        lookup_build,
    )
    assert result.facts.rocm.gfx_targets == ["gfx1100", "gfx1036"]


def _gfx_findings(paste: str) -> list[Any]:
    found = explain(paste, None, lookup_build).findings
    return [f for f in found if f.id == "rocm-gfx-not-in-build"]


@pytest.mark.parametrize(
    ("name", "torch", "keep"),
    [
        # The RX 7600 XT is NODE 1, the iGPU NODE 2: keep GPU 0 (#4380's torch 2.6.0+rocm6.2.4).
        ("rocminfo-grep-gfx1102-and-rocm-smi-showhw-igpu.txt", "2.6.0+rocm6.2.4", [0]),
        # The W7900 and the iGPU, with that README's own torch 2.3.1+rocm6.0 (its list: gfx1100).
        ("rocm-smi-showproductname-gfx11000-w7900-raphael-igpu.txt", "2.3.1+rocm6.0", [0]),
        # ROC-smi #100: the iGPU listed first, the RX 7900 XTX second.
        ("rocm-smi-showhw-rocm5-raphael-igpu-first-rx7900xtx.txt", "2.3.1+rocm6.0", [1]),
    ],
)
def test_the_igpu_beside_a_dgpu_is_to_be_hidden(name: str, torch: str, keep: list[int]) -> None:
    # The real tables plus a torch line built by hand.
    [igpu] = _gfx_findings(fixture_text(HERE + name) + "\n" + TORCH.format(torch))
    assert igpu.params["gfx"] == "gfx1036" and igpu.params["integrated"] is True
    assert igpu.params["override"] is None and igpu.params["keep_visible"] == keep
    words = words_for(igpu)
    assert "integrated GPU" in words.title
    shown = ",".join(map(str, keep))
    assert f"ROCR_VISIBLE_DEVICES={shown}" in words.fix
    assert f"HIP_VISIBLE_DEVICES={shown}" in words.fix and "BIOS" in words.fix
    assert "HSA_OVERRIDE_GFX_VERSION" not in words.fix


def test_an_igpu_of_the_dgpus_family_is_hidden_not_overridden() -> None:
    # Built by hand (--json keys as rocm-smi 6.2 prints them): an RX 6700 XT (gfx1031) and the
    # Raphael iGPU (gfx1036) under torch 1.12.1+rocm5.1.1 (its list: gfx1030). One override,
    # 10.3.0, would run both; the iGPU is still to be hidden, the dGPU to get the override.
    data = {
        "card0": {"GFX Version": "gfx1031", "Device Name": "Navi 22"},
        "card1": {"GFX Version": "gfx1036", "Device Name": "Raphael"},
    }
    paste = json.dumps(data, indent=4) + "\n" + TORCH.format("1.12.1+rocm5.1.1")
    found = {f.params["gfx"]: f for f in _gfx_findings(paste)}
    assert found["gfx1031"].params["override"] == "10.3.0"
    assert found["gfx1031"].params["integrated"] is False
    assert found["gfx1036"].params["override"] is None
    assert found["gfx1036"].params["keep_visible"] == [0]


def test_the_dgpus_override_is_judged_without_the_hidden_igpu() -> None:
    # Built by hand: an RX 7800 XT (gfx1101) and the Raphael iGPU under torch 2.1.2+rocm5.6 (its
    # confirmed list has gfx1100). 11.0.0 serves the GPU that stays visible; before, the iGPU's
    # other family made it hide the RX 7800 XT instead.
    data = {"card0": {"GFX Version": "gfx1101"}, "card1": {"GFX Version": "gfx1036"}}
    paste = json.dumps(data, indent=4) + "\n" + TORCH.format("2.1.2+rocm5.6")
    found = {f.params["gfx"]: f.params for f in _gfx_findings(paste)}
    assert (found["gfx1101"]["override"], found["gfx1101"]["keep_visible"]) == ("11.0.0", None)
    assert (found["gfx1036"]["override"], found["gfx1036"]["keep_visible"]) == (None, [0])
