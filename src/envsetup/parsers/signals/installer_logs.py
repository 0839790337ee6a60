"""What an installer's log shows it took or could not take for this platform: uv's "no wheels with a
matching platform tag", pip taking PyPI's torch 0.1.2 placeholder, musl's loader refusing a glibc
wheel's library, and a conda plan that installs pytorch's CPU build (pip's "Downloading
torch-...whl" is pip_conda's pip-torch-wheel).

Real forms (tests/fixtures/paste/errors/attack12-*, SOURCES.tsv):

- uv (pubgrub report): "and torch==2.7.0+cu118 has no wheels with a matching platform tag (e.g.,
  `manylinux_2_27_x86_64`), we can conclude ..." (pytorch/pytorch #156215); the target's tag is
  the best one of the interpreter uv resolves for, i.e. `manylinux_X_Y_ARCH` names its glibc X.Y
  (PEP 600). Its hint: "hint: Wheels are available for `torch` (v2.7.0+cu118) on the following
  platforms: `manylinux_2_28_x86_64`, `win_amd64`" (the list wrapped onto the next line in
  OpenRAL/openral #88);
- uv (install time): "error: Distribution `nvidia-cublas-cu12==12.4.5.8 @ registry+URL` can't be
  installed because it doesn't have a source distribution or wheel for the current platform"
  (astral-sh/uv #9901), since uv 0.5.22 (uv PR #10667) with "hint: You're on Linux
  (`manylinux_2_28_x86_64`), but `rerun-sdk` (v0.23.1) only has wheels for the following platforms:
  `manylinux_2_31_aarch64`, ..." (uv #10464, #15936);
- musl's dynamic loader (ldso/dynlink.c: "Error relocating %s: %s: symbol not found"):
  "Error relocating .../torch/lib/libgomp-a34b3233.so.1: pthread_attr_setaffinity_np: symbol not
  found" (alpine-wheels/index #700; pytorch/pytorch #102592), also wrapped after the symbol's
  colon ("Error relocating .../libcudnn.so.6: __strtod_internal:" / " symbol not found",
  pytorch/pytorch #1618); and its "Error loading shared library %s: %m (needed by %s)" (the same
  file's load_deps): "ImportError: Error loading shared library ld-linux-x86-64.so.2: No such
  file or directory (needed by /usr/" / "lib/python3.5/site-packages/torch/_C...so)"
  (pytorch/pytorch #1618: a glibc build's loader asked for on Alpine; glibc's own form is
  "error while loading shared libraries: X: cannot open shared object file");
- pip taking PyPI's placeholder: "Downloading .../torch-0.1.2.post1.tar.gz", whose setup.py raises
  "RuntimeError: PyTorch does not currently provide packages for PyPI" (docker-library/python #341);
- conda's "## Package Plan ##": the download table "pytorch-1.12.1 | py3.8_cpu_0 133.8 MB pytorch",
  "pytorch-mutex-1.0 | cpu" (pytorch/pytorch #92273, #91009) and the NEW list "pytorch
  pytorch/win-64::pytorch-1.10.0-py3.6_cpu_0", "cpuonly pytorch/noarch::cpuonly-2.0-0" (conda/conda
  #11001), below "added / updated specs:" and its "- cudatoolkit=10.1" lines;
(pip's "Downloading torch-...whl" is pip_conda's pip-torch-wheel.)
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from envsetup.lazy_pattern import lazy
from envsetup.model.paste import Line, Signal
from envsetup.parsers.signals._scan import indices, signal

UV = "uv-error"
PIP = "pip-error"
CONDA = "conda-plan"
LOADER = "library-error"

_TAG = r"[A-Za-z0-9_.]{1,80}"
_UV_NO_TAG = lazy(
    r"`?(?P<package>[A-Za-z0-9_.-]{1,100})==(?P<version>[\w.+!-]{1,60})`? has no wheels with a "
    r"matching platform tag(?: \(e\.g\.,? `(?P<target>" + _TAG + r")`\))?"
)
_UV_AVAILABLE = lazy(
    r"Wheels are available for `(?P<package>[A-Za-z0-9_.-]{1,100})` \(v(?P<version>[^)\s]{1,60})\) "
    r"on the following platforms?:(?P<tags>.*)"
)
_UV_NO_DIST = lazy(
    r"Distribution `(?P<package>[A-Za-z0-9_.-]{1,100})==(?P<version>[^\s`@]{1,60})(?: @ [^`]{0,300})?` "
    r"can't be installed because it doesn't have a source distribution or wheel for the current platform"
)
_UV_YOURE_ON = lazy(
    r"You're on (?P<os>[A-Za-z]{1,20}) \(`(?P<target>"
    + _TAG
    + r")`\), but `(?P<package>[A-Za-z0-9_.-]{1,100})`"
    r"(?: \(v(?P<version>[^)\s]{1,60})\))? only has wheels for the following platforms?:(?P<tags>.*)"
)
_BACKTICKED = lazy(r"`(" + _TAG + r")`")
_MUSL_RELOCATING = lazy(
    r"Error relocating (?P<library>[^:\s]{1,300}): (?P<symbol>[\w.@$]{1,200}): symbol not found"
)
_MUSL_LOADING = lazy(
    r"Error loading shared library (?P<library>[^:\s]{1,300}): (?P<reason>[^()]{1,120}?) "
    r"\(needed by (?P<needed>[^)\s]{0,300})"
)
_PLACEHOLDER_FILE = lazy(r"\btorch-(0\.1\.2(?:\.post\d)?)\.tar\.gz\b")
_PLACEHOLDER_MESSAGE = "PyTorch does not currently provide packages for PyPI"
# The plan's packages that say which build: "pytorch-1.12.1 | py3.8_cpu_0" (download table),
# "pytorch/win-64::pytorch-1.10.0-py3.6_cpu_0" (NEW / UPDATED lists, "-->" to the new one).
_PLAN_NAMES = "pytorch|pytorch-mutex|cpuonly|pytorch-cuda|cudatoolkit|pytorch-gpu|pytorch-cpu"
_PLAN_TABLE = lazy(
    r"(?:^|\s)(?P<name>" + _PLAN_NAMES + r")-(?P<version>\d[\w.]{0,40}?)\s*\|\s*(?P<build>\S{1,60})"
)
_PLAN_LIST = lazy(
    r"(?:(?P<channel>[\w./-]{1,100})::)(?P<name>" + _PLAN_NAMES + r")-(?P<version>\d[\w.]{0,40}?)"
    r"-(?P<build>[\w.]{1,60})\s*$"
)
_PLAN_WORDS = ("_cpu_", "cpuonly-", "pytorch-mutex")
_PLAN_MARK = lazy(r"_cpu_\d|\bcpuonly-\d|pytorch-mutex")  # a plan's CPU build, as listed
_PLAN_SPEC = lazy(
    r"^\s*-\s+(?P<spec>[A-Za-z][\w.-]{0,60}(?:[=<>!]=?[\w.*]{1,40})?(?:=[\w.*]{1,40})?)\s*$"
)
_CONDA_COMMAND = lazy(r"\b(?:conda|mamba|micromamba)\s+(?:install|create)\b(?P<rest>.*)")
_CUDA_SELECTOR = lazy(
    r"\b((?:cudatoolkit|pytorch-cuda|cuda-version)\s*=\s*=?\d{1,2}(?:\.\d{1,2})?)"
)
_PY_BUILD = lazy(r"\bpy(\d)\.?(\d{1,2})")


def _tags(text: str) -> list[str]:
    return [m.group(1) for m in _BACKTICKED.finditer(text)][:40]


def _uv(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> list[Signal]:
    found: list[Signal] = []
    by_package: dict[str, Signal] = {}
    for index in indices(lines, hits):
        line = lines[index]
        text = line.text
        match = None
        if "matching platform tag" in text:
            match = _UV_NO_TAG.search(text)
        elif "wheel for the current platform" in text:
            match = _UV_NO_DIST.search(text)
        if match:
            params: dict[str, Any] = {
                "package": match.group("package").lower(),
                "version": match.group("version"),
            }
            target = match.groupdict().get("target")
            if target:
                params["target"] = target
            s = signal("uv-no-platform-wheel", UV, [line.number], **params)
            found.append(s)
            by_package[params["package"]] = s
            continue
        hint = None
        if "Wheels are available for" in text:
            hint = _UV_AVAILABLE.search(text)
        elif "only has wheels for the following" in text:
            hint = _UV_YOURE_ON.search(text)
        if hint is None:
            continue
        tags_text = hint.group("tags")
        if not tags_text.strip() and index + 1 < len(lines):
            tags_text = lines[index + 1].text  # uv wrapped the list onto the next line
        package = hint.group("package").lower()
        s = by_package.get(package)
        if s is None:
            s = signal(
                "uv-no-platform-wheel", UV, [], package=package, version=hint.group("version")
            )
            found.append(s)
            by_package[package] = s
        s.lines.append(line.number)
        s.params["available"] = _tags(tags_text)
        target = hint.groupdict().get("target")
        if target and "target" not in s.params:
            s.params["target"] = target
    kept = [s for s in found if s.lines]
    for s in kept:
        s.owned = _uv_report(lines, s.lines)
    return kept


# uv's report around the signal's lines: "  × No solution found ...", "  ╰─▶ Because ...", their
# indented continuation, "hint: ...", uv's "Using Python 3.11.13 environment at: ...",
# "Resolved 24 packages in 3.16s", and the uv command that ran.
_UV_MARKS = ("×", "╰─▶", "hint:", "Using Python", "Using CPython", "Resolved ", "error:", "help:")
_UV_COMMAND = lazy(r"(?:^|[\s$#>])uv\s+(?:pip\s+install|add|sync|lock|run|pip\s+compile)\b")
_MAX_REPORT = 40


def _uv_report(lines: Sequence[Line], numbers: Sequence[int]) -> list[int]:
    at = {line.number: index for index, line in enumerate(lines)}
    indexes = sorted(at[n] for n in numbers if n in at)
    if not indexes:
        return []

    def part(index: int) -> bool:
        raw = lines[index].text
        text = raw.strip()
        return bool(text) and (text.startswith(_UV_MARKS) or raw[:1] in " \t")

    owned: set[int] = set()
    first = indexes[0]
    while first > 0 and indexes[0] - first < _MAX_REPORT:
        text = lines[first - 1].text.strip()
        if not text:
            first -= 1
            continue
        if part(first - 1):
            first -= 1
            continue
        if _UV_COMMAND.search(text):
            first -= 1
        break
    last = indexes[-1]
    while last + 1 < len(lines) and last - indexes[-1] < _MAX_REPORT:
        if not lines[last + 1].text.strip() or part(last + 1):
            last += 1
            continue
        break
    owned.update(line.number for line in lines[first : last + 1] if line.text.strip())
    return sorted(owned.difference(numbers))


def _musl(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> list[Signal]:
    found = []
    for index in indices(lines, hits):
        text = lines[index].text
        if "Error relocating" in text:
            numbers = [lines[index].number]
            if "symbol not found" not in text and index + 1 < len(lines):
                after = lines[index + 1].text.strip()
                if not after.startswith("symbol not found"):
                    continue
                # wrapped after the symbol's colon (pytorch/pytorch #1618)
                text = text.rstrip() + " " + after
                numbers.append(lines[index + 1].number)
            match = _MUSL_RELOCATING.search(text)
            if match:
                found.append(
                    signal(
                        "library-musl-symbol-not-found",
                        LOADER,
                        numbers,
                        library=match.group("library"),
                        symbol=match.group("symbol"),
                    )
                )
        elif "Error loading shared library" in text and "(needed by" in text:
            match = _MUSL_LOADING.search(text)
            if match:
                needed = match.group("needed")
                numbers = [lines[index].number]
                if match.end() >= len(text.rstrip()) and index + 1 < len(lines):
                    # the path wrapped onto the next line: "(needed by /usr/" / "lib/...so)"
                    rest = lines[index + 1].text.strip()
                    if ")" in rest and " " not in rest.partition(")")[0]:
                        needed += rest.partition(")")[0]
                        numbers.append(lines[index + 1].number)
                found.append(
                    signal(
                        "library-musl-not-loaded",
                        LOADER,
                        numbers,
                        library=match.group("library"),
                        reason=match.group("reason"),
                        needed_by=needed or None,
                    )
                )
    return found


def _placeholder(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> list[Signal]:
    numbers: list[int] = []
    version = None
    for index in indices(lines, hits):
        text = lines[index].text
        if "torch-0.1.2" in text:
            match = _PLACEHOLDER_FILE.search(text)
            if match:
                numbers.append(lines[index].number)
                version = match.group(1)
        elif _PLACEHOLDER_MESSAGE in text:
            numbers.append(lines[index].number)
    if not numbers:
        return []
    return [signal("pip-torch-placeholder", PIP, numbers, version=version)]


def _plan(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> list[Signal]:
    """One signal when a conda plan installs pytorch's CPU build (its build string says cpu, or
    the plan takes pytorch-mutex's cpu build or cpuonly)."""
    numbers: list[int] = []
    packages: dict[str, tuple[str, str, str]] = {}  # name -> (version, build, channel)
    specs: list[str] = []
    command: list[str] = []
    in_specs = False
    for index in _plan_window(lines, hits):
        line = lines[index]
        text = line.text
        if "added / updated specs" in text:
            in_specs = True
            continue
        if in_specs:
            spec = _PLAN_SPEC.match(text)
            if spec:
                specs.append(spec.group("spec"))
                continue
            if text.strip():
                in_specs = False
        if ("conda" in text or "mamba" in text) and ("install" in text or "create" in text):
            match = _CONDA_COMMAND.search(text)
            if match:
                command.append(match.group("rest"))
        if not any(name in text for name in ("pytorch", "cpuonly", "cudatoolkit")):
            continue
        match = _PLAN_TABLE.search(text) if "|" in text else None
        if match is None and "::" in text:
            match = _PLAN_LIST.search(text.rsplit("-->", 1)[-1])
        if match:
            channel = match.groupdict().get("channel") or ""
            packages[match.group("name")] = (match.group("version"), match.group("build"), channel)
            numbers.append(line.number)
    pytorch = packages.get("pytorch")
    mutex = packages.get("pytorch-mutex")
    cpu_build = bool(pytorch and "cpu" in pytorch[1].lower())
    cpu_mutex = bool(mutex and mutex[1].lower() == "cpu")
    if not (cpu_build or cpu_mutex or "cpuonly" in packages):
        return []
    asked = " ".join(specs + command)
    selectors = [m.group(1).replace(" ", "") for m in _CUDA_SELECTOR.finditer(asked)]
    subdirs = [c.split("/", 1)[1] for (_, _, c) in packages.values() if "/" in c]
    subdir = next((d for d in subdirs if d != "noarch"), None)
    python = _PY_BUILD.search(pytorch[1]) if pytorch else None
    return [
        signal(
            "conda-plan-cpu-pytorch",
            CONDA,
            numbers,
            version=pytorch[0] if pytorch else None,
            build=pytorch[1] if pytorch else None,
            mutex_cpu=cpu_mutex or None,
            cpuonly="cpuonly" in packages or None,
            cpuonly_requested=("cpuonly" in asked.split()) or None,
            requested_cuda=list(dict.fromkeys(selectors)) or None,
            subdir=subdir,
            python=f"{python.group(1)}.{python.group(2)}" if python else None,
        )
    ]


# How far a plan's specs and its command sit above its package lines (conda prints the specs,
# then up to a few dozen packages), and below them.
_PLAN_BEFORE = 80
_PLAN_AFTER = 10


def _plan_window(lines: Sequence[Line], hits: Optional[Sequence[int]]) -> list[int]:
    """The line indices around the lines that mark a CPU plan (all, without the gate's hits):
    a megabyte of log is not read line by line for one plan."""
    if hits is None:
        return list(range(len(lines)))
    marked = [
        i
        for i in hits
        if any(m in lines[i].text for m in _PLAN_WORDS) and _PLAN_MARK.search(lines[i].text)
    ]
    kept: set[int] = set()
    for i in marked:
        kept.update(range(max(0, i - _PLAN_BEFORE), min(len(lines), i + _PLAN_AFTER)))
    return sorted(kept)


def read(lines: Sequence[Line], hits: Optional[Sequence[int]] = None) -> list[Signal]:
    return _uv(lines, hits) + _musl(lines, hits) + _placeholder(lines, hits) + _plan(lines, hits)
