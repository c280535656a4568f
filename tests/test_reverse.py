"""ECS -> Kubernetes: units, start-up order, probes, rollout, scaling, input shapes, CloudFormation, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from converter.rules.rollout import rolling_percentages, surge_and_unavailable
from converter.core.quantity import millicores_for_units
from converter.rules.env import secret_reference
from converter.read.ecs.detect import shape, sniff
from converter.read.ecs.intrinsics import ResourceRef, Template, Unresolved, resolve
from converter.core.errors import InputError
from converter.load.loader import parse_text
from converter.core.quantity import cpu_units_from_cores, parse_quantity
from tests.helpers import SAMPLES, run_k2ecs
from tests.reverse_support import all_errors, reverse, reverse_payload

WEB = SAMPLES / "ecs-fargate-web-alb"


def documents(conversion) -> dict[tuple[str, str], dict]:
    return {(d["kind"], d["metadata"]["name"]): d for o in conversion.outputs for d in o.documents}


def deployment(conversion, name: str = "web") -> dict:
    return documents(conversion)[("Deployment", name)]


def pod(conversion, name: str = "web") -> dict:
    return deployment(conversion, name)["spec"]["template"]["spec"]


def task(*containers: dict, **fields) -> dict:
    return {"family": "web", "containerDefinitions": list(containers) or [{"name": "app", "image": "nginx"}], **fields}


# -- units (MAPPING §1.2 inverted) -------------------------------------------------------------------

def test_every_whole_millicore_value_comes_back_from_its_cpu_units():
    for milli in range(1, 70_000):
        units = cpu_units_from_cores(parse_quantity(f"{milli}m"))
        assert millicores_for_units(units) == (milli, True), milli


def test_cpu_units_map_to_the_smallest_millicores_that_cover_them():
    for units in range(1, 20_000):
        milli, exact = millicores_for_units(units)
        back = cpu_units_from_cores(parse_quantity(f"{milli}m"))
        assert back >= units and exact == (back == units)
        assert cpu_units_from_cores(parse_quantity(f"{milli - 1}m")) < units if milli > 1 else True


def test_container_and_task_sizes_become_requests_and_limits():
    conversion = reverse_payload(task({"name": "app", "image": "nginx", "cpu": 256, "memory": 512, "memoryReservation": 256}))
    assert pod(conversion)["containers"][0]["resources"] == {"requests": {"cpu": "250m", "memory": "256Mi"},
                                                             "limits": {"memory": "512Mi"}}
    single = reverse_payload(task(cpu="1 vCPU", memory="2 GB"))
    assert pod(single)["containers"][0]["resources"] == {"requests": {"cpu": "1"}, "limits": {"memory": "2048Mi"}}


def test_task_cpu_that_is_the_containers_sum_is_recognised_when_their_units_have_no_exact_millicores():
    # 100 units read back as 97m (0.097 cores = 99.328 units), 156 as 152m: rounded up they are 100 + 156 = 256,
    # the task's cpu. A truncating sum made 99 + 155 = 254 and called the task size unexplained (K2E-W719).
    conversion = reverse_payload(task({"name": "a", "image": "x", "cpu": 100, "memory": 256},
                                      {"name": "b", "image": "y", "cpu": 156, "memory": 256},
                                      networkMode="awsvpc", cpu="256", memory="512"))
    told = {(f.code, f.message) for f in conversion.findings if f.code in ("K2E-I718", "K2E-W719")}
    assert told == {("K2E-I718", "task cpu 256 is the total of the containers' own values"),
                    ("K2E-I718", "task memory 512 is the total of the containers' own values")}


def test_task_sizes_in_vcpu_and_gb_are_read_exactly():
    conversion = reverse_payload(task({"name": "a", "image": "x"}, {"name": "b", "image": "y", "cpu": 256},
                                      cpu="0.25 vCPU", memory="0.5GB"))
    told = {(f.code, f.message) for f in conversion.findings if f.code in ("K2E-I718", "K2E-W719")}
    assert ("K2E-I718", "task cpu 256 is the total of the containers' own values") in told
    assert ("K2E-W719", "task memory 512 has no pod-level field; the containers keep their own values") in told
    with pytest.raises(InputError, match="task memory '2 vCPU' is not a number of MiB or GB"):
        reverse_payload(task(memory="2 vCPU"))


# -- containers: start-up order (MAPPING §6, §2.8) ---------------------------------------------------

def test_dependencies_make_init_containers_and_native_sidecars_in_order():
    conversion = reverse_payload(task(
        {"name": "app", "image": "app", "dependsOn": [{"containerName": "migrate", "condition": "SUCCESS"},
                                                      {"containerName": "proxy", "condition": "START"}]},
        {"name": "migrate", "image": "app", "essential": False, "dependsOn": [{"containerName": "seed", "condition": "SUCCESS"}]},
        {"name": "proxy", "image": "envoy"},
        {"name": "seed", "image": "app", "essential": False},
    ))
    spec = pod(conversion)
    assert [(c["name"], c.get("restartPolicy")) for c in spec["initContainers"]] == [
        ("proxy", "Always"), ("seed", None), ("migrate", None)]
    assert [c["name"] for c in spec["containers"]] == ["app"]
    assert not [f for f in conversion.findings if f.code in ("K2E-W715", "K2E-W716")]
    assert all_errors(conversion) == []


def test_healthy_dependency_gives_the_sidecar_a_startup_probe():
    conversion = reverse_payload(task(
        {"name": "app", "image": "app", "dependsOn": [{"containerName": "envoy", "condition": "HEALTHY"}]},
        {"name": "envoy", "image": "envoy", "healthCheck": {"command": ["CMD-SHELL", "curl -s localhost:9901/ready"]}}))
    sidecar = pod(conversion)["initContainers"][0]
    assert sidecar["restartPolicy"] == "Always"
    assert sidecar["startupProbe"] == sidecar["livenessProbe"] == {
        "exec": {"command": ["sh", "-c", "curl -s localhost:9901/ready"]}, "periodSeconds": 30, "timeoutSeconds": 5,
        "failureThreshold": 3}


@pytest.mark.parametrize("start", range(1, 301))
def test_start_period_becomes_a_startup_probe_with_exactly_that_budget(start: int):
    for interval in (5, 10, 30, 300):
        conversion = reverse_payload(task({"name": "app", "image": "app", "healthCheck": {
            "command": ["CMD", "/health"], "interval": interval, "startPeriod": start}}))
        probe = pod(conversion)["containers"][0]["startupProbe"]
        assert probe["exec"]["command"] == ["/health"]
        assert probe["failureThreshold"] * probe["periodSeconds"] == start and probe["periodSeconds"] <= interval


def test_secrets_become_secret_key_refs_and_never_values():
    conversion = reverse_payload(task({"name": "app", "image": "app", "secrets": [
        {"name": "DB", "valueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf:password::"}]}))
    env = pod(conversion)["containers"][0]["env"]
    assert env == [{"name": "DB", "valueFrom": {"secretKeyRef": {"name": "prod-db", "key": "password"}}}]
    finding = next(f for f in conversion.findings if f.code == "K2E-W713")
    assert finding.extra == {"secret": "prod-db", "key": "password",
                             "valueFrom": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf:password::"}


@pytest.mark.parametrize(("value_from", "variable", "expected"), [
    ("arn:aws:secretsmanager:eu-west-1:1:secret:app/api-keys-Ab12Cd", "API_KEY", ("app-api-keys", "API_KEY")),
    ("arn:aws:secretsmanager:eu-west-1:1:secret:api-Ab12Cd:stripe::", "STRIPE", ("api", "stripe")),
    ("arn:aws:ssm:eu-west-1:1:parameter/prod/db/password", "DB_PASSWORD", ("prod-db-password", "DB_PASSWORD")),
    ("db-password", "DB_PASSWORD", ("db-password", "DB_PASSWORD")),
    ("<k2ecs:secret-arn:db-credentials/username>", "DB_USER", ("db-credentials", "username")),
])
def test_secret_names_come_from_the_reference(value_from: str, variable: str, expected: tuple[str, str]):
    assert secret_reference(value_from, variable) == expected


# -- service: rollout (MAPPING §3.1 inverted) ---------------------------------------------------------

@pytest.mark.parametrize("replicas", range(1, 101))
def test_rollout_percentages_come_back_as_the_counts_kubernetes_had(replicas: int):
    for surge in range(0, replicas + 1, max(1, replicas // 7)):
        for unavailable in range(0, replicas + 1, max(1, replicas // 7)):
            if surge == unavailable == 0:
                continue
            ecs = rolling_percentages(surge, unavailable, replicas)
            conversion = reverse(json.dumps(task()) + "\n---\n" + json.dumps({
                "serviceName": "web", "taskDefinition": "web", "desiredCount": replicas, "deploymentConfiguration": {
                    "maximumPercent": ecs.maximum_percent, "minimumHealthyPercent": ecs.minimum_healthy_percent}}))
            rolling = deployment(conversion)["spec"]["strategy"]["rollingUpdate"]
            assert (rolling["maxSurge"], rolling["maxUnavailable"]) == surge_and_unavailable(surge, unavailable, replicas)
            assert not [f for f in conversion.findings if f.code == "K2E-I720"]


def test_rollout_that_would_stick_gets_one_unavailable_pod():
    conversion = reverse(json.dumps(task()) + "\n---\n" + json.dumps({
        "serviceName": "web", "taskDefinition": "web", "desiredCount": 3,
        "deploymentConfiguration": {"maximumPercent": 125, "minimumHealthyPercent": 75}}))
    assert deployment(conversion)["spec"]["strategy"]["rollingUpdate"] == {"maxSurge": 0, "maxUnavailable": 1}
    assert any(f.code == "K2E-I720" and "neither start nor stop" in f.message for f in conversion.findings)


def test_web_sample_scaling_target_is_rescaled_to_requests():
    conversion = reverse_payload_paths(WEB / "input")
    hpa = documents(conversion)[("HorizontalPodAutoscaler", "storefront-web")]["spec"]
    # TargetValue 60 of the task's 1024 units fires at 614.4 units; the pod requests 768 units (750m): 80%.
    assert hpa["metrics"][0]["resource"]["target"] == {"type": "Utilization", "averageUtilization": 80}
    assert hpa["behavior"] == {"scaleUp": {"stabilizationWindowSeconds": 60}, "scaleDown": {"stabilizationWindowSeconds": 300}}
    assert (hpa["minReplicas"], hpa["maxReplicas"]) == (4, 20)


def reverse_payload_paths(folder: Path):
    from tests.reverse_support import reverse_paths

    return reverse_paths([str(folder)])


def test_memory_target_without_requests_becomes_an_average_value():
    conversion = reverse("\n---\n".join(json.dumps(p) for p in (
        task(cpu="256", memory="512"), {"serviceName": "web", "taskDefinition": "web", "desiredCount": 1},
        {"ServiceNamespace": "ecs", "ResourceId": "service/c/web", "ScalableDimension": "ecs:service:DesiredCount",
         "MinCapacity": 1, "MaxCapacity": 3},
        {"PolicyName": "p", "ServiceNamespace": "ecs", "ResourceId": "service/c/web", "ScalableDimension": "ecs:service:DesiredCount",
         "PolicyType": "TargetTrackingScaling", "TargetTrackingScalingPolicyConfiguration": {
             "TargetValue": 75, "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageMemoryUtilization"},
             "DisableScaleIn": True}})))
    spec = documents(conversion)[("HorizontalPodAutoscaler", "web")]["spec"]
    assert spec["metrics"][0]["resource"]["target"] == {"type": "AverageValue", "averageValue": "384Mi"}
    assert spec["behavior"]["scaleDown"]["selectPolicy"] == "Disabled"
    assert all_errors(conversion) == []


# -- input shapes ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "kind"), [
    ({"family": "f", "containerDefinitions": []}, "task-definition"),
    ({"taskDefinition": {"family": "f"}}, "task-definition"),
    ({"serviceName": "s"}, "service"),
    ({"service": {"serviceName": "s"}}, "service"),
    ({"services": [], "failures": []}, "wrapper"),
    ({"ScalableTargets": []}, "wrapper"),
    ({"ResourceId": "service/c/s", "ScalableDimension": "ecs:service:DesiredCount"}, "scalable-target"),
    ({"PolicyName": "p"}, "scaling-policy"),
    ({"TargetValue": 1.0}, "policy-configuration"),
    ({"scalableTarget": {}, "scalingPolicies": []}, "wrapper"),
    ({"workloads": []}, "wrapper"),
    ({"tool": "k2ecs"}, "k2ecs-report"),
    ({"Resources": {}}, "template"),
    ({"apiVersion": "v1", "kind": "Service"}, "kubernetes"),
    ({"hello": "world"}, None),
])
def test_input_shapes_are_recognised(data: dict, kind: str | None):
    assert shape(data) == kind


@pytest.mark.parametrize(("text", "direction"), [
    ('{"family": "web", "containerDefinitions": []}', "k8s"),
    ("AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n", "k8s"),
    ("Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n", "k8s"),
    ("apiVersion: apps/v1\nkind: Deployment\n", "ecs"),
    ('{"apiVersion": "v1", "kind": "List", "items": []}', "ecs"),
    ("# nothing here\n", None),
])
def test_the_direction_is_sniffed_from_the_text(text: str, direction: str | None):
    assert sniff(text) == direction


def test_a_kubernetes_manifest_among_ecs_input_costs_that_document():
    """Issue 18: one error finding (K2E-E740) for the manifest, and the ECS document converts."""
    result = reverse('{"family": "f", "containerDefinitions": [{"name": "a", "image": "b"}]}\n---\napiVersion: apps/v1\nkind: Deployment\n')
    assert [o.name for o in result.outputs] == ["f"]
    assert [(f.code, f.line) for f in result.findings if f.severity.label == "error"] == [("K2E-E740", 3)]


def test_ecs_input_of_which_nothing_can_be_read_is_still_an_input_error():
    from converter.core.document import Unreadable
    from converter.pipeline.reverse import convert_to_kubernetes

    broken = InputError("not valid YAML: flow mapping left open", file="t.json", line=1)
    with pytest.raises(InputError, match="flow mapping left open"):
        convert_to_kubernetes([Unreadable(broken)])


# -- CloudFormation ------------------------------------------------------------------------------------

TEMPLATE = Template(parameters={"Tag": {"Type": "String", "Default": "1.0"}, "Nets": {"Type": "CommaDelimitedList", "Default": "a, b"},
                                "Bare": {"Type": "String"}},
                    mappings={"M": {"k": {"v": "mapped"}}}, resources={"Svc": "AWS::ECS::Service"})


@pytest.mark.parametrize(("value", "expected"), [
    ({"Ref": "Tag"}, "1.0"),
    ({"Ref": "Nets"}, ["a", "b"]),
    ({"Fn::Sub": "img:${Tag}-${!Literal}"}, "img:1.0-${Literal}"),
    ({"Fn::Sub": ["${X}/${Tag}", {"X": "x"}]}, "x/1.0"),
    ({"Fn::Join": ["-", ["a", {"Ref": "Tag"}]]}, "a-1.0"),
    ({"Fn::Select": [1, {"Ref": "Nets"}]}, "b"),
    ({"Fn::Split": [",", "p,q"]}, ["p", "q"]),
    ({"Fn::FindInMap": ["M", "k", "v"]}, "mapped"),
    ({"Fn::Base64": "hi"}, "aGk="),
    ({"Ref": "Svc"}, ResourceRef("Svc")),
    ({"Fn::GetAtt": "Svc.Name"}, ResourceRef("Svc", "Name")),
])
def test_intrinsics_the_template_fixes_are_resolved(value, expected):
    assert resolve(value, TEMPLATE).value == expected


@pytest.mark.parametrize(("value", "reason"), [
    ({"Ref": "Bare"}, "has no Default"),
    ({"Ref": "AWS::Region"}, "known only at deploy time"),
    ({"Fn::Sub": "arn:${AWS::Partition}:x"}, "known only at deploy time"),
    ({"Fn::If": ["C", "a", "b"]}, "evaluated at deploy time"),
    ({"Fn::ImportValue": "x"}, "evaluated at deploy time"),
    ({"Fn::Join": ["/", ["a", {"Fn::GetAtt": ["Svc", "Name"]}]]}, "names resource Svc"),
])
def test_intrinsics_known_only_at_deploy_time_stay_unresolved(value, reason):
    with pytest.raises(Unresolved, match=reason):
        resolve(value, TEMPLATE)


def test_short_form_tags_are_read_as_data_only_when_asked():
    text = "A: !Ref X\nB: !GetAtt [R, Name]\nC: !Join ['', [!Ref Y, z]]\n"
    assert parse_text(text, "t.yaml", cfn_tags=True)[0].data == {
        "A": {"Ref": "X"}, "B": {"Fn::GetAtt": ["R", "Name"]}, "C": {"Fn::Join": ["", [{"Ref": "Y"}, "z"]]}}
    with pytest.raises(InputError, match="YAML tag '!Ref' is not allowed"):
        parse_text(text, "t.yaml")
    with pytest.raises(InputError, match="YAML tag '!Bogus' is not allowed"):
        parse_text("A: !Bogus x\n", "t.yaml", cfn_tags=True)


def test_cloudformation_stack_links_service_task_target_and_policy():
    conversion = reverse_payload_paths(SAMPLES / "ecs-cloudformation-stack" / "input")
    found = documents(conversion)
    assert set(found) == {("Deployment", "catalog"), ("Service", "catalog"), ("HorizontalPodAutoscaler", "catalog")}
    assert found[("Deployment", "catalog")]["spec"]["template"]["spec"]["containers"][0]["image"] == "public.ecr.aws/example/catalog:4.2.0"
    assert found[("HorizontalPodAutoscaler", "catalog")]["spec"]["behavior"]["scaleDown"] == {"stabilizationWindowSeconds": 600}


# -- the CLI -------------------------------------------------------------------------------------------

def test_cli_detects_ecs_input_and_writes_one_yaml_per_workload(tmp_path: Path):
    result = run_k2ecs("convert", str(WEB / "input"), "-o", str(tmp_path / "out"), "--fail-on", "never")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.json", "storefront-web.yaml"]
    report = json.loads((tmp_path / "out" / "report.json").read_text())
    assert report["outputs"] == [{"resource": "Service/storefront-web", "name": "storefront-web", "files": ["storefront-web.yaml"]}]


def test_cli_fail_on_and_report_formats(tmp_path: Path):
    failing = run_k2ecs("convert", str(WEB / "input"), "--fail-on", "warning", "--report", "json")
    assert failing.returncode == 1
    assert json.loads(failing.stderr)["summary"]["warnings"] > 0
    sarif = run_k2ecs("convert", str(WEB / "input"), "--report", "sarif", "--report-file", str(tmp_path / "r.sarif"))
    assert sarif.returncode == 0 and json.loads((tmp_path / "r.sarif").read_text())["version"] == "2.1.0"


def test_cli_refuses_ecs_settings_when_converting_to_kubernetes(tmp_path: Path):
    # Settings shape ECS output only: silently ignoring them would let a user think they applied.
    result = run_k2ecs("convert", str(WEB / "input"), "--cluster", "prod", "--subnets", "subnet-1", "-o", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "--cluster, --subnets shape the ECS output" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_bad_input_is_one_line_with_file_and_line(tmp_path: Path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"family": "web",\n "containerDefinitions": [\n')
    result = run_k2ecs("convert", str(broken), "--to", "k8s")
    assert result.returncode == 3
    assert result.stderr.count("\n") == 1 and f"{broken}:" in result.stderr and "Traceback" not in result.stderr
    typed = tmp_path / "typed.json"
    typed.write_text('{"family": "web",\n "containerDefinitions": [{"name": "a", "image": "b", "cpu": "lots"}]}\n')
    result = run_k2ecs("convert", str(typed))
    assert result.returncode == 3 and f"{typed}:2:" in result.stderr
    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"hello": "world"}\n')
    assert run_k2ecs("convert", str(unknown), "--to", "k8s").returncode == 3


def test_cli_check_reports_drift_and_to_ecs_keeps_the_forward_direction(tmp_path: Path):
    case = SAMPLES / "ecs-init-firelens"
    same = run_k2ecs("convert", "input", "--check", "-o", "expected", "--fail-on", "never", cwd=case)
    assert same.returncode == 0 and same.stdout == ""
    stale = tmp_path / "stale"
    stale.mkdir()
    (stale / "report.json").write_text("{}")
    drift = run_k2ecs("convert", str(case / "input"), "--check", "-o", str(stale), "--fail-on", "never")
    assert drift.returncode == 5 and "orders.yaml" in drift.stdout
    forced = run_k2ecs("convert", str(case / "input"), "--to", "ecs")
    assert forced.returncode == 3 and "no kind" in forced.stderr
    assert run_k2ecs("convert", str(case / "input"), "--format", "terraform").returncode == 2


def test_cli_reads_ecs_json_from_stdin():
    payload = json.dumps(task({"name": "app", "image": "nginx:1.27", "portMappings": [{"containerPort": 80}]}))
    result = run_k2ecs("convert", "-", "--fail-on", "never", stdin=payload)
    assert result.returncode == 0, result.stderr
    assert [d["kind"] for d in yaml.safe_load_all(result.stdout)] == ["Deployment"]


def test_cli_refuses_a_mix_of_directions(tmp_path: Path):
    (tmp_path / "a.json").write_text(json.dumps(task()))
    (tmp_path / "b.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    result = run_k2ecs("convert", str(tmp_path))
    assert result.returncode == 3 and "mixes ECS payloads and Kubernetes manifests" in result.stderr


# -- hostile input: a leaf of a sample replaced by any JSON value ----------------------------------------

from hypothesis import given, settings as hypothesis_settings, strategies as st  # noqa: E402

from tests.reverse_support import ecs_sample_cases  # noqa: E402

_JSON_FILES = sorted(p for case in ecs_sample_cases() for p in (case / "input").glob("*.json") if p.name != "report.json")
_VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2, 70000) | st.floats(allow_nan=False, allow_infinity=False)
                       | st.text(max_size=8) | st.sampled_from(["1 vCPU", "CMD", "SUCCESS", "tcp", "awsvpc"]),
                       lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=6), inner, max_size=2),
                       max_leaves=4)


def _leaf_paths(node, path=()):
    yield path
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        yield from _leaf_paths(child, path + (key,))


@hypothesis_settings(max_examples=int(__import__("os").environ.get("K2ECS_PROPERTY_EXAMPLES", "30")), deadline=None)
@given(st.sampled_from(_JSON_FILES), st.data())
def test_a_damaged_payload_is_an_input_error_or_valid_kubernetes(source: Path, data):
    payload = json.loads(source.read_text())
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _leaf_paths(payload) if p]
        path = data.draw(st.sampled_from(paths))
        node = payload
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = data.draw(_VALUES)
    try:
        conversion = reverse_payload(payload)
    except InputError as err:
        assert err.file == "t.json" and "\n" not in str(err)
        return
    assert all_errors(conversion) == []


def test_describe_outputs_of_scaling_are_read_and_their_read_only_fields_named_once():
    targets = {"ScalableTargets": [{"ServiceNamespace": "ecs", "ResourceId": "service/prod/web", "ScalableDimension":
                                    "ecs:service:DesiredCount", "MinCapacity": 2, "MaxCapacity": 5, "RoleARN": "arn:aws:iam::1:role/r",
                                    "CreationTime": "2024-01-01T00:00:00Z", "ScalableTargetARN": "arn:aws:application-autoscaling:x"}]}
    policies = {"ScalingPolicies": [{"PolicyARN": "arn:aws:autoscaling:x", "PolicyName": "web-cpu-target-tracking",
                                     "ServiceNamespace": "ecs", "ResourceId": "service/prod/web",
                                     "ScalableDimension": "ecs:service:DesiredCount", "PolicyType": "TargetTrackingScaling",
                                     "TargetTrackingScalingPolicyConfiguration": {
                                         "TargetValue": 40.0, "PredefinedMetricSpecification": {
                                             "PredefinedMetricType": "ECSServiceAverageMemoryUtilization"}},
                                     "Alarms": [{"AlarmName": "a", "AlarmARN": "arn:aws:cloudwatch:x"}],
                                     "CreationTime": "2024-01-01T00:00:00Z"}], "NextToken": "abc"}
    conversion = reverse("\n---\n".join(json.dumps(p) for p in (
        task({"name": "app", "image": "app", "memoryReservation": 512}, memory="1024"),
        {"service": {"serviceName": "web", "taskDefinition": "web", "desiredCount": 2}}, targets, policies)))
    hpa = documents(conversion)[("HorizontalPodAutoscaler", "web")]["spec"]
    # 40% of the task's 1024 MiB is 409.6 MiB: 80% of the 512 MiB requested.
    assert hpa["metrics"] == [{"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization",
                                                                                           "averageUtilization": 80}}}]
    read_only = [f for f in conversion.findings if f.code == "K2E-I701"]
    assert sorted(f.path for f in read_only) == ["/NextToken", "/ScalableTargets/0/CreationTime", "/ScalingPolicies/0/PolicyARN"]
    assert read_only[-1].extra["paths"] == ["/ScalingPolicies/0/PolicyARN", "/ScalingPolicies/0/Alarms",
                                            "/ScalingPolicies/0/CreationTime"]
    assert not [f for f in conversion.findings if f.code == "K2E-W901"]


NOECHO_CANARY = "canary-noecho-5f1e2d"
NOECHO_TEMPLATE = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  DbPassword: {{Type: String, NoEcho: true, Default: {NOECHO_CANARY}}}
  Image: {{Type: String, Default: nginx}}
Resources:
  Task:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: web
      Cpu: "256"
      Memory: "512"
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      ContainerDefinitions:
        - Name: web
          Image: !Ref Image
          Environment:
            - {{Name: DB_PASSWORD, Value: !Ref DbPassword}}
            - {{Name: DSN, Value: !Sub "postgres://app:${{DbPassword}}@db/app"}}
"""


