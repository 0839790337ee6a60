"""`envsetup install --dry-run --replay DIR`: the resolver on recorded hosts built from real outputs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hostbuilder import FIXTURES, HostSpec, case_host, fixture_text


def install_json(*args: str) -> tuple[int, dict]:
    result = subprocess.run(
        [sys.executable, "-m", "envsetup", "install", "--dry-run", "--json", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, json.loads(result.stdout) if result.stdout.strip() else {
        "stderr": result.stderr
    }


def test_the_recorded_development_machine_gets_the_cpu_build() -> None:
    code, plan = install_json("--replay", str(FIXTURES / "hosts" / "ci-debian12-cuda13-no-driver"))
    assert code == 0, plan
    assert plan["data"]["resolution"]["variant"] == "cpu"


def test_two_rtx3090_on_driver_535_get_a_cuda_build_the_driver_runs(tmp_path: Path) -> None:
    spec = HostSpec(python_version="3.11.7")
    spec.which["nvidia-smi"] = "/usr/bin/nvidia-smi"
    spec.markers.append("/dev/nvidiactl")
    spec.command(["/usr/bin/nvidia-smi"], fixture_text("nvidia-smi/535.129.03-2x-rtx3090.txt"))
    spec.environ["ENVSETUP_GPU_ARCH"] = "8.6"  # the table does not print compute capability
    code, plan = install_json(
        "--replay", spec.write(tmp_path / "host"), "--torch", "2.4", "--python", "3.11"
    )
    assert code == 0, plan
    resolution = plan["data"]["resolution"]
    # 2.4 has cu118, cu121, cu124: a CUDA 12.2 driver runs cu121 natively (cu124 only through
    # minor-version compatibility, which the resolver ranks lower).
    assert resolution["variant"] == "cu121", resolution["explanation"]
    assert {p["version"] for p in resolution["pins"] if p["name"] == "torch"} == {"2.4.1+cu121"}


def test_driver_470_refuses_cu121_with_the_reason(tmp_path: Path) -> None:
    spec = HostSpec(python_version="3.11.7")
    spec.which["nvidia-smi"] = "/usr/bin/nvidia-smi"
    spec.markers.append("/dev/nvidiactl")
    header = fixture_text("torch-errors/driver-too-old-11040-rtx3050-470.86.txt", skip=7)
    spec.command(["/usr/bin/nvidia-smi"], header)
    code, plan = install_json(
        "--replay",
        spec.write(tmp_path / "host"),
        "--torch",
        "2.1",
        "--cuda",
        "12.1",
        "--python",
        "3.11",
    )
    assert code == 2
    assert "525.60.13" in json.dumps(plan)


def _argv_words(plan: dict) -> list[str]:
    return [word for step in plan["steps"] for word in step["argv"]]


def test_a_replayed_windows_host_is_planned_with_its_own_interpreter_and_path_shapes() -> None:
    # Case 04 was recorded on Windows: the venv is made by the interpreter recorded there, the
    # environment's python is Scripts\python.exe, and nothing of this machine (the interpreter
    # running the test, its working directory) is in any command.
    code, document = install_json("--replay", str(case_host("04-windows-pypi-cpu-wheel-rtx4080")))
    assert code == 0, document
    plan = document["data"]["plan"]
    recorded = "C:\\Users\\user\\anaconda3\\envs\\torch\\python.exe"
    assert plan["steps"][0]["argv"][:3] == [recorded, "-m", "venv"]
    assert plan["python"] == ".venv\\Scripts\\python.exe"
    assert all(step["argv"][0] == plan["python"] for step in plan["steps"][1:])
    assert {step["env_set"]["PIP_CONFIG_FILE"] for step in plan["steps"]} == {"nul"}  # its devnull
    words = _argv_words(plan)
    assert sys.executable not in words
    assert not any(str(Path.cwd()) in word for word in words)
    assert any("recorded Windows host" in note for note in plan["notes"]), plan["notes"]


@pytest.mark.skipif(sys.version_info[:2] == (3, 9), reason="needs a Python other than the host's")
def test_a_replayed_linux_host_is_planned_with_its_interpreter_never_this_one() -> None:
    # Case 07 recorded Python 3.9 at /opt/conda/envs/workflow/bin/python. Asked for the version
    # running this test, uv is handed no interpreter (on this machine it would be handed this
    # one); asked for 3.9, it is handed the recorded one.
    host = str(case_host("07-fabricmanager-802-h100"))
    running = f"{sys.version_info[0]}.{sys.version_info[1]}"
    code, document = install_json("--replay", host, "--manager", "uv", "--python", running)
    assert code == 0, document
    plan = document["data"]["plan"]
    assert plan["python"] == ".venv/bin/python"
    assert plan["steps"][0]["argv"][0] == "uv"
    assert sys.executable not in _argv_words(plan)
    code, document = install_json("--replay", host, "--manager", "uv", "--python", "3.9")
    assert code == 0, document
    assert "/opt/conda/envs/workflow/bin/python" in _argv_words(document["data"]["plan"])
