"""One ECS container definition -> the neutral Container (docs/MAPPING.md#topic-reverse, the inverse of #rules-k8s).

The caller decides the container's role (app, init, sidecar) from the task's dependsOn graph; this
module reads everything else. Fields with no Kubernetes counterpart are named (K2E-W709) with a
suggestion; dockerLabels and stopTimeout are handed to the pod through ``PodExtras``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from converter.read.ecs.tags import tag_left_out
from converter.read.ecs.view import EcsView, Key
from converter.core.facts import health_check_defaults
from converter.core.reader import Path
from converter.write.kubernetes.rules import env_name_problem, port_name_problem
from converter.core.model import Container, ContainerRole, EnvVar, Mount, Port, Probe, Resources, SecretEnv, SecurityContext
from converter.core.names import unique_within
from converter.core.quantity import MIB, millicores_for_units, units_for_millicores
from converter.core.settings import placeholder

DNS_LABEL_MAX = 63
_NOT_DNS = re.compile(r"[^a-z0-9-]+")
_USER = re.compile(r"^(\d+)(?::(\d+))?$")
_NO_FIELD: dict[str, str] = {
    "links": "Containers of a pod share localhost: call the linked container on localhost.",
    "volumesFrom": "Mount a shared emptyDir volume in both containers.",
    "ulimits": "Set the limits in the image's entrypoint (ulimit) or on the node's container runtime.",
    "hostname": "Set the pod's hostname (spec.hostname) if the application needs it.",
    "extraHosts": "Use spec.hostAliases in the pod.",
    "dnsServers": "Use dnsPolicy: None with dnsConfig.nameservers in the pod.",
    "dnsSearchDomains": "Use dnsConfig.searches in the pod.",
    "disableNetworking": "Use a NetworkPolicy that denies all traffic to and from the pod.",
    "systemControls": "Use the pod's securityContext.sysctls (unsafe sysctls need a kubelet allow-list).",
    "repositoryCredentials": "Create a docker-registry Secret from the Secrets Manager secret and list it in imagePullSecrets.",
    "environmentFiles": "Fetch the file from S3 into a ConfigMap and load it with envFrom.",
    "startTimeout": "Kubernetes has no start timeout for dependencies; a startupProbe bounds start-up instead.",
    "credentialSpecs": "Use gMSA for Windows pods (securityContext.windowsOptions.gmsaCredentialSpec).",
    "restartPolicy": "Kubernetes always restarts the containers of a Deployment's pods (restartPolicy: Always).",
    "versionConsistency": "Pin the image by digest in the Deployment if every pod must run the same image.",
    "firelensConfiguration": "Run Fluent Bit as a DaemonSet (or keep this container as a sidecar with its own config file).",
}
_LINUX_NO_FIELD: dict[str, str] = {
    "initProcessEnabled": "Put an init (tini) in the image, or set shareProcessNamespace: true on the pod.",
    "devices": "Use a device plugin on the nodes.",
    "sharedMemorySize": "Mount an emptyDir with medium: Memory at /dev/shm.",
    "tmpfs": "Mount an emptyDir with medium: Memory at the path.",
    "maxSwap": "Swap is a node setting (NodeSwap feature).",
    "swappiness": "Swap is a node setting (NodeSwap feature).",
}


@dataclass
class PodExtras:
    """What containers contribute to the pod: annotations from dockerLabels, stop timeouts, app protocols."""

    annotations: dict[str, str] = field(default_factory=dict)
    stop_timeouts: dict[str, int] = field(default_factory=dict)
    app_protocols: dict[str, str] = field(default_factory=dict)  # port mapping name -> http|http2|grpc
    app_protocol_paths: dict[str, Path] = field(default_factory=dict)
    port_names: dict[tuple[str, int], str] = field(default_factory=dict)  # (container, port) -> ECS port name


def dns_label(text: str, fallback: str) -> str:
    """A Kubernetes object or container name (RFC 1123 label) for an ECS name."""
    label = _NOT_DNS.sub("-", text.lower()).strip("-")[:DNS_LABEL_MAX].strip("-")
    return label or fallback


def member_label(kind: str, raw: str, index: int, taken: list[str]) -> str:
    """The Kubernetes name of member ``index`` of a task definition's containers or volumes (``kind``: "container"
    or "volume"), given the names of those before it: its ECS name as a DNS label (a container's name and a
    volume's must both be one, ValidateVolumes requiring them unique), ``<kind>-N`` when nothing of it is left (an
    empty name), ``-N`` added on a collision."""
    name = dns_label(raw, f"{kind}-{index + 1}")
    while name in taken:
        name = dns_label(f"{name[:DNS_LABEL_MAX - 3]}-{index + 1}", name)
    return name


def member_labels(kind: str, raw_names: list[str]) -> list[str]:
    """Every member's Kubernetes name, in order: compare finds the container or volume the conversion wrote with
    it (converter/compare/ecs_fields.py)."""
    names: list[str] = []
    for index, raw in enumerate(raw_names):
        names.append(member_label(kind, raw, index, names))
    return names


def unique_label(name: str, taken: set[str]) -> str:
    """``name`` made unique in ``taken``, still a DNS label."""
    return unique_within(name, taken, DNS_LABEL_MAX)


def parse_container(view: EcsView, path: Path, role: ContainerRole, name: str, extras: PodExtras,
                    *, host_ports: bool) -> Container:
    image = view.get(path + ("image",), str)
    if not image:
        if image is None and not view.has(path + ("image",)):
            view.fail(path, f"container {name!r} has no image")
        image = placeholder("image")
        view.note(path + ("image",), "K2E-W709", f"container {name!r} has no image; a placeholder was written",
                  "Fill in the image before applying the manifest.", covers=False)
    resources = _resources(view, path, name)
    ports = _ports(view, path, name, extras, host_ports=host_ports)
    environment = tuple(EnvVar(name=n, value=v, origin=view.origin(p))
                        for p, n, v in _pairs(view, path + ("environment",), "value") if v is not None)
    secrets = tuple(_secret(view, item_path, n, v)
                    for item_path, n, v in _pairs(view, path + ("secrets",), "valueFrom") if v is not None)
    liveness, startup = health_probes(view, path + ("healthCheck",), name, role)
    mounts = tuple(Mount(volume=view.get(p + ("sourceVolume",), str) or "", path=view.get(p + ("containerPath",), str) or "",
                         read_only=bool(view.get(p + ("readOnly",), bool, default=False)), origin=view.origin(p))
                   for p, _ in view.sequence(path + ("mountPoints",)))
    labels = {key: value for key, value in view.string_map(path + ("dockerLabels",)).items()
              if not tag_left_out(view, path + ("dockerLabels", Key(key)), key, f"dockerLabels key of {name!r}")}
    if labels:
        extras.annotations.update(labels)
        view.note(path + ("dockerLabels",), "K2E-I731", f"dockerLabels of {name!r} became pod annotations: {', '.join(sorted(labels))}",
                  covers=False)
    stop = view.get(path + ("stopTimeout",), int)
    if stop is not None:
        extras.stop_timeouts[name] = stop
    _log_configuration(view, path, name)
    for key, suggestion in _NO_FIELD.items():
        if key == "restartPolicy" and role == "sidecar" and view.raw(path + (key, "enabled")) is True:
            view.take(path + (key,))  # restarted in place: what restartPolicy: Always gives a native sidecar
        elif view.filled(path + (key,)):
            view.note(path + (key,), "K2E-W709", f"{key} of container {name!r} has no Kubernetes field", suggestion)
        else:
            view.take(path + (key,))
    return Container(
        name=name, image=image, role=role,
        entry_point=_strings(view, path + ("entryPoint",)), command=_strings(view, path + ("command",)),
        working_directory=view.get(path + ("workingDirectory",), str),
        environment=environment, secrets=secrets, ports=ports, liveness=liveness, startup=startup,
        mounts=mounts, resources=resources, security=_security(view, path, name),
        interactive=view.get(path + ("interactive",), bool), pseudo_terminal=view.get(path + ("pseudoTerminal",), bool),
        origin=view.origin(path),
    )


def _strings(view: EcsView, path: Path) -> tuple[str, ...] | None:
    if not view.has(path) or view.raw(path) is None:
        view.take(path)
        return None
    values = []
    for item_path, _ in view.sequence(path):
        value = view.get(item_path, str)
        if value is not None:
            values.append(value)
    return tuple(values)


def _pairs(view: EcsView, path: Path, value_key: str) -> list[tuple[Path, str, str | None]]:
    """(path, name, value) of name/value entries; value None when an intrinsic could not be resolved (noted)."""
    found: list[tuple[Path, str, str | None]] = []
    for item_path, _ in view.sequence(path):
        name = view.get(item_path + ("name",), str)
        unresolved = view.cfn and isinstance(view.raw(item_path + (value_key,)), dict)
        value = view.get(item_path + (value_key,), str, int, float, bool)
        if name is None:
            view.fail(item_path, "an entry needs a name")
        problem = env_name_problem(name)
        if problem is not None:
            # The API server refuses such an env name (ValidateEnv), so the Deployment could not be applied
            # (the all-fields skeleton of register-task-definition has one: {"name": "", "value": ""}).
            reason = "a Kubernetes env name is never empty and never holds '='" if name == "" or "=" in name else \
                f"as a Kubernetes env name it {problem}"
            view.note(item_path, "K2E-W743", f"entry {name!r} was left out: {reason}")
            continue
        if value is None and unresolved:
            view.note(item_path, "K2E-W704", f"{name} was left out: its value is known only at deploy time", covers=False)
            found.append((item_path, name, None))
            continue
        found.append((item_path, name, "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)))
    return found


def _secret(view: EcsView, path: Path, name: str, value_from: str) -> SecretEnv:
    secret_name, key = secret_reference(value_from, name)
    view.note(path + ("valueFrom",), "K2E-W713",
              f"{name} reads {value_from or '(nothing)'}; the Deployment refers to Secret {secret_name} key {key}, which must be created",
              secret=secret_name, key=key, valueFrom=value_from)
    return SecretEnv(name=name, secret_name=secret_name, key=key, origin=view.origin(path), value_from=value_from)


_PLACEHOLDER_SECRET = re.compile(r"^<k2ecs:secret-arn:([^/>]+)/([^>]+)>$")


def secret_reference(value_from: str, variable: str) -> tuple[str, str]:
    """The Kubernetes Secret name and key for an ECS ``valueFrom`` (never its value)."""
    placeholder = _PLACEHOLDER_SECRET.match(value_from)
    if placeholder is not None:  # written by k2ecs convert: the Kubernetes names it came from
        return placeholder[1], placeholder[2]
    parts = value_from.split(":")
    if len(parts) >= 7 and parts[2] == "secretsmanager" and parts[5] == "secret":
        base = re.sub(r"-[A-Za-z0-9]{6}$", "", parts[6])  # Secrets Manager appends 6 random characters
        key = parts[7] if len(parts) > 7 and parts[7] else variable
        return dns_label(base.replace("/", "-"), "secret"), _secret_key(key)
    tail = value_from.rsplit("parameter/", 1)[-1] if ":ssm:" in value_from else value_from
    return dns_label(tail.strip("/").replace("/", "-"), "secret"), _secret_key(variable)


def _secret_key(text: str) -> str:
    key = re.sub(r"[^-._a-zA-Z0-9]+", "_", text)
    return key or "value"


def _resources(view: EcsView, path: Path, name: str) -> Resources:
    cpu_units = view.get(path + ("cpu",), int)
    memory = view.get(path + ("memory",), int)
    reservation = view.get(path + ("memoryReservation",), int)
    for key, value in (("cpu", cpu_units), ("memory", memory), ("memoryReservation", reservation)):
        if value is not None and value < 0:
            view.fail(path + (key,), f"{key} cannot be negative")
    cpu = None
    if cpu_units is not None and cpu_units > 0:
        milli, exact = millicores_for_units(cpu_units)
        cpu = Decimal(milli) / 1000
        if not exact:
            view.note(path + ("cpu",), "K2E-I717", f"cpu {cpu_units} units of {name!r} has no exact millicore value; "
                      f"{milli}m written ({units_for_millicores(milli)} units)", covers=False)
    if memory and reservation and reservation > memory:
        # ECS refuses it too (memoryReservation must be below memory); the API server refuses a request above
        # its limit (ValidateResourceRequirements), and the container can never use more than its limit.
        view.note(path + ("memoryReservation",), "K2E-W746", f"memoryReservation {reservation} MiB of {name!r} is more "
                  f"than its memory {memory} MiB; requests.memory is the limit, {memory}Mi")
        reservation = memory
    gpu = None
    for item_path, _ in view.sequence(path + ("resourceRequirements",)):
        kind = view.get(item_path + ("type",), str)
        value = view.get(item_path + ("value",), str)
        if kind == "GPU" and value is not None and value.isdigit():
            gpu = int(value)
        else:
            view.note(item_path, "K2E-W709", f"resource requirement {kind} {value!r} of {name!r} has no Kubernetes resource",
                      "Use the device plugin's extended resource (e.g. aws.amazon.com/neuron) in resources.limits.")
    return Resources(
        cpu_request_cores=cpu,
        memory_limit_bytes=None if not memory else Decimal(memory * MIB),
        memory_request_bytes=None if not reservation else Decimal(reservation * MIB),
        gpu_count=gpu,
    )


def _ports(view: EcsView, path: Path, name: str, extras: PodExtras, *, host_ports: bool) -> tuple[Port, ...]:
    ports: list[Port] = []
    for item_path, _ in view.sequence(path + ("portMappings",)):
        number = view.get(item_path + ("containerPort",), int)
        if view.has(item_path + ("containerPortRange",)):
            view.note(item_path + ("containerPortRange",), "K2E-W729", f"port range of {name!r} has no Kubernetes equivalent",
                      "List the ports one by one, or expose the range through a Service with several ports.")
        protocol = (view.get(item_path + ("protocol",), str) or "tcp").lower()
        host_port = view.get(item_path + ("hostPort",), int)
        if host_port is not None and not 0 <= host_port <= 65535:
            view.fail(item_path + ("hostPort",), f"hostPort {host_port} is not a port")
        port_name = view.get(item_path + ("name",), str)
        app_protocol = view.get(item_path + ("appProtocol",), str)
        if number is None or not 1 <= number <= 65535:
            if number is not None:
                view.note(item_path, "K2E-W729", f"containerPort {number} of {name!r} is not a port; dropped")
            continue
        if port_name is not None:
            extras.port_names[(name, number)] = port_name
            if app_protocol is not None:
                extras.app_protocols[port_name] = app_protocol
                extras.app_protocol_paths[port_name] = item_path + ("appProtocol",)
        elif app_protocol is not None:
            view.note(item_path + ("appProtocol",), "K2E-W729", f"appProtocol of unnamed port {number} of {name!r} is used by no Service")
        if port_name is not None and port_name == f"{name}-{number}":
            port_name = None  # the name k2ecs convert gives an unnamed port: it comes back unnamed, and so named again
        elif port_name is not None and port_name_problem(port_name) is not None:
            view.note(item_path + ("name",), "K2E-W729", f"port name {port_name!r} of {name!r} is not a Kubernetes port name "
                      "(at most 15 of a-z, 0-9, '-', with a letter); the port is unnamed")
            port_name = None
        elif port_name is not None and any(p.name == port_name for p in ports):
            # validateContainerPorts: port names are unique within a container
            view.note(item_path + ("name",), "K2E-W729", f"port name {port_name!r} of {name!r} is taken by an earlier "
                      "port; this port is unnamed")
            port_name = None
        if host_port == 0 or (not host_ports and host_port == number):
            host_port = None  # dynamic (bridge) or the awsvpc/host echo of containerPort
        elif host_port is not None and host_ports:
            view.note(item_path + ("hostPort",), "K2E-W729", f"hostPort {host_port} of {name!r} became the pod's hostPort: "
                      "it binds the node's port, so one pod per node can use it", covers=False)
        elif host_port is not None and not host_ports:
            view.note(item_path + ("hostPort",), "K2E-W729", f"hostPort {host_port} differs from containerPort {number}, "
                      "which awsvpc does not allow; not carried")
            host_port = None
        ports.append(Port(container_port=number, protocol="udp" if protocol == "udp" else "tcp", name=port_name,
                          host_port=host_port, origin=view.origin(item_path)))
    return tuple(ports)


def health_probes(view: EcsView, path: Path, name: str, role: ContainerRole) -> tuple[Probe | None, Probe | None]:
    """(livenessProbe, startupProbe) for an ECS healthCheck (#topic-reverse: CMD -> exec, CMD-SHELL -> sh -c)."""
    if not view.filled(path):
        view.take(path)
        return None, None
    if role == "init":
        view.note(path, "K2E-W728", f"init container {name!r} cannot have probes in Kubernetes; its healthCheck was dropped")
        return None, None
    command = _strings(view, path + ("command",)) or ()
    if not command or command[0] not in ("CMD", "CMD-SHELL") or len(command) < 2:
        view.note(path + ("command",), "K2E-W728", f"healthCheck of {name!r} needs CMD or CMD-SHELL and a command; dropped")
        for key in ("interval", "timeout", "retries", "startPeriod"):
            view.take(path + (key,))
        return None, None
    exec_command = command[1:] if command[0] == "CMD" else ("sh", "-c", " ".join(command[1:]))
    timing = {key: view.get(path + (key,), int) for key in ("interval", "timeout", "retries", "startPeriod")}
    for key, value in timing.items():
        if value is not None and value < (0 if key == "startPeriod" else 1):
            view.fail(path + (key,), f"healthCheck {key} {value} is out of range")
    # ECS's defaults for a timing left out (converter.core.facts), written explicitly.
    defaults = health_check_defaults()
    period = timing["interval"] or defaults["interval"]
    timeout = timing["timeout"] or defaults["timeout"]
    liveness = Probe(handler="exec", command=tuple(exec_command), period_seconds=period, timeout_seconds=timeout,
                     failure_threshold=timing["retries"] or defaults["retries"], origin=view.origin(path))
    start = timing["startPeriod"] or defaults["startPeriod"]
    if start <= 0:
        return liveness, None
    # Failures during startPeriod do not count: a startupProbe with exactly that budget (failureThreshold x
    # periodSeconds == startPeriod), polling at most every interval seconds.
    step = max(d for d in range(1, min(period, start) + 1) if start % d == 0)
    startup = Probe(handler="exec", command=tuple(exec_command), period_seconds=step, timeout_seconds=timeout,
                    failure_threshold=start // step, origin=view.origin(path + ("startPeriod",)))
    return liveness, startup


def _security(view: EcsView, path: Path, name: str) -> SecurityContext:
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
    capabilities = {key: tuple(_strings(view, linux + ("capabilities", key)) or ()) for key in ("add", "drop")}
    view.mapping(linux + ("capabilities",))
    for key, suggestion in _LINUX_NO_FIELD.items():
        if view.filled(linux + (key,)):
            view.note(linux + (key,), "K2E-W709", f"linuxParameters.{key} of {name!r} has no Kubernetes field", suggestion)
        else:
            view.take(linux + (key,))
    has_any = any(v is not None for v in (raw_user, no_new_privileges)) or any(capabilities.values())
    return SecurityContext(
        run_as_user=user, run_as_group=group,
        read_only_root_filesystem=view.get(path + ("readonlyRootFilesystem",), bool),
        privileged=view.get(path + ("privileged",), bool),
        capabilities_add=capabilities["add"], capabilities_drop=capabilities["drop"],
        no_new_privileges=no_new_privileges, origin=view.origin(path) if has_any else None,
    )


def _log_configuration(view: EcsView, path: Path, name: str) -> None:
    base = path + ("logConfiguration",)
    if not view.filled(base):
        view.take(base)
        return
    driver = view.get(base + ("logDriver",), str)
    options = view.string_map(base + ("options",))
    secret_options = [view.get(p + ("name",), str) for p, _ in view.sequence(base + ("secretOptions",))]
    view.take(base)
    view.note(base, "K2E-W708", f"logConfiguration {driver} of {name!r} has no pod field", driver=driver,
              options=options, secretOptions=[n for n in secret_options if n is not None])
