"""Which Python interpreter is meant, and how an interpreter describes itself.

The active environment (doctor's and verify's default target) is found by one rule, in
host/interpreter_discovery.py. An interpreter's self-description has one source for both ways it is asked.

The target interpreter runs `SCRIPT` (stdlib only, and only what is cheap to import: json and
platform would double its start-up; it prints a dict literal that ast.literal_eval reads back).
The interpreter running envsetup runs the same function in-process, saving a subprocess when it is
itself the target.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

DESCRIBE_SOURCE = r"""
def describe():
    import os, sys
    implementation = getattr(getattr(sys, "implementation", None), "name", "cpython")
    return {
        "executable": sys.executable,
        "version": ".".join(str(n) for n in sys.version_info[:3]),
        "implementation": {"cpython": "CPython", "pypy": "PyPy"}.get(implementation, "other"),
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
        # Where PEP 668's EXTERNALLY-MANAGED marker lives (sysconfig's "stdlib" path; importing
        # sysconfig would cost more than the rest of this function).
        "stdlib": os.path.dirname(os.__file__),
        "site_packages": [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))],
        "bits": 64 if sys.maxsize > 2**32 else 32,
    }
"""
SCRIPT = DESCRIBE_SOURCE + "\nprint(repr(describe()))\n"


def describe_running_python() -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(DESCRIBE_SOURCE, namespace)  # our own constant source, shared with SCRIPT
    return namespace["describe"]()


def env_python(env_dir: str, windows: bool = sys.platform == "win32") -> str:
    """The interpreter of a venv or conda prefix."""
    root = Path(env_dir)
    if windows:
        for candidate in (root / "Scripts" / "python.exe", root / "python.exe"):
            if candidate.exists():
                return str(candidate)
        return str(root / "Scripts" / "python.exe")
    return str(root / "bin" / "python")
