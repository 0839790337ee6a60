"""Which Python doctor (and verify) inspect when not told, and why (host/interpreter_discovery.py):
uv's order over real directories and real venvs, doctor's first lines through the real entry point,
and the install fix that never aims at envsetup's own environment (recorded hosts)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path
from typing import Optional

import pytest

from envsetup.errors import UsageError
from envsetup.host.interpreter_discovery import discover, discover_here, new_env_dir
from hostbuilder import HostSpec
from scripts import run_envsetup

# Variables that would make a test's result depend on the shell it runs from.
ACTIVE = ("VIRTUAL_ENV", "CONDA_PREFIX", "CONDA_DEFAULT_ENV")


def real_venv(path: Path) -> str:
    venv.EnvBuilder(with_pip=False).create(path)
    return str(path / "bin" / "python")


def clean_environ(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ACTIVE}
    return {**env, **extra}


def live(requested: Optional[str], environ: dict[str, str], cwd: Path) -> tuple[str, str]:
    """discover() on the real file system from `cwd`; (interpreter, rule)."""
    found, choice = discover(
        requested, environ, str(cwd), os.path.exists, lambda n: None, False, "/running/python"
    )
    return found, choice.rule


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real project directory with a real .venv, and a subdirectory to work from."""
    root = tmp_path_factory.mktemp("project")
    real_venv(root / ".venv")
    (root / "src" / "pkg").mkdir(parents=True)
    return root


def test_a_venv_in_a_parent_of_the_working_directory_is_found(project: Path) -> None:
    found, rule = live(None, {}, project / "src" / "pkg")
    assert (found, rule) == (str(project / ".venv" / "bin" / "python"), "dot-venv")
    assert live(None, {}, project)[1] == "dot-venv"


def test_an_active_venv_then_conda_win_over_the_working_directory(
    project: Path, tmp_path: Path
) -> None:
    v, c = str(tmp_path / "v"), str(tmp_path / "c")
    real_venv(Path(v))
    real_venv(Path(c))  # a conda prefix has bin/python too
    both = {"VIRTUAL_ENV": v, "CONDA_PREFIX": c, "CONDA_DEFAULT_ENV": "torch"}
    assert live(None, both, project) == (f"{v}/bin/python", "virtual-env")
    conda = {"CONDA_PREFIX": c, "CONDA_DEFAULT_ENV": "torch"}
    assert live(None, conda, project) == (f"{c}/bin/python", "conda-env")


