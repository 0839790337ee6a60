"""An AMD GPU's gfx target from its chip name or PCI device id, for tools that print no target:
ROCm 4.x/5.x `rocm-smi --showproductname` ("Card series: Arcturus GL-XL [AMD Instinct MI100]", or
only "0x738c" where pci.ids had no name yet).

The table is src/envsetup/data/amd_gpu_ids.toml: chips from the Linux kernel's KFD (each chip's
gfx_target_version) and amdgpu pciidlist (its device ids), codenames from Gentoo's amdgpu_targets
flags; each row names its source. A name or id the table does not list gives None, never a guess.
Pure apart from reading that shipped file once.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Optional

DATA = Path(__file__).parent.parent / "data" / "amd_gpu_ids.toml"
SOURCE = "src/envsetup/data/amd_gpu_ids.toml (Linux kernel KFD and amdgpu pciidlist)"

_GFX = re.compile(r"gfx[0-9a-f]{3,4}")
_ID = re.compile(r"(?:0x|1002:)?([0-9a-f]{4})", re.IGNORECASE)


def _key(name: str) -> str:
    """ "Navi 21", "navi21" and "NAVI_21" are one chip: case, "_" and the blank before a number
    are spelling."""
    text = re.sub(r"[\s_]+", " ", name.casefold()).strip()
    return re.sub(r"([a-z]) (?=\d)", r"\1", text)


def gfx_by_series(series: str) -> Optional[str]:
    """The gfx target of the chip a card series names: "Arcturus GL-XL [AMD Instinct MI100]" ->
    "gfx908", "Navi 22 [Radeon RX 6700 XT]" -> "gfx1031"; a bare device id ("0x738c") by the id.
    None when neither the chip nor the id is listed."""
    series = series.strip()
    by_id = gfx_by_device_id(series)
    if by_id:
        return by_id
    chip = _key(series.split("[", 1)[0])
    names = _tables()[0]
    for name, gfx in names.items():
        if chip == name or chip.startswith(name + " "):
            return gfx
    return None


def gfx_by_device_id(device_id: str) -> Optional[str]:
    """The gfx target of AMD PCI device `device_id` ("0x738c", "738c", "1002:738c"); None when
    the table does not list it."""
    match = _ID.fullmatch(device_id.strip())
    return _tables()[1].get(match.group(1).lower()) if match else None


# "Radeon RX 5700 XT", "Radeon 5700XT", "Radeon RX 7600M XT", "Radeon 8060S Graphics", "Radeon
# 780M": the model after "Radeon" (and "RX"), blanks inside it ignored. "Radeon Pro ..." is never
# matched: its names cover other chips than the RX card of the same number.
_CARD = re.compile(
    r"\bRadeon\s+(?!Pro\b|PRO\b)(?:RX\s*)?(\d{3,4}(?:\s*(?:XTX|XTB|XT|GRE|M|S|B))*)\b",
)


def _card_key(model: str) -> str:
    return re.sub(r"\s+", "", model.casefold().removeprefix("rx"))


def gfx_by_card_name(text: str) -> Optional[tuple[str, str]]:
    """(gfx, the name as written) of the first Radeon card in `text` the table lists ("With a
    Radeon RX 6900 XT:" -> ("gfx1030", "Radeon RX 6900 XT")); None when none is listed."""
    cards = _tables()[2]
    for found in _CARD.finditer(text):
        gfx = cards.get(_card_key(found.group(1)))
        if gfx:
            return gfx, found.group(0)
    return None


@functools.lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(chip name key -> gfx, device id -> gfx, card model key -> gfx); EnvsetupError when the
    shipped table is unusable (a name, id or card listed with two targets counts)."""
    from envsetup.compat.shipped import load_table
    from envsetup.errors import EnvsetupError

    data = load_table(DATA, "AMD GPU table")
    names: dict[str, str] = {}
    ids: dict[str, str] = {}
    cards: dict[str, str] = {}
    try:
        sources = data["sources"]
        for chip in data["chip"]:
            gfx = chip["gfx"]
            if not _GFX.fullmatch(gfx) or chip["source"] not in sources:
                raise ValueError(f"row {chip!r}")
            for target, keys in (
                (names, map(_key, chip["names"])),
                (ids, chip["device_ids"]),
                (cards, map(_card_key, chip.get("cards", ()))),
            ):
                for key in keys:
                    if target.setdefault(key, gfx) != gfx:
                        raise ValueError(f"{key!r} is listed with two gfx targets")
    except (KeyError, TypeError, ValueError) as exc:
        raise EnvsetupError(
            f"{DATA}: envsetup's AMD GPU table is unusable ({exc}); fix: reinstall envsetup"
        ) from None
    return names, ids, cards
