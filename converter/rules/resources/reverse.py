"""Resources and sizing, ECS -> the model (docs/MAPPING.md#topic-reverse, #topic-container-resources inverted).

``container_resources``: a container's cpu units, memory and memoryReservation and a GPU requirement -> requests
and limits (cpu to the millicore, K2E-I717 where no millicore value is exact). ``task_size`` and
``give_task_size``: the task-level cpu and memory -> the one running container that declares none, or a finding.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from converter.core.model import Container, Resources
from converter.core.quantity import (MIB, TaskSizeError, cpu_units_from_cores, mib_from_bytes, millicores_for_units,
                                     parse_task_size, units_for_millicores)

if TYPE_CHECKING:  # the ECS reader's types: read/ecs/ calls these functions with them
    from converter.core.reader import Path
    from converter.read.ecs.view import EcsView


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
