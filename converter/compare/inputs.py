"""Which side the input is on, and the one function per side that makes the neutral CompareInput.

Each builder runs its direction's conversion and hands back a CompareInput with its own FieldMap;
nothing else in converter/compare/ knows which side the input is on.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from converter.compare.ecs_input import from_ecs
from converter.compare.kubernetes_input import from_kubernetes
from converter.compare.model import CompareInput
from converter.read.ecs.detect import shape
from converter.core.errors import UsageError
from converter.core.settings import Settings

# (documents, settings, the paths given, each file's text by name or None) -> CompareInput
Builder = Callable[[list[Any], Settings, tuple[str, ...], "Mapping[str, str] | None"], CompareInput]

INPUTS: dict[str, Builder] = {
    "kubernetes": from_kubernetes,  # Kubernetes -> ECS (converter.pipeline.convert)
    "ecs": from_ecs,  # ECS -> Kubernetes (converter.pipeline.reverse)
}


def detect(documents: list[Any]) -> str:
    """ "kubernetes" or "ecs". A document of neither shape goes with the other documents, whose reader names it."""
    sides = set()
    for document in documents:
        data = document.data
        if isinstance(data, dict) and isinstance(data.get("kind"), str) and data.get("kind"):
            sides.add("kubernetes")
        elif shape(data) is not None:
            sides.add("ecs")
    if sides == {"ecs", "kubernetes"}:
        raise UsageError("the input mixes Kubernetes manifests and ECS input; compare one side at a time")
    return "ecs" if sides == {"ecs"} else "kubernetes"


def build_input(documents: list[Any], settings: Settings, inputs: tuple[str, ...],
                texts: Mapping[str, str] | None = None) -> CompareInput:
    return INPUTS[detect(documents)](documents, settings, inputs, texts)
