"""`k2ecs convert --check`: compare what a run would write with the output folder, as a unified diff.

Pure but for reading the folder; writes nothing. The diff covers every file the run would write, and
every file in the folder the run would not write (a write replaces the whole folder, so those would go).
"""

from __future__ import annotations

import difflib
from pathlib import Path

from converter.errors import UsageError


def _lines(text: str | None) -> list[str]:
    if text is None:
        return []
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n\\ No newline at end of file\n"
    return lines


def drift(target: str, files: dict[str, str]) -> tuple[str, list[str]]:
    """``(unified diff, names that differ)``; both empty when the folder holds exactly ``files``."""
    folder = Path(target)
    if folder.exists() and not folder.is_dir():
        raise UsageError("output path exists and is not a folder", file=target)
    current: dict[str, str | None] = {}
    if folder.is_dir():
        for entry in sorted(folder.iterdir()):
            if entry.is_dir():
                current[entry.name + "/"] = None
            else:
                current[entry.name] = entry.read_bytes().decode("utf-8", errors="replace")
    chunks: list[str] = []
    differ: list[str] = []
    prefix = target.rstrip("/\\") or "."
    for name in sorted(set(files) | set(current)):
        new = files.get(name)
        old = current.get(name)
        if name in current and old is None:  # a folder inside the output folder
            differ.append(name)
            chunks.append(f"Only in {prefix}: {name}\n")
            continue
        if old == new:
            continue
        differ.append(name)
        path = f"{prefix}/{name}"
        chunks.extend(difflib.unified_diff(_lines(old), _lines(new),
                                           fromfile=path if old is not None else "/dev/null",
                                           tofile=path if new is not None else "/dev/null"))
    return "".join(chunks), differ
