"""Ports and exposure, ECS -> the neutral model (docs/MAPPING.md#topic-reverse, #topic-ports and #topic-service-type inverted).

An ECS container's portMappings become its ports (``container_ports``); a service's loadBalancers,
serviceConnectConfiguration and serviceRegistries are read into facts (``read_*``, called by
converter/read/ecs/service.py) and, once the task definition is known, become Exposures (``build_exposures``):
Service Connect entries ClusterIP Services named after their client alias (the namespaced alias
``<svc>.<namespace>`` that k2ecs convert writes is served by cluster DNS already); serviceRegistries a headless
Service; loadBalancers a LoadBalancer Service for the AWS Load Balancer Controller (K2E-W721).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from converter.core.model import Container, Exposure, Port, ServicePort, Workload
from converter.core.reader import Path
from converter.rules.naming import dns_label, unique_label
from converter.write.kubernetes.rules import port_name_problem

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls these functions with them
    from converter.read.ecs.container import PodExtras
    from converter.read.ecs.service import ParsedService
    from converter.read.ecs.taskdef import ParsedTask
    from converter.read.ecs.view import EcsView

# ECS portMappings[].appProtocol -> Kubernetes ServicePort.appProtocol (#topic-ports inverted)
APP_PROTOCOLS = {"http": "http", "http2": "kubernetes.io/h2c", "grpc": "grpc"}
LBC_ANNOTATIONS = (("service.beta.kubernetes.io/aws-load-balancer-type", "external"),
                   ("service.beta.kubernetes.io/aws-load-balancer-nlb-target-type", "ip"))
_TARGET_GROUP_PLACEHOLDER = re.compile(r"^<k2ecs:target-group-arn:([^:>]+):(\d+)>$")


def container_ports(view: EcsView, path: Path, name: str, extras: PodExtras, *, host_ports: bool) -> tuple[Port, ...]:
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


# -- the service's ways in, read into facts (converter/read/ecs/service.py parse_service) --

@dataclass
class LoadBalancerFacts:
    target_group_arn: str | None
    container_name: str | None
    container_port: int | None
    path: Path  # in the service's view


@dataclass
class ConnectFacts:
    port_name: str | None
    discovery_name: str | None
    port: int | None
    dns_name: str | None
    path: Path


@dataclass
class RegistryFacts:
    registry_arn: str | None
    port: int | None
    container_name: str | None
    container_port: int | None
    path: Path


def read_load_balancers(view: EcsView, service: ParsedService) -> None:
    for item_path, _ in view.sequence(("loadBalancers",)):
        if view.filled(item_path + ("loadBalancerName",)):
            view.note(item_path + ("loadBalancerName",), "K2E-W711", "Classic Load Balancers are not carried",
                      "Use an NLB or ALB through the AWS Load Balancer Controller.")
        service.load_balancers.append(LoadBalancerFacts(
            target_group_arn=view.get(item_path + ("targetGroupArn",), str),
            container_name=view.get(item_path + ("containerName",), str),
            container_port=view.get(item_path + ("containerPort",), int), path=item_path))


def read_service_connect(view: EcsView, service: ParsedService) -> None:
    base = ("serviceConnectConfiguration",)
    if not view.filled_or_taken(base):
        return
    enabled = view.get(base + ("enabled",), bool)
    if view.filled(base + ("namespace",)):
        view.note(base + ("namespace",), "K2E-I712", "the Cloud Map namespace has no Kubernetes counterpart",
                  "Services are named in the cluster's DNS (name.namespace.svc.cluster.local).")
    if view.filled(base + ("logConfiguration",)):
        view.note(base + ("logConfiguration",), "K2E-W708", "the Service Connect proxy's logConfiguration has no pod field")
    if enabled is False:
        view.take(base)
        return
    for item_path, _ in view.sequence(base + ("services",)):
        for key in ("ingressPortOverride", "timeout", "tls"):
            if view.filled(item_path + (key,)):
                view.note(item_path + (key,), "K2E-W711", f"Service Connect {key} has no Service field",
                          "Use a service mesh if the proxy settings matter.")
        aliases = list(view.sequence(item_path + ("clientAliases",)))
        port_name = view.get(item_path + ("portName",), str)
        discovery = view.get(item_path + ("discoveryName",), str)
        if not aliases:
            service.connect.append(ConnectFacts(port_name, discovery, None, None, item_path))
        for alias_path, _ in aliases:
            service.connect.append(ConnectFacts(port_name, discovery, view.get(alias_path + ("port",), int),
                                                view.get(alias_path + ("dnsName",), str), alias_path))


def read_registries(view: EcsView, service: ParsedService) -> None:
    for item_path, _ in view.sequence(("serviceRegistries",)):
        service.registries.append(RegistryFacts(
            registry_arn=view.get(item_path + ("registryArn",), str), port=view.get(item_path + ("port",), int),
            container_name=view.get(item_path + ("containerName",), str),
            container_port=view.get(item_path + ("containerPort",), int), path=item_path))


# -- the facts, with the task definition, -> Exposures (converter/pipeline/reverse.py) --

def build_exposures(service: ParsedService, task: ParsedTask, workload: Workload, selector_labels: dict[str, str],
                    taken: set[str]) -> list[Exposure]:
    selector = tuple(sorted(selector_labels.items()))
    exposures: list[Exposure] = []
    exposures += _service_connect(service, task, workload, selector, taken)
    exposures += _load_balancers(service, task, workload, selector, taken)
    exposures += _registries(service, workload, selector, taken)
    return exposures


def _port_target(task: ParsedTask, workload: Workload, port_name: str | None,
                 container_name: str | None = None, number: int | None = None) -> tuple[Container, int, str | int] | None:
    """The container and port a port mapping name (or container + number) reaches, and the Service targetPort."""
    for (container_name_raw, port), name in task.extras.port_names.items():
        if port_name is not None and name == port_name:
            container_name, number = container_name_raw, port
    for container in workload.containers:
        if container.role == "init" or (container_name is not None and container.name != container_name):
            continue
        for port in container.ports:
            if port.container_port == number:
                return container, port.container_port, port.name if port.name is not None else port.container_port
    return None


def _service_connect(service: ParsedService, task: ParsedTask, workload: Workload, selector: Any,
                     taken: set[str]) -> list[Exposure]:
    view = service.view
    grouped: dict[str, list[ServicePort]] = {}
    plain = {(e.dns_name or e.discovery_name or e.port_name or "").partition(".")[0] for e in service.connect
             if "." not in (e.dns_name or e.discovery_name or e.port_name or "")}
    for entry in service.connect:
        found = _port_target(task, workload, entry.port_name)
        if found is None:
            view.note(entry.path, "K2E-E706", f"Service Connect portName {entry.port_name!r} names no port mapping of the task")
            continue
        container, number, target = found
        raw = entry.dns_name or entry.discovery_name or entry.port_name or workload.name
        first, dot, rest = raw.partition(".")
        if dot and rest == workload.namespace and first in plain:
            continue  # the alias <svc>.<namespace>: cluster DNS serves it for the Service <svc>
        name = service_label(dns_label(first, workload.name))
        if name != raw:
            view.note(entry.path, "K2E-W722", f"Service Connect name {raw!r} became Service {name}", covers=False)
        port = entry.port if entry.port is not None else number
        discovery = entry.discovery_name or ""
        port_label = discovery[len(name) + 1:] if discovery.startswith(name + "-") else None
        label = dns_label(port_label, "") or None if port_label else None
        if port_label and label != port_label:
            # A Service port name is a DNS_LABEL (ServicePort.name; validateServicePort), where a discoveryName
            # may hold "_" and capitals (^[a-z0-9_][a-z0-9_-]*$ in V12, any case in V28)
            became = f"port name {label}" if label is not None else "a port without a name of its own"
            view.note(entry.path, "K2E-W722", f"Service Connect name {discovery!r} became {became} in Service {name}",
                      covers=False)
            port_label = label
        ecs_protocol = task.extras.app_protocols.get(entry.port_name or "")
        grouped.setdefault(name, []).append(ServicePort(
            name=port_label or (target if isinstance(target, str) else None), port=port, target_port=target,
            protocol="tcp", app_protocol=APP_PROTOCOLS.get(ecs_protocol or ""), node_port=None, origin=view.origin(entry.path)))
        if ecs_protocol is not None and ecs_protocol not in APP_PROTOCOLS:
            view.note(entry.path, "K2E-W729", f"appProtocol {ecs_protocol} has no Service appProtocol", covers=False)
    exposures: list[Exposure] = []
    for name, ports in grouped.items():
        ports = _distinct(ports)
        exposures.append(Exposure(name=unique_label(name, taken), namespace=workload.namespace, type="ClusterIP",
                                  selector=selector, ports=tuple(ports), origin=ports[0].origin))
    return exposures


def service_label(label: str) -> str:
    """A Service name for a DNS label: a Service name is a DNS-1035 label, which starts with a letter
    (ValidateServiceName, NameIsDNS1035Label), so one that starts with a digit gets ``svc-`` before it."""
    return label if label[:1].isalpha() else dns_label(f"svc-{label}", "svc")


def _distinct(ports: list[ServicePort]) -> list[ServicePort]:
    """One entry per port; every port named when there are several (Kubernetes requires it)."""
    seen: dict[int, ServicePort] = {}
    for port in ports:
        seen.setdefault(port.port, port)
    result = list(seen.values())
    if len(result) > 1:
        names: set[str] = set()
        named = []
        for port in result:
            label = port.name if port.name and port.name not in names else f"port-{port.port}"
            names.add(label)
            named.append(replace(port, name=label))
        result = named
    return result


def _load_balancers(service: ParsedService, task: ParsedTask, workload: Workload, selector: Any,
                    taken: set[str]) -> list[Exposure]:
    view = service.view
    grouped: dict[str, list[ServicePort]] = {}
    for entry in service.load_balancers:
        found = _port_target_by_container(workload, entry.container_name, entry.container_port)
        if found is None:
            view.note(entry.path, "K2E-E706", f"load balancer target {entry.container_name}:{entry.container_port} is not a "
                      "port of the task; not converted")
            continue
        placeholder = _TARGET_GROUP_PLACEHOLDER.match(entry.target_group_arn or "")
        name = service_label(dns_label(placeholder[1], workload.name) if placeholder else workload.name)
        port = int(placeholder[2]) if placeholder else found[1]
        view.note(entry.path + ("targetGroupArn",), "K2E-W721",
                  f"target group {entry.target_group_arn or '(not resolved)'} became Service {name} of type LoadBalancer (port {port}); "
                  "the controller creates a new load balancer", targetGroupArn=entry.target_group_arn,
                  containerName=entry.container_name, containerPort=entry.container_port)
        target = found[2]
        ecs_protocol = task.extras.app_protocols.get(task.extras.port_names.get((found[0].name, found[1]), ""))
        grouped.setdefault(name, []).append(ServicePort(
            name=target if isinstance(target, str) else None, port=port, target_port=target, protocol=found[3],
            app_protocol=APP_PROTOCOLS.get(ecs_protocol or ""), node_port=None, origin=view.origin(entry.path)))
    return [Exposure(name=unique_label(name, taken), namespace=workload.namespace, type="LoadBalancer",
                            selector=selector, ports=tuple(_distinct(ports)), origin=ports[0].origin,
                            load_balancer_annotations=LBC_ANNOTATIONS)
            for name, ports in grouped.items()]


def _port_target_by_container(workload: Workload, container_name: str | None, number: int | None):
    for container in workload.containers:
        if container.role == "init":
            continue
        if container_name is not None and dns_label(container_name, "") != container.name:
            continue
        for port in container.ports:
            if port.container_port == number:
                return container, number, port.name if port.name is not None else number, port.protocol
    return None


def _registries(service: ParsedService, workload: Workload, selector: Any, taken: set[str]) -> list[Exposure]:
    view = service.view
    exposures: list[Exposure] = []
    for entry in service.registries:
        number = entry.port if entry.port is not None else entry.container_port
        view.note(entry.path + ("registryArn",), "K2E-W723", f"Cloud Map registry {entry.registry_arn} became a headless Service",
                  registryArn=entry.registry_arn)
        ports = () if number is None else (ServicePort(name=None, port=number, target_port=number, protocol="tcp",
                                                       app_protocol=None, node_port=None, origin=view.origin(entry.path)),)
        exposures.append(Exposure(name=unique_label(service_label(f"{workload.name}-discovery"[:63].rstrip("-")), taken),
                                  namespace=workload.namespace, type="Headless", selector=selector, ports=ports,
                                  origin=view.origin(entry.path)))
    return exposures
