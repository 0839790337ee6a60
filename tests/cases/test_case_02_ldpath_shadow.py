"""Case 02 (infiniflow/ragflow#4466; tests/fixtures/cases/02-ldpath-nvjitlink-cuda121/PROVENANCE.md):
LD_LIBRARY_PATH's /usr/local/cuda-12.1/lib64 shadows torch 2.5.1's nvJitLink 12.4 with 12.1.
Its README: say so from the host alone (doctor), and name the library from the pasted error
(explain). The kind on other machines: tests/doctor/test_library_shadow.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from hostbuilder import FIXTURES

CASE = FIXTURES / "cases" / "02-ldpath-nvjitlink-cuda121"
SRC = Path(__file__).resolve().parents[2] / "src"


def envsetup(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    return subprocess.run(
        [sys.executable, "-m", "envsetup", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_doctor_names_nvjitlink_the_directory_and_both_versions_from_the_host_alone() -> None:
    run = envsetup("doctor", "--replay", str(CASE / "host"), "--json")
    document = json.loads(run.stdout)
    shadows = [f for f in document["findings"] if f["id"] == "ld-library-path-shadows-torch"]
    # cuSPARSE and the CUDA runtime in the same directory are found through torch's DT_RPATH
    # first: nvJitLink alone is shadowed.
    [finding] = shadows
    params = finding["params"]
    assert params["library"] == "nvJitLink"
    assert params["directory"] == "/usr/local/cuda-12.1/lib64"
    assert params["version"].startswith("12.1")
    assert params["wheel_version"] == "12.4.127"
    assert params["wheel_project"] == "nvidia-nvjitlink-cu12"
    assert "/usr/local/cuda-12.1/lib64" in finding["fix"]
    assert "LD_LIBRARY_PATH" in finding["fix"]
    layout = document["data"]["facts"]["cuda_layout"]
    assert {lib["soname"] for lib in layout["torch_libraries"]} == {
        "libcusparse.so.12",
        "libnvJitLink.so.12",
    }


def test_doctor_s_words_say_it_to_people() -> None:
    run = envsetup("doctor", "--replay", str(CASE / "host"))
    text = " ".join(run.stdout.split())
    assert "LD_LIBRARY_PATH shadows torch's nvJitLink" in text
    assert "12.4.127" in text and "12.1.1" in text
    # the fact behind it, in the CUDA section
    assert "Library copy libnvJitLink.so.12 12.1.1 at /usr/local/cuda-12.1/lib64" in text


def test_explain_names_the_library_from_the_pasted_error() -> None:
    run = envsetup("explain", "--json", stdin=(CASE / "paste.txt").read_text(encoding="utf-8"))
    document = json.loads(run.stdout)
    symbol = [f for f in document["findings"] if f["id"] == "cuda-library-symbol-missing"]
    assert symbol, document["findings"]
    assert "libnvJitLink.so.12" in symbol[0]["title"]
    assert "/usr/local/cuda-12.1/lib64" in symbol[0]["fix"]


def test_a_version_json_contradicting_nvcc_keeps_nvcc_for_extensions_and_the_shadow(
    tmp_path: Path,
) -> None:
    # The case's host with its version.json edited by hand to say 12.4.1 (two installs mixed in
    # one root); nvcc --version and the libraries are the case's own, still 12.1.
    host = tmp_path / "host"
    shutil.copytree(CASE / "host", host)
    version_json = host / "files/usr/local/cuda-12.1/version.json"
    version_json.write_text(version_json.read_text().replace('"12.1.1"', '"12.4.1"'))
    document = json.loads(envsetup("doctor", "--replay", str(host), "--json").stdout)
    found = {f["id"]: f for f in document["findings"]}
    assert "toolkit-nvcc-version-mismatch" in found
    assert document["data"]["facts"]["extension_build"]["nvcc_version"] == "12.1.105"
    assert found["extension-nvcc-older"]["params"]["nvcc"] == "12.1.105"
    shadow = found["ld-library-path-shadows-torch"]["params"]
    assert shadow["library"] == "nvJitLink" and not shadow["version"].startswith("12.4")
