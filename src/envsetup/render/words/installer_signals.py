"""Findings from pip's and conda's error lines (diagnose/signal_rules.py) in words: no matching
distribution, the solver's conflicts, a Python the package does not support. Also PEP 668's
externally-managed-environment refusal. Registered in render/finding_words.py CATALOGUES."""

from __future__ import annotations

from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words
from envsetup.render.words.params import or_unknown as _or
from envsetup.render.words.params import static as _static


def _pip(p: Mapping[str, Any]) -> Words:
    requirement = _or(p, "requirement", "the requirement")
    reason = p.get("reason")
    py = f" {p['python']}" if p.get("python") else ""  # unknown: left out, no empty slot
    pinned, newest = _or(p, "pinned"), _or(p, "newest")
    needs = f"Python >= {p['python_min']}" if p.get("python_min") else "a newer Python"
    fixes = {
        "local-version-needs-index": (
            f"{requirement} is a local-version wheel: it is only on download.pytorch.org, "
            f"not on PyPI; use `--index-url https://download.pytorch.org/whl/{_or(p, 'local')}` "
            f"or `{_or(p, 'install')}`"
        ),
        "pypi-placeholder": (
            (
                "pip saw only PyPI's placeholder 'torch' 0.1.2: no real torch wheel there fits this "
                f"Python{py} and platform: this system's C library is musl (Alpine), and "
                "PyTorch's Linux wheels are glibc (manylinux) builds; use a glibc-based system or "
                "image (python:3.X-slim rather than python:3.X-alpine)"
                if p.get("musl")
                else "pip saw only PyPI's placeholder 'torch' 0.1.2: no real torch wheel there fits "
                f"this Python{py} and platform (musl libc as on Alpine, a Python newer than the "
                "release supports, a 32-bit Python, or an unsupported OS); use a 64-bit Python the "
                "release supports on a glibc-based system"
            )
            + (
                ""
                if p.get("musl")  # no build installs here: install would refuse too
                else (
                    f", and PyTorch's index for the +{p['local']} build "
                    f"(`--index-url https://download.pytorch.org/whl/{p['local']}`)"
                    if p.get("local")
                    else ""
                )
                + f", or `{_or(p, 'install')}`"
            )
        ),
        "musl": (
            f"this system's C library is musl (Alpine), and PyTorch's Linux wheels are glibc "
            f"(manylinux) builds: none installs here, whatever this Python{py}, so pinning a "
            f"release pip lists{f' ({newest})' if p.get('newest') else ''} or changing the Python "
            "does not help; use a glibc-based system or image (python:3.X-slim rather than "
            "python:3.X-alpine), or build PyTorch from source"
        ),
        "python-32bit": "This Python is 32-bit; PyTorch has no 32-bit wheels: install a 64-bit Python",
        "no-wheel-for-python": (
            f"No torch wheel exists for this Python{py} and platform "
            f"(32-bit or too new a Python, or an unsupported OS): use a supported 64-bit Python, "
            f"then `{_or(p, 'install')}`"
        ),
        "pinned-release-not-for-python": (
            f"torch {pinned} has no wheel for this Python{py}; "
            f"the oldest listed is newer: pin a release that supports it (up to {newest}) "
            "or use an older Python"
        ),
        "pinned-release-needs-newer-python": (
            f"torch {pinned} is newer than every release pip lists for this Python{py}: "
            f"it needs {needs}; use a newer Python, or pin a release pip lists "
            f"(`{_or(p, 'package', 'torch')}=={newest}`, the newest for this Python)"
        ),
        "pinned-release-needs-newer-glibc": (
            f"torch {pinned}'s Linux wheels need glibc >= {_or(p, 'need')} (manylinux); "
            + (
                f"this system has glibc {p['have']}"
                if p.get("have")
                else f"the releases pip lists need only glibc {_or(p, 'listed_need')}, and they "
                f"cover this Python{py} too, so the C library is what rules {pinned} out"
            )
            + f": a newer Python does not help. Pin a release pip lists (`torch=={newest}`, "
            f"the newest whose wheels run here), or move to a system or container with glibc >= "
            f"{_or(p, 'need')} (e.g. Ubuntu 20.04, Debian 10, RHEL 8 or later)"
        ),
        "pinned-release-not-for-platform": (
            f"torch {pinned} has no wheel for {_or(p, 'platform', 'this platform')}: the list "
            f"ends at {newest}, the last release PyTorch built for macOS on Intel (x86_64); "
            + (
                "this Mac is Apple silicon, so this Python is an x86_64 build running under "
                "Rosetta 2 (an Intel Anaconda/conda or Python installer): install an arm64 Python "
                "(Miniforge's arm64 installer, or python.org's universal2 one; "
                '`python -c "import platform; print(platform.machine())"` must print arm64), '
                "recreate the environment with it and install torch there"
                if p.get("rosetta")
                else f"a newer Python does not help: pin `torch=={newest}`, or use an "
                "Apple-silicon Mac or Linux"
            )
        ),
        "pinned-release-not-published": (
            f"torch {pinned} is not among the releases this index has for this Python{py}: "
            f"pin one pip lists (the newest is {newest})"
        ),
    }
    fix = fixes.get(
        reason or "",
        f"Check the name and version; `{_or(p, 'install')}` picks a torch build that fits",
    )
    return Words(f"pip found no distribution for {requirement}", fix + ".")


