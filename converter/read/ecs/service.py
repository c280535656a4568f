"""An ECS service (create-service input, describe-services item, CloudFormation AWS::ECS::Service) -> facts.

What becomes the Deployment (desiredCount, deploymentConfiguration) and the Kubernetes Services
(loadBalancers, serviceConnectConfiguration, serviceRegistries) is read here; converter.pipeline.reverse links it
to its task definition and renders it. The rest is named: cluster-side settings (K2E-I712) and service
settings with no Kubernetes field (K2E-W711), each with a suggestion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from converter.read.ecs.intrinsics import ResourceRef
from converter.read.ecs.tags import tag_left_out
from converter.read.ecs.view import EcsView, note_read_only
from converter.rules.exposure.reverse import (ConnectFacts, LoadBalancerFacts, RegistryFacts, read_load_balancers,
                                             read_registries, read_service_connect)

READ_ONLY = ("serviceArn", "clusterArn", "status", "runningCount", "pendingCount", "deployments", "events",
             "createdAt", "createdBy", "taskSets", "platformFamily", "roleArn", "version", "currentServiceDeployment",
             "currentServiceRevisions", "resourceManagementType")
_CLUSTER_SIDE = {
    "cluster": "Use one Kubernetes cluster (or namespace) per ECS cluster.",
    "launchType": "Choose nodes or an EKS Fargate profile for the pods.",
    "platformVersion": "Nothing to do: EKS Fargate has no platform versions to pick.",
    "networkConfiguration": "Pods get subnets from the VPC CNI; use security groups for pods for per-workload groups.",
    "role": "The AWS Load Balancer Controller has its own IAM role.",
    "propagateTags": "Nothing to do: pods carry the Deployment's template labels.",
    "enableECSManagedTags": "Nothing to do.",
    "enableExecuteCommand": "kubectl exec works when RBAC allows pods/exec.",
}
_NO_FIELD = {
    "capacityProviderStrategy": "Use a nodeSelector or affinity on the capacity type (e.g. karpenter.sh/capacity-type: spot).",
    "placementStrategy": "Use topologySpreadConstraints (zone: topology.kubernetes.io/zone, instance: kubernetes.io/hostname).",
    "placementConstraints": "Use nodeAffinity (memberOf) or podAntiAffinity on kubernetes.io/hostname (distinctInstance).",
    "healthCheckGracePeriodSeconds": "Give the containers a startupProbe with that budget.",
    "volumeConfigurations": "Use a StatefulSet with volumeClaimTemplates (one EBS volume per pod).",
    "availabilityZoneRebalancing": "Use topologySpreadConstraints on topology.kubernetes.io/zone.",
    "vpcLatticeConfigurations": "Use the AWS Gateway API Controller for VPC Lattice.",
}
_DEPLOYMENT_NO_FIELD = {
    "deploymentCircuitBreaker": "Set progressDeadlineSeconds; automatic rollback needs Argo Rollouts or Flagger.",
    "alarms": "Use Argo Rollouts or Flagger analysis for alarm-based rollback.",
    "strategy": "Blue/green, linear and canary deployments need Argo Rollouts or Flagger.",
    "bakeTimeInMinutes": "Use minReadySeconds, or Argo Rollouts pauses.",
    "lifecycleHooks": "Use Argo Rollouts or Flagger hooks.",
    "canaryConfiguration": "Use Argo Rollouts or Flagger.",
    "linearConfiguration": "Use Argo Rollouts or Flagger.",
}
_ARN_FAMILY = re.compile(r"task-definition/([^:/]+)(?::(\d+))?$")


@dataclass
class ParsedService:
    view: EcsView
    name: str | None
    task_family: str | None  # or task_ref for CloudFormation
    task_revision: int | None
    task_ref: ResourceRef | None
    desired_count: int | None
    maximum_percent: int | None
    minimum_healthy_percent: int | None
    tags: list[tuple[str, str]] = field(default_factory=list)
    load_balancers: list[LoadBalancerFacts] = field(default_factory=list)
    connect: list[ConnectFacts] = field(default_factory=list)
    registries: list[RegistryFacts] = field(default_factory=list)
    logical_id: str | None = None


def parse_service(view: EcsView) -> ParsedService:
    """The service; ``name`` is None when it names itself nowhere (CloudFormation generates service names)."""
    note_read_only(view, READ_ONLY)
    name = view.get(("serviceName",), str)
    family, revision, ref = _task_reference(view)
    for key, suggestion in _CLUSTER_SIDE.items():
        if view.filled((key,)):
            view.note((key,), "K2E-I712", f"{key} is set up with the cluster, not in a Deployment", suggestion)
        else:
            view.take((key,))
    for key, suggestion in _NO_FIELD.items():
        if view.filled((key,)):
            view.note((key,), "K2E-W711", f"{key} has no Kubernetes field", suggestion)
        else:
            view.take((key,))
    scheduling = view.get(("schedulingStrategy",), str)
    if scheduling == "DAEMON":
        view.note(("schedulingStrategy",), "K2E-W711", "DAEMON scheduling runs one task per instance; written as a Deployment",
                  "Turn the Deployment into a DaemonSet.")
    controller = view.get(("deploymentController", "type"), str)
    if controller not in (None, "ECS"):
        view.note(("deploymentController",), "K2E-W711", f"deployment controller {controller} is not carried",
                  "Use Argo Rollouts or Flagger for blue/green and canary deployments.")
    deployment = ("deploymentConfiguration",)
    view.mapping(deployment)
    for key, suggestion in _DEPLOYMENT_NO_FIELD.items():
        value = view.raw(deployment + (key,))
        if key == "strategy" and value == "ROLLING":
            view.take(deployment + (key,))
        elif key == "deploymentCircuitBreaker" and isinstance(value, dict) and not value.get("enable", value.get("Enable")):
            view.take(deployment + (key,))  # disabled: nothing to carry
        elif view.filled(deployment + (key,)):
            view.note(deployment + (key,), "K2E-W711", f"deploymentConfiguration.{key} has no Deployment field", suggestion)
        else:
            view.take(deployment + (key,))
    service = ParsedService(
        view=view, name=name, task_family=family, task_revision=revision, task_ref=ref,
        desired_count=_count(view),
        maximum_percent=view.get(deployment + ("maximumPercent",), int),
        minimum_healthy_percent=view.get(deployment + ("minimumHealthyPercent",), int),
        tags=_tags(view),
    )
    read_load_balancers(view, service)
    read_service_connect(view, service)
    read_registries(view, service)
    return service


def _count(view: EcsView) -> int | None:
    count = view.get(("desiredCount",), int)
    if count is not None and count < 0:
        view.fail(("desiredCount",), "desiredCount cannot be negative")
    return count


def _task_reference(view: EcsView) -> tuple[str | None, int | None, ResourceRef | None]:
    value = view.get(("taskDefinition",), str, ResourceRef)
    if value is None:
        view.note((), "K2E-E706", "the service names no task definition; not converted", covers=False)
        return None, None, None
    if isinstance(value, ResourceRef):
        return None, None, value
    match = _ARN_FAMILY.search(value)
    family, revision = (match[1], match[2]) if match is not None else value.partition(":")[::2]
    if revision or match is not None:
        view.note(("taskDefinition",), "K2E-I734", f"the service runs {value}; the Deployment is made from the task "
                  f"definition {family} in the input", covers=False)
    return family, int(revision) if revision and revision.isdigit() else None, None


def _tags(view: EcsView) -> list[tuple[str, str]]:
    tags = []
    for item_path, _ in view.sequence(("tags",)):
        key = view.get(item_path + ("key",), str)
        value = view.get(item_path + ("value",), str) or ""
        if key is not None and not tag_left_out(view, item_path, key, "tag"):
            tags.append((key, value))
    return tags


def task_family_of(reference: Any) -> str | None:
    if not isinstance(reference, str):
        return None
    match = _ARN_FAMILY.search(reference)
    return match[1] if match is not None else reference.partition(":")[0]
