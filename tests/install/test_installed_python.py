"""uv takes an installed interpreter in the release's Python range before it downloads one (a
download fails offline), and install finds installed interpreters by name without running them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from envsetup.install.tools import installed_pythons
from envsetup.profiles.loader import Release
from envsetup.resolve.reasons import PythonOrigin, ReasonCode
from envsetup.resolve.request import parse_request
from envsetup.resolve.resolver import resolve

from .machines import make_facts

RUNNING = f"{sys.version_info[0]}.{sys.version_info[1]}"


def _uv_plan(releases: list[Release], python: str, installed: tuple[str, ...], **flags: str):
    request = parse_request(torch=flags.get("torch"), cuda="cpu", python=flags.get("asked"), manager=flags.get("manager", "uv"), env=None, name=None)  # fmt: skip
    request = replace(request, installed_pythons=installed)
    return resolve(request, make_facts(python=python), releases)


def _origin(plan) -> tuple[str, str]:
    chosen = next(r for r in plan.reasons if r.code is ReasonCode.PYTHON_CHOSEN)
    return chosen["python"], chosen["origin"]


def test_uv_takes_the_newest_installed_python_in_range(releases: list[Release]) -> None:
    # torch 2.0 wheels are for 3.8–3.11: the installed 3.10 beats a downloaded 3.11, and the
    # installed 3.12 is out of range.
    plan = _uv_plan(releases, "3.12.1", ("3.9", "3.10", "3.12"), torch="2.0")
    assert _origin(plan) == ("3.10", PythonOrigin.INSTALLED.value)
    assert plan.python_version == "3.10"


def test_the_inspected_python_counts_as_installed(releases: list[Release]) -> None:
    plan = _uv_plan(releases, "3.11.7", (), torch="2.0")
    assert _origin(plan) == ("3.11", PythonOrigin.INSTALLED.value)


def test_uv_downloads_the_newest_only_when_none_installed_is_in_range(
    releases: list[Release],
) -> None:
    plan = _uv_plan(releases, "3.12.1", ("3.6", "3.13"), torch="2.0")
    assert _origin(plan) == ("3.11", PythonOrigin.NEWEST.value)


def test_an_asked_python_and_the_pip_and_conda_choices_are_unchanged(
    releases: list[Release],
) -> None:
    assert _origin(_uv_plan(releases, "3.11.7", ("3.10",), torch="2.0", asked="3.9")) == ("3.9", "asked")  # fmt: skip
    pip = _uv_plan(releases, "3.11.7", ("3.10",), torch="2.0", manager="pip")
    assert _origin(pip) == ("3.11", PythonOrigin.RUNNING.value)


def _python_named(directory: Path, name: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    link = directory / name
    link.symlink_to(sys.executable)
    return link


def test_installed_pythons_are_found_on_path_in_pyenv_and_in_uvs_managed_dir(
    tmp_path: Path,
) -> None:
    on_path = _python_named(tmp_path / "bin", "python3.9")
    shims = tmp_path / "pyenv" / "shims"
    _python_named(shims, "python3.8")  # a shim fails for versions pyenv has not selected
    pyenv = _python_named(tmp_path / "pyenv" / "versions" / "3.12.1" / "bin", "python3.12")
    managed = _python_named(tmp_path / "uv" / "cpython-3.13.0-linux-x86_64-gnu" / "bin", "python3.13")  # fmt: skip
    environ = {
        "PATH": f"{tmp_path / 'bin'}{os.pathsep}{shims}",
        "PYENV_ROOT": str(tmp_path / "pyenv"),
        "UV_PYTHON_INSTALL_DIR": str(tmp_path / "uv"),
    }
    found = installed_pythons(environ)
    assert found[RUNNING] == sys.executable
    assert found.get("3.9", str(on_path)) == str(on_path)
    assert found.get("3.12", str(pyenv)) == str(pyenv)
    assert found.get("3.13", str(managed)) == str(managed)
    assert "3.8" not in found or RUNNING == "3.8"


@pytest.mark.skipif(os.name == "nt", reason="the POSIX names python3.X")
def test_install_with_uv_plans_the_installed_interpreter_not_a_download(tmp_path: Path) -> None:
    # The newest release's range holds the Python running the tests: the dry run plans it, by
    # path, so uv has nothing to download.
    bin_dir = tmp_path / "bin"
    _python_named(bin_dir, f"python{RUNNING}")
    uv = Path(sys.executable).parent / "uv"
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{uv.parent}",
        "PYENV_ROOT": str(tmp_path / "no-pyenv"),
        "UV_PYTHON_INSTALL_DIR": str(tmp_path / "no-uv-pythons"),
        "ENVSETUP_STATE_DIR": str(tmp_path / "state"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "envsetup", "install", "--manager", "uv", "--cuda", "cpu",
         "--dry-run", "--json", "--env", str(tmp_path / "venv")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    data = document.get("data", document)
    create = data["plan"]["steps"][0]
    assert create["id"] == "create-env"
    assert create["argv"][create["argv"].index("--python") + 1] == sys.executable
    assert "provides it" not in done.stdout
