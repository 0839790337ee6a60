"""An AMD GPU named on a line of its own kind: the GPU line of a bug template or of prose ("With a
Radeon RX 6900 XT:", "Radeon 5700XT"), or lshw's `product: Strix Halo [Radeon Graphics / Radeon
8050S Graphics / Radeon 8060S Graphics]`, where no tool printed the gfx target.

Facts: rocm.gpus and rocm.gfx_targets, the target looked up in src/envsetup/data/amd_gpu_ids.toml
(the card names Gentoo's amdgpu_targets flags list per target, and pci.ids' chip names); a name
the table does not list gives nothing, never a guess. So a pasted "HIP error: invalid device
function" or hipErrorNoBinaryForGpu is judged for that target (gfx1030 is its own override
target, gfx1010 has no wheel, gfx1151 runs gfx1100 code under 11.0.0).
"""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.compat.amd_gpu_ids import gfx_by_card_name, gfx_by_series
from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped
from envsetup.model.paste import Line, Reading

KIND = "amd-gpu-name"
_LONGEST = 240  # a line of prose naming the GPU, not a paragraph
_PRODUCT = "product:"  # lshw -C display


def _named(text: str) -> Optional[tuple[str, str]]:
    """(gfx, name) of the AMD GPU a line names, when the table lists it."""
    if len(text) > _LONGEST:
        return None
    if text.startswith(_PRODUCT):
        series = text[len(_PRODUCT) :].strip()
        gfx = gfx_by_series(series)
        if gfx:
            return gfx, series
    return gfx_by_card_name(text)


def _scan(lines: Sequence[Line], start: int) -> int:
    return 1 if _named(stripped(lines, start)) else 0


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    gpus = []
    first = None
    for line in lines:
        found = _named(line.text.strip())
        if found:
            first = first if first is not None else line.number
            gpus.append({"gfx": found[0], "name": found[1], "source": "paste:GPU name"})
    if gpus:
        builder.put("rocm.gpus", gpus, first)
        builder.put("rocm.gfx_targets", list(dict.fromkeys(g["gfx"] for g in gpus)), first)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def _quick(text: str) -> bool:
    return "Radeon" in text or text.startswith(_PRODUCT)


READERS = [Reader(KIND, _scan, _read, _quick)]
