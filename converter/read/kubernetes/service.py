"""Kubernetes v1 Service -> neutral ``Exposure`` (docs/MAPPING.md#topic-service-type).

Every field is either read into the model or named in a finding; what is left goes to the reader's
catch-all (K2E-W901). Wiring the exposure onto an ECS service (Service Connect, load balancers) is
:mod:`converter.rules.exposure.forward`'s job, since it needs the selected workload.
"""

from __future__ import annotations

from sys import intern
from typing import Any

from converter.read.kubernetes.context import ParseContext
from converter.read.kubernetes.metadata import metadata_namespace
from converter.read.kubernetes.metadata import ACCEPT_ANNOTATION
from converter.core.reader import Path, Reader
from converter.core.scope import Scope
from converter.core.model import AnnotationUse, Exposure, ServicePort

LB_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-"
ALB_ANNOTATION = "alb.ingress.kubernetes.io/"
# ELBv2 CreateTargetGroup member -> (NLB Service annotation, ALB annotation) suffixes, per #topic-load-balancer.
TARGET_GROUP_ANNOTATIONS: dict[str, tuple[str | None, str]] = {
    "HealthCheckProtocol": ("healthcheck-protocol", "healthcheck-protocol"),
    "HealthCheckPort": ("healthcheck-port", "healthcheck-port"),
    "HealthCheckPath": ("healthcheck-path", "healthcheck-path"),
    "HealthCheckIntervalSeconds": ("healthcheck-interval", "healthcheck-interval-seconds"),
    "HealthCheckTimeoutSeconds": ("healthcheck-timeout", "healthcheck-timeout-seconds"),
    "HealthyThresholdCount": ("healthcheck-healthy-threshold", "healthy-threshold-count"),
    "UnhealthyThresholdCount": ("healthcheck-unhealthy-threshold", "unhealthy-threshold-count"),
    "Matcher": ("healthcheck-success-codes", "success-codes"),  # Matcher.HttpCode
    "Protocol": ("backend-protocol", "backend-protocol"),
    "ProtocolVersion": (None, "backend-protocol-version"),
}
INTEGER_FIELDS = frozenset({"HealthCheckIntervalSeconds", "HealthCheckTimeoutSeconds",
                            "HealthyThresholdCount", "UnhealthyThresholdCount"})
_INTEGER_ANNOTATIONS = frozenset(
    prefix + suffix
    for field, suffixes in TARGET_GROUP_ANNOTATIONS.items() if field in INTEGER_FIELDS
    for prefix, suffix in zip((LB_ANNOTATION, ALB_ANNOTATION), suffixes) if suffix is not None
)
# The AWS Load Balancer Controller's classes; any other class belongs to a controller ECS cannot stand in for.
LBC_CLASS_PREFIX = "service.k8s.aws/"

_TYPES = ("ClusterIP", "LoadBalancer", "NodePort", "ExternalName")
_PROTOCOLS = {"TCP": "tcp", "UDP": "udp", "SCTP": "sctp"}
_BOOKKEEPING = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "selfLink")
# spec fields with no Service Connect / ELB counterpart (#topic-service-connect), with the value that means "Kubernetes default".
_TRAFFIC_DEFAULTS: dict[str, Any] = {
    "externalTrafficPolicy": "Cluster",
    "internalTrafficPolicy": "Cluster",
    "ipFamilies": ["IPv4"],
    "ipFamilyPolicy": "SingleStack",
    "trafficDistribution": None,  # no default: any value is a setting
    "loadBalancerSourceRanges": [],
    "publishNotReadyAddresses": False,
    "externalIPs": [],
}
_TRAFFIC_SUGGESTIONS = {
    "loadBalancerSourceRanges": "Restrict the load balancer's security group (or NACLs) to these ranges.",
    "externalTrafficPolicy": "Client source IPs are kept by NLB IP targets anyway; check nothing else relied on Local.",
}


