"""Attach the exposures (Kubernetes Services) that select a workload to its ECS service (MAPPING §4).

ClusterIP -> Service Connect (§4.1, §4.2); LoadBalancer and NodePort -> ``loadBalancers`` entries plus a
K2E-W402 finding that lists the ELB resources to create; Headless and ExternalName -> nothing here
(their findings come from the parser). Pure: returns ``(Wiring, findings)``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

from converter.findings import Finding, Origin, make_finding
from converter.model import Container, Exposure, Port, Probe, ServicePort, Workload
from converter.settings import Settings, placeholder

MAX_TARGET_GROUPS = 5  # per ECS service (V26)
PORT_NAME_MAX = 64  # portMappings[].name and discoveryName (V12, V28)
TARGET_GROUP_NAME_MAX = 32  # V26
_PORT_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]*$")
# Service appProtocol -> ECS portMappings[].appProtocol (§2.3). "tcp" is what ECS does without one.
_APP_PROTOCOLS = {"http": "http", "h2c": "http2", "kubernetes.io/h2c": "http2", "http2": "http2", "grpc": "grpc"}
_PLAIN_TCP = "tcp"
# Protocols each kind of wiring can carry: Service Connect proxies TCP-based traffic only (its appProtocol
# enum is http/http2/grpc and it has no UDP listener; derived, §2.3/§4.2); ALB is HTTP; NLB is TCP/UDP.
_SUPPORTED = {"service-connect": ("tcp",), "nlb": ("tcp", "udp"), "alb": ("tcp",)}
# Health-check defaults of the AWS Load Balancer Controller (§4.3): emit explicit values, never API defaults.
# Its NLB timeout default is 10 like the interval; V27 wants interval > timeout, so 9.
_HEALTH_DEFAULTS: dict[str, dict[str, Any]] = {
    "nlb": {"HealthCheckProtocol": "TCP", "HealthCheckPort": "traffic-port", "HealthCheckIntervalSeconds": 10,
            "HealthCheckTimeoutSeconds": 9, "HealthyThresholdCount": 3, "UnhealthyThresholdCount": 3},
    "alb": {"HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port", "HealthCheckPath": "/",
            "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5, "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 2, "Matcher": "200"},
}
# ELBv2 ranges (§2.4, V27)
_RANGES = {"HealthCheckIntervalSeconds": (5, 300), "HealthCheckTimeoutSeconds": (2, 120),
           "HealthyThresholdCount": (2, 10), "UnhealthyThresholdCount": (2, 10)}
_HEALTH_FIELDS = frozenset(_HEALTH_DEFAULTS["alb"]) | {"Matcher"}


@dataclass(frozen=True, kw_only=True)
class Wiring:
    load_balancers: tuple[dict, ...]  # CreateService loadBalancers entries
    service_connect: dict | None  # CreateService serviceConnectConfiguration
    app_protocols: dict[str, str]  # portMapping name -> ECS appProtocol (http|http2|grpc)
    needs_service_connect_proxy: bool  # the task size must add the proxy (MAPPING §1.1/§1.3)


@dataclass(frozen=True)
class _Target:
    """A Service port resolved to the container port it reaches, and that port mapping's name."""

    service_port: ServicePort
    container: Container
    port: Port
    mapping_name: str