@pytest.mark.parametrize("report", ["text", "json", "markdown", "sarif", "junit"])
def test_noecho_parameter_defaults_are_secrets_and_never_copied(tmp_path: Path, report: str):
    template = tmp_path / "stack.yaml"
    template.write_text(NOECHO_TEMPLATE)
    printed = run_k2ecs("convert", str(template), "--report", report, "--fail-on", "never")
    written = run_k2ecs("convert", str(template), "-o", str(tmp_path / "out"), "--report", report, "--fail-on", "never")
    assert printed.returncode == 0 and written.returncode == 0, printed.stderr
    files = "".join(p.read_text() for p in (tmp_path / "out").iterdir())
    for text in (printed.stdout, printed.stderr, written.stdout, written.stderr, files):
        assert NOECHO_CANARY not in text
    assert "image: nginx" in printed.stdout  # a plain parameter's Default is still used
    assert "DbPassword is NoEcho" in printed.stderr or report in ("sarif", "junit")


# -- networkMode left out: read as ECS registers it (botocore RegisterTaskDefinitionRequest.networkMode) ---------

def test_a_task_definition_without_network_mode_is_read_as_bridge_unless_it_requires_fargate():
    mapped = {"name": "app", "image": "nginx", "portMappings": [{"containerPort": 80, "hostPort": 8080}]}
    bridge = reverse_payload(task(mapped))
    # bridge: hostPort 8080 is a real mapping of the node's port, as a pod's hostPort is (it was dropped as
    # "awsvpc does not allow" when a left-out networkMode was read as awsvpc)
    assert pod(bridge)["containers"][0]["ports"] == [{"containerPort": 80, "hostPort": 8080, "protocol": "TCP"}]
    told = [f.message for f in bridge.findings if f.code == "K2E-W710" and f.path == "/networkMode"]
    assert told == ["no networkMode (ECS registers it as bridge): a pod has its own IP and one network namespace"]

    fargate = reverse_payload(task(mapped, requiresCompatibilities=["FARGATE"]))
    assert "hostPort" not in pod(fargate)["containers"][0]["ports"][0]  # awsvpc: hostPort is containerPort's
    assert not [f for f in fargate.findings if f.code == "K2E-W710" and f.path == "/networkMode"]

    ec2 = reverse_payload(task(mapped, requiresCompatibilities=["EC2"]))
    assert pod(ec2)["containers"][0]["ports"][0].get("hostPort") == 8080
