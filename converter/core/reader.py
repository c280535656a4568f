"""A view of one source document that records which paths the mapping consumed.

This is how k2ecs keeps its promise that nothing is dropped silently: a mapping reads fields through
``Reader.get``/``take`` (marking them consumed) or names them in a finding (``Reader.note``); after
parsing, ``Reader.finish`` reports every leaf that was neither with the catch-all code K2E-W901.
"""

from __future__ import annotations

from typing import Any, Iterator

from converter.core.document import Document, pointer
from converter.core.errors import DocumentError
from converter.core.findings import Finding, Origin, make_finding

Path = tuple[Any, ...]
_MISSING = object()
_ABSENT = object()  # Reader.parent when the container at Reader.parent_path is not in the document
# The JSON Pointer of each path met lately, for documents whose keys are all strings (Document.plain_keys),
# where a path's steps are strings and list indexes (the parsers' own and the document's): in any other,
# True would find the text of 1. Parsers read the same few hundred paths in every workload.
_POINTERS: dict[Path, str] = {}
_POINTERS_KEPT = 8192
_CONSUMED = object()  # in uncovered_paths' trie: this path was consumed whole

_TYPE_NAMES = {str: "a string", int: "an integer", bool: "a boolean", dict: "a mapping", list: "a list",
               float: "a number"}


# Integer fields Kubernetes declares as int64; every other integer field is int32, and the API server refuses
# a value that does not fit (a huge replicas count would otherwise reach an ECS payload as it is).
_INT64_FIELDS = frozenset({"runAsUser", "runAsGroup", "fsGroup", "supplementalGroups", "terminationGracePeriodSeconds",
                           "activeDeadlineSeconds", "deletionGracePeriodSeconds", "generation", "observedGeneration"})


def _describe(value: Any, sensitive: bool) -> str:
    if value is None:
        return "null"
    kind = _TYPE_NAMES.get(type(value), type(value).__name__)
    if sensitive or isinstance(value, (dict, list)):
        return kind
    if isinstance(value, int) and value.bit_length() > 128:  # repr() of a huge one raises (int_max_str_digits)
        return f"{kind} of {value.bit_length()} bits"
    text = repr(value)
    return f"{kind} {text if len(text) <= 40 else text[:37] + '...'}"


