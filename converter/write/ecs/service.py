"""The neutral Workload (+ its wiring) -> an ECS CreateService payload (docs/MAPPING.md#rules-k8s, #topic-service-type)."""

from __future__ import annotations

from typing import Any

from converter.rules.health import readiness_budget_seconds, start_period_seconds, startup_budget_seconds
from converter.rules.rollout import RECREATE, rolling_percentages
from converter.core.findings import Finding, make_finding
from converter.core.model import Autoscaling, Workload
from converter.core.resources import load_schema
from converter.core.settings import Settings, placeholder

EXACT_UP_TO_REPLICAS = 100  # #topic-rollout: integer percentages reproduce Kubernetes exactly for R <= 100


def render_service(workload: Workload, settings: Settings, *, service_name: str, family: str,
                   desired_count: int, load_balancers: list[dict[str, Any]], max_count: int | None = None,
                   service_connect: dict[str, Any] | None, tags: list[dict[str, Any]]) -> tuple[dict[str, Any], list[Finding]]:
    findings: list[Finding] = []
    payload: dict[str, Any] = {}
    if settings.cluster is not None:
        payload["cluster"] = settings.cluster
    payload.update({
        "serviceName": service_name,
        "taskDefinition": family,
        "desiredCount": desired_count,
        "launchType": settings.launch_type,
    })
    if settings.platform_version is not None:
        payload["platformVersion"] = settings.platform_version
    payload["networkConfiguration"] = {"awsvpcConfiguration": _network(workload, settings, findings)}
    payload["deploymentConfiguration"] = _deployment(workload, desired_count, findings)
    if max_count is not None and workload.rollout.strategy == "rolling":
        findings.extend(_absolute_bounds(workload, desired_count, max_count, payload["deploymentConfiguration"]))
    if load_balancers:
        payload["loadBalancers"] = load_balancers
    grace = _grace_period(workload, {lb["containerName"] for lb in load_balancers if "containerName" in lb}, findings)
    if grace is not None:
        payload["healthCheckGracePeriodSeconds"] = grace
    if service_connect is not None:
        payload["serviceConnectConfiguration"] = service_connect
    if tags:
        payload["tags"] = tags
        payload["propagateTags"] = "SERVICE"
    return payload, findings


def _network(workload: Workload, settings: Settings, findings: list[Finding]) -> dict[str, Any]:
    if not settings.subnets or not settings.security_groups:
        missing = [name for name, value in (("subnets", settings.subnets), ("security groups", settings.security_groups)) if not value]
        findings.append(make_finding("K2E-W601", workload.origin,
                                     f"{workload.resource}: no {' or '.join(missing)} given; placeholders written"))
    return {
        "subnets": list(settings.subnets) or [placeholder("subnet-id")],
        "securityGroups": list(settings.security_groups) or [placeholder("security-group-id")],
        "assignPublicIp": "ENABLED" if settings.assign_public_ip else "DISABLED",
    }


def _deployment(workload: Workload, replicas: int, findings: list[Finding]) -> dict[str, Any]:
    rollout = workload.rollout
    # No "stuck rollout" check is needed here: Kubernetes forbids maxSurge = maxUnavailable = 0 and the
    # the rollout formula (#topic-rollout) reproduces its counts, so ECS can always start (surge >= 1) or stop (unavailable >= 1) a task.
    if rollout.strategy == "recreate":
        findings.append(make_finding("K2E-W303", rollout.origin,
                                     "Recreate became minimumHealthyPercent 0 / maximumPercent 100"))
        percentages = RECREATE
    else:
        percentages = rolling_percentages(rollout.max_surge, rollout.max_unavailable, replicas)
        if replicas > EXACT_UP_TO_REPLICAS:
            findings.append(make_finding("K2E-W302", rollout.origin,
                                         f"at {replicas} replicas the ECS percentages {percentages.maximum_percent}/"
                                         f"{percentages.minimum_healthy_percent} only approximate maxSurge/maxUnavailable"))
    configuration: dict[str, Any] = {"maximumPercent": percentages.maximum_percent,
                                     "minimumHealthyPercent": percentages.minimum_healthy_percent}
    if rollout.progress_deadline_seconds is not None:
        # K2E-I321 (reported by the parser): the ECS behaviour that stops a stuck rollout.
        configuration["deploymentCircuitBreaker"] = {"enable": True, "rollback": True}
    return configuration


