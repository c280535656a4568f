"""Settings the manifests do not carry: from --config k2ecs.yaml (schema in schemas/) and flags.

A value that is needed but missing is never invented: renderers write ``placeholder(...)`` and a
finding, so the output is visibly incomplete rather than silently wrong.
"""

from __future__ import annotations

from typing import Any, Literal

from converter.core.record import Record, set_field

PLACEHOLDER_PREFIX = "<k2ecs:"


def placeholder(what: str) -> str:
    """A visible stand-in for a value the user must supply, e.g. ``<k2ecs:execution-role-arn>``."""
    return f"{PLACEHOLDER_PREFIX}{what}>"


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PLACEHOLDER_PREFIX) and value.endswith(">")


class Settings(Record):
    cluster: str | None
    region: str | None
    launch_type: Literal["FARGATE", "EC2"]
    platform_version: str | None
    subnets: tuple[str, ...]
    security_groups: tuple[str, ...]
    assign_public_ip: bool
    execution_role_arn: str | None
    task_roles: dict[str, str]  # ServiceAccount name -> IAM role ARN
    secrets: dict[str, str]  # "secret/key" or "secret" -> Secrets Manager/SSM ARN
    image_pull_secrets: dict[str, str]  # pull secret name -> Secrets Manager ARN
    target_groups: dict[str, str]  # "service:port" -> target group ARN
    service_connect_namespace: str | None
    log_driver: Literal["awslogs", "none"]
    log_group_prefix: str
    sizing: Literal["recommended", "requests", "limits"]

    def __init__(self, *, cluster: str | None = None, region: str | None = None,
                 launch_type: Literal["FARGATE", "EC2"] = "FARGATE", platform_version: str | None = None,
                 subnets: tuple[str, ...] = (), security_groups: tuple[str, ...] = (),
                 assign_public_ip: bool = False, execution_role_arn: str | None = None,
                 task_roles: dict[str, str] | None = None, secrets: dict[str, str] | None = None,
                 image_pull_secrets: dict[str, str] | None = None, target_groups: dict[str, str] | None = None,
                 service_connect_namespace: str | None = None, log_driver: Literal["awslogs", "none"] = "awslogs",
                 log_group_prefix: str = "/ecs/",
                 sizing: Literal["recommended", "requests", "limits"] = "recommended") -> None:
        set_field(self, "cluster", cluster)
        set_field(self, "region", region)
        set_field(self, "launch_type", launch_type)
        set_field(self, "platform_version", platform_version)
        set_field(self, "subnets", subnets)
        set_field(self, "security_groups", security_groups)
        set_field(self, "assign_public_ip", assign_public_ip)
        set_field(self, "execution_role_arn", execution_role_arn)
        set_field(self, "task_roles", {} if task_roles is None else task_roles)
        set_field(self, "secrets", {} if secrets is None else secrets)
        set_field(self, "image_pull_secrets", {} if image_pull_secrets is None else image_pull_secrets)
        set_field(self, "target_groups", {} if target_groups is None else target_groups)
        set_field(self, "service_connect_namespace", service_connect_namespace)
        set_field(self, "log_driver", log_driver)
        set_field(self, "log_group_prefix", log_group_prefix)
        set_field(self, "sizing", sizing)

    @property
    def fargate(self) -> bool:
        return self.launch_type == "FARGATE"

    def merged(self, overrides: dict[str, Any]) -> "Settings":
        """These settings with every override that is not None applied (flags beat the config file)."""
        values = dict(zip(self._record_fields, self._record_values(self)))
        values.update((k, v) for k, v in overrides.items() if k in values and v is not None)
        return type(self)(**values)
