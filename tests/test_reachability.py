"""A migrated application still works: every service reaches the services it calls (issue 19).

The multi-service app below is converted through the CLI; whether each call resolves is then decided from the
written payloads alone (bench/reachability.py: the caller's ECS service is in the namespace and some ECS service
serves that host and port as a Service Connect client alias).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from converter.pipeline.convert import convert
from converter.validate.ecs import validate_payloads
from converter.read.kubernetes.expansion import expand
from converter.load.loader import parse_text
from converter.core.settings import Settings
from tests.helpers import CORPUS, ROOT, require_corpus, run_k2ecs

sys.path.insert(0, str(ROOT / "bench"))
from reachability import check, measure  # noqa: E402

APP = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: front-config, namespace: shop}
data:
  CART_ADDR: cart.shop.svc.cluster.local:7070
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: frontend}}
  template:
    metadata: {labels: {app: frontend}}
    spec:
      containers:
        - name: web
          image: example/web:1
          ports: [{containerPort: 3000}]
          envFrom: [{configMapRef: {name: front-config}}]
          env:
            - {name: NS, valueFrom: {fieldRef: {fieldPath: metadata.namespace}}}
            - {name: API_NAME, value: api}
            - {name: API_URL, value: "http://$(API_NAME).$(NS):8080/v1"}
            - {name: DB_HOST, value: db}
            - {name: PUBLIC_API, value: "http://public-api:443"}
---
apiVersion: v1
kind: Service
metadata: {name: frontend, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: frontend}
  ports: [{port: 80, targetPort: 3000}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: example/api:1
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app: api}
  ports: [{port: 8080, targetPort: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: worker, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: worker}}
  template:
    metadata: {labels: {app: worker}}
    spec:
      containers:
        - name: worker
          image: example/worker:1
          args: ["--api=http://api.shop.svc.cluster.local:8080", "--front=frontend.shop.svc:80"]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: public-api, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: public-api}}
  template:
    metadata: {labels: {app: public-api}}
    spec:
      containers:
        - {name: api, image: example/public:1, ports: [{containerPort: 8443}]}
---
apiVersion: v1
kind: Service
metadata: {name: public-api, namespace: shop}
spec:
  type: LoadBalancer
  selector: {app: public-api}
  ports: [{port: 443, targetPort: 8443}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart-v1, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: cart, version: v1}}
  template:
    metadata: {labels: {app: cart, version: v1}}
    spec:
      containers:
        - {name: cart, image: example/cart:1, ports: [{containerPort: 7070}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: cart-v2, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: cart, version: v2}}
  template:
    metadata: {labels: {app: cart, version: v2}}
    spec:
      containers:
        - {name: cart, image: example/cart:2, ports: [{containerPort: 7070}]}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  selector: {app: cart}
  ports: [{port: 7070}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: db, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
        - {name: postgres, image: postgres:16, ports: [{containerPort: 5432}]}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
"""
EXPECTED_CALLS = {
    ("Deployment/frontend", "CART_ADDR", "cart.shop.svc.cluster.local", 7070),  # a ConfigMap value read into env
    ("Deployment/frontend", "API_URL", "api.shop", 8080),  # $(VAR) expanded, incl. a fieldRef value
    ("Deployment/frontend", "DB_HOST", "db", None),  # a headless database
    ("Deployment/frontend", "PUBLIC_API", "public-api", 443),  # a LoadBalancer Service called from inside
    ("Deployment/worker", "args[0]", "api.shop.svc.cluster.local", 8080),  # fully qualified, from a pure client
    ("Deployment/worker", "args[1]", "frontend.shop.svc", 80),
}


def _convert_app(tmp_path: Path, *flags: str) -> tuple[list[tuple[str, dict, dict]], dict]:
    source = tmp_path / "app.yaml"
    source.write_text(APP)
    out = tmp_path / "out"
    result = run_k2ecs("convert", str(source), "-o", str(out), "--fail-on", "never", *flags)
    assert result.returncode == 0, result.stderr
    outputs = []
    for taskdef_file in sorted(out.glob("*.taskdef.json")):
        name = taskdef_file.name[: -len(".taskdef.json")]
        taskdef = json.loads(taskdef_file.read_text())
        service = json.loads((out / f"{name}.service.json").read_text())
        assert validate_payloads(taskdef=taskdef, service=service, target=None, policies=[],
                                 launch_type="FARGATE") == []
        outputs.append((name, taskdef, service))
    return outputs, json.loads((out / "report.json").read_text())


