"""A task definition's task-level resources: container cpu and memory fitted within the task size, and the
pod's ephemeral storage as the task's ephemeralStorage (docs/MAPPING.md#topic-task-size).

converter.write.ecs.taskdef.render_task_definition calls these once its containers are rendered (model -> ECS).
"""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from converter.rules.resources.forward import TaskSize, pod_total
from converter.core.findings import Finding, make_finding
from converter.core.model import Container, Workload
from converter.core.resources import load_schema
from converter.core.settings import Settings

GIB = 2**30
FARGATE_DEFAULT_STORAGE_GIB = 20  # botocore EphemeralStorage: "the default is 20 GiB"


def fit_container_memory(workload: Workload, containers: list[dict[str, Any]], size: TaskSize,
                           findings: list[Finding]) -> None:
    total = sum(c.get("memory", 0) for c in containers)
    if total > size.memory_mib:
        for container in containers:
            container.pop("memory", None)
        findings.append(make_finding("K2E-W210", workload.origin,
                                     f"container memory limits ({total} MiB) exceed the task memory ({size.memory_mib} MiB); per-container limits left out"))


def fit_container_cpu(containers: list[dict[str, Any]], size: TaskSize) -> None:
    """Each container's cpu is its need rounded up; the task cpu is the exact sum rounded up once, so the
    containers may total up to one unit per container more than the task (100m + 100m + 50m: 103 + 103 + 52
    against 256), which ECS rejects (V9). The largest shares give up the excess, one unit each: a share is a
    weight, and one unit in a hundred changes nothing the pod would notice."""
    if not size.cpu_written:
        return
    excess = sum(c.get("cpu", 0) for c in containers) - size.cpu_units
    for container in sorted((c for c in containers if c.get("cpu", 0) > 1), key=lambda c: -c["cpu"]):
        if excess <= 0:
            break
        container["cpu"] -= 1
        excess -= 1


def ephemeral_storage(workload: Workload, settings: Settings, findings: list[Finding]) -> int | None:
    """The task's ephemeralStorage in GiB, or None: the pod's ephemeral-storage aggregated like cpu and memory
    (component-helpers resource/helpers.go), each container's limit, else its request.

    ephemeralStorage applies to Fargate only (botocore EphemeralStorage: "only supported for tasks hosted
    on Fargate"); on EC2 the container instance's disk is what the task gets.
    """
    def amount(container: Container) -> Decimal | None:
        return container.resources.ephemeral_storage_bytes

    if all(amount(c) is None for c in workload.containers):
        return None
    gib = math.ceil(pod_total(workload.containers, amount) / GIB)
    # The values that are not written are named where they are (the round trip cannot bring them back).
    dropped = [f"{c.origin.path}/resources/{section}/ephemeral-storage" for c in workload.containers
               if amount(c) is not None for section in ("requests", "limits")]
    if not settings.fargate:
        findings.append(make_finding("K2E-I207", workload.origin,
                                     f"ephemeral-storage of {workload.resource} ({gib} GiB for the pod) was not written: "
                                     "ephemeralStorage applies to Fargate only; on EC2 the task uses the instance's disk",
                                     paths=dropped))
        return None
    limits = load_schema("ecs_rules.json")["V18_ephemeral_storage"]
    if gib <= FARGATE_DEFAULT_STORAGE_GIB:
        findings.append(make_finding("K2E-I207", workload.origin,
                                     f"ephemeral-storage of {workload.resource} ({gib} GiB for the pod) is covered by the "
                                     f"Fargate default of {FARGATE_DEFAULT_STORAGE_GIB} GiB; ephemeralStorage not written", paths=dropped))
        return None
    if gib > limits["max"]:
        findings.append(make_finding("K2E-W212", workload.origin,
                                     f"ephemeral-storage of {workload.resource} needs {gib} GiB; Fargate gives a task at most "
                                     f"{limits['max']} GiB, so ephemeralStorage {limits['max']} was written and the pod's "
                                     f"last {gib - limits['max']} GiB are missing"))
        return limits["max"]
    findings.append(make_finding("K2E-I207", workload.origin,
                                 f"ephemeral-storage of {workload.resource} ({gib} GiB for the pod) became the task's "
                                 f"ephemeralStorage {gib} GiB, shared by its containers"))
    return max(gib, limits["min"])
