"""Resources and sizing both ways: requests and limits <-> container cpu and memory, and the task size.

``forward`` sizes the task from what the pod needs, as Kubernetes computes it (with ``containers`` fitting each
container's cpu and memory and the ephemeral storage within it); ``reverse`` reads an ECS container's cpu and
memory and the task-level size back into requests and limits. This module declares the concern's field pairs
both directions (converter/core/field_pairs.py), shown by ``k2ecs compare``.
"""

from __future__ import annotations

from converter.core.field_pairs import CD, CONTAINER, ECS_CONTAINER, POD_SPEC, TD, k8s_container, pair

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
# ECS -> Kubernetes (reverse.container_resources and give_task_size, converter/write/kubernetes/deployment.py _resources).
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
