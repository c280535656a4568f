"""The Kubernetes manifests of `k2ecs convert --to k8s`, checked before anything is written.

As the ECS payloads are checked against botocore's models (converter.validate.ecs), each manifest is
checked against the strict JSON schema of its kind at Kubernetes 1.30 (no unknown fields), and against
the API server's rules that a schema cannot state (names, label and annotation keys, selectors, unique
containers and volumes, mount paths, requests within limits, ...; the name and key rules are data in
schemas/k8s_api_rules.json, which the reverse reader obeys through the same converter.write.kubernetes.rules).
A problem is a k2ecs bug: the conversion stops with exit 4 and nothing is written. Env names follow the rule of
Kubernetes 1.32 and later (RelaxedEnvironmentVariableValidation on by default), not the stricter 1.30 default.

The schemas come from kubernetes-validate (a test dependency): ``python -m
converter.validate.kubernetes`` writes ``schemas/k8s_output_schemas.json``, the kinds k2ecs
writes with the definitions they reach, without descriptions (tests/test_reverse_validation.py checks
that the file is what the installed kubernetes-validate gives). jsonschema is imported only here.
"""

from __future__ import annotations

import json
import re
import sys
from functools import cache
from typing import Any

import jsonschema

from converter.write.kubernetes.rules import (annotation_key_problem, annotations_size_problem, dns_label_problem,
                                              env_name_problem, label_value_problem, port_name_problem,
                                              qualified_name_problem, resources_problems)
from converter.core.resources import load_schema, schemas_dir
from converter.validate.schema_check import Check, Unsupported, compile_schema

KUBERNETES_VERSION = "1.30"  # 1.30: native sidecars (initContainers[].restartPolicy) are in its schema
SCHEMA_FILE = "k8s_output_schemas.json"
KINDS = (("apps/v1", "Deployment"), ("v1", "Service"), ("autoscaling/v2", "HorizontalPodAutoscaler"),
         ("v1", "ServiceAccount"))
_DEFINITION_PREFIXES = ("/api/_definitions.json#/$defs/", "#/$defs/")  # from a kind's file, within the definitions
# Schema keywords whose value maps names to schemas: their keys are names, not keywords.
_NAMED_SCHEMAS = ("properties", "patternProperties", "$defs")


