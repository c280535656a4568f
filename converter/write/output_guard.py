"""Which existing folder ``-o`` may replace: only one that holds nothing but what k2ecs itself wrote.

Replacing a folder removes everything in it, so "it holds a file called report.json" is not enough: a
report written with ``--report-file report.json`` in a repository root, or a test runner's reports/
folder, also holds one. A folder is replaced only when its report.json is a k2ecs report (``tool`` is
"k2ecs", with a ``version``) and every other entry is a regular file whose name k2ecs writes: one that
report lists in ``outputs[].files``, or a fixed name of a ``--format``. Anything else is named in the
refusal (exit 2), and nothing is touched.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import stat
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from converter.core.errors import UsageError
from converter.core.limits import limit_value

REPORT_FILE = "report.json"
# The names of --format cloudformation and terraform that are not per workload (converter/write/iac/).
FIXED_NAMES = frozenset({REPORT_FILE, "template.yaml", "template.json", "versions.tf", "variables.tf",
                         "main.tf", "outputs.tf"})
# A report of 10,000 workloads is some 40 MB; a report.json larger than this is not read, so not k2ecs's.
MAX_REPORT_BYTES = limit_value("report-file-bytes")
_SHOWN = 5


def refuse_unless_own_output(folder: Path, shown: str) -> None:
    """Raise UsageError unless the existing folder ``folder`` (``shown`` in messages) is empty or holds only
    k2ecs's own output."""
    entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    if not entries:
        return
    listed = own_report_names(folder)
    if listed is None:
        raise UsageError("output folder is not empty and holds no report.json written by k2ecs; refusing to "
                         "replace it (choose an empty or new folder)", file=shown)
    in_the_way = [_entry_text(entry) for entry in entries
                  if entry.name not in listed or not entry.is_file(follow_symlinks=False)]
    if in_the_way:
        more = f" and {len(in_the_way) - _SHOWN} more" if len(in_the_way) > _SHOWN else ""
        raise UsageError(f"output folder holds {len(in_the_way)} entr{'y' if len(in_the_way) == 1 else 'ies'} "
                         f"k2ecs did not write ({', '.join(in_the_way[:_SHOWN])}{more}); refusing to replace it "
                         "(move them away or choose another folder)", file=shown)


def own_report_names(folder: Path) -> frozenset[str] | None:
    """The names k2ecs wrote to ``folder`` by its report.json (a regular file, not a link), or None when
    there is no such report."""
    handle = open_regular_file(folder, REPORT_FILE, MAX_REPORT_BYTES)
    if handle is None:
        return None
    with handle:
        try:
            return report_names(handle, MAX_REPORT_BYTES)
        except (ValueError, RecursionError, _NotOwn):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            return None


def report_names(stream: BinaryIO, limit: int) -> frozenset[str] | None:
    """The names a k2ecs report read from ``stream`` lists (its ``outputs[].files`` and FIXED_NAMES), or None
    when the report is not k2ecs's (``tool`` "k2ecs", a ``version``, a list of ``outputs``).

    Read only as far as those three keys, a chunk at a time, each value of the top-level object decoded and
    let go in turn (and the elements of a list one at a time): k2ecs writes them before its findings, which
    are most of a large report (40 MB at 10,000 workloads). Loaded whole, the report of a 10 MB bundle raised
    ``-o``'s peak to 197 MB before anything was converted (issue 24). "tool" must come first, as k2ecs
    writes it, so another tool's report.json is refused at its first key; a key given twice counts the
    first time (k2ecs writes each once); what follows the outputs is not read, so not checked to be JSON."""
    text = _Text(stream, limit)
    found: dict[str, Any] = {}
    text.take("{")
    if text.char() == "}":
        return None
    while True:
        key = text.value()
        if not isinstance(key, str):
            raise _NotOwn
        text.take(":")
        if not found and key != "tool":
            return None  # k2ecs writes "tool" first (converter.report.canonical), as load.own_report expects
        if key in found or key not in _WANTED:
            _skip(text)
        elif key == "outputs":
            found[key] = _listed_files(text)
            if found[key] is None:
                return None
        else:
            found[key] = text.value()
            if (key == "tool" and found[key] != "k2ecs") or not isinstance(found[key], str):
                return None
        if len(found) == len(_WANTED):
            return frozenset(FIXED_NAMES | found["outputs"])
        if text.char() == "}":
            return None
        text.take(",")


_WANTED = ("tool", "version", "outputs")
_CHUNK = 1 << 16  # 64 KiB a read
_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace
_DECODER = json.JSONDecoder()


class _NotOwn(Exception):
    """The text is not a JSON object of the shape k2ecs writes (or ends, or passes the bound, before it is read)."""


