"""A Jetson named in prose, where no tool's output is pasted: "Measured on a Jetson Thor (L4T
R38.4 / JetPack 7, CUDA 13.0)." (OpenRAL/openral PR #167), "* **Hardware:** NVIDIA Jetson AGX
Orin", "* **L4T Release:** R35.4.1" (pinokiocomputer/pinokio issue #1027), an L4T image tag
("nvcr.io/nvidia/l4t-ml:r32.5.0-py3" is NVIDIA's NGC naming, "l4t-r32.5.0" a derived one).

Narrow on purpose: the word Jetson followed (within two words: "AGX", "Orin") by a module name
model/jetson.py lists, or "L4T" followed by an R-release ("R38.4", "Release: R35.4.1"), or an
l4t image tag with its r-release. A line of prose, not a paragraph. Facts: jetson.model (the
"Jetson <module>" words, read by model/jetson.py module_of as the device tree's model is),
jetson.l4t, jetson.evidence; the board, JetPack series and compute capability follow after the
merge (explain/jetson_facts.py), by the rules doctor uses.
"""

from __future__ import annotations

from typing import Optional, Sequence

from envsetup.explain.sections._reading import Reader, ReadingBuilder, stripped
from envsetup.lazy_pattern import lazy
from envsetup.model.jetson import module_of
from envsetup.model.paste import Line, Reading

KIND = "jetson-prose"
_LONGEST = 240  # a line of prose, not a paragraph
_JETSON = lazy(r"\bJetson(?:\s+[A-Za-z0-9]+){1,3}")
_L4T = lazy(
    r"\bL4T\b(?:\s*Release)?[\s:*_]{0,6}R(?P<r>\d{2}\.\d{1,2}(?:\.\d{1,2})?)\b"
    r"|\bl4t-(?:[a-z]+[:-])?r(?P<tag>\d{2}\.\d{1,2}(?:\.\d{1,2})?)\b"
)


def _named(text: str) -> tuple[Optional[str], Optional[str]]:
    """(the "Jetson <module>" words, the L4T release) a line of prose names; None for each not."""
    if len(text) > _LONGEST or ("Jetson" not in text and "L4T" not in text and "l4t" not in text):
        return None, None
    model = None
    found = _JETSON.search(text)
    if found and module_of(found.group(0)) is not None:
        model = found.group(0)
    l4t = _L4T.search(text)
    return model, (l4t.group("r") or l4t.group("tag")) if l4t else None


def _scan(lines: Sequence[Line], start: int) -> int:
    return 1 if any(_named(stripped(lines, start))) else 0


def put_jetson_words(builder: ReadingBuilder, lines: Sequence[Line]) -> None:
    """Put the Jetson facts `lines` name in prose (this reader's rule), for this reader and for
    a section whose lines may name one as well (env_report's "* **Hardware:** NVIDIA Jetson AGX
    Orin", "* **L4T Release:** R35.4.1": pinokiocomputer/pinokio issue #1027)."""
    evidence: list[str] = []
    first = None
    for line in lines:
        text = line.text.strip()
        model, l4t = _named(text)
        if model and builder.get("jetson.model") is None:
            builder.put("jetson.model", model, line.number)
        if l4t and builder.get("jetson.l4t") is None:
            builder.put("jetson.l4t", l4t, line.number)
        if model or l4t:
            evidence.append(f"paste: {text}")
            first = first if first is not None else line.number
    if evidence:
        builder.put("jetson.evidence", evidence, first)


def _read(lines: Sequence[Line]) -> Reading:
    builder = ReadingBuilder(KIND, lines)
    put_jetson_words(builder, lines)
    builder.place(*(line.number for line in lines))
    return builder.finish(lines)


def _quick(text: str) -> bool:
    return "Jetson" in text or "L4T" in text or "l4t-" in text


READERS = [Reader(KIND, _scan, _read, _quick)]
