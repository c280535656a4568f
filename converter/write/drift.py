"""`k2ecs convert --check`: compare what a run would write with the output folder, as a unified diff.

Pure but for reading the folder; writes nothing. The diff covers every file the run would write, and
every file in the folder the run would not write (a write replaces the whole folder, so those would go).
:func:`drift` compares a whole run's files; :class:`Comparison` compares them as they come (the
streaming conversion's --check, converter.write.sinks.CheckSink), with the same text in the end.
"""

from __future__ import annotations

import difflib
import io
import json
import os
from pathlib import Path
from typing import BinaryIO

from converter.core.errors import UsageError
from converter.write.output_guard import MAX_REPORT_BYTES, read_regular_file

REPORT_NAME = "report.json"  # converter.write.output.REPORT_FILE (not imported: output imports much more)
# What of a finding --check compares in report.json. Prose (message, suggestion) is left out, so a k2ecs
# upgrade that rewords a message does not make every committed output stale; acceptance (accepted, and
# the 8xx findings about accepting) is left out, so --baseline and the k2ecs.io/accept annotation, which
# decide only what fails the build, do not either. The summary is counted from what is compared, and the
# tool version is not a fact of the conversion.
COMPARED_FINDING_KEYS = ("code", "severity", "resource", "file", "line", "path", "details")
ACCEPTANCE_CODE_HUNDRED = "8"


def stable_report(text: str) -> object:
    """The part of report.json that --check holds the folder to (None: the text is not a k2ecs report)."""
    try:
        report = json.loads(text)
    except ValueError:
        return None
    if not isinstance(report, dict) or not isinstance(report.get("findings"), list):
        return None
    findings = [{key: finding.get(key) for key in COMPARED_FINDING_KEYS} for finding in report["findings"]
                if isinstance(finding, dict) and str(finding.get("code", ""))[5:6] != ACCEPTANCE_CODE_HUNDRED]
    return {"resources": report.get("resources"), "outputs": report.get("outputs"), "findings": findings}


def _lines(text: str | None) -> list[str]:
    if text is None:
        return []
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


class Comparison:
    """The output folder ``target`` against the files a run would write, told one file at a time.

    The folder may come from a pull request, so it is read as hostile: nothing is read through a
    symbolic link (the folder itself, a relative path's folders on the way, or an entry), and only
    regular files are read, each to a bound. A link, a FIFO or a device where a file is expected is a
    difference named by its path, without its content (issue 17: a committed ``x -> /proc/self/environ``
    or a link to ~/.ssh must not print a runner's environment or a private key into a CI log).
    """

    def __init__(self, target: str) -> None:
        folder = Path(target)
        self.folder = folder
        self.prefix = target.rstrip("/\\") or "."
        self.link = _link_on_the_way(target)
        # What the folder holds: a file's name, or a folder's name with "/" (never a name the run writes);
        # the names of entries that are not regular files (links, FIFOs, devices), with what they are.
        self.present: set[str] = set()
        self.unreadable: dict[str, str] = {}
        if self.link is not None:
            return  # compared as an empty folder, plus the link (finish)
        if os.path.lexists(folder) and not folder.is_dir():
            raise UsageError("output path exists and is not a folder", file=target)
        if not folder.is_dir():
            return
        for entry in os.scandir(folder):
            if entry.is_symlink():
                self.unreadable[entry.name] = "a symbolic link, not followed"
            elif entry.is_dir(follow_symlinks=False):
                self.present.add(entry.name + "/")
            elif entry.is_file(follow_symlinks=False):
                self.present.add(entry.name)
            else:
                self.unreadable[entry.name] = "not a regular file, not read"

    def _read(self, name: str) -> bytes:
        data = read_regular_file(self.folder, name, MAX_REPORT_BYTES)
        if data is None:  # replaced by a link or grown since the folder was listed
            raise UsageError(f"{name}: not a regular file of at most {MAX_REPORT_BYTES} bytes; not read",
                             file=self.prefix)
        return data

    def chunk(self, name: str, new: str | None) -> str:
        """The diff of one name ("" when the folder holds exactly ``new``; None: the run does not write it)."""
        if name.endswith("/"):
            return f"Only in {self.prefix}: {name}\n"  # a folder inside the output folder
        where = f"{self.prefix}/{name}"
        if name in self.unreadable:
            return f"Differs: {where}: {self.unreadable[name]}\n"
        old = self._read(name).decode("utf-8", errors="replace") if name in self.present else None
        if old == new:
            return ""
        if name == REPORT_NAME and old is not None and new is not None:
            stable = stable_report(new)
            if stable is not None and stable == stable_report(old):
                return ""  # differs only in wording, acceptance or version (see COMPARED_FINDING_KEYS)
        return "".join(difflib.unified_diff(_lines(old), _lines(new),
                                            fromfile=where if old is not None else "/dev/null",
                                            tofile=where if new is not None else "/dev/null"))

    def chunk_of_file(self, name: str, new: BinaryIO) -> str:
        """chunk() of a text held in a file (UTF-8), compared with the folder's a megabyte at a time and
        read whole only when it differs: a large run's report is larger than all its payloads."""
        if name in self.present:
            new.seek(0)
            old = io.BytesIO(self._read(name))
            while True:
                piece = old.read(1 << 20)
                if piece != new.read(1 << 20):
                    break
                if not piece:
                    return ""
        new.seek(0)
        return self.chunk(name, new.read().decode("utf-8"))

    def finish(self, chunks: dict[str, str]) -> tuple[str, list[str]]:
        """``(unified diff, names that differ)`` from the chunks of the files the run writes; what the folder
        holds besides them is compared here (to be removed)."""
        everything = dict(chunks)
        if self.link is not None:
            everything[self.link + "/"] = f"Differs: {self.link}: a symbolic link, not followed\n"
        for name in [*self.present, *self.unreadable]:
            if name not in everything:
                everything[name] = self.chunk(name, None)
        differ = [name for name in sorted(everything) if everything[name]]
        return "".join(everything[name] for name in differ), differ


def drift(target: str, files: dict[str, str]) -> tuple[str, list[str]]:
    """``(unified diff, names that differ)``; both empty when the folder holds exactly ``files``."""
    comparison = Comparison(target)
    return comparison.finish({name: comparison.chunk(name, text) for name, text in files.items()})


def _link_on_the_way(target: str) -> str | None:
    """The first symbolic link among ``target`` and the folders on the way to it below the working folder
    (the checkout, where a pull request can commit links; above it, system links such as macOS's /var)."""
    path = Path(target)
    if path.is_absolute():
        try:
            below = path.relative_to(Path.cwd())
        except ValueError:
            below = None
        steps = [path] if below is None else [Path.cwd() / step for step in [*reversed(below.parents), below]]
    else:
        steps = [*reversed(path.parents), path]
    for step in steps:
        if str(step) not in ("", ".") and os.path.islink(step):
            return str(step)
    return None
