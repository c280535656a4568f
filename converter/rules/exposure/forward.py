"""Attach the exposures (Kubernetes Services) that select a workload to its ECS service (docs/MAPPING.md#topic-service-type).

ClusterIP and headless -> Service Connect (#topic-service-type, #topic-service-connect), here; LoadBalancer and NodePort -> ``loadBalancers``
entries and a plan of the ELB resources to create, in :mod:`converter.rules.exposure.load_balancer`, plus Service Connect
names once a namespace is known (in-cluster callers use them); ExternalName -> nothing (the parser reports it).
With a namespace and no Service, the ECS service joins it as a client (issue 19). This module resolves each Service port to the container
port it reaches and names what of a port ECS does not keep. Pure: returns ``(Wiring, findings)``.
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from converter.rules.exposure.service_connect import client_only, name_forms
from converter.rules.exposure.load_balancer import MAX_TARGET_GROUPS, bounded, plan_load_balancer, unchecked_readiness
from converter.core.findings import Finding, Origin, make_finding
from converter.core.model import Container, Exposure, Port, ServicePort, Workload
from converter.core.names import unique_within
from converter.core.record import Record, set_field
from converter.core.settings import Settings, placeholder

__all__ = ["MAX_TARGET_GROUPS", "Target", "Wiring", "port_mapping_name", "selects", "wire_exposures"]

PORT_NAME_MAX = 64  # portMappings[].name and discoveryName (V12, V28)
_PORT_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]*$")
# Service appProtocol -> ECS portMappings[].appProtocol (#topic-ports). "tcp" is what ECS does without one.
_APP_PROTOCOLS = {"http": "http", "h2c": "http2", "kubernetes.io/h2c": "http2", "http2": "http2", "grpc": "grpc"}
_PLAIN_TCP = "tcp"
# Protocols each kind of wiring can carry: Service Connect proxies TCP-based traffic only (its appProtocol
# enum is http/http2/grpc and it has no UDP listener; derived, #topic-ports/#topic-service-connect); ALB is HTTP; NLB is TCP/UDP.
_SUPPORTED = {"service-connect": ("tcp",), "nlb": ("tcp", "udp"), "alb": ("tcp",)}


class Wiring(Record):
    load_balancers: tuple[dict, ...]  # CreateService loadBalancers entries
    service_connect: dict | None  # CreateService serviceConnectConfiguration
    app_protocols: dict[str, str]  # portMapping name -> ECS appProtocol (http|http2|grpc)
    needs_service_connect_proxy: bool  # the task size must add the proxy (#topic-service-connect, #topic-task-size)
    wired: frozenset[int]  # id() of the exposures that gave an entry: the Services that reach the output

    def __init__(self, *, load_balancers: tuple[dict, ...], service_connect: dict | None,
                 app_protocols: dict[str, str], needs_service_connect_proxy: bool,
                 wired: frozenset[int] = frozenset()) -> None:
        set_field(self, "load_balancers", load_balancers)
        set_field(self, "service_connect", service_connect)
        set_field(self, "app_protocols", app_protocols)
        set_field(self, "needs_service_connect_proxy", needs_service_connect_proxy)
        set_field(self, "wired", wired)


class Target(Record):
    """A Service port resolved to the container port it reaches, that port mapping's name, and the ECS
    appProtocol its Service appProtocol stands for (None when it has none)."""

    service_port: ServicePort
    container: Container
    port: Port
    mapping_name: str
    app_protocol: str | None

    def __init__(self, service_port: ServicePort, container: Container, port: Port, mapping_name: str,
                 app_protocol: str | None = None) -> None:
        set_field(self, "service_port", service_port)
        set_field(self, "container", container)
        set_field(self, "port", port)
        set_field(self, "mapping_name", mapping_name)
        set_field(self, "app_protocol", app_protocol)


def port_mapping_name(container_name: str, container_port: int, declared_name: str | None) -> str:
    """The portMappings[].name for a container port: the Kubernetes name if declared, else ``<container>-<port>``.

    ECS wants ``^[a-z0-9_][a-z0-9_-]*$`` and <= 64 characters (V12). Every valid Kubernetes port name
    already fits (#topic-ports); anything else is lower-cased, has other characters replaced by ``-``, and is
    shortened with a hash suffix so that distinct inputs stay distinct.
    """
    if declared_name is not None and _PORT_NAME.match(declared_name) and len(declared_name) <= PORT_NAME_MAX:
        return declared_name
    if declared_name is not None:
        return bounded(_clean(declared_name, "port"), PORT_NAME_MAX)
    suffix = f"-{container_port}"
    base = _clean(container_name, "port")
    if len(base) + len(suffix) <= PORT_NAME_MAX:
        return base + suffix
    return bounded(base, PORT_NAME_MAX - len(suffix)) + suffix


def selects(exposure: Exposure, workload: Workload) -> bool:
    """True when the Service's (non-empty) selector is a subset of the workload's pod labels."""
    if not exposure.selector:
        return False
    labels = dict(workload.pod_labels)
    return all(labels.get(key) == value for key, value in exposure.selector)


def wire_exposures(workload: Workload, exposures: Sequence[Exposure], port_names: Mapping[tuple[str, int], str],
                   settings: Settings) -> tuple[Wiring, list[Finding]]:
    """Service Connect and load-balancer wiring for one workload's ECS service.

    ``exposures`` are the Services that select this workload (the caller filters with :func:`selects`
    and reports K2E-W403/W404). ``port_names`` maps (container name, containerPort) to the portMapping
    name the task definition uses; a missing entry falls back to :func:`port_mapping_name`.
    """
    findings: list[Finding] = []
    connect_entries: list[dict] = []
    connect_origin: Origin | None = None
    load_balancers: list[dict] = []
    app_protocols: dict[str, str] = {}
    discovery_names: set[str] = set()
    checked: set[str] = set()  # containers some target group routes to (and health-checks)
    wired: set[int] = set()
    for exposure in exposures:
        if exposure.type == "ExternalName":
            continue
        carrier = "service-connect" if exposure.type in ("ClusterIP", "Headless") else (exposure.load_balancer_type or "nlb")
        targets: list[Target] = []
        for service_port in exposure.ports:
            target = _resolve(exposure, service_port, workload, port_names, carrier, findings)
            if target is not None:
                targets.append(target)
        # A LoadBalancer or NodePort Service is a ClusterIP Service too: in-cluster callers reach it by name, so
        # once a namespace is known it also gets Service Connect names (ECS allows loadBalancers beside
        # serviceConnectConfiguration on one service). Ports it cannot carry were reported for the load balancer.
        connected = targets if carrier == "service-connect" else (
            [t for t in targets if t.service_port.protocol in _SUPPORTED["service-connect"]]
            if settings.service_connect_namespace is not None else [])
        if connected:
            for target in connected if carrier == "service-connect" else ():  # the load balancer's records the rest
                _record_app_protocol(target, app_protocols, findings)
            entries, name_findings = _service_connect_entries(exposure, connected, discovery_names)
            findings.extend(name_findings)
            if entries:
                wired.add(id(exposure))
                connect_origin = connect_origin or exposure.origin
                connect_entries.extend(entries)
                aliases = ", ".join(f"{alias['dnsName']}:{alias['port']}"
                                    for alias in (entry["clientAliases"][0] for entry in entries))
                findings.append(make_finding(
                    "K2E-I401", exposure.origin,
                    f"Service {exposure.name} became Service Connect names {aliases} (ECS clients in the "
                    f"namespace only)"))
        if carrier != "service-connect":
            room = max(MAX_TARGET_GROUPS - len(load_balancers), 0)
            attached, left_over = targets[:room], targets[room:]
            for target in left_over:
                findings.append(make_finding(
                    "K2E-W411", target.service_port.origin,
                    f"port {target.service_port.port} of Service {exposure.name} is not attached: the ECS service "
                    f"already has {MAX_TARGET_GROUPS} target groups"))
            for target in attached:
                _record_app_protocol(target, app_protocols, findings)
            if attached:
                wired.add(id(exposure))
                entries, finding_list = plan_load_balancer(exposure, attached, carrier, settings)
                load_balancers.extend(entries)
                findings.extend(finding_list)
                checked.update(target.container.name for target in attached)
            for target in attached:  # an attachment names the container port mapping only
                if target.service_port.name not in (None, target.mapping_name):
                    findings.append(_port_name_lost(exposure, target, "the load balancer attachment names only the "
                                                    f"container port mapping {target.mapping_name!r}"))
    if load_balancers:
        findings.extend(unchecked_readiness(workload, checked))

    service_connect = None
    if connect_entries:
        namespace = settings.service_connect_namespace
        if namespace is None:
            namespace = placeholder("service-connect-namespace")
            assert connect_origin is not None
            findings.append(make_finding("K2E-W604", connect_origin,
                                         f"Service Connect for {workload.resource} needs a Cloud Map namespace"))
        service_connect = {"enabled": True, "namespace": namespace, "services": connect_entries}
    elif settings.service_connect_namespace is not None:
        # Only tasks whose own service joins the namespace resolve its names (ECS developer guide, Service
        # Connect concepts), so a pure client joins in client mode.
        service_connect = client_only(settings.service_connect_namespace)
    wiring = Wiring(load_balancers=tuple(load_balancers), service_connect=service_connect,
                    app_protocols=app_protocols, needs_service_connect_proxy=service_connect is not None,
                    wired=frozenset(wired))
    return wiring, findings


# -- resolving ports --------------------------------------------------------------------------------
def _resolve(exposure: Exposure, service_port: ServicePort, workload: Workload,
             port_names: Mapping[tuple[str, int], str], carrier: str, findings: list[Finding]) -> Target | None:
    """The container port a Service port reaches (#topic-service-connect), or None with a finding (E407, W412)."""
    found = _find_container_port(service_port.target_port, workload)
    if found is None:
        what = "named" if isinstance(service_port.target_port, str) else "number"
        candidates = "" if isinstance(service_port.target_port, str) else (
            "; it could belong to any of " + ", ".join(c.name for c in workload.containers if c.role != "init"))
        findings.append(make_finding(
            "K2E-E407", _at(service_port.origin, "targetPort"),
            f"targetPort {service_port.target_port!r} of Service {exposure.name} port {service_port.port}: no "
            f"container of {workload.resource} declares a port with that {what}{candidates}; the port is not wired"))
        return None
    container, port = found
    if service_port.protocol not in _SUPPORTED[carrier]:
        via = {"service-connect": "Service Connect", "nlb": "a Network Load Balancer",
               "alb": "an Application Load Balancer"}[carrier]
        findings.append(make_finding(
            "K2E-W412", _at(service_port.origin, "protocol"),
            f"{service_port.protocol.upper()} port {service_port.port} of Service {exposure.name} cannot be "
            f"reached through {via}; the port is not wired"))
        return None
    name = port_names.get((container.name, port.container_port))
    if name is None:
        name = port_mapping_name(container.name, port.container_port, port.name)
    declared = (service_port.app_protocol or "").lower()
    return Target(service_port, container, port, name, _APP_PROTOCOLS.get(declared))


def _find_container_port(target: int | str, workload: Workload) -> tuple[Container, Port] | None:
    """By name or containerPort, across the containers that serve traffic (app and sidecars, not init)."""
    for container in workload.containers:
        if container.role == "init":
            continue
        for port in container.ports:
            if (port.name == target) if isinstance(target, str) else (port.container_port == target):
                return container, port
    return None


def _record_app_protocol(target: Target, app_protocols: dict[str, str], findings: list[Finding]) -> None:
    declared = target.service_port.app_protocol
    if declared is None or declared.lower() == _PLAIN_TCP:
        return
    origin = _at(target.service_port.origin, "appProtocol")
    mapped = _APP_PROTOCOLS.get(declared.lower())
    if mapped is None:
        findings.append(make_finding("K2E-I413", origin,
                                     f"appProtocol {declared} has no ECS value (http, http2, grpc); left out"))
        return
    earlier = app_protocols.setdefault(target.mapping_name, mapped)
    if earlier != mapped:
        findings.append(make_finding(
            "K2E-I413", origin,
            f"appProtocol {declared} conflicts with {earlier}, set earlier for port mapping {target.mapping_name}; "
            f"kept {earlier}"))


# -- Service Connect ----------------------------------------------------------------------------
def _service_connect_entries(exposure: Exposure, targets: Sequence[Target],
                             taken: set[str]) -> tuple[list[dict], list[Finding]]:
    """One ServiceConnectService per (port, alias), each with exactly one client alias (#topic-service-connect).

    Aliases: every form of :func:`name_forms` (``<svc>`` and, when the Service has a namespace, ``<svc>.<ns>``,
    ``<svc>.<ns>.svc`` and ``<svc>.<ns>.svc.cluster.local``). discoveryName: ``<svc>`` (single-port) or
    ``<svc>-<port name>``, plus the form's suffix; <= 64 and unique
    among the names this call made. Uniqueness across ECS services in one Cloud Map namespace is the
    caller's to check (V28). A Service port name that is in neither the discoveryName nor the portName
    is named in a K2E-I416.
    """
    entries: list[dict] = []
    findings: list[Finding] = []
    multi_port = len(exposure.ports) > 1
    aliases = name_forms(exposure.name, exposure.namespace)
    for target in targets:
        service_port = target.service_port
        base = exposure.name
        if multi_port:
            base += f"-{service_port.name if service_port.name is not None else service_port.port}"
        discoveries = []
        for dns_name, suffix in aliases:
            discoveries.append(unique_within(bounded(_clean(base + suffix, "svc"), PORT_NAME_MAX), taken, PORT_NAME_MAX))
            entries.append({"portName": target.mapping_name, "discoveryName": discoveries[-1],
                            "clientAliases": [{"port": service_port.port, "dnsName": dns_name}]})
        name = service_port.name
        if name is None or (multi_port and discoveries[0] == f"{exposure.name}-{name}") or (
                not multi_port and name == target.mapping_name):
            continue
        findings.append(_port_name_lost(exposure, target, f"its discovery name became {discoveries[0]!r}" if multi_port
                                        else f"Service Connect names the container port mapping {target.mapping_name!r}, "
                                        f"and a single-port Service's discovery name is {exposure.name!r} alone"))
    return entries, findings


def _port_name_lost(exposure: Exposure, target: Target, why: str) -> Finding:
    service_port = target.service_port
    return make_finding("K2E-I416", _at(service_port.origin, "name"),
                        f"port name {service_port.name!r} of Service {exposure.name} port {service_port.port} is not "
                        f"carried: {why}")


# -- names ---------------------------------------------------------------------------------------
def _clean(text: str, fallback: str) -> str:
    """Lower-case ``[a-z0-9_-]``, not starting with ``-``."""
    cleaned = re.sub(r"[^a-z0-9_-]", "-", text.lower()).lstrip("-")
    return cleaned or fallback


def _at(origin: Origin, field: str) -> Origin:
    return origin.at(f"{origin.path}/{field}")
