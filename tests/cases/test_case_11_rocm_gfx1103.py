"""A Radeon 780M iGPU (gfx1103) under a ROCm torch without gfx1103 code objects (attack12c H1/M9).

The real cases: tests/fixtures/cases/11-rocm-780m-gfx1103-therock-torch2.7 and
12-rocm-780m-gfx1103-override-11.0.0 (recorded hosts built from ROCm/TheRock #1184: TheRock's
torch+rocm 7.0.0rc20250803 lists gfx1100;gfx1101;gfx1102, torch raises "HIP error: invalid device
function", and HSA_OVERRIDE_GFX_VERSION=11.0.0 makes torch hang; PROVENANCE.md says which parts
are assumed). A right judgement names gfx1103 as missing from the build and never advises 11.0.0
for it (it hangs or faults the 780M: TheRock #1184, ROCm/MIOpen #3954, legacy-rocm-build #4557).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from envsetup.compat import rocm as rocm_compat
from hostbuilder import FIXTURES

PLAIN = FIXTURES / "cases" / "11-rocm-780m-gfx1103-therock-torch2.7" / "host"
OVERRIDDEN = FIXTURES / "cases" / "12-rocm-780m-gfx1103-override-11.0.0" / "host"


def envsetup(*args: str) -> tuple[dict[str, Any], int]:
    out = subprocess.run(
        [sys.executable, "-m", "envsetup", *args, "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert "Traceback" not in out.stderr, out.stderr
    return json.loads(out.stdout), out.returncode


def _ids(document: dict[str, Any]) -> list[str]:
    return [f["id"] for f in document["findings"]]


def _no_override_advice(document: dict[str, Any]) -> None:
    for finding in document["findings"]:
        assert "export HSA_OVERRIDE_GFX_VERSION=11.0.0" not in finding["fix"], finding
        assert finding["params"].get("override") is None, finding


def test_doctor_gives_gfx_not_in_build_without_the_override() -> None:
    document, code = envsetup("doctor", "--replay", str(PLAIN))
    assert code == 1
    assert _ids(document) == ["rocm-gfx-not-in-build"]
    finding = document["findings"][0]
    assert finding["params"]["gfx"] == "gfx1103"
    assert finding["params"]["override_unsafe"]["value"] == "11.0.0"
    assert "hangs" in finding["fix"]
    _no_override_advice(document)


def test_doctor_deep_reads_the_installed_arch_list_and_classifies_the_stderr() -> None:
    document, code = envsetup("doctor", "--deep", "--replay", str(PLAIN))
    assert code == 1
    assert _ids(document) == ["rocm-gfx-not-in-build"]
    params = document["findings"][0]["params"]
    # The wheel's own list (torch.cuda.get_arch_list()), not the table's.
    assert params["build_targets"] == ["gfx1100", "gfx1101", "gfx1102"]
    assert any("invalid device function" in e for e in document["findings"][0]["evidence"])
    _no_override_advice(document)


def test_the_override_already_set_is_named_as_the_hang() -> None:
    for deep in ((), ("--deep",)):
        document, code = envsetup("doctor", *deep, "--replay", str(OVERRIDDEN))
        assert code == 1
        assert "rocm-override-unsafe" in _ids(document)
        found = next(f for f in document["findings"] if f["id"] == "rocm-override-unsafe")
        assert found["params"]["override_set"] == "11.0.0"
        assert "unset HSA_OVERRIDE_GFX_VERSION" in found["fix"]
        # The deep import that hung is worded for ROCm, not with CUDA's libraries.
        for finding in document["findings"]:
            assert "libcudnn" not in finding["fix"] and "libcudart" not in finding["fix"]


def test_check_command_on_a_rocm_index_says_the_wheel_lacks_gfx1103() -> None:
    command = (PLAIN.parent / "command.txt").read_text(encoding="utf-8").strip()
    document, _ = envsetup("check-command", "--replay", str(PLAIN), command)
    found = [f for f in document["findings"] if f["id"] == "rocm-gfx-not-in-build"]
    assert found and found[0]["params"]["gfx"] == "gfx1103"
    _no_override_advice(document)


def test_check_command_on_an_unconfirmed_list_says_it_is_unconfirmed() -> None:
    command = "pip install torch --index-url https://download.pytorch.org/whl/rocm7.14"
    document, _ = envsetup("check-command", "--replay", str(PLAIN), command)
    found = [f for f in document["findings"] if f["id"] == "rocm-gfx-list-unconfirmed"]
    assert found and found[0]["params"]["gfx"] == "gfx1103", document["findings"]
    assert found[0]["severity"] == "info"
    assert "doctor --deep" in found[0]["fix"]


def test_the_family_override_is_never_advised_for_gfx1103_but_is_for_its_siblings() -> None:
    listed = ("gfx1100",)
    assert rocm_compat.override_for("gfx1103", listed) is None
    sibling = rocm_compat.override_for("gfx1102", listed)
    assert sibling is not None and sibling.value == "11.0.0"
    assert rocm_compat.unsafe_override("gfx1103", "11.0.0") is not None
    assert rocm_compat.unsafe_override("gfx1102", "11.0.0") is None
    # Strix Halo: 11.0.0 until a wheel lists gfx1151 (pytorch/pytorch #164346), and that value
    # is not taken for another family's; its sibling gfx1150 gets none (INVALID_ISA).
    halo = rocm_compat.override_for("gfx1151", listed)
    assert halo is not None and halo.value == "11.0.0"
    assert rocm_compat.override_of_other_family("gfx1151", "11.0.0") is None
    assert rocm_compat.override_for("gfx1150", listed) is None
