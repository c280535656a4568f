"""Which ECS field each Kubernetes field became (MAPPING §2-§5), as a table compare reads.

Each entry: a source path pattern (JSON Pointer segments, ``*`` for any key or index, ``{containers}`` for
``containers`` or ``initContainers``), the ECS target paths (see ``converter.compare.paths``), and
``unit`` when the subtree is one row (an env entry, a port, a probe). Variables in targets:
``{container}`` is the name of the container the path is in; ``{item.x}`` is field ``x`` of the node the
row shows. The table names where a field lands; the values shown are read from the real payloads.
"""

from __future__ import annotations

from typing import Any, Callable

from converter.compare.model import MISSING, NO_FIELD, SourceDocument, WorkloadInput
from converter.compare.paths import combine as _combine
from converter.compare.paths import label, pattern_matches, pattern_parts, resolve, resolve_first
from converter.compare.paths import node_at as _at

TD = "taskDefinition"
CD = "taskDefinition.containerDefinitions[name={container}]"
POD = "/spec/template/spec"
C = POD + "/{containers}/*"


def _entry(pattern: str, *targets: str, unit: bool = False, note: str = "", resolver: str = "") -> dict[str, Any]:
    return {"pattern": pattern, "targets": targets, "unit": unit, "note": note, "resolver": resolver}


WORKLOAD_FIELDS = (
    _entry("/metadata/name", f"{TD}.family", "service.serviceName"),
    _entry("/metadata/namespace", f"{TD}.tags[key=k8s-namespace]"),
    _entry("/metadata/labels", f"{TD}.tags"),
    _entry("/metadata/annotations", f"{TD}.tags"),
    _entry("/spec/replicas", "service.desiredCount"),
    _entry("/spec/selector", unit=True, note="(no field: matches Services and the HPA to this workload)"),
    _entry("/spec/strategy", "service.deploymentConfiguration", unit=True),
    _entry("/spec/updateStrategy", "service.deploymentConfiguration", unit=True),
    _entry("/spec/template/metadata/labels", note="(no field: what the selector matches)"),
    _entry(POD + "/serviceAccountName", f"{TD}.taskRoleArn"),
    _entry(POD + "/serviceAccount", f"{TD}.taskRoleArn"),
    _entry(POD + "/terminationGracePeriodSeconds", f"{CD}.stopTimeout"),
    _entry(POD + "/volumes/*", f"{TD}.volumes[name={{item.name}}]", unit=True),
    _entry(POD + "/nodeSelector", f"{TD}.runtimePlatform"),
    _entry(POD + "/os", f"{TD}.runtimePlatform", unit=True),
    _entry(POD + "/shareProcessNamespace", f"{TD}.pidMode"),
    _entry(POD + "/imagePullSecrets", f"{CD}.repositoryCredentials"),
    _entry(POD + "/securityContext/runAsUser", f"{CD}.user"),
    _entry(POD + "/securityContext/runAsGroup", f"{CD}.user"),
    _entry(C + "/name", f"{CD}.name"),
    _entry(C + "/image", f"{CD}.image"),
    _entry(C + "/command", f"{CD}.entryPoint"),
    _entry(C + "/args", f"{CD}.command"),
    _entry(C + "/workingDir", f"{CD}.workingDirectory"),
    _entry(C + "/restartPolicy", f"{CD}.essential"),
    _entry(C + "/env/*", f"{CD}.environment[name={{item.name}}]|{CD}.secrets[name={{item.name}}]", unit=True),
    _entry(C + "/envFrom/*", unit=True, resolver="env_from"),
    _entry(C + "/ports/*", f"{CD}.portMappings[containerPort={{item.containerPort}}]", unit=True),
    _entry(C + "/resources/requests/cpu", f"{CD}.cpu", f"{TD}.cpu"),
    _entry(C + "/resources/limits/cpu", f"{TD}.cpu"),
    _entry(C + "/resources/limits/memory", f"{CD}.memory", f"{TD}.memory"),
    _entry(C + "/resources/requests/memory", f"{CD}.memoryReservation", f"{TD}.memory"),
    _entry(C + "/resources/*/ephemeral-storage", f"{TD}.ephemeralStorage"),
    _entry(C + "/resources/*/nvidia.com~1gpu", f"{CD}.resourceRequirements"),
    _entry(C + "/livenessProbe", f"{CD}.healthCheck", unit=True),
    _entry(C + "/startupProbe", f"{CD}.healthCheck.startPeriod", unit=True),
    _entry(C + "/readinessProbe", "service.loadBalancers", unit=True,
           note="(target group health check, when behind a load balancer)"),
    _entry(C + "/volumeMounts/*", f"{CD}.mountPoints[containerPath={{item.mountPath}}]", unit=True),
    _entry(C + "/securityContext/runAsUser", f"{CD}.user"),
    _entry(C + "/securityContext/runAsGroup", f"{CD}.user"),
    _entry(C + "/securityContext/readOnlyRootFilesystem", f"{CD}.readonlyRootFilesystem"),
    _entry(C + "/securityContext/privileged", f"{CD}.privileged"),
    _entry(C + "/securityContext/capabilities", f"{CD}.linuxParameters.capabilities", unit=True),
    _entry(C + "/securityContext/allowPrivilegeEscalation", f"{CD}.dockerSecurityOptions"),
    _entry(C + "/stdin", f"{CD}.interactive"),
    _entry(C + "/tty", f"{CD}.pseudoTerminal"),
)

