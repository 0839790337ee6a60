"""The interactive interpreter's banner: the Python that ran the pasted session.

CPython prints, when its REPL starts (Modules/main.c pymain_header: "Python %s on %s" with
sys.version), e.g.
    Python 3.8.12 | packaged by conda-forge | (default, Jan 30 2022, 23:42:07)
    Python 3.6.5 |Anaconda, Inc.| (default, Apr 29 2018, 16:14:56)
    Python 3.10.6 (tags/v3.10.6:9c7b4bd, Aug  1 2022, 21:53:49) [MSC v.1932 64 bit (AMD64)] on win32
The version is the interpreter's exact one; a conda build's packager ("conda-forge", "Anaconda,
Inc.", "Continuum Analytics, Inc.") shows a conda Python (a fallback: a path names the
environment better).
"""

from __future__ import annotations

from typing import Mapping

from envsetup.explain.signal_facts import StatedFact
from envsetup.lazy_pattern import lazy

_BANNER = lazy(
    r"Python (?P<version>[23]\.\d{1,2}\.\d{1,2}(?:(?:a|b|rc)\d+)?\+?)\s+"
    r"(?:\|\s*(?:packaged by\s+)?(?P<packager>[^|]{1,60}?)\s*\|\s*)?"
    # (build, Mon DD YYYY, HH:MM:SS): the build date proves a banner, not prose naming a version
    r"\([^()]{0,80},\s*[A-Z][a-z]{2}\s+\d{1,2}\s+\d{4},\s*\d{1,2}:\d{2}:\d{2}\)"
)
_CONDA_PACKAGERS = ("conda-forge", "anaconda", "continuum analytics")


def banner_of(texts: Mapping[int, str]) -> list[StatedFact]:
    """The facts the first REPL banner in the paste (line number -> text) states; [] when none."""
    for number in sorted(texts):
        text = texts[number]
        if "Python " not in text:
            continue
        match = _BANNER.search(text)
        if match is None:
            continue
        facts = [StatedFact("python.version", match.group("version"), number)]
        packager = (match.group("packager") or "").lower()
        if any(name in packager for name in _CONDA_PACKAGERS):
            facts.append(StatedFact("python.environment", "conda", number, fallback=True))
        return facts
    return []
