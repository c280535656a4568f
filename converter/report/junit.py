"""The report as JUnit XML (CI test tabs).

One test case per input resource, whatever its kind or status (converted, referenced, not converted),
grouped in one test suite per input file (classname = the file, as JUnit viewers group by class). A
case fails when any of its findings is at or above --fail-on and not accepted: it then has exactly one
<failure>, which lists every such finding with what to do. Its other findings (below the threshold, or
accepted with their reason) are in its <system-out>. So ``failures`` counts failing resources and can
never exceed ``tests``. A finding about something that is not an input resource (a stale baseline entry)
gets a case of its own under its file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from converter.report.canonical import fails, where

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _xml(text: str) -> str:
    """Text XML 1.0 can carry (control characters become U+FFFD)."""
    return _NOT_XML.sub("\ufffd", text)


def _line(finding: dict[str, Any]) -> str:
    text = f"{where(finding)}: {finding['severity']} {finding['code']} {finding['path'] or '/'}: {finding['message']}"
    if finding.get("accepted"):
        text += f" [accepted ({finding['accepted']['source']}): {finding['accepted']['reason']}]"
    return text


def _case(suite: ET.Element, resource: str, file: str, line: int | None, status: str | None,
          findings: list[dict[str, Any]], fail_on: str) -> bool:
    """One test case; True when it fails."""
    case = ET.SubElement(suite, "testcase", {"name": _xml(resource), "classname": _xml(file), "file": _xml(file)})
    if line is not None:
        case.set("line", str(line))
    failing = [finding for finding in findings if fails(finding, fail_on)]
    others = [_line(finding) for finding in findings if not fails(finding, fail_on)]
    if failing:
        codes = ", ".join(dict.fromkeys(finding["code"] for finding in failing))
        failure = ET.SubElement(case, "failure", {
            "type": failing[0]["code"],
            "message": _xml(f"{len(failing)} finding(s) at or above --fail-on {fail_on}: {codes}"),
        })
        failure.text = _xml("".join(f"{_line(finding)}\n-> {finding['suggestion']}\n" for finding in failing))
    if status is not None:
        others.insert(0, f"status: {status}")
    if others:
        ET.SubElement(case, "system-out").text = _xml("\n".join(others) + "\n")
    return bool(failing)


def render(report: dict[str, Any], *, fail_on: str = "error", **_: Any) -> str:
    # (resource, file) -> [line, status, findings], in input order; then what only findings name
    cases: dict[tuple[str, str], list[Any]] = {}
    for source in report["resources"]:
        cases.setdefault((source["resource"], source["file"]), [source["line"], source["status"], []])
    for finding in report["findings"]:
        key = (finding["resource"], finding["file"])
        cases.setdefault(key, [finding["line"], None, []])[2].append(finding)
    by_file: dict[str, list[tuple[str, list[Any]]]] = {}
    for (resource, file), case in cases.items():
        by_file.setdefault(file, []).append((resource, case))

    root = ET.Element("testsuites", {"name": "k2ecs"})
    tests = failures = 0
    for file, members in by_file.items():
        suite = ET.SubElement(root, "testsuite", {"name": _xml(file), "file": _xml(file)})
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", {"name": "fail-on", "value": fail_on})
        failed = sum(_case(suite, resource, file, line, status, findings, fail_on)
                     for resource, (line, status, findings) in members)
        suite.set("tests", str(len(members)))
        suite.set("failures", str(failed))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        tests, failures = tests + len(members), failures + failed
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
