"""securityContext (container, with pod-level defaults) -> the neutral SecurityContext (docs/MAPPING.md#topic-security)."""

from __future__ import annotations

from typing import Any

from converter.core.reader import Path, Reader
from converter.core.scope import Scope
from converter.core.model import SecurityContext

# Fields with no ECS task-definition field at all.
_NO_FIELD = ("runAsNonRoot", "seccompProfile", "procMount", "windowsOptions")
# Fields that become dockerSecurityOptions: EC2 only; k2ecs reports them rather than emitting them.
_DOCKER_OPTIONS = ("seLinuxOptions", "appArmorProfile")


def parse_security_context(reader: Reader, path: Path, pod_defaults: dict[str, Any]) -> SecurityContext:
    has_own = reader.has(path)
    reader.mapping(path)
    fields = Scope(reader, path)  # its fields, read by key (converter.core.scope)
    user = fields.get("runAsUser", int)
    group = fields.get("runAsGroup", int)
    check_ids(reader, path, user, group)
    if user is None:
        user = pod_defaults.get("runAsUser")
    if group is None:
        group = pod_defaults.get("runAsGroup")
    for key in fields.present(_NO_FIELD):
        fields.note(key, "K2E-W131", f"securityContext.{key} has no ECS field")
    for key in fields.present(_DOCKER_OPTIONS):
        fields.note(key, "K2E-W130", f"securityContext.{key} needs dockerSecurityOptions (EC2 only); not written")
    add = _capabilities(reader, path + ("capabilities", "add"))
    drop = _capabilities(reader, path + ("capabilities", "drop"))
    escalation = fields.get("allowPrivilegeEscalation", bool)
    return SecurityContext(
        run_as_user=user, run_as_group=group,
        read_only_root_filesystem=fields.get("readOnlyRootFilesystem", bool),
        privileged=fields.get("privileged", bool),
        capabilities_add=add, capabilities_drop=drop,
        no_new_privileges=None if escalation is None else not escalation,
        origin=fields.origin() if has_own else None,
    )


def _capabilities(reader: Reader, path: Path) -> tuple[str, ...]:
    names = []
    for item_path, item in reader.sequence(path):
        if not isinstance(item, str):
            reader.fail(item_path, "a capability is a string")
        # ECS takes names without the CAP_ prefix, as Kubernetes manifests usually write them (#topic-security).
        names.append(item.upper().removeprefix("CAP_"))
    if names:
        reader.take(path)
    return tuple(names)


def check_ids(reader: Reader, path: Path, user: int | None, group: int | None) -> None:
    """Kubernetes accepts user and group IDs 0..2147483647 only; anything else would reach ECS as a bad user."""
    for key, value in (("runAsUser", user), ("runAsGroup", group)):
        if value is not None and not 0 <= value <= 2**31 - 1:
            reader.fail(path + (key,), f"{key} must be between 0 and 2147483647")
