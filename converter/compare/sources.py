"""What both input adapters do with a conversion's source records: findings per document, the catch-all section."""

from __future__ import annotations

import re
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
    Each input adapter decides which values are secret; this is the one place that hides them.

    The embedded values are found by one regular expression shaped as a trie of them, so a text is read once
    whatever the number of values (a str.replace per value made compare --html four times slower over 1,500
    workloads with one flagged value each), and at each position the longest value matches."""

    def __init__(self, values: Iterable[str] = ()) -> None:
        self.values: set[str] = {value for value in values if value != ""}
        embedded = {value for value in self.values if len(value) >= SHORTEST_EMBEDDED_SECRET}
        self.short = self.values - embedded
        self.pattern = re.compile(_trie_pattern(embedded)) if embedded else None

    def text(self, value: str) -> str:
        if value in self.values:
            return REDACTED
        return value if self.pattern is None else self.pattern.sub(REDACTED, value)

    def data(self, node: Any) -> Any:
        """``node`` with the values replaced; ``node`` itself (the same object) where it holds none of them."""
        if not self.values:
            return node
        if isinstance(node, dict):
            changed = {key: new for key, value in node.items() if (new := self.data(value)) is not value}
            return node if not changed else {key: changed[key] if key in changed else value
                                             for key, value in node.items()}
        if isinstance(node, list):
            items = [self.data(value) for value in node]
            return node if all(new is old for new, old in zip(items, node)) else items
        if isinstance(node, str):
            text = self.text(node)
            return node if text == node else text
        if not isinstance(node, bool) and isinstance(node, (int, float)) and str(node) in self.values:
            return REDACTED
        return node

    def touches(self, node: Any) -> bool:
        return self.data(node) is not node

    def shows(self, text: str) -> bool:
        """Whether ``text`` (an input's own lines) holds one of the values anywhere."""
        if self.pattern is not None and self.pattern.search(text) is not None:
            return True
        return any(value in text for value in self.short)

    def finding(self, finding: Finding) -> Finding:
        if not self.values:
            return finding
        return replace(finding, message=self.text(finding.message), suggestion=self.text(finding.suggestion))


def _trie_pattern(values: Iterable[str]) -> str:
    """A regular expression matching any of ``values``, the longest one at a position, as a trie (each
    position costs the length of the values that start like the text there, not their number)."""
    trie: dict[str, Any] = {}
    for value in values:
        node = trie
        for char in value:
            node = node.setdefault(char, {})
        node[""] = {}  # the end of a value

    def pattern(node: dict[str, Any]) -> str:
        branches = [_chain(char, child) for char, child in sorted(node.items()) if char != ""]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a value ends here, and longer ones go on: try them first (greedy)
            return ("(?:" + body + ")?") if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    def _chain(char: str, child: dict[str, Any]) -> str:
        # A run of characters with no branch and no end is written as one literal, without recursing: a
        # private key is thousands of characters long, deeper than Python's recursion limit.
        literal = [char]
        while len(child) == 1 and "" not in child:
            (char, child), = child.items()
            literal.append(char)
        return re.escape("".join(literal)) + pattern(child)

    return pattern(trie)
