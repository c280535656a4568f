"""One Kubernetes container (of a pod template) -> the neutral Container (docs/MAPPING.md#rules-k8s)."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal
from typing import Any

from converter.read.kubernetes.container_env import PodFacts, container_environment, note_unexpanded
from converter.read.kubernetes.expansion import expand, expansion_note, recording
from converter.read.kubernetes.context import ParseContext
from converter.core.reader import Path, Reader
from converter.core.scope import Scope
from converter.core.model import Container, ContainerRole, Mount, Port, Resources
from converter.read.kubernetes.probes import parse_probe
from converter.read.kubernetes.security import parse_security_context
from converter.core.quantity import QuantityError, is_milli_memory, parse_quantity

# ${VAR}, $VAR and {{ ... }}: envsubst's and Go templates' markers, which no registry reference holds.
_UNEXPANDED = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*?\}\}")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
# Resources an init container declares that ECS gets at task level or not at all (any other key has a W208).
_INIT_SIZED = ("cpu", "memory", "nvidia.com/gpu", "ephemeral-storage")
_DEFAULT_TERMINATION_MESSAGE = {"terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}


def parse_container(reader: Reader, path: Path, role: ContainerRole, context: ParseContext, pod: PodFacts,
                    siblings: dict[str, Path]) -> Container:
    fields = Scope(reader, path)  # the container's own fields, read by key (converter.core.scope)
    name = fields.get("name", str)
    image = fields.get("image", str)
    if name is None:
        reader.fail(path, "container has no name")
    if _DNS_LABEL.fullmatch(name) is None:
        fields.fail("name", f"container name {name!r} is not a DNS label (lower-case letters, digits, '-', at most 63)")
    if image is None:
        fields.fail("image", f"container {name!r} has no image")
    if _UNEXPANDED.search(image) is not None:
        fields.note("image", "K2E-W160", f"image of {name!r} still holds {_UNEXPANDED.search(image).group()!r}, "
                                         "a variable or template that was never expanded", covers=False)
    fields.get("restartPolicy", str)  # consumed by the caller's role decision

    ports = _ports(fields, name)
    environment, secrets, runtime = container_environment(reader, path, name, context, pod, siblings)
    # command and args are expanded with the container's whole final env (kubelet ExpandContainerCommandAndArgs).
    final = {entry.name: entry.value for entry in environment}
    entry_point = _expanded_list(reader, path + ("command",), name, final, runtime)
    command = _expanded_list(reader, path + ("args",), name, final, runtime)
    resources = _resources(fields.scope("resources"), name)
    if role == "init":
        _init_resources(reader, path + ("resources",), name)
    probes = {key: parse_probe(fields, key, ports)
              for key in ("livenessProbe", "readinessProbe", "startupProbe")}
    mounts = tuple(_mount(Scope(reader, item_path, item)) for item_path, item in reader.sequence(path + ("volumeMounts",)))
    for item_path, item in reader.sequence(path + ("volumeMounts",)):
        for option in ("subPath", "subPathExpr", "mountPropagation", "recursiveReadOnly"):
            if isinstance(item, dict) and option in item:
                reader.note(item_path + (option,), "K2E-I124", f"volume mount option {option} has no ECS field")

    if fields.has("lifecycle"):
        fields.note("lifecycle", "K2E-W116", f"lifecycle hooks of container {name!r} have no ECS equivalent")
    policy = fields.get("imagePullPolicy", str)
    if policy is not None and policy != "Always":
        fields.note("imagePullPolicy", "K2E-W136", f"imagePullPolicy {policy} has no task-level field; ECS pulls on every start")
    elif policy == "Always":  # what ECS does; no field says so, so a conversion back cannot write it
        fields.note("imagePullPolicy", "K2E-I009", "imagePullPolicy Always is what ECS does (it pulls on "
                    "every task start); no ECS field carries it")
    for key, default in _DEFAULT_TERMINATION_MESSAGE.items():
        value = fields.get(key, str)
        if value is not None and value != default:
            fields.note(key, "K2E-W145", f"{key} has no ECS field")
    for key in fields.present(("stdinOnce", "resizePolicy", "restartPolicyRules")):
        fields.note(key, "K2E-W145", f"{key} has no ECS field")
    if fields.has("volumeDevices"):
        fields.note("volumeDevices", "K2E-W120", "raw block volumeDevices have no ECS equivalent")

    return Container(
        name=name, image=image, role=role, entry_point=entry_point, command=command,
        working_directory=fields.get("workingDir", str),
        environment=environment, secrets=secrets, ports=ports,
        liveness=probes["livenessProbe"], readiness=probes["readinessProbe"], startup=probes["startupProbe"],
        mounts=mounts, resources=resources,
        security=parse_security_context(reader, path + ("securityContext",), pod.pod_security),
        interactive=fields.get("stdin", bool), pseudo_terminal=fields.get("tty", bool),
        origin=fields.origin(),
    )


def _mount(fields: Scope) -> Mount:
    origin = fields.origin()
    volume = fields.get("name", str)
    mount_path = fields.get("mountPath", str)
    if volume is None or mount_path is None:
        fields.reader.fail(fields.path, "a volume mount needs name and mountPath")
    return Mount(volume=volume, path=mount_path, read_only=bool(fields.get("readOnly", bool, default=False)),
                 origin=origin)


def _expanded_list(reader: Reader, path: Path, container: str, final: dict[str, str],
                   runtime: dict[str, str]) -> tuple[str, ...] | None:
    values = _string_list(reader, path)
    if values is None:
        return None
    expanded = []
    for index, value in enumerate(values):
        if "$" not in value:  # expands to itself, nothing unknown (expand()): no note either way
            expanded.append(value)
            continue
        used: dict[str, str] = {}
        text, unknown = expand(value, recording(final.get, used))
        if text != value:
            reader.note(path + (index,), "K2E-I170", expansion_note(f"{path[-1]} of container {container!r}", value,
                                                                    text, used), covers=False)
        note_unexpanded(reader, path + (index,), f"{path[-1]} of container {container!r}", unknown, runtime)
        expanded.append(text)
    return tuple(expanded)


def _string_list(reader: Reader, path: Path) -> tuple[str, ...] | None:
    if not reader.has(path):
        return None
    values = []
    for item_path, item in reader.sequence(path):
        if not isinstance(item, str):
            reader.fail(item_path, f"expected a string, got {type(item).__name__}")
        values.append(item)
    reader.take(path)
    return tuple(values)


def _ports(container_fields: Scope, container: str) -> tuple[Port, ...]:
    reader = container_fields.reader
    ports: list[Port] = []
    seen: dict[int, str] = {}
    for item_path, item in container_fields.sequence("ports"):
        fields = Scope(reader, item_path, item)
        origin = fields.origin()
        number = fields.get("containerPort", int)
        if number is None or not 1 <= number <= 65535:
            fields.fail("containerPort", "containerPort must be an integer from 1 to 65535")
        protocol = (fields.get("protocol", str) or "TCP").upper()
        name = fields.get("name", str)
        host_port = fields.get("hostPort", int)
        if fields.has("hostIP"):
            fields.note("hostIP", "K2E-W138", "hostIP has no ECS field")
        if protocol not in ("TCP", "UDP"):
            fields.note("protocol", "K2E-W138", f"port {number}/{protocol} of {container!r} dropped: ECS supports tcp and udp only")
            continue
        if number in seen:
            reader.note(item_path, "K2E-W138", f"port {number} of {container!r} is declared for {seen[number]} and {protocol}; ECS allows one protocol per container port, the second was dropped")
            continue
        seen[number] = protocol
        if host_port is not None and host_port != number:
            fields.note("hostPort", "K2E-W138", f"hostPort {host_port} differs from containerPort {number}; with awsvpc they must be equal, so hostPort was dropped")
            host_port = None
        ports.append(Port(container_port=number, protocol=protocol.lower(), name=name, host_port=host_port,
                          origin=origin))
    return tuple(ports)


def _init_resources(reader: Reader, path: Path, container: str) -> None:
    """Name what an init container declares: ECS gets none of it at container level (#topic-task-size)."""
    declared = {section: {key: value for key, value in reader.mapping(path + (section,)).items() if key in _INIT_SIZED}
                for section in ("requests", "limits")}
    shown = "; ".join(f"{section} " + ", ".join(f"{key} {value}" for key, value in values.items())
                      for section, values in declared.items() if values)
    if not shown:
        return
    message = (f"init container {container!r} declares {shown}: an ECS init container gets no container-level cpu, "
               "memory or GPU; its cpu and memory count only toward the task size, which covers each init container "
               "next to the native sidecars declared before it")
    if any("nvidia.com/gpu" in values for values in declared.values()):
        message += "; its nvidia.com/gpu was not written"
    if any("ephemeral-storage" in values for values in declared.values()):
        message += "; its ephemeral-storage counts toward the task's ephemeralStorage"
    reader.note(path, "K2E-I149", message, covers=False)


def _zero_resource(reader: Reader, path: Path, section: str, key: str, container: str) -> None:
    """A cpu or memory of 0 is read as not set. A zero limit sets no cgroup limit on the kubelet (no CFS quota,
    no memory limit: pkg/kubelet/kuberuntime/kuberuntime_container_linux.go sets a limit only when it is not
    zero); a zero request reserves nothing. ECS rejects a container memory of 0, so nothing is written."""
    if section == "limits":
        effect = "means no limit on the kubelet"
    else:
        effect = "reserves nothing"
    reader.note(path, "K2E-W213", f"{section}.{key} 0 of {container!r} {effect}; it was read as not set and no "
                f"container-level {key} was written for it")


def _resources(fields: Scope, container: str) -> Resources:
    reader, path = fields.reader, fields.path
    values: dict[str, Any] = {}
    for section in ("requests", "limits"):
        for key, raw in fields.mapping(section).items():
            item_path = path + (section, key)
            if key in ("cpu", "memory", "ephemeral-storage", "nvidia.com/gpu"):
                try:
                    quantity = parse_quantity(raw)
                except QuantityError as err:
                    reader.fail(item_path, str(err))
                reader.take(item_path)
                if quantity < 0:
                    reader.fail(item_path, "a resource quantity cannot be negative")
                if key == "memory" and is_milli_memory(raw):
                    reader.note(item_path, "K2E-W203", f"memory {raw!r} of {container!r} is in millibytes; did you mean {str(raw)[:-1]}Mi?")
                if quantity == 0 and key in ("cpu", "memory"):
                    _zero_resource(reader, item_path, section, key, container)
                    continue
                values[f"{section}.{key}"] = quantity
            else:
                reader.note(item_path, "K2E-W208", f"resource {key} of {container!r} has no ECS equivalent")
    if fields.has("claims"):
        fields.note("claims", "K2E-W208", "dynamic resource claims have no ECS equivalent")
    gpu = values.get("limits.nvidia.com/gpu", values.get("requests.nvidia.com/gpu"))
    storage = values.get("limits.ephemeral-storage", values.get("requests.ephemeral-storage"))
    return Resources(
        cpu_request_cores=values.get("requests.cpu"), cpu_limit_cores=values.get("limits.cpu"),
        memory_request_bytes=values.get("requests.memory"), memory_limit_bytes=values.get("limits.memory"),
        gpu_count=None if gpu is None else int(gpu.to_integral_value(rounding=ROUND_CEILING)),
        ephemeral_storage_bytes=storage,
    )


def cores(value: Decimal | None) -> Decimal:
    return Decimal(0) if value is None else value
