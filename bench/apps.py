"""Benchmark bundles in the shapes of real applications (issue 24), written for k2ecs (not copied).

bench/generate.py repeats one workload; real inputs are applications: several services that call each
other by name, Helm's labels and selectors, configuration shared through ConfigMaps and Secrets, and
autoscalers. This module writes three such applications, in the shapes of the ../shared/corpus/k8s
cases (the text is ours):

* ``shop`` (the shape of gcp-microservices-demo and eshoponcontainers): a LoadBalancer frontend that
  calls five backends by Service name (``http://<release>-cart:7070``), a Redis, a ConfigMap of URLs read
  through ``envFrom`` and ``configMapKeyRef``, a ConfigMap mounted as a volume, a Secret read through
  ``secretKeyRef``, three HPAs (autoscaling/v2, CPU and memory, with ``behavior``);
* ``blog`` (the shape of gke-shift-left-cost's WordPress and cloudsql-proxy-native-sidecar): a web
  Deployment with a bash wait-for-db init container, a native sidecar (an init container with
  ``restartPolicy: Always``) and a classic log-shipping sidecar, exec, httpGet and tcpSocket probes, a
  Secret through ``envFrom`` and as a volume, an HPA with ``scaleUp``/``scaleDown`` policies and
  ``selectPolicy``;
* ``gateway`` (the shape of kong-helm-chartsnap): a proxy with its controller as a second container,
  a migrations init container, a gRPC backend with gRPC probes, a worker with no Service, and a
  ConfigMap holding a multi-line configuration file.

Every object carries Helm's labels, and every selector starts with ``app.kubernetes.io/instance:
<release>`` (Helm's default, which puts every Service of a release in one bucket of an index keyed by
the first label). A bundle repeats the three applications as releases ``r00001``, ``r00002``, ...
(every name carries the release), spread over namespaces, until it reaches the size asked for.

Usage: python bench/apps.py BYTES > bundle.yaml      (e.g. 1000000)
"""

from __future__ import annotations

import argparse
import sys
import zlib
from typing import Callable

NAMESPACES = 6


def labels(release: str, component: str, app: str, indent: int) -> str:
    pad = " " * indent
    return (f"{pad}helm.sh/chart: {app}-1.{len(release) % 7}.0\n"
            f"{pad}app.kubernetes.io/instance: {release}\n"
            f"{pad}app.kubernetes.io/name: {component}\n"
            f"{pad}app.kubernetes.io/version: \"2.4.1\"\n"
            f"{pad}app.kubernetes.io/managed-by: Helm\n")


def selector(release: str, component: str, indent: int) -> str:
    pad = " " * indent
    return f"{pad}app.kubernetes.io/instance: {release}\n{pad}app.kubernetes.io/name: {component}\n"


def head(kind: str, api: str, name: str, namespace: str, release: str, component: str, app: str) -> str:
    return (f"---\n# Source: {app}/templates/{component}-{kind.lower()}.yaml\n"
            f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n  namespace: {namespace}\n"
            f"  labels:\n{labels(release, component, app, 4)}")


def service(release: str, component: str, app: str, namespace: str, port: int, target: str | int,
            kind: str = "ClusterIP") -> str:
    return (head("Service", "v1", f"{release}-{component}", namespace, release, component, app)
            + f"spec:\n  type: {kind}\n  selector:\n{selector(release, component, 4)}"
            f"  ports:\n    - name: http\n      port: {port}\n      targetPort: {target}\n      protocol: TCP\n")


def hpa(release: str, component: str, app: str, namespace: str, low: int, high: int, cpu: int,
        policies: bool = False) -> str:
    behavior = ("  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: 300\n"
                "      policies:\n        - {type: Percent, value: 50, periodSeconds: 60}\n"
                "        - {type: Pods, value: 2, periodSeconds: 60}\n      selectPolicy: Min\n"
                "    scaleUp:\n      stabilizationWindowSeconds: 0\n"
                "      policies:\n        - type: Pods\n          value: 4\n          periodSeconds: 15\n"
                if policies else "  behavior:\n    scaleDown:\n      stabilizationWindowSeconds: 300\n")
    return (head("HorizontalPodAutoscaler", "autoscaling/v2", f"{release}-{component}", namespace, release,
                 component, app)
            + f"spec:\n  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n"
            f"    name: {release}-{component}\n  minReplicas: {low}\n  maxReplicas: {high}\n"
            f"  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n"
            f"        target:\n          type: Utilization\n          averageUtilization: {cpu}\n"
            f"    - type: Resource\n      resource:\n        name: memory\n"
            f"        target:\n          type: AverageValue\n          averageValue: 400Mi\n" + behavior)


