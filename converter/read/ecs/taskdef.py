"""An ECS task definition -> the neutral Workload (docs/MAPPING.md#topic-reverse).

The Workload is complete except for what the ECS service says (replicas, rollout, the name a service
gives it); converter.pipeline.reverse fills that in when it links a service. Container roles come from the
dependsOn graph: a container others wait for with SUCCESS or COMPLETE is an init container, one they
wait for with START or HEALTHY a native sidecar (initContainers with restartPolicy: Always), the rest
app containers (#topic-reverse, [K8S-SIDECAR]).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from converter.read.ecs.container import PodExtras, parse_container
from converter.read.ecs.tags import task_tags
from converter.read.ecs.view import EcsView, note_read_only
from converter.core.facts import host_port_is_container_port
from converter.core.reader import Path
from converter.core.model import Container, ContainerRole, Rollout, Volume, Workload
from converter.core.quantity import GIB
from converter.rules.naming import dns_label, member_label
from converter.rules.resources import give_task_size, task_size, with_resources

READ_ONLY = ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
             "registeredBy", "deregisteredAt", "deleteRequested")
_ARCH = {"X86_64": "amd64", "ARM64": "arm64"}
_CLUSTER_SIDE = {
    "executionRoleArn": "The kubelet pulls images with the node role (or imagePullSecrets); no per-pod execution role.",
    "requiresCompatibilities": "Choose nodes or an EKS Fargate profile for the pods.",
}
_TASK_NO_FIELD = {
    "placementConstraints": "Use nodeAffinity (memberOf) or podAntiAffinity on kubernetes.io/hostname (distinctInstance).",
    "proxyConfiguration": "Use the service mesh's sidecar injection (App Mesh controller, Istio).",
    "inferenceAccelerators": "Use a device plugin and its extended resource.",
    "ipcMode": "Use hostIPC: true for host; Kubernetes shares IPC within a pod already.",
    "enableFaultInjection": "Use a chaos tool (AWS FIS for EKS, Chaos Mesh).",
}


@dataclass
class ParsedTask:
    workload: Workload  # name from the family; replicas and rollout are filled in by the service
    family: str
    revision: int | None
    cpu_units: int | None  # task-level size (ECS utilization denominators)
    memory_mib: int | None
    extras: PodExtras = field(default_factory=PodExtras)
    view: EcsView | None = None


def _default_family(view: EcsView) -> str:
    """The family of a task definition that names none (or one known only at deploy time): in a template,
    its logical id, which CloudFormation's generated name ("STACK-LOGICALID-RANDOM", AWS::ECS::TaskDefinition
    Family) is built around; elsewhere (container definitions alone) the file's name."""
    resource = view.reader.resource
    name = resource.rsplit("/", 1)[-1] if view.template is not None else \
        os.path.splitext(os.path.basename(view.reader.document.file))[0]
    name = re.sub(r"[^A-Za-z0-9_-]", "-", name).strip("-") or "task"
    view.note(("family",), "K2E-I741", f"the task definition has no family it can be named by; it is named {name!r}",
              covers=False)
    return name


