"""Autoscaling -> Application Auto Scaling inputs (docs/MAPPING.md#topic-scaling-target, checked by #limits-ecs).

One RegisterScalableTarget input for the service and one TargetTrackingScaling PutScalingPolicy
input per metric. HPA utilization is relative to the pod's requests, ECS utilization to the task
size, so every target is rescaled to fire at the same absolute usage (#topic-scaling-rescale).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from converter.rules.resources.forward import TaskSize
from converter.core.findings import Finding, make_finding
from converter.core.model import Autoscaling, MetricTarget
from converter.core.quantity import CPU_UNITS_PER_CORE, MIB
from converter.core.resources import load_schema
from converter.core.settings import Settings, placeholder

SERVICE_NAMESPACE = "ecs"
SCALABLE_DIMENSION = "ecs:service:DesiredCount"
POLICY_TYPE = "TargetTrackingScaling"
PREDEFINED_METRIC = {"cpu": "ECSServiceAverageCPUUtilization", "memory": "ECSServiceAverageMemoryUtilization"}
# replicas 0: the HPA controller does not scale the target (horizontal.go reconcileAutoscaler:
# "scaling is disabled since the replica count of the target is zero"), so no scaling activity at all.
PAUSED = {"DynamicScalingInSuspended": True, "DynamicScalingOutSuspended": True, "ScheduledScalingSuspended": True}
_CENT = Decimal("0.01")
# TargetValue must be > 0 [BC-AAS]; the smallest value at the two decimals written.
MIN_TARGET_VALUE = _CENT
# On Fargate a task cannot use more than its size, so utilization stays at or below 100 (#topic-scaling-rescale).
FARGATE_MAX_UTILIZATION = Decimal(100)


def render_scaling(autoscaling: Autoscaling, *, service_name: str, size: TaskSize, settings: Settings,
                   resource: str, paused: bool = False) -> tuple[dict, list[Finding]]:
    """``{"scalableTarget": ..., "scalingPolicies": [...]}`` for ``service_name``.

    ``resource`` names the scaled workload (e.g. ``Deployment/web``) in messages about its requests.
    ``paused``: the workload has replicas 0, which the HPA controller does not scale (K2E-W530).
    """
    findings: list[Finding] = []
    origin = autoscaling.origin
    cluster = settings.cluster
    if cluster is None:
        cluster = placeholder("cluster")
        findings.append(make_finding("K2E-W606", origin, f"no cluster given; ResourceId uses {cluster}"))
    common = {
        "ServiceNamespace": SERVICE_NAMESPACE,
        "ResourceId": f"service/{cluster}/{service_name}",
        "ScalableDimension": SCALABLE_DIMENSION,
    }
    min_capacity, max_capacity = autoscaling.min_replicas, autoscaling.max_replicas
    if min_capacity > max_capacity:
        # Impossible for an HPA the API server accepted; AAS rejects Min > Max (#limits-ecs). Raising the
        # maximum keeps the floor the user asked for.
        findings.append(make_finding("K2E-W509", origin.at(origin.path + "/spec/maxReplicas"),
                                     f"minReplicas {min_capacity} is above maxReplicas {max_capacity}; "
                                     f"MaxCapacity raised to {min_capacity}"))
        max_capacity = min_capacity
    scalable_target: dict = {**common, "MinCapacity": min_capacity, "MaxCapacity": max_capacity}
    if paused:
        scalable_target["SuspendedState"] = dict(PAUSED)
        findings.append(make_finding(
            "K2E-W530", origin,
            f"{resource} has replicas 0: the HPA controller does not scale a target at 0 (ScalingActive False, "
            f"ScalingDisabled), so desiredCount 0 and a suspended scalable target (MinCapacity {min_capacity}) were "
            "written; to resume, set desiredCount and clear SuspendedState"))
    elif autoscaling.scale_out_disabled:
        # K2E-W508 was reported by the parser: this suspends scale-out for the whole target (#topic-scaling-target).
        scalable_target["SuspendedState"] = {"DynamicScalingOutSuspended": True}

    chosen: dict[str, tuple[Decimal, MetricTarget]] = {}
    merged: dict[str, list[tuple[Decimal, MetricTarget]]] = {}
    for metric in autoscaling.metrics:
        value, metric_findings = target_value(metric, size=size, settings=settings, resource=resource)
        findings.extend(metric_findings)
        if value is None:
            continue
        merged.setdefault(metric.resource, []).append((value, metric))
        if metric.resource not in chosen or value < chosen[metric.resource][0]:
            chosen[metric.resource] = (value, metric)
    for metric_resource, values in merged.items():
        if len(values) > 1:
            findings.append(_merged(metric_resource, values, chosen[metric_resource][0]))
    policies: list[dict] = []
    names: set[str] = set()
    for metric_resource, (value, _) in chosen.items():
        policies.append({
            "PolicyName": _policy_name(service_name, metric_resource, names),
            **common,
            "PolicyType": POLICY_TYPE,
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": float(value),
                "PredefinedMetricSpecification": {"PredefinedMetricType": PREDEFINED_METRIC[metric_resource]},
                # Always written: the AAS default scale-out cooldown for ECS is 300 s, far slower than
                # the HPA's (#topic-scaling-behavior).
                "ScaleOutCooldown": autoscaling.scale_out_cooldown_seconds,
                "ScaleInCooldown": autoscaling.scale_in_cooldown_seconds,
                "DisableScaleIn": autoscaling.scale_in_disabled,
            },
        })
    if not policies:
        # The HPA's bounds and target went to a scalable target with nothing to scale on: say so where they are.
        base = origin.path
        findings.append(make_finding(
            "K2E-W512", origin.at(base + "/spec/metrics"),
            f"no metric of the HPA on {resource} became a scaling policy; only the scalable target (MinCapacity "
            f"{min_capacity}, MaxCapacity {max_capacity}) was written, which scales on nothing",
            paths=[base + p for p in ("/apiVersion", "/kind", "/spec/minReplicas", "/spec/maxReplicas", "/spec/scaleTargetRef")]))
    return {"scalableTarget": scalable_target, "scalingPolicies": policies}, findings


def _merged(metric_resource: str, values: list[tuple[Decimal, MetricTarget]], lowest: Decimal) -> Finding:
    """Application Auto Scaling takes one target-tracking policy per predefined metric; the HPA computes a
    replica count per metric and keeps the largest (computeReplicasForMetrics, horizontal.go), which for one
    metric is the lowest target: that one is kept."""
    first = values[0][1]
    shown = ", ".join(_show(value) for value, _ in values)
    return make_finding("K2E-I531", first.origin.at(first.origin.path.rsplit("/", 1)[0]),
                        f"{len(values)} {metric_resource} targets (TargetValue {shown}) became one policy at the lowest, "
                        f"{_show(lowest)}: the HPA acts on the metric that asks for the most replicas")


def target_value(metric: MetricTarget, *, size: TaskSize, settings: Settings,
                 resource: str) -> tuple[Decimal | None, list[Finding]]:
    """The ECS TargetValue (percent of the task size, two decimals) for one HPA metric (#topic-scaling-metrics, #topic-scaling-rescale), or None
    when the HPA controller would not act on the metric (a Utilization target without requests)."""
    findings: list[Finding] = []
    cpu = metric.resource == "cpu"
    unit = "CPU units" if cpu else "MiB"
    task = Decimal(size.cpu_units if cpu else size.memory_mib)
    if task <= 0:
        task = Decimal(1)  # EC2 with neither task nor container cpu: any usage is above target
    if metric.utilization_percent is not None:
        percent = metric.utilization_percent
        requests = size.requests_cpu_cores if cpu else size.requests_memory_bytes
        missing = size.cpu_request_missing if cpu else size.memory_request_missing
        if requests is None or requests <= 0 or missing:
            # calculatePodRequestsFromContainers (replica_calculator.go): "missing request for <resource> in
            # container <name>" ends the computation, so the HPA never scales on this metric.
            who = f"container(s) {', '.join(missing)} of {resource}" if missing else resource
            findings.append(make_finding(
                "K2E-W506", metric.origin,
                f"{who} declares no {metric.resource} request (nor a limit it defaults "
                f"to), so the HPA controller never scales on the {_show(percent)}% {metric.resource} target "
                "(missing request); no policy was written for it"))
            return None, findings
        # Exact units, not the rounded-up task-definition integers: the point is the same trigger.
        requested = _units(requests, cpu)
        trigger = percent * requested / 100
        value = _round(percent * requested / task)
        if value != percent:
            findings.append(make_finding(
                "K2E-I501", metric.origin,
                f"HPA {metric.resource} target {_show(percent)}% of the {_show(requested)} {unit} requested "
                f"fires at {_show(trigger)} {unit} per task; the task has {_show(task)} {unit}, so TargetValue "
                f"{_show(value)} (copying {_show(percent)} would fire at {_show(percent * task / 100)} {unit})",
                hpa_target_percent=float(percent), target_value=float(value), trigger=float(_round(trigger)),
                unit=unit))
    elif metric.average_value is not None:
        per_pod = _units(metric.average_value, cpu)
        value = _round(100 * per_pod / task)
        findings.append(make_finding(
            "K2E-I501", metric.origin,
            f"HPA {metric.resource} target of {_show(per_pod)} {unit} per pod on average; the task has "
            f"{_show(task)} {unit}, so TargetValue {_show(value)}",
            target_value=float(value), trigger=float(_round(per_pod)), unit=unit))
    else:  # pragma: no cover - the parser always sets one of the two
        raise ValueError(f"metric target without a value: {metric}")
    if value <= 0:
        findings.append(make_finding("K2E-W509", metric.origin,
                                     f"TargetValue {_show(value)} is not above 0, which AAS rejects; "
                                     f"set to {_show(MIN_TARGET_VALUE)}"))
        value = MIN_TARGET_VALUE
    elif value > FARGATE_MAX_UTILIZATION and settings.fargate:
        findings.append(make_finding("K2E-W511", metric.origin,
                                     f"TargetValue {_show(value)} is above 100; a Fargate task never uses more than "
                                     f"its {_show(task)} {unit}, so this policy would never scale out"))
    return value, findings


def _units(amount: Decimal, cpu: bool) -> Decimal:
    """Cores -> CPU units, bytes -> MiB, exactly (#topic-units)."""
    return amount * CPU_UNITS_PER_CORE if cpu else amount / MIB


def _round(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def _show(value: Decimal) -> str:
    return format(_round(value).normalize(), "f")


def _policy_name(service_name: str, resource: str, taken: set[str]) -> str:
    """``<service>-<cpu|memory>-target-tracking``, unique for the target, at most 256 characters."""
    suffix = f"-{resource}-target-tracking"
    max_name = load_schema("ecs_rules.json")["V31_scaling"]["policy_name_length"]["max"]  # [BC-AAS] PolicyName
    counter = 1
    while True:
        tail = suffix if counter == 1 else f"{suffix}-{counter}"
        name = service_name[:max_name - len(tail)] + tail
        if name not in taken:
            taken.add(name)
            return name
        counter += 1
