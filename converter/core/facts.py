"""ECS facts that more than one direction needs, read from schemas/ecs_rules.json (issue 21, "facts repeat").

Each fact is stated once, as data in schemas/ecs_rules.json, and read here for the modules that apply it:
the validators, the reverse reader (ECS -> Kubernetes) and apply's comparison with a registered task
definition. Unit facts (CPU units per core, MiB per GB, task size strings) live in converter.core.quantity.
"""

from __future__ import annotations

from typing import Any

from converter.core.resources import load_schema


def health_check_defaults() -> dict[str, Any]:
    """What ECS uses for a healthCheck timing left out (botocore ECS HealthCheck; V14 in ecs_rules.json):
    interval 30 s, timeout 5 s, retries 3, startPeriod 0 (off)."""
    return load_schema("ecs_rules.json")["V14_health_check"]["defaults"]


def host_port_is_container_port(network_mode: str) -> bool:
    """Whether ``network_mode`` makes hostPort equal containerPort: botocore ECS PortMapping.hostPort, "If you
    use containers in a task with the awsvpc or host network mode, the hostPort can either be left blank or
    set to the same value as the containerPort" (V12 in ecs_rules.json). ECS fills it in so when left out."""
    return network_mode in load_schema("ecs_rules.json")["V12_port_mappings"]["host_port_equals_container_port_in_network_modes"]


def network_mode_left_out(requires_compatibilities: Any) -> str:
    """The network mode ECS registers a task definition in when it has no networkMode: bridge, but awsvpc for a
    task definition that requires Fargate, where it is the only mode (botocore ECS
    RegisterTaskDefinitionRequest.networkMode: "If no network mode is specified, the default is bridge. For
    Amazon ECS tasks on Fargate, the awsvpc network mode is required"; task_definition in ecs_rules.json)."""
    rules = load_schema("ecs_rules.json")["task_definition"]
    fargate = isinstance(requires_compatibilities, list) and "FARGATE" in requires_compatibilities
    return rules["fargate_network_mode"] if fargate else rules["default_network_mode"]
