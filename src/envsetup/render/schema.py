"""JSON Schemas of every command's --json document, generated from the types that make it.

The envelope (render/envelope.py) is the same for every command; `data` is the command's payload
dataclass (DoctorData, InstallData, CheckCommandData, VerifyData, ExplainData, FleetReportData), walked field by field.
`python -m envsetup.render.schema [DIR]` writes DIR/<command>.schema.json (default docs/schema);
a test fails when the published files and the generator drift apart.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import typing
from enum import Enum
from pathlib import Path
from typing import Any, Callable

from envsetup.model.capability import ComputeCapability
from envsetup.model.gpu import is_published
from envsetup.render.envelope import (
    COMMANDS,
    ERROR,
    ERROR_KINDS,
    EXIT_CODES,
    FAILED_OUTCOMES,
    OUTCOMES,
    SCHEMA_VERSIONS,
    SEVERITIES,
    TOOL_NAME,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://github.com/envsetup/envsetup/docs/schema/"

_SCALARS = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
}

# Constraints the Python types cannot say: (dataclass name, field) -> schema replacing the
# generated one.
_REFINED: dict[tuple[str, str], dict[str, Any]] = {
    ("FindingEntry", "severity"): {"enum": list(SEVERITIES)},
    ("CheckResult", "status"): {"enum": ["pass", "fail", "skip"]},
    ("CheckResult", "id"): {
        "type": "string",
        "pattern": "^_?[a-z0-9_]+(\\.[a-z0-9_]+)*$",
        "description": "Stable id, see docs/verify.md.",
    },
    ("Target", "torch_build"): {"enum": ["cuda", "rocm", "cpu", None]},
    # fleet report (fleet/merge.py STATES; a test keeps the two equal)
    ("Node", "state"): {
        "enum": ["healthy", "unhealthy", "failed", "unreadable", "timed-out", "stale", "missing"]
    },
    ("NodeFinding", "severity"): {"enum": list(SEVERITIES)},
    ("FindingCount", "severity"): {"enum": list(SEVERITIES)},
    ("PlannedStep", "id"): {"enum": ["create-env", "check-resolves", "install"]},
    ("PlannedInstall", "mode"): {"enum": ["new", "force", "upgrade"]},
    ("InstallResult", "mode"): {"enum": ["new", "force", "upgrade"]},
    ("Resolution", "verdicts"): {"type": "array", "items": {"$ref": "#/$defs/Verdict"}},
    ("CheckCommandData", "verdicts"): {"type": "array", "items": {"$ref": "#/$defs/Verdict"}},
    ("Refusal", "verdicts"): {"type": "array", "items": {"$ref": "#/$defs/Verdict"}},
    # The resolver's reasons (envsetup.resolve.reasons.Reason.to_dict): code and parameters;
    # the unconfirmed facts as render words them.
    ("Resolution", "reasons"): {
        "type": "array",
        "description": "Why, as data: one {code, **parameters} per line of `explanation` "
        "(codes: docs/output.md); a `verdict` reason carries the verdict.",
        "items": {
            "type": "object",
            "required": ["code"],
            "properties": {"code": {"type": "string"}, "verdict": {"$ref": "#/$defs/Verdict"}},
        },
    },
    ("Resolution", "unconfirmed"): {"type": "array", "items": {"type": "string"}},
    ("ExplainData", "unplaced"): {
        "type": "array",
        "description": "The unplaced lines as [first, last] runs of consecutive line numbers "
        "(numbered from 1 as pasted), ascending and apart.",
        "items": {
            "type": "array",
            "items": {"type": "integer", "minimum": 1},
            "minItems": 2,
            "maxItems": 2,
        },
    },
}
# Keys render/ adds to a dataclass's JSON, each before the field named: (dataclass name, field)
# -> (key, schema).
_ADDED: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {
    ("Resolution", "reasons"): (
        "explanation",
        {
            "type": "array",
            "description": "Why, one sentence per reason.",
            "items": {"type": "string"},
        },
    ),
}
# A compatibility verdict (envsetup.compat.verdicts.Verdict.to_dict): its code, its severity and
# its parameters, flattened beside them.
VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "A compatibility verdict: code (docs/check-command.md), severity, parameters.",
    "required": ["code", "severity"],
    "properties": {"code": {"type": "string"}, "severity": {"type": "string"}},
}


@dataclasses.dataclass
class FindingEntry:
    """One finding, the same shape in every command's document: id (stable; docs/findings.md,
    docs/check-command.md, docs/output.md), severity, title (one line: what is wrong), evidence
    (the facts behind it, with their sources), fix ("" when there is nothing to do), params (the
    values title and fix are made of)."""

    # The fields of render/envelope.py `finding`'s dict, in its order (a test checks; defined
    # here, not there, so that the envelope stays cheap to import).
    id: str
    severity: str
    title: str
    evidence: list[str] = dataclasses.field(default_factory=list)
    fix: str = ""
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


def json_name(field_name: str) -> str:
    """A field's key in JSON: `pass_` (a Python keyword) is `pass`."""
    return field_name[:-1] if field_name.endswith("_") else field_name


