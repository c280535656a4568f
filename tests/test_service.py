"""Service parsing (converter.read.kubernetes.service) and wiring (converter.rules.exposure.forward), MAPPING §4."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from converter.rules.exposure.forward import (
    MAX_TARGET_GROUPS,
    Wiring,
    port_mapping_name,
    selects,
    wire_exposures,
)
from converter.core.errors import InputError
from converter.core.findings import Finding, Origin
from converter.read.kubernetes.context import ParseContext
from converter.core.reader import Reader
from converter.read.kubernetes.service import parse_service
from converter.load.loader import parse_text
from converter.core.model import Container, Exposure, Port, Probe, Rollout, Workload
from converter.core.settings import Settings, placeholder

CORPUS = Path("/work/shared/corpus/k8s")
PORT_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]*$")


# -- helpers --------------------------------------------------------------------------------------
def origin(resource: str = "Deployment/web") -> Origin:
    return Origin(resource=resource, file="t.yaml", line=1, path="")


def port(number: int, name: str | None = None, protocol: str = "tcp") -> Port:
    return Port(container_port=number, protocol=protocol, name=name, host_port=None, origin=origin())  # type: ignore[arg-type]


def container(name: str, *ports: Port, role: str = "app", readiness: Probe | None = None) -> Container:
    return Container(name=name, image=f"{name}:1", role=role, ports=ports, readiness=readiness,  # type: ignore[arg-type]
                     origin=origin())


def workload(*containers: Container, labels: tuple[tuple[str, str], ...] = (("app", "web"),)) -> Workload:
    return Workload(kind="Deployment", name="web", namespace=None, labels=labels, annotations=(), pod_labels=labels, replicas=1,
                    rollout=Rollout(strategy="rolling", origin=origin()), containers=containers, origin=origin())


def parse(text: str, file: str = "svc.yaml") -> tuple[Exposure | None, list[Finding]]:
    document = parse_text(text, file)[0]
    reader = Reader(document, f"Service/{document.data.get('metadata', {}).get('name')}")
    exposure = parse_service(reader, ParseContext(settings=Settings()))
    return exposure, reader.finish()


def codes(findings: list[Finding]) -> list[str]:
    return sorted(finding.code for finding in findings)


def wire(exposures: list[Exposure | None], target: Workload, settings: Settings | None = None,
         port_names: dict[tuple[str, int], str] | None = None) -> tuple[Wiring, list[Finding]]:
    return wire_exposures(target, [e for e in exposures if e is not None], port_names or {}, settings or Settings())


PODINFO = """\
apiVersion: v1
kind: Service
metadata:
  name: podinfo
spec:
  type: ClusterIP
  selector:
    app: podinfo
  ports:
    - name: http
      port: 9898
      protocol: TCP
      targetPort: http
    - port: 9999
      targetPort: grpc
      protocol: TCP
      name: grpc
"""
PODINFO_WORKLOAD = workload(container("podinfod", port(9898, "http"), port(9999, "grpc")),
                            labels=(("app", "podinfo"), ("version", "6")))


# -- ClusterIP -> Service Connect -------------------------------------------------------------------
def test_multi_port_cluster_ip_with_named_target_ports() -> None:
    exposure, findings = parse(PODINFO)
    assert findings == []  # nothing unmapped, nothing to report
    assert exposure is not None and exposure.type == "ClusterIP"
    assert [(p.port, p.target_port, p.protocol) for p in exposure.ports] == [(9898, "http", "tcp"), (9999, "grpc", "tcp")]

    wiring, wired = wire([exposure], PODINFO_WORKLOAD)
    assert wiring.load_balancers == ()
    assert wiring.needs_service_connect_proxy is True
    assert wiring.service_connect == {
        "enabled": True,
        "namespace": placeholder("service-connect-namespace"),
        "services": [
            {"portName": "http", "discoveryName": "podinfo-http", "clientAliases": [{"port": 9898, "dnsName": "podinfo"}]},
            {"portName": "grpc", "discoveryName": "podinfo-grpc", "clientAliases": [{"port": 9999, "dnsName": "podinfo"}]},
        ],
    }
    assert codes(wired) == ["K2E-I401", "K2E-W604"]  # I401 once per Service, W604 once


def test_single_port_target_port_omitted_with_namespace_and_task_port_names() -> None:
    exposure, findings = parse("""\
apiVersion: v1
kind: Service
metadata: {name: db, namespace: prod}
spec:
  selector: {app: db}
  ports:
  - port: 5432
