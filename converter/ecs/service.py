"""The neutral Workload (+ its wiring) -> an ECS CreateService payload (MAPPING §3, §4)."""

from __future__ import annotations

from typing import Any

from converter.ecs.rollout import RECREATE, rolling_percentages
from converter.findings import Finding, make_finding
from converter.model import Workload
from converter.settings import Settings, placeholder

EXACT_UP_TO_REPLICAS = 100  # §3.1: integer percentages reproduce Kubernetes exactly for R <= 100


def render_service(workload: Workload, settings: Settings, *, service_name: str, family: str,
                   desired_count: int, load_balancers: list[dict[str, Any]],
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
    if load_balancers:
        payload["loadBalancers"] = load_balancers
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
    # §3.1 formula reproduces its counts, so ECS can always start (surge >= 1) or stop (unavailable >= 1) a task.
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
    return {"maximumPercent": percentages.maximum_percent,
            "minimumHealthyPercent": percentages.minimum_healthy_percent}
