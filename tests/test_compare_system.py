"""compare's system diagram and 'Decide first' summary: the graph from a real conversion, the call edges from
the call graph (report.json's ``calls``), a deterministic layout without overlap, and the page in a real browser.

The input is our own small application: a load-balanced frontend (with an HPA and a Secret), one Service in
front of three versions of reviews (which ECS cannot attach), ratings, a StatefulSet data store, a StatefulSet
with volumeClaimTemplates (not converted) and an ExternalName Service.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from converter.compare import compare
from converter.compare import html as html_view
from converter.compare.diagram import BOX_HEIGHT, BOX_WIDTH, FILLS, MAX_ROWS, layout, render_svg
from converter.compare.review import review, secret_name
from converter.compare.system import (ENTRY, EXTERNAL, SERVICE, STORE, UNATTACHED, UNCONVERTED, Edge, Node,
                                      SystemGraph, build_graph)
from converter.load.loader import load_paths
from converter.core.settings import Settings
from tests.png import read_png, regions

CHROMIUM = "/usr/bin/chromium"
SHOTS = os.environ.get("K2ECS_KEEP_SCREENSHOT")

APP = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend}
spec:
  replicas: 2
  selector: {matchLabels: {app: frontend}}
  template:
    metadata: {labels: {app: frontend}}
    spec:
      containers:
      - name: web
        image: example/frontend:1.0
        ports: [{containerPort: 8080}]
        env:
        - {name: REVIEWS_URL, value: "http://reviews:9080"}
        - name: API_TOKEN
          valueFrom: {secretKeyRef: {name: frontend-token, key: token}}
        resources: {requests: {cpu: 500m, memory: 1Gi}, limits: {cpu: 500m, memory: 1Gi}}
---
apiVersion: v1
kind: Service
metadata:
  name: frontend
  annotations: {service.beta.kubernetes.io/aws-load-balancer-scheme: internet-facing}
spec:
  type: LoadBalancer
  selector: {app: frontend}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: frontend}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: frontend}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}
""" + "".join(f"""\
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: reviews-{version}}}
spec:
  selector: {{matchLabels: {{app: reviews, version: {version}}}}}
  template:
    metadata: {{labels: {{app: reviews, version: {version}}}}}
    spec:
      containers: [{{name: reviews, image: "example/reviews:{version}", ports: [{{containerPort: 9080}}]}}]
""" for version in ("v1", "v2", "v3")) + """\
---
apiVersion: v1
kind: Service
metadata: {name: reviews}
spec:
  selector: {app: reviews}
  ports: [{port: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ratings}
spec:
  selector: {matchLabels: {app: ratings}}
  template:
    metadata: {labels: {app: ratings}}
    spec:
      containers: [{name: ratings, image: example/ratings:1, ports: [{containerPort: 9080}]}]
---
apiVersion: v1
kind: Service
metadata: {name: ratings}
spec:
  selector: {app: ratings}
  ports: [{port: 9080}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers: [{name: postgres, image: "postgres:16", ports: [{containerPort: 5432}]}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: search}
spec:
  serviceName: search
  selector: {matchLabels: {app: search}}
  template:
    metadata: {labels: {app: search}}
    spec:
      containers:
      - {name: search, image: "example/search:1", volumeMounts: [{name: data, mountPath: /data}]}
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: payments}
spec:
  type: ExternalName
  externalName: payments.example.com
"""

# The call graph's schema (report.json's ``calls``): what the reachability analysis reports per call.
CALLS = (
    {"caller": "frontend", "variable": "REVIEWS_URL", "host": "reviews", "port": 9080, "target": "Service/reviews",
     "resolved": False, "reason": "Service reviews is not attached on ECS"},
    {"caller": "reviews-v1", "variable": "RATINGS_HOST", "host": "ratings", "port": 9080, "target": "ratings",
     "resolved": True},
    {"caller": "frontend", "variable": "SHIPPING_URL", "host": "shipping.internal", "port": 443, "target": None,
     "resolved": False},
)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("app")
    (folder / "app.yaml").write_text(APP)
    return compare(load_paths([str(folder)]), Settings(), (str(folder),))


def _by_title(graph: SystemGraph) -> dict[tuple[str, str], Node]:
    return {(node.kind, node.title): node for node in graph.nodes}