""")
    assert findings == []
    assert exposure is not None and exposure.namespace == "prod"
    assert exposure.ports[0].target_port == 5432  # defaults to port
    target = workload(container("postgres", port(5432)), labels=(("app", "db"),))
    settings = Settings(service_connect_namespace="apps")
    wiring, wired = wire([exposure], target, settings, {("postgres", 5432): "pg"})
    assert wiring.service_connect == {"enabled": True, "namespace": "apps", "services": [
        {"portName": "pg", "discoveryName": "db", "clientAliases": [{"port": 5432, "dnsName": "db"}]},
        {"portName": "pg", "discoveryName": "db-prod", "clientAliases": [{"port": 5432, "dnsName": "db.prod"}]},
        {"portName": "pg", "discoveryName": "db-prod-svc", "clientAliases": [{"port": 5432, "dnsName": "db.prod.svc"}]},
        {"portName": "pg", "discoveryName": "db-prod-fqdn",
         "clientAliases": [{"port": 5432, "dnsName": "db.prod.svc.cluster.local"}]},
    ]}  # every name cluster DNS answers for the Service (issue 19)
    assert codes(wired) == ["K2E-I401"]
    # without a task-definition name the renderer's own rule is used
    fallback, _ = wire([exposure], target, settings)
    assert fallback.service_connect is not None
    assert {s["portName"] for s in fallback.service_connect["services"]} == {port_mapping_name("postgres", 5432, None)}


def test_numeric_target_port_resolves_to_the_declaring_container_not_init() -> None:
    exposure, _ = parse("""\
