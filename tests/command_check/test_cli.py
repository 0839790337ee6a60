"""check-command through the real CLI on recorded hosts: a command with an error or a warning
exits 1, and its *Instead*, pasted back, exits 0 (issue 9)."""

from __future__ import annotations

import json

import pytest

from hostbuilder import FIXTURES, case_host
from scripts import run_envsetup

WINDOWS_RTX4080 = str(case_host("04-windows-pypi-cpu-wheel-rtx4080"))
NO_GPU = str(FIXTURES / "hosts" / "ci-debian12-cuda13-no-driver")


def check(command: str, host: str, *flags: str) -> tuple[int, str]:
    done = run_envsetup("check-command", command, "--replay", host, *flags)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout


@pytest.mark.parametrize(
    ("host", "case_command", "finding"),
    [
        # pytorch/pytorch #122924: PyPI's CPU wheel on a Windows laptop with an RTX 4080.
        (WINDOWS_RTX4080, "case-04-windows-pypi-cpu-wheel-rtx4080.txt", "cpu-build-on-nvidia-gpu"),
        # A bare `pip install torch` (a real tutorial's Linux line) on a machine without a GPU.
        (NO_GPU, "tutorial-pip3-linux-bare.txt", "cuda-build-without-nvidia"),
    ],
)
def test_a_warning_exits_1_and_instead_pasted_back_exits_0(
    host: str, case_command: str, finding: str
) -> None:
    command = (FIXTURES / "commands" / case_command).read_text(encoding="utf-8").strip()
    code, out = check(command, host, "--json")
    document = json.loads(out)
    assert code == 1 and document["exit_code"] == 1 and document["outcome"] == "problems"
    findings = {f["id"]: f for f in document["findings"]}
    assert findings[finding]["severity"] == "warning"
    assert not [f for f in findings.values() if f["severity"] == "error"]  # a warning alone
    instead = document["data"]["suggested_command"]
    # A GPU machine gets a CUDA build, a machine without one the CPU build: never the other way.
    assert instead and ("whl/cpu" in instead) == (host == NO_GPU)
    code, text = check(instead, host)
    assert code == 0, text
    assert "Findings:" in text and "warning" not in text and "error" not in text


def test_the_text_report_names_finding_ids_and_instead() -> None:
    command = (FIXTURES / "commands" / "case-04-windows-pypi-cpu-wheel-rtx4080.txt").read_text()
    code, text = check(command.strip(), WINDOWS_RTX4080)
    assert code == 1
    assert "[cpu-build-on-nvidia-gpu]" in text
    instead = next(line for line in text.splitlines() if line.startswith("Instead: "))
    assert "--index-url https://download.pytorch.org/whl/cu12" in instead


def test_a_clean_command_is_not_told_to_use_another() -> None:
    # The RX 6700 XT box (case 10) with a pinned ROCm 6.2 wheel: no error or warning, so the
    # resolved command is shown as what envsetup install would pick, not as "Instead".
    host = str(case_host("10-rocm-rx6700xt-gfx1031"))
    command = "pip install torch==2.5.1 --index-url https://download.pytorch.org/whl/rocm6.2"
    code, out = check(command, host, "--json")
    document = json.loads(out)
    assert code == 0 and document["outcome"] == "ok"
    assert not [f for f in document["findings"] if f["severity"] in ("error", "warning")]
    suggested = document["data"]["suggested_command"]
    assert suggested and suggested != command  # JSON keeps the resolved command
    code, text = check(command, host)
    assert code == 0
    assert not [line for line in text.splitlines() if line.startswith("Instead")]
    assert f"envsetup install would pick: {suggested}\n" in text
