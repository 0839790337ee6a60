"""Targets that cannot run the checks, and bad flags: real interpreters, real venvs, no torch needed."""

from __future__ import annotations

import json
import shlex
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from envsetup.verify.target import install_fix
from venvs import bare_venv, fake_torch, verify_cli


@pytest.fixture(autouse=True)
def _in_an_empty_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch) -> None:
    """The new-environment fix depends on what the current folder holds (a ./.venv there turns
    it into `--env ./.venv-torch`, tests/verify/test_new_env_fix.py): these run where none is."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))


def test_a_venv_without_torch_is_exit_3_with_the_install_command(tmp_path: Path) -> None:
    env_dir = tmp_path / "notorch"
    bare_venv(env_dir)
    out = verify_cli("--env", str(env_dir))
    assert out.returncode == 3, out.stderr
    line = out.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "torch is not installed" in line
    assert "Traceback" not in out.stderr + out.stdout
    # The fix names a command install accepts for an existing environment: --upgrade (a plain
    # install refuses it: "already exists").
    fix = line.split("install it: ", 1)[1]
    assert fix == f"envsetup install --env {shlex.quote(str(env_dir))} --upgrade --cuda auto"


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("a venv", "envsetup install --env {dir} --upgrade --cuda auto"),
        ("a conda prefix", "envsetup install --env {dir} --upgrade --cuda auto"),
        ("nothing", "envsetup install --env {dir} --cuda auto"),
        ("an empty directory", "envsetup install --env {dir} --cuda auto"),
        ("a system prefix", "envsetup install --cuda auto"),
    ],
)
def test_the_install_fix_is_one_install_accepts_for_what_is_there(
    tmp_path: Path, what: str, expected: str
) -> None:
    env_dir = tmp_path / "my env $(x)"
    if what == "a venv":
        bare_venv(env_dir)
    elif what == "a conda prefix":
        (env_dir / "conda-meta").mkdir(parents=True)
    elif what == "an empty directory":
        env_dir.mkdir()
    elif what == "a system prefix":
        (env_dir / "bin").mkdir(parents=True)
        (env_dir / "share").mkdir()
    assert install_fix(str(env_dir)) == expected.format(dir=shlex.quote(str(env_dir)))


def test_without_torch_the_json_and_junit_reports_say_unusable(tmp_path: Path) -> None:
    python = bare_venv(tmp_path / "notorch")
    junit = tmp_path / "verify.xml"
    out = verify_cli("--python", python, "--json", "--junit", str(junit))
    assert out.returncode == 3
    report = json.loads(out.stdout)
    assert report["exit_code"] == 3 and report["data"]["checks"] == []
    assert "envsetup install --env" in report["data"]["unusable"]["fix"]
    assert report["error"]["kind"] == "failed"
    schema = Path(__file__).parents[2] / "docs" / "schema" / "verify.schema.json"
    jsonschema.validate(report, json.loads(schema.read_text(encoding="utf-8")))
    assert report["error"]["message"].startswith(report["data"]["unusable"]["reason"])
    assert out.stderr.startswith("envsetup: ") and out.stderr.count("\n") == 1
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "1"
    failure = suite.find("testcase/failure")
    assert failure is not None and "torch is not installed" in str(failure.get("message"))


@pytest.fixture(scope="module")
def broken_torch_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A venv whose `torch` is a real package that raises on import."""
    python = bare_venv(tmp_path_factory.mktemp("broken") / "env")
    fake_torch(python, 'raise RuntimeError("this torch is broken on purpose")\n')
    return python


def test_a_torch_whose_import_raises_fails_the_import_check_with_the_error(
    broken_torch_python: str,
) -> None:
    # The venv has no envsetup either: the worker runs there on the standard library alone.
    out = verify_cli(
        "--python", broken_torch_python, "--json", "--only", "torch.import,matmul,compile"
    )
    assert out.returncode == 1, out.stderr
    checks = {c["id"]: c for c in json.loads(out.stdout)["data"]["checks"]}
    imported = checks["torch.import"]
    assert imported["status"] == "fail"
    assert imported["reason"] == "import torch raised RuntimeError: this torch is broken on purpose"
    assert "broken on purpose" in imported["evidence"]["traceback"]
    assert "envsetup install --env" in imported["fix"]
    assert checks["matmul"]["status"] == checks["compile"]["status"] == "skip"
    assert "torch did not import" in checks["matmul"]["reason"]


