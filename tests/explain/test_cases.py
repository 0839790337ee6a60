"""The shared cases whose input is a paste (the team case set 02, 07 and 10, copied into
tests/fixtures/paste with their README, the diagnosis a right answer gives): each goes through
`explain --replay` of its recorded host (tests/fixtures/cases/NN/host)."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import jsonschema
import pytest

from explain.corpus import FIXTURES
from explain.test_explain_cli import SCHEMA
from hostbuilder import case_host

CASES = {
    "02-ldpath-nvjitlink-cuda121": {
        # README: LD_LIBRARY_PATH's /usr/local/cuda-12.1/lib64 shadows torch's nvJitLink 12.4
        # with 12.1 -- "from the host alone", and naming the library with the pasted error.
        "from_host": "ld-library-path-shadows-torch",
        "error_line": 5,  # ImportError: ...libcusparse.so.12: undefined symbol: __nvJitLinkAddData_12_1
        "named": "nvJitLink",
    },
    "07-fabricmanager-802-h100": {
        # README: CUDA error 802 on an NVSwitch system: the fabric manager (535.183.01) differs
        # from the driver (535.230.02); fix: nvidia-fabricmanager of exactly the driver's version.
        "from_host": None,
        "error_line": 3,  # UserWarning: CUDA initialization: ... Error 802: system not yet initialized
        "named": "535.230.02",
    },
    "10-rocm-rx6700xt-gfx1031": {
        # README: the ROCm build has no code object for gfx1031 (read from the host's rocminfo);
        # fix: HSA_OVERRIDE_GFX_VERSION=10.3.0; never a CUDA build on this AMD-only machine.
        "from_host": None,
        "error_line": 5,  # "hipErrorNoBinaryForGpu: Unable to find code object for all ..."
        "named": "gfx1031",
        "params": {"gfx": "gfx1031", "override": "10.3.0"},
        "never": ["--cuda"],
    },
}


def explained(case: str) -> tuple[dict[str, Any], int]:
    paste = FIXTURES / "paste" / f"case-{case}.paste.txt"
    out = subprocess.run(
        [sys.executable, "-m", "envsetup", "explain", str(paste), "--replay",
         str(case_host(case)), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert out.returncode in (0, 1), out.stderr
    assert "Traceback" not in out.stderr
    document = json.loads(out.stdout)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    return document, out.returncode


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_case_paste_goes_through_explain_over_its_host(case: str) -> None:
    document, code = explained(case)
    # The host's facts are kept where the paste states none.
    facts = document["data"]["facts"]
    assert facts["os"]["system"] == "Linux"
    assert facts["torch"]["version"] == {"02-ldpath-nvjitlink-cuda121": "2.5.1"}.get(
        case, facts["torch"]["version"]
    )
    assert all(v.startswith("paste:") for v in document["data"]["fact_sources"].values())
    assert code == (1 if any(f["severity"] == "error" for f in document["findings"]) else 0)


def PASTED_FINDING(finding: dict[str, Any], case: str) -> bool:
    """A finding that rests on the pasted error line and names what the README says it must."""
    cites = any(f"paste:{CASES[case]['error_line']}" in line for line in finding["evidence"])
    words = json.dumps(finding["params"]) + " ".join(finding["evidence"]) + finding["fix"]
    return cites and str(CASES[case]["named"]) in words


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_pasted_error_is_diagnosed_as_the_case_readme_says(case: str) -> None:
    document, _ = explained(case)
    assert any(PASTED_FINDING(f, case) for f in document["findings"]), document["findings"]
    expected = CASES[case]["from_host"]
    if expected:  # "from the host alone" (doctor's rule; not on main when this was written)
        assert expected in [f["id"] for f in document["findings"]]
    error_line = CASES[case]["error_line"]
    unplaced = document["data"]["unplaced"]  # [first, last] runs
    assert not any(
        first <= error_line <= last for first, last in unplaced
    )  # the classifier placed it


@pytest.mark.parametrize("case", sorted(c for c in CASES if "params" in CASES[c]))
def test_the_case_finding_carries_the_readme_fix_and_nothing_it_rules_out(case: str) -> None:
    document, _ = explained(case)
    pasted = [f for f in document["findings"] if PASTED_FINDING(f, case)]
    assert pasted, document["findings"]
    for key, value in CASES[case]["params"].items():
        assert pasted[0]["params"].get(key) == value, pasted[0]["params"]
    for finding in document["findings"]:
        for banned in CASES[case]["never"]:
            assert banned not in json.dumps(finding["params"]), finding
