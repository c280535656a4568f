"""What an input document is: a Kubernetes manifest, or which ECS shape (and where its objects sit).

Shapes (docs/MAPPING.md#topic-reverse, issue 3): register-task-definition input and the ``{"taskDefinition": ...}`` of
describe/register output; create-service input, ``{"service": ...}`` and ``{"services": [...]}``;
register-scalable-target / put-scaling-policy inputs, ``{"ScalableTargets": [...]}`` and
``{"ScalingPolicies": [...]}``; k2ecs's own output (``NAME.scaling.json``, the stdout document and
report.json); CloudFormation templates. List wrappers become one piece per item (a child Document, so
paths stay relative to the file) plus a "wrapper" piece for the keys around them.
"""

from __future__ import annotations

from typing import Any

from converter.read.ecs.intrinsics import Template
from converter.read.ecs.sniff import sniff  # noqa: F401 (re-exported: compare and the tests import it from here)
from converter.core.errors import InputError
from converter.core.document import Document
from converter.core.record import Record, set_field

TASK, SERVICE, TARGET, POLICY = "task-definition", "service", "scalable-target", "scaling-policy"
POLICY_CONFIG, REPORT, WRAPPER, TEMPLATE = "policy-configuration", "k2ecs-report", "wrapper", "template"
KUBERNETES = "kubernetes"
# Single-object wrappers: key -> kind of the object inside.
_SINGLE = {"taskDefinition": TASK, "service": SERVICE}
# List wrappers: key -> kind of each item.
_LISTS = {"services": SERVICE, "ScalableTargets": TARGET, "ScalingPolicies": POLICY, "taskDefinitions": TASK}


class Piece(Record):
    kind: str
    document: Document
    base: tuple[Any, ...]  # where the object sits in document.data
    covers: tuple[tuple[Any, ...], ...]  # WRAPPER: the paths other pieces read
    template: Template | None  # a CloudFormation resource: its template
    logical_id: str | None

    def __init__(self, kind: str, document: Document, base: tuple[Any, ...] = (),
                 covers: tuple[tuple[Any, ...], ...] = (), template: Template | None = None,
                 logical_id: str | None = None) -> None:
        set_field(self, "kind", kind)
        set_field(self, "document", document)
        set_field(self, "base", base)
        set_field(self, "covers", covers)
        set_field(self, "template", template)
        set_field(self, "logical_id", logical_id)


def shape(data: Any) -> str | None:
    """The kind of a top-level document, or None when it is neither Kubernetes nor an ECS shape."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("kind"), str) and "apiVersion" in data:
        return KUBERNETES
    if data.get("tool") == "k2ecs":
        return REPORT
    if isinstance(data.get("Resources"), dict) or "AWSTemplateFormatVersion" in data:
        return TEMPLATE
    if "containerDefinitions" in data:
        return TASK
    if isinstance(data.get("taskDefinition"), dict):
        return TASK
    if isinstance(data.get("service"), dict) or "serviceName" in data:
        return SERVICE
    if isinstance(data.get("workloads"), list) or isinstance(data.get("scalableTarget"), dict):
        return WRAPPER
    if any(isinstance(data.get(key), list) for key in _LISTS):
        return WRAPPER
    if "PolicyName" in data:
        return POLICY
    if "ScalableDimension" in data or ("ResourceId" in data and "MinCapacity" in data):
        return TARGET
    if "TargetValue" in data or "StepAdjustments" in data:
        return POLICY_CONFIG
    return None


def is_ecs(document: Document) -> bool:
    found = shape(document.data)
    return found is not None and found != KUBERNETES


def pieces(document: Document) -> list[Piece]:
    """The pieces of one ECS document (CloudFormation templates are split by converter.read.ecs.cloudformation)."""
    data = document.data
    kind = shape(data)
    if kind is None:
        raise InputError("not an ECS payload k2ecs reads (a task definition, service, scalable target or scaling "
                         "policy, their describe output, a CloudFormation template or a k2ecs output folder)",
                         file=document.file, line=document.line)
    if kind == KUBERNETES:
        raise InputError(f"a Kubernetes {data.get('kind')} among ECS input; convert the two directions separately "
                         "(or pass --to ecs)", file=document.file, line=document.line)
    for key, inner in _SINGLE.items():
        if kind == inner and isinstance(data.get(key), dict):
            return [Piece(kind, document, (key,))]
    if kind != WRAPPER:
        return [Piece(kind, document)]
    found: list[Piece] = []
    if isinstance(data.get("workloads"), list):
        for index, item in enumerate(data["workloads"]):
            found.extend(_workload_pieces(document, ("workloads", index), item))
    elif isinstance(data.get("scalableTarget"), dict):
        found.extend(_workload_pieces(document, (), {"scaling": data}, scaling_at=()))
    for key, item_kind in _LISTS.items():
        for index, item in enumerate(_items(document, (key,), data.get(key))):
            found.append(Piece(item_kind, _child(document, (key, index), item)))
    return found + [Piece(WRAPPER, document, covers=tuple(piece.document.prefix[len(document.prefix):] for piece in found))]


def _workload_pieces(document: Document, at: tuple[Any, ...], item: Any,
                     scaling_at: tuple[Any, ...] | None = None) -> list[Piece]:
    """The payloads of one k2ecs workload (stdout document entry, or a NAME.scaling.json file)."""
    if not isinstance(item, dict):
        raise InputError("a k2ecs workload entry must be a mapping", file=document.file, line=document.line_of(at))
    found: list[Piece] = []
    for key, kind in (("taskDefinition", TASK), ("service", SERVICE)):
        if isinstance(item.get(key), dict):
            found.append(Piece(kind, _child(document, at + (key,), item[key])))
    scaling = item.get("scaling")
    scaling_path = at + ("scaling",) if scaling_at is None else scaling_at
    if isinstance(scaling, dict):
        if isinstance(scaling.get("scalableTarget"), dict):
            found.append(Piece(TARGET, _child(document, scaling_path + ("scalableTarget",), scaling["scalableTarget"])))
        for index, policy in enumerate(_items(document, scaling_path + ("scalingPolicies",), scaling.get("scalingPolicies"))):
            found.append(Piece(POLICY, _child(document, scaling_path + ("scalingPolicies", index), policy)))
    return found


def _items(document: Document, path: tuple[Any, ...], value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(f"{path[-1]} must be a list", file=document.file, line=document.line_of(path))
    return value


def _child(document: Document, path: tuple[Any, ...], data: Any) -> Document:
    if not isinstance(data, dict):
        raise InputError("expected a mapping", file=document.file, line=document.line_of(path))
    return document.child(path, data)

