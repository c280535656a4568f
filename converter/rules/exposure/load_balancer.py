"""The load-balancer half of a Service's wiring: LoadBalancer and NodePort -> ELB (docs/MAPPING.md#topic-service-type, #topic-load-balancer, #topic-probes).

ECS attaches a service to target groups that already exist. The load balancer, its listeners and target
groups become a plan for the user to create (one K2E-W402, with the plan in its details), and each
``loadBalancers`` entry points at a target group ARN from the config or a placeholder (K2E-W605).
What the Service and its pods said that only this plan holds is named where it was written: each
annotation (K2E-I415), ``spec.type: NodePort`` (K2E-W409) and the readiness probes (K2E-I414, K2E-W115).
Pure: returns ``(entries, findings)``. Resolving ports and Service Connect are
:mod:`converter.rules.exposure.forward`'s.
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Any, Sequence

from converter.core.findings import Finding, make_finding
from converter.core.model import Container, Exposure, Probe, Workload
from converter.core.settings import Settings, placeholder

if TYPE_CHECKING:  # forward imports this module
    from converter.rules.exposure.forward import Target

MAX_TARGET_GROUPS = 5  # per ECS service (V26 in schemas/ecs_rules.json: tests/test_mapping_doc.py ties the two)
TARGET_GROUP_NAME_MAX = 32  # V26
# Health-check defaults of the AWS Load Balancer Controller (#topic-load-balancer): emit explicit values, never API defaults.
# Its NLB timeout default is 10 like the interval; V27 wants interval > timeout, so 9.
_HEALTH_DEFAULTS: dict[str, dict[str, Any]] = {
    "nlb": {"HealthCheckProtocol": "TCP", "HealthCheckPort": "traffic-port", "HealthCheckIntervalSeconds": 10,
            "HealthCheckTimeoutSeconds": 9, "HealthyThresholdCount": 3, "UnhealthyThresholdCount": 3},
    "alb": {"HealthCheckProtocol": "HTTP", "HealthCheckPort": "traffic-port", "HealthCheckPath": "/",
            "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5, "HealthyThresholdCount": 2,
            "UnhealthyThresholdCount": 2, "Matcher": "200"},
}
# ELBv2 ranges (#topic-probes, V27)
_RANGES = {"HealthCheckIntervalSeconds": (5, 300), "HealthCheckTimeoutSeconds": (2, 120),
           "HealthyThresholdCount": (2, 10), "UnhealthyThresholdCount": (2, 10)}
_HEALTH_FIELDS = frozenset(_HEALTH_DEFAULTS["alb"]) | {"Matcher"}
_PROTOCOL_VERSIONS = {"grpc": "GRPC", "http2": "HTTP2"}  # ECS appProtocol -> ALB target group ProtocolVersion
_SHOWN_VALUE_MAX = 60


def plan_load_balancer(exposure: Exposure, targets: Sequence[Target], lb_type: str,
                       settings: Settings) -> tuple[list[dict], list[Finding]]:
    """loadBalancers entries, a K2E-W605 per missing target group ARN, one K2E-W402 with the ELB plan, and
    the findings that name what of the Service and of the probes of ``targets`` only the plan holds."""
    findings: list[Finding] = []
    entries: list[dict] = []
    listeners: list[dict] = []
    target_groups: list[dict] = []
    overrides = dict(exposure.target_group_settings)
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
        "loadBalancer": {"Name": bounded(_elb_name(exposure.name), TARGET_GROUP_NAME_MAX), "Type": kind,
                         "Scheme": scheme, "schemeReason": exposure.scheme_reason},
        "listeners": listeners,
        "targetGroups": target_groups,
        "inClusterClients": f"clients that called {exposure.name}:<port> inside the cluster must use the load "
                            f"balancer's DNS name (no Service Connect name is made for this Service)",
    }
    annotations = dict(exposure.load_balancer_annotations)
    if annotations:  # everything the Service said about its load balancer, e.g. certificates and subnets
        details["annotations"] = annotations
    if lb_type == "alb":
        details["listenerNote"] = "an ALB's listeners come from the Ingress, which k2ecs does not read; HTTP assumed"
    findings.append(make_finding(
        "K2E-W402", exposure.origin,
        f"Service {exposure.name}: create an {scheme} {kind} load balancer with {len(target_groups)} "
        f"listener(s) and target group(s) of type ip (see details)", **details))
    findings += _annotation_findings(exposure, target_groups)
    if exposure.type == "NodePort":
        findings.append(make_finding(
            "K2E-W409", exposure.type_origin or exposure.origin.at(exposure.origin.path + "/spec/type"),
            f"type NodePort: ECS has no node ports; Service {exposure.name} became an {scheme} {kind} load balancer "
            f"in the plan (K2E-W402)"))
    findings += _readiness_findings(exposure, targets, target_groups, overrides)
    return entries, findings


def unchecked_readiness(workload: Workload, checked: set[str]) -> list[Finding]:
    """K2E-W115 for the readiness probes of a load-balanced workload that no target group checks.

    A target group checks the one container it routes to; ``checked`` names the containers that some
    target group of the workload routes to (their probes are named by :func:`plan_load_balancer`).
    """
    names = ", ".join(repr(name) for name in sorted(checked))
    return [make_finding("K2E-W115", container.readiness.origin,
                         f"readinessProbe of {container.name!r} has no ECS equivalent: the load balancer's target "
                         f"groups check only container {names}",
                         "Nothing to do unless traffic must wait for this container; then make the checked "
                         "container's health endpoint depend on it.")
            for container in workload.containers if container.readiness is not None and container.name not in checked]


def bounded(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters; a cut name ends in a hash of the whole, so names stay distinct."""
    if len(text) <= limit:
        return text
    digest = hashlib.sha256(text.encode()).hexdigest()[:6]
    return text[: limit - len(digest) - 1].rstrip("-_") + "-" + digest


