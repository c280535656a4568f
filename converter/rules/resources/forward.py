"""Resources and sizing, model -> ECS: what the pod needs, and the task size that covers it (docs/MAPPING.md#topic-task-size).

The pod's need follows Kubernetes, not an earlier draft of the mapping reference (which ignored native
sidecars started before an init container):

* SetDefaults_Pod (pkg/apis/core/v1/defaults.go): a container with a limit and no request for a
  resource is given request = limit, per resource. ``defaulted_requests`` is that rule's one home.
* AggregateContainerRequests / AggregateContainerLimits (k8s.io/component-helpers resource/helpers.go):
  the pod needs max(sum of app containers and restartable init containers (native sidecars),
  max over init containers i of (init container i + the sidecars declared before it)).
* Sums are exact (cores and bytes as Decimal) and rounded once to CPU units / MiB: rounding each
  container first turns 100m + 100m + 50m (exactly 256 units) into 258 units and a 512-unit task.

The Fargate table is data (schemas/fargate_sizes.json); this module only searches it.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Callable, Iterable

from converter.core.findings import Finding, make_finding
from converter.core.model import Container, Resources, Workload
from converter.core.quantity import cpu_units_from_cores, mib_from_bytes
from converter.core.record import Record, set_field
from converter.core.resources import load_schema
from converter.core.settings import Settings


# Service Connect's Envoy proxy is not in the task definition but needs room in the task (#topic-service-connect).
SERVICE_CONNECT_CPU_UNITS = 256
SERVICE_CONNECT_MEMORY_MIB = 64
# With no declared resources at all, the smallest Fargate size.
DEFAULT_CPU_UNITS = 256
DEFAULT_MEMORY_MIB = 512
# EC2: the smallest task-level cpu ECS accepts (task_definition_parameters: "128 CPU units (0.125 vCPUs)").
EC2_MIN_TASK_CPU_UNITS = 128

Amount = Callable[[Container], "Decimal | None"]


class TaskSize(Record):
    cpu_units: int  # the task's cpu: written to the task definition, or (EC2, not written) the containers' sum
    memory_mib: int
    need_cpu_units: int  # what the pod (plus anything k2ecs adds) needs, before rounding to a valid size
    need_memory_mib: int
    requests_cpu_cores: Decimal | None  # Σ defaulted requests of app containers and sidecars: the HPA denominator
    requests_memory_bytes: Decimal | None
    cpu_written: bool  # False on EC2 when the task-level cpu is left out (see _ec2_size)
    cpu_request_missing: tuple[str, ...]  # containers the HPA controller finds no cpu request on
    memory_request_missing: tuple[str, ...]

    def __init__(self, *, cpu_units: int, memory_mib: int, need_cpu_units: int, need_memory_mib: int,
                 requests_cpu_cores: Decimal | None, requests_memory_bytes: Decimal | None,
                 cpu_written: bool = True, cpu_request_missing: tuple[str, ...] = (),
                 memory_request_missing: tuple[str, ...] = ()) -> None:
        set_field(self, "cpu_units", cpu_units)
        set_field(self, "memory_mib", memory_mib)
        set_field(self, "need_cpu_units", need_cpu_units)
        set_field(self, "need_memory_mib", need_memory_mib)
        set_field(self, "requests_cpu_cores", requests_cpu_cores)
        set_field(self, "requests_memory_bytes", requests_memory_bytes)
        set_field(self, "cpu_written", cpu_written)
        set_field(self, "cpu_request_missing", cpu_request_missing)
        set_field(self, "memory_request_missing", memory_request_missing)


class NoTaskSize(Exception):
    """No valid size exists (K2E-E204 already recorded): the workload cannot be rendered."""


@cache
def fargate_sizes(operating_system: str = "LINUX") -> tuple[tuple[int, int], ...]:
    """Every valid (cpu units, memory MiB) pair, sorted by cpu then memory."""
    pairs = [
        (row["cpu_units"], memory)
        for row in load_schema("fargate_sizes.json")
        if operating_system in row["os"]
        for memory in row["memory_mib"]
    ]
    return tuple(sorted(pairs))


def smallest_fargate_size(need_cpu_units: int, need_memory_mib: int, operating_system: str = "LINUX") -> tuple[int, int] | None:
    """The smallest CPU tier that has a memory option covering the need, then its smallest such memory.

    This choice is never beaten on either dimension by another valid size (a brute-force check over the
    whole cpu and memory range showed it when the table was written).
    """
    for cpu_units, memory_mib in fargate_sizes(operating_system):
        if cpu_units >= need_cpu_units and memory_mib >= need_memory_mib:
            return cpu_units, memory_mib
    return None


def cores_to_units(cores: Decimal | None) -> int:
    return 0 if cores is None else cpu_units_from_cores(cores)


def bytes_to_mib(size: Decimal | None) -> int:
    return 0 if size is None else mib_from_bytes(size)


# -- requests as the API server stores them -------------------------------------------------------------

def defaulted_requests(resources: Resources) -> tuple[Decimal | None, Decimal | None]:
    """(cpu cores, memory bytes) requested once SetDefaults_Pod has run: for each resource with a limit and
    no request, request = limit (pkg/apis/core/v1/defaults.go). Used for sizing and for the HPA alike."""
    cpu = resources.cpu_request_cores if resources.cpu_request_cores is not None else resources.cpu_limit_cores
    memory = resources.memory_request_bytes if resources.memory_request_bytes is not None else resources.memory_limit_bytes
    return cpu, memory


def need(container: Container, policy: str) -> tuple[Decimal | None, Decimal | None]:
    """(cpu cores, memory bytes) one container needs under the sizing policy (#topic-task-size)."""
    r = container.resources
    cpu_request, memory_request = defaulted_requests(r)
    if policy == "requests":
        return cpu_request, memory_request
    cpu_limit = r.cpu_limit_cores if r.cpu_limit_cores is not None else r.cpu_request_cores
    memory_limit = r.memory_limit_bytes if r.memory_limit_bytes is not None else r.memory_request_bytes
    if policy == "limits":
        return cpu_limit, memory_limit
    # recommended: cpu from requests (a weight), memory from limits (a hard kill line, #topic-container-resources)
    return cpu_request, memory_limit


def pod_total(containers: Iterable[Container], amount: Amount) -> Decimal:
    """The pod's effective amount, as AggregateContainerRequests (component-helpers resource/helpers.go):
    init container i runs next to every restartable init container declared before it."""
    running = Decimal(0)  # app containers and every native sidecar
    sidecars_so_far = Decimal(0)
    init_peak = Decimal(0)
    for container in containers:
        value = amount(container)
        value = Decimal(0) if value is None else value
        if container.role == "app":
            running += value
        elif container.role == "sidecar":
            running += value
            sidecars_so_far += value
            init_peak = max(init_peak, sidecars_so_far)
        else:
            init_peak = max(init_peak, value + sidecars_so_far)
    return max(running, init_peak)


def _running(workload: Workload) -> list[Container]:
    """The containers the HPA controller sums requests over: app containers and restartable init containers
    (calculatePodRequestsFromContainers, pkg/controller/podautoscaler/replica_calculator.go)."""
    return [c for c in workload.containers if c.role != "init"]


def _requests(workload: Workload, index: int) -> tuple[Decimal | None, tuple[str, ...]]:
    running = _running(workload)
    values = [(c.name, defaulted_requests(c.resources)[index]) for c in running]
    missing = tuple(name for name, value in values if value is None)
    present = [value for _, value in values if value is not None]
    return (sum(present, Decimal(0)) if present else None), missing


# -- the task size ----------------------------------------------------------------------------------------

def size_task(workload: Workload, settings: Settings, *, service_connect_proxy: bool) -> tuple[TaskSize, list[Finding]]:
    findings: list[Finding] = []
    containers = workload.containers
    need_cpu_cores = pod_total(containers, lambda c: need(c, settings.sizing)[0])
    need_memory_bytes = pod_total(containers, lambda c: need(c, settings.sizing)[1])
    cpu_units, memory_mib = cores_to_units(need_cpu_cores), bytes_to_mib(need_memory_bytes)
    declared = cpu_units > 0 or memory_mib > 0
    if service_connect_proxy:
        cpu_units += SERVICE_CONNECT_CPU_UNITS
        memory_mib += SERVICE_CONNECT_MEMORY_MIB
    requests_cpu, cpu_missing = _requests(workload, 0)
    requests_memory, memory_missing = _requests(workload, 1)
    common = dict(need_cpu_units=cpu_units, need_memory_mib=memory_mib, requests_cpu_cores=requests_cpu,
                  requests_memory_bytes=requests_memory, cpu_request_missing=cpu_missing,
                  memory_request_missing=memory_missing)
    if not settings.fargate:
        task_cpu, task_memory, cpu_written = _ec2_size(workload, settings, cpu_units, memory_mib, declared,
                                                       service_connect_proxy, findings)
        return TaskSize(cpu_units=task_cpu, memory_mib=task_memory, cpu_written=cpu_written, **common), findings
    if not declared:
        findings.append(make_finding("K2E-W201", workload.origin.at(workload.origin.path + "/spec/template/spec/containers"),
                                     f"no container of {workload.resource} declares cpu or memory; "
                                     f"sized at the smallest Fargate size"))
    need_cpu, need_memory = max(cpu_units, 1), max(memory_mib, 1)
    chosen = smallest_fargate_size(need_cpu, need_memory, "WINDOWS" if workload.operating_system == "windows" else "LINUX")
    if chosen is None:
        findings.append(make_finding("K2E-E204", workload.origin,
                                     f"{workload.resource} needs {need_cpu} CPU units and {need_memory} MiB; the largest Fargate size is 16384 / 122880"))
        raise NoTaskSize(findings)
    if declared and chosen != (need_cpu, need_memory):
        findings.append(make_finding("K2E-I205", workload.origin,
                                     f"{workload.resource} needs {need_cpu} CPU units / {need_memory} MiB"
                                     + (" (with the Service Connect proxy)" if service_connect_proxy else "")
                                     + f"; Fargate size {chosen[0]} / {chosen[1]} chosen"))
    return TaskSize(cpu_units=chosen[0], memory_mib=chosen[1], **common), findings


def _ec2_size(workload: Workload, settings: Settings, cpu_units: int, memory_mib: int, declared: bool,
              service_connect_proxy: bool, findings: list[Finding]) -> tuple[int, int, bool]:
    """(cpu units, memory MiB, whether the task-level cpu is written) on EC2.

    The ECS developer guide (task_definition_parameters_ec2, "Task size"): on EC2 the task-level cpu and
    memory are optional, and a task-level cpu is a hard cap on the whole task. The kubelet caps a pod's CPU
    only when every container has a cpu limit (the pod cgroup's quota is the sum of the limits), so the task
    cpu is written only then, as the aggregated limits; otherwise it is left out and each container keeps
    its request as cpu shares, free to burst into idle CPU as the pod could. The task memory stays: on EC2
    an init container has no container-level memory, so a task with one needs the task-level value (V8).
    """
    running = _running(workload)
    all_limited = bool(running) and all(c.resources.cpu_limit_cores is not None
                                        for c in workload.containers)
    origin = workload.origin.at(workload.origin.path + "/spec/template/spec/containers")
    task_memory = memory_mib if memory_mib > 0 else DEFAULT_MEMORY_MIB
    if all_limited:
        limits = pod_total(workload.containers, lambda c: c.resources.cpu_limit_cores)
        task_cpu = max(cores_to_units(limits) + (SERVICE_CONNECT_CPU_UNITS if service_connect_proxy else 0),
                       EC2_MIN_TASK_CPU_UNITS)
        return task_cpu, task_memory, True
    shares = sum(cores_to_units(cpu) for c in running
                 if (cpu := need(c, settings.sizing)[0]) is not None)
    if not declared:
        findings.append(make_finding("K2E-W201", origin,
                                     f"no container of {workload.resource} declares cpu or memory; task memory "
                                     f"{task_memory} MiB (a hard limit on EC2) written, task cpu left out"))
    else:
        findings.append(make_finding("K2E-I211", origin,
                                     f"{workload.resource}: not every container has a cpu limit, so the task-level "
                                     f"cpu (a hard cap on EC2) was left out; the containers reserve {shares} CPU units "
                                     f"as shares and may use idle CPU, as the pod could"))
    return shares, task_memory, False
