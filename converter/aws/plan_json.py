"""`k2ecs plan --json`: the plan as data, with the exact API calls apply would make and the findings. Pure.

The calls are those of converter.aws.executor, in its order, with its requests: a service whose task
definition is registered in the same run names the family in ``taskDefinition`` and in
``taskDefinitionFrom``, because the revision's ARN exists only once RegisterTaskDefinition has answered;
apply puts that ARN in its place.
"""

from __future__ import annotations

from typing import Any, Iterable

from converter.aws.diff import MISSING
from converter.aws.plan import (
    CREATE,
    DELETE,
    LOG_GROUP,
    NO_CHANGE,
    SCALABLE_TARGET,
    SCALING_POLICY,
    SERVICE,
    TASK_DEFINITION,
    UPDATE,
    Change,
    NewRevision,
    Plan,
)

FORMAT_VERSION = 1
# (kind, action) -> (service, operation), as converter.aws.executor.STEPS runs them
OPERATIONS: dict[tuple[str, str], tuple[str, str]] = {
    (LOG_GROUP, CREATE): ("logs", "CreateLogGroup"),
    (TASK_DEFINITION, CREATE): ("ecs", "RegisterTaskDefinition"),
    (TASK_DEFINITION, UPDATE): ("ecs", "RegisterTaskDefinition"),
    (SERVICE, CREATE): ("ecs", "CreateService"),
    (SERVICE, UPDATE): ("ecs", "UpdateService"),
    (SCALABLE_TARGET, CREATE): ("application-autoscaling", "RegisterScalableTarget"),
    (SCALABLE_TARGET, UPDATE): ("application-autoscaling", "RegisterScalableTarget"),
    (SCALING_POLICY, CREATE): ("application-autoscaling", "PutScalingPolicy"),
    (SCALING_POLICY, UPDATE): ("application-autoscaling", "PutScalingPolicy"),
    (SCALING_POLICY, DELETE): ("application-autoscaling", "DeleteScalingPolicy"),
}


def _plain(value: Any) -> Any:
    if value is MISSING:
        return None
    if isinstance(value, NewRevision):
        return {"newRevisionOf": value.family}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def calls(change: Change) -> list[dict[str, Any]]:
    """The API calls apply makes for ``change`` (none for no change)."""
    if not change.pending or change.request is None:
        return []
    service, operation = OPERATIONS[(change.kind, change.action)]
    parameters = _plain(dict(change.request))
    made: list[dict[str, Any]] = []
    call: dict[str, Any] = {"service": service, "operation": operation, "parameters": parameters}
    if change.new_revision_of is not None:
        call["taskDefinitionFrom"] = change.new_revision_of
    if operation == "CreateService":
        # Sent with a clientToken (converter.aws.executor.client_token): a digest of the request as sent, whose
        # task definition ARN is known only once apply has registered it.
        call["clientToken"] = "digest of the request as sent"
    # UpdateService is sent only when a member besides the service's identity changes (executor).
    if operation != "UpdateService" or any(key not in ("cluster", "service") for key in parameters):
        made.append(call)
    if change.kind == SERVICE and change.action == UPDATE and change.tags:
        made.append({"service": "ecs", "operation": "TagResource",
                     "parameters": {"resourceArn": change.arn,
                                    "tags": [{"key": k, "value": v} for k, v in change.tags.items()]}})
    return made


def plan_document(plan: Plan, findings: Iterable[Any]) -> dict[str, Any]:
    return {
        "formatVersion": FORMAT_VERSION,
        "cluster": plan.cluster,
        "region": plan.region,
        "endpoint": plan.endpoint,
        "pending": bool(plan.pending),
        "summary": {"create": plan.count(CREATE), "update": plan.count(UPDATE), "delete": plan.count(DELETE),
                    "noChange": plan.count(NO_CHANGE)},
        "workloads": [{
            "name": workload.name,
            "resource": workload.resource,
            "notes": list(workload.notes),
            "changes": [{
                "kind": change.kind,
                "name": change.name,
                "action": change.action,
                "diffs": [{"path": item.path, "before": _plain(item.before), "after": _plain(item.after)}
                          for item in change.diffs],
                "notes": list(change.notes),
                "calls": calls(change),
            } for change in workload.changes],
        } for workload in plan.workloads],
        "findings": [{"code": f.code, "severity": f.severity.label, "resource": f.resource, "file": f.file,
                      "line": f.line, "path": f.path, "message": f.message, "suggestion": f.suggestion}
                     for f in findings],
    }


def findings_summary(findings: list[Any], titles: dict[str, str], shown: int = 8) -> str:
    """A few lines for plan's stderr: each code with its count, title and first resource."""
    if not findings:
        return ""
    by_code: dict[str, list[Any]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    lines = [f"k2ecs: the conversion reported {len(findings)} finding(s) that are not accepted "
             f"(they do not stop the plan):"]
    for code, group in list(by_code.items())[:shown]:
        more = f" and {len(group) - 1} more" if len(group) > 1 else ""
        lines.append(f"  {code} x{len(group)} {titles.get(code, '')}: {group[0].resource}{more}")
    if len(by_code) > shown:
        lines.append(f"  ... and {len(by_code) - shown} more code(s)")
    lines.append("  k2ecs explain CODE says what to do; plan --json lists every finding")
    return "\n".join(lines) + "\n"
