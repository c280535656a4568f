"""Which Kubernetes field became which ECS field: the pairs each mapping concern declares beside its rule.

A concern's module (converter/ecs/healthcheck.py for probes, sizing.py for resources, ...) renders its fields
and declares, in ``PAIRS``, where each source field lands; ``CODE_FIELDS`` names the ECS field a finding of the
concern is about when the finding names no source field (a placeholder, the task size). ``k2ecs compare`` shows
these pairs with the values read from the real payloads, and tests/test_compare_truth.py checks every pair
against the conversion of samples/ and the corpus: a field the conversion consumed without a finding must be set
in the output where its pair says, or mean what ECS does when the field is absent (``same_when_unset``).

Patterns are JSON Pointers into the source document with ``*`` for any key or index and ``{containers}`` for
``containers`` or ``initContainers``. Targets use the path language of converter/compare/paths.py over the
payloads ``taskDefinition``, ``service`` and ``scaling``: ``{container}`` is the name of the container the path is
in, ``{item.x}`` field ``x`` of the node the row shows, ``a|b`` tries ``a`` then ``b``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TD = "taskDefinition"
CD = "taskDefinition.containerDefinitions[name={container}]"
POD = "/spec/template/spec"
CONTAINER = POD + "/{containers}/*"


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


def forward_pairs() -> dict[str, tuple[Pair, ...]]:
    """Kubernetes kind -> its pairs, gathered from the concern modules (an explicit registry: ``_CONCERNS``)."""
    table: dict[str, list[Pair]] = {}
    for module in _concerns():
        for kind, pairs in module.PAIRS.items():
            table.setdefault(kind, []).extend(pairs)
    return {kind: tuple(pairs) for kind, pairs in table.items()}


def forward_code_fields() -> dict[str, tuple[str, ...]]:
    """Finding code -> the ECS fields it is about, for findings that name no source field."""
    fields: dict[str, tuple[str, ...]] = {}
    for module in _concerns():
        for code, targets in getattr(module, "CODE_FIELDS", {}).items():
            assert code not in fields, code
            fields[code] = targets
    return fields


def _concerns() -> tuple[Any, ...]:
    # lazy: an import cycle (each concern module imports this one for pair())
    from converter.ecs import container_pairs, healthcheck, rollout, scaling, service_wiring, sizing, tags

    # Order matters where two patterns match one path: the first concern's pair wins.
    return (tags, rollout, sizing, healthcheck, container_pairs, service_wiring, scaling)
