"""The system a comparison describes, as a graph: entry points, services, data stores, external names, calls.

Pure: read from the Comparison (the workloads' source documents, their findings and the ECS payloads) and
from the call graph of the conversion (report.json's ``calls`` list: caller, variable, host, port, target,
resolved, reason). The HTML page draws it (converter.compare.diagram) and the summary lists its problems
(converter.compare.review). Node ids are stable and unique; the order of ``nodes`` and ``edges`` depends
only on the input, so the same input gives the same picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Mapping

from converter.core.codes import CODES
from converter.compare.model import Comparison, SourceDocument, WorkloadView
from converter.compare.payloads import pinned
from converter.core.quantity import CPU_UNITS_PER_CORE, MIB_PER_GB

# Node kinds, drawn in this order from left to right (converter.compare.diagram.COLUMNS).
ENTRY = "entry"  # a load balancer k2ecs plans for a Service (K2E-W402)
SERVICE = "service"  # an ECS service made from a Deployment
STORE = "store"  # an ECS service made from a StatefulSet: a data store or a queue
UNATTACHED = "unattached"  # a Service ECS cannot attach to one service (K2E-W403, K2E-W404)
UNCONVERTED = "unconverted"  # a Deployment or StatefulSet k2ecs did not convert
EXTERNAL = "external"  # an ExternalName Service (K2E-W406), or a host a call names that is nothing in the input
KINDS = (ENTRY, SERVICE, STORE, UNATTACHED, UNCONVERTED, EXTERNAL)

WORKLOAD_KINDS = ("Deployment", "StatefulSet")
LOAD_BALANCER_CODE = "K2E-W402"
UNATTACHED_CODES = ("K2E-W403", "K2E-W404")
EXTERNAL_NAME_CODE = "K2E-W406"


@dataclass(frozen=True, kw_only=True)
class Node:
    id: str
    kind: str  # one of KINDS
    title: str  # the ECS name, the load balancer's name, the Service's or the host's name
    lines: tuple[str, ...]  # what the box says under the title (Kubernetes resource, task size, counts)
    section: str | None = None  # the page anchor of the node's workload section
    problem: str | None = None  # why the node needs a reviewer's decision, when it does


@dataclass(frozen=True, kw_only=True)
class Edge:
    source: str  # node id
    target: str  # node id
    label: str  # ports, or the variable and port of a call
    resolved: bool  # False: the traffic does not reach its target on ECS
    reason: str | None = None  # why not, when not resolved
    call: bool = False  # a service-to-service call (True) or load-balancer traffic (False)


@dataclass(frozen=True, kw_only=True)
class SystemGraph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]

    def node(self, node_id: str) -> Node:
        return next(node for node in self.nodes if node.id == node_id)


def section_id(index: int) -> str:
    """The page anchor of the workload section at ``index`` (converter.compare.html uses the same)."""
    return f"section-{index + 1}"


def build_graph(comparison: Comparison, calls: Iterable[Mapping[str, Any]] | None = None) -> SystemGraph:
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    names: dict[str, str] = {}  # every name a call may use for a node -> node id
    workload_sources: list[tuple[str, SourceDocument]] = []  # (node id, workload document) to match selectors
    for index, view in enumerate(comparison.workloads):
        workload = view.workload
        if not workload.is_workload:
            continue
        node = _workload_node(view, section_id(index))
        nodes[node.id] = node
        _name(names, node.id, workload.name, workload.resource, workload.resource.split("/", 1)[-1])
        for source in workload.sources:
            if source.kind in WORKLOAD_KINDS:
                workload_sources.append((node.id, source))
            if source.kind == "Service":
                _name(names, node.id, source.resource, source.resource.split("/", 1)[-1])
            for finding in source.findings:
                if finding.code == LOAD_BALANCER_CODE:
                    entry = _entry_node(finding.extra, source, section_id(index))
                    nodes.setdefault(entry.id, entry)
                    edges.append(Edge(source=entry.id, target=node.id, label=_ports(finding.extra), resolved=True))
    unattached: list[tuple[str, SourceDocument]] = []
    for index, view in enumerate(comparison.workloads):
        if view.workload.is_workload:
            continue
        for source in view.workload.sources:
            node = _loose_node(source, section_id(index))
            if node is None:
                continue
            nodes.setdefault(node.id, node)
            _name(names, node.id, source.resource, source.resource.split("/", 1)[-1])
            if node.kind == UNCONVERTED:
                workload_sources.append((node.id, source))
            elif node.kind == UNATTACHED:
                unattached.append((node.id, source))
    for node_id, source in unattached:  # the workloads each selects, converted or not
        for target in _selected(source, workload_sources):
            edges.append(Edge(source=node_id, target=target, label="selects", resolved=False,
                              reason="not attached on ECS"))
    for call in calls or ():
        edge = _call_edge(call, names, nodes)
        if edge is not None:
            edges.append(edge)
    ordered = sorted(nodes.values(), key=lambda n: (KINDS.index(n.kind), n.title, n.id))
    unique_edges = list(dict.fromkeys(edges))
    return SystemGraph(nodes=tuple(ordered), edges=tuple(unique_edges))


def _name(names: dict[str, str], node_id: str, *aliases: str) -> None:
    for alias in aliases:
        names.setdefault(alias, node_id)


def _workload_node(view: WorkloadView, section: str) -> Node:
    workload = view.workload
    kind = STORE if workload.resource.startswith("StatefulSet/") else SERVICE
    with pinned(workload):  # one workload's payloads at a time (compare.payloads)
        return Node(id=f"workload:{workload.resource}:{workload.name}", kind=kind, title=workload.name,
                    lines=(workload.resource, task_size(workload.ecs.get("taskDefinition")),
                           counts_text(workload.ecs.get("service"), workload.ecs.get("scaling"))),
                    section=section)


def task_size(task_definition: Any) -> str:
    """"0.5 vCPU, 1 GB" from a task definition's cpu units and memory MiB."""
    if not isinstance(task_definition, dict):
        return "not sized"
    cpu, memory = task_definition.get("cpu"), task_definition.get("memory")
    parts = []
    if _is_number(cpu):
        parts.append(f"{_plain(Decimal(str(cpu)) / CPU_UNITS_PER_CORE)} vCPU")
    if _is_number(memory):
        parts.append(f"{_plain(Decimal(str(memory)) / MIB_PER_GB)} GB")
    return ", ".join(parts) or "size per container"


