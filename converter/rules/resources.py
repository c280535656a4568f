"""Resources and sizing both ways: what the pod needs and the task size that covers it (docs/MAPPING.md#topic-task-size), and back.

Model -> ECS: ``size_task`` (and ``need``, ``cores_to_units``, ``bytes_to_mib`` for the containers). ECS -> model:
``container_resources`` (cpu units, memory, GPU -> requests and limits), ``task_size`` and ``give_task_size`` (the
task-level size -> the one container that declares none, #topic-reverse). The field pairs are at the end.

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

from dataclasses import replace
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any, Callable, Iterable

from converter.core.findings import Finding, make_finding
from converter.core.model import Container, Resources, Workload
from converter.core.quantity import (MIB, TaskSizeError, cpu_units_from_cores, mib_from_bytes, millicores_for_units,
                                     parse_task_size, units_for_millicores)
from converter.core.record import Record, set_field
from converter.core.resources import load_schema
from converter.core.settings import Settings

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls the ECS -> model functions with them
    from converter.core.reader import Path
    from converter.read.ecs.view import EcsView


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


# -- ECS -> the model: container cpu/memory/GPU -> requests and limits, the task size -> a container's (read/ecs/) --

def container_resources(view: EcsView, path: Path, name: str) -> Resources:
    cpu_units = view.get(path + ("cpu",), int)
    memory = view.get(path + ("memory",), int)
    reservation = view.get(path + ("memoryReservation",), int)
    for key, value in (("cpu", cpu_units), ("memory", memory), ("memoryReservation", reservation)):
        if value is not None and value < 0:
            view.fail(path + (key,), f"{key} cannot be negative")
    cpu = None
    if cpu_units is not None and cpu_units > 0:
        milli, exact = millicores_for_units(cpu_units)
        cpu = Decimal(milli) / 1000
        if not exact:
            view.note(path + ("cpu",), "K2E-I717", f"cpu {cpu_units} units of {name!r} has no exact millicore value; "
                      f"{milli}m written ({units_for_millicores(milli)} units)", covers=False)
    if memory and reservation and reservation > memory:
        # ECS refuses it too (memoryReservation must be below memory); the API server refuses a request above
        # its limit (ValidateResourceRequirements), and the container can never use more than its limit.
        view.note(path + ("memoryReservation",), "K2E-W746", f"memoryReservation {reservation} MiB of {name!r} is more "
                  f"than its memory {memory} MiB; requests.memory is the limit, {memory}Mi")
        reservation = memory
    gpu = None
    for item_path, _ in view.sequence(path + ("resourceRequirements",)):
        kind = view.get(item_path + ("type",), str)
        value = view.get(item_path + ("value",), str)
        if kind == "GPU" and value is not None and value.isdigit():
            gpu = int(value)
        else:
            view.note(item_path, "K2E-W709", f"resource requirement {kind} {value!r} of {name!r} has no Kubernetes resource",
                      "Use the device plugin's extended resource (e.g. aws.amazon.com/neuron) in resources.limits.")
    return Resources(
        cpu_request_cores=cpu,
        memory_limit_bytes=None if not memory else Decimal(memory * MIB),
        memory_request_bytes=None if not reservation else Decimal(reservation * MIB),
        gpu_count=gpu,
    )


def task_size(view: EcsView, path: Path, *, cpu: bool) -> int | None:
    """Task cpu in units or memory in MiB: ECS accepts 1024, "1024", "1 vCPU" and "1 GB" (#limits-fargate)."""
    value = view.get(path, str, int)
    if value is None or value == "":
        return None
    try:
        return parse_task_size(value, cpu=cpu)
    except TaskSizeError as error:
        view.fail(path, str(error))  # raises DocumentError
        raise


def give_task_size(view: EcsView, containers: list[Container], cpu_units: int | None, memory_mib: int | None) -> list[Container]:
    """Task-level cpu/memory: to the one running container that declares none, else a finding (#topic-reverse)."""
    running = [c for c in containers if c.role != "init"]
    for key, total in (("cpu", cpu_units), ("memory", memory_mib)):
        if total is None:
            continue
        # Read from the containers as they are now: the cpu step replaces the container it gives the task cpu,
        # and a memory list made before it would take that container for one that declares no memory.
        declared = [c for c in running if (c.resources.cpu_request_cores is not None if key == "cpu" else
                                           c.resources.memory_limit_bytes is not None or c.resources.memory_request_bytes is not None)]
        bare = [c for c in running if c not in declared]
        if len(running) == 1 and bare:
            target = bare[0]
            if key == "cpu":
                milli, exact = millicores_for_units(total)
                new = with_resources(target, cpu_request_cores=Decimal(milli) / 1000)
                shown = f"requests.cpu {milli}m"
                if not exact:
                    view.note((key,), "K2E-I717", f"task cpu {total} units has no exact millicore value; {milli}m written",
                              covers=False)
            else:
                new = with_resources(target, memory_limit_bytes=Decimal(total * MIB))
                shown = f"limits.memory {total}Mi"
            containers = [new if c is target else c for c in containers]
            running = [new if c is target else c for c in running]
            view.note((key,), "K2E-I718", f"task {key} {total} became {shown} of {target.name!r}", covers=False)
        elif _declared_total(running, key) == total:
            view.note((key,), "K2E-I718", f"task {key} {total} is the total of the containers' own values", covers=False)
        else:
            view.note((key,), "K2E-W719", f"task {key} {total} has no pod-level field; the containers keep their own values")
    return containers


def _declared_total(running: list[Container], key: str) -> int:
    """What the containers add up to, in ECS units (CPU units, MiB), as ECS would size the task from them.

    Each container's cpu is rounded up as the forward direction rounds it (converter.core.quantity): its cores
    came from whole CPU units through millicores_for_units, so this gives those units back. (It once
    rounded with ``-(-x // 1)``, which for a Decimal truncates: 100 units, 0.097 cores, came back as 99.)
    """
    total = 0
    for container in running:
        r = container.resources
        if key == "cpu":
            total += 0 if r.cpu_request_cores is None else cpu_units_from_cores(r.cpu_request_cores)
        else:
            size = r.memory_limit_bytes if r.memory_limit_bytes is not None else r.memory_request_bytes
            total += 0 if size is None else mib_from_bytes(size)
    return total


def with_resources(container: Container, **resources: Any) -> Container:
    return replace(container, resources=replace(container.resources, **resources))


# Where each field of this concern lands, both directions (converter/core/field_pairs.py; shown by k2ecs compare).
from converter.core.field_pairs import CD, CONTAINER, ECS_CONTAINER, POD_SPEC, TD, k8s_container, pair  # noqa: E402  (the pairs are data about the rules above)

_WORKLOAD_PAIRS = (
    pair(CONTAINER + "/resources/requests/cpu", f"{CD}.cpu", f"{TD}.cpu"),
    pair(CONTAINER + "/resources/limits/cpu", f"{TD}.cpu"),
    pair(CONTAINER + "/resources/limits/memory", f"{CD}.memory", f"{TD}.memory"),
    pair(CONTAINER + "/resources/requests/memory", f"{CD}.memoryReservation", f"{TD}.memory"),
    # Up to 20 GiB the Fargate default covers it, and on EC2 the instance's disk: nothing written (K2E-I207).
    pair(CONTAINER + "/resources/*/ephemeral-storage", f"{TD}.ephemeralStorage", absent_codes=("K2E-I207",)),
    # Fargate has no GPUs: the request is not written, and K2E-W206 on the container says so.
    pair(CONTAINER + "/resources/*/nvidia.com~1gpu", f"{CD}.resourceRequirements", codes=("K2E-W206",)),
)
PAIRS = {"Deployment": _WORKLOAD_PAIRS, "StatefulSet": _WORKLOAD_PAIRS}
CODE_FIELDS = {
    "K2E-W201": (f"{TD}.cpu", f"{TD}.memory"),
    "K2E-I205": (f"{TD}.cpu", f"{TD}.memory"),
    "K2E-E204": (f"{TD}.cpu", f"{TD}.memory"),
    "K2E-I209": (f"{TD}.containerDefinitions[*].memory",),
    "K2E-W210": (f"{TD}.containerDefinitions[*].memory",),
}
CONCERN = "resources"
# ECS -> Kubernetes (container_resources and give_task_size above, converter/write/kubernetes/deployment.py _resources).
# Values the reader takes for "not given" (an empty task size, a zero container size: generate-cli-skeleton
# writes both) and writes nothing for; what they mean on ECS is what the absent Kubernetes field means.
_NO_TASK_SIZE = dict(same_when_unset=("",), unset_reason='"": no task size, as when absent: the containers size the task')
# ContainerDefinition.cpu (botocore): agent 1.2.0 and later pass null, 0 and 1 to Docker as 2 CPU shares, the
# kubelet's MinShares for a container without requests.cpu.
_NO_CPU = dict(same_when_unset=(0,), unset_reason="0: 2 CPU shares, as for no cpu, and as the kubelet gives no requests.cpu")
# ContainerDefinition.memory / memoryReservation map to docker run --memory / --memory-reservation, where 0 is none.
_NO_MEMORY = dict(same_when_unset=(0,), unset_reason="0: no hard limit (docker run --memory 0), as no limits.memory")
_NO_RESERVATION = dict(same_when_unset=(0,), unset_reason="0: no soft limit, as when absent, and as no requests.memory")
REVERSE_PAIRS = {
    "TaskDefinition": (
        pair("/cpu", f"{POD_SPEC}.containers[*].resources.requests.cpu", **_NO_TASK_SIZE),
        pair("/memory", f"{POD_SPEC}.containers[*].resources.limits.memory"
                        f"|{POD_SPEC}.containers[*].resources.requests.memory", **_NO_TASK_SIZE),
        pair("/ephemeralStorage", f"{POD_SPEC}.containers[*].resources.requests.ephemeral-storage", unit=True),
        pair(ECS_CONTAINER + "/cpu", k8s_container("resources.requests.cpu"), **_NO_CPU),
        pair(ECS_CONTAINER + "/memory", k8s_container("resources.limits.memory"), **_NO_MEMORY),
        pair(ECS_CONTAINER + "/memoryReservation", k8s_container("resources.requests.memory"), **_NO_RESERVATION),
        pair(ECS_CONTAINER + "/resourceRequirements", k8s_container("resources.limits"), unit=True),
    ),
}
