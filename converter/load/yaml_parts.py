"""A multi-document YAML text cut into its documents without parsing it (converter.pipeline.deferred, converter.load.loader).

A line that starts with ``---`` followed by a space or the end of the line is a document marker
wherever it appears: YAML forbids it as content in every context (YAML 1.2 §9.1.2, "c-forbidden";
libyaml refuses it inside quoted and flow scalars too). So the text between two markers is one
document, and it parses alone exactly as it does within the stream, given where it starts (line and
document number). Texts this does not cover (directives, ``...`` document ends) are not cut.

Each part is also marked as a workload when a top-level ``kind:`` line names one of the workload kinds the
caller gives (converter.pipeline.registries.WORKLOAD_PARSERS: there is no other list). That is a guess from the
text: converter.pipeline.convert checks it against the parsed document and, when it is wrong, runs again with
every part read in the first place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Container, Iterator

_MARKER = r"---(?=[ \t\r\n]|\Z)"
_UNCUT = r"(?:%|\.\.\.(?:[ \t\r\n]|\Z))"  # a directive or a document end
_KIND = r"kind:[ \t]*(['\"]?)([A-Za-z][A-Za-z0-9]*)\1[ \t]*(?:#[^\n]*)?\r?$"


class LinePattern:
    """A pattern for a line from its start: what ^ with re.M finds, but searched as a newline and then
    the line (and matched at the start separately). A search with a literal first character skips ahead
    to each newline, where ^ is tried at every character (5x slower on a 40 MB bundle)."""

    def __init__(self, pattern: str) -> None:
        self.first = re.compile(pattern, re.M)  # re.M for $ alone
        self.later = re.compile("\n" + pattern, re.M)

    def finditer(self, text: str, start: int, end: int) -> Iterator[re.Match[str]]:
        """The matching lines of text[start:end] (start being the start of a line), in order."""
        first = self.first.match(text, start, end)
        if first is not None:
            yield first
        yield from self.later.finditer(text, start, end)

    def search(self, text: str, start: int = 0, end: int | None = None) -> bool:
        """Whether a line of text[start:end] matches (start being the start of a line)."""
        end = len(text) if end is None else end
        return self.first.match(text, start, end) is not None or self.later.search(text, start, end) is not None


_MARKERS = LinePattern(_MARKER)
_UNCUT_LINES = LinePattern(_UNCUT)
_KIND_LINES = LinePattern(_KIND)
_CONTENT = re.compile(r"^[ \t]*[^ \t\r\n#]", re.M)  # a line that is neither blank nor a comment


@dataclass(frozen=True, slots=True)  # one per document of a large input, to the end of the run
class Part:
    start: int  # offsets into the text
    end: int
    first_line: int  # the file line of the part's first line
    first_index: int  # the number, in the file, of the part's document
    workload: bool  # a top-level kind line names a workload kind


def split_stream(text: str, workload_kinds: Container[str] = ()) -> list[Part]:
    """The text's documents as parts, in order; the whole text as one part when it cannot be cut.
    ``workload_kinds``: the lower-case kinds whose documents are marked ``workload``."""
    if _UNCUT_LINES.search(text):
        return [Part(0, len(text), 1, 0, False)]
    # The first part starts at 0, with a marker or not; each marker after a newline starts another.
    starts = [0] + [match.start() + 1 for match in _MARKERS.later.finditer(text)]
    parts: list[Part] = []
    line, index, previous = 1, 0, 0
    for number, start in enumerate(starts):
        line += text.count("\n", previous, start)
        previous = start
        end = starts[number + 1] if number + 1 < len(starts) else len(text)
        parts.append(Part(start, end, line, index, bool(workload_kinds) and _names_kind(text, start, end, workload_kinds)))
        # Text before the first marker is a document only when it holds more than comments; every
        # marker starts one, even an empty one (libyaml numbers it, and the loader skips it).
        if number > 0 or text.startswith("---") or _CONTENT.search(text, start, end) is not None:
            index += 1
    return parts


def _names_kind(text: str, start: int, end: int, kinds: Container[str]) -> bool:
    """Whether a top-level kind line of text[start:end] names one of ``kinds`` (lower case)."""
    return any(match.group(2).lower() in kinds for match in _KIND_LINES.finditer(text, start, end))
