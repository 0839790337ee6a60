"""pip's and conda's refusals: no matching distribution, PEP 668, solver conflicts."""

from __future__ import annotations

import re
from typing import Optional, Sequence

from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals._scan import indices, runs_to_cut, signal

PIP = "pip-error"
CONDA = "conda-error"

_NO_MATCHING = re.compile(r"No matching distribution found for (\S{1,200})")
_NO_VERSION = re.compile(
    r"Could not find a version that satisfies the requirement (\S{1,200}) \(from versions: ([^)]{0,4000})\)"
)
_CUDA_DRIVER = re.compile(r"Your installed CUDA driver is: (\d{1,3}\.\d{1,3})\b")
# The virtual packages conda's solver names: "feature:|@/linux-64::__cuda==12.2=0" (the CUDA
# version the driver supports, as conda read it) and "::__glibc==2.35=0"; the subdir is the
# platform conda solved for.
_VIRTUAL = re.compile(
    r"feature:\|?@?/([a-z0-9]{2,8}-[a-z0-9_]{2,10})::__(cuda|glibc)==(\d{1,3}(?:\.\d{1,3}){1,2})="
)
_CONFLICTS_FOR = re.compile(r"^\s*Package ([\w.-]{1,100}) conflicts for:")
_MAX_VERSIONS = 40  # the newest kept; pip lists every version of a package


def _requirement(text: str) -> dict[str, object]:
    """'torch==1.11.0+cu113' -> name, pin, local label (what the judgement needs)."""
    name, _, pin = text.partition("==")
    return {
        "requirement": text,
        "package": re.split(r"[<>=!~\[;]", name, maxsplit=1)[0].lower() or None,
        "pinned": pin or None,
        "local": pin.partition("+")[2] or None,
    }


def _pip(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> list[Signal]:
    found: list[Signal] = []
    listed: set[str] = set()  # requirements read whole from a "(from versions: ...)" line
    for index in indices(lines, hits):
        line = lines[index]
        text = line.text
        if "from versions:" in text:
            match = _NO_VERSION.search(text)
            if match:
                named = [v.strip() for v in match.group(2).split(",") if v.strip()]
                versions = [] if named == ["none"] else named
                listed.add(match.group(1))
                found.append(
                    signal(
                        "pip-no-matching-version",
                        PIP,
                        [line.number],
                        **_requirement(match.group(1)),
                        versions=versions[-_MAX_VERSIONS:],
                        none=not versions,
                    )
                )
        if "No matching distribution found for" in text:
            match = _NO_MATCHING.search(text)
            if match:
                requirement = match.group(1)
                whole = requirement in listed or not runs_to_cut(lines, line, match.end(1))
                found.append(
                    signal(
                        "pip-no-matching-distribution",
                        PIP,
                        [line.number],
                        **(_requirement(requirement) if whole else {}),
                    )
                )
        if "externally-managed-environment" in text:
            found.append(signal("pip-externally-managed", PIP, [line.number]))
    return found


def _conda(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> list[Signal]:
    numbers: list[int] = []
    packages: list[str] = []
    driver = None
    virtual: dict[str, str] = {}
    for index in indices(lines, hits):
        line = lines[index]
        text = line.text
        if (
            "UnsatisfiableError" in text
            or "Found conflicts!" in text
            or "Could not solve for environment specs" in text
        ):
            numbers.append(line.number)
        elif "conflicts for:" in text:
            match = _CONFLICTS_FOR.match(text)
            if match:
                numbers.append(line.number)
                packages.append(match.group(1))
        elif "Your installed CUDA driver is:" in text:
            match = _CUDA_DRIVER.search(text)
            if match:
                numbers.append(line.number)
                driver = match.group(1)
        elif "::__" in text:
            match = _VIRTUAL.search(text)
            if match:
                numbers.append(line.number)
                virtual.setdefault("subdir", match.group(1))
                virtual.setdefault(f"virtual_{match.group(2)}", match.group(3))
    if not numbers:
        return []
    return [
        signal(
            "conda-unsatisfiable",
            CONDA,
            numbers,
            packages=sorted(set(packages))[:20] or None,
            cuda_driver=driver,
            **virtual,
        )
    ]


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    return _pip(lines, hits) + _conda(lines, hits)
