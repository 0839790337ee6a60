"""fleet report's merge on real node reports: `envsetup doctor --json` on recorded hosts (and a
real `envsetup verify --json`), laid out as `fleet run` writes them. A healthy majority, a
deviating driver, a driver/library mismatch, a CPU-only torch, a node that timed out, one that
never answered and one whose file is not a report."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from envsetup.exit_codes import ExitCode
from envsetup.fleet import merge as merge_module
from envsetup.fleet.fingerprint import FIELDS, fingerprint_of_report
from envsetup.fleet.merge import fleet_findings
from envsetup.fleet.report import fleet_report
from envsetup.render.finding_words import words_for
from fleet_nodes import (
    H100,
    NEWER_DRIVER,
    ROCM,
    WINDOWS_CPU_TORCH,
    doctor_report,
    envsetup,
    mismatch_host,
    newer_driver_host,
    write_run,
)


@pytest.fixture(scope="module")
def hosts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    base = tmp_path_factory.mktemp("hosts")
    return {
        "h100": doctor_report(H100),
        "newer": doctor_report(newer_driver_host(base / "newer")),
        "mismatch": doctor_report(mismatch_host(base / "mismatch")),
        "cpu": doctor_report(WINDOWS_CPU_TORCH),
    }


def _cluster(tmp_path: Path, hosts: dict[str, dict[str, Any]]) -> Path:
    reports = {
        "n1": hosts["h100"],
        "n2": hosts["h100"],
        "n3": hosts["h100"],
        "n4": hosts["newer"],
        "n5": hosts["mismatch"],
        "n6": hosts["cpu"],
    }
    run = write_run(
        tmp_path / "run", reports, started=["n7"], expected=[f"n{i}" for i in range(1, 10)]
    )
    (run / "n9.json").write_text('{"schema_version": 2, "command": "doc', encoding="utf-8")
    return run


def test_a_cluster_is_grouped_judged_and_its_silent_nodes_named(
    tmp_path: Path, hosts: dict[str, dict[str, Any]]
) -> None:
    report = fleet_report(str(_cluster(tmp_path, hosts)))
    states = {node.node: node.state for node in report.nodes}
    assert states == {
        "n1": "healthy",
        "n2": "healthy",
        "n3": "healthy",
        "n4": "healthy",
        "n5": "unhealthy",
        "n6": "unhealthy",
        "n7": "timed-out",
        "n8": "missing",
        "n9": "unreadable",
    }
    majority, *others = report.groups
    assert (majority.nodes, majority.hostlist, majority.majority) == (
        ["n1", "n2", "n3"],
        "n[1-3]",
        True,
    )
    assert majority.fingerprint.driver == "535.230.02" and majority.fingerprint.torch == "2.6.0"
    assert [(g.gpus and g.gpus[0].count) for g in [majority.fingerprint]] == [8]
    differs = {tuple(g.nodes): {d.field: (d.value, d.majority) for d in g.differs} for g in others}
    assert differs[("n4",)] == {"driver": (NEWER_DRIVER, "535.230.02")}
    assert "gpus" in differs[("n5",)]  # NVML failed: no GPU list
    assert differs[("n6",)]["compute_platform"] == ("cpu", "cu124")
    assert differs[("n6",)]["driver"] == ("551.86", "535.230.02")
    # Findings counted across nodes: the majority's info finding on 4 nodes (n4 has it too).
    counted = {c.id: c for c in report.findings}
    assert counted["nvswitch-fabric-unchecked"].nodes == ["n1", "n2", "n3", "n4"]
    assert counted["nvswitch-fabric-unchecked"].hostlist == "n[1-4]"
    assert counted["driver-library-mismatch"].nodes == ["n5"]
    assert report.findings[0].severity == "error"  # errors first
    drains = {d.hostlist: d.reason for d in report.drain}
    assert drains["n5"].startswith("envsetup: driver-library-mismatch")
    assert drains["n6"] == "envsetup: torch-cpu-only-on-gpu-host"
    by_name = {node.node: node for node in report.nodes}
    assert (
        by_name["n7"].reason
        == "started at 2026-11-30T23:00:00+00:00, no report: timed out or killed"
    )
    assert by_name["n8"].reason == "never answered: no marker, no report"
    assert by_name["n9"].reason.startswith(
        "n9.json: not JSON (line 1, column 34): Unterminated string"
    )
    assert report.exit_code == ExitCode.NODES_MISSING == 2
    summary = report.summary
    assert (summary.expected, summary.answered, summary.healthy, summary.unhealthy) == (9, 6, 4, 2)
    assert (summary.timed_out, summary.missing, summary.unreadable) == (1, 1, 1)


def test_the_fleet_s_own_findings_are_worded_and_name_their_nodes(
    tmp_path: Path, hosts: dict[str, dict[str, Any]]
) -> None:
    report = fleet_report(str(_cluster(tmp_path, hosts)))
    found = {f.id: f for f in fleet_findings(report)}
    assert set(found) == {
        "fleet-node-missing",
        "fleet-node-timed-out",
        "fleet-report-unreadable",
        "fleet-node-unhealthy",
        "fleet-nodes-differ",
    }
    assert found["fleet-node-unhealthy"].params["hostlist"] == "n[5-6]"
    assert found["fleet-node-unhealthy"].params["ids"] == sorted(
        # (not nvidia-smi-failed: the derived host records no nvidia-smi answer, which doctor
        # now reads as not run rather than "failed with exit status None")
        {"driver-library-mismatch", "torch-cpu-only-on-gpu-host"}
    )
    assert found["fleet-nodes-differ"].params["nodes"] == ["n4", "n5", "n6"]
    assert found["fleet-nodes-differ"].severity == "warning"
    assert any(
        f"driver {NEWER_DRIVER} (majority 535.230.02)" in e
        for e in found["fleet-nodes-differ"].evidence
    )
    for finding in found.values():
        words = words_for(finding)
        assert words.title and words.fix and "\n" not in words.title
    assert "1 node (n8) never answered" in words_for(found["fleet-node-missing"]).title


def test_exit_1_when_every_node_answered_and_one_is_unhealthy(
    tmp_path: Path, hosts: dict[str, dict[str, Any]]
) -> None:
    run = write_run(
        tmp_path / "run", {"a1": hosts["h100"], "a2": hosts["mismatch"]}, expected=["a1", "a2"]
    )
    assert fleet_report(str(run)).exit_code == ExitCode.FINDINGS


def test_exit_0_when_every_node_is_healthy_even_when_one_deviates(
    tmp_path: Path, hosts: dict[str, dict[str, Any]]
) -> None:
    run = write_run(
        tmp_path / "run", {"a1": hosts["h100"], "a2": hosts["h100"], "a3": hosts["newer"]}
    )
    report = fleet_report(str(run))
    assert report.exit_code == ExitCode.OK
    assert [g.nodes for g in report.groups] == [["a1", "a2"], ["a3"]]
    assert report.drain == []


def test_without_fleet_json_the_nodes_are_those_seen(
    tmp_path: Path, hosts: dict[str, dict[str, Any]]
) -> None:
    run = write_run(tmp_path / "run", {"b1": hosts["h100"]}, started=["b2"])
    report = fleet_report(str(run))
    assert [(n.node, n.state) for n in report.nodes] == [("b1", "healthy"), ("b2", "timed-out")]
    assert report.summary.expected == 2 and report.mode is None


def test_groups_compare_the_fields_not_the_key(hosts: dict[str, dict[str, Any]]) -> None:
    """A report with data.fingerprint (this envsetup) and one without (an older one: the fallback
    from facts) of the same machine group together; a different key alone does not split them."""
    old = hosts["h100"]
    data = dict(old["data"])
    data.pop("fingerprint", None)
    fields = fingerprint_of_report("doctor", data, frozenset({"2.6"}))
    assert fields["driver"] == "535.230.02" and fields["driver_cuda"] == "12.2"
    assert fields["gpus"] == [
        {"name": "NVIDIA H100 80GB HBM3", "compute_capability": "9.0", "count": 8}
    ]
    assert (fields["torch"], fields["compute_platform"], fields["cudnn"]) == (
        "2.6.0",
        "cu124",
        "9.1.0",
    )
    assert (fields["python"], fields["profile"]) == ("3.9.21", "2.6")
    assert len(fields["key"]) == 12
    new = json.loads(json.dumps(old))
    new["data"]["fingerprint"] = {**{name: fields[name] for name in FIELDS}, "key": "0123456789ab"}
    from envsetup.fleet.folder import NodeFile, RunFolder

    run = RunFolder(
        "run",
        reports={"old": NodeFile("old", {**old, "data": data}), "new": NodeFile("new", new)},
    )
    report = merge_module.merge(run, frozenset({"2.6"}))
    assert [g.nodes for g in report.groups] == [["new", "old"]]
    new["data"]["fingerprint"]["torch"] = "2.6.0+cu124"
    report = merge_module.merge(run, frozenset({"2.6"}))
    assert [g.nodes for g in report.groups] == [["new"], ["old"]]
    assert [d.field for d in report.groups[1].differs] == ["torch"]


def test_the_fallback_reads_an_amd_node(tmp_path: Path) -> None:
    data = doctor_report(ROCM)["data"]
    given = data.pop("fingerprint")  # as an older envsetup wrote it: facts only
    fields = fingerprint_of_report("doctor", data)
    assert fields["gpus"] == [
        {"name": "AMD Radeon RX 6700 XT", "compute_capability": "gfx1031", "count": 1}
    ]
    # The fallback agrees with what the node itself wrote (profile aside: no releases given).
    compared = [name for name in FIELDS if name != "profile"]
    assert {n: fields[n] for n in compared} == {n: given[n] for n in compared}
    assert fields["compute_platform"] == "rocm5.1.1" and fields["driver"] is None


def test_an_envelope_where_envsetup_stopped_is_a_failed_node_not_drained(
    tmp_path: Path, hosts: dict[str, dict[str, Any]]
) -> None:
    stopped = envsetup("doctor", "--json", "--replay", str(tmp_path / "no-such-host"))
    document = json.loads(stopped.stdout)
    assert document["outcome"] == "error"
    run = write_run(tmp_path / "run", {"c1": hosts["h100"], "c2": document})
    report = fleet_report(str(run))
    c2 = next(n for n in report.nodes if n.node == "c2")
    assert c2.state == "failed" and c2.reason.startswith("envsetup doctor stopped: ")
    assert document["error"]["message"] in c2.reason
    assert report.drain == [] and report.exit_code == ExitCode.FINDINGS
    assert [g.nodes for g in report.groups] == [["c1"]]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "n1.json: empty (the node stopped before writing its report)"),
        (b"\xff\xfe", "n1.json: not UTF-8 text (byte 0)"),
        (b"[1, 2]", "n1.json: not a report (a JSON list, not an object)"),
        (b'{"command": "install"}', 'n1.json: not a doctor or verify report (command: "install")'),
    ],
)
def test_a_file_that_is_no_report_is_named_with_its_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "n1.json").write_bytes(content)
    node = fleet_report(str(run)).nodes[0]
    assert node.state == "unreadable" and node.reason.startswith(reason)


def test_a_missing_folder_is_a_usage_error_in_one_line(tmp_path: Path) -> None:
    from envsetup.errors import UsageError

    with pytest.raises(
        UsageError, match=r"no-such-dir: no such directory; fix: name the folder"
    ) as caught:
        fleet_report(str(tmp_path / "no-such-dir"))
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(
        UsageError, match=r"empty: no node report, start marker or fleet.json in it"
    ):
        fleet_report(str(tmp_path / "empty"))
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="it is not a directory"):
        fleet_report(str(tmp_path / "file"))


@pytest.fixture(scope="module")
def verify_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Real `envsetup verify --json` runs on the test interpreter's torch (README's test command
    installs the CPU build): one plain, one with --require-gpu, which fails cuda.available."""
    pytest.importorskip("torch")
    checks = "torch.import,cuda.available,tensor.roundtrip"
    found = {}
    for name, extra in (("plain", []), ("gpu", ["--require-gpu"])):
        result = envsetup(
            "verify", "--json", "--python", sys.executable, "--only", checks, *extra, timeout=300
        )
        found[name] = json.loads(result.stdout)
    return found


