"""An ECS service's ways in -> neutral Exposures (Kubernetes Services), docs/MAPPING.md#topic-reverse and #topic-service-type inverted.

Service Connect entries become ClusterIP Services named after their client alias (the namespaced alias
``<svc>.<namespace>`` that k2ecs convert writes is served by cluster DNS already); serviceRegistries a
headless Service; loadBalancers a LoadBalancer Service for the AWS Load Balancer Controller (K2E-W721).
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from converter.read.ecs.container import dns_label, unique_label
from converter.read.ecs.service import ParsedService
from converter.read.ecs.taskdef import ParsedTask
from converter.core.model import Container, Exposure, ServicePort, Workload

# ECS portMappings[].appProtocol -> Kubernetes ServicePort.appProtocol (#topic-ports inverted)
APP_PROTOCOLS = {"http": "http", "http2": "kubernetes.io/h2c", "grpc": "grpc"}
LBC_ANNOTATIONS = (("service.beta.kubernetes.io/aws-load-balancer-type", "external"),
                   ("service.beta.kubernetes.io/aws-load-balancer-nlb-target-type", "ip"))
_TARGET_GROUP_PLACEHOLDER = re.compile(r"^<k2ecs:target-group-arn:([^:>]+):(\d+)>$")


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
