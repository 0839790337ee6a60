"""A run folder whose fleet.json names no node and that holds no report (srun started no task:
`-N` larger than the idle nodes, queued past the budget) is no healthy fleet: exit 2, the finding
fleet-no-nodes, not "All 0 nodes healthy" and exit 0 (attack13 report, finding 4). And a node
fleet run left out of srun (drained, unknown to Slurm) is told with its Slurm state, not as
"never answered: no marker, no report" (finding 3)."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from envsetup.diagnose.finding import Finding
from envsetup.render.finding_words import words_for
from fleet_nodes import H100, doctor_report, write_run
from scripts import run_envsetup

SCHEMA = json.loads(
    (
        Path(__file__).resolve().parents[2] / "docs" / "schema" / "fleet-report.schema.json"
    ).read_text(encoding="utf-8")
)


def test_a_run_that_names_no_node_is_incomplete(tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", {}, expected=[])

    text = run_envsetup("fleet", "report", str(run))
    done = run_envsetup("fleet", "report", str(run), "--json")

    assert text.returncode == 2, text.stdout + text.stderr
    assert "All 0 nodes healthy" not in text.stdout
    assert "No node answered" in text.stdout
    assert done.returncode == 2
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["outcome"] == "incomplete"
    assert [f["id"] for f in document["findings"]] == ["fleet-no-nodes"]
    expected = words_for(Finding("fleet-no-nodes", "error", [], {"directory": str(run)}))
    assert document["findings"][0]["title"] == expected.title


def test_a_node_left_out_of_srun_is_told_with_its_slurm_state(tmp_path: Path) -> None:
    run = write_run(
        tmp_path / "run", {"n1": doctor_report(H100)}, expected=["n1", "n2", "n3", "n4"]
    )
    manifest = json.loads((run / "fleet.json").read_text())
    manifest["unavailable"] = {
        "n2": "drained",
        "n3": "not a node of this cluster (sinfo does not list it)",
    }
    (run / "fleet.json").write_text(json.dumps(manifest))

    done = run_envsetup("fleet", "report", str(run), "--json")

    assert done.returncode == 2
    reasons = {n["node"]: n["reason"] for n in json.loads(done.stdout)["data"]["nodes"]}
    assert reasons["n2"] == "not started: Slurm says it is drained"
    assert reasons["n3"].startswith("not started: Slurm says it is not a node of this cluster")
    assert reasons["n4"] == "never answered: no marker, no report"  # not left out: silent
