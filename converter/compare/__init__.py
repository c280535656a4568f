"""`k2ecs compare`: each workload side by side, source field beside target field, with the loss marked.

Pipeline (pure; converter/commands/compare.py does the I/O):
documents --inputs.build_input--> CompareInput (neutral) --sections.Sections--> each workload's view, then the Comparison
--> terminal | markdown | html (each section as it is made, the head after: converter/commands/compare_views.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from converter.compare.model import Comparison
from converter.core.resources import load_schema
from converter.core.settings import Settings

if TYPE_CHECKING:
    from converter.compare.sections import Sections

PRICES_FILE = "fargate_prices.json"


def compare(documents: list[Any], settings: Settings, inputs: tuple[str, ...] = (),
            texts: Mapping[str, str] | None = None) -> Comparison:
    """``texts``: each input file's text by name (load_paths fills it), which the page shows the documents
    from; without it, each document is written out from its data."""
    # lazy: importing any converter.compare module runs this package, and the inputs import both conversions
    from converter.compare.inputs import build_input
    from converter.compare.sections import build

    return build(build_input(documents, settings, inputs, texts), load_schema(PRICES_FILE))


def by_section(documents: list[Any], settings: Settings, inputs: tuple[str, ...] = (),
              texts: Mapping[str, str] | None = None) -> "Sections":
    """compare's input, converted, as a sections.Sections: each workload's rows made when its section is reached,
    for the views written section by section (converter/commands/compare_views.py)."""
    from converter.compare.inputs import build_input
    from converter.compare.sections import Sections  # noqa: F811 (the name typed above, imported lazily)

    return Sections(build_input(documents, settings, inputs, texts), load_schema(PRICES_FILE))
