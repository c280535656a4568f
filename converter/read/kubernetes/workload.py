"""Deployment (and, partially, StatefulSet) -> the neutral Workload (docs/MAPPING.md#rules-k8s)."""

from __future__ import annotations

from typing import Any

from converter.read.kubernetes.container import parse_container
from converter.read.kubernetes.container_env import PodFacts
from converter.read.kubernetes.context import ParseContext
from converter.read.kubernetes.metadata import name_problem, read_metadata, shown
from converter.read.kubernetes.injection import expected_sidecars
from converter.core.reader import Path, Reader
from converter.core.scope import Scope
from converter.read.kubernetes.security import check_ids
from converter.core.model import Container, Rollout, Volume, Workload

_ARCH = {"amd64": "X86_64", "arm64": "ARM64"}
_ARCH_KEYS = ("kubernetes.io/arch", "beta.kubernetes.io/arch")
_OS_KEYS = ("kubernetes.io/os", "beta.kubernetes.io/os")
_SCHEDULING = ("affinity", "tolerations", "priorityClassName", "priority", "schedulerName", "nodeName",
               "topologySpreadConstraints", "preemptionPolicy", "runtimeClassName", "overhead",
               "readinessGates", "schedulingGates", "resourceClaims", "resources")
_DNS = ("hostname", "subdomain", "hostAliases", "dnsConfig", "setHostnameAsFQDN", "hostUsers")
_POD_SECURITY_NO_FIELD = ("fsGroup", "fsGroupChangePolicy", "supplementalGroups", "supplementalGroupsPolicy",
                          "runAsNonRoot", "seccompProfile", "seLinuxOptions", "appArmorProfile",
                          "windowsOptions", "sysctls", "seLinuxChangePolicy")
_DEPLOYMENT_NO_FIELD = ("minReadySeconds", "revisionHistoryLimit", "paused")
DEFAULT_PROGRESS_DEADLINE_SECONDS = 600  # SetDefaults_Deployment (pkg/apis/apps/v1/defaults.go)
_STATEFULSET_LOST = ("serviceName", "podManagementPolicy", "updateStrategy", "ordinals",
                     "persistentVolumeClaimRetentionPolicy")


def parse_deployment(reader: Reader, context: ParseContext) -> Workload | None:
    meta = read_metadata(reader, "Deployment")
    if _unusable_name(reader, meta):
        return None
    spec = Scope(reader, ("spec",))  # its fields, read by key (converter.core.scope)
    replicas = _replicas(spec)
    rollout = _rollout(spec, deadline=_progress_deadline(spec))
    for key in spec.present(_DEPLOYMENT_NO_FIELD):
        spec.note(key, "K2E-W304", f"{key} has no ECS equivalent")
    return _workload(reader, context, meta, replicas, rollout)


def parse_statefulset(reader: Reader, context: ParseContext) -> Workload | None:
    """A StatefulSet without volumeClaimTemplates converts like a Deployment, its identity lost (W003)."""
    meta = read_metadata(reader, "StatefulSet")
    if _unusable_name(reader, meta):
        return None
    spec = ("spec",)
    if reader.has(spec + ("volumeClaimTemplates",)):
        reader.note(("spec", "volumeClaimTemplates"), "K2E-W001",
                    f"StatefulSet {meta.name} has volumeClaimTemplates (one volume per replica); not converted",
                    "Use EFS access points per task, or an ECS service with volumeConfigurations (one EBS volume per task).")
        reader.take(())  # the whole document is accounted for by that finding
        return None
    replicas = _replicas(Scope(reader, spec))
    lost = reader.present(spec, _STATEFULSET_LOST)
    for key in lost:
        reader.take(spec + (key,))
    reader.note(spec, "K2E-W003", f"StatefulSet {meta.name} converted like a Deployment; lost: stable pod names, "
                "ordered start-up" + (", " + ", ".join(lost) if lost else ""))
    rollout = Rollout(strategy="rolling", origin=reader.origin(spec))
    return _workload(reader, context, meta, replicas, rollout)


def _unusable_name(reader: Reader, meta) -> bool:
    """A name that cannot name output files is rejected with a finding (E020), never rewritten into a path."""
    problem = name_problem(meta.name)
    if problem is None:
        return False
    reader.note(("metadata", "name"), "K2E-E020", f"{meta.kind} name {shown(meta.name)} {problem}; not converted")
    reader.take(())  # the whole document is accounted for by that finding
    return True


def _replicas(spec: Scope) -> int | None:
    replicas = spec.get("replicas", int)
    if replicas is not None and replicas < 0:
        spec.fail("replicas", "replicas cannot be negative")
    return replicas