# -- what only the plan holds ----------------------------------------------------------------------
def _annotation_findings(exposure: Exposure, target_groups: list[dict]) -> list[Finding]:
    """One K2E-I415 per carried annotation, at the annotation, saying what it does in the plan."""
    groups = ", ".join(group["Name"] for group in target_groups)
    findings = []
    for use in exposure.annotation_uses:
        shown = use.value if len(use.value) <= _SHOWN_VALUE_MAX else use.value[: _SHOWN_VALUE_MAX - 3] + "..."
        effect = use.effect if use.target_group_field is None else \
            f"sets {use.target_group_field} of target group {groups} in the plan (K2E-W402)"
        findings.append(make_finding("K2E-I415", use.origin, f"annotation {use.key} ({shown}) {effect}"))
    return findings


def _readiness_findings(exposure: Exposure, targets: Sequence[Target], target_groups: list[dict],
                        overrides: dict[str, Any]) -> list[Finding]:
    """Per container routed to, what became of its readinessProbe: a target group check (K2E-I414) or nothing (W115)."""
    findings: list[Finding] = []
    seen: set[str] = set()
    for target in targets:
        container, probe = target.container, target.container.readiness
        if probe is None or container.name in seen:
            continue
        seen.add(container.name)
        groups = [g for t, g in zip(targets, target_groups) if t.container.name == container.name]
        names = ", ".join(group["Name"] for group in groups)
        check = groups[0]
        if probe.handler not in ("http", "tcp"):
            findings.append(make_finding(
                "K2E-W115", probe.origin,
                f"readinessProbe {probe.handler} of {container.name!r} cannot run from a load balancer: target group "
                f"{names} (K2E-W402 on Service {exposure.name}) checks {_describe_check(check)} instead",
                "Serve an HTTP or TCP readiness endpoint that the target group can check."))
            continue
        lost = []
        if probe.handler == "http" and (probe.headers or probe.host is not None):
            lost.append("host and httpHeaders")
        if probe.initial_delay_seconds:
            lost.append(f"initialDelaySeconds {probe.initial_delay_seconds} (the ECS service's "
                        f"the service's healthCheckGracePeriodSeconds covers it, K2E-I320)")
        annotated = sorted(key for key in overrides if key in _HEALTH_FIELDS)
        findings.append(make_finding(
            "K2E-I414", probe.origin,
            f"readinessProbe of {container.name!r} became the health check of target group {names} (K2E-W402 on "
            f"Service {exposure.name}): {_describe_check(check)}"
            + (f"; {', '.join(annotated)} from the Service's annotations" if annotated else "")
            + (f"; not carried: {'; '.join(lost)}" if lost else "")))
    return findings


