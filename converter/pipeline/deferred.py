"""A large input's workloads, parsed only when the conversion reaches them (converter.pipeline.convert, pass 2).

convert() parses every Service, HPA, ConfigMap and Secret before it renders any workload, because a
workload's output depends on them wherever they are in the input. The workloads need not be in memory
together: a file is cut into its documents at their markers (converter.load.yaml_parts), the parts whose
top-level ``kind:`` line names a kind of converter.pipeline.registries.WORKLOAD_PARSERS become :class:`Deferred`
entries, and every other part is parsed at once. Parsed part by part, a text gives what it gives whole
(tests/test_streaming.py), with a syntax error costing the document it is in, as loader.read_text does.

A large file's text is not kept: each part is read back from the file when it is parsed (it was read
and checked whole once, by source_files.read_source), and convert() asks :meth:`SourceText.unchanged` at the
end whether the file was written to meanwhile.
"""

from __future__ import annotations

import os
from array import array
from dataclasses import dataclass
from typing import Any

from converter.core.document import Unreadable, guess_resource
from converter.core.errors import InputError
from converter.load.loader import parse_text
from converter.pipeline.registries import WORKLOAD_PARSERS
from converter.load.source_files import read_source
from converter.load.yaml_parts import Part, split_stream


_NUMBERS = 5  # of a Part in SourceText.spans


class SourceText:
    """One input's text, cut into its documents."""

    KEEP_BELOW_PARTS = 64  # fewer documents than this: the text is kept (and no file stays open)

    def __init__(self, name: str, text: str, path: str | None = None, read_from: os.stat_result | None = None) -> None:
        """``read_from``: the file's status taken before ``text`` was read from ``path``."""
        self.name, self.path = name, path
        # Each part as five numbers (start, end, first line, first document, workload or not): kept to the end
        # of the run, for a run again (``again()``) and for tests, where a Part and its ints were 190 bytes a
        # document (issue 24: 1.5 MB at 10 MB). The Deferred entries have their own Part.
        self.spans = array("q", [number for part in split_stream(text, WORKLOAD_PARSERS)
                                 for number in (part.start, part.end, part.first_line, part.first_index, part.workload)])
        self.templated = "{{" in text
        self.text: str | None = text
        self.handle: Any = None
        self.read_from = read_from
        if read_from is not None and len(self.spans) >= self.KEEP_BELOW_PARTS * _NUMBERS and text.isascii():
            handle = open(path, "rb")  # type: ignore[arg-type]
            opened = os.fstat(handle.fileno())
            skip = opened.st_size - len(text)  # an ASCII text is its bytes, after a BOM
            if skip in (0, 3) and _same_version(opened, read_from):
                self.handle, self.skip, self.text = handle, skip, None
            else:
                handle.close()  # replaced or changed since it was read: the text read is kept

    @property
    def parts(self) -> list[Part]:
        """The text's documents as parts, in order (converter.load.yaml_parts.split_stream)."""
        spans = self.spans
        return [Part(spans[at], spans[at + 1], spans[at + 2], spans[at + 3], bool(spans[at + 4]))
                for at in range(0, len(spans), _NUMBERS)]

    @classmethod
    def read(cls, path: str) -> "SourceText":
        try:
            read_from = None if path == "-" else os.stat(path)
        except OSError:
            read_from = None  # read_source reports it
        name, text = read_source(path)
        return cls(name, text, path, read_from)

    def unchanged(self) -> bool:
        """Whether a file read back part by part is still as it was read (not written to meanwhile)."""
        return self.handle is None or _same_version(os.fstat(self.handle.fileno()), self.read_from)

    def part(self, part: Part) -> str:
        if self.text is not None:
            return self.text[part.start:part.end]
        return os.pread(self.handle.fileno(), part.end - part.start, part.start + self.skip).decode("ascii")

    def whole(self) -> str:
        """The whole text (for a run with nothing deferred)."""
        return read_source(self.path)[1] if self.text is None and self.path is not None else self.text or ""

    def documents(self, part: Part) -> list[Any]:
        """The part's documents; one Unreadable when it does not parse (as loader.read_text cuts a text)."""
        piece = self.part(part)
        try:
            return parse_text(piece, self.name, first_line=part.first_line, first_index=part.first_index, isolate=True)
        except InputError as err:
            return [Unreadable(err, index=part.first_index, guess=guess_resource(piece))]

    def entries(self) -> list[Any]:
        """The documents of the parts not marked workload, and a Deferred for each part that is, in order.
        A file of which no document reads and that holds ``{{`` is a template (converter.load.inputs): whether
        every document of it is unreadable is known only when they are all parsed, so they are."""
        parts = self.parts
        entries = [Deferred(self, part) if part.workload else self.documents(part) for part in parts]
        readable = any(not isinstance(d, Unreadable) for item in entries if isinstance(item, list) for d in item)
        if self.templated and not readable and len(entries) > 0:
            entries = [self.documents(part) for part in parts]
        return [entry for item in entries for entry in ((item,) if isinstance(item, Deferred) else item)]

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


@dataclass(frozen=True, eq=False, slots=True)
class Deferred:
    """A part of a file that the text says is one workload: parsed when convert() reaches it."""

    source: SourceText
    part: Part

    def documents(self) -> list[Any]:
        return self.source.documents(self.part)


def _same_version(status: os.stat_result, other: os.stat_result | None) -> bool:
    return other is not None and (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns) == \
        (other.st_dev, other.st_ino, other.st_size, other.st_mtime_ns)
