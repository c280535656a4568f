"""Every finding code in converter.core.codes.CODES is triggered by a minimal manifest through ``convert``.

One table entry per code: the manifest, optional Settings, and where the finding must point (JSON
Pointer) with a piece of its message. A code added to the registry without an entry here fails
``test_every_code_has_a_case``. Codes that ``convert`` cannot emit are entries with ``dead=...``: they
run under a strict xfail, so the day they are wired the XPASS fails CI and the marker must go.
"""

from __future__ import annotations

import re
from pathlib import Path
import textwrap
from dataclasses import dataclass, field
from typing import Any

import pytest

from converter.core.codes import CODES, explain
from converter.pipeline.convert import convert
from converter.core.findings import Severity
from converter.load.loader import parse_text
from converter.core.settings import Settings


# -- manifest builders -------------------------------------------------------------------------------

def _block(text: str, indent: int) -> str:
    """``text`` (dedented) re-indented by ``indent`` spaces, ending in a newline; "" stays ""."""
    text = textwrap.dedent(text).strip("\n")
    return textwrap.indent(text, " " * indent) + "\n" if text else ""


def join(*parts: str) -> str:
    """YAML snippets, each dedented on its own, one after the other."""
    return "".join(textwrap.dedent(part).strip("\n") + "\n" for part in parts)


def deployment(*, name: str = "web", metadata: str = "", spec: str = "", replicas: int | None = 2,
               pod: str = "", pod_metadata: str = "", container: str = "", containers: str = "",
               labels: str = "app: web",
               api_version: str = "apps/v1", kind: str = "Deployment") -> str:
    """A minimal Deployment; ``container`` adds fields to its one container, ``containers`` adds containers."""
    return (
        f"apiVersion: {api_version}\n"
        f"kind: {kind}\n"
        "metadata:\n"
        f"  name: {name}\n"
        + _block(metadata, 2)
        + "spec:\n"
        + (f"  replicas: {replicas}\n" if replicas is not None else "")
        + _block(spec, 2)
        + "  selector:\n"
        f"    matchLabels: {{{labels}}}\n"
        "  template:\n"
        "    metadata:\n"
        f"      labels: {{{labels}}}\n"
        + _block(pod_metadata, 6)
        + "    spec:\n"
        + _block(pod, 6)
        + "      containers:\n"
        "        - name: app\n"
        "          image: nginx:1.27\n"
        + _block(container, 10)
        + _block(containers, 8)
    )


WEB_PORT = """\
ports:
  - name: http
    containerPort: 8080
"""


def service(*, name: str = "web", spec: str = "", ports: str = "- port: 80\n  targetPort: 8080",
            selector: str | None = "app: web", metadata: str = "") -> str:
    return (
        "---\n"
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata:\n"
        f"  name: {name}\n"
        + _block(metadata, 2)
        + "spec:\n"
        + (f"  selector: {{{selector}}}\n" if selector is not None else "")
        + _block(spec, 2)
        + ("  ports:\n" + _block(ports, 4) if ports else "")
    )


def hpa(*, body: str, target: str = "web", api_version: str = "autoscaling/v2",
        min_replicas: int | None = 2, max_replicas: int = 10) -> str:
    return (
        "---\n"
        f"apiVersion: {api_version}\n"
        "kind: HorizontalPodAutoscaler\n"
        "metadata:\n"
        "  name: web\n"
        "spec:\n"
        "  scaleTargetRef:\n"
        "    apiVersion: apps/v1\n"
        "    kind: Deployment\n"
        f"    name: {target}\n"
        + (f"  minReplicas: {min_replicas}\n" if min_replicas is not None else "")
        + f"  maxReplicas: {max_replicas}\n"
        + _block(body, 2)
    )


CPU_METRIC = """\
metrics:
  - type: Resource
    resource:
      name: cpu
      target: {type: Utilization, averageUtilization: 70}
"""
REQUESTS = """\
resources:
  requests: {cpu: 100m, memory: 128Mi}
"""

CONTAINER = "/spec/template/spec/containers/0"
POD = "/spec/template/spec"


# -- the table ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    manifest: str
    path: str  # JSON Pointer of the finding (a prefix when prefix=True)
    message: str  # a substring of the finding's message
    settings: dict[str, Any] = field(default_factory=dict)
    resource: str | None = None  # checked when the manifest has several documents that share a path
    prefix: bool = False
    # Why convert cannot emit the code: runs as a strict xfail. Give such a case path "" with prefix=True
    # and message "" so that any finding with the code, wherever it is wired, turns the xfail into a failure.
    dead: str | None = None
    bug: str | None = None  # a converter bug that stops the code being emitted: strict xfail too