def _absolute_bounds(workload: Workload, desired: int, maximum: int, configuration: dict[str, Any]) -> list[Finding]:
    """An absolute maxSurge or maxUnavailable is a count at every replica count; ECS percentages scale with
    desiredCount, which an autoscaler moves: say how far apart they are at the scaler's maximum (K2E-W322)."""
    rollout = workload.rollout
    parts = []
    if isinstance(rollout.max_surge, int):
        extra = maximum * configuration["maximumPercent"] // 100 - maximum
        if extra != rollout.max_surge:
            parts.append(f"maxSurge {rollout.max_surge} became maximumPercent {configuration['maximumPercent']} at "
                         f"desiredCount {desired}; at {maximum} tasks ECS may start {extra} extra where Kubernetes "
                         f"starts {rollout.max_surge}")
    if isinstance(rollout.max_unavailable, int):
        down = maximum - -(-maximum * configuration["minimumHealthyPercent"] // 100)
        if down != rollout.max_unavailable:
            parts.append(f"maxUnavailable {rollout.max_unavailable} became minimumHealthyPercent "
                         f"{configuration['minimumHealthyPercent']} at desiredCount {desired}; at {maximum} tasks ECS "
                         f"may stop {down} where Kubernetes stops {rollout.max_unavailable}")
    if not parts:
        return []
    return [make_finding("K2E-W322", rollout.origin, "; ".join(parts))]


def max_start_period_seconds() -> int:
    """Container health checks count after startPeriod, at most 300 s (V14 in schemas/ecs_rules.json); beyond
    that only the grace period helps."""
    ranges = load_schema("ecs_rules.json")["V14_health_check"]["ranges"]
    return next(item["max"] for item in ranges if item["field"] == "startPeriod")


def _grace_period(workload: Workload, targets: set[str], findings: list[Finding]) -> int | None:
    """healthCheckGracePeriodSeconds from the probes, or None when nothing needs one.

    ECS replaces a task that fails its load-balancer or container health checks; Kubernetes only takes an
    unready pod out of rotation, and kills a container for liveness only after its start-up budget. The grace
    period (CreateService: ECS "ignores unhealthy Elastic Load Balancing, VPC Lattice, and container health
    checks after a task has first started") is set to the longest of: each load-balanced container's time to
    first readiness failure or start-up budget, and any start-up budget above the 300 s startPeriod ceiling.
    """
    reasons: list[tuple[int, str]] = []
    for container in workload.containers:
        if container.role == "init":
            continue
        if container.name in targets:
            ready = readiness_budget_seconds(container)
            if ready is not None and ready > 0:
                reasons.append((ready, f"readinessProbe of {container.name!r} first fails after {ready} s"))
            budget = startup_budget_seconds(container)
            if budget is not None and budget > 0:
                reasons.append((budget, f"startupProbe of {container.name!r} allows {budget} s to start"))
        start = start_period_seconds(container) if container.liveness is not None else 0
        if start > max_start_period_seconds():
            reasons.append((start, f"liveness of {container.name!r} counts failures after {start} s, above the "
                                   f"{max_start_period_seconds()} s startPeriod ceiling"))
    if not reasons:
        return None
    seconds = max(value for value, _ in reasons)
    findings.append(make_finding("K2E-I320", workload.origin,
                                 f"healthCheckGracePeriodSeconds {seconds} for {workload.resource}: "
                                 + "; ".join(text for _, text in reasons)))
    return seconds


def desired_count(workload: Workload, scaler: Autoscaling | None, findings: list[Finding]) -> int:
    """The service's desiredCount: the Deployment's replicas (at least the HPA's minimum), else the HPA's minimum,
    else 1, the Kubernetes default (K2E-I311)."""
    if workload.replicas == 0:
        return 0  # the HPA controller leaves a target at 0 alone (K2E-W530 from render_scaling)
    if workload.replicas is not None:
        return workload.replicas if scaler is None else max(workload.replicas, scaler.min_replicas)
    if scaler is not None:
        return scaler.min_replicas
    findings.append(make_finding("K2E-I311", workload.origin.at(workload.origin.path + "/spec"),
                                 f"{workload.resource} does not set replicas; desiredCount 1 (the Kubernetes default)"))
    return 1
