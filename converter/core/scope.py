"""A Reader's view of one container of its document: its fields read by key, the container found once.

Parsers read a container's fields one after another (a container's name, image, ports, probes...). Through
``Reader.get`` each read is a whole path: sliced, compared with the container the reader reached last, and
walked again from the document's root when the parsers had gone into a list or another mapping between two
reads of the same container (two reads in three, issue 24). A Scope holds the container it stands for, so a
read is one dict lookup. What it records is exactly what the Reader's call with the full path records: the
same path in ``consumed`` and ``visited``, the same findings with the same origins, the same errors
(tests/test_reader_scope.py replays each method both ways), since compare's rows and the catch-all walk are
made from those sets.
"""

from __future__ import annotations

from typing import Any, Iterator

from converter.core.findings import Origin
from converter.core.reader import _MISSING, Path, Reader, _matches


_FIND = object()  # Scope(): the node is found by Reader.raw


class Scope:
    # short-lived: one per container a parser reads (a pod spec, a container, a probe, a port...)
    __slots__ = ("reader", "path", "node", "consumed")

    def __init__(self, reader: Reader, path: Path, node: Any = _FIND) -> None:
        self.reader = reader
        self.path = path = tuple(path)
        # what Reader.raw finds at the path; _MISSING when it is not in the document (nothing is under it)
        self.node = reader.raw(path, _MISSING) if node is _FIND else node
        self.consumed = reader.consumed

    def at(self, key: Any) -> Path:
        return self.path + (key,)

    def scope(self, key: Any) -> "Scope":
        """The container under ``key``, found in this one (Scope(reader, path + (key,)), without its walk)."""
        node = self.node
        if node.__class__ is dict:
            return Scope(self.reader, self.path + (key,), node.get(key, _MISSING))
        return Scope(self.reader, self.path + (key,))

    def _value(self, key: Any) -> Any:
        node = self.node
        if node.__class__ is dict:
            return node.get(key, _MISSING)
        if node is _MISSING:
            return _MISSING
        return self.reader.raw(self.path + (key,), _MISSING)  # a list, a scalar or another dict class: raw's rules

    def raw(self, key: Any, default: Any = None) -> Any:
        value = self._value(key)
        return default if value is _MISSING else value

    def has(self, key: Any) -> bool:
        node = self.node
        if node.__class__ is dict:
            return key in node
        return self._value(key) is not _MISSING

    def present(self, keys: tuple[str, ...]) -> list[str]:
        node = self.node
        if node.__class__ is dict:
            return [key for key in keys if key in node]
        return self.reader.present(self.path, keys)

    def get(self, key: Any, *types: type, default: Any = None) -> Any:
        """Reader.get(path + (key,), *types, default=default)."""
        node = self.node
        if node.__class__ is dict:
            value = node.get(key, _MISSING)
        else:
            value = self._value(key)
        if value is _MISSING or value is None:
            if value is None:
                self.consumed.add(self.path + (key,))
            return default
        if types and value.__class__ not in types and not _matches(value, types):
            self.reader.wrong_type(self.path + (key,), value, types)
        if value.__class__ is int and not -2147483648 <= value < 2147483648 and int in types and float not in types:
            self.reader.check_width(self.path + (key,), value)
        self.consumed.add(self.path + (key,))
        return value

    def take(self, key: Any) -> Any:
        self.consumed.add(self.path + (key,))
        return self.raw(key)

    def _here(self) -> Reader:
        """The reader, its last container set to this one: a call of it with a path in this container then
        finds the container without a walk (Reader.raw's and origin()'s first case: the same results)."""
        reader = self.reader
        if self.node.__class__ is dict:
            reader.parent_path, reader.parent = self.path, self.node
        return reader

    def mapping(self, key: Any) -> dict[Any, Any]:
        return self._here().mapping(self.path + (key,))

    def sequence(self, key: Any) -> Iterator[tuple[Path, Any]]:
        return self._here().sequence(self.path + (key,))

    def string_map(self, key: Any) -> dict[str, str]:
        return self._here().string_map(self.path + (key,))

    def origin(self, key: Any = _MISSING) -> Origin:
        """Reader.origin of the container (no key) or of the field ``key`` in it."""
        if key is _MISSING:
            return self.reader.origin(self.path)
        return self._here().origin(self.path + (key,))

    def note(self, key: Any, code: str, message: str, suggestion: str | None = None, *, covers: bool = True,
             **extra: Any) -> None:
        self._here().note(self.path + (key,), code, message, suggestion, covers=covers, **extra)

    def fail(self, key: Any, message: str) -> None:
        self.reader.fail(self.path + (key,), message)
