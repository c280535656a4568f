"""Which ECS field each Kubernetes field became, as compare shows it: the conversion's own pairs, values read.

The pairs live beside the rules that write the fields (converter/core/field_pairs.py gathers them from the concern
modules); this module finds a row's pair, fills the pair's target path with the row's names and reads the value
from the real payloads. The resolvers below are the few targets a path cannot name (an envFrom entry becomes one
entry per key of its ConfigMap; a Service port, the Service Connect alias on that port; an HPA metric, the policy
on that ECS metric).
"""

from __future__ import annotations

from functools import cache
from typing import Any, Callable

from converter.compare.model import MISSING, NO_FIELD, SourceDocument, WorkloadInput
from converter.compare.paths import combine as _combine
from converter.compare.paths import label, pattern_matches, pattern_parts, resolve, resolve_first
from converter.compare.paths import node_at as _at
from converter.rules.scaling.forward import PREDEFINED_METRIC
from converter.core.field_pairs import CD, Pair, forward_code_fields, forward_pairs

HIDDEN = {("apiVersion",), ("kind",)}  # identify the document; shown in its heading


@cache
def _compiled() -> dict[str, tuple[tuple[tuple[str, ...], Pair], ...]]:
    return {kind: tuple((pattern_parts(p.pattern), p) for p in pairs) for kind, pairs in forward_pairs().items()}


@cache
def _code_fields() -> dict[str, tuple[str, ...]]:
    return forward_code_fields()


# Rows of one kind repeat the same paths workload after workload (containers/0/env/3): the lookup is cached.
@cache
def entry_for(kind: str, path: tuple[Any, ...]) -> Pair | None:
    for parts, entry in _compiled().get(kind, ()):
        if pattern_matches(parts, path):
            return entry
    return None


def _variables(source: SourceDocument, path: tuple[Any, ...]) -> dict[str, Any]:
    variables: dict[str, Any] = {}
    # One walk down the path (node_at a step at a time: None once a step is not there), where the container's
    # name and the node were each looked up from the root (issue 24).
    node = source.data
    previous = None
    for step in path:
        node = _at(node, (step,))
        if previous in ("containers", "initContainers") and isinstance(step, int):
            variables["container"] = _at(node, ("name",))
        previous = step
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                variables[f"item.{key}"] = value
    return variables


def _mapping_at(data: Any, path: tuple[Any, ...]) -> dict[str, Any]:
    node = _at(data, path)
    return node if isinstance(node, dict) else {}


def _env_from(source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
    """An envFrom entry became one environment or secrets entry per key of its ConfigMap or Secret."""
    node = _mapping_at(source.data, path)
    variables = _variables(source, path)
    prefix = str(node.get("prefix") or "")
    kind, ref = ("ConfigMap", node.get("configMapRef")) if "configMapRef" in node else ("Secret", node.get("secretRef"))
    name = ref.get("name") if isinstance(ref, dict) else None
    keys: list[str] = []
    for other in workload.sources:
        if other.kind == kind and other.resource == f"{kind}/{name}":
            for section in ("data", "stringData", "binaryData"):
                block = other.data.get(section) if isinstance(other.data, dict) else None
                keys += [str(k) for k in block] if isinstance(block, dict) else []
    section = "environment" if kind == "ConfigMap" else "secrets"
    where = f"{CD}.{section}"
    entries = resolve(workload.targets, where + "[*]", variables)
    names = {prefix + key for key in keys}
    chosen = [e for e in (entries if isinstance(entries, list) else [entries]) if isinstance(e, dict) and e.get("name") in names]
    return label(where, variables), chosen or MISSING


def _service_port(source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
    """A Service port became Service Connect client aliases on that port, or a load balancer entry."""
    port = _mapping_at(source.data, path).get("port")
    services = resolve(workload.targets, "service.serviceConnectConfiguration.services[*]")
    services = services if isinstance(services, list) else [services]
    chosen = [s for s in services if isinstance(s, dict)
              and any(alias.get("port") == port for alias in s.get("clientAliases", []))]
    if chosen:
        return "service.serviceConnectConfiguration.services", chosen
    return resolve_first(workload.targets, "service.loadBalancers", {})


_METRIC_TYPES = PREDEFINED_METRIC  # the scaling concern's table (converter/rules/scaling/forward.py)


def _metric(source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
    """An HPA metric became the target-tracking policy on the matching ECS service metric."""
    name = _at(source.data, path + ("resource", "name")) or _at(source.data, path + ("containerResource", "name"))
    policies = resolve(workload.targets, "scaling.scalingPolicies[*]")
    policies = policies if isinstance(policies, list) else [policies]
    wanted = _METRIC_TYPES.get(str(name))
    for policy in policies:
        spec = policy.get("TargetTrackingScalingPolicyConfiguration", {}) if isinstance(policy, dict) else {}
        predefined = spec.get("PredefinedMetricSpecification", {}).get("PredefinedMetricType")
        if wanted is not None and predefined == wanted:
            return f"scaling.scalingPolicies[{policy.get('PolicyName')}]", spec
    return "scaling.scalingPolicies", MISSING


RESOLVERS: dict[str, Callable[[SourceDocument, tuple[Any, ...], WorkloadInput], tuple[str, Any]]] = {
    "env_from": _env_from, "service_port": _service_port, "metric": _metric,
}


class KubernetesToEcs:
    """The FieldMap for Kubernetes input (see converter.compare.model.FieldMap)."""

    def unit(self, source: SourceDocument, path: tuple[Any, ...]) -> bool:
        entry = entry_for(source.kind, tuple(path))
        return entry is not None and entry.unit

    def hidden(self, source: SourceDocument, path: tuple[Any, ...]) -> bool:
        return tuple(path) in HIDDEN

    def target(self, source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
        entry = entry_for(source.kind, tuple(path))
        if entry is None:
            return NO_FIELD, MISSING
        if entry.resolver:
            return RESOLVERS[entry.resolver](source, tuple(path), workload)
        if not entry.targets:
            return entry.note or NO_FIELD, MISSING
        variables = _variables(source, tuple(path))
        field, value = _combine([resolve_first(workload.targets, t, variables) for t in entry.targets])
        return (f"{field} {entry.note}" if entry.note else field), value

    def unset(self, source: SourceDocument, path: tuple[Any, ...]) -> str | None:
        entry = entry_for(source.kind, tuple(path))
        if entry is None or not entry.same_when_unset:
            return None
        value = _at(source.data, tuple(path))
        # True == 1 in Python: a bool pair matches only a bool, as the API server would read it.
        same = any(value == unset and type(value) is type(unset) for unset in entry.same_when_unset)
        return entry.unset_reason if same else None

    def explained(self, source: SourceDocument, path: tuple[Any, ...]) -> tuple[str, ...]:
        entry = entry_for(source.kind, tuple(path))
        return () if entry is None else entry.codes

    def code_target(self, code: str, workload: WorkloadInput) -> tuple[str, Any] | None:
        targets = _code_fields().get(code)
        if targets is None:
            return None
        return _combine([resolve_first(workload.targets, t, {}) for t in targets])