def port_mapping_name(container_name: str, container_port: int, declared_name: str | None) -> str:
    """The portMappings[].name for a container port: the Kubernetes name if declared, else ``<container>-<port>``.

    ECS wants ``^[a-z0-9_][a-z0-9_-]*$`` and <= 64 characters (V12). Every valid Kubernetes port name
    already fits (§2.3); anything else is lower-cased, has other characters replaced by ``-``, and is
    shortened with a hash suffix so that distinct inputs stay distinct.
    """
    if declared_name is not None and _PORT_NAME.match(declared_name) and len(declared_name) <= PORT_NAME_MAX:
        return declared_name
    if declared_name is not None:
        return _bounded(_clean(declared_name, "port"), PORT_NAME_MAX)
    suffix = f"-{container_port}"
    base = _clean(container_name, "port")
    if len(base) + len(suffix) <= PORT_NAME_MAX:
        return base + suffix
    return _bounded(base, PORT_NAME_MAX - len(suffix)) + suffix


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
    for exposure in exposures:
        if exposure.type in ("Headless", "ExternalName"):
            continue
        carrier = "service-connect" if exposure.type == "ClusterIP" else (exposure.load_balancer_type or "nlb")
        targets: list[_Target] = []
        for service_port in exposure.ports:
            target = _resolve(exposure, service_port, workload, port_names, carrier, findings)
            if target is not None:
                targets.append(target)
        if carrier == "service-connect":
            for target in targets:
                _record_app_protocol(target, app_protocols, findings)
            entries = _service_connect_entries(exposure, targets, discovery_names)
            if entries:
                connect_origin = connect_origin or exposure.origin
                connect_entries.extend(entries)
                aliases = ", ".join(f"{alias['dnsName']}:{alias['port']}"
                                    for alias in (entry["clientAliases"][0] for entry in entries))
                findings.append(make_finding(
                    "K2E-I401", exposure.origin,
                    f"Service {exposure.name} became Service Connect names {aliases} (ECS clients in the "
                    f"namespace only; the form <svc>.<ns>.svc.cluster.local is not served)"))
        else:
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
                entries, finding_list = _load_balancer_wiring(exposure, attached, carrier, settings)
                load_balancers.extend(entries)
                findings.extend(finding_list)

    service_connect = None
    if connect_entries:
        namespace = settings.service_connect_namespace
        if namespace is None:
            namespace = placeholder("service-connect-namespace")
            assert connect_origin is not None
            findings.append(make_finding("K2E-W604", connect_origin,
                                         f"Service Connect for {workload.resource} needs a Cloud Map namespace"))
        service_connect = {"enabled": True, "namespace": namespace, "services": connect_entries}
    wiring = Wiring(load_balancers=tuple(load_balancers), service_connect=service_connect,
                    app_protocols=app_protocols, needs_service_connect_proxy=service_connect is not None)
    return wiring, findings


# -- resolving ports --------------------------------------------------------------------------------
def _resolve(exposure: Exposure, service_port: ServicePort, workload: Workload,
             port_names: Mapping[tuple[str, int], str], carrier: str, findings: list[Finding]) -> _Target | None:
    """The container port a Service port reaches (§4.2), or None with a finding (E407, W412)."""
    found = _find_container_port(service_port.target_port, workload)
    if found is None:
        what = "named" if isinstance(service_port.target_port, str) else "number"
        findings.append(make_finding(
            "K2E-E407", _at(service_port.origin, "targetPort"),
            f"targetPort {service_port.target_port!r} of Service {exposure.name} port {service_port.port}: no "
            f"container of {workload.resource} declares a port with that {what}; the port is not wired"))
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
    return _Target(service_port, container, port, name)


def _find_container_port(target: int | str, workload: Workload) -> tuple[Container, Port] | None:
    """By name or containerPort, across the containers that serve traffic (app and sidecars, not init)."""
    for container in workload.containers:
        if container.role == "init":
            continue
        for port in container.ports:
            if (port.name == target) if isinstance(target, str) else (port.container_port == target):
                return container, port
    return None


def _record_app_protocol(target: _Target, app_protocols: dict[str, str], findings: list[Finding]) -> None:
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
def _service_connect_entries(exposure: Exposure, targets: Sequence[_Target], taken: set[str]) -> list[dict]:
    """One ServiceConnectService per (port, alias), each with exactly one client alias (§4.2, §8 item 3).

    Aliases: ``<svc>`` and, when the Service has a namespace, ``<svc>.<ns>``. discoveryName: ``<svc>``
    (single-port) or ``<svc>-<port name>``, plus ``-<ns>`` for the namespaced alias; <= 64 and unique
    among the names this call made. Uniqueness across ECS services in one Cloud Map namespace is the
    caller's to check (V28).
    """
    entries: list[dict] = []
    multi_port = len(exposure.ports) > 1
    aliases = [(exposure.name, "")]
    if exposure.namespace is not None:
        aliases.append((f"{exposure.name}.{exposure.namespace}", f"-{exposure.namespace}"))
    for target in targets:
        service_port = target.service_port
        base = exposure.name
        if multi_port:
            base += f"-{service_port.name if service_port.name is not None else service_port.port}"
        for dns_name, suffix in aliases:
            discovery = _unique(_bounded(_clean(base + suffix, "svc"), PORT_NAME_MAX), taken)
            entries.append({"portName": target.mapping_name, "discoveryName": discovery,
                            "clientAliases": [{"port": service_port.port, "dnsName": dns_name}]})
    return entries