def test_the_graph_has_every_kind_of_node_read_from_the_conversion(comparison):
    graph = build_graph(comparison)
    nodes = _by_title(graph)
    entry = nodes[(ENTRY, next(title for kind, title in nodes if kind == ENTRY))]
    assert entry.lines[0].startswith("internet-facing ") and "listeners 80" in entry.lines
    frontend = nodes[(SERVICE, "frontend")]
    assert frontend.lines == ("Deployment/frontend", "0.5 vCPU, 1 GB", "desired 2, min 2, max 10")
    assert {(SERVICE, f"reviews-{v}") for v in ("v1", "v2", "v3")} <= set(nodes)
    assert nodes[(STORE, "db")].lines[0] == "StatefulSet/db"
    assert nodes[(UNCONVERTED, "search")].problem.startswith("K2E-")
    assert nodes[(EXTERNAL, "payments")].lines[1] == "→ payments.example.com"
    reviews = nodes[(UNATTACHED, "reviews")]
    assert "K2E" not in reviews.problem and "served by Deployment/reviews-v1 alone" in reviews.problem
    assert reviews.lines[1] == "served by one workload only"  # K2E-W403: attached to the first only (issue 19)
    # The unattached Service points at the three workloads it selects, in red.
    selected = {graph.node(edge.target).title for edge in graph.edges if edge.source == reviews.id}
    assert selected == {"reviews-v1", "reviews-v2", "reviews-v3"}
    assert all(not edge.resolved for edge in graph.edges if edge.source == reviews.id)
    assert [edge for edge in graph.edges if edge.source == entry.id] == [
        Edge(source=entry.id, target=frontend.id, label="80", resolved=True)]
    assert not any(edge.call for edge in graph.edges)  # no call graph: nodes without call edges
    # Every box links to the section of the page that holds its documents.
    assert all(node.section is not None and re.fullmatch(r"section-\d+", node.section) for node in graph.nodes)


def test_calls_become_edges_solid_when_they_resolve_red_and_labelled_when_not(comparison):
    graph = build_graph(comparison, CALLS)
    calls = [edge for edge in graph.edges if edge.call]
    titles = [(graph.node(e.source).title, graph.node(e.target).title, e.resolved, e.label) for e in calls]
    assert titles == [("frontend", "reviews", False, "REVIEWS_URL:9080"),
                      ("reviews-v1", "ratings", True, "RATINGS_HOST:9080"),
                      ("frontend", "shipping.internal", False, "SHIPPING_URL:443")]
    assert calls[0].reason == "Service reviews is not attached on ECS"
    assert graph.node(calls[2].target).kind == EXTERNAL  # a host the input does not hold
    svg = render_svg(graph)
    broken = re.findall(r'<path class="edge broken"[^>]*stroke="([^"]+)"', svg)
    solid = re.findall(r'<path class="edge resolved"[^>]*stroke="([^"]+)"[^>]*>', svg)
    assert broken and set(broken) == {"#c0392b"} and "#c0392b" not in solid
    assert "✗ REVIEWS_URL:9080" in svg and "✗ SHIPPING_URL:443" in svg
    assert "<title>RATINGS_HOST:9080</title>" in svg and ">RATINGS_HOST" not in svg.replace("<title>RATINGS", "")


def test_a_caller_the_input_does_not_hold_is_left_out(comparison):
    graph = build_graph(comparison, [{"caller": "nobody", "host": "ratings", "port": 1, "target": "ratings",
                                      "resolved": True}])
    assert not any(edge.call for edge in graph.edges)


def test_what_to_decide_and_what_to_create(comparison):
    graph = build_graph(comparison, CALLS)
    found = review(comparison, graph)
    assert [item.text.split(":")[0] for item in found.broken_calls] == [
        "frontend → reviews (REVIEWS_URL", "frontend → shipping.internal (SHIPPING_URL"]
    assert len(found.unattached) == 1 and "reviews" in found.unattached[0].text
    assert len(found.not_converted) == 1 and found.not_converted[0].text.startswith("StatefulSet/search")
    placeholders = [item.text.split(" in ")[0] for item in found.placeholders]
    assert "<k2ecs:execution-role-arn>" in placeholders and "<k2ecs:region>" in placeholders
    resources = dict(found.resources)
    assert set(resources) == {"Load balancers", "Target groups", "Cloud Map namespace", "Secrets", "IAM roles",
                              "Log groups"}
    assert resources["Load balancers"][0].text.endswith("(internet-facing network LB, listeners 80)")
    assert len(resources["Log groups"]) == len([n for n in graph.nodes if n.kind in (SERVICE, STORE)])
    frontend = next(view for view in comparison.workloads if view.workload.name == "frontend")
    secrets = [s["valueFrom"] for c in frontend.workload.targets["taskDefinition"]["containerDefinitions"]
               for s in c.get("secrets", [])]
    assert [item.text for item in resources["Secrets"]] == [secret_name(v) for v in secrets]


def test_secret_name_drops_the_json_key_of_a_secrets_manager_arn():
    arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf"
    assert secret_name(arn + ":password::") == arn
    assert secret_name(arn) == arn
    assert secret_name("arn:aws:ssm:us-east-1:123456789012:parameter/a:b:c:d") == \
        "arn:aws:ssm:us-east-1:123456789012:parameter/a:b:c:d"