def test_every_call_of_the_app_resolves_from_the_output_alone(tmp_path: Path) -> None:
    outputs, report = _convert_app(tmp_path, "--service-connect-namespace", "shop.local")
    resources = {entry["resource"]: entry["name"] for entry in report["outputs"]}
    calls = report["calls"]
    assert {(c["caller"], c["variable"], c["host"], c["port"]) for c in calls} == EXPECTED_CALLS
    counts = check(outputs, resources, calls, report["findings"])
    assert counts == {"found": 6, "resolved": 6, "reported": 0, "silently_broken": 0}
    # keyed by Deployment name: a namespaced workload's ECS name is <namespace>-<name> (issue 17)
    by_resource = {name: resource for resource, name in resources.items()}
    services = {by_resource[name].split("/", 1)[1]: service for name, _, service in outputs}
    # pure clients join in client mode; a LoadBalancer Service keeps its load balancer and gains its names
    assert services["worker"]["serviceConnectConfiguration"] == {"enabled": True, "namespace": "shop.local"}
    assert services["public-api"]["loadBalancers"] and services["public-api"]["serviceConnectConfiguration"]["services"]
    # one Service over two Deployments: the first serves the names, the callers still resolve
    assert "services" in services["cart-v1"]["serviceConnectConfiguration"]
    assert "services" not in services["cart-v2"]["serviceConnectConfiguration"]
    codes = {f["code"] for f in report["findings"]}
    assert {"K2E-W403", "K2E-W405", "K2E-W430", "K2E-I170"} <= codes and "K2E-W433" not in codes


def test_without_a_namespace_every_call_is_reported_and_none_is_silently_broken(tmp_path: Path) -> None:
    outputs, report = _convert_app(tmp_path)
    resources = {entry["resource"]: entry["name"] for entry in report["outputs"]}
    counts = check(outputs, resources, report["calls"], report["findings"])
    assert counts == {"found": 6, "resolved": 0, "reported": 6, "silently_broken": 0}


def test_a_call_to_a_port_the_service_does_not_serve_is_reported() -> None:
    text = APP.replace('value: "http://public-api:443"', 'value: "http://public-api:8443"')
    result = convert(parse_text(text, "app.yaml"), Settings(service_connect_namespace="shop.local"))
    broken = [c for c in result.calls if not c.resolved]
    assert [(c.variable, c.host, c.port) for c in broken] == [("PUBLIC_API", "public-api", 8443)]
    warning = next(f for f in result.findings if f.code == "K2E-W433")
    assert "served on port 443" in warning.message and warning.path.endswith("/env/4")


def test_the_proxy_is_its_own_addend_in_the_task_size() -> None:
    pod = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: client}\nspec:\n  selector: {matchLabels: {app: c}}\n"
           "  template:\n    metadata: {labels: {app: c}}\n    spec:\n      containers:\n        - name: c\n"
           "          image: busybox\n          resources: {requests: {cpu: 250m, memory: 448Mi}}\n")
    alone = convert(parse_text(pod, "c.yaml"), Settings()).outputs[0].task_definition
    joined = convert(parse_text(pod, "c.yaml"), Settings(service_connect_namespace="apps")).outputs[0].task_definition
    assert (alone["cpu"], alone["memory"]) == ("256", "512")
    assert (joined["cpu"], joined["memory"]) == ("512", "1024")  # 256+256 units, 448+64 MiB (MAPPING §1.1)


@pytest.mark.parametrize(("text", "expanded", "unknown"), [
    ("$(A)", "a", []),
    ("x$(A)y$(B)z", "xaybz", []),
    ("$$(A)", "$(A)", []),  # escaped
    ("$$$(A)", "$a", []),
    ("$(MISSING)", "$(MISSING)", ["MISSING"]),  # kept literally, as syntaxWrap does
    ("$(A", "$(A", []),  # incomplete reference
    ("$A $", "$A $", []),  # an operator that begins no expression; a trailing $
    ("$()", "$()", [""]),
    ("$(A)$(A)", "aa", []),
])
def test_expansion_is_the_kubelets(text: str, expanded: str, unknown: list[str]) -> None:
    assert expand(text, {"A": "a", "B": "b"}.get) == (expanded, unknown)


def test_env_values_expand_only_from_earlier_entries_and_command_from_all() -> None:
    pod = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  selector: {matchLabels: {app: w}}\n"
           "  template:\n    metadata: {labels: {app: w}}\n    spec:\n      containers:\n        - name: w\n"
           "          image: busybox\n          args: [\"$(LATE)\"]\n          env:\n"
           "            - {name: EARLY, value: \"$(LATE)\"}\n            - {name: LATE, value: late}\n")
    container = convert(parse_text(pod, "w.yaml"), Settings()).outputs[0].task_definition["containerDefinitions"][0]
    assert {e["name"]: e["value"] for e in container["environment"]} == {"EARLY": "$(LATE)", "LATE": "late"}
    assert container["command"] == ["late"]