kind: Service
apiVersion: v1
metadata: {name: api}
spec: {selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
""")
    target = workload(container("setup", port(8080, "init-port"), role="init"),
                      container("proxy", port(9000), role="sidecar"),
                      container("app", port(8080, "web")))
    wiring, _ = wire([exposure], target)
    assert wiring.service_connect is not None
    assert wiring.service_connect["services"][0]["portName"] == "web"


def test_udp_port_is_not_put_on_service_connect() -> None:
    exposure, _ = parse("""\
kind: Service
apiVersion: v1
metadata: {name: dns}
spec:
  selector: {app: web}
  ports: [{name: tcp, port: 53, protocol: TCP}, {name: udp, port: 5353, protocol: UDP}]
""")
    target = workload(container("dns", port(53, "tcp"), port(5353, "udp", "udp")))
    wiring, wired = wire([exposure], target)
    assert wiring.service_connect is not None
    assert [s["portName"] for s in wiring.service_connect["services"]] == ["tcp"]
    w412 = [f for f in wired if f.code == "K2E-W412"]
    assert len(w412) == 1 and w412[0].path == "/spec/ports/1/protocol" and w412[0].file == "svc.yaml"


@pytest.mark.parametrize(("declared", "expected", "code"), [
    ("http", "http", None),
    ("kubernetes.io/h2c", "http2", None),
    ("h2c", "http2", None),
    ("grpc", "grpc", None),
    ("tcp", None, None),  # plain TCP is what ECS does without appProtocol
    ("https", None, "K2E-I413"),
])
def test_app_protocol(declared: str, expected: str | None, code: str | None) -> None:
    exposure, _ = parse(f"""\
kind: Service
apiVersion: v1
metadata: {{name: api}}
spec: {{selector: {{app: web}}, ports: [{{port: 80, targetPort: web, appProtocol: "{declared}"}}]}}
""")
    wiring, wired = wire([exposure], workload(container("app", port(8080, "web"))))
    assert wiring.app_protocols == ({} if expected is None else {"web": expected})
    assert [f.code for f in wired if f.code == "K2E-I413"] == ([] if code is None else [code])


# -- LoadBalancer / NodePort -> ELB ------------------------------------------------------------------
LOAD_BALANCER = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing
    service.beta.kubernetes.io/aws-load-balancer-nlb-target-type: instance
    service.beta.kubernetes.io/aws-load-balancer-healthcheck-protocol: http
    service.beta.kubernetes.io/aws-load-balancer-healthcheck-path: /healthz
    service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval: "10"
    service.beta.kubernetes.io/aws-load-balancer-healthcheck-timeout: "10"
    example.com/owner: team-a
spec:
  type: LoadBalancer
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: http}
"""
READY = Probe(handler="http", port=8080, path="/ready", period_seconds=20, timeout_seconds=3,
              failure_threshold=4, success_threshold=1, origin=origin())


def test_load_balancer_with_annotations() -> None:
    exposure, findings = parse(LOAD_BALANCER)
    assert exposure is not None
    assert (exposure.type, exposure.load_balancer_type, exposure.load_balancer_scheme) == ("LoadBalancer", "nlb", "internet-facing")
    assert codes(findings) == ["K2E-I008"]  # only the annotation nothing uses
    assert findings[0].path == "/metadata/annotations/example.com~1owner"

    target = workload(container("web", port(8080, "http"), readiness=READY))
    wiring, wired = wire([exposure], target)
    assert wiring.service_connect is None and wiring.needs_service_connect_proxy is False
    assert wiring.load_balancers == ({"targetGroupArn": placeholder("target-group-arn:web:80"),
                                      "containerName": "web", "containerPort": 8080},)
    # the plan, its ARN, and what only the plan holds: the probe and each of the 6 annotations, where written
    assert codes(wired) == ["K2E-I414"] + ["K2E-I415"] * 6 + ["K2E-W402", "K2E-W605"]
    plan = next(f for f in wired if f.code == "K2E-W402").extra
    assert plan["loadBalancer"]["Type"] == "network" and plan["loadBalancer"]["Scheme"] == "internet-facing"
    assert plan["listeners"] == [{"Port": 80, "Protocol": "TCP",
                                  "DefaultActions": [{"Type": "forward", "TargetGroupName": "web-80"}]}]
    group = plan["targetGroups"][0]
    assert (group["Name"], group["Protocol"], group["Port"], group["TargetType"]) == ("web-80", "TCP", 8080, "ip")
    # annotations beat the readiness probe; the probe fills the rest; interval > timeout (V27)
    assert group["HealthCheckProtocol"] == "HTTP" and group["HealthCheckPath"] == "/healthz"
    assert group["HealthCheckIntervalSeconds"] == 10 and group["HealthCheckTimeoutSeconds"] == 9
    assert (group["HealthyThresholdCount"], group["UnhealthyThresholdCount"]) == (2, 4)
    assert group["Matcher"] == {"HttpCode": "200-399"}
    assert plan["annotations"]["service.beta.kubernetes.io/aws-load-balancer-nlb-target-type"] == "instance"

    configured = Settings(target_groups={"web:80": "arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/web/1"})
    wiring, wired = wire([exposure], target, configured)
    assert wiring.load_balancers[0]["targetGroupArn"].startswith("arn:aws:")
    assert "K2E-W605" not in codes(wired) and "K2E-W402" in codes(wired)


@pytest.mark.parametrize(("annotations", "lb_class", "scheme"), [
    ("{}", "", "internal"),  # Load Balancer Controller default, stated in details
    ('{service.beta.kubernetes.io/aws-load-balancer-type: nlb}', "", "internet-facing"),  # legacy provider
    ('{service.beta.kubernetes.io/aws-load-balancer-type: nlb, service.beta.kubernetes.io/aws-load-balancer-internal: "true"}', "", "internal"),
    ('{service.beta.kubernetes.io/aws-load-balancer-type: nlb}', "loadBalancerClass: service.k8s.aws/nlb", "internal"),
])
def test_load_balancer_scheme(annotations: str, lb_class: str, scheme: str) -> None:
    exposure, findings = parse(f"""\
apiVersion: v1
kind: Service
metadata: {{name: web, annotations: {annotations}}}
spec:
  type: LoadBalancer
  {lb_class}
  selector: {{app: web}}
  ports: [{{port: 80}}]
""")
    assert findings == []
    assert exposure is not None and exposure.load_balancer_scheme == scheme
    _, wired = wire([exposure], workload(container("web", port(80))))
    plan = next(f for f in wired if f.code == "K2E-W402").extra
    assert plan["loadBalancer"]["Scheme"] == scheme and plan["loadBalancer"]["schemeReason"]
    # no readiness probe: the controller's NLB defaults, made valid (interval > timeout)
    group = plan["targetGroups"][0]
    assert group["HealthCheckProtocol"] == "TCP" and "HealthCheckPath" not in group
    assert group["HealthCheckIntervalSeconds"] > group["HealthCheckTimeoutSeconds"]
    assert "notes" not in group  # nothing was adjusted: only input values earn a note


def test_node_port() -> None:
    exposure, findings = parse("""\
apiVersion: v1
kind: Service
metadata: {name: vote, labels: {app: vote}}
spec:
  type: NodePort
  ports:
  - name: "vote-service"
    port: 8080
    targetPort: 80
    nodePort: 31000
  selector: {app: vote}
""")
    assert exposure is not None and exposure.type == "NodePort" and exposure.ports[0].node_port == 31000
    w409 = [f for f in findings if f.code == "K2E-W409"]
    assert len(w409) == 1 and w409[0].path == "/spec/ports/0/nodePort" and w409[0].line == 10
    assert "K2E-W901" not in codes(findings)
    target = workload(container("vote", port(80)), labels=(("app", "vote"),))
    wiring, wired = wire([exposure], target)
    assert wiring.load_balancers[0]["containerPort"] == 80
    # the wiring names spec.type, which became a load balancer; the port name reaches no ECS field
    assert codes(wired) == ["K2E-I416", "K2E-W402", "K2E-W409", "K2E-W605"]
    assert next(f for f in wired if f.code == "K2E-W402").extra["loadBalancer"]["Scheme"] == "internal"
    node_type = next(f for f in wired if f.code == "K2E-W409")
    assert (node_type.path, node_type.line, node_type.resource) == ("/spec/type", 5, "Service/vote")
    assert "became an internal network load balancer" in node_type.message


def test_node_port_behind_alb_ingress_annotations() -> None:
    exposure, _ = parse("""\
apiVersion: v1
kind: Service
metadata:
  name: ui
  annotations: {alb.ingress.kubernetes.io/healthcheck-path: /health, alb.ingress.kubernetes.io/backend-protocol-version: GRPC}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, targetPort: 8080}]}
""")
    assert exposure is not None and exposure.load_balancer_type == "alb"
    tcp_ready = Probe(handler="tcp", port=8080, origin=origin())
    _, wired = wire([exposure], workload(container("ui", port(8080), readiness=tcp_ready)))
    plan = next(f for f in wired if f.code == "K2E-W402").extra
    group = plan["targetGroups"][0]
    assert plan["loadBalancer"]["Type"] == "application"
    assert (group["Protocol"], group["ProtocolVersion"]) == ("HTTP", "GRPC")
    # a TCP check is not allowed on an HTTP target group (V27): HTTP on the annotated path
    assert group["HealthCheckProtocol"] == "HTTP" and group["HealthCheckPath"] == "/health"
    assert any("TCP health check" in note for note in group["notes"])


def test_health_check_values_clamped_to_elb_ranges() -> None:
    exposure, _ = parse(LOAD_BALANCER.replace('"10"', '"1"'))
    fast = Probe(handler="tcp", port=8080, period_seconds=1, timeout_seconds=1, failure_threshold=20,
                 success_threshold=1, origin=origin())
    _, wired = wire([exposure], workload(container("web", port(8080, "http"), readiness=fast)))
    group = next(f for f in wired if f.code == "K2E-W402").extra["targetGroups"][0]
    assert group["HealthCheckIntervalSeconds"] == 5 and group["HealthCheckTimeoutSeconds"] == 2
    assert (group["HealthyThresholdCount"], group["UnhealthyThresholdCount"]) == (2, 10)
    assert len(group["notes"]) >= 4


def test_at_most_five_target_groups_per_ecs_service() -> None:
    ports = "\n".join(f"  - {{name: p{i}, port: {8000 + i}}}" for i in range(7))
    exposure, _ = parse(f"""\
apiVersion: v1
kind: Service
metadata: {{name: many}}
spec:
  type: LoadBalancer
  selector: {{app: web}}
  ports:
{ports}
""")
    target = workload(container("app", *(port(8000 + i) for i in range(7))))
    wiring, wired = wire([exposure], target)
    assert len(wiring.load_balancers) == MAX_TARGET_GROUPS
    w411 = [f for f in wired if f.code == "K2E-W411"]
    assert [f.path for f in w411] == ["/spec/ports/5", "/spec/ports/6"]
    assert codes(wired).count("K2E-W605") == MAX_TARGET_GROUPS  # no ARN asked for unattached ports


# -- what only the load balancer plan holds is named where it was written (issue 3 round trip) ---------
LB = "service.beta.kubernetes.io/aws-load-balancer-"


def test_each_load_balancer_annotation_is_named_with_what_it_does() -> None:
    text = LOAD_BALANCER.replace("    example.com/owner: team-a\n", (
        f"    {LB}internal: \"true\"\n"
        f"    {LB}ssl-cert: arn:aws:acm:eu-west-1:123456789012:certificate/abc\n"
        f"    {LB}type: nlb\n"
        "    alb.ingress.kubernetes.io/healthcheck-path: /alb\n"))
    exposure, findings = parse(text)
    assert findings == []
    _, wired = wire([exposure], workload(container("web", port(8080, "http"))))
    named = {f.path: f for f in wired if f.code == "K2E-I415"}
    lines = text.splitlines()
    expected = {}
    for number, line in enumerate(lines, start=1):
        key = line.strip().split(": ", 1)[0]
        if key.startswith((LB, "alb.ingress.kubernetes.io/")):
            expected["/metadata/annotations/" + key.replace("/", "~1")] = number
    assert {path: f.line for path, f in named.items()} == expected  # every annotation, at its own line
    effect = {path.rsplit("~1", 1)[1]: f.message for path, f in named.items()}
    assert "(/healthz) sets HealthCheckPath of target group web-80 in the plan" in effect["aws-load-balancer-healthcheck-path"]
    assert "(10) sets HealthCheckIntervalSeconds of target group web-80" in effect["aws-load-balancer-healthcheck-interval"]
    assert "(internet-facing) sets the scheme of the load balancer" in effect["aws-load-balancer-scheme"]
    assert "has no effect: aws-load-balancer-scheme sets the scheme" in effect["aws-load-balancer-internal"]
    assert "(instance) became target type ip in the plan" in effect["aws-load-balancer-nlb-target-type"]
    assert "picks the Kubernetes controller; the plan (K2E-W402) has a network load balancer" in effect["aws-load-balancer-type"]
    assert "lists it in details.annotations" in effect["aws-load-balancer-ssl-cert"]
    assert "configures application load balancers; the plan (K2E-W402) has a network load balancer, so it has no " \
           "effect" in effect["healthcheck-path"]


def probe_at(index: int, **fields) -> Probe:
    where = Origin(resource="Deployment/web", file="web.yaml", line=20 + index,
                   path=f"/spec/template/spec/containers/{index}/readinessProbe")
    return Probe(origin=where, **fields)


def test_readiness_probes_behind_a_load_balancer_are_named_at_each_probe() -> None:
    exposure, _ = parse(LOAD_BALANCER.replace(f"    {LB}healthcheck-path: /healthz\n", "")
                        .replace(f"    {LB}healthcheck-protocol: http\n", ""))
    checked = probe_at(0, handler="http", port=8080, path="/ready", period_seconds=20, timeout_seconds=3,
                       initial_delay_seconds=15, headers=(("X-Probe", "1"),))
    unchecked = probe_at(1, handler="tcp", port=9000)
    target = workload(container("web", port(8080, "http"), readiness=checked),
                      container("proxy", port(9000), role="sidecar", readiness=unchecked))
    _, wired = wire([exposure], target)
    by_path = {f.path: f for f in wired if f.resource == "Deployment/web"}
    assert sorted((f.code, path) for path, f in by_path.items()) == [
        ("K2E-I414", "/spec/template/spec/containers/0/readinessProbe"),
        ("K2E-W115", "/spec/template/spec/containers/1/readinessProbe"),
    ]
    became = by_path["/spec/template/spec/containers/0/readinessProbe"]
    assert became.line == 20 and became.file == "web.yaml"
    assert ("readinessProbe of 'web' became the health check of target group web-80 (K2E-W402 on Service web): "
            "HTTP /ready on traffic-port every 10 s, timeout 9 s, healthy after 2 and unhealthy after 3 checks; "
            "HealthCheckIntervalSeconds, HealthCheckTimeoutSeconds from the Service's annotations; not carried: host "
            "and httpHeaders; initialDelaySeconds 15") in became.message
    assert "target groups check only container 'web'" in by_path["/spec/template/spec/containers/1/readinessProbe"].message


def test_readiness_probe_a_load_balancer_cannot_run_is_not_carried() -> None:
    exposure, _ = parse(LOAD_BALANCER)
    target = workload(container("web", port(8080, "http"),
                                readiness=probe_at(0, handler="exec", command=("cat", "/tmp/ready"))))
    _, wired = wire([exposure], target)
    [finding] = [f for f in wired if f.resource == "Deployment/web"]
    assert finding.code == "K2E-W115" and finding.path == "/spec/template/spec/containers/0/readinessProbe"
    assert "readinessProbe exec of 'web' cannot run from a load balancer: target group web-80" in finding.message
    # Service Connect has no health check of its own: the task definition reports readiness then (W115 there)
    cluster_ip, _ = parse(PODINFO)
    _, connected = wire([cluster_ip], workload(container("podinfod", port(9898, "http"), port(9999, "grpc"),
                                                         readiness=probe_at(0, handler="tcp", port=9898)),
                                               labels=(("app", "podinfo"),)))
    assert [f for f in connected if f.resource == "Deployment/web"] == []


@pytest.mark.parametrize(("ports", "container_port", "lost"), [
    # single-port Service Connect: the name survives only as the container port mapping's name
    ("[{name: grpc, port: 5000, targetPort: 8080}]", port(8080), "Service Connect names the container port "
     "mapping 'app-8080', and a single-port Service's discovery name is 'api' alone"),
    ("[{name: grpc, port: 5000, targetPort: 8080}]", port(8080, "grpc"), None),
    ("[{name: grpc, port: 5000, targetPort: grpc}]", port(8080, "grpc"), None),
    ("[{port: 5000, targetPort: 8080}]", port(8080), None),
    # a load balancer attachment names the container port only
    ("[{name: web, port: 80, targetPort: 8080}]\n  type: LoadBalancer", port(8080), "the load balancer "
     "attachment names only the container port mapping 'app-8080'"),
    ("[{name: web, port: 80, targetPort: 8080}]\n  type: LoadBalancer", port(8080, "web"), None),
])
def test_a_service_port_name_ecs_does_not_keep_is_named(ports: str, container_port: Port, lost: str | None) -> None:
    exposure, _ = parse(f"apiVersion: v1\nkind: Service\nmetadata: {{name: api}}\nspec:\n  selector: {{app: web}}\n"
                        f"  ports: {ports}\n")
    _, wired = wire([exposure], workload(container("app", container_port)))
    named = [f for f in wired if f.code == "K2E-I416"]
    if lost is None:
        assert named == []
    else:
        assert [f.path for f in named] == ["/spec/ports/0/name"] and lost in named[0].message


def test_a_multi_port_name_is_in_the_discovery_name_unless_that_name_had_to_change() -> None:
    first, _ = parse("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  selector: {app: web}\n"
                     "  ports: [{name: b-c, port: 1, targetPort: 8080}, {name: d, port: 2, targetPort: 8080}]\n")
    second, _ = parse("apiVersion: v1\nkind: Service\nmetadata: {name: a-b}\nspec:\n  selector: {app: web}\n"
                      "  ports: [{name: c, port: 3, targetPort: 8080}, {name: e, port: 4, targetPort: 8080}]\n")
    wiring, wired = wire([first, second], workload(container("app", port(8080))))
    assert wiring.service_connect is not None
    assert [s["discoveryName"] for s in wiring.service_connect["services"]] == ["a-b-c", "a-d", "a-b-c-2", "a-b-e"]
    [named] = [f for f in wired if f.code == "K2E-I416"]
    assert (named.resource, named.path) == ("Service/a-b", "/spec/ports/0/name")
    assert "its discovery name became 'a-b-c-2'" in named.message


# -- types that produce no wiring ------------------------------------------------------------------
def test_headless() -> None:
    exposure, findings = parse("""\
apiVersion: v1
kind: Service
metadata: {name: cassandra}
spec:
  clusterIP: None
  selector: {app: web}
  ports: [{port: 9042}]
""")
    assert exposure is not None and exposure.type == "Headless"
    assert codes(findings) == ["K2E-W405"] and findings[0].path == "/spec/clusterIP"
    # The Service's name is served through Service Connect, so callers of the name keep working (issue 19).
    wiring, wired = wire([exposure], workload(container("c", port(9042))), Settings(service_connect_namespace="apps"))
    assert wiring.service_connect == {"enabled": True, "namespace": "apps", "services": [
        {"portName": "c-9042", "discoveryName": "cassandra", "clientAliases": [{"port": 9042, "dnsName": "cassandra"}]}]}
    assert codes(wired) == ["K2E-I401"] and wiring.needs_service_connect_proxy


def test_external_name() -> None:
    exposure, findings = parse("""\
apiVersion: v1
kind: Service
metadata: {name: mail}
spec: {type: ExternalName, externalName: smtp.example.com}
""")
    assert exposure is not None and exposure.type == "ExternalName" and exposure.selector == ()
    assert codes(findings) == ["K2E-W406"]  # and no W410: an ExternalName has no selector by design
    assert "smtp.example.com" in findings[0].message
    assert not selects(exposure, workload(container("c")))
    assert wire([exposure], workload(container("c")))[0].service_connect is None


def test_no_selector() -> None:
    exposure, findings = parse("""\
apiVersion: v1
kind: Service
metadata: {name: legacy-db}
spec: {ports: [{port: 5432}]}
""")
    assert exposure is None
    assert codes(findings) == ["K2E-W410"] and findings[0].path == ""  # the whole Service: it is not converted


# -- targetPort that does not resolve -----------------------------------------------------------------
@pytest.mark.parametrize("target_port", ["metrics", "9090"])
def test_unresolvable_target_port(target_port: str) -> None:
    exposure, _ = parse(PODINFO.replace("targetPort: grpc", f"targetPort: {target_port}"))
    wiring, wired = wire([exposure], PODINFO_WORKLOAD)
    e407 = [f for f in wired if f.code == "K2E-E407"]
    assert len(e407) == 1 and e407[0].path == "/spec/ports/1/targetPort" and e407[0].line == 14
    assert wiring.service_connect is not None  # the other port is still wired
    assert [s["portName"] for s in wiring.service_connect["services"]] == ["http"]

    only_bad, wired = wire([exposure], workload(container("other", port(1234))))
    assert only_bad.service_connect is None and only_bad.needs_service_connect_proxy is False
    assert codes(wired) == ["K2E-E407", "K2E-E407"]


# -- wrong types and values -------------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "line", "where"), [
    ("port: 9898", "port: eighty", 11, "/spec/ports/0/port"),
    ("port: 9898", "port: 70000", 11, "/spec/ports/0/port"),
    ("targetPort: http", "targetPort: [http]", 13, "/spec/ports/0/targetPort"),
    ("targetPort: http", 'targetPort: "8080"', 13, "/spec/ports/0/targetPort"),
    ("protocol: TCP\n      targetPort: http", "protocol: HTTP\n      targetPort: http", 12, "/spec/ports/0/protocol"),
    ("type: ClusterIP", "type: Ingress", 6, "/spec/type"),
    ("name: podinfo", "name: [podinfo]", 4, "/metadata/name"),
    ("app: podinfo", "app: [podinfo]", 8, "/spec/selector/app"),
    ("    - name: http\n      port: 9898\n", "    - name: http\n", 10, "/spec/ports/0/port"),
])
def test_wrong_types_fail_with_line(old: str, new: str, line: int, where: str) -> None:
    text = PODINFO.replace(old, new, 1)
    assert text != PODINFO
    with pytest.raises(InputError) as caught:
        parse(text)
    assert caught.value.line == line and caught.value.file == "svc.yaml"
    assert where in caught.value.message