def _progress_deadline(spec: Scope) -> int:
    """progressDeadlineSeconds (default 600) becomes the ECS deployment circuit breaker (K2E-I321).

    The Deployment controller only reports a stalled rollout (condition Progressing=False,
    ProgressDeadlineExceeded) and keeps the old pods serving; without a circuit breaker ECS would keep
    launching failing tasks for ever. With enable + rollback, ECS stops the rollout and returns to the last
    completed deployment, which is what the old ReplicaSet's pods give a Kubernetes user."""
    declared = spec.get("progressDeadlineSeconds", int)
    seconds = DEFAULT_PROGRESS_DEADLINE_SECONDS if declared is None else declared
    shown = f"progressDeadlineSeconds {seconds}" + (" (the Kubernetes default)" if declared is None else "")
    spec.note("progressDeadlineSeconds", "K2E-I321",
                f"{shown} became deploymentCircuitBreaker enable + rollback: ECS stops a rollout whose tasks keep "
                "failing to start (a count of failed tasks, not a time) and returns to the last completed deployment, "
                "where Kubernetes only reports ProgressDeadlineExceeded", covers=declared is not None)
    return seconds


def _rollout(spec: Scope, *, deadline: int | None = None) -> Rollout:
    strategy = spec.scope("strategy")
    kind = strategy.get("type", str) or "RollingUpdate"
    if kind not in ("RollingUpdate", "Recreate"):
        strategy.fail("type", f"strategy type must be RollingUpdate or Recreate, not {kind!r}")
    rolling = strategy.scope("rollingUpdate")
    surge = rolling.get("maxSurge", int, str)
    unavailable = rolling.get("maxUnavailable", int, str)
    for name, value in (("maxSurge", surge), ("maxUnavailable", unavailable)):
        if isinstance(value, str) and not (value.endswith("%") and value[:-1].isdigit()):
            rolling.fail(name, f"{name} must be an integer or a percentage like 25%")
        if isinstance(value, int) and value < 0:
            rolling.fail(name, f"{name} cannot be negative")
    return Rollout(strategy="recreate" if kind == "Recreate" else "rolling", max_surge=surge,
                   max_unavailable=unavailable, origin=strategy.origin(), progress_deadline_seconds=deadline)


def _workload(reader: Reader, context: ParseContext, meta, replicas: int | None, rollout: Rollout) -> Workload:
    # ECS binds a service to one task family; selectors have no role, but are read field by field
    # so that an unknown field inside still gets its own finding.
    top = Scope(reader, ())  # the document's fields, and those below, read by key (converter.core.scope)
    version = top.raw("apiVersion")
    spec = top.scope("spec")
    if version == "apps/v1" and isinstance(top.raw("spec"), dict) and spec.raw("selector") is None:
        # apps/v1 has no selector defaulting (SetDefaults_Deployment in pkg/apis/apps/v1/defaults.go sets none,
        # unlike extensions/v1beta1 and apps/v1beta1, which default it to the template's labels), and
        # ValidateDeploymentSpec refuses a missing one: "spec.selector: Required value".
        reader.fail(("spec", "selector"), "an apps/v1 workload needs spec.selector (the API server refuses it "
                                          "without one: Required value)")
    selector = spec.scope("selector")
    selector.string_map("matchLabels")
    selector.take("matchExpressions")
    template = ("spec", "template")
    template_fields = spec.scope("template")
    if not template_fields.has("spec"):
        reader.fail(template, "the pod template has no spec")
    template_meta = template_fields.scope("metadata")
    pod_labels = template_meta.string_map("labels")
    pod_annotations = template_meta.string_map("annotations")
    if pod_annotations:
        template_meta.note("annotations", "K2E-I008",
                           "pod annotations are not carried: " + ", ".join(sorted(pod_annotations)))
    for injector, where, advice in expected_sidecars(pod_annotations, pod_labels):
        reader.note(template + ("metadata", where, injector.key), "K2E-W172",
                    f"the pod expects an injected {injector.runtime} sidecar ({injector.key}), which nothing injects on "
                    f"ECS: {advice}", covers=False)
    for key in ("name", "namespace", "creationTimestamp", "generateName"):
        if template_meta.has(key):
            template_meta.note(key, "K2E-I009", f"pod template metadata.{key} has no ECS role")
    pod = template + ("spec",)
    template_fields.mapping("spec")
    fields = template_fields.scope("spec")

    pod_security = fields.mapping("securityContext")
    security = fields.scope("securityContext")
    defaults = {key: security.get(key, int) for key in ("runAsUser", "runAsGroup")}
    check_ids(reader, pod + ("securityContext",), defaults["runAsUser"], defaults["runAsGroup"])
    for key in _POD_SECURITY_NO_FIELD:
        if key in pod_security:
            security.note(key, "K2E-W131", f"pod securityContext.{key} has no ECS field")

    account = fields.get("serviceAccountName", str) or fields.get("serviceAccount", str)
    facts = PodFacts(namespace=meta.namespace, service_account=account, labels=pod_labels,
                     annotations=pod_annotations, pod_security={k: v for k, v in defaults.items() if v is not None})
    containers = _containers(reader, context, pod, facts)
    volumes = _volumes(fields)
    _pod_fields(fields)
    arch, operating_system = _node_selector(fields)
    return Workload(
        kind=meta.kind, name=meta.name, namespace=meta.namespace, labels=meta.labels, annotations=meta.annotations,
        pod_labels=tuple(sorted(pod_labels.items())), replicas=replicas, rollout=rollout,
        containers=containers, volumes=volumes, service_account=account,
        task_role_arn=_task_role(reader, context, pod, account, meta.namespace),
        termination_grace_seconds=fields.get("terminationGracePeriodSeconds", int),
        cpu_architecture=arch, operating_system=operating_system,
        share_process_namespace=fields.get("shareProcessNamespace", bool),
        origin=reader.origin(()),
        repository_credentials_arn=_pull_secret(reader, context, pod),
    )