def _type_schema(tp: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return {}
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    if tp is ComputeCapability:
        return {
            "type": "string",
            "pattern": "^[0-9]{1,2}\\.[0-9]$",
            "description": 'A compute capability, e.g. "8.6".',
        }
    if isinstance(tp, type) and issubclass(tp, Enum):
        return {"type": "string", "enum": [member.value for member in tp]}
    if origin is typing.Union:
        options = [_type_schema(a, definitions) for a in args if a is not type(None)]
        schema = options[0] if len(options) == 1 else {"anyOf": options}
        return {"anyOf": [schema, {"type": "null"}]} if type(None) in args else schema
    if origin is list:
        return {"type": "array", "items": _type_schema(args[0], definitions)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _type_schema(args[1], definitions)}
    if dataclasses.is_dataclass(tp):
        name = tp.__name__
        if name not in definitions:
            definitions[name] = {}
            definitions[name] = _dataclass_schema(tp, definitions)
        return {"$ref": f"#/$defs/{name}"}
    raise TypeError(f"no JSON schema mapping for {tp!r}")


def _dataclass_schema(cls: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    from envsetup.compat.verdicts import Verdict

    # Types named only under TYPE_CHECKING in the payloads' modules (kept out of their imports).
    from envsetup.resolve.reasons import Reason, UnconfirmedFact

    named = {"Verdict": Verdict, "Reason": Reason, "UnconfirmedFact": UnconfirmedFact}
    hints = typing.get_type_hints(cls, localns=named)
    fields = [f for f in dataclasses.fields(cls) if is_published(f)]
    properties = {}
    required: list[str] = []
    for item in fields:
        refined = _REFINED.get((cls.__name__, item.name))
        if refined is not None and "Verdict" in json.dumps(refined):
            definitions.setdefault("Verdict", VERDICT_SCHEMA)
        added = _ADDED.get((cls.__name__, item.name))
        if added is not None:
            properties[added[0]] = dict(added[1])
            required.append(added[0])
        schema = refined if refined is not None else _type_schema(hints[item.name], definitions)
        properties[json_name(item.name)] = dict(schema)
        required.append(json_name(item.name))
    schema: dict[str, Any] = {}
    doc = (cls.__doc__ or "").strip()
    if doc and not doc.startswith(f"{cls.__name__}("):  # dataclass's own placeholder
        schema["description"] = " ".join(doc.split())
    schema.update(
        {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        }
    )
    return schema


def _payloads() -> dict[str, Callable[[], type]]:
    def doctor() -> type:
        from envsetup.render.doctor_json import DoctorData

        return DoctorData

    def install() -> type:
        from envsetup.render.install_json import InstallData

        return InstallData

    def check_command() -> type:
        from envsetup.render.check_command_json import CheckCommandData

        return CheckCommandData

    def verify() -> type:
        from envsetup.render.verify_json import VerifyData

        return VerifyData

    def explain() -> type:
        from envsetup.render.explain_json import ExplainData

        return ExplainData

    def fleet_report() -> type:
        from envsetup.render.fleet_json import FleetReportData

        return FleetReportData

    return {
        "doctor": doctor,
        "install": install,
        "check-command": check_command,
        "verify": verify,
        "explain": explain,
        "fleet-report": fleet_report,
    }


def command_schema(command: str) -> dict[str, Any]:
    """The JSON Schema of `envsetup COMMAND --json`."""
    definitions: dict[str, Any] = {}
    data_ref = _type_schema(_payloads()[command](), definitions)
    # Published as "Finding": the name the documents' readers know it by.
    definitions["Finding"] = _dataclass_schema(FindingEntry, definitions)
    finding_ref = {"$ref": "#/$defs/Finding"}
    succeeded = [o for o in OUTCOMES[command] if o not in FAILED_OUTCOMES]
    failed = [o for o in OUTCOMES[command] if o in FAILED_OUTCOMES]
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_ID}{command}.schema.json",
        "title": f"envsetup {command} --json",
        "description": "The result envelope (docs/output.md): the same top-level keys for every "
        "command; `data` is this command's own result.",
        "type": "object",
        "properties": {
            "schema_version": {"const": SCHEMA_VERSIONS[command]},
            "command": {"const": command},
            "tool": {
                "type": "object",
                "properties": {"name": {"const": TOOL_NAME}, "version": {"type": "string"}},
                "required": ["name", "version"],
                "additionalProperties": False,
            },
            "exit_code": {
                "description": "The process's exit status (README.md, Exit codes).",
                "enum": list(EXIT_CODES[command]),
            },
            "outcome": {
                "description": "How the run ended (docs/output.md, Outcomes).",
                "enum": list(OUTCOMES[command]),
            },
            "error": {
                "description": f"Set when the outcome is one of {', '.join(failed)}: what "
                "stopped the run, in one line with its fix.",
                "anyOf": [
                    {
                        "type": "object",
                        "properties": {
                            "kind": {"enum": list(ERROR_KINDS)},
                            "message": {"type": "string", "minLength": 1},
                        },
                        "required": ["kind", "message"],
                        "additionalProperties": False,
                    },
                    {"type": "null"},
                ],
            },
            "findings": {"type": "array", "items": finding_ref},
            "data": {
                "description": "This command's result; null when the outcome is error.",
                "anyOf": [data_ref, {"type": "null"}],
            },
        },
        "required": [
            "schema_version",
            "command",
            "tool",
            "exit_code",
            "outcome",
            "error",
            "findings",
            "data",
        ],
        "additionalProperties": False,
        "allOf": [
            {
                "if": {"properties": {"outcome": {"enum": succeeded}}},
                "then": {"properties": {"error": {"type": "null"}, "data": {"type": "object"}}},
            },
            {
                "if": {"properties": {"outcome": {"enum": failed}}},
                "then": {"properties": {"error": {"type": "object"}}},
            },
            {
                "if": {"properties": {"outcome": {"const": ERROR}}},
                "then": {"properties": {"data": {"type": "null"}, "findings": {"maxItems": 0}}},
            },
        ],
        "$defs": dict(sorted(definitions.items())),
    }


def doctor_schema() -> dict[str, Any]:
    return command_schema("doctor")


def schema_text(command: str) -> str:
    """The file docs/schema/<command>.schema.json holds, byte for byte."""
    return json.dumps(command_schema(command), indent=2, ensure_ascii=False) + "\n"


def write_all(directory: Path) -> list[Path]:
    written = []
    for command in COMMANDS:
        path = directory / f"{command}.schema.json"
        path.write_text(schema_text(command), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/schema")
    for path in write_all(target):
        sys.stdout.write(f"{path}\n")
