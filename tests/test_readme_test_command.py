"""README's test command takes torch's CPU build, never PyPI's CUDA build (issue 12), and CI runs
that command as written.

The pip runs are real pip on real PEP 503 indexes on disk: "PyPI" holds torch 2.13.0 (on Linux
PyPI's 2.13.0 is the CUDA build), "the CPU index" 2.13.0+cpu, as download.pytorch.org/whl/cpu
names its x86_64 wheels (torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl). pip runs
without its configuration (this machine's pip.conf adds indexes and a wheel directory).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

from install_exec.local_index import build_wheel, write_simple_pages

ROOT = Path(__file__).resolve().parents[1]
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
UNREACHABLE = "http://127.0.0.1:9/whl/cpu"  # the discard port: nothing listens, connect refused
LINUX_X86_64 = {"sys_platform": "linux", "platform_machine": "x86_64", "python_version": "3.11"}


def readme_test_command() -> str:
    """README's second code block: install what the tests need, run them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"^```\n(.*?)^```", text, re.S | re.M)[1].strip()


def _step(marker: str) -> list[str]:
    """The arguments of the README command's `&&` step that contains `marker`."""
    [step] = [s.strip() for s in readme_test_command().split("&&") if marker in s]
    return shlex.split(step)


def _extra_torch() -> list[Requirement]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    found = [Requirement(r) for r in project["optional-dependencies"]["test"]]
    return [r for r in found if r.name == "torch"]


def _selected(environment: dict[str, str]) -> list[Requirement]:
    """The test extra's torch requirements that apply on `environment` (the rest of the markers
    as on this machine)."""
    env = {**default_environment(), **environment}
    return [r for r in _extra_torch() if r.marker is None or r.marker.evaluate(env)]


def test_ci_runs_readmes_test_command_verbatim() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert readme_test_command() in ci


def test_torch_comes_first_from_the_cpu_index_alone() -> None:
    args = _step("--index-url")
    assert args[:3] == [".venv/bin/pip", "install", "--no-deps"]
    assert args[args.index("--index-url") + 1] == CPU_INDEX
    assert "--extra-index-url" not in args  # PyPI is not asked for torch at all
    [pin] = [Requirement(a) for a in args if a.startswith("torch")]
    # The version the test extra pins, on every platform it applies to.
    assert {str(r.specifier).split("+")[0] for r in _extra_torch()} == {str(pin.specifier)}
    steps = readme_test_command().split("&&")
    assert steps.index(next(s for s in steps if CPU_INDEX in s)) < steps.index(
        next(s for s in steps if "'.[test]'" in s)
    )


@pytest.mark.parametrize(
    ("environment", "allows_pypi_build"),
    [
        (LINUX_X86_64, False),  # PyPI's Linux wheel is the CUDA build: only +cpu will do
        ({**LINUX_X86_64, "platform_machine": "aarch64"}, True),  # CPU wheels without +cpu
        ({"sys_platform": "darwin", "platform_machine": "arm64", "python_version": "3.12"}, True),
        ({"sys_platform": "win32", "platform_machine": "AMD64", "python_version": "3.12"}, True),
    ],
)
def test_the_extra_pins_one_torch_per_platform(
    environment: dict[str, str], allows_pypi_build: bool
) -> None:
    [requirement] = _selected(environment)
    assert requirement.specifier.contains("2.13.0+cpu")
    assert requirement.specifier.contains("2.13.0") == allows_pypi_build


def test_the_extra_asks_no_torch_of_python_3_9() -> None:
    assert _selected({**LINUX_X86_64, "python_version": "3.9"}) == []


# ----------------------------------------------------------------------------- real pip


@pytest.fixture(scope="module")
def indexes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("indexes")
    for name, version in (("pypi", "2.13.0"), ("cpu", "2.13.0+cpu")):
        files = {"torch/__init__.py": f"__version__ = {version!r}\n"}
        build_wheel(root / name / "torch", "torch", version, files)
        write_simple_pages(root / name)
    return {"pypi": root / "pypi", "cpu": root / "cpu", "wheels": root / "cpu" / "torch"}


def _pip(args: list[str], report: Path) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    environ.update(PIP_CONFIG_FILE=os.devnull, PIP_DISABLE_PIP_VERSION_CHECK="1")
    return subprocess.run(
        # --ignore-installed: the test venv has a torch of its own
        [
            sys.executable,
            "-m",
            "pip",
            *args,
            "--dry-run",
            "--ignore-installed",
            "--report",
            str(report),
        ],
        capture_output=True,
        text=True,
        env=environ,
        timeout=300,
        check=False,
    )


def _chosen(report: Path) -> list[str]:
    document = json.loads(report.read_text(encoding="utf-8"))
    return [i["metadata"]["version"] for i in document["install"]]


@pytest.mark.parametrize("first", ["cpu", "pypi"])
def test_pip_takes_the_cpu_build_over_pypis_whichever_index_comes_first(
    indexes: dict[str, Path], tmp_path: Path, first: str
) -> None:
    """`torch==2.13.0` admits 2.13.0+cpu (a local label matches a pin without one) and pip takes
    the highest candidate of all indexes: 2.13.0+cpu sorts above 2.13.0 (PEP 440)."""
    second = "pypi" if first == "cpu" else "cpu"
    urls = ["--index-url", indexes[first].as_uri(), "--extra-index-url", indexes[second].as_uri()]
    done = _pip(["install", "--no-deps", *urls, "torch==2.13.0"], tmp_path / "r.json")
    assert done.returncode == 0, done.stderr
    assert _chosen(tmp_path / "r.json") == ["2.13.0+cpu"]


def test_the_extras_x86_64_pin_refuses_pypis_build(
    indexes: dict[str, Path], tmp_path: Path
) -> None:
    """Where no CPU wheel is at hand a bare `pip install -e '.[test]'` fails at once rather than
    download the CUDA build."""
    [pin] = _selected(LINUX_X86_64)
    pypi_only = ["--index-url", indexes["pypi"].as_uri()]
    done = _pip(["install", "--no-deps", *pypi_only, f"torch{pin.specifier}"], tmp_path / "r.json")
    assert done.returncode != 0
    assert "No matching distribution found for torch==2.13.0+cpu" in done.stderr


@pytest.mark.skipif(sys.version_info < (3, 10), reason="torch 2.13 needs Python 3.10+")
def test_readmes_torch_step_with_the_cpu_index_unreachable(
    indexes: dict[str, Path], tmp_path: Path
) -> None:
    """CI here cannot reach download.pytorch.org; its pip has the CPU wheel in a find-links
    directory. README's torch step, its index unreachable, still installs the CPU build, and
    costs one index page (one project, pip's retries), not one per package of the test extra."""
    args = _step("--index-url")[1:]  # without .venv/bin/pip
    args[args.index(CPU_INDEX)] = UNREACHABLE
    started = time.monotonic()
    done = _pip([*args, "--find-links", str(indexes["wheels"])], tmp_path / "r.json")
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert _chosen(tmp_path / "r.json") == ["2.13.0+cpu"]
    assert done.stderr.count("/whl/cpu/torch/") >= 1  # it did try the index
    assert elapsed < 60, f"{elapsed:.0f} s"