def test_missing_name_and_bad_annotation_values_fail() -> None:
    with pytest.raises(InputError, match="metadata.name"):
        parse("apiVersion: v1\nkind: Service\nmetadata: {}\nspec: {selector: {a: b}}\n")
    with pytest.raises(InputError, match="whole number") as caught:
        parse(LOAD_BALANCER.replace('healthcheck-interval: "10"', "healthcheck-interval: ten"))
    assert caught.value.line == 10
    with pytest.raises(InputError, match="internet-facing"):
        parse(LOAD_BALANCER.replace("scheme: internet-facing", "scheme: public"))


# -- bookkeeping, traffic settings and the catch-all ---------------------------------------------------
EXPORTED = """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
  uid: 0b4c
  resourceVersion: "123"
  creationTimestamp: "2024-01-01T00:00:00Z"
  labels: {app: web}
  annotations:
    kubectl.kubernetes.io/last-applied-configuration: "{}"
    service.beta.kubernetes.io/aws-load-balancer-scheme: internal
spec:
  type: ClusterIP
  clusterIP: 10.100.0.12
  clusterIPs: [10.100.0.12]
  ipFamilies: [IPv4]
  ipFamilyPolicy: SingleStack
  internalTrafficPolicy: Cluster
  sessionAffinity: ClientIP
  sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}
  publishNotReadyAddresses: true
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 8080, protocol: TCP}
status:
  loadBalancer: {}
"""