def counts_text(service: Any, scaling: Any) -> str:
    """"desired 2, min 2, max 10" from the service's desiredCount and the scalable target's capacities."""
    desired = service.get("desiredCount") if isinstance(service, dict) else None
    parts = [f"desired {desired}" if desired is not None else "desired not set"]
    target = scaling.get("scalableTarget") if isinstance(scaling, dict) else None
    if isinstance(target, dict):
        parts += [f"min {target.get('MinCapacity')}", f"max {target.get('MaxCapacity')}"]
    return ", ".join(parts)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool) and str(value).isdigit()


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _entry_node(details: Mapping[str, Any], source: SourceDocument, section: str) -> Node:
    balancer = details.get("loadBalancer") or {}
    name = str(balancer.get("Name") or source.resource)
    scheme, kind = balancer.get("Scheme") or "internal", balancer.get("Type") or "load balancer"
    return Node(id=f"entry:{source.resource}:{source.file}:{source.line}", kind=ENTRY, title=name,
                lines=(f"{scheme} {kind} LB", f"listeners {_ports(details) or 'none'}", source.resource),
                section=section)


def _ports(details: Mapping[str, Any]) -> str:
    ports = [str(listener.get("Port")) for listener in details.get("listeners") or () if isinstance(listener, dict)]
    return ", ".join(dict.fromkeys(ports))


