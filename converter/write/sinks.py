"""Where `k2ecs convert` puts each workload's payloads as soon as they are validated (converter.pipeline.convert).

The stdout and ``-o`` sinks hold the text of the outputs, not the payloads, and outside the process's
memory (a temporary file, or the staging folder of ``-o``), and publish nothing until ``finish``: an
error later in the input still leaves stdout empty and the ``-o`` folder untouched. The --check sink
compares each workload's files with the ``-o`` folder as they come and keeps only what differs.
"""

from __future__ import annotations

import io
import sys
import tempfile
from array import array
from typing import Any, Iterable, Iterator, TextIO

from converter.write.output import (
    REPORT_FILE,
    STDOUT_HEAD,
    STDOUT_TAIL,
    FileNames,
    StagedFolder,
    payload_files,
    stdout_document,
    stdout_entry,
)
from converter.report.canonical import write_json


class StdoutSink:
    """The stdout document's entries in a temporary file, in the order of their positions at finish()."""

    def __init__(self) -> None:
        self.spool = tempfile.TemporaryFile()
        # Each entry's position and where it ends in the spool (it starts where the one before it ends), in the
        # order put: 16 bytes an entry, where a dict of (offset, length) tuples held 170 (issue 24).
        self.positions, self.ends = array("q"), array("q")

    def put(self, position: int, output: Any) -> None:
        data = stdout_entry(output).encode("utf-8")
        self.spool.seek(0, 2)
        self.spool.write(data)
        self.positions.append(position)  # a replaced entry stays, unused: the last one put is written
        self.ends.append((self.ends[-1] if self.ends else 0) + len(data))

    def drop(self, position: int) -> None:
        self.positions = array("q", (-1 if kept == position else kept for kept in self.positions))

    def reset(self) -> None:
        self.positions, self.ends = array("q"), array("q")
        self.spool.seek(0)
        self.spool.truncate()

    def _spans(self) -> Iterator[tuple[int, int]]:
        """(offset, length) of each entry to write, in the order of their positions."""
        positions, ends = self.positions, self.ends
        if all(positions[index] < positions[index + 1] for index in range(len(positions) - 1)) and \
                (not positions or positions[0] >= 0):  # as the conversion puts them: no table
            order: Iterable[int] = range(len(positions))
        else:
            last = {position: index for index, position in enumerate(positions) if position >= 0}
            order = [last[position] for position in sorted(last)]
        for index in order:
            start = ends[index - 1] if index else 0
            yield start, ends[index] - start

    def finish(self, report: dict[str, Any], stream: TextIO | None = None) -> None:
        stream = sys.stdout if stream is None else stream
        written = 0
        for offset, length in self._spans():
            if not written:
                stream.write(STDOUT_HEAD)
            self.spool.seek(offset)
            stream.write((",\n" if written else "") + self.spool.read(length).decode("utf-8"))
            written += 1
        stream.write(STDOUT_TAIL if written else stdout_document([]))

    def close(self) -> None:
        self.spool.close()


class FolderSink:
    """The files of ``-o``, written to its staging folder as they come; report.json and the swap at finish()."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.staged: StagedFolder | None = None
        self.names: dict[int, tuple[str, ...]] = {}

    @property
    def folder(self) -> StagedFolder:
        # Made at the first file, not before: an input error is reported before a problem with -o, as
        # when everything was written at the end.
        if self.staged is None:
            self.staged = StagedFolder(self.target)
        return self.staged

    def put(self, position: int, output: Any) -> None:
        files = payload_files(output)
        before = self.names.get(position)
        if before is not None:  # a workload put again (pass 2 replaces it): its files that are no longer written go
            for name in set(before) - set(files):
                self.folder.remove(name)
        for name, text in files.items():
            self.folder.write(name, text)
        self.names[position] = tuple(files)

    def drop(self, position: int) -> None:
        for name in self.names.pop(position, ()):
            self.folder.remove(name)

    def reset(self) -> None:
        if self.staged is not None:
            self.staged.clear()
        self.names.clear()

    def finish(self, report: dict[str, Any]) -> None:
        self.folder.write_with(REPORT_FILE, lambda handle: write_json(report, handle))
        self.folder.commit()

    def close(self) -> None:
        if self.staged is not None:
            self.staged.discard()


class CheckSink:
    """--check: each workload's files compared with the ``-o`` folder (converter.write.drift) as they come; the
    diff and the names that differ at finish(), as drift() gives them for the whole run's files."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.comparison: Any = None
        self.chunks: dict[int, dict[str, str]] = {}  # position -> file name -> its diff ("" when the same)

    @property
    def _comparison(self) -> Any:
        if self.comparison is None:  # at the first file, as FolderSink: an input error is reported first
            from converter.write.drift import Comparison  # lazy: only --check needs it

            self.comparison = Comparison(self.target)
        return self.comparison

    def put(self, position: int, output: Any) -> None:
        compare = self._comparison.chunk
        self.chunks[position] = {name: compare(name, text) for name, text in payload_files(output).items()}

    def drop(self, position: int) -> None:
        self.chunks.pop(position, None)

    def reset(self) -> None:
        self.chunks.clear()

    def finish(self, report: dict[str, Any]) -> tuple[str, list[str]]:
        chunks: dict[str, str] = FileNames()  # a name twice is refused, as by output_files()
        for position in sorted(self.chunks):
            for name, chunk in self.chunks[position].items():
                chunks[name] = chunk
        with tempfile.TemporaryFile() as written:  # report.json, as -o writes it, but not whole in memory
            handle = io.TextIOWrapper(written, encoding="utf-8", newline="")
            write_json(report, handle)
            handle.detach()  # flushed; the file stays open
            chunks[REPORT_FILE] = self._comparison.chunk_of_file(REPORT_FILE, written)
        return self._comparison.finish(chunks)

    def close(self) -> None:
        pass