FIELDS: dict[str, tuple[dict[str, Any], ...]] = {
    "Deployment": WORKLOAD_FIELDS,
    "StatefulSet": WORKLOAD_FIELDS,
    "Service": (
        _entry("/metadata/name", "service.serviceConnectConfiguration.services[*].discoveryName|service.loadBalancers"),
        _entry("/metadata/annotations", "service.loadBalancers", note="(load balancer settings: see K2E-W402)"),
        _entry("/spec/type", "service.serviceConnectConfiguration.enabled|service.loadBalancers"),
        _entry("/spec/selector", note="(no field: matches this Service to the workload)"),
        _entry("/spec/ports/*", unit=True, resolver="service_port"),
    ),
    "HorizontalPodAutoscaler": (
        _entry("/metadata/name", "scaling.scalingPolicies[*].PolicyName"),
        _entry("/spec/scaleTargetRef", "scaling.scalableTarget.ResourceId", unit=True),
        _entry("/spec/minReplicas", "scaling.scalableTarget.MinCapacity"),
        _entry("/spec/maxReplicas", "scaling.scalableTarget.MaxCapacity"),
        _entry("/spec/targetCPUUtilizationPercentage",
               "scaling.scalingPolicies[0].TargetTrackingScalingPolicyConfiguration.TargetValue"),
        _entry("/spec/metrics/*", unit=True, resolver="metric"),
        _entry("/spec/behavior", "scaling.scalingPolicies[0].TargetTrackingScalingPolicyConfiguration.ScaleOutCooldown",
               "scaling.scalingPolicies[0].TargetTrackingScalingPolicyConfiguration.ScaleInCooldown", unit=True),
    ),
    "ConfigMap": (
        _entry("/metadata", note="(no field: identifies the ConfigMap)"),
        _entry("/data", f"{CD}.environment", note="(values inlined where a workload refers to them)"),
        _entry("/binaryData", note="(no field)"),
    ),
    "Secret": (
        _entry("", f"{CD}.secrets", note="(secrets[].valueFrom ARNs; values are never read)"),
    ),
    "ServiceAccount": (
        _entry("/metadata/annotations/eks.amazonaws.com~1role-arn", f"{TD}.taskRoleArn"),
        _entry("/metadata/name", f"{TD}.taskRoleArn"),
    ),
}

# Where a finding that names no field of its own lands on ECS (placeholders, sizing, wiring).
CODE_TARGETS = {
    "K2E-W601": ("service.networkConfiguration.awsvpcConfiguration",),
    "K2E-W602": (f"{TD}.executionRoleArn",),
    "K2E-W604": ("service.serviceConnectConfiguration.namespace",),
    "K2E-W605": ("service.loadBalancers[*].targetGroupArn",),
    "K2E-W606": ("scaling.scalableTarget.ResourceId",),
    "K2E-W607": (f"{TD}.containerDefinitions[*].logConfiguration.options.awslogs-region",),
    "K2E-W201": (f"{TD}.cpu", f"{TD}.memory"),
    "K2E-I205": (f"{TD}.cpu", f"{TD}.memory"),
    "K2E-E204": (f"{TD}.cpu", f"{TD}.memory"),
    "K2E-I141": (f"{TD}.containerDefinitions[*].dependsOn",),
    "K2E-I209": (f"{TD}.containerDefinitions[*].memory",),
    "K2E-W210": (f"{TD}.containerDefinitions[*].memory",),
    "K2E-W402": ("service.loadBalancers",),
    "K2E-I401": ("service.serviceConnectConfiguration",),
    "K2E-I308": (f"{TD}.family", "service.serviceName"),
    "K2E-I311": ("service.desiredCount",),
    "K2E-W148": (f"{TD}.runtimePlatform",),
}
HIDDEN = {("apiVersion",), ("kind",)}  # identify the document; shown in its heading


_COMPILED = {kind: tuple((pattern_parts(e["pattern"]), e) for e in entries) for kind, entries in FIELDS.items()}


def entry_for(kind: str, path: tuple[Any, ...]) -> dict[str, Any] | None:
    for parts, entry in _COMPILED.get(kind, ()):
        if pattern_matches(parts, path):
            return entry
    return None