def deployment(release: str, component: str, app: str, namespace: str, replicas: int, pod: str) -> str:
    """``pod``: the pod spec's body, indented by 6."""
    return (head("Deployment", "apps/v1", f"{release}-{component}", namespace, release, component, app)
            + f"spec:\n  replicas: {replicas}\n  revisionHistoryLimit: 3\n"
            f"  selector:\n    matchLabels:\n{selector(release, component, 6)}"
            f"  strategy:\n    type: RollingUpdate\n    rollingUpdate: {{maxSurge: 1, maxUnavailable: 0}}\n"
            f"  template:\n    metadata:\n      labels:\n{labels(release, component, app, 8)}"
            f"      annotations:\n        checksum/config: {zlib.crc32((release + component).encode()):010d}\n"
            f"    spec:\n{pod}")


def resources(cpu: str, memory: str) -> str:
    return (f"          resources:\n            requests:\n              cpu: {cpu}\n              memory: {memory}\n"
            f"            limits:\n              memory: {memory}\n")


def http_probes(port: str | int, path: str) -> str:
    return (f"          readinessProbe:\n            httpGet:\n              path: {path}\n              port: {port}\n"
            f"            periodSeconds: 5\n"
            f"          livenessProbe:\n            httpGet:\n              path: {path}\n              port: {port}\n"
            f"            initialDelaySeconds: 10\n            periodSeconds: 10\n            failureThreshold: 3\n")


def backend(release: str, component: str, namespace: str, port: int, env: str, extra: str = "") -> str:
    pod = (f"      serviceAccountName: {release}-shop\n      terminationGracePeriodSeconds: 5\n"
           f"      securityContext:\n        runAsNonRoot: true\n        runAsUser: 1000\n"
           f"      containers:\n        - name: server\n"
           f"          image: registry.example.com/shop/{component}:v0.{port % 17}.3\n"
           f"          ports:\n            - name: http\n              containerPort: {port}\n"
           f"          env:\n            - name: PORT\n              value: \"{port}\"\n{env}"
           f"          envFrom:\n            - configMapRef:\n                name: {release}-urls\n"
           + resources("100m", "128Mi") + http_probes("http", "/healthz") + extra)
    return deployment(release, component, "shop", namespace, 2, pod)


