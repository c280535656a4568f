"""One workload's ECS payloads: the rendering pass 2 of converter.pipeline.convert runs on each workload, and the
validation of what it renders. Split out of convert.py (issue 24's round left it at 403 lines); convert.py keeps
the run's order, this module what is done to one workload."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from converter.core.errors import OutputValidationError
from converter.core.findings import Finding, Message, make_finding
from converter.core.model import Autoscaling, Exposure, Workload
from converter.core.resources import load_schema
from converter.core.settings import Settings
from converter.pipeline.calls import CallGraph, rewrite_unserved_names
from converter.rules.env import plaintext_secret_findings
from converter.rules.exposure.forward import port_mapping_name, wire_exposures
from converter.rules.exposure.target_ports import declare_target_ports
from converter.rules.resources.forward import NoTaskSize, size_task
from converter.rules.scaling.forward import render_scaling
from converter.validate.ecs import validate_payloads
from converter.validate.ecs_rules import measured_task_definition
from converter.write.ecs.service import desired_count, render_service
from converter.write.ecs.taskdef import render_task_definition


@dataclass
class WorkloadOutput:
    name: str  # file stem: <name>.taskdef.json ...
    resource: str
    task_definition: dict[str, Any]
    service: dict[str, Any]
    scaling: dict[str, Any] | None
    # render_workload's measured_task_definition(): the size validation takes, the text the writers place
    task_definition_bytes: int | None = field(default=None, repr=False, compare=False)
    task_definition_text: str | None = field(default=None, repr=False, compare=False)



def renamed(workload: Workload, name: str) -> Finding:
    return make_finding("K2E-I308", workload.origin, Message("{} is named {} on ECS", workload.resource, name))


def _port_names(workload: Workload) -> dict[tuple[str, int], str]:
    names: dict[tuple[str, int], str] = {}
    used: set[str] = set()
    for container in workload.containers:
        for port in container.ports:
            name = port_mapping_name(container.name, port.container_port, port.name)
            if name in used:  # a port name may repeat across containers in Kubernetes, not in ECS
                name = port_mapping_name(container.name, port.container_port, None)
            used.add(name)
            names[(container.name, port.container_port)] = name
    return names


def render_workload(workload: Workload, name: str, exposures: list[Exposure], scaler: Autoscaling | None,
                    settings: Settings, findings: list[Finding], contributed: set[int] | None = None, *,
                    validate: bool = True, graph: CallGraph | None = None) -> WorkloadOutput | None:
    """The workload's payloads, or None when it cannot be converted (with the findings that say why).

    ``contributed`` receives the id() of each model that reached the output: the workload, the scaler and
    the Services whose ports were wired (the report's resource status, converted or not-converted).
    ``validate=False``: the caller passes the output to validate_output() itself, before using it.
    ``graph``: the run's call graph; the workload's calls and what its ECS service serves are added to it, and
    names of Services it cannot serve are rewritten first (K2E-W434)."""
    max_containers = load_schema("ecs_rules.json")["task_definition"]["max_containers"]
    if len(workload.containers) > max_containers:
        findings.append(make_finding("K2E-E144", workload.origin,
                                     f"{workload.resource} has {len(workload.containers)} containers; an ECS task holds at most {max_containers}; not converted"))
        return None
    twin = _repeated_container(workload)
    if twin is not None:
        findings.append(make_finding("K2E-E150", twin.origin.at(twin.origin.path + "/name"),
                                     f"{workload.resource} has two containers named {twin.name!r}; not converted"))
        return None
    findings.extend(plaintext_secret_findings(workload.resource, workload.containers))
    parsed = workload
    workload, port_findings = declare_target_ports(workload, exposures)
    findings.extend(port_findings)
    if graph is not None:
        workload, rewrite_findings = rewrite_unserved_names(workload, graph.index)
        findings.extend(rewrite_findings)
    port_names = _port_names(workload)
    wiring, wiring_findings = wire_exposures(workload, exposures, port_names, settings)
    findings.extend(wiring_findings)
    try:
        size, size_findings = size_task(workload, settings, service_connect_proxy=wiring.needs_service_connect_proxy)
    except NoTaskSize as err:
        findings.extend(err.args[0])
        return None
    findings.extend(size_findings)
    taskdef, task_findings = render_task_definition(
        workload, settings, family=name, size=size,
        port_name=lambda container, port, _declared: port_names[(container, port)],
        app_protocols=wiring.app_protocols, behind_load_balancer=bool(wiring.load_balancers))
    findings.extend(task_findings)
    text, size_bytes = measured_task_definition(taskdef)
    max_bytes = load_schema("ecs_rules.json")["task_definition"]["max_size_bytes"]
    if size_bytes > max_bytes:
        findings.append(make_finding("K2E-E151", workload.origin,
                                     f"{workload.resource}'s task definition is {size_bytes} bytes, over ECS's "
                                     f"{max_bytes}-byte limit; not converted"))
        return None
    desired = desired_count(workload, scaler, findings)
    service, service_findings = render_service(workload, settings, service_name=name, family=name,
                                               desired_count=desired,
                                               max_count=None if scaler is None else scaler.max_replicas,
                                               load_balancers=list(wiring.load_balancers),
                                               service_connect=wiring.service_connect,
                                               tags=taskdef.get("tags", []))
    findings.extend(service_findings)
    if graph is not None:
        findings.extend(graph.add(workload, service))
    scaling = None
    if scaler is not None:
        scaling, scaling_findings = render_scaling(scaler, service_name=name, size=size, settings=settings,
                                                   resource=workload.resource, paused=workload.replicas == 0)
        findings.extend(scaling_findings)
    output = WorkloadOutput(name=name, resource=workload.resource, task_definition=taskdef, service=service,
                            scaling=scaling, task_definition_bytes=size_bytes, task_definition_text=text)
    if validate:
        validate_output(output, workload, settings)
    if contributed is not None:
        contributed.add(id(parsed))
        contributed.update(wiring.wired)
        if scaler is not None:
            contributed.add(id(scaler))
    return output


def _repeated_container(workload: Workload) -> Any:
    """The second container of a name already taken (init and sidecar containers included), or None: the
    API server refuses such a pod (ValidatePodSpec: "Duplicate value"), and ECS such a task definition."""
    seen: set[str] = set()
    for container in workload.containers:
        if container.name in seen:
            return container
        seen.add(container.name)
    return None


def validate_output(output: WorkloadOutput, workload: Workload, settings: Settings) -> None:
    """Raise OutputValidationError, at the workload's line, when a payload fails the API model or an ECS rule."""
    scaling = output.scaling
    problems = validate_payloads(
        taskdef=output.task_definition, service=output.service,
        target=None if scaling is None else scaling["scalableTarget"],
        policies=[] if scaling is None else scaling["scalingPolicies"], launch_type=settings.launch_type,
        taskdef_bytes=output.task_definition_bytes)
    if problems:
        raise OutputValidationError.rendered(workload.resource, "ECS payload", problems,
                                             file=workload.origin.file, line=workload.origin.line)