def parse_service(reader: Reader, context: ParseContext) -> Exposure | None:
    """The exposure a Service describes, or None for a Service with no selector (nothing to attach to).

    Findings are left on ``reader.findings``; the caller runs ``reader.finish()`` for the catch-all.
    ``context`` is unused: a Service refers to no other object of the input.
    """
    top = Scope(reader, ())  # the document's fields, and those below, read by key (converter.core.scope)
    top.get("apiVersion", str)
    top.get("kind", str)
    metadata = top.scope("metadata")
    name = metadata.get("name", str)
    if name is None:
        metadata.fail("name", "a Service needs metadata.name")
    namespace = metadata_namespace(reader, metadata)  # the caller reports the namespace itself (K2E-I005)
    _bookkeeping(metadata)
    if top.has("status"):
        top.note("status", "K2E-I004", "status is written by the cluster and is ignored")

    spec = top.raw("spec")
    if spec is not None and not isinstance(spec, dict):  # the API server refuses it (ServiceSpec is an object)
        reader.fail(("spec",), f"expected a mapping, got {type(spec).__name__}")
    fields = top.scope("spec")
    service_type = fields.get("type", str, default="ClusterIP")
    if service_type not in _TYPES:
        fields.fail("type", f"expected one of {', '.join(_TYPES)}, got {service_type!r}")
    cluster_ip = fields.get("clusterIP", str)
    kind = service_type
    if service_type == "ClusterIP" and cluster_ip == "None":
        kind = "Headless"
        fields.note("clusterIP", "K2E-W405",
                    f"headless Service {name}: its name and ports are served through Service Connect, but per-pod "
                    "names and peer discovery need a Cloud Map service registry, which k2ecs does not create")
    elif cluster_ip not in (None, "", "None"):
        fields.note("clusterIP", "K2E-I009", f"cluster IP {cluster_ip} is assigned by the cluster")
    cluster_ips = fields.raw("clusterIPs")
    if cluster_ips == ["None"] or not cluster_ips:
        fields.take("clusterIPs")
    else:
        fields.note("clusterIPs", "K2E-I009", "cluster IPs are assigned by the cluster")
    if fields.has("healthCheckNodePort"):
        fields.get("healthCheckNodePort", int)
        fields.note("healthCheckNodePort", "K2E-I009", "healthCheckNodePort is assigned by the cluster")

    selector = fields.string_map("selector")
    if service_type == "ExternalName":
        external = fields.get("externalName", str)
        if external is None:
            fields.fail("externalName", "an ExternalName Service needs spec.externalName")
        fields.note("externalName", "K2E-W406",
                    f"ExternalName Service {name} (alias of {external}) has no ECS object")
    _traffic_settings(fields)
    lb_class = _load_balancer_class(fields, service_type)
    annotations = _annotations(reader, carried=service_type in ("LoadBalancer", "NodePort"))
    ports = tuple(_port(Scope(reader, path, item), item, service_type) for path, item in fields.sequence("ports"))

    if not selector and service_type != "ExternalName":
        # At the Service's root: nothing of it is converted (its ports, type and metadata reach no ECS object).
        reader.note((), "K2E-W410",
                    f"Service {name} has no selector; its manual Endpoints cannot be expressed on ECS, so the Service "
                    "is not converted")
        return None
    lb_type, scheme, reason = None, None, None
    if service_type in ("LoadBalancer", "NodePort"):
        lb_type, scheme, reason = _load_balancer_choice(annotations, lb_class, service_type)
    return Exposure(
        name=name,
        namespace=namespace,
        type=kind,
        # its label keys are a few texts repeated in every Service, each kept to the end of pass 2 (issue 24)
        selector=tuple(sorted((intern(key) if key.__class__ is str else key, value) for key, value in selector.items())),
        ports=ports,
        load_balancer_scheme=scheme,
        load_balancer_type=lb_type,
        target_group_settings=_target_group_settings(annotations, lb_type),
        scheme_reason=reason,
        load_balancer_annotations=tuple(sorted(annotations.items())),
        annotation_uses=_annotation_uses(reader, annotations, lb_type, reason),
        type_origin=fields.origin("type") if fields.has("type") else None,
        origin=reader.origin(()),
    )


def _bookkeeping(metadata: Scope) -> None:
    for key in metadata.present(_BOOKKEEPING):
        metadata.note(key, "K2E-I009", f"metadata.{key} is written by the cluster")
    if metadata.string_map("labels"):
        # A Service has no ECS object of its own to carry tags; the workload's labels become the tags.
        metadata.note("labels", "K2E-I009", "Service labels have no ECS object to tag")


def _annotations(reader: Reader, *, carried: bool) -> dict[str, str]:
    """The load-balancer annotations the wiring uses (#topic-load-balancer); every other annotation gets K2E-I008."""
    used: dict[str, str] = {}
    for key, value in reader.string_map(("metadata", "annotations")).items():
        path = ("metadata", "annotations", key)
        if key == ACCEPT_ANNOTATION:  # read by converter.report.baseline (accepted findings)
            continue
        if carried and key.startswith((LB_ANNOTATION, ALB_ANNOTATION)):
            if key in _INTEGER_ANNOTATIONS and not value.strip().isdigit():
                reader.fail(path, f"expected a whole number of seconds or checks, got {value!r}")
            if key == LB_ANNOTATION + "scheme" and value.strip() not in ("internal", "internet-facing"):
                reader.fail(path, f"expected internal or internet-facing, got {value!r}")
            used[key] = value.strip()
        else:
            reason = "a load-balancer annotation on a Service that gets no load balancer" if key.startswith(
                (LB_ANNOTATION, ALB_ANNOTATION)) else "a Service has no ECS object to tag"
            reader.note(path, "K2E-I008", f"annotation {key} is not carried ({reason})")
    return used


