"""The mapping concerns: each one's rule module (both ways), and where the Kubernetes side is read and written.

A concern (health, resources and sizing, ports and exposure, ...) is one part of the mapping. The neutral model is
Kubernetes-shaped, so the mapping itself is model <-> ECS, and each concern's ``rule`` module under
converter/rules/ owns it in both directions: the functions that write the model as ECS payload fields
(``forward``), the functions that read ECS fields into the model (``reverse``), the field pairs of both
directions (``PAIRS``/``REVERSE_PAIRS``, converter/core/field_pairs.py) and the facts the rule applies. Reading
Kubernetes (with the API server's defaulting) and writing Kubernetes are the Kubernetes format's I/O
(``kubernetes``: converter/read/kubernetes/ and converter/write/kubernetes/). ``forward`` and ``reverse`` also name
the few places outside the rule module that take part (the payload assembly in converter/write/ecs/taskdef.py,
the ECS readers' generic list readers), so docs/MAPPING.md shows where each step happens.

``k2ecs compare`` shows the pairs, docs/MAPPING.md lists each concern with its modules
(converter/report/mapping_doc.py), and tests/test_concerns.py checks that every concern's rule module exists and
declares its pairs, that each direction has a function in it (or ``one_way`` or ``elsewhere`` says why), that
each named function exists, and that every pair belongs to exactly one concern.

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
    rule: str  # the module (or package) under converter.rules that owns the rule both ways, its pairs and facts
    forward: tuple[str, ...]  # model -> ECS payload fields
    reverse: tuple[str, ...]  # ECS fields -> model
    kubernetes: tuple[str, ...]  # the Kubernetes format's I/O: where the Kubernetes side is read and written
    one_way: str = ""  # why a direction has no field pairs, when one has none
    elsewhere: str = ""  # why the rule's functions are outside its rule module, when they are


def _concerns(*entries: Concern) -> tuple[Concern, ...]:
    keys = [entry.key for entry in entries]
    assert len(keys) == len(set(keys)), keys
    return entries


_C = Concern
_R = "converter.rules."
_K8S_IN = "converter.read.kubernetes."
_K8S_OUT = "converter.write.kubernetes."
CONCERNS: tuple[Concern, ...] = _concerns(
    _C("resources", "Resources and sizing", ("units", "task-size", "container-resources", "quantities"),
       rule=_R + "resources",
       forward=(_R + "resources.forward:size_task", _R + "resources.forward:need",
                _R + "resources.containers:fit_container_memory", _R + "resources.containers:fit_container_cpu",
                _R + "resources.containers:ephemeral_storage"),
       reverse=(_R + "resources.reverse:container_resources", _R + "resources.reverse:task_size",
                _R + "resources.reverse:give_task_size"),
       kubernetes=(_K8S_IN + "container:_resources", _K8S_OUT + "deployment:_resources", _K8S_OUT + "units")),
    _C("health", "Health checks", ("probes",),
       rule=_R + "health",
       forward=(_R + "health:render_health_check", _R + "health:start_period_seconds"),
       reverse=(_R + "health:health_probes",),
       kubernetes=(_K8S_IN + "probes:parse_probe", _K8S_OUT + "deployment:_probe")),
    _C("exposure", "Ports and exposure", ("ports", "service-type", "service-connect", "load-balancer"),
       rule=_R + "exposure",
       forward=(_R + "exposure.forward:wire_exposures", _R + "exposure.service_connect",
                _R + "exposure.load_balancer:plan_load_balancer", _R + "exposure.target_ports:declare_target_ports"),
       reverse=(_R + "exposure.reverse:container_ports", _R + "exposure.reverse:read_load_balancers",
                _R + "exposure.reverse:read_service_connect", _R + "exposure.reverse:read_registries",
                _R + "exposure.reverse:build_exposures"),
       kubernetes=(_K8S_IN + "container:_ports", _K8S_IN + "service:parse_service", _K8S_OUT + "service:render_service")),
    _C("env", "Environment and secrets", ("environment",),
       rule=_R + "env",
       forward=(_R + "env:secret_arn", "converter.write.ecs.taskdef:_ports_and_rest",
                "converter.rules.env:plaintext_secret_findings"),
       reverse=(_R + "env:secret_env", _R + "env:secret_reference", "converter.read.ecs.container:_pairs"),
       kubernetes=(_K8S_IN + "container_env:container_environment", _K8S_IN + "container_env:_env_from",
                   _K8S_OUT + "deployment:_container")),
    _C("volumes", "Volumes", ("volumes",),
       rule=_R + "volumes",
       forward=(_R + "volumes:task_volumes", "converter.write.ecs.taskdef:_ports_and_rest"),
       reverse=(_R + "volumes:pod_volumes",),
       kubernetes=(_K8S_IN + "workload:_volumes", _K8S_IN + "container:_mount", _K8S_OUT + "deployment:render_deployment")),
    _C("security", "Security context", ("security",),
       rule=_R + "security",
       forward=(_R + "security:container_security", _R + "security:drop_linux_only"),
       reverse=(_R + "security:security_context",),
       kubernetes=(_K8S_IN + "security:parse_security_context", _K8S_OUT + "deployment:_security")),
    _C("rollout", "Replicas and rollout", ("rollout",),
       rule=_R + "rollout",
       forward=(_R + "rollout:rolling_percentages", "converter.write.ecs.service:_deployment"),
       reverse=(_R + "rollout:rollout_at",),
       kubernetes=(_K8S_IN + "workload:_rollout", _K8S_OUT + "deployment:_strategy")),
    _C("scaling", "Scaling", ("scaling-target", "scaling-metrics", "scaling-rescale", "scaling-behavior", "scaling-step"),
       rule=_R + "scaling",
       forward=(_R + "scaling.forward:render_scaling", _R + "scaling.forward:target_value"),
       reverse=(_R + "scaling.reverse:parse_scalable_target", _R + "scaling.reverse:parse_scaling_policy",
                _R + "scaling.reverse:build_autoscaling"),
       kubernetes=(_K8S_IN + "hpa:parse_hpa", _K8S_OUT + "hpa:render_hpa")),
    _C("identity", "Identity", ("identity",),
       rule=_R + "identity",
       forward=(_R + "identity:role_fields",),
       reverse=(_R + "identity:task_role", "converter.pipeline.reverse:_render"),
       kubernetes=(_K8S_IN + "workload:_task_role", _K8S_OUT + "serviceaccount:render_service_account")),
    _C("logging", "Logging", (),
       rule=_R + "logging",
       forward=(_R + "logging:log_configuration",),
       reverse=(_R + "logging:read_log_configuration",),
       kubernetes=(),
       one_way="A pod spec has no logging field (the node's agent ships container output), so no Kubernetes field "
               "pairs with ECS logConfiguration: the forward rule writes awslogs from the settings (its finding, "
               "K2E-W607, points at the field), and the reverse rule reports the ECS log settings."),
    _C("naming", "Names, labels and tags", ("names", "tags"),
       rule=_R + "naming",
       forward=(_R + "naming:render_tags", "converter.write.ecs.workload_names"),
       reverse=(_R + "naming:dns_label", _R + "naming:member_label", "converter.read.ecs.tags:task_tags",
                "converter.read.ecs.service:_tags"),
       kubernetes=(_K8S_IN + "metadata:read_metadata", _K8S_OUT + "deployment:metadata")),
    _C("process", "Containers and process", ("process", "lifecycle", "init-and-sidecars"),
       rule=_R + "process",
       forward=(_R + "process:dependencies", _R + "process:stop_timeout", "converter.write.ecs.taskdef:_container"),
       reverse=(_R + "process:container_roles", "converter.read.ecs.container:parse_container"),
       kubernetes=(_K8S_IN + "container:parse_container", _K8S_OUT + "deployment:_container")),
    _C("placement", "Pod networking and placement", ("pod-networking",),
       rule=_R + "placement",
       forward=(_R + "placement:platform_fields",),
       reverse=(_R + "placement:runtime_platform", "converter.read.ecs.taskdef:parse_task_definition"),
       kubernetes=(_K8S_IN + "workload:_node_selector", _K8S_IN + "workload:_pod_fields")),
    _C("linking", "Documents and references", ("sources",),
       rule=_R + "linking",
       forward=("converter.pipeline.convert:convert", "converter.pipeline.linking"),
       reverse=("converter.pipeline.reverse:_link_and_render", "converter.read.ecs.intrinsics"),
       kubernetes=(),
       elsewhere="No field of its own maps: the rule matches documents to their workload (selectors, references, a "
                 "service's task definition), which is the pipeline's work; the rule module declares the fields "
                 "read only for that matching."),
)
del _C

BY_KEY = {concern.key: concern for concern in CONCERNS}


def source_path(location: str) -> str:
    """``converter.rules.health:health_probes`` -> ``converter/rules/health.py``, and a package's ``__init__.py``
    (``converter.rules.scaling`` -> ``converter/rules/scaling/__init__.py``): what docs/MAPPING.md shows."""
    dotted = location.partition(":")[0].replace(".", "/")
    return dotted + ("/__init__.py" if (_ROOT / dotted).is_dir() else ".py")
