"""Issue 18: manifests read as the cluster reads them, and one broken document never sinks the run.

Each rule is checked through convert() on our own small manifests (read with converter.load.inputs, as the
CLI reads them), and the exit statuses through the command line. Codes K2E-E030..I036 are triggered here
(tests/test_codes.py EMITTED_ELSEWHERE).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from converter.pipeline.convert import convert
from converter.core.errors import ExitStatus, InputError
from converter.load.inputs import load_inputs
from converter.load.loader import parse_text, read_text
from converter.core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def deployment(name: str = "web", *, extra_container: str = "", replicas: str = "2", selector: bool = True,
               api_version: str = "apps/v1") -> str:
    return (f"apiVersion: {api_version}\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: {replicas}\n"
            + (f"  selector:\n    matchLabels: {{app: {name}}}\n" if selector else "")
            + f"  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n"
            f"      - name: app\n        image: nginx:1.27\n{extra_container}")


def service(name: str = "web", target_port: str = "8080") -> str:
    return (f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\nspec:\n  selector: {{app: {name}}}\n"
            f"  ports:\n  - port: 80\n    targetPort: {target_port}\n")


def run_text(text: str, tmp_path: Path, name: str = "in.yaml"):
    (tmp_path / name).write_text(text)
    return convert(load_inputs([str(tmp_path / name)]), Settings())


def codes(result) -> list[tuple[str, str, str]]:
    return [(f.code, f.resource, f.path) for f in result.findings]


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("K2ECS_")}
    env["PYTHONPATH"] = str(ROOT)
    return subprocess.run([sys.executable, "-m", "converter", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=env)


# -- isolation per document -------------------------------------------------------------------------

def test_syntax_error_in_one_document_costs_that_document_only(tmp_path):
    text = deployment("a") + "---\n" + deployment("b").replace("replicas: 2", "replicas: [") + "---\n" + deployment("c")
    result = run_text(text, tmp_path)
    assert sorted(o.name for o in result.outputs) == ["a", "c"]
    broken = [f for f in result.findings if f.code == "K2E-E030"]
    assert len(broken) == 1 and broken[0].resource == "Deployment/b" and "not valid YAML" in broken[0].message
    assert broken[0].line is not None and broken[0].line > 13  # in the second document, not at the file's top


def test_invalid_document_is_one_error_finding_and_the_rest_converts(tmp_path):
    result = run_text(deployment("a") + "---\n" + deployment("b", replicas='"two"'), tmp_path)
    assert [o.name for o in result.outputs] == ["a"]
    (finding,) = [f for f in result.findings if f.resource == "Deployment/b"]
    assert (finding.code, finding.path, finding.line) == ("K2E-E031", "/spec/replicas", 22)
    assert "expected an integer" in finding.message
    assert {s.resource: s.status for s in result.sources}["Deployment/b"] == "not-converted"


def test_nothing_readable_is_still_exit_3(tmp_path):
    with pytest.raises(InputError, match="expected an integer"):
        run_text(deployment("b", replicas='"two"'), tmp_path)


def test_unreadable_file_in_a_folder_is_its_finding(tmp_path):
    (tmp_path / "a.yaml").write_text(deployment("a"))
    (tmp_path / "b.yaml").write_bytes(b"kind: ConfigMap\nmetadata: {name: \xff}\n")
    result = convert(load_inputs([str(tmp_path)]), Settings())
    assert [o.name for o in result.outputs] == ["a"]
    assert [(f.code, f.file) for f in result.findings if f.code == "K2E-E030"] == [("K2E-E030", str(tmp_path / "b.yaml"))]


def test_cli_exit_follows_fail_on_with_a_broken_document(tmp_path):
    (tmp_path / "in.yaml").write_text(deployment("a") + "---\n" + "kind: [\n")
    out = tmp_path / "out"
    result = cli("convert", str(tmp_path / "in.yaml"), "-o", str(out), "--report", "json", "--report-file",
                 str(tmp_path / "r.json"))
    assert result.returncode == ExitStatus.FINDINGS, result.stderr
    assert (out / "a.taskdef.json").is_file()
    report = json.loads((tmp_path / "r.json").read_text())
    assert [f["code"] for f in report["findings"] if f["severity"] == "error"] == ["K2E-E030"]
    never = cli("convert", str(tmp_path / "in.yaml"), "--fail-on", "never")
    assert never.returncode == ExitStatus.OK


# -- decoding as kubectl decodes ----------------------------------------------------------------------

def test_duplicate_key_keeps_the_last_value_with_an_error_finding(tmp_path):
    text = deployment("web").replace("  replicas: 2\n", "  replicas: 2\n  replicas: 5\n")
    result = run_text(text, tmp_path)
    assert result.outputs[0].service["desiredCount"] == 5  # the last value, as kubectl's non-strict decoder keeps
    (finding,) = [f for f in result.findings if f.code == "K2E-E032"]
    assert finding.path == "/spec/replicas" and finding.line == 7 and "lines 6 and 7" in finding.message
    assert finding.severity.label == "error"


def test_duplicate_keys_stay_refused_in_strict_reading():
    with pytest.raises(InputError, match="duplicate key"):
        parse_text("kind: A\nkind: B\n", "t.yaml")


def test_base_60_is_not_an_integer():
    (document,) = read_text("kind: ConfigMap\nmetadata: {name: c}\ndata: {TIME: 1:30}\nx: 190:20:30\n", "t.yaml")
    assert document.data["data"]["TIME"] == "1:30" and document.data["x"] == "190:20:30"


def test_base_60_replicas_is_refused_as_kubectl_refuses_it(tmp_path):
    result = run_text(deployment("a") + "---\n" + deployment("b", replicas="1:30"), tmp_path)
    (finding,) = [f for f in result.findings if f.resource == "Deployment/b"]
    assert finding.code == "K2E-E031" and "'1:30'" in finding.message


def test_nul_in_a_string_makes_the_document_unreadable(tmp_path):
    text = deployment("a") + "---\n" + deployment("b", extra_container='        args: ["a\\0b"]\n')
    result = run_text(text, tmp_path)
    assert [o.name for o in result.outputs] == ["a"]
    (finding,) = [f for f in result.findings if f.code == "K2E-E030"]
    assert "NUL" in finding.message and finding.resource == "Deployment/b"


@pytest.mark.parametrize("name", ['""', '"A=B"'])
def test_env_name_empty_or_with_equals_is_refused(tmp_path, name):
    text = deployment("a") + "---\n" + deployment("b", extra_container=f"        env:\n        - name: {name}\n          value: x\n")
    result = run_text(text, tmp_path)
    assert [o.name for o in result.outputs] == ["a"]
    (finding,) = [f for f in result.findings if f.resource == "Deployment/b"]
    assert finding.code == "K2E-E031" and finding.path.startswith("/spec/template/spec/containers/0/env/0")


def test_apps_v1_deployment_without_selector_is_refused(tmp_path):
    result = run_text(deployment("a") + "---\n" + deployment("b", selector=False), tmp_path)
    (finding,) = [f for f in result.findings if f.resource == "Deployment/b"]
    assert finding.code == "K2E-E031" and finding.path == "/spec/selector"
    older = run_text(deployment("c", selector=False, api_version="extensions/v1beta1"), tmp_path, "old.yaml")
    assert [o.name for o in older.outputs] == ["c"]  # its selector defaults to the template's labels


@pytest.mark.parametrize("target", ["0", '""'])
def test_target_port_zero_or_empty_is_the_port(tmp_path, target):
    text = deployment("web", extra_container="        ports:\n        - containerPort: 80\n") + "---\n" + service("web", target)
    result = run_text(text, tmp_path)
    assert not [f for f in result.findings if f.severity.label == "error"]
    mappings = result.outputs[0].task_definition["containerDefinitions"][0]["portMappings"]
    assert [m["containerPort"] for m in mappings] == [80]
    assert result.outputs[0].service.get("serviceConnectConfiguration") is not None or \
        {s.resource: s.status for s in result.sources}["Service/web"] == "converted"


def test_last_declaration_wins(tmp_path):
    later = deployment("web").replace("replicas: 2", "replicas: 7")
    result = run_text(deployment("web") + "---\n" + later, tmp_path)
    assert [o.service["desiredCount"] for o in result.outputs] == [7]
    (finding,) = [f for f in result.findings if f.code == "K2E-E007"]
    assert finding.line == 1 and "declared again at" in finding.message


def test_lower_case_scale_target_kind_scales_the_deployment(tmp_path):
    text = deployment("web", extra_container="        resources: {requests: {cpu: 100m}}\n") + (
        "---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n"
        "  scaleTargetRef: {apiVersion: apps/v1, kind: deployment, name: web}\n  minReplicas: 1\n  maxReplicas: 4\n")
    result = run_text(text, tmp_path)
    assert result.outputs[0].scaling is not None
    assert "K2E-E505" not in [f.code for f in result.findings]
    shouting = run_text(text.replace("kind: deployment", "kind: DEPLOYMENT"), tmp_path, "b.yaml")
    assert "K2E-E505" in [f.code for f in shouting.findings]  # the RESTMapper has no upper-case spelling either


# -- folders as people have them ---------------------------------------------------------------------

def test_chart_kustomization_hidden_folder_and_template_are_skipped(tmp_path):
    (tmp_path / "app.yaml").write_text(deployment("a"))
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n")
    (chart / "values.yaml").write_text("replicas: 2\n")
    (chart / "templates" / "d.yaml").write_text("kind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n")
    (tmp_path / "kustomization.yaml").write_text("resources: [app.yaml]\n")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    (tmp_path / "tpl.yaml").write_text("kind: Service\n{{- if .Values.x }}\nspec: {}\n{{- end }}\n")
    result = convert(load_inputs([str(tmp_path)]), Settings())
    assert [o.name for o in result.outputs] == ["a"]
    skipped = sorted((f.code, Path(f.file).name) for f in result.findings if f.code in ("K2E-I033", "K2E-I034", "K2E-I035", "K2E-I036"))
    assert skipped == [("K2E-I033", "Chart.yaml"), ("K2E-I034", "kustomization.yaml"), ("K2E-I035", ".github"),
                       ("K2E-I036", "tpl.yaml")]
    assert not [f for f in result.findings if f.severity.label == "error"]


def test_only_a_chart_is_exit_3_that_says_how_to_render(tmp_path):
    (tmp_path / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n")
    result = cli("convert", str(tmp_path))
    assert result.returncode == ExitStatus.INVALID_INPUT and "Helm chart" in result.stderr


def test_exclude_glob(tmp_path):
    (tmp_path / "a.yaml").write_text(deployment("a"))
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "b.yaml").write_text(deployment("b"))
    (tmp_path / "c.yaml").write_text(deployment("c"))
    result = cli("convert", str(tmp_path), "--exclude", "tests", "--exclude", "c.*")
    assert result.returncode == 0, result.stderr
    assert [w["name"] for w in json.loads(result.stdout)["workloads"]] == ["a"]


# tests/bad_input/isolated/: inputs that were exit 3 whole and now cost one document (or are read as kubectl
# reads them): file -> (exit status, the error finding's code, its line)
ISOLATED = {
    "malformed_second_document.yaml": (ExitStatus.FINDINGS, "K2E-E030", 14),
    "document_is_string.yaml": (ExitStatus.FINDINGS, "K2E-E030", 6),
    "duplicate_key_top.yaml": (ExitStatus.FINDINGS, "K2E-E032", 5),
    "duplicate_key_nested.yaml": (ExitStatus.FINDINGS, "K2E-E032", 13),
}


@pytest.mark.parametrize("name", sorted(ISOLATED))
def test_formerly_refused_inputs_cost_one_document(tmp_path, name):
    status, code, line = ISOLATED[name]
    report = tmp_path / "r.json"
    result = cli("convert", str(ROOT / "tests" / "bad_input" / "isolated" / name), "--report", "json",
                 "--report-file", str(report))
    assert result.returncode == status, result.stderr
    errors = [(f["code"], f["line"]) for f in json.loads(report.read_text())["findings"] if f["severity"] == "error"]
    assert errors == [(code, line)]
    assert "Traceback" not in result.stderr


# -- references say what they met (K2E-E505) ----------------------------------------------------------

def _hpa(target: str, kind: str = "Deployment", namespace: str | None = None) -> str:
    return ("---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: h\n"
            + (f"  namespace: {namespace}\n" if namespace else "")
            + f"spec:\n  scaleTargetRef: {{apiVersion: apps/v1, kind: {kind}, name: {target}}}\n  maxReplicas: 3\n")


@pytest.mark.parametrize("text, expected", [
    (deployment("carts") + _hpa("cart"), "scales Deployment/cart, which is not in the input; did you mean carts?"),
    (deployment("carts").replace("metadata:\n  name: carts", "metadata:\n  name: carts\n  namespace: shop", 1)
     + _hpa("carts", namespace="dev"), "which is in namespace 'shop', not in 'dev'"),
    (deployment("a") + "---\napiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: rs}\nspec: {}\n" + _hpa("rs", "ReplicaSet"),
     "which is in the input, but a ReplicaSet is not a kind k2ecs converts"),
    (deployment("a") + "---\n" + deployment("b", replicas='"x"') + _hpa("b"),
     "which is in the input but was not converted (its findings say why)"),
    (deployment("a") + _hpa("zzz"), "scales Deployment/zzz, which is not in the input"),
])
def test_scale_target_not_found_says_what_it_met(tmp_path, text, expected):
    result = run_text(text, tmp_path)
    (finding,) = [f for f in result.findings if f.code == "K2E-E505"]
    assert expected in finding.message


# -- the ECS direction reads what ECS users have -------------------------------------------------------

COPILOT_LIKE = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  AppName: {Type: String}
  EnvName: {Type: String}
  WorkloadName: {Type: String}
  ContainerImage: {Type: String}
Resources:
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: !Join ['', [!Ref AppName, '-', !Ref EnvName, '-', !Ref WorkloadName]]
      Cpu: "256"
      Memory: "512"
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      ContainerDefinitions:
        - Name: !Ref WorkloadName
          Image: !Ref ContainerImage
          PortMappings: [{ContainerPort: 8080}]
"""


