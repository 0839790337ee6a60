"""A gfx target named in a paste's prose or runtime log (attack13 M5): read narrowly, and judged
against the wheels' lists (no override offered for a target in no wheel)."""

from __future__ import annotations

from pathlib import Path

from envsetup.explain.gfx_facts import gfx_facts_of
from envsetup.explain.run import explain
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for

ERRORS = Path(__file__).resolve().parents[1] / "fixtures" / "paste" / "errors"


def _gfx(line: str) -> list[str]:
    return [f.value[0] for f in gfx_facts_of({1: line})]


def test_the_isa_name_and_a_radeon_names_target_are_read() -> None:
    # pytorch/pytorch #73534 and #53738, as posted
    assert _gfx('it looks for the device "amdgcn-amd-amdhsa--gfx902:xnack+," which') == ["gfx902"]
    assert _gfx("- RX470 (gfx803)+ I7 4770") == ["gfx803"]
    assert _gfx("AMD Radeon RX 6900 XT (gfx1030)") == ["gfx1030"]


def test_a_bare_gfx_in_other_prose_is_not_read() -> None:
    assert _gfx("the build lists (gfx803) among others") == []
    assert _gfx("export PYTORCH_ROCM_ARCH=gfx1030") == []
    assert _gfx("TensileLibrary_lazy_gfx1100.dat") == []


def test_a_named_target_in_no_wheel_gets_no_override() -> None:
    for name, gfx in (
        ("attack13-hip-no-binary-gfx902-xnack-ryzen-v1605b.txt", "gfx902"),
        ("attack13-hip-no-binary-rx470-gfx803-torch1.8-rocm4.0.1.txt", "gfx803"),
    ):
        result = explain((ERRORS / name).read_text(encoding="utf-8"), None, lookup_build)
        (finding,) = [f for f in result.findings if f.id == "rocm-no-binary-for-gpu"]
        assert finding.params["gfx"] == gfx and finding.params.get("in_no_wheel") is True
        fix = words_for(finding).fix
        assert gfx in fix and "10.3.0" not in fix and "11.0.0" not in fix
