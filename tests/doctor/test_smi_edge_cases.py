"""nvidia-smi edge cases on a recorded host (issue 11): output cut to the processes box is not
"cannot talk to the driver"; a driver's highest CUDA comes from its branch."""

from __future__ import annotations

from doctor.conftest import Doctor, ids
from hostbuilder import HostSpec, fixture_text

FULL = "nvidia-smi/535.129.03-2x-rtx3090.txt"


def smi_host(smi_output: str, returncode: int = 0) -> HostSpec:
    """A Linux host whose only driver evidence is nvidia-smi's answer (NVML not recorded), with a
    CUDA 12.2 toolkit (version.json written here) so that "no driver" would show."""
    spec = HostSpec(
        which={"nvidia-smi": "/usr/bin/nvidia-smi"},
        markers=["/dev/nvidiactl", "/usr/local/cuda-12.2/bin/nvcc"],
        files={"/usr/local/cuda-12.2/version.json": '{"cuda": {"version": "12.2.140"}}'},
        nvml={"error": "not recorded"},
    )
    return spec.command(["nvidia-smi"], smi_output, returncode=returncode)


def processes_box() -> str:
    text = fixture_text(FULL)
    lines = text.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "Processes:" in line) - 1
    return "".join(lines[at:])


def test_output_cut_to_the_processes_box_means_the_driver_answered(doctor: Doctor) -> None:
    facts, findings = doctor(smi_host(processes_box()))
    assert facts.nvidia.smi_state == "ok"
    assert facts.nvidia.driver_version is None  # the box names no version
    found = ids(findings)
    assert not found & {"nvidia-smi-failed", "toolkit-without-driver", "could-not-read"}


def test_a_real_failure_is_still_one(doctor: Doctor) -> None:
    failure = fixture_text("nvidia-smi-failures/couldnt-communicate-after-unattended-upgrade.txt")
    facts, findings = doctor(smi_host(failure, returncode=9))
    assert facts.nvidia.smi_state == "failed"
    assert {"nvidia-smi-failed", "toolkit-without-driver"} <= ids(findings)


def test_the_whole_table_reads_as_before(doctor: Doctor) -> None:
    facts, findings = doctor(smi_host(fixture_text(FULL)))
    assert (facts.nvidia.driver_version, facts.nvidia.driver_cuda_version) == ("535.129.03", "12.2")
    assert "nvidia-smi-failed" not in ids(findings)
