"""The neutral Exposure -> a v1 Service (docs/MAPPING.md#topic-reverse: Service Connect -> ClusterIP, serviceRegistries -> headless,
loadBalancers -> LoadBalancer with AWS Load Balancer Controller annotations)."""

from __future__ import annotations

from typing import Any

from converter.core.findings import Finding
from converter.write.kubernetes.deployment import metadata
from converter.core.model import Exposure


def render_service(exposure: Exposure) -> tuple[dict[str, Any], list[Finding]]:
    annotations = dict(exposure.load_balancer_annotations)
    spec: dict[str, Any] = {}
    if exposure.type == "Headless":
        spec["type"] = "ClusterIP"
        spec["clusterIP"] = "None"
    else:
        spec["type"] = exposure.type
    spec["selector"] = dict(exposure.selector)
    ports = []
    for port in exposure.ports:
        entry: dict[str, Any] = {}
        if port.name is not None:
            entry["name"] = port.name
        entry["port"] = port.port
        entry["targetPort"] = port.target_port
        entry["protocol"] = port.protocol.upper()
        if port.app_protocol is not None:
            entry["appProtocol"] = port.app_protocol
        ports.append(entry)
    if ports:
        spec["ports"] = ports
    manifest = {"apiVersion": "v1", "kind": "Service",
                "metadata": metadata(exposure.name, exposure.namespace, annotations=annotations), "spec": spec}
    return manifest, []
