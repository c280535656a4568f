"""`k2ecs compare`: each workload side by side, source field beside target field, with the loss marked.

Pipeline (pure; converter/commands/compare.py does the I/O):
documents --inputs.build_input--> CompareInput (neutral) --rows.build--> Comparison --> terminal | markdown | html.
"""

from __future__ import annotations

from typing import Any, Mapping

from converter.compare.model import Comparison
from converter.core.resources import load_schema
from converter.core.settings import Settings

PRICES_FILE = "fargate_prices.json"


def compare(documents: list[Any], settings: Settings, inputs: tuple[str, ...] = (),
            texts: Mapping[str, str] | None = None) -> Comparison:
    """``texts``: each input file's text by name (load_paths fills it), which the page shows the documents
    from; without it, each document is written out from its data."""
    # lazy: importing any converter.compare module runs this package, and the inputs import both conversions
    from converter.compare.inputs import build_input
    from converter.compare.rows import build

    return build(build_input(documents, settings, inputs, texts), load_schema(PRICES_FILE))
