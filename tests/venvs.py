"""Real venvs for verify to look at, and `envsetup verify` run on them as a real process."""

from __future__ import annotations

import subprocess
import venv
from pathlib import Path

from envsetup.verify.target import env_python
from scripts import run_envsetup


def bare_venv(path: Path) -> str:
    """A real venv without pip and without torch; returns its interpreter."""
    venv.EnvBuilder(with_pip=False).create(path)
    return env_python(str(path))


def purelib_of(python: str) -> Path:
    out = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


def fake_torch(python: str, source: str = "") -> None:
    """A package named torch in `python`'s site-packages, its __init__ being `source`."""
    package = purelib_of(python) / "torch"
    package.mkdir()
    (package / "__init__.py").write_text(source, encoding="utf-8")


def verify_cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return run_envsetup("verify", *args, timeout=timeout)
