"""The neutral Workload -> an ECS RegisterTaskDefinition payload (docs/MAPPING.md#rules-k8s), with its size.

This module assembles the payload; each concern's part of it is that concern's rule (converter/rules/: resources,
health, env, volumes, security, process, logging, placement, identity, naming; ports are exposure's names).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from converter.core.findings import Finding, make_finding
from converter.core.model import Container, Workload
from converter.core.record import Record, set_field
from converter.core.settings import Settings
from converter.rules.env import secret_arn
from converter.rules.health import render_health_check
from converter.rules.identity import role_fields
from converter.rules.logging import log_configuration
from converter.rules.naming import render_tags
from converter.rules.placement import platform_fields
from converter.rules.process import SIDECAR_RESTART_POLICY, dependencies, stop_timeout
from converter.rules.resources.forward import TaskSize, bytes_to_mib, cores_to_units, need
from converter.rules.security import container_security, drop_linux_only
from converter.rules.volumes import task_volumes
from converter.rules.resources.containers import ephemeral_storage, fit_container_cpu, fit_container_memory

PortNamer = Callable[[str, int, "str | None"], str]


def render_task_definition(workload: Workload, settings: Settings, *, family: str, size: TaskSize,
                           port_name: PortNamer, app_protocols: dict[str, str],
                           behind_load_balancer: bool) -> tuple[dict[str, Any], list[Finding]]:
    findings: list[Finding] = []
    volume_names = {v.name for v in workload.volumes}
    context = _RenderContext(workload=workload, settings=settings, port_name=port_name, app_protocols=app_protocols,
                             volume_names=volume_names, behind_load_balancer=behind_load_balancer,
                             dropped_ports=_shared_ports(workload, findings), findings=findings)
    containers = [_container(c, context) for c in workload.containers]
    dependencies(workload, containers, findings)
    fit_container_memory(workload, containers, size, findings)
    fit_container_cpu(containers, size)
    payload: dict[str, Any] = {
        "family": family,
        "networkMode": "awsvpc",
        "requiresCompatibilities": [settings.launch_type],
        **({"cpu": str(size.cpu_units)} if size.cpu_written else {}),
        "memory": str(size.memory_mib),
        "containerDefinitions": containers,
    }
    payload.update(role_fields(workload, settings, containers, findings))
    payload.update(platform_fields(workload, findings))
    storage = ephemeral_storage(workload, settings, findings)
    if storage is not None:
        payload["ephemeralStorage"] = {"sizeInGiB": storage}
    volumes = task_volumes(workload, settings, findings)
    if volumes:
        payload["volumes"] = volumes
    tags, tag_findings = render_tags(workload)
    findings.extend(tag_findings)
    if tags:
        payload["tags"] = tags
    return payload, findings


class _RenderContext(Record):
    workload: Workload
    settings: Settings
    port_name: PortNamer
    app_protocols: dict[str, str]
    volume_names: set[str]
    behind_load_balancer: bool
    dropped_ports: set[tuple[str, int]]
    findings: list[Finding]

    def __init__(self, workload: Workload, settings: Settings, port_name: PortNamer, app_protocols: dict[str, str],
                 volume_names: set[str], behind_load_balancer: bool, dropped_ports: set[tuple[str, int]],
                 findings: list[Finding]) -> None:
        set_field(self, "workload", workload)
        set_field(self, "settings", settings)
        set_field(self, "port_name", port_name)
        set_field(self, "app_protocols", app_protocols)
        set_field(self, "volume_names", volume_names)
        set_field(self, "behind_load_balancer", behind_load_balancer)
        set_field(self, "dropped_ports", dropped_ports)
        set_field(self, "findings", findings)


def _container(container: Container, context: _RenderContext) -> dict[str, Any]:
    settings, findings = context.settings, context.findings
    out: dict[str, Any] = {"name": container.name, "image": container.image,
                           "essential": container.role == "app"}
    if container.role == "sidecar":
        # The kubelet restarts a native sidecar that exits and the pod runs on; an essential ECS container
        # that exits stops the whole task. Non-essential with a restart policy is the ECS equivalent (K2E-I183).
        out["restartPolicy"] = dict(SIDECAR_RESTART_POLICY)
        context.findings.append(make_finding(
            "K2E-I183", container.origin,
            f"native sidecar {container.name!r} became non-essential with restartPolicy enabled: ECS restarts it in "
            f"place when it exits, as the kubelet does, except within {SIDECAR_RESTART_POLICY['restartAttemptPeriod']} s "
            "of its start (the kubelet keeps restarting with back-off); the task then runs on without it"))
    credentials = context.workload.repository_credentials_arn
    if credentials is not None and _ECR_IMAGE.match(container.image) is None:
        # ECR images are pulled with the execution role; repositoryCredentials is for other registries.
        out["repositoryCredentials"] = {"credentialsParameter": credentials}
    if container.entry_point is not None:
        out["entryPoint"] = list(container.entry_point)
    if container.command is not None:
        out["command"] = list(container.command)
    if container.working_directory is not None:
        out["workingDirectory"] = container.working_directory
    if container.role == "init":
        _ports_and_rest(container, context, out)
        return out
    r = container.resources
    cpu, _ = need(container, settings.sizing)
    if cpu is not None:
        out["cpu"] = cores_to_units(cpu)
    if r.cpu_limit_cores is not None:
        findings.append(make_finding("K2E-W202", container.origin,
                                     f"cpu limit of {container.name!r} has no per-container cap on ECS; the task cpu is the only hard limit"))
    if r.memory_limit_bytes is not None:
        out["memory"] = bytes_to_mib(r.memory_limit_bytes)
    if r.memory_request_bytes is not None:
        reservation = bytes_to_mib(r.memory_request_bytes)
        if "memory" in out and reservation >= out["memory"]:
            # memoryReservation must be strictly below memory (#topic-container-resources): Guaranteed QoS becomes memory alone.
            findings.append(make_finding("K2E-I209", container.origin,
                                         f"memory request of {container.name!r} equals its limit; written as memory {out['memory']} MiB alone"))
        else:
            out["memoryReservation"] = reservation
    if r.gpu_count is not None:
        if settings.fargate:
            findings.append(make_finding("K2E-W206", container.origin,
                                         f"{container.name!r} asks for {r.gpu_count} GPU(s); Fargate has none, so it was not written"))
        else:
            out["resourceRequirements"] = [{"type": "GPU", "value": str(r.gpu_count)}]
    _ports_and_rest(container, context, out)
    return out


def _ports_and_rest(container: Container, context: _RenderContext, out: dict[str, Any]) -> None:
    workload, settings, findings = context.workload, context.settings, context.findings
    port_name, app_protocols = context.port_name, context.app_protocols
    ports = []
    for port in container.ports:
        if (container.name, port.container_port) in context.dropped_ports:
            continue
        mapping: dict[str, Any] = {"containerPort": port.container_port, "protocol": port.protocol,
                                   "name": port_name(container.name, port.container_port, port.name)}
        if mapping["name"] in app_protocols:
            mapping["appProtocol"] = app_protocols[mapping["name"]]
        ports.append(mapping)
    if ports:
        out["portMappings"] = ports
    environment = [{"name": e.name, "value": e.value} for e in container.environment]
    if environment:
        out["environment"] = environment
    secrets = [{"name": s.name, "valueFrom": secret_arn(s, settings, findings)} for s in container.secrets]
    if secrets:
        out["secrets"] = secrets
    mounts = [{"sourceVolume": m.volume, "containerPath": m.path, "readOnly": m.read_only}
              for m in container.mounts if m.volume in context.volume_names]
    if mounts:
        out["mountPoints"] = mounts
    check, check_findings = render_health_check(container)
    findings.extend(check_findings)
    if check is not None:
        out["healthCheck"] = check
    if container.readiness is not None and not context.behind_load_balancer:
        findings.append(make_finding("K2E-W115", container.readiness.origin,
                                     f"readinessProbe of {container.name!r} has no ECS equivalent without a load balancer"))
    container_security(container, settings, out, findings)
    if workload.operating_system == "windows":
        drop_linux_only(container, out, findings)
    stop = stop_timeout(workload, settings, container, findings)
    if stop is not None:
        out["stopTimeout"] = stop
    if container.interactive is not None:
        out["interactive"] = container.interactive
    if container.pseudo_terminal is not None:
        out["pseudoTerminal"] = container.pseudo_terminal
    log = log_configuration(workload, settings, container, findings)
    if log is not None:
        out["logConfiguration"] = log


_NAME_INVALID = re.compile(r"[^A-Za-z0-9_-]")
_ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/")


def ecs_name(name: str) -> str:
    """A Kubernetes name as an ECS family/service name: [A-Za-z0-9_-], at most 255 (#topic-names)."""
    return _NAME_INVALID.sub("-", name)[:255]


def _shared_ports(workload: Workload, findings: list[Finding]) -> set[tuple[str, int]]:
    """awsvpc gives the task one network namespace: a container port may be declared by one container only (V12)."""
    owner: dict[int, str] = {}
    dropped: set[tuple[str, int]] = set()
    for container in workload.containers:
        for port in container.ports:
            first = owner.setdefault(port.container_port, container.name)
            if first != container.name:
                dropped.add((container.name, port.container_port))
                findings.append(make_finding("K2E-W138", port.origin,
                                             f"port {port.container_port} of {container.name!r} is already declared by {first!r}; "
                                             "containers of one task share a network namespace, so it was dropped"))
    return dropped
