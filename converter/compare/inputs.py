"""Which side the input is on, and the one function per side that makes the neutral CompareInput.

To read ECS input, add one function ``from_ecs(documents, settings, inputs) -> CompareInput`` built on
``converter.reverse.convert_to_kubernetes`` (its source records carry the Readers, as the forward
conversion's do; the targets are the Kubernetes manifests, ``ecs`` the input payloads) with a FieldMap
from ECS paths to Kubernetes paths, and register it in ``INPUTS`` under ``"ecs"``. Nothing else in
converter/compare/ knows which side the input is on.
"""

from __future__ import annotations

import importlib.util
from typing import Any, Callable

from converter.compare.kubernetes_input import from_kubernetes
from converter.compare.model import CompareInput
from converter.errors import UsageError
from converter.settings import Settings

Builder = Callable[[list[Any], Settings, tuple[str, ...]], CompareInput]

INPUTS: dict[str, Builder] = {
    "kubernetes": from_kubernetes,
    # "ecs": from_ecs,  # ECS -> Kubernetes: plugs in here once converter.reverse exists
}
# Top-level keys that mark a document as the ECS side: a RegisterTaskDefinition or CreateService payload,
# a `k2ecs convert` stdout document, a describe-* response, or a CloudFormation template.
ECS_KEYS = frozenset({"containerDefinitions", "family", "taskDefinition", "serviceName", "services",
                      "taskDefinitionArn", "workloads", "Resources", "AWSTemplateFormatVersion"})


def detect(documents: list[Any]) -> str:
    """ "kubernetes", "ecs", or "unknown" (then the Kubernetes reader names the first bad document)."""
    sides = set()
    for document in documents:
        data = document.data
        if isinstance(data, dict) and isinstance(data.get("kind"), str) and data.get("kind"):
            sides.add("kubernetes")
        elif isinstance(data, dict) and ECS_KEYS & set(data):
            sides.add("ecs")
        else:
            sides.add("unknown")
    if sides == {"ecs"}:
        return "ecs"
    if "ecs" in sides and "kubernetes" in sides:
        raise UsageError("the input mixes Kubernetes manifests and ECS JSON; compare one side at a time")
    return "kubernetes"


def build_input(documents: list[Any], settings: Settings, inputs: tuple[str, ...]) -> CompareInput:
    side = detect(documents)
    builder = INPUTS.get(side)
    if builder is None:
        first = documents[0].file if documents else None
        if importlib.util.find_spec("converter.reverse") is None:
            raise UsageError("the input is ECS JSON, and this k2ecs has no ECS -> Kubernetes direction; "
                             "compare reads Kubernetes manifests only", file=first)
        raise UsageError("the input is ECS JSON; compare reads Kubernetes manifests only for now "
                         "(ECS input is not wired into compare yet)", file=first)
    return builder(documents, settings, inputs)
