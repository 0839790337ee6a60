"""fleet report on 1,000 node reports (issue 13: "tested on a folder of 1,000 generated node
reports: the grouping is right"). The reports are case 07's real doctor report with node names
and a few fingerprint fields varied (tests/fleet_nodes.py `generate_fleet`); the time is
measured by bench/bench_fleet_report.py, not here."""

from __future__ import annotations

import json
from pathlib import Path

from envsetup.fleet.report import fleet_report
from fleet_nodes import H100, NEWER_DRIVER, doctor_report, generate_fleet
from scripts import run_envsetup


def test_a_thousand_nodes_group_into_the_majority_and_the_two_deviations(tmp_path: Path) -> None:
    expected = generate_fleet(tmp_path / "run", doctor_report(H100), 1000)
    assert [len(expected[k]) for k in ("majority", "driver", "torch")] == [964, 27, 9]
    report = fleet_report(str(tmp_path / "run"))
    assert [g.count for g in report.groups] == [964, 27, 9]
    majority, driver, torch = report.groups
    assert majority.nodes == expected["majority"] and majority.majority
    assert driver.nodes == expected["driver"] and torch.nodes == expected["torch"]
    assert [(d.field, d.value) for d in driver.differs] == [("driver", NEWER_DRIVER)]
    assert [(d.field, d.value, d.majority) for d in torch.differs] == [
        ("torch", "2.5.1", "2.6.0"),
        ("profile", "2.5", "2.6"),
    ]
    # gpu0037, gpu0074, ...: every 37th node, less the 101st-s: Slurm's compressed form.
    assert driver.hostlist.startswith("gpu[0037,0074,0111,0148,")
    assert report.summary.healthy == 1000 and report.exit_code == 0
    counted = {c.id: c for c in report.findings}
    assert counted["nvswitch-fabric-unchecked"].count == 1000
    assert counted["nvswitch-fabric-unchecked"].hostlist == "gpu[0001-1000]"


def test_the_command_reports_a_thousand_nodes_with_two_missing(tmp_path: Path) -> None:
    run = tmp_path / "run"
    generate_fleet(run, doctor_report(H100), 1000)
    for node in ("gpu0500", "gpu0501"):
        (run / f"{node}.json").unlink()
    (run / "gpu0501.started").unlink()
    result = run_envsetup("fleet", "report", str(run), "--json")
    assert result.returncode == 2, result.stderr
    document = json.loads(result.stdout)
    nodes = {n["node"]: n["state"] for n in document["data"]["nodes"]}
    assert (nodes["gpu0500"], nodes["gpu0501"]) == ("timed-out", "missing")
    assert [g["count"] for g in document["data"]["groups"]] == [962, 27, 9]
