"""CUDA_HOME set to something that is no toolkit root: torch.utils.cpp_extension (and build
scripts) run CUDA_HOME + '/bin/nvcc' as it is, and every CUDA extension build fails.

The case (tests/fixtures/cases/24-cuda-home-colon-list-apex, from NVIDIA/apex #368): CUDA_HOME
':/usr/local/cuda:/usr/local/cuda-10.1' from `export CUDA_HOME=$CUDA_HOME:/usr/local/cuda`
lines. Beside it, the kind on other machines built with tests/hostbuilder.py: the Orin NX
~/.bashrc's ':/usr/local/cuda' (attack12c host 02: `CUDA_HOME=$CUDA_HOME:/usr/local/cuda` in an
Amov Allspark2 setup note), a CUDA_HOME ending in /bin (lbin/DCNv2 #25's "export
CUDA_HOME=/usr/local/cuda-11.0/bin ... errors"), one with quotes in it (MVIG-SJTU/AlphaPose
#765's "'/usr/local/cuda'/bin/nvcc") and one naming a toolkit that is not installed (DCNv2 #25's
/usr/local/cuda-11.0 beside an installed 11.4); nvcc outputs from tests/fixtures/nvcc.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pytest

from envsetup.diagnose import diagnose
from envsetup.diagnose.finding import Finding
from envsetup.host.recorded import RecordedHost
from envsetup.probe import probe_all
from envsetup.profiles.lookup import lookup_build
from envsetup.render.finding_words import words_for
from hostbuilder import FIXTURES, HostSpec, fixture_text

CASE = FIXTURES / "cases" / "24-cuda-home-colon-list-apex" / "host"
ID = "extension-cuda-home-unusable"


def finding(directory: str) -> Optional[Finding]:
    facts = probe_all(RecordedHost(directory))
    return next((f for f in diagnose(facts, lookup_build) if f.id == ID), None)


def test_case_24_names_cuda_home_and_one_directory() -> None:
    found = finding(str(CASE))
    assert found is not None and found.severity == "warning"
    assert found.params["problem"] == "list"
    assert found.params["suggest"] == "/usr/local/cuda-10.1"  # the part that is a toolkit
    words = words_for(found)
    assert "CUDA_HOME" in words.title and ":/usr/local/cuda:/usr/local/cuda-10.1" in words.title
    assert "export CUDA_HOME=/usr/local/cuda-10.1 " in words.fix


def host(tmp_path: Path, cuda_home: Optional[str], toolkit: str = "/usr/local/cuda-11.4") -> str:
    """A Linux host with one CUDA toolkit at `toolkit` (nvcc 11.0.221's output; its bin on PATH)
    and CUDA_HOME set to `cuda_home` (unset: None)."""
    nvcc = f"{toolkit}/bin/nvcc"
    environ = {"PATH": f"{toolkit}/bin:/usr/bin"}
    if cuda_home is not None:
        environ["CUDA_HOME"] = cuda_home
    spec = HostSpec(environ=environ, which={"nvcc": nvcc})
    spec.markers.append(nvcc)
    spec.command([nvcc, "--version"], fixture_text("nvcc/nvcc-11.0.221.txt"))
    return spec.write(tmp_path / "host")


@pytest.mark.parametrize(
    "cuda_home, problem, suggest",
    [
        (":/usr/local/cuda-11.4", "list", "/usr/local/cuda-11.4"),  # the Orin NX ~/.bashrc form
        ("/usr/local/cuda-11.4/bin", "bin", "/usr/local/cuda-11.4"),
        ("'/usr/local/cuda-11.4'", "quoted", "/usr/local/cuda-11.4"),
        ("/usr/local/cuda-11.0", "no-nvcc", "/usr/local/cuda-11.4"),  # not installed there
    ],
)
def test_a_cuda_home_that_is_no_toolkit_root(
    tmp_path: Path, cuda_home: str, problem: str, suggest: str
) -> None:
    found = finding(host(tmp_path, cuda_home))
    assert found is not None, cuda_home
    assert (found.params["problem"], found.params["suggest"]) == (problem, suggest)
    assert f"export CUDA_HOME={suggest} " in words_for(found).fix


@pytest.mark.parametrize("cuda_home", [None, "/usr/local/cuda-11.4", "/usr/local/cuda-11.4/"])
def test_a_right_or_unset_cuda_home_is_no_finding(tmp_path: Path, cuda_home: Optional[str]) -> None:
    assert finding(host(tmp_path, cuda_home)) is None
