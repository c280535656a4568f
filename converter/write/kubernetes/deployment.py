"""The neutral Workload -> an apps/v1 Deployment (docs/MAPPING.md#topic-reverse, the inverse of #rules-k8s).

Pure: returns the manifest as a dict whose key order is the order written. Init containers and native
sidecars (restartPolicy: Always) go to initContainers in the workload's start order, app containers to
containers. Probes are exec probes (ECS health checks are commands).
"""

from __future__ import annotations

from typing import Any

from converter.core.findings import Finding
from converter.write.kubernetes.units import cpu_quantity, memory_quantity
from converter.core.model import Container, Probe, Workload

_ARCH = {"X86_64": "amd64", "ARM64": "arm64"}
GIB = 2**30


def metadata(name: str, namespace: str | None, labels: dict[str, str] | None = None,
             annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name}
    if namespace is not None:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


def render_deployment(workload: Workload, *, selector: dict[str, str],
                      service_account: str | None) -> tuple[dict[str, Any], list[Finding]]:
    pod_spec: dict[str, Any] = {}
    if service_account is not None:
        pod_spec["serviceAccountName"] = service_account
    if workload.host_network:
        pod_spec["hostNetwork"] = True
    if workload.share_process_namespace:
        pod_spec["shareProcessNamespace"] = True
    if workload.termination_grace_seconds is not None:
        pod_spec["terminationGracePeriodSeconds"] = workload.termination_grace_seconds
    node_selector = {}
    if workload.cpu_architecture is not None:
        node_selector["kubernetes.io/arch"] = _ARCH[workload.cpu_architecture]
    if workload.operating_system is not None:
        node_selector["kubernetes.io/os"] = workload.operating_system
    if node_selector:
        pod_spec["nodeSelector"] = node_selector
    volume_names = {v.name for v in workload.volumes}
    chain = [c for c in workload.containers if c.role != "app"]
    if chain:
        pod_spec["initContainers"] = [_container(c, volume_names) for c in chain]
    pod_spec["containers"] = [_container(c, volume_names) for c in workload.containers if c.role == "app"]
    if workload.volumes:
        pod_spec["volumes"] = [
            {"name": v.name, "hostPath": {"path": v.host_path}} if v.source == "host" and v.host_path else {"name": v.name, "emptyDir": {}}
            for v in workload.volumes]
    pod_labels = dict(workload.pod_labels)
    template_meta: dict[str, Any] = {"labels": pod_labels}
    if workload.pod_annotations:
        template_meta["annotations"] = dict(workload.pod_annotations)
    spec: dict[str, Any] = {}
    if workload.replicas is not None:
        spec["replicas"] = workload.replicas
    spec["selector"] = {"matchLabels": dict(selector)}
    spec["strategy"] = _strategy(workload)
    spec["template"] = {"metadata": template_meta, "spec": pod_spec}
    manifest = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": metadata(workload.name, workload.namespace, dict(workload.labels), dict(workload.annotations)),
        "spec": spec,
    }
    return manifest, []


def _strategy(workload: Workload) -> dict[str, Any]:
    rollout = workload.rollout
    if rollout.strategy == "recreate":
        return {"type": "Recreate"}
    rolling: dict[str, Any] = {}
    if rollout.max_surge is not None:
        rolling["maxSurge"] = rollout.max_surge
    if rollout.max_unavailable is not None:
        rolling["maxUnavailable"] = rollout.max_unavailable
    return {"type": "RollingUpdate", "rollingUpdate": rolling} if rolling else {"type": "RollingUpdate"}


def _container(container: Container, volume_names: set[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": container.name, "image": container.image}
    if container.role == "sidecar":
        out["restartPolicy"] = "Always"
    if container.entry_point is not None:
        out["command"] = list(container.entry_point)
    if container.command is not None:
        out["args"] = list(container.command)
    if container.working_directory is not None:
        out["workingDir"] = container.working_directory
    ports = []
    for port in container.ports:
        entry: dict[str, Any] = {}
        if port.name is not None:
            entry["name"] = port.name
        entry["containerPort"] = port.container_port
        if port.host_port is not None:
            entry["hostPort"] = port.host_port
        entry["protocol"] = port.protocol.upper()
        ports.append(entry)
    if ports:
        out["ports"] = ports
    env: list[dict[str, Any]] = [{"name": e.name, "value": e.value} for e in container.environment]
    env += [{"name": s.name, "valueFrom": {"secretKeyRef": {"name": s.secret_name, "key": s.key}}} for s in container.secrets]
    if env:
        out["env"] = env
    resources = _resources(container)
    if resources:
        out["resources"] = resources
    mounts = []
    for mount in container.mounts:
        if mount.volume in volume_names:
            item: dict[str, Any] = {"name": mount.volume, "mountPath": mount.path}
            if mount.read_only:
                item["readOnly"] = True
            mounts.append(item)
    if mounts:
        out["volumeMounts"] = mounts
    if container.liveness is not None:
        out["livenessProbe"] = _probe(container.liveness)
    if container.startup is not None:
        out["startupProbe"] = _probe(container.startup)
    security = _security(container)
    if security:
        out["securityContext"] = security
    if container.interactive is not None:
        out["stdin"] = container.interactive
    if container.pseudo_terminal is not None:
        out["tty"] = container.pseudo_terminal
    return out


def _resources(container: Container) -> dict[str, Any]:
    r = container.resources
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    if r.cpu_request_cores is not None:
        requests["cpu"] = cpu_quantity(r.cpu_request_cores)
    if r.cpu_limit_cores is not None:
        limits["cpu"] = cpu_quantity(r.cpu_limit_cores)
    if r.memory_request_bytes is not None:
        requests["memory"] = memory_quantity(r.memory_request_bytes)
    if r.memory_limit_bytes is not None:
        limits["memory"] = memory_quantity(r.memory_limit_bytes)
    if r.ephemeral_storage_bytes is not None:
        storage = r.ephemeral_storage_bytes
        requests["ephemeral-storage"] = f"{int(storage) // GIB}Gi" if storage % GIB == 0 else memory_quantity(storage)
    if r.gpu_count is not None:
        limits["nvidia.com/gpu"] = str(r.gpu_count)
    out: dict[str, Any] = {}
    if requests:
        out["requests"] = requests
    if limits:
        out["limits"] = limits
    return out


def _probe(probe: Probe) -> dict[str, Any]:
    out: dict[str, Any] = {"exec": {"command": list(probe.command or ())}}
    if probe.initial_delay_seconds:
        out["initialDelaySeconds"] = probe.initial_delay_seconds
    out.update({"periodSeconds": probe.period_seconds, "timeoutSeconds": probe.timeout_seconds,
                "failureThreshold": probe.failure_threshold})
    return out


def _security(container: Container) -> dict[str, Any]:
    sec = container.security
    out: dict[str, Any] = {}
    if sec.run_as_user is not None:
        out["runAsUser"] = sec.run_as_user
    if sec.run_as_group is not None:
        out["runAsGroup"] = sec.run_as_group
    if sec.read_only_root_filesystem is not None:
        out["readOnlyRootFilesystem"] = sec.read_only_root_filesystem
    if sec.privileged is not None:
        out["privileged"] = sec.privileged
    if sec.no_new_privileges:
        out["allowPrivilegeEscalation"] = False
    capabilities: dict[str, Any] = {}
    if sec.capabilities_add:
        capabilities["add"] = list(sec.capabilities_add)
    if sec.capabilities_drop:
        capabilities["drop"] = list(sec.capabilities_drop)
    if capabilities:
        out["capabilities"] = capabilities
    return out