def _matches(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in types
    if float in types and isinstance(value, int):
        return True
    return isinstance(value, types)


def _walk(node: Any, path: Path, default: Any) -> Any:
    """The value at ``path`` under ``node``, or ``default``: keys of mappings and in-range indexes of lists only."""
    for step in path:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            return default
    return node


class Reader:
    # one per input document
    __slots__ = ("document", "resource", "sensitive", "consumed", "visited", "findings", "parent_path", "parent")

    def __init__(self, document: Document, resource: str, *, sensitive: bool = False) -> None:
        self.document = document
        self.resource = resource
        self.sensitive = sensitive  # a Secret: values never appear in messages
        self.consumed: set[Path] = set()
        self.visited: set[Path] = set()  # mappings and lists a parser looked into (unknown keys there are named exactly)
        self.findings: list[Finding] = []
        # The container raw() last reached and its path: parsers read a container's fields one after another,
        # and each read walked again from the document's root (the hottest code of a large conversion).
        self.parent_path: Path | None = None
        self.parent: Any = None

    # -- locating -------------------------------------------------------------------------------
    def origin(self, path: Path = ()) -> Origin:
        # Tens of origins per workload, most of them at a field next to the last one read: the line is
        # looked up in the container raw() last reached, and the pointer text is made once per path.
        document = self.document
        line = None
        if self.parent_path is not None and path and path[:-1] == self.parent_path:
            line = document.line_in(self.parent, path[-1])
        if line is None:
            line = document.line_of(path)
        if document.plain_keys and not document.prefix and path.__class__ is tuple:
            text = _POINTERS.get(path)
            if text is None:
                if len(_POINTERS) >= _POINTERS_KEPT:
                    _POINTERS.clear()
                text = _POINTERS[path] = pointer(path)
        else:
            text = pointer(document.prefix + tuple(path))
        return Origin.of(self.resource, document.file, line, text)

    def raw(self, path: Path, default: Any = None) -> Any:
        # The hot path of every parser (millions of calls in a large bundle): plain dicts and lists, as the
        # loader builds them, are indexed directly; anything else takes the general walk.
        parent_path = path[:-1]
        if parent_path == self.parent_path and parent_path:
            node = self.parent
            step = path[-1]
            if node.__class__ is dict:
                return node.get(step, default)
            if node.__class__ is list and step.__class__ is int and 0 <= step < len(node):
                return node[step]
            return _walk(node, path[-1:], default)
        node = self.document.data
        try:
            for step in parent_path:
                if node.__class__ is dict:
                    node = node[step]
                elif node.__class__ is list and step.__class__ is int and step >= 0:
                    node = node[step]
                else:
                    return _walk(self.document.data, path, default)
        except (KeyError, IndexError):
            # The parent is not in the document, so neither is anything under it: the fields read next in
            # it (a dozen of an absent securityContext, probe or resources) are answered above without a walk
            # from the root, through _walk(_ABSENT, ...), which finds nothing in it.
            if parent_path:
                self.parent_path, self.parent = parent_path, _ABSENT
            return default
        if not path:
            return node
        step = path[-1]
        if node.__class__ is dict:
            self.parent_path, self.parent = parent_path, node
            return node.get(step, default)
        if node.__class__ is list and step.__class__ is int:
            self.parent_path, self.parent = parent_path, node
            return node[step] if 0 <= step < len(node) else default
        return _walk(node, (step,), default)

    def has(self, path: Path) -> bool:
        parent_path = path[:-1]
        if parent_path == self.parent_path and parent_path and self.parent.__class__ is dict:
            return path[-1] in self.parent  # raw()'s first case, without its call (a few hundred per workload)
        return self.raw(path, _MISSING) is not _MISSING

    def present(self, path: Path, keys: tuple[str, ...]) -> list[str]:
        """The keys of ``keys`` that are in the mapping at ``path``, in the order of ``keys``: has() of each,
        read once (parsers name a dozen unmapped fields of a container, a pod or metadata this way)."""
        node = self.raw(path, _MISSING)
        if node.__class__ is dict:
            self.parent_path, self.parent = tuple(path), node  # the fields named next are in it
            return [key for key in keys if key in node]
        if isinstance(node, dict):  # a dict of another class: has() of each key finds what `in` finds
            return [key for key in keys if key in node]
        return []  # absent, a list or a scalar: has() of a key under it finds nothing

    # -- consuming ------------------------------------------------------------------------------
    def get(self, path: Path, *types: type, default: Any = None) -> Any:
        """The value at ``path`` (or ``default`` when absent or null), type-checked and marked consumed."""
        parent_path = path[:-1]
        if parent_path == self.parent_path and parent_path and self.parent.__class__ is dict:
            value = self.parent.get(path[-1], _MISSING)  # raw()'s first case, without its call (the hottest read)
        else:
            value = self.raw(path, _MISSING)
        if value is _MISSING or value is None:
            if value is None:
                self.consumed.add(tuple(path))
            return default
        if types and value.__class__ not in types and not _matches(value, types):  # the exact type: most reads
            self.wrong_type(path, value, types)
        # an int32's range fits every integer field: only a value outside it needs the field's own width
        if value.__class__ is int and not -2147483648 <= value < 2147483648 and int in types and float not in types:
            self.check_width(path, value)
        self.consumed.add(tuple(path))
        return value

    def wrong_type(self, path: Path, value: Any, types: tuple[type, ...]) -> None:
        """Fail: ``value`` at ``path`` is none of ``types`` (get's rare case, the check itself inline)."""
        wanted = " or ".join(_TYPE_NAMES.get(t, t.__name__) for t in types)
        self.fail(path, f"expected {wanted}, got {_describe(value, self.sensitive)}")

    def check_width(self, path: Path, value: int) -> None:
        """Fail when an integer outside int32's range does not fit its field's width either (get's rare case)."""
        bits = 64 if not _INT64_FIELDS.isdisjoint(tuple(path)[-2:]) else 32
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            self.fail(path, f"{_describe(value, self.sensitive)} is out of range: Kubernetes reads this field "
                            f"as a {bits}-bit integer")

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
        path = tuple(path)
        self.visited.add(path)
        if value.__class__ is dict:
            self.parent_path, self.parent = path, value  # its fields are read next
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
        path = tuple(path)
        self.visited.add(path)
        return self._items(path, value)

    def _items(self, path: Path, value: list[Any]) -> Iterator[tuple[Path, Any]]:
        plain = value.__class__ is list
        for index, item in enumerate(value):
            if plain:  # the list is the container reached: an item's origin, asked first, is found in it
                self.parent_path, self.parent = path, value
            yield path + (index,), item

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
        raise DocumentError(f"{self.resource} {where}: {message}", file=self.document.file,
                            line=self.document.line_of(path), path=tuple(path), detail=message)

    # -- reporting ------------------------------------------------------------------------------
    def note(self, path: Path, code: str, message: str, suggestion: str | None = None, *, covers: bool = True,
             **extra: Any) -> None:
        """Name a field (or subtree) in a finding; it then counts as accounted for.

        ``covers=False`` is for a finding about something that *was* mapped field by field: the subtree is
        not marked consumed, so an unknown field inside it still gets its own catch-all finding.
        """
        if covers:
            if self.consumed.__class__ is tuple:
                self.thaw()
            self.consumed.add(tuple(path))
        self.findings.append(make_finding(code, self.origin(path), message, suggestion, **extra))

    def freeze(self) -> None:
        """Between two spells of reading (the reverse conversion parses every document, then links and renders):
        the sets of paths read kept as tuples, a seventh of their size, until thaw(). finish() reads them as
        they are; note() thaws them; any other read in between must follow a thaw() (a tuple has no add)."""
        if self.consumed.__class__ is set:
            self.consumed, self.visited = tuple(self.consumed), tuple(self.visited)  # type: ignore[assignment]

    def thaw(self) -> None:
        """The sets of paths again, after freeze(): the same paths, for a spell of reading."""
        if self.consumed.__class__ is tuple:
            self.consumed, self.visited = set(self.consumed), set(self.visited)

    def finish(self, root: Path = ()) -> list[Finding]:
        """Catch-all findings for every field under ``root`` that no mapping consumed or named."""
        for path in uncovered_paths(self.raw(root), tuple(root), self.consumed, self.visited):
            self.findings.append(make_finding(
                "K2E-W901", self.origin(path),
                f"{pointer(self.document.prefix + path)} is not mapped and is not in the output",
            ))
        return self.findings

    @property
    def released(self) -> bool:
        """Whether release() was called: finish() ran, and this reader's findings are final."""
        return self.consumed is None

    def release(self) -> None:
        """After finish(), forget which paths were read and all of the document but the metadata of one
        that has a k2ecs.io/accept annotation.

        For a caller that asks nothing more of the reader than that (convert(release=True), for the CLI,
        whose review of k2ecs.io/accept annotations reads them with their lines). The sets of
        paths and the documents were most of a large conversion's memory. Consuming through this reader
        afterwards is a programming error, and fails at once.
        """
        self.consumed = self.visited = None  # type: ignore[assignment]
        self.parent_path = self.parent = None
        if not self.findings:  # most documents: one shared empty tuple, not an empty list each (issue 24)
            self.findings = NO_FINDINGS  # type: ignore[assignment]
        document = self.document
        data, lines = document.data, document.line_table
        kept: dict[Any, Any] = {}
        table: dict[int, Any] = {}
        metadata = data.get("metadata") if isinstance(data, dict) else None
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        if isinstance(annotations, dict) and _accept_annotation() in annotations:  # nothing else reads it later
            kept["metadata"] = metadata
            table[id(kept)] = {"metadata": document.line_of(("metadata",))}
            stack = [data["metadata"]]
            while stack:  # the lines of every mapping and list inside metadata, as they are
                node = stack.pop()
                if isinstance(node, (dict, list)) and id(node) in lines:
                    table[id(node)] = lines[id(node)]
                    stack.extend(node.values() if isinstance(node, dict) else node)
        # Most documents keep nothing: they all share one empty document (a large run has tens of thousands).
        self.document = Document(document.file, document.index, kept, document.line, table, document.prefix) if kept else _RELEASED


_RELEASED = Document("", 0, {}, 0, {})
NO_FINDINGS: tuple[Finding, ...] = ()  # a released reader's findings when it has none (immutable: shared)


def _accept_annotation() -> str:
    from converter.read.kubernetes.metadata import ACCEPT_ANNOTATION  # which imports this module

    return ACCEPT_ANNOTATION


def uncovered_paths(node: Any, path: Path, consumed: set[Path], visited: frozenset[Path] | set[Path] = frozenset()) -> list[Path]:
    """Paths not consumed: a leaf, or the highest subtree no mapping looked into (reported once, whole)."""
    # The paths parsers touched, as a trie: a path has a node when it was consumed, looked into, or lies
    # above such a path. Built and walked by plain functions, with no closure, so nothing here makes a
    # reference cycle (the cyclic GC is paused during a conversion: cli_common.conversion).
    trie: dict[Any, Any] = {}
    for paths, whole in ((consumed, True), (visited, False)):
        for item in paths:
            here = trie
            for step in item:
                child = here.get(step)
                if child is None:
                    child = here[step] = {}
                here = child
            if whole:
                here[_CONSUMED] = True
    marks: dict[Any, Any] | None = trie if trie or visited else None  # the root, like any path, only when touched
    for step in path:
        marks = None if marks is None else marks.get(step)
    result: list[Path] = []
    _uncovered(node, tuple(path), marks, result)
    return result


def _uncovered(value: Any, here: Path, marks: dict[Any, Any] | None, result: list[Path]) -> None:
    """Append to ``result`` what is not covered at or under ``here`` (``marks``: its trie node, or None)."""
    if marks is not None and _CONSUMED in marks:
        return
    if not isinstance(value, (dict, list)):
        result.append(here)
        return
    if not value:
        return  # an empty container carries nothing to lose
    if marks is None:  # nothing under it was looked at: reported once, whole
        result.append(here)
        return
    for key, child in value.items() if isinstance(value, dict) else enumerate(value):
        below = marks.get(key)
        if below is None and not isinstance(child, (dict, list)):
            result.append(here + (key,))  # an untouched leaf: the common case, without a call
        elif below is None or _CONSUMED not in below:
            _uncovered(child, here + (key,), below, result)
