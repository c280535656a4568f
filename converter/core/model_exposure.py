"""The neutral model of how a workload is reached: a Kubernetes Service, with what its load-balancer
annotations say in ELBv2 terms. Part of converter.core.model (which re-exports these classes), in a module of
its own to keep each under 400 lines.
"""

from __future__ import annotations

from typing import Literal

from converter.core.findings import Origin
from converter.core.record import Record, set_field


class ServicePort(Record):
    name: str | None
    port: int
    target_port: int | str  # a number or a container port name
    protocol: Literal["tcp", "udp", "sctp"]
    app_protocol: str | None
    node_port: int | None
    origin: Origin

    def __init__(self, *, name: str | None, port: int, target_port: int | str,
                 protocol: Literal["tcp", "udp", "sctp"], app_protocol: str | None, node_port: int | None,
                 origin: Origin) -> None:
        set_field(self, "name", name)
        set_field(self, "port", port)
        set_field(self, "target_port", target_port)
        set_field(self, "protocol", protocol)
        set_field(self, "app_protocol", app_protocol)
        set_field(self, "node_port", node_port)
        set_field(self, "origin", origin)


class AnnotationUse(Record):
    """One load-balancer annotation (#topic-load-balancer) and what it does in the load balancer plan (K2E-W402).

    Either it sets ``target_group_field`` on every target group of the Service, or ``effect`` says in a
    phrase what became of it. The wiring names the annotation with both, at ``origin``.
    """

    key: str
    value: str
    origin: Origin
    target_group_field: str | None
    effect: str | None

    def __init__(self, *, key: str, value: str, origin: Origin, target_group_field: str | None = None,
                 effect: str | None = None) -> None:
        set_field(self, "key", key)
        set_field(self, "value", value)
        set_field(self, "origin", origin)
        set_field(self, "target_group_field", target_group_field)
        set_field(self, "effect", effect)


class Exposure(Record):
    """A Kubernetes Service: how a workload is reached, and what its load-balancer annotations say in ELBv2 terms."""

    name: str
    namespace: str | None
    type: Literal["ClusterIP", "LoadBalancer", "NodePort", "Headless", "ExternalName"]
    selector: tuple[tuple[str, str], ...]
    ports: tuple[ServicePort, ...]
    load_balancer_scheme: Literal["internal", "internet-facing"] | None
    load_balancer_type: Literal["nlb", "alb"] | None
    origin: Origin
    # ELBv2 CreateTargetGroup member -> value (ints for the integer members), from the annotations
    target_group_settings: tuple[tuple[str, str | int], ...]
    scheme_reason: str | None  # why the scheme is what it is, for the report
    load_balancer_annotations: tuple[tuple[str, str], ...]  # every carried annotation, as written
    annotation_uses: tuple[AnnotationUse, ...]  # what each carried annotation does in the plan
    type_origin: Origin | None  # where spec.type was written (a NodePort becomes a load balancer)

    def __init__(self, *, name: str, namespace: str | None,
                 type: Literal["ClusterIP", "LoadBalancer", "NodePort", "Headless", "ExternalName"],
                 selector: tuple[tuple[str, str], ...], ports: tuple[ServicePort, ...],
                 load_balancer_scheme: Literal["internal", "internet-facing"] | None = None,
                 load_balancer_type: Literal["nlb", "alb"] | None = None, origin: Origin,
                 target_group_settings: tuple[tuple[str, str | int], ...] = (), scheme_reason: str | None = None,
                 load_balancer_annotations: tuple[tuple[str, str], ...] = (),
                 annotation_uses: tuple[AnnotationUse, ...] = (), type_origin: Origin | None = None) -> None:
        set_field(self, "name", name)
        set_field(self, "namespace", namespace)
        set_field(self, "type", type)
        set_field(self, "selector", selector)
        set_field(self, "ports", ports)
        set_field(self, "load_balancer_scheme", load_balancer_scheme)
        set_field(self, "load_balancer_type", load_balancer_type)
        set_field(self, "origin", origin)
        set_field(self, "target_group_settings", target_group_settings)
        set_field(self, "scheme_reason", scheme_reason)
        set_field(self, "load_balancer_annotations", load_balancer_annotations)
        set_field(self, "annotation_uses", annotation_uses)
        set_field(self, "type_origin", type_origin)