def _containers(reader: Reader, context: ParseContext, pod: Path, facts: PodFacts) -> tuple[Container, ...]:
    paths: dict[str, Path] = {}
    roles: list[tuple[Path, str]] = []
    for item_path, item in reader.sequence(pod + ("initContainers",)):
        is_sidecar = isinstance(item, dict) and item.get("restartPolicy") == "Always"
        roles.append((item_path, "sidecar" if is_sidecar else "init"))
    app = list(reader.sequence(pod + ("containers",)))
    if not app:
        reader.fail(pod + ("containers",), "the pod template has no containers")
    roles.extend((item_path, "app") for item_path, _ in app)
    for item_path, _ in roles:
        item = reader.raw(item_path)
        if not isinstance(item, dict):
            reader.fail(item_path, "a container must be a mapping")
        if isinstance(item.get("name"), str):
            paths[item["name"]] = item_path
    # Declared order is kept: the ECS dependency chain is built from it (#topic-init-and-sidecars).
    return tuple(parse_container(reader, item_path, role, context, facts, paths) for item_path, role in roles)


def _volumes(pod: Scope) -> tuple[Volume, ...]:
    reader = pod.reader
    volumes: list[Volume] = []
    for item_path, item in pod.sequence("volumes"):
        volume = Scope(reader, item_path, item)
        name = volume.get("name", str)
        if name is None:
            reader.fail(item_path, "a volume needs a name")
        origin = volume.origin()
        if "emptyDir" in item:
            source = volume.scope("emptyDir")
            medium = source.get("medium", str)
            if medium == "Memory":
                source.note("medium", "K2E-W122", f"volume {name!r} is memory-backed in Kubernetes; on ECS it is a disk-backed task volume")
            if source.has("sizeLimit"):
                source.note("sizeLimit", "K2E-I124", f"volume {name!r} sizeLimit has no ECS field")
            volume.mapping("emptyDir")
            volumes.append(Volume(name=name, source="scratch", host_path=None, origin=origin))
        elif "hostPath" in item:
            host = volume.scope("hostPath")
            host_path = host.get("path", str)
            if host_path is None:
                volume.fail("hostPath", f"hostPath volume {name!r} has no path")
            if host.has("type"):
                host.note("type", "K2E-I124", "hostPath type checks have no ECS field")
            volumes.append(Volume(name=name, source="host", host_path=host_path, origin=origin))
        elif "persistentVolumeClaim" in item:
            claim = volume.scope("persistentVolumeClaim").get("claimName", str)
            volume.note("persistentVolumeClaim", "K2E-W121",
                        f"volume {name!r} uses PersistentVolumeClaim {claim!r}; it became a task-scoped volume whose data is lost when the task stops")
            volumes.append(Volume(name=name, source="scratch", host_path=None, origin=origin))
        else:
            kinds = [key for key in item if key != "name"]
            mounts = [reader.origin(m).path for m in _mounts_of(reader, pod.path, name)]
            reader.note(item_path, "K2E-W120", f"volume {name!r} ({', '.join(kinds) or 'no source'}) has no ECS equivalent; its mounts were dropped",
                        **({"paths": mounts} if mounts else {}))
    return tuple(volumes)


def _mounts_of(reader: Reader, pod: Path, volume: str) -> list[Path]:
    """The volumeMounts of any container of the pod that mount ``volume`` (named where they are dropped)."""
    found = []
    spec = reader.raw(pod)
    for section in ("initContainers", "containers"):
        items = spec.get(section) if isinstance(spec, dict) else None
        for index, container in enumerate(items if isinstance(items, list) else []):
            mounts = container.get("volumeMounts") if isinstance(container, dict) else None
            for number, mount in enumerate(mounts if isinstance(mounts, list) else []):
                if isinstance(mount, dict) and mount.get("name") == volume:
                    found.append(pod + (section, index, "volumeMounts", number))
    return found


