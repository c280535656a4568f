"""Each source document as the page shows it: the input's own lines, cut once, instead of written out again.

Writing every document out again as YAML (PyYAML's representer, in Python) was a fifth of `compare --html`
(issue 24). The input's own text is what its author wrote, with its comments, and its lines are the ones the
rows name. It is used only where it cannot show more than the data compare holds:

- never for a Secret, nor for any document a sensitive reader read: those are written out from their
  redacted data, as before (the loader redacts a Secret's values, converter/load/document_checks.py, and
  compare replaces every value it may not show, kubernetes_input.redact);
- never for the item of a ``kind: List`` (its text is part of the List's), nor for a document that starts on
  its ``---`` line;
- never for text with a character YAML writes escaped (a control or bidi character): the written-out form
  shows it as an escape, where the raw one would act on the reader's screen.

The cut: from the document's first line to the line before the next ``---`` or ``...`` marker at column 0 (or
the end of the file), without the blank lines and column-0 comments that trail it (they introduce the next
document). A file whose text has a line break the two line counts could disagree on (NEL, U+2028, U+2029)
is never cut.
"""

from __future__ import annotations

import re
from array import array
from typing import Mapping

_MARKER = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r\n]|$)", re.MULTILINE)
_NEWLINE = re.compile(r"\r\n|\r|\n")
# Characters other than tab, CR, LF and printable ASCII: a slice holding one is checked character by character.
_NOT_PLAIN = re.compile(r"[^\t\r\n\x20-\x7e]")
# Line breaks YAML 1.1 counts (as libyaml does: NEL, U+2028, U+2029) and the cut, which counts CR, LF and
# CRLF only, does not: a file holding one is never cut, or the lines would not be the rows' lines.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")


class _File:
    """One file's text, with the offset where each line starts (line 1 at offset 0)."""

    def __init__(self, text: str) -> None:
        self.text = text
        # An array, not a list of ints: a tenth of the memory for the line count of a 10 MB file.
        self.starts = array("q", [0])
        self.starts.extend(match.end() for match in _NEWLINE.finditer(text))
        self.plain = _NOT_PLAIN.search(text) is None

    def cut(self, line: int) -> str | None:
        if not 1 <= line <= len(self.starts):
            return None
        start = self.starts[line - 1]
        if _MARKER.match(self.text, start):
            return None  # "--- {kind: ...}": the document starts on its marker line
        following = self.starts[line] if line < len(self.starts) else len(self.text)
        marker = _MARKER.search(self.text, following)
        end = len(self.text) if marker is None else marker.start()
        lines = _NEWLINE.split(self.text[start:end])
        while lines and (not lines[-1].strip() or lines[-1].startswith("#")):
            lines.pop()
        if not lines:
            return None
        shown = "\n".join(lines) + "\n"
        if not self.plain and _NOT_PLAIN.search(shown) is not None and not _printable(shown):
            return None
        return shown


def _printable(text: str) -> bool:
    return all(char.isprintable() or char in "\t\r\n" for char in set(text))


class SourceText:
    """The input's text of each top-level document, by file and first line; None where it may not be shown."""

    def __init__(self, texts: Mapping[str, str] | None) -> None:
        self.texts = texts or {}
        self.files: dict[str, _File | None] = {}

    def document(self, file: str, line: int | None) -> str | None:
        if line is None or file not in self.texts:
            return None
        if file not in self.files:
            text = self.texts[file]
            self.files[file] = None if _ODD_BREAKS.search(text) is not None else _File(text)
        found = self.files[file]
        return None if found is None else found.cut(line)