class _Text:
    """A UTF-8 JSON text read from a binary stream a chunk at a time: of what is read, only what is not yet
    decoded is kept."""

    def __init__(self, stream: BinaryIO, limit: int) -> None:
        self.stream, self.limit = stream, limit
        self.decoder = codecs.getincrementaldecoder("utf-8")()
        self.text, self.at, self.count, self.ended = "", 0, 0, False

    def _more(self, wanted: int = _CHUNK) -> None:
        if self.ended:
            raise _NotOwn
        chunk = self.stream.read(min(wanted, self.limit + 1 - self.count))
        self.count += len(chunk)
        if self.count > self.limit:
            raise _NotOwn
        self.ended = not chunk
        self.text = self.text[self.at:] + self.decoder.decode(chunk, final=self.ended)
        self.at = 0

    def char(self) -> str:
        """The next character that is not whitespace, not taken."""
        while True:
            self.at = _SPACE.match(self.text, self.at).end()  # type: ignore[union-attr]
            if self.at < len(self.text):
                return self.text[self.at]
            self._more()

    def take(self, char: str) -> None:
        if self.char() != char:
            raise _NotOwn
        self.at += 1

    def value(self) -> Any:
        """The next JSON value. One that fails to decode, or ends where the text read so far ends (a number
        may go on), is tried again with as much text again (so a long value is decoded a few times, not once
        per chunk), until the stream ends."""
        while True:
            self.char()
            try:
                value, end = _DECODER.raw_decode(self.text, self.at)
            except ValueError:
                self._more(max(_CHUNK, len(self.text) - self.at))
                continue
            if end < len(self.text) or self.ended:
                self.at = end
                return value
            self._more(max(_CHUNK, len(self.text) - self.at))


def _elements(text: _Text, opening: str, closing: str) -> Iterator[None]:
    """Steps through a list or an object whose opening ``opening`` is next: once before each element (the
    caller takes it), and past the closing."""
    text.take(opening)
    if text.char() == closing:
        text.at += 1
        return
    while True:
        yield None
        if text.char() == closing:
            text.at += 1
            return
        text.take(",")


def _skip(text: _Text) -> None:
    """Past the next value: a list or an object one element at a time (k2ecs's resources are 26,520 at
    10 MB of input), anything else whole."""
    opening = text.char()
    if opening == "[":
        for _ in _elements(text, "[", "]"):
            text.value()
    elif opening == "{":
        for _ in _elements(text, "{", "}"):
            if not isinstance(text.value(), str):
                raise _NotOwn
            text.take(":")
            text.value()
    else:
        text.value()


def _listed_files(text: _Text) -> set[str] | None:
    """The file names of ``outputs`` (a list of entries, each with its ``files``), or None when it is no list."""
    if text.char() != "[":
        text.value()
        return None
    names: set[str] = set()
    for _ in _elements(text, "[", "]"):
        entry = text.value()
        files = entry.get("files") if isinstance(entry, dict) else None
        if isinstance(files, list):
            names.update(name for name in files if isinstance(name, str))
    return names


def open_regular_file(folder: Path, name: str, limit: int) -> BinaryIO | None:
    """``folder/name`` open for reading when it is a regular file (never through a link, never a FIFO or a
    device) of at most ``limit`` bytes; None otherwise."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        handle = os.open(folder / name, flags)
    except OSError:
        return None
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode) or status.st_size > limit:
            return None
        return os.fdopen(os.dup(handle), "rb")
    finally:
        os.close(handle)


def read_regular_file(folder: Path, name: str, limit: int) -> bytes | None:
    """The bytes of ``folder/name`` when it is a regular file (never through a link, never a FIFO or a
    device) of at most ``limit`` bytes; None otherwise."""
    stream = open_regular_file(folder, name, limit)
    if stream is None:
        return None
    with stream:
        data = stream.read(limit + 1)
    return data if len(data) <= limit else None


def _entry_text(entry: Any) -> str:
    if entry.is_symlink():
        return f"{entry.name!r} (a symbolic link)"
    if entry.is_dir(follow_symlinks=False):
        return f"{entry.name + '/'!r}"
    if not entry.is_file(follow_symlinks=False):
        return f"{entry.name!r} (not a regular file)"
    return repr(entry.name)


def refuse_dangling_link(target: str) -> None:
    """A symbolic link on the way to ``target`` that points at nothing would have the output created at
    its target, outside where the user pointed; refuse it."""
    path = Path(target)
    for step in [*reversed(path.parents), path]:
        if os.path.islink(step) and not os.path.exists(step):
            raise UsageError(f"output path goes through the symbolic link {str(step)!r}, which points at "
                             f"nothing ({os.readlink(step)!r}); refusing to create its target", file=target)
