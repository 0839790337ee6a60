"""With the driver simulated (ENVSETUP_CUDA_DRIVER_VERSION), doctor says the simulated value and
that it is simulated, never "no NVIDIA driver visible" and never "set ENVSETUP_CUDA_DRIVER_VERSION"
(it is set). The host is the project's real CI container (CUDA 13.0 toolkit, no GPU passed
through; fixtures/hosts/SOURCES.tsv), copied with the variable added to its recorded environment,
as `ENVSETUP_CUDA_DRIVER_VERSION=12.4 envsetup doctor` there would record it."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from hostbuilder import case_host
from scripts import run_envsetup

CI_CONTAINER = case_host("ci-debian12-cuda13-no-driver")


def with_environ(tmp_path: Path, **variables: str) -> str:
    copy = tmp_path / "host"
    shutil.copytree(CI_CONTAINER, copy)
    host = json.loads((copy / "host.json").read_text(encoding="utf-8"))
    host["environ"] = {**host["environ"], **variables}
    (copy / "host.json").write_text(json.dumps(host), encoding="utf-8")
    return str(copy)


def findings(replay: str) -> dict[str, dict]:
    out = run_envsetup("doctor", "--json", "--replay", replay)
    assert out.returncode in (0, 1), out.stderr
    return {f["id"]: f for f in json.loads(out.stdout)["findings"]}


def test_a_simulated_driver_is_named_not_reported_missing(tmp_path: Path) -> None:
    found = findings(with_environ(tmp_path, ENVSETUP_CUDA_DRIVER_VERSION="12.4"))
    toolkit = found["toolkit-without-driver"]
    assert toolkit["severity"] == "info"
    assert toolkit["params"]["simulated"] == "ENVSETUP_CUDA_DRIVER_VERSION=12.4"
    assert "no NVIDIA driver visible" not in toolkit["title"]
    assert "simulated (ENVSETUP_CUDA_DRIVER_VERSION=12.4" in toolkit["title"]
    assert not re.search(r"(?<!un)set ENVSETUP_CUDA_DRIVER_VERSION", toolkit["fix"])
    assert "unset ENVSETUP_CUDA_DRIVER_VERSION" in toolkit["fix"]
    assert "docker run --gpus all" in toolkit["fix"]  # what would run GPU code here
    newer = found["toolkit-newer-than-driver"]  # CUDA 13.0 toolkit over a simulated 12.4
    assert "(CUDA 12.4, simulated by ENVSETUP_CUDA_DRIVER_VERSION)" in newer["title"]


def test_without_a_simulated_driver_it_is_missing_as_before(tmp_path: Path) -> None:
    toolkit = findings(with_environ(tmp_path))["toolkit-without-driver"]
    assert toolkit["severity"] == "warning" and toolkit["params"]["simulated"] is None
    assert "no NVIDIA driver visible" in toolkit["title"]
    assert re.search(r"(?<!un)set ENVSETUP_CUDA_DRIVER_VERSION", toolkit["fix"])


def test_the_text_view_says_simulated(tmp_path: Path) -> None:
    replay = with_environ(tmp_path, ENVSETUP_CUDA_DRIVER_VERSION="12.4")
    out = run_envsetup("doctor", "--replay", replay, env={"COLUMNS": "100"})
    text = " ".join(out.stdout.split())
    assert "no NVIDIA driver visible" not in text
    assert "the driver is simulated (ENVSETUP_CUDA_DRIVER_VERSION=12.4" in text
