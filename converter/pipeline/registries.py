"""The kinds k2ecs reads from Kubernetes, each ONE entry of an explicit registry keyed by lower-case kind.

Everything that treats a kind specially reads it from here: the conversion (converter.pipeline.convert), the
intake of documents (converter.pipeline.intake) and the text cut that lets a large bundle's workloads be parsed a
batch at a time (converter.load.yaml_parts, through converter.pipeline.deferred). Adding a workload kind is one entry
of WORKLOAD_PARSERS: a parser from a Reader and a ParseContext to a model.Workload.
"""

from __future__ import annotations

from typing import Any, Callable

from converter.read.kubernetes.context import ParseContext
from converter.read.kubernetes.hpa import parse_hpa
from converter.core.reader import Reader
from converter.read.kubernetes.service import parse_service
from converter.read.kubernetes.workload import parse_deployment, parse_statefulset

Parser = Callable[[Reader, ParseContext], Any]

WORKLOAD_PARSERS: dict[str, tuple[str, Parser]] = {
    "deployment": ("Deployment", parse_deployment),
    "statefulset": ("StatefulSet", parse_statefulset),
}
EXPOSURE_PARSERS: dict[str, tuple[str, Parser]] = {"service": ("Service", parse_service)}
SCALER_PARSERS: dict[str, tuple[str, Parser]] = {"horizontalpodautoscaler": ("HorizontalPodAutoscaler", parse_hpa)}
REFERENCED_KINDS = {"configmap": "ConfigMap", "secret": "Secret", "serviceaccount": "ServiceAccount"}
EXPECTED_API_VERSIONS = {
    "deployment": {"apps/v1"},
    "statefulset": {"apps/v1"},
    "service": {"v1"},
    # HorizontalPodAutoscaler versions differ in shape; its parser checks and reports the version itself.
}


def parser_of(key: str) -> tuple[str, Parser] | None:
    """(canonical kind, parser) of a lower-case kind that is parsed into the model, or None."""
    return WORKLOAD_PARSERS.get(key) or EXPOSURE_PARSERS.get(key) or SCALER_PARSERS.get(key)