# -- load balancers ------------------------------------------------------------------------------
def _load_balancer_wiring(exposure: Exposure, targets: Sequence[_Target], lb_type: str,
                          settings: Settings) -> tuple[list[dict], list[Finding]]:
    """loadBalancers entries, a K2E-W605 per missing target group ARN, and one K2E-W402 with the ELB plan."""
    findings: list[Finding] = []
    entries: list[dict] = []
    listeners: list[dict] = []
    target_groups: list[dict] = []
    overrides = dict(getattr(exposure, "target_group_settings", ()))
    for target in targets:
        service_port = target.service_port
        key = f"{exposure.name}:{service_port.port}"
        arn = settings.target_groups.get(key)
        if arn is None:
            arn = placeholder(f"target-group-arn:{key}")
            findings.append(make_finding(
                "K2E-W605", service_port.origin,
                f"no target group ARN for {key}; set targetGroups: {{{key}: <arn>}} in the k2ecs config"))
        entries.append({"targetGroupArn": arn, "containerName": target.container.name,
                        "containerPort": target.port.container_port})
        group = _target_group(exposure, target, lb_type, overrides)
        target_groups.append(group)
        listeners.append({"Port": service_port.port,
                          "Protocol": "HTTP" if lb_type == "alb" else group["Protocol"],
                          "DefaultActions": [{"Type": "forward", "TargetGroupName": group["Name"]}]})
    kind = "application" if lb_type == "alb" else "network"
    scheme = exposure.load_balancer_scheme or "internal"
    details: dict[str, Any] = {
        "loadBalancer": {"Name": _bounded(_elb_name(exposure.name), TARGET_GROUP_NAME_MAX), "Type": kind,
                         "Scheme": scheme, "schemeReason": getattr(exposure, "scheme_reason", None)},
        "listeners": listeners,
        "targetGroups": target_groups,
        "inClusterClients": f"clients that called {exposure.name}:<port> inside the cluster must use the load "
                            f"balancer's DNS name (no Service Connect name is made for this Service)",
    }
    annotations = dict(getattr(exposure, "load_balancer_annotations", ()))
    if annotations:  # everything the Service said about its load balancer, e.g. certificates and subnets
        details["annotations"] = annotations
    if lb_type == "alb":
        details["listenerNote"] = "an ALB's listeners come from the Ingress, which k2ecs does not read; HTTP assumed"
    findings.append(make_finding(
        "K2E-W402", exposure.origin,
        f"Service {exposure.name}: create an {scheme} {kind} load balancer with {len(target_groups)} "
        f"listener(s) and target group(s) of type ip (see details)", **details))
    return entries, findings


def _target_group(exposure: Exposure, target: _Target, lb_type: str, overrides: dict[str, Any]) -> dict[str, Any]:
    service_port = target.service_port
    if lb_type == "alb":
        protocol = str(overrides.get("Protocol", "HTTP")).upper()
        protocol = protocol if protocol in ("HTTP", "HTTPS") else "HTTP"
    elif service_port.protocol == "udp":
        protocol = "UDP"
    else:  # the LBC's backend-protocol "ssl" means a TLS target group
        protocol = {"SSL": "TLS"}.get(str(overrides.get("Protocol", "TCP")).upper(), "TCP")
    group: dict[str, Any] = {
        "Name": _bounded(_elb_name(f"{exposure.name}-{service_port.port}"), TARGET_GROUP_NAME_MAX),
        "Protocol": protocol,
        "Port": target.port.container_port,
        "TargetType": "ip",  # awsvpc registers task IPs, whatever the nlb-target-type annotation says (§4.3)
        "containerName": target.container.name,
    }
    version = overrides.get("ProtocolVersion")
    if version is None and service_port.app_protocol is not None:
        version = {"grpc": "GRPC", "http2": "HTTP2"}.get(_APP_PROTOCOLS.get(service_port.app_protocol.lower(), ""))
    if lb_type == "alb" and version is not None:
        group["ProtocolVersion"] = str(version).upper()
    health, notes = _health_check(lb_type, protocol, target, overrides)
    group.update(health)
    if protocol == "UDP":
        notes.append("a UDP target group is health-checked over TCP or HTTP; point HealthCheckPort at a TCP "
                     "port the container listens on")
    if notes:
        group["notes"] = notes
    return group


