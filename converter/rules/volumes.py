"""Volumes both ways: pod volumes and volumeMounts <-> task volumes and mountPoints (docs/MAPPING.md#topic-volumes).

Model -> ECS: ``task_volumes`` (hostPath -> a host volume on EC2, a task-scoped volume on Fargate, K2E-W123; the
rest task-scoped). The mountPoints are written with the container (converter/write/ecs/taskdef.py). ECS -> model:
``pod_volumes`` (each volume named by a DNS label, its mounts following the name; what the API server would
refuse is left out, K2E-W745).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from converter.core.field_pairs import CD, CONTAINER, POD, POD_SPEC, TD, container_field, pair, workloads
from converter.core.findings import Finding, make_finding
from converter.core.model import Container, Volume, Workload
from converter.core.settings import Settings
from converter.rules.naming import member_label

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls the ECS -> model functions with them
    from converter.core.reader import Path
    from converter.read.ecs.view import EcsView


# -- the model -> ECS --

def task_volumes(workload: Workload, settings: Settings, findings: list[Finding]) -> list[dict[str, Any]]:
    volumes = []
    for volume in workload.volumes:
        if volume.source == "host" and not settings.fargate:
            volumes.append({"name": volume.name, "host": {"sourcePath": volume.host_path}})
            continue
        if volume.source == "host":
            findings.append(make_finding("K2E-W123", volume.origin,
                                         f"hostPath volume {volume.name!r} became a task-scoped volume (Fargate has no host paths)"))
        volumes.append({"name": volume.name})
    return volumes


# -- ECS -> the model --

def pod_volumes(view: EcsView, containers: list[Container]) -> tuple[tuple[Volume, ...], list[Container]]:
    """The pod's volumes, each named by a DNS label (ValidateVolumes: IsDNS1123Label, unique), and the containers
    with their mounts following those names; mounts the API server would refuse are left out (K2E-W745)."""
    volumes: list[Volume] = []
    renamed: dict[str, str] = {}  # ECS name -> Kubernetes name; the first volume of a name answers for mounts
    for index, (item_path, _) in enumerate(view.sequence(("volumes",))):
        raw = view.get(item_path + ("name",), str)
        if raw is None:
            view.fail(item_path, "a volume needs a name")
        name = member_label("volume", raw, index, [v.name for v in volumes])
        if name != raw:
            view.note(item_path + ("name",), "K2E-I707", f"volume {raw!r} is named {name} in Kubernetes; its mounts follow",
                      covers=False)
        renamed.setdefault(raw, name)
        host_path = view.get(item_path + ("host", "sourcePath"), str)
        view.mapping(item_path + ("host",))
        for key in ("efsVolumeConfiguration", "dockerVolumeConfiguration", "fsxWindowsFileServerVolumeConfiguration",
                    "configuredAtLaunch"):
            if view.filled(item_path + (key,)) and view.raw(item_path + (key,)) is not False:
                view.note(item_path + (key,), "K2E-W730", f"volume {raw!r} ({key}) became an emptyDir")
            else:
                view.take(item_path + (key,))
        source = "host" if host_path else "scratch"
        volumes.append(Volume(name=name, source=source, host_path=host_path or None, origin=view.origin(item_path)))
    return tuple(volumes), [_mounts_named(view, container, renamed) for container in containers]


def _mounts_named(view: EcsView, container: Container, renamed: dict[str, str]) -> Container:
    mounts = []
    paths: set[str] = set()
    for mount in container.mounts:
        where = _pointer_path(mount.origin.path, view)
        if mount.volume not in renamed:
            view.reader.note(where, "K2E-W730", f"mount {mount.path!r} of {container.name!r} names volume "
                             f"{mount.volume!r}, which the task does not declare; dropped")
        elif not mount.path:
            view.reader.note(where, "K2E-W745", f"mount of volume {mount.volume!r} in {container.name!r} has no "
                             "containerPath; left out")
        elif mount.path in paths:
            view.reader.note(where, "K2E-W745", f"{container.name!r} already mounts a volume at {mount.path!r}; left out")
        else:
            paths.add(mount.path)
            mounts.append(replace(mount, volume=renamed[mount.volume]))
    return container if tuple(mounts) == container.mounts else replace(container, mounts=tuple(mounts))


def _pointer_path(pointer: str, view: EcsView) -> Path:
    prefix = len(view.reader.document.prefix)
    steps = [int(s) if s.isdigit() else s.replace("~1", "/").replace("~0", "~") for s in pointer.split("/")[1:]]
    return tuple(steps[prefix:])


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
PAIRS = workloads(
    pair(POD + "/volumes/*", f"{TD}.volumes[name={{item.name}}]", unit=True),
    pair(CONTAINER + "/volumeMounts/*", f"{CD}.mountPoints[containerPath={{item.mountPath}}]", unit=True),
)
REVERSE_PAIRS = {"TaskDefinition": (
    pair("/volumes/*", f"{POD_SPEC}.volumes[name={{volume}}]", unit=True),
    container_field("/mountPoints/*", "volumeMounts[mountPath={item.containerPath}]", unit=True),
)}
CONCERN = "volumes"