def test_exported_service_every_field_accounted_for() -> None:
    exposure, findings = parse(EXPORTED)
    assert exposure is not None
    by_path = {f.path: f.code for f in findings}
    assert by_path == {
        "/metadata/uid": "K2E-I009",
        "/metadata/resourceVersion": "K2E-I009",
        "/metadata/creationTimestamp": "K2E-I009",
        "/metadata/labels": "K2E-I009",
        "/metadata/annotations/kubectl.kubernetes.io~1last-applied-configuration": "K2E-I008",
        # a load-balancer annotation on a Service that gets no load balancer is not used either
        "/metadata/annotations/service.beta.kubernetes.io~1aws-load-balancer-scheme": "K2E-I008",
        "/spec/clusterIP": "K2E-I009",
        "/spec/clusterIPs": "K2E-I009",
        "/spec/sessionAffinity": "K2E-W408",
        "/spec/publishNotReadyAddresses": "K2E-W408",
        "/status": "K2E-I004",
    }  # defaults (ipFamilies, ipFamilyPolicy, internalTrafficPolicy) are consumed without a finding
    assert "600" in next(f for f in findings if f.code == "K2E-W408" and f.path.endswith("Affinity")).message


def test_unknown_field_reaches_the_catch_all() -> None:
    _, findings = parse(PODINFO.replace("  type: ClusterIP\n", "  type: ClusterIP\n  futureField: 1\n"))
    assert [(f.code, f.path) for f in findings] == [("K2E-W901", "/spec/futureField")]


