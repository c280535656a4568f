"""Which Kubernetes field each ECS field became (docs/MAPPING.md#topic-reverse), as compare shows it.

The pairs are the conversion's own: each concern declares its ``REVERSE_PAIRS`` beside its rule
(converter/core/field_pairs.py gathers them; converter/core/concerns.py says which module owns which concern). They are
written in ECS API spelling (``/containerDefinitions/*/image``, ``/MinCapacity``). A source path is first
brought to that spelling: a CloudFormation resource's ``Properties`` are respelled the way
converter.read.ecs.view spells them the other way, and the ``{"taskDefinition": ...}`` of describe output is
unwrapped. Targets use the path language of ``converter.compare.paths`` over the generated manifests, keyed by
kind (``Service`` is a list: a workload may have several). Values are always read from the real manifests.
"""

from __future__ import annotations

from functools import cache
from typing import Any, Callable

from converter.compare.model import MISSING, NO_FIELD, SourceDocument, WorkloadInput
from converter.compare.paths import combine, pattern_matches, pattern_parts, resolve, resolve_first
from converter.compare.paths import node_at as _at
from converter.rules.naming import member_labels
from converter.rules.scaling.reverse import METRICS as METRIC_RESOURCES
from converter.read.ecs.view import api_name
from converter.core.field_pairs import DEPLOYMENT, Pair, reverse_code_fields, reverse_pairs
from converter.core.field_pairs import HPA_SPEC as HPA

CFN_KINDS = {"AWS::ECS::TaskDefinition": "TaskDefinition", "AWS::ECS::Service": "Service",
             "AWS::ApplicationAutoScaling::ScalableTarget": "ScalableTarget",
             "AWS::ApplicationAutoScaling::ScalingPolicy": "ScalingPolicy"}
CAMEL_KINDS = ("TaskDefinition", "Service")  # ECS spells members camelCase; Application Auto Scaling PascalCase
WRAPPED = {"TaskDefinition": "taskDefinition", "Service": "service"}  # describe / register output
RESOURCE_ATTRIBUTES = "CloudFormationResource"
NOT_CONVERTED = "CloudFormationOther"  # a resource type k2ecs does not convert: one row, its K2E-W702
HIDDEN = {(RESOURCE_ATTRIBUTES, ("Type",)), (NOT_CONVERTED, ("Type",)), (NOT_CONVERTED, ("Properties",)),
          ("Template", ("AWSTemplateFormatVersion",))}


@cache
def _compiled() -> dict[str, tuple[tuple[tuple[str, ...], Pair], ...]]:
    return {kind: tuple((pattern_parts(p.pattern), p) for p in pairs) for kind, pairs in reverse_pairs().items()}


@cache
def _code_fields() -> dict[str, tuple[str, ...]]:
    return reverse_code_fields()