def _conda(p: Mapping[str, Any]) -> Words:
    if p.get("no_cuda_driver"):
        who = ", ".join(p.get("needed_by") or []) or "a CUDA build"
        title = (
            f"conda's solver sees no NVIDIA driver (no __cuda virtual package), which {who} needs"
        )
        fix = (
            "On a machine without an NVIDIA GPU, ask for the CPU build (`cpuonly`, or a "
            "pytorch build without cuda in its name); with one, make `nvidia-smi` work (install or "
            "repair the driver: `conda info` then lists __cuda); building an environment or "
            "container for another machine, set CONDA_OVERRIDE_CUDA to that driver's CUDA "
            "version (e.g. `CONDA_OVERRIDE_CUDA=12.4`)"
        )
        return Words(
            title,
            fix
            + f"; PyTorch publishes no conda packages after 2.5: `{_or(p, 'install')}` uses pip.",
        )
    if p.get("not_installable") or p.get("requires") or p.get("missing"):
        return _conda_report(p)
    if p.get("conda_cuda"):
        title = f"conda's solver refused: the packages need a newer CUDA driver than this one (__cuda={p['conda_cuda']})"
        fix = "Upgrade the NVIDIA driver, or ask for a pytorch-cuda / cudatoolkit no newer than __cuda"
    else:
        pkgs = ", ".join(p.get("packages") or []) or "the requested packages"
        title = f"conda's solver found conflicting requirements ({pkgs})"
        fix = (
            "Drop the conflicting pins (e.g. a cudatoolkit version the pytorch build does not use)"
        )
    fix += f"; PyTorch publishes no conda packages after 2.5: `{_or(p, 'install')}` uses pip."
    return Words(title, fix)


def _conda_report(p: Mapping[str, Any]) -> Words:
    """mamba / libmamba's problem report: who cannot be installed, what it needs, what was
    requested instead."""
    blocked = ", ".join(p.get("not_installable") or []) or ""
    requires = list(p.get("requires") or [])
    wanted = [w for w in p.get("wanted") or [] if w not in (p.get("requested") or [])]
    requested = ", ".join(p.get("requested") or [])
    if blocked:
        needs = " or ".join(wanted) or ", ".join(r.split(" -> ", 1)[-1] for r in requires)
        title = f"conda's solver cannot install {blocked}" + (
            f": it needs {needs}" if needs else ""
        )
    elif requires:
        title = "conda's solver found conflicting requirements: " + "; ".join(requires)
    else:
        title = f"conda's solver found nothing that provides {', '.join(p['missing'])}"
    title += f", but {requested} is requested" if requested and blocked else ""
    fix = (
        "Ask for versions that go together: a release of "
        f"{blocked.split()[0] if blocked else 'the package'} built for what you request "
        "(often a newer one), or request what it needs instead"
        if blocked or requires
        else "Check the package name, version and channels (`conda search NAME -c CHANNEL`)"
    )
    fix += f"; PyTorch publishes no conda packages after 2.5: `{_or(p, 'install')}` uses pip."
    return Words(title, fix)