def parse_task_definition(view: EcsView) -> ParsedTask:
    family = view.get(("family",), str)
    if family is None:
        family = _default_family(view)
    note_read_only(view, READ_ONLY)
    revision = view.raw(("revision",)) if isinstance(view.raw(("revision",)), int) else None
    network = view.get(("networkMode",), str)
    extras = PodExtras()
    # A hostPort is the pod's own only where it can differ from containerPort; with no networkMode it is
    # read as awsvpc, the mode k2ecs writes and Fargate requires.
    host_ports = network is not None and not host_port_is_container_port(network)
    containers = _containers(view, extras, host_ports=host_ports)
    cpu_units = task_size(view, ("cpu",), cpu=True)
    memory_mib = task_size(view, ("memory",), cpu=False)
    containers = give_task_size(view, containers, cpu_units, memory_mib)
    if network == "host":
        view.note(("networkMode",), "K2E-I735", "networkMode host became hostNetwork: true", covers=False)
    if network in ("bridge", "none"):
        view.note(("networkMode",), "K2E-W710", f"networkMode {network}: a pod has its own IP and one network namespace",
                  "Reach the containers through a Service; with bridge, dynamic host ports have no equivalent.")
    for key, suggestion in _CLUSTER_SIDE.items():
        if view.filled((key,)):
            view.note((key,), "K2E-I712", f"{key} is set up with the cluster, not in the pod", suggestion)
    for key, suggestion in _TASK_NO_FIELD.items():
        if view.filled((key,)):
            view.note((key,), "K2E-W710", f"{key} has no pod field", suggestion)
        else:
            view.take((key,))
    pid_mode = view.get(("pidMode",), str)
    if pid_mode == "host":
        view.note(("pidMode",), "K2E-W710", "pidMode host is not carried", "Set hostPID: true on the pod if it is needed.")
    labels, annotations, namespace = task_tags(view, ("tags",))
    if view.cfn is False and view.base and view.reader.has(("tags",)):  # describe output: tags beside taskDefinition
        outer = EcsView(view.reader)
        more = task_tags(outer, ("tags",))
        labels, annotations, namespace = labels + more[0], annotations + more[1], namespace or more[2]
    arch, operating_system = _platform(view)
    volumes, containers = _volumes(view, containers)
    name = dns_label(family, "task")
    if name != family:
        view.note(("family",), "K2E-I707", f"family {family!r} is named {name} in Kubernetes", covers=False)
    grace = max(extras.stop_timeouts.values(), default=None)
    if len(set(extras.stop_timeouts.values())) > 1:
        view.note(("containerDefinitions",), "K2E-W709", f"containers stop with different stopTimeout values; the pod's "
                  f"terminationGracePeriodSeconds is the largest, {grace}", "Nothing to do.", covers=False)
    ephemeral = view.get(("ephemeralStorage", "sizeInGiB"), int)
    if ephemeral is not None and ephemeral <= 0:
        view.note(("ephemeralStorage",), "K2E-W710", f"ephemeralStorage {ephemeral} GiB is not a size; not carried")
        ephemeral = None
    if ephemeral is not None and containers:
        first = next((c for c in containers if c.role == "app"), containers[0])
        containers = [with_resources(c, ephemeral_storage_bytes=Decimal(ephemeral) * GIB) if c is first else c for c in containers]
        view.note(("ephemeralStorage",), "K2E-I718", f"ephemeralStorage {ephemeral} GiB became the ephemeral-storage request of "
                  f"{first.name!r}", covers=False)
    workload = Workload(
        kind="Deployment", name=name, namespace=namespace, labels=tuple(labels), annotations=tuple(annotations),
        pod_labels=(), replicas=None, rollout=Rollout(strategy="rolling", origin=view.origin()),
        containers=tuple(containers), volumes=volumes, task_role_arn=view.get(("taskRoleArn",), str) or None,
        termination_grace_seconds=grace, cpu_architecture=arch, operating_system=operating_system,
        share_process_namespace=True if pid_mode == "task" else None, origin=view.origin(),
        pod_annotations=tuple(sorted(extras.annotations.items())), host_network=True if network == "host" else None,
    )
    return ParsedTask(workload=workload, family=family, revision=revision, cpu_units=cpu_units, memory_mib=memory_mib,
                      extras=extras, view=view)


def _containers(view: EcsView, extras: PodExtras, *, host_ports: bool) -> list[Container]:
    items = list(view.sequence(("containerDefinitions",)))
    if not items:
        view.fail(("containerDefinitions",), "a task definition needs at least one container")
    names: list[str] = []
    raw_names: list[str] = []
    for index, (item_path, item) in enumerate(items):
        if not isinstance(item, dict):
            view.fail(item_path, "a container definition must be a mapping")
        raw = view.get(item_path + ("name",), str) or ""
        raw_names.append(raw)
        name = member_label("container", raw, index, names)
        if name != raw:
            view.note(item_path + ("name",), "K2E-I707", f"container {raw!r} is named {name} in Kubernetes", covers=False)
        names.append(name)
    roles, order, healthy = _roles(view, items, raw_names, names)
    parsed = [parse_container(view, item_path, roles[i], names[i], extras, host_ports=host_ports)
              for i, (item_path, _) in enumerate(items)]
    for i in healthy:  # others wait for it to be HEALTHY: Kubernetes waits for a sidecar's startupProbe
        container = parsed[i]
        if container.startup is None and container.liveness is not None:
            parsed[i] = replace(container, startup=container.liveness)
    return [parsed[i] for i in order]