def test_people_see_the_failure_its_traceback_and_the_fix_under_the_table(
    broken_torch_python: str,
) -> None:
    out = verify_cli("--python", broken_torch_python, "--only", "torch.import,matmul")
    assert out.returncode == 1
    after_table = out.stdout.split("└")[-1]
    assert "torch.import: import torch raised RuntimeError" in after_table
    assert 'raise RuntimeError("this torch is broken on purpose")' in after_table
    assert "fix: reinstall torch into this environment" in after_table
    assert "0 passed, 1 failed, 1 skipped" in after_table


@pytest.mark.parametrize(
    "missing",
    ["/nonexistent", "/nonexistent/bin/python", "{tmp}/gone/bin/python", "{tmp}/python3.99"],
)
def test_no_such_interpreter_is_exit_3_naming_the_path(tmp_path: Path, missing: str) -> None:
    """No environment is derived from a path that is not there (`/nonexistent` would name `/`,
    an install target it refuses): the fix is to check the path, or a new environment."""
    missing = missing.format(tmp=tmp_path)
    out = verify_cli("--python", missing)
    assert out.returncode == 3
    line = out.stderr.strip()
    assert len(line.splitlines()) == 1 and "Traceback" not in line
    assert f"no interpreter at {missing}" in line
    assert line.endswith(
        "fix: check the path, or create a new environment: envsetup install --cuda auto"
    )
    assert "--env" not in line


def test_something_that_is_not_python_is_exit_3(tmp_path: Path) -> None:
    not_python = tmp_path / "fake-python"
    not_python.write_text("#!/bin/sh\necho hello\n")
    not_python.chmod(0o755)
    if sys.platform == "win32":
        pytest.skip("a shell script is not an executable on Windows")
    out = verify_cli("--python", str(not_python))
    assert out.returncode == 3
    assert "could not run the checks" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--python", sys.executable, "--env", "/x"], "--python and --env"),
        (["--python", sys.executable, "--only", "nope"], "no check named 'nope'"),
        (["--python", sys.executable, "--timeout", "0"], "--timeout must be a positive"),
        (
            ["--python", sys.executable, "--junit", "/no/such/dir/v.xml"],
            "--junit /no/such/dir/v.xml: its",
        ),
    ],
)
def test_bad_flags_are_usage_errors(args: list[str], message: str) -> None:
    out = verify_cli(*args)
    assert out.returncode == 2
    assert message in out.stderr and "Traceback" not in out.stderr


def test_the_checks_fixes_are_the_runners_install_for_this_target() -> None:
    """The worker (in the target, no envsetup) prints the install the runner decided; without one
    from the runner, its own format. Under --require-gpu where --cuda auto is the CPU build
    (gpu_install_fix None), the fix points at doctor and names no install."""
    from envsetup.verify.worker_root.envsetup_verify_worker.outcome import Context

    fix = "envsetup install --env /tmp/env --upgrade --cuda auto"
    said = Context({"require_gpu": True, "install_fix": fix, "gpu_install_fix": fix})
    assert said.install_fix == fix and said.gpu_fix.endswith(f"install a GPU build: {fix}")
    cpu_only = Context({"require_gpu": True, "install_fix": fix, "gpu_install_fix": None})
    assert cpu_only.install_fix == fix
    assert "envsetup install" not in cpu_only.gpu_fix
    assert cpu_only.gpu_fix.startswith("check the driver with `envsetup doctor`")
    assert Context({}).install_fix.startswith("envsetup install --env ")


def test_a_pyenv_shim_of_an_unselected_version_is_quoted_by_its_first_line(tmp_path: Path) -> None:
    """pyenv's real message (tests/fixtures/interpreter-failures/SOURCES.tsv), replayed by a shim
    script with pyenv's status 127: the reason quotes its telling first line, not its last
    ("python2 and python3 to be found.")."""
    if sys.platform == "win32":
        pytest.skip("a shell script is not an executable on Windows")
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "interpreter-failures"
    message = (fixtures / "pyenv-python3.11-exists-in-versions.txt").read_text()
    shim = tmp_path / "python3.11"
    shim.write_text(f"#!/bin/sh\ncat >&2 <<'EOF'\n{message}EOF\nexit 127\n")
    shim.chmod(0o755)
    out = verify_cli("--python", str(shim))
    assert out.returncode == 3
    assert "(exit status 127): pyenv: python3.11: command not found;" in out.stderr
    assert "to be found" not in out.stderr
