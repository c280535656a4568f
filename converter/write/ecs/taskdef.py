"""The neutral Workload -> an ECS RegisterTaskDefinition payload (docs/MAPPING.md#rules-k8s), with its size."""

from __future__ import annotations

import re
from typing import Any, Callable

from converter.rules.health import render_health_check
from converter.rules.resources import TaskSize, bytes_to_mib, cores_to_units, need
from converter.rules.naming import render_tags
from converter.write.ecs.task_resources import ephemeral_storage, fit_container_cpu, fit_container_memory
from converter.core.findings import Finding, make_finding
from converter.core.model import Container, Workload
from converter.core.record import Record, set_field
from converter.core.resources import load_schema
from converter.core.settings import Settings, placeholder

WINDOWS_FAMILY = "WINDOWS_SERVER_2022_CORE"  # the version Kubernetes does not carry (#topic-pod-networking): stated in W148
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
    _dependencies(workload, containers, findings)
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
    needs_execution_role = settings.fargate or any("secrets" in c or "repositoryCredentials" in c for c in containers)
    if settings.execution_role_arn is not None:
        payload["executionRoleArn"] = settings.execution_role_arn
    elif needs_execution_role:
        payload["executionRoleArn"] = placeholder("execution-role-arn")
        findings.append(make_finding("K2E-W602", workload.origin,
                                     f"{workload.resource}: no execution role given; a placeholder was written"))
    if workload.task_role_arn is not None:
        payload["taskRoleArn"] = workload.task_role_arn
    if workload.operating_system == "windows":
        payload["runtimePlatform"] = {"operatingSystemFamily": WINDOWS_FAMILY, "cpuArchitecture": "X86_64"}
        findings.append(make_finding("K2E-W148", workload.origin,
                                     f"{workload.resource} runs on Windows; {WINDOWS_FAMILY} assumed"))
    elif workload.cpu_architecture is not None or workload.operating_system == "linux":
        platform = {"operatingSystemFamily": "LINUX"}
        if workload.cpu_architecture is not None:
            platform["cpuArchitecture"] = workload.cpu_architecture
        payload["runtimePlatform"] = platform
    if workload.share_process_namespace:
        payload["pidMode"] = "task"
    storage = ephemeral_storage(workload, settings, findings)
    if storage is not None:
        payload["ephemeralStorage"] = {"sizeInGiB": storage}
    volumes = _volumes(workload, settings, findings)
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
    secrets = [{"name": s.name, "valueFrom": _secret_arn(s, settings, findings)} for s in container.secrets]
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
    _security(container, settings, out, findings)
    if workload.operating_system == "windows":
        _drop_linux_only(container, out, findings)
    stop = _stop_timeout(workload, settings, container, findings)
    if stop is not None:
        out["stopTimeout"] = stop
    if container.interactive is not None:
        out["interactive"] = container.interactive
    if container.pseudo_terminal is not None:
        out["pseudoTerminal"] = container.pseudo_terminal
    if settings.log_driver == "awslogs":
        group = f"{settings.log_group_prefix}{workload.name}"
        if settings.region is None and container is workload.containers[0]:
            findings.append(make_finding("K2E-W607", workload.origin,
                                         f"{workload.resource}: no region given for awslogs; a placeholder was written"))
        if container is workload.containers[0]:
            # awslogs-create-group defaults to false (ECS developer guide, "Using the awslogs log driver"):
            # a task whose log group does not exist fails to start.
            findings.append(make_finding("K2E-I620", workload.origin,
                                         f"{workload.resource} logs to CloudWatch log group {group}, which ECS does not "
                                         f"create: create it before the first task starts (aws logs create-log-group "
                                         f"--log-group-name {group}); k2ecs apply and the cloudformation and terraform "
                                         "formats create it"))
        out["logConfiguration"] = {"logDriver": "awslogs", "options": {
            "awslogs-group": group,
            "awslogs-region": settings.region or placeholder("region"),
            "awslogs-stream-prefix": "ecs",
        }}


def _secret_arn(secret, settings: Settings, findings: list[Finding]) -> str:
    keyed = settings.secrets.get(f"{secret.secret_name}/{secret.key}")
    if keyed is not None:
        return keyed
    whole = settings.secrets.get(secret.secret_name)
    if whole is not None and ":secretsmanager:" in whole:
        # One JSON key of a Secrets Manager secret: ARN:json-key:version-stage:version-id (#topic-environment).
        return f"{whole}:{secret.key}::"
    findings.append(make_finding("K2E-W103", secret.origin,
                                 f"{secret.name} comes from Secret {secret.secret_name} key {secret.key}; no ARN mapped, placeholder written"))
    return placeholder(f"secret-arn:{secret.secret_name}/{secret.key}")