def _loose_node(source: SourceDocument, section: str) -> Node | None:
    """A node for a document of the catch-all section: unattached Service, ExternalName, unconverted workload."""
    codes = {finding.code: finding for finding in source.findings}
    if source.kind in WORKLOAD_KINDS:
        worst = max(source.findings, key=lambda f: f.severity, default=None)  # the first of the worst
        reason = None if worst is None else f"{worst.code} {_title(worst.code)}"
        return Node(id=f"unconverted:{source.resource}:{source.file}:{source.line}", kind=UNCONVERTED,
                    title=source.resource.split("/", 1)[-1], lines=(source.resource, "not converted"),
                    section=section, problem=reason or "not converted: the findings of its section say why")
    if source.kind != "Service":
        return None
    if EXTERNAL_NAME_CODE in codes:
        host = _get(source.data, "spec", "externalName")
        return Node(id=f"external:{source.resource}:{source.file}:{source.line}", kind=EXTERNAL,
                    title=source.resource.split("/", 1)[-1],
                    lines=(source.resource, f"→ {host}" if isinstance(host, str) else "ExternalName"),
                    section=section)
    found = next((codes[code] for code in UNATTACHED_CODES if code in codes), None)
    if found is None:
        return None
    # A Service over several workloads is served by the first alone (K2E-W403, issue 19): the others get no
    # traffic through its names. Every other code here leaves the Service with no ECS counterpart at all.
    state = "served by one workload only" if found.code == "K2E-W403" else "not attached on ECS"
    return Node(id=f"unattached:{source.resource}:{source.file}:{source.line}", kind=UNATTACHED,
                title=source.resource.split("/", 1)[-1], lines=(source.resource, state),
                section=section, problem=found.message)


def _title(code: str) -> str:
    info = CODES.get(code)
    return info.title.lower() if info is not None else "see its section"


def _get(data: Any, *path: str) -> Any:
    for step in path:
        if not isinstance(data, dict):
            return None
        data = data.get(step)
    return data


def _selected(service: SourceDocument, workloads: list[tuple[str, SourceDocument]]) -> list[str]:
    """The workload nodes a Service's selector matches (pod template labels, as kube-proxy's endpoints do)."""
    selector = _get(service.data, "spec", "selector")
    if not isinstance(selector, dict) or not selector:
        return []
    namespace = _get(service.data, "metadata", "namespace")
    found = []
    for node_id, source in workloads:
        labels = _get(source.data, "spec", "template", "metadata", "labels")
        other = _get(source.data, "metadata", "namespace")
        if namespace is not None and other is not None and namespace != other:
            continue
        if isinstance(labels, dict) and all(k in labels and str(labels[k]) == str(v) for k, v in selector.items()):
            found.append(node_id)
    return list(dict.fromkeys(found))


def _call_edge(call: Mapping[str, Any], names: dict[str, str], nodes: dict[str, Node]) -> Edge | None:
    """One call of the call graph as an edge. A caller that is no node is left out; a target that is no node
    becomes an external node named after the host the caller used."""
    caller = names.get(str(call.get("caller")))
    if caller is None:
        return None
    target_name = call.get("target")
    target = names.get(str(target_name)) if target_name is not None else None
    if target is None:
        host = str(call.get("host") or target_name or "unknown host")
        target = f"host:{host}"
        if target not in nodes:
            nodes[target] = Node(id=target, kind=EXTERNAL, title=host, lines=("host named by a call",))
    port = call.get("port")
    variable = call.get("variable")
    label = ":".join(str(part) for part in (variable, port) if part is not None)
    resolved = call.get("resolved") is True
    reason = call.get("reason")
    return Edge(source=caller, target=target, label=label, resolved=resolved, call=True,
                reason=None if resolved else (str(reason) if reason is not None else "does not resolve on ECS"))
