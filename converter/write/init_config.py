"""`k2ecs init`: a commented k2ecs.yaml for the settings an input lacks, each as a placeholder to fill in.

The conversion of the input with no settings at all writes a ``<k2ecs:...>`` placeholder wherever a value
is needed that the manifests do not carry (converter.core.settings.placeholder); each placeholder names the
config key that fills it. So the config to write is read off the payloads, never guessed from the
manifests a second time. A value is never invented: the file holds the same placeholders, which the
config loader refuses (exit 2, naming the line) until they are replaced.
"""

from __future__ import annotations

import json
from typing import Any, Iterable

from converter.core.settings import PLACEHOLDER_PREFIX, is_placeholder, placeholder


def needed_settings(outputs: Iterable[Any]) -> set[str]:
    """Every placeholder (without ``<k2ecs:`` and ``>``) in the payloads of ``outputs``."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
        elif is_placeholder(node):
            found.add(node[len(PLACEHOLDER_PREFIX):-1])

    for output in outputs:
        walk([output.task_definition, output.service, output.scaling])
    return found


def _quoted(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar


def config_text(needed: set[str], inputs: list[str]) -> str:
    """The commented k2ecs.yaml for the placeholders ``needed``; ``inputs`` are named in its header."""
    lines = [
        f"# k2ecs.yaml written by `k2ecs init {' '.join(inputs)}`.",
        "# Each value below is one the manifests do not carry. Replace every <k2ecs:...> placeholder;",
        "# k2ecs refuses the file (exit 2, with the line) while one is left. Keys: schemas/config.schema.json.",
        "# Flags (--cluster, --subnets, ...) override these values.",
        "",
        "# ECS cluster of the services (plan and apply need it; the scalable target's ResourceId names it).",
        f"cluster: {_quoted(placeholder('cluster'))}",
    ]
    if "region" in needed:
        lines += ["# AWS region of the awslogs log groups.", f"region: {_quoted(placeholder('region'))}"]
    lines += ["launchType: FARGATE              # or EC2",
              "sizing: recommended              # or requests, or limits"]
    if needed & {"subnet-id", "security-group-id"}:
        lines += ["# awsvpc network of the tasks.", "network:",
                  f"  subnets: [{_quoted(placeholder('subnet-id'))}]",
                  f"  securityGroups: [{_quoted(placeholder('security-group-id'))}]",
                  "  assignPublicIp: false"]
    if "execution-role-arn" in needed:
        lines += ["# Role ECS uses to pull images, write logs and read secrets.",
                  f"executionRoleArn: {_quoted(placeholder('execution-role-arn'))}"]
    secrets = sorted(what.split(":", 1)[1] for what in needed if what.startswith("secret-arn:"))
    if secrets:
        lines += ["# Kubernetes Secret \"name/key\" -> Secrets Manager or SSM Parameter Store ARN.", "secrets:"]
        lines += [f"  {_quoted(key)}: {_quoted(placeholder('secret-arn:' + key))}" for key in secrets]
    groups = sorted(what.split(":", 1)[1] for what in needed if what.startswith("target-group-arn:"))
    if groups:
        lines += ["# Kubernetes Service \"name:port\" -> target group ARN (create the load balancer the report's "
                  "K2E-W402 describes).", "targetGroups:"]
        lines += [f"  {_quoted(key)}: {_quoted(placeholder('target-group-arn:' + key))}" for key in groups]
    if "service-connect-namespace" in needed:
        lines += ["# Cloud Map namespace for Service Connect (the Services' DNS names).",
                  f"serviceConnectNamespace: {_quoted(placeholder('service-connect-namespace'))}"]
    return "\n".join(lines) + "\n"