def _traffic_settings(spec: Scope) -> None:
    """Fields with no ECS counterpart: consumed always, reported only when not the Kubernetes default."""
    affinity = spec.get("sessionAffinity", str, default="None")
    timeout = spec.scope("sessionAffinityConfig").scope("clientIP").get("timeoutSeconds", int, default=10800)
    spec.take("sessionAffinityConfig")
    if affinity != "None":
        spec.note("sessionAffinity", "K2E-W408",
                  f"sessionAffinity {affinity} (timeout {timeout} s) has no Service Connect equivalent",
                  "On a load balancer, set the target group attributes stickiness.enabled=true and "
                  "stickiness.type=source_ip (NLB); ALB stickiness is cookie based (docs/MAPPING.md#topic-service-connect).")
    for key, default in _TRAFFIC_DEFAULTS.items():
        if not spec.has(key):
            continue
        value = spec.take(key)
        if value is not None and value != default:
            spec.note(key, "K2E-W408", f"{key} {_show(value)} is not carried", _TRAFFIC_SUGGESTIONS.get(key))
    # Node ports do not exist on ECS, so not allocating them (false) changes nothing there.
    allocate = spec.get("allocateLoadBalancerNodePorts", bool)
    if allocate is False:
        spec.note("allocateLoadBalancerNodePorts", "K2E-I009", "ECS has no node ports to allocate")


def _load_balancer_class(spec: Scope, service_type: str) -> str | None:
    value = spec.get("loadBalancerClass", str)
    if value is not None and not (service_type == "LoadBalancer" and value.startswith(LBC_CLASS_PREFIX)):
        spec.note("loadBalancerClass", "K2E-W408", f"loadBalancerClass {value} is not carried")
    return value


def _port(fields: Scope, item: Any, service_type: str) -> ServicePort:
    reader, path = fields.reader, fields.path
    if not isinstance(item, dict):
        reader.fail(path, "expected a mapping for a Service port")
    number = fields.get("port", int)
    if number is None:
        fields.fail("port", "a Service port needs port")
    _check_range(reader, path + ("port",), number)
    target = fields.get("targetPort", int, str, default=number)
    if target == 0 or target == "":
        # SetDefaults_Service (kubernetes pkg/apis/core/v1/defaults.go): a targetPort of 0 or "" is the port.
        target = number
    if isinstance(target, int):
        _check_range(reader, path + ("targetPort",), target)
    elif target.isdigit() or not target:
        # Kubernetes reads "8080" as a port *name*, and a name must contain a letter.
        fields.fail("targetPort", f"expected a port number or name, got the string {target!r}")
    protocol = fields.get("protocol", str, default="TCP")
    if protocol not in _PROTOCOLS:
        fields.fail("protocol", f"expected TCP, UDP or SCTP, got {protocol!r}")
    node_port = fields.get("nodePort", int)
    if service_type == "NodePort":
        shown = "an assigned node port" if node_port is None else f"nodePort {node_port}"
        fields.note("nodePort", "K2E-W409", f"{shown} has no ECS equivalent; the port is wired to a load balancer")
    elif node_port is not None:
        fields.note("nodePort", "K2E-I009", f"nodePort {node_port} is assigned by the cluster")
    return ServicePort(
        name=fields.get("name", str),
        port=number,
        target_port=target,
        protocol=_PROTOCOLS[protocol],  # type: ignore[arg-type]
        app_protocol=fields.get("appProtocol", str),
        node_port=node_port,
        origin=fields.origin(),
    )


def _check_range(reader: Reader, path: Path, number: int) -> None:
    if not 1 <= number <= 65535:
        reader.fail(path, f"expected a port number 1-65535, got {number}")


