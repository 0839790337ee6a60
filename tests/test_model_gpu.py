"""One GPU type (envsetup.model.gpu.Gpu) from every source: NVML (a recorded host's snapshot),
nvidia-smi's parsers, doctor's facts and the judgement's Machine; the facts document keeps its
schema-1 shape ("8.6" strings, no parser-only details), and the build kind is typed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from envsetup.compat.machine import machine_from_facts
from envsetup.facts import Facts
from envsetup.host.base import NvmlSnapshot
from envsetup.host.recorded import RecordedHost
from envsetup.host.recording_schema import NVML_DEVICE_TYPES, check_nvml
from envsetup.model.capability import ComputeCapability
from envsetup.model.compute_platform import PlatformKind, TorchFlavor
from envsetup.model.gpu import Gpu
from envsetup.parsers.nvidia_smi import parse_smi_table
from envsetup.probe import probe_all
from envsetup.profiles.loader import load_releases
from hostbuilder import case_host

TESTS = Path(__file__).parent
NVML_HOST = case_host("07-fabricmanager-802-h100")  # NVML answered: 8 H100s
SMI_HOST = case_host("09-nvcc101-vs-torch-cu111-rtx3090")  # NVML not recorded: nvidia-smi's table
SCHEMA = TESTS.parent / "docs" / "schema" / "doctor.schema.json"


def _recorded_nvml(host: Path) -> dict:
    return json.loads((host / "host.json").read_text())["nvml"]


def test_a_recorded_nvml_snapshot_reads_into_the_model_gpu() -> None:
    recorded = _recorded_nvml(NVML_HOST)
    snapshot = RecordedHost(str(NVML_HOST)).nvml()
    assert snapshot.devices and all(type(d) is Gpu for d in snapshot.devices)
    for device, raw in zip(snapshot.devices, recorded["devices"]):
        assert device.memory_total_mib == raw["memory_total_bytes"] // 2**20
        assert device.compute_capability == ComputeCapability.parse(raw["compute_capability"])
        assert (device.index, device.name, device.uuid) == (raw["index"], raw["name"], raw["uuid"])


def test_what_record_writes_is_the_old_format_and_reads_back_the_same() -> None:
    """An older envsetup replays a new recording: the keys are the ones its schema knows."""
    snapshot = NvmlSnapshot.from_dict(_recorded_nvml(NVML_HOST))
    written = snapshot.to_dict()
    check_nvml(written)
    assert all(set(device) <= set(NVML_DEVICE_TYPES) for device in written["devices"])
    assert NvmlSnapshot.from_dict(json.loads(json.dumps(written))) == snapshot


def test_the_table_parser_returns_the_model_gpu_with_its_details() -> None:
    report = parse_smi_table(
        (TESTS / "fixtures" / "nvidia-smi" / "535.129.03-2x-rtx3090.txt").read_text()
    )
    assert [type(g) for g in report.gpus] == [Gpu, Gpu]
    assert all(g.bus_id and g.persistence_mode in ("On", "Off") for g in report.gpus)


def test_facts_machine_and_probe_share_the_gpus_and_the_document_keeps_schema_1() -> None:
    facts = probe_all(RecordedHost(str(SMI_HOST)), deep=False)
    assert facts.nvidia.gpus and all(type(g) is Gpu for g in facts.nvidia.gpus)
    # Read from nvidia-smi's table: a detail the facts carry in memory but do not publish.
    assert all(g.bus_id for g in facts.nvidia.gpus)
    machine = machine_from_facts(facts)
    judged = [g for g in facts.nvidia.gpus if g.compute_capability is not None]
    assert all(a is b for a, b in zip(machine.gpus, judged)) and len(machine.gpus) == len(judged)

    facts.nvidia.gpus[0].compute_capability = ComputeCapability(8, 6)
    document = json.loads(json.dumps(facts.to_dict()))
    published = json.loads(SCHEMA.read_text())["$defs"]["Gpu"]["properties"]
    gpu = document["nvidia"]["gpus"][0]
    assert set(gpu) == set(published) and gpu["compute_capability"] == "8.6"
    assert document["torch"]["flavor"] == facts.torch.flavor.value
    again = Facts.from_dict(document)
    assert again.nvidia.gpus[0].compute_capability == ComputeCapability(8, 6)
    assert type(again.torch.flavor) is TorchFlavor and again.to_dict() == document


@pytest.mark.parametrize(
    ("where", "value", "message"),
    [
        (
            ("nvidia", "gpus", 0, "compute_capability"),
            "banana",
            "nvidia.gpus[0].compute_capability: expected a compute capability",
        ),
        (
            ("nvidia", "gpus", 0, "compute_capability"),
            86,
            "nvidia.gpus[0].compute_capability: expected a compute capability",
        ),
        (
            ("torch", "flavor"),
            "gpu",
            "torch.flavor: expected one of cuda, cpu, rocm, xpu, macos, none, unknown",
        ),
    ],
)
def test_a_facts_document_with_a_value_outside_the_type_is_refused(
    where: tuple, value: object, message: str
) -> None:
    document = probe_all(RecordedHost(str(SMI_HOST)), deep=False).to_dict()
    node = document
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    with pytest.raises(ValueError) as refused:
        Facts.from_dict(document)
    assert str(refused.value).startswith(message) and "\n" not in str(refused.value)


def test_gpu_names_itself_for_the_judgement() -> None:
    detected = Gpu(3, "NVIDIA L40S", compute_capability=ComputeCapability(8, 9))
    assert (detected.label, detected.sm, detected.detected_index) == ("GPU 3 (NVIDIA L40S)", "sm_89", 3)  # fmt: skip
    stated = Gpu.stated(ComputeCapability(12, 0), "ENVSETUP_GPU_ARCH")
    assert (stated.label, stated.sm, stated.detected_index) == ("ENVSETUP_GPU_ARCH", "sm_120", None)
    details = {f.name for f in dataclasses.fields(Gpu) if not f.metadata.get("published", True)}
    assert {"bus_id", "driver_model", "persistence_mode", "mig_devices"} <= details


def test_every_profile_variant_kind_is_its_platform_kind() -> None:
    variants = [v for release in load_releases() for v in release.variants.values()]
    assert variants
    for variant in variants:
        assert type(variant.kind) is PlatformKind and variant.kind is variant.platform.kind
