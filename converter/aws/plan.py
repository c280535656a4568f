"""The plan: for each resource, create / update (with a field-level diff) / delete / no change. Pure.

Built from the converted payloads and the live state read by ``state``. The plan holds the exact
request each change will send, so ``apply`` does what ``plan`` printed and nothing else.
"""

from __future__ import annotations

from dataclasses import InitVar, dataclass, field
from functools import cache
from typing import Any

from converter.aws.diff import MISSING, FieldDiff, diff
from converter.aws.errors import PreflightError
from converter.aws.normalise import normalise_task_definition, tags_dict
from converter.aws.shapes import members
from converter.aws.state import LiveTaskDefinition, LiveWorkload, resource_id
from converter.pipeline.packed import pack, unpack

CREATE, UPDATE, DELETE, NO_CHANGE = "create", "update", "delete", "no change"
TASK_DEFINITION, SERVICE = "task definition", "service"
SCALABLE_TARGET, SCALING_POLICY = "scalable target", "scaling policy"
LOG_GROUP = "log group"

# Scaling policies k2ecs puts are named with this prefix. Application Auto Scaling policies carry no
# tags, so the name is how a later run knows which policies are its own: only those are ever deleted.
MANAGED_POLICY_PREFIX = "k2ecs-"
# CreateService members that are not compared field by field: identity, the task definition (compared
# by content and revision), tags (added with TagResource, never removed) and the launch type (fixed).
_SERVICE_SPECIAL = {"cluster", "serviceName", "taskDefinition", "tags", "launchType"}
# Members ECS returns for every service (with its defaults). When a description lacks one, the
# endpoint does not report it (some emulators drop it), so it cannot be compared: the plan says so
# instead of showing a change that would never go away.
# healthCheckGracePeriodSeconds: DescribeServices reports it once set; an endpoint that drops it (moto) cannot
# say whether it differs.
_ALWAYS_DESCRIBED = {"deploymentConfiguration", "healthCheckGracePeriodSeconds"}
_ORDERLESS_NETWORK = ("subnets", "securityGroups")
_POLICY_IDENTITY = ("PolicyName", "ServiceNamespace", "ResourceId", "ScalableDimension")  # DeleteScalingPolicy
# Members the converter writes only when the input asks for them (a LoadBalancer Service, a ClusterIP
# Service): when the input stops asking, the update clears them with these values [BC-ECS] UpdateService.
_CLEARED_WHEN_ABSENT: dict[str, Any] = {"loadBalancers": [], "serviceConnectConfiguration": {"enabled": False}}


@dataclass(frozen=True)
class NewRevision:
    """The value of a service's taskDefinition that is known only once this run registers it."""

    family: str

    def __str__(self) -> str:
        return f"(the new revision of {self.family})"


@dataclass(frozen=True, eq=False, slots=True)
class Change:
    kind: str
    name: str
    action: str
    diffs: tuple[FieldDiff, ...] = ()
    request: InitVar[dict[str, Any] | None] = None  # the API request this change sends (None for no change)
    notes: tuple[str, ...] = ()
    arn: str | None = None  # task definition: the matching revision; service: its ARN (for TagResource)
    new_revision_of: str | None = None  # service: use the revision of this family registered in this run
    tags: dict[str, str] | None = None  # service: tags to add or change (TagResource)
    # The request as marshal bytes (converter.pipeline.packed), made again each time ``request`` is read: a plan
    # holds every workload's requests, which are its payloads (issue 24: 40 MB of a 10 MB bundle's plan).
    packed_request: Any = field(init=False, repr=False, default=None)

    def __post_init__(self, request: dict[str, Any] | None) -> None:
        object.__setattr__(self, "packed_request", None if request is None else pack(request))

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Change:
            return NotImplemented
        assert isinstance(other, Change)
        return self._fields() == other._fields()

    def _fields(self) -> tuple[Any, ...]:
        return (self.kind, self.name, self.action, self.diffs, self.request, self.notes, self.arn,
                self.new_revision_of, self.tags)

    @property
    def pending(self) -> bool:
        return self.action != NO_CHANGE

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"


@dataclass(frozen=True, slots=True)
class WorkloadPlan:
    name: str
    resource: str  # Kind/name of the source manifest
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    cluster: str
    region: str
    endpoint: str
    workloads: tuple[WorkloadPlan, ...]

    @property
    def pending(self) -> list[Change]:
        return [change for workload in self.workloads for change in workload.changes if change.pending]

    def count(self, action: str) -> int:
        return sum(1 for workload in self.workloads for change in workload.changes if change.action == action)


