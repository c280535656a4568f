"""k2ecs's own report.json among ECS input (``convert --to k8s`` on a ``-o`` folder), recognised by the json
module instead of the YAML loader.

The reverse conversion reads nothing of a report but that it is one (K2E-I703 at its first line,
converter.pipeline.reverse._report). Read through the YAML loader it was half of ``--to k8s`` at 1 MB of input,
and past some 5,400 workloads the report (12 KB a workload) passed the 64 MB bound on an input file, so
k2ecs refused its own output folder (issue 24 item 2). A report is JSON that k2ecs wrote with "tool"
first (converter.report.canonical.build_report), so a file whose text starts that way is parsed with json,
under the bound output_guard uses for the same file (``report-file-bytes``), keeping only "tool" and
"version". Anything else about it (not JSON, a duplicate key, another shape, over that bound) sends it
down the ordinary path, which reports what it reported before.
"""

from __future__ import annotations

import json
import re
from typing import Any

from converter.core.document import Document
from converter.write.output_guard import MAX_REPORT_BYTES

HEAD_BYTES = 256
# The opening that converter.report.canonical writes: {"tool": "k2ecs", ... (indented or not). JSON's whitespace only.
_REPORT_HEAD = re.compile(rb'[ \t\r\n]*\{[ \t\r\n]*"tool"[ \t\r\n]*:[ \t\r\n]*"k2ecs"')
_KEPT = ("tool", "version")


class _DuplicateKey(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # The YAML path refuses a duplicate key in ECS input (cfn-lint does too): so does this one, by falling back.
    # Only "tool" and "version" are kept, of every object: nothing else of a report is read, and a large
    # report's findings as dicts would weigh several times its text.
    if len({key for key, _ in pairs}) != len(pairs):
        raise _DuplicateKey
    return {key: value for key, value in pairs if key in _KEPT}


def read_own_report(path: str) -> Document | None:
    """The report at ``path`` as a Document (its data: tool and version; its line: that of the opening
    brace, as the YAML loader gives it), or None when it is not plainly a k2ecs report."""
    try:
        with open(path, "rb") as handle:
            if not _REPORT_HEAD.match(handle.read(HEAD_BYTES)):
                return None
            handle.seek(0)
            raw = handle.read(MAX_REPORT_BYTES + 1)
    except OSError:
        return None
    if len(raw) > MAX_REPORT_BYTES:
        return None
    try:
        data = json.loads(raw.decode("utf-8"), object_pairs_hook=_pairs)
    except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return None
    if not (isinstance(data, dict) and data.get("tool") == "k2ecs" and isinstance(data.get("version"), str)):
        return None
    blank = raw[:len(raw) - len(raw.lstrip(b" \t\r\n"))]
    # YAML's line breaks: \r\n, \n and a lone \r each end a line.
    line = 1 + blank.count(b"\n") + blank.count(b"\r") - blank.count(b"\r\n")
    return Document(path, 0, data, line, {}, plain_keys=True)