def test_an_unservable_name_form_is_rewritten_with_old_and_new_value() -> None:
    text = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: gen}\nspec:\n  selector: {matchLabels: {app: g}}\n"
            "  template:\n    metadata: {labels: {app: g}}\n    spec:\n      containers:\n        - name: g\n"
            "          image: busybox\n          command: [sh, -c, \"wget -q -O- http://web.default.svc.cluster.local\"]\n"
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: w}}\n"
            "  template:\n    metadata: {labels: {app: w}}\n    spec:\n      containers:\n        - name: w\n"
            "          image: nginx\n          ports: [{containerPort: 80}]\n"
            "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: w}\n  ports: [{port: 80}]\n")
    result = convert(parse_text(text, "g.yaml"), Settings(service_connect_namespace="apps"))
    command = result.outputs[0].task_definition["containerDefinitions"][0]["entryPoint"]
    assert command[2] == "wget -q -O- http://web"  # the Service has no namespace: only "web" is served
    assert [c.resolved for c in result.calls] == [True]
    rewrite = next(f for f in result.findings if f.code == "K2E-W434")
    assert "http://web.default.svc.cluster.local" in rewrite.message and "'wget -q -O- http://web'" in rewrite.message


def test_istio_and_linkerd_say_what_is_lost() -> None:
    pod = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: m}\nspec:\n  selector: {matchLabels: {app: m}}\n"
           "  template:\n    metadata:\n      labels: {app: m, sidecar.istio.io/inject: \"true\"}\n"
           "      annotations: {linkerd.io/inject: enabled}\n    spec:\n      containers:\n"
           "        - {name: m, image: busybox}\n")
    found = [f for f in convert(parse_text(pod, "m.yaml"), Settings()).findings if f.code == "K2E-W172"]
    assert sorted(f.message.split("injected ")[1].split(" ")[0] for f in found) == ["Istio", "Linkerd"]
    assert all("no mTLS" in f.message for f in found)


def test_the_corpus_has_no_silently_broken_call() -> None:
    require_corpus()
    totals = {"found": 0, "resolved": 0, "reported": 0, "silently_broken": 0}
    for folder in sorted(p for p in (CORPUS / "k8s").iterdir() if p.is_dir()):
        counts = measure(folder)
        for key in totals:
            totals[key] += counts.get(key, 0)
    assert totals["silently_broken"] == 0, totals
    assert totals["found"] >= 50 and totals["resolved"] + totals["reported"] == totals["found"], totals


@pytest.mark.parametrize("value", ["x" * 1_000_000, "a:" * 500_000, "user@" + "x" * 200_000 + ":1"])
def test_a_large_env_value_is_searched_for_addresses_in_linear_time(value):
    """Regression: the userinfo part of the address pattern scanned from every start position to the end of a
    value without "@", so a 50 KB env value took minutes and 1 MB hours (quadratic, in C: a call count cannot
    see it). A child process under a hang guard fails the test where the old pattern would hang it."""
    import subprocess

    code = "import sys\nfrom converter.pipeline.addresses import addresses\nprint(len(list(addresses(sys.stdin.read(), True))))\n"
    result = subprocess.run([sys.executable, "-c", code], input=value, capture_output=True, text=True,
                            cwd=ROOT, timeout=120)  # a hang guard, not a speed limit (timings live in bench/)
    assert result.returncode == 0, result.stderr[-500:]


def test_compare_shows_the_calls_that_will_not_resolve_first(tmp_path: Path) -> None:
    """Issue 22 reads issue 19's call graph end to end: without a Service Connect namespace every call of the app
    is broken, and compare's HTML page lists each of them under "Decide first", above the diagram."""
    source = tmp_path / "app.yaml"
    source.write_text(APP)
    page = tmp_path / "review.html"
    result = run_k2ecs("compare", str(source), "--html", str(page))
    assert result.returncode in (0, 1), result.stderr[-500:]
    html = page.read_text(encoding="utf-8")
    decide = html[html.index("Decide first"):html.index("<svg")]
    assert f'Calls that do not reach their target on ECS <span class="n">{len(EXPECTED_CALLS)}</span>' in decide
    assert "shop-frontend → shop-api (API_URL:8080): does not resolve on ECS" in decide


def test_the_call_graph_keeps_no_workload_model_to_the_end_of_the_run(monkeypatch) -> None:
    """A large run resolves its calls at the end: the graph keeps what resolving reads (the caller's name, its
    namespace, the sites), not the callers' models, which would stay in memory with every container (issue 24)."""
    import gc

    import converter.pipeline.convert as pipeline
    from converter.core.model import Workload

    graphs: list = []
    real = pipeline.CallGraph
    monkeypatch.setattr(pipeline, "CallGraph", lambda exposures: graphs.append(real(exposures)) or graphs[-1])
    result = convert(parse_text(APP, "app.yaml"), Settings(service_connect_namespace="shop.local"))
    assert result.calls and graphs and graphs[0].callers  # the graph, still alive here, had callers
    seen, stack, held = {id(graphs[0])}, [graphs[0]], []
    while stack:  # everything the graph keeps alive
        for thing in gc.get_referents(stack.pop()):
            if id(thing) not in seen and not isinstance(thing, type):
                seen.add(id(thing))
                stack.append(thing)
                if isinstance(thing, Workload):
                    held.append(thing)
    assert held == []
