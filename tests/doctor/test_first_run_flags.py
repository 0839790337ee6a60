"""doctor's flags on a first run: overrides said to be simulated, a bad override a usage error,
--deep on a recording without the torch check refused (real CLI, recorded and built hosts)."""

from __future__ import annotations

import json

import pytest

from hostbuilder import HostSpec, case_host
from scripts import run_envsetup as envsetup

OVERRIDES = {
    "ENVSETUP_CUDA_DRIVER_VERSION": "12.4",
    "ENVSETUP_DRIVER_VERSION": "550.54.15",
    "ENVSETUP_GPU_ARCH": "sm_86",
}


def test_overridden_values_are_marked_simulated_in_the_default_view(tmp_path) -> None:
    host = HostSpec(environ=dict(OVERRIDES)).write(tmp_path / "host")
    text = " ".join(envsetup("doctor", "--replay", host, env={"COLUMNS": "100"}).stdout.split())
    for variable in OVERRIDES:
        assert f"(simulated by {variable})" in text
    assert "550.54.15 (simulated by ENVSETUP_DRIVER_VERSION)" in text
    assert "driver supports CUDA <= 12.4 (simulated by ENVSETUP_CUDA_DRIVER_VERSION)" in text
    nvidia = json.loads(envsetup("doctor", "--json", "--replay", host).stdout)["data"]["facts"]
    assert nvidia["overrides"] == {
        "cuda_driver_version": "12.4",
        "driver_version": "550.54.15",
        "gpu_arch": "8.6",
    }
    sources = {nvidia["nvidia"][k] for k in ("driver_source", "driver_cuda_source", "gpus_source")}
    assert sources == {f"override:{v}" for v in OVERRIDES}


def test_without_overrides_nothing_is_marked_simulated(tmp_path) -> None:
    host = HostSpec().write(tmp_path / "host")
    assert "simulated" not in envsetup("doctor", "--replay", host).stdout.lower()


@pytest.mark.parametrize(
    ("variable", "value", "example"),
    [
        ("ENVSETUP_CUDA_DRIVER_VERSION", "banana", "ENVSETUP_CUDA_DRIVER_VERSION=12.4"),
        ("ENVSETUP_CUDA_DRIVER_VERSION", "12", "ENVSETUP_CUDA_DRIVER_VERSION=12.4"),
        ("ENVSETUP_DRIVER_VERSION", "five-fifty", "ENVSETUP_DRIVER_VERSION=550.54.15"),
        ("ENVSETUP_GPU_ARCH", "banana", "ENVSETUP_GPU_ARCH=sm_86,sm_90"),
    ],
)
def test_a_bad_override_is_a_usage_error_naming_it(variable: str, value: str, example: str) -> None:
    out = envsetup("doctor", env={variable: value})
    assert out.returncode == 2 and out.stdout == ""
    (line,) = out.stderr.splitlines()
    assert line.startswith(f"envsetup: {variable}={value!r} is not ") and example in line
    assert "Traceback" not in out.stderr


def test_deep_on_a_recording_without_the_torch_check_is_refused(tmp_path) -> None:
    host = HostSpec().write(tmp_path / "host")
    out = envsetup("doctor", "--deep", "--replay", host)
    assert out.returncode == 2
    (line,) = out.stderr.splitlines()
    assert "--deep cannot be used with --replay" in line and "made without --deep" in line
    document = json.loads(envsetup("doctor", "--deep", "--json", "--replay", host).stdout)
    assert document["error"]["kind"] == "usage" and "exit status None" not in json.dumps(document)
    # A recording that holds the check replays it (case 02 was recorded with its import error).
    replayed = envsetup(
        "doctor", "--deep", "--json", "--replay", str(case_host("02-ldpath-nvjitlink-cuda121"))
    )
    assert replayed.returncode in (0, 1)
    assert json.loads(replayed.stdout)["data"]["facts"]["torch"]["deep"]["ran"] is True