def _load_balancer_choice(annotations: dict[str, str], lb_class: str | None,
                          service_type: str) -> tuple[str, str, str]:
    """(load balancer type, scheme, why that scheme) for a LoadBalancer or NodePort Service (#topic-service-type, #topic-load-balancer).

    Type: Kubernetes makes an NLB (or a Classic ELB, which awsvpc services cannot use) for
    type LoadBalancer, so NLB. A NodePort Service carrying ``alb.ingress.kubernetes.io/*``
    annotations is the instance-mode target of an ALB Ingress, so ALB; other NodePorts get the
    internal NLB that #topic-service-type names as the closest equivalent.
    Scheme: an explicit annotation wins; the legacy in-tree provider (``aws-load-balancer-type: nlb``
    without a Load Balancer Controller class) is internet-facing unless ``aws-load-balancer-internal``;
    otherwise the Load Balancer Controller's "secure by default" internal (LBC >= 2.2).
    """
    is_alb = service_type == "NodePort" and any(key.startswith(ALB_ANNOTATION) for key in annotations)
    lb_type = "alb" if is_alb else "nlb"
    explicit = annotations.get(LB_ANNOTATION + "scheme")
    if explicit is not None:
        return lb_type, explicit, "annotation aws-load-balancer-scheme"
    internal = annotations.get(LB_ANNOTATION + "internal")
    if internal is not None:
        # Older docs used "0.0.0.0/0" as the value; the legacy provider treats anything but "false" as internal.
        scheme = "internet-facing" if internal.lower() == "false" else "internal"
        return lb_type, scheme, "annotation aws-load-balancer-internal"
    if service_type == "NodePort":
        return lb_type, "internal", "a NodePort is reachable only from inside the VPC; internal keeps that (docs/MAPPING.md#topic-service-type)"
    if annotations.get(LB_ANNOTATION + "type") == "nlb" and not (lb_class or "").startswith(LBC_CLASS_PREFIX):
        return lb_type, "internet-facing", "default of the legacy in-tree provider (aws-load-balancer-type: nlb)"
    return lb_type, "internal", ("default of the AWS Load Balancer Controller >= 2.2 (internal); without the "
                                 "controller Kubernetes would have made an internet-facing Classic ELB")


def _annotation_uses(reader: Reader, annotations: dict[str, str], lb_type: str | None,
                     scheme_reason: str | None) -> tuple[AnnotationUse, ...]:
    """What each carried annotation does in the plan of a ``lb_type`` load balancer (#topic-load-balancer)."""
    if lb_type is None:
        return ()
    own, column = (ALB_ANNOTATION, 1) if lb_type == "alb" else (LB_ANNOTATION, 0)
    fields = {own + suffixes[column]: field for field, suffixes in TARGET_GROUP_ANNOTATIONS.items()
              if suffixes[column] is not None}
    plan = "an application load balancer" if lb_type == "alb" else "a network load balancer"
    uses = []
    for key, value in sorted(annotations.items()):
        field, effect = fields.get(key), None
        if key in (LB_ANNOTATION + "scheme", LB_ANNOTATION + "internal"):  # read for either family (#topic-load-balancer)
            decided = scheme_reason == "annotation " + key.rsplit("/", 1)[1]  # see _load_balancer_choice
            effect = ("sets the scheme of the load balancer in the plan (K2E-W402)" if decided else
                      "has no effect: aws-load-balancer-scheme sets the scheme of the load balancer (K2E-W402)")
        elif key == LB_ANNOTATION + "type":
            effect = f"picks the Kubernetes controller; the plan (K2E-W402) has {plan} with ip targets"
            if scheme_reason is not None and "legacy in-tree provider" in scheme_reason:
                effect += ", internet-facing as that controller makes it"
        elif field is None and key in (LB_ANNOTATION + "nlb-target-type", ALB_ANNOTATION + "target-type"):
            effect = ("matches the plan (K2E-W402): awsvpc tasks register by IP" if value == "ip" else
                      "became target type ip in the plan (K2E-W402): awsvpc tasks register by IP")
        elif field is None and not key.startswith(own):
            other = "network" if own == ALB_ANNOTATION else "application"
            effect = f"configures {other} load balancers; the plan (K2E-W402) has {plan}, so it has no effect"
        elif field is None:
            effect = ("has no field in the plan: K2E-W402 lists it in details.annotations, to apply when you create "
                      "the load balancer")
        uses.append(AnnotationUse(key=key, value=value, origin=reader.origin(("metadata", "annotations", key)),
                                  target_group_field=field, effect=effect))
    return tuple(uses)


def _target_group_settings(annotations: dict[str, str], lb_type: str | None) -> tuple[tuple[str, str | int], ...]:
    """The target-group fields the annotations set, read from the family of the chosen LB type (#topic-load-balancer)."""
    if lb_type is None:
        return ()
    prefix, column = (ALB_ANNOTATION, 1) if lb_type == "alb" else (LB_ANNOTATION, 0)
    settings: list[tuple[str, str | int]] = []
    for field, suffixes in TARGET_GROUP_ANNOTATIONS.items():
        suffix = suffixes[column]
        value = None if suffix is None else annotations.get(prefix + suffix)
        if value is not None:
            settings.append((field, int(value) if field in INTEGER_FIELDS else value))
    return tuple(settings)


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(item) for item in value) + "]"
    return str(value).lower() if isinstance(value, bool) else str(value)