@pytest.mark.parametrize("relative", ["podinfo/service.yaml", "voting-app/vote-service.yaml",
                                      "eks-workshop/ui-service.yaml", "gcp-microservices-demo/kubernetes-manifests.yaml"])
def test_corpus_services_leave_nothing_unmapped(relative: str) -> None:
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"{path} not available")
    documents = [d for d in parse_text(path.read_text(), str(path)) if d.data.get("kind") == "Service"]
    assert documents
    for document in documents:
        reader = Reader(document, f"Service/{document.data['metadata']['name']}")
        assert parse_service(reader, ParseContext(settings=Settings())) is not None
        assert "K2E-W901" not in codes(reader.finish())


# -- names and selection --------------------------------------------------------------------------
def test_port_mapping_name() -> None:
    assert port_mapping_name("web", 8080, "http") == "http"
    assert port_mapping_name("web", 8080, None) == "web-8080"
    assert port_mapping_name("My.App", 80, None) == "my-app-80"
    long_a, long_b = "a" * 62 + "x", "a" * 62 + "y"
    names = {port_mapping_name(long_a, 65535, None), port_mapping_name(long_b, 65535, None)}
    assert len(names) == 2
    assert all(len(n) <= 64 and PORT_NAME.match(n) and n.endswith("-65535") for n in names)
    assert PORT_NAME.match(port_mapping_name("web", 80, "-Bad_Name"))


