"""Round trips: Kubernetes -> ECS -> Kubernetes and ECS -> Kubernetes -> ECS lose nothing silently.

Property: every leaf of the input either comes back equal from the second leg, or is named by a finding of
the FIRST leg whose path (or one of its ``details.paths``) is a prefix of the leaf's path. Run over
hypothesis-generated inputs (K2ECS_PROPERTY_EXAMPLES, default 20), every sample and every corpus file. A
failure lists each leaf lost silently.

Documented normalisations (what "comes back equal" means):
 N1 quantities are compared in ECS units, rounded up as ECS stores them: cpu in CPU units, memory and
    ephemeral storage in MiB (100m and 0.1 are equal; 1G and 954Mi are equal).
 N2 a HorizontalPodAutoscaler autoscaling/v1 or v2beta2 is compared in its autoscaling/v2 form.
 N3 only input leaves are checked: defaults the second leg writes explicitly are not an error.
 N4 lists of named entries are compared by name (containers, env, volumes), number (ports) or path
    (mounts); lists of plain values (command, args, capabilities) as a whole.
 N5 maxSurge/maxUnavailable are compared as pod counts at the Deployment's replicas (MAPPING §3.1);
    maxUnavailable above replicas is clamped to replicas, as the Deployment controller does.
 N6 objects ECS does not name are matched to their workload: the HPA and the ServiceAccount of a
    Deployment; their metadata.name and the pod's serviceAccountName are not compared.
 N7 ECS has no label selectors (MAPPING §3.1): Deployment and Service selectors and the pod template's
    labels are not compared.
 N8 ConfigMaps and Secrets are read through the env that refers to them (values inlined, keys referenced)
    and are not compared as objects.
 N9 a liveness probe's initialDelaySeconds and a startupProbe with the same command are one ECS
    startPeriod (MAPPING §2.4); compared as that budget.
 N10 an ECS health check ["CMD-SHELL", x] equals ["CMD", "sh", "-c", x]; names changed to fit Kubernetes
    (K2E-I707) are followed; hostPort equal to containerPort (what awsvpc fills in) or 0 is a default;
    numbers written as strings (CloudFormation, task cpu/memory) are numbers.
 N11 references between ECS objects are links, compared by what they link: a service's taskDefinition by
    family (a pinned revision is named, K2E-I734), CloudFormation Ref/Fn::GetAtt links (TaskDefinition,
    ScalingTargetId, ResourceId) by the objects coming back together.
 N12 defaults written out in the input may come back omitted: null and "", ECS privileged false, container
    cpu 0, REPLICA scheduling, the ECS deployment controller, a disabled deployment circuit breaker; Kubernetes
    restartPolicy Always, dnsPolicy ClusterFirst, the default termination message path and policy, Service
    sessionAffinity None, pod shareProcessNamespace false.
 N0 (stricter than the plain rule) a finding at an object's root names no leaf in particular, unless its code
    says the whole object was not converted (WHOLE_DOCUMENT_CODES); otherwise a sizing or settings finding
    at the root of a Deployment would name all of it.
 N14 leaves the forward leg consumes with a finding only at the object's root: FORWARD_GAPS, each with
    that finding (reported to the maintainers of the forward direction).
 N15 pod-level runAsUser/runAsGroup are compared on the containers (ECS has a per-container user only).
 N16 a Service targetPort is compared by the container port it reaches (a name and its number are equal).
 N13 a ServiceAccount without an IRSA role carries nothing to ECS; a document the first leg did not convert
    as a whole (K2E-W001, K2E-W702, K2E-E706) is named as a whole by that finding; leaves that other records
    read (the items of a describe wrapper, the resources of a template) are checked on those records; a
    template's Parameters and Mappings are read through the values that use them (K2E-I705).
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from converter.pipeline.convert import convert
from converter.rules.rollout import resolve as resolve_count
from converter.rules.naming import dns_label
from converter.read.ecs.service import task_family_of
from converter.read.ecs.view import api_name
from converter.core.errors import InputError
from converter.write.kubernetes.dump import dump_documents
from converter.load.inputs import load_inputs
from converter.core.document import Document
from converter.load.loader import load_paths, parse_text
from converter.core.quantity import cpu_units_from_cores, mib_from_bytes, parse_quantity
from converter.pipeline.reverse import convert_to_kubernetes
from converter.core.settings import Settings
from tests.helpers import corpus_k8s_files, pointer_parts, sample_cases
from tests.reverse_support import all_errors, corpus_ecs_files, ecs_sample_cases, ecs_service, k8s_workload

EXAMPLES = int(os.environ.get("K2ECS_PROPERTY_EXAMPLES", "20"))
_CPU = ("cpu",)
_STORAGE = ("memory", "ephemeral-storage")
_USER_MAPS = ("options", "dockerLabels", "Options", "DockerLabels")


# -- canonical leaves: {comparison key: (value, original path)} ------------------------------------------

def item_key(item: Any, index: int, ecs: bool) -> Any:
    if not isinstance(item, dict):
        return index
    if ecs:  # CloudFormation spells the fields with a capital
        item = {str(k)[:1].lower() + str(k)[1:] if isinstance(k, str) and k != "PredefinedMetricType" else k: v
                for k, v in item.items()}
    if isinstance(item.get("resource"), dict):
        return ("metric", item["resource"].get("name"))
    for field in ("containerPort", "port", "name", "containerName", "portName", "mountPath", "containerPath", "key",
                  "sourceVolume", "PredefinedMetricType"):
        if field in item and not isinstance(item[field], (dict, list)):
            value = item[field]
            return dns_label(str(value), "x") if ecs and field in ("name", "containerName") else (field, str(value))
    return index


def canonical(node: Any, ecs: bool, path: tuple = (), key: tuple = (), out: dict | None = None, raw: bool = False) -> dict:
    out = {} if out is None else out
    if isinstance(node, dict):
        for name, value in node.items():
            step = name if raw or not isinstance(name, str) else api_name(name) if ecs else name
            canonical(value, ecs, path + (name,), key + (step,), out, raw=name in _USER_MAPS)
    elif isinstance(node, list) and node and not any(isinstance(i, (dict, list)) for i in node):
        out[key] = (tuple(node), path)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            canonical(item, ecs, path + (index,), key + (item_key(item, index, ecs),), out)
    else:
        out[key] = (node, path)
    return out


def k8s_leaves(document: dict, port_names: dict[str, int] | None = None) -> dict:
    kind = document.get("kind")
    if kind == "HorizontalPodAutoscaler" and document.get("apiVersion") == "autoscaling/v1":  # N2
        spec = document.get("spec", {})
        leaves = canonical({k: v for k, v in document.items() if k != "spec"}, False)
        leaves.update(canonical({k: v for k, v in spec.items() if k != "targetCPUUtilizationPercentage"}, False, ("spec",), ("spec",)))
        if "targetCPUUtilizationPercentage" in spec:
            leaves[("spec", "metrics", ("metric", "cpu"), "resource", "target", "averageUtilization")] = (
                spec["targetCPUUtilizationPercentage"], ("spec", "targetCPUUtilizationPercentage"))
    else:
        leaves = canonical(document, False)
    replicas = document.get("spec", {}).get("replicas", 1) if kind == "Deployment" else 1
    result = {}
    for key, (value, path) in leaves.items():
        if value is None or K8S_DEFAULTS.get(key[-1], object()) == value:  # N12
            continue
        if key == ("apiVersion",) and kind == "HorizontalPodAutoscaler":
            value = "autoscaling/v2"
        if key == ("kind",) and value == "StatefulSet":
            value = "Deployment"  # N13: converted like a Deployment (K2E-W003)
        if key[:5] == ("spec", "template", "spec", "securityContext", "runAsUser") or \
                key[:5] == ("spec", "template", "spec", "securityContext", "runAsGroup"):  # N15
            first = next(iter(_containers(document)), None)
            if first is not None:
                key = first[0] + ("securityContext", key[4])
        if key[-1] == "targetPort" and isinstance(value, str) and port_names:
            value = port_names.get(value, value)  # N16
        if (kind in ("HorizontalPodAutoscaler", "ServiceAccount") and key == ("metadata", "name")) or \
                key[:4] in (("spec", "template", "spec", "serviceAccountName"), ("spec", "template", "spec", "serviceAccount")) or \
                key[:2] == ("spec", "selector") or key[:4] == ("spec", "template", "metadata", "labels"):  # N6, N7
            continue
        if len(key) >= 2 and key[-2] in ("requests", "limits") or key[-1] == "averageValue":
            value = _quantity(value, key)  # N1
        if key[-1] in ("maxSurge", "maxUnavailable"):
            value = resolve_count(value, replicas, round_up=key[-1] == "maxSurge")  # N5
            if key[-1] == "maxUnavailable" and isinstance(value, int) and isinstance(replicas, int):
                value = min(value, replicas)  # N5: the Deployment controller clamps it to replicas
        if key[-1] == "protocol" and isinstance(value, str):
            value = value.upper()
        result[key] = (value, path)
    for container_key, container in _containers(document):  # N9
        budget = _start_budget(container)
        if budget is not None:
            result[container_key + ("livenessProbe", "startPeriod")] = (budget, ())
            for key in [k for k in result if k[:len(container_key) + 1] in (container_key + ("startupProbe",),)
                        or k == container_key + ("livenessProbe", "initialDelaySeconds")]:
                result[container_key + ("livenessProbe", "startPeriod")] = (budget, result.pop(key)[1])
    return result


def _containers(document: dict):
    pod = document.get("spec", {}).get("template", {}).get("spec", {}) if document.get("kind") == "Deployment" else {}
    for section in ("initContainers", "containers"):
        for index, container in enumerate(pod.get(section) or []):
            if isinstance(container, dict):
                yield ("spec", "template", "spec", section, item_key(container, index, False)), container


_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")


def _start_budget(container: dict) -> int | None:
    live, start = container.get("livenessProbe"), container.get("startupProbe")
    if not isinstance(live, dict):
        return None
    budget = live.get("initialDelaySeconds", 0)
    if isinstance(start, dict) and all(start.get(h) == live.get(h) for h in _HANDLERS):
        budget += start.get("failureThreshold", 3) * start.get("periodSeconds", 10)
    elif start is not None:
        return None
    return budget


def port_numbers(documents) -> dict[str, int]:
    """Container port name -> number over a bundle (a Service's targetPort may name or number the same port)."""
    found = {}
    for document in documents:
        for _, container in _containers(document):
            for port in container.get("ports") or []:
                if isinstance(port, dict) and "name" in port:
                    found[port["name"]] = port.get("containerPort")
    return found


def _quantity(value: Any, key: tuple) -> Any:
    try:
        amount = parse_quantity(value)
    except Exception:  # noqa: BLE001 - not a quantity: compared as written
        return value
    resource = key[-1] if key[-1] != "averageValue" else key[-4]
    return cpu_units_from_cores(amount) if resource in _CPU else mib_from_bytes(amount) if resource in _STORAGE else amount


_ECS_DEFAULTS = {"privileged": False, "schedulingStrategy": "REPLICA", ("deploymentController", "type"): "ECS",
                 ("deploymentCircuitBreaker", "enable"): False, ("deploymentCircuitBreaker", "rollback"): False}
_LINKS = (("taskDefinition", "ref"), ("taskDefinition", "fn::GetAtt"), ("scalingTargetId",), ("resourceId",), ("serviceNamespace",), ("scalableDimension",))


def ecs_leaves(payload: dict) -> dict:
    result = {}
    for key, (value, path) in canonical(payload, True).items():
        if any(key[:len(link)] == link for link in _LINKS) or value is None or value == "":  # N11, N12
            continue
        if key == ("taskDefinition",) and isinstance(value, str):
            value = dns_label(task_family_of(value) or "", "x")
        if _ECS_DEFAULTS.get(key[-1], _ECS_DEFAULTS.get(key[-2:], object())) == value or (
                key[-1] == "cpu" and len(key) > 1 and _number(value) == 0):  # N12
            continue
        if key[-2:] == ("healthCheck", "command") and isinstance(value, tuple) and value[:1] == ("CMD-SHELL",):
            value = ("CMD", "sh", "-c", " ".join(value[1:]))  # N10
        if key[-1] == "hostPort":
            number = _number(value)
            port_key = key[:-1] + ("containerPort",)
            if number == 0 or number == _number(canonical(payload, True).get(port_key, (None,))[0]):
                continue
        if key[-1] == "containerName" and isinstance(value, str):
            value = dns_label(value, "x")
        if key[-1] in ("cpu", "memory") and len(key) == 1 and isinstance(value, str):
            text = value.lower().replace(" ", "")
            value = int(Decimal(text[:-4]) * 1024) if text.endswith(("vcpu", "gb")) else value
        if key[-1] == "protocol" and isinstance(value, str):
            value = value.lower()
        result[key] = (_number(value), path)
    return result


def _number(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lstrip("-").replace(".", "", 1).isdigit():
        return Decimal(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


WHOLE_DOCUMENT_CODES = ("K2E-W001", "K2E-I002", "K2E-E007", "K2E-W403", "K2E-W404", "K2E-W410", "K2E-E505", "K2E-W702",
                        "K2E-I703", "K2E-E706")  # K2E-W410: a Service without a selector is not converted
# N14: what the forward leg (converter.pipeline.convert, Kubernetes -> ECS) consumes without a finding at or above the
# leaf, only with one at the object's root; reported to the maintainers of that direction. Each entry:
# (kind, test on the canonical key, the forward finding that covers it at the root).
FORWARD_GAPS: tuple = ()  # none left: the forward leg names each of these leaves at its own path
K8S_DEFAULTS = {"restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File", "schedulerName": "default-scheduler",
                # SetDefaults_Service (pkg/apis/core/v1/defaults.go): SessionAffinity None when unset.
                "sessionAffinity": "None",
                # PodSpec.shareProcessNamespace: unset means false (pkg/apis/core/types.go), no shared namespace.
                "shareProcessNamespace": False}
_ROOTS = {(), ("taskDefinition",), ("service",), ("Properties",)}


# -- the property ------------------------------------------------------------------------------------

def lost_leaves(inputs: list[tuple[str, str, dict, tuple, tuple]], findings: list, outputs: dict, leaves,
                gaps: tuple = ()) -> list[str]:
    """``inputs``: (file, resource, object, path of the object in its file, path of its record's document) of the first leg."""
    named: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for finding in findings:
        paths = [pointer_parts(finding.path)] + [pointer_parts(p) for p in finding.extra.get("paths", [])]
        # Stricter than a plain prefix: a finding at an object's root (sizing, settings) would name every leaf.
        paths = [p for p in paths if p not in _ROOTS or finding.code in WHOLE_DOCUMENT_CODES]
        named.setdefault((finding.file, finding.resource), []).extend(paths)
    read_elsewhere = {(file, tuple(str(s) for s in prefix)) for file, _, _, _, prefix in inputs if prefix}
    # Not converted, and said so: a kind k2ecs does not convert, or any error finding on the resource (an
    # unusable name, a document that does not validate, two HPAs on one target, ...): nothing is to come back.
    whole = {(f.file, f.resource) for f in findings
             if f.code in ("K2E-W001", "K2E-W702", "K2E-E706") or f.severity.label == "error"}
    lost = []
    for file, resource, data, base, prefix in inputs:
        came_back = outputs.get(resource)
        produced = leaves(came_back) if came_back is not None else {}
        if came_back is None and (file, resource) in whole:  # N13
            continue
        for key, (value, path) in leaves(data).items():
            full = tuple(str(step) for step in base + path)
            if any(full[: len(p)] == p for p in named.get((file, resource), [])):
                continue
            if any(f == file and len(b) > len(prefix) and full[:len(b)] == b for f, b in read_elsewhere):  # N13
                continue
            if key in produced and produced[key][0] == value:
                continue
            if any(kind == resource.split("/", 1)[0] and test(key) for kind, test, _ in gaps):  # N14
                continue
            lost.append(f"{file} {resource} /{'/'.join(full)} = {value!r} came back as "
                        f"{produced[key][0] if key in produced else '(nothing)'!r}")
    return lost


def k8s_round_trip(documents) -> list[str]:
    try:
        first = convert(documents, Settings())
    except InputError:
        return []  # not convertible: the forward tests cover what it reports
    ecs_docs = []
    for output in first.outputs:
        for suffix, payload in (("taskdef", output.task_definition), ("service", output.service), ("scaling", output.scaling)):
            if payload is not None:
                ecs_docs += parse_text(json.dumps(payload, indent=1), f"{output.name}.{suffix}.json")
    second = convert_to_kubernetes(ecs_docs)
    invalid = [f"invalid: {error}" for error in all_errors(second)]
    produced = {(d["kind"], d["metadata"]["name"]): d for o in second.outputs for d in o.documents}
    by_resource: dict[str, dict] = {}
    inputs = []
    for source in first.sources:
        data = source.reader.document.data
        kind, name = source.resource.split("/", 1)
        if kind in ("ConfigMap", "Secret"):  # N8
            continue
        if kind == "ServiceAccount" and "eks.amazonaws.com/role-arn" not in (data.get("metadata", {}).get("annotations") or {}):
            continue  # N13
        workload = name
        if kind == "HorizontalPodAutoscaler":
            workload = data.get("spec", {}).get("scaleTargetRef", {}).get("name", name)
        elif kind == "ServiceAccount":
            workload = next((o.name for o in first.outputs if o.task_definition.get("taskRoleArn")
                             and _uses_account(documents, o.resource, name)), name)
        found = produced.get(("Deployment" if kind == "StatefulSet" else kind, dns_label(workload, "x")))
        if found is not None:
            by_resource[source.resource] = found
        prefix = tuple(source.reader.document.prefix)
        inputs.append((source.file, source.resource, data, prefix, prefix))
    before = port_numbers(d.data for d in documents)
    # N16 on the second leg: a Service's targetPort name is its own workload's port (the output it came back in),
    # not a port of that name on another workload of the bundle.
    after = {id(d): port_numbers(o.documents) for o in second.outputs for d in o.documents}
    codes = {f.code for f in first.findings}
    gaps = tuple(g for g in FORWARD_GAPS if g[2][:8] not in ("K2E-W402",) or "K2E-W402" in codes)
    return invalid + lost_leaves(inputs, first.findings, by_resource,
                                 lambda doc: k8s_leaves(doc, before if doc in [i[2] for i in inputs] else after.get(id(doc), {})), gaps)


def _uses_account(documents, resource: str, account: str) -> bool:
    for document in documents:
        data = document.data
        if f"{data.get('kind')}/{data.get('metadata', {}).get('name')}" == resource:
            pod = data.get("spec", {}).get("template", {}).get("spec", {})
            return account in (pod.get("serviceAccountName"), pod.get("serviceAccount"))
    return False


def ecs_round_trip(documents) -> list[str]:
    first = convert_to_kubernetes(documents)
    invalid = [f"invalid: {error}" for error in all_errors(first)]
    text = "".join(dump_documents(o.documents) for o in first.outputs)
    compat = {c for d in documents for c in _compatibilities(d.data)}
    launch = "EC2" if "EC2" in compat and "FARGATE" not in compat else "FARGATE"
    second = convert(parse_text(text, "k8s.yaml"), Settings(launch_type=launch)) if text else None
    # Keyed by the Deployment, not the ECS name: a namespaced workload's ECS name is <namespace>-<name> (issue 17).
    forward = {o.resource: o for o in (second.outputs if second else [])}
    payloads: dict[str, dict] = {}
    inputs = []
    for source in first.sources:
        reader = source.reader
        base, data = _object(source.resource, reader.document.data)
        prefix = tuple(reader.document.prefix)
        if not source.resource.startswith("Template/"):  # N13: parameters are read through the values using them
            inputs.append((source.file, source.resource, data, prefix + base, prefix))
        made = next((o for o in first.outputs if source.resource in o.inputs), None)
        back = forward.get(f"Deployment/{made.name}") if made is not None else None
        if back is None or data is None:
            continue
        kind = source.resource.split("/", 1)[0]
        if kind in ("TaskDefinition", "AWS::ECS::TaskDefinition"):
            payloads[source.resource] = back.task_definition
        elif kind in ("Service", "AWS::ECS::Service"):
            payloads[source.resource] = back.service
        elif back.scaling is not None and kind in ("ScalableTarget", "AWS::ApplicationAutoScaling::ScalableTarget"):
            payloads[source.resource] = back.scaling["scalableTarget"]
        elif back.scaling is not None:
            metric = data.get("TargetTrackingScalingPolicyConfiguration", {}).get("PredefinedMetricSpecification", {}).get(
                "PredefinedMetricType")
            payloads[source.resource] = next((p for p in back.scaling["scalingPolicies"] if p["TargetTrackingScalingPolicyConfiguration"]
                                              ["PredefinedMetricSpecification"]["PredefinedMetricType"] == metric), {})
    return invalid + lost_leaves([i for i in inputs if i[2] is not None], first.findings, payloads, ecs_leaves)


def _object(resource: str, data: Any) -> tuple[tuple, Any]:
    if resource.startswith("AWS::"):
        return ("Properties",), data.get("Properties")
    for key in ("taskDefinition", "service"):
        if isinstance(data.get(key), dict):
            return (key,), {**data[key], **({"tags": data["tags"]} if key == "taskDefinition" and "tags" in data else {})}
    return (), data


def _compatibilities(data: Any) -> list[str]:
    task = data.get("taskDefinition", data) if isinstance(data, dict) else {}
    return task.get("requiresCompatibilities") or [] if isinstance(task, dict) else []


# -- samples and corpus --------------------------------------------------------------------------------

@pytest.mark.parametrize("case", sample_cases(), ids=lambda p: p.name)
def test_kubernetes_samples_come_back(case: Path):
    assert k8s_round_trip(load_paths([str(case / "input")])) == []


@pytest.mark.parametrize("case", ecs_sample_cases(), ids=lambda p: p.name)
def test_ecs_samples_come_back(case: Path):
    assert ecs_round_trip(load_paths([str(case / "input")], cfn_tags=True)) == []


@pytest.mark.parametrize("path", corpus_k8s_files() or [None], ids=lambda p: "none" if p is None else f"{p.parent.name}/{p.name}")
def test_kubernetes_corpus_comes_back(path: Path | None):
    if path is None:
        pytest.skip("shared corpus not present")
    # Read as convert reads it (converter.load.inputs): a document that cannot be read costs that document only.
    documents = [item for item in load_inputs([str(path)]) if isinstance(item, Document)]
    assert k8s_round_trip(documents) == []


@pytest.mark.parametrize("path", corpus_ecs_files() or [None], ids=lambda p: "none" if p is None else f"{p.parent.name}/{p.name}")
def test_ecs_corpus_comes_back(path: Path | None):
    if path is None:
        pytest.skip("shared corpus not present")
    assert ecs_round_trip(load_paths([str(path)], cfn_tags=True)) == []


def test_the_property_catches_a_leaf_lost_silently(monkeypatch):
    """Guard for the guard: a renderer that drops the resources must fail the round trip, naming the leaves."""
    import converter.write.kubernetes.deployment as deployment

    real = deployment._container

    def forgetful(container, volume_names):
        out = real(container, volume_names)
        out.pop("resources", None)
        return out

    case = next(c for c in sample_cases() if c.name == "web-loadbalancer-hpa")
    assert k8s_round_trip(load_paths([str(case / "input")])) == []
    monkeypatch.setattr(deployment, "_container", forgetful)
    lost = k8s_round_trip(load_paths([str(case / "input")]))
    assert lost and all("/containers/0/resources/" in line for line in lost)


# -- generated inputs (tests/reverse_support.py) ----------------------------------------------------------

PROPERTY = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(k8s_workload())
def test_generated_kubernetes_comes_back(text: str):
    assert k8s_round_trip(parse_text(text, "generated.yaml")) == []


@PROPERTY
@given(ecs_service())
def test_generated_ecs_comes_back(text: str):
    assert ecs_round_trip(parse_text(text, "generated.json", cfn_tags=True)) == []
