"""The neutral model: what a workload is, independent of Kubernetes and ECS spellings.

Frozen, keyword-only records (converter.core.record: dataclass semantics without dataclass's cost at import;
a new field is an annotation plus a parameter of ``__init__``); units in the names, converted once at the parse boundary
(CPU in cores as Decimal, memory in bytes as Decimal, times in seconds). ``None`` means "not said"
and is always distinct from 0 / False / empty.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from converter.core.findings import Origin
# How a workload is reached (a Kubernetes Service): its own module, part of this model (re-exported).
from converter.core.model_exposure import AnnotationUse, Exposure, ServicePort  # noqa: F401
from converter.core.record import Record, set_field

ContainerRole = Literal["app", "init", "sidecar"]


class EnvVar(Record):
    name: str
    value: str
    origin: Origin  # the entry that declares the variable (an env or envFrom entry)
    # Where the value itself is written, when not at ``origin``: the ConfigMap data key an envFrom entry
    # inlined it from (K2E-W152 points there, so the report and compare can tell which value it flags).
    value_origin: Origin | None

    def __init__(self, *, name: str, value: str, origin: Origin, value_origin: Origin | None = None) -> None:
        set_field(self, "name", name)
        set_field(self, "value", value)
        set_field(self, "origin", origin)
        set_field(self, "value_origin", value_origin)


class SecretEnv(Record):
    """An environment variable whose value lives in a secret store; the value itself is never read."""

    name: str
    secret_name: str
    key: str | None  # None: the whole secret
    origin: Origin
    value_from: str | None  # the secret store ARN or name, when the input names it (ECS secrets[].valueFrom)

    def __init__(self, *, name: str, secret_name: str, key: str | None, origin: Origin,
                 value_from: str | None = None) -> None:
        set_field(self, "name", name)
        set_field(self, "secret_name", secret_name)
        set_field(self, "key", key)
        set_field(self, "origin", origin)
        set_field(self, "value_from", value_from)


class Port(Record):
    container_port: int
    protocol: Literal["tcp", "udp"]
    name: str | None
    host_port: int | None
    origin: Origin

    def __init__(self, *, container_port: int, protocol: Literal["tcp", "udp"], name: str | None,
                 host_port: int | None, origin: Origin) -> None:
        set_field(self, "container_port", container_port)
        set_field(self, "protocol", protocol)
        set_field(self, "name", name)
        set_field(self, "host_port", host_port)
        set_field(self, "origin", origin)


class Probe(Record):
    handler: Literal["exec", "http", "tcp", "grpc"]
    command: tuple[str, ...] | None  # exec
    port: int | None  # http/tcp/grpc, resolved to a number
    path: str | None  # http
    scheme: Literal["HTTP", "HTTPS"]
    host: str | None
    headers: tuple[tuple[str, str], ...]
    grpc_service: str | None
    initial_delay_seconds: int
    period_seconds: int
    timeout_seconds: int
    failure_threshold: int
    success_threshold: int
    origin: Origin

    def __init__(self, *, handler: Literal["exec", "http", "tcp", "grpc"], command: tuple[str, ...] | None = None,
                 port: int | None = None, path: str | None = None, scheme: Literal["HTTP", "HTTPS"] = "HTTP",
                 host: str | None = None, headers: tuple[tuple[str, str], ...] = (),
                 grpc_service: str | None = None, initial_delay_seconds: int = 0, period_seconds: int = 10,
                 timeout_seconds: int = 1, failure_threshold: int = 3, success_threshold: int = 1,
                 origin: Origin) -> None:
        set_field(self, "handler", handler)
        set_field(self, "command", command)
        set_field(self, "port", port)
        set_field(self, "path", path)
        set_field(self, "scheme", scheme)
        set_field(self, "host", host)
        set_field(self, "headers", headers)
        set_field(self, "grpc_service", grpc_service)
        set_field(self, "initial_delay_seconds", initial_delay_seconds)
        set_field(self, "period_seconds", period_seconds)
        set_field(self, "timeout_seconds", timeout_seconds)
        set_field(self, "failure_threshold", failure_threshold)
        set_field(self, "success_threshold", success_threshold)
        set_field(self, "origin", origin)


class Mount(Record):
    volume: str
    path: str
    read_only: bool
    origin: Origin

    def __init__(self, *, volume: str, path: str, read_only: bool, origin: Origin) -> None:
        set_field(self, "volume", volume)
        set_field(self, "path", path)
        set_field(self, "read_only", read_only)
        set_field(self, "origin", origin)


class Volume(Record):
    name: str
    source: Literal["scratch", "host"]  # scratch: a task-scoped volume (emptyDir and what falls back to it)
    host_path: str | None
    origin: Origin

    def __init__(self, *, name: str, source: Literal["scratch", "host"], host_path: str | None,
                 origin: Origin) -> None:
        set_field(self, "name", name)
        set_field(self, "source", source)
        set_field(self, "host_path", host_path)
        set_field(self, "origin", origin)


class Resources(Record):
    cpu_request_cores: Decimal | None
    cpu_limit_cores: Decimal | None
    memory_request_bytes: Decimal | None
    memory_limit_bytes: Decimal | None
    gpu_count: int | None
    ephemeral_storage_bytes: Decimal | None

    def __init__(self, *, cpu_request_cores: Decimal | None = None, cpu_limit_cores: Decimal | None = None,
                 memory_request_bytes: Decimal | None = None, memory_limit_bytes: Decimal | None = None,
                 gpu_count: int | None = None, ephemeral_storage_bytes: Decimal | None = None) -> None:
        set_field(self, "cpu_request_cores", cpu_request_cores)
        set_field(self, "cpu_limit_cores", cpu_limit_cores)
        set_field(self, "memory_request_bytes", memory_request_bytes)
        set_field(self, "memory_limit_bytes", memory_limit_bytes)
        set_field(self, "gpu_count", gpu_count)
        set_field(self, "ephemeral_storage_bytes", ephemeral_storage_bytes)


class SecurityContext(Record):
    run_as_user: int | None
    run_as_group: int | None
    read_only_root_filesystem: bool | None
    privileged: bool | None
    capabilities_add: tuple[str, ...]
    capabilities_drop: tuple[str, ...]
    no_new_privileges: bool | None  # allowPrivilegeEscalation: false
    origin: Origin | None

    def __init__(self, *, run_as_user: int | None = None, run_as_group: int | None = None,
                 read_only_root_filesystem: bool | None = None, privileged: bool | None = None,
                 capabilities_add: tuple[str, ...] = (), capabilities_drop: tuple[str, ...] = (),
                 no_new_privileges: bool | None = None, origin: Origin | None = None) -> None:
        set_field(self, "run_as_user", run_as_user)
        set_field(self, "run_as_group", run_as_group)
        set_field(self, "read_only_root_filesystem", read_only_root_filesystem)
        set_field(self, "privileged", privileged)
        set_field(self, "capabilities_add", capabilities_add)
        set_field(self, "capabilities_drop", capabilities_drop)
        set_field(self, "no_new_privileges", no_new_privileges)
        set_field(self, "origin", origin)


_DEFAULT_RESOURCES = Resources()  # frozen: one instance serves every container that says nothing
_DEFAULT_SECURITY = SecurityContext()


class Container(Record):
    name: str
    image: str
    role: ContainerRole
    entry_point: tuple[str, ...] | None  # Kubernetes command
    command: tuple[str, ...] | None  # Kubernetes args
    working_directory: str | None
    environment: tuple[EnvVar, ...]
    secrets: tuple[SecretEnv, ...]
    ports: tuple[Port, ...]
    liveness: Probe | None
    readiness: Probe | None
    startup: Probe | None
    mounts: tuple[Mount, ...]
    resources: Resources
    security: SecurityContext
    interactive: bool | None
    pseudo_terminal: bool | None
    origin: Origin

    def __init__(self, *, name: str, image: str, role: ContainerRole, entry_point: tuple[str, ...] | None = None,
                 command: tuple[str, ...] | None = None, working_directory: str | None = None,
                 environment: tuple[EnvVar, ...] = (), secrets: tuple[SecretEnv, ...] = (),
                 ports: tuple[Port, ...] = (), liveness: Probe | None = None, readiness: Probe | None = None,
                 startup: Probe | None = None, mounts: tuple[Mount, ...] = (),
                 resources: Resources = _DEFAULT_RESOURCES, security: SecurityContext = _DEFAULT_SECURITY,
                 interactive: bool | None = None, pseudo_terminal: bool | None = None, origin: Origin) -> None:
        set_field(self, "name", name)
        set_field(self, "image", image)
        set_field(self, "role", role)
        set_field(self, "entry_point", entry_point)
        set_field(self, "command", command)
        set_field(self, "working_directory", working_directory)
        set_field(self, "environment", environment)
        set_field(self, "secrets", secrets)
        set_field(self, "ports", ports)
        set_field(self, "liveness", liveness)
        set_field(self, "readiness", readiness)
        set_field(self, "startup", startup)
        set_field(self, "mounts", mounts)
        set_field(self, "resources", resources)
        set_field(self, "security", security)
        set_field(self, "interactive", interactive)
        set_field(self, "pseudo_terminal", pseudo_terminal)
        set_field(self, "origin", origin)


class Rollout(Record):
    strategy: Literal["rolling", "recreate"]
    max_surge: int | str | None  # int or "25%"; None: Kubernetes default 25%
    max_unavailable: int | str | None
    origin: Origin
    progress_deadline_seconds: int | None  # Deployments only (defaulted to 600); None: no rollout deadline

    def __init__(self, *, strategy: Literal["rolling", "recreate"], max_surge: int | str | None = None,
                 max_unavailable: int | str | None = None, origin: Origin,
                 progress_deadline_seconds: int | None = None) -> None:
        set_field(self, "strategy", strategy)
        set_field(self, "max_surge", max_surge)
        set_field(self, "max_unavailable", max_unavailable)
        set_field(self, "origin", origin)
        set_field(self, "progress_deadline_seconds", progress_deadline_seconds)


class Workload(Record):
    kind: str  # source kind: Deployment or StatefulSet
    name: str
    namespace: str | None
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    pod_labels: tuple[tuple[str, str], ...]
    replicas: int | None
    rollout: Rollout
    containers: tuple[Container, ...]  # in start order: init, sidecars, app
    volumes: tuple[Volume, ...]
    service_account: str | None
    task_role_arn: str | None
    termination_grace_seconds: int | None
    cpu_architecture: Literal["X86_64", "ARM64"] | None
    operating_system: Literal["linux", "windows"] | None
    share_process_namespace: bool | None
    origin: Origin
    pod_annotations: tuple[tuple[str, str], ...]
    host_network: bool | None
    repository_credentials_arn: str | None  # the mapped imagePullSecret (k2ecs config repositoryCredentials:)

    def __init__(self, *, kind: str, name: str, namespace: str | None, labels: tuple[tuple[str, str], ...],
                 annotations: tuple[tuple[str, str], ...], pod_labels: tuple[tuple[str, str], ...],
                 replicas: int | None, rollout: Rollout, containers: tuple[Container, ...],
                 volumes: tuple[Volume, ...] = (), service_account: str | None = None,
                 task_role_arn: str | None = None, termination_grace_seconds: int | None = None,
                 cpu_architecture: Literal["X86_64", "ARM64"] | None = None,
                 operating_system: Literal["linux", "windows"] | None = None,
                 share_process_namespace: bool | None = None, origin: Origin,
                 pod_annotations: tuple[tuple[str, str], ...] = (), host_network: bool | None = None,
                 repository_credentials_arn: str | None = None) -> None:
        set_field(self, "kind", kind)
        set_field(self, "name", name)
        set_field(self, "namespace", namespace)
        set_field(self, "labels", labels)
        set_field(self, "annotations", annotations)
        set_field(self, "pod_labels", pod_labels)
        set_field(self, "replicas", replicas)
        set_field(self, "rollout", rollout)
        set_field(self, "containers", containers)
        set_field(self, "volumes", volumes)
        set_field(self, "service_account", service_account)
        set_field(self, "task_role_arn", task_role_arn)
        set_field(self, "termination_grace_seconds", termination_grace_seconds)
        set_field(self, "cpu_architecture", cpu_architecture)
        set_field(self, "operating_system", operating_system)
        set_field(self, "share_process_namespace", share_process_namespace)
        set_field(self, "origin", origin)
        set_field(self, "pod_annotations", pod_annotations)
        set_field(self, "host_network", host_network)
        set_field(self, "repository_credentials_arn", repository_credentials_arn)

    @property
    def resource(self) -> str:
        return f"{self.kind}/{self.name}"


class MetricTarget(Record):
    resource: Literal["cpu", "memory"]
    utilization_percent: Decimal | None  # of the pod's requests
    average_value: Decimal | None  # cores or bytes per pod
    origin: Origin

    def __init__(self, *, resource: Literal["cpu", "memory"], utilization_percent: Decimal | None = None,
                 average_value: Decimal | None = None, origin: Origin) -> None:
        set_field(self, "resource", resource)
        set_field(self, "utilization_percent", utilization_percent)
        set_field(self, "average_value", average_value)
        set_field(self, "origin", origin)


class Autoscaling(Record):
    name: str
    namespace: str | None
    target_kind: str
    target_name: str
    min_replicas: int
    max_replicas: int
    metrics: tuple[MetricTarget, ...]
    scale_out_cooldown_seconds: int
    scale_in_cooldown_seconds: int
    scale_in_disabled: bool
    scale_out_disabled: bool
    origin: Origin

    def __init__(self, *, name: str, namespace: str | None, target_kind: str, target_name: str, min_replicas: int,
                 max_replicas: int, metrics: tuple[MetricTarget, ...], scale_out_cooldown_seconds: int,
                 scale_in_cooldown_seconds: int, scale_in_disabled: bool = False, scale_out_disabled: bool = False,
                 origin: Origin) -> None:
        set_field(self, "name", name)
        set_field(self, "namespace", namespace)
        set_field(self, "target_kind", target_kind)
        set_field(self, "target_name", target_name)
        set_field(self, "min_replicas", min_replicas)
        set_field(self, "max_replicas", max_replicas)
        set_field(self, "metrics", metrics)
        set_field(self, "scale_out_cooldown_seconds", scale_out_cooldown_seconds)
        set_field(self, "scale_in_cooldown_seconds", scale_in_cooldown_seconds)
        set_field(self, "scale_in_disabled", scale_in_disabled)
        set_field(self, "scale_out_disabled", scale_out_disabled)
        set_field(self, "origin", origin)


class Bundle(Record):
    """Everything parsed from one input, before rendering."""

    workloads: tuple[Workload, ...]
    exposures: tuple[Exposure, ...]
    autoscalers: tuple[Autoscaling, ...]

    def __init__(self, *, workloads: tuple[Workload, ...] = (), exposures: tuple[Exposure, ...] = (),
                 autoscalers: tuple[Autoscaling, ...] = ()) -> None:
        set_field(self, "workloads", workloads)
        set_field(self, "exposures", exposures)
        set_field(self, "autoscalers", autoscalers)
