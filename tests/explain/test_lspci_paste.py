"""explain reads a pasted lspci (plain, -nn, -nnv): the NVIDIA GPUs' PCI device ids name them
(pci.ids table), so their compute capability reaches the arch judgement as from nvidia-smi.

The lspci lines are real (tests/fixtures/driver/SOURCES.tsv); the `uname -a` and torch lines
around them are built by hand for these tests (a paste a user would add to them).
"""

from __future__ import annotations

from envsetup.explain.run import explain
from envsetup.profiles.lookup import lookup_build
from hostbuilder import fixture_text

RTX5090 = "driver/lspci-unnamed-device-2b85-4x-rtx5090-no-driver.txt"
UNAME = (
    "$ uname -a\nLinux gpu01 6.8.0-51-generic #52-Ubuntu SMP PREEMPT_DYNAMIC Thu Dec  5 13:09:44"
    " UTC 2024 x86_64 x86_64 x86_64 GNU/Linux\n"
)
TORCH = '$ python -c "import torch; print(torch.__version__, torch.version.cuda)"\n{}\n'


def _gpus(paste: str) -> list[tuple[str, str]]:
    facts = explain(paste, None, lookup_build).facts
    return [(g.name, str(g.compute_capability)) for g in facts.nvidia.gpus]


def test_plain_lspci_device_2b85_is_an_rtx5090_with_sm120() -> None:
    assert _gpus(fixture_text(RTX5090)) == [("GeForce RTX 5090", "12.0")] * 4


def test_lspci_nn_forms_are_recognised() -> None:
    k80 = fixture_text("driver/lspci-nn-tesla-k80-102d-hyperv.txt")
    a30 = fixture_text("driver/lspci-nn-a30-20b7.txt")
    assert _gpus(k80) == [("Tesla K80", "3.7")]
    assert _gpus(a30) == [("A30 PCIe", "8.0")]


def test_torch_without_sm120_is_judged_against_the_pasted_gpu() -> None:
    paste = UNAME + fixture_text(RTX5090) + TORCH.format("2.5.1+cu124 12.4")
    ids = {f.id for f in explain(paste, None, lookup_build).findings}
    assert "gpu-arch-not-in-torch-build" in ids
    # An lspci paste proves no missing driver: the paste may come from a working host.
    assert "gpu-without-driver" not in ids


def test_an_unlisted_id_names_no_gpu() -> None:
    text = fixture_text(RTX5090).replace("Device 2b85", "Device 2bff")
    assert _gpus(text) == []


def test_a_driver_listed_gpu_wins_over_the_pci_id_name() -> None:
    # nvidia-smi -L (line built by hand) lists the GPUs as CUDA counts them, with UUIDs: the
    # lspci names stay out of nvidia.gpus wherever the paste or the host lists GPUs otherwise.
    smi = "$ nvidia-smi -L\nGPU 0: NVIDIA GeForce RTX 5090 (UUID: GPU-11111111-2222-3333-4444-555555555555)\n"  # fmt: skip
    for paste in (smi + fixture_text("driver/lspci-nn-a30-20b7.txt"),
                  fixture_text("driver/lspci-nn-a30-20b7.txt") + smi):  # fmt: skip
        assert _gpus(paste) == [("NVIDIA GeForce RTX 5090", "12.0")]


def test_lspci_n_numeric_rows_name_the_gpu() -> None:
    # `lspci -n`: "00:04.0 0302: 10de:20b0 (rev a1)" among virtio rows (GCE, real log).
    assert _gpus(fixture_text("driver/lspci-n-numeric-10de-20b0-gce.txt")) == [
        ("A100 SXM4 40GB", "8.0")
    ]
    # The same kind, built by hand: a VGA-class (0300) row, an audio function (0403) left out.
    rows = "01:00.0 0300: 10de:2b85 (rev a1)\n01:00.1 0403: 10de:22e8 (rev a1)\n"
    assert _gpus(rows) == [("GeForce RTX 5090", "12.0")]


def test_the_bracketed_product_lspci_prints_names_the_gpu() -> None:
    # "GP107M [GeForce GTX 1050 Ti Mobile] [10de:1c8c]" (real) and "GF106GL [Quadro 2000]"
    # (real, Fermi: no capability in the table, so named but not judged) and
    # "GM204 [GeForce GTX 970]" (real, -vv without -nn: no id at all).
    mobile = fixture_text("driver/lspci-nn-gp107m-gtx1050ti-mobile-1c8c.txt")
    assert _gpus(mobile) == [("GeForce GTX 1050 Ti Mobile", "6.1")]
    assert _gpus(fixture_text("driver/lspci-vvvv-gf106gl-quadro-2000-fermi-pi5.txt")) == [
        ("Quadro 2000", "None")
    ]
    gtx970 = fixture_text("driver/lspci-kernel-driver-in-use-nouveau-gtx970.txt")
    assert _gpus(gtx970) == [("GeForce GTX 970", "5.2")]
    # An id the table lacks, with a product lspci names: the product (built by hand from
    # pci.ids' "TU116 [GeForce GTX 1660 SUPER]").
    line = "01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU116 [GeForce GTX 1660 SUPER] [10de:21c5] (rev a1)\n"  # fmt: skip
    assert _gpus(line) == [("GeForce GTX 1660 SUPER", "7.5")]
