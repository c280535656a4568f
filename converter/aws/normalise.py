"""Task definitions compared by content: what k2ecs would register against what describe-task-definition returns.

DescribeTaskDefinition adds read-only members (revision, status, ARNs, timestamps, ...), fills in
defaults the request left out (``essential``, ``hostPort``, ``protocol``, ...) and returns empty lists
for members never given. Both sides go through the same normalisation, so a revision registered from
a payload compares equal to that payload, and only a real change of content registers a new revision.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from converter.aws.shapes import members
from converter.core.facts import health_check_defaults, host_port_is_container_port

# Defaults ECS applies to a member the request omits. A member equal to its default is removed from
# both sides, so "given as the default" and "filled in by ECS" compare equal. Keys are paths of
# member names from the task definition ("containerDefinitions" items are containers).
TASK_DEFAULTS: dict[str, Any] = {
    "networkMode": "bridge",
    "enableFaultInjection": False,
}
CONTAINER_DEFAULTS: dict[str, Any] = {
    "essential": True,
    "cpu": 0,
    "versionConsistency": "enabled",
}
PORT_MAPPING_DEFAULTS: dict[str, Any] = {"protocol": "tcp"}
# healthCheck defaults and the network modes in which ECS sets hostPort to containerPort when the request
# omits it: converter.core.facts (schemas/ecs_rules.json).
# Lists whose order carries no meaning: sorted by this member before comparing.
ORDERLESS_LISTS: dict[str, str] = {"environment": "name", "secrets": "name", "ulimits": "name",
                                   "environmentFiles": "value"}


@cache
def _request_members() -> frozenset[str]:
    """The members RegisterTaskDefinition accepts; everything else in a description is read-only."""
    return members("ecs", "RegisterTaskDefinitionRequest") - {"tags"}  # tags are compared on their own (tags_dict)


def normalise_task_definition(task_definition: dict[str, Any]) -> dict[str, Any]:
    """A comparable form of a RegisterTaskDefinition payload or of a described ``taskDefinition``."""
    members = _request_members()
    result = _prune({key: value for key, value in task_definition.items() if key in members})
    _strip(result, TASK_DEFAULTS)
    network_mode = task_definition.get("networkMode", TASK_DEFAULTS["networkMode"])
    for container in result.get("containerDefinitions", []):
        _strip(container, CONTAINER_DEFAULTS)
        for mapping in container.get("portMappings", []):
            _strip(mapping, PORT_MAPPING_DEFAULTS)
            if host_port_is_container_port(network_mode) and mapping.get("hostPort") == mapping.get("containerPort"):
                mapping.pop("hostPort", None)
        if "healthCheck" in container:
            _strip(container["healthCheck"], health_check_defaults())
        for name, key in ORDERLESS_LISTS.items():
            if name in container:
                container[name] = _sorted(container[name], key)
    if "requiresCompatibilities" in result:
        result["requiresCompatibilities"] = sorted(result["requiresCompatibilities"])
    return result


def tags_dict(tags: list[dict[str, Any]] | None) -> dict[str, Any]:
    """ECS tags (``[{"key", "value"}]``) as a mapping: their order is meaningless."""
    return {tag["key"]: tag.get("value", "") for tag in tags or []}


def _prune(value: Any) -> Any:
    """Drop None and empty lists and mappings, at every depth: the API treats them as absent."""
    if isinstance(value, dict):
        pruned = {key: _prune(item) for key, item in value.items()}
        return {key: item for key, item in pruned.items() if not _empty(item)}
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, (list, dict)) and len(value) == 0)


def _strip(mapping: dict[str, Any], defaults: dict[str, Any]) -> None:
    for key, default in defaults.items():
        # `type(...) is` keeps a real 0 from matching a default of False (and 1 from True).
        if key in mapping and type(mapping[key]) is type(default) and mapping[key] == default:
            del mapping[key]


def _sorted(items: list[Any], key: str) -> list[Any]:
    def sort_key(item: Any) -> str:
        if key and isinstance(item, dict):
            return str(item.get(key, ""))
        return json.dumps(item, sort_keys=True, default=str)

    return sorted(items, key=sort_key)
