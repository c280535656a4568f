"""Read k2ecs.yaml, validate it against schemas/config.schema.json, and turn it into Settings."""

from __future__ import annotations

from functools import cache
from typing import Any, Callable

from converter.core.errors import InputError, UsageError
from converter.load.loader import parse_text
from converter.core.resources import load_schema
from converter.core.settings import Settings, is_placeholder
from converter.load.source_files import read_source


DEFAULT_CONFIG = "k2ecs.yaml"  # found in the current folder when --config is not given


def load_config(path: str | None) -> Settings:
    """The settings of the config file at ``path`` (none: the defaults). Every problem with the file is the
    user's invocation, not the manifests: a UsageError (exit 2) that says it is about the config file."""
    if path is None:
        return Settings()
    try:
        name, text = read_source(path)
        documents = parse_text(text, name)
    except InputError as err:
        if _top_level_is_not_a_mapping(err):
            raise UsageError("config file: must be a mapping of settings (cluster:, network:, ...; "
                             "see schemas/config.schema.json)", file=err.file, line=err.line) from None
        raise UsageError(f"config file: {err.message}", file=err.file, line=err.line) from None
    data: dict[str, Any] = documents[0].data if documents else {}
    errors = _schema_errors(data)
    if errors:
        error = errors[0]
        where = "/".join(str(p) for p in error.absolute_path) or "(top level)"
        line = documents[0].line_of(tuple(error.absolute_path)) if documents else None
        message = error.message
        if is_placeholder(error.instance):
            message = f"{error.instance} is a placeholder (k2ecs init writes them): replace it with the real value"
        raise UsageError(f"config {where}: {message}", file=name, line=line)
    return settings_from_config(data)


def _top_level_is_not_a_mapping(err: InputError) -> bool:
    # converter.load.loader words this for manifests ("not a Kubernetes object or ECS payload").
    return "(a mapping)" in err.message


def _schema_errors(data: Any) -> list:
    # The compiled check answers for a valid config (converter.validate.schema_check): jsonschema, whose import
    # alone was 75 ms of CPU, is loaded only to word the errors of one it refuses.
    check = _config_check()
    if check is not None and check(data):
        return []
    import jsonschema  # only when a config file or a settings flag is used: keeps start-up light

    validator = jsonschema.Draft202012Validator(load_schema("config.schema.json"))
    return sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))


@cache
def _config_check() -> Callable[[Any], bool] | None:
    """schemas/config.schema.json as a yes/no check, or None should it use a keyword schema_check does not compile."""
    from converter.validate.schema_check import Unsupported, compile_schema

    try:
        return compile_schema(load_schema("config.schema.json"))
    except Unsupported:
        return None


# Where each settings flag lands in the config (schemas/config.schema.json), so that a flag is checked
# exactly as the same value in k2ecs.yaml is.
FLAG_CONFIG_PATHS: dict[str, tuple[str, ...]] = {
    "--cluster": ("cluster",),
    "--region": ("region",),
    "--launch-type": ("launchType",),
    "--subnets": ("network", "subnets"),
    "--security-groups": ("network", "securityGroups"),
    "--assign-public-ip/--no-assign-public-ip": ("network", "assignPublicIp"),
    "--execution-role-arn": ("executionRoleArn",),
    "--service-connect-namespace": ("serviceConnectNamespace",),
    "--sizing": ("sizing",),
}


def check_flags(values: dict[str, Any]) -> None:
    """``values`` (flag -> value as the config would hold it; None: not given) against the config schema:
    the first problem is a UsageError naming the flag."""
    data: dict[str, Any] = {}
    for flag, value in values.items():
        if value is None:
            continue
        *parents, leaf = FLAG_CONFIG_PATHS[flag]
        node = data
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = list(value) if isinstance(value, tuple) else value
    if not data:
        return  # no settings flag: nothing to check, and jsonschema stays unimported (start-up)
    errors = _schema_errors(data)
    if errors:
        error = errors[0]
        path = tuple(p for p in error.absolute_path if isinstance(p, str))
        flag = next((f for f, where in FLAG_CONFIG_PATHS.items() if where == path), "a flag")
        raise UsageError(f"{flag}: {error.message} (checked as {'.'.join(path)} in k2ecs.yaml)")


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
