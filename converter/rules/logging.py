"""Logging both ways: the settings -> ECS awslogs, and ECS log settings -> a finding (docs/MAPPING.md#concern-logging).

A pod spec has no logging field (the node's agent ships container output). Model -> ECS: ``log_configuration``
writes awslogs from the settings (K2E-W607 without a region, K2E-I620: ECS does not create the group). ECS ->
model: ``read_log_configuration`` names the driver and options, which no pod field holds (K2E-W708).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from converter.core.field_pairs import ECS_CONTAINER, TD, pair
from converter.core.findings import Finding, Message, make_finding
from converter.core.model import Container, Workload
from converter.core.settings import Settings, placeholder

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls the ECS -> model functions with them
    from converter.core.reader import Path
    from converter.read.ecs.view import EcsView

_NO_LOG_FIELD = "(no field: a node-level agent ships the logs)"


# -- the model -> ECS --

def log_configuration(workload: Workload, settings: Settings, container: Container,
                      findings: list[Finding]) -> dict[str, Any] | None:
    """awslogs to the log group named from the settings (a pod spec has no log field), or None for another driver."""
    if settings.log_driver != "awslogs":
        return None
    group = f"{settings.log_group_prefix}{workload.name}"
    if settings.region is None and container is workload.containers[0]:
        findings.append(make_finding("K2E-W607", workload.origin,
                                     f"{workload.resource}: no region given for awslogs; a placeholder was written"))
    if container is workload.containers[0]:
        # awslogs-create-group defaults to false (ECS developer guide, "Using the awslogs log driver"):
        # a task whose log group does not exist fails to start.
        findings.append(make_finding("K2E-I620", workload.origin, Message(
            "{0} logs to CloudWatch log group {1}, which ECS does not create: create it before the first task starts "
            "(aws logs create-log-group --log-group-name {1}); k2ecs apply and the cloudformation and terraform "
            "formats create it", workload.resource, group)))
    return {"logDriver": "awslogs", "options": {
        "awslogs-group": group,
        "awslogs-region": settings.region or placeholder("region"),
        "awslogs-stream-prefix": "ecs",
    }}


# -- ECS -> the model --

def read_log_configuration(view: EcsView, path: Path, name: str) -> None:
    base = path + ("logConfiguration",)
    if not view.filled_or_taken(base):
        return
    driver = view.get(base + ("logDriver",), str)
    options = view.string_map(base + ("options",))
    secret_options = [view.get(p + ("name",), str) for p, _ in view.sequence(base + ("secretOptions",))]
    view.take(base)
    view.note(base, "K2E-W708", f"logConfiguration {driver} of {name!r} has no pod field", driver=driver,
              options=options, secretOptions=[n for n in secret_options if n is not None])


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
CODE_FIELDS = {"K2E-W607": (f"{TD}.containerDefinitions[*].logConfiguration.options.awslogs-region",)}
REVERSE_PAIRS = {
    "TaskDefinition": (
        pair(ECS_CONTAINER + "/logConfiguration", unit=True, note=_NO_LOG_FIELD),
        pair(ECS_CONTAINER + "/firelensConfiguration", unit=True, note=_NO_LOG_FIELD),
    ),
    "Service": (pair("/serviceConnectConfiguration/logConfiguration", unit=True, note="(no field)"),),
}
CONCERN = "logging"