def _health_check(lb_type: str, protocol: str, target: _Target,
                  overrides: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Target-group health check: LBC defaults, then the readinessProbe (§2.4), then annotations (§4.3),
    clamped to the ELBv2 ranges with interval > timeout (V27)."""
    check = dict(_HEALTH_DEFAULTS[lb_type])
    notes: list[str] = []
    probe = target.container.readiness
    if probe is not None:
        notes.extend(_from_probe(check, probe, target.port.container_port))
    check.update({key: value for key, value in overrides.items() if key in _HEALTH_FIELDS})
    check["HealthCheckProtocol"] = str(check["HealthCheckProtocol"]).upper()
    if protocol in ("HTTP", "HTTPS") and check["HealthCheckProtocol"] == "TCP":
        check["HealthCheckProtocol"] = "HTTP"  # TCP checks are not allowed on HTTP(S) target groups (V27)
        notes.append("TCP health check is not allowed on an HTTP target group; HTTP used")
    if check["HealthCheckProtocol"] in ("HTTP", "HTTPS"):
        check.setdefault("HealthCheckPath", "/")
        check.setdefault("Matcher", "200-399")  # Kubernetes HTTP probes succeed on 200-399 [K8S-PROBES]
        check["Matcher"] = {"HttpCode": str(check["Matcher"])}
    else:
        check.pop("HealthCheckPath", None)
        check.pop("Matcher", None)
    for key, (low, high) in _RANGES.items():
        value = int(check[key])
        check[key] = min(max(value, low), high)
        if check[key] != value:
            notes.append(f"{key} {value} clamped to {check[key]} (ELB allows {low}-{high})")
    if check["HealthCheckTimeoutSeconds"] >= check["HealthCheckIntervalSeconds"]:
        lowered = check["HealthCheckIntervalSeconds"] - 1  # interval >= 5, so this stays >= 4
        notes.append(f"HealthCheckTimeoutSeconds {check['HealthCheckTimeoutSeconds']} lowered to {lowered}: "
                     f"the interval must be greater than the timeout (V27)")
        check["HealthCheckTimeoutSeconds"] = lowered
    return check, notes


def _from_probe(check: dict[str, Any], probe: Probe, container_port: int) -> list[str]:
    """Overlay a readinessProbe on the health check (§2.4); returns notes on what could not carry."""
    notes: list[str] = []
    check.update({"HealthCheckIntervalSeconds": probe.period_seconds,
                  "HealthCheckTimeoutSeconds": probe.timeout_seconds,
                  "HealthyThresholdCount": probe.success_threshold,
                  "UnhealthyThresholdCount": probe.failure_threshold})
    if probe.handler in ("http", "tcp"):
        port = probe.port
        check["HealthCheckPort"] = "traffic-port" if port is None or port == container_port else str(port)
    if probe.handler == "http":
        check["HealthCheckProtocol"] = probe.scheme
        check["HealthCheckPath"] = probe.path or "/"
        check["Matcher"] = "200-399"  # Kubernetes HTTP probes succeed on 200-399 [K8S-PROBES]
        if probe.headers or probe.host is not None:
            notes.append("readinessProbe host/httpHeaders have no target group field")
    elif probe.handler == "tcp":
        check["HealthCheckProtocol"] = "TCP"
        check.pop("HealthCheckPath", None)
        check.pop("Matcher", None)
    else:
        notes.append(f"readinessProbe {probe.handler} cannot run from a load balancer; the default check is used")
    if probe.initial_delay_seconds:
        notes.append("readinessProbe initialDelaySeconds maps to the ECS service's healthCheckGracePeriodSeconds")
    return notes


# -- names ---------------------------------------------------------------------------------------
def _clean(text: str, fallback: str) -> str:
    """Lower-case ``[a-z0-9_-]``, not starting with ``-``."""
    cleaned = re.sub(r"[^a-z0-9_-]", "-", text.lower()).lstrip("-")
    return cleaned or fallback


def _elb_name(text: str) -> str:
    """``[A-Za-z0-9-]``, no leading or trailing ``-`` (V26)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", text).strip("-") or "k2ecs"


def _bounded(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters; a cut name ends in a hash of the whole, so names stay distinct."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:6]
    return text[: limit - len(digest) - 1].rstrip("-_") + "-" + digest


def _unique(name: str, taken: set[str]) -> str:
    candidate, counter = name, 2
    while candidate in taken:
        suffix = f"-{counter}"
        candidate, counter = name[: PORT_NAME_MAX - len(suffix)] + suffix, counter + 1
    taken.add(candidate)
    return candidate


def _at(origin: Origin, field: str) -> Origin:
    return origin.at(f"{origin.path}/{field}")
