"""Settings the manifests do not carry: from --config k2ecs.yaml (schema in schemas/) and flags.

A value that is needed but missing is never invented: renderers write ``placeholder(...)`` and a
finding, so the output is visibly incomplete rather than silently wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Literal

PLACEHOLDER_PREFIX = "<k2ecs:"


def placeholder(what: str) -> str:
    """A visible stand-in for a value the user must supply, e.g. ``<k2ecs:execution-role-arn>``."""
    return f"{PLACEHOLDER_PREFIX}{what}>"


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PLACEHOLDER_PREFIX) and value.endswith(">")


@dataclass(frozen=True, kw_only=True)
class Settings:
    cluster: str | None = None
    region: str | None = None
    launch_type: Literal["FARGATE", "EC2"] = "FARGATE"
    platform_version: str | None = None
    subnets: tuple[str, ...] = ()
    security_groups: tuple[str, ...] = ()
    assign_public_ip: bool = False
    execution_role_arn: str | None = None
    task_roles: dict[str, str] = field(default_factory=dict)  # ServiceAccount name -> IAM role ARN
    secrets: dict[str, str] = field(default_factory=dict)  # "secret/key" or "secret" -> Secrets Manager/SSM ARN
    image_pull_secrets: dict[str, str] = field(default_factory=dict)  # pull secret name -> Secrets Manager ARN
    target_groups: dict[str, str] = field(default_factory=dict)  # "service:port" -> target group ARN
    service_connect_namespace: str | None = None
    log_driver: Literal["awslogs", "none"] = "awslogs"
    log_group_prefix: str = "/ecs/"
    sizing: Literal["recommended", "requests", "limits"] = "recommended"

    @property
    def fargate(self) -> bool:
        return self.launch_type == "FARGATE"

    def merged(self, overrides: dict[str, Any]) -> "Settings":
        """These settings with every override that is not None applied (flags beat the config file)."""
        known = {f.name for f in fields(self)}
        return replace(self, **{k: v for k, v in overrides.items() if k in known and v is not None})
