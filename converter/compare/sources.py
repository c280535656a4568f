"""What both input adapters do with a conversion's source records: findings per document, the catch-all section."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from converter.core.findings import Finding

OTHER = "other resources"
OTHER_RESOURCE = "documents of no converted workload"
REDACTED = "(value not shown)"
SHORTEST_EMBEDDED_SECRET = 4  # shorter secret values are replaced only where they are a whole value


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


class Redactor:
    """Replaces given secret values wherever compare would show them: a whole value, and (from
    SHORTEST_EMBEDDED_SECRET characters) inside a longer one, such as a URL a $(VAR) was expanded into.
    Each input adapter decides which values are secret; this is the one place that hides them."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self.values: set[str] = {value for value in values if value != ""}
        self.embedded = sorted((v for v in self.values if len(v) >= SHORTEST_EMBEDDED_SECRET), key=len, reverse=True)

    def text(self, value: str) -> str:
        if value in self.values:
            return REDACTED
        for secret in self.embedded:
            value = value.replace(secret, REDACTED)
        return value

    def data(self, node: Any) -> Any:
        if not self.values:
            return node
        if isinstance(node, dict):
            return {key: self.data(value) for key, value in node.items()}
        if isinstance(node, list):
            return [self.data(value) for value in node]
        if isinstance(node, str):
            return self.text(node)
        if not isinstance(node, bool) and isinstance(node, (int, float)) and str(node) in self.values:
            return REDACTED
        return node

    def touches(self, node: Any) -> bool:
        return bool(self.values) and self.data(node) != node

    def shows(self, text: str) -> bool:
        """Whether ``text`` (an input's own lines) holds one of the values anywhere."""
        return any(value in text for value in self.values)

    def finding(self, finding: Finding) -> Finding:
        if not self.values:
            return finding
        return replace(finding, message=self.text(finding.message), suggestion=self.text(finding.suggestion))
