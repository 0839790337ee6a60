"""Shared checks for parsers fed text that was cut short.

A cut output must give either a ParseError or a partial result that agrees with the full one:
every value the partial result states must be the value the full result states.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from typing import Any, Callable, Optional

from envsetup.parsers import ParseError

FIXTURES = Path(__file__).parent.parent / "fixtures"

UNKNOWN = (None, "", False)


def fixture_paths(category: str, pattern: str = "*") -> list[Path]:
    """The real outputs copied into tests/fixtures/<category>/ (never the SOURCES.tsv)."""
    paths = sorted((FIXTURES / category).glob(pattern))
    return [path for path in paths if path.name != "SOURCES.tsv"]


def read(category: str, name: str) -> str:
    return (FIXTURES / category / name).read_text(encoding="utf-8")


def assert_agrees(partial: Any, full: Any, where: str = "result") -> None:
    """Every value `partial` knows equals the one in `full`; unknown values (None, "") pass."""
    if partial in UNKNOWN and not isinstance(partial, (list, dict)):
        return
    if dataclasses.is_dataclass(partial) and not isinstance(partial, type):
        assert type(partial) is type(full), where
        for field in dataclasses.fields(partial):
            if field.name == "partial":
                continue
            assert_agrees(
                getattr(partial, field.name), getattr(full, field.name), f"{where}.{field.name}"
            )
    elif isinstance(partial, list):
        assert len(partial) <= len(full), f"{where}: {len(partial)} items, full has {len(full)}"
        for i, (mine, theirs) in enumerate(zip(partial, full)):
            assert_agrees(mine, theirs, f"{where}[{i}]")
    elif isinstance(partial, dict):
        for key, value in partial.items():
            assert key in full, f"{where}: key {key!r} not in the full result"
            assert_agrees(value, full[key], f"{where}[{key!r}]")
    else:
        assert partial == full, f"{where}: {partial!r} from cut text, {full!r} from the whole"


def cut_points(text: str, count: int = 8, seed: Optional[str] = None) -> list[int]:
    """`count` random cut positions (seeded by the text), plus the end of every line."""
    chooser = random.Random(seed if seed is not None else text)
    points = {chooser.randrange(0, len(text) + 1) for _ in range(count)} if text else {0}
    points.update(i + 1 for i, char in enumerate(text) if char == "\n")
    points.discard(len(text))
    return sorted(points)


def check_cuts(
    parse: Callable[[str], Any],
    text: str,
    agrees: Callable[[Any, Any], None] = assert_agrees,
    count: int = 8,
) -> int:
    """Parse `text` whole and cut at several points; returns how many cuts still parsed."""
    full = parse(text)
    parsed = 0
    for point in cut_points(text, count):
        try:
            result = parse(text[:point])
        except ParseError:
            continue
        parsed += 1
        agrees(result, full)
        # A result that does not call itself partial must be the whole story.
        if getattr(result, "partial", True) is False:
            assert result == full, f"cut at {point} claims to be complete but differs"
    return parsed


def never_raises_other(parse: Callable[[str], Any], text: str) -> None:
    """The fuzz contract: a return value, or a ParseError, never any other exception."""
    try:
        parse(text)
    except ParseError as error:
        assert str(error), "ParseError needs a reason"