# Read as an attribute, as it was given: made again from its bytes each time (a copy: changing it changes nothing).
Change.request = property(  # type: ignore[assignment,method-assign]
    lambda change: None if change.packed_request is None else unpack(change.packed_request))


def managed_policy_name(name: str) -> str:
    return name if name.startswith(MANAGED_POLICY_PREFIX) else MANAGED_POLICY_PREFIX + name


def build_plan(outputs: list[Any], live: dict[str, LiveWorkload], *, cluster: str, region: str, endpoint: str) -> Plan:
    workloads = []
    planned_groups: set[str] = set()
    for output in outputs:
        state = live[output.name]
        notes: list[str] = []
        log_groups = _log_group_changes(state, planned_groups)
        task_definition = _task_definition_change(output, state.task_definition)
        service = _service_change(output, state, task_definition, cluster, notes)
        scaling = _scaling_changes(output, state, resource_id(output, cluster), notes)
        workloads.append(WorkloadPlan(output.name, output.resource, (*log_groups, task_definition, service, *scaling),
                                      tuple(notes)))
    return Plan(cluster=cluster, region=region, endpoint=endpoint, workloads=tuple(workloads))


def _log_group_changes(state: LiveWorkload, planned: set[str]) -> list[Change]:
    """The awslogs log groups, first: ECS does not create them (awslogs-create-group defaults to false), and a
    task whose log group is missing fails to start. Each group once per plan, with the first workload using it."""
    changes = []
    for name, exists in state.log_groups.items():
        if name in planned:
            continue
        planned.add(name)
        if exists:
            changes.append(Change(LOG_GROUP, name, NO_CHANGE))
        else:
            changes.append(Change(LOG_GROUP, name, CREATE, request={"logGroupName": name},
                                  notes=("the awslogs driver of the task writes here and does not create it",)))
    return changes


def _task_definition_change(output: Any, live: LiveTaskDefinition | None) -> Change:
    payload = output.task_definition
    family = payload["family"]
    if live is None:  # the request is the payload: its bytes, when the output keeps them (converter.pipeline.packed)
        request = getattr(output, "packed_task_definition", payload)
        return Change(TASK_DEFINITION, family, CREATE, request=request, notes=("registers revision 1 of a new family",))
    current = {**normalise_task_definition(live.content), "tags": tags_dict(live.tags)}
    wanted = {**normalise_task_definition(payload), "tags": tags_dict(payload.get("tags"))}
    changes = diff(current, wanted)
    if not changes:
        return Change(TASK_DEFINITION, family, NO_CHANGE, arn=live.arn,
                      notes=(f"the latest ACTIVE revision {family}:{live.revision} has this content",))
    return Change(TASK_DEFINITION, family, UPDATE, tuple(changes), request=payload, arn=live.arn,
                  notes=(f"registers a new revision; the latest ACTIVE one is {family}:{live.revision}",))


def _service_change(output: Any, state: LiveWorkload, task_definition: Change, cluster: str,
                    notes: list[str]) -> Change:
    payload = output.service
    name, family = payload["serviceName"], output.task_definition["family"]
    revision = None if task_definition.pending else task_definition.arn  # None: the one this run registers
    if state.service is None:
        request = {**payload, "cluster": cluster, "taskDefinition": revision or family}
        return Change(SERVICE, name, CREATE, request=request, new_revision_of=None if revision else family)
    service = state.service
    if service.get("status") == "DRAINING":
        raise PreflightError(f"service {name} in cluster {cluster} is DRAINING (being deleted): wait until it is "
                             f"INACTIVE, then run again; nothing was changed")
    wanted_launch = payload.get("launchType")
    if wanted_launch is not None and service.get("launchType") != wanted_launch:
        running = service.get("launchType") or "(a capacity provider strategy)"
        raise PreflightError(f"service {name} runs with launch type {running} "
                             f"and the input asks for {wanted_launch}; ECS cannot change that in place: delete the "
                             f"service or change --launch-type; nothing was changed")
    changes: list[FieldDiff] = []
    fields: dict[str, Any] = {}
    if revision is None:
        changes.append(FieldDiff("taskDefinition", service.get("taskDefinition", MISSING), NewRevision(family)))
    elif service.get("taskDefinition") != revision:
        changes.append(FieldDiff("taskDefinition", service.get("taskDefinition", MISSING), revision))
        fields["taskDefinition"] = revision
    _member_changes(output, service, changes, fields, notes)
    current_tags = tags_dict(service.get("tags"))
    tags = {key: value for key, value in tags_dict(payload.get("tags")).items() if current_tags.get(key) != value}
    changes.extend(FieldDiff(f"tags.{key}", current_tags.get(key, MISSING), value) for key, value in tags.items())
    if not changes:
        return Change(SERVICE, name, NO_CHANGE, arn=service.get("serviceArn"))
    request = {"cluster": cluster, "service": name, **fields}
    return Change(SERVICE, name, UPDATE, tuple(changes), request=request, arn=service.get("serviceArn"),
                  new_revision_of=None if revision else family, tags=tags or None)


