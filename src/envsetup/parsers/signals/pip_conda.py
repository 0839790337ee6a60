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

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals._scan import indices, runs_to_cut, signal

PIP = "pip-error"
CONDA = "conda-error"

_NO_MATCHING = lazy(r"No matching distribution found for (\S{1,200})")
# pip's line; also as people retype it ("could not find ...torch==1.9.1+cu111(from versions
# 0.1.2, ..." without the colon or the closing parenthesis: pytorch/pytorch #66399).
_NO_VERSION = lazy(
    r"[Cc]ould not find a version that satisfies the requirement (\S{1,200}?) ?"
    r"\(from versions:? ?([^)]{0,4000})(?:\)|$)"
)
_CUDA_DRIVER = lazy(r"Your installed CUDA driver is: (\d{1,3}\.\d{1,3})\b")
# The virtual packages conda's solver names: "feature:|@/linux-64::__cuda==12.2=0" (the CUDA
# version the driver supports, as conda read it) and "::__glibc==2.35=0"; the subdir is the
# platform conda solved for.
_VIRTUAL = lazy(
    r"feature:\|?@?/([a-z0-9]{2,8}-[a-z0-9_]{2,10})::__(cuda|glibc)==(\d{1,3}(?:\.\d{1,3}){1,2})="
)
# mamba / conda-libmamba (mamba's libsolv problems; libmamba's problem tree, conda 23.10+):
# "  - nothing provides __cuda needed by pytorch-1.11.0-cuda102py310hdf4a2db_202",
# "  - nothing provides requested pytorch-cuda 12.9**",
# "  - package torchaudio-2.0.2-py310_cu117 requires pytorch-cuda 11.7.*, but none of the providers
# can be installed", and the tree: "├─ pytorch-cuda ==12.1 ha16c6d3_5 is requested and can be
# installed;", "└─ torchaudio 2.0.2  is not installable because ...", "│  └─ pytorch-cuda 11.7.* ,
# which conflicts with any installable versions previously reported;".
_NOTHING_PROVIDES = lazy(
    r"nothing provides (?:requested )?(\S{1,200}(?: (?!needed\b)[^\s,]{1,100})?)"
    r"(?: needed by (\S{1,300}))?"
)
_PACKAGE_REQUIRES = lazy(
    r"package (\S{1,300}) requires (\S{1,200}(?: [^\s,]{1,100})?), but none of the providers"
)
_TREE = lazy(
    r"^[\s│├└─]*[├└]─ (?P<spec>.{1,300}?)\s*(?P<what>is requested|is not installable|"
    r"is installable|would require|, which (?:conflicts|requires|cannot)|does not exist)"
)
# "pytorch-1.11.0-cuda102py310hdf4a2db_202" (a build's file name) -> "pytorch 1.11.0".
_BUILD_NAME = lazy(r"([A-Za-z_][\w.-]*?)-(\d[\w.]*)-[\w.]+$")
_CONFLICTS_FOR = lazy(r"^\s*Package ([\w.-]{1,100}) conflicts for:")
_MAX_VERSIONS = 40  # the newest kept; pip lists every version of a package
# "  - pytorch=1.4.0 -> python[version='>=2.7,<2.8.0a0|>=3.5,<3.6.0a0']", "  - mkl_fft -> python=3.4":
# the package (first of the chain) and the Python versions it was built for (last).
_NEEDS_PYTHON = lazy(
    r"^\s*- ([\w.=*<>!,-]{1,200}?)(?: -> \S{1,200}){0,8} -> python(?:\[version='([^']{1,2000})'\]|=(\S{1,40}))\s*$"
)
_YOUR_PYTHON = lazy(r"Your python: python=(\d{1,2}(?:\.\d{1,3}){0,2})\b")
_PYTHON_HEADER = "incompatible with the existing python installation"

# pip's diagnostic block under "error: <id>" (pip >= 23: "× ...", "╰─> " and its indented
# explanation, then "note: ..." and "hint: ..." lines, each possibly wrapped by a terminal).
_PIP_BLOCK_MARKS = ("×", "╰─>", "│", "note:", "hint:")
_MAX_BLOCK = 60
_MAX_SESSION = 400
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
    "conda ", "mamba ", "micromamba ", "Looking for:", "Transaction", "nothing provides",
    "package ",
    "├─", "└─", "│", "- ",
)  # fmt: skip
# "pytorch=1.3.1 -> cudatoolkit[version='>=10.1,<10.2']", "cudatoolkit=10.0", "python=3.5"
_CONDA_SPEC = lazy(r"[\w.:/|@-]{1,200}(?:\s*->\s*|\[|==?|[<>]=?)")
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
        if "from versions" in text:
            match = _NO_VERSION.search(text)
            if match:
                named = [v.strip() for v in match.group(2).split(",") if v.strip()]
                versions = [] if named == ["none"] else named
                listed.add(match.group(1))
                versions_signal = signal(
                    "pip-no-matching-version",
                    PIP,
                    [line.number],
                    **_requirement(match.group(1)),
                    versions=versions[-_MAX_VERSIONS:],
                    none=not versions,
                )
                versions_signal.owned = _pip_session(lines, index)
                found.append(versions_signal)
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


