"""What a probe reads is untrusted text: JSON or a Python literal of the wrong type, nested
thousands deep, or holding an unpaired surrogate, in any file or output a probe parses as
structured data. doctor still reports, and its JSON and text can be written as UTF-8."""

from __future__ import annotations

import io
import json
from typing import Callable

import pytest
from rich.console import Console

from doctor.conftest import Doctor
from envsetup.render.doctor_json import doctor_document, to_json
from envsetup.render.doctor_text import render_doctor
from hostbuilder import HostSpec

SITE = "/home/u/.venv/lib/python3.11/site-packages"
PAYLOADS = {
    "deep": "[" * 3000 + "]" * 3000,
    "list": "[1, 2]",
    "string": '"x"',
    "surrogate": '{"state": "\\ud800", "cuda": {"version": "\\udfff"}, "error": "\\ud800",'
    ' "version": "\\ud800", "build": "\\ud800", "arch_list": ["\\ud800"]}',
    "wrong types": '{"state": ["x"], "cuda": {"version": {"a": 1}}, "error": 5, "cuda_available":'
    ' "yes", "device_count": "1", "arch_list": 7, "cudnn_version": 1e999, "duration_s": "x",'
    ' "version": [], "build": {}}',
    "huge number": '{"device_count": ' + "9" * 5000 + "}",
}


def _host() -> HostSpec:
    spec = HostSpec(
        python="/home/u/.venv/bin/python",
        prefix="/home/u/.venv",
        site_packages=[SITE],
        environ={"CONDA_PREFIX": "/opt/conda"},
    )
    spec.markers.append("/home/u/.venv/pyvenv.cfg")
    return spec


def _in_file(path: str) -> Callable[[HostSpec, str], None]:
    def put(spec: HostSpec, payload: str) -> None:
        spec.files[path] = payload

    return put


def _in_deep_output(spec: HostSpec, payload: str) -> None:
    spec.torch_wheel(SITE, "torch/version.py-2.2.1+cu121.txt")
    spec.command([spec.python, "-c", "*", "envsetup-deep"], f"ENVSETUP-DEEP {payload}\n")


def _in_introspection(spec: HostSpec, payload: str) -> None:
    # The interpreter's self-description is a Python literal: JSON's true/false are names there.
    literal = payload.replace("true", "True").replace("false", "False")
    spec.command([spec.python, "-c", "*", "envsetup-introspect"], literal + "\n")


PLACES = {
    "cuda version.json": _in_file("/usr/local/cuda-12.4/version.json"),
    "install record": _in_file("/home/u/.venv/envsetup-install.json"),
    "conda package record": _in_file("/home/u/.venv/conda-meta/pytorch-2.1.0-cuda12.1_0.json"),
    "--deep output": _in_deep_output,
    "introspection line": _in_introspection,
}


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("place", PLACES.values(), ids=PLACES.keys())
def test_structured_text_of_any_shape_gives_a_report(
    doctor: Doctor, place: Callable[[HostSpec, str], None], payload: str
) -> None:
    spec = _host()
    place(spec, payload)
    if place is _in_introspection:
        # HostSpec adds its own introspection entry after these: the first match wins.
        spec.commands.insert(0, spec.commands.pop())
    facts, findings = doctor(spec, deep=True)
    document = to_json(doctor_document(facts, findings, 0))
    json.loads(document)
    document.encode("utf-8")
    stream = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    render_doctor(Console(file=stream, width=100), facts, findings, True)
    stream.flush()
    for toolkit in facts.cuda.toolkits:
        assert toolkit.version and "{" not in toolkit.version
    assert facts.python.bits in (None, 64)
    assert facts.torch.deep.device_count in (None, 1)
