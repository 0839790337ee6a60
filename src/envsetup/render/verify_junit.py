"""The JUnit XML form of a report: one testcase per check, skips as <skipped>, failures as <failure>."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

from envsetup.sanitize import map_strings, redact_text, strip_controls
from envsetup.verify.results import FAIL, SKIP, VerifyReport

SUITE = "envsetup.verify"


def _failure_text(check_fix: str | None, evidence: dict, output: str) -> str:
    parts = []
    if check_fix:
        parts.append(f"fix: {check_fix}")
    if evidence:
        parts.append("evidence: " + json.dumps(evidence, indent=2, sort_keys=True))
    if output:
        parts.append("output:\n" + output)
    return "\n".join(parts)


# Characters XML 1.0 cannot hold at all, after control sequences are gone: lone surrogates
# (JSON lets a worker send them) and the two non-characters.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", redact_text(strip_controls(text)))


def to_junit(report: VerifyReport) -> str:
    # Credentials masked, and the control characters XML 1.0 cannot hold (a worker's ANSI
    # colours, say) removed, so the file always parses.
    report = map_strings(report, _xml_text)
    counts = report.counts()
    suites = ET.Element("testsuites", name="envsetup verify")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name=SUITE,
        tests=str(len(report.checks)),
        failures=str(counts[FAIL]),
        errors="0",
        skipped=str(counts[SKIP]),
        time=f"{report.duration_s:.3f}",
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("python", report.target.python),
        ("torch", report.target.torch_version or ""),
        ("build", report.target.torch_build or ""),
    ):
        ET.SubElement(properties, "property", name=name, value=value)
    if report.unusable is not None:
        case = ET.SubElement(suite, "testcase", classname=SUITE, name="target", time="0")
        failure = ET.SubElement(case, "failure", message=report.unusable.reason, type="unusable")
        failure.text = f"fix: {report.unusable.fix}"
        suite.set("tests", "1")
        suite.set("failures", "1")
    for check in report.checks:
        case = ET.SubElement(
            suite, "testcase", classname=SUITE, name=check.id, time=f"{check.duration_s:.3f}"
        )
        if check.status == SKIP:
            ET.SubElement(case, "skipped", message=check.reason)
        elif check.status == FAIL:
            failure = ET.SubElement(case, "failure", message=check.reason, type="check-failed")
            failure.text = _failure_text(check.fix, check.evidence, check.output)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
