"""`k2ecs compare`'s views written section by section: each workload's section is written aside (a temporary
file) as soon as its rows are made, and its rows are then dropped; the head, which counts the whole input, is
written once every section was made, then the sections are copied after it, then the tail.

Issue 24: every view's head shows the whole input's counts before the first section, so every workload's rows
were held until the head could be written: they were most of compare's peak memory at 10 MB. A view's file is
still written in one step (converter.report.report_file): a failure leaves no half-written file, and stdout
gets nothing before every section was made.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import replace
from typing import Any, Callable, Iterable, Optional, Protocol, TextIO

from converter.compare.model import Comparison, WorkloadView
from converter.compare.sections import Sections

COPY_CHARS = 1 << 16  # a piece of a spooled view copied to stdout


class View(Protocol):
    def section(self, index: int, view: WorkloadView) -> None:
        """The section of ``view`` (with its rows), made now and written aside."""

    def finish(self, comparison: Comparison) -> None:
        """The head, the sections written aside and the tail, where the view goes."""

    def close(self) -> None:
        """What was written aside, removed (also after a failure)."""


def write_views(sections: Sections, views: list[View]) -> Comparison:
    """Each section to each view as its rows are made, then each view whole. The rows of a section live only
    while the views write it: the comparison the heads are made from keeps each view's counts, not its rows."""
    try:
        made: list[WorkloadView] = []
        for index, view in enumerate(sections):
            for writer in views:
                writer.section(index, view)
            made.append(replace(view, rows=()))
            del view  # not kept while the next section's rows are made
        comparison = sections.comparison(tuple(made))
        for writer in views:
            writer.finish(comparison)
        return comparison
    finally:
        for writer in views:
            writer.close()


class _Spool:
    """Text written aside in a temporary file, counted, and copied out once. ``newline=""``: a carriage return
    of the input (a source pane of the page) is written and read back as it is."""

    def __init__(self) -> None:
        self.file: Optional[TextIO] = tempfile.TemporaryFile("w+", encoding="utf-8", newline="")
        self.chars = 0

    def write(self, text: str) -> None:
        assert self.file is not None
        self.file.write(text)
        self.chars += len(text)

    def pieces(self) -> Iterable[str]:
        assert self.file is not None
        self.file.seek(0)
        while True:
            piece = self.file.read(COPY_CHARS)
            if not piece:
                return
            yield piece

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


class Terminal:
    """The terminal table, to stdout (through the pager on a terminal, which is chosen on the whole text)."""

    def __init__(self, sections: Sections, *, width: int, color: bool, only_changes: bool,
                 paged: Optional[Callable[[str], None]] = None) -> None:
        self.sides = (sections.input.source_side, sections.input.target_side)
        self.width, self.color, self.only_changes = width, color, only_changes
        self.paged = paged  # the whole text to the pager, or None: written to stdout as it is copied
        self.spool = _Spool()

    def section(self, index: int, view: WorkloadView) -> None:
        from converter.compare.terminal import section  # lazy: only the views asked for

        self.spool.write(section(view, *self.sides, width=self.width, color=self.color,
                                 only_changes=self.only_changes))

    def finish(self, comparison: Comparison) -> None:
        from converter.compare.terminal import head, tail

        pieces = _chain([head(comparison, self.width)], self.spool.pieces(), [tail(self.width)])
        if self.paged is not None:
            self.paged("".join(pieces))
        else:
            to_stdout(pieces)

    def close(self) -> None:
        self.spool.close()


class Markdown:
    """The bounded summary to ``target`` (a ReportFile, or None: stdout), and, when the whole does not fit the
    bound, every section to ``details`` (the details file's name; None on stdout, where they are not kept)."""

    def __init__(self, sections: Sections, target: Any, details: Optional[str], max_chars: int,
                 prepared: dict[str, Any], written: list[tuple[str, str, int]]) -> None:
        from converter.compare.markdown import Bounded  # lazy: only the views asked for

        self.sides = (sections.input.source_side, sections.input.target_side)
        self.target, self.details = target, details
        self.bounded = Bounded(max_chars)
        self.spool = _Spool() if details is not None else None
        self.prepared, self.written = prepared, written

    def section(self, index: int, view: WorkloadView) -> None:
        from converter.compare.markdown import section

        text = section(view, *self.sides)
        self.bounded.add(text)
        if self.spool is not None:
            self.spool.write(text)

    def finish(self, comparison: Comparison) -> None:
        from converter.compare.markdown import head, rules
        from converter.report.report_file import ReportFile

        body, tail = head(comparison), rules()
        summary, fits = self.bounded.summary(body, tail, self.details)
        if self.target is None:
            sys.stdout.write(summary)
            return
        details = self.details
        assert details is not None and self.spool is not None
        if not fits and details not in self.prepared:  # its place checked before the summary is written
            self.prepared[details] = ReportFile(details, "comparison")
        self.target.write_with(lambda handle: handle.write(summary))
        self.written.append(("Markdown summary", self.target.target, len(summary)))
        if not fits:
            spool = self.spool
            self.prepared[details].write_with(lambda handle: _write_all(handle, _chain([body], spool.pieces(), [tail])))
            self.written.append(("Markdown details", details, len(body) + spool.chars + len(tail)))

    def close(self) -> None:
        if self.spool is not None:
            self.spool.close()


class Html:
    """The page to ``target`` (a ReportFile, or None: stdout)."""

    def __init__(self, sections: Sections, target: Any, written: list[tuple[str, str, int]]) -> None:
        from converter.compare.html import Page  # lazy: jinja2, for --html only

        source = sections.input
        self.page = Page(source.source_side, source.target_side, source.source_format, source.target_format,
                         sections.sketch.currency)
        self.target, self.written = target, written
        self.spool = _Spool()

    def section(self, index: int, view: WorkloadView) -> None:
        # One write a section: the template gives a piece per value it prints (about 120 a section).
        self.spool.write("".join(self.page.section(index, view)))

    def finish(self, comparison: Comparison) -> None:
        head, tail = self.page.ends(comparison)
        pieces = _chain(head, self.spool.pieces(), tail)
        if self.target is None:
            to_stdout(pieces)
            return
        count = [0]

        def writer(handle: TextIO) -> None:
            count[0] = _write_all(handle, pieces)

        self.target.write_with(writer)
        self.written.append(("HTML page", self.target.target, count[0]))

    def close(self) -> None:
        self.spool.close()


def _chain(*parts: Iterable[str]) -> Iterable[str]:
    for part in parts:
        yield from part


def _write_all(handle: TextIO, pieces: Iterable[str]) -> int:
    """Each piece to ``handle``; the number of characters written."""
    count = 0
    for piece in pieces:
        handle.write(piece)
        count += len(piece)
    return count


def to_stdout(pieces: Iterable[str]) -> None:
    """Each piece to stdout, until a reader that stops early (``| head``) has left: the rest is not copied
    (guard.ReaderMayLeave, which guarded() puts on stdout, keeps the leaving quiet)."""
    stream = sys.stdout
    for piece in pieces:
        if getattr(stream, "reader_left", False):
            return
        stream.write(piece)
