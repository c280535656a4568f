"""The one canonical report of a run, and its views (text, JSON). Schema: schemas/report.schema.json."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from converter import __version__
from converter.findings import Finding, Severity

FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "never": None}


def build_report(findings: list[Finding], sources: list[Any], outputs: list[Any]) -> dict[str, Any]:
    counts = Counter(f.severity.label for f in findings)
    return {
        "tool": "k2ecs",
        "version": __version__,
        "summary": {
            "resources": len(sources),
            "converted": sum(1 for s in sources if s.status == "converted"),
            "workloads": len(outputs),
            "errors": counts.get("error", 0),
            "warnings": counts.get("warning", 0),
            "info": counts.get("info", 0),
        },
        "resources": [
            {"resource": s.resource, "file": s.file, "line": s.line, "status": s.status} for s in sources
        ],
        "outputs": [
            {"resource": o.resource, "name": o.name,
             "files": [f"{o.name}.taskdef.json", f"{o.name}.service.json"] + ([f"{o.name}.scaling.json"] if o.scaling else [])}
            for o in outputs
        ],
        "findings": [f.as_dict() for f in findings],
    }


def exceeds(findings: list[Finding], fail_on: str) -> bool:
    threshold = FAIL_ON[fail_on]
    return threshold is not None and any(f.severity >= threshold for f in findings)


def render_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def render_text(report: dict[str, Any]) -> str:
    lines = []
    for f in report["findings"]:
        where = f["file"] if f["line"] is None else f"{f['file']}:{f['line']}"
        lines.append(f"{where}: {f['severity']} {f['code']} {f['resource']} {f['path'] or '/'}: {f['message']}")
        lines.append(f"    -> {f['suggestion']}")
    s = report["summary"]
    lines.append(
        f"k2ecs: {s['workloads']} workload(s) converted from {s['resources']} resource(s); "
        f"{s['errors']} error(s), {s['warnings']} warning(s), {s['info']} info"
    )
    return "\n".join(lines) + "\n"


RENDERERS = {"text": render_text, "json": render_json}
