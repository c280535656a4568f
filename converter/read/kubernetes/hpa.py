"""HorizontalPodAutoscaler -> the neutral Autoscaling (docs/MAPPING.md#topic-scaling-target).

Reads autoscaling/v1, v2, v2beta2 (the same shape as v2) and v2beta1 (its own metric shape, no
behavior). Every field is consumed through the Reader or named in a finding; a wrong type or a value
the Kubernetes API server would reject ends the run with an InputError naming the line.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from converter.read.kubernetes.context import ParseContext
from converter.read.kubernetes.hpa_behavior import scaling_behavior
from converter.read.kubernetes.metadata import read_metadata
from converter.core.reader import Path, Reader
from converter.core.model import Autoscaling, MetricTarget
from converter.core.quantity import QuantityError, parse_quantity

# [K8S-AS2] HorizontalPodAutoscalerSpec.Metrics: no metrics means 80% average CPU utilization (#topic-scaling-metrics).
DEFAULT_CPU_UTILIZATION = 80

_V2 = ("autoscaling/v2", "autoscaling/v2beta2")
_V2BETA1 = "autoscaling/v2beta1"
_V1 = "autoscaling/v1"
# autoscaling/v1 objects read back from a cluster keep their v2 fields in annotations.
_V1_STATUS_ANNOTATIONS = ("autoscaling.alpha.kubernetes.io/conditions",
                          "autoscaling.alpha.kubernetes.io/current-metrics")
_V1_SPEC_ANNOTATIONS = ("autoscaling.alpha.kubernetes.io/metrics", "autoscaling.alpha.kubernetes.io/behavior")
_TARGET_FIELDS = {"Utilization": "averageUtilization", "AverageValue": "averageValue", "Value": "value"}


def parse_hpa(reader: Reader, context: ParseContext) -> Autoscaling | None:
    """The HPA as scaling settings; always an Autoscaling (the caller checks kind and scale target)."""
    del context  # nothing referenced: the scale target is matched by the caller (K2E-E505)
    meta = read_metadata(reader, "HorizontalPodAutoscaler")
    shape = _shape(reader)
    _annotations(reader, meta.annotations)
    if meta.labels:
        # The scalable target carries no tags in the output, so labels go nowhere (one finding per HPA).
        keys = ", ".join(key for key, _ in meta.labels)
        reader.note(("metadata", "labels"), "K2E-I009", f"labels ({keys}) are not carried to the scalable target")
    spec = ("spec",)
    reader.mapping(spec)
    target_kind, target_name = _scale_target(reader)
    min_replicas = reader.get(spec + ("minReplicas",), int)
    if min_replicas is None:
        min_replicas = 1
        reader.note(spec + ("minReplicas",), "K2E-I311", "minReplicas is not set; Kubernetes default 1 -> MinCapacity 1")
    elif min_replicas < 0:
        reader.fail(spec + ("minReplicas",), "minReplicas cannot be negative")
    max_replicas = reader.get(spec + ("maxReplicas",), int)
    if max_replicas is None:
        reader.fail(spec, "maxReplicas is required")
    if max_replicas < 1:
        reader.fail(spec + ("maxReplicas",), "maxReplicas must be at least 1")
    # min > max is invalid in Kubernetes; it is left to the renderer's K2E-W509 guard (#limits-ecs).
    if shape != _V1:
        _v1_field_in_later_version(reader, shape)
    metrics = _v1_metrics(reader) if shape == _V1 else _v2_metrics(reader, beta1=shape == _V2BETA1)
    scale_out, scale_in, out_disabled, in_disabled = scaling_behavior(reader, read=shape in _V2)
    return Autoscaling(
        name=meta.name, namespace=meta.namespace, target_kind=target_kind, target_name=target_name,
        min_replicas=min_replicas, max_replicas=max_replicas, metrics=metrics,
        scale_out_cooldown_seconds=scale_out, scale_in_cooldown_seconds=scale_in,
        scale_in_disabled=in_disabled, scale_out_disabled=out_disabled, origin=reader.origin(),
    )


def _shape(reader: Reader) -> str:
    version = reader.raw(("apiVersion",))
    if version in _V2 or version in (_V1, _V2BETA1):
        return version
    # An unknown version is read with the shape its spec has: v1's single field, otherwise v2.
    guess = _V1 if reader.has(("spec", "targetCPUUtilizationPercentage")) else "autoscaling/v2"
    reader.note(("apiVersion",), "K2E-W006", f"apiVersion {version!r} is not one k2ecs knows; read as {guess}")
    return guess


def _annotations(reader: Reader, annotations: tuple[tuple[str, str], ...]) -> None:
    for key, _ in annotations:
        path = ("metadata", "annotations", key)
        if key in _V1_STATUS_ANNOTATIONS:
            reader.note(path, "K2E-I004", f"annotation {key} is status written by the HPA controller")
        elif key in _V1_SPEC_ANNOTATIONS:
            reader.note(path, "K2E-W510", f"annotation {key} holds autoscaling/v2 settings that were not read")
        else:
            reader.note(path, "K2E-I008", f"annotation {key} is not carried to the scalable target")


def _scale_target(reader: Reader) -> tuple[str, str]:
    base = ("spec", "scaleTargetRef")
    if not reader.mapping(base):
        reader.fail(("spec",), "scaleTargetRef is required")
    reader.get(base + ("apiVersion",), str)  # the kind and name identify the workload in this input
    kind = reader.get(base + ("kind",), str)
    name = reader.get(base + ("name",), str)
    if not kind or not name:
        reader.fail(base, "scaleTargetRef needs kind and name")
    canonical = _LOWER_CASE_KINDS.get(kind)
    if canonical is not None:
        # The HPA controller finds its target through a RESTMapper built from discovery, which registers
        # every kind in lower case as well (client-go restmapper/discovery.go NewDiscoveryRESTMapper:
        # AddSpecific(gv.WithKind(strings.ToLower(resource.Kind)), ...)), so kind: deployment scales the
        # Deployment. Any other spelling (DEPLOYMENT, deployMent) finds nothing there, nor here.
        reader.note(base + ("kind",), "K2E-I520", f"scaleTargetRef.kind {kind!r} is read as {canonical}, as the "
                                                  "HPA controller's RESTMapper reads a kind in lower case", covers=False)
        kind = canonical
    return kind, name


_LOWER_CASE_KINDS = {"deployment": "Deployment", "statefulset": "StatefulSet", "replicaset": "ReplicaSet",
                     "replicationcontroller": "ReplicationController"}


# -- metrics (#topic-scaling-metrics) ------------------------------------------------------------------

def _v1_field_in_later_version(reader: Reader, shape: str) -> None:
    """autoscaling/v1's one metric field, in a v2 object: an unknown field there, which the API server drops
    (field validation Warn) and kubectl apply refuses (--validate=strict), so it scales nothing on a cluster."""
    path = ("spec", "targetCPUUtilizationPercentage")
    if reader.has(path):
        value = reader.raw(path)
        reader.note(path, "K2E-W521", f"targetCPUUtilizationPercentage {value!r} is an autoscaling/v1 field; in "
                                      f"{shape} the API server drops it, so the HPA scales on spec.metrics "
                                      f"(or the default {DEFAULT_CPU_UTILIZATION}% CPU when there are none)")


def _v1_metrics(reader: Reader) -> tuple[MetricTarget, ...]:
    path = ("spec", "targetCPUUtilizationPercentage")
    value = reader.get(path, int)
    if value is None:
        value = DEFAULT_CPU_UTILIZATION
        reader.note(path, "K2E-I311", f"targetCPUUtilizationPercentage is not set; Kubernetes default {value}% CPU")
    return (MetricTarget(resource="cpu", utilization_percent=Decimal(value), origin=reader.origin(path)),)


def _v2_metrics(reader: Reader, *, beta1: bool) -> tuple[MetricTarget, ...]:
    path = ("spec", "metrics")
    items = list(reader.sequence(path))
    if not items:  # absent or empty: Kubernetes defaulting fills in CPU 80% (len(metrics) == 0)
        reader.note(path, "K2E-I311", f"no metrics; Kubernetes default {DEFAULT_CPU_UTILIZATION}% CPU utilization")
        return (MetricTarget(resource="cpu", utilization_percent=Decimal(DEFAULT_CPU_UTILIZATION),
                             origin=reader.origin(path)),)
    metrics: list[MetricTarget] = []
    for item_path, _ in items:
        reader.mapping(item_path)
        kind = reader.get(item_path + ("type",), str)
        if kind in ("Resource", "ContainerResource"):
            metric = _resource_metric(reader, item_path, kind, beta1)
            if metric is not None:
                metrics.append(metric)
        elif kind in ("Pods", "Object", "External"):
            _custom_metric(reader, item_path, kind, beta1)
        elif kind is None:
            reader.fail(item_path, "a metric needs a type")
        else:
            reader.note(item_path, "K2E-W510", f"metric type {kind!r} is not one k2ecs knows; no policy written")
    return tuple(metrics)


def _resource_metric(reader: Reader, item: Path, kind: str, beta1: bool) -> MetricTarget | None:
    base = item + ("resource" if kind == "Resource" else "containerResource",)
    if not reader.mapping(base):
        reader.fail(item, f"a {kind} metric needs {base[-1]}")
    name = reader.get(base + ("name",), str)
    if name is None:
        reader.fail(base, "the resource name is required")
    container = reader.get(base + ("container",), str) if kind == "ContainerResource" else None
    if kind == "ContainerResource" and container is None:
        reader.fail(base, "a ContainerResource metric needs container")
    if name not in ("cpu", "memory"):
        reader.note(item, "K2E-W510", f"resource {name!r} has no ECS service metric; no policy written")
        return None
    target = _beta1_resource_target(reader, base) if beta1 else _resource_target(reader, base)
    if target is None:
        return None
    target_type, value_path = target
    utilization = average = None
    if target_type == "Utilization":
        percent = reader.get(value_path, int)
        if percent is None:
            reader.fail(value_path, "the utilization target is required")
        utilization = Decimal(percent)
    else:
        average = _quantity(reader, value_path)
    if container is not None:
        reader.note(base + ("container",), "K2E-W503",
                    f"the {name} target of container {container} became the service-level {name} metric, which "
                    "covers every container of the task (the rescaling uses the requests of all of them)")
    return MetricTarget(resource=name, utilization_percent=utilization, average_value=average,
                        origin=reader.origin(item))


def _resource_target(reader: Reader, base: Path) -> tuple[str, Path] | None:
    target = base + ("target",)
    if not reader.mapping(target):
        reader.fail(base, "the metric target is required")
    target_type = reader.get(target + ("type",), str)
    if target_type not in _TARGET_FIELDS:
        reader.fail(target + ("type",), "the target type must be Utilization, AverageValue or Value")
    if target_type == "Value":
        reader.note(target, "K2E-W510", f"a {base[-1]} metric cannot have a Value target (Kubernetes accepts "
                    "Utilization and AverageValue only); no policy written")
        return None
    value_path = target + (_TARGET_FIELDS[target_type],)
    if not reader.has(value_path):
        reader.fail(target, f"target type {target_type} needs {value_path[-1]}")
    for other in _TARGET_FIELDS.values():
        if other != value_path[-1] and reader.has(target + (other,)):
            reader.note(target + (other,), "K2E-I009", f"{other} is ignored for target type {target_type}")
    return target_type, value_path


def _beta1_resource_target(reader: Reader, base: Path) -> tuple[str, Path] | None:
    utilization = base + ("targetAverageUtilization",)
    average = base + ("targetAverageValue",)
    if reader.has(utilization) and reader.has(average):
        reader.fail(base, "set targetAverageUtilization or targetAverageValue, not both")
    if reader.has(utilization):
        return "Utilization", utilization
    if reader.has(average):
        return "AverageValue", average
    reader.fail(base, "targetAverageUtilization or targetAverageValue is required")
    return None  # pragma: no cover - fail raises


def _quantity(reader: Reader, path: Path) -> Decimal:
    value = reader.get(path, str, int, float)
    if value is None:
        reader.fail(path, "the average value target is required")
    try:
        return parse_quantity(value)
    except QuantityError as err:
        reader.fail(path, str(err))
        raise  # pragma: no cover - fail raises


def _custom_metric(reader: Reader, item: Path, kind: str, beta1: bool) -> None:
    """Pods, Object and External metrics come from a metrics adapter: report them, write no policy."""
    body = reader.raw(item + (kind[0].lower() + kind[1:],))
    body = body if isinstance(body, dict) else {}
    if beta1:
        name = body.get("metricName")
        target_type, value = next(((t, body[k]) for t, k in (("AverageValue", "targetAverageValue"),
                                                             ("AverageValue", "averageValue"),
                                                             ("Value", "targetValue")) if k in body), (None, None))
        described = body.get("target")
    else:
        metric, target = body.get("metric"), body.get("target")
        name = metric.get("name") if isinstance(metric, dict) else None
        target = target if isinstance(target, dict) else {}
        target_type = target.get("type")
        value = target.get(_TARGET_FIELDS.get(target_type, "")) if isinstance(target_type, str) else None
        described = body.get("describedObject")
    described_kind = described.get("kind") if isinstance(described, dict) else None
    shown = f"{target_type} {value}" if target_type is not None else "no target"
    message = f"{kind} metric {name!r} ({shown}) comes from a Kubernetes metrics adapter; no policy written"
    reader.note(item, "K2E-W502", message, _custom_suggestion(kind, name, target_type, value, described_kind))


def _custom_suggestion(kind: str, name: Any, target_type: Any, value: Any, described_kind: Any) -> str:
    value = _number(value)
    custom = (f"Publish {name} to CloudWatch and add a target-tracking policy with CustomizedMetricSpecification "
              f"(Statistic Average, TargetValue {value}); the metric must fall as tasks are added.")
    if kind == "External":
        if target_type == "Value":
            return (f"An External Value target is not proportional to capacity: use step scaling "
                    f"(docs/MAPPING.md#topic-scaling-step) with a CloudWatch alarm on {name}.")
        return (f"Publish {name} to CloudWatch and add a target-tracking policy whose CustomizedMetricSpecification "
                f"uses metric math ({name} / RunningTaskCount), TargetValue {value}.")
    looks_like_requests = "request" in str(name).lower() or described_kind in ("Ingress", "Service")
    if kind != "Object" or not looks_like_requests:
        return custom
    per_minute = _per_minute(value)
    if target_type == "Value":
        rate = (f"TargetValue = ({value} per second / the number of tasks you expect) x 60"
                + (f", i.e. {per_minute} / tasks" if per_minute else ""))
    else:
        rate = f"TargetValue = {value} per second x 60" + (f" = {per_minute}" if per_minute else "")
    return (f"If the {described_kind or 'object'} is an ALB, use PredefinedMetricType ALBRequestCountPerTarget with "
            "ResourceLabel app/<lb-name>/<lb-id>/targetgroup/<tg-name>/<tg-id>; it counts requests per target per "
            f"minute, so {rate}. Otherwise: {custom}")


def _per_minute(value: Any) -> str | None:
    try:
        return format((parse_quantity(value) * 60).normalize(), "f")
    except QuantityError:
        return None


def _number(value: Any) -> str:
    """A quantity as a plain number for a CloudWatch TargetValue (1k -> 1000), else as written."""
    try:
        return format(parse_quantity(value).normalize(), "f")
    except QuantityError:
        return str(value)
