"""Shared by the reverse-direction tests: strict Kubernetes schema validation, ECS samples and corpus, conversion helpers."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import strategies as st

from converter.validate.kubernetes import KUBERNETES_VERSION, server_rules
from converter.load.loader import load_paths, parse_text
from converter.pipeline.reverse import ReverseConversion, convert_to_kubernetes
from tests.helpers import CORPUS, SAMPLES



def ecs_sample_cases() -> list[Path]:
    return sorted(p for p in SAMPLES.iterdir() if p.name.startswith("ecs-") and (p / "input").is_dir())


def corpus_ecs_files() -> list[Path]:
    folder = CORPUS / "ecs"
    return sorted(p for p in folder.rglob("*") if p.suffix in (".json", ".yaml", ".yml")) if folder.is_dir() else []


def require_ecs_corpus() -> None:
    if not (CORPUS / "ecs").is_dir():
        pytest.skip(f"shared corpus not present at {CORPUS / 'ecs'}")


def reverse(text: str, name: str = "t.json") -> ReverseConversion:
    return convert_to_kubernetes(parse_text(text, name, cfn_tags=True))


def reverse_payload(payload: Any, name: str = "t.json") -> ReverseConversion:
    return reverse(json.dumps(payload, indent=1), name)


def reverse_paths(paths: list[str]) -> ReverseConversion:
    return convert_to_kubernetes(load_paths(paths, cfn_tags=True))


@cache
def _validator(kind: str, api_version: str):
    import jsonschema
    import kubernetes_validate.utils as kv
    from referencing import Registry, Resource

    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    folder = f"kubernetes-json-schema/v{KUBERNETES_VERSION}.0-local-strict"
    schema = kv.schema_contents(f"{folder}/{kind.lower()}-{group}.json", KUBERNETES_VERSION)
    definitions = kv.schema_contents(f"{folder}/_definitions.json", KUBERNETES_VERSION)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


def kubernetes_errors(document: dict[str, Any]) -> list[str]:
    """Every error of kubernetes-validate's strict schema at KUBERNETES_VERSION (independently of the copy k2ecs
    carries), plus the API server rules a schema cannot state (converter.validate.kubernetes)."""
    where = f"{document.get('kind')}/{document.get('metadata', {}).get('name')}"
    errors = [f"{where} /{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
              for e in _validator(document["kind"], document["apiVersion"]).iter_errors(document)]
    if errors:
        return errors  # the rules read the document's structure, which the schema vouches for
    return [f"{where}: {problem}" for problem in server_rules(document)]


def all_errors(conversion: ReverseConversion) -> list[str]:
    return [error for output in conversion.outputs for document in output.documents for error in kubernetes_errors(document)]


# -- generated inputs for the round trips (tests/test_roundtrip.py) ------------------------------------

NAMES = st.from_regex(r"[a-z][a-z0-9]{1,6}", fullmatch=True)
ENV = st.dictionaries(st.from_regex(r"[A-Z][A-Z0-9_]{0,8}", fullmatch=True),
                      st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=12), max_size=3)
WORDS = st.lists(st.from_regex(r"[a-z0-9./=-]{1,8}", fullmatch=True), min_size=1, max_size=3)


@st.composite
def k8s_workload(draw) -> str:
    name = draw(NAMES)
    names = draw(st.lists(NAMES, min_size=1, max_size=3, unique=True))
    numbers = draw(st.lists(st.integers(1024, 9999), min_size=len(names), max_size=len(names), unique=True))
    containers, first_port = [], None
    for cname, number in zip(names, numbers, strict=True):
        container: dict[str, Any] = {"name": cname, "image": f"registry.example.com/{cname}:{draw(st.integers(1, 9))}.0"}
        if draw(st.booleans()):
            container["args"] = draw(WORDS)
        env = draw(ENV)
        if env:
            container["env"] = [{"name": k, "value": v} for k, v in env.items()]
        port: dict[str, Any] = {"containerPort": number}
        if draw(st.booleans()):
            port["name"] = f"p{number}"
        container["ports"] = [port]
        first_port = first_port or port
        requests = {"cpu": f"{draw(st.integers(10, 1500))}m", "memory": f"{draw(st.integers(16, 1024))}Mi"}
        container["resources"] = {"requests": requests}
        if draw(st.booleans()):
            container["resources"]["limits"] = {"memory": f"{int(requests['memory'][:-2]) + draw(st.integers(1, 512))}Mi"}
        if draw(st.booleans()):
            container["livenessProbe"] = {"exec": {"command": draw(WORDS)}, "periodSeconds": draw(st.integers(5, 60)),
                                          "timeoutSeconds": draw(st.integers(2, 30)), "failureThreshold": draw(st.integers(1, 10)),
                                          "initialDelaySeconds": draw(st.integers(0, 120))}
        containers.append(container)
    replicas = draw(st.integers(1, 12))
    strategy = draw(st.one_of(st.just({"type": "Recreate"}), st.builds(
        lambda s, u: {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": s, "maxUnavailable": u}},
        st.integers(1, 3) | st.sampled_from(["25%", "50%"]), st.integers(0, 2) | st.sampled_from(["0%", "25%"]))))
    pod: dict[str, Any] = {"containers": containers}
    if draw(st.booleans()):
        pod["initContainers"] = [{"name": "init", "image": "busybox:1.36", "command": draw(WORDS)}]
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "labels": {"app": name}},
                  "spec": {"replicas": replicas, "strategy": strategy, "selector": {"matchLabels": {"app": name}},
                           "template": {"metadata": {"labels": {"app": name}}, "spec": pod}}}
    documents = [deployment]
    if draw(st.booleans()):
        documents.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
                          "spec": {"selector": {"app": name}, "ports": [{"port": draw(st.sampled_from([80, 8080, 9000])),
                                                                           "targetPort": first_port.get("name", first_port["containerPort"])}]}})
    if draw(st.booleans()):
        documents.append({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": f"{name}-hpa"},
                          "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": name},
                                   "minReplicas": replicas, "maxReplicas": replicas + draw(st.integers(0, 10)),
                                   "metrics": [{"type": "Resource", "resource": {"name": draw(st.sampled_from(["cpu", "memory"])),
                                                "target": {"type": "Utilization", "averageUtilization": draw(st.integers(20, 95))}}}],
                                   "behavior": {"scaleUp": {"stabilizationWindowSeconds": draw(st.integers(15, 600))},
                                                "scaleDown": {"stabilizationWindowSeconds": draw(st.integers(0, 3600))}}}})
    return "".join("---\n" + json.dumps(d) + "\n" for d in documents)


FARGATE = [(256, 512), (512, 1024), (1024, 2048), (2048, 4096), (4096, 8192)]


@st.composite
def ecs_service(draw) -> str:
    family = draw(NAMES)
    task_cpu, task_memory = draw(st.sampled_from(FARGATE))
    container: dict[str, Any] = {"name": family, "image": f"registry.example.com/{family}:1.{draw(st.integers(0, 9))}",
                                 "essential": True, "cpu": draw(st.integers(64, task_cpu)),
                                 "memoryReservation": draw(st.integers(32, task_memory // 2))}
    if draw(st.booleans()):
        container["memory"] = container["memoryReservation"] + draw(st.integers(1, task_memory // 2))
    number = draw(st.integers(1024, 9999))
    container["portMappings"] = [{"containerPort": number, "protocol": "tcp", "name": "web"}]
    env = draw(ENV)
    if env:
        container["environment"] = [{"name": k, "value": v} for k, v in env.items()]
    if draw(st.booleans()):
        command = draw(st.one_of(st.builds(lambda w: ["CMD", *w], WORDS), st.builds(lambda w: ["CMD-SHELL", " ".join(w)], WORDS)))
        container["healthCheck"] = {"command": command, "interval": draw(st.integers(5, 60)), "timeout": draw(st.integers(2, 30)),
                                    "retries": draw(st.integers(1, 10)), "startPeriod": draw(st.integers(0, 300))}
    containers = [container]
    if draw(st.booleans()):
        containers.insert(0, {"name": "migrate", "image": "registry.example.com/migrate:1", "essential": False, "command": draw(WORDS)})
        container["dependsOn"] = [{"containerName": "migrate", "condition": "SUCCESS"}]
    task = {"family": family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": str(task_cpu),
            "memory": str(task_memory), "containerDefinitions": containers}
    replicas = draw(st.integers(1, 12))
    service: dict[str, Any] = {"serviceName": family, "taskDefinition": family, "desiredCount": replicas,
                               "deploymentConfiguration": {"maximumPercent": draw(st.integers(100, 200)),
                                                           "minimumHealthyPercent": draw(st.integers(0, 100))}}
    if draw(st.booleans()):
        service["serviceConnectConfiguration"] = {"enabled": True, "namespace": "internal", "services": [
            {"portName": "web", "discoveryName": family, "clientAliases": [{"port": draw(st.sampled_from([80, number])), "dnsName": family}]}]}
    documents = [task, service]
    if draw(st.booleans()):
        resource_id = f"service/prod/{family}"
        common = {"ServiceNamespace": "ecs", "ResourceId": resource_id, "ScalableDimension": "ecs:service:DesiredCount"}
        documents.append({**common, "MinCapacity": replicas, "MaxCapacity": replicas + draw(st.integers(0, 10))})
        documents.append({"PolicyName": f"{family}-cpu-target-tracking", **common, "PolicyType": "TargetTrackingScaling",
                          "TargetTrackingScalingPolicyConfiguration": {
                              "TargetValue": float(draw(st.integers(20, 90))),
                              "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                              "ScaleOutCooldown": draw(st.integers(15, 600)), "ScaleInCooldown": draw(st.integers(0, 3600))}})
    return "".join("---\n" + json.dumps(d) + "\n" for d in documents)
