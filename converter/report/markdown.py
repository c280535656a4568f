"""The report as GitHub-flavoured Markdown: a summary line and one table row per finding."""

from __future__ import annotations

from typing import Any

from converter.report.printable import escape_controls
from converter.report.canonical import where


def _cell(text: Any) -> str:
    # Line breaks become <br>; every other control character is shown escaped (converter.report.printable).
    lines = str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", "").split("\n")
    return "<br>".join(escape_controls(line) for line in lines)


def _code(text: str) -> str:
    return ("`" + escape_controls(text).replace("|", "\\|") + "`" if text and "`" not in text and "\n" not in text
            else _cell(text))


def render(report: dict[str, Any], **_: Any) -> str:
    s = report["summary"]
    accepted = f", {s['accepted']} accepted" if s.get("accepted") else ""
    lines = [
        "## k2ecs report",
        "",
        f"{s['workloads']} workload(s) converted from {s['resources']} resource(s): "
        f"**{s['errors']}** error(s), **{s['warnings']}** warning(s), {s['info']} info{accepted}.",
        "",
    ]
    if not report["findings"]:
        lines.append("No findings.")
        return "\n".join(lines) + "\n"
    lines += [
        "| Severity | Code | Resource | Where | Finding | What to do | Accepted |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for f in report["findings"]:
        accepted_cell = ""
        if f.get("accepted"):
            accepted_cell = f"{f['accepted']['source']}: {_cell(f['accepted']['reason'])}"
        lines.append(
            f"| {f['severity']} | {_code(f['code'])} | {_cell(f['resource'])} | "
            f"{_code(where(f))} {_code(f['path'] or '/')} | {_cell(f['message'])} | {_cell(f['suggestion'])} | "
            f"{accepted_cell} |")
    return "\n".join(lines) + "\n"