def _member_changes(output: Any, service: dict[str, Any], changes: list[FieldDiff], fields: dict[str, Any],
                    notes: list[str]) -> None:
    """The UpdateService members that differ: their diffs into ``changes``, their new values into ``fields``."""
    payload = output.service
    name = payload["serviceName"]
    for key, value in payload.items():
        if key in _SERVICE_SPECIAL:
            continue
        if key == "desiredCount" and output.scaling is not None:
            notes.append(f"service {name}: desiredCount is left to Application Auto Scaling once the service exists")
            continue
        reported, current = _described(service, key)
        if not reported:
            notes.append(f"service {name}: {key} is not reported by DescribeServices here, so it is not compared")
            continue
        found = diff(_comparable(key, current), _comparable(key, value), key, subset=True)
        if found:
            changes.extend(found)
            fields[key] = value
    for key, cleared in _CLEARED_WHEN_ABSENT.items():
        if key in payload:
            continue
        reported, current = _described(service, key)
        if reported and current is not MISSING and diff(current, cleared, subset=True):
            changes.append(FieldDiff(key, current, MISSING))
            fields[key] = cleared


@cache
def _described_members() -> tuple[frozenset[str], frozenset[str]]:
    """Members of a described Service, and of its deployments (where ECS reports Service Connect and volumes)."""
    return members("ecs", "Service"), members("ecs", "Deployment")


def _described(service: dict[str, Any], key: str) -> tuple[bool, Any]:
    """(whether the description can say, the current value or MISSING) for a CreateService member."""
    top, deployment = _described_members()
    if key in top:
        if key not in service and key in _ALWAYS_DESCRIBED:
            return False, None
        return True, service.get(key, MISSING)
    if key in deployment:
        primary = [d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"]
        return True, primary[0].get(key, MISSING) if primary else MISSING
    return False, None


def _comparable(key: str, value: Any) -> Any:
    """Order-free lists sorted, so that a reordered description is not a change."""
    if key == "networkConfiguration" and isinstance(value, dict) and isinstance(value.get("awsvpcConfiguration"), dict):
        awsvpc = dict(value["awsvpcConfiguration"])
        for member in _ORDERLESS_NETWORK:
            if isinstance(awsvpc.get(member), list):
                awsvpc[member] = sorted(awsvpc[member])
        return {**value, "awsvpcConfiguration": awsvpc}
    if key == "loadBalancers" and isinstance(value, list):
        return sorted(value, key=lambda item: sorted((str(k), str(v)) for k, v in item.items()))
    return value


def _scaling_changes(output: Any, state: LiveWorkload, resource: str, notes: list[str]) -> list[Change]:
    changes: list[Change] = []
    wanted: dict[str, dict[str, Any]] = {}
    if output.scaling is None:
        if state.scalable_target is not None:
            notes.append(f"scalable target {resource} exists but the input has no HorizontalPodAutoscaler for it; "
                         f"it is left as it is (k2ecs deletes only the scaling policies it created)")
    else:
        target = output.scaling["scalableTarget"]
        changes.append(_upsert(SCALABLE_TARGET, resource, state.scalable_target, target))
        for policy in output.scaling["scalingPolicies"]:
            name = managed_policy_name(policy["PolicyName"])
            wanted[name] = {**policy, "PolicyName": name}
        changes.extend(_upsert(SCALING_POLICY, name, state.policies.get(name), request)
                       for name, request in wanted.items())
    for name, policy in state.policies.items():
        if name in wanted:
            continue
        if name.startswith(MANAGED_POLICY_PREFIX):
            request = {key: policy[key] for key in _POLICY_IDENTITY}
            changes.append(Change(SCALING_POLICY, name, DELETE, request=request,
                                  notes=("created by k2ecs and no longer named by the input",)))
        else:
            notes.append(f"scaling policy {name} on {resource} was not created by k2ecs "
                         f"(no {MANAGED_POLICY_PREFIX} prefix); it is left as it is")
    return changes


def _upsert(kind: str, name: str, current: dict[str, Any] | None, request: dict[str, Any]) -> Change:
    """RegisterScalableTarget and PutScalingPolicy create or replace: one request either way."""
    if current is None:
        return Change(kind, name, CREATE, request=request)
    changes = diff(current, request, subset=True)
    if not changes:
        return Change(kind, name, NO_CHANGE)
    return Change(kind, name, UPDATE, tuple(changes), request=request)
