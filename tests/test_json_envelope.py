"""One result envelope for every --json: the real CLI's documents, on recorded hosts and machines
described by Facts files, validated against the published schemas; the schemas are the generated
ones; the error paths print the same envelope."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from envsetup.facts import Facts
from envsetup.render.envelope import COMMANDS, error_document
from envsetup.render.schema import command_schema, schema_text
from hostbuilder import FIXTURES, HostSpec
from install.machines import make_facts
from scripts import run_envsetup as envsetup

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = {
    command: json.loads((ROOT / f"docs/schema/{command}.schema.json").read_text(encoding="utf-8"))
    for command in COMMANDS
}
ENVELOPE_KEYS = ["schema_version", "command", "tool", "exit_code", "outcome", "error", "findings", "data"]  # fmt: skip
RECORDED = FIXTURES / "hosts" / "ci-debian12-cuda13-no-driver"
# check-command's finding ids and verdict codes, each with its severity (docs/check-command.md).
CHECK_COMMAND_CATALOGUE = (ROOT / "docs" / "check-command.md").read_text(encoding="utf-8")

# Machines as doctor describes them (Facts files): a GPU box, a new GPU, no GPU, AMD, a Mac.
MACHINES: dict[str, Facts] = {
    "rtx3090-driver535": make_facts(
        driver="535.104.05", driver_cuda="12.2", gpus=[("NVIDIA GeForce RTX 3090", "8.6")]
    ),
    "rtx5090-driver570": make_facts(
        driver="570.86.10", driver_cuda="12.8", gpus=[("NVIDIA GeForce RTX 5090", "12.0")]
    ),
    "no-gpu": make_facts(),
    "amd-rocm": make_facts(rocm="6.2.1"),
    "macos-arm64": make_facts(system="Darwin", arch="arm64", glibc=None),
}
# Real pasted install commands (the official selector's, and the ones users get wrong).
PASTED = [
    "pip install torch",
    "pip3 install torch torchvision torchaudio --index-url https://download.pytorch.org/whl/cu121",
    "pip install torch==2.1.2 torchvision==0.16.2 --index-url https://download.pytorch.org/whl/cu121",
    "pip install torch==2.0.1+cu118",
    "pip install torch --extra-index-url https://download.pytorch.org/whl/cu118",
    "uv pip install torch --torch-backend auto",
    "conda install pytorch torchvision torchaudio cudatoolkit=11.1 -c pytorch",
    "conda install pytorch torchvision torchaudio pytorch-cuda=12.1 -c pytorch -c nvidia",
    "pip install torch==2.1.2 torchvision==0.15.2 --index-url https://download.pytorch.org/whl/cpu",
    "pip install --pre torch --index-url https://download.pytorch.org/whl/nightly/cu126",
]


def checked(command: str, stdout: str, returncode: int) -> dict[str, Any]:
    """The document, after the checks every --json document must pass."""
    document = json.loads(stdout)
    jsonschema.Draft202012Validator(SCHEMAS[command]).validate(document)
    assert list(document) == ENVELOPE_KEYS
    assert document["command"] == command and document["exit_code"] == returncode
    return document


@pytest.fixture(scope="module")
def facts_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("machines")
    paths = {}
    for name, facts in MACHINES.items():
        path = directory / f"{name}.json"
        path.write_text(json.dumps(facts.to_dict()), encoding="utf-8")
        paths[name] = str(path)
    return paths


@pytest.mark.parametrize("command", COMMANDS)
def test_the_published_schema_is_the_generated_one(command: str) -> None:
    published = (ROOT / "docs" / "schema" / f"{command}.schema.json").read_text(encoding="utf-8")
    assert published == schema_text(command), (
        "stale: run `python -m envsetup.render.schema docs/schema` and commit the result"
    )
    jsonschema.Draft202012Validator.check_schema(command_schema(command))


def test_every_published_schema_has_a_command() -> None:
    published = sorted(p.name for p in (ROOT / "docs" / "schema").glob("*.schema.json"))
    assert published == sorted(f"{c}.schema.json" for c in COMMANDS)


@pytest.mark.parametrize(
    "host", [str(RECORDED), "built"], ids=["recorded-ci-host", "built-no-gpu-host"]
)
def test_doctor_on_recorded_hosts(host: str, tmp_path: Path) -> None:
    if host == "built":
        host = HostSpec().write(tmp_path / "host")
    out = envsetup("doctor", "--json", "--replay", host)
    document = checked("doctor", out.stdout, out.returncode)
    assert document["outcome"] == ("ok" if out.returncode == 0 else "problems")
    assert document["data"]["facts"]["os"]["system"] == "Linux"
    assert document["error"] is None


@pytest.mark.parametrize("machine", sorted(MACHINES))
def test_install_dry_run_for_each_machine(machine: str, facts_files: dict[str, str]) -> None:
    out = envsetup("install", "--dry-run", "--json", "--facts", facts_files[machine])
    if out.returncode == 2:  # no build fits this machine: the refusal's envelope
        document = checked("install", out.stdout, 2)
        assert document["outcome"] == "refused" and document["data"]["refusal"]["reason"]
        return
    document = checked("install", out.stdout, 0)
    assert document["outcome"] == "planned" and document["data"]["dry_run"] is True
    plan = document["data"]["plan"]
    assert [s["id"] for s in plan["steps"]][-2:] == ["check-resolves", "install"]
    assert plan["index_url"] == document["data"]["resolution"]["index_url"] or (
        document["data"]["resolution"]["index_url"] is None
    )


def test_install_refused_and_bad_flag(facts_files: dict[str, str]) -> None:
    box = facts_files["rtx3090-driver535"]
    refused = envsetup("install", "--dry-run", "--json", "--torch", "2.0", "--cuda", "12.1", "--facts", box)  # fmt: skip
    document = checked("install", refused.stdout, 2)
    assert document["outcome"] == "refused" and document["error"]["kind"] == "usage"
    bad = envsetup("install", "--dry-run", "--json", "--cuda", "eleven", "--facts", box)
    document = checked("install", bad.stdout, 2)
    assert document["outcome"] == "error" and document["data"] is None


@pytest.mark.parametrize("machine", ["rtx3090-driver535", "no-gpu", "amd-rocm"])
def test_check_command_on_a_corpus_of_pasted_commands(
    machine: str, facts_files: dict[str, str]
) -> None:
    ids = set()
    for pasted in PASTED:
        out = envsetup("check-command", "--json", "--facts", facts_files[machine], pasted)
        document = checked("check-command", out.stdout, out.returncode)
        assert document["data"]["command"] == pasted
        problems = [f for f in document["findings"] if f["severity"] in ("error", "warning")]
        assert document["outcome"] == ("problems" if problems else "ok"), pasted
        for finding in document["findings"]:
            assert f"`{finding['id']}`" in CHECK_COMMAND_CATALOGUE, (pasted, finding["title"])
            ids.add(finding["id"])
    assert ids  # the corpus produced findings to check


def test_check_command_on_a_recorded_host() -> None:
    out = envsetup("check-command", "--json", "--replay", str(RECORDED), PASTED[1])
    document = checked("check-command", out.stdout, out.returncode)
    assert document["data"]["tool"] == "pip"


def test_verify_on_an_unusable_target_and_a_usage_error(tmp_path: Path) -> None:
    # No interpreter at the path: no check can run, exit 3, data says why, error repeats it.
    missing = envsetup("verify", "--json", "--python", str(tmp_path / "nope"))
    document = checked("verify", missing.stdout, 3)
    assert document["outcome"] == "unusable" and document["error"]["kind"] == "failed"
    assert document["error"]["message"].startswith(document["data"]["unusable"]["reason"])
    # --only naming no check: a usage error, the empty envelope.
    out = envsetup("verify", "--json", "--python", sys.executable, "--only", "no.such.check")
    document = checked("verify", out.stdout, 2)
    assert document["outcome"] == "error" and document["data"] is None


def test_the_schema_rejects_a_document_of_the_old_shape() -> None:
    old = {
        "envsetup_result_version": 1,
        "command": "install",
        "status": "planned",
        "exit_code": 0,
        "data": {},
        "errors": [],
    }
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(old, SCHEMAS["install"])
    # ...an error outcome that carries data, and a success that carries an error.
    stopped = error_document("install", "usage", "--cuda eleven: not a CUDA version", 2)
    jsonschema.validate(stopped, SCHEMAS["install"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**stopped, "data": {}}, SCHEMAS["install"])
    planned = {**stopped, "outcome": "planned", "exit_code": 0}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(planned, SCHEMAS["install"])


def test_explains_schema_requires_the_recognised_error_kinds() -> None:
    paste = FIXTURES / "paste" / "errors" / "cuda-803-display-driver-combination.txt"
    document = checked("explain", envsetup("explain", "--no-host", "--json", str(paste)).stdout, 1)
    (signal,) = [s for s in document["data"]["signals"] if s["id"] == "cuda-error-803"]
    assert signal["kind"] == "cuda-error" and signal["params"]["code"] == 803 and signal["lines"]
    for broken in ({k: v for k, v in signal.items() if k != "lines"}, {**signal, "lines": ["1"]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({**document, "data": {**document["data"], "signals": [broken]}}, SCHEMAS["explain"])  # fmt: skip
    without = {k: v for k, v in document["data"].items() if k != "signals"}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**document, "data": without}, SCHEMAS["explain"])


def test_a_finding_has_the_same_keys_in_every_command() -> None:
    import dataclasses

    from envsetup.render.envelope import finding
    from envsetup.render.schema import FindingEntry

    built = finding("install-would-stop", "warning", "uv: not found", ["PATH=/usr/bin"], "pip install uv", {"tool": "uv"})  # fmt: skip
    assert list(built) == [f.name for f in dataclasses.fields(FindingEntry)]
    assert list(built)[-1] == "params" and built["params"] == {"tool": "uv"}
    assert built == dataclasses.asdict(FindingEntry("install-would-stop", "warning", "uv: not found", ["PATH=/usr/bin"], "pip install uv", {"tool": "uv"}))  # fmt: skip
    assert finding("x", "info", "no values")["params"] == {}
    with pytest.raises(ValueError):
        finding("x", "fatal", "no such severity")


def test_doctors_document_is_a_facts_file_for_install_and_check_command(tmp_path: Path) -> None:
    doctor = envsetup("doctor", "--json", "--replay", str(RECORDED))
    saved = tmp_path / "doctor.json"
    saved.write_text(doctor.stdout, encoding="utf-8")
    replayed = envsetup("install", "--dry-run", "--json", "--replay", str(RECORDED))
    from_file = envsetup("install", "--dry-run", "--json", "--facts", str(saved))
    assert from_file.returncode == replayed.returncode == 0, from_file.stderr
    resolution = json.loads(from_file.stdout)["data"]["resolution"]
    assert resolution == json.loads(replayed.stdout)["data"]["resolution"]
    checked_file = envsetup("check-command", "--json", "--facts", str(saved), PASTED[0])
    checked("check-command", checked_file.stdout, checked_file.returncode)
