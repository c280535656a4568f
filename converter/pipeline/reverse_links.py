"""The reverse pipeline's lookups (converter.pipeline.reverse): which task definition each service runs, which
scalable target scales it, which target each scaling policy belongs to, and their source records. Each is
an index built once per run: a scan of every candidate per service or policy made --to k8s quadratic in
the workloads of a k2ecs output folder (issue 24). And when each reader is noted in for the last time, for
a caller that releases readers as soon as it can (release_plan)."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Any

from converter.pipeline.convert import SourceRecord
from converter.rules.scaling.reverse import ParsedTarget
from converter.read.ecs.service import ParsedService
from converter.read.ecs.taskdef import ParsedTask


def link_policies(parsed: Any) -> list[tuple[ParsedTarget, SourceRecord]]:
    """Each policy to the first target (in input order) it names by logical id or by service. The first
    position of each id and service is looked up: a scan of every target per policy made --to k8s
    quadratic (issue 24)."""
    first_by_id: dict[Any, int] = {}
    first_by_service: dict[str, int] = {}
    for position, (target, _) in enumerate(parsed.targets):
        first_by_id.setdefault(target.logical_id, position)
        if target.service is not None:
            first_by_service.setdefault(target.service, position)
    for policy, _ in parsed.policies:
        found = [position for position in (
            None if policy.target_ref is None else first_by_id.get(policy.target_ref.logical_id),
            None if policy.service is None else first_by_service.get(policy.service)) if position is not None]
        if not found:
            policy.view.note((), "K2E-E706", "the scalable target of this policy is not in the input; not converted", covers=False)
        else:
            parsed.targets[min(found)][0].policies.append(policy)
    return parsed.targets


class ScalingRecords:
    """The source records of each target and policy, by identity, for marking them converted."""

    def __init__(self, parsed: Any) -> None:
        self.of_target: dict[int, list[SourceRecord]] = {}
        for target, record in parsed.targets:
            self.of_target.setdefault(id(target), []).append(record)
        self.policies = parsed.policies
        self.policy_position = {id(policy): position for position, (policy, _) in enumerate(parsed.policies)}

    def mark_converted(self, target: ParsedTarget) -> tuple[str, ...]:
        """The target's records, then its policies' in input order, each marked converted."""
        records = list(self.of_target.get(id(target), ()))
        positions = sorted({self.policy_position[id(p)] for p in target.policies if id(p) in self.policy_position})
        records += [self.policies[position][1] for position in positions]
        for record in records:
            record.status = "converted"
        return tuple(record.resource for record in records)


class TaskIndex:
    """The task definitions by logical id and by family, in input order: one lookup per service, where a
    scan of every task per service made --to k8s quadratic (issue 24)."""

    def __init__(self, parsed: Any) -> None:
        self.by_logical_id: dict[str, list[tuple[ParsedTask, SourceRecord]]] = {}
        self.by_family: dict[str | None, list[tuple[ParsedTask, SourceRecord]]] = {}
        for task, record, logical in parsed.tasks:
            self.by_logical_id.setdefault(logical, []).append((task, record))
            self.by_family.setdefault(task.family, []).append((task, record))

    def closest_hint(self, service: ParsedService) -> str:
        """", did you mean X?" with the closest name of the kind the service refers by (issue 18), or ""."""
        if service.task_ref is not None:
            wanted, names = service.task_ref.logical_id, self.by_logical_id
        else:
            wanted, names = service.task_family, self.by_family
        if wanted is None:
            return ""
        closest = get_close_matches(wanted, sorted(name for name in names if name is not None), n=1, cutoff=0.6)
        return f", did you mean {closest[0]}?" if closest else ""

    def for_service(self, service: ParsedService) -> tuple[ParsedTask, SourceRecord] | None:
        """The first task the service names (by reference, else by family), its own revision first."""
        if service.task_ref is not None:
            candidates = self.by_logical_id.get(service.task_ref.logical_id, [])
        else:
            candidates = self.by_family.get(service.task_family, [])
        if service.task_revision is not None:
            for task, record in candidates:
                if task.revision == service.task_revision:
                    return task, record
        return candidates[0] if candidates else None


class TargetIndex:
    """The first scalable target naming each service, by the service's logical id or by its name."""

    def __init__(self, targets: list[tuple[ParsedTarget, SourceRecord]]) -> None:
        self.by_logical_id: dict[str, tuple[int, ParsedTarget]] = {}
        self.by_name: dict[str, tuple[int, ParsedTarget]] = {}
        for position, (target, _) in enumerate(targets):
            if target.service_ref is not None:
                self.by_logical_id.setdefault(target.service_ref.logical_id, (position, target))
            if target.service is not None:
                self.by_name.setdefault(target.service, (position, target))

    def for_service(self, service: ParsedService) -> ParsedTarget | None:
        found = [match for match in (self.by_logical_id.get(service.logical_id),
                                     None if service.name is None else self.by_name.get(service.name))
                 if match is not None]
        return min(found, key=lambda match: match[0])[1] if found else None


def release_plan(plan: list[tuple[ParsedService, SourceRecord, Any]], targets_of: TargetIndex) -> dict[int, list[Any]]:
    """Position in ``plan`` (_link_and_render's services, each with the task it found or None) -> the readers
    that no later step notes in: a service's at its own position; a task's, and a scalable target's with its
    policies', at the last service that renders it. A task no service renders, and a target no rendered
    service finds, are noted in after the services: they are not here."""
    last: dict[int, tuple[int, Any]] = {}
    for position, (service, _, found) in enumerate(plan):
        views = [service.view]
        if found is not None:
            views.append(found[0].view)
            target = targets_of.for_service(service)
            if target is not None:
                views += [target.view] + [policy.view for policy in target.policies]
        for view in views:
            if view is not None:
                last[id(view.reader)] = (position, view.reader)
    due: dict[int, list[Any]] = {}
    for position, reader in last.values():
        due.setdefault(position, []).append(reader)
    return due


def finished(reader: Any) -> None:
    """Reader.finish() then Reader.release() of a reader nothing notes in any more. Its findings become a
    tuple: a note made after all would fail at once, not land at a released document's line."""
    reader.finish()
    reader.findings = tuple(reader.findings)
    reader.release()


def thaw(*parsed: Any) -> None:
    """Before a workload renders: the readers it reads through (a service's, a task definition's, a scalable
    target's and its policies'; None for what it lacks) get their sets of paths back (Reader.freeze: the run
    holds them as tuples from parsing to here, issue 24)."""
    for item in parsed:
        if item is None:
            continue
        for view in (item.view, *(policy.view for policy in getattr(item, "policies", ()))):
            if view is not None:
                view.reader.thaw()
