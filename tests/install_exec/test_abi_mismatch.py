"""Real uv against an index whose wheels are all for another Python (their ABI tag): install
fails at check-resolves, and the one-line error's fix names that Python (`--python 3.X`), from
uv's own hint (parsers/uv_abi_hint.py)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import envsetup

from .local_index import build_pytorch_index, write_simple_pages

RUNNING = f"{sys.version_info[0]}.{sys.version_info[1]}"
OTHER = "3.9" if RUNNING != "3.9" else "3.10"


def other_python_index(root: Path) -> Path:
    """The cpu variant of the test index, each wheel renamed to a cpXY wheel of OTHER."""
    source = build_pytorch_index(root / "source", {"cpu": None})
    tag = "cp" + OTHER.replace(".", "")
    base = root / "index"
    for wheel in (source / "cpu").rglob("*.whl"):
        project = base / "cpu" / wheel.parent.name
        project.mkdir(parents=True, exist_ok=True)
        shutil.copy(
            wheel, project / wheel.name.replace("py3-none-any", f"{tag}-{tag}-linux_x86_64")
        )
    write_simple_pages(base / "cpu")
    return base


def test_uv_finding_only_another_pythons_wheels_names_it(tmp_path: Path) -> None:
    index = other_python_index(tmp_path)
    argv = [sys.executable, "-m", "envsetup", "install", "--torch", "2.0", "--cuda", "cpu",
            "--python", RUNNING, "--manager", "uv", "--env", str(tmp_path / "env"),
            "--log-dir", str(tmp_path / "logs"), "--index-url-base", str(index)]  # fmt: skip
    source = str(Path(envsetup.__file__).resolve().parents[1])
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    environ = {**os.environ, "PYTHONPATH": source, "PATH": path}
    out = subprocess.run(
        argv, capture_output=True, text=True, env=environ, timeout=300, check=False
    )
    assert out.returncode == 1, out.stderr
    line = out.stderr.strip().splitlines()[-1]
    assert "install failed at step check-resolves" in line
    assert line.endswith(
        f"fix: torch 2.0.1+cpu on that index has wheels for Python {OTHER}, none for Python "
        f"{RUNNING}: pass --python {OTHER}"
    )
    assert not (tmp_path / "env").exists()