def api_path(source: SourceDocument, path: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """(table kind, the path as the ECS API spells it) for a path of a source document."""
    kind = source.kind
    if kind.startswith("AWS::") and kind not in CFN_KINDS:
        return NOT_CONVERTED, path
    if kind in CFN_KINDS:
        if path[:1] != ("Properties",):
            return RESOURCE_ATTRIBUTES, path
        kind = CFN_KINDS[kind]
        if kind in CAMEL_KINDS:
            return kind, tuple(_camel(step) for step in path[1:])
        return kind, path[1:]
    wrapper = WRAPPED.get(kind)
    if wrapper is not None and isinstance(source.data, dict) and isinstance(source.data.get(wrapper), dict) \
            and path[:1] == (wrapper,):
        return kind, path[1:]
    return kind, path


def _camel(step: Any) -> Any:
    if not isinstance(step, str):
        return step
    return api_name(step)


def entry_for(source: SourceDocument, path: tuple[Any, ...]) -> Pair | None:
    kind, steps = api_path(source, path)
    for parts, entry in _compiled().get(kind, ()):
        if pattern_matches(parts, steps):
            return entry
    return None


def _variables(source: SourceDocument, path: tuple[Any, ...]) -> dict[str, Any]:
    """``{container}``, ``{volume}``: the Kubernetes name of the container or volume the path is in; ``{item.x}``:
    fields of the node."""
    kind, steps = api_path(source, path)
    offset = len(path) - len(steps)
    variables: dict[str, Any] = {}
    if steps[:1] == ("containerDefinitions",) and len(steps) > 1 and isinstance(steps[1], int):
        name = _member_name("container", _at(source.data, path[: offset + 1]), steps[1], source.kind in CFN_KINDS)
        if name is not None:
            variables["container"] = name
    if steps[:1] == ("volumes",) and len(steps) > 1 and isinstance(steps[1], int):
        name = _member_name("volume", _at(source.data, path[: offset + 1]), steps[1], source.kind in CFN_KINDS)
        if name is not None:
            variables["volume"] = name
    node = _at(source.data, path)
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                variables[f"item.{_camel(key) if kind in CAMEL_KINDS else key}"] = value
    return variables


def _member_name(kind: str, members: Any, index: int, pascal: bool) -> str | None:
    """The name the conversion gave container or volume ``index`` (converter.read.ecs.container.member_labels: an
    empty name becomes ``<kind>-N``, a collision gets ``-N``); None for a name compare cannot read (an intrinsic)."""
    if not isinstance(members, list) or not 0 <= index < len(members):
        return None
    raw = [_field(item, "name", pascal) for item in members]
    if raw[index] is not None and not isinstance(raw[index], str):
        return None
    return member_labels(kind, [name if isinstance(name, str) else "" for name in raw])[index]


def _field(node: Any, name: str, pascal: bool) -> Any:
    if not isinstance(node, dict):
        return None
    return node.get(name[:1].upper() + name[1:] if pascal else name)


def _services(workload: WorkloadInput, wanted: Callable[[dict[str, Any]], bool]) -> tuple[str, Any]:
    services = [s for s in workload.targets.get("Service") or [] if isinstance(s, dict) and wanted(s)]
    if not services:
        return "Service", MISSING
    names = ", ".join(str((s.get("metadata") or {}).get("name")) for s in services)
    return f"Service[{names}].spec", services[0].get("spec") if len(services) == 1 else [s.get("spec") for s in services]


def _spec(service: dict[str, Any]) -> dict[str, Any]:
    spec = service.get("spec")
    return spec if isinstance(spec, dict) else {}


def _load_balancer(source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
    """A target group became a Service of type LoadBalancer (AWS Load Balancer Controller)."""
    return _services(workload, lambda s: _spec(s).get("type") == "LoadBalancer")


def _service_connect(source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
    """Service Connect client aliases became ClusterIP Services."""
    return _services(workload, lambda s: _spec(s).get("type", "ClusterIP") == "ClusterIP"
                     and _spec(s).get("clusterIP") != "None")


def _registry(source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
    """A Cloud Map registry became a headless Service."""
    return _services(workload, lambda s: _spec(s).get("clusterIP") == "None")


def _tag(source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
    """A tag became a label, an annotation (a value no label may hold), or the namespace (k2ecs's own tag)."""
    node = _at(source.data, path)
    key = node.get("key", node.get("Key")) if isinstance(node, dict) else None
    metadata = resolve(workload.targets, f"{DEPLOYMENT}.metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    if key == "k8s-namespace":
        return f"{DEPLOYMENT}.metadata.namespace", metadata.get("namespace", MISSING)
    for section in ("labels", "annotations"):
        values = metadata.get(section)
        if isinstance(values, dict) and key in values:
            return f"{DEPLOYMENT}.metadata.{section}[{key}]", values[key]
    return f"{DEPLOYMENT}.metadata.labels", MISSING


_METRICS = METRIC_RESOURCES  # the scaling concern's table (converter/rules/scaling/reverse.py)


def _metric(source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
    """A target-tracking policy on cpu or memory became the HPA's Resource metric of that name."""
    where = path.index("TargetTrackingScalingPolicyConfiguration") + 1 if "TargetTrackingScalingPolicyConfiguration" in path else None
    config = _at(source.data, path[:where]) if where is not None else None
    spec = config.get("PredefinedMetricSpecification") if isinstance(config, dict) else None
    wanted = _METRICS.get(spec.get("PredefinedMetricType")) if isinstance(spec, dict) else None
    metrics = resolve(workload.targets, f"{HPA}.metrics")
    for metric in metrics if isinstance(metrics, list) else []:
        resource = metric.get("resource") if isinstance(metric, dict) else None
        if wanted is not None and isinstance(resource, dict) and resource.get("name") == wanted:
            return f"{HPA}.metrics[{wanted}]", metric
    return f"{HPA}.metrics", MISSING


RESOLVERS: dict[str, Callable[[SourceDocument, tuple[Any, ...], WorkloadInput], tuple[str, Any]]] = {
    "load_balancer": _load_balancer, "service_connect": _service_connect, "registry": _registry, "tag": _tag,
    "metric": _metric,
}


class EcsToKubernetes:
    """The FieldMap for ECS input (see converter.compare.model.FieldMap)."""

    def unit(self, source: SourceDocument, path: tuple[Any, ...]) -> bool:
        entry = entry_for(source, tuple(path))
        return entry is not None and entry.unit

    def hidden(self, source: SourceDocument, path: tuple[Any, ...]) -> bool:
        return api_path(source, tuple(path)) in HIDDEN

    def target(self, source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
        entry = entry_for(source, tuple(path))
        if entry is None:
            return NO_FIELD, MISSING
        if entry.resolver:
            return RESOLVERS[entry.resolver](source, tuple(path), workload)
        if not entry.targets:
            return entry.note or NO_FIELD, MISSING
        variables = _variables(source, tuple(path))
        field, value = combine([resolve_first(workload.targets, t, variables) for t in entry.targets])
        if value is MISSING and entry.note:
            return f"{field} {entry.note}", value
        return field, value

    def unset(self, source: SourceDocument, path: tuple[Any, ...]) -> str | None:
        entry = entry_for(source, tuple(path))
        if entry is None or not entry.same_when_unset:
            return None
        value = _at(source.data, tuple(path))
        same = any(value == v and type(value) is type(v) for v in entry.same_when_unset)
        return entry.unset_reason if same else None

    def explained(self, source: SourceDocument, path: tuple[Any, ...]) -> tuple[str, ...]:
        # A finding on an enclosing object (K2E-W725 on a scalable target: no HPA written) joins the rows whose
        # pair names its code (``Pair.codes``): they say why their target is not set.
        entry = entry_for(source, tuple(path))
        return () if entry is None else entry.codes

    def code_target(self, code: str, workload: WorkloadInput) -> tuple[str, Any] | None:
        targets = _code_fields().get(code)
        if targets is None:
            return None
        return combine([resolve_first(workload.targets, t, {}) for t in targets])
