"""Read k2ecs.yaml, validate it against schemas/config.schema.json, and turn it into Settings."""

from __future__ import annotations

from typing import Any

from converter.errors import UsageError
from converter.loader import parse_text, read_source
from converter.resources import load_schema
from converter.settings import Settings


def load_config(path: str | None) -> Settings:
    if path is None:
        return Settings()
    name, text = read_source(path)
    documents = parse_text(text, name)
    data: dict[str, Any] = documents[0].data if documents else {}
    import jsonschema  # only when a config file is used: keeps `k2ecs convert` start-up light

    validator = jsonschema.Draft202012Validator(load_schema("config.schema.json"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        line = documents[0].line_of(tuple(error.absolute_path)) if documents else None
        raise UsageError(f"config {where}: {error.message}", file=name, line=line)
    return settings_from_config(data)


def settings_from_config(data: dict[str, Any]) -> Settings:
    network = data.get("network", {})
    logging = data.get("logging", {})
    values: dict[str, Any] = {
        "cluster": data.get("cluster"),
        "region": data.get("region"),
        "launch_type": data.get("launchType"),
        "platform_version": data.get("platformVersion"),
        "subnets": tuple(network["subnets"]) if "subnets" in network else None,
        "security_groups": tuple(network["securityGroups"]) if "securityGroups" in network else None,
        "assign_public_ip": network.get("assignPublicIp"),
        "execution_role_arn": data.get("executionRoleArn"),
        "task_roles": data.get("taskRoles"),
        "secrets": data.get("secrets"),
        "image_pull_secrets": data.get("repositoryCredentials"),
        "target_groups": data.get("targetGroups"),
        "service_connect_namespace": data.get("serviceConnectNamespace"),
        "log_driver": logging.get("driver"),
        "log_group_prefix": logging.get("groupPrefix"),
        "sizing": data.get("sizing"),
    }
    return Settings().merged(values)
