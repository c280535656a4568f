"""One Kubernetes container (of a pod template) -> the neutral Container (docs/MAPPING.md#rules-k8s)."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal
from typing import Any

from converter.findings import Origin
from converter.kubernetes.expansion import expand
from converter.kubernetes.context import ParseContext, Referenced, data_keys
from converter.kubernetes.reader import Path, Reader
from converter.model import Container, ContainerRole, EnvVar, Mount, Port, Resources, SecretEnv
from converter.kubernetes.probes import parse_probe
from converter.kubernetes.security import parse_security_context
from converter.quantity import QuantityError, is_milli_memory, parse_quantity
from converter.record import Record, set_field

# ${VAR}, $VAR and {{ ... }}: envsubst's and Go templates' markers, which no registry reference holds.
_UNEXPANDED = re.compile(r"\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\{\{.*?\}\}")
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
# Resources an init container declares that ECS gets at task level or not at all (any other key has a W208).
_INIT_SIZED = ("cpu", "memory", "nvidia.com/gpu", "ephemeral-storage")
_DEFAULT_TERMINATION_MESSAGE = {"terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}


class PodFacts(Record):
    """Pod-level facts a container mapping may need (for static downward-API values)."""

    namespace: str | None
    service_account: str | None
    labels: dict[str, str]
    annotations: dict[str, str]
    pod_security: dict[str, Any]  # pod securityContext runAsUser/runAsGroup defaults

    def __init__(self, namespace: str | None, service_account: str | None, labels: dict[str, str],
                 annotations: dict[str, str], pod_security: dict[str, Any]) -> None:
        set_field(self, "namespace", namespace)
        set_field(self, "service_account", service_account)
        set_field(self, "labels", labels)
        set_field(self, "annotations", annotations)
        set_field(self, "pod_security", pod_security)


def parse_container(reader: Reader, path: Path, role: ContainerRole, context: ParseContext, pod: PodFacts,
                    siblings: dict[str, Path]) -> Container:
    name = reader.get(path + ("name",), str)
    image = reader.get(path + ("image",), str)
    if name is None:
        reader.fail(path, "container has no name")
    if _DNS_LABEL.fullmatch(name) is None:
        reader.fail(path + ("name",), f"container name {name!r} is not a DNS label (lower-case letters, digits, '-', at most 63)")
    if image is None:
        reader.fail(path + ("image",), f"container {name!r} has no image")
    if _UNEXPANDED.search(image) is not None:
        reader.note(path + ("image",), "K2E-W160", f"image of {name!r} still holds {_UNEXPANDED.search(image).group()!r}, "
                                                   "a variable or template that was never expanded", covers=False)
    reader.get(path + ("restartPolicy",), str)  # consumed by the caller's role decision

    ports = _ports(reader, path, name)
    environment, secrets, runtime = _environment(reader, path, name, context, pod, siblings)
    # command and args are expanded with the container's whole final env (kubelet ExpandContainerCommandAndArgs).
    final = {entry.name: entry.value for entry in environment}
    entry_point = _expanded_list(reader, path + ("command",), name, final, runtime)
    command = _expanded_list(reader, path + ("args",), name, final, runtime)
    resources = _resources(reader, path + ("resources",), name)
    if role == "init":
        _init_resources(reader, path + ("resources",), name)
    probes = {key: parse_probe(reader, path + (key,), ports)
              for key in ("livenessProbe", "readinessProbe", "startupProbe")}
    mounts = tuple(_mount(reader, item_path) for item_path, _ in reader.sequence(path + ("volumeMounts",)))
    for item_path, item in reader.sequence(path + ("volumeMounts",)):
        for option in ("subPath", "subPathExpr", "mountPropagation", "recursiveReadOnly"):
            if isinstance(item, dict) and option in item:
                reader.note(item_path + (option,), "K2E-I124", f"volume mount option {option} has no ECS field")

    if reader.has(path + ("lifecycle",)):
        reader.note(path + ("lifecycle",), "K2E-W116", f"lifecycle hooks of container {name!r} have no ECS equivalent")
    policy = reader.get(path + ("imagePullPolicy",), str)
    if policy is not None and policy != "Always":
        reader.note(path + ("imagePullPolicy",), "K2E-W136", f"imagePullPolicy {policy} has no task-level field; ECS pulls on every start")
    elif policy == "Always":  # what ECS does; no field says so, so a conversion back cannot write it
        reader.note(path + ("imagePullPolicy",), "K2E-I009", "imagePullPolicy Always is what ECS does (it pulls on "
                    "every task start); no ECS field carries it")
    for key, default in _DEFAULT_TERMINATION_MESSAGE.items():
        value = reader.get(path + (key,), str)
        if value is not None and value != default:
            reader.note(path + (key,), "K2E-W145", f"{key} has no ECS field")
    for key in reader.present(path, ("stdinOnce", "resizePolicy", "restartPolicyRules")):
        reader.note(path + (key,), "K2E-W145", f"{key} has no ECS field")
    if reader.has(path + ("volumeDevices",)):
        reader.note(path + ("volumeDevices",), "K2E-W120", "raw block volumeDevices have no ECS equivalent")

    return Container(
        name=name, image=image, role=role, entry_point=entry_point, command=command,
        working_directory=reader.get(path + ("workingDir",), str),
        environment=environment, secrets=secrets, ports=ports,
        liveness=probes["livenessProbe"], readiness=probes["readinessProbe"], startup=probes["startupProbe"],
        mounts=mounts, resources=resources,
        security=parse_security_context(reader, path + ("securityContext",), pod.pod_security),
        interactive=reader.get(path + ("stdin",), bool), pseudo_terminal=reader.get(path + ("tty",), bool),
        origin=reader.origin(path),
    )


def _mount(reader: Reader, path: Path) -> Mount:
    origin = reader.origin(path)
    volume = reader.get(path + ("name",), str)
    mount_path = reader.get(path + ("mountPath",), str)
    if volume is None or mount_path is None:
        reader.fail(path, "a volume mount needs name and mountPath")
    return Mount(volume=volume, path=mount_path, read_only=bool(reader.get(path + ("readOnly",), bool, default=False)),
                 origin=origin)


def _expanded_list(reader: Reader, path: Path, container: str, final: dict[str, str],
                   runtime: dict[str, str]) -> tuple[str, ...] | None:
    values = _string_list(reader, path)
    if values is None:
        return None
    expanded = []
    for index, value in enumerate(values):
        text, unknown = expand(value, final.get)
        if text != value:
            reader.note(path + (index,), "K2E-I170", f"{path[-1]} of container {container!r}: {value!r} expanded "
                        f"to {text!r} at conversion time, as the kubelet does", covers=False)
        _unexpanded(reader, path + (index,), f"{path[-1]} of container {container!r}", unknown, runtime)
        expanded.append(text)
    return tuple(expanded)


def _unexpanded(reader: Reader, path: Path, what: str, unknown: list[str], runtime: dict[str, str]) -> None:
    """Name the $(VAR) references left in a value: ECS passes them through literally."""
    at_run_time = [name for name in unknown if runtime.get(name, "").startswith(_RUN_TIME)]
    other = [name for name in unknown if name not in at_run_time]
    if at_run_time:
        fields = ", ".join(f"{name} ({runtime[name][len(_RUN_TIME):]})" for name in at_run_time)
        reader.note(path, "K2E-W171", f"{what} refers to {fields}, known only at run time on ECS; the reference "
                    "stays literal: read the value from the task metadata endpoint "
                    "($ECS_CONTAINER_METADATA_URI_V4/task) in the container's entrypoint instead", covers=False)
    if other:
        why = "; ".join(f"{name}: {runtime.get(name, 'not defined earlier in the env')}" for name in other)
        reader.note(path, "K2E-W106", f"{what} uses $(VAR) expansion, which ECS does not perform ({why})",
                    covers=False)


def _string_list(reader: Reader, path: Path) -> tuple[str, ...] | None:
    if not reader.has(path):
        return None
    values = []
    for item_path, item in reader.sequence(path):
        if not isinstance(item, str):
            reader.fail(item_path, f"expected a string, got {type(item).__name__}")
        values.append(item)
    reader.take(path)
    return tuple(values)


def _ports(reader: Reader, path: Path, container: str) -> tuple[Port, ...]:
    ports: list[Port] = []
    seen: dict[int, str] = {}
    for item_path, _ in reader.sequence(path + ("ports",)):
        origin = reader.origin(item_path)
        number = reader.get(item_path + ("containerPort",), int)
        if number is None or not 1 <= number <= 65535:
            reader.fail(item_path + ("containerPort",), "containerPort must be an integer from 1 to 65535")
        protocol = (reader.get(item_path + ("protocol",), str) or "TCP").upper()
        name = reader.get(item_path + ("name",), str)
        host_port = reader.get(item_path + ("hostPort",), int)
        if reader.has(item_path + ("hostIP",)):
            reader.note(item_path + ("hostIP",), "K2E-W138", "hostIP has no ECS field")
        if protocol not in ("TCP", "UDP"):
            reader.note(item_path + ("protocol",), "K2E-W138", f"port {number}/{protocol} of {container!r} dropped: ECS supports tcp and udp only")
            continue
        if number in seen:
            reader.note(item_path, "K2E-W138", f"port {number} of {container!r} is declared for {seen[number]} and {protocol}; ECS allows one protocol per container port, the second was dropped")
            continue
        seen[number] = protocol
        if host_port is not None and host_port != number:
            reader.note(item_path + ("hostPort",), "K2E-W138", f"hostPort {host_port} differs from containerPort {number}; with awsvpc they must be equal, so hostPort was dropped")
            host_port = None
        ports.append(Port(container_port=number, protocol=protocol.lower(), name=name, host_port=host_port,
                          origin=origin))
    return tuple(ports)


def _init_resources(reader: Reader, path: Path, container: str) -> None:
    """Name what an init container declares: ECS gets none of it at container level (#topic-task-size)."""
    declared = {section: {key: value for key, value in reader.mapping(path + (section,)).items() if key in _INIT_SIZED}
                for section in ("requests", "limits")}
    shown = "; ".join(f"{section} " + ", ".join(f"{key} {value}" for key, value in values.items())
                      for section, values in declared.items() if values)
    if not shown:
        return
    message = (f"init container {container!r} declares {shown}: an ECS init container gets no container-level cpu, "
               "memory or GPU; its cpu and memory count only toward the task size, which covers each init container "
               "next to the native sidecars declared before it")
    if any("nvidia.com/gpu" in values for values in declared.values()):
        message += "; its nvidia.com/gpu was not written"
    if any("ephemeral-storage" in values for values in declared.values()):
        message += "; its ephemeral-storage counts toward the task's ephemeralStorage"
    reader.note(path, "K2E-I149", message, covers=False)


def _zero_resource(reader: Reader, path: Path, section: str, key: str, container: str) -> None:
    """A cpu or memory of 0 is read as not set. A zero limit sets no cgroup limit on the kubelet (no CFS quota,
    no memory limit: pkg/kubelet/kuberuntime/kuberuntime_container_linux.go sets a limit only when it is not
    zero); a zero request reserves nothing. ECS rejects a container memory of 0, so nothing is written."""
    if section == "limits":
        effect = "means no limit on the kubelet"
    else:
        effect = "reserves nothing"
    reader.note(path, "K2E-W213", f"{section}.{key} 0 of {container!r} {effect}; it was read as not set and no "
                f"container-level {key} was written for it")


def _resources(reader: Reader, path: Path, container: str) -> Resources:
    values: dict[str, Any] = {}
    for section in ("requests", "limits"):
        for key, raw in reader.mapping(path + (section,)).items():
            item_path = path + (section, key)
            if key in ("cpu", "memory", "ephemeral-storage", "nvidia.com/gpu"):
                try:
                    quantity = parse_quantity(raw)
                except QuantityError as err:
                    reader.fail(item_path, str(err))
                reader.take(item_path)
                if quantity < 0:
                    reader.fail(item_path, "a resource quantity cannot be negative")
                if key == "memory" and is_milli_memory(raw):
                    reader.note(item_path, "K2E-W203", f"memory {raw!r} of {container!r} is in millibytes; did you mean {str(raw)[:-1]}Mi?")
                if quantity == 0 and key in ("cpu", "memory"):
                    _zero_resource(reader, item_path, section, key, container)
                    continue
                values[f"{section}.{key}"] = quantity
            else:
                reader.note(item_path, "K2E-W208", f"resource {key} of {container!r} has no ECS equivalent")
    if reader.has(path + ("claims",)):
        reader.note(path + ("claims",), "K2E-W208", "dynamic resource claims have no ECS equivalent")
    gpu = values.get("limits.nvidia.com/gpu", values.get("requests.nvidia.com/gpu"))
    storage = values.get("limits.ephemeral-storage", values.get("requests.ephemeral-storage"))
    return Resources(
        cpu_request_cores=values.get("requests.cpu"), cpu_limit_cores=values.get("limits.cpu"),
        memory_request_bytes=values.get("requests.memory"), memory_limit_bytes=values.get("limits.memory"),
        gpu_count=None if gpu is None else int(gpu.to_integral_value(rounding=ROUND_CEILING)),
        ephemeral_storage_bytes=storage,
    )


# -- environment (#topic-environment) ------------------------------------------------------------------

def _environment(reader: Reader, path: Path, container: str, context: ParseContext, pod: PodFacts,
                 siblings: dict[str, Path]) -> tuple[tuple[EnvVar, ...], tuple[SecretEnv, ...], dict[str, str]]:
    """The container's env, with ``$(VAR)`` expanded where the kubelet would and the value is known now,
    and, for each name whose value is not known at conversion time, why (for the findings on references)."""
    # Kubernetes precedence: env beats envFrom; among envFrom sources the last wins. Resolve now and
    # emit each name once (ECS would otherwise apply its own, different, precedence).
    resolved: dict[str, EnvVar | SecretEnv] = {}
    runtime: dict[str, str] = {}  # name -> why its value is unknown here
    for item_path, _ in reader.sequence(path + ("envFrom",)):
        for entry in _env_from(reader, item_path, context, pod):
            resolved[entry.name] = entry
            if isinstance(entry, SecretEnv):
                runtime[entry.name] = _SECRET
            else:
                runtime.pop(entry.name, None)
    declared: set[str] = set()
    for item_path, _ in reader.sequence(path + ("env",)):
        origin = reader.origin(item_path)
        name = reader.get(item_path + ("name",), str)
        if name is None or name == "" or "=" in name:
            # ValidateEnv (pkg/apis/core/validation): a name is required, and no relaxed or strict rule
            # (validation.IsEnvVarName, RelaxedEnvironmentVariableValidation) lets it hold "=".
            reader.fail(item_path + (() if name is None else ("name",)),
                        "env entry has no name" if not name else f"env name {name!r} holds '=', which no environment can carry")
        if name in declared:
            reader.note(item_path + ("name",), "K2E-W146", f"{name} is set more than once in {container!r}; the last one is kept")
        declared.add(name)
        entry = _env_entry(reader, item_path, origin, name, container, context, pod, siblings)
        if isinstance(entry, EnvVar) and reader.raw(item_path + ("value",)) is not None:
            # An env value is expanded with envFrom and the earlier env entries only (makeEnvironmentVariables).
            known = {key: e.value for key, e in resolved.items() if isinstance(e, EnvVar)}
            text, unknown = expand(entry.value, known.get)
            if text != entry.value:
                reader.note(item_path + ("value",), "K2E-I170", f"{name}: {entry.value!r} expanded to {text!r} at "
                            "conversion time, as the kubelet does", covers=False)
                entry = EnvVar(name=name, value=text, origin=origin)
            _unexpanded(reader, item_path + ("value",), name, unknown, runtime)
        if entry is not None:
            resolved[name] = entry
            runtime.pop(name, None)
            if isinstance(entry, SecretEnv):
                runtime[name] = _SECRET
        elif name not in resolved:
            runtime[name] = _why_unknown(reader, item_path)
    environment = tuple(e for e in resolved.values() if isinstance(e, EnvVar))
    secrets = tuple(e for e in resolved.values() if isinstance(e, SecretEnv))
    return environment, secrets, runtime


_RUN_TIME = "run time: "
_SECRET = "its value is a Secret, which k2ecs never reads"


def _why_unknown(reader: Reader, item_path: Path) -> str:
    field_path = reader.raw(item_path + ("valueFrom", "fieldRef", "fieldPath"))
    if isinstance(field_path, str):
        return _RUN_TIME + field_path
    return "its value is not in the input"


def _env_entry(reader: Reader, path: Path, origin: Origin, name: str, container: str, context: ParseContext,
               pod: PodFacts, siblings: dict[str, Path]) -> EnvVar | SecretEnv | None:
    value = reader.get(path + ("value",), str)
    if value is not None:
        return EnvVar(name=name, value=value, origin=origin)
    source = path + ("valueFrom",)
    if not reader.has(source):
        return EnvVar(name=name, value="", origin=origin)
    if reader.has(source + ("secretKeyRef",)):
        ref = source + ("secretKeyRef",)
        secret_name = reader.get(ref + ("name",), str)
        key = reader.get(ref + ("key",), str)
        if secret_name is None or key is None:
            reader.fail(ref, "secretKeyRef needs name and key")
        if reader.get(ref + ("optional",), bool) is True:
            reader.note(ref + ("optional",), "K2E-W107",
                        f"{name}: optional secretKeyRef {secret_name}/{key} becomes a required ECS secret; the task "
                        "fails to start when it is missing")
        context.lookup("Secret", pod.namespace, secret_name)
        return SecretEnv(name=name, secret_name=secret_name, key=key, origin=origin)
    if reader.has(source + ("configMapKeyRef",)):
        ref = source + ("configMapKeyRef",)
        map_name = reader.get(ref + ("name",), str)
        key = reader.get(ref + ("key",), str)
        optional = bool(reader.get(ref + ("optional",), bool, default=False))
        config_map = context.lookup("ConfigMap", pod.namespace, map_name or "")
        data = _config_map_data(config_map)
        if data is None or key not in data:
            if optional:
                reader.note(ref, "K2E-I102", f"{name}: optional ConfigMap key {map_name}/{key} is not in the input; the variable was left out", covers=False)
                return None
            reader.note(ref, "K2E-E104", f"{name} refers to ConfigMap {map_name!r} key {key!r}, which is not in the input", covers=False)
            return None
        reader.note(ref, "K2E-I102", f"{name} inlined from ConfigMap {map_name}/{key}", covers=False)
        return EnvVar(name=name, value=data[key], origin=origin)
    if reader.has(source + ("fieldRef",)):
        return _field_ref(reader, source + ("fieldRef",), name, pod, origin)
    if reader.has(source + ("resourceFieldRef",)):
        return _resource_field_ref(reader, source + ("resourceFieldRef",), name, container, siblings, origin)
    reader.fail(source, "valueFrom needs secretKeyRef, configMapKeyRef, fieldRef or resourceFieldRef")
    return None


def _config_map_data(config_map: Referenced | None) -> dict[str, str] | None:
    if config_map is None:
        return None
    data = config_map.reader.string_map(("data",))
    if config_map.reader.has(("binaryData",)):
        config_map.reader.take(("binaryData",))
    return data


_STATIC_FIELDS = {"metadata.namespace", "spec.serviceAccountName"}
_LABEL_FIELD = re.compile(r"metadata\.(labels|annotations)\['([^']+)'\]")


def _field_ref(reader: Reader, path: Path, name: str, pod: PodFacts, origin) -> EnvVar | None:
    field_path = reader.get(path + ("fieldPath",), str) or ""
    reader.get(path + ("apiVersion",), str)
    static: str | None = None
    if field_path == "metadata.namespace":
        static = pod.namespace or "default"
    elif field_path == "spec.serviceAccountName":
        static = pod.service_account or "default"
    elif (match := _LABEL_FIELD.fullmatch(field_path)) is not None:
        source = pod.labels if match[1] == "labels" else pod.annotations
        static = source.get(match[2], "")
    if static is None:
        reader.note(path, "K2E-W101", f"{name} reads {field_path}, which ECS only knows at run time; the variable was left out", covers=False)
        return None
    reader.note(path, "K2E-I102", f"{name} inlined from {field_path} ({static!r})", covers=False)
    return EnvVar(name=name, value=static, origin=origin)


def _resource_field_ref(reader: Reader, path: Path, name: str, container: str, siblings: dict[str, Path],
                        origin) -> EnvVar | None:
    resource = reader.get(path + ("resource",), str) or ""
    target = reader.get(path + ("containerName",), str) or container
    divisor_raw = reader.get(path + ("divisor",), str, int, float)
    target_path = siblings.get(target)
    section, _, kind = resource.partition(".")
    raw = None if target_path is None else reader.raw(target_path + ("resources", section, kind))
    if raw is None:
        reader.note(path, "K2E-W101", f"{name} reads {resource} of {target!r}, which is not declared; the variable was left out", covers=False)
        return None
    try:
        divisor = parse_quantity(divisor_raw if divisor_raw is not None else 1)
        value = parse_quantity(raw) / divisor
    except (QuantityError, ArithmeticError) as err:
        reader.fail(path, f"cannot compute {resource}: {err}")
    # The kubelet rounds resourceFieldRef values up to a whole number of divisors.
    text = str(int(value.to_integral_value(rounding=ROUND_CEILING)))
    reader.note(path, "K2E-I102", f"{name} inlined as {text} ({resource} of {target!r})", covers=False)
    return EnvVar(name=name, value=text, origin=origin)


def _env_from(reader: Reader, path: Path, context: ParseContext, pod: PodFacts) -> list[EnvVar | SecretEnv]:
    prefix = reader.get(path + ("prefix",), str) or ""
    entries: list[EnvVar | SecretEnv] = []
    for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
        ref = path + (key,)
        if not reader.has(ref):
            continue
        source_name = reader.get(ref + ("name",), str) or ""
        optional = bool(reader.get(ref + ("optional",), bool, default=False))
        found = context.lookup(kind, pod.namespace, source_name)
        if found is None:
            if kind == "ConfigMap" and not optional:
                reader.note(ref, "K2E-E104", f"envFrom refers to ConfigMap {source_name!r}, which is not in the input", covers=False)
            else:
                reader.note(ref, "K2E-W105", f"envFrom {kind} {source_name!r} is not in the input, so its keys cannot be listed", covers=False)
            continue
        origin = reader.origin(ref)
        if kind == "ConfigMap":
            for data_key, value in (_config_map_data(found) or {}).items():
                entries.append(EnvVar(name=prefix + data_key, value=value, origin=origin))
            reader.note(ref, "K2E-I102", f"envFrom ConfigMap {source_name} inlined ({len(entries)} keys)", covers=False)
        else:
            # Keys only: the values of a Secret are never read into any output.
            keys = data_keys(found)
            for data_key in keys:
                entries.append(SecretEnv(name=prefix + data_key, secret_name=source_name, key=data_key, origin=origin))
            if optional:
                reader.note(ref + ("optional",), "K2E-W107",
                            f"envFrom Secret {source_name} is optional, but its {len(keys)} key(s) become required ECS "
                            "secrets; the task fails to start when one is missing")
    return entries


def cores(value: Decimal | None) -> Decimal:
    return Decimal(0) if value is None else value
