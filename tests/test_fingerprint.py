"""model/fingerprint.py: two nodes read the same are the same, a different driver is a different
node; on real recorded hosts (tests/fixtures/cases) replayed as doctor replays them."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from envsetup.facts import Facts, OsFacts, PythonFacts
from envsetup.host.recorded import RecordedHost
from envsetup.model.capability import ComputeCapability
from envsetup.model.fingerprint import (
    Fingerprint,
    cudnn_from_number,
    fingerprint_of,
    profile_release,
)
from envsetup.model.gpu import Gpu
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from hostbuilder import case_host

H100_NODE = "07-fabricmanager-802-h100"  # 8 x H100 SXM, driver 535.230.02, torch 2.6.0 (cu124)


def read(host_dir: Path) -> Fingerprint:
    return fingerprint_of(probe_all(RecordedHost(str(host_dir))), profile_release(lookup_build))


def copy_of(tmp_path: Path, name: str) -> Path:
    copy = tmp_path / name
    shutil.copytree(case_host(H100_NODE), copy, symlinks=True)
    return copy


def test_two_identical_nodes_have_one_fingerprint(tmp_path: Path) -> None:
    first = read(case_host(H100_NODE))
    second = read(copy_of(tmp_path, "node2"))
    assert first == second and first.key == second.key
    assert first.to_dict() == {
        "driver": "535.230.02",
        "driver_cuda": "12.2",
        "gpus": [{"name": "NVIDIA H100 80GB HBM3", "compute_capability": "9.0", "count": 8}],
        "torch": "2.6.0",
        "compute_platform": "cu124",
        "cudnn": "9.1.0",
        "python": "3.9.21",
        "profile": "2.6",
        "key": first.key,
    }


def test_a_node_with_another_driver_has_another_fingerprint(tmp_path: Path) -> None:
    upgraded = copy_of(tmp_path, "node37")
    manifest = json.loads((upgraded / "host.json").read_text(encoding="utf-8"))
    manifest["nvml"]["driver_version"] = "550.127.05"
    manifest["nvml"]["cuda_driver_version"] = 12040
    (upgraded / "host.json").write_text(json.dumps(manifest), encoding="utf-8")
    majority, deviating = read(case_host(H100_NODE)), read(upgraded)
    assert (deviating.driver, deviating.driver_cuda) == ("550.127.05", "12.4")
    assert deviating.key != majority.key
    same = {"gpus", "torch", "compute_platform", "cudnn", "python", "profile"}
    assert {k: v for k, v in deviating.to_dict().items() if k in same} == {
        k: v for k, v in majority.to_dict().items() if k in same
    }


def test_the_key_is_the_sha256_of_the_canonical_json_of_the_other_fields() -> None:
    found = read(case_host(H100_NODE)).to_dict()
    key = found.pop("key")
    canonical = json.dumps(found, sort_keys=True, separators=(",", ":"))
    assert key == hashlib.sha256(canonical.encode()).hexdigest()[:12]


@pytest.mark.parametrize(
    "case, expected",
    [
        # A ROCm build: the platform from its local label, the GPU by its gfx target.
        (
            "10-rocm-rx6700xt-gfx1031",
            {
                "compute_platform": "rocm5.1.1",
                "gpus": [
                    {"name": "AMD Radeon RX 6700 XT", "compute_capability": "gfx1031", "count": 1}
                ],
            },
        ),
        # PyPI's CPU wheel on Windows: no label; the platform from what its files say.
        ("04-windows-pypi-cpu-wheel-rtx4080", {"compute_platform": "cpu", "torch": "2.2.2"}),
        ("09-nvcc101-vs-torch-cu111-rtx3090", {"compute_platform": "cu111", "driver": "460.73.01"}),
    ],
)
def test_real_hosts_of_other_kinds(case: str, expected: dict[str, Any]) -> None:
    found = read(case_host(case)).to_dict()
    assert {k: found[k] for k in expected} == expected


def test_gpus_are_grouped_by_model_and_sorted_and_stated_ones_left_out() -> None:
    cc = ComputeCapability.parse
    facts = Facts(os=OsFacts(system="Linux", arch="x86_64"), python=PythonFacts(executable="p"))
    facts.nvidia.gpus = [
        Gpu(index=0, name="NVIDIA L4", compute_capability=cc("8.9")),
        Gpu(index=1, name="NVIDIA A100-SXM4-80GB", compute_capability=cc("8.0")),
        Gpu(index=2, name="NVIDIA L4", compute_capability=cc("8.9")),
        Gpu.stated(cc("9.0"), "TORCH_CUDA_ARCH_LIST"),
    ]
    before = fingerprint_of(facts)
    assert [(g.name, g.compute_capability, g.count) for g in before.gpus] == [
        ("NVIDIA A100-SXM4-80GB", "8.0", 1),
        ("NVIDIA L4", "8.9", 2),
    ]
    # GPU order and indices differ between identical nodes; the fingerprint does not see them.
    facts.nvidia.gpus.reverse()
    for index, gpu in enumerate(facts.nvidia.gpus):
        gpu.index = index
    assert fingerprint_of(facts) == before


def test_nothing_known_is_all_null() -> None:
    empty = Fingerprint.empty().to_dict()
    assert set(empty) == {
        "driver",
        "driver_cuda",
        "gpus",
        "torch",
        "compute_platform",
        "cudnn",
        "python",
        "profile",
        "key",
    }
    assert [k for k, v in empty.items() if v not in (None, [])] == ["key"]


@pytest.mark.parametrize(
    "number, version", [(90100, "9.1.0"), (91002, "9.10.2"), (8902, "8.9.2"), (7605, "7.6.5")]
)
def test_cudnn_version_numbers(number: int, version: str) -> None:
    assert cudnn_from_number(number) == version
