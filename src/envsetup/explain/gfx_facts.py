"""An AMD GPU's gfx target a paste names in prose or in a runtime's log, read narrowly:

- the ISA name ROCm's runtime logs and rocminfo prints, "amdgcn-amd-amdhsa--gfx902:xnack+"
  (pytorch/pytorch #73534, a Ryzen Embedded V1605B's Vega iGPU under AMD_LOG_LEVEL=6): the target
  before its feature flags (":xnack+", ":sramecc-");
- a Radeon GPU named with its target in parentheses, "RX470 (gfx803)" (pytorch/pytorch #53738),
  "Radeon RX 6900 XT (gfx1030)": only right after an AMD GPU's name, so a bare "(gfx803)" in other
  prose is not read.

A fallback for rocm.gfx_targets (rocminfo or doctor's facts say more); the first named only.
Pure; explain/merge.py puts it over the facts with its `paste:LINE`.
"""

from __future__ import annotations

from typing import Mapping

from envsetup.explain.signal_facts import StatedFact
from envsetup.lazy_pattern import lazy

_GFX = r"(?P<gfx>gfx[0-9a-f]{3,5})"
_ISA = lazy(r"\bamdgcn-amd-amdhsa--" + _GFX + r"(?![0-9a-z])")
_NAMED = lazy(
    r"\b(?:Radeon|RX ?\d{3,4}(?: ?XTX| ?XT)?|Vega(?: ?\d{1,2})?|Instinct|MI\d{2,3}[A-Z]?)"
    r"[^()\n]{0,40}?\(" + _GFX + r"(?::[a-z]{3,8}[+-]){0,2}\)"
)


def gfx_facts_of(texts: Mapping[int, str]) -> list[StatedFact]:
    """The first gfx target the paste names (paste line -> text), as rocm.gfx_targets."""
    for number in sorted(texts):
        text = texts[number]
        if "gfx" not in text:
            continue
        match = _ISA.search(text) if "amdhsa--" in text else None
        match = match or _NAMED.search(text)
        if match:
            return [StatedFact("rocm.gfx_targets", [match.group("gfx")], number, fallback=True)]
    return []
