"""A document as k2ecs reads it: its data with the line of every key and item (Document), a JSON Pointer to a
place in it (pointer), and a document or file that could not be read (Unreadable, with its guessed Kind/name).
"""

from __future__ import annotations

import re
from operator import indexOf
from array import array
from dataclasses import dataclass, field
from typing import Any, Iterable

from converter.core.errors import InputError


# id() of each mapping and list of a file -> the line of each of its keys or items: an array in key or
# item order, the same packed into one int (packed_lines), or a dict from key to line (mappings with merged or
# many keys).
LineTable = dict[int, "array[int] | int | dict[Any, int]"]

PACKED_LINES = 16  # entries of up to this many lines are packed into an int by the loaders that pack


def packed_lines(lines: "array[int]") -> "int | array[int]":
    """A line table entry of a few lines as one int, line i in its bits 32i to 32i+31 (every line is at least 1,
    so the count is in its length): an array object weighs 64 bytes before its first line, an int of two
    lines 36, and most mappings and lists of a manifest or an ECS payload have one to three (issue 24).
    Longer entries stay arrays, whose items are read without a shift of a long int."""
    return int.from_bytes(lines.tobytes(), "little") if len(lines) <= PACKED_LINES else lines


def entry_lines(entry: Any) -> Any:
    """The lines of a line table entry in order (an array, or a dict's values), whatever its form."""
    if entry.__class__ is int:
        return array("I", entry.to_bytes(((entry.bit_length() + 31) >> 5) * 4, "little"))
    return entry.values() if entry.__class__ is dict else entry


@dataclass(frozen=True)
class Document:
    """One YAML document (or one item of a ``kind: List``), with its lines.

    ``prefix`` is the JSON Pointer path of ``data`` inside the document as written in the file
    (empty for a top-level document, ``("items", 3)`` for a List item). ``plain_keys``: every key of
    every mapping is a string (as parse_text reads every key: _string_key), so no path into it has a step
    that equals another of a different type (True and 1, 1.0 and 1).
    """

    file: str
    index: int
    data: Any
    line: int
    line_table: LineTable = field(repr=False, compare=False)
    prefix: tuple[Any, ...] = ()
    plain_keys: bool = field(default=False, compare=False)
    # keep_last: each duplicate key, as (path of its mapping relative to data, key, first line, line kept)
    duplicates: tuple[tuple[tuple[Any, ...], str, int, int], ...] = field(default=(), compare=False)

    def line_of(self, path: Iterable[Any]) -> int:
        """The line of the deepest node on ``path`` (relative to ``data``) that exists."""
        node = self.data
        line = self.line
        table = self.line_table
        for step in path:
            lines = table.get(id(node))
            if lines is None:
                break
            found = step_line(lines, node, step)
            if found is not None:
                line = found
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
        return line

    def child(self, path: tuple[Any, ...], data: Any) -> "Document":
        return Document(self.file, self.index, data, self.line_of(path), self.line_table, self.prefix + path,
                        self.plain_keys)

    def line_in(self, container: Any, step: Any) -> int | None:
        """The line of ``step`` in ``container`` (a mapping or list of this document), or None when it is
        not there: line_of's last step, for a caller that already holds the container."""
        lines = self.line_table.get(id(container))
        return None if lines is None else step_line(lines, container, step)


def step_line(lines: Any, container: Any, step: Any) -> int | None:
    """The line of ``step`` in ``container`` from its entry of the line table, or None when it is not there."""
    if lines.__class__ is dict:
        return lines.get(step)
    if lines.__class__ is int:
        count = (lines.bit_length() + 31) >> 5
        if isinstance(container, dict):
            try:
                index = indexOf(container, step)
            except ValueError:
                return None
            if index >= count:
                raise IndexError(index)  # as the array would: a key added to a mapping after it was loaded
        else:
            index = step if step.__class__ is int and 0 <= step < count else _list_index(step, count)
            if index is None:
                return None
        return (lines >> (index << 5)) & 0xFFFFFFFF
    if isinstance(container, dict):
        try:  # a short mapping: its lines are in key order
            return lines[indexOf(container, step)]
        except ValueError:
            return None
    if step.__class__ is int and 0 <= step < len(lines):
        return lines[step]
    index = _list_index(step, len(lines))
    return None if index is None else lines[index]


def _list_index(step: Any, length: int) -> int | None:
    """The list index ``step`` stands for, as a dict keyed by 0..length-1 would find it (True is 1)."""
    if step.__class__ is not int:
        try:
            index = int(step)
        except (TypeError, ValueError, OverflowError):
            return None
        if index != step:
            return None
        step = index
    return step if 0 <= step < length else None


def pointer(path: Iterable[Any]) -> str:
    """JSON Pointer (RFC 6901) for a path of keys and indexes."""
    parts = [str(step) for step in path]
    if not parts:
        return ""
    text = "/".join(parts)
    # Escaping is needed only when a step holds "~" or "/", which is rare: then every step is escaped.
    if "~" in text or text.count("/") >= len(parts):
        text = "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)
    return "/" + text


@dataclass(frozen=True)
class Unreadable:
    """A document, or a whole file, that could not be read (syntax, limits, not a mapping, NUL): with
    isolation it becomes one error finding in the report (K2E-E030) and the rest of the run converts."""

    error: InputError
    index: int | None = None  # the document's number in its file; None: the whole file
    guess: str | None = None  # "Kind/name", when the text shows them

    @property
    def file(self) -> str:
        return self.error.file or "<input>"


_GUESS_KIND = re.compile(r"^kind:[ \t]*[\'\"]?([A-Za-z][A-Za-z0-9]*)", re.M)
# An indented line is one blank or tab, then the rest: it splits one way. "[ \t]+.*\r?\n" split k leading blanks
# k ways, so n indented lines with no name under them were tried k^n ways (tests/test_regex_bounds.py).
_GUESS_NAME = re.compile(r"^metadata:[ \t]*\r?\n(?:[ \t][^\n]*\n)*?[ \t]+name:[ \t]*[\'\"]?([A-Za-z0-9][-A-Za-z0-9_.]*)", re.M)


def guess_resource(text: str) -> str | None:
    """"Kind/name" of a document that did not parse, from its top-level kind: and metadata.name lines."""
    kind = _GUESS_KIND.search(text)
    if kind is None:
        return None
    name = _GUESS_NAME.search(text)
    return f"{kind.group(1)}/{name.group(1) if name is not None else '(unnamed)'}"
