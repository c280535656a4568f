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

from converter.read.ecs.container import PodExtras, parse_container
from converter.read.ecs.tags import task_tags
from converter.read.ecs.view import EcsView, note_read_only
from converter.core.facts import host_port_is_container_port, network_mode_left_out
from converter.core.model import Container, Rollout, Workload
from converter.core.quantity import GIB
from converter.rules.identity import task_role
from converter.rules.naming import dns_label, member_label
from converter.rules.placement import runtime_platform
from converter.rules.process import container_roles
from converter.rules.resources.reverse import give_task_size, task_size, with_resources
from converter.rules.volumes import pod_volumes

READ_ONLY = ("taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt",
             "registeredBy", "deregisteredAt", "deleteRequested")
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
    left_out = network is None
    if network is None:  # read as ECS registers it: bridge, or awsvpc when it requires Fargate
        network = network_mode_left_out(view.raw(("requiresCompatibilities",)))
    extras = PodExtras()
    # A hostPort is the pod's own only where it can differ from containerPort (bridge).
    host_ports = not host_port_is_container_port(network)
    containers = _containers(view, extras, host_ports=host_ports)
    cpu_units = task_size(view, ("cpu",), cpu=True)
    memory_mib = task_size(view, ("memory",), cpu=False)
    containers = give_task_size(view, containers, cpu_units, memory_mib)
    if network == "host":
        view.note(("networkMode",), "K2E-I735", "networkMode host became hostNetwork: true", covers=False)
    if network in ("bridge", "none"):
        mode = f"no networkMode (ECS registers it as {network})" if left_out else f"networkMode {network}"
        view.note(("networkMode",), "K2E-W710", f"{mode}: a pod has its own IP and one network namespace",
                  "Reach the containers through a Service; with bridge, dynamic host ports have no equivalent.")
    for key, suggestion in _CLUSTER_SIDE.items():
        if view.filled((key,)):
            view.note((key,), "K2E-I712", f"{key} is set up with the cluster, not in the pod", suggestion)
    for key, suggestion in _TASK_NO_FIELD.items():
        if view.filled_or_taken((key,)):
            view.note((key,), "K2E-W710", f"{key} has no pod field", suggestion)
    pid_mode = view.get(("pidMode",), str)
    if pid_mode == "host":
        view.note(("pidMode",), "K2E-W710", "pidMode host is not carried", "Set hostPID: true on the pod if it is needed.")
    labels, annotations, namespace = task_tags(view, ("tags",))
    if view.cfn is False and view.base and view.reader.has(("tags",)):  # describe output: tags beside taskDefinition
        outer = EcsView(view.reader)
        more = task_tags(outer, ("tags",))
        labels, annotations, namespace = labels + more[0], annotations + more[1], namespace or more[2]
    arch, operating_system = runtime_platform(view)
    volumes, containers = pod_volumes(view, containers)
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
        containers=tuple(containers), volumes=volumes, task_role_arn=task_role(view),
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
    roles, order, healthy = container_roles(view, items, raw_names, names)
    parsed = [parse_container(view, item_path, roles[i], names[i], extras, host_ports=host_ports)
              for i, (item_path, _) in enumerate(items)]
    for i in healthy:  # others wait for it to be HEALTHY: Kubernetes waits for a sidecar's startupProbe
        container = parsed[i]
        if container.startup is None and container.liveness is not None:
            parsed[i] = replace(container, startup=container.liveness)
    return [parsed[i] for i in order]