def _describe_check(group: dict[str, Any]) -> str:
    where = group["HealthCheckProtocol"] + (f" {group['HealthCheckPath']}" if "HealthCheckPath" in group else "")
    return (f"{where} on {group['HealthCheckPort']} every {group['HealthCheckIntervalSeconds']} s, timeout "
            f"{group['HealthCheckTimeoutSeconds']} s, healthy after {group['HealthyThresholdCount']} and unhealthy "
            f"after {group['UnhealthyThresholdCount']} checks")


# -- target groups ---------------------------------------------------------------------------------
def _target_group(exposure: Exposure, target: Target, lb_type: str, overrides: dict[str, Any]) -> dict[str, Any]:
    service_port = target.service_port
    if lb_type == "alb":
        protocol = str(overrides.get("Protocol", "HTTP")).upper()
        protocol = protocol if protocol in ("HTTP", "HTTPS") else "HTTP"
    elif service_port.protocol == "udp":
        protocol = "UDP"
    else:  # the LBC's backend-protocol "ssl" means a TLS target group
        protocol = {"SSL": "TLS"}.get(str(overrides.get("Protocol", "TCP")).upper(), "TCP")
    group: dict[str, Any] = {
        "Name": bounded(_elb_name(f"{exposure.name}-{service_port.port}"), TARGET_GROUP_NAME_MAX),
        "Protocol": protocol,
        "Port": target.port.container_port,
        "TargetType": "ip",  # awsvpc registers task IPs, whatever the nlb-target-type annotation says (#topic-load-balancer)
        "containerName": target.container.name,
    }
    version = overrides.get("ProtocolVersion")
    if version is None:
        version = _PROTOCOL_VERSIONS.get(target.app_protocol or "")
    if lb_type == "alb" and version is not None:
        group["ProtocolVersion"] = str(version).upper()
    health, notes = _health_check(lb_type, protocol, target.container, target.port.container_port, overrides)
    group.update(health)
    if protocol == "UDP":
        notes.append("a UDP target group is health-checked over TCP or HTTP; point HealthCheckPort at a TCP "
                     "port the container listens on")
    if notes:
        group["notes"] = notes
    return group


def _health_check(lb_type: str, protocol: str, container: Container, container_port: int,
                  overrides: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Target-group health check: LBC defaults, then the readinessProbe (#topic-probes), then annotations (#topic-load-balancer),
    clamped to the ELBv2 ranges with interval > timeout (V27)."""
    check = dict(_HEALTH_DEFAULTS[lb_type])
    notes: list[str] = []
    if container.readiness is not None:
        notes.extend(_from_probe(check, container.readiness, container_port))
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
    """Overlay a readinessProbe on the health check (#topic-probes); returns notes on what could not carry."""
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
        notes.append("readinessProbe initialDelaySeconds has no target group field; the ECS service's "
                     "healthCheckGracePeriodSeconds covers it (K2E-I320)")
    return notes


def _elb_name(text: str) -> str:
    """``[A-Za-z0-9-]``, no leading or trailing ``-`` (V26)."""
    return re.sub(r"[^A-Za-z0-9-]", "-", text).strip("-") or "k2ecs"
