"""The report's resource status: `converted` only for what reached the output. A Service, HPA or workload that
parses but gives nothing to any payload is `not-converted` (its findings say why), in convert() and in the
CLI's streaming conversion alike."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from converter.cli import app
from converter.pipeline.convert import convert
from converter.load.loader import parse_text
from converter.core.settings import Settings


def deployment(name: str, *, app: str | None = None, containers: int = 1) -> str:
    items = "".join(f"      - {{name: c{n}, image: nginx, ports: [{{containerPort: {8080 + n}, name: p{n}}}]}}\n"
                    for n in range(containers))
    return textwrap.dedent(f"""\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {{name: {name}}}
        spec:
          selector: {{matchLabels: {{app: {app or name}}}}}
          template:
            metadata: {{labels: {{app: {app or name}}}}}
            spec:
              containers:
        """) + items


def service(name: str, app: str, target_port: str = "p0", extra: str = "") -> str:
    return textwrap.dedent(f"""\
        apiVersion: v1
        kind: Service
        metadata: {{name: {name}}}
        spec:
          selector: {{app: {app}}}
          ports: [{{port: 80, targetPort: {target_port}}}]
        """) + extra


def hpa(name: str, target: str) -> str:
    return textwrap.dedent(f"""\
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {{name: {name}}}
        spec:
          scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {target}}}
          minReplicas: 1
          maxReplicas: 3
          metrics: [{{type: Resource, resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 60}}}}}}]
        """)


BUNDLE = "---\n".join([
    deployment("web"),
    service("web", "web"),  # wired: converted
    hpa("web", "web"),  # scales web: converted
    service("lonely", "nobody"),  # selects nothing (W404)
    hpa("orphan", "ghost"),  # scales nothing (E505)
    service("unwired", "api", target_port="metrics"),  # its only port reaches no container (E407)
    deployment("api"),
    hpa("api-first", "api"),  # two HPAs scale api: the HPA controller acts on neither (E507)
    hpa("api-second", "api"),
    deployment("twin-a", app="twin"),
    deployment("twin-b", app="twin"),
    service("twins", "twin"),  # selects two workloads: the first serves its names (W403)
    "apiVersion: v1\nkind: Service\nmetadata: {name: alias}\nspec: {type: ExternalName, externalName: db.example.com}\n",
    service("headless", "web").replace("  ports:", "  clusterIP: None\n  ports:"),  # its name on Service Connect (W405)
    deployment("crowd", containers=11),  # more containers than a task holds (E144)
    hpa("crowd", "crowd"),
])

EXPECTED = {
    "Deployment/web": "converted", "Service/web": "converted", "HorizontalPodAutoscaler/web": "converted",
    "Service/lonely": "not-converted", "HorizontalPodAutoscaler/orphan": "not-converted",
    "Service/unwired": "not-converted", "Deployment/api": "converted",
    "HorizontalPodAutoscaler/api-first": "not-converted", "HorizontalPodAutoscaler/api-second": "not-converted",
    "Deployment/twin-a": "converted", "Deployment/twin-b": "converted", "Service/twins": "converted",
    "Service/alias": "not-converted", "Service/headless": "converted",
    "Deployment/crowd": "not-converted", "HorizontalPodAutoscaler/crowd": "not-converted",
}
WHY = {"Service/lonely": "K2E-W404", "HorizontalPodAutoscaler/orphan": "K2E-E505", "Service/unwired": "K2E-E407",
       "Service/twins": "K2E-W403", "Service/alias": "K2E-W406", "Service/headless": "K2E-W405",
       "Deployment/crowd": "K2E-E144", "HorizontalPodAutoscaler/api-first": "K2E-E507",
       "HorizontalPodAutoscaler/api-second": "K2E-E507"}


def test_convert_marks_converted_only_what_reached_the_output() -> None:
    result = convert(parse_text(BUNDLE, "bundle.yaml"), Settings())
    assert {s.resource: s.status for s in result.sources} == EXPECTED
    codes = {(f.resource, f.code) for f in result.findings}
    for resource, code in WHY.items():
        assert (resource, code) in codes, f"{resource} is not-converted without {code}"


@pytest.mark.parametrize("where", ["stdout", "folder"])
def test_the_cli_reports_the_same_statuses(tmp_path: Path, where: str) -> None:
    # Enough documents that the streaming conversion reads the file back part by part.
    text = BUNDLE + "".join(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: pad{n}}}\ndata: {{a: b}}\n"
                            for n in range(70))
    manifest = tmp_path / "bundle.yaml"
    manifest.write_text(text)
    report = tmp_path / "report.json"
    args = ["convert", str(manifest), "--report", "json", "--report-file", str(report), "--fail-on", "never"]
    if where == "folder":
        args += ["-o", str(tmp_path / "out")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    statuses = {r["resource"]: r["status"] for r in json.loads(report.read_text())["resources"]
                if not r["resource"].startswith("ConfigMap/")}
    assert statuses == EXPECTED
