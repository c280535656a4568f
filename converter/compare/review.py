"""What a reviewer must decide, first: broken calls, unattached Services, workloads not converted,
placeholders to fill, and the AWS resources to create before the services can start. Pure.

Read from the system graph (converter.compare.system) and the ECS payloads of each workload section. Each
item names the page section it comes from, so the summary links to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from converter.compare.model import Comparison
from converter.compare.payloads import pinned
from converter.compare.system import ENTRY, UNATTACHED, UNCONVERTED, SystemGraph, section_id
from converter.core.settings import is_placeholder

LOAD_BALANCER_CODE = "K2E-W402"
SECRETS_MANAGER_ARN_PARTS = 7  # arn:aws:secretsmanager:region:account:secret:name-suffix[:json-key:stage:id]


@dataclass(frozen=True)
class Item:
    text: str
    section: str | None  # page anchor of the section the item comes from


@dataclass(frozen=True)
class Review:
    broken_calls: tuple[Item, ...]
    unattached: tuple[Item, ...]
    not_converted: tuple[Item, ...]
    placeholders: tuple[Item, ...]
    resources: tuple[tuple[str, tuple[Item, ...]], ...]  # (kind of AWS resource, what to create)

    @property
    def decisions(self) -> tuple[tuple[str, tuple[Item, ...]], ...]:
        return (("Calls that do not reach their target on ECS", self.broken_calls),
                ("Services ECS cannot attach", self.unattached),
                ("Workloads not converted", self.not_converted),
                ("Placeholders to fill", self.placeholders))


def review(comparison: Comparison, graph: SystemGraph) -> Review:
    broken = []
    for edge in graph.edges:
        if edge.call and not edge.resolved:
            source, target = graph.node(edge.source), graph.node(edge.target)
            broken.append(Item(f"{source.title} → {target.title} ({edge.label}): {edge.reason}", source.section))
    unattached = [Item(node.problem or node.title, node.section) for node in graph.nodes if node.kind == UNATTACHED]
    not_converted = [Item(f"{node.lines[0]}: {node.problem}", node.section) for node in graph.nodes
                     if node.kind == UNCONVERTED]
    return Review(broken_calls=tuple(broken), unattached=tuple(unattached), not_converted=tuple(not_converted),
                  placeholders=tuple(_placeholders(comparison)), resources=tuple(_resources(comparison, graph)))


def _placeholders(comparison: Comparison) -> list[Item]:
    """Each placeholder once, with the services that carry it and a link to the first."""
    users: dict[str, list[tuple[str, str]]] = {}
    # The names already listed for each value, as a set: a scan of the list for each workload was
    # quadratic, since a placeholder (the cluster, the subnets) is carried by every workload (issue 24).
    seen: dict[str, set[str]] = {}
    for index, view in enumerate(comparison.workloads):
        with pinned(view.workload):  # one workload's payloads at a time (compare.payloads)
            values = _strings(view.workload.targets)
        for value in values:
            if is_placeholder(value):
                names = users.setdefault(value, [])
                listed = seen.setdefault(value, set())
                if view.workload.name not in listed:
                    listed.add(view.workload.name)
                    names.append((view.workload.name, section_id(index)))
    return [Item(f"{value} in {_some([name for name, _ in names])}", names[0][1])
            for value, names in sorted(users.items())]


def _some(names: list[str], limit: int = 2) -> str:
    """A few names, or how many: the summary's first screen holds the four lists side by side."""
    if len(names) <= limit:
        return ", ".join(names)
    return f"{len(names)} services ({', '.join(names[:limit])}, ...)"


def _strings(node: Any) -> list[str]:
    """Every string in ``node``, in no particular order (a workload's placeholders are a set): a loop over a
    stack, where a recursive generator made a call and a generator for every value of every payload."""
    out: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return out


def _resources(comparison: Comparison, graph: SystemGraph) -> list[tuple[str, tuple[Item, ...]]]:
    found: dict[str, dict[str, str | None]] = {kind: {} for kind in RESOURCE_KINDS}
    for node in graph.nodes:
        if node.kind == ENTRY:
            found["Load balancers"].setdefault(f"{node.title} ({node.lines[0]}, {node.lines[1]})", node.section)
    for index, view in enumerate(comparison.workloads):
        section = section_id(index)
        for source in view.workload.sources:
            for finding in source.findings:
                if finding.code == LOAD_BALANCER_CODE:
                    for group in finding.extra.get("targetGroups") or ():
                        if isinstance(group, dict):
                            found["Target groups"].setdefault(
                                f"{group.get('Name')} ({group.get('Protocol')} {group.get('Port')}, type ip)", section)
        if comparison.target_side == "ECS":  # ECS input names resources that exist already
            with pinned(view.workload):  # one workload's payloads at a time (compare.payloads)
                for kind, value in _payload_resources(view.workload.targets):
                    found[kind].setdefault(value, section)
    return [(kind, tuple(Item(text, section) for text, section in items.items()))
            for kind, items in found.items() if items]


RESOURCE_KINDS = ("Load balancers", "Target groups", "Cloud Map namespace", "Secrets", "IAM roles", "Log groups")


def _payload_resources(targets: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(kind, name) of each AWS resource the ECS payloads refer to and that must exist before they run."""
    service = targets.get("service") if isinstance(targets.get("service"), dict) else {}
    connect = service.get("serviceConnectConfiguration")
    if isinstance(connect, dict) and connect.get("enabled") is not False and isinstance(connect.get("namespace"), str):
        yield "Cloud Map namespace", connect["namespace"]
    task = targets.get("taskDefinition") if isinstance(targets.get("taskDefinition"), dict) else {}
    for key in ("executionRoleArn", "taskRoleArn"):
        if isinstance(task.get(key), str):
            yield "IAM roles", f"{task[key]} ({'execution role' if key == 'executionRoleArn' else 'task role'})"
    for container in task.get("containerDefinitions") or ():
        if not isinstance(container, dict):
            continue
        for secret in container.get("secrets") or ():
            if isinstance(secret, dict) and isinstance(secret.get("valueFrom"), str):
                yield "Secrets", secret_name(secret["valueFrom"])
        logs = container.get("logConfiguration")
        options = logs.get("options") if isinstance(logs, dict) else None
        if isinstance(options, dict) and logs.get("logDriver") == "awslogs" and isinstance(options.get("awslogs-group"), str):
            yield "Log groups", options["awslogs-group"]


def secret_name(value_from: str) -> str:
    """The secret a valueFrom names, without the JSON key, stage and version a Secrets Manager ARN may add
    (ECS developer guide, "Pass Secrets Manager secrets through Amazon ECS environment variables")."""
    parts = value_from.split(":")
    if value_from.startswith("arn:") and len(parts) > SECRETS_MANAGER_ARN_PARTS and parts[2] == "secretsmanager":
        return ":".join(parts[:SECRETS_MANAGER_ARN_PARTS])
    return value_from
