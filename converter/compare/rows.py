"""The neutral CompareInput -> each workload's rows, with a status (the summaries: converter.compare.sections). Pure.

Rows follow the conversion's own record of what it read: a path the conversion consumed whole is one
row, a path it looked into is split into its children, and whatever it left untouched is one row (the
catch-all finding K2E-W901 names it). The field map may show a subtree as one row (an env entry, a
probe). Each finding joins the row whose path is the longest prefix of its own (and, when it names several
fields in ``paths``, each of their rows); a finding that names no row (a setting the source does not carry,
a fact about a whole resource) becomes a row of its own. Subtrees that are documents of their own (``nested``)
are left to those documents.
"""

from __future__ import annotations

import json
from dataclasses import replace
from sys import intern
from typing import Any, Iterator

from converter.compare.model import MISSING, NO_FIELD, FieldMap, Path, Row, SourceDocument, WorkloadInput
from converter.compare.paths import node_at as _at
from converter.compare.rules import NEEDS_INPUT, NOT_MAPPED, row_status, worse
from converter.core.document import pointer, step_line
from converter.core.jsontext import one_shot
from converter.core.findings import Finding

MAX_VALUE_CHARS = 2000  # the full text is in the source and payload panes
NOT_SET = "(not set)"
# json.dumps(value, ensure_ascii=False, separators=(", ", ": "), default=str), made once: json.dumps builds
# an encoder for each call given options, and rows show about two values each (issue 24).
# one_shot: the C encoder itself made once too (converter.core.jsontext).
_COMPACT = one_shot(json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "), default=str))
_SCALARS = {None: "null", True: "true", False: "false"}  # JSON's text of each (show)
WHOLE = ""  # the source value of a row about a whole document: its text is in the source pane


def workload_rows(workload: WorkloadInput, field_map: FieldMap, facts: dict[int, "_Facts"] | None = None) -> list[Row]:
    """``facts``: each source's facts by id(source), filled as sources are met (a document shared by several
    workloads is walked once); None: made afresh."""
    rows: list[Row] = []
    for source in workload.sources:
        known = None if facts is None else facts.get(id(source))
        if known is None:
            known = _facts(source, field_map)
            if facts is not None:
                facts[id(source)] = known
        rows.extend(_document_rows(source, workload, field_map, known))
    for finding in workload.findings:  # about no document of the input, e.g. a stale baseline entry
        rows.append(Row(status=row_status([finding], MISSING, True), source_resource=finding.resource,
                        source_file=finding.file, source_line=finding.line, source_field=finding.path,
                        source_value=NOT_SET, target_field=NO_FIELD, target_value="", findings=(finding,)))
    return rows


class _Facts:
    """What a source document's rows are, whatever workload shows it: each row's path, JSON Pointer, findings,
    whether the conversion read it, line and value (``rows``), and the findings that name no row (``loose``).
    Only the target side of a row depends on the workload (issue 24: a ConfigMap shared by several workloads
    was walked, pointed and written out again in each)."""

    __slots__ = ("rows", "loose", "source")

    def __init__(self, source: SourceDocument, rows: list[tuple[Path, str, tuple[Finding, ...], bool, int | None, str]],
                 loose: dict[str, list[Finding]]) -> None:
        self.source = source  # keeps id(source) this source's while the facts are kept
        self.rows = rows
        self.loose = loose


def _facts(source: SourceDocument, field_map: FieldMap) -> _Facts:
    above_consumed = _above(source.consumed, set())
    found_paths = _frontier_nodes(source, field_map, above_consumed)
    prefix = source.prefix
    pointers: dict[str, Path] = {}
    nodes: dict[str, Any] = {}
    lines: dict[str, int | None] = {}
    for path, node, line in found_paths:
        # Interned: the same field of each release's Deployment is the same pointer, kept once for every row.
        where = intern(pointer(prefix + path) if prefix else pointer(path))
        pointers[where] = path
        nodes[where] = node
        lines[where] = line
    attached: dict[str, list[Finding]] = {p: [] for p in pointers}
    loose: dict[str, list[Finding]] = {}
    for finding in source.findings:
        owner = _longest_prefix(finding.path, pointers)
        if owner is None:
            loose.setdefault(finding.path, []).append(finding)
        else:
            attached[owner].append(finding)
        # One finding about several fields (read-only fields, resource attributes) also explains each of them.
        for other in finding.extra.get("paths") or ():
            also = _longest_prefix(other, pointers) if isinstance(other, str) and other != finding.path else None
            if also is not None and also != owner and finding not in attached[also]:
                attached[also].append(finding)
    _explained(source, field_map, pointers, attached, loose)
    covered = _Covered(source.consumed, above_consumed)
    walked = source.lines is not None  # each row's line found by the walk (_Walk), as line_of finds it
    rows = []
    for where, path in pointers.items():
        found = attached[where]
        if not found and field_map.hidden(source, path):
            continue
        value = WHOLE if not path else show(nodes[where])
        line = lines[where] if walked else source.line_of(path)
        rows.append((path, where, tuple(found), covered(path), line, value))
    return _Facts(source, rows, loose)


def _document_rows(source: SourceDocument, workload: WorkloadInput, field_map: FieldMap, facts: _Facts) -> list[Row]:
    # Nothing of a document that was not converted reached the target, whatever the reader consumed.
    converted = source.status != "not-converted" and (workload.converted or not workload.is_workload)
    rows = []
    resource, file = source.resource, source.file
    for path, where, findings, covered, line, source_value in facts.rows:
        field, value = field_map.target(source, path, workload)
        if field.__class__ is str:
            field = intern(field)  # a target field is the same label row after row (see _facts' pointers)
        no_field = field == NO_FIELD or field.startswith("(")
        target_text = show(value) if value is not MISSING else ("" if no_field else NOT_SET)
        written = value is not MISSING or no_field
        if not written and not findings:
            reason = field_map.unset(source, path)
            if reason is not None:  # absent on the target, with the same meaning (privileged: false)
                written, target_text = True, f"{NOT_SET} {reason}"
        status = row_status(findings, value, covered, written)
        if not converted:
            status = worse(status, NOT_MAPPED)
        rows.append(Row(status=status, source_resource=resource, source_file=file, source_line=line,
                        source_field=where, source_value=source_value, target_field=field,
                        target_value=target_text, findings=findings))
    for where, found in facts.loose.items():
        for row in _finding_rows(source, workload, field_map, where, found):
            if not converted:
                row = replace(row, status=worse(row.status, NOT_MAPPED))
            same = next((i for i, other in enumerate(rows) if other.target_field == row.target_field
                         and other.status == NEEDS_INPUT and not other.findings), None)
            if same is None:
                rows.append(row)
            else:  # the finding explains the placeholder that row already shows
                other = rows[same]
                rows[same] = replace(other, findings=other.findings + row.findings,
                                     status=worse(other.status, row.status))
    return sorted(rows, key=_order)


def _order(row: Row) -> tuple[int, str]:
    return (row.source_line or 0, row.source_field)


def _explained(source: SourceDocument, field_map: FieldMap, pointers: dict[str, Path],
               attached: dict[str, list[Finding]], loose: dict[str, list[Finding]]) -> None:
    """Findings on an enclosing object (K2E-W206 on the container) join the rows their code explains.

    A finding's scope is the node at its path, or the node's parent when the source does not have the field
    (K2E-W621 names serviceAccountName when the pod spells it serviceAccount); the rows of its scope that its
    code explains, or else those of the whole document (K2E-W512 on the metrics explains the HPA's name, which
    no policy carries)."""
    explained: dict[str, list[str]] = {}  # code -> the rows it explains: the same for each finding of the code
    by_code: dict[str, list[str]] | None = None  # code -> the rows whose pair names it, in the rows' order
    for where in list(loose):
        path = _relative(where, source.prefix)
        if path is None:
            continue
        scope = path if path == () or _at(source.data, path) is not None else path[:-1]
        kept = []
        for finding in loose[where]:
            rows = explained.get(finding.code)
            if rows is None:
                if by_code is None:  # each row's pair asked once, not once per code (issue 24)
                    by_code = _by_code(source, field_map, pointers)
                # A row whose absent target means the same (privileged: false) is not what a sibling's finding is
                # about.
                rows = explained[finding.code] = [
                    p for p in by_code.get(finding.code, ()) if field_map.unset(source, pointers[p]) is None]
            # Within the finding's scope (its container) when a row there is explained; else the document's.
            rows = [p for p in rows if pointers[p][: len(scope)] == scope] or rows
            for row in rows:
                attached[row].append(finding)
            if not rows:
                kept.append(finding)
        if kept:
            loose[where] = kept
        else:
            del loose[where]


def _by_code(source: SourceDocument, field_map: FieldMap, pointers: dict[str, Path]) -> dict[str, list[str]]:
    """Code -> the rows (pointers, in order) whose field map entry names the code (FieldMap.explained)."""
    by_code: dict[str, list[str]] = {}
    for where, path in pointers.items():
        for code in field_map.explained(source, path):
            rows = by_code.setdefault(code, [])
            if not rows or rows[-1] != where:  # a code named twice by one entry is one row
                rows.append(where)
    return by_code


def _longest_prefix(where: str, pointers: dict[str, Path]) -> str | None:
    candidate = where
    while True:
        if candidate in pointers:
            return candidate
        if candidate == "":
            return None
        candidate = candidate.rsplit("/", 1)[0] if "/" in candidate else ""


class _Covered:
    """Whether the conversion read a row's field (itself, a field above it, or a field inside it), for the rows
    of one document: a set lookup per step of the path, where looking through every consumed path for each row
    made the rows of a document quadratic in its size.

    A field inside a row that nobody read has its own K2E-W901 finding, which decides the status.
    """

    __slots__ = ("consumed", "inside")

    def __init__(self, consumed: frozenset[Path], above_consumed: set[Path]) -> None:
        self.consumed = consumed
        # Every consumed path and each path above one: a row there has a consumed field inside it (or is one).
        self.inside = above_consumed | consumed

    def __call__(self, path: Path) -> bool:
        if path in self.inside:
            return True
        consumed = self.consumed
        return any(path[:depth] in consumed for depth in range(len(path)))


def _above(paths: frozenset[Path], into: set[Path], itself: bool = False) -> set[Path]:
    """``into`` with every path above one of ``paths`` (and each of them, when ``itself``). A path's prefixes are
    added longest first, down to the first already there: everything above it is there too (issue 24: adding
    each prefix of each visited path again was most of the frontier's time)."""
    for item in paths:
        if itself and item not in into:
            into.add(item)
        for depth in range(len(item) - 1, -1, -1):
            above = item[:depth]
            if above in into:
                break
            into.add(above)
    return into


def _frontier_nodes(source: SourceDocument, field_map: FieldMap,
                    above_consumed: set[Path]) -> list[tuple[Path, Any, int | None]]:
    """Row paths, each with the node there and its line (None when ``source.lines`` is None): consumed whole, a
    unit of the field map, or left untouched; split where the conversion looked in. In the order of the
    document (depth first). ``above_consumed``: every path above a consumed one (_above)."""
    walk = _Walk(source, field_map, above_consumed)
    if source.lines is None:
        walk.node(source.data, (), None, False)
    else:
        line, walk.table = source.lines
        walk.node(source.data, (), line, True)
    return walk.out


class _Walk:
    """The frontier walk's state. A class rather than a function nested in _frontier_nodes: a nested function
    that calls itself is a reference cycle, which kept every document's sets and paths alive while compare runs
    with the cyclic GC paused (cli_common.built_without_gc)."""

    __slots__ = ("source", "field_map", "consumed", "nested", "above_consumed", "looked_into", "around_nested", "out",
                 "table")

    def __init__(self, source: SourceDocument, field_map: FieldMap, above_consumed: set[Path]) -> None:
        self.source = source
        self.field_map = field_map
        self.consumed = source.consumed
        self.nested = source.nested
        self.above_consumed = above_consumed
        self.looked_into = _above(source.visited, set(above_consumed), itself=True)
        self.around_nested = _above(source.nested, set())
        self.out: list[tuple[Path, Any, int | None]] = []
        self.table: Any = None  # the document's line table (source.lines), when the walk finds the lines

    def node(self, node: Any, path: Path, line: int | None, lined: bool) -> None:
        """``line``: the line of ``node`` as Document.line_of finds it for ``path``; ``lined``: whether line_of
        would look further down (it stops at the first container the line table does not know)."""
        container = isinstance(node, (dict, list))
        if container and not node:
            return  # an empty container carries nothing
        if self.nested and path in self.nested:
            return
        if container and path in self.around_nested:
            self._children(node, path, line, lined)
            return
        if path and self.field_map.unit(self.source, path):
            self.out.append((path, node, line))
        elif path in self.consumed and path not in self.above_consumed:
            self.out.append((path, node, line))  # taken whole (a label map, a referenced document)
        elif container and path in self.looked_into:
            self._children(node, path, line, lined)
        else:
            self.out.append((path, node, line))

    def _children(self, node: Any, path: Path, line: int | None, lined: bool) -> None:
        # Document.line_of's step, one level down: the line of the key or item when the table has it, else the
        # line above; below a container the table does not know, the line above for good.
        lines = self.table.get(id(node)) if lined else None
        if lines is None:
            for key, child in (node.items() if isinstance(node, dict) else enumerate(node)):
                self.node(child, path + (key,), line, False)
            return
        for key, child in (node.items() if isinstance(node, dict) else enumerate(node)):
            found = step_line(lines, node, key)
            self.node(child, path + (key,), line if found is None else found, True)


def _finding_rows(source: SourceDocument, workload: WorkloadInput, field_map: FieldMap, where: str,
                  findings: list[Finding]) -> Iterator[Row]:
    """Findings that name no row: one row per ECS field they land on."""
    path = _relative(where, source.prefix)
    node = _at(source.data, path) if path is not None else None
    value = WHOLE if path == () else NOT_SET if node is None else show(node)
    groups: dict[str, tuple[Any, list[Finding]]] = {}
    for finding in findings:
        field, target = NO_FIELD, MISSING
        if path:
            field, target = field_map.target(source, path, workload)
        if field == NO_FIELD:
            field, target = field_map.code_target(finding.code, workload) or (NO_FIELD, MISSING)
        groups.setdefault(field, (target, []))[1].append(finding)
    for field, (target, found) in groups.items():
        yield Row(status=row_status(found, target, True), source_resource=source.resource, source_file=source.file,
                  source_line=found[0].line, source_field=where, source_value=value, target_field=field,
                  target_value=show(target) if target is not MISSING else "", findings=tuple(found))


def _relative(where: str, prefix: Path) -> Path | None:
    parts = tuple(p.replace("~1", "/").replace("~0", "~") for p in where[1:].split("/")) if where else ()
    if tuple(str(p) for p in prefix) != parts[: len(prefix)]:
        return None
    return tuple(int(p) if p.isdigit() else p for p in parts[len(prefix):])


def show(value: Any) -> str:
    """One value as text: strings as they are, everything else as compact JSON, cut at MAX_VALUE_CHARS."""
    if isinstance(value, str):
        text = value
    elif value.__class__ is int:  # what the encoder writes for an int (int.__repr__), without its call per value
        text = int.__repr__(value)
    elif value is None or value is True or value is False:
        text = _SCALARS[value]
    else:
        text = _COMPACT(value)
    if len(text) > MAX_VALUE_CHARS:
        text = text[:MAX_VALUE_CHARS] + f"... ({len(text) - MAX_VALUE_CHARS} more characters)"
    return text
