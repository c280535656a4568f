"""Security context both ways: securityContext <-> ECS user, readonlyRootFilesystem, privileged, capabilities
(docs/MAPPING.md#topic-security).

Model -> ECS: ``container_security`` (what Fargate refuses is not written, K2E-W130) and ``drop_linux_only`` (the
fields ECS does not support for Windows containers, K2E-W180). ECS -> model: ``security_context`` (a numeric
user -> runAsUser/runAsGroup; linuxParameters with no securityContext field are named, K2E-W709).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from converter.core.field_pairs import CD, CONTAINER, POD, container_field, pair, workloads
from converter.core.findings import Finding, make_finding
from converter.core.model import Container, SecurityContext
from converter.core.settings import Settings

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls the ECS -> model functions with them
    from converter.core.reader import Path
    from converter.read.ecs.view import EcsView

# What an absent field means on ECS (botocore ContainerDefinition documentation).
_NOT_PRIVILEGED = "privileged: absent, a container is not privileged (ContainerDefinition.privileged)"
_ESCALATION = ("dockerSecurityOptions: absent, no no-new-privileges: a process may gain privileges, "
               "as allowPrivilegeEscalation: true allows")


# -- the model -> ECS --

def container_security(container: Container, settings: Settings, out: dict[str, Any], findings: list[Finding]) -> None:
    sec = container.security
    origin = sec.origin or container.origin
    if sec.run_as_user is not None:
        out["user"] = str(sec.run_as_user) if sec.run_as_group is None else f"{sec.run_as_user}:{sec.run_as_group}"
    elif sec.run_as_group is not None:
        findings.append(make_finding("K2E-W132", origin, f"runAsGroup of {container.name!r} without runAsUser cannot be expressed"))
    if sec.read_only_root_filesystem is not None:
        out["readonlyRootFilesystem"] = sec.read_only_root_filesystem
    if sec.privileged:
        if settings.fargate:
            findings.append(make_finding("K2E-W130", origin, f"{container.name!r} is privileged; Fargate does not allow it, not written"))
        else:
            out["privileged"] = True
    add = list(sec.capabilities_add)
    if settings.fargate:
        refused = [cap for cap in add if cap != "SYS_PTRACE"]
        if refused:
            findings.append(make_finding("K2E-W130", origin, f"capabilities {', '.join(refused)} of {container.name!r} cannot be added on Fargate (only SYS_PTRACE)"))
        add = [cap for cap in add if cap == "SYS_PTRACE"]
    capabilities: dict[str, Any] = {}
    if add:
        capabilities["add"] = add
    if sec.capabilities_drop:
        capabilities["drop"] = list(sec.capabilities_drop)
    if capabilities:
        out["linuxParameters"] = {"capabilities": capabilities}
    if sec.no_new_privileges:
        if settings.fargate:
            findings.append(make_finding("K2E-W130", origin, f"allowPrivilegeEscalation: false of {container.name!r} needs dockerSecurityOptions, which Fargate does not allow"))
        else:
            out["dockerSecurityOptions"] = ["no-new-privileges"]


# botocore ContainerDefinition: "This parameter is not supported for Windows containers."
LINUX_ONLY_FIELDS = ("user", "readonlyRootFilesystem", "linuxParameters")


def drop_linux_only(container: Container, out: dict[str, Any], findings: list[Finding]) -> None:
    dropped = [key for key in LINUX_ONLY_FIELDS if out.pop(key, None) is not None]
    if dropped:
        findings.append(make_finding("K2E-W180", container.security.origin or container.origin,
                                     f"{', '.join(dropped)} of {container.name!r} not written: ECS does not support "
                                     "them for Windows containers"))


# -- ECS -> the model --

_USER = re.compile(r"^(\d+)(?::(\d+))?$")


_LINUX_NO_FIELD: dict[str, str] = {
    "initProcessEnabled": "Put an init (tini) in the image, or set shareProcessNamespace: true on the pod.",
    "devices": "Use a device plugin on the nodes.",
    "sharedMemorySize": "Mount an emptyDir with medium: Memory at /dev/shm.",
    "tmpfs": "Mount an emptyDir with medium: Memory at the path.",
    "maxSwap": "Swap is a node setting (NodeSwap feature).",
    "swappiness": "Swap is a node setting (NodeSwap feature).",
}


def security_context(view: EcsView, path: Path, name: str) -> SecurityContext:
    user = group = None
    raw_user = view.get(path + ("user",), str, int)
    if raw_user is not None:
        match = _USER.match(str(raw_user))
        if match is None:
            view.note(path + ("user",), "K2E-W709", f"user {raw_user!r} of {name!r} is not numeric; Kubernetes needs a uid",
                      "Look up the uid (and gid) in the image and set runAsUser/runAsGroup.")
        else:
            user, group = int(match[1]), None if match[2] is None else int(match[2])
    no_new_privileges = None
    for item_path, _ in view.sequence(path + ("dockerSecurityOptions",)):
        option = view.get(item_path, str)
        if option == "no-new-privileges":
            no_new_privileges = True
        else:
            view.note(item_path, "K2E-W709", f"docker security option {option!r} of {name!r} has no securityContext field",
                      "Use seLinuxOptions, appArmorProfile or seccompProfile in the securityContext.")
    linux = path + ("linuxParameters",)
    view.mapping(linux)
    capabilities = {key: tuple(view.strings(linux + ("capabilities", key)) or ()) for key in ("add", "drop")}
    view.mapping(linux + ("capabilities",))
    for key, suggestion in _LINUX_NO_FIELD.items():
        if view.filled_or_taken(linux + (key,)):
            view.note(linux + (key,), "K2E-W709", f"linuxParameters.{key} of {name!r} has no Kubernetes field", suggestion)
    has_any = any(v is not None for v in (raw_user, no_new_privileges)) or any(capabilities.values())
    return SecurityContext(
        run_as_user=user, run_as_group=group,
        read_only_root_filesystem=view.get(path + ("readonlyRootFilesystem",), bool),
        privileged=view.get(path + ("privileged",), bool),
        capabilities_add=capabilities["add"], capabilities_drop=capabilities["drop"],
        no_new_privileges=no_new_privileges, origin=view.origin(path) if has_any else None,
    )


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
PAIRS = workloads(
    pair(POD + "/securityContext/runAsUser", f"{CD}.user"),
    pair(POD + "/securityContext/runAsGroup", f"{CD}.user"),
    pair(CONTAINER + "/securityContext/runAsUser", f"{CD}.user"),
    pair(CONTAINER + "/securityContext/runAsGroup", f"{CD}.user"),
    pair(CONTAINER + "/securityContext/readOnlyRootFilesystem", f"{CD}.readonlyRootFilesystem"),
    # What Fargate refuses is not written, and K2E-W130 on the securityContext says so (taskdef._security).
    pair(CONTAINER + "/securityContext/privileged", f"{CD}.privileged", same_when_unset=(False,),
         unset_reason=_NOT_PRIVILEGED, codes=("K2E-W130",)),
    pair(CONTAINER + "/securityContext/capabilities", f"{CD}.linuxParameters.capabilities", unit=True,
         codes=("K2E-W130",)),
    pair(CONTAINER + "/securityContext/allowPrivilegeEscalation", f"{CD}.dockerSecurityOptions",
         same_when_unset=(True,), unset_reason=_ESCALATION, codes=("K2E-W130",)),
)
REVERSE_PAIRS = {"TaskDefinition": (
    container_field("/user", "securityContext.runAsUser", "securityContext.runAsGroup"),
    container_field("/readonlyRootFilesystem", "securityContext.readOnlyRootFilesystem"),
    container_field("/privileged", "securityContext.privileged"),
    container_field("/linuxParameters/capabilities", "securityContext.capabilities", unit=True),
    container_field("/dockerSecurityOptions", "securityContext", unit=True),
)}
CONCERN = "security"
