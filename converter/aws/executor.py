"""Apply a plan: each pending change in plan order, stopping at the first failure.

Order within a workload: the awslogs log groups it writes to, the task definition revision, then the
service that runs it, then the scalable target on that service, then its policies (puts before deletes). Every step is decided from
what existed when the plan was read, so a rerun after a failure finds the done steps already matching
and repeats none of them: registering a revision happens only when the content differs from the
latest ACTIVE one, the service is created only when it does not exist, and the scaling calls are
upserts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from converter.aws.plan import (
    CREATE,
    DELETE,
    LOG_GROUP,
    SCALABLE_TARGET,
    SCALING_POLICY,
    SERVICE,
    TASK_DEFINITION,
    UPDATE,
    Change,
    Plan,
)
from converter.aws.session import Clients, Redactor, error_code, error_text

Step = Callable[[Clients, Change, dict[str, str]], str]


@dataclass
class Outcome:
    done: list[tuple[Change, str]] = field(default_factory=list)  # the change and what was done
    failed: tuple[Change, str] | None = None  # the change that failed and why (credentials redacted)
    not_done: list[Change] = field(default_factory=list)
    revisions: dict[str, str] = field(default_factory=dict)  # family -> ARN registered in this run
    services: list[str] = field(default_factory=list)  # services created or updated (for --wait)


def execute(plan: Plan, clients: Clients, redact: Redactor, on_done: Callable[[Change, str], None]) -> Outcome:
    outcome = Outcome()
    pending = plan.pending
    for index, change in enumerate(pending):
        try:
            result = STEPS[(change.kind, change.action)](clients, change, outcome.revisions)
        except (Exception, KeyboardInterrupt) as err:  # report what was done before whatever stopped us
            reason = "interrupted" if isinstance(err, KeyboardInterrupt) else error_text(err, redact)
            outcome.failed = (change, reason)
            outcome.not_done = pending[index + 1:]
            return outcome
        outcome.done.append((change, result))
        if change.kind == SERVICE:
            outcome.services.append(change.name)
        on_done(change, result)
    return outcome


def _request(change: Change) -> dict[str, Any]:
    assert change.request is not None, change  # only pending changes reach a step, and they all carry one
    return dict(change.request)


def _with_revision(change: Change, revisions: dict[str, str]) -> dict[str, Any]:
    request = _request(change)
    if change.new_revision_of is not None:
        # Registered earlier in this run: the plan ran it before this service (same workload, plan order).
        request["taskDefinition"] = revisions[change.new_revision_of]
    return request


def _create_log_group(clients: Clients, change: Change, revisions: dict[str, str]) -> str:
    try:
        clients.logs.create_log_group(**_request(change))
    except Exception as err:
        if error_code(err) != "ResourceAlreadyExistsException":
            raise
        return "already exists"  # created since the plan was read: the state wanted is there
    return "created"


def _register_task_definition(clients: Clients, change: Change, revisions: dict[str, str]) -> str:
    described = clients.ecs.register_task_definition(**_request(change))["taskDefinition"]
    revisions[described["family"]] = described["taskDefinitionArn"]
    return f"registered {described['family']}:{described['revision']}"


def _create_service(clients: Clients, change: Change, revisions: dict[str, str]) -> str:
    request = _with_revision(change, revisions)
    clients.ecs.create_service(**request)
    return f"created (task definition {request['taskDefinition'].rsplit('/', 1)[-1]})"


def _update_service(clients: Clients, change: Change, revisions: dict[str, str]) -> str:
    request = _with_revision(change, revisions)
    fields = [key for key in request if key not in ("cluster", "service")]
    if fields:
        clients.ecs.update_service(**request)
    if change.tags:
        # TagResource adds and overwrites; tags someone else put on the service are never removed.
        clients.ecs.tag_resource(resourceArn=change.arn, tags=[{"key": k, "value": v} for k, v in change.tags.items()])
        fields.append("tags")
    return f"updated ({', '.join(fields)})"


def _register_scalable_target(clients: Clients, change: Change, revisions: dict[str, str]) -> str:
    request = _request(change)
    clients.autoscaling.register_scalable_target(**request)
    return f"registered (MinCapacity {request.get('MinCapacity')}, MaxCapacity {request.get('MaxCapacity')})"


def _put_scaling_policy(clients: Clients, change: Change, revisions: dict[str, str]) -> str:
    clients.autoscaling.put_scaling_policy(**_request(change))
    return "created" if change.action == CREATE else "updated"


def _delete_scaling_policy(clients: Clients, change: Change, revisions: dict[str, str]) -> str:
    clients.autoscaling.delete_scaling_policy(**_request(change))
    return "deleted"


# (kind, action) -> the step that applies it: an explicit registry, so a plan can hold nothing apply cannot do.
STEPS: dict[tuple[str, str], Step] = {
    (LOG_GROUP, CREATE): _create_log_group,
    (TASK_DEFINITION, CREATE): _register_task_definition,
    (TASK_DEFINITION, UPDATE): _register_task_definition,
    (SERVICE, CREATE): _create_service,
    (SERVICE, UPDATE): _update_service,
    (SCALABLE_TARGET, CREATE): _register_scalable_target,
    (SCALABLE_TARGET, UPDATE): _register_scalable_target,
    (SCALING_POLICY, CREATE): _put_scaling_policy,
    (SCALING_POLICY, UPDATE): _put_scaling_policy,
    (SCALING_POLICY, DELETE): _delete_scaling_policy,
}
