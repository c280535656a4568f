"""Numeric targetPorts that no container declares (issue 19, item 3).

Kubernetes routes a Service's numeric targetPort to the pod IP whether or not a container lists that port:
``containerPort`` is informational ("Not specifying a port here DOES NOT prevent that port from being exposed",
core/v1 Container.ports). With awsvpc every container of the task shares one network namespace, as in a pod,
so ECS can reach the port too once a portMapping names it. The port is declared on the one container that can
own it: the only non-init container, or else the only app container; anything else stays K2E-E407 (the
wiring's), which names the candidates.
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

from converter.core.findings import Finding, make_finding
from converter.core.model import Container, Exposure, Port, Workload


def declare_target_ports(workload: Workload, exposures: Sequence[Exposure]) -> tuple[Workload, list[Finding]]:
    """The workload with a port added for each numeric TCP/UDP targetPort no container declares,  when one
    container can own it (K2E-W430)."""
    findings: list[Finding] = []
    declared = {(port.container_port, port.protocol) for c in workload.containers if c.role != "init" for port in c.ports}
    added: dict[str, list[Port]] = {}
    for exposure in exposures:
        if exposure.type == "ExternalName":
            continue
        for service_port in exposure.ports:
            number = service_port.target_port
            if not isinstance(number, int) or service_port.protocol == "sctp":
                continue
            if (number, service_port.protocol) in declared or any(p.container_port == number for c in workload.containers
                                                                   if c.role != "init" for p in c.ports):
                continue  # declared (a protocol mismatch is the wiring's to report)
            owner = _owner(workload.containers)
            origin = service_port.origin.at(f"{service_port.origin.path}/targetPort")
            if owner is None:
                continue  # several containers could listen on it: the wiring's K2E-E407 names them
            port = Port(container_port=number, protocol=service_port.protocol, name=None, host_port=None, origin=origin)
            added.setdefault(owner.name, []).append(port)
            declared.add((number, service_port.protocol))
            findings.append(make_finding(
                "K2E-W430", origin,
                f"targetPort {number} of Service {exposure.name} is declared by no container of {workload.resource}; "
                f"Kubernetes routes to it anyway, so it became a port mapping of container {owner.name!r}"))
    if not added:
        return workload, findings
    containers = tuple(dataclasses.replace(c, ports=c.ports + tuple(added[c.name])) if c.name in added else c
                       for c in workload.containers)
    return dataclasses.replace(workload, containers=containers), findings


def _owner(containers: Sequence[Container]) -> Container | None:
    running = [c for c in containers if c.role != "init"]
    if len(running) == 1:
        return running[0]
    apps = [c for c in running if c.role == "app"]
    return apps[0] if len(apps) == 1 else None