def shop(release: str, namespace: str) -> str:
    url = lambda component, port: f"http://{release}-{component}:{port}"  # noqa: E731
    parts = [head("ConfigMap", "v1", f"{release}-urls", namespace, release, "urls", "shop")
             + f"data:\n  CART_URL: {url('cart', 7070)}\n  CATALOG_URL: {url('catalog', 3550)}\n"
             f"  CHECKOUT_URL: {url('checkout', 5050)}\n  PAYMENT_URL: {url('payment', 50051)}\n"
             f"  SHIPPING_URL: {url('shipping', 50052)}\n  REDIS_ADDR: {release}-redis:6379\n",
             head("ConfigMap", "v1", f"{release}-products", namespace, release, "catalog", "shop")
             + "data:\n  products.json: |\n" + "".join(
                 f"    {{\"id\": \"P{i:03d}\", \"name\": \"Item {i}\", \"priceUsd\": {{\"units\": {i + 3}}}}}\n"
                 for i in range(8)),
             head("Secret", "v1", f"{release}-payment", namespace, release, "payment", "shop")
             + "type: Opaque\ndata:\n  api-key: c2stdGVzdC1ub3QtYS1yZWFsLWtleQ==\n  webhook-secret: d2hzZWMtZmFrZQ==\n"]
    frontend_env = "".join(f"            - name: {name}\n              valueFrom:\n                configMapKeyRef:\n"
                           f"                  name: {release}-urls\n                  key: {name}\n"
                           for name in ("CART_URL", "CATALOG_URL", "CHECKOUT_URL"))
    parts.append(backend(release, "frontend", namespace, 8080, frontend_env
                         + "            - name: ENABLE_PROFILER\n              value: \"0\"\n"))
    parts.append(service(release, "frontend", "shop", namespace, 80, "http", "LoadBalancer"))
    parts.append(hpa(release, "frontend", "shop", namespace, 2, 10, 70))
    cart_env = f"            - name: REDIS_ADDR\n              value: {release}-redis:6379\n"
    parts.append(backend(release, "cart", namespace, 7070, cart_env))
    parts.append(service(release, "cart", "shop", namespace, 7070, 7070))
    catalog_mount = ("          volumeMounts:\n            - name: products\n              mountPath: /data\n"
                     "              readOnly: true\n      volumes:\n        - name: products\n"
                     f"          configMap:\n            name: {release}-products\n")
    parts.append(backend(release, "catalog", namespace, 3550, "", catalog_mount))
    parts.append(service(release, "catalog", "shop", namespace, 3550, 3550))
    parts.append(hpa(release, "catalog", "shop", namespace, 2, 6, 75))
    checkout_env = (f"            - name: CATALOG_ADDR\n              value: {release}-catalog:3550\n"
                    f"            - name: PAYMENT_ADDR\n              value: \"$(PAYMENT_URL)\"\n")
    parts.append(backend(release, "checkout", namespace, 5050, checkout_env))
    parts.append(service(release, "checkout", "shop", namespace, 5050, "http"))
    parts.append(hpa(release, "checkout", "shop", namespace, 2, 8, 65, policies=True))
    payment_env = ("".join(f"            - name: {name}\n              valueFrom:\n                secretKeyRef:\n"
                           f"                  name: {release}-payment\n                  key: {key}\n"
                           for name, key in (("API_KEY", "api-key"), ("WEBHOOK_SECRET", "webhook-secret"))))
    parts.append(backend(release, "payment", namespace, 50051, payment_env))
    parts.append(service(release, "payment", "shop", namespace, 50051, 50051))
    parts.append(backend(release, "shipping", namespace, 50052, ""))
    parts.append(service(release, "shipping", "shop", namespace, 50052, 50052))
    redis = ("      containers:\n        - name: redis\n          image: redis:7.2-alpine\n"
             "          args: [\"--maxmemory\", \"200mb\", \"--maxmemory-policy\", \"allkeys-lru\"]\n"
             "          ports:\n            - containerPort: 6379\n"
             + resources("70m", "256Mi")
             + "          readinessProbe:\n            tcpSocket: {port: 6379}\n            periodSeconds: 5\n"
             "          livenessProbe:\n            exec:\n              command: [redis-cli, ping]\n"
             "            periodSeconds: 15\n"
             "          volumeMounts:\n            - {name: data, mountPath: /data}\n"
             "      volumes:\n        - name: data\n          emptyDir: {}\n")
    parts.append(deployment(release, "redis", "shop", namespace, 1, redis))
    parts.append(service(release, "redis", "shop", namespace, 6379, 6379))
    return "".join(parts)


