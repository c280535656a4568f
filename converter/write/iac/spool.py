"""The text of a rendering kept out of memory until it is written (render.IacSink, issue 24: peak memory).

The command's IaC renderings write each workload's text as the conversion hands it over, but the file
that holds it is only written at the end (the template's parameters and the configuration's variables
come first and depend on the whole run). A ``TextSpool`` keeps those texts in a temporary file, as the ECS
JSON stdout sink keeps its entries (converter.write.sinks.StdoutSink); without a file (``render.render``,
which writes nothing) it keeps them in a list.
"""

from __future__ import annotations

import tempfile
from array import array
from typing import Any, Callable, Iterator


class TextSpool:
    """Texts added one by one and read back in order, as often as asked."""

    def __init__(self, spooled: bool) -> None:
        self.file: Any = tempfile.TemporaryFile() if spooled else None
        self.kept: list[str] = []  # the texts, when not in a file
        # Where each text ends in the file: the texts are written one after another, so that is all it takes to
        # find them (8 bytes a text, where an (offset, length) tuple and its ints were 130: issue 24).
        self.ends = array("q")

    def add(self, text: str) -> None:
        if self.file is None:
            self.kept.append(text)
            return
        data = text.encode("utf-8", "surrogatepass")  # written as it was given, whatever writes it out later
        end = self.ends[-1] if self.ends else 0
        self.file.seek(end)
        self.file.write(data)
        self.ends.append(end + len(data))

    def __len__(self) -> int:
        return len(self.kept) if self.file is None else len(self.ends)

    def texts(self) -> Iterator[str]:
        if self.file is None:
            yield from self.kept
            return
        start = 0
        for end in self.ends:
            self.file.seek(start)
            yield self.file.read(end - start).decode("utf-8", "surrogatepass")
            start = end

    def clear(self) -> None:
        self.kept.clear()
        self.ends = array("q")
        if self.file is not None:
            self.file.seek(0)
            self.file.truncate()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()


class Pieces:
    """A file's text: strings, and texts read back (from a ``TextSpool``, or made by a function each time),
    given in order every time it is iterated."""

    def __init__(self, *parts: str | TextSpool | Callable[[], Iterator[str]]) -> None:
        self.parts = parts

    def __iter__(self) -> Iterator[str]:
        for part in self.parts:
            if isinstance(part, str):
                yield part
            elif isinstance(part, TextSpool):
                yield from part.texts()
            else:
                yield from part()
