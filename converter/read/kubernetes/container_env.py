"""A Kubernetes container's environment -> ECS environment and secrets (docs/MAPPING.md#topic-environment).

env and envFrom resolved with Kubernetes' precedence, ConfigMap values inlined, Secret keys referenced
(never read), static downward-API values (fieldRef, resourceFieldRef) computed, $(VAR) expanded where the
kubelet would, and every reference left literal named. converter.read.kubernetes.container calls container_environment.
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING
from typing import Any

from converter.core.findings import Origin
from converter.read.kubernetes.context import ParseContext, Referenced, data_keys
from converter.read.kubernetes.expansion import expand, expansion_note, recording
from converter.core.reader import Path, Reader
from converter.core.scope import Scope
from converter.core.model import EnvVar, SecretEnv
from converter.core.quantity import QuantityError, parse_quantity
from converter.core.record import Record, set_field


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


# -- environment (#topic-environment) ------------------------------------------------------------------

def container_environment(reader: Reader, path: Path, container: str, context: ParseContext, pod: PodFacts,
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
    for item_path, item in reader.sequence(path + ("env",)):
        fields = Scope(reader, item_path, item)  # the entry's fields, read by key (converter.core.scope)
        origin = fields.origin()
        name = fields.get("name", str)
        if name is None or name == "" or "=" in name:
            # ValidateEnv (pkg/apis/core/validation): a name is required, and no relaxed or strict rule
            # (validation.IsEnvVarName, RelaxedEnvironmentVariableValidation) lets it hold "=".
            reader.fail(item_path + (() if name is None else ("name",)),
                        "env entry has no name" if not name else f"env name {name!r} holds '=', which no environment can carry")
        if name in declared:
            fields.note("name", "K2E-W146", f"{name} is set more than once in {container!r}; the last one is kept")
        declared.add(name)
        entry = _env_entry(fields, origin, name, container, context, pod, siblings)
        # A value without "$" expands to itself with nothing unknown (expand()): the names known so far, a dict
        # made anew for each entry (quadratic in a long env), are made only for one that holds a reference.
        if isinstance(entry, EnvVar) and "$" in entry.value and fields.raw("value") is not None:
            # An env value is expanded with envFrom and the earlier env entries only (makeEnvironmentVariables).
            known = {key: e.value for key, e in resolved.items() if isinstance(e, EnvVar)}
            used: dict[str, str] = {}
            text, unknown = expand(entry.value, recording(known.get, used))
            if text != entry.value:
                reader.note(item_path + ("value",), "K2E-I170", expansion_note(name, entry.value, text, used, name),
                            covers=False)
                entry = EnvVar(name=name, value=text, origin=origin)
            note_unexpanded(reader, item_path + ("value",), name, unknown, runtime)
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

def note_unexpanded(reader: Reader, path: Path, what: str, unknown: list[str], runtime: dict[str, str]) -> None:
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




def _why_unknown(reader: Reader, item_path: Path) -> str:
    field_path = reader.raw(item_path + ("valueFrom", "fieldRef", "fieldPath"))
    if isinstance(field_path, str):
        return _RUN_TIME + field_path
    return "its value is not in the input"


def _env_entry(fields: Scope, origin: Origin, name: str, container: str, context: ParseContext,
               pod: PodFacts, siblings: dict[str, Path]) -> EnvVar | SecretEnv | None:
    reader = fields.reader
    value = fields.get("value", str)
    if value is not None:
        return EnvVar(name=name, value=value, origin=origin)
    if not fields.has("valueFrom"):
        return EnvVar(name=name, value="", origin=origin)
    value_from = fields.scope("valueFrom")
    source = value_from.path
    if value_from.has("secretKeyRef"):
        ref = value_from.scope("secretKeyRef")
        secret_name = ref.get("name", str)
        key = ref.get("key", str)
        if secret_name is None or key is None:
            value_from.fail("secretKeyRef", "secretKeyRef needs name and key")
        if ref.get("optional", bool) is True:
            ref.note("optional", "K2E-W107",
                        f"{name}: optional secretKeyRef {secret_name}/{key} becomes a required ECS secret; the task "
                        "fails to start when it is missing")
        context.lookup("Secret", pod.namespace, secret_name)
        return SecretEnv(name=name, secret_name=secret_name, key=key, origin=origin)
    if value_from.has("configMapKeyRef"):
        ref = value_from.scope("configMapKeyRef")
        map_name = ref.get("name", str)
        key = ref.get("key", str)
        optional = bool(ref.get("optional", bool, default=False))
        config_map = context.lookup("ConfigMap", pod.namespace, map_name or "")
        data = _config_map_data(config_map)
        if data is None or key not in data:
            if optional:
                value_from.note("configMapKeyRef", "K2E-I102", f"{name}: optional ConfigMap key {map_name}/{key} is not in the input; the variable was left out", covers=False)
                return None
            value_from.note("configMapKeyRef", "K2E-E104", f"{name} refers to ConfigMap {map_name!r} key {key!r}, which is not in the input", covers=False)
            return None
        value_from.note("configMapKeyRef", "K2E-I102", f"{name} inlined from ConfigMap {map_name}/{key}", covers=False)
        return EnvVar(name=name, value=data[key], origin=origin)
    if value_from.has("fieldRef"):
        return _field_ref(reader, source + ("fieldRef",), name, pod, origin)
    if value_from.has("resourceFieldRef"):
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
                entries.append(EnvVar(name=prefix + data_key, value=value, origin=origin,
                                      value_origin=found.data_origin(data_key)))
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
