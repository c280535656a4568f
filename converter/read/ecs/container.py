"""One ECS container definition -> the neutral Container (docs/MAPPING.md#topic-reverse, the inverse of #rules-k8s).

The caller decides the container's role (app, init, sidecar) from the task's dependsOn graph; this
module reads everything else. Fields with no Kubernetes counterpart are named (K2E-W709) with a
suggestion; dockerLabels and stopTimeout are handed to the pod through ``PodExtras``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from converter.read.ecs.tags import tag_left_out
from converter.read.ecs.view import EcsView, Key
from converter.core.reader import Path
from converter.write.kubernetes.rules import env_name_problem
from converter.core.model import Container, ContainerRole, EnvVar, Mount
from converter.core.settings import placeholder
from converter.rules.env import secret_env
from converter.rules.exposure.reverse import container_ports
from converter.rules.health import health_probes
from converter.rules.logging import read_log_configuration
from converter.rules.resources.reverse import container_resources
from converter.rules.security import security_context

_NO_FIELD: dict[str, str] = {
    "links": "Containers of a pod share localhost: call the linked container on localhost.",
    "volumesFrom": "Mount a shared emptyDir volume in both containers.",
    "ulimits": "Set the limits in the image's entrypoint (ulimit) or on the node's container runtime.",
    "hostname": "Set the pod's hostname (spec.hostname) if the application needs it.",
    "extraHosts": "Use spec.hostAliases in the pod.",
    "dnsServers": "Use dnsPolicy: None with dnsConfig.nameservers in the pod.",
    "dnsSearchDomains": "Use dnsConfig.searches in the pod.",
    "disableNetworking": "Use a NetworkPolicy that denies all traffic to and from the pod.",
    "systemControls": "Use the pod's securityContext.sysctls (unsafe sysctls need a kubelet allow-list).",
    "repositoryCredentials": "Create a docker-registry Secret from the Secrets Manager secret and list it in imagePullSecrets.",
    "environmentFiles": "Fetch the file from S3 into a ConfigMap and load it with envFrom.",
    "startTimeout": "Kubernetes has no start timeout for dependencies; a startupProbe bounds start-up instead.",
    "credentialSpecs": "Use gMSA for Windows pods (securityContext.windowsOptions.gmsaCredentialSpec).",
    "restartPolicy": "Kubernetes always restarts the containers of a Deployment's pods (restartPolicy: Always).",
    "versionConsistency": "Pin the image by digest in the Deployment if every pod must run the same image.",
    "firelensConfiguration": "Run Fluent Bit as a DaemonSet (or keep this container as a sidecar with its own config file).",
}


@dataclass
class PodExtras:
    """What containers contribute to the pod: annotations from dockerLabels, stop timeouts, app protocols."""

    annotations: dict[str, str] = field(default_factory=dict)
    stop_timeouts: dict[str, int] = field(default_factory=dict)
    app_protocols: dict[str, str] = field(default_factory=dict)  # port mapping name -> http|http2|grpc
    app_protocol_paths: dict[str, Path] = field(default_factory=dict)
    port_names: dict[tuple[str, int], str] = field(default_factory=dict)  # (container, port) -> ECS port name


def parse_container(view: EcsView, path: Path, role: ContainerRole, name: str, extras: PodExtras,
                    *, host_ports: bool) -> Container:
    image = view.get(path + ("image",), str)
    if not image:
        if image is None and not view.has(path + ("image",)):
            view.fail(path, f"container {name!r} has no image")
        image = placeholder("image")
        view.note(path + ("image",), "K2E-W709", f"container {name!r} has no image; a placeholder was written",
                  "Fill in the image before applying the manifest.", covers=False)
    resources = container_resources(view, path, name)
    ports = container_ports(view, path, name, extras, host_ports=host_ports)
    environment = tuple(EnvVar(name=n, value=v, origin=view.origin(p))
                        for p, n, v in _pairs(view, path + ("environment",), "value") if v is not None)
    secrets = tuple(secret_env(view, item_path, n, v)
                    for item_path, n, v in _pairs(view, path + ("secrets",), "valueFrom") if v is not None)
    liveness, startup = health_probes(view, path + ("healthCheck",), name, role)
    mounts = tuple(Mount(volume=view.get(p + ("sourceVolume",), str) or "", path=view.get(p + ("containerPath",), str) or "",
                         read_only=bool(view.get(p + ("readOnly",), bool, default=False)), origin=view.origin(p))
                   for p, _ in view.sequence(path + ("mountPoints",)))
    labels = {key: value for key, value in view.string_map(path + ("dockerLabels",)).items()
              if not tag_left_out(view, path + ("dockerLabels", Key(key)), key, f"dockerLabels key of {name!r}")}
    if labels:
        extras.annotations.update(labels)
        view.note(path + ("dockerLabels",), "K2E-I731", f"dockerLabels of {name!r} became pod annotations: {', '.join(sorted(labels))}",
                  covers=False)
    stop = view.get(path + ("stopTimeout",), int)
    if stop is not None:
        extras.stop_timeouts[name] = stop
    read_log_configuration(view, path, name)
    for key, suggestion in _NO_FIELD.items():
        if key == "restartPolicy" and role == "sidecar" and view.raw(path + (key, "enabled")) is True:
            view.take(path + (key,))  # restarted in place: what restartPolicy: Always gives a native sidecar
        elif view.filled_or_taken(path + (key,)):
            view.note(path + (key,), "K2E-W709", f"{key} of container {name!r} has no Kubernetes field", suggestion)
    return Container(
        name=name, image=image, role=role,
        entry_point=view.strings(path + ("entryPoint",)), command=view.strings(path + ("command",)),
        working_directory=view.get(path + ("workingDirectory",), str),
        environment=environment, secrets=secrets, ports=ports, liveness=liveness, startup=startup,
        mounts=mounts, resources=resources, security=security_context(view, path, name),
        interactive=view.get(path + ("interactive",), bool), pseudo_terminal=view.get(path + ("pseudoTerminal",), bool),
        origin=view.origin(path),
    )


def _pairs(view: EcsView, path: Path, value_key: str) -> list[tuple[Path, str, str | None]]:
    """(path, name, value) of name/value entries; value None when an intrinsic could not be resolved (noted)."""
    found: list[tuple[Path, str, str | None]] = []
    for item_path, _ in view.sequence(path):
        name = view.get(item_path + ("name",), str)
        unresolved = view.cfn and isinstance(view.raw(item_path + (value_key,)), dict)
        value = view.get(item_path + (value_key,), str, int, float, bool)
        if name is None:
            view.fail(item_path, "an entry needs a name")
        problem = env_name_problem(name)
        if problem is not None:
            # The API server refuses such an env name (ValidateEnv), so the Deployment could not be applied
            # (the all-fields skeleton of register-task-definition has one: {"name": "", "value": ""}).
            reason = "a Kubernetes env name is never empty and never holds '='" if name == "" or "=" in name else \
                f"as a Kubernetes env name it {problem}"
            view.note(item_path, "K2E-W743", f"entry {name!r} was left out: {reason}")
            continue
        if value is None and unresolved:
            view.note(item_path, "K2E-W704", f"{name} was left out: its value is known only at deploy time", covers=False)
            found.append((item_path, name, None))
            continue
        found.append((item_path, name, "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)))
    return found