CASES: dict[str, Case] = {
    # -- 0xx: input, kinds, metadata ------------------------------------------------------------------
    "K2E-W001": Case(
        "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\nspec:\n  selector:\n"
        "    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n"
        "      containers:\n        - name: agent\n          image: fluent/fluent-bit:3.0\n",
        "", "is not converted: it runs one pod per node"),
    "K2E-I002": Case(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  LOG_LEVEL: info\n",
        "", "not referred to by any converted workload"),
    "K2E-W003": Case(
        deployment(kind="StatefulSet", spec="serviceName: web"), "/spec", "converted like a Deployment"),
    "K2E-I004": Case(deployment() + "status:\n  replicas: 2\n", "/status", "read-only"),
    "K2E-I005": Case(deployment(metadata="namespace: shop"), "/metadata/namespace", "kept as tag k8s-namespace"),
    "K2E-W006": Case(deployment(api_version="apps/v1beta2"), "/apiVersion", "read as apps/v1"),
    "K2E-E007": Case(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  A: '1'\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  A: '2'\n",
        "", "is declared again at t.yaml:8; the later declaration is converted"),
    "K2E-I008": Case(
        deployment(pod_metadata="annotations: {prometheus.io/scrape: 'true'}"),
        "/spec/template/metadata/annotations", "pod annotations are not carried: prometheus.io/scrape"),
    "K2E-E020": Case(deployment(name="../../etc/passwd"), "/metadata/name", "is not a valid Kubernetes name"),
    "K2E-E021": Case(deployment(name="web.v2") + "---\n" + deployment(name="web-v2"), "",
                     "would have the same ECS name web-v2"),
    "K2E-I009": Case(deployment(metadata="uid: 6c1e1c5e-6f0b-4b7e-9d3a-2f1d0f6f3a11"), "/metadata/uid",
                     "metadata.uid is set by Kubernetes"),
    # -- 1xx: containers and pod spec ------------------------------------------------------------------
    "K2E-W101": Case(
        deployment(container="""
            env:
              - name: POD_IP
                valueFrom:
                  fieldRef: {fieldPath: status.podIP}
        """),
        f"{CONTAINER}/env/0/valueFrom/fieldRef", "reads status.podIP, which ECS only knows at run time"),
    "K2E-I102": Case(
        deployment(metadata="namespace: shop", container="""
            env:
              - name: POD_NAMESPACE
                valueFrom:
                  fieldRef: {fieldPath: metadata.namespace}
        """),
        f"{CONTAINER}/env/0/valueFrom/fieldRef", "inlined from metadata.namespace ('shop')"),
    "K2E-W103": Case(
        deployment(container="""
            env:
              - name: DB_PASSWORD
                valueFrom:
                  secretKeyRef: {name: db, key: password}
        """),
        f"{CONTAINER}/env/0", "no ARN mapped, placeholder written"),
    "K2E-E104": Case(
        deployment(container="""
            env:
              - name: LOG_LEVEL
                valueFrom:
                  configMapKeyRef: {name: settings, key: LOG_LEVEL}
        """),
        f"{CONTAINER}/env/0/valueFrom/configMapKeyRef", "refers to ConfigMap 'settings' key 'LOG_LEVEL'"),
    "K2E-W105": Case(
        deployment(container="""
            envFrom:
              - secretRef: {name: db}
        """),
        f"{CONTAINER}/envFrom/0/secretRef", "its keys cannot be listed"),
    "K2E-W106": Case(
        deployment(container="""
            args: ["--listen=:$(PORT)"]
        """),
        f"{CONTAINER}/args/0", "uses $(VAR) expansion"),
    "K2E-W107": Case(
        deployment(container="""
            env:
              - name: API_KEY
                valueFrom:
                  secretKeyRef: {name: api, key: key, optional: true}
        """),
        f"{CONTAINER}/env/0/valueFrom/secretKeyRef/optional", "optional secretKeyRef api/key becomes a required ECS secret"),
    "K2E-W110": Case(
        deployment(container=join(WEB_PORT, """
            livenessProbe:
              httpGet: {path: /healthz, port: http}
        """)),
        f"{CONTAINER}/livenessProbe", "the image needs curl"),
    "K2E-W111": Case(
        deployment(container=join(WEB_PORT, """
            livenessProbe:
              tcpSocket: {port: 8080}
        """)),
        f"{CONTAINER}/livenessProbe", "the image needs nc"),
    "K2E-W112": Case(
        deployment(container="""
            ports:
              - containerPort: 9090
            livenessProbe:
              grpc: {port: 9090}
        """),
        f"{CONTAINER}/livenessProbe", "grpc_health_probe"),
    "K2E-I113": Case(
        deployment(container="""
            livenessProbe:
              exec: {command: [cat, /tmp/healthy]}
              periodSeconds: 1
              timeoutSeconds: 2
        """),
        f"{CONTAINER}/livenessProbe", "adjusted to ECS ranges: interval 1 -> 5"),
    "K2E-W114": Case(
        deployment(container="""
            startupProbe:
              exec: {command: [cat, /tmp/started]}
        """),
        f"{CONTAINER}/startupProbe", "has no liveness probe to delay"),
    "K2E-W115": Case(
        deployment(container=join(WEB_PORT, """
            readinessProbe:
              exec: {command: [cat, /tmp/ready]}
        """)),
        f"{CONTAINER}/readinessProbe", "no ECS equivalent without a load balancer"),
    "K2E-W116": Case(
        deployment(container="""
            lifecycle:
              preStop:
                exec: {command: [sleep, "5"]}
        """),
        f"{CONTAINER}/lifecycle", "lifecycle hooks of container 'app'"),
    "K2E-W120": Case(
        deployment(pod="""
            volumes:
              - name: config
                configMap: {name: nginx-conf}
        """),
        f"{POD}/volumes/0", "volume 'config' (configMap) has no ECS equivalent"),
    "K2E-W121": Case(
        deployment(pod="""
            volumes:
              - name: data
                persistentVolumeClaim: {claimName: web-data}
        """),
        f"{POD}/volumes/0/persistentVolumeClaim", "PersistentVolumeClaim 'web-data'"),
    "K2E-W122": Case(
        deployment(pod="""
            volumes:
              - name: cache
                emptyDir: {medium: Memory}
        """),
        f"{POD}/volumes/0/emptyDir/medium", "memory-backed"),
    "K2E-W123": Case(
        deployment(pod="""
            volumes:
              - name: logs
                hostPath: {path: /var/log}
        """),
        f"{POD}/volumes/0", "Fargate has no host paths"),
    "K2E-I124": Case(
        deployment(pod="""
            volumes:
              - name: cache
                emptyDir: {}
        """, container="""
            volumeMounts:
              - name: cache
                mountPath: /var/cache/nginx
                subPath: nginx
        """),
        f"{CONTAINER}/volumeMounts/0/subPath", "volume mount option subPath"),
    "K2E-W130": Case(
        deployment(container="securityContext: {privileged: true}"),
        f"{CONTAINER}/securityContext", "is privileged; Fargate does not allow it"),
    "K2E-W131": Case(
        deployment(container="securityContext: {runAsNonRoot: true}"),
        f"{CONTAINER}/securityContext/runAsNonRoot", "securityContext.runAsNonRoot has no ECS field"),
    "K2E-W132": Case(
        deployment(container="securityContext: {runAsGroup: 3000}"),
        f"{CONTAINER}/securityContext", "runAsGroup of 'app' without runAsUser"),
    "K2E-W135": Case(
        deployment(pod="terminationGracePeriodSeconds: 300"),
        f"{POD}/terminationGracePeriodSeconds", "became stopTimeout 120"),
    "K2E-W160": Case(re.sub(r"image: \S+", "image: registry.example.com/web:${TAG}", deployment(), count=1), f"{CONTAINER}/image",
                     "still holds '${TAG}'"),
    "K2E-W136": Case(
        deployment(container="imagePullPolicy: IfNotPresent"),
        f"{CONTAINER}/imagePullPolicy", "imagePullPolicy IfNotPresent"),
    "K2E-W137": Case(
        deployment(pod="imagePullSecrets:\n  - name: regcred"),
        f"{POD}/imagePullSecrets", "imagePullSecrets regcred are not mapped under repositoryCredentials: in the k2ecs "
        "config; not written"),
    "K2E-W138": Case(
        deployment(container="""
            ports:
              - containerPort: 3868
                protocol: SCTP
        """),
        f"{CONTAINER}/ports/0/protocol", "ECS supports tcp and udp only"),
    "K2E-W139": Case(
        deployment(pod="""
            tolerations:
              - {key: dedicated, operator: Equal, value: web, effect: NoSchedule}
        """),
        f"{POD}/tolerations", "tolerations has no ECS equivalent"),
    "K2E-W140": Case(
        deployment(pod="nodeSelector: {disktype: ssd}"),
        f"{POD}/nodeSelector/disktype", "nodeSelector disktype=ssd"),
    "K2E-I141": Case(
        deployment(pod="""
            initContainers:
              - name: migrate
                image: example/migrate:1.0
        """),
        "", "1 init container(s) of Deployment/web"),
    "K2E-W142": Case(deployment(pod="hostNetwork: true"), f"{POD}/hostNetwork", "hostNetwork is not available"),
    "K2E-W143": Case(deployment(pod="dnsPolicy: Default"), f"{POD}/dnsPolicy", "dnsPolicy Default"),
    "K2E-E144": Case(
        deployment(containers="".join(f"- name: side{i}\n  image: busybox:1.36\n" for i in range(10))),
        "", "has 11 containers; an ECS task holds at most 10"),
    "K2E-E150": Case(deployment(containers="- name: app\n  image: busybox:1.36\n"),
                     "/spec/template/spec/containers/1/name", "has two containers named 'app'; not converted"),
    "K2E-E151": Case(deployment(container="env:\n" + "".join(f"  - name: V{i}\n    value: {'v' * 200}\n" for i in range(400))),
                     "", "over ECS's 65536-byte limit; not converted"),
    "K2E-W152": Case(deployment(container="env:\n  - name: DB_PASSWORD\n    value: hunter2-hunter2\n"),
                     f"{CONTAINER}/env/0", "DB_PASSWORD of container 'app' looks like a credential (by its name)"),
    "K2E-W145": Case(deployment(container="stdin: true\nstdinOnce: true"), f"{CONTAINER}/stdinOnce",
                     "stdinOnce has no ECS field"),
    "K2E-W146": Case(
        deployment(container="""
            env:
              - {name: LOG_LEVEL, value: info}
              - {name: LOG_LEVEL, value: debug}
        """),
        f"{CONTAINER}/env/1/name", "LOG_LEVEL is set more than once"),
    "K2E-W148": Case(deployment(pod="nodeSelector: {kubernetes.io/os: windows}"), "", "runs on Windows"),
    "K2E-W147": Case(deployment(pod="serviceAccountName: web"), f"{POD}/serviceAccountName",
                     "ServiceAccount 'web' is not in the input"),
    "K2E-I149": Case(
        deployment(pod="""
            initContainers:
              - name: migrate
                image: example/migrate:1.0
                resources: {requests: {cpu: 100m, memory: 128Mi}}
        """),
        f"{POD}/initContainers/0/resources", "init container 'migrate' declares requests cpu 100m, memory 128Mi"),
    "K2E-W180": Case(
        deployment(pod="nodeSelector: {kubernetes.io/os: windows}",
                   container="securityContext: {runAsUser: 1000, readOnlyRootFilesystem: true}"),
        f"{CONTAINER}/securityContext", "user, readonlyRootFilesystem of 'app' not written"),
    "K2E-I182": Case(
        deployment(pod="imagePullSecrets:\n  - name: regcred"), f"{POD}/imagePullSecrets",
        "imagePullSecret regcred became repositoryCredentials of every container whose image is not in ECR",
        settings={"image_pull_secrets": {"regcred": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:reg-AbCdEf"}}),
    "K2E-I183": Case(
        deployment(pod="""
            initContainers:
              - name: shipper
                image: fluent/fluent-bit:3.1
                restartPolicy: Always
        """), f"{POD}/initContainers/0", "native sidecar 'shipper' became non-essential with restartPolicy enabled"),
    "K2E-I170": Case(
        deployment(container="""
            env:
              - name: PORT
                value: "8080"
            args: ["--listen=:$(PORT)", "$$(PORT)"]
        """),
        f"{CONTAINER}/args/0", "expanded to '--listen=:8080'"),
    "K2E-W171": Case(
        deployment(container="""
            env:
              - name: POD_IP
                valueFrom: {fieldRef: {fieldPath: status.podIP}}
              - name: ADVERTISE
                value: "$(POD_IP):7000"
        """),
        f"{CONTAINER}/env/1/value", "POD_IP (status.podIP), known only at run time"),
    "K2E-W172": Case(
        deployment(pod_metadata="""
            annotations:
              dapr.io/enabled: "true"
              dapr.io/app-id: web
              dapr.io/app-port: "8080"
        """),
        "/spec/template/metadata/annotations/dapr.io~1enabled", "--app-id web and --app-port 8080"),
    # -- 2xx: sizing -----------------------------------------------------------------------------------
    "K2E-W201": Case(deployment(), f"{POD}/containers", "declares cpu or memory"),
    "K2E-W202": Case(
        deployment(container="resources:\n  limits: {cpu: 500m, memory: 512Mi}"),
        f"{CONTAINER}", "cpu limit of 'app' has no per-container cap"),
    "K2E-W203": Case(
        deployment(container="resources:\n  requests: {cpu: 250m, memory: 512m}"),
        f"{CONTAINER}/resources/requests/memory", "is in millibytes"),
    "K2E-E204": Case(
        deployment(container="resources:\n  requests: {cpu: '32', memory: 64Gi}"),
        "", "the largest Fargate size is 16384 / 122880"),
    "K2E-I205": Case(
        deployment(container="resources:\n  requests: {cpu: 300m, memory: 300Mi}"),
        "", "Fargate size 512 / 1024 chosen"),
    "K2E-W206": Case(
        deployment(container="resources:\n  limits: {nvidia.com/gpu: 1}"),
        f"{CONTAINER}", "Fargate has none"),
    "K2E-I207": Case(
        deployment(container="resources:\n  requests: {cpu: 250m, memory: 512Mi, ephemeral-storage: 30Gi}"),
        "", "became the task's ephemeralStorage"),
    "K2E-W208": Case(
        deployment(container="resources:\n  limits: {memory: 512Mi, hugepages-2Mi: 128Mi}"),
        f"{CONTAINER}/resources/limits/hugepages-2Mi", "resource hugepages-2Mi"),
    "K2E-I209": Case(
        deployment(container="resources:\n  requests: {cpu: 250m, memory: 512Mi}\n  limits: {memory: 512Mi}"),
        f"{CONTAINER}", "memory request of 'app' equals its limit"),
    "K2E-W210": Case(
        deployment(container="resources:\n  requests: {cpu: 250m, memory: 256Mi}\n  limits: {memory: 2Gi}"),
        "", "container memory limits (2048 MiB) exceed the task memory (512 MiB)",
        settings={"sizing": "requests"}),
    "K2E-I211": Case(
        deployment(container="resources:\n  requests: {cpu: 250m, memory: 512Mi}"),
        "/spec/template/spec/containers", "the task-level cpu (a hard cap on EC2) was left out",
        settings={"launch_type": "EC2"}),
    "K2E-W212": Case(
        deployment(container="resources:\n  requests: {cpu: 250m, memory: 512Mi, ephemeral-storage: 250Gi}"),
        "", "needs 250 GiB; Fargate gives a task at most 200 GiB"),
    "K2E-W213": Case(
        deployment(container="resources:\n  limits: {cpu: 250m, memory: 0}"),
        f"{CONTAINER}/resources/limits/memory", "limits.memory 0 of 'app' means no limit on the kubelet"),
    # -- 3xx: Deployment -> ECS service ------------------------------------------------------------------
    "K2E-W302": Case(deployment(replicas=150), "/spec/strategy", "at 150 replicas"),
    "K2E-W303": Case(deployment(spec="strategy: {type: Recreate}"), "/spec/strategy", "Recreate became"),
    "K2E-W304": Case(deployment(spec="minReadySeconds: 10"), "/spec/minReadySeconds", "minReadySeconds"),
    "K2E-I308": Case(deployment(name="web.v2"), "", "is named web-v2 on ECS"),
    "K2E-I309": Case(
        deployment(metadata="annotations:\n  example.com/config: '{\"retries\": 3}'"),
        "/metadata/annotations/example.com~1config", "not carried as a tag"),
    "K2E-I312": Case(
        deployment(metadata="annotations:\n  example.com/owner: team-a"),
        "/metadata/annotations/example.com~1owner", "reads back as a label"),
    "K2E-W310": Case(
        deployment(pod="serviceAccountName: web")
        + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  annotations:\n"
        "    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/web\n",
        "/metadata/annotations/eks.amazonaws.com~1role-arn", "became the task role",
        resource="ServiceAccount/web"),
    "K2E-I311": Case(deployment(replicas=None), "/spec", "does not set replicas; desiredCount 1"),
    "K2E-I320": Case(
        deployment(container="""
            livenessProbe:
              httpGet: {path: /healthz, port: 8080}
            startupProbe:
              httpGet: {path: /healthz, port: 8080}
              initialDelaySeconds: 60
              failureThreshold: 60
              periodSeconds: 10
        """), "", "healthCheckGracePeriodSeconds 660 for Deployment/web"),
    "K2E-I321": Case(deployment(spec="progressDeadlineSeconds: 120"), "/spec/progressDeadlineSeconds",
                     "progressDeadlineSeconds 120 became deploymentCircuitBreaker enable + rollback"),
    "K2E-W322": Case(
        deployment(container=REQUESTS, spec="strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}")
        + hpa(body=CPU_METRIC, max_replicas=50),
        "/spec/strategy", "maxSurge 1 became maximumPercent 150 at desiredCount 2; at 50 tasks ECS may start 25 "
        "extra where Kubernetes starts 1"),
    # -- 4xx: Service ----------------------------------------------------------------------------------
    "K2E-I401": Case(deployment(container=WEB_PORT) + service(), "", "became Service Connect names web:80",
                     resource="Service/web"),
    "K2E-W402": Case(
        deployment(container=WEB_PORT) + service(spec="type: LoadBalancer"),
        "", "create an internal network load balancer", resource="Service/web"),
    "K2E-W403": Case(
        deployment(container=WEB_PORT) + "---\n" + deployment(name="web-canary", container=WEB_PORT)
        + service(),
        "", "selects Deployment/web, Deployment/web-canary; its names are served by Deployment/web alone",
        resource="Service/web"),
    "K2E-W404": Case(deployment(container=WEB_PORT) + service(name="api", selector="app: api"),
                     "", "selects no converted workload", resource="Service/api"),
    "K2E-W405": Case(deployment(container=WEB_PORT) + service(spec="clusterIP: None"),
                     "/spec/clusterIP", "headless Service web"),
    "K2E-W406": Case(
        service(name="db", selector=None, ports="", spec="type: ExternalName\nexternalName: db.example.com"),
        "/spec/externalName", "alias of db.example.com"),
    "K2E-E407": Case(deployment(container=WEB_PORT, containers="- name: side\n  image: busybox")
                     + service(ports="- port: 80\n  targetPort: 9000"),
                     "/spec/ports/0/targetPort", "targetPort 9000"),
    "K2E-W408": Case(deployment(container=WEB_PORT) + service(spec="sessionAffinity: ClientIP"),
                     "/spec/sessionAffinity", "sessionAffinity ClientIP"),
    "K2E-W409": Case(
        deployment(container=WEB_PORT)
        + service(spec="type: NodePort", ports="- port: 80\n  targetPort: 8080\n  nodePort: 30080"),
        "/spec/ports/0/nodePort", "nodePort 30080 has no ECS equivalent"),
    "K2E-W410": Case(service(name="legacy", selector=None), "", "has no selector"),
    "K2E-W411": Case(
        deployment(container="ports:\n" + "".join(f"  - containerPort: {8080 + i}\n" for i in range(6)))
        + service(spec="type: LoadBalancer",
                  ports="".join(f"- {{name: p{i}, port: {8080 + i}}}\n" for i in range(6))),
        "/spec/ports/5", "port 8085 of Service web is not attached"),
    "K2E-W412": Case(
        deployment(container="ports:\n  - {containerPort: 53, protocol: UDP}")
        + service(name="dns", ports="- {port: 53, protocol: UDP}"),
        "/spec/ports/0/protocol", "UDP port 53 of Service dns cannot be reached through Service Connect"),
    "K2E-I413": Case(
        deployment(container=WEB_PORT) + service(ports="- {port: 80, targetPort: 8080, appProtocol: kafka}"),
        "/spec/ports/0/appProtocol", "appProtocol kafka has no ECS value"),
    "K2E-I414": Case(
        deployment(container=WEB_PORT + "readinessProbe: {httpGet: {path: /ready, port: http}}")
        + service(spec="type: LoadBalancer"),
        f"{CONTAINER}/readinessProbe", "became the health check of target group web-80", resource="Deployment/web"),
    "K2E-I415": Case(
        deployment(container=WEB_PORT)
        + service(spec="type: LoadBalancer",
                  metadata="annotations: {service.beta.kubernetes.io/aws-load-balancer-healthcheck-path: /up}"),
        "/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-healthcheck-path",
        "sets HealthCheckPath of target group web-80", resource="Service/web"),
    "K2E-I416": Case(
        deployment(container=WEB_PORT) + service(ports="- {name: grpc, port: 80, targetPort: 8080}"),
        "/spec/ports/0/name", "port name 'grpc' of Service web port 80 is not carried", resource="Service/web"),
    "K2E-W430": Case(deployment() + service(ports="- port: 80\n  targetPort: 9000"),
                     "/spec/ports/0/targetPort", "became a port mapping of container 'app'", resource="Service/web"),
    "K2E-W433": Case(
        deployment(name="front", labels="app: front", container="""
            env:
              - name: API_URL
                value: http://web:80/v1
        """) + "---\n" + deployment(container=WEB_PORT) + service(),
        f"{CONTAINER}/env/0", "calls web:80 in API_URL, which will not resolve on ECS: Deployment/front is in no "
        "Service Connect namespace", resource="Deployment/front"),
    "K2E-W434": Case(
        deployment(name="front", labels="app: front", container="""
            env:
              - name: API_URL
                value: http://web.shop.svc.cluster.local:80/v1
        """) + "---\n" + deployment(container=WEB_PORT) + service(),
        f"{CONTAINER}/env/0", "'http://web.shop.svc.cluster.local:80/v1' rewritten to 'http://web:80/v1'",
        resource="Deployment/front", settings={"service_connect_namespace": "apps"}),
    "K2E-W435": Case(
        deployment(metadata="namespace: a", container=WEB_PORT) + service(metadata="namespace: a")
        + "---\n" + deployment(metadata="namespace: b", container=WEB_PORT) + service(metadata="namespace: b"),
        "", "serves the Service Connect name web:80, which ECS service a-web already serves", prefix=True,
        settings={"service_connect_namespace": "apps"}),
    # -- 5xx: HorizontalPodAutoscaler --------------------------------------------------------------------
    "K2E-I501": Case(deployment(container=REQUESTS) + hpa(body=CPU_METRIC), "/spec/metrics/0",
                     "so TargetValue 28", resource="HorizontalPodAutoscaler/web"),
    "K2E-W502": Case(
        deployment(container=REQUESTS) + hpa(body="""
            metrics:
              - type: Pods
                pods:
                  metric: {name: http_requests_per_second}
                  target: {type: AverageValue, averageValue: "100"}
        """),
        "/spec/metrics/0", "comes from a Kubernetes metrics adapter", resource="HorizontalPodAutoscaler/web"),
    "K2E-W503": Case(
        deployment(container=REQUESTS) + hpa(body="""
            metrics:
              - type: ContainerResource
                containerResource:
                  name: cpu
                  container: app
                  target: {type: Utilization, averageUtilization: 70}
        """),
        "/spec/metrics/0/containerResource/container", "became the service-level cpu metric"),
    "K2E-W504": Case(
        deployment(container=REQUESTS) + hpa(body=join(CPU_METRIC, """
            behavior:
              scaleUp:
                policies:
                  - {type: Pods, value: 4, periodSeconds: 60}
        """)),
        "/spec/behavior/scaleUp/policies", "target tracking has no rate limits"),
    "K2E-E505": Case(deployment(container=REQUESTS) + hpa(body=CPU_METRIC, target="api"), "",
                     "scales Deployment/api, which is not in the input", resource="HorizontalPodAutoscaler/web"),
    "K2E-I520": Case(deployment(container=REQUESTS) + hpa(body=CPU_METRIC).replace("kind: Deployment", "kind: deployment"),
                     "/spec/scaleTargetRef/kind", "'deployment' is read as Deployment"),
    "K2E-W521": Case(deployment(container=REQUESTS) + hpa(body="targetCPUUtilizationPercentage: 60"),
                     "/spec/targetCPUUtilizationPercentage",
                     "targetCPUUtilizationPercentage 60 is an autoscaling/v1 field; in autoscaling/v2 the API server "
                     "drops it, so the HPA scales on spec.metrics (or the default 80% CPU when there are none)"),
    "K2E-W506": Case(deployment() + hpa(body=CPU_METRIC), "/spec/metrics/0",
                     "container(s) app of Deployment/web declares no cpu request (nor a limit it defaults to), so the "
                     "HPA controller never scales on the 70% cpu target (missing request); no policy was written"),
    "K2E-W512": Case(deployment() + hpa(body=CPU_METRIC), "/spec/metrics", "became a scaling policy",
                     resource="HorizontalPodAutoscaler/web"),
    "K2E-E507": Case(deployment(container=REQUESTS) + hpa(body=CPU_METRIC)
                     + hpa(body=CPU_METRIC).replace("  name: web\n", "  name: web-later\n", 1), "",
                     "HorizontalPodAutoscalers web, web-later all scale Deployment/web; the HPA controller scales none "
                     "of them (AmbiguousSelector)", resource="HorizontalPodAutoscaler/web"),
    "K2E-W508": Case(
        deployment(container=REQUESTS) + hpa(body=join(CPU_METRIC, """
            behavior:
              scaleUp: {selectPolicy: Disabled}
        """)),
        "/spec/behavior/scaleUp/selectPolicy", "DynamicScalingOutSuspended"),
    "K2E-W530": Case(deployment(replicas=0, container=REQUESTS) + hpa(body=CPU_METRIC), "",
                     "Deployment/web has replicas 0: the HPA controller does not scale a target at 0",
                     resource="HorizontalPodAutoscaler/web"),
    "K2E-I531": Case(
        deployment(container=REQUESTS) + hpa(body="""
            metrics:
              - type: Resource
                resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
              - type: Resource
                resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
        """),
        "/spec/metrics", "2 cpu targets (TargetValue 28, 20) became one policy at the lowest, 20"),
    "K2E-I532": Case(deployment(container=REQUESTS) + hpa(body=CPU_METRIC), "/spec/behavior/scaleDown/stabilizationWindowSeconds",
                     "stabilization windows scaleUp 0 s / scaleDown 300 s became ScaleOutCooldown 15 s / "
                     "ScaleInCooldown 300 s", resource="HorizontalPodAutoscaler/web"),
    "K2E-W509": Case(deployment(container=REQUESTS) + hpa(body=CPU_METRIC, min_replicas=5, max_replicas=3),
                     "/spec/maxReplicas", "minReplicas 5 is above maxReplicas 3"),
    "K2E-W510": Case(
        deployment(container=REQUESTS) + hpa(body="""
            metrics:
              - type: Resource
                resource:
                  name: ephemeral-storage
                  target: {type: AverageValue, averageValue: 1Gi}
        """),
        "/spec/metrics/0", "resource 'ephemeral-storage' has no ECS service metric"),
    "K2E-W511": Case(
        deployment(container="resources:\n  requests: {cpu: '1', memory: 2Gi}") + hpa(body="""
            metrics:
              - type: Resource
                resource:
                  name: cpu
                  target: {type: Utilization, averageUtilization: 150}
        """),
        "/spec/metrics/0", "TargetValue 150 is above 100"),
    # -- 6xx: settings the manifests do not carry --------------------------------------------------------
    "K2E-W601": Case(deployment(), "", "no subnets or security groups given"),
    "K2E-W602": Case(deployment(), "", "no execution role given"),
    "K2E-W604": Case(deployment(container=WEB_PORT) + service(), "", "needs a Cloud Map namespace",
                     resource="Service/web"),
    "K2E-W605": Case(deployment(container=WEB_PORT) + service(spec="type: LoadBalancer"), "/spec/ports/0",
                     "no target group ARN for web:80"),
    "K2E-W606": Case(deployment(container=REQUESTS) + hpa(body=CPU_METRIC), "", "no cluster given",
                     resource="HorizontalPodAutoscaler/web"),
    "K2E-W607": Case(deployment(), "", "no region given for awslogs"),
    "K2E-W621": Case(deployment(pod="serviceAccountName: web")
                     + "---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n",
                     f"{POD}/serviceAccountName", "ServiceAccount 'web' has no eks.amazonaws.com/role-arn annotation",
                     resource="Deployment/web"),
    "K2E-I620": Case(deployment(), "", "logs to CloudWatch log group /ecs/web, which ECS does not create"),
    # -- 9xx: catch-all --------------------------------------------------------------------------------
    "K2E-W901": Case(deployment(spec="replica: 3"), "/spec/replica", "/spec/replica is not mapped"),
}


def _params():
    for code in sorted(CASES):
        case = CASES[code]
        marks = []
        if case.dead is not None:
            marks.append(pytest.mark.xfail(strict=True, reason=f"dead code: {case.dead}"))
        if case.bug is not None:
            marks.append(pytest.mark.xfail(strict=True, reason=f"bug: {case.bug}"))
        yield pytest.param(code, case, id=code, marks=marks)


# -- tests ---------------------------------------------------------------------------------------------

# Codes emitted outside convert() are tested where they are emitted. Each entry maps the start of a
# code's number to the test file that must name every such code (and trigger it there):
# "8" -> K2E-W801..W899. Add a line here when a new range is emitted by another pipeline.
EMITTED_ELSEWHERE = {
    "8": "test_ci_reports.py",  # accepted findings: converter.report.baseline
    "66": "test_iac.py",  # CloudFormation/Terraform rendering: converter.write.iac
    "7": "test_reverse_codes.py",  # ECS -> Kubernetes: converter.pipeline.reverse
    "022": "test_hostile_input.py",  # a folder's file that is not regular: converter.load.inputs.walk
    "03": "test_reading.py",  # reading with isolation (converter.load.inputs, converter.load.loader.read_text), issue 18
}


def _elsewhere(code: str) -> str | None:
    return next((test_file for prefix, test_file in EMITTED_ELSEWHERE.items() if code[5:].startswith(prefix)), None)


def test_every_code_has_a_case():
    elsewhere = {code for code in CODES if _elsewhere(code) is not None}
    assert set(CASES) | elsewhere == set(CODES), {
        "codes without a case": sorted(set(CODES) - set(CASES) - elsewhere),
        "cases for unknown codes": sorted(set(CASES) - set(CODES)),
    }
    assert not set(CASES) & elsewhere, "a code is tested here and elsewhere"


def test_codes_emitted_elsewhere_are_named_where_they_are_emitted():
    missing = []
    for code in CODES:
        test_file = _elsewhere(code)
        if test_file is not None and code not in (Path(__file__).parent / test_file).read_text(encoding="utf-8"):
            missing.append(f"{code} in {test_file}")
    assert not missing, missing


@pytest.mark.parametrize(("code", "case"), list(_params()))
def test_code_is_emitted(code: str, case: Case):
    result = convert(parse_text(case.manifest, "t.yaml"), Settings(**case.settings))
    same_code = [f for f in result.findings if f.code == code]

    def at_path(finding) -> bool:
        return finding.path.startswith(case.path) if case.prefix else finding.path == case.path

    matches = [f for f in same_code
               if at_path(f) and case.message in f.message and case.resource in (None, f.resource)]
    assert matches, (
        f"no {code} at {case.path!r} with {case.message!r}"
        + (f" on {case.resource}" if case.resource else "")
        + "; findings with this code: "
        + repr([(f.resource, f.path, f.message) for f in same_code])
    )
    finding = matches[0]
    assert finding.severity == CODES[code].severity
    assert finding.file == "t.yaml"
    assert finding.line is not None and finding.line >= 1


def test_ecs_names_that_meet_are_an_error_on_both():
    # Issue 17 item 7: a name is a function of (namespace, name); the first of two never takes it.
    result = convert(parse_text(deployment(name="web.v2") + "---\n" + deployment(name="web-v2"), "t.yaml"),
                     Settings())
    assert result.outputs == []
    assert sorted(f.resource for f in result.findings if f.code == "K2E-E021") == ["Deployment/web-v2", "Deployment/web.v2"]
    namespaced = convert(parse_text(deployment(name="web") + "---\n" + deployment(name="web").replace(
        "metadata:\n", "metadata:\n  namespace: shop\n", 1), "t.yaml"), Settings())
    assert [output.name for output in namespaced.outputs] == ["web", "shop-web"]


@pytest.mark.parametrize("code", sorted(CODES))
def test_code_info_is_complete(code: str):
    info = CODES[code]
    assert info.code == code
    assert re.fullmatch(r"K2E-[EWI]\d{3}", code)
    assert info.title.strip() and info.explanation.strip() and info.suggestion.strip()
    assert isinstance(info.severity, Severity)


def test_explain():
    text = explain("k2e-w110")  # case-insensitive, as typed on the command line
    info = CODES["K2E-W110"]
    assert text.startswith("K2E-W110 (warning): HTTP probe needs curl in the image")
    assert info.explanation in text and f"What to do: {info.suggestion}" in text
    assert "Read more: docs/MAPPING.md#k2e-w110" in text
    assert "Probes and health checks: docs/MAPPING.md#topic-probes" in text  # the code's topic
    assert "Installed copy" not in text  # only when the CLI found the file
    with pytest.raises(KeyError):
        explain("K2E-W999")


def test_explain_cli():
    from typer.testing import CliRunner

    from converter.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["explain", "K2E-W110"])
    assert result.exit_code == 0, result.output
    assert "HTTP probe needs curl in the image" in result.output
    unknown = runner.invoke(app, ["explain", "K2E-W999"])
    assert unknown.exit_code != 0
