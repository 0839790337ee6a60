from __future__ import annotations

import pytest
from _cutting import fixture_paths, read
from hypothesis import given, settings
from hypothesis import strategies as st

from envsetup.parsers.nvidia_smi import classify_smi_failure

FAILURES = {
    "couldnt-communicate-after-unattended-upgrade.txt": ("couldnt-communicate", None),
    "nvml-mismatch-570.124-with-library-version.txt": ("version-mismatch", "570.124"),
    "nvml-mismatch-old-format.txt": ("version-mismatch", None),
    "no-devices-found-query-csv-ci.txt": ("no-devices", None),
    "unable-to-determine-device-handle-0B.txt": ("gpu-lost", None),
    "fallen-off-bus-dmesg-570.txt": ("gpu-lost", None),
    # A container that lost its device access (NVIDIA/nvidia-container-toolkit #48), not a lost GPU.
    "nvml-unknown-error-container-after-daemon-reload.txt": ("nvml-unknown-error", None),
    "wsl-couldnt-communicate-driver-not-loaded.txt": ("driver-not-loaded", None),
}
# A tool's own diagnostics saying nvidia-smi is missing: not a failure nvidia-smi printed.
NOT_SMI_FAILURES = ["nvidia-smi-not-found-diagnostics-rhel8.txt"]


def test_every_fixture_has_an_expectation() -> None:
    names = {path.name for path in fixture_paths("nvidia-smi-failures")}
    assert names == set(FAILURES) | set(NOT_SMI_FAILURES)


@pytest.mark.parametrize(("name", "expected"), FAILURES.items())
def test_failure(name: str, expected: tuple) -> None:
    failure = classify_smi_failure(read("nvidia-smi-failures", name))
    assert failure is not None
    assert (failure.id, failure.library_version) == expected
    assert failure.summary
    text = read("nvidia-smi-failures", name)
    assert failure.evidence
    assert all(line in text for line in failure.evidence.splitlines())


def test_mismatch_found_next_to_proc_version() -> None:
    text = read("driver", "nvml-mismatch-580.178-vs-proc-version-580.173.02-truenas.txt")
    failure = classify_smi_failure(text)
    assert failure is not None
    assert (failure.id, failure.library_version) == ("version-mismatch", "580.178")
    assert failure.evidence.splitlines() == [
        "Failed to initialize NVML: Driver/library version mismatch",
        "NVML library version: 580.178",
    ]


def test_device_handle_evidence_names_the_bus_id() -> None:
    failure = classify_smi_failure(
        read("nvidia-smi-failures", "unable-to-determine-device-handle-0B.txt")
    )
    assert failure is not None
    assert "0000:0B:00.0" in failure.evidence


@pytest.mark.parametrize("name", NOT_SMI_FAILURES)
def test_other_text_is_not_a_failure(name: str) -> None:
    assert classify_smi_failure(read("nvidia-smi-failures", name)) is None


@pytest.mark.parametrize("path", fixture_paths("nvidia-smi"), ids=lambda p: p.name)
def test_healthy_output_is_not_a_failure(path) -> None:
    assert classify_smi_failure(path.read_text(encoding="utf-8")) is None


def test_library_version_cut_at_the_end_is_not_trusted() -> None:
    text = read("nvidia-smi-failures", "nvml-mismatch-570.124-with-library-version.txt")
    cut = text.rstrip("\n")[:-1]  # "570.12"
    failure = classify_smi_failure(cut)
    assert failure is not None and failure.library_version is None


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_fuzz(text: str) -> None:
    failure = classify_smi_failure(text)
    assert failure is None or failure.id


@pytest.mark.parametrize("name", FAILURES)
def test_cut_output_never_gives_another_failure(name: str) -> None:
    text = read("nvidia-smi-failures", name)
    whole = classify_smi_failure(text)
    assert whole is not None
    for end in range(len(text) + 1):
        cut = classify_smi_failure(text[:end])
        if cut is not None:
            # Cut before its second message, the WSL report shows only the general failure.
            general = cut.id == "couldnt-communicate" and "couldn't communicate" in text
            assert cut.id == whole.id or general, end
            assert cut.library_version in (None, whole.library_version), end
