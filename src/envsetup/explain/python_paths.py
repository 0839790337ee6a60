"""The Python environment a pasted file path shows: the interpreter that printed a warning or a
traceback from inside torch, or ran collect_env (runpy's warning).

A path ".../envs/py312/lib/python3.12/site-packages/torch/cuda/__init__.py" proves that torch is
installed in that site-packages, of the interpreter with prefix ".../envs/py312" and Python 3.12;
".../lib/python3.10/runpy.py" proves the prefix and version of the interpreter that ran. What it
proves about the kind of environment: a conda environment (a prefix under a conda installation's
envs/, micromamba's too, or a conda installation's own root), a virtual environment (a prefix named
venv, .venv, env or ending in -venv, or one Poetry, pipenv, virtualenvwrapper or pyenv-virtualenv
keeps: .../virtualenvs/NAME, ~/.virtualenvs/NAME, ~/.pyenv/versions/X.Y.Z/envs/NAME), Debian's system Python (/usr/local/lib/pythonX.Y/dist-packages, prefix
/usr); any other prefix is named without a kind. Windows: "...\\lib\\site-packages\\torch"
gives the prefix (and a conda environment's kind), not the version. The user site (~/.local/lib/...) names no interpreter and is skipped.

Only the first such path counts (a paste may hold several programs' paths); every fact is a
fallback (explain/merge.py: taken only where no section of the paste states it).
"""

from __future__ import annotations

import re
from typing import Mapping

from envsetup.explain.signal_facts import StatedFact
from envsetup.lazy_pattern import lazy

# POSIX: <prefix>/lib/pythonX.Y/{site,dist}-packages/torch/ or <prefix>/lib/pythonX.Y/runpy.py
_POSIX = lazy(
    r"(?P<prefix>/[^\s\"':]{0,400}?)/lib(?:64)?/python(?P<version>[23]\.\d{1,2})/"
    r"(?:(?P<site>site-packages|dist-packages)/torch/|runpy\.py)"
)
_WINDOWS = lazy(
    r"(?P<prefix>[A-Za-z]:\\[^\"'<>|*?\r\n]{0,400}?)\\(?P<site>[Ll]ib\\site-packages)\\torch\\"
)
_CONDA_ROOTS = ("anaconda3", "anaconda2", "miniconda3", "miniconda2", "miniforge3", "mambaforge")
# Conda installations under other names: "~/miniconda/envs/x", "~/micromamba/envs/x",
# "~/.local/share/mamba/envs/x" (an environment under them, not the root itself)
_CONDA_HOMES = (*_CONDA_ROOTS, "anaconda", "miniconda", "miniforge", "micromamba", "mamba")
_VENV_NAMES = ("venv", ".venv", "env", ".env")
# The folders virtual-environment managers keep their environments in: Poetry's
# "~/.cache/pypoetry/virtualenvs/NAME-HASH-py3.8", pipenv's "~/.local/share/virtualenvs/NAME",
# virtualenvwrapper's "~/.virtualenvs/NAME"
_VENV_HOMES = ("virtualenvs", ".virtualenvs")
_NEEDLES = ("/torch/", "runpy.py", "\\torch\\")


def python_of(texts: Mapping[int, str]) -> list[StatedFact]:
    """The facts the first Python path in the paste (line number -> text) proves; [] when it
    shows none."""
    for number in sorted(texts):
        text = texts[number]
        if "python" not in text and "\\torch\\" not in text:
            continue
        if not any(needle in text for needle in _NEEDLES):
            continue
        match = _POSIX.search(text)
        if match and not match.group("prefix").endswith("/.local"):
            return _posix(match, number)
        windows = _WINDOWS.search(text)
        if windows:
            prefix = windows.group("prefix")
            sites = prefix + "\\" + windows.group("site")
            kind = _kind(prefix.replace("\\", "/"))
            return [
                *([StatedFact("python.environment", kind, number, fallback=True)] if kind else []),
                StatedFact("python.prefix", prefix, number, fallback=True),
                StatedFact("python.executable", prefix + "\\python.exe", number, fallback=True),
                StatedFact("python.site_packages", [sites], number, fallback=True),
                StatedFact("torch.location", sites + "\\torch", number, fallback=True),
            ]
    return []


def _posix(match: re.Match[str], number: int) -> list[StatedFact]:
    prefix, version, site = match.group("prefix"), match.group("version"), match.group("site")
    facts = [StatedFact("python.version", version, number, fallback=True)]
    if site == "dist-packages" and prefix == "/usr/local":
        # Debian's system Python: installs go to /usr/local/lib/pythonX.Y/dist-packages.
        facts += [
            StatedFact("python.prefix", "/usr", number, fallback=True),
            StatedFact("python.executable", f"/usr/bin/python{version}", number, fallback=True),
            StatedFact("python.environment", "system", number, fallback=True),
        ]
    else:
        facts += [
            StatedFact("python.prefix", prefix, number, fallback=True),
            StatedFact("python.executable", f"{prefix}/bin/python", number, fallback=True),
        ]
        kind = _kind(prefix)
        if kind:
            facts.append(StatedFact("python.environment", kind, number, fallback=True))
    if site:
        sites = f"{prefix}/lib/python{version}/{site}"
        facts.append(StatedFact("python.site_packages", [sites], number, fallback=True))
        facts.append(StatedFact("torch.location", f"{sites}/torch", number, fallback=True))
    return facts


def _kind(prefix: str) -> str:
    parts = prefix.rstrip("/").split("/")
    if (
        len(parts) >= 3
        and parts[-2] == "envs"
        and (parts[-3] in _CONDA_HOMES or parts[-3] in (".conda", "conda"))
    ):
        return "conda"
    if parts[-1] in _CONDA_ROOTS or prefix in ("/opt/conda", "/opt/miniconda3"):
        return "conda"
    if parts[-1] in _VENV_NAMES or parts[-1].endswith("-venv"):
        return "venv"
    if len(parts) >= 2 and parts[-2] in _VENV_HOMES:
        return "venv"
    # pyenv-virtualenv: "~/.pyenv/versions/3.10.4/envs/NAME" (a venv of that pyenv Python)
    if (
        len(parts) >= 5
        and parts[-2] == "envs"
        and parts[-4] == "versions"
        and parts[-5] == ".pyenv"
    ):
        return "venv"
    return ""
