"""The I/O behind SARIF locations (converter/report/sarif_locations.py): the repository root, the
charts under it, and the Helm ``# Source:`` markers of the inputs. Called by the convert command only."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Iterable, Optional

from converter.core.errors import UsageError
from converter.report.sarif_locations import Locator, helm_sources
from converter.load.source_files import MAX_FILE_BYTES

CHART_SEARCH_MAX_FOLDERS = 20_000  # bounds the walk for Chart.yaml in a large checkout
_CHART_NAME = re.compile(r"^name:\s*['\"]?([A-Za-z0-9_.-]+)", re.M)
_SKIPPED = {"node_modules", "vendor", "__pycache__"}


def git_root(start: Path) -> Optional[Path]:
    """The top of the git work tree holding ``start`` (a ``.git`` folder, or a file in a worktree)."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def chart_folders(root: Path) -> dict[str, str]:
    """Chart name (Chart.yaml ``name:``, and the folder's own name) -> folder relative to ``root``."""
    charts: dict[str, str] = {}
    seen = 0
    for folder, children, files in os.walk(root):
        seen += 1
        if seen > CHART_SEARCH_MAX_FOLDERS:
            break
        children[:] = sorted(child for child in children if not child.startswith(".") and child not in _SKIPPED)
        if "Chart.yaml" in files:
            relative = Path(folder).relative_to(root).as_posix()
            try:
                text = (Path(folder) / "Chart.yaml").read_text(encoding="utf-8", errors="replace")[:65536]
            except OSError:
                text = ""
            match = _CHART_NAME.search(text)
            for name in ((match.group(1),) if match else ()) + (Path(folder).name,):
                charts.setdefault(name, relative)
    return charts


def _markers(file: str, stdin_text: Optional[str]) -> list[tuple[int, str]]:
    if file == "<stdin>":
        return [] if stdin_text is None else helm_sources(stdin_text)
    try:
        if os.path.getsize(file) > MAX_FILE_BYTES:
            return []
        text = Path(file).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return helm_sources(text) if "# Source:" in text else []


def locator(files: Iterable[str], sarif_root: Optional[str], stdin_text: Optional[str]) -> Locator:
    """The Locator for findings in ``files``: rooted at ``sarif_root``, else at the git work tree of the
    current folder, else none (paths stay as given)."""
    cwd = Path.cwd().resolve()
    if sarif_root is not None:
        root: Optional[Path] = Path(sarif_root).resolve()
        if not root.is_dir():
            raise UsageError("--sarif-root is not a folder", file=sarif_root)
    else:
        root = git_root(cwd)
    markers = {file: found for file in dict.fromkeys(files) if (found := _markers(file, stdin_text))}
    charts: dict[str, str] = {}
    existing: set[str] = set()
    if markers:
        base = root if root is not None else cwd
        charts = chart_folders(base)
        result = Locator(root=None if root is None else root.as_posix(), cwd=cwd.as_posix(), markers=markers,
                         charts=charts)
        for found in markers.values():
            for _, source in found:
                for candidate in result.candidates(source):
                    if (base / candidate).is_file():
                        existing.add(candidate)
        result.existing = frozenset(existing)
        return result
    return Locator(root=None if root is None else root.as_posix(), cwd=cwd.as_posix())
