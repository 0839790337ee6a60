"""--cuda and --torch values read as versions, and a refusal's suggestions nearest in value (issue 12).

Through the real CLI (`install --dry-run --json --replay`) on recorded hosts: an H100 server whose
driver runs CUDA 12.x (case 07) and a CI container with a CUDA 13 toolkit and no driver.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from hostbuilder import case_host
from scripts import run_envsetup

H100 = str(case_host("07-fabricmanager-802-h100"))  # Python 3.9, driver for CUDA 12.x
NO_DRIVER = str(case_host("ci-debian12-cuda13-no-driver"))  # Python 3.11 (the running one)
AARCH64 = str(case_host("03-aarch64-gb200-pypi-cpu-wheel"))  # no ROCm builds for linux-aarch64


def plan(host: str, *flags: str) -> dict[str, Any]:
    out = run_envsetup("install", "--dry-run", "--json", "--replay", host, *flags)
    document = json.loads(out.stdout)
    assert out.returncode == (2 if document["data"]["refusal"] else 0), out.stderr
    return document["data"]


def alternatives(host: str, *flags: str) -> list[str]:
    refusal = plan(host, *flags)["refusal"]
    assert refusal is not None, flags
    return refusal["alternatives"]


@pytest.mark.parametrize("host", [H100, NO_DRIVER])
def test_a_cuda_no_build_has_suggests_the_nearest_in_value_first(host: str) -> None:
    offered = alternatives(host, "--cuda", "11.9")
    assert offered[0] == "--cuda 11.8"  # not 13.2, the nearest in spelling order
    versions = [a.split()[1] for a in offered if a != "--cuda auto"]
    assert all(v.startswith(("11.", "12.1", "12.4")) for v in versions), offered
    assert offered[-1] == "--cuda auto"


@pytest.mark.parametrize(
    ("host", "asked", "first"),
    [
        (H100, "1.13", "--torch 2.0"),  # older than every profile: the oldest
        (NO_DRIVER, "1.13", "--torch 2.0"),
        (NO_DRIVER, "3.0", "--torch 2.14"),  # newer than every profile: the newest
        (H100, "3.0", "--torch 2.8"),  # the newest that runs Python 3.9 here
    ],
)
def test_an_unknown_release_suggests_the_nearest_release_that_runs(
    host: str, asked: str, first: str
) -> None:
    offered = alternatives(host, "--torch", asked)
    assert offered[0] == first
    for alternative in offered:  # each resolves on this host
        assert plan(host, *alternative.split())["refusal"] is None


def test_an_unknown_patch_suggests_the_nearest_patch_first() -> None:
    assert alternatives(NO_DRIVER, "--torch", "2.5.9")[:2] == ["--torch 2.5.1", "--torch 2.5.0"]


@pytest.mark.parametrize("spelled", ["11.8.0", "11.8.89"])
def test_a_cuda_patch_level_names_the_minor_build(spelled: str) -> None:
    same = plan(H100, "--cuda", "11.8")["resolution"]
    assert plan(H100, "--cuda", spelled)["resolution"]["variant"] == same["variant"] == "cu118"


def test_a_cuda_major_is_the_newest_of_its_builds_that_runs_here() -> None:
    resolution = plan(H100, "--cuda", "12")["resolution"]
    assert resolution["variant"] == "cu129"  # not cu130: the driver runs 12.x
    said = [r for r in resolution["reasons"] if r["code"] == "cuda-major-chosen"]
    assert said == [
        {"code": "cuda-major-chosen", "major": "12", "build": "cu129", "release": "2.8",
         "builds": ["cu126", "cu128", "cu129"]}
    ]  # fmt: skip
    out = run_envsetup("install", "--dry-run", "--replay", H100, "--cuda", "12")
    assert "--cuda 12: cu129, the newest CUDA 12.x build of 2.8" in " ".join(out.stdout.split())
    # An older release: its own newest 12.x.
    assert plan(H100, "--torch", "2.5", "--cuda", "12")["resolution"]["variant"] == "cu121"


def test_a_cuda_major_no_release_has_is_refused_with_the_nearest_builds() -> None:
    offered = alternatives(H100, "--torch", "2.0", "--cuda", "12")
    assert offered[:2] == ["--cuda 11.8", "--cuda 11.7"] or offered[0] == "--cuda 11.8"


def test_a_suggestion_the_tool_would_refuse_is_not_made() -> None:
    # pip uses the running Python (3.11); uv could make 3.12, but torch 2.0 has no 3.12 wheels.
    offered = alternatives(NO_DRIVER, "--python", "3.12", "--torch", "2.0")
    assert "--manager uv --python 3.12" not in offered
    assert offered == ["--python 3.11"]


def test_alternatives_under_backend_name_the_backend() -> None:
    # `--backend rocm --cuda auto` is still the ROCm build: the suggestion changes both.
    offered = alternatives(AARCH64, "--backend", "rocm")
    assert offered == ["--cuda auto --backend auto"]
    assert (
        plan(AARCH64, "--backend", "rocm", "--cuda", "auto", "--backend", "auto")["refusal"] is None
    )