def blog(release: str, namespace: str) -> str:
    db = f"{release}-db"
    parts = [head("Secret", "v1", db, namespace, release, "db", "blog")
             + "type: Opaque\nstringData:\n  DB_USER: blog\n  DB_PASSWORD: not-a-real-password\n",
             head("ConfigMap", "v1", f"{release}-php", namespace, release, "web", "blog")
             + "data:\n  php.ini: |\n    memory_limit = 256M\n    upload_max_filesize = 16M\n"
             "    max_execution_time = 60\n"]
    pod = ("      initContainers:\n        - name: wait-for-db\n          image: busybox:1.36\n"
           "          command: [sh, -c]\n          args:\n            - |\n"
           f"              until nc -z {db} 5432; do echo waiting for {db}; sleep 2; done\n"
           "        - name: cloud-sql-proxy\n          image: gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.11.0\n"
           "          restartPolicy: Always\n"
           "          args: [\"--port=5432\", \"--http-port=9801\", \"project:region:db\"]\n"
           "          env:\n            - name: CSQL_PROXY_HEALTH_CHECK\n              value: \"true\"\n"
           "          startupProbe:\n            httpGet: {path: /startup, port: 9801}\n"
           "            periodSeconds: 1\n            failureThreshold: 20\n"
           "          securityContext:\n            readOnlyRootFilesystem: true\n"
           + resources("50m", "64Mi")
           + "      containers:\n        - name: web\n          image: wordpress:6.4-apache\n"
           "          ports:\n            - name: http\n              containerPort: 80\n"
           f"          env:\n            - name: WORDPRESS_DB_HOST\n              value: 127.0.0.1:5432\n"
           f"            - name: WORDPRESS_SEARCH_URL\n              value: http://{release}-search:9200\n"
           f"          envFrom:\n            - secretRef:\n                name: {db}\n"
           + resources("250m", "512Mi") + http_probes("http", "/wp-login.php")
           + "          startupProbe:\n            tcpSocket: {port: http}\n            failureThreshold: 30\n"
           "          volumeMounts:\n            - {name: php, mountPath: /usr/local/etc/php/conf.d}\n"
           "            - {name: credentials, mountPath: /run/secrets/db, readOnly: true}\n"
           "            - {name: logs, mountPath: /var/log/apache2}\n"
           "        - name: log-shipper\n          image: fluent/fluent-bit:3.0\n"
           "          args: [\"-i\", \"tail\", \"-p\", \"path=/var/log/apache2/*.log\", \"-o\", \"stdout\"]\n"
           + resources("20m", "32Mi")
           + "          volumeMounts:\n            - {name: logs, mountPath: /var/log/apache2, readOnly: true}\n"
           f"      volumes:\n        - name: php\n          configMap:\n            name: {release}-php\n"
           f"        - name: credentials\n          secret:\n            secretName: {db}\n"
           "            items:\n              - {key: DB_PASSWORD, path: password}\n"
           "        - name: logs\n          emptyDir: {}\n")
    parts.append(deployment(release, "web", "blog", namespace, 3, pod))
    parts.append(service(release, "web", "blog", namespace, 80, "http", "LoadBalancer"))
    parts.append(hpa(release, "web", "blog", namespace, 3, 12, 60, policies=True))
    search = ("      containers:\n        - name: search\n          image: opensearchproject/opensearch:2.11.1\n"
              "          ports:\n            - name: http\n              containerPort: 9200\n"
              "          env:\n            - {name: discovery.type, value: single-node}\n"
              "            - {name: OPENSEARCH_JAVA_OPTS, value: \"-Xms512m -Xmx512m\"}\n"
              + resources("500m", "1Gi") + http_probes(9200, "/_cluster/health"))
    parts.append(deployment(release, "search", "blog", namespace, 1, search))
    parts.append(service(release, "search", "blog", namespace, 9200, "http"))
    return "".join(parts)


def gateway(release: str, namespace: str) -> str:
    parts = [head("ConfigMap", "v1", f"{release}-gateway-conf", namespace, release, "proxy", "gateway")
             + "data:\n  kong.yml: |\n    _format_version: \"3.0\"\n    services:\n"
             f"      - name: orders\n        url: grpc://{release}-orders:9090\n"
             "        routes:\n          - name: orders\n            paths: [/orders]\n"
             f"      - name: shop\n        url: http://{release}-frontend:80\n"]
    proxy = ("      initContainers:\n        - name: migrations\n          image: kong:3.6\n"
             "          command: [kong, migrations, bootstrap]\n"
             "          env:\n            - {name: KONG_DATABASE, value: \"off\"}\n"
             + resources("50m", "64Mi")
             + "      containers:\n        - name: proxy\n          image: kong:3.6\n"
             "          ports:\n            - name: proxy\n              containerPort: 8000\n"
             "            - name: status\n              containerPort: 8100\n"
             "          env:\n            - {name: KONG_DATABASE, value: \"off\"}\n"
             "            - {name: KONG_DECLARATIVE_CONFIG, value: /kong/kong.yml}\n"
             "            - {name: KONG_STATUS_LISTEN, value: \"0.0.0.0:8100\"}\n"
             + resources("200m", "256Mi") + http_probes("status", "/status")
             + "          volumeMounts:\n            - {name: conf, mountPath: /kong}\n"
             "        - name: ingress-controller\n          image: kong/kubernetes-ingress-controller:3.1\n"
             "          env:\n            - {name: CONTROLLER_KONG_ADMIN_URL, value: \"https://localhost:8444\"}\n"
             + resources("100m", "128Mi") + http_probes(10254, "/readyz")
             + "      volumes:\n        - name: conf\n          configMap:\n"
             f"            name: {release}-gateway-conf\n")
    parts.append(deployment(release, "proxy", "gateway", namespace, 2, proxy))
    parts.append(service(release, "proxy", "gateway", namespace, 80, "proxy", "LoadBalancer"))
    parts.append(hpa(release, "proxy", "gateway", namespace, 2, 20, 80))
    orders = ("      containers:\n        - name: orders\n          image: ghcr.io/example/orders:1.8.0\n"
              "          ports:\n            - name: grpc\n              containerPort: 9090\n"
              "          env:\n"
              f"            - {{name: CART_ADDR, value: \"{release}-cart.{namespace}.svc.cluster.local:7070\"}}\n"
              + resources("100m", "128Mi")
              + "          readinessProbe:\n            grpc: {port: 9090}\n            periodSeconds: 5\n"
              "          livenessProbe:\n            grpc: {port: 9090}\n            periodSeconds: 10\n")
    parts.append(deployment(release, "orders", "gateway", namespace, 2, orders))
    parts.append(service(release, "orders", "gateway", namespace, 9090, "grpc"))
    worker = ("      containers:\n        - name: worker\n          image: ghcr.io/example/orders:1.8.0\n"
              "          command: [/orders, worker, --queue=orders]\n"
              f"          env:\n            - {{name: ORDERS_ADDR, value: \"{release}-orders:9090\"}}\n"
              + resources("100m", "128Mi"))
    parts.append(deployment(release, "worker", "gateway", namespace, 1, worker))
    return "".join(parts)


