"""pip's and conda's refusals: no matching distribution, PEP 668, solver conflicts, and conda's
"incompatible with the existing python installation" (the packages are not built for this Python).

conda's message (conda 4.7+, conda/core/solve.py's UnsatisfiableError hints): after "The following
specifications were found to be incompatible with the existing python installation in your
environment:" come lines "  - PKG -> python[version='>=3.6,<3.7.0a0|3.7.*']" (or "-> python=3.4"),
then "Your python: python=3.5".
"""

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
# "  - pytorch=1.4.0 -> python[version='>=2.7,<2.8.0a0|>=3.5,<3.6.0a0']", "  - mkl_fft -> python=3.4":
# the package (first of the chain) and the Python versions it was built for (last).
_NEEDS_PYTHON = re.compile(
    r"^\s*- ([\w.=*<>!,-]{1,200}?)(?: -> \S{1,200}){0,8} -> python(?:\[version='([^']{1,2000})'\]|=(\S{1,40}))\s*$"
)
_YOUR_PYTHON = re.compile(r"Your python: python=(\d{1,2}(?:\.\d{1,3}){0,2})\b")
_PYTHON_HEADER = "incompatible with the existing python installation"

# pip's diagnostic block under "error: <id>" (pip >= 23: "× ...", "╰─> " and its indented
# explanation, then "note: ..." and "hint: ..." lines, each possibly wrapped by a terminal).
_PIP_BLOCK_MARKS = ("×", "╰─>", "│", "note:", "hint:")
_MAX_BLOCK = 60
# conda's (and mamba's) solver session: its progress lines, its report, the dependency chains.
_CONDA_LINES = (
    "Collecting package metadata", "Solving environment", "Found conflicts!",
    "This can take several minutes", "Examining ", "Comparing specs", "Determining conflicts",
    "Finding shortest conflict path", "Finding conflict paths", "Building graph of deps",
    "failed", "done", "UnsatisfiableError", "LibMambaUnsatisfiableError",
    "The following specifications were found", "to be incompatible with", "Output in format:",
    "Specifications:", "Your python:", "Your installed", "If python is on the left-most side",
    "When python appears to the right", "not available for the python version",
    "change your python version to a different minor version", "that.",
    "Note that strict channel priority", "Could not solve for environment specs",
    "The following packages are incompatible", "Pins seem to be involved",
    "Encountered problems while solving", "Channels:", "Platform:", "Retrieving notices",
    "├─", "└─", "│", "- ",
)  # fmt: skip
# "pytorch=1.3.1 -> cudatoolkit[version='>=10.1,<10.2']", "cudatoolkit=10.0", "python=3.5"
_CONDA_SPEC = re.compile(r"[\w.:/|@-]{1,200}(?:\s*->\s*|\[|==?|[<>]=?)")
_MAX_CONDA = 400


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
            managed = signal("pip-externally-managed", PIP, [line.number])
            managed.owned = _pip_block(lines, index)
            found.append(managed)
    return found


def _pip_block(lines: Sequence[Line], index: int) -> list[int]:
    """The lines of pip's diagnostic under lines[index] ("error: ..."): its "×"/"╰─>" lines,
    their indented explanation (blank lines inside it), its "note:"/"hint:" lines and a note's
    wrapped rest. [] when none follows."""
    owned: list[int] = []
    in_note = False
    for line in lines[index + 1 : index + 1 + _MAX_BLOCK]:
        raw = line.text
        text = raw.strip()
        if not text:
            in_note = False
            continue
        if text.startswith(_PIP_BLOCK_MARKS) or raw[:1] in " \t" or in_note:
            owned.append(line.number)
            in_note = text.startswith("note:") or (in_note and not text.startswith("hint:"))
            continue
        break
    return owned


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
    unsatisfiable = signal(
        "conda-unsatisfiable",
        CONDA,
        numbers,
        packages=sorted(set(packages))[:20] or None,
        cuda_driver=driver,
        **virtual,
    )
    unsatisfiable.owned = _conda_session(lines, numbers)
    return [unsatisfiable]


def _is_conda_line(text: str) -> bool:
    return text.startswith(_CONDA_LINES) or bool(_CONDA_SPEC.match(text))


def _conda_session(lines: Sequence[Line], numbers: Sequence[int]) -> list[int]:
    """The lines of the solver session around the signal's lines: the progress lines before
    them, the report and its dependency chains after (blank lines inside), as conda prints
    them."""
    at = {line.number: index for index, line in enumerate(lines)}
    indexes = sorted(at[n] for n in numbers if n in at)
    if not indexes:
        return []
    owned: set[int] = set()
    first = indexes[0]
    while first > 0 and indexes[0] - first < _MAX_CONDA:
        text = lines[first - 1].text.strip()
        if text and not _is_conda_line(text):
            break
        first -= 1
    last = indexes[-1]
    while last + 1 < len(lines) and last - indexes[-1] < _MAX_CONDA:
        text = lines[last + 1].text.strip()
        if text and not _is_conda_line(text):
            break
        last += 1
    owned.update(line.number for line in lines[first : last + 1] if line.text.strip())
    return sorted(owned.difference(numbers))


def _conda_python(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> list[Signal]:
    """conda's "incompatible with the existing python installation": one signal with `python`
    (the environment's, as conda printed it) and `requires` (package -> the Python versions it
    was built for, as conda printed them, "|" between alternatives)."""
    numbers: list[int] = []
    requires: dict[str, list[str]] = {}
    python = None
    within = False  # between the header and "Your python:"
    for index in indices(lines, hits):
        line = lines[index]
        text = line.text
        if _PYTHON_HEADER in text:
            numbers.append(line.number)
            # conda wraps its header: "...found" / "to be incompatible with ...".
            if index > 0 and "specifications were found" in lines[index - 1].text:
                numbers.append(lines[index - 1].number)
            within = True
        elif within and "-> python" in text:
            match = _NEEDS_PYTHON.match(text)
            if match:
                numbers.append(line.number)
                spec = match.group(2) or match.group(3)
                alternatives = requires.setdefault(match.group(1), [])
                alternatives += [a for a in spec.split("|") if a and a not in alternatives]
        elif within and "Your python:" in text:
            match = _YOUR_PYTHON.search(text)
            if match and not runs_to_cut(lines, line, match.end(1)):
                numbers.append(line.number)
                python = match.group(1)
            within = False
    if not numbers or not (requires or python):
        return []
    return [
        signal(
            "conda-python-incompatible",
            CONDA,
            numbers,
            python=python,
            requires={k: "|".join(v[:40]) for k, v in list(requires.items())[:20]} or None,
        )
    ]


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    return _pip(lines, hits) + _conda(lines, hits) + _conda_python(lines, hits)
