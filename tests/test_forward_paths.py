"""Forward findings name the exact path of what they cover (issue 3: the K8s -> ECS -> K8s round trip).

Each case below was once consumed with a finding only at the root of its object, or with none: init
container resources, readiness probes and annotations behind a load balancer, a NodePort type, Service
port names, and optional secret references. The round-trip property (tests/test_roundtrip.py) now holds
for them without exceptions; the bundle test shows it would not without these findings.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

import tests.test_roundtrip as roundtrip
from converter.pipeline.convert import convert
from converter.load.loader import parse_text
from converter.core.settings import Settings

POD = "/spec/template/spec"
C0 = f"{POD}/containers/0"


def findings_of(text: str, settings: Settings | None = None) -> list:
    return convert(parse_text(text, "t.yaml"), settings or Settings()).findings


def at(findings: list, code: str) -> dict[str, str]:
    return {f.path: f.message for f in findings if f.code == code}


def deployment(containers: str, init: str = "") -> str:
    return ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 2\n"
            "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n"
            + (f"      initContainers:\n{init}" if init else "") + f"      containers:\n{containers}")


APP = ("      - name: app\n        image: nginx:1.27\n        resources: {requests: {cpu: 250m, memory: 256Mi}}\n"
       "        ports: [{name: http, containerPort: 8080}]\n")


# -- optional secret references (MAPPING §2.2) ---------------------------------------------------------
@pytest.mark.parametrize(("optional", "named"), [("true", True), ("false", False), (None, False)])
def test_an_optional_secret_key_ref_is_reported_as_required(optional: str | None, named: bool) -> None:
    flag = "" if optional is None else f", optional: {optional}"
    text = deployment(APP + "        env:\n          - name: TOKEN\n            valueFrom:\n"
                      f"              secretKeyRef: {{name: api, key: token{flag}}}\n")
    found = at(findings_of(text), "K2E-W107")
    path = f"{C0}/env/0/valueFrom/secretKeyRef/optional"
    assert found == ({path: "TOKEN: optional secretKeyRef api/token becomes a required ECS secret; the task fails "
                             "to start when it is missing"} if named else {})


def test_an_optional_env_from_secret_is_reported_when_its_keys_are_listed() -> None:
    secret = "---\napiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {user: dXNlcg==, pass: cGFzcw==}\n"
    env_from = "        envFrom:\n          - secretRef: {name: db, optional: true}\n"
    found = at(findings_of(deployment(APP + env_from) + secret), "K2E-W107")
    assert found == {f"{C0}/envFrom/0/secretRef/optional": "envFrom Secret db is optional, but its 2 key(s) become "
                                                           "required ECS secrets; the task fails to start when one is missing"}
    # absent from the input: nothing is written for it, and K2E-W105 names the reference already
    absent = findings_of(deployment(APP + env_from))
    assert at(absent, "K2E-W107") == {} and f"{C0}/envFrom/0/secretRef" in at(absent, "K2E-W105")


# -- init container resources (MAPPING §1.3 step 2, §2.8) -------------------------------------------------
def test_init_container_resources_are_named_at_their_resources() -> None:
    init = ("      - name: migrate\n        image: example/migrate:1\n"
            "        resources:\n          requests: {cpu: 500m, memory: 1Gi, ephemeral-storage: 1Gi}\n"
            "          limits: {memory: 2Gi, nvidia.com/gpu: 1}\n"
            "      - name: proxy\n        image: envoy:1\n        restartPolicy: Always\n"
            "        resources: {requests: {cpu: 100m, memory: 64Mi}}\n"
            "      - name: wait\n        image: busybox:1.36\n")
    found = at(findings_of(deployment(APP, init)), "K2E-I149")
    assert found == {f"{POD}/initContainers/0/resources": (
        "init container 'migrate' declares requests cpu 500m, memory 1Gi, ephemeral-storage 1Gi; limits memory 2Gi, "
        "nvidia.com/gpu 1: an ECS init container gets no container-level cpu, memory or GPU; its cpu and memory count "
        "only toward the task size, which covers each init container next to the native sidecars declared before it; "
        "its nvidia.com/gpu was not written; its "
        "ephemeral-storage counts toward the task's ephemeralStorage")}  # the native sidecar keeps its resources


# -- the round trip over all of them ---------------------------------------------------------------
BUNDLE = deployment(
    APP.replace("        ports:", "        readinessProbe: {httpGet: {path: /ready, port: http}, initialDelaySeconds: 5}\n"
                "        env:\n          - name: TOKEN\n            valueFrom:\n"
                "              secretKeyRef: {name: api, key: token, optional: true}\n        ports:")
    + "      - name: metrics\n        image: exporter:1\n        ports: [{containerPort: 9100}]\n"
      "        readinessProbe: {tcpSocket: {port: 9100}}\n"
      "      - name: cache\n        image: redis:7\n        readinessProbe: {exec: {command: [redis-cli, ping]}}\n",
    init="      - name: migrate\n        image: example/migrate:1\n        resources: {limits: {cpu: '1', memory: 1Gi}}\n",
) + """---
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing
    service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn:aws:acm:eu-west-1:123456789012:certificate/abc
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{name: public, port: 443, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: metrics}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{name: prom, port: 9100, nodePort: 30100}]
"""
NAMED = {  # (resource, code, path) of each finding that names a leaf the round trip does not bring back
    ("Deployment/web", "K2E-I149", f"{POD}/initContainers/0/resources"),
    ("Deployment/web", "K2E-I414", f"{C0}/readinessProbe"),
    ("Deployment/web", "K2E-I414", f"{POD}/containers/1/readinessProbe"),
    ("Deployment/web", "K2E-W115", f"{POD}/containers/2/readinessProbe"),
    ("Deployment/web", "K2E-W107", f"{C0}/env/0/valueFrom/secretKeyRef/optional"),
    ("Service/web", "K2E-I415", "/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-scheme"),
    ("Service/web", "K2E-I415", "/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-ssl-cert"),
    ("Service/web", "K2E-I416", "/spec/ports/0/name"),
    ("Service/metrics", "K2E-W409", "/spec/type"),
    ("Service/metrics", "K2E-I416", "/spec/ports/0/name"),
}


def test_every_leaf_of_the_bundle_comes_back_or_is_named_at_its_path() -> None:
    findings = findings_of(BUNDLE)
    assert NAMED <= {(f.resource, f.code, f.path) for f in findings}
    assert roundtrip.k8s_round_trip(parse_text(BUNDLE, "t.yaml")) == []


def test_without_those_findings_the_round_trip_names_each_leaf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Guard: the findings above are what keeps the property true, not an exception in the test."""
    real = roundtrip.convert

    def forgetful(documents, settings):
        result = real(documents, settings)
        # K2E-W605 (no target group ARN) sits at the Service port and K2E-W103 (no secret ARN) at the env entry,
        # so they name the port name and the optional flag too; with ARNs in the config they are not there
        kept = [f for f in result.findings
                if (f.resource, f.code, f.path) not in NAMED and f.code not in ("K2E-W605", "K2E-W103")]
        return replace(result, findings=kept)

    monkeypatch.setattr(roundtrip, "convert", forgetful)
    lost = roundtrip.k8s_round_trip(parse_text(BUNDLE, "t.yaml"))
    for resource, _, path in NAMED:
        assert any(f" {resource} {path.replace('~1', '/')}" in line for line in lost), (resource, path, lost)
