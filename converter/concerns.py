"""The mapping concerns: for each, where its rule lives in both directions and which pairs are its own.

A concern (health, resources and sizing, ports and exposure, ...) is one part of the mapping. Its entry here names
the functions that apply its rule Kubernetes -> ECS (``forward``: read, then render) and ECS -> Kubernetes
(``reverse``: read, then render), and the one module that declares both directions' field pairs (``pairs``: its
``PairTable``, see converter/field_pairs.py). ``k2ecs compare`` shows those pairs, docs/MAPPING.md lists each
concern with its modules (converter/mapping_doc.py), and tests/test_concerns.py checks that every pair belongs
to exactly one concern, that each named function exists, and that a concern with no rule in one direction says
why (``one_way``).

A location is ``package.module`` or ``package.module:function``. The order is the order of docs/MAPPING.md.
"""

from __future__ import annotations

from typing import NamedTuple


class Concern(NamedTuple):
    key: str  # the anchor of its section in docs/MAPPING.md (concern-<key>); never rename one
    title: str
    topics: tuple[str, ...]  # keys of converter.topics.TOPICS
    forward: tuple[str, ...]  # where the Kubernetes -> ECS rule is read and written
    reverse: tuple[str, ...]  # where the ECS -> Kubernetes rule is read and written
    pairs: str  # the module that declares this concern's pairs, both directions
    one_way: str = ""  # why a direction has no field pairs, when one has none


def _concerns(*entries: Concern) -> tuple[Concern, ...]:
    keys = [entry.key for entry in entries]
    assert len(keys) == len(set(keys)), keys
    return entries


_C = Concern
_SHARED = "converter.ecs.container_pairs"  # the pairs of the concerns whose forward rule is in ecs/taskdef.py
CONCERNS: tuple[Concern, ...] = _concerns(
    _C("resources", "Resources and sizing", ("units", "task-size", "container-resources", "quantities"),
       forward=("converter.kubernetes.container:_resources", "converter.ecs.sizing"),
       reverse=("converter.ecs_input.container:_resources", "converter.ecs_input.taskdef:_give_task_size",
                "converter.kubernetes_output.deployment:_resources", "converter.kubernetes_output.units"),
       pairs="converter.ecs.sizing"),
    _C("health", "Health checks", ("probes",),
       forward=("converter.kubernetes.probes:parse_probe", "converter.ecs.healthcheck"),
       reverse=("converter.ecs_input.container:health_probes", "converter.kubernetes_output.deployment:_probe"),
       pairs="converter.ecs.healthcheck"),
    _C("exposure", "Ports and exposure", ("ports", "service-type", "service-connect", "load-balancer"),
       forward=("converter.kubernetes.container:_ports", "converter.kubernetes.service:parse_service",
                "converter.ecs.service_wiring", "converter.ecs.service_connect", "converter.ecs.load_balancer"),
       reverse=("converter.ecs_input.container:_ports", "converter.ecs_input.service:_load_balancers",
                "converter.ecs_input.service:_service_connect", "converter.ecs_input.exposures:build_exposures",
                "converter.kubernetes_output.service:render_service"),
       pairs="converter.ecs.service_wiring"),
    _C("env", "Environment and secrets", ("environment",),
       forward=("converter.kubernetes.container_env:container_environment", "converter.kubernetes.container_env:_env_from",
                "converter.ecs.taskdef:_secret_arn", "converter.ecs.plaintext_secrets"),
       reverse=("converter.ecs_input.container:_pairs", "converter.ecs_input.container:secret_reference",
                "converter.kubernetes_output.deployment:_container"),
       pairs=_SHARED),
    _C("volumes", "Volumes", ("volumes",),
       forward=("converter.kubernetes.workload:_volumes", "converter.kubernetes.container:_mount",
                "converter.ecs.taskdef:_volumes"),
       reverse=("converter.ecs_input.taskdef:_volumes", "converter.kubernetes_output.deployment:render_deployment"),
       pairs=_SHARED),
    _C("security", "Security context", ("security",),
       forward=("converter.kubernetes.security:parse_security_context", "converter.ecs.taskdef:_security"),
       reverse=("converter.ecs_input.container:_security", "converter.kubernetes_output.deployment:_security"),
       pairs=_SHARED),
    _C("rollout", "Replicas and rollout", ("rollout",),
       forward=("converter.kubernetes.workload:_rollout", "converter.ecs.rollout", "converter.ecs.service:_deployment"),
       reverse=("converter.ecs_input.service:rollout_at", "converter.kubernetes_output.deployment:_strategy"),
       pairs="converter.ecs.rollout"),
    _C("scaling", "Scaling", ("scaling-target", "scaling-metrics", "scaling-rescale", "scaling-behavior",
                              "scaling-step"),
       forward=("converter.kubernetes.hpa:parse_hpa", "converter.ecs.scaling"),
       reverse=("converter.ecs_input.scaling:parse_scalable_target", "converter.ecs_input.scaling:parse_scaling_policy",
                "converter.ecs_input.scaling:build_autoscaling", "converter.kubernetes_output.hpa:render_hpa"),
       pairs="converter.ecs.scaling"),
    _C("identity", "Identity", ("identity",),
       forward=("converter.kubernetes.workload:_task_role",),
       reverse=("converter.ecs_input.taskdef:parse_task_definition", "converter.reverse:_render",
                "converter.kubernetes_output.serviceaccount:render_service_account"),
       pairs=_SHARED),
    _C("logging", "Logging", (),
       forward=("converter.ecs.taskdef:_ports_and_rest",),
       reverse=("converter.ecs_input.container:_log_configuration",),
       pairs=_SHARED,
       one_way="A pod spec has no logging field (the node's agent ships container output), so no Kubernetes field "
               "pairs with ECS logConfiguration: the forward rule writes awslogs from the settings (its finding, "
               "K2E-W607, points at the field), and the reverse rule reports the ECS log settings."),
    _C("naming", "Names, labels and tags", ("names", "tags"),
       forward=("converter.kubernetes.metadata:read_metadata", "converter.ecs.tags", "converter.workload_names"),
       reverse=("converter.ecs_input.tags:task_tags", "converter.ecs_input.service:_tags",
                "converter.kubernetes_output.deployment:metadata"),
       pairs="converter.ecs.tags"),
    _C("process", "Containers and process", ("process", "lifecycle", "init-and-sidecars"),
       forward=("converter.kubernetes.container:parse_container", "converter.ecs.taskdef:_container",
                "converter.ecs.taskdef:_dependencies", "converter.ecs.taskdef:_stop_timeout"),
       reverse=("converter.ecs_input.container:parse_container", "converter.ecs_input.taskdef:_roles",
                "converter.kubernetes_output.deployment:_container"),
       pairs=_SHARED),
    _C("placement", "Pod networking and placement", ("pod-networking",),
       forward=("converter.kubernetes.workload:_node_selector", "converter.kubernetes.workload:_pod_fields"),
       reverse=("converter.ecs_input.taskdef:parse_task_definition", "converter.ecs_input.taskdef:_platform"),
       pairs=_SHARED),
    _C("linking", "Documents and references", ("sources",),
       forward=("converter.convert:convert", "converter.linking"),
       reverse=("converter.reverse:_link_and_render", "converter.ecs_input.intrinsics"),
       pairs=_SHARED),
)
del _C

BY_KEY = {concern.key: concern for concern in CONCERNS}


def source_path(location: str) -> str:
    """``converter.ecs.sizing:_fit`` -> ``converter/ecs/sizing.py`` (what docs/MAPPING.md shows)."""
    return location.partition(":")[0].replace(".", "/") + ".py"