def problems(document: dict[str, Any]) -> list[str]:
    """Every problem of one manifest: "Kind/name /path: message"."""
    kind, api_version = document.get("kind"), document.get("apiVersion")
    metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
    where = f"{kind}/{metadata.get('name')}"
    validator = _validator(api_version, kind)
    if validator is None:
        return [f"{where}: k2ecs has no schema for {api_version} {kind}"]
    valid = _valid(api_version, kind)
    # jsonschema's own walk only for its messages, on a manifest the compiled check refuses (a k2ecs bug)
    found = [] if valid is not None and valid(document) else [
        f"{where} /{'/'.join(str(step) for step in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(document)]
    if found:
        return found  # the rules below read the document's structure, which the schema vouches for
    return [f"{where}: {problem}" for problem in server_rules(document)]


def server_rules(document: dict[str, Any]) -> list[str]:
    """What the API server refuses that the schema lets through (of what k2ecs writes). The name and key rules
    are data (schemas/k8s_api_rules.json, read through converter.write.kubernetes.rules), each citing its
    upstream function; the structural ones below cite theirs."""
    found = []
    metadata = document["metadata"]
    name = metadata["name"]
    if dns_label_problem(name) is not None:
        found.append(f"name {name!r} is not a DNS label")
    if document["kind"] == "Service" and dns_label_problem(name) is None and not name[0].isalpha():
        found.append(f"name {name!r} is not a DNS-1035 label (a Service name starts with a letter: ValidateServiceName)")
    namespace = metadata.get("namespace")
    if namespace is not None and dns_label_problem(namespace) is not None:
        found.append(f"namespace {namespace!r} is not a DNS label (ValidateNamespaceName)")
    found += _meta_problems(metadata, "metadata")
    spec = document.get("spec", {})
    if document["kind"] == "Deployment":
        template = spec["template"]
        found += _meta_problems(template["metadata"], "template metadata")
        found += _label_problems(spec["selector"].get("matchLabels", {}), "selector")
        pod = template["spec"]
        labels = template["metadata"].get("labels", {})
        if not spec["selector"]["matchLabels"].items() <= labels.items():
            found.append("selector does not match the template labels")
        if not pod.get("containers"):
            found.append("a pod needs at least one container")
        found += _pod_problems(pod)
    if document["kind"] == "Service":
        found += _label_problems(spec.get("selector", {}), "selector")
        ports = spec.get("ports", [])
        if len(ports) > 1 and not all("name" in p for p in ports):
            found.append("a multi-port Service must name every port")
        # validateServicePort: a port's name is a DNS_LABEL, and unique within the Service
        port_names = [p["name"] for p in ports if "name" in p]
        found += [f"Service port name {n!r} {dns_label_problem(n)}" for n in port_names if dns_label_problem(n) is not None]
        if len(set(port_names)) != len(port_names):
            found.append("Service port names repeat")
        if not ports and spec.get("clusterIP") != "None":
            found.append("a Service without ports must be headless")
    if document["kind"] == "HorizontalPodAutoscaler" and spec.get("minReplicas", 1) < 1:
        found.append("minReplicas below 1")
    return found


def _meta_problems(meta: dict[str, Any], where: str) -> list[str]:
    """ObjectMeta: ValidateLabels and ValidateAnnotations (apimachinery validateObjectMetaAccessorWithOptsCommon)."""
    found = _label_problems(meta.get("labels", {}), f"{where} labels")
    annotations = meta.get("annotations", {})
    for key in annotations:
        problem = annotation_key_problem(key)
        if problem is not None:
            found.append(f"{where} annotation key {key!r} {problem}")
    size = annotations_size_problem(annotations)
    if size is not None:
        found.append(f"{where} annotations are too long: {size}")
    return found


def _label_problems(labels: dict[str, str], where: str) -> list[str]:
    """ValidateLabels (apimachinery meta/v1/validation): keys IsQualifiedName, values IsValidLabelValue."""
    found = []
    for key, value in labels.items():
        problem = qualified_name_problem(key)
        if problem is not None:
            found.append(f"{where} key {key!r} {problem}")
        problem = label_value_problem(value)
        if problem is not None:
            found.append(f"{where} value {value!r} of {key!r} {problem}")
    return found


def _pod_problems(pod: dict[str, Any]) -> list[str]:
    """core/validation ValidatePodSpec, of what k2ecs writes: volumes, containers, ports, env, mounts."""
    found = []
    init = pod.get("initContainers", [])
    names = [c["name"] for c in init + pod.get("containers", [])]
    if len(set(names)) != len(names) or any(dns_label_problem(n) is not None for n in names):
        found.append(f"container names {names} are not unique DNS labels")
    volume_names = [v["name"] for v in pod.get("volumes", [])]
    for volume in pod.get("volumes", []):
        problem = dns_label_problem(volume["name"])
        if problem is not None:
            found.append(f"volume name {volume['name']!r} {problem}")
        if "hostPath" in volume and not volume["hostPath"].get("path"):
            found.append(f"volume {volume['name']!r} has an empty hostPath path")
    if len(set(volume_names)) != len(volume_names):
        found.append(f"volume names {volume_names} are not unique")
    for container in init + pod.get("containers", []):
        who = f"container {container['name']!r}"
        port_names = [p["name"] for p in container.get("ports", []) if "name" in p]
        for port_name in port_names:
            problem = port_name_problem(port_name)
            if problem is not None:
                found.append(f"port name {port_name!r} is not an IANA service name: it {problem}")
        if len(set(port_names)) != len(port_names):
            found.append(f"{who} repeats a port name: {port_names}")
        for env in container.get("env", []):
            problem = env_name_problem(env["name"])
            if problem is not None:
                found.append(f"{who} env name {env['name']!r} {problem}")
        mount_paths = []
        for mount in container.get("volumeMounts", []):
            if mount["name"] not in volume_names:
                found.append(f"mount of unknown volume {mount['name']!r}")
            if not mount.get("mountPath"):
                found.append(f"{who} mounts {mount['name']!r} at an empty mountPath")
            mount_paths.append(mount.get("mountPath"))
        if len(set(mount_paths)) != len(mount_paths):
            found.append(f"{who} repeats a mountPath: {mount_paths}")
        found += [f"{who} {problem}" for problem in resources_problems(container.get("resources", {}))]
        if not container.get("image"):
            found.append(f"{who} has no image")
        if "livenessProbe" in container and container.get("restartPolicy") != "Always" and container in init:
            found.append(f"init container {container['name']!r} has a probe")
    return found


@cache
def _validator(api_version: Any, kind: Any) -> Any:
    schemas = load_schema(SCHEMA_FILE)
    top = schemas["kinds"].get(f"{api_version} {kind}")
    if top is None:
        return None
    definitions = schemas["$defs"]
    return jsonschema.Draft202012Validator({**inline_references(top, definitions, {}, ()), "$defs": definitions})


@cache
def _valid(api_version: Any, kind: Any) -> Check | None:
    """The schema of the kind compiled into one check (converter.validate.schema_check), or None when it has
    a keyword that module does not compile (jsonschema then checks every manifest)."""
    try:
        return compile_schema(_validator(api_version, kind).schema)
    except Unsupported:
        return None


def inline_references(schema: Any, definitions: dict[str, Any], done: dict[str, Any], open_: tuple[str, ...]) -> Any:
    """``schema`` with each ``{"$ref": "#/$defs/NAME"}`` replaced by that definition, itself inlined (one
    object per definition, shared). jsonschema resolves a reference anew at every use through its
    registry, which was two fifths of validating a manifest (issue 24). A reference inside its own
    definition (``open_``: the definitions being inlined) stays a reference: the root keeps ``$defs``."""
    if isinstance(schema, list):
        return [inline_references(item, definitions, done, open_) for item in schema]
    if not isinstance(schema, dict):
        return schema
    reference = schema.get("$ref")
    # Beside a reference, only annotations that validate nothing (x-kubernetes-patch-strategy, ...).
    if (isinstance(reference, str) and reference.startswith("#/$defs/")
            and all(key == "$ref" or key.startswith("x-kubernetes-") for key in schema)):
        name = reference[len("#/$defs/"):]
        if name in open_ or name not in definitions:
            return schema
        if name not in done:
            done[name] = inline_references(definitions[name], definitions, done, open_ + (name,))
        return done[name]
    return {key: (value if key in ("enum", "const") else inline_references(value, definitions, done, open_))
            for key, value in schema.items()}


# -- generating the file (from kubernetes-validate, a test dependency) -----------------------------

def generate() -> dict[str, Any]:
    """The file's content, from the strict schemas of the installed kubernetes-validate."""
    import kubernetes_validate.utils as kv  # lazy: a test dependency, for this generator only

    folder = f"kubernetes-json-schema/v{KUBERNETES_VERSION}.0-local-strict"
    definitions = kv.schema_contents(f"{folder}/_definitions.json", KUBERNETES_VERSION)["$defs"]
    kinds: dict[str, Any] = {}
    wanted: list[str] = []
    for api_version, kind in KINDS:
        group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
        schema = kv.schema_contents(f"{folder}/{kind.lower()}-{group}.json", KUBERNETES_VERSION)
        kinds[f"{api_version} {kind}"] = _compact(schema, wanted)
    reached: dict[str, Any] = {}
    while wanted:
        name = wanted.pop()
        if name not in reached:
            reached[name] = None  # before the walk: a definition may refer to itself
            reached[name] = _compact(definitions[name], wanted)
    return {"$comment": f"Generated by python -m converter.validate.kubernetes from kubernetes-validate's "
                        f"strict schemas for Kubernetes {KUBERNETES_VERSION}; do not edit.",
            "version": KUBERNETES_VERSION, "kinds": kinds, "$defs": dict(sorted(reached.items()))}


def _compact(schema: Any, wanted: list[str]) -> Any:
    """``schema`` without descriptions, its references pointing into one file's $defs (each noted in ``wanted``)."""
    if isinstance(schema, list):
        return [_compact(item, wanted) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("description", "$schema", "$id"):
            continue
        if key == "$ref" and isinstance(value, str):
            prefix = next((p for p in _DEFINITION_PREFIXES if value.startswith(p)), None)
            if prefix is None:
                raise ValueError(f"unexpected reference {value!r} in kubernetes-validate's schema")
            name = value[len(prefix):]
            wanted.append(name)
            result[key] = "#/$defs/" + name
        elif key in _NAMED_SCHEMAS and isinstance(value, dict):
            result[key] = {name: _compact(item, wanted) for name, item in value.items()}
        else:
            result[key] = _compact(value, wanted)
    return result


def main() -> int:
    path = schemas_dir() / SCHEMA_FILE
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(generate(), handle, indent=1, sort_keys=False)
        handle.write("\n")
    sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