def _alternatives(versions: list[str]) -> str:
    """['3.6', '3.7', '3.8'] -> '3.6, 3.7 or 3.8'."""
    return versions[0] if len(versions) == 1 else f"{', '.join(versions[:-1])} or {versions[-1]}"


def _conda_python(p: Mapping[str, Any]) -> Words:
    packages = list(p.get("packages") or [])
    who = ", ".join(packages) or "The requested packages"
    verb = "is" if len(packages) == 1 else "are"
    if p.get("supported"):
        needs = f"Python {_alternatives(list(p['supported']))}"
    elif p.get("requires"):
        needs = "Python " + "; ".join(f"{k}: {v}" for k, v in p["requires"].items())
    else:
        needs = "another Python"
    have = f", not for this environment's Python {p['python']}" if p.get("python") else ""
    title = f"{who} {verb} built for {needs}{have} (conda: incompatible with the existing python)"
    target = p.get("suggest")
    env = f"py{str(target).replace('.', '')}" if target else "newenv"
    version = target or "X.Y"
    fix = (
        "conda never changes an environment's Python minor version by itself: create a new "
        f"environment with a supported Python, `conda create -n {env} python={version}`, "
        f"then `conda activate {env}` and install {', '.join(packages) or 'them'} there"
    )
    if target is None and p.get("requires"):
        fix += " (pick X.Y from the versions above)"
    return Words(title, fix + ".")


def _cuda_names(variants: list[str]) -> str:
    """['cu117', 'cu118'] -> 'CUDA 11.7 and 11.8'."""
    names = [f"{v[2:-1]}.{v[-1]}" for v in variants if v.startswith("cu") and v[2:].isdigit()]
    if not names:
        return ", ".join(variants)
    return "CUDA " + (names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}")


def _uv_no_platform_wheel(p: Mapping[str, Any]) -> Words:
    package, version = _or(p, "package", "the package"), _or(p, "version", "")
    target = f" (this interpreter's platform tag: {p['target']})" if p.get("target") else ""
    title = f"uv found no wheel of {package} {version} for this platform{target}"
    available = list(p.get("available") or [])
    builds = list(p.get("builds_here") or [])
    parts = []
    if available:
        parts.append(f"{package} {version} has wheels only for {', '.join(available)}")
    if builds and p.get("platform_key"):
        parts.append(
            f"on {p['platform_key']}, torch {_or(p, 'release')} is built as "
            f"{', '.join(builds)}: ask for one of those (`--index-url "
            f"https://download.pytorch.org/whl/{builds[-1]}`, uv's `--torch-backend={builds[-1]}`) "
            "or a release that has the build you want for this platform"
        )
    elif available:
        parts.append(
            "this machine is none of those platforms (another CPU, such as aarch64, or another "
            "OS; or a glibc older than the manylinux floor): ask for a release and build that "
            "have a wheel for it (`envsetup check-command '<the command>'` on that machine says "
            "which), or run it on one of those platforms"
        )
    else:
        parts.append(
            'uv names no platform here (uv 0.5.22 and later add a hint: "You\'re on ..."): the '
            "usual causes are musl libc (an Alpine image: PyTorch's and NVIDIA's Linux wheels are "
            "glibc builds; use a -slim image) or a CPU or OS the package has no wheels for; "
            "rerun with a newer uv to see the platforms it has"
        )
    return Words(title, "; ".join(parts) + ".")