def _variables(source: SourceDocument, path: tuple[Any, ...]) -> dict[str, Any]:
    variables: dict[str, Any] = {}
    for index, step in enumerate(path[:-1]):
        if step in ("containers", "initContainers") and isinstance(path[index + 1], int):
            variables["container"] = _at(source.data, path[: index + 2] + ("name",))
    node = _at(source.data, path)
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                variables[f"item.{key}"] = value
    return variables


def _mapping_at(data: Any, path: tuple[Any, ...]) -> dict[str, Any]:
    node = _at(data, path)
    return node if isinstance(node, dict) else {}


def _env_from(source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
    """An envFrom entry became one environment or secrets entry per key of its ConfigMap or Secret."""
    node = _mapping_at(source.data, path)
    variables = _variables(source, path)
    prefix = str(node.get("prefix") or "")
    kind, ref = ("ConfigMap", node.get("configMapRef")) if "configMapRef" in node else ("Secret", node.get("secretRef"))
    name = ref.get("name") if isinstance(ref, dict) else None
    keys: list[str] = []
    for other in workload.sources:
        if other.kind == kind and other.resource == f"{kind}/{name}":
            for section in ("data", "stringData", "binaryData"):
                block = other.data.get(section) if isinstance(other.data, dict) else None
                keys += [str(k) for k in block] if isinstance(block, dict) else []
    section = "environment" if kind == "ConfigMap" else "secrets"
    where = f"{CD}.{section}"
    entries = resolve(workload.targets, where + "[*]", variables)
    names = {prefix + key for key in keys}
    chosen = [e for e in (entries if isinstance(entries, list) else [entries]) if isinstance(e, dict) and e.get("name") in names]
    return label(where, variables), chosen or MISSING


def _service_port(source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
    """A Service port became Service Connect client aliases on that port, or a load balancer entry."""
    port = _mapping_at(source.data, path).get("port")
    services = resolve(workload.targets, "service.serviceConnectConfiguration.services[*]")
    services = services if isinstance(services, list) else [services]
    chosen = [s for s in services if isinstance(s, dict)
              and any(alias.get("port") == port for alias in s.get("clientAliases", []))]
    if chosen:
        return "service.serviceConnectConfiguration.services", chosen
    return resolve_first(workload.targets, "service.loadBalancers", {})


_METRIC_TYPES = {"cpu": "ECSServiceAverageCPUUtilization", "memory": "ECSServiceAverageMemoryUtilization"}


def _metric(source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
    """An HPA metric became the target-tracking policy on the matching ECS service metric."""
    name = _at(source.data, path + ("resource", "name")) or _at(source.data, path + ("containerResource", "name"))
    policies = resolve(workload.targets, "scaling.scalingPolicies[*]")
    policies = policies if isinstance(policies, list) else [policies]
    wanted = _METRIC_TYPES.get(str(name))
    for policy in policies:
        spec = policy.get("TargetTrackingScalingPolicyConfiguration", {}) if isinstance(policy, dict) else {}
        predefined = spec.get("PredefinedMetricSpecification", {}).get("PredefinedMetricType")
        if wanted is not None and predefined == wanted:
            return f"scaling.scalingPolicies[{policy.get('PolicyName')}]", spec
    return "scaling.scalingPolicies", MISSING


RESOLVERS: dict[str, Callable[[SourceDocument, tuple[Any, ...], WorkloadInput], tuple[str, Any]]] = {
    "env_from": _env_from, "service_port": _service_port, "metric": _metric,
}


class KubernetesToEcs:
    """The FieldMap for Kubernetes input (see converter.compare.model.FieldMap)."""

    def unit(self, source: SourceDocument, path: tuple[Any, ...]) -> bool:
        entry = entry_for(source.kind, path)
        return entry is not None and entry["unit"]

    def hidden(self, source: SourceDocument, path: tuple[Any, ...]) -> bool:
        return tuple(path) in HIDDEN

    def target(self, source: SourceDocument, path: tuple[Any, ...], workload: WorkloadInput) -> tuple[str, Any]:
        entry = entry_for(source.kind, tuple(path))
        if entry is None:
            return NO_FIELD, MISSING
        if entry["resolver"]:
            return RESOLVERS[entry["resolver"]](source, tuple(path), workload)
        if not entry["targets"]:
            return entry["note"] or NO_FIELD, MISSING
        variables = _variables(source, tuple(path))
        field, value = _combine([resolve_first(workload.targets, t, variables) for t in entry["targets"]])
        return (f"{field} {entry['note']}" if entry["note"] else field), value

    def code_target(self, code: str, workload: WorkloadInput) -> tuple[str, Any] | None:
        targets = CODE_TARGETS.get(code)
        if targets is None:
            return None
        return _combine([resolve_first(workload.targets, t, {}) for t in targets])
