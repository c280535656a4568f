"""Pull-request annotations from a k2ecs SARIF report: one GitHub workflow command per result that is not
suppressed (accepted), at its file and line. Standard library only: it runs with the runner's Python.

Workflow commands: docs.github.com, "Workflow commands for GitHub Actions" (::error file=,line=,title=::).
Their data escapes %, CR and LF; property values also escape : and , (actions/toolkit, command.ts).
"""

from __future__ import annotations

import json
import sys
from urllib.parse import unquote

LEVELS = {"error": "error", "warning": "warning", "note": "notice"}
MAX_ANNOTATIONS = 50  # GitHub shows at most 50 annotations of a kind per step; the SARIF upload has them all


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def commands(log: dict) -> list[str]:
    lines = []
    for run in log.get("runs", []):
        for result in run.get("results", []):
            if result.get("suppressions"):
                continue
            physical = (result.get("locations") or [{}])[0].get("physicalLocation", {})
            uri = physical.get("artifactLocation", {}).get("uri", "")
            line = physical.get("region", {}).get("startLine")
            fields = []
            if uri and ":" not in uri.split("/")[0]:  # a path in the repository (not a file: URI outside it)
                fields.append(f"file={_property(unquote(uri))}")
                if line:
                    fields.append(f"line={line}")
            fields.append(f"title={_property(result.get('ruleId', 'k2ecs'))}")
            level = LEVELS.get(result.get("level", "warning"), "warning")
            lines.append(f"::{level} {','.join(fields)}::{_data(result.get('message', {}).get('text', ''))}")
    return lines[:MAX_ANNOTATIONS]


def main(path: str) -> int:
    with open(path, encoding="utf-8") as handle:
        log = json.load(handle)
    for line in commands(log):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
