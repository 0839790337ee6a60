"""Words for libraries that shadow torch's own and for broken toolkit layouts
(diagnose/library_shadow_rules.py, diagnose/toolkit_layout_rules.py say what).

Every path put into a command is quoted for a POSIX shell: a fix must paste safely.
"""

from __future__ import annotations

import shlex
from typing import Any, Mapping

from envsetup.render.finding_words import WordFn, Words

P = Mapping[str, Any]


def _found(p: P) -> str:
    return (
        f"{p['library']} {p['version']} in {p['directory']} is found before torch's own "
        f"{p['library']} {p['wheel_version']} ({p['wheel_project']})"
    )


def _first(p: P) -> str:
    return f'`export LD_LIBRARY_PATH={shlex.quote(p["wheel_directory"])}:"$LD_LIBRARY_PATH"`'


def _upgrade(p: P) -> str:
    since = p.get("preloaded_from")
    return f"; torch >= {since} loads its own {p['library']} first" if since else ""


def library_path_shadow(p: P) -> Words:
    """ld-library-path-shadows-torch with a named library (params from library_shadow_rules)."""
    return Words(
        f"LD_LIBRARY_PATH shadows torch's {p['library']}: {_found(p)}",
        f"Remove {shlex.quote(p['directory'])} from LD_LIBRARY_PATH when running PyTorch "
        f"(`env -u LD_LIBRARY_PATH python ...`), or put torch's own first: {_first(p)}"
        f"{_upgrade(p)}.",
    )


def _ld_cache_shadows_torch(p: P) -> Words:
    return Words(
        f"The loader's cache (ldconfig) shadows torch's {p['library']}: {_found(p)}",
        f"Put torch's own first: {_first(p)}; or drop {shlex.quote(p['directory'])} from "
        f"/etc/ld.so.conf.d/ and run `sudo ldconfig`{_upgrade(p)}.",
    )


def _cuda_link_dangling(p: P) -> Words:
    link, installed = shlex.quote(p["path"]), p.get("installed")
    fix = (
        f"Point it at the toolkit still installed: `sudo ln -sfn {shlex.quote(installed)} {link}` "
        f"(CUDA {p['installed_version']}), or remove it: `sudo rm {link}`."
        if installed
        else f"Remove it (`sudo rm {link}`) or reinstall the toolkit it named; builds that use "
        "CUDA_HOME or /usr/local/cuda fail until then."
    )
    return Words(f"{p['path']} links to {p['target']}, which no longer exists", fix)


def _toolkit_nvcc_version_mismatch(p: P) -> Words:
    return Words(
        f"The toolkit at {p['path']} says CUDA {p['files_version']} ({p['files_source']}) but its "
        f"nvcc is {p['nvcc_version']}: two installs are mixed in one directory",
        "Reinstall that toolkit cleanly (remove the directory, then install one CUDA version "
        "into it), or set CUDA_HOME and PATH to a toolkit whose nvcc and files agree.",
    )


WORDS: dict[str, WordFn] = {
    "ld-cache-shadows-torch": _ld_cache_shadows_torch,
    "cuda-link-dangling": _cuda_link_dangling,
    "toolkit-nvcc-version-mismatch": _toolkit_nvcc_version_mismatch,
}
