"""`envsetup install --dry-run` and `envsetup check-command` through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from envsetup.facts import Facts
from envsetup.profiles.loader import PROFILES_ENV, Release, profiles_dir
from envsetup.render.install_text import refusal_line
from envsetup.resolve.quick import resolve_quickly
from envsetup.resolve.request import parse_request
from envsetup.resolve.resolution import ResolutionRefused
from envsetup.resolve.resolver import resolve
from hostbuilder import case_host

from .machines import make_facts

RTX_3090 = ("NVIDIA GeForce RTX 3090", "8.6")


def _facts_file(tmp_path: Path, facts: Facts) -> str:
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts.to_dict()), encoding="utf-8")
    return str(path)


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "envsetup", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture()
def gpu_box(tmp_path: Path) -> str:
    return _facts_file(
        tmp_path, make_facts(driver="535.104.05", driver_cuda="12.2", gpus=[RTX_3090])
    )


def test_dry_run_json_emits_the_plan(gpu_box: str) -> None:
    out = _run("install", "--torch", "2.0", "--dry-run", "--json", "--facts", gpu_box)
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert (document["command"], document["outcome"], document["exit_code"]) == (
        "install",
        "planned",
        0,
    )
    resolution = document["data"]["resolution"]
    assert resolution["variant"] == "cu118"
    assert resolution["index_url"] == "https://download.pytorch.org/whl/cu118"
    assert resolution["pins"][0] == {"name": "torch", "version": "2.0.1+cu118"}
    covered = [v for v in resolution["verdicts"] if v["code"] == "arch-covered"]
    assert [(v["sm"], v["build"]) for v in covered] == [("sm_86", "cu118")]
    assert resolution["explanation"]  # the same, in words, for people


def test_dry_run_text_explains_and_installs_nothing(gpu_box: str, tmp_path: Path) -> None:
    target = tmp_path / "env"
    out = _run("install", "--torch", "2.1", "--env", str(target), "--dry-run", "--facts", gpu_box)
    assert out.returncode == 0, out.stderr
    # rich wraps prose at the terminal's width: compare with the line breaks taken out.
    text = " ".join(out.stdout.split())
    assert "Plan: torch 2.1.2+cu121 (cu121) for Python 3.11 with pip" in text
    assert "driver 535.104.05 supports CUDA ≤ 12.2: enough for cu121" in text
    # The steps install would run, each command whole on its line (a paste runs it).
    commands = [
        line.strip()[2:] for line in out.stdout.splitlines() if line.strip().startswith("$ ")
    ]
    assert len(commands) == 3, out.stdout
    assert commands[0].endswith(f"-m venv {target.resolve()}")
    assert "--dry-run" in commands[1] and "torch==2.1.2+cu121" in commands[1]
    assert "--index-url https://download.pytorch.org/whl/cu121" in commands[2]
    assert "torch==2.1.2+cu121" in commands[2]
    assert "dry run: nothing was installed" in text
    assert not target.exists()


def test_refusal_is_one_line_with_alternatives_and_exit_2(gpu_box: str) -> None:
    out = _run("install", "--torch", "2.0", "--cuda", "12.1", "--dry-run", "--facts", gpu_box)
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    assert "torch 2.0 has no CUDA 12.1 build" in out.stderr
    assert "instead try: --cuda 11.8" in out.stderr


def test_refusal_as_json(gpu_box: str) -> None:
    out = _run("install", "--torch", "2.6", "--manager", "conda", "--dry-run", "--json", "--facts", gpu_box)  # fmt: skip
    assert out.returncode == 2
    document = json.loads(out.stdout)
    assert document["outcome"] == "refused"
    refusal = document["data"]["refusal"]
    assert refusal["codes"] == ["no-conda-package"]
    assert "--manager uv" in refusal["alternatives"]
    # The same error object and stderr line as every command that stops short.
    assert document["error"] == {"kind": "usage", "message": refusal["reason"]}
    assert out.stderr.startswith("envsetup: ") and "no conda package" in out.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        # --cuda 11 is a CUDA major (the newest 11.x); a version with words in it is no version.
        (["--cuda", "11.x"], "--cuda 11.x: not a CUDA version"),
        (["--torch", "2.0.1+cu118"], "--torch 2.0.1+cu118: not a release or version"),
        (["--manager", "poetry"], "--manager poetry: unknown manager"),
        (["--name", "x"], "--name x: only conda environments have names"),
        (["--force", "--upgrade"], "--force and --upgrade both given"),
        (["--env", ""], "--env '': an empty path"),
        (["--env", "  "], "--env '': an empty path"),
        (["--manager", "conda", "--name", ""], "--name '': an empty name"),
    ],
)
def test_bad_flags_are_one_line_usage_errors(gpu_box: str, args: list[str], needle: str) -> None:
    out = _run("install", "--dry-run", "--facts", gpu_box, *args)
    assert out.returncode == 2
    assert needle in out.stderr and "fix:" in out.stderr
    assert "Traceback" not in out.stderr


def test_bad_facts_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = _run("install", "--dry-run", "--facts", str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"os": {}}', encoding="utf-8")
    out = _run("install", "--dry-run", "--facts", str(broken))
    assert out.returncode == 2 and "not a Facts object" in out.stderr


def test_malformed_profile_stops_the_cli_with_file_and_key(gpu_box: str, tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    text = (profiles_dir() / "torch-2.0.toml").read_text(encoding="utf-8")
    (profiles / "torch-2.0.toml").write_text(text.replace('cuda = "11.8"', 'cuda = "eleven"'), encoding="utf-8")  # fmt: skip
    out = _run("install", "--dry-run", "--facts", gpu_box, env={PROFILES_ENV: str(profiles)})
    assert out.returncode == 2
    assert "torch-2.0.toml: key 'variants.cu118.cuda'" in out.stderr
    assert "Traceback" not in out.stderr


def test_check_command_cli_reports_and_exits_1_on_errors(gpu_box: str) -> None:
    command = "conda install pytorch torchvision torchaudio cudatoolkit=11.1 -c pytorch"
    out = _run("check-command", command, "--facts", gpu_box)
    assert out.returncode == 1
    assert "no PyTorch 2.x conda package depends on cudatoolkit" in " ".join(out.stdout.split())
    assert "Instead: conda install pytorch==2.5.1" in out.stdout
    ok = _run("check-command", "--json", "--facts", gpu_box, "pip install torch==2.1.2 torchvision==0.16.2 --index-url https://download.pytorch.org/whl/cu121")  # fmt: skip
    assert ok.returncode == 0, ok.stdout
    assert json.loads(ok.stdout)["outcome"] == "ok"


def test_check_command_cli_rejects_non_install_text(gpu_box: str) -> None:
    out = _run("check-command", "ls -la", "--facts", gpu_box)
    assert out.returncode == 2 and "no pip, uv pip, uv add or conda install of torch" in out.stderr


def test_facts_round_trip_through_json(tmp_path: Path) -> None:
    facts = make_facts(driver="535.104.05", gpus=[RTX_3090], rocm="6.2.1")
    rebuilt = Facts.from_dict(json.loads(json.dumps(facts.to_dict())))
    assert rebuilt == facts
    # doctor's --json envelope is accepted too.
    wrapped = tmp_path / "doctor.json"
    wrapped.write_text(json.dumps({"facts": facts.to_dict()}), encoding="utf-8")
    out = _run("install", "--dry-run", "--json", "--torch", "2.4", "--facts", str(wrapped))
    assert json.loads(out.stdout)["data"]["resolution"]["variant"] == "cu121"


def test_commands_are_registered() -> None:
    out = _run("--help")
    assert out.returncode == 0
    assert "install" in out.stdout and "check-command" in out.stdout


@pytest.mark.parametrize(
    ("request_flags", "machine"),
    [
        ({"torch": "2.0"}, {"driver": "535.104.05", "gpus": [RTX_3090]}),
        ({}, {"driver": "535.104.05", "gpus": [RTX_3090]}),
        ({}, {"python": "3.8.18"}),  # the newest release does not fit: falls back to all profiles
        ({"manager": "conda"}, {"driver": "535.104.05", "gpus": [RTX_3090]}),
        ({"torch": "2.0"}, {"driver": "570.86.10", "gpus": [("NVIDIA GeForce RTX 5090", "12.0")]}),
    ],
)
def test_resolve_quickly_gives_what_the_full_resolution_gives(
    releases: list[Release], request_flags: dict[str, str], machine: dict[str, object]
) -> None:
    request = parse_request(**request_flags)
    facts = make_facts(**machine)  # type: ignore[arg-type]
    try:
        expected: object = resolve(request, facts, releases)
    except ResolutionRefused as refusal:
        expected = (refusal.codes, refusal.params, refusal.alternatives, refusal_line(refusal))
    try:
        got: object = resolve_quickly(request, facts)
    except ResolutionRefused as refusal:
        got = (refusal.codes, refusal.params, refusal.alternatives, refusal_line(refusal))
    assert got == expected


def test_bad_flag_with_json_is_a_json_error(gpu_box: str) -> None:
    out = _run("install", "--dry-run", "--json", "--cuda", "eleven", "--facts", gpu_box)
    assert out.returncode == 2
    document = json.loads(out.stdout)
    assert document["outcome"] == "error"
    assert "--cuda eleven: not a CUDA version" in document["error"]["message"]


@pytest.mark.parametrize("source", ["--facts", "--replay"])
def test_another_machines_plan_is_never_provisioned_here(
    gpu_box: str, tmp_path: Path, source: str
) -> None:
    """--replay / --facts resolve for another machine: without --dry-run install refuses
    (before, it ran that machine's plan here: a venv made and pip run on this machine)."""
    where = gpu_box if source == "--facts" else str(case_host("07-fabricmanager-802-h100"))
    target = tmp_path / "env"
    out = _run("install", source, where, "--env", str(target), "--json")
    assert out.returncode == 2, out.stderr
    document = json.loads(out.stdout)
    assert (document["outcome"], document["error"]["kind"]) == ("error", "usage")
    assert out.stderr.startswith(f"envsetup: {source} plans for another machine")
    assert "fix: add --dry-run" in out.stderr and out.stderr.count("\n") == 1
    assert not target.exists()


@pytest.mark.parametrize(
    ("host", "cuda", "warned"),
    [
        # AMD only, no NVIDIA driver: a CUDA build asked for installs, but cannot use a GPU.
        ("10-rocm-rx6700xt-gfx1031", "12.6", True),
        # An H100 with its driver: the build auto picks is nothing to warn about.
        ("07-fabricmanager-802-h100", "auto", False),
    ],
)
def test_a_warning_verdict_on_the_chosen_build_is_a_finding(
    host: str, cuda: str, warned: bool, tmp_path: Path
) -> None:
    out = _run(
        "install", "--dry-run", "--json", "--replay", str(case_host(host)),
        "--cuda", cuda, "--env", str(tmp_path / "env"),
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    warnings = {f["id"] for f in document["findings"] if f["severity"] == "warning"}
    codes = {v["code"] for v in document["data"]["resolution"]["verdicts"]}
    assert ("cuda-build-without-nvidia" in warnings) is warned
    assert ("cuda-build-without-nvidia" in codes) is warned


def test_a_build_no_release_has_is_refused_as_such_and_its_alternatives_work(
    tmp_path: Path,
) -> None:
    # No release publishes cu123: the refusal says so (not the newest release's Python range),
    # and each alternative it offers, tried on the same host, resolves.
    host = str(case_host("07-fabricmanager-802-h100"))
    env = str(tmp_path / "env")
    out = _run("install", "--dry-run", "--json", "--replay", host, "--cuda", "12.3", "--env", env)
    assert out.returncode == 2, out.stderr
    refusal = json.loads(out.stdout)["data"]["refusal"]
    assert refusal["codes"] == ["no-such-build"]
    assert refusal["alternatives"][-1] == "--cuda auto" and len(refusal["alternatives"]) > 1
    for alternative in refusal["alternatives"]:
        flag, value = alternative.split()
        tried = _run("install", "--dry-run", "--json", "--replay", host, flag, value, "--env", env)
        assert tried.returncode == 0, (alternative, tried.stderr)


def test_facts_of_a_newer_schema_are_refused(tmp_path: Path) -> None:
    # A Facts document from a newer envsetup may mean something else by the same keys.
    data = make_facts(driver="535.104.05", driver_cuda="12.2", gpus=[RTX_3090]).to_dict()
    data["schema_version"] = 99
    path = tmp_path / "newer.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    out = _run("install", "--dry-run", "--facts", str(path))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "schema_version 99" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(
    ("host", "cuda", "finding"),
    [
        # dstack #2348's 8× H100 box asked for the CPU build.
        ("07-fabricmanager-802-h100", "cpu", "cpu-build-on-nvidia-gpu"),
        # CI without a driver asked for a CUDA build.
        ("ci-debian12-cuda13-no-driver", "12.8", "cuda-build-without-nvidia"),
        # The H100 box (no ROCm) asked for a ROCm build.
        ("07-fabricmanager-802-h100", "rocm6.3", "rocm-build-without-rocm"),
    ],
)
def test_install_warnings_carry_a_fix_and_are_marked_in_text(
    host: str, cuda: str, finding: str, tmp_path: Path
) -> None:
    args = ["install", "--dry-run", "--replay", str(case_host(host))]
    args += ["--cuda", cuda, "--env", str(tmp_path / "env")]
    out = _run(*args, "--json")
    assert out.returncode == 0, out.stderr
    found = {f["id"]: f for f in json.loads(out.stdout)["findings"]}
    assert found[finding]["severity"] == "warning"
    # The fix keeps the target the user named (a fix that drops it installs somewhere else).
    assert f"envsetup install --env {tmp_path / 'env'} --cuda auto" in found[finding]["fix"]
    text = _run(*args, env={"COLUMNS": "200"}).stdout
    marked = [line for line in text.splitlines() if f"[{finding}]" in line]
    assert marked and marked[0].lstrip().startswith("!")  # a warning mark, not a reason bullet
    assert f"fix: {found[finding]['fix']}" in text
    assert not [line for line in text.splitlines() if line.lstrip().startswith("·") and found[finding]["title"] in line]  # fmt: skip


def test_a_mirror_is_the_index_the_reasons_name(tmp_path: Path) -> None:
    # --index-url-base: the reasons name the index the steps use, not the official one.
    mirror = tmp_path / "mirror"
    args = ["install", "--dry-run", "--replay", str(case_host("07-fabricmanager-802-h100"))]  # fmt: skip
    args += ["--env", str(tmp_path / "env")]
    # The local mirror holds the directory of the build the plan picks (checked since issue 12).
    official = json.loads(_run(*args, "--json").stdout)["data"]["resolution"]["variant"]
    (mirror / official).mkdir(parents=True)
    args += ["--index-url-base", str(mirror)]
    out = _run(*args, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)["data"]
    used = data["plan"]["index_url"]
    assert used == f"{mirror.as_uri()}/{data['resolution']['variant']}"
    codes = [r["code"] for r in data["resolution"]["reasons"]]
    assert used in data["resolution"]["explanation"][codes.index("index")]
    text = _run(*args, env={"COLUMNS": "300"}).stdout
    reasons = [line for line in text.splitlines() if line.lstrip().startswith("· from ")]
    assert reasons and all(line.lstrip().startswith(f"· from {used}") for line in reasons)


def test_a_dry_run_that_would_stop_fails_as_the_install_would(tmp_path: Path) -> None:
    """A real existing venv as the target, no --upgrade: the install would stop ("already
    exists"), so its dry run exits 1 (outcome problems, an error finding), in JSON and in text."""
    import venv

    target = tmp_path / "env"
    venv.EnvBuilder(with_pip=False).create(target)
    args = ("install", "--torch", "2.0", "--cuda", "cpu", "--env", str(target), "--dry-run")
    out = _run(*args, "--json")
    assert out.returncode == 1, out.stderr
    document = json.loads(out.stdout)
    assert (document["outcome"], document["exit_code"], document["error"]) == ("problems", 1, None)
    stops = [f for f in document["findings"] if f["id"] == "install-would-stop"]
    assert [f["severity"] for f in stops] == ["error"] and "already exists" in stops[0]["title"]
    assert document["data"]["plan"]["steps"]  # the plan is still shown
    text = _run(*args)
    assert text.returncode == 1 and "install would stop here" in text.stdout
    # The same flags with --upgrade would not stop: exit 0, outcome planned.
    upgrade = _run(*args, "--upgrade", "--json")
    assert upgrade.returncode == 0 and json.loads(upgrade.stdout)["outcome"] == "planned"
