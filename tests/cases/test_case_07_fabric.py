"""Case 07 (dstackai/dstack issue #2348): 8x H100 SXM, CUDA error 802, fabric manager 535.183.01
against driver 535.230.02. Replays the copy in tests/fixtures/cases/07-fabricmanager-802-h100
(PROVENANCE.md); the kind (NVSwitch systems) on other machines: tests/doctor/test_gpu_access.py."""

from __future__ import annotations

import json

from hostbuilder import FIXTURES
from scripts import run_envsetup as envsetup

CASE = FIXTURES / "cases" / "07-fabricmanager-802-h100"


def _doctor(*flags: str) -> dict:
    result = envsetup("doctor", "--json", "--replay", str(CASE / "host"), *flags)
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


def test_doctor_sees_an_nvswitch_board_it_cannot_check_from_inside_the_container() -> None:
    """No --deep: the recording holds no fabric state and no fabric manager (it is a container);
    doctor says the board needs nvidia-fabricmanager of exactly the driver's version."""
    document = _doctor()
    fabric = document["data"]["facts"]["gpu_access"]["fabric"]
    assert fabric["nvswitch"] is True
    assert fabric["evidence"] == ["8 GPUs on an HGX/DGX board (NVIDIA H100 80GB HBM3)"]
    assert "docker container" in fabric["manager_unchecked"]
    found = {f["id"]: f for f in document["findings"]}
    assert set(found) == {"nvswitch-fabric-unchecked"}
    unchecked = found["nvswitch-fabric-unchecked"]
    assert unchecked["params"]["driver"] == "535.230.02" and unchecked["params"]["gpus"] == 8
    assert "nvidia-fabricmanager 535.230.02" in unchecked["fix"]
    # Not the container's fault: the GPUs are there; no driver advice inside it.
    assert "container-gpu-not-passed" not in found and "install the driver" not in unchecked["fix"]


def test_doctor_deep_names_the_fabric_manager_with_the_driver_s_version() -> None:
    document = _doctor("--deep")
    ids = [f["id"] for f in document["findings"]]
    assert ids == ["cuda-fabric-manager-not-ready"]  # one finding, not one per source
    finding = document["findings"][0]
    assert finding["severity"] == "error" and finding["params"]["driver"] == "535.230.02"
    assert finding["title"].startswith("CUDA error 802")
    assert "nvidia-fabricmanager of exactly the driver's version (535.230.02" in finding["fix"]
    assert document["exit_code"] != 0


def test_explain_of_the_paste_on_its_host_is_the_same_finding_with_both_versions() -> None:
    result = envsetup("explain", "--json", "--replay", str(CASE / "host"), str(CASE / "paste.txt"))
    document = json.loads(result.stdout)
    ids = [f["id"] for f in document["findings"]]
    # One finding, as doctor --deep: the paste answers what the host alone could not check.
    assert ids == ["cuda-fabric-manager-not-ready"]
    finding = document["findings"][ids.index("cuda-fabric-manager-not-ready")]
    assert finding["params"]["fabricmanager"] == "535.183.01"
    assert finding["params"]["driver"] == "535.230.02"
    assert "535.183.01 != driver 535.230.02" in finding["title"]