APPLICATIONS: tuple[Callable[[str, str], str], ...] = (shop, blog, gateway)


def release_text(index: int) -> str:
    """One repeat: a release of each application, in one namespace; every name carries its release."""
    namespace = f"team-{index % NAMESPACES}"
    return "".join(app(f"r{index:05d}{app.__name__[0]}", namespace) for app in APPLICATIONS)


def bundle(target_bytes: int) -> str:
    """Releases until the text reaches ``target_bytes`` (at least one). The same size gives the same bytes."""
    parts: list[str] = []
    size = 0
    while not parts or size < target_bytes:
        parts.append(release_text(len(parts) + 1))
        size += len(parts[-1].encode("utf-8"))
    return "".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bytes", type=int)
    sys.stdout.write(bundle(parser.parse_args().bytes))


if __name__ == "__main__":
    main()


def releases(text: str) -> list[str]:
    """The release names of a bundle (each application's)."""
    return sorted({line.split(": ", 1)[1] for line in text.splitlines()
                   if line.startswith("    app.kubernetes.io/instance: ")})


def plan_config(text: str, cluster: str, subnet: str, security_group: str, account: str = "123456789012",
                region: str = "eu-west-1") -> str:
    """A k2ecs.yaml that fills every placeholder of the bundle (what ``k2ecs init`` asks for), so that
    ``k2ecs plan`` can run on it: the execution role, each Secret key's ARN and each exposed Service's
    target group."""
    secrets, groups = [], []
    for release in releases(text):
        if release.endswith("s"):
            secrets += [f"{release}-payment/{key}" for key in ("api-key", "webhook-secret")]
            groups.append(f"{release}-frontend:80")
        elif release.endswith("b"):
            secrets += [f"{release}-db/{key}" for key in ("DB_PASSWORD", "DB_USER")]
            groups.append(f"{release}-web:80")
        else:
            groups.append(f"{release}-proxy:80")
    arn = f"arn:aws:{{}}:{region}:{account}:{{}}"
    return "".join([
        f"cluster: {cluster}\nregion: {region}\nlaunchType: FARGATE\n",
        f"network:\n  subnets: [{subnet}]\n  securityGroups: [{security_group}]\n  assignPublicIp: false\n",
        f"executionRoleArn: arn:aws:iam::{account}:role/ecsTaskExecutionRole\n",
        "serviceConnectNamespace: apps.local\nsecrets:\n",
        *(f"  \"{key}\": \"{arn.format('secretsmanager', 'secret:' + key.replace('/', '-'))}\"\n" for key in secrets),
        "targetGroups:\n",
        *(f"  \"{key}\": \"{arn.format('elasticloadbalancing', group_path(key))}\"\n" for key in groups)])


def group_path(key: str) -> str:
    return "targetgroup/" + key.replace(":", "-") + "/0123456789abcdef"
