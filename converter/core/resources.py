"""Locate the data folders (schemas/, templates/) and docs/MAPPING.md the same way in every kind of install.

An installed wheel carries them inside the package as ``converter/_data/<name>`` (``_data/docs/MAPPING.md``);
a source checkout and an editable install have them at the repository root, beside ``converter/``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # converter/, this module being converter/core/resources.py


def data_dir(name: str) -> Path:
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"k2ecs data folder {name!r} not found beside {_PACKAGE_DIR}")


def mapping_doc() -> Path | None:
    """docs/MAPPING.md as installed (None in a checkout or install that lacks it: it is generated)."""
    for candidate in (_PACKAGE_DIR / "_data" / "docs" / "MAPPING.md", _PACKAGE_DIR.parent / "docs" / "MAPPING.md"):
        if candidate.is_file():
            return candidate
    return None


def schemas_dir() -> Path:
    return data_dir("schemas")


def templates_dir() -> Path:
    return data_dir("templates")


@cache
def load_schema(filename: str) -> Any:
    """Read one JSON file from schemas/ (cached: these are facts, read once per process)."""
    return json.loads((schemas_dir() / filename).read_text(encoding="utf-8"))
