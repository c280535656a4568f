"""Application Auto Scaling (scalable target + target-tracking policies) -> the neutral Autoscaling (docs/MAPPING.md#topic-reverse, #topic-scaling-target inverted).

ECS utilization is relative to the task size, HPA utilization to the pods' requests, so a target is
rescaled to fire at the same absolute usage: X_HPA = X_ECS x task size / sum of requests (#topic-scaling-rescale). A pod
without requests gets an AverageValue target instead. Cooldowns become stabilization windows (#topic-scaling-behavior).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from converter.rules.scaling.forward import PREDEFINED_METRIC
from converter.read.ecs.intrinsics import ResourceRef, referenced_resources
from converter.read.ecs.view import EcsView, note_read_only
from converter.core.model import Autoscaling, MetricTarget, Workload
from converter.core.limits import limit_value
from converter.core.quantity import CPU_UNITS_PER_CORE, MIB

DEFAULT_COOLDOWN = 300  # [AAS-COOLDOWN] default for ECS services, written explicitly
MAX_WINDOW = limit_value("hpa-stabilization-window-seconds")  # [K8S-AS2] stabilizationWindowSeconds
SCALE_UP_POLICY_PERIOD = 15  # the HPA's default scale-up policies act every 15 s ([K8S-HPA])
METRICS = {ecs: resource for resource, ecs in PREDEFINED_METRIC.items()}  # the forward rule's table, inverted
TARGET_READ_ONLY = ("CreationTime", "ScalableTargetARN")
POLICY_READ_ONLY = ("PolicyARN", "Alarms", "CreationTime")
_RESOURCE_ID = re.compile(r"^service/([^/]+)/([^/]+)$")
_POLICY_NAME = re.compile(r"^(.+)-(cpu|memory)-target-tracking(-\d+)?$")


@dataclass
class ParsedTarget:
    view: EcsView
    cluster: str | None
    service: str | None
    service_ref: ResourceRef | None
    min_capacity: int | None
    max_capacity: int | None
    scale_out_suspended: bool
    scale_in_suspended: bool
    logical_id: str | None = None
    policies: list["ParsedPolicy"] = field(default_factory=list)


@dataclass
class ParsedPolicy:
    view: EcsView
    service: str | None
    target_ref: ResourceRef | None
    resource: str | None  # cpu | memory | None (not convertible: already reported)
    target_value: Decimal | None
    scale_out_cooldown: int | None
    scale_in_cooldown: int | None
    disable_scale_in: bool


def _ecs_service(view: EcsView) -> tuple[str | None, str | None, ResourceRef | None, bool]:
    """(cluster, service name, service resource) from ResourceId/ServiceNamespace/ScalableDimension; False if not ECS."""
    namespace = view.get(("ServiceNamespace",), str)
    dimension = view.get(("ScalableDimension",), str)
    raw = view.raw(("ResourceId",))
    if view.cfn and not isinstance(raw, str) and raw is not None:
        assert view.template is not None
        services = [r for r in referenced_resources(raw, view.template) if view.template.resources.get(r) == "AWS::ECS::Service"]
        view.take(("ResourceId",))
        if services:
            view.note(("ResourceId",), "K2E-I736", "the service of ResourceId became scaleTargetRef; its cluster is "
                      "the one the manifests are applied to", covers=False)
            return None, None, ResourceRef(services[0]), True
        view.note(("ResourceId",), "K2E-W704", "ResourceId names no service of the template")
        return None, None, None, False
    resource_id = view.get(("ResourceId",), str)
    if (namespace not in (None, "ecs") or dimension not in (None, "ecs:service:DesiredCount")
            or resource_id is None or _RESOURCE_ID.match(resource_id) is None):
        view.note((), "K2E-W702", f"scaling of {namespace or '?'} {dimension or '?'} {resource_id or ''} is not an ECS "
                  "service's desired count; not converted", "Only ECS services become HorizontalPodAutoscalers.")
        view.take(())
        return None, None, None, False
    match = _RESOURCE_ID.match(resource_id)
    assert match is not None
    view.note(("ResourceId",), "K2E-I736", f"service {match[2]} of ResourceId became scaleTargetRef; cluster {match[1]} "
              "is the one the manifests are applied to", covers=False)
    return match[1], match[2], None, True


def parse_scalable_target(view: EcsView) -> ParsedTarget | None:
    note_read_only(view, TARGET_READ_ONLY)
    cluster, service, ref, ecs = _ecs_service(view)
    if not ecs:
        return None
    if view.filled(("RoleARN",)):
        view.note(("RoleARN",), "K2E-I712", "the scaling role is a property of the account", "Nothing to do: the HPA needs no role.")
    for key in ("ScheduledActions",):
        if view.filled((key,)):
            view.note((key,), "K2E-W725", "scheduled scaling has no HorizontalPodAutoscaler field",
                      "Use KEDA's cron scaler or a CronJob that patches the replica count.")
    suspended = ("SuspendedState",)
    view.mapping(suspended)
    if view.get(suspended + ("ScheduledScalingSuspended",), bool):
        view.note(suspended + ("ScheduledScalingSuspended",), "K2E-W726", "scheduled scaling is suspended; not carried")
    return ParsedTarget(
        view=view, cluster=cluster, service=service, service_ref=ref,
        min_capacity=view.get(("MinCapacity",), int), max_capacity=view.get(("MaxCapacity",), int),
        scale_out_suspended=bool(view.get(suspended + ("DynamicScalingOutSuspended",), bool)),
        scale_in_suspended=bool(view.get(suspended + ("DynamicScalingInSuspended",), bool)),
    )


def parse_scaling_policy(view: EcsView) -> ParsedPolicy | None:
    note_read_only(view, POLICY_READ_ONLY)
    target_ref = view.get(("ScalingTargetId",), ResourceRef, str) if view.cfn else None
    if isinstance(target_ref, str):
        target_ref = None
    if target_ref is not None:
        for key in ("ServiceNamespace", "ScalableDimension", "ResourceId"):
            view.take((key,))
        service, ecs = None, True
    else:
        _, service, _, ecs = _ecs_service(view)
    if not ecs:
        return None
    name = view.get(("PolicyName",), str)
    kind = view.get(("PolicyType",), str) or "StepScaling"
    if kind != "TargetTrackingScaling":
        view.note((), "K2E-W725", f"{kind} policy {name!r} has no HorizontalPodAutoscaler counterpart; not converted",
                  "Use target tracking, or a metrics adapter and an HPA External metric.")
        view.take(())
        return ParsedPolicy(view, service, target_ref, None, None, None, None, False)
    base = ("TargetTrackingScalingPolicyConfiguration",)
    view.mapping(base)
    metric = view.get(base + ("PredefinedMetricSpecification", "PredefinedMetricType"), str)
    resource = METRICS.get(metric or "")
    if resource is None:
        view.note(base, "K2E-W725", f"target tracking on {metric or 'a customized metric'} ({name!r}) needs a metrics adapter; "
                  "not converted")
        view.take(base)
    elif view.has(base + ("PredefinedMetricSpecification", "ResourceLabel")):
        view.note(base + ("PredefinedMetricSpecification", "ResourceLabel"), "K2E-W725", "ResourceLabel applies to ALB metrics only")
    if name is not None and resource is not None:
        match = _POLICY_NAME.match(name)
        if match is None or match[2] != resource or (service is not None and match[1] != service):
            view.note(("PolicyName",), "K2E-I707", f"policy name {name!r} is not carried (an HPA names its metrics by resource)",
                      covers=False)
    value = view.get(base + ("TargetValue",), int, float)
    if value is not None and value <= 0:
        view.fail(base + ("TargetValue",), f"TargetValue {value} must be above 0")
    return ParsedPolicy(
        view=view, service=service, target_ref=target_ref, resource=resource,
        target_value=None if value is None else Decimal(str(value)),
        scale_out_cooldown=view.get(base + ("ScaleOutCooldown",), int),
        scale_in_cooldown=view.get(base + ("ScaleInCooldown",), int),
        disable_scale_in=bool(view.get(base + ("DisableScaleIn",), bool)),
    )


def build_autoscaling(target: ParsedTarget, workload: Workload, *, cpu_units: int | None,
                      memory_mib: int | None) -> Autoscaling | None:
    """The HPA for ``workload`` from its scalable target and policies, or None (with a finding) when none converts."""
    view = target.view
    policies = [p for p in target.policies if p.resource is not None and p.target_value is not None]
    if not policies:
        view.note((), "K2E-W725", "no target-tracking policy on cpu or memory for this target; no HorizontalPodAutoscaler written",
                  covers=False)
        return None
    minimum = target.min_capacity
    if minimum is None or minimum < 1:
        view.note(("MinCapacity",), "K2E-W726", f"MinCapacity {minimum}: an HPA's minReplicas is at least 1; 1 written")
        minimum = 1
    maximum = target.max_capacity if target.max_capacity is not None else max(minimum, workload.replicas or 1)
    if target.max_capacity is None:
        view.note(("MaxCapacity",), "K2E-W726", f"MaxCapacity is not set; maxReplicas {maximum} written")
    if maximum < minimum:
        view.note(("MaxCapacity",), "K2E-W726", f"MaxCapacity {maximum} is below MinCapacity {minimum}; maxReplicas {minimum}")
        maximum = minimum
    metrics = [_metric(p, workload, cpu_units=cpu_units, memory_mib=memory_mib) for p in policies]
    first = policies[0]
    out = _cooldown(policies, "scale_out_cooldown", "ScaleOutCooldown")
    scale_in = _cooldown(policies, "scale_in_cooldown", "ScaleInCooldown")
    if out < SCALE_UP_POLICY_PERIOD:
        first.view.note(("TargetTrackingScalingPolicyConfiguration", "ScaleOutCooldown"), "K2E-W726",
                        f"ScaleOutCooldown {out} s: the HPA's default scale-up policies still act every "
                        f"{SCALE_UP_POLICY_PERIOD} s", covers=False)
    disabled = {p.disable_scale_in for p in policies}
    if len(disabled) > 1:
        first.view.note(("TargetTrackingScalingPolicyConfiguration", "DisableScaleIn"), "K2E-W726",
                        "DisableScaleIn differs between policies; an HPA disables scale-down for all metrics or none, "
                        "so scale-down stays enabled", covers=False)
    return Autoscaling(
        name=workload.name, namespace=workload.namespace, target_kind="Deployment", target_name=workload.name,
        min_replicas=minimum, max_replicas=maximum, metrics=tuple(metrics),
        scale_out_cooldown_seconds=out, scale_in_cooldown_seconds=scale_in,
        scale_in_disabled=target.scale_in_suspended or disabled == {True},
        scale_out_disabled=target.scale_out_suspended, origin=view.origin(),
    )


def _cooldown(policies: list[ParsedPolicy], attribute: str, key: str) -> int:
    values = [getattr(p, attribute) for p in policies]
    chosen = values[0] if values[0] is not None else DEFAULT_COOLDOWN
    view = policies[0].view
    path = ("TargetTrackingScalingPolicyConfiguration", key)
    if values[0] is None:
        view.note(("TargetTrackingScalingPolicyConfiguration",), "K2E-I727",
                  f"{key} is not set; the ECS default {DEFAULT_COOLDOWN} s written as the stabilization window", covers=False)
    if len({DEFAULT_COOLDOWN if v is None else v for v in values}) > 1:
        view.note(path, "K2E-W726", f"{key} differs between policies; an HPA has one window per direction, {chosen} s kept",
                  covers=False)
    if chosen > MAX_WINDOW:
        view.note(path, "K2E-W726", f"{key} {chosen} s is above the HPA maximum window {MAX_WINDOW} s; {MAX_WINDOW} written",
                  covers=False)
        chosen = MAX_WINDOW
    return max(chosen, 0)


def _metric(policy: ParsedPolicy, workload: Workload, *, cpu_units: int | None, memory_mib: int | None) -> MetricTarget:
    assert policy.target_value is not None and policy.resource is not None
    view, value = policy.view, policy.target_value
    path = ("TargetTrackingScalingPolicyConfiguration", "TargetValue")
    origin = view.origin(path)
    running = [c for c in workload.containers if c.role != "init"]
    cpu = policy.resource == "cpu"
    if cpu:
        requests = [c.resources.cpu_request_cores for c in running if c.resources.cpu_request_cores is not None]
        requested = sum(requests, Decimal(0)) * CPU_UNITS_PER_CORE
        task = Decimal(cpu_units) if cpu_units else requested
        unit = "CPU units"
    else:
        requests = [c.resources.memory_request_bytes for c in running if c.resources.memory_request_bytes is not None]
        requested = sum(requests, Decimal(0)) / MIB
        limits = sum((c.resources.memory_limit_bytes or Decimal(0) for c in running), Decimal(0)) / MIB
        task = Decimal(memory_mib) if memory_mib else limits
        unit = "MiB"
    if task <= 0:
        view.note(path, "K2E-W726", f"the task declares no {policy.resource}, so the utilization target {value}% has no "
                  "denominator; copied as it is", covers=False)
        return MetricTarget(resource=policy.resource, utilization_percent=value.to_integral_value(ROUND_HALF_UP), origin=origin)
    if requested > 0:
        exact = value * task / requested
        percent = max(exact.to_integral_value(ROUND_HALF_UP), Decimal(1))
        if exact != value:  # rescaled, or rounded to the whole percent an HPA takes
            view.note(path, "K2E-I724", f"TargetValue {_show(value)}% of the task's {_show(task)} {unit} fires at "
                      f"{_show(value * task / 100)} {unit}; that is {int(percent)}% of the {_show(requested)} {unit} requested",
                      covers=False)
        return MetricTarget(resource=policy.resource, utilization_percent=percent, origin=origin)
    per_pod = value * task / 100
    amount = per_pod / CPU_UNITS_PER_CORE if cpu else per_pod * MIB
    view.note(path, "K2E-I724", f"no {policy.resource} requests: TargetValue {_show(value)}% of the task's {_show(task)} {unit} "
              f"became an AverageValue of {_show(per_pod)} {unit} per pod", covers=False)
    return MetricTarget(resource=policy.resource, average_value=amount, origin=origin)


def _show(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01"), ROUND_HALF_UP).normalize(), "f")