def test_an_activated_environment_that_is_gone_is_set_aside(project: Path, tmp_path: Path) -> None:
    # Activated, then deleted: uv goes on to the next rule, and so does envsetup, saying so.
    gone = {
        "VIRTUAL_ENV": str(tmp_path / "deleted"),
        "CONDA_PREFIX": "/gone",
        "CONDA_DEFAULT_ENV": "x",
    }
    found, choice = discover(
        None, gone, str(project), os.path.exists, lambda n: None, False, "/running/python"
    )
    assert (found, choice.rule) == (str(project / ".venv" / "bin" / "python"), "dot-venv")
    assert choice.set_aside == f"$VIRTUAL_ENV={tmp_path / 'deleted'}"
    out = subprocess.run(
        [sys.executable, "-m", "envsetup", "doctor"],
        cwd=tmp_path,
        env=clean_environ(VIRTUAL_ENV="/nope", COLUMNS="200"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "$VIRTUAL_ENV=/nope set aside: it holds no Python" in " ".join(out.stdout.split())
    assert "/nope/bin/python" not in out.stdout


def test_conda_base_comes_after_a_dot_venv_and_before_path(project: Path, tmp_path: Path) -> None:
    """uv treats conda's base as a system Python (astral-sh/uv#7137, #15682)."""
    base = {"CONDA_PREFIX": "/opt/conda", "CONDA_DEFAULT_ENV": "base"}
    assert live(None, base, project)[1] == "dot-venv"
    assert live(None, base, tmp_path) == ("/opt/conda/bin/python", "conda-base")


def test_a_dot_venv_without_pyvenv_cfg_is_not_a_venv(tmp_path: Path) -> None:
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    found, choice = discover(
        None, {}, str(tmp_path), os.path.exists, lambda n: f"/usr/bin/{n}", False, "/r"
    )
    assert (found, choice.rule) == ("/usr/bin/python3", "path")
    assert live(None, {}, tmp_path) == ("/running/python", "running")


def test_python_names_an_interpreter_or_an_environment_directory(
    project: Path, tmp_path: Path
) -> None:
    venv_python = str(project / ".venv" / "bin" / "python")
    assert live(str(project / ".venv"), {}, tmp_path) == (venv_python, "requested-env")
    assert live(venv_python, {}, tmp_path) == (venv_python, "requested")
    # A conda prefix: bin/python beside conda-meta/, no pyvenv.cfg.
    prefix = tmp_path / "envs" / "torch"
    (prefix / "conda-meta").mkdir(parents=True)
    (prefix / "bin").mkdir()
    os.symlink(sys.executable, prefix / "bin" / "python")
    assert live(str(prefix), {}, tmp_path) == (str(prefix / "bin" / "python"), "requested-env")
    with pytest.raises(UsageError, match=r"--python .*: a directory with no Python in it"):
        live(str(tmp_path / "envs"), {}, tmp_path)


def test_windows_layouts_of_a_venv_and_a_conda_prefix() -> None:
    """venv: Scripts\\python.exe; conda: python.exe at the prefix (as recorded hosts spell them)."""
    present = {r"C:\v\Scripts\python.exe", r"C:\c\python.exe", r"C:\w\.venv\pyvenv.cfg"}
    seen = present.__contains__
    assert (
        discover(r"C:\v", {}, "", seen, lambda n: None, True, "x")[0] == r"C:\v\Scripts\python.exe"
    )
    assert discover(r"C:\c", {}, "", seen, lambda n: None, True, "x")[0] == r"C:\c\python.exe"
    _, choice = discover(None, {}, r"C:\w\sub", seen, lambda n: None, True, "x")
    assert choice.rule == "dot-venv" and choice.env_dir == r"C:\w\.venv"


def test_the_new_environment_directory_is_one_install_accepts(tmp_path: Path) -> None:
    assert new_env_dir(str(tmp_path), os.path.exists, False) == "./.venv"
    (tmp_path / ".venv").mkdir()
    assert new_env_dir(str(tmp_path), os.path.exists, False) == "./.venv-torch"
    assert new_env_dir("", os.path.exists, False) == ""


def test_verify_takes_the_same_rule(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project / "src")
    assert discover_here(None, {"PATH": ""})[1].rule == "dot-venv"


# ----------------------------------------------------------------------------- through the CLI


def doctor_in(
    cwd: Path, *args: str, env: Optional[dict[str, str]] = None
) -> subprocess.CompletedProcess[str]:
    src = str(Path(__file__).resolve().parents[2] / "src")
    environ = clean_environ(PYTHONPATH=src, COLUMNS="100", **(env or {}))
    return subprocess.run(
        [sys.executable, "-m", "envsetup", "doctor", *args],
        cwd=cwd, env=environ, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_doctor_inspects_the_dot_venv_found_from_the_working_directory(project: Path) -> None:
    out = doctor_in(project / "src" / "pkg", "--json")
    python = json.loads(out.stdout)["data"]["facts"]["python"]
    assert python["executable"] == str(project / ".venv" / "bin" / "python")
    assert python["chosen_by"]["rule"] == "dot-venv"
    assert python["chosen_by"]["env_dir"] == str(project / ".venv")
    assert python["chosen_by"]["envsetup_environment"] is False
    human = doctor_in(project / "src" / "pkg").stdout
    first = " ".join(" ".join(human.splitlines()[:6]).split())
    assert f"the .venv in {project}, found from the working directory" in first
    # Its fix installs torch into that venv, a command install accepts there.
    fixes = [
        f["fix"] for f in json.loads(out.stdout)["findings"] if f["id"] == "torch-not-installed"
    ]
    assert fixes and f"envsetup install --env {project}/.venv --cuda auto --upgrade" in fixes[0]
    accepted = subprocess.run(
        [sys.executable, "-m", "envsetup", "install", "--dry-run", "--env", str(project / ".venv"),
         "--cuda", "auto", "--upgrade"],
        env=clean_environ(), capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert accepted.returncode == 0, accepted.stderr


def test_doctor_python_dir_and_bad_python(project: Path, tmp_path: Path) -> None:
    out = doctor_in(tmp_path, "--json", "--python", str(project / ".venv"))
    python = json.loads(out.stdout)["data"]["facts"]["python"]
    assert python["executable"] == str(project / ".venv" / "bin" / "python")
    assert python["chosen_by"]["rule"] == "requested-env"
    nope = doctor_in(tmp_path, "--python", "/nope")
    assert nope.returncode == 2 and "--python /nope: no such interpreter" in nope.stderr
    directory = doctor_in(tmp_path, "--python", str(tmp_path))
    assert directory.returncode == 2
    assert (
        directory.stderr.count("\n") == 1 and "a directory with no Python in it" in directory.stderr
    )


# ------------------------------------------------------------------ envsetup's own environment


def own_environment_host(tmp_path: Path, taken: tuple[str, ...]) -> str:
    """A recorded host (built by hand, as said) where doctor ran from /work/x with
    /work/x/.venv/bin/envsetup: the .venv it finds is the one envsetup runs from, torch absent;
    `taken` names what already stands in /work/x."""
    spec = HostSpec(
        python="/work/x/.venv/bin/python",
        prefix="/work/x/.venv",
        site_packages=["/work/x/.venv/lib/python3.12/site-packages"],
    )
    spec.files["/work/x/.venv/pyvenv.cfg"] = "home = /usr/bin\n"
    spec.dirs += [f"/work/x/{name}" for name in taken]
    directory = spec.write(tmp_path / "host")
    manifest = json.loads((tmp_path / "host" / "host.json").read_text())
    manifest["platform"]["working_directory"] = "/work/x"
    manifest["platform"]["python"] = {
        "executable": "/work/x/.venv/bin/python",
        "version": "3.12.3",
        "implementation": "CPython",
        "prefix": "/work/x/.venv",
        "base_prefix": "/usr",
        "stdlib": "/usr/lib/python3.12",
        "site_packages": ["/work/x/.venv/lib/python3.12/site-packages"],
        "bits": 64,
    }
    (tmp_path / "host" / "host.json").write_text(json.dumps(manifest))
    return directory


@pytest.mark.parametrize(
    ("taken", "new_env"),
    [((".venv",), "./.venv-torch"), ((".venv", ".venv-torch"), "./.venv-torch-2")],
)
def test_the_fix_never_installs_into_envsetups_own_environment(
    tmp_path: Path, taken: tuple[str, ...], new_env: str
) -> None:
    host = own_environment_host(tmp_path, taken)
    out = run_envsetup("doctor", "--json", "--replay", host)
    document = json.loads(out.stdout)
    chosen = document["data"]["facts"]["python"]["chosen_by"]
    assert chosen["rule"] == "dot-venv" and chosen["envsetup_environment"] is True
    (finding,) = [f for f in document["findings"] if f["id"] == "torch-not-installed"]
    assert finding["params"]["install"] == f"envsetup install --env {new_env} --cuda auto"
    assert "envsetup itself runs from this environment" in finding["fix"]
    assert "./.venv." not in finding["fix"]  # not the old "installs it in ./.venv"
    human = run_envsetup("doctor", "--replay", host, env={"COLUMNS": "100"}).stdout
    assert "envsetup itself runs from this environment" in " ".join(human.split())
    # The exact command, on that host, is accepted by install.
    words = finding["params"]["install"].split()[1:]
    accepted = run_envsetup(*words, "--dry-run", "--replay", host)
    assert accepted.returncode == 0, accepted.stderr


def test_install_refuses_its_own_environment_and_names_a_free_one(tmp_path: Path) -> None:
    """install's default ./.venv being the environment envsetup runs from (the README's first
    command, then `envsetup install`): refused with a target it accepts, not "already exists"."""
    from envsetup.install.target import ENVSETUP_OWN, classify_target, decide

    own = Path(sys.prefix)
    kind = classify_target(own)
    assert kind == ENVSETUP_OWN
    with pytest.raises(UsageError, match=r"runs from; .*`--env \./\.venv"):
        decide(own, kind, force=False, upgrade=False)
    with pytest.raises(UsageError, match="runs from"):
        decide(own, kind, force=True, upgrade=False)
    assert decide(own, kind, force=False, upgrade=True).mode == "upgrade"
