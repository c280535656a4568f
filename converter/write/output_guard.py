"""Which existing folder ``-o`` may replace: only one that holds nothing but what k2ecs itself wrote.

Replacing a folder removes everything in it, so "it holds a file called report.json" is not enough: a
report written with ``--report-file report.json`` in a repository root, or a test runner's reports/
folder, also holds one. A folder is replaced only when its report.json is a k2ecs report (``tool`` is
"k2ecs", with a ``version``) and every other entry is a regular file whose name k2ecs writes: one that
report lists in ``outputs[].files``, or a fixed name of a ``--format``. Anything else is named in the
refusal (exit 2), and nothing is touched.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

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
    report = read_regular_file(folder, REPORT_FILE, MAX_REPORT_BYTES)
    if report is None:
        return None
    try:
        data = json.loads(report)
    except (ValueError, RecursionError):
        return None
    if not (isinstance(data, dict) and data.get("tool") == "k2ecs" and isinstance(data.get("version"), str)
            and isinstance(data.get("outputs"), list)):
        return None
    names = set(FIXED_NAMES)
    for entry in data["outputs"]:
        files = entry.get("files") if isinstance(entry, dict) else None
        if isinstance(files, list):
            names.update(name for name in files if isinstance(name, str))
    return frozenset(names)


def read_regular_file(folder: Path, name: str, limit: int) -> bytes | None:
    """The bytes of ``folder/name`` when it is a regular file (never through a link, never a FIFO or a
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
        with os.fdopen(os.dup(handle), "rb") as stream:
            data = stream.read(limit + 1)
        return data if len(data) <= limit else None
    finally:
        os.close(handle)


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
