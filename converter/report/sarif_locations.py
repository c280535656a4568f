"""Where a SARIF result points: a path relative to the repository root, and for Helm output the chart file.

GitHub code scanning places an alert by ``artifactLocation.uri`` taken relative to the root of the
repository (docs.github.com, "SARIF support for code scanning": uri "relative to the root of the GitHub
repository being analyzed"). k2ecs knows its inputs as the user named them, relative to the current
folder, so a run from a sub-folder must be re-rooted. ``Locator`` does that from facts the command
gathered (converter/report/sarif_root.py does the I/O): the root, the current folder, the ``# Source:`` markers
of rendered Helm output, and the charts found under the root.

Helm writes ``# Source: <chart name>/templates/<file>`` before each document of ``helm template``
(pkg/action/action.go, renderResources). A finding in such a document is placed at that template file,
at line 1 (a template's lines are not the rendered lines); the rendered place stays in the message.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Optional

# The rest of the line, its trailing whitespace stripped in Python: a lazy "(\S.*?)\s*$" tried the whitespace
# run once for each character before it, quadratic in a long line of blanks.
HELM_SOURCE = re.compile(r"^# Source: (\S[^\n]*)", re.M)


def helm_sources(text: str) -> list[tuple[int, str]]:
    """``(line, chart path)`` of every ``# Source:`` marker of ``text`` (lines from 1), in order."""
    return [(text.count("\n", 0, match.start()) + 1, match.group(1).rstrip())
            for match in HELM_SOURCE.finditer(text)]


@dataclass(frozen=True)
class Placed:
    path: str  # relative to the root (posix), or absolute when outside it
    relative: bool
    line: Optional[int]
    rendered_at: Optional[str]  # "file:line" of the rendered document, when placed at a chart file


@dataclass
class Locator:
    root: Optional[str]  # absolute posix path of the repository root; None: none known, paths stay as given
    cwd: str  # absolute posix path of the folder k2ecs ran in
    markers: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # input name -> helm_sources()
    charts: dict[str, str] = field(default_factory=dict)  # chart name -> its folder, relative to root
    existing: frozenset[str] = frozenset()  # chart files (relative to root) that exist

    def place(self, file: str, line: Optional[int]) -> Placed:
        chart_file = self._chart_file(file, line)
        if chart_file is not None:
            return Placed(chart_file, True, 1, file if line is None else f"{file}:{line}")
        if file == "<stdin>":
            return Placed(file, True, line, None)
        if self.root is None:
            return Placed(file, not file.startswith("/"), line, None)
        absolute = PurePosixPath(file) if file.startswith("/") else PurePosixPath(self.cwd) / file
        normal = _normal(absolute)
        root = PurePosixPath(self.root)
        if normal == root or root in normal.parents:
            return Placed(str(normal.relative_to(root)), True, line, None)
        return Placed(str(normal), False, line, None)

    def _chart_file(self, file: str, line: Optional[int]) -> Optional[str]:
        markers = self.markers.get(file)
        if not markers or line is None:
            return None
        position = bisect.bisect_right([at for at, _ in markers], line) - 1
        if position < 0:
            return None
        source = markers[position][1]
        for candidate in self.candidates(source):
            if candidate in self.existing:
                return candidate
        return None

    def candidates(self, source: str) -> list[str]:
        """Where the chart file ``source`` (``chart/templates/x.yaml``) may be, relative to the root."""
        parts = PurePosixPath(source).parts
        if not parts or ".." in parts or source.startswith("/"):
            return []
        found = []
        if parts[0] in self.charts:
            found.append(str(PurePosixPath(self.charts[parts[0]], *parts[1:])))
        cwd_relative = _normal(PurePosixPath(self.cwd) / source)
        root = PurePosixPath(self.root if self.root is not None else self.cwd)
        if root in cwd_relative.parents:
            found.append(str(cwd_relative.relative_to(root)))
        return list(dict.fromkeys(found))


def _normal(path: PurePosixPath) -> PurePosixPath:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if len(parts) > 1:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts)
