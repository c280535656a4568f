"""The report as SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).

One run; the driver's rules table is the whole code registry (title, explanation, what to do); one
result per finding with ruleId/ruleIndex, level, message and a physical location (file URI, start
line). Accepted findings carry a SARIF suppression (annotation: inSource, baseline: external) with
the reason as its justification. Validated against schemas/sarif-schema-2.1.0.json in the tests.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Optional
from urllib.parse import quote

from converter.core.code_info import CodeInfo
from converter.core.codes import CODES, help_uri, topic_uri
from converter.report.sarif_locations import Locator
from converter.core.topics import TOPICS

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule_name(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _rule(info: CodeInfo) -> dict[str, Any]:
    # The rules the code rests on: sections of docs/MAPPING.md, beside the code's own (helpUri).
    topics = [(TOPICS[key].title, topic_uri(key)) for key in info.topics]
    text = "".join(f"\n{title}: {uri}" for title, uri in topics)
    markdown = ", ".join(f"[{title}]({uri})" for title, uri in topics)
    return {
        "id": info.code,
        "name": _rule_name(info.title),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.explanation},
        "help": {
            "text": f"{info.explanation}\n\nWhat to do: {info.suggestion}" + (f"\n\nMapping rules:{text}" if text else ""),
            "markdown": f"**{info.title}**\n\n{info.explanation}\n\n**What to do:** {info.suggestion}"
                        + (f"\n\n**Mapping rules:** {markdown}" if markdown else ""),
        },
        "helpUri": help_uri(info.code),
        "defaultConfiguration": {"level": LEVELS[info.severity.label]},
        "properties": {"tags": ["k2ecs", info.severity.label]},
    }


def artifact_uri(file: str) -> tuple[str, bool]:
    """``(uri, relative)``: a relative URI reference for relative paths, a file: URI for absolute ones."""
    if PureWindowsPath(file).drive or file.startswith("/"):
        return Path(file).resolve().as_uri(), False
    posix = PurePosixPath(PureWindowsPath(file).as_posix()) if "\\" in file else PurePosixPath(file)
    text = str(posix)
    return quote(text[2:] if text.startswith("./") else text, safe="/-._~"), True


def _physical(finding: dict[str, Any], locate: Optional[Locator]) -> tuple[dict[str, Any], Optional[str]]:
    """The physicalLocation, and the rendered place when the finding was placed at a Helm chart file."""
    if locate is None:
        file, line, rendered_at = finding["file"], finding["line"], None
    else:
        placed = locate.place(finding["file"], finding["line"])
        file, line, rendered_at = placed.path, placed.line, placed.rendered_at
    uri, relative = artifact_uri(file)
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line is not None:
        physical["region"] = {"startLine": line}
    return physical, rendered_at


def fingerprint(finding: dict[str, Any]) -> str:
    """What makes a finding the same finding from run to run: its code, resource and JSON Pointer. Not the
    line (edits above it move it) and not the message (a k2ecs upgrade may reword it), so code scanning
    keeps one alert across both (GitHub matches results by partialFingerprints)."""
    identity = "\x1f".join((finding["code"], finding["resource"], finding["path"]))
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]


def _result(finding: dict[str, Any], index: dict[str, int], locate: Optional[Locator] = None) -> dict[str, Any]:
    physical, rendered_at = _physical(finding, locate)
    rendered = "" if rendered_at is None else f" (rendered at {rendered_at})"
    result: dict[str, Any] = {
        "ruleId": finding["code"],
        "level": LEVELS[finding["severity"]],
        "message": {"text": f"{finding['resource']} {finding['path'] or '/'}{rendered}: {finding['message']}\n"
                            f"What to do: {finding['suggestion']}"},
        "locations": [{
            "physicalLocation": physical,
            "logicalLocations": [{"name": finding["resource"], "fullyQualifiedName": finding["resource"] + finding["path"],
                                  "kind": "resource"}],
        }],
        "partialFingerprints": {"k2ecsFinding/v2": fingerprint(finding)},
        "properties": {"resource": finding["resource"], "path": finding["path"], "suggestion": finding["suggestion"]},
    }
    if finding["code"] in index:
        result["ruleIndex"] = index[finding["code"]]
    if finding.get("details"):
        result["properties"]["details"] = finding["details"]
    accepted = finding.get("accepted")
    if accepted:
        result["suppressions"] = [{
            "kind": "inSource" if accepted["source"] == "annotation" else "external",
            "status": "accepted",
            "justification": accepted["reason"],
        }]
    return result


def sarif_log(report: dict[str, Any], locate: Optional[Locator] = None) -> dict[str, Any]:
    rules = [_rule(info) for info in CODES.values()]
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "k2ecs",
                "version": report["version"],
                "semanticVersion": report["version"],
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": [_result(finding, index, locate) for finding in report["findings"]],
            "properties": {"summary": report["summary"]},
        }],
    }


def render(report: dict[str, Any], *, locate: Optional[Locator] = None, **_: Any) -> str:
    return json.dumps(sarif_log(report, locate), indent=2, ensure_ascii=False) + "\n"
