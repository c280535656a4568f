"""The report as JUnit XML (CI test tabs).

Suite "k2ecs: converted resources" has one test case per converted resource; every finding about it at
or above --fail-on that is not accepted is a <failure>, and the other findings (below the threshold, or
accepted with their reason) are listed in its <system-out>. Findings about anything else (kinds not
converted, referenced objects, stale baseline entries) get one test case per resource in a second suite,
"k2ecs: other inputs", present only when there are such findings.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from converter.report import fails, where

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
CONVERTED_SUITE = "k2ecs: converted resources"
OTHER_SUITE = "k2ecs: other inputs"


def _xml(text: str) -> str:
    """Text XML 1.0 can carry (control characters become U+FFFD)."""
    return _NOT_XML.sub("\ufffd", text)


def _line(finding: dict[str, Any]) -> str:
    text = f"{where(finding)}: {finding['severity']} {finding['code']} {finding['path'] or '/'}: {finding['message']}"
    if finding.get("accepted"):
        text += f" [accepted ({finding['accepted']['source']}): {finding['accepted']['reason']}]"
    return text


def _case(suite: ET.Element, resource: str, file: str, line: int | None, findings: list[dict[str, Any]],
          fail_on: str) -> int:
    case = ET.SubElement(suite, "testcase", {"name": _xml(resource), "classname": _xml(file), "file": _xml(file)})
    if line is not None:
        case.set("line", str(line))
    failures = 0
    others = []
    for finding in findings:
        if fails(finding, fail_on):
            failures += 1
            failure = ET.SubElement(case, "failure", {"type": finding["code"], "message": _xml(finding["message"])})
            failure.text = _xml(f"{_line(finding)}\n-> {finding['suggestion']}\n")
        else:
            others.append(_line(finding))
    if others:
        ET.SubElement(case, "system-out").text = _xml("\n".join(others) + "\n")
    return failures


def _suite(root: ET.Element, name: str, cases: list[tuple[str, str, int | None, list[dict[str, Any]]]],
           fail_on: str) -> tuple[int, int]:
    suite = ET.SubElement(root, "testsuite", {"name": name})
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", {"name": "fail-on", "value": fail_on})
    failures = sum(_case(suite, *case, fail_on) for case in cases)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    return len(cases), failures


def render(report: dict[str, Any], *, fail_on: str = "error", **_: Any) -> str:
    by_source: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for finding in report["findings"]:
        by_source.setdefault((finding["resource"], finding["file"]), []).append(finding)
    converted = []
    seen: set[tuple[str, str]] = set()
    for source in report["resources"]:
        key = (source["resource"], source["file"])
        if source["status"] == "converted" and key not in seen:
            seen.add(key)
            converted.append((source["resource"], source["file"], source["line"], by_source.get(key, [])))
    lines = {(s["resource"], s["file"]): s["line"] for s in report["resources"]}
    other = [(resource, file, lines.get((resource, file), findings[0]["line"]), findings)
             for (resource, file), findings in by_source.items() if (resource, file) not in seen]

    root = ET.Element("testsuites", {"name": "k2ecs"})
    tests, failures = _suite(root, CONVERTED_SUITE, converted, fail_on)
    if other:
        more_tests, more_failures = _suite(root, OTHER_SUITE, other, fail_on)
        tests, failures = tests + more_tests, failures + more_failures
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
