"""Pure helpers inside the worker, on real inputs where there are any."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import pytest

from envsetup.verify.worker_root.envsetup_verify_worker.loop import jsonable
from envsetup.verify.worker_root.envsetup_verify_worker.torchenv import (
    build_from_files,
    read_version_py,
)


def test_evidence_becomes_strict_json() -> None:
    evidence = {"error": float("nan"), "peak": math.inf, "shape": (2, 3), "dtype": object()}
    clean = jsonable(evidence)
    assert clean["error"] == "nan" and clean["peak"] == "inf" and clean["shape"] == [2, 3]
    assert clean["dtype"].startswith("<object")
    json.dumps(clean, allow_nan=False)


def test_version_py_of_the_installed_torch_is_read_without_importing_it() -> None:
    spec = importlib.util.find_spec("torch")
    if spec is None or spec.origin is None:
        pytest.skip("torch is not installed")
    fields = read_version_py(str(Path(spec.origin).parent / "version.py"))
    from importlib import metadata

    assert fields["__version__"] == metadata.version("torch")
    assert "cuda" in fields and "hip" in fields
    local = fields["__version__"].partition("+")[
        2
    ]  # "cpu", "cu121", "rocm6.1"; "" on PyPI's default
    builds = {"cpu": "cpu", "cu": "cuda", "rocm": "rocm"}
    expected = next((build for tag, build in builds.items() if local.startswith(tag)), None)
    if expected is None:
        pytest.skip(f"torch {fields['__version__']} carries no build tag to compare with")
    assert build_from_files(fields) == expected
    assert read_version_py(str(Path(spec.origin).parent / "no-such-file.py")) == {}
