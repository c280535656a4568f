"""Which field became which, both directions: the pairs each mapping concern declares beside its rule.

A concern's rule module (converter/rules/health.py for probes, converter/rules/resources/ for sizing, ...; the
registry of concerns is converter/core/concerns.py) declares, in ``PAIRS``, where each Kubernetes field lands on
ECS and, in ``REVERSE_PAIRS``, where each ECS field lands on Kubernetes; ``CODE_FIELDS`` and
``REVERSE_CODE_FIELDS`` name the output field a finding of the concern is about when the finding names no source
field (a placeholder, the task size). A module may declare ``PAIR_TABLES`` instead, one ``PairTable`` per
concern. ``k2ecs compare`` shows these pairs with the values read from the real payloads,
and tests/test_compare_truth.py checks every forward pair against the conversion of samples/ and the corpus: a
field the conversion consumed without a finding must be set in the output where its pair says, or mean what
ECS does when the field is absent (``same_when_unset``).

Patterns are JSON Pointers into the source document with ``*`` for any key or index and ``{containers}`` for
``containers`` or ``initContainers``. Targets use the path language of converter/compare/paths.py over the
payloads ``taskDefinition``, ``service`` and ``scaling``: ``{container}`` is the name of the container the path is
in, ``{item.x}`` field ``x`` of the node the row shows, ``a|b`` tries ``a`` then ``b``.

Reverse pairs are written in ECS API spelling (``/containerDefinitions/*/image``, ``/MinCapacity``; compare
brings CloudFormation's spelling to it) and their targets name fields of the generated manifests, keyed by kind
(``Service`` is a list: a workload may have several). A reverse pair's ``note`` is shown only when its target
is not set.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping

TD = "taskDefinition"
CD = "taskDefinition.containerDefinitions[name={container}]"
POD = "/spec/template/spec"
CONTAINER = POD + "/{containers}/*"

# Reverse targets: fields of the generated manifests.
DEPLOYMENT = "Deployment"
POD_SPEC = "Deployment.spec.template.spec"
HPA_SPEC = "HorizontalPodAutoscaler.spec"
ECS_CONTAINER = "/containerDefinitions/*"
TRACKING = "/TargetTrackingScalingPolicyConfiguration"


def workloads(*pairs: "Pair") -> dict[str, tuple["Pair", ...]]:
    """The same pod template pairs for both workload kinds."""
    return {"Deployment": pairs, "StatefulSet": pairs}


def container_field(field: str, *targets: str, **options: Any) -> "Pair":
    """A reverse pair: an ECS container field -> the same container's fields (``k8s_container``)."""
    return pair(ECS_CONTAINER + field, *(k8s_container(target) for target in targets), **options)


def k8s_container(name: str) -> str:
    """A field of the container the ECS path is in: an app container, or an init container or sidecar."""
    return f"{POD_SPEC}.containers[name={{container}}].{name}|{POD_SPEC}.initContainers[name={{container}}].{name}"


@dataclass(frozen=True)
class Pair:
    pattern: str  # the source field (see the module docstring)
    targets: tuple[str, ...] = ()  # the ECS fields it became; none: it is read for matching, not written
    unit: bool = False  # the subtree is one row (an env entry, a port, a probe)
    note: str = ""  # shown beside the target field
    resolver: str = ""  # a function of converter/compare/kubernetes_fields.py that finds the target
    # Source values whose meaning is what ECS does when the target is absent, and why (the doc that says so):
    # the renderer writes nothing for them, and the row is still "mapped".
    same_when_unset: tuple[Any, ...] = ()
    unset_reason: str = ""
    # Codes of findings that explain an absent target but sit on an enclosing object (the container, the pod).
    codes: tuple[str, ...] = ()
    # Codes of findings that say the target is absent by design (K2E-I207: the default storage covers it): the
    # finding, not a missing rule, explains the absence (tests/test_compare_truth.py).
    absent_codes: tuple[str, ...] = ()


def pair(pattern: str, *targets: str, **fields: Any) -> Pair:
    return Pair(pattern, targets, **fields)


@dataclass(frozen=True)
class PairTable:
    """The pairs of one concern declared in one module, both directions (source kind -> pairs)."""

    concern: str  # a key of converter.core.concerns.CONCERNS
    forward: Mapping[str, tuple[Pair, ...]] = field(default_factory=dict)  # Kubernetes kind -> pairs
    reverse: Mapping[str, tuple[Pair, ...]] = field(default_factory=dict)  # ECS kind -> pairs
    forward_codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # code -> ECS fields
    reverse_codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # code -> Kubernetes fields
    module: str = ""  # where it is declared (filled in by pair_tables)


def pair_tables() -> tuple[PairTable, ...]:
    """Every module's pair tables, in the registry's order (``_modules``)."""
    tables: list[PairTable] = []
    for module in _modules():
        declared = getattr(module, "PAIR_TABLES", None)
        if declared is None:
            declared = (PairTable(module.CONCERN, getattr(module, "PAIRS", {}), getattr(module, "REVERSE_PAIRS", {}),
                                  getattr(module, "CODE_FIELDS", {}), getattr(module, "REVERSE_CODE_FIELDS", {})),)
        tables += [replace(table, module=module.__name__) for table in declared]
    return tuple(tables)


def _gather(side: str) -> dict[str, tuple[Pair, ...]]:
    table: dict[str, list[Pair]] = {}
    for declared in pair_tables():
        for kind, pairs in getattr(declared, side).items():
            table.setdefault(kind, []).extend(pairs)
    return {kind: tuple(pairs) for kind, pairs in table.items()}


def _codes(side: str) -> dict[str, tuple[str, ...]]:
    fields: dict[str, tuple[str, ...]] = {}
    for declared in pair_tables():
        for code, targets in getattr(declared, side).items():
            assert code not in fields, code
            fields[code] = targets
    return fields


def forward_pairs() -> dict[str, tuple[Pair, ...]]:
    """Kubernetes kind -> its pairs, gathered from the concern modules (an explicit registry: ``_modules``)."""
    return _gather("forward")


def forward_code_fields() -> dict[str, tuple[str, ...]]:
    """Finding code -> the ECS fields it is about, for findings that name no source field."""
    return _codes("forward_codes")


def reverse_pairs() -> dict[str, tuple[Pair, ...]]:
    """ECS kind (TaskDefinition, Service, ScalableTarget, ScalingPolicy, Template) -> its pairs."""
    return _gather("reverse")


def reverse_code_fields() -> dict[str, tuple[str, ...]]:
    """Finding code -> the Kubernetes fields it is about, for reverse findings that name no source field."""
    return _codes("reverse_codes")


def _modules() -> tuple[Any, ...]:
    # lazy: an import cycle (each concern module imports this one for pair())
    from converter.rules import (env, exposure, health, identity, linking, logging, naming, placement, process, resources,
                                 rollout, scaling, security, volumes)

    # Order matters where two patterns match one path: the first concern's pair wins.
    return (naming, rollout, resources, health, linking, identity, process, placement, env, volumes, security, logging,
            exposure, scaling)
