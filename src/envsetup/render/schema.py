"""JSON Schema for doctor's --json document, generated from the facts dataclasses.

`python -m envsetup.render.schema > docs/schema/doctor.schema.json` regenerates the published file;
a test fails when the two drift apart.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import typing
from typing import Any

from envsetup.diagnose.finding import SEVERITIES, Finding
from envsetup.facts import SCHEMA_VERSION, Facts
from envsetup.failure import ERROR_KINDS

_SCALARS = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
}


def _type_schema(tp: Any, definitions: dict[str, Any]) -> dict[str, Any]:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
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
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    return {
        "type": "object",
        "properties": {f.name: _type_schema(hints[f.name], definitions) for f in fields},
        "required": [f.name for f in fields],
        "additionalProperties": False,
    }


def doctor_schema() -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    facts_ref = _type_schema(Facts, definitions)
    finding_ref = _type_schema(Finding, definitions)
    definitions["Finding"]["properties"]["severity"] = {"enum": list(SEVERITIES)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/envsetup/envsetup/docs/schema/doctor.schema.json",
        "title": "envsetup doctor --json",
        "type": "object",
        "properties": {
            "kind": {"const": "envsetup.doctor"},
            "schema_version": {"const": SCHEMA_VERSION},
            "envsetup_version": {"type": "string"},
            "status": {"enum": ["ok", *SEVERITIES]},
            "exit_code": {
                "description": "0 no error finding, 1 an error finding, 2 a usage error, "
                "70 an internal error, 130 interrupted.",
                "enum": [0, 1, 2, 70, 130],
            },
            "facts": {"anyOf": [facts_ref, {"type": "null"}]},
            "findings": {"type": "array", "items": finding_ref},
            "error": {
                "description": "Set only when the run stopped before its result (facts null, "
                "findings empty).",
                "type": "object",
                "properties": {
                    "kind": {"enum": list(ERROR_KINDS)},
                    "message": {"type": "string"},
                },
                "required": ["kind", "message"],
                "additionalProperties": False,
            },
        },
        "required": [
            "kind",
            "schema_version",
            "envsetup_version",
            "status",
            "exit_code",
            "facts",
            "findings",
        ],
        "additionalProperties": False,
        "$defs": dict(sorted(definitions.items())),
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(doctor_schema(), indent=2) + "\n")
