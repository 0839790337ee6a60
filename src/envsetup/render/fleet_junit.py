"""`fleet report --junit FILE`: one <testsuite> per node, one <testcase> per finding or verify
check (failures for errors and failed checks, skips for skipped checks); a node that did not
answer is one <testcase name="report"> with an <error>. The same shape as verify's
(render/verify_junit.py), so CI dashboards show each node as a suite."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from envsetup.fleet.merge import FAILED, HEALTHY, UNHEALTHY, FleetReport, Node
from envsetup.render.verify_junit import _xml_text

SUITE = "envsetup.fleet"


def _case(suite: ET.Element, node: Node, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=f"{SUITE}.{node.node}", name=name, time="0")


def _node_suite(suites: ET.Element, node: Node) -> None:
    suite = ET.SubElement(suites, "testsuite", name=_xml_text(node.node))
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("state", node.state),
        ("command", node.command or ""),
        ("group", node.group or ""),
        ("report_age_s", "" if node.report_age_s is None else str(node.report_age_s)),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    failures = errors = skipped = 0
    if node.state not in (HEALTHY, UNHEALTHY):
        case = _case(suite, node, "report")
        ET.SubElement(case, "error", message=_xml_text(node.reason or ""), type=node.state)
        errors += 1
    for found in node.findings:
        case = _case(suite, node, _xml_text(found.id))
        if found.severity == "error":
            failure = ET.SubElement(
                case, "failure", message=_xml_text(found.title), type=found.severity
            )
            failure.text = _xml_text(f"fix: {found.fix}") if found.fix else None
            failures += 1
        else:
            ET.SubElement(case, "system-out").text = _xml_text(f"{found.severity}: {found.title}")
    if node.checks is not None:
        for check_id in node.checks.passed:
            _case(suite, node, _xml_text(check_id))
        for check_id in node.checks.skipped:
            ET.SubElement(_case(suite, node, _xml_text(check_id)), "skipped")
            skipped += 1
        for check in node.checks.failed:
            case = _case(suite, node, _xml_text(check.id))
            failure = ET.SubElement(
                case, "failure", message=_xml_text(check.reason), type="check-failed"
            )
            failure.text = _xml_text(f"fix: {check.fix}") if check.fix else None
            failures += 1
    if len(suite) == 1 and node.state != FAILED:  # only <properties>: a healthy, quiet node
        _case(suite, node, "report")
    suite.set("tests", str(len(suite) - 1))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))


def to_junit(report: FleetReport) -> str:
    suites = ET.Element("testsuites", name="envsetup fleet report")
    for node in report.nodes:
        _node_suite(suites, node)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
