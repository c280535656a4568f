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
from typing import Any
from urllib.parse import quote

from converter.codes import CODES, CodeInfo

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _rule_name(title: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", title))


def _rule(info: CodeInfo) -> dict[str, Any]:
    reference = f"\n\nReference: MAPPING {info.reference}" if info.reference else ""
    return {
        "id": info.code,
        "name": _rule_name(info.title),
        "shortDescription": {"text": info.title},
        "fullDescription": {"text": info.explanation},
        "help": {
            "text": f"{info.explanation}\n\nWhat to do: {info.suggestion}{reference}",
            "markdown": f"**{info.title}**\n\n{info.explanation}\n\n**What to do:** {info.suggestion}{reference}",
        },
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


def _result(finding: dict[str, Any], index: dict[str, int]) -> dict[str, Any]:
    uri, relative = artifact_uri(finding["file"])
    artifact: dict[str, Any] = {"uri": uri}
    if relative:
        artifact["uriBaseId"] = "%SRCROOT%"
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if finding["line"] is not None:
        physical["region"] = {"startLine": finding["line"]}
    identity = "\x1f".join((finding["code"], finding["resource"], finding["path"], finding["message"]))
    result: dict[str, Any] = {
        "ruleId": finding["code"],
        "level": LEVELS[finding["severity"]],
        "message": {"text": f"{finding['resource']} {finding['path'] or '/'}: {finding['message']}\n"
                            f"What to do: {finding['suggestion']}"},
        "locations": [{
            "physicalLocation": physical,
            "logicalLocations": [{"name": finding["resource"], "fullyQualifiedName": finding["resource"] + finding["path"],
                                  "kind": "resource"}],
        }],
        "partialFingerprints": {"k2ecsFinding/v1": hashlib.sha256(identity.encode("utf-8")).hexdigest()[:32]},
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


def sarif_log(report: dict[str, Any]) -> dict[str, Any]:
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
            "results": [_result(finding, index) for finding in report["findings"]],
            "properties": {"summary": report["summary"]},
        }],
    }


def render(report: dict[str, Any], **_: Any) -> str:
    return json.dumps(sarif_log(report), indent=2, ensure_ascii=False) + "\n"
