"""What both input adapters do with a conversion's source records: findings per document, the catch-all section."""

from __future__ import annotations

from typing import Any, Iterable

from converter.core.findings import Finding

OTHER = "other resources"
OTHER_RESOURCE = "documents of no converted workload"
REDACTED = "(value not shown)"


def findings_by_source(findings: Iterable[Finding], records: list[Any]) -> dict[int, list[Finding]]:
    """Each finding under the index of its document; -1 for findings about no document (a baseline file)."""
    by_key: dict[tuple[str, str], list[int]] = {}
    for index, record in enumerate(records):
        by_key.setdefault((record.resource, record.file), []).append(index)
    owned: dict[int, list[Finding]] = {}
    for finding in findings:
        candidates = by_key.get((finding.resource, finding.file), [])
        if not candidates:
            owned.setdefault(-1, []).append(finding)
            continue
        # Same resource twice in one file (K2E-E007): the document that starts last before the finding's line.
        before = [i for i in candidates if finding.line is None or records[i].line <= finding.line]
        owned.setdefault(before[-1] if before else candidates[0], []).append(finding)
    return owned