def _synthetic(services: int, calls: int) -> SystemGraph:
    """``services`` services in a call chain-and-fan pattern, two entry points, three stores, one external."""
    nodes = [Node(id=f"s{i}", kind=SERVICE, title=f"service-{i:02d}", lines=("Deployment/x",)) for i in range(services)]
    nodes += [Node(id=f"e{i}", kind=ENTRY, title=f"lb-{i}", lines=()) for i in range(2)]
    nodes += [Node(id=f"d{i}", kind=STORE, title=f"db-{i}", lines=()) for i in range(3)]
    nodes.append(Node(id="x", kind=EXTERNAL, title="api.example.com", lines=()))
    edges = [Edge(source="e0", target="s0", label="80", resolved=True),
             Edge(source="e1", target="s1", label="443", resolved=True)]
    for i in range(calls):  # deterministic spread: each call from i to (i * 7 + 3) mod n, a few back edges
        source, target = i % services, (i * 7 + 3) % services
        if source != target:
            edges.append(Edge(source=f"s{source}", target=f"s{target}", label=f"URL:{8000 + i}", resolved=i % 5 != 0,
                              reason=None if i % 5 else "no Service Connect name", call=True))
    edges += [Edge(source=f"s{i}", target=f"d{i % 3}", label="5432", resolved=True, call=True) for i in range(0, services, 4)]
    return SystemGraph(nodes=tuple(nodes), edges=tuple(edges))


def _overlaps(boxes) -> list[tuple[str, str]]:
    placed = list(boxes.values())
    found = []
    for index, a in enumerate(placed):
        for b in placed[index + 1:]:
            if a.x < b.x + BOX_WIDTH and b.x < a.x + BOX_WIDTH and a.y < b.y + BOX_HEIGHT and b.y < a.y + BOX_HEIGHT:
                found.append((a.node.id, b.node.id))
    return found


@pytest.mark.parametrize("services,calls", [(1, 0), (5, 8), (30, 45), (30, 0)])
def test_the_layout_places_every_node_without_overlap_within_bounded_rows(services, calls):
    graph = _synthetic(services, calls)
    placed = layout(graph)
    assert set(placed.boxes) == {node.id for node in graph.nodes}
    assert _overlaps(placed.boxes) == []
    rows = {box.y for box in placed.boxes.values()}
    assert len(rows) <= MAX_ROWS
    assert all(box.x + BOX_WIDTH <= placed.width and box.y + BOX_HEIGHT <= placed.height for box in placed.boxes.values())
    # Entry points left of every service, stores and externals right of every service.
    services_x = [placed.boxes[n.id].x for n in graph.nodes if n.kind == SERVICE]
    assert max(placed.boxes[f"e{i}"].x for i in range(2)) < min(services_x)
    assert min(placed.boxes[f"d{i}"].x for i in range(3)) > max(services_x)
    assert placed.boxes["x"].x > max(placed.boxes[f"d{i}"].x for i in range(3))


def test_the_same_input_gives_the_same_picture(comparison):
    assert render_svg(_synthetic(30, 45)) == render_svg(_synthetic(30, 45))
    first = html_view.render(replace(comparison, calls=CALLS))
    assert first == html_view.render(replace(comparison, calls=CALLS))


def test_the_diagram_escapes_names_and_fetches_nothing():
    hostile = Node(id='"><script>', kind=SERVICE, title="<script>alert(1)</script>", lines=("a&b",), section="s")
    svg = render_svg(SystemGraph(nodes=(hostile,), edges=()))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "a&amp;b" in svg
    assert not re.search(r'(href|src)="(?!#)', svg)  # only links to the page's own sections


def test_the_page_leads_with_decisions_then_the_diagram(comparison):
    page = html_view.render(replace(comparison, calls=CALLS))
    decide, system, summary, workloads = (page.index(f'id="{name}"') for name in ("decide", "system", "summary", "workloads"))
    assert decide < system < summary < workloads
    assert page.count("<svg") == 1 and "<script src" not in page
    first = page[decide:system]
    assert "frontend → reviews (REVIEWS_URL:9080): Service reviews is not attached on ECS" in first
    assert "Service reviews selects Deployment/reviews-v1" in first
    assert "StatefulSet/search" in first
    for kind in ("Load balancers", "Target groups", "Cloud Map namespace", "Secrets", "IAM roles", "Log groups"):
        assert f"<h3>{kind} " in first


# -- in a real browser --------------------------------------------------------------------------------

def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                    reason="no headless browser: install Debian's chromium (apt-get install -y chromium) "
                           "to screenshot the diagram; .ci/run does this on CI")
