"""Apply a plan: each pending change in plan order, stopping at the first failure.

Order within a workload: the awslogs log groups it writes to, the task definition revision, then the
service that runs it, then the scalable target on that service, then its policies (puts before deletes). Every step is decided from
what existed when the plan was read, so a rerun after a failure finds the done steps already matching
and repeats none of them: registering a revision happens only when the content differs from the
latest ACTIVE one, the service is created only when it does not exist, and the scaling calls are
upserts.
"""

from __future__ import annotations

import hashlib
import json
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
    expected: dict[str, str] = field(default_factory=dict)  # service -> the task definition this run set


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
            task_definition = _with_revision(change, outcome.revisions).get("taskDefinition")
            if task_definition is not None:
                outcome.expected[change.name] = task_definition
        on_done(change, result)
    return outcome


def concurrent_changes(clients: Clients, cluster: str, expected: dict[str, str]) -> list[str]:
    """Services whose task definition is no longer the one this run set: another apply (or anyone) changed
    them meanwhile. Read back after the changes, before success is reported: two applies racing each other
    both succeed call by call, and the last UpdateService can leave a service on the other run's revision.
    Detection, not a lock: ECS has no lock to take, and a lock of k2ecs's own would not stop other tools."""
    changed: list[str] = []
    names = sorted(expected)
    for start in range(0, len(names), 10):  # DescribeServices takes at most 10 services
        described = clients.ecs.describe_services(cluster=cluster, services=names[start:start + 10])["services"]
        live = {service["serviceName"]: service.get("taskDefinition", "") for service in described}
        for name in names[start:start + 10]:
            if not _same_task_definition(live.get(name, ""), expected[name]):
                changed.append(f"{name} runs {live.get(name) or 'nothing'}, not {expected[name]}")
    return changed


def _same_task_definition(live_arn: str, wanted: str) -> bool:
    """``wanted`` is an ARN, ``family:revision`` or ``family`` (the latest ACTIVE revision when the plan read it)."""
    if wanted.startswith("arn:"):
        return live_arn == wanted
    tail = live_arn.rsplit("/", 1)[-1]
    return tail == wanted or (":" not in wanted and tail.split(":", 1)[0] == wanted)


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


def client_token(request: dict[str, Any]) -> str:
    """CreateService's clientToken: a digest of the whole request, so a retry of the same request (botocore's,
    after a timeout, or a second apply racing this one with the same input) creates the service once, and the
    same name with other parameters is refused instead of taken over ("Ensuring idempotency", Amazon ECS API
    Reference: up to 36 ASCII characters, 33-126)."""
    text = json.dumps(request, sort_keys=True, separators=(",", ":"), default=str)
    return "k2ecs-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:30]


def _create_service(clients: Clients, change: Change, revisions: dict[str, str]) -> str:
    request = _with_revision(change, revisions)
    clients.ecs.create_service(**request, clientToken=client_token(request))
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
