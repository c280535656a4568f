"""What exists: the cluster, the latest ACTIVE revision of each family, the services, the scaling. Read-only calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from converter.aws.errors import PreflightError
from converter.aws.session import Clients, error_code

SERVICE_NAMESPACE = "ecs"
SCALABLE_DIMENSION = "ecs:service:DesiredCount"
DESCRIBE_SERVICES_MAX = 10  # [BC-ECS] DescribeServicesRequest.services: up to 10 per call
DESCRIBE_TARGETS_MAX = 50  # [BC-AAS] DescribeScalableTargetsRequest.ResourceIds: up to 50 per call


@dataclass(frozen=True)
class LiveTaskDefinition:
    arn: str
    revision: int
    content: dict[str, Any]  # the described taskDefinition
    tags: list[dict[str, Any]]


@dataclass
class LiveWorkload:
    task_definition: LiveTaskDefinition | None = None
    service: dict[str, Any] | None = None  # the described service, when ACTIVE or DRAINING
    scalable_target: dict[str, Any] | None = None
    policies: dict[str, dict[str, Any]] = field(default_factory=dict)  # PolicyName -> described policy
    # awslogs log group name -> whether it exists; empty when the clients cannot tell (no logs client)
    log_groups: dict[str, bool] = field(default_factory=dict)


def resource_id(output: Any, cluster: str) -> str:
    if output.scaling is not None:
        return output.scaling["scalableTarget"]["ResourceId"]
    return f"service/{cluster}/{output.service['serviceName']}"


def log_group_names(taskdef: dict[str, Any]) -> list[str]:
    """The awslogs groups the task definition's containers write to, in order, once each."""
    names: list[str] = []
    for container in taskdef.get("containerDefinitions", []):
        logging = container.get("logConfiguration") or {}
        name = (logging.get("options") or {}).get("awslogs-group")
        if logging.get("logDriver") == "awslogs" and isinstance(name, str) and name not in names:
            names.append(name)
    return names


def _log_group_exists(clients: Clients, name: str) -> bool:
    paginator = clients.logs.get_paginator("describe_log_groups")
    for page in paginator.paginate(logGroupNamePrefix=name):
        if any(group.get("logGroupName") == name for group in page.get("logGroups", [])):
            return True
    return False


def check_cluster(clients: Clients, cluster: str) -> None:
    """A missing or inactive cluster is an error before any change (create_service would fail after the
    task definitions were already registered)."""
    response = clients.ecs.describe_clusters(clusters=[cluster])
    active = [c for c in response.get("clusters", []) if c.get("status") == "ACTIVE"]
    if not active:
        reasons = [f.get("reason", "") for f in response.get("failures", [])]
        status = [c.get("status") for c in response.get("clusters", [])]
        why = ", ".join(str(r) for r in reasons + status if r) or "not found"
        raise PreflightError(f"ECS cluster {cluster!r} does not exist or is not active in {clients.region} ({why}): "
                             f"create it first, or give the right --cluster and --region; nothing was changed")


def read_state(clients: Clients, cluster: str, outputs: list[Any]) -> dict[str, LiveWorkload]:
    """Live state per workload name (``output.name``)."""
    live = {output.name: LiveWorkload() for output in outputs}
    for output in outputs:
        live[output.name].task_definition = _latest_revision(clients, output.task_definition["family"])
    services = _services(clients, cluster, [output.service["serviceName"] for output in outputs])
    ids = {output.name: resource_id(output, cluster) for output in outputs}
    targets = _scalable_targets(clients, sorted(set(ids.values())))
    for output in outputs:
        state = live[output.name]
        state.service = services.get(output.service["serviceName"])
        state.scalable_target = targets.get(ids[output.name])
        state.policies = _policies(clients, ids[output.name])
        if clients.logs is not None:
            # awslogs-create-group defaults to false: the log group must exist before a task starts.
            state.log_groups = {name: _log_group_exists(clients, name) for name in log_group_names(output.task_definition)}
    return live


def _latest_revision(clients: Clients, family: str) -> LiveTaskDefinition | None:
    # Given a family alone, DescribeTaskDefinition returns its latest ACTIVE revision [BC-ECS].
    try:
        response = clients.ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
    except Exception as err:
        message = str(getattr(err, "response", {}).get("Error", {}).get("Message", "")).lower()
        if error_code(err) == "ClientException" and "unable to describe task definition" in message:
            return None  # no ACTIVE revision: the family is new (or every revision is deregistered)
        raise
    described = response["taskDefinition"]
    return LiveTaskDefinition(arn=described["taskDefinitionArn"], revision=described["revision"],
                              content=described, tags=response.get("tags") or [])


def _services(clients: Clients, cluster: str, names: list[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(names), DESCRIBE_SERVICES_MAX):
        response = clients.ecs.describe_services(cluster=cluster, services=names[start:start + DESCRIBE_SERVICES_MAX],
                                                 include=["TAGS"])
        for service in response.get("services", []):
            # An INACTIVE service is a deleted one: its name is free for create_service again.
            if service.get("status") != "INACTIVE":
                found[service["serviceName"]] = service
    return found


def _scalable_targets(clients: Clients, ids: list[str]) -> dict[str, dict[str, Any]]:
    paginator = clients.autoscaling.get_paginator("describe_scalable_targets")
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), DESCRIBE_TARGETS_MAX):
        chunk = ids[start:start + DESCRIBE_TARGETS_MAX]
        for page in paginator.paginate(ServiceNamespace=SERVICE_NAMESPACE, ResourceIds=chunk,
                                       ScalableDimension=SCALABLE_DIMENSION):
            for target in page.get("ScalableTargets", []):
                found[target["ResourceId"]] = target
    return found


def _policies(clients: Clients, resource: str) -> dict[str, dict[str, Any]]:
    paginator = clients.autoscaling.get_paginator("describe_scaling_policies")
    found: dict[str, dict[str, Any]] = {}
    for page in paginator.paginate(ServiceNamespace=SERVICE_NAMESPACE, ResourceId=resource,
                                   ScalableDimension=SCALABLE_DIMENSION):
        for policy in page.get("ScalingPolicies", []):
            found[policy["PolicyName"]] = policy
    return found