def test_thirty_services_render_as_separate_boxes_in_headless_chromium(tmp_path: Path):
    """The page of a 30-box application (23 Deployments and ours), screenshot by Chromium at 1280 x 1600:
    each node is a box of its kind's fill colour that touches no other box (overlapping boxes of one kind would
    merge into one region), at 0.85 of its size or more (readable), and all of them on the one screen."""
    folder = tmp_path / "app"
    folder.mkdir()
    documents = []
    for i in range(23):
        documents.append(f"""apiVersion: apps/v1
kind: Deployment
metadata: {{name: service-{i:02d}}}
spec:
  selector: {{matchLabels: {{app: service-{i:02d}}}}}
  template:
    metadata: {{labels: {{app: service-{i:02d}}}}}
    spec:
      containers: [{{name: app, image: "example/app:{i}", ports: [{{containerPort: 8080}}]}}]
""")
    documents.append(APP)
    (folder / "app.yaml").write_text("---\n".join(documents))
    comparison = compare(load_paths([str(folder)]), Settings(), (str(folder),))
    calls = CALLS + tuple({"caller": f"service-{i:02d}", "variable": "NEXT_URL", "host": f"service-{(i + 3) % 23:02d}",
                           "port": 8080, "target": f"service-{(i + 3) % 23:02d}", "resolved": i % 4 != 0}
                          for i in range(23))
    comparison = replace(comparison, calls=calls)
    graph = build_graph(comparison, calls)
    page = tmp_path / "compare.html"
    page.write_text(html_view.render(comparison))
    shot = tmp_path / "diagram.png"
    profile = tmp_path / "profile"
    result = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--hide-scrollbars", f"--user-data-dir={profile}", "--window-size=1280,1600",
                             "--force-device-scale-factor=1", f"--screenshot={shot}", page.as_uri()],
                            capture_output=True, text=True, timeout=180)
    assert shot.exists(), result.stderr
    if SHOTS:
        shutil.copy(shot, f"{SHOTS}.system-30.png")
    image = read_png(shot)
    placed = layout(graph)
    scale = min(1.0, (image.width - 48) / placed.width)  # the SVG shrinks to the page's width, never grows
    assert scale >= 0.9
    for kind in (SERVICE, ENTRY, STORE, UNATTACHED, UNCONVERTED, EXTERNAL):
        expected = [node for node in graph.nodes if node.kind == kind]
        boxes = [r for r in regions(image, _hex(FILLS[kind])) if r[4] > 200]  # not a stray anti-aliased pixel
        assert len(boxes) == len(expected), (kind, len(boxes), len(expected))
        for left, top, right, bottom, _ in boxes:
            # Each region is one box's inside: as wide and as high as one box, not two boxes run together.
            assert abs((right - left + 1) - BOX_WIDTH * scale) <= 4, (kind, left, right)
            assert abs((bottom - top + 1) - BOX_HEIGHT * scale) <= 4, (kind, top, bottom)


def test_compare_reads_the_call_graph_the_conversion_carries(tmp_path: Path, monkeypatch):
    """The call graph is made by the conversion (report.json's ``calls``); compare takes it from there, in
    whatever type holds each call, and draws its edges on the page."""
    import dataclasses

    import converter.pipeline.convert as convert_module

    @dataclasses.dataclass
    class Call:  # a call held as a dataclass rather than a dict
        caller: str
        variable: str
        host: str
        port: int
        target: str | None
        resolved: bool
        reason: str | None = None

    real = convert_module.convert

    def with_calls(documents, settings, **kwargs):
        result = real(documents, settings, **kwargs)
        result.calls = [Call(**{k: v for k, v in CALLS[0].items()}), dict(CALLS[1])]
        return result

    monkeypatch.setattr(convert_module, "convert", with_calls)
    (tmp_path / "app.yaml").write_text(APP)
    comparison = compare(load_paths([str(tmp_path)]), Settings(), (str(tmp_path),))
    assert comparison.calls == (dict(CALLS[0]), dict(CALLS[1]))
    page = html_view.render(comparison)
    assert "2 call(s) between services found by the conversion" in page
    assert page.count('class="edge broken"') == 1 + 3  # the unresolved call, and reviews' three selections


def test_ecs_input_draws_its_services_sized_from_the_input():
    from tests.helpers import SAMPLES

    case = SAMPLES / "ecs-fargate-web-alb" / "input"
    comparison = compare(load_paths([str(case)], cfn_tags=True), Settings(), (str(case),))
    graph = build_graph(comparison)
    services = [node for node in graph.nodes if node.kind in (SERVICE, STORE)]
    assert services and all(node.lines[1] != "not sized" for node in services)
    views = {view.workload.name: view.workload for view in comparison.workloads}
    for node in services:
        task = views[node.title].ecs["taskDefinition"]
        assert node.lines[1].endswith(f"{int(task['memory']) / 1024:g} GB")
    assert dict(review(comparison, graph).resources) == {}  # the input's ECS resources exist already
