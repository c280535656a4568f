"""The text of a rendering kept out of memory until it is written (render.IacSink, issue 24: peak memory).

The command's IaC renderings write each workload's text as the conversion hands it over, but the file
that holds it is only written at the end (the template's parameters and the configuration's variables
come first and depend on the whole run). A ``TextSpool`` keeps those texts in a temporary file, as the ECS
JSON stdout sink keeps its entries (converter.write.sinks.StdoutSink); without a file (``render.render``,
which writes nothing) it keeps them in a list.
"""

from __future__ import annotations

import tempfile
from typing import Any, Callable, Iterator


class TextSpool:
    """Texts added one by one and read back in order, as often as asked."""

    def __init__(self, spooled: bool) -> None:
        self.file: Any = tempfile.TemporaryFile() if spooled else None
        self.kept: list[Any] = []  # the texts, or (offset, length) of each in the file
        self.end = 0

    def add(self, text: str) -> None:
        if self.file is None:
            self.kept.append(text)
            return
        data = text.encode("utf-8", "surrogatepass")  # written as it was given, whatever writes it out later
        self.file.seek(self.end)
        self.file.write(data)
        self.kept.append((self.end, len(data)))
        self.end += len(data)

    def __len__(self) -> int:
        return len(self.kept)

    def texts(self) -> Iterator[str]:
        if self.file is None:
            yield from self.kept
            return
        for offset, length in self.kept:
            self.file.seek(offset)
            yield self.file.read(length).decode("utf-8", "surrogatepass")

    def clear(self) -> None:
        self.kept.clear()
        self.end = 0
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
