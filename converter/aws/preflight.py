"""Checks on the converted payloads before any AWS call: nothing that AWS would reject half-way is sent. Pure."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from converter.aws.errors import PreflightError
from converter.core.settings import PLACEHOLDER_PREFIX, is_placeholder

# What fills each placeholder (converter.core.settings.placeholder; the table in the README): the part of
# the placeholder before the first ":" -> the flag or config key to give.
PLACEHOLDER_FLAGS: dict[str, str] = {
    "subnet-id": "--subnets (or network.subnets in --config)",
    "security-group-id": "--security-groups (or network.securityGroups in --config)",
    "execution-role-arn": "--execution-role-arn (or executionRoleArn in --config)",
    "service-connect-namespace": "--service-connect-namespace (or serviceConnectNamespace in --config)",
    "target-group-arn": "targetGroups in --config",
    "cluster": "--cluster (or cluster in --config)",
    "region": "--region (or region in --config)",
    "secret-arn": "secrets in --config",
}
_NETWORK = ("networkConfiguration", "awsvpcConfiguration")


def check_outputs(outputs: list[Any]) -> None:
    """Raise PreflightError naming every problem; return when the payloads can be sent as they are."""
    if not outputs:
        raise PreflightError("the input converts to no workload (no Deployment or StatefulSet): nothing to plan")
    network = [problem for output in outputs for problem in _network_problems(output)]
    if network:
        raise PreflightError("awsvpc networking needs subnets and security groups: " + "; ".join(network)
                             + "; nothing was changed")
    found = [f"{where} is {value}: give {_flag_for(value)}"
             for output in outputs for where, value in _placeholders(output)]
    if found:
        raise PreflightError("the converted payloads still hold placeholders, which AWS would reject: "
                             + "; ".join(found) + "; nothing was changed")


def _network_problems(output: Any) -> Iterator[str]:
    if output.task_definition.get("networkMode") != "awsvpc":
        return
    awsvpc = output.service
    for key in _NETWORK:
        awsvpc = awsvpc.get(key) if isinstance(awsvpc, dict) else None
    awsvpc = awsvpc if isinstance(awsvpc, dict) else {}
    for member, flag in (("subnets", "--subnets"), ("securityGroups", "--security-groups")):
        values = awsvpc.get(member) or []
        if not values or any(is_placeholder(value) for value in values):
            yield f"service {output.name} has no {member}: give {flag} (or network.{member} in --config)"


def _placeholders(output: Any) -> Iterator[tuple[str, str]]:
    documents = {"task definition": output.task_definition, "service": output.service, "scaling": output.scaling}
    for label, document in documents.items():
        for path, value in _strings(document, ""):
            if is_placeholder(value):
                yield f"{label} {output.name} {path}", value


def _strings(node: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _strings(value, f"{path}[{index}]")
    elif isinstance(node, str):
        yield path, node


def _flag_for(value: str) -> str:
    what = value[len(PLACEHOLDER_PREFIX):-1].split(":", 1)[0]
    return PLACEHOLDER_FLAGS.get(what, "the setting named in the placeholder (see the README's placeholder table)")