def test_verify_reports_give_each_node_its_checks(
    tmp_path: Path, verify_reports: dict[str, dict[str, Any]]
) -> None:
    assert verify_reports["gpu"]["outcome"] == "problems"
    run = write_run(
        tmp_path / "run",
        {"v1": verify_reports["plain"], "v2": verify_reports["gpu"]},
        mode="verify",
        expected=["v1", "v2"],
    )
    report = fleet_report(str(run))
    v1, v2 = report.nodes
    assert v1.state == "healthy" and v1.checks is not None and v1.checks.fail == 0
    assert v1.checks.pass_ + v1.checks.skip == 3
    assert v2.state == "unhealthy" and v2.checks is not None
    assert v2.checks.failed_ids() == ["cuda.available"]
    assert "--require-gpu" in v2.checks.failed[0].reason
    # The failed check is told once: as a check, not also as a finding counted across nodes.
    assert "cuda.available" not in [c.id for c in report.findings]
    assert report.drain[0].reason == "envsetup: verify failed cuda.available"
    assert report.mode == "verify" and report.exit_code == ExitCode.FINDINGS
    assert [g.nodes for g in report.groups] == [["v1", "v2"]]  # one interpreter, one torch


def test_schema_states_are_merge_s_states() -> None:
    from envsetup.render.schema import command_schema

    schema = command_schema("fleet-report")
    assert schema["$defs"]["Node"]["properties"]["state"]["enum"] == list(merge_module.STATES)


def test_an_unusable_verify_target_is_drained_with_a_reason_safe_inside_quotes(
    tmp_path: Path,
) -> None:
    """The drain reason is pasted inside "..." in a shell: a path with a quote, a backquote and a
    dollar (here the interpreter's, in verify's real unusable report) cannot break out of it."""
    result = envsetup("verify", "--json", "--python", str(tmp_path / 'no$such"`py'))
    document = json.loads(result.stdout)
    assert document["outcome"] == "unusable"
    run = write_run(tmp_path / "run", {"u1": document}, mode="verify")
    node = fleet_report(str(run)).nodes[0]
    assert node.state == "unhealthy" and "verify target unusable: no interpreter at" in node.reason
    assert node.drain_reason is not None and node.drain_reason.startswith("envsetup: verify target")
    assert not set('"`$\\') & set(node.drain_reason) and len(node.drain_reason) <= 100