def test_cloudformation_parameters_without_default_are_never_a_refusal(tmp_path):
    (tmp_path / "stack.yaml").write_text(COPILOT_LIKE)
    bare = cli("convert", str(tmp_path / "stack.yaml"), "--to", "k8s", "--report", "json", "--report-file",
               str(tmp_path / "bare.json"), "--fail-on", "never")
    assert bare.returncode == ExitStatus.OK, bare.stderr
    findings = json.loads((tmp_path / "bare.json").read_text())["findings"]
    assert any(f["code"] == "K2E-I741" and "'TaskDefinition'" in f["message"] for f in findings)
    assert any(f["code"] == "K2E-W704" and "--parameter ContainerImage=VALUE" in f["message"] for f in findings)
    given = cli("convert", str(tmp_path / "stack.yaml"), "--to", "k8s", "--parameter", "AppName=shop",
                "--parameter", "EnvName=test", "--parameter", "WorkloadName=web", "--parameter",
                "ContainerImage=public.ecr.aws/nginx/nginx:1.27", "-o", str(tmp_path / "out"))
    assert given.returncode == ExitStatus.OK, given.stderr
    assert (tmp_path / "out" / "shop-test-web.yaml").is_file()
    manifest = (tmp_path / "out" / "shop-test-web.yaml").read_text()
    assert "image: public.ecr.aws/nginx/nginx:1.27" in manifest


def test_parameter_flag_is_checked(tmp_path):
    (tmp_path / "stack.yaml").write_text(COPILOT_LIKE)
    assert cli("convert", str(tmp_path / "stack.yaml"), "--to", "k8s", "--parameter", "novalue").returncode == ExitStatus.USAGE
    (tmp_path / "d.yaml").write_text(deployment("a"))
    assert cli("convert", str(tmp_path / "d.yaml"), "--parameter", "A=1").returncode == ExitStatus.USAGE


def test_single_container_definition_is_a_task(tmp_path):
    (tmp_path / "web.json").write_text(json.dumps({"name": "web", "image": "nginx:1.27", "essential": True,
                                                   "portMappings": [{"containerPort": 80}]}))
    result = cli("convert", str(tmp_path / "web.json"), "-o", str(tmp_path / "out"))
    assert result.returncode == ExitStatus.OK, result.stderr
    assert (tmp_path / "out" / "web.yaml").is_file()
