"""Validate the ECS and Application Auto Scaling payloads k2ecs renders, before anything is written.

Two layers: the botocore service models (ecs_shapes) and the ECS rules those models do not carry,
docs/MAPPING.md#limits-ecs (ecs_rules). Each problem is one line, prefixed with the payload it is about.
"""

from __future__ import annotations

from converter.validate.ecs_shapes import validate_operation
from converter.validate.ecs_rules import check_task_definition
from converter.validate.ecs_rules_service import check_scaling, check_service

__all__ = ["check_scaling", "check_service", "check_task_definition", "validate_operation", "validate_payloads"]


def validate_payloads(*, taskdef: dict | None, service: dict | None, target: dict | None,
                      policies: list[dict], launch_type: str, taskdef_bytes: int | None = None) -> list[str]:
    """Every problem with the given payloads: "taskdef: ...", "service: ...", "scaling: ...".
    ``taskdef_bytes``: ecs_rules.serialized_size_bytes(taskdef), when the caller has measured it already."""
    problems: list[str] = []
    if taskdef is not None:
        found = validate_operation("ecs", "RegisterTaskDefinition", taskdef)
        found += check_task_definition(taskdef, launch_type=launch_type, size_bytes=taskdef_bytes)
        problems += [f"taskdef: {problem}" for problem in found]
    if service is not None:
        found = validate_operation("ecs", "CreateService", service) + check_service(service, taskdef)
        problems += [f"service: {problem}" for problem in found]
    scaling: list[str] = []
    if target is not None:
        scaling += validate_operation("application-autoscaling", "RegisterScalableTarget", target)
    for index, policy in enumerate(policies):
        scaling += [f"policies[{index}].{problem}"
                    for problem in validate_operation("application-autoscaling", "PutScalingPolicy", policy)]
    if target is not None:
        scaling += check_scaling(target, policies)
    problems += [f"scaling: {problem}" for problem in scaling]
    return problems
