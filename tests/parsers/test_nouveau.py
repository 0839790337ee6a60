from __future__ import annotations

from _cutting import fixture_paths, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers.nouveau import nouveau_evidence


def test_lspci_driver_in_use() -> None:
    text = read("driver", "lspci-kernel-driver-in-use-nouveau-gtx970.txt")
    # "Kernel modules: nouveau, nvidia_drm, nvidia" only says what could bind: not evidence.
    assert nouveau_evidence(text) == ["Kernel driver in use: nouveau"]


def test_dmesg_probe_not_called() -> None:
    text = read("driver", "dmesg-nvrm-probe-not-called-nouveau-owns-device.txt")
    assert nouveau_evidence(text) == [
        "[188549.976351] NVRM: The NVIDIA probe routine was not called for 3 device(s).",
        "NVRM: was loaded and obtained ownership of the NVIDIA device(s).",
    ]


def test_lsmod_with_only_nvidia_modules_is_no_evidence() -> None:
    text = read("nvidia-smi-failures", "nvidia-smi-not-found-diagnostics-rhel8.txt")
    assert nouveau_evidence(text) == []


def test_proc_modules_line() -> None:
    # /proc/modules format: name size refcount deps state address.
    text = "nouveau 2306048 1 - Live 0x0000000000000000\nvideo 73728 1 nouveau, Live 0x0\n"
    assert nouveau_evidence(text) == ["nouveau 2306048 1 - Live 0x0000000000000000"]


def test_no_other_fixture_shows_nouveau() -> None:
    for category in ("nvidia-smi", "nvidia-smi-failures", "os"):
        for path in fixture_paths(category):
            assert nouveau_evidence(path.read_text(encoding="utf-8")) == [], path.name


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    assert all(line in text for line in nouveau_evidence(text))


def test_cut_output_gives_a_prefix_of_the_evidence() -> None:
    for name in (
        "lspci-kernel-driver-in-use-nouveau-gtx970.txt",
        "dmesg-nvrm-probe-not-called-nouveau-owns-device.txt",
    ):
        text = read("driver", name)
        whole = nouveau_evidence(text)
        for end in range(len(text) + 1):
            cut = nouveau_evidence(text[:end])
            assert len(cut) <= len(whole)
            assert all(full.startswith(line) for line, full in zip(cut, whole)), end
