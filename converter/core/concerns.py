"""The mapping concerns: for each, where its rule lives in both directions and which pairs are its own.

A concern (health, resources and sizing, ports and exposure, ...) is one part of the mapping. Its entry here names
the functions that apply its rule Kubernetes -> ECS (``forward``: read, then render) and ECS -> Kubernetes
(``reverse``: read, then render), and the one module that declares both directions' field pairs (``pairs``: its
``PairTable``, see converter/core/field_pairs.py). ``k2ecs compare`` shows those pairs, docs/MAPPING.md lists each
concern with its modules (converter/report/mapping_doc.py), and tests/test_concerns.py checks that every pair belongs
to exactly one concern, that each named function exists, and that a concern with no rule in one direction says
why (``one_way``).

A location is ``package.module`` or ``package.module:function``. The order is the order of docs/MAPPING.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

_ROOT = Path(__file__).resolve().parents[2]  # the checkout (or site-packages) holding converter/


class Concern(NamedTuple):
    key: str  # the anchor of its section in docs/MAPPING.md (concern-<key>); never rename one
    title: str
    topics: tuple[str, ...]  # keys of converter.core.topics.TOPICS
    forward: tuple[str, ...]  # where the Kubernetes -> ECS rule is read and written
    reverse: tuple[str, ...]  # where the ECS -> Kubernetes rule is read and written
    pairs: str  # the module that declares this concern's pairs, both directions
    one_way: str = ""  # why a direction has no field pairs, when one has none


def _concerns(*entries: Concern) -> tuple[Concern, ...]:
    keys = [entry.key for entry in entries]
    assert len(keys) == len(set(keys)), keys
    return entries


_C = Concern
_SHARED = "converter.write.ecs.container_pairs"  # the pairs of the concerns whose forward rule is in write/ecs/taskdef.py
CONCERNS: tuple[Concern, ...] = _concerns(
    _C("resources", "Resources and sizing", ("units", "task-size", "container-resources", "quantities"),
       forward=("converter.read.kubernetes.container:_resources", "converter.rules.resources"),
       reverse=("converter.rules.resources:container_resources", "converter.rules.resources:give_task_size",
                "converter.write.kubernetes.deployment:_resources", "converter.write.kubernetes.units"),
       pairs="converter.rules.resources"),
    _C("health", "Health checks", ("probes",),
       forward=("converter.read.kubernetes.probes:parse_probe", "converter.rules.health"),
       reverse=("converter.rules.health:health_probes", "converter.write.kubernetes.deployment:_probe"),
       pairs="converter.rules.health"),
    _C("exposure", "Ports and exposure", ("ports", "service-type", "service-connect", "load-balancer"),
       forward=("converter.read.kubernetes.container:_ports", "converter.read.kubernetes.service:parse_service",
                "converter.rules.exposure.forward", "converter.rules.exposure.service_connect", "converter.rules.exposure.load_balancer"),
       reverse=("converter.rules.exposure.reverse:container_ports", "converter.rules.exposure.reverse:read_load_balancers",
                "converter.rules.exposure.reverse:read_service_connect", "converter.rules.exposure.reverse:build_exposures",
                "converter.write.kubernetes.service:render_service"),
       pairs="converter.rules.exposure"),
    _C("env", "Environment and secrets", ("environment",),
       forward=("converter.read.kubernetes.container_env:container_environment", "converter.read.kubernetes.container_env:_env_from",
                "converter.write.ecs.taskdef:_secret_arn", "converter.write.ecs.plaintext_secrets"),
       reverse=("converter.read.ecs.container:_pairs", "converter.read.ecs.container:secret_reference",
                "converter.write.kubernetes.deployment:_container"),
       pairs=_SHARED),
    _C("volumes", "Volumes", ("volumes",),
       forward=("converter.read.kubernetes.workload:_volumes", "converter.read.kubernetes.container:_mount",
                "converter.write.ecs.taskdef:_volumes"),
       reverse=("converter.read.ecs.taskdef:_volumes", "converter.write.kubernetes.deployment:render_deployment"),
       pairs=_SHARED),
    _C("security", "Security context", ("security",),
       forward=("converter.read.kubernetes.security:parse_security_context", "converter.write.ecs.taskdef:_security"),
       reverse=("converter.read.ecs.container:_security", "converter.write.kubernetes.deployment:_security"),
       pairs=_SHARED),
    _C("rollout", "Replicas and rollout", ("rollout",),
       forward=("converter.read.kubernetes.workload:_rollout", "converter.rules.rollout", "converter.write.ecs.service:_deployment"),
       reverse=("converter.rules.rollout:rollout_at", "converter.write.kubernetes.deployment:_strategy"),
       pairs="converter.rules.rollout"),
    _C("scaling", "Scaling", ("scaling-target", "scaling-metrics", "scaling-rescale", "scaling-behavior",
                              "scaling-step"),
       forward=("converter.read.kubernetes.hpa:parse_hpa", "converter.rules.scaling.forward"),
       reverse=("converter.rules.scaling.reverse:parse_scalable_target", "converter.rules.scaling.reverse:parse_scaling_policy",
                "converter.rules.scaling.reverse:build_autoscaling", "converter.write.kubernetes.hpa:render_hpa"),
       pairs="converter.rules.scaling"),
    _C("identity", "Identity", ("identity",),
       forward=("converter.read.kubernetes.workload:_task_role",),
       reverse=("converter.read.ecs.taskdef:parse_task_definition", "converter.pipeline.reverse:_render",
                "converter.write.kubernetes.serviceaccount:render_service_account"),
       pairs=_SHARED),
    _C("logging", "Logging", (),
       forward=("converter.write.ecs.taskdef:_ports_and_rest",),
       reverse=("converter.read.ecs.container:_log_configuration",),
       pairs=_SHARED,
       one_way="A pod spec has no logging field (the node's agent ships container output), so no Kubernetes field "
               "pairs with ECS logConfiguration: the forward rule writes awslogs from the settings (its finding, "
               "K2E-W607, points at the field), and the reverse rule reports the ECS log settings."),
    _C("naming", "Names, labels and tags", ("names", "tags"),
       forward=("converter.read.kubernetes.metadata:read_metadata", "converter.rules.naming", "converter.write.ecs.workload_names"),
       reverse=("converter.read.ecs.tags:task_tags", "converter.read.ecs.service:_tags",
                "converter.write.kubernetes.deployment:metadata"),
       pairs="converter.rules.naming"),
    _C("process", "Containers and process", ("process", "lifecycle", "init-and-sidecars"),
       forward=("converter.read.kubernetes.container:parse_container", "converter.write.ecs.taskdef:_container",
                "converter.write.ecs.taskdef:_dependencies", "converter.write.ecs.taskdef:_stop_timeout"),
       reverse=("converter.read.ecs.container:parse_container", "converter.read.ecs.taskdef:_roles",
                "converter.write.kubernetes.deployment:_container"),
       pairs=_SHARED),
    _C("placement", "Pod networking and placement", ("pod-networking",),
       forward=("converter.read.kubernetes.workload:_node_selector", "converter.read.kubernetes.workload:_pod_fields"),
       reverse=("converter.read.ecs.taskdef:parse_task_definition", "converter.read.ecs.taskdef:_platform"),
       pairs=_SHARED),
    _C("linking", "Documents and references", ("sources",),
       forward=("converter.pipeline.convert:convert", "converter.pipeline.linking"),
       reverse=("converter.pipeline.reverse:_link_and_render", "converter.read.ecs.intrinsics"),
       pairs=_SHARED),
)
del _C

BY_KEY = {concern.key: concern for concern in CONCERNS}


def source_path(location: str) -> str:
    """``converter.rules.resources:_fit`` -> ``converter/rules/resources.py``, and a package's ``__init__.py``
    (``converter.rules.scaling`` -> ``converter/rules/scaling/__init__.py``): what docs/MAPPING.md shows."""
    dotted = location.partition(":")[0].replace(".", "/")
    return dotted + ("/__init__.py" if (_ROOT / dotted).is_dir() else ".py")