_SYSTEM_NAMES = {"Windows": "Windows", "Linux": "Linux", "Darwin": "macOS"}


def _installs_cpu_build(p: Mapping[str, Any]) -> Words:
    version = _or(p, "version", "")
    variants = list(p.get("cuda_variants") or [])
    built = f"torch {p['release']}'s CUDA builds here: {_cuda_names(variants)}" if variants else ""
    if p.get("tool") == "conda":
        marks = [str(p.get("build") or "")] if p.get("build") else []
        marks += ["pytorch-mutex cpu"] if p.get("mutex_cpu") else []
        marks += ["cpuonly"] if p.get("cpuonly") else []
        requested = ", ".join(p.get("requested") or [])
        title = f"conda's plan installs pytorch {version}'s CPU build ({', '.join(marks)})"
        if requested:
            title += f", although {requested} was asked for"
            why = (
                f"The channels have no pytorch {version} build for {requested} on "
                + (_SYSTEM_NAMES.get(str(p.get("system")), "this platform"))
                + (" (that day's nightly)" if ".dev" in version else "")
                + ", so the solver fell back to the CPU variant (pytorch-mutex=cpu)"
            )
        else:
            why = (
                "Nothing in the request asks for a CUDA build (pytorch-cuda=X.Y for 2.x, "
                "cudatoolkit=X.Y for 1.x), so the solver may take the CPU variant"
            )
        fix = (
            why
            + (f"; {built}" if built else "")
            + ". Ask for a CUDA version the release was built for (pytorch.org's previous-versions "
            "page lists each release's command), and pin the CUDA variant so the solver cannot fall "
            f'back (`"pytorch={version or "*"}=*cuda*"`); PyTorch publishes no conda packages '
            f"after 2.5: `{_or(p, 'install')}` uses pip"
        )
        return Words(title, fix + ".")
    source = p.get("index_host") or "PyPI"
    platform = _or(p, "platform_key", "this platform")
    title = (
        f"pip takes {_or(p, 'wheel', 'a torch wheel')} from {source}: PyPI's torch {version} "
        f"for {platform} is the CPU build"
    )
    best = next((v for v in reversed(variants) if v.startswith("cu")), None)
    fix = (
        f"PyPI and its mirrors carry one build of each release per platform, and on {platform} "
        "it is the CPU one (no local label: not +cuXYZ). For the GPU, install from PyTorch's index"
        + (
            f": `pip install torch=={version} --index-url https://download.pytorch.org/whl/{best}`"
            if best
            else ""
        )
        + (f" ({built})" if built else "")
        + f", or `{_or(p, 'install')}`; if CPU-only is meant, nothing to do"
    )
    return Words(title, fix + ".")


def _collect_env_without_torch(p: Mapping[str, Any]) -> Words:
    py = f" {p['python']}" if p.get("python") else ""
    return Words(
        f"collect_env ran in a Python{py} that cannot import torch ('PyTorch version: N/A')",
        "Its torch facts (version, build, CUDA available) are unknown: this Python has no torch, "
        "or torch fails to import in it. Run collect_env with the Python of the environment that "
        "has torch (activate it, then `python -m torch.utils.collect_env`); if it is this one, "
        '`python -c "import torch"` shows why the import fails.',
    )


INSTALLER_WORDS: dict[str, WordFn] = {
    "collect-env-without-torch": _collect_env_without_torch,
    "uv-no-platform-wheel": _uv_no_platform_wheel,
    "installs-cpu-build": _installs_cpu_build,
    "pip-externally-managed-error": _static(
        "pip refused to install into the system Python (PEP 668: externally-managed-environment)",
        "Use a virtual environment: `python3 -m venv .venv && .venv/bin/pip install ...`, or "
        "`envsetup install --cuda auto` (creates ./.venv).",
    ),
    "pip-no-matching-torch": _pip,
    "pip-no-matching-distribution": _pip,
    "conda-solver-conflict": _conda,
    "conda-python-incompatible": _conda_python,
}

WORDS = INSTALLER_WORDS