def test_selects() -> None:
    target = workload(container("c"), labels=(("app", "web"), ("tier", "front")))
    make = lambda selector: Exposure(name="s", namespace=None, type="ClusterIP", selector=selector, ports=(),  # noqa: E731
                                     origin=origin("Service/s"))
    assert selects(make((("app", "web"),)), target)
    assert selects(make((("app", "web"), ("tier", "front"))), target)
    assert not selects(make((("app", "web"), ("tier", "back"))), target)
    assert not selects(make((("app", "api"),)), target)
    assert not selects(make(()), target)  # an empty selector selects nothing here (manual Endpoints)


def test_discovery_names_are_valid_and_unique_across_services() -> None:
    first, _ = parse(PODINFO)
    second, _ = parse(PODINFO.replace("name: podinfo", "name: podinfo-http", 1).replace("name: grpc", "name: x"))
    wiring, _ = wire([first, second], PODINFO_WORKLOAD)
    assert wiring.service_connect is not None
    names = [s["discoveryName"] for s in wiring.service_connect["services"]]
    assert len(names) == len(set(names)) == 4
    assert all(len(n) <= 64 and re.match(r"^[a-z0-9_][a-z0-9_-]*$", n) for n in names)
    assert all(len(s["clientAliases"]) == 1 for s in wiring.service_connect["services"])