# What pip prints before it gives up (pip/_internal: its resolver's progress), and the command.
_PIP_SESSION = (
    "Collecting ", "Using cached ", "Downloading ", "Looking in indexes:", "Looking in links:",
    "Requirement already satisfied:", "Obtaining ", "Processing ", "Preparing metadata",
    "Getting requirements to build", "Installing build dependencies", "INFO: pip is looking",
    "Defaulting to user installation", "ERROR: ", "WARNING: ", "Ignoring ", "Installing collected",
    "━", "|", "Building wheel", "Created wheel", "Stored in directory", "Successfully",
)  # fmt: skip
_PIP_COMMAND = lazy(
    r"(?:sudo\s+)?(?:[\w./\\:-]*python[\d.]*(?:\.exe)?\s+-m\s+)?"
    r"[\w./\\:-]*\bpip[\d.]*(?:\.exe)?\s+(?:install|download|wheel)\b"
)


def _pip_session(lines: Sequence[Line], index: int) -> list[int]:
    """The lines pip printed before its error at lines[index] (its resolver's progress, each
    requirement's "Collecting" and "Using cached"/"Downloading" lines, indented under it) and the
    `pip install` command that ran it; [] when none."""
    owned: list[int] = []
    at = index - 1
    while at >= 0 and index - at <= _MAX_SESSION:
        raw = lines[at].text
        text = raw.strip()
        if text and not (text.startswith(_PIP_SESSION) or raw[:1] in " \t"):
            if _PIP_COMMAND.match(text):
                owned.append(lines[at].number)
            break
        if text:
            owned.append(lines[at].number)
        at -= 1
    return owned


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
    solver: dict[str, list[str]] = {}
    in_report = False  # inside mamba's "Encountered problems" / libmamba's tree
    for index in range(len(lines)) if hits is None else _with_report(lines, hits):
        line = lines[index]
        text = line.text
        if (
            "UnsatisfiableError" in text
            or "Found conflicts!" in text
            or "Could not solve for environment specs" in text
            or "Encountered problems while solving" in text
        ):
            numbers.append(line.number)
            in_report = True
        elif in_report and _mamba(text, solver):
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
    named = [
        p.split()[0]
        for key in ("needed_by", "not_installable", "requested")
        for p in solver.get(key, [])
    ]
    unsatisfiable = signal(
        "conda-unsatisfiable",
        CONDA,
        numbers,
        packages=sorted(set(packages + named))[:20] or None,
        cuda_driver=driver,
        missing=_unique(solver.get("missing")),
        needed_by=_unique(solver.get("needed_by")),
        requested=_unique(solver.get("requested")),
        not_installable=_unique(solver.get("not_installable")),
        wanted=_unique(solver.get("wanted")),
        requires=_unique(solver.get("requires")),
        **virtual,
    )
    unsatisfiable.owned = _conda_session(lines, numbers)
    return [unsatisfiable]


# mamba's download progress: "conda-forge/linux-64     [====================] (00m:05s) Done".
_MAMBA_PROGRESS = lazy(r"[\w.-]{1,100}/[\w-]{3,20}\s{1,40}(?:\[|Using cache|No change)")


def _is_conda_line(text: str) -> bool:
    return (
        text.startswith(_CONDA_LINES)
        or bool(_CONDA_SPEC.match(text))
        or bool(_MAMBA_PROGRESS.match(text))
    )


def _package(text: str) -> str:
    """A solver's package as people name it: "pytorch-1.11.0-cuda102py310h..." -> "pytorch
    1.11.0"; "pytorch-cuda ==12.1 ha16c6d3_5" -> "pytorch-cuda 12.1"; "pytorch-cuda 11.7.*"
    stays."""
    text = text.strip().rstrip("`;,").strip()  # a post's code fence glued to the line's end
    match = _BUILD_NAME.fullmatch(text) if " " not in text else None
    if match:
        return f"{match.group(1)} {match.group(2)}"
    parts = text.split()
    if len(parts) >= 3 and parts[2].isalpha():  # "pytorch-mutex 1.0 cpu": the variant, no hash
        return f"{parts[0]} {parts[1].lstrip('=')} {parts[2]}"
    if len(parts) >= 2:
        return f"{parts[0]} {parts[1].lstrip('=')}"
    return text


