"""Deterministic bundles of realistic workloads for the benchmark (issue 9).

One workload is a Deployment (an app container plus one or two sidecars, with liveness, readiness and
startup probes, plain env, ConfigMap and Secret references, envFrom, resources and a shared volume), the
Service in front of it and its HorizontalPodAutoscaler (autoscaling/v2, CPU and memory, with behavior).
Every tenth workload also brings the ConfigMap and Secret that it and its nine neighbours refer to.
Workloads are spread over namespaces, as a real cluster export would be.

The text is written by hand (not by yaml.dump) so it looks like what people write: block style,
comments, the odd flow mapping. The same ``seed`` and ``count`` always give the same bytes.

Usage: python bench/generate.py COUNT [--seed N] > bundle.yaml
"""

from __future__ import annotations

import argparse
import random
import sys

NAMESPACES = 8
GROUP = 10  # workloads that share one ConfigMap and one Secret

_IMAGES = ("registry.example.com/shop/{name}:{major}.{minor}.{patch}",
           "123456789012.dkr.ecr.eu-west-1.amazonaws.com/{name}:v{major}.{minor}.{patch}",
           "ghcr.io/example/{name}:{major}.{minor}.{patch}")
_CPU = ("100m", "250m", "500m", "750m", "1")
_MEMORY = {"100m": "128Mi", "250m": "256Mi", "500m": "512Mi", "750m": "1Gi", "1": "1536Mi"}


def workload(index: int, rng: random.Random) -> str:
    name = f"svc-{index:05d}"
    group = index // GROUP
    namespace = f"team-{group % NAMESPACES:02d}"
    settings = f"settings-{group:04d}"
    secret = f"credentials-{group:04d}"
    image = rng.choice(_IMAGES).format(name=name, major=rng.randint(1, 9), minor=rng.randint(0, 30),
                                       patch=rng.randint(0, 99))
    cpu = rng.choice(_CPU)
    memory = _MEMORY[cpu]
    port = rng.choice((8080, 8000, 3000, 9000))
    replicas = rng.randint(2, 6)
    plain_env = "".join(
        f"            - name: FEATURE_{flag:02d}\n              value: \"{rng.choice(('on', 'off', 'beta'))}\"\n"
        for flag in range(rng.randint(3, 10)))
    second_sidecar = ""
    if index % 3 == 0:
        second_sidecar = f"""\
        - name: metrics-exporter
          image: prom/statsd-exporter:v0.{rng.randint(20, 28)}.0
          args: ["--statsd.listen-udp=:9125", "--web.listen-address=:9102"]
          ports:
            - {{name: metrics, containerPort: 9102}}
          resources:
            requests: {{cpu: 50m, memory: 64Mi}}
            limits: {{memory: 128Mi}}
"""
    service_type = "LoadBalancer" if index % 5 == 0 else "ClusterIP"
    lb_annotation = ""
    if service_type == "LoadBalancer":
        lb_annotation = "  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing\n"
    min_replicas = replicas
    max_replicas = replicas * rng.randint(2, 5)
    return f"""\
# {name}: the {rng.choice(('orders', 'catalog', 'search', 'payments', 'profile', 'cart'))} API of team {namespace}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: {namespace}
  labels:
    app: {name}
    team: {namespace}
    tier: backend
  annotations:
    example.com/owner: "{namespace}@example.com"
spec:
  replicas: {replicas}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app: {name}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxSurge: 25%
      maxUnavailable: 0
  template:
    metadata:
      labels:
        app: {name}
        team: {namespace}
    spec:
      terminationGracePeriodSeconds: {rng.choice((30, 45, 60))}
      volumes:
        - name: logs
          emptyDir: {{}}
      containers:
        - name: app
          image: {image}
          args: ["--port={port}", "--log-dir=/var/log/app"]
          ports:
            - name: http
              containerPort: {port}
          env:
{plain_env}            - name: DATABASE_HOST
              valueFrom:
                configMapKeyRef:
                  name: {settings}
                  key: DATABASE_HOST
            - name: DATABASE_PASSWORD
              valueFrom:
                secretKeyRef:
                  name: {secret}
                  key: password
            - name: API_TOKEN
              valueFrom:
                secretKeyRef:
                  name: {secret}
                  key: api-token
          envFrom:
            - configMapRef:
                name: {settings}
          resources:
            requests:
              cpu: {cpu}
              memory: {memory}
            limits:
              memory: {memory}
          volumeMounts:
            - name: logs
              mountPath: /var/log/app
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: {rng.choice((5, 10, 15))}
            periodSeconds: 10
            timeoutSeconds: 2
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /ready
              port: {port}
            periodSeconds: 5
          startupProbe:
            tcpSocket: {{port: {port}}}
            periodSeconds: 2
            failureThreshold: 30
        - name: log-shipper
          image: public.ecr.aws/aws-observability/aws-for-fluent-bit:2.{rng.randint(28, 32)}.0
          env:
            - {{name: LOG_GROUP, value: /apps/{name}}}
          resources:
            requests: {{cpu: 50m, memory: 64Mi}}
            limits: {{memory: 128Mi}}
          volumeMounts:
            - name: logs
              mountPath: /var/log/app
              readOnly: true
{second_sidecar}---
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {namespace}
{lb_annotation}spec:
  type: {service_type}
  selector:
    app: {name}
  ports:
    - name: http
      port: 80
      targetPort: http
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
  namespace: {namespace}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {name}
  minReplicas: {min_replicas}
  maxReplicas: {max_replicas}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {rng.choice((60, 65, 70, 75, 80))}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: 80
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
---
"""


def shared(group: int) -> str:
    namespace = f"team-{group % NAMESPACES:02d}"
    return f"""\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings-{group:04d}
  namespace: {namespace}
data:
  DATABASE_HOST: db-{group:04d}.{namespace}.svc.cluster.local
  LOG_LEVEL: info
  CACHE_TTL: "300"
---
apiVersion: v1
kind: Secret
metadata:
  name: credentials-{group:04d}
  namespace: {namespace}
type: Opaque
data:
  password: c3VwZXItc2VjcmV0LXBhc3N3b3Jk
  api-token: dG9rZW4tdmFsdWUtbmV2ZXItb3V0cHV0
---
"""


def bundle(count: int, seed: int = 9) -> str:
    """``count`` workloads (3 documents each) plus one ConfigMap and Secret per group of ten."""
    rng = random.Random(seed)
    parts: list[str] = []
    for index in range(count):
        if index % GROUP == 0:
            parts.append(shared(index // GROUP))
        parts.append(workload(index, rng))
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("--seed", type=int, default=9)
    args = parser.parse_args()
    sys.stdout.write(bundle(args.count, args.seed))


if __name__ == "__main__":
    main()