def test_wiring_passes_the_v26_v28_checks() -> None:
    """The payload pieces meet the validator's rules when the task definition uses the same port names."""
    from converter.validate.ecs_rules_service import check_service

    cluster_ip, _ = parse(PODINFO.replace("name: podinfo", "name: podinfo\n  namespace: apps", 1))
    balanced, _ = parse(LOAD_BALANCER.replace("targetPort: http", "targetPort: grpc").replace("app: web", "app: podinfo"))
    wiring, _ = wire([cluster_ip, balanced], PODINFO_WORKLOAD)
    container = PODINFO_WORKLOAD.containers[0]
    taskdef = {"memory": "512", "containerDefinitions": [{"name": container.name, "portMappings": [
        {"containerPort": p.container_port, "name": port_mapping_name(container.name, p.container_port, p.name)}
        for p in container.ports]}]}
    service = {"serviceName": "podinfo", "loadBalancers": list(wiring.load_balancers),
               "serviceConnectConfiguration": wiring.service_connect}
    problems = [p for p in check_service(service, taskdef) if "(V26)" in p or "(V28)" in p]
    assert problems == []
    # 2 ports x 4 name forms of the ClusterIP Service; the LoadBalancer one gets no names without a namespace
    assert wiring.service_connect is not None and len(wiring.service_connect["services"]) == 8
    assert wiring.load_balancers[0]["containerPort"] == 9999


def test_a_load_balancer_service_is_a_plain_exposure_whose_elb_fields_are_declared():
    # Issue 21: the ELB fields were on a subclass the wiring read with getattr, out of the type checker's sight.
    exposure, _ = parse("""
apiVersion: v1
kind: Service
metadata:
  name: web
  annotations:
    service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing
    service.beta.kubernetes.io/aws-load-balancer-healthcheck-path: /healthz
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
""")
    assert type(exposure) is Exposure
    assert exposure.target_group_settings == (("HealthCheckPath", "/healthz"),)
    assert exposure.scheme_reason is not None and exposure.type_origin is not None
    assert [use.key for use in exposure.annotation_uses] == [key for key, _ in exposure.load_balancer_annotations]
    declared = set(Exposure._record_fields)
    assert {"target_group_settings", "scheme_reason", "load_balancer_annotations", "annotation_uses", "type_origin"} <= declared
    sources = [p.read_text(encoding="utf-8") for p in (Path(__file__).parent.parent / "converter").rglob("*.py")]
    assert not [s for s in sources if re.search(r"getattr\(exposure\b", s)]
