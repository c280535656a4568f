"""The neutral model: what a workload is, independent of Kubernetes and ECS spellings.

Frozen, keyword-only dataclasses; units in the names, converted once at the parse boundary
(CPU in cores as Decimal, memory in bytes as Decimal, times in seconds). ``None`` means "not said"
and is always distinct from 0 / False / empty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from converter.findings import Origin

ContainerRole = Literal["app", "init", "sidecar"]


@dataclass(frozen=True, kw_only=True)
class EnvVar:
    name: str
    value: str
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class SecretEnv:
    """An environment variable whose value lives in a secret store; the value itself is never read."""

    name: str
    secret_name: str
    key: str | None  # None: the whole secret
    origin: Origin
    value_from: str | None = None  # the secret store ARN or name, when the input names it (ECS secrets[].valueFrom)


@dataclass(frozen=True, kw_only=True)
class Port:
    container_port: int
    protocol: Literal["tcp", "udp"]
    name: str | None
    host_port: int | None
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class Probe:
    handler: Literal["exec", "http", "tcp", "grpc"]
    command: tuple[str, ...] | None = None  # exec
    port: int | None = None  # http/tcp/grpc, resolved to a number
    path: str | None = None  # http
    scheme: Literal["HTTP", "HTTPS"] = "HTTP"
    host: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    grpc_service: str | None = None
    initial_delay_seconds: int = 0
    period_seconds: int = 10
    timeout_seconds: int = 1
    failure_threshold: int = 3
    success_threshold: int = 1
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class Mount:
    volume: str
    path: str
    read_only: bool
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class Volume:
    name: str
    source: Literal["scratch", "host"]  # scratch: a task-scoped volume (emptyDir and what falls back to it)
    host_path: str | None
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class Resources:
    cpu_request_cores: Decimal | None = None
    cpu_limit_cores: Decimal | None = None
    memory_request_bytes: Decimal | None = None
    memory_limit_bytes: Decimal | None = None
    gpu_count: int | None = None
    ephemeral_storage_bytes: Decimal | None = None


@dataclass(frozen=True, kw_only=True)
class SecurityContext:
    run_as_user: int | None = None
    run_as_group: int | None = None
    read_only_root_filesystem: bool | None = None
    privileged: bool | None = None
    capabilities_add: tuple[str, ...] = ()
    capabilities_drop: tuple[str, ...] = ()
    no_new_privileges: bool | None = None  # allowPrivilegeEscalation: false
    origin: Origin | None = None


@dataclass(frozen=True, kw_only=True)
class Container:
    name: str
    image: str
    role: ContainerRole
    entry_point: tuple[str, ...] | None = None  # Kubernetes command
    command: tuple[str, ...] | None = None  # Kubernetes args
    working_directory: str | None = None
    environment: tuple[EnvVar, ...] = ()
    secrets: tuple[SecretEnv, ...] = ()
    ports: tuple[Port, ...] = ()
    liveness: Probe | None = None
    readiness: Probe | None = None
    startup: Probe | None = None
    mounts: tuple[Mount, ...] = ()
    resources: Resources = field(default_factory=Resources)
    security: SecurityContext = field(default_factory=SecurityContext)
    interactive: bool | None = None
    pseudo_terminal: bool | None = None
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class Rollout:
    strategy: Literal["rolling", "recreate"]
    max_surge: int | str | None = None  # int or "25%"; None: Kubernetes default 25%
    max_unavailable: int | str | None = None
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class Workload:
    kind: str  # source kind: Deployment or StatefulSet
    name: str
    namespace: str | None
    labels: tuple[tuple[str, str], ...]
    annotations: tuple[tuple[str, str], ...]
    pod_labels: tuple[tuple[str, str], ...]
    replicas: int | None
    rollout: Rollout
    containers: tuple[Container, ...]  # in start order: init, sidecars, app
    volumes: tuple[Volume, ...] = ()
    service_account: str | None = None
    task_role_arn: str | None = None
    termination_grace_seconds: int | None = None
    cpu_architecture: Literal["X86_64", "ARM64"] | None = None
    operating_system: Literal["linux", "windows"] | None = None
    share_process_namespace: bool | None = None
    origin: Origin
    pod_annotations: tuple[tuple[str, str], ...] = ()
    host_network: bool | None = None

    @property
    def resource(self) -> str:
        return f"{self.kind}/{self.name}"


@dataclass(frozen=True, kw_only=True)
class ServicePort:
    name: str | None
    port: int
    target_port: int | str  # a number or a container port name
    protocol: Literal["tcp", "udp", "sctp"]
    app_protocol: str | None
    node_port: int | None
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class Exposure:
    """A Kubernetes Service: how a workload is reached."""

    name: str
    namespace: str | None
    type: Literal["ClusterIP", "LoadBalancer", "NodePort", "Headless", "ExternalName"]
    selector: tuple[tuple[str, str], ...]
    ports: tuple[ServicePort, ...]
    load_balancer_scheme: Literal["internal", "internet-facing"] | None = None
    load_balancer_type: Literal["nlb", "alb"] | None = None
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class MetricTarget:
    resource: Literal["cpu", "memory"]
    utilization_percent: Decimal | None = None  # of the pod's requests
    average_value: Decimal | None = None  # cores or bytes per pod
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class Autoscaling:
    name: str
    namespace: str | None
    target_kind: str
    target_name: str
    min_replicas: int
    max_replicas: int
    metrics: tuple[MetricTarget, ...]
    scale_out_cooldown_seconds: int
    scale_in_cooldown_seconds: int
    scale_in_disabled: bool = False
    scale_out_disabled: bool = False
    origin: Origin


@dataclass(frozen=True, kw_only=True)
class Bundle:
    """Everything parsed from one input, before rendering."""

    workloads: tuple[Workload, ...] = ()
    exposures: tuple[Exposure, ...] = ()
    autoscalers: tuple[Autoscaling, ...] = ()