def _pod_fields(pod: Scope) -> None:
    for key in pod.present(_SCHEDULING):
        pod.note(key, "K2E-W139", f"{key} has no ECS equivalent (scheduling)")
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod.get(key, bool):
            pod.note(key, "K2E-W142", f"{key} is not available with awsvpc networking")
    dns_policy = pod.get("dnsPolicy", str)
    if dns_policy not in (None, "ClusterFirst"):
        pod.note("dnsPolicy", "K2E-W143", f"dnsPolicy {dns_policy} has no ECS field")
    for key in pod.present(_DNS):
        pod.note(key, "K2E-W143", f"{key} is not supported with awsvpc networking")
    restart = pod.get("restartPolicy", str)
    if restart not in (None, "Always"):
        pod.fail("restartPolicy", f"a Deployment's pods must have restartPolicy Always, not {restart}")
    for key in pod.present(("automountServiceAccountToken", "enableServiceLinks")):
        pod.note(key, "K2E-I009", f"{key} has no meaning on ECS")
    if pod.has("activeDeadlineSeconds"):
        pod.note("activeDeadlineSeconds", "K2E-W145", "activeDeadlineSeconds has no ECS field")


def _node_selector(pod: Scope) -> tuple[Any, Any]:
    selector = pod.string_map("nodeSelector")
    arch = operating_system = None
    for key, value in selector.items():
        if key in _ARCH_KEYS and value in _ARCH:
            arch = _ARCH[value]
        elif key in _OS_KEYS and value in ("linux", "windows"):
            operating_system = value
        else:
            pod.reader.note(pod.path + ("nodeSelector", key), "K2E-W140", f"nodeSelector {key}={value} has no Fargate equivalent")
    os_name = pod.scope("os").get("name", str)
    if os_name in ("linux", "windows"):
        operating_system = os_name
    return arch, operating_system


def _pull_secret(reader: Reader, context: ParseContext, pod: Path) -> str | None:
    """The Secrets Manager ARN the k2ecs config maps the first mappable imagePullSecret to, or None.

    The kubelet tries every pull secret of the pod for every image; an ECS container has one
    repositoryCredentials, so the first mapped one serves every container (ECR images need none)."""
    path = pod + ("imagePullSecrets",)
    names = [reader.get(item + ("name",), str) or "" for item, _ in reader.sequence(path)]
    if not names:
        return None
    mapping = context.settings.image_pull_secrets
    mapped = [name for name in names if name in mapping]
    unmapped = [name for name in names if name not in mapping]
    if unmapped:
        reader.note(path, "K2E-W137", f"imagePullSecrets {', '.join(unmapped)} are not mapped under repositoryCredentials: "
                    "in the k2ecs config" + ("; not written" if not mapped else f"; {mapped[0]} is used instead"),
                    covers=not mapped)
    if not mapped:
        return None
    message = f"imagePullSecret {mapped[0]} became repositoryCredentials of every container whose image is not in ECR"
    if len(mapped) > 1:
        message += (f"; {', '.join(mapped[1:])} not used (Kubernetes tries each pull secret, an ECS container takes "
                    "one)")
    reader.note(path, "K2E-I182", message)
    return mapping[mapped[0]]


def _task_role(reader: Reader, context: ParseContext, pod: Path, account: str | None, namespace: str | None) -> str | None:
    if account is None or account == "default":
        return context.settings.task_roles.get(account or "default")
    configured = context.settings.task_roles.get(account)
    found = context.lookup("ServiceAccount", namespace, account)
    if found is not None:
        annotations = found.reader.string_map(("metadata", "annotations"))
        role = annotations.get("eks.amazonaws.com/role-arn")
        if role is not None:
            found.reader.note(("metadata", "annotations", "eks.amazonaws.com/role-arn"), "K2E-W310",
                              f"IRSA role {role} became the task role of the pods that use ServiceAccount {account}")
            return configured or role
        if configured is None:
            # EKS Pod Identity associations live in the EKS API, not in manifests: nothing here says which
            # role the pods had, and ECS gives a task no AWS credentials without a task role.
            reader.note(pod + ("serviceAccountName",), "K2E-W621",
                        f"ServiceAccount {account!r} has no eks.amazonaws.com/role-arn annotation and no taskRoles: entry "
                        "in the k2ecs config; no task role was written, so the tasks get no AWS credentials",
                        covers=False)
        return configured
    if configured is None:
        reader.note(pod + ("serviceAccountName",), "K2E-W147", f"ServiceAccount {account!r} is not in the input; no task role written")
    return configured