def _security(container: Container, settings: Settings, out: dict[str, Any], findings: list[Finding]) -> None:
    sec = container.security
    origin = sec.origin or container.origin
    if sec.run_as_user is not None:
        out["user"] = str(sec.run_as_user) if sec.run_as_group is None else f"{sec.run_as_user}:{sec.run_as_group}"
    elif sec.run_as_group is not None:
        findings.append(make_finding("K2E-W132", origin, f"runAsGroup of {container.name!r} without runAsUser cannot be expressed"))
    if sec.read_only_root_filesystem is not None:
        out["readonlyRootFilesystem"] = sec.read_only_root_filesystem
    if sec.privileged:
        if settings.fargate:
            findings.append(make_finding("K2E-W130", origin, f"{container.name!r} is privileged; Fargate does not allow it, not written"))
        else:
            out["privileged"] = True
    add = list(sec.capabilities_add)
    if settings.fargate:
        refused = [cap for cap in add if cap != "SYS_PTRACE"]
        if refused:
            findings.append(make_finding("K2E-W130", origin, f"capabilities {', '.join(refused)} of {container.name!r} cannot be added on Fargate (only SYS_PTRACE)"))
        add = [cap for cap in add if cap == "SYS_PTRACE"]
    capabilities: dict[str, Any] = {}
    if add:
        capabilities["add"] = add
    if sec.capabilities_drop:
        capabilities["drop"] = list(sec.capabilities_drop)
    if capabilities:
        out["linuxParameters"] = {"capabilities": capabilities}
    if sec.no_new_privileges:
        if settings.fargate:
            findings.append(make_finding("K2E-W130", origin, f"allowPrivilegeEscalation: false of {container.name!r} needs dockerSecurityOptions, which Fargate does not allow"))
        else:
            out["dockerSecurityOptions"] = ["no-new-privileges"]


# ContainerRestartPolicy: restartAttemptPeriod is 60-1800 s (default 300); the shortest restarts most like the kubelet.
SIDECAR_RESTART_POLICY = {"enabled": True, "restartAttemptPeriod": 60}
# botocore ContainerDefinition: "This parameter is not supported for Windows containers."
LINUX_ONLY_FIELDS = ("user", "readonlyRootFilesystem", "linuxParameters")


def _drop_linux_only(container: Container, out: dict[str, Any], findings: list[Finding]) -> None:
    dropped = [key for key in LINUX_ONLY_FIELDS if out.pop(key, None) is not None]
    if dropped:
        findings.append(make_finding("K2E-W180", container.security.origin or container.origin,
                                     f"{', '.join(dropped)} of {container.name!r} not written: ECS does not support "
                                     "them for Windows containers"))


def _stop_timeout(workload: Workload, settings: Settings, container: Container, findings: list[Finding]) -> int | None:
    grace = workload.termination_grace_seconds
    if grace is None:
        return None
    if not settings.fargate:
        return grace
    limits = {item["field"]: item for item in load_schema("ecs_rules.json")["V15_fargate_container_timeouts"]}
    low, high = limits["stopTimeout"]["min"], limits["stopTimeout"]["max"]
    value = max(low, min(high, grace))
    if value != grace and container is workload.containers[0]:
        findings.append(make_finding("K2E-W135", workload.origin.at(workload.origin.path + "/spec/template/spec/terminationGracePeriodSeconds"),
                                     f"terminationGracePeriodSeconds {grace} became stopTimeout {value} (Fargate allows {low}-{high})"))
    return value


def _dependencies(workload: Workload, containers: list[dict[str, Any]], findings: list[Finding]) -> None:
    """Kubernetes start order as ECS dependsOn (#topic-init-and-sidecars).

    Each entry of initContainers waits for the one before it: a regular init container to exit 0
    (SUCCESS), a native sidecar to have started (START). App containers wait for the last regular init
    container and for every sidecar.
    """
    by_name = {c["name"]: c for c in containers}
    chain = [c for c in workload.containers if c.role != "app"]
    for before, after in zip(chain, chain[1:]):
        condition = "SUCCESS" if before.role == "init" else "START"
        by_name[after.name]["dependsOn"] = [{"containerName": before.name, "condition": condition}]
    inits = [c.name for c in chain if c.role == "init"]
    for container in workload.containers:
        if container.role != "app":
            continue
        depends = [{"containerName": inits[-1], "condition": "SUCCESS"}] if inits else []
        depends += [{"containerName": c.name, "condition": "START"} for c in chain if c.role == "sidecar"]
        if depends:
            by_name[container.name]["dependsOn"] = depends
    if inits:
        findings.append(make_finding("K2E-I141", workload.origin,
                                     f"{len(inits)} init container(s) of {workload.resource} became non-essential containers "
                                     "chained with dependsOn SUCCESS; the task size covers each of them next to the sidecars started before it, so they carry no container-level cpu or memory"))


def _volumes(workload: Workload, settings: Settings, findings: list[Finding]) -> list[dict[str, Any]]:
    volumes = []
    for volume in workload.volumes:
        if volume.source == "host" and not settings.fargate:
            volumes.append({"name": volume.name, "host": {"sourcePath": volume.host_path}})
            continue
        if volume.source == "host":
            findings.append(make_finding("K2E-W123", volume.origin,
                                         f"hostPath volume {volume.name!r} became a task-scoped volume (Fargate has no host paths)"))
        volumes.append({"name": volume.name})
    return volumes


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