def _roles(view: EcsView, items: list[tuple[Path, Any]], raw_names: list[Any],
           names_list: list[str]) -> tuple[list[ContainerRole], list[int], set[int]]:
    """Each container's role; the Kubernetes order (init containers and sidecars by dependency, then the apps);
    and the sidecars others wait for to be HEALTHY."""
    index_of: dict[Any, int] = {}
    for i, raw in enumerate(raw_names):
        index_of.setdefault(raw, i)
    edges: list[tuple[int, int, str, Path]] = []  # (dependent, dependency, condition, path)
    for i, (item_path, _) in enumerate(items):
        for dep_path, _ in view.sequence(item_path + ("dependsOn",)):
            target = view.get(dep_path + ("containerName",), str)
            condition = (view.get(dep_path + ("condition",), str) or "").upper()
            if target not in index_of:
                view.note(dep_path, "K2E-W715", f"dependsOn names {target!r}, which is not a container of the task")
                continue
            edges.append((i, index_of[target], condition, dep_path))
    wanted: dict[int, set[str]] = {}
    for _, target, condition, _ in edges:
        wanted.setdefault(target, set()).add(condition)
    roles: list[ContainerRole] = []
    for i in range(len(items)):
        conditions = wanted.get(i, set())
        roles.append("init" if conditions & {"SUCCESS", "COMPLETE"} else "sidecar" if conditions & {"START", "HEALTHY"} else "app")
    chain = [i for i in range(len(items)) if roles[i] != "app"]
    order = _topological(chain, [(a, b) for a, b, _, _ in edges if roles[a] != "app" and roles[b] != "app"])
    if order is None:
        view.note(("containerDefinitions",), "K2E-W715", "the init and sidecar containers depend on each other in a cycle; "
                  "declared order kept", covers=False)
        order = chain
    if "app" not in roles:  # a pod needs a container that runs: the last one to start
        last = order[-1]
        roles[last] = "app"
        order = [i for i in order if i != last]
        view.note(items[last][0], "K2E-W715", f"every container waits for another; {names_list[last]!r} became the app "
                  "container", covers=False)
    position = {i: n for n, i in enumerate(order)}
    for dependent, target, condition, path in edges:
        _check_edge(view, path, names_list[dependent], names_list[target], roles[dependent], roles[target], condition,
                    position, dependent, target, items[target][0])
    for i, (item_path, _) in enumerate(items):
        essential = view.get(item_path + ("essential",), bool)
        expected = roles[i] != "init"
        restarted = view.raw(item_path + ("restartPolicy", "enabled")) is True
        if essential is False and expected and not (restarted and roles[i] == "sidecar"):
            what = "app container" if roles[i] == "app" else "sidecar"
            view.note(item_path + ("essential",), "K2E-W716",
                      f"{names_list[i]!r} is not essential; as a Kubernetes {what} it is restarted when it exits")
        elif essential is True and roles[i] == "sidecar":
            # The kubelet restarts a native sidecar in place; converted back, it is non-essential with a
            # restart policy (K2E-I183), no longer stopping the task when it exits.
            view.note(item_path + ("essential",), "K2E-W709",
                      f"essential of sidecar {names_list[i]!r} has no Kubernetes field: as a native sidecar it is "
                      "restarted when it exits, and the pod runs on")
        elif essential is not False and not expected:
            view.note(item_path + ("essential",), "K2E-W715",
                      f"{names_list[i]!r} is essential, but others wait for it to finish; it became an init container")
    healthy = {target for _, target, condition, _ in edges if condition == "HEALTHY" and roles[target] == "sidecar"}
    return roles, order + [i for i in range(len(items)) if roles[i] == "app"], healthy


def _check_edge(view: EcsView, path: Path, dependent: str, target: str, dependent_role: str, target_role: str,
                condition: str, position: dict[int, int], dependent_index: int, target_index: int, target_path: Path) -> None:
    if target_role == "app":
        view.note(path, "K2E-W715", f"{dependent!r} waits for app container {target!r} ({condition}); Kubernetes starts "
                  "app containers without waiting for each other")
    elif dependent_role != "app" and position.get(target_index, -1) > position.get(dependent_index, -1):
        view.note(path, "K2E-W715", f"{dependent!r} waits for {target!r}, which starts after it in Kubernetes")
    elif condition == "COMPLETE":
        view.note(path, "K2E-W715", f"{dependent!r} waits for {target!r} to exit with any status; a Kubernetes init "
                  "container must exit 0", f"End {target!r}'s command with `|| true` if its failures must not block the pod.")
    elif condition == "HEALTHY" and target_role == "sidecar":
        has_check = view.filled(target_path + ("healthCheck",))
        view.note(path, "K2E-W715", f"{dependent!r} waits for {target!r} to be HEALTHY: " + (
            "Kubernetes waits for the sidecar's startupProbe instead (made from its healthCheck)" if has_check else
            f"{target!r} has no healthCheck, so Kubernetes waits only for it to start"))
    elif condition == "HEALTHY" or (condition == "START" and target_role == "init") or condition not in ("SUCCESS", "START", "HEALTHY", "COMPLETE"):
        view.note(path, "K2E-W715", f"{dependent!r} waits for {target!r} with {condition or 'no condition'}, which "
                  f"the Kubernetes order of a {target_role} container does not express exactly")
    else:
        view.take(path)


def _topological(nodes: list[int], edges: list[tuple[int, int]]) -> list[int] | None:
    """Nodes ordered so each comes after what it depends on; declared order breaks ties; None on a cycle."""
    after = {n: {b for a, b in edges if a == n and b in nodes} for n in nodes}
    done: list[int] = []
    while len(done) < len(nodes):
        ready = [n for n in nodes if n not in done and after[n] <= set(done)]
        if not ready:
            return None
        done.append(ready[0])
    return done


def _platform(view: EcsView) -> tuple[Any, Any]:
    arch = view.get(("runtimePlatform", "cpuArchitecture"), str)
    family = view.get(("runtimePlatform", "operatingSystemFamily"), str)
    if arch is not None and arch not in _ARCH:
        view.note(("runtimePlatform", "cpuArchitecture"), "K2E-W710", f"cpuArchitecture {arch} is not carried")
        arch = None
    operating_system = None
    if family == "LINUX":
        operating_system = "linux"
    elif family is not None:
        operating_system = "windows"
        view.note(("runtimePlatform", "operatingSystemFamily"), "K2E-W710",
                  f"{family}: Kubernetes selects Windows nodes, not a Windows Server version", covers=False,
                  suggestion="Add a node selector on node.kubernetes.io/windows-build for the version.")
    return arch, operating_system


def _volumes(view: EcsView, containers: list[Container]) -> tuple[tuple[Volume, ...], list[Container]]:
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