def _mamba(text: str, found: dict[str, list[str]]) -> bool:
    """Read one line of mamba's / libmamba's report into `found` (missing, needed_by,
    requested, not_installable, requires); whether the line said anything."""
    if "nothing provides" in text:
        match = _NOTHING_PROVIDES.search(text)
        if match:
            found.setdefault("missing", []).append(_package(match.group(1)))
            if match.group(2):
                found.setdefault("needed_by", []).append(_package(match.group(2)))
            return True
    if "but none of the providers" in text:
        match = _PACKAGE_REQUIRES.search(text)
        if match:
            found.setdefault("requires", []).append(
                f"{_package(match.group(1))} -> {_package(match.group(2))}"
            )
            return True
    match = _TREE.match(text) if ("├─" in text or "└─" in text) else None
    if match:
        spec, what = _package(match.group("spec")), match.group("what")
        if what == "is requested":
            found.setdefault("requested", []).append(spec)
        elif what == "is not installable":
            found.setdefault("not_installable", []).append(spec)
        elif what.startswith(", which"):
            found.setdefault("wanted", []).append(spec)
        return True
    return False


def _unique(items: Optional[list[str]]) -> Optional[list[str]]:
    return list(dict.fromkeys(items))[:20] if items else None


def _with_report(lines: Sequence[Line], hits: Sequence[int]) -> list[int]:
    """The gated lines plus the lines of a mamba / libmamba report after its header (its tree
    lines hold no trigger word)."""
    kept = set(hits)
    for index in hits:
        text = lines[index].text
        if "Encountered problems while solving" in text or "Could not solve for" in text:
            for ahead in range(index + 1, min(len(lines), index + 1 + _MAX_CONDA)):
                ahead_text = lines[ahead].text.strip()
                if ahead_text and not _is_conda_line(ahead_text):
                    break
                kept.add(ahead)
    return sorted(kept)


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


# pip fetching torch's wheel: "Downloading torch-2.4.0-cp310-cp310-manylinux2014_aarch64.whl
# (89.8 MB)" (PyPI: the file name only; pytorch/pytorch.github.io #1687), "Downloading
# https://download.pytorch.org/whl/nightly/cu129/torch-2.9.0.dev20250814%2Bcu129-cp310-cp310-
# manylinux_2_28_aarch64.whl (3422.6 MB)" (another index: its address; pytorch/pytorch #160425),
# "Using cached torch-...whl". The wheel's name is PEP 427's: name-version-python-abi-platform.
_TORCH_WHEEL = lazy(
    r"(?:Downloading|Using cached)\s+(?:\S{0,300}/)?torch-(\d{1,3}\.\d{1,3}(?:\.\d{1,3})?(?:\.?(?:dev|a|b|rc|post)\d{1,12})?(?:(?:%2B|\+)[\w.]{1,30})?)-(cp\d{2,3}t?)-(?:cp\d{2,3}t?|abi3|none)-([\w.]{1,120})\.whl\b"
)


_URL_HOST = lazy(r"https?://([^/\s]{1,200})/")


def _pypi_mirror(host: Optional[re.Match[str]]) -> bool:
    """A file URL of PyPI itself (files.pythonhosted.org) or of a PyPI mirror, which serve PyPI's
    files unchanged: "https://mirrors.aliyun.com/pypi/packages/.../torch-2.3.1-...whl"
    (opendatalab/MinerU #240), "https://pypi.tuna.tsinghua.edu.cn/packages/...". PyTorch's own
    index (download.pytorch.org) and any other index are not."""
    if host is None:
        return False
    name = host.group(1).lower()
    tail = host.string[host.end() : host.end() + 5]
    return name == "files.pythonhosted.org" or name.startswith("pypi.") or tail == "pypi/"


def _torch_wheel(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> list[Signal]:
    found: list[Signal] = []
    for index in range(len(lines)) if hits is None else hits:
        line = lines[index]
        if "torch-" not in line.text:
            continue
        match = _TORCH_WHEEL.search(line.text)
        if match:
            version, python, platform = match.groups()
            host = _URL_HOST.search(line.text[: match.start(1)])
            found.append(
                signal(
                    "pip-torch-wheel",
                    PIP,
                    [line.number],
                    version=version.replace("%2B", "+"),
                    python=python,
                    platform=platform,
                    pypi="/" not in line.text[: match.start(1)] or _pypi_mirror(host),
                    index_host=host.group(1) if host else None,
                )
            )
    return found


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    return (
        _pip(lines, hits)
        + _conda(lines, hits)
        + _conda_python(lines, hits)
        + _torch_wheel(lines, hits)
    )
