"""`fleet report --json`: the result envelope (render/envelope.py, command "fleet-report") with
the fleet's own findings (render/words/fleet.py) and data = the merged report
(docs/schema/fleet-report.schema.json, docs/fleet.md)."""

from __future__ import annotations

import dataclasses
from typing import Any

from envsetup.exit_codes import ExitCode
from envsetup.fleet.merge import FleetReport, fleet_findings
from envsetup.render.envelope import INCOMPLETE, envelope, outcome_of, to_json
from envsetup.render.finding_words import finding_entry

# The payload type render/schema.py walks for the JSON Schema.
FleetReportData = FleetReport
COMMAND = "fleet-report"


def to_data(value: Any) -> Any:
    """A dataclass tree as JSON data; a field named `pass_` (a Python keyword) is `pass`."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            (f.name[:-1] if f.name.endswith("_") else f.name): to_data(getattr(value, f.name))
            for f in dataclasses.fields(value)
        }
    if isinstance(value, list):
        return [to_data(item) for item in value]
    if isinstance(value, dict):
        return {key: to_data(item) for key, item in value.items()}
    return value


def fleet_document(report: FleetReport) -> dict[str, Any]:
    code = report.exit_code
    outcome = INCOMPLETE if code == ExitCode.NODES_MISSING else outcome_of(code)
    return envelope(
        COMMAND,
        exit_code=int(code),
        outcome=outcome,
        findings=[finding_entry(found) for found in fleet_findings(report)],
        data=to_data(report),
    )


def render_json(report: FleetReport) -> str:
    return to_json(fleet_document(report))
