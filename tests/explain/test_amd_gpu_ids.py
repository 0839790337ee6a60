"""The AMD chip table (src/envsetup/data/amd_gpu_ids.toml, compat/amd_gpu_ids.py) that gives a
gfx target where rocm-smi prints none, and rocm-smi's text read with it (parsers/rocm.py).

The card series values are real rocm-smi output (tests/fixtures/explain/SOURCES.tsv); the
`GPU[0] : ...` blocks built here by hand say so."""

from __future__ import annotations

import pytest

from envsetup.compat import amd_gpu_ids
from envsetup.compat.shipped import load_table
from envsetup.parsers.rocm import amd_smi_static_gpus, rocm_smi_csv_products, rocm_smi_products


@pytest.mark.parametrize(
    ("series", "gfx"),
    [
        ("0x738c", "gfx908"),  # ROCm 4.0 on an MI100 (ROCm/legacy-rocm-build #1351)
        ("Arcturus GL-XL [AMD Instinct MI100]", "gfx908"),
        ("Fiji [Radeon R9 FURY / NANO Series]", "gfx803"),
        ("Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]", "gfx1030"),  # ROCm/pyrsmi #21
        ("Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]", "gfx1100"),  # OpenLinkHub #27
        ("navi_22", "gfx1031"),
        # pci.ids' chip names (PCIIDS in the table), as lspci and rocm-smi print them.
        ("Navi 23 [Radeon RX 6600/6600 XT/6600M]", "gfx1032"),
        ("Navi 24 [Radeon RX 6400/6500 XT/6500M]", "gfx1034"),
        ("Navi 24 [Radeon PRO W6400]", "gfx1034"),
        ("0x73ff", "gfx1032"),  # RX 6600 / 6600 XT
        ("0x743f", "gfx1034"),  # RX 6400 / 6500 XT
        ("1002:73BF", "gfx1030"),
    ],
)
def test_a_listed_chip_or_device_id_gives_its_target(series: str, gfx: str) -> None:
    assert amd_gpu_ids.gfx_by_series(series) == gfx


@pytest.mark.parametrize(
    "series",
    [
        "Navi 48 [Radeon AI PRO R9700]",  # not in the table: unknown, not guessed
        "Navi 2",  # no chip is "navi2"
        "Navi 21/23 HDMI/DP Audio Controller",  # the cards' audio function names two chips
        "Radeon R9 FURY X",  # a marketing name names no chip
        "0xc34",  # the MI100's subsystem id (its "Card model")
        "",
    ],
)
def test_what_the_table_does_not_list_gives_nothing(series: str) -> None:
    assert amd_gpu_ids.gfx_by_series(series) is None


def test_every_row_names_a_source_and_no_key_has_two_targets() -> None:
    data = load_table(amd_gpu_ids.DATA, "AMD GPU table")
    assert all(chip["source"] in data["sources"] for chip in data["chip"])
    for text in data["sources"].values():
        assert "https://" in text
    names, ids, cards = amd_gpu_ids._tables()  # raises on a key listed with two targets
    assert names and ids and cards


def test_a_card_name_in_a_line_gives_its_target_written_as_people_write_it() -> None:
    # The lines of the real pastes (tests/fixtures/paste/errors/hip-*) and collect_env's ROCm
    # GPU line (pytorch/pytorch #145670), with the card names Gentoo's flags list per target.
    assert amd_gpu_ids.gfx_by_card_name("With a Radeon RX 6900 XT:") == (
        "gfx1030",
        "Radeon RX 6900 XT",
    )
    assert amd_gpu_ids.gfx_by_card_name("Radeon 5700XT") == ("gfx1010", "Radeon 5700XT")
    assert amd_gpu_ids.gfx_by_card_name("AMD Radeon RX 5700 XT (gfx1010:xnack-)")[0] == "gfx1010"
    assert amd_gpu_ids.gfx_by_card_name("AMD Radeon 780M")[0] == "gfx1103"
    assert amd_gpu_ids.gfx_by_card_name("Radeon RX 7600M XT")[0] == "gfx1102"
    assert amd_gpu_ids.gfx_by_series("Strix Halo [Radeon Graphics / Radeon 8060S Graphics]") == (
        "gfx1151"
    )
    # Never a guess: a Pro name (another chip than the RX of that number), a card not listed.
    assert amd_gpu_ids.gfx_by_card_name("Radeon Pro 5600M") is None
    assert amd_gpu_ids.gfx_by_card_name("AMD Radeon RX 580") is None
    assert amd_gpu_ids.gfx_by_card_name("Radeon RX 5700 XTX") is None


def test_rocm_smi_text_without_gfx_version_reads_the_card_series_not_the_model() -> None:
    # Built by hand: ROCm 4.0's layout with a model (subsystem id) that is another chip's id.
    text = "GPU[0]\t\t: Card series: \t\tNavi 22 [Radeon RX 6700 XT]\nGPU[0]\t\t: Card model: \t\t0x738c\n"
    gpus = rocm_smi_products(text)
    assert [(g.gfx, g.name) for g in gpus] == [("gfx1031", "Navi 22 [Radeon RX 6700 XT]")]
    assert "amd_gpu_ids.toml" in gpus[0].source
    assert rocm_smi_products("GPU[0]\t\t: Card model: \t\t0x738c\n") == []


def test_a_gfx_version_line_wins_over_the_table() -> None:
    text = "GPU[0] : Card series: Navi 21 [x]\nGPU[0] : GFX Version: gfx1031\n"
    assert [g.gfx for g in rocm_smi_products(text)] == ["gfx1031"]


def test_the_csv_form_gives_the_same_gpus() -> None:
    text = (
        "device,Card series,Card model,Card vendor,Card SKU\n"
        "card0,Arcturus GL-XL [AMD Instinct MI100],0x0c34,Advanced Micro Devices Inc. [AMD/ATI],D34316\n"
        "card1,Fiji [Radeon R9 FURY / NANO Series],Radeon R9 FURY X,AMD,C88001\n"
    )
    assert [g.gfx for g in rocm_smi_csv_products(text)] == ["gfx908", "gfx803"]
    assert rocm_smi_csv_products("device,Driver version\ncardsystem,4.18.0\n") == []


def test_amd_smi_static_gives_the_target_it_prints_or_its_device_ids() -> None:
    # Built by hand in amd-smi's layout (the real outputs: tests/fixtures/explain/rocm/amd-smi-*).
    printed = "GPU: 0\n    ASIC:\n        MARKET_NAME: X\n        TARGET_GRAPHICS_VERSION: gfx942\n"
    assert [(g.gfx, g.name) for g in amd_smi_static_gpus(printed)] == [("gfx942", "X")]
    by_id = "GPU: 1\n    ASIC:\n        MARKET_NAME: N/A\n        DEVICE_ID: 0x738c\n"
    assert [(g.gfx, g.name) for g in amd_smi_static_gpus(by_id)] == [("gfx908", "")]
    nic = "AI_NIC: 0\n    DEVICE_ID: 0x738c\n"  # another device's block: no GPU
    assert amd_smi_static_gpus(nic) == []
