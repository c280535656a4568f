"""Ports and exposure: container ports, Services -> Service Connect and load balancers, and back.

The rule both ways: ``forward`` wires the Services that select a workload to its ECS service (with
``service_connect``, ``load_balancer`` and ``target_ports``); ``reverse`` reads an ECS container's portMappings
back to container ports and a service's ways in back to Services. This module declares the concern's field pairs
both directions (converter/core/field_pairs.py), shown by ``k2ecs compare``.
"""

from __future__ import annotations

from converter.core.field_pairs import CD, CONTAINER, ECS_CONTAINER, k8s_container, pair

# The container's own ports (converter/write/ecs/taskdef.py _ports_and_rest writes them) are this concern's too.
_PORTS = (pair(CONTAINER + "/ports/*", f"{CD}.portMappings[containerPort={{item.containerPort}}]", unit=True),)
PAIRS = {
    "Deployment": _PORTS,
    "StatefulSet": _PORTS,
    "Service": (
        pair("/metadata/name", "service.serviceConnectConfiguration.services[*].discoveryName|service.loadBalancers"),
        pair("/metadata/annotations", "service.loadBalancers", note="(load balancer settings: see K2E-W402)"),
        pair("/spec/type", "service.serviceConnectConfiguration.enabled|service.loadBalancers"),
        pair("/spec/selector", note="(no field: matches this Service to the workload)"),
        pair("/spec/ports/*", unit=True, resolver="service_port"),
    ),
}
CODE_FIELDS = {
    "K2E-W601": ("service.networkConfiguration.awsvpcConfiguration",),
    "K2E-W604": ("service.serviceConnectConfiguration.namespace",),
    "K2E-W605": ("service.loadBalancers[*].targetGroupArn",),
    "K2E-W402": ("service.loadBalancers",),
    "K2E-I401": ("service.serviceConnectConfiguration",),
}
CONCERN = "exposure"
# ECS -> Kubernetes (converter/rules/exposure/reverse.py container_ports and build_exposures,
# converter/write/kubernetes/service.py render_service).
REVERSE_PAIRS = {
    "TaskDefinition": (
        pair(ECS_CONTAINER + "/portMappings/*", k8s_container("ports[containerPort={item.containerPort}]"), unit=True),
    ),
    "Service": (
        pair("/loadBalancers/*", unit=True, resolver="load_balancer"),
        pair("/serviceConnectConfiguration/enabled", unit=True, resolver="service_connect"),
        pair("/serviceConnectConfiguration/services/*", unit=True, resolver="service_connect"),
        pair("/serviceRegistries/*", unit=True, resolver="registry"),
    ),
}
