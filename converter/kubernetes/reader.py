"""A view of one source document that records which paths the mapping consumed.

This is how k2ecs keeps its promise that nothing is dropped silently: a mapping reads fields through
``Reader.get``/``take`` (marking them consumed) or names them in a finding (``Reader.note``); after
parsing, ``Reader.finish`` reports every leaf that was neither with the catch-all code K2E-W901.
"""

from __future__ import annotations

from typing import Any, Iterator

from converter.errors import InputError
from converter.findings import Finding, Origin, make_finding
from converter.loader import Document, pointer

Path = tuple[Any, ...]
_MISSING = object()

_TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean", dict: "a mapping", list: "a list",
               float: "a number"}


def _describe(value: Any, sensitive: bool) -> str:
    if value is None:
        return "null"
    kind = _TYPE_NAMES.get(type(value), type(value).__name__)
    if sensitive or isinstance(value, (dict, list)):
        return kind
    text = repr(value)
    return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"


def _matches(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in types
    if float in types and isinstance(value, int):
        return True
    return isinstance(value, types)


class Reader:
    def __init__(self, document: Document, resource: str, *, sensitive: bool = False) -> None:
        self.document = document
        self.resource = resource
        self.sensitive = sensitive  # a Secret: values never appear in messages
        self.consumed: set[Path] = set()
        self.visited: set[Path] = set()  # mappings and lists a parser looked into (unknown keys there are named exactly)
        self.findings: list[Finding] = []

    # -- locating -------------------------------------------------------------------------------
    def origin(self, path: Path = ()) -> Origin:
        return Origin(
            resource=self.resource,
            file=self.document.file,
            line=self.document.line_of(path),
            path=pointer(self.document.prefix + tuple(path)),
        )

    def raw(self, path: Path, default: Any = None) -> Any:
        node = self.document.data
        for step in path:
            if isinstance(node, dict) and step in node:
                node = node[step]
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                node = node[step]
            else:
                return default
        return node

    def has(self, path: Path) -> bool:
        return self.raw(path, _MISSING) is not _MISSING

    # -- consuming ------------------------------------------------------------------------------
    def get(self, path: Path, *types: type, default: Any = None) -> Any:
        """The value at ``path`` (or ``default`` when absent or null), type-checked and marked consumed."""
        value = self.raw(path, _MISSING)
        if value is _MISSING or value is None:
            if value is None:
                self.consumed.add(tuple(path))
            return default
        if types and not _matches(value, types):
            wanted = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
            self.fail(path, f"expected {wanted}, got {_describe(value, self.sensitive)}")
        self.consumed.add(tuple(path))
        return value

    def take(self, path: Path) -> Any:
        """The whole subtree at ``path``, marked consumed (for values carried as a unit)."""
        self.consumed.add(tuple(path))
        return self.raw(path)

    def mapping(self, path: Path) -> dict[Any, Any]:
        """A mapping to read field by field (not itself consumed); {} when absent."""
        value = self.raw(path, _MISSING)
        if value is _MISSING or value is None:
            if value is None:
                self.consumed.add(tuple(path))
            return {}
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping, got {_describe(value, self.sensitive)}")
        self.visited.add(tuple(path))
        return value

    def sequence(self, path: Path) -> Iterator[tuple[Path, Any]]:
        """``(item path, item)`` for each item of a list (the list itself is not consumed)."""
        value = self.raw(path, _MISSING)
        if value is _MISSING or value is None:
            if value is None:
                self.consumed.add(tuple(path))
            return iter(())
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {_describe(value, self.sensitive)}")
        self.visited.add(tuple(path))
        return ((tuple(path) + (index,), item) for index, item in enumerate(value))

    def string_map(self, path: Path) -> dict[str, str]:
        """A map of string to string (labels, annotations, selectors, ConfigMap data), consumed whole."""
        value = self.mapping(path)
        result: dict[str, str] = {}
        for key, item in value.items():
            if isinstance(item, bool) or not isinstance(item, (str, int, float)) or not isinstance(key, str):
                self.fail(tuple(path) + (key,), f"expected a string value, got {_describe(item, self.sensitive)}")
            result[key] = str(item)
        if value:
            self.consumed.add(tuple(path))
        return result

    def fail(self, path: Path, message: str) -> None:
        where = pointer(tuple(path)) or "/"
        raise InputError(f"{self.resource} {where}: {message}", file=self.document.file,
                         line=self.document.line_of(path))

    # -- reporting ------------------------------------------------------------------------------
    def note(self, path: Path, code: str, message: str, suggestion: str | None = None, *, covers: bool = True,
             **extra: Any) -> None:
        """Name a field (or subtree) in a finding; it then counts as accounted for.

        ``covers=False`` is for a finding about something that *was* mapped field by field: the subtree is
        not marked consumed, so an unknown field inside it still gets its own catch-all finding.
        """
        if covers:
            self.consumed.add(tuple(path))
        self.findings.append(make_finding(code, self.origin(path), message, suggestion, **extra))

    def finish(self, root: Path = ()) -> list[Finding]:
        """Catch-all findings for every field under ``root`` that no mapping consumed or named."""
        for path in uncovered_paths(self.raw(root), tuple(root), self.consumed, self.visited):
            self.findings.append(make_finding(
                "K2E-W901", self.origin(path),
                f"{pointer(self.document.prefix + path)} is not mapped and is not in the output",
            ))
        return self.findings


def uncovered_paths(node: Any, path: Path, consumed: set[Path], visited: frozenset[Path] | set[Path] = frozenset()) -> list[Path]:
    """Paths not consumed: a leaf, or the highest subtree no mapping looked into (reported once, whole)."""
    touched: set[Path] = set()
    for item in consumed:
        for depth in range(len(item)):
            touched.add(item[:depth])
    for item in visited:
        for depth in range(len(item) + 1):
            touched.add(item[:depth])
    result: list[Path] = []

    def walk(value: Any, here: Path) -> None:
        if here in consumed:
            return
        if isinstance(value, (dict, list)):
            if not value:
                return  # an empty container carries nothing to lose
            if here not in touched:
                result.append(here)
                return
            children = value.items() if isinstance(value, dict) else enumerate(value)
            for key, child in children:
                walk(child, here + (key,))
        else:
            result.append(here)

    walk(node, path)
    return result
